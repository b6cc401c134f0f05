/* SPDX-License-Identifier: MIT */
/*
 * MC146818 RTC and CMOS RAM.
 *
 * Time model.  The chip's 32.768 kHz divider chain is a nanosecond counter,
 * "divider time" = vclock time + divider_offset; its whole seconds are the
 * update instants, and its 32.768 kHz ticks drive the periodic interrupt.
 * While the clock counts (divider running, SET clear) the seconds register
 * is second_offset + divider seconds, so the time registers are computed on
 * every read and never go stale.  While it is stopped, the time registers
 * live in cmos[] exactly as the guest wrote them, like the real chip's
 * user-visible copy.
 *
 * Interrupt flags are derived from that model: rtc_collect_events() looks
 * at the divider interval since it last ran and sets PF, UF and AF for the
 * edges inside it, whether or not the interrupts are enabled (the chip sets
 * the flags regardless).  A vtimer is armed only for the next *enabled*
 * event and only while IRQF is clear: once the line is high nothing more
 * can be signalled until the guest reads C.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <bus/bus.h>
#include <bus/irq.h>
#include <bus/vclock.h>
#include <core/log.h>
#include <core/mm.h>
#include <rtc/rtc.h>
#include <bus/device.h>

#define NS_PER_SEC 1000000000ull
#define RTC_TICKS_PER_SEC 32768ull
/* UIP rises 8 ticks of the time base (244 us) before each update. */
#define RTC_UIP_WINDOW_NS (8 * NS_PER_SEC / RTC_TICKS_PER_SEC)
#define RTC_SECS_PER_DAY 86400ull
#define RTC_MIN_UNIX 946684800ull   /* 2000-01-01 00:00:00 UTC */
#define RTC_MAX_UNIX 4102444799ull  /* 2099-12-31 23:59:59 UTC */
#define RTC_FIRST_YEAR 2000u
#define RTC_WARN_LIMIT 8
#define RTC_FLAGS_MASK (RTC_C_PF | RTC_C_AF | RTC_C_UF)
#define RTC_A_DV_RESET 0x60         /* DV = 11x holds the divider in reset */

struct rtc_date {
	unsigned year, month, day;    /* full year, 1-12, 1-31  */
	unsigned hour, min, sec;      /* 24-hour               */
	unsigned weekday;             /* 1 = Sunday            */
};

struct rtc {
	struct bus *bus;
	struct vclock *clock;
	struct irq_line irq;
	struct vtimer timer;
	uint8_t cmos[RTC_CMOS_SIZE];
	uint8_t index;
	bool nmi_masked;
	bool counting;                /* divider running and SET clear      */
	uint64_t divider_offset;      /* divider time = vclock + this       */
	uint64_t second_offset;       /* seconds = this + divider seconds   */
	uint64_t checked_divider_ns;  /* events up to here are in C         */
	unsigned warnings;
};

static void rtc_warn(struct rtc *rtc, const char *what, unsigned value)
{
	if (rtc->warnings >= RTC_WARN_LIMIT)
		return;
	rtc->warnings++;
	log_warn("rtc: %s (0x%x)%s", what, value,
		 rtc->warnings == RTC_WARN_LIMIT ? "; further warnings suppressed" : "");
}

/* ---- calendar ---------------------------------------------------------- */

static bool is_leap_year(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && is_leap_year(y))
		return 29;
	return days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date with year >= 1970. */
static uint64_t days_from_date(unsigned y, unsigned m, unsigned d)
{
	/* Count years from March so that the leap day ends the year. */
	uint64_t year = m <= 2 ? y - 1 : y;
	uint64_t era = year / 400;
	uint64_t year_of_era = year - era * 400;
	uint64_t month_from_march = m > 2 ? m - 3 : m + 9;
	uint64_t day_of_year = (153 * month_from_march + 2) / 5 + d - 1;
	uint64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;

	return era * 146097 + day_of_era - 719468;
}

