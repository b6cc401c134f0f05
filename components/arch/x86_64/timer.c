/* SPDX-License-Identifier: MIT */
/*
 * arch_timer_ns(): the TSC, calibrated once against PIT channel 2.
 *
 * The PIT runs at a fixed 1.193182 MHz on every PC and every emulator
 * (in Bochs with "clock: sync=none" it follows executed instructions,
 * like the TSC), so counting TSC ticks while channel 2 counts down a
 * known interval gives the TSC frequency without interrupts.
 */
#include <stdint.h>
#include <core/arch.h>
#include <core/log.h>
#include <x86_64/cpu.h>
#include <x86_64/x86.h>

#define PIT_HZ 1193182ULL
#define PIT_CH2_DATA 0x42
#define PIT_MODE 0x43
#define PIT_CONTROL 0x61         /* bit 0: gate 2, bit 1: speaker, bit 5: out 2 */
#define CALIBRATION_MS 10
#define FALLBACK_TSC_HZ 1000000000ULL

static uint64_t tsc_at_boot;
static uint64_t tsc_hz;
/* ns = (ticks * ns_per_tick_fp) >> 32 */
static uint64_t ns_per_tick_fp;

static uint64_t measure_tsc_hz(void)
{
	const uint16_t count = PIT_HZ * CALIBRATION_MS / 1000;
	uint64_t start, end;
	uint8_t ctl = inb(PIT_CONTROL);
	unsigned long spins = 0;

	outb(PIT_CONTROL, (ctl & ~0x03) );        /* gate low: hold the count */
	outb(PIT_MODE, 0xb0);                     /* ch2, lo/hi, mode 0 */
	outb(PIT_CH2_DATA, count & 0xff);
	outb(PIT_CH2_DATA, count >> 8);
	start = rdtsc();
	outb(PIT_CONTROL, (ctl & ~0x02) | 0x01);  /* gate high: count */
	while (!(inb(PIT_CONTROL) & 0x20))
		if (++spins > 100000000UL)
			return 0;
	end = rdtsc();
	outb(PIT_CONTROL, ctl);
	return (end - start) * (1000 / CALIBRATION_MS);
}

void timer_calibrate(void)
{
	uint64_t best = 0;

	tsc_at_boot = rdtsc();
	/* The smallest of a few runs is the least disturbed by the host. */
	for (int i = 0; i < 3; i++) {
		uint64_t hz = measure_tsc_hz();

		if (hz && (!best || hz < best))
			best = hz;
	}
	if (!best) {
		log_warn("timer: PIT channel 2 does not count; assuming a 1 GHz TSC");
		best = FALLBACK_TSC_HZ;
	}
	tsc_hz = best;
	ns_per_tick_fp = (1000000000ULL << 32) / tsc_hz;
}

uint64_t timer_tsc_hz(void)
{
	return tsc_hz;
}

uint64_t arch_timer_ns(void)
{
	uint64_t ticks;

	if (!ns_per_tick_fp)
		return 0;
	ticks = rdtsc() - tsc_at_boot;
	return (uint64_t)(((unsigned __int128)ticks * ns_per_tick_fp) >> 32);
}

void udelay(uint64_t us)
{
	uint64_t end = arch_timer_ns() + us * 1000;

	while (arch_timer_ns() < end)
		arch_cpu_relax();
}
