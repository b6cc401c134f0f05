/* SPDX-License-Identifier: MIT */
/*
 * 8254 PIT.  A counter is described by when its run started and how
 * many ticks it had counted before (a gate pause in modes 0 and 4);
 * every read derives the count and OUT from the elapsed ticks, so the
 * model costs nothing while the guest is not looking.
 */
#include <string.h>
#include <core/log.h>
#include <core/mm.h>
#include <i8254/i8254.h>
#include <errno.h>
#include <bus/device.h>

#define NS_PER_SECOND 1000000000ull
#define NO_EDGE UINT64_MAX
#define BINARY_RANGE 0x10000u
#define BCD_RANGE 10000u
/* The PC refreshes DRAM every 18 input clocks (channel 1, count 18). */
#define REFRESH_TICKS 18u

#define PORT_B_GATE2 0x01u
#define PORT_B_WRITABLE 0x0Fu
#define PORT_B_REFRESH 0x10u
#define PORT_B_OUT2 0x20u

/* Split so that no product overflows for any 64-bit time. */
uint64_t i8254_ns_to_ticks(uint64_t ns)
{
	return (ns / NS_PER_SECOND) * I8254_HZ + (ns % NS_PER_SECOND) * I8254_HZ / NS_PER_SECOND;
}

uint64_t i8254_ticks_to_ns(uint64_t ticks)
{
	uint64_t seconds = ticks / I8254_HZ;
	uint64_t rest = ticks % I8254_HZ;

	if (seconds > UINT64_MAX / NS_PER_SECOND - 1)
		return UINT64_MAX;
	return seconds * NS_PER_SECOND + (rest * NS_PER_SECOND + I8254_HZ - 1) / I8254_HZ;
}

static uint64_t now_ticks(const struct i8254 *pit)
{
	return i8254_ns_to_ticks(vclock_now(pit->clock));
}

static uint32_t counter_range(const struct i8254_channel *ch)
{
	return ch->bcd ? BCD_RANGE : BINARY_RANGE;
}

static uint32_t bcd_to_number(uint16_t raw)
{
	uint32_t value = (raw & 0xFu) + 10u * ((raw >> 4) & 0xFu) + 100u * ((raw >> 8) & 0xFu) +
			 1000u * ((raw >> 12) & 0xFu);

	/* Digits above 9 are the guest's mistake; keep the counter in range. */
	return value % BCD_RANGE;
}

static uint16_t number_to_bcd(uint32_t value)
{
	return (uint16_t)((value % 10u) | ((value / 10u % 10u) << 4) | ((value / 100u % 10u) << 8) |
			  ((value / 1000u % 10u) << 12));
}

/* Modes 1 and 5 are started by the gate and keep counting when it falls. */
static bool gate_triggered(const struct i8254_channel *ch)
{
	return ch->mode == 1 || ch->mode == 5;
}

static bool channel_running(const struct i8254_channel *ch)
{
	return ch->counting && (ch->gate || gate_triggered(ch));
}

static uint64_t channel_elapsed(const struct i8254_channel *ch, uint64_t now)
{
	if (!channel_running(ch))
		return ch->elapsed_base;
	return ch->elapsed_base + (now - ch->run_start);
}

static void channel_start(struct i8254_channel *ch, uint64_t now)
{
	ch->count = ch->count_register;
	ch->counting = true;
	ch->null_count = false;
	ch->reload_pending = false;
	ch->run_start = now;
	ch->elapsed_base = 0;
}

/* Applies a mode 2/3 reload whose period end has passed. */
static void channel_sync(struct i8254_channel *ch, uint64_t now)
{
	if (ch->reload_pending && now >= ch->reload_tick)
		channel_start(ch, ch->reload_tick);
}