static void date_from_unix(uint64_t secs, struct rtc_date *dt)
{
	uint64_t days = secs / RTC_SECS_PER_DAY;
	uint64_t sod = secs % RTC_SECS_PER_DAY;
	uint64_t z = days + 719468;
	uint64_t era = z / 146097;
	uint64_t day_of_era = z - era * 146097;
	uint64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 -
				day_of_era / 146096) / 365;
	uint64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	uint64_t month_from_march = (5 * day_of_year + 2) / 153;
	unsigned month = (unsigned)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);

	dt->year = (unsigned)(year_of_era + era * 400) + (month <= 2);
	dt->month = month;
	dt->day = (unsigned)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
	dt->hour = (unsigned)(sod / 3600);
	dt->min = (unsigned)(sod / 60 % 60);
	dt->sec = (unsigned)(sod % 60);
	/* 1970-01-01 was a Thursday: weekday 5 with Sunday = 1. */
	dt->weekday = (unsigned)((days + 4) % 7) + 1;
}

static uint64_t unix_from_date(const struct rtc_date *dt)
{
	return days_from_date(dt->year, dt->month, dt->day) * RTC_SECS_PER_DAY +
	       dt->hour * 3600ull + dt->min * 60ull + dt->sec;
}

/* ---- register formats -------------------------------------------------- */

static bool rtc_binary(const struct rtc *rtc)
{
	return rtc->cmos[RTC_REG_B] & RTC_B_DM_BINARY;
}

static bool rtc_24h(const struct rtc *rtc)
{
	return rtc->cmos[RTC_REG_B] & RTC_B_24H;
}

static uint8_t rtc_encode(const struct rtc *rtc, unsigned v)
{
	return rtc_binary(rtc) ? (uint8_t)v : (uint8_t)(((v / 10) << 4) | (v % 10));
}

/* Invalid BCD digits decode to values above the field's range. */
static unsigned rtc_decode(const struct rtc *rtc, uint8_t v)
{
	return rtc_binary(rtc) ? v : (unsigned)(v >> 4) * 10 + (v & 0x0F);
}

static uint8_t rtc_encode_hour(const struct rtc *rtc, unsigned hour)
{
	unsigned h12;

	if (rtc_24h(rtc))
		return rtc_encode(rtc, hour);
	h12 = hour % 12 ? hour % 12 : 12;
	return rtc_encode(rtc, h12) | (hour >= 12 ? 0x80 : 0);
}

/* 24-hour value of an hours byte; values above 23 mean "invalid". */
static unsigned rtc_decode_hour(const struct rtc *rtc, uint8_t v)
{
	unsigned h;

	if (rtc_24h(rtc))
		return rtc_decode(rtc, v);
	h = rtc_decode(rtc, v & 0x7F);
	if (h < 1 || h > 12)
		return 24;
	return h % 12 + (v & 0x80 ? 12 : 0);
}

static void rtc_store_time(const struct rtc *rtc, uint8_t *regs, uint64_t secs)
{
	struct rtc_date dt;

	date_from_unix(secs, &dt);
	regs[RTC_SECONDS] = rtc_encode(rtc, dt.sec);
	regs[RTC_MINUTES] = rtc_encode(rtc, dt.min);
	regs[RTC_HOURS] = rtc_encode_hour(rtc, dt.hour);
	regs[RTC_DAY_OF_WEEK] = rtc_encode(rtc, dt.weekday);
	regs[RTC_DAY_OF_MONTH] = rtc_encode(rtc, dt.day);
	regs[RTC_MONTH] = rtc_encode(rtc, dt.month);
	regs[RTC_YEAR] = rtc_encode(rtc, dt.year % 100);
	regs[RTC_CENTURY] = rtc_encode(rtc, dt.year / 100);
}

static unsigned clamp_field(struct rtc *rtc, const char *what, unsigned v, unsigned lo, unsigned hi)
{
	if (v >= lo && v <= hi)
		return v;
	rtc_warn(rtc, what, v);
	return v < lo ? lo : hi;
}

/*
 * Seconds since the epoch of the time registers in regs.  The weekday and
 * century bytes are not used: the weekday follows from the date and the
 * represented years are 2000-2099.  Out-of-range fields are clamped.
 */
static uint64_t rtc_load_time(struct rtc *rtc, const uint8_t *regs)
{
	struct rtc_date dt;

	dt.year = RTC_FIRST_YEAR + clamp_field(rtc, "invalid year written",
					       rtc_decode(rtc, regs[RTC_YEAR]), 0, 99);
	dt.month = clamp_field(rtc, "invalid month written", rtc_decode(rtc, regs[RTC_MONTH]), 1, 12);
	dt.day = clamp_field(rtc, "invalid day written", rtc_decode(rtc, regs[RTC_DAY_OF_MONTH]), 1,
			     days_in_month(dt.year, dt.month));
	dt.hour = clamp_field(rtc, "invalid hours written", rtc_decode_hour(rtc, regs[RTC_HOURS]), 0, 23);
	dt.min = clamp_field(rtc, "invalid minutes written", rtc_decode(rtc, regs[RTC_MINUTES]), 0, 59);
	dt.sec = clamp_field(rtc, "invalid seconds written", rtc_decode(rtc, regs[RTC_SECONDS]), 0, 59);
	dt.weekday = 0;
	return unix_from_date(&dt);
}

