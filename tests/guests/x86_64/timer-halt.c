/* SPDX-License-Identifier: MIT */
/*
 * timer-halt: does a CPU sleeping in HLT wake when its LAPIC timer says,
 * and do the clocks agree with what the CPU says about them?
 *
 * 1. Rates.  CPU 0 measures the TSC against the ACPI PM timer (3.579545
 *    MHz on every PC) and the LAPIC timer against the TSC.  What CPUID
 *    leaves 0x15 and 0x16 claim about the two must agree with that within
 *    CLAIM_TOLERANCE_PCT: an OS programs its timers with the claims (Linux
 *    takes the TSC rate from leaf 0x15 or, without it, from 0x16's base
 *    frequency, and the LAPIC timer's from 0x15's crystal clock), so a
 *    wrong claim makes every timer fire early or late by the same factor.
 *
 * 2. One TSC.  CPUs 0 and 1 hand a token back and forth WARP_ROUNDS
 *    times; each reads its TSC right after it sees the other's reading.
 *    A reading below the one it follows is a warp, which no CPU should
 *    ever see: Linux (check_tsc_warp() at CPU bring-up) stops trusting
 *    the TSC as a clock at the first one.
 *
 * 3. Sleeps.  A CPU arms its LAPIC timer SLEEPS times, each time for an
 *    interval between MIN_INTERVAL_US and MAX_INTERVAL_US (spread like
 *    2^k, so short ones are frequent), and sleeps in HLT until the
 *    timer's interrupt; its handler notes the TSC.  Every wake-up must
 *    come, not before the deadline and at most LATE_LIMIT_US after it.
 *    In TSC-deadline mode the deadline is the TSC value written to
 *    IA32_TSC_DEADLINE; in one-shot mode it is the TSC before the write
 *    of the initial count plus the count at the measured rate.  Six
 *    series: each of the two modes with CPU 1 sleeping (CPU 0 watching),
 *    CPU 0 sleeping (CPU 1 watching) and both sleeping.  The watcher
 *    sleeps too, on its own timer every WATCH_PERIOD_US, and fails the
 *    test if the sleeper's deadline has passed WATCHDOG_US ago and it has
 *    not woken: a wake-up lost for good is reported, not waited for.
 *
 * Why LATE_LIMIT_US = 1000: a timer wake-up under a hypervisor is the
 * timer's expiry, the way out of the host's wait and one VM entry with
 * the interrupt (in one-shot mode also the exit of the write that armed
 * it, counted from before it).  Tessera in Bochs, where an exit costs
 * thousands of ticks of a 50 MHz TSC, needs 50-100 us for that and at
 * most 160 us measured (docs/guests.md).  Tessera looks at a halted
 * vCPU's timers at least every 10 ms even when nothing wakes it (its
 * wait slice), so a lost kick or a missed host timer shows up as up to
 * 10 ms late: the limit sits between the two, 6 times above the worst
 * honest wake-up and 10 times below the fallback.  It assumes the VM's
 * time follows executed instructions (Bochs with clock: sync=none); an
 * emulator on the host's real time (QEMU TCG on a busy machine) may be
 * late by milliseconds on its own.
 *
 * Everything is in TSC ticks; microseconds are derived with the measured
 * rate.  Problems are listed as "FAIL: ..." as they are found and the
 * test goes on, so one run shows all of them; guest_fail() ends it.
 */
#include <guest.h>

#include "x86.h"

#define CLAIM_TOLERANCE_PCT 2
#define CALIBRATION_MS      50
#define WARP_ROUNDS         5000u
#define SLEEPS              200u
#define MIN_INTERVAL_US     1u
#define MAX_INTERVAL_US     2000u
#define LATE_LIMIT_US       1000u
#define WATCH_PERIOD_US     20000u
#define WATCHDOG_US         50000u
#define SPIN_LIMIT          (1ull << 30)

#define TIMER_VECTOR        0x30
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)

enum timer_mode { TSC_DEADLINE, ONE_SHOT };

