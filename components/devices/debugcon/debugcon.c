/* SPDX-License-Identifier: MIT */
/* The debug console port (see <debugcon/debugcon.h>). */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <bus/bus.h>
#include <bus/device.h>
#include <core/log.h>
#include <core/mm.h>
#include <debugcon/debugcon.h>

#define DEBUGCON_PREFIX_MAX 48

struct debugcon {
	struct bus *bus;
	uint16_t port;
	enum log_level level;
	char prefix[DEBUGCON_PREFIX_MAX];
	char line[DEBUGCON_LINE_MAX + 1];
	unsigned int len;
	uint64_t bytes, lines;
};

void debugcon_flush(struct debugcon *dev)
{
	if (!dev || !dev->len)
		return;
	dev->line[dev->len] = 0;
	log_printf(dev->level, "%s: %s", dev->prefix, dev->line);
	dev->len = 0;
	dev->lines++;
}

static uint64_t debugcon_read(void *opaque, uint64_t offset, unsigned width)
{
	(void)opaque;
	(void)offset;
	(void)width;
	return DEBUGCON_READBACK;
}

static void debugcon_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct debugcon *dev = opaque;
	uint8_t c = (uint8_t)value;

	(void)offset;
	(void)width;
	dev->bytes++;
	if (c == '\n') {
		debugcon_flush(dev);
		return;
	}
	/* Printable text and tabs only: the log is a terminal too. */
	if ((c < 0x20 && c != '\t') || c == 0x7F)
		return;
	dev->line[dev->len++] = (char)c;
	if (dev->len == DEBUGCON_LINE_MAX)
		debugcon_flush(dev);
}

static const struct bus_ops debugcon_ops = {
	.read = debugcon_read,
	.write = debugcon_write,
};

static const struct bus_rules debugcon_rules = {
	.min_width = 1,
	.max_width = 1,
	.unaligned_ok = true,
	.oversize = BUS_OVERSIZE_SPLIT,
	.undersize = BUS_UNDERSIZE_REJECT,
};

struct debugcon *debugcon_create(struct bus *bus, uint16_t port, const char *prefix,
				 enum log_level level)
{
	struct debugcon *dev = kzalloc(sizeof(*dev));
	int err;

	if (!dev) {
		log_error("debugcon: out of memory");
		return NULL;
	}
	dev->bus = bus;
	dev->port = port;
	dev->level = level;
	strncpy(dev->prefix, prefix ? prefix : "debugcon", sizeof(dev->prefix) - 1);
	err = bus_register_pio(bus, "debugcon", port, 1, &debugcon_ops, dev, &debugcon_rules);
	if (err) {
		log_error("debugcon: cannot register port 0x%x (%d)", port, err);
		kfree(dev);
		return NULL;
	}
	return dev;
}

void debugcon_destroy(struct debugcon *dev)
{
	if (!dev)
		return;
	debugcon_flush(dev);
	bus_unregister(dev->bus, BUS_SPACE_PIO, dev->port);
	kfree(dev);
}

uint64_t debugcon_bytes(const struct debugcon *dev)
{
	return dev->bytes;
}

uint64_t debugcon_lines(const struct debugcon *dev)
{
	return dev->lines;
}

/* ---- the device class ---- */

static const struct device_prop debugcon_props[] = {
	{ "level", DEVICE_PROP_STRING, "debug", 0, 0,
	  "hypervisor log level of the guest's lines: error, warn, info, debug or trace" },
};

/* Appends s to buf (size bytes, NUL-terminated, at *len). */
static void append(char *buf, size_t size, size_t *len, const char *s)
{
	while (s && *s && *len + 1 < size)
		buf[(*len)++] = *s++;
	buf[*len] = 0;
}

static int debugcon_dev_create(struct device *dev)
{
	char prefix[DEBUGCON_PREFIX_MAX];
	const char *level_name = device_prop_text(dev, "level");
	int level = log_level_parse(level_name);
	size_t n = 0;

	if (level < 0) {
		log_error("VM %s: %s: level '%s' is not error, warn, info, debug or trace",
			  dev->env->vm_name, dev->name, level_name);
		return -EINVAL;
	}
	/* The lines read "VM <name>: <instance>: ...". */
	append(prefix, sizeof(prefix), &n, "VM ");
	append(prefix, sizeof(prefix), &n, dev->env->vm_name);
	append(prefix, sizeof(prefix), &n, ": ");
	append(prefix, sizeof(prefix), &n, dev->name);
	dev->state = debugcon_create(dev->env->bus, (uint16_t)dev->base[0], prefix,
				     (enum log_level)level);
	return dev->state ? 0 : -ENOMEM;
}

static void debugcon_dev_reset(struct device *dev)
{
	debugcon_flush(dev->state);
}

static void debugcon_dev_destroy(struct device *dev)
{
	debugcon_destroy(dev->state);
}

DEVICE_CLASS(debugcon_class) = {
	.name = "debugcon",
	.description = "debug console port (0x402): reads 0xE9, the firmware's log lines go to the hypervisor log",
	.ranges = { DEVICE_PIO(1) },
	.range_count = 1,
	.props = debugcon_props,
	.prop_count = 1,
	.create = debugcon_dev_create,
	.reset = debugcon_dev_reset,
	.destroy = debugcon_dev_destroy,
};