/* The counting element as a number (not yet BCD-encoded). */
static uint32_t channel_counter(const struct i8254_channel *ch, uint64_t now)
{
	uint32_t range = counter_range(ch);
	uint32_t n = ch->count;
	uint64_t d;
	uint32_t phase;

	if (!ch->counting)
		return ch->held;
	d = channel_elapsed(ch, now);
	switch (ch->mode) {
	case 2:
		return (n - (uint32_t)(d % n)) % range;
	case 3:
		/* Counts down by two through each half of the period. */
		phase = (uint32_t)(d % n);
		if (phase >= (n + 1) / 2)
			phase -= (n + 1) / 2;
		return ((n & ~1u) - 2u * phase) % range;
	default:
		/* One-shot modes wrap around after the terminal count. */
		return (uint32_t)((n + range - d % range) % range);
	}
}

static bool channel_out(const struct i8254_channel *ch, uint64_t now)
{
	uint32_t n = ch->count;
	uint64_t d;

	if (!ch->counting)
		return ch->mode != 0;
	if ((ch->mode == 2 || ch->mode == 3) && !ch->gate)
		return true;
	d = channel_elapsed(ch, now);
	switch (ch->mode) {
	case 0:
	case 1:
		return d >= n;
	case 2:
		return d % n != n - 1;
	case 3:
		return d % n < (n + 1) / 2;
	default: /* 4 and 5: low for the one clock at terminal count */
		return d != n;
	}
}

/* Clock tick of the next rising edge of OUT after now, or NO_EDGE. */
static uint64_t channel_next_rise(const struct i8254_channel *ch, uint64_t now)
{
	uint32_t n = ch->count;
	uint64_t d, edge;

	if (!channel_running(ch))
		return NO_EDGE;
	d = channel_elapsed(ch, now);
	switch (ch->mode) {
	case 0:
	case 1:
		if (d >= n)
			return NO_EDGE;
		edge = n;
		break;
	case 2:
	case 3:
		if (n < 2)
			return NO_EDGE; /* OUT never changes */
		edge = (d / n + 1) * n;
		break;
	default:
		if (d > n)
			return NO_EDGE;
		edge = (uint64_t)n + 1;
		break;
	}
	return ch->run_start + (edge - ch->elapsed_base);
}

/*
 * Brings IRQ 0 up to date with channel 0's OUT and arms the timer for
 * its next rising edge.  edge_due: the timer fired, so OUT rose at the
 * armed tick even if it has fallen again since.
 */
static void pit_update_irq(struct i8254 *pit, bool edge_due)
{
	struct i8254_channel *ch = &pit->ch[0];
	uint64_t now = now_ticks(pit);
	uint64_t next;

	channel_sync(ch, now);
	if (edge_due) {
		irq_line_lower(&pit->irq);
		irq_line_raise(&pit->irq);
	}
	irq_line_set(&pit->irq, channel_out(ch, now));
	next = channel_next_rise(ch, now);
	if (next == NO_EDGE)
		vtimer_cancel(pit->clock, &pit->irq_timer);
	else
		vtimer_arm(pit->clock, &pit->irq_timer, i8254_ticks_to_ns(next));
}

static void pit_irq_timer(void *opaque)
{
	pit_update_irq(opaque, true);
}

/*
 * An edge that is due but whose timer has not run yet (the VM's run loop
 * is late) happened under the old programming: deliver it before the
 * guest changes channel 0.
 */
static void pit_deliver_due_edge(struct i8254 *pit)
{
	if (pit->irq_timer.armed && pit->irq_timer.deadline <= vclock_now(pit->clock)) {
		vtimer_cancel(pit->clock, &pit->irq_timer);
		pit_update_irq(pit, true);
	}
}

static void channel_changed(struct i8254 *pit, unsigned channel)
{
	if (channel == 0)
		pit_update_irq(pit, false);
}

static void latch_count(struct i8254_channel *ch, uint64_t now)
{
	uint32_t value;

	if (ch->count_latched)
		return; /* a second latch before the read is ignored */
	value = channel_counter(ch, now);
	ch->latched_count = ch->bcd ? number_to_bcd(value) : (uint16_t)value;
	ch->count_latched = true;
	ch->latch_msb_next = false;
}