static const char *const mode_names[] = { "tsc-deadline", "one-shot" };

/* What one CPU is doing, read by the other as a watchdog. */
struct sleeper {
	volatile uint64_t deadline;     /* TSC the armed timer is due at; 0: not armed */
	volatile uint64_t fired_at;     /* TSC in the timer's handler                  */
	volatile uint32_t fired;        /* timer interrupts taken                      */
	volatile uint32_t other_irqs;   /* anything else                               */
	volatile bool done;             /* its part of the current series is over      */
};

/* The wake-ups of one CPU in one series. */
struct stats {
	uint32_t count, early, late;
	uint64_t min_late, max_late, sum_late;   /* ticks after the deadline */
	uint32_t spurious;                        /* HLTs ended by no timer   */
};

static struct sleeper sleepers[2];
static uint64_t tsc_hz, lapic_hz;
static unsigned int failures;
static bool have_tsc_deadline;

/* The series CPU 0 hands to CPU 1: its number, mode and CPU 1's role. */
static volatile uint32_t series_number;
static volatile enum timer_mode series_mode;
static volatile bool cpu1_sleeps;
static struct stats cpu1_stats;
static volatile uint32_t cpu1_finished;   /* series_number CPU 1 has finished */

/* The TSC-warp handoff. */
static volatile uint64_t token_tsc;
static volatile uint32_t token_turn;      /* whose turn: 0 or 1; 2: over */
static uint64_t cpu1_warps, cpu1_max_warp, cpu1_min_gap;

static void __attribute__((format(printf, 1, 2))) problem(const char *fmt, ...)
{
	va_list ap;

	failures++;
	guest_printf("timer-halt: FAIL: ");
	va_start(ap, fmt);
	guest_vprintf(fmt, ap);
	va_end(ap);
	guest_printf("\n");
}

static uint64_t ticks_of_us(uint64_t us)
{
	return us * tsc_hz / 1000000u;
}

static uint64_t us_of_ticks(uint64_t ticks)
{
	return ticks * 1000000u / tsc_hz;
}

/* Hundredths of a microsecond, for averages. */
static uint64_t centi_us_of_ticks(uint64_t ticks)
{
	return ticks * 100000000u / tsc_hz;
}

/* ---- 1. rates ---- */

static uint32_t pm_timer(void)
{
	return inl(PM_BASE + PM_TMR) & 0xFFFFFF;
}

/* The TSC against the PM timer: both ends read between two TSC readings. */
static uint64_t measure_tsc_hz(void)
{
	uint32_t pm_ticks = PM_TIMER_HZ / 1000u * CALIBRATION_MS, pm0, pm1;
	uint64_t a0, b0, a1, b1;

	a0 = rdtsc();
	pm0 = pm_timer();
	b0 = rdtsc();
	do {
		a1 = rdtsc();
		pm1 = pm_timer();
		b1 = rdtsc();
	} while (((pm1 - pm0) & 0xFFFFFF) < pm_ticks);
	/* Midpoints of the brackets; the error is at most a bracket over 50 ms. */
	return ((a1 + b1) / 2 - (a0 + b0) / 2) * PM_TIMER_HZ / ((pm1 - pm0) & 0xFFFFFF);
}

/* The LAPIC timer (divide by 1, masked) against the TSC. */
static uint64_t measure_lapic_hz(void)
{
	uint64_t a0, b0, a1, b1, span = tsc_hz / 1000u * CALIBRATION_MS;
	uint32_t left;

	lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_DIVIDE_BY_1);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LVT_ONE_SHOT | TIMER_VECTOR);
	a0 = rdtsc();
	lapic_write(LAPIC_TIMER_INITIAL, 0xFFFFFFFFu);
	b0 = rdtsc();
	while (rdtsc() - b0 < span)
		guest_cpu_relax();
	a1 = rdtsc();
	left = lapic_read(LAPIC_TIMER_CURRENT);
	b1 = rdtsc();
	lapic_write(LAPIC_TIMER_INITIAL, 0);
	return (0xFFFFFFFFull - left) * tsc_hz / ((a1 + b1) / 2 - (a0 + b0) / 2);
}