static bool rtc_is_time_register(unsigned index)
{
	switch (index) {
	case RTC_SECONDS:
	case RTC_MINUTES:
	case RTC_HOURS:
	case RTC_DAY_OF_WEEK:
	case RTC_DAY_OF_MONTH:
	case RTC_MONTH:
	case RTC_YEAR:
	case RTC_CENTURY:
		return true;
	default:
		return false;
	}
}

/* ---- the divider and the clock ----------------------------------------- */

static bool rtc_divider_running(const struct rtc *rtc)
{
	return (rtc->cmos[RTC_REG_A] & RTC_A_DV_RESET) != RTC_A_DV_RESET;
}

static uint64_t rtc_divider_ns(const struct rtc *rtc)
{
	return vclock_now(rtc->clock) + rtc->divider_offset;
}

static uint64_t rtc_seconds_at(const struct rtc *rtc, uint64_t divider_ns)
{
	return rtc->second_offset + divider_ns / NS_PER_SEC;
}

static uint64_t rtc_current_seconds(const struct rtc *rtc)
{
	return rtc_seconds_at(rtc, rtc_divider_ns(rtc));
}

/* Places the next second boundary of the divider after_ns from now. */
static void rtc_phase_divider(struct rtc *rtc, uint64_t after_ns)
{
	uint64_t now = vclock_now(rtc->clock);

	rtc->divider_offset = (NS_PER_SEC - (now + after_ns) % NS_PER_SEC) % NS_PER_SEC;
}

static void rtc_set_seconds(struct rtc *rtc, uint64_t secs)
{
	rtc->second_offset = secs - rtc_divider_ns(rtc) / NS_PER_SEC;
}

/* Period of the periodic interrupt in 32.768 kHz ticks, 0 when off. */
static uint64_t rtc_periodic_ticks(const struct rtc *rtc)
{
	unsigned rs = rtc->cmos[RTC_REG_A] & RTC_A_RS_MASK;

	if (rs == 0 || !rtc_divider_running(rtc))
		return 0;
	/* With a 32.768 kHz base, rates 1 and 2 repeat rates 8 and 9. */
	if (rs <= 2)
		rs += 7;
	return 1ull << (rs - 1);
}

static uint64_t rtc_ticks_of(uint64_t divider_ns)
{
	return divider_ns / NS_PER_SEC * RTC_TICKS_PER_SEC +
	       divider_ns % NS_PER_SEC * RTC_TICKS_PER_SEC / NS_PER_SEC;
}

/* The first divider nanosecond at which tick has been reached. */
static uint64_t rtc_ns_of_tick(uint64_t tick)
{
	uint64_t frac = tick % RTC_TICKS_PER_SEC * NS_PER_SEC;

	return tick / RTC_TICKS_PER_SEC * NS_PER_SEC + (frac + RTC_TICKS_PER_SEC - 1) / RTC_TICKS_PER_SEC;
}

static bool rtc_update_in_progress(const struct rtc *rtc)
{
	return rtc->counting && rtc_divider_ns(rtc) % NS_PER_SEC >= NS_PER_SEC - RTC_UIP_WINDOW_NS;
}

/* ---- alarm ------------------------------------------------------------- */

/* -1: don't care; 99: can never match; else the value to match. */
static int rtc_alarm_field(const struct rtc *rtc, unsigned index, unsigned limit)
{
	uint8_t v = rtc->cmos[index];
	unsigned decoded;

	if ((v & RTC_ALARM_DONT_CARE) == RTC_ALARM_DONT_CARE)
		return -1;
	decoded = index == RTC_HOURS_ALARM ? rtc_decode_hour(rtc, v) : rtc_decode(rtc, v);
	return decoded < limit ? (int)decoded : 99;
}

static bool rtc_field_matches(int want, unsigned v)
{
	return want < 0 || (unsigned)want == v;
}

