/* SPDX-License-Identifier: MIT */
/*
 * The runtime of Tessera's bare-metal test guests (tests/guests/, see
 * docs/guests.md).  A test guest is one C file with guest_main(); it runs
 * on CPU 0 of a VM with interrupts masked and the MMU off, and may start
 * the other CPUs, take interrupts and print.  Each architecture implements
 * this header in tests/guests/<arch>/; the same test source builds for
 * both.
 *
 * What a guest prints goes to the VM's first serial port (PL011 / COM1).
 * A test reports with guest_printf() and ends with guest_poweroff()
 * (PSCI SYSTEM_OFF / ACPI S5), or with guest_fail(), which prints
 * "FAIL: <why>" and powers off: boot tests reject that word.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_MAX_CPUS 4

/* The test: runs on CPU 0 (the boot CPU). */
void guest_main(void);

/* ---- output and the end ---- */
void guest_putc(char c);
/* %s %c %d %u %x, zero-padded widths (%02u), the length modifiers l and ll, %%. */
void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void guest_vprintf(const char *fmt, va_list ap);
__attribute__((noreturn)) void guest_poweroff(void);
__attribute__((noreturn, format(printf, 1, 2))) void guest_fail(const char *fmt, ...);

/* ---- CPUs ---- */
/* 0 for the boot CPU, n for the CPU guest_start_cpu(n, ...) started. */
unsigned int guest_cpu_id(void);
/*
 * Starts CPU cpu (1 .. GUEST_MAX_CPUS-1) at fn(cpu) on a stack of its own,
 * interrupts masked, and waits until it runs.  fn must not return.
 * false when the machine refused or the CPU did not come up.
 */
bool guest_start_cpu(unsigned int cpu, void (*fn)(unsigned int cpu));
/* In a spin loop: lets an emulator run the other CPUs (YIELD / PAUSE). */
void guest_cpu_relax(void);
/* A compiler and memory barrier (full, both directions). */
static inline void guest_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* ---- time ---- */
/* A free-running counter (the virtual counter CNTVCT_EL0 / the TSC). */
uint64_t guest_counter(void);
/* Its name for messages ("CNTVCT", "TSC"). */
const char *guest_counter_name(void);
/* Its rate in Hz (CNTFRQ_EL0), or 0 when the guest cannot know it (the TSC). */
uint64_t guest_counter_hz(void);

/* ---- interrupts ---- */
/*
 * The handler of every interrupt this CPU takes, with the interrupt's
 * number (GIC INTID / x86 vector).  The runtime acknowledges it before
 * (ICC_IAR1_EL1) and ends it after (ICC_EOIR1_EL1 / the LAPIC's EOI).
 */
typedef void (*guest_irq_handler)(unsigned int irq);

/*
 * This CPU's interrupt controller interface on (GIC CPU interface and
 * redistributor / LAPIC) and handler installed; interrupts stay masked
 * until guest_irq_enable().  The GIC distributor (Group 1) is switched on
 * by the first CPU that calls it.
 */
void guest_irq_init_cpu(guest_irq_handler handler);
void guest_irq_enable(void);
void guest_irq_disable(void);
/* Sleeps until an interrupt (WFI / HLT); with interrupts enabled, the handler runs first. */
void guest_wait_for_interrupt(void);

/* Inter-processor interrupts: n is 0..7, an SGI on the GIC, a fixed vector on x86. */
unsigned int guest_ipi_irq(unsigned int n);        /* its number as the handler sees it */
void guest_ipi_enable(unsigned int n);             /* on this CPU (GICR_ISENABLER0) */
void guest_ipi_send(unsigned int cpu, unsigned int n);

/*
 * One device access of width 1, 2, 4 or 8 bytes, as one plain load or
 * store (no write-back addressing, no pair: the forms a hypervisor can
 * decode from the trap alone).  Compiled code touching volatile memory
 * may use other forms; device tests use these.
 */
uint64_t guest_mmio_read(uintptr_t addr, unsigned int width);
void guest_mmio_write(uintptr_t addr, unsigned int width, uint64_t value);

/* ---- exceptions the test provokes (the hostile-guest suite) ---- */
/*
 * What guest_try() caught: code is the exception (aarch64: ESR_EL1.EC,
 * x86: the vector), syndrome ESR_EL1 / the error code (0 without one),
 * address FAR_EL1 / CR2, pc where it happened (ELR_EL1 / RIP).
 */
struct guest_fault {
	unsigned int code;
	uint64_t syndrome;
	uint64_t address;
	uint64_t pc;
};

/*
 * Runs fn(arg) on this CPU and catches the first synchronous exception it
 * raises (UNDEF, data abort, #GP, #UD, #PF...), at any privilege level:
 * fn is abandoned where it faulted and guest_try() returns the exception's
 * code, with the details in *fault (may be NULL); -1 when fn returned.
 * Exceptions outside guest_try() still end the test with FAIL.
 */
int guest_try(void (*fn)(void *arg), void *arg, struct guest_fault *fault);

/*
 * Named cases (lib/cases.c), for guests that run many: guest_case()
 * starts one ("<prefix>: case <n> <name>: <expectation>"), guest_check()
 * reports a broken expectation as "FAIL: <case>: ..." and goes on,
 * guest_case_done() ends the case ("... contained: <what happened>").
 * guest_cases_end() prints the totals and "<prefix>: passed" when no
 * check failed.
 */
void guest_cases_begin(const char *prefix);
void guest_case(const char *name, const char *expectation);
bool guest_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void guest_case_done(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* true when every check passed */
bool guest_cases_end(void);

#endif
