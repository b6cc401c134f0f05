/* SPDX-License-Identifier: MIT */
/*
 * ARM PrimeCell PL031 RTC.
 *
 * The counter is load_value + whole seconds of VM time since load_ns, so
 * reads never need a timer.  Only the match needs one: it is armed for the
 * instant the counter next equals MR, and a read of RIS/MIS catches up if
 * the VM's run loop has not run the timer yet.
 *
 * The start bit reads 1 from creation on: the board's RTC is already
 * running when firmware or an OS starts, and (as on the PL031) once started
 * it cannot be stopped by software.
 */
#include <errno.h>
#include <stddef.h>

#include <bus/bus.h>
#include <bus/irq.h>
#include <bus/vclock.h>
#include <core/log.h>
#include <core/mm.h>
#include <pl031/pl031.h>
#include <bus/device.h>
#include <lib/fdt_writer.h>

#define NS_PER_SEC 1000000000ull
#define PL031_ID_BASE PL031_PERIPH_ID0
#define PL031_WARN_LIMIT 8

static const uint8_t pl031_ids[8] = { 0x31, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };

struct pl031 {
	struct bus *bus;
	struct vclock *clock;
	uint64_t gpa;
	struct irq_line irq;
	struct vtimer timer;
	uint64_t match_deadline;      /* VM ns of the next match, or UINT64_MAX */
	uint32_t load_value;          /* counter at load_ns                     */
	uint64_t load_ns;
	uint32_t match;
	uint32_t imsc;
	uint32_t ris;
	unsigned warnings;
};

static void pl031_warn(struct pl031 *rtc, const char *what, uint64_t offset)
{
	if (rtc->warnings >= PL031_WARN_LIMIT)
		return;
	rtc->warnings++;
	log_warn("pl031: %s at offset 0x%llx%s", what, (unsigned long long)offset,
		 rtc->warnings == PL031_WARN_LIMIT ? "; further warnings suppressed" : "");
}

static uint32_t pl031_counter_at(const struct pl031 *rtc, uint64_t now)
{
	return rtc->load_value + (uint32_t)((now - rtc->load_ns) / NS_PER_SEC);
}

uint32_t pl031_counter(const struct pl031 *rtc)
{
	return pl031_counter_at(rtc, vclock_now(rtc->clock));
}

static void pl031_update_irq(struct pl031 *rtc)
{
	irq_line_set(&rtc->irq, rtc->ris & rtc->imsc & PL031_INT);
}

/* Arms the timer for the next second at which the counter becomes MR. */
static void pl031_arm_match(struct pl031 *rtc)
{
	uint64_t now = vclock_now(rtc->clock);
	uint64_t elapsed = (now - rtc->load_ns) / NS_PER_SEC;
	uint64_t ahead = (uint32_t)(rtc->match - pl031_counter_at(rtc, now));
	uint64_t seconds;

	if (ahead == 0)
		ahead = 1ull << 32;
	seconds = elapsed + ahead;
	if (seconds > (UINT64_MAX - rtc->load_ns) / NS_PER_SEC) {
		rtc->match_deadline = UINT64_MAX;
		vtimer_cancel(rtc->clock, &rtc->timer);
		return;
	}
	rtc->match_deadline = rtc->load_ns + seconds * NS_PER_SEC;
	vtimer_arm(rtc->clock, &rtc->timer, rtc->match_deadline);
}

static void pl031_match_reached(struct pl031 *rtc)
{
	rtc->ris |= PL031_INT;
	pl031_update_irq(rtc);
	pl031_arm_match(rtc);
}

static void pl031_timer_expired(void *opaque)
{
	pl031_match_reached(opaque);
}

static void pl031_catch_up(struct pl031 *rtc)
{
	if (rtc->match_deadline <= vclock_now(rtc->clock))
		pl031_match_reached(rtc);
}