static void compare(const char *what, uint64_t measured, uint64_t claimed, const char *source)
{
	uint64_t diff = measured > claimed ? measured - claimed : claimed - measured;

	if (diff * 100 > measured * CLAIM_TOLERANCE_PCT)
		problem("%s runs at %llu Hz, but %s says %llu Hz: timers programmed with it are "
			"off by a factor of %llu.%02llu", what, (unsigned long long)measured, source,
			(unsigned long long)claimed, (unsigned long long)(claimed / measured),
			(unsigned long long)(claimed * 100 / measured % 100));
	else
		guest_printf("timer-halt: %s: %s says %llu Hz: agrees\n", what, source,
			     (unsigned long long)claimed);
}

/*
 * What CPUID says, read the way Linux reads it (arch/x86/kernel/tsc.c:
 * native_calibrate_tsc(), cpu_khz_from_cpuid()): leaf 0x15 gives
 * TSC = crystal * EBX / EAX, the crystal from ECX or, when ECX is 0,
 * from leaf 0x16's base frequency; without leaf 0x15 the base frequency
 * is taken as the TSC's.  The crystal also clocks the LAPIC timer.
 */
static void check_cpuid_claims(void)
{
	uint32_t max_leaf = cpuid(0, 0).eax;
	struct cpuid_regs l15 = { 0 }, l16 = { 0 };
	uint64_t crystal;

	if (max_leaf >= 0x15)
		l15 = cpuid(0x15, 0);
	if (max_leaf >= 0x16)
		l16 = cpuid(0x16, 0);
	guest_printf("timer-halt: CPUID max leaf 0x%x, leaf 0x15 %x %x %x, leaf 0x16 %x %x %x\n",
		     max_leaf, l15.eax, l15.ebx, l15.ecx, l16.eax, l16.ebx, l16.ecx);
	crystal = l15.ecx;
	if (!crystal && l15.eax && l15.ebx && l16.eax)
		crystal = (uint64_t)l16.eax * 1000000u * l15.eax / l15.ebx;
	if (l15.eax && l15.ebx && crystal) {
		compare("the TSC", tsc_hz, crystal * l15.ebx / l15.eax, "CPUID 0x15");
		compare("the LAPIC timer", lapic_hz, crystal, "CPUID 0x15 (crystal)");
	} else if (l16.eax) {
		compare("the TSC", tsc_hz, (uint64_t)l16.eax * 1000000u, "CPUID 0x16");
	} else {
		guest_printf("timer-halt: CPUID claims no TSC rate (leaves 0x15, 0x16 empty)\n");
	}
}

/* ---- 2. one TSC ---- */

/*
 * One side of the handoff: wait for our turn, read the TSC, compare with
 * the reading we follow, pass the token.  Returns the warps seen; the
 * largest and the smallest gap (how soon after the other's reading ours
 * came) go to *max_warp and *min_gap.
 */
static uint64_t tsc_handoff(unsigned int self, uint64_t *max_warp, uint64_t *min_gap)
{
	uint64_t warps = 0;

	*max_warp = 0;
	*min_gap = ~0ull;
	for (uint32_t round = 0; round < WARP_ROUNDS; round++) {
		uint64_t prev, now, spins = 0;

		while (token_turn != self) {
			if (token_turn == 2)
				return warps;
			if (++spins == SPIN_LIMIT)
				guest_fail("CPU %u: the TSC token did not come back (round %u)", self,
					   round);
			guest_cpu_relax();
		}
		guest_barrier();
		prev = token_tsc;
		now = rdtsc();
		if (now < prev) {
			warps++;
			if (prev - now > *max_warp)
				*max_warp = prev - now;
		} else if (round && now - prev < *min_gap) {
			*min_gap = now - prev;
		}
		token_tsc = now;
		guest_barrier();
		token_turn = !self;
	}
	return warps;
}

