/* SPDX-License-Identifier: MIT */
/*
 * bench-exit: what one trapped access costs (make bench, docs/performance.md).
 *
 * Each case runs the same loop twice: ITERATIONS times over an access that
 * traps to the hypervisor (a device register, a hypercall), and ITERATIONS
 * times over the same instruction sequence aimed at RAM (a variable of the
 * guest, a call that does nothing).  The guest prints both in ticks of its
 * counter (CNTVCT_EL0 / TSC) with the counter's rate:
 *
 *   bench-exit: <case> trapped <ticks> reference <ticks> iterations <n> hz <rate>
 *
 * Under an emulator whose clock counts instructions (-icount shift=0: one
 * nanosecond per instruction), (trapped - reference) / n converted to ns
 * is the number of instructions the hypervisor executed for one round
 * trip: exit, decode, device, resume.  The same image runs on the plain
 * emulator too (no hypervisor: the device lives in the emulator), which
 * gives the loop's own cost.
 *
 * The devices are ones whose accesses change nothing the loop depends on:
 * a read of the UART's flag register (what a console driver polls), a
 * write of a register that only holds its value (the RTC's match
 * register on aarch64, the IOAPIC's index register on x86, read back by
 * the read case there), a port read of COM1's line status (x86) and the
 * PSCI_VERSION / an unknown hypercall (x86: answered -1000, stepped over).
 */
#include <guest.h>

#ifndef ITERATIONS
#define ITERATIONS 20000u
#endif

#if defined(__aarch64__)
#define MMIO_READ_ADDR  0x09000018ul    /* PL011 UARTFR                  */
#define MMIO_WRITE_ADDR 0x09010004ul    /* PL031 RTCMR (match register)  */
#define HYPERCALL_NAME  "hvc"
#elif defined(__x86_64__)
#define MMIO_READ_ADDR  0xfec00000ul    /* IOAPIC IOREGSEL               */
#define MMIO_WRITE_ADDR 0xfec00000ul    /* IOAPIC IOREGSEL := 0 (its ID) */
#define PIO_READ_PORT   0x3fd           /* COM1 line status              */
#define HYPERCALL_NAME  "vmcall"
#endif

static volatile uint64_t ram_word;
static volatile uint64_t sink;

static uint64_t loop_read(uintptr_t addr, unsigned int n)
{
	uint64_t t0, t1, sum = 0;

	t0 = guest_counter();
	for (unsigned int i = 0; i < n; i++)
		sum += guest_mmio_read(addr, 4);
	t1 = guest_counter();
	sink = sum;
	return t1 - t0;
}

static uint64_t loop_write(uintptr_t addr, unsigned int n, uint64_t value)
{
	uint64_t t0, t1;

	t0 = guest_counter();
	for (unsigned int i = 0; i < n; i++)
		guest_mmio_write(addr, 4, value);
	t1 = guest_counter();
	return t1 - t0;
}

#if defined(__aarch64__)
/* PSCI_VERSION over HVC (SMCCC: x0 function, result in x0). */
__attribute__((noinline)) static uint64_t hypercall(int trapped)
{
	register uint64_t x0 __asm__("x0") = 0x84000000ul;

	if (trapped)
		__asm__ volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	else
		__asm__ volatile("nop" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	return x0;
}
#elif defined(__x86_64__)
/* An unknown VMCALL: the hypervisor answers it and steps over it. */
__attribute__((noinline)) static uint64_t hypercall(int trapped)
{
	uint64_t rax = 0x7e55e4a0ul;

	if (trapped)
		__asm__ volatile("vmcall" : "+a"(rax) : : "memory");
	else
		__asm__ volatile("nop" : "+a"(rax) : : "memory");
	return rax;
}

__attribute__((noinline)) static uint64_t port_read(int trapped)
{
	uint8_t v;

	if (trapped)
		__asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"((uint16_t)PIO_READ_PORT) : "memory");
	else
		v = (uint8_t)ram_word;
	return v;
}
#endif

static uint64_t loop_call(uint64_t (*fn)(int), int trapped, unsigned int n)
{
	uint64_t t0, t1, sum = 0;

	t0 = guest_counter();
	for (unsigned int i = 0; i < n; i++)
		sum += fn(trapped);
	t1 = guest_counter();
	sink = sum;
	return t1 - t0;
}

static void report(const char *name, uint64_t trapped, uint64_t reference)
{
	guest_printf("bench-exit: %s trapped %llu reference %llu iterations %u hz %llu\n", name,
		     (unsigned long long)trapped, (unsigned long long)reference, ITERATIONS,
		     (unsigned long long)guest_counter_hz());
}

void guest_main(void)
{
	uintptr_t ram __attribute__((unused)) = (uintptr_t)&ram_word;

	guest_printf("bench-exit: %u iterations per loop, counter %s\n", ITERATIONS,
		     guest_counter_name());
	/* Warm up: the first accesses may map or look up what later ones find ready. */
	loop_read(MMIO_READ_ADDR, 16);
	loop_write(MMIO_WRITE_ADDR, 16, 0);
	loop_call(hypercall, 1, 16);

#ifdef BENCH_PROFILE
	/* scripts/bench/exit_profile.py: only the trapped MMIO reads. */
	report("mmio-read", loop_read(MMIO_READ_ADDR, ITERATIONS), 0);
	guest_printf("bench-exit: done\n");
	return;
#endif
	report("mmio-read", loop_read(MMIO_READ_ADDR, ITERATIONS), loop_read(ram, ITERATIONS));
	report("mmio-write", loop_write(MMIO_WRITE_ADDR, ITERATIONS, 0),
	       loop_write(ram, ITERATIONS, 0));
#if defined(__x86_64__)
	report("pio-read", loop_call(port_read, 1, ITERATIONS), loop_call(port_read, 0, ITERATIONS));
#endif
	report(HYPERCALL_NAME, loop_call(hypercall, 1, ITERATIONS),
	       loop_call(hypercall, 0, ITERATIONS));
	guest_printf("bench-exit: done\n");
}