/*
 * After MR or LR changed: a counter already equal to the new match
 * signals at once, as QEMU's model does; otherwise wait for it.
 */
static void pl031_match_changed(struct pl031 *rtc)
{
	if (pl031_counter(rtc) == rtc->match)
		pl031_match_reached(rtc);
	else
		pl031_arm_match(rtc);
}

static uint64_t pl031_read(void *opaque, uint64_t offset, unsigned width)
{
	struct pl031 *rtc = opaque;

	(void)width;
	switch (offset) {
	case PL031_DR:
		return pl031_counter(rtc);
	case PL031_MR:
		return rtc->match;
	case PL031_LR:
		/* The load register reads back the last value written. */
		return rtc->load_value;
	case PL031_CR:
		return PL031_CR_START;
	case PL031_IMSC:
		return rtc->imsc;
	case PL031_RIS:
		pl031_catch_up(rtc);
		return rtc->ris;
	case PL031_MIS:
		pl031_catch_up(rtc);
		return rtc->ris & rtc->imsc;
	default:
		pl031_warn(rtc, "read of a write-only or reserved register", offset);
		return 0;
	}
}

static void pl031_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct pl031 *rtc = opaque;
	uint32_t v = (uint32_t)value;

	(void)width;
	switch (offset) {
	case PL031_MR:
		rtc->match = v;
		pl031_match_changed(rtc);
		break;
	case PL031_LR:
		rtc->load_value = v;
		rtc->load_ns = vclock_now(rtc->clock);
		pl031_match_changed(rtc);
		break;
	case PL031_CR:
		/* Started for good: writing 0 does not stop it. */
		if (!(v & PL031_CR_START))
			log_trace("pl031: write 0x%x to CR ignored, the clock keeps running", v);
		break;
	case PL031_IMSC:
		pl031_catch_up(rtc);
		rtc->imsc = v & PL031_INT;
		pl031_update_irq(rtc);
		break;
	case PL031_ICR:
		pl031_catch_up(rtc);
		rtc->ris &= ~(v & PL031_INT);
		pl031_update_irq(rtc);
		break;
	default:
		pl031_warn(rtc, "write to a read-only or reserved register", offset);
		break;
	}
}

static uint64_t pl031_id_read(void *opaque, uint64_t offset, unsigned width)
{
	(void)opaque;
	(void)width;
	/* The region only passes aligned 32-bit offsets inside 0xFE0-0xFFF. */
	return pl031_ids[(offset / 4) % 8];
}

static void pl031_id_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	(void)width;
	(void)value;
	pl031_warn(opaque, "write to an identification register", PL031_ID_BASE + offset);
}

static const struct bus_ops pl031_ops = {
	.read = pl031_read,
	.write = pl031_write,
};

static const struct bus_ops pl031_id_ops = {
	.read = pl031_id_read,
	.write = pl031_id_write,
};

static const struct bus_rules pl031_rules = {
	.min_width = 4,
	.max_width = 4,
	.unaligned_ok = false,
	.oversize = BUS_OVERSIZE_REJECT,
	.undersize = BUS_UNDERSIZE_REJECT,
};

/* EDK2's IdentifyPL031 reads each ID byte with MmioRead8. */
static const struct bus_rules pl031_id_rules = {
	.min_width = 4,
	.max_width = 4,
	.unaligned_ok = false,
	.oversize = BUS_OVERSIZE_REJECT,
	.undersize = BUS_UNDERSIZE_EXTEND,
};

struct pl031 *pl031_create(struct bus *bus, uint64_t gpa, struct vclock *clock, uint64_t unix_seconds)
{
	struct pl031 *rtc = kzalloc(sizeof(*rtc));
	int err;

