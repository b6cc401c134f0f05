/* SPDX-License-Identifier: MIT */
/*
 * System control port A: fast A20 gate and fast reset.
 */
#include <stddef.h>

#include <bus/bus.h>
#include <core/log.h>
#include <core/mm.h>
#include <port92/port92.h>
#include <errno.h>
#include <bus/device.h>

struct port92 {
	struct bus *bus;
	struct port92_callbacks cb;
	uint8_t value;
	struct log_limit reset_reports;   /* the guest may pulse the reset at will */
};

static uint64_t port92_read(void *opaque, uint64_t offset, unsigned width)
{
	struct port92 *dev = opaque;

	(void)offset;
	(void)width;
	return dev->value;
}

static void port92_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct port92 *dev = opaque;
	uint8_t old = dev->value;
	uint8_t now = (uint8_t)value;

	(void)offset;
	(void)width;
	dev->value = now;
	if ((old ^ now) & PORT92_A20) {
		log_debug("port92: A20 %s", now & PORT92_A20 ? "enabled" : "masked");
		if (dev->cb.a20_changed)
			dev->cb.a20_changed(dev->cb.ctx, now & PORT92_A20);
	}
	/* Only the rising edge resets, so a read-modify-write that keeps the bit does not. */
	if ((now & PORT92_FAST_RESET) && !(old & PORT92_FAST_RESET)) {
		log_limited(&dev->reset_reports, LOG_INFO, "port92: guest requested a fast reset");
		if (dev->cb.reset)
			dev->cb.reset(dev->cb.ctx);
	}
}

static const struct bus_ops port92_ops = {
	.read = port92_read,
	.write = port92_write,
};

static const struct bus_rules port92_rules = {
	.min_width = 1,
	.max_width = 1,
	.unaligned_ok = true,
	.oversize = BUS_OVERSIZE_SPLIT,
	.undersize = BUS_UNDERSIZE_REJECT,
};

struct port92 *port92_create(struct bus *bus, const struct port92_callbacks *callbacks)
{
	struct port92 *dev = kzalloc(sizeof(*dev));
	int err;

	if (!dev) {
		log_error("port92: out of memory");
		return NULL;
	}
	dev->bus = bus;
	if (callbacks)
		dev->cb = *callbacks;
	err = bus_register_pio(bus, "port92", PORT92_PORT, 1, &port92_ops, dev, &port92_rules);
	if (err) {
		log_error("port92: cannot register port 0x%x (%d)", PORT92_PORT, err);
		kfree(dev);
		return NULL;
	}
	return dev;
}

void port92_destroy(struct port92 *dev)
{
	if (!dev)
		return;
	bus_unregister(dev->bus, BUS_SPACE_PIO, PORT92_PORT);
	kfree(dev);
}

void port92_reset(struct port92 *dev)
{
	dev->value &= (uint8_t)~PORT92_FAST_RESET;
}

bool port92_a20_enabled(const struct port92 *dev)
{
	return dev->value & PORT92_A20;
}

uint8_t port92_value(const struct port92 *dev)
{
	return dev->value;
}

/* ---- the device class: how a VM gets port 0x92 ---- */

static void fast_reset(void *ctx)
{
	struct device *dev = ctx;

	dev->env->request_reset(dev->env->vm, "port 0x92");
}

static void fast_a20_changed(void *ctx, bool enabled)
{
	struct device *dev = ctx;

	if (!enabled)
		log_debug("VM %s: %s: A20 masked (not emulated: addresses do not wrap)",
			  dev->env->vm_name, dev->name);
}

static int port92_dev_create(struct device *dev)
{
	const struct port92_callbacks cb = { fast_reset, fast_a20_changed, dev };

	dev->state = port92_create(dev->env->bus, &cb);
	return dev->state ? 0 : -ENOMEM;
}

static void port92_dev_reset(struct device *dev)
{
	port92_reset(dev->state);
}

static void port92_dev_destroy(struct device *dev)
{
	port92_destroy(dev->state);
}

DEVICE_CLASS(port92_class) = {
	.name = "port92",
	.description = "System control port A (0x92): fast A20 and fast reset",
	.ranges = { DEVICE_PIO_FIXED(PORT92_PORT, 1) },
	.range_count = 1,
	.create = port92_dev_create,
	.reset = port92_dev_reset,
	.destroy = port92_dev_destroy,
};