/* The first second after secs whose time of day matches the alarm, or UINT64_MAX. */
static uint64_t rtc_next_alarm(const struct rtc *rtc, uint64_t secs)
{
	int ah = rtc_alarm_field(rtc, RTC_HOURS_ALARM, 24);
	int am = rtc_alarm_field(rtc, RTC_MINUTES_ALARM, 60);
	int as = rtc_alarm_field(rtc, RTC_SECONDS_ALARM, 60);
	uint64_t t = secs + 1;

	if (ah == 99 || am == 99 || as == 99)
		return UINT64_MAX;
	/* Every field is satisfiable, so today or tomorrow has a match. */
	for (unsigned day = 0; day < 2; day++) {
		uint64_t day_start = t - t % RTC_SECS_PER_DAY;
		unsigned from = (unsigned)(t % RTC_SECS_PER_DAY);

		for (unsigned h = from / 3600; h < 24; h++) {
			bool first_hour = h == from / 3600;

			if (!rtc_field_matches(ah, h))
				continue;
			for (unsigned m = first_hour ? from / 60 % 60 : 0; m < 60; m++) {
				bool first_minute = first_hour && m == from / 60 % 60;
				unsigned s0 = first_minute ? from % 60 : 0;
				unsigned s;

				if (!rtc_field_matches(am, m))
					continue;
				if (as < 0)
					s = s0;
				else if ((unsigned)as >= s0)
					s = (unsigned)as;
				else
					continue;
				return day_start + h * 3600ull + m * 60ull + s;
			}
		}
		t = day_start + RTC_SECS_PER_DAY;
	}
	return UINT64_MAX;
}

/* ---- interrupts -------------------------------------------------------- */

/* IRQF is the OR of each flag with its enable, as in the chip. */
static void rtc_update_irq(struct rtc *rtc)
{
	bool pending = rtc->cmos[RTC_REG_C] & rtc->cmos[RTC_REG_B] & RTC_FLAGS_MASK;

	if (pending)
		rtc->cmos[RTC_REG_C] |= RTC_C_IRQF;
	else
		rtc->cmos[RTC_REG_C] &= (uint8_t)~RTC_C_IRQF;
	irq_line_set(&rtc->irq, pending);
}

static void rtc_collect_events(struct rtc *rtc)
{
	uint64_t now = rtc_divider_ns(rtc);
	uint64_t last = rtc->checked_divider_ns;
	uint64_t period = rtc_periodic_ticks(rtc);
	uint8_t flags = 0;

	if (now <= last)
		return;
	if (period && rtc_ticks_of(now) / period != rtc_ticks_of(last) / period)
		flags |= RTC_C_PF;
	if (rtc->counting && now / NS_PER_SEC != last / NS_PER_SEC) {
		flags |= RTC_C_UF;
		if (rtc_next_alarm(rtc, rtc_seconds_at(rtc, last)) <= rtc_seconds_at(rtc, now))
			flags |= RTC_C_AF;
	}
	rtc->checked_divider_ns = now;
	if (flags) {
		rtc->cmos[RTC_REG_C] |= flags;
		rtc_update_irq(rtc);
	}
}

static void rtc_arm_timer(struct rtc *rtc)
{
	uint8_t enabled = rtc->cmos[RTC_REG_B];
	uint64_t now = rtc_divider_ns(rtc);
	uint64_t next = UINT64_MAX;
	uint64_t period = rtc_periodic_ticks(rtc);

	if (rtc->cmos[RTC_REG_C] & RTC_C_IRQF) {
		vtimer_cancel(rtc->clock, &rtc->timer);
		return;
	}
	if ((enabled & RTC_B_PIE) && period)
		next = rtc_ns_of_tick((rtc_ticks_of(now) / period + 1) * period);
	if (rtc->counting && (enabled & RTC_B_UIE)) {
		uint64_t update = (now / NS_PER_SEC + 1) * NS_PER_SEC;

		if (update < next)
			next = update;
	}
	if (rtc->counting && (enabled & RTC_B_AIE)) {
		uint64_t alarm = rtc_next_alarm(rtc, rtc_seconds_at(rtc, now));

		if (alarm != UINT64_MAX) {
			uint64_t at = (alarm - rtc->second_offset) * NS_PER_SEC;

			if (at < next)
				next = at;
		}
	}
	if (next == UINT64_MAX)
		vtimer_cancel(rtc->clock, &rtc->timer);
	else
		vtimer_arm(rtc->clock, &rtc->timer, next - rtc->divider_offset);
}

