/* SPDX-License-Identifier: MIT */
/*
 * The well-behaved VM of the hostile-guest tests (docs/reliability.md): it
 * runs beside an attacking VM and must keep its memory and its pace.
 *
 * It fills its RAM above the image with a pattern only it writes (each
 * 64-bit word VICTIM_MAGIC ^ its address), then checks the pattern again
 * and again, counting rounds (one round reads 4 KiB) in windows of
 * WINDOW_NS of its own counter.  Every window prints one line.  A changed
 * word is a FAIL (someone wrote into this VM); so is a window with fewer
 * than a twentieth of the rounds of the first full window, which ran while the
 * attacker was already busy: the attacker's exits and storms must not
 * slow another VM down.  A window under a twentieth of window 1 fails;
 * windows under half are counted and shown (on an emulator sharing its
 * host with other work, those also come from the host; see
 * docs/reliability.md).  Runs until the test ends it.
 */
#include <guest.h>

#ifndef VICTIM_RAM_BASE
#error "VICTIM_RAM_BASE, VICTIM_RAM_SIZE and VICTIM_FILL_START come from guests.mk"
#endif

#define VICTIM_MAGIC 0x56494354494d0000ull     /* "VICTIM" in the top six bytes */
#define ROUND_WORDS  512u                       /* 4 KiB per round */
#define WINDOW_NS    1000000000ull              /* 1 s */
#define TSC_WINDOW   (1ull << 28)               /* x86: no known rate */

static uint64_t window_ticks(void)
{
	uint64_t hz = guest_counter_hz();

	return hz ? hz / (1000000000ull / WINDOW_NS) : TSC_WINDOW;
}

void guest_main(void)
{
	volatile uint64_t *start = (volatile uint64_t *)VICTIM_FILL_START;
	volatile uint64_t *end = (volatile uint64_t *)(VICTIM_RAM_BASE + VICTIM_RAM_SIZE);
	uint64_t words = (uint64_t)(end - start), next = 0, ticks = window_ticks();
	uint64_t reference = 0;
	unsigned int slow_windows = 0;
	bool failed = false;

	for (volatile uint64_t *p = start; p < end; p++)
		*p = VICTIM_MAGIC ^ (uint64_t)(uintptr_t)p;
	guest_printf("victim: %llu KiB of RAM filled with its pattern\n",
		     (unsigned long long)(words * 8 / 1024));
	for (unsigned int window = 0;; window++) {
		uint64_t until = guest_counter() + ticks, rounds = 0;

		while (guest_counter() < until) {
			for (unsigned int i = 0; i < ROUND_WORDS; i++, next++) {
				volatile uint64_t *p;

				if (next == words)
					next = 0;
				p = start + next;
				if (*p != (VICTIM_MAGIC ^ (uint64_t)(uintptr_t)p) && !failed) {
					failed = true;
					guest_printf("FAIL: victim: word at 0x%llx changed to 0x%llx\n",
						     (unsigned long long)(uintptr_t)p,
						     (unsigned long long)*p);
				}
			}
			rounds++;
		}
		/* Window 0 includes the start; window 1 is the reference. */
		if (window == 1)
			reference = rounds;
		guest_printf("victim: window %u: %llu rounds, pattern %s, %u of %u windows under half "
			     "of window 1\n", window, (unsigned long long)rounds,
			     failed ? "CHANGED" : "intact", slow_windows, window > 1 ? window - 1 : 0);
		/*
		 * Enforced: progress in every window (a twentieth of window 1).
		 * Reported: windows under half of window 1, which on a shared
		 * host also come from other programs (docs/reliability.md).
		 */
		if (window > 1 && rounds * 2 < reference)
			slow_windows++;
		if (window > 1 && rounds * 20 < reference)
			guest_printf("FAIL: victim: window %u made %llu rounds, less than a twentieth "
				     "of window 1 (%llu)\n", window, (unsigned long long)rounds,
				     (unsigned long long)reference);
	}
}