static void latch_status(struct i8254_channel *ch, uint64_t now)
{
	if (ch->status_latched)
		return;
	ch->latched_status = (uint8_t)((channel_out(ch, now) ? 0x80u : 0u) | (ch->null_count ? 0x40u : 0u) |
				       ch->control);
	ch->status_latched = true;
}

static void write_read_back(struct i8254 *pit, uint8_t value, uint64_t now)
{
	for (unsigned channel = 0; channel < I8254_CHANNELS; channel++) {
		struct i8254_channel *ch = &pit->ch[channel];

		if (!(value & (2u << channel)))
			continue;
		channel_sync(ch, now);
		/* bits 5 and 4 are active low: COUNT and STATUS */
		if (!(value & 0x20))
			latch_count(ch, now);
		if (!(value & 0x10))
			latch_status(ch, now);
	}
}

static void write_control(struct i8254 *pit, uint8_t value)
{
	uint64_t now = now_ticks(pit);
	unsigned channel = value >> 6;
	struct i8254_channel *ch;

	if (channel == 3) {
		write_read_back(pit, value, now);
		return;
	}
	ch = &pit->ch[channel];
	channel_sync(ch, now);
	if (((value >> 4) & 3u) == I8254_ACCESS_LATCH) {
		latch_count(ch, now);
		return;
	}
	ch->held = channel_counter(ch, now);
	ch->control = value & 0x3F;
	ch->access = (enum i8254_access)((value >> 4) & 3u);
	ch->mode = (value >> 1) & 7u;
	if (ch->mode > 5)
		ch->mode -= 4;
	ch->bcd = value & 1u;
	ch->held %= counter_range(ch);
	ch->counting = false;
	ch->loaded = false;
	ch->reload_pending = false;
	ch->null_count = true;
	ch->write_msb_next = false;
	ch->read_msb_next = false;
	channel_changed(pit, channel);
}

static void load_count(struct i8254 *pit, unsigned channel, uint16_t raw)
{
	struct i8254_channel *ch = &pit->ch[channel];
	uint64_t now = now_ticks(pit);
	uint32_t n = ch->bcd ? bcd_to_number(raw) : raw;

	channel_sync(ch, now);
	ch->count_register = n ? n : counter_range(ch);
	ch->loaded = true;
	ch->null_count = true;
	switch (ch->mode) {
	case 1:
	case 5:
		break; /* waits for a rising gate */
	case 2:
	case 3:
		if (channel_running(ch)) {
			/* The current period completes first. */
			uint64_t d = channel_elapsed(ch, now);

			ch->reload_pending = true;
			ch->reload_tick = ch->run_start + ((d / ch->count + 1) * ch->count - ch->elapsed_base);
		} else if (!ch->counting) {
			channel_start(ch, now);
		}
		break;
	default:
		channel_start(ch, now);
		break;
	}
	channel_changed(pit, channel);
}

static void write_counter(struct i8254 *pit, unsigned channel, uint8_t value)
{
	struct i8254_channel *ch = &pit->ch[channel];

	switch (ch->access) {
	case I8254_ACCESS_LSB:
		load_count(pit, channel, value);
		break;
	case I8254_ACCESS_MSB:
		load_count(pit, channel, (uint16_t)(value << 8));
		break;
	default:
		if (!ch->write_msb_next) {
			ch->write_lsb = value;
			ch->write_msb_next = true;
			if (ch->mode == 0) {
				/* Mode 0: the first byte stops the count and drops OUT. */
				uint64_t now = now_ticks(pit);

				channel_sync(ch, now);
				ch->held = channel_counter(ch, now);
				ch->counting = false;
				ch->null_count = true;
				channel_changed(pit, channel);
			}
			break;
		}
		ch->write_msb_next = false;
		load_count(pit, channel, (uint16_t)(ch->write_lsb | (value << 8)));
		break;
	}
}