static void rtc_timer_expired(void *opaque)
{
	struct rtc *rtc = opaque;

	rtc_collect_events(rtc);
	rtc_arm_timer(rtc);
}

/*
 * Called after A or B changed.  Freezing copies the running time into the
 * registers; restarting takes the time back from them.  A divider leaving
 * reset makes its first update 500 ms later, as the chip does.
 */
static void rtc_apply_mode(struct rtc *rtc, bool divider_was_running)
{
	bool divider_running = rtc_divider_running(rtc);
	bool counting = divider_running && !(rtc->cmos[RTC_REG_B] & RTC_B_SET);

	if (rtc->counting && !counting) {
		rtc_store_time(rtc, rtc->cmos, rtc_current_seconds(rtc));
		rtc->counting = false;
	}
	if (divider_running && !divider_was_running)
		rtc_phase_divider(rtc, NS_PER_SEC / 2);
	if (!rtc->counting && counting) {
		rtc_set_seconds(rtc, rtc_load_time(rtc, rtc->cmos));
		rtc->counting = true;
	}
	rtc->checked_divider_ns = rtc_divider_ns(rtc);
}

/* ---- register access --------------------------------------------------- */

static uint8_t rtc_read_register(struct rtc *rtc, unsigned index)
{
	uint8_t value;

	if (rtc_is_time_register(index) && rtc->counting) {
		uint8_t regs[RTC_CMOS_SIZE];

		rtc_store_time(rtc, regs, rtc_current_seconds(rtc));
		return regs[index];
	}
	switch (index) {
	case RTC_REG_A:
		return (uint8_t)((rtc->cmos[RTC_REG_A] & ~RTC_A_UIP) |
				 (rtc_update_in_progress(rtc) ? RTC_A_UIP : 0));
	case RTC_REG_C:
		rtc_collect_events(rtc);
		value = rtc->cmos[RTC_REG_C];
		rtc->cmos[RTC_REG_C] = 0;
		irq_line_lower(&rtc->irq);
		rtc_arm_timer(rtc);
		return value;
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		return rtc->cmos[index];
	}
}

static void rtc_write_time_register(struct rtc *rtc, unsigned index, uint8_t value)
{
	uint8_t regs[RTC_CMOS_SIZE];

	if (!rtc->counting) {
		rtc->cmos[index] = value;
		return;
	}
	if (index == RTC_CENTURY || index == RTC_DAY_OF_WEEK) {
		/* Both follow from the date while the clock runs. */
		log_trace("rtc: write 0x%x to register 0x%x ignored while running", value, index);
		return;
	}
	rtc_collect_events(rtc);
	memcpy(regs, rtc->cmos, sizeof(regs));
	rtc_store_time(rtc, regs, rtc_current_seconds(rtc));
	regs[index] = value;
	rtc_set_seconds(rtc, rtc_load_time(rtc, regs));
	/* A jump in time is not a sequence of updates: no flags for it. */
	rtc->checked_divider_ns = rtc_divider_ns(rtc);
	rtc_arm_timer(rtc);
}

static void rtc_write_register(struct rtc *rtc, unsigned index, uint8_t value)
{
	bool divider_was_running = rtc_divider_running(rtc);

	if (rtc_is_time_register(index)) {
		rtc_write_time_register(rtc, index, value);
		return;
	}
	switch (index) {
	case RTC_REG_A:
		rtc_collect_events(rtc);
		rtc->cmos[RTC_REG_A] = value & (uint8_t)~RTC_A_UIP;
		rtc_apply_mode(rtc, divider_was_running);
		rtc_arm_timer(rtc);
		break;
	case RTC_REG_B:
		rtc_collect_events(rtc);
		/* Setting SET clears UIE, as in the chip. */
		if (value & RTC_B_SET)
			value &= (uint8_t)~RTC_B_UIE;
		rtc->cmos[RTC_REG_B] = value;
		rtc_apply_mode(rtc, divider_was_running);
		rtc_update_irq(rtc);
		rtc_arm_timer(rtc);
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		log_trace("rtc: write 0x%x to read-only register 0x%x ignored", value, index);
		break;
	default:
		if (index == RTC_SECONDS_ALARM || index == RTC_MINUTES_ALARM || index == RTC_HOURS_ALARM) {
			/* Seconds already past are judged by the old alarm. */
			rtc_collect_events(rtc);
			rtc->cmos[index] = value;
			rtc_arm_timer(rtc);
			break;
		}
		rtc->cmos[index] = value;   /* CMOS RAM */
		break;
	}
}

