/* SPDX-License-Identifier: MIT */
/*
 * The small interface every architecture component implements.
 *
 * Generic code calls only these functions; it never tests which
 * architecture it runs on.  components/arch/x86_64 and
 * components/arch/aarch64 each provide all of them; the host test support
 * (tests/host) provides the few a device model can reach.
 */
#ifndef CORE_ARCH_H
#define CORE_ARCH_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

/* "x86_64" or "aarch64". */
const char *arch_name(void);

/* Polite busy-wait hint (PAUSE / YIELD). */
void arch_cpu_relax(void);

/* Interrupts on this CPU. */
void arch_irq_enable(void);
void arch_irq_disable(void);

/* Waits for an interrupt (HLT / WFI) with interrupts as they are. */
void arch_wait_for_interrupt(void);

/*
 * An idle CPU's sleep: until an interrupt reaches this CPU (another CPU's
 * arch_kick_cpu()) or, when deadline_ns is not 0, until arch_timer_ns()
 * reaches it (WFI / HLT; without an interrupt controller to wake it, one
 * relax).  What woke it is acknowledged before it returns.  Race-free
 * when the caller has interrupts masked while it looks for work and
 * until this returns: a kick sent after the look stays pending and ends
 * the sleep at once (aarch64: WFI wakes on a pending interrupt whatever
 * PSTATE.I says; x86: STI's one-instruction shadow covers the HLT).
 */
void arch_cpu_idle(uint64_t deadline_ns);

/* Interrupts CPU cpu (a percpu id): out of a guest, out of its idle sleep. */
void arch_kick_cpu(unsigned int cpu);

/* Stops this CPU for good: interrupts off, halted in a loop. */
__attribute__((noreturn)) void arch_halt(void);

/* Monotonic time since boot, in nanoseconds. */
uint64_t arch_timer_ns(void);

/*
 * Reads the machine's real-time clock (aarch64: the PL031 of the device
 * tree; x86_64: the CMOS clock at port 0x70): seconds since 1970 (UTC)
 * into *seconds, or -ENODEV when the machine has none.  Slow: the core
 * reads it once (<core/wallclock.h>).
 */
int arch_read_wall_clock(uint64_t *seconds);

/*
 * Starts every secondary CPU listed in the boot information.  Each one
 * sets itself up (stack, per-CPU pointer, exception vectors, MMU) and calls
 * kernel_secondary_main().  Returns when all of them are online or have
 * timed out; the number online is in cpu_online_count().
 */
void arch_smp_boot(void);

/* Ends the whole machine: power off (PSCI SYSTEM_OFF, ACPI, emulator exit). */
__attribute__((noreturn)) void arch_poweroff(void);
/* Restarts the whole machine. */
__attribute__((noreturn)) void arch_reset(void);

#endif