static uint8_t read_counter(struct i8254 *pit, unsigned channel)
{
	struct i8254_channel *ch = &pit->ch[channel];
	uint16_t value;
	bool msb;

	if (ch->status_latched) {
		ch->status_latched = false;
		return ch->latched_status;
	}
	if (ch->count_latched) {
		value = ch->latched_count;
		if (ch->access == I8254_ACCESS_LSB_MSB && !ch->latch_msb_next) {
			ch->latch_msb_next = true;
			return (uint8_t)value;
		}
		ch->count_latched = false;
		return (uint8_t)(ch->access == I8254_ACCESS_LSB ? value : value >> 8);
	}
	{
		uint64_t now = now_ticks(pit);
		uint32_t number;

		channel_sync(ch, now);
		number = channel_counter(ch, now);
		value = ch->bcd ? number_to_bcd(number) : (uint16_t)number;
	}
	switch (ch->access) {
	case I8254_ACCESS_LSB:
		msb = false;
		break;
	case I8254_ACCESS_MSB:
		msb = true;
		break;
	default:
		msb = ch->read_msb_next;
		ch->read_msb_next = !ch->read_msb_next;
		break;
	}
	return (uint8_t)(msb ? value >> 8 : value);
}

static uint64_t pit_read(void *opaque, uint64_t offset, unsigned width)
{
	(void)width;
	if (offset >= I8254_CHANNELS)
		return 0xFF; /* the control port cannot be read */
	return read_counter(opaque, (unsigned)offset);
}

static void pit_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct i8254 *pit = opaque;

	(void)width;
	pit_deliver_due_edge(pit);
	if (offset >= I8254_CHANNELS)
		write_control(pit, (uint8_t)value);
	else
		write_counter(pit, (unsigned)offset, (uint8_t)value);
}

static uint64_t port_b_read(void *opaque, uint64_t offset, unsigned width)
{
	struct i8254 *pit = opaque;
	uint64_t now = now_ticks(pit);
	uint8_t value = pit->port_b & PORT_B_WRITABLE;

	(void)offset;
	(void)width;
	/* Firmware delay loops wait for this bit to flip. */
	if ((now / REFRESH_TICKS) & 1u)
		value |= PORT_B_REFRESH;
	channel_sync(&pit->ch[2], now);
	if (channel_out(&pit->ch[2], now))
		value |= PORT_B_OUT2;
	return value;
}

static void port_b_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct i8254 *pit = opaque;

	(void)offset;
	(void)width;
	pit->port_b = (uint8_t)value & PORT_B_WRITABLE;
	i8254_set_gate(pit, 2, value & PORT_B_GATE2);
}

static const struct bus_ops pit_ops = { .read = pit_read, .write = pit_write };
static const struct bus_ops port_b_ops = { .read = port_b_read, .write = port_b_write };

static const struct bus_rules byte_rules = {
	.min_width = 1,
	.max_width = 1,
	.unaligned_ok = true,
	.oversize = BUS_OVERSIZE_SPLIT,
	.undersize = BUS_UNDERSIZE_EXTEND,
};

void i8254_set_gate(struct i8254 *pit, unsigned channel, bool level)
{
	struct i8254_channel *ch;
	uint64_t now;

	if (channel >= I8254_CHANNELS) {
		log_warn("i8254: no gate for channel %u", channel);
		return;
	}
	ch = &pit->ch[channel];
	if (ch->gate == level)
		return;
	if (channel == 0)
		pit_deliver_due_edge(pit);
	now = now_ticks(pit);
	channel_sync(ch, now);
	if (!level) {
		/* Freeze the count; modes 2 and 3 also force OUT high. */
		if (!gate_triggered(ch)) {
			ch->elapsed_base = channel_elapsed(ch, now);
			ch->run_start = now;
			ch->reload_pending = false;
		}
		ch->gate = false;
	} else {
		ch->gate = true;
		if (ch->mode == 0 || ch->mode == 4)
			ch->run_start = now;
		else if (ch->loaded)
			channel_start(ch, now);
	}
	channel_changed(pit, channel);
}