static void check_one_tsc(void)
{
	uint64_t warps, max_warp, min_gap;

	token_tsc = 0;
	token_turn = 0;
	series_number = ~0u;          /* CPU 1: join the handoff */
	warps = tsc_handoff(0, &max_warp, &min_gap);
	while (cpu1_finished != ~0u)
		guest_cpu_relax();
	token_turn = 2;
	warps += cpu1_warps;
	if (cpu1_max_warp > max_warp)
		max_warp = cpu1_max_warp;
	if (warps)
		problem("the TSC went backwards %llu times in %u handoffs between CPU 0 and "
			"CPU 1, by up to %llu ticks (%llu us): the CPUs' TSCs differ",
			(unsigned long long)warps, 2 * WARP_ROUNDS, (unsigned long long)max_warp,
			(unsigned long long)us_of_ticks(max_warp));
	else
		guest_printf("timer-halt: TSC across CPUs: %u handoffs, no warp (closest readings "
			     "%llu ticks apart from CPU 1 to 0, %llu from 0 to 1)\n", 2 * WARP_ROUNDS,
			     (unsigned long long)min_gap, (unsigned long long)cpu1_min_gap);
}

/* ---- 3. sleeps ---- */

static void on_interrupt(unsigned int irq)
{
	struct sleeper *me = &sleepers[guest_cpu_id() & 1];

	if (irq == TIMER_VECTOR) {
		me->fired_at = rdtsc();
		me->fired = me->fired + 1;
	} else {
		me->other_irqs = me->other_irqs + 1;
	}
}

/* xorshift64: the same intervals on every run. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

/* MIN..MAX_INTERVAL_US, spread like 2^k: as many below 16 us as near 1 ms. */
static uint64_t pick_interval_us(uint64_t *state)
{
	uint64_t r = next_random(state);
	uint64_t span = 1ull << (r % 12);                  /* 1 .. 2048 */
	uint64_t us = span + (r >> 8) % span;

	if (us < MIN_INTERVAL_US)
		us = MIN_INTERVAL_US;
	return us > MAX_INTERVAL_US ? MAX_INTERVAL_US : us;
}

static void set_mode(enum timer_mode mode)
{
	lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_DIVIDE_BY_1);
	lapic_write(LAPIC_LVT_TIMER, (mode == TSC_DEADLINE ? LVT_TSC_DEADLINE : LVT_ONE_SHOT) |
					     TIMER_VECTOR);
}

/* The other CPU, when it sleeps: has its deadline long passed? */
static void watch(unsigned int self, enum timer_mode mode)
{
	struct sleeper *other = &sleepers[!self];
	uint64_t deadline = other->deadline, now = rdtsc();

	if (deadline && now > deadline && now - deadline > ticks_of_us(WATCHDOG_US))
		guest_fail("%s: CPU %u has not woken %llu us after its timer's deadline (it took "
			   "%u timer interrupts); CPU %u is still awake", mode_names[mode], !self,
			   (unsigned long long)us_of_ticks(now - deadline), other->fired, self);
}

/*
 * Arms the timer for interval ticks from now and sleeps (STI; HLT: an
 * interrupt that comes between the two ends the HLT) until its interrupt.
 * Returns the lateness in ticks (negative: early).
 */
static int64_t sleep_once(unsigned int self, enum timer_mode mode, uint64_t interval,
			  struct stats *st)
{
	struct sleeper *me = &sleepers[self];
	uint32_t before = me->fired;
	uint64_t start, deadline;