static uint64_t rtc_port_read(void *opaque, uint64_t offset, unsigned width)
{
	struct rtc *rtc = opaque;

	(void)width;
	/* The index register is write-only; unreadable ports read all-ones. */
	if (offset != RTC_PORT_DATA - RTC_PORT_INDEX)
		return 0xFF;
	return rtc_read_register(rtc, rtc->index);
}

static void rtc_port_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct rtc *rtc = opaque;

	(void)width;
	if (offset == 0) {
		rtc->nmi_masked = value & RTC_INDEX_NMI_MASK;
		rtc->index = (uint8_t)(value & (RTC_CMOS_SIZE - 1));
		return;
	}
	rtc_write_register(rtc, rtc->index, (uint8_t)value);
}

static const struct bus_ops rtc_ops = {
	.read = rtc_port_read,
	.write = rtc_port_write,
};

/* The two ports are independent bytes: a word access becomes two. */
static const struct bus_rules rtc_rules = {
	.min_width = 1,
	.max_width = 1,
	.unaligned_ok = true,
	.oversize = BUS_OVERSIZE_SPLIT,
	.undersize = BUS_UNDERSIZE_REJECT,
};

/* ---- public API -------------------------------------------------------- */

struct rtc *rtc_create(struct bus *bus, struct vclock *clock, uint64_t unix_seconds)
{
	struct rtc *rtc = kzalloc(sizeof(*rtc));
	int err;

	if (!rtc) {
		log_error("rtc: out of memory");
		return NULL;
	}
	rtc->bus = bus;
	rtc->clock = clock;
	irq_line_init(&rtc->irq, "rtc");
	vtimer_init(&rtc->timer, rtc_timer_expired, rtc);
	rtc->cmos[RTC_REG_A] = RTC_A_DV_NORMAL | 0x06;
	rtc->cmos[RTC_REG_B] = RTC_B_24H;
	rtc->cmos[RTC_REG_D] = RTC_D_VRT;
	if (unix_seconds < RTC_MIN_UNIX)
		unix_seconds = RTC_MIN_UNIX;
	if (unix_seconds > RTC_MAX_UNIX)
		unix_seconds = RTC_MAX_UNIX;
	rtc_phase_divider(rtc, 0);
	rtc_set_seconds(rtc, unix_seconds);
	rtc->counting = true;
	rtc->checked_divider_ns = rtc_divider_ns(rtc);

	err = bus_register_pio(bus, "rtc", RTC_PORT_INDEX, 2, &rtc_ops, rtc, &rtc_rules);
	if (err) {
		log_error("rtc: cannot register ports 0x%x-0x%x (%d)", RTC_PORT_INDEX, RTC_PORT_DATA, err);
		kfree(rtc);
		return NULL;
	}
	return rtc;
}

void rtc_destroy(struct rtc *rtc)
{
	if (!rtc)
		return;
	vtimer_cancel(rtc->clock, &rtc->timer);
	bus_unregister(rtc->bus, BUS_SPACE_PIO, RTC_PORT_INDEX);
	kfree(rtc);
}

void rtc_reset(struct rtc *rtc)
{
	rtc_collect_events(rtc);
	rtc->cmos[RTC_REG_B] &= (uint8_t)~(RTC_B_PIE | RTC_B_AIE | RTC_B_UIE | RTC_B_SQWE);
	rtc->cmos[RTC_REG_C] = 0;
	rtc_update_irq(rtc);
	rtc_arm_timer(rtc);
}

struct irq_line *rtc_irq_line(struct rtc *rtc)
{
	return &rtc->irq;
}

bool rtc_nmi_masked(const struct rtc *rtc)
{
	return rtc->nmi_masked;
}

uint64_t rtc_unix_time(const struct rtc *rtc)
{
	struct rtc *mut = (struct rtc *)rtc;

	if (rtc->counting)
		return rtc_current_seconds(rtc);
	/* rtc_load_time only warns through the device; the state is unchanged. */
	return rtc_load_time(mut, rtc->cmos);
}

static bool rtc_is_ram(unsigned offset)
{
	return offset >= 0x0E && offset < RTC_CMOS_SIZE && offset != RTC_CENTURY;
}

