/* SPDX-License-Identifier: MIT */
/*
 * POST diagnostic port 0x80: a sink for progress codes.
 */
#include <stddef.h>

#include <bus/bus.h>
#include <core/log.h>
#include <core/mm.h>
#include <port80/port80.h>
#include <errno.h>
#include <bus/device.h>

struct port80 {
	struct bus *bus;
	uint8_t last_code;
	uint64_t writes;
};

static uint64_t port80_read(void *opaque, uint64_t offset, unsigned width)
{
	(void)opaque;
	(void)offset;
	(void)width;
	return 0xFF;
}

static void port80_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct port80 *dev = opaque;

	(void)offset;
	(void)width;
	dev->last_code = (uint8_t)value;
	dev->writes++;
	log_trace("port80: POST code 0x%02x", dev->last_code);
}

static const struct bus_ops port80_ops = {
	.read = port80_read,
	.write = port80_write,
};

static const struct bus_rules port80_rules = {
	.min_width = 1,
	.max_width = 1,
	.unaligned_ok = true,
	.oversize = BUS_OVERSIZE_SPLIT,
	.undersize = BUS_UNDERSIZE_REJECT,
};

struct port80 *port80_create(struct bus *bus)
{
	struct port80 *dev = kzalloc(sizeof(*dev));
	int err;

	if (!dev) {
		log_error("port80: out of memory");
		return NULL;
	}
	dev->bus = bus;
	err = bus_register_pio(bus, "port80", PORT80_PORT, 1, &port80_ops, dev, &port80_rules);
	if (err) {
		log_error("port80: cannot register port 0x%x (%d)", PORT80_PORT, err);
		kfree(dev);
		return NULL;
	}
	return dev;
}

void port80_destroy(struct port80 *dev)
{
	if (!dev)
		return;
	bus_unregister(dev->bus, BUS_SPACE_PIO, PORT80_PORT);
	kfree(dev);
}

uint8_t port80_last_code(const struct port80 *dev)
{
	return dev->last_code;
}

uint64_t port80_write_count(const struct port80 *dev)
{
	return dev->writes;
}

/* ---- the device class: how a VM gets a POST-code port ---- */

static int port80_dev_create(struct device *dev)
{
	dev->state = port80_create(dev->env->bus);
	return dev->state ? 0 : -ENOMEM;
}

static void port80_dev_destroy(struct device *dev)
{
	port80_destroy(dev->state);
}

DEVICE_CLASS(port80_class) = {
	.name = "port80",
	.description = "POST-code port 0x80: keeps the last code the firmware wrote",
	.ranges = { DEVICE_PIO_FIXED(PORT80_PORT, 1) },
	.range_count = 1,
	.create = port80_dev_create,
	.destroy = port80_dev_destroy,
};