	guest_irq_disable();
	start = rdtsc();
	if (mode == TSC_DEADLINE) {
		deadline = start + interval;
		wrmsr(MSR_TSC_DEADLINE, deadline);
	} else {
		uint64_t count = interval * lapic_hz / tsc_hz;

		if (count == 0)
			count = 1;
		if (count > 0xFFFFFFFFu)
			count = 0xFFFFFFFFu;
		/* The count starts during this write, after start: never early. */
		deadline = start + count * tsc_hz / lapic_hz;
		lapic_write(LAPIC_TIMER_INITIAL, (uint32_t)count);
	}
	me->deadline = deadline;
	for (;;) {
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		if (me->fired != before)
			break;
		st->spurious++;
		watch(self, mode);
	}
	me->deadline = 0;
	return (int64_t)(me->fired_at - deadline);
}

static void record(struct stats *st, int64_t late, uint64_t interval, enum timer_mode mode,
		   unsigned int self)
{
	/* One-shot: the measured LAPIC rate may be off by its calibration, ~0.1%. */
	int64_t allowed_early = mode == ONE_SHOT ? (int64_t)(interval / 200 + 2) : 0;

	st->count++;
	if (late < -allowed_early) {
		st->early++;
		if (st->early <= 3)
			problem("%s: CPU %u woke %llu ticks before the deadline of a %llu us sleep",
				mode_names[mode], self, (unsigned long long)-late,
				(unsigned long long)us_of_ticks(interval));
		return;
	}
	if (late < 0)
		late = 0;
	if (st->count - st->early == 1 || (uint64_t)late < st->min_late)
		st->min_late = (uint64_t)late;
	if ((uint64_t)late > st->max_late)
		st->max_late = (uint64_t)late;
	st->sum_late += (uint64_t)late;
	if ((uint64_t)late > ticks_of_us(LATE_LIMIT_US)) {
		st->late++;
		if (st->late <= 3)
			problem("%s: CPU %u woke %llu us after the deadline of a %llu us sleep "
				"(limit %u us)", mode_names[mode], self,
				(unsigned long long)us_of_ticks((uint64_t)late),
				(unsigned long long)us_of_ticks(interval), LATE_LIMIT_US);
	}
}

/* SLEEPS sleeps of varied length, the other CPU looked at after each. */
static void sleep_series(unsigned int self, enum timer_mode mode, uint64_t seed, struct stats *st)
{
	uint64_t state = seed;

	set_mode(mode);
	for (uint32_t i = 0; i < SLEEPS; i++) {
		uint64_t interval = ticks_of_us(pick_interval_us(&state));

		record(st, sleep_once(self, mode, interval, st), interval, mode, self);
		watch(self, mode);
	}
}

/* Sleeps WATCH_PERIOD_US at a time until the other CPU is done, looking at it after each. */
static void watch_series(unsigned int self, enum timer_mode mode, struct stats *st)
{
	uint64_t interval = ticks_of_us(WATCH_PERIOD_US);

	set_mode(mode);
	while (!sleepers[!self].done) {
		record(st, sleep_once(self, mode, interval, st), interval, mode, self);
		watch(self, mode);
	}
}

static void report(const char *who, enum timer_mode mode, const struct stats *st)
{
	uint64_t n = st->count - st->early;
	uint64_t avg = n ? st->sum_late / n : 0;

	guest_printf("timer-halt: %s, %s: %u wake-ups, late by min %llu avg %llu.%02llu max %llu "
		     "us (limit %u)", mode_names[mode], who, st->count,
		     (unsigned long long)us_of_ticks(st->min_late),
		     (unsigned long long)(centi_us_of_ticks(avg) / 100),
		     (unsigned long long)(centi_us_of_ticks(avg) % 100),
		     (unsigned long long)us_of_ticks(st->max_late), LATE_LIMIT_US);
	if (st->early || st->late)
		guest_printf(", %u early, %u late", st->early, st->late);
	if (st->spurious)
		guest_printf(", %u HLTs ended without the timer", st->spurious);
	guest_printf("\n");
}