uint8_t rtc_cmos_get(const struct rtc *rtc, unsigned offset)
{
	return rtc_is_ram(offset) ? rtc->cmos[offset] : 0xFF;
}

void rtc_cmos_set(struct rtc *rtc, unsigned offset, uint8_t value)
{
	if (rtc_is_ram(offset))
		rtc->cmos[offset] = value;
	else
		log_warn("rtc: CMOS offset 0x%x is not RAM", offset);
}

void rtc_cmos_fill(struct rtc *rtc, const struct rtc_cmos_config *cfg)
{
	const uint64_t kib = 1024, mib = 1024 * kib;
	uint64_t below = cfg->ram_below_4g;
	uint64_t extended = below > mib ? below / kib - 1024 : 0;
	uint64_t above_16m = below > 16 * mib ? (below - 16 * mib) / (64 * kib) : 0;
	uint64_t above_4g = cfg->ram_above_4g / (64 * kib);
	unsigned cpus = cfg->cpu_count ? cfg->cpu_count : 1;

	if (extended > 0xFFFF)
		extended = 0xFFFF;
	if (above_16m > 0xFFFF)
		above_16m = 0xFFFF;
	if (above_4g > 0xFFFFFF)
		above_4g = 0xFFFFFF;
	if (cpus > 256)
		cpus = 256;

	rtc->cmos[0x0F] = 0;                         /* shutdown status: normal */
	rtc->cmos[0x10] = 0;                         /* no floppy drives        */
	rtc->cmos[0x14] = 0x06;                      /* FPU, PS/2 mouse         */
	rtc->cmos[0x15] = 640 & 0xFF;                /* base memory in KiB      */
	rtc->cmos[0x16] = 640 >> 8;
	rtc->cmos[0x17] = (uint8_t)extended;
	rtc->cmos[0x18] = (uint8_t)(extended >> 8);
	rtc->cmos[0x30] = (uint8_t)extended;
	rtc->cmos[0x31] = (uint8_t)(extended >> 8);
	rtc->cmos[0x34] = (uint8_t)above_16m;
	rtc->cmos[0x35] = (uint8_t)(above_16m >> 8);
	rtc->cmos[0x5B] = (uint8_t)above_4g;
	rtc->cmos[0x5C] = (uint8_t)(above_4g >> 8);
	rtc->cmos[0x5D] = (uint8_t)(above_4g >> 16);
	rtc->cmos[0x5F] = (uint8_t)(cpus - 1);
	rtc->cmos[0x3D] = (uint8_t)(((cfg->boot_order[1] & 0xF) << 4) | (cfg->boot_order[0] & 0xF));
	rtc->cmos[0x38] = (uint8_t)(((cfg->boot_order[2] & 0xF) << 4) |
				    (cfg->floppy_signature_check ? 0 : 1));
}

/* ---- the device class: how a VM gets a CMOS clock ---- */

static const struct device_prop rtc_props[] = {
	{ "epoch", DEVICE_PROP_U64, "0", 0, 0,
	  "the clock at power-on, in seconds since 1970 (UTC); 0: the VM's clock (rtc =)" },
};

static int rtc_dev_create(struct device *dev)
{
	uint64_t epoch = device_prop_u64(dev, "epoch");
	struct rtc *rtc = rtc_create(dev->env->bus, dev->env->clock,
				     epoch ? epoch : dev->env->wall_clock_start);

	if (!rtc)
		return -ENOMEM;
	dev->state = rtc;
	dev->irq_out[0] = rtc_irq_line(rtc);
	return 0;
}

static void rtc_dev_reset(struct device *dev)
{
	rtc_reset(dev->state);
}

static void rtc_dev_destroy(struct device *dev)
{
	rtc_destroy(dev->state);
}

DEVICE_CLASS(rtc_class) = {
	.name = "rtc",
	.description = "MC146818 real-time clock and CMOS memory (the board fills the CMOS)",
	.ranges = { DEVICE_PIO_FIXED(RTC_PORT_INDEX, 2) },
	.range_count = 1,
	.irq_count = 1,
	.props = rtc_props,
	.prop_count = 1,
	.create = rtc_dev_create,
	.reset = rtc_dev_reset,
	.destroy = rtc_dev_destroy,
	.acpi_hid = "PNP0B00",
	.acpi_name = "RTC",
};