bool i8254_out(struct i8254 *pit, unsigned channel)
{
	uint64_t now;

	if (channel >= I8254_CHANNELS)
		return false;
	now = now_ticks(pit);
	channel_sync(&pit->ch[channel], now);
	return channel_out(&pit->ch[channel], now);
}

void i8254_reset(struct i8254 *pit)
{
	for (unsigned channel = 0; channel < I8254_CHANNELS; channel++) {
		struct i8254_channel *ch = &pit->ch[channel];

		memset(ch, 0, sizeof(*ch));
		ch->control = 0x36;
		ch->access = I8254_ACCESS_LSB_MSB;
		ch->mode = 3;
		ch->count_register = BINARY_RANGE;
		ch->count = BINARY_RANGE;
		ch->null_count = true;
		ch->gate = channel != 2;
	}
	pit->port_b = 0;
	pit_update_irq(pit, false);
}

int i8254_init(struct i8254 *pit, struct bus *bus, struct vclock *clock)
{
	int err;

	memset(pit, 0, sizeof(*pit));
	pit->clock = clock;
	vtimer_init(&pit->irq_timer, pit_irq_timer, pit);
	irq_line_init(&pit->irq, "i8254-irq0");
	i8254_reset(pit);
	if (!bus)
		return 0;
	err = bus_register_pio(bus, "i8254", I8254_PORT, 4, &pit_ops, pit, &byte_rules);
	if (err)
		return err;
	err = bus_register_pio(bus, "i8254-port-b", I8254_PORT_B, 1, &port_b_ops, pit, &byte_rules);
	if (err) {
		bus_unregister(bus, BUS_SPACE_PIO, I8254_PORT);
		return err;
	}
	pit->bus = bus;
	return 0;
}

struct i8254 *i8254_create(struct bus *bus, struct vclock *clock)
{
	struct i8254 *pit = kzalloc(sizeof(*pit));
	int err;

	if (!pit) {
		log_error("i8254: out of memory");
		return NULL;
	}
	err = i8254_init(pit, bus, clock);
	if (err) {
		log_error("i8254: cannot register its ports (%d)", err);
		kfree(pit);
		return NULL;
	}
	return pit;
}

void i8254_destroy(struct i8254 *pit)
{
	if (!pit)
		return;
	vtimer_cancel(pit->clock, &pit->irq_timer);
	if (pit->bus) {
		bus_unregister(pit->bus, BUS_SPACE_PIO, I8254_PORT);
		bus_unregister(pit->bus, BUS_SPACE_PIO, I8254_PORT_B);
	}
	kfree(pit);
}

/* ---- the device class: how a VM gets an 8254 ---- */

static int i8254_dev_create(struct device *dev)
{
	struct i8254 *pit = i8254_create(dev->env->bus, dev->env->clock);

	if (!pit)
		return -ENOMEM;
	dev->state = pit;
	dev->irq_out[0] = &pit->irq;
	return 0;
}

static void i8254_dev_reset(struct device *dev)
{
	i8254_reset(dev->state);
}

static void i8254_dev_destroy(struct device *dev)
{
	i8254_destroy(dev->state);
}

DEVICE_CLASS(i8254_class) = {
	.name = "i8254",
	.description = "8254 programmable interval timer with the PC's port 0x61 (speaker gate)",
	.ranges = { DEVICE_PIO_FIXED(I8254_PORT, 4), DEVICE_PIO_FIXED(I8254_PORT_B, 1) },
	.range_count = 2,
	.irq_count = 1,
	.create = i8254_dev_create,
	.reset = i8254_dev_reset,
	.destroy = i8254_dev_destroy,
	.acpi_hid = "PNP0100",
	.acpi_name = "TMR",
};