/* CPU 1: takes part in what CPU 0 starts. */
static void cpu1_main(unsigned int cpu)
{
	uint32_t seen = 0;

	(void)cpu;
	guest_irq_init_cpu(on_interrupt);
	cpu1_finished = 0;
	for (;;) {
		uint32_t n;

		while ((n = series_number) == seen)
			guest_cpu_relax();
		seen = n;
		guest_barrier();
		if (n == ~0u) {
			cpu1_warps = tsc_handoff(1, &cpu1_max_warp, &cpu1_min_gap);
		} else {
			cpu1_stats = (struct stats){ 0 };
			if (cpu1_sleeps)
				sleep_series(1, series_mode, 0x9E3779B97F4A7C15ull * n, &cpu1_stats);
			else
				watch_series(1, series_mode, &cpu1_stats);
			sleepers[1].done = true;
		}
		guest_barrier();
		cpu1_finished = n;
	}
}

/* One series: who sleeps (CPU 0, CPU 1 or both) in which mode. */
static void run_series(uint32_t number, enum timer_mode mode, bool cpu0_sleeps, bool cpu1_sleeps_too)
{
	struct stats st = { 0 };
	const char *who = cpu0_sleeps && cpu1_sleeps_too ? "both sleep" :
			  cpu0_sleeps ? "CPU 0 sleeps" : "CPU 1 sleeps";

	sleepers[0].done = false;
	sleepers[1].done = false;
	series_mode = mode;
	cpu1_sleeps = cpu1_sleeps_too;
	guest_barrier();
	series_number = number;
	if (cpu0_sleeps)
		sleep_series(0, mode, 0xD1B54A32D192ED03ull * number, &st);
	else
		watch_series(0, mode, &st);
	sleepers[0].done = true;
	while (cpu1_finished != number)
		guest_cpu_relax();
	guest_barrier();
	if (cpu0_sleeps && cpu1_sleeps_too) {
		report("both sleep, CPU 0", mode, &st);
		report("both sleep, CPU 1", mode, &cpu1_stats);
	} else if (cpu0_sleeps) {
		report(who, mode, &st);
	} else {
		report(who, mode, &cpu1_stats);
	}
}

void guest_main(void)
{
	uint32_t number = 0;

	guest_printf("timer-halt: LAPIC timer wake-ups from HLT, %u per series, %u..%u us, "
		     "late by at most %u us\n", SLEEPS, MIN_INTERVAL_US, MAX_INTERVAL_US,
		     LATE_LIMIT_US);
	piix4_pm_enable();
	guest_irq_init_cpu(on_interrupt);
	tsc_hz = measure_tsc_hz();
	lapic_hz = measure_lapic_hz();
	if (!tsc_hz || !lapic_hz)
		guest_fail("the TSC (%llu Hz) or the LAPIC timer (%llu Hz) does not count",
			   (unsigned long long)tsc_hz, (unsigned long long)lapic_hz);
	guest_printf("timer-halt: TSC %llu Hz (against the PM timer), LAPIC timer %llu Hz (against "
		     "the TSC)\n", (unsigned long long)tsc_hz, (unsigned long long)lapic_hz);
	check_cpuid_claims();
	have_tsc_deadline = cpuid(1, 0).ecx & CPUID1_ECX_TSC_DEADLINE;
	if (!have_tsc_deadline)
		problem("CPUID.1:ECX.TSC-Deadline is 0: the TSC-deadline series cannot run");

	if (!guest_start_cpu(1, cpu1_main))
		guest_fail("CPU 1 did not start");
	check_one_tsc();

	for (enum timer_mode mode = TSC_DEADLINE; mode <= ONE_SHOT; mode++) {
		if (mode == TSC_DEADLINE && !have_tsc_deadline)
			continue;
		run_series(++number, mode, false, true);
		run_series(++number, mode, true, false);
		run_series(++number, mode, true, true);
	}
	if (sleepers[0].other_irqs || sleepers[1].other_irqs)
		problem("other interrupts than the timer's: %u on CPU 0, %u on CPU 1",
			sleepers[0].other_irqs, sleepers[1].other_irqs);
	if (failures)
		guest_fail("%u problems (listed above)", failures);
	guest_printf("timer-halt: passed\n");
	guest_poweroff();
}