	if (!rtc) {
		log_error("pl031: out of memory");
		return NULL;
	}
	rtc->bus = bus;
	rtc->clock = clock;
	rtc->gpa = gpa;
	irq_line_init(&rtc->irq, "pl031");
	vtimer_init(&rtc->timer, pl031_timer_expired, rtc);
	rtc->load_value = (uint32_t)unix_seconds;
	rtc->load_ns = vclock_now(clock);
	rtc->match_deadline = UINT64_MAX;
	pl031_arm_match(rtc);

	err = bus_register_mmio(bus, "pl031", gpa, PL031_ID_BASE, &pl031_ops, rtc, &pl031_rules);
	if (!err) {
		err = bus_register_mmio(bus, "pl031-id", gpa + PL031_ID_BASE, PL031_SIZE - PL031_ID_BASE,
					&pl031_id_ops, rtc, &pl031_id_rules);
		if (err)
			bus_unregister(bus, BUS_SPACE_MMIO, gpa);
	}
	if (err) {
		log_error("pl031: cannot register MMIO 0x%llx-0x%llx (%d)", (unsigned long long)gpa,
			  (unsigned long long)(gpa + PL031_SIZE - 1), err);
		vtimer_cancel(clock, &rtc->timer);
		kfree(rtc);
		return NULL;
	}
	return rtc;
}

void pl031_destroy(struct pl031 *rtc)
{
	if (!rtc)
		return;
	vtimer_cancel(rtc->clock, &rtc->timer);
	bus_unregister(rtc->bus, BUS_SPACE_MMIO, rtc->gpa);
	bus_unregister(rtc->bus, BUS_SPACE_MMIO, rtc->gpa + PL031_ID_BASE);
	kfree(rtc);
}

void pl031_reset(struct pl031 *rtc)
{
	rtc->imsc = 0;
	rtc->ris = 0;
	rtc->match = 0;
	pl031_arm_match(rtc);
	pl031_update_irq(rtc);
}

struct irq_line *pl031_irq_line(struct pl031 *rtc)
{
	return &rtc->irq;
}

/* ---- the device class: how a VM gets a PL031 ---- */

/* epoch 0: the VM's wall clock (the host's time, or the VM's rtc = setting). */
static const struct device_prop pl031_props[] = {
	{ "epoch", DEVICE_PROP_U64, "0", 0, 0,
	  "the counter at power-on, in seconds since 1970 (UTC); 0: the VM's clock (rtc =)" },
};

static int pl031_dev_create(struct device *dev)
{
	uint64_t epoch = device_prop_u64(dev, "epoch");
	struct pl031 *rtc = pl031_create(dev->env->bus, dev->base[0], dev->env->clock,
					 epoch ? epoch : dev->env->wall_clock_start);

	if (!rtc)
		return -ENOMEM;
	dev->state = rtc;
	dev->irq_out[0] = pl031_irq_line(rtc);
	return 0;
}

static void pl031_dev_reset(struct device *dev)
{
	pl031_reset(dev->state);
}

static void pl031_dev_destroy(struct device *dev)
{
	pl031_destroy(dev->state);
}

static void pl031_fdt_extra(const struct device *dev, struct fdt_writer *w,
			    const struct device_fdt_env *fe)
{
	(void)dev;
	if (!fe->apb_clock_phandle)
		return;
	fdt_writer_property_u32(w, "clocks", fe->apb_clock_phandle);
	fdt_writer_property_string(w, "clock-names", "apb_pclk");
}

DEVICE_CLASS(pl031_class) = {
	.name = "pl031",
	.description = "ARM PL031 real-time clock (seconds counter with a match interrupt)",
	.ranges = { DEVICE_MMIO(PL031_SIZE) },
	.range_count = 1,
	.irq_count = 1,
	.props = pl031_props,
	.prop_count = 1,
	.create = pl031_dev_create,
	.reset = pl031_dev_reset,
	.destroy = pl031_dev_destroy,
	.fdt_name = "pl031",
	.fdt_compatible = { "arm,pl031", "arm,primecell" },
	.fdt_apb_clock = true,
	.fdt_extra = pl031_fdt_extra,
};
