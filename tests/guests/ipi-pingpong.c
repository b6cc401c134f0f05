/* SPDX-License-Identifier: MIT */
/*
 * ipi-pingpong: does every IPI reach a CPU that sleeps?
 *
 * CPU 1 enables one IPI and then only sleeps (WFI / HLT with interrupts
 * on); its handler counts the IPI and sets a flag.  CPU 0 clears the
 * flag, sends CPU 1 the IPI and spins until the flag is set, again and
 * again.  Nothing else runs: no timer, no device interrupt, so a wake-up
 * the hypervisor loses is never made up by another interrupt and the
 * round trip does not end.  CPU 0 gives up after SPIN_LIMIT spins and the
 * test fails, naming the round.
 *
 * Two runs:
 *   back to back  ROUNDS round trips, each IPI sent as soon as the last
 *                 one was seen: it finds CPU 1 still on its way back to
 *                 sleep (in its handler, at its WFI/HLT exit, in the
 *                 hypervisor's wait); the average is the round-trip time
 *   staggered     ROUNDS / 4 more, CPU 0 pausing 0 to 2047 spins before
 *                 each, so the IPI also lands at every later point of
 *                 that way, up to CPU 1 being fast asleep
 *
 * Times are in ticks of the guest's counter (CNTVCT_EL0 / TSC), from the
 * send to the moment CPU 0 sees the flag.  With the rate known (CNTFRQ)
 * they are also given in ns: under QEMU with -icount shift=0 a
 * nanosecond of guest time is one executed instruction (of either CPU,
 * guest or hypervisor).
 */
#include <guest.h>

#ifndef ROUNDS
#define ROUNDS 1000u
#endif
#define STAGGERED_ROUNDS (ROUNDS / 4)
#define SPIN_LIMIT (1ull << 28)
#define PING 1                          /* IPI number: SGI 1 / vector 0x41 */

static volatile bool receiver_ready;
static volatile uint32_t received;     /* CPU 1's handler sets it          */
static volatile uint64_t pings_taken;  /* IPIs CPU 1 took                  */
static volatile uint64_t other_irqs;   /* anything else it took            */
static volatile uint64_t wakeups;      /* times CPU 1's sleep ended        */

static void on_interrupt(unsigned int irq)
{
	if (irq == guest_ipi_irq(PING)) {
		pings_taken = pings_taken + 1;
		received = 1;
	} else {
		other_irqs = other_irqs + 1;
	}
}

static void receiver(unsigned int cpu)
{
	(void)cpu;
	guest_irq_init_cpu(on_interrupt);
	guest_ipi_enable(PING);
	receiver_ready = true;
	guest_irq_enable();
	for (;;) {
		guest_wait_for_interrupt();
		wakeups = wakeups + 1;
	}
}

/* One round trip: the IPI out, the flag back.  Returns the ticks it took. */
static uint64_t round_trip(uint32_t round, const char *run)
{
	uint64_t spins = 0, start;

	received = 0;
	start = guest_counter();
	guest_ipi_send(1, PING);
	while (!received) {
		if (++spins == SPIN_LIMIT)
			guest_fail("%s round trip %u: CPU 1 did not take the IPI (%llu spins; it "
				   "took %llu IPIs, woke %llu times)", run, round,
				   (unsigned long long)spins, (unsigned long long)pings_taken,
				   (unsigned long long)wakeups);
		guest_cpu_relax();
	}
	return guest_counter() - start;
}

static void report(const char *run, uint32_t rounds, uint64_t ticks)
{
	uint64_t hz = guest_counter_hz();
	uint64_t centi = ticks * 100 / rounds;

	guest_printf("ipi-pingpong: %s: %u round trips, average %llu.%02llu %s ticks", run, rounds,
		     (unsigned long long)(centi / 100), (unsigned long long)(centi % 100),
		     guest_counter_name());
	if (hz)
		guest_printf(" = %llu ns (%llu Hz)", (unsigned long long)(ticks * 1000000000ull /
									hz / rounds),
			     (unsigned long long)hz);
	guest_printf("\n");
}

void guest_main(void)
{
	uint64_t ticks = 0;

	guest_printf("ipi-pingpong: CPU 0 sends CPU 1, sleeping, %u + %u IPIs\n", ROUNDS,
		     STAGGERED_ROUNDS);
	if (!guest_start_cpu(1, receiver))
		guest_fail("CPU 1 did not start");
	while (!receiver_ready)
		guest_cpu_relax();

	for (uint32_t round = 1; round <= ROUNDS; round++)
		ticks += round_trip(round, "back to back");
	report("back to back", ROUNDS, ticks);

	ticks = 0;
	for (uint32_t round = 1; round <= STAGGERED_ROUNDS; round++) {
		/* 0 .. 2^11-1 spins, spread by a multiplicative hash of the round. */
		for (uint32_t pause = (round * 2654435761u) >> (21 + round % 11); pause; pause--)
			guest_cpu_relax();
		ticks += round_trip(round, "staggered");
	}
	report("staggered", STAGGERED_ROUNDS, ticks);

	guest_printf("ipi-pingpong: %llu IPIs received, %llu other interrupts, CPU 1 woke %llu "
		     "times\n", (unsigned long long)pings_taken, (unsigned long long)other_irqs,
		     (unsigned long long)wakeups);
	if (pings_taken != ROUNDS + STAGGERED_ROUNDS || other_irqs)
		guest_fail("CPU 1 took %llu IPIs and %llu other interrupts, expected %u IPIs",
			   (unsigned long long)pings_taken, (unsigned long long)other_irqs,
			   ROUNDS + STAGGERED_ROUNDS);
	guest_printf("ipi-pingpong: passed\n");
	guest_poweroff();
}
