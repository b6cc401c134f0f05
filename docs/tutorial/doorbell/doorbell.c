/* SPDX-License-Identifier: MIT */
/* The doorbell device model and its device class (docs/device-tutorial.md). */
#include <errno.h>

#include <bus/bus.h>
#include <bus/device.h>
#include <core/log.h>
#include <core/mm.h>
#include <doorbell/doorbell.h>

/* A guest can repeat a mistake forever: say it a few times, then count. */
#define DOORBELL_REPORTS 5

static void refuse(struct doorbell *db, const char *what, uint64_t offset)
{
	if (db->refused++ < DOORBELL_REPORTS)
		log_warn("doorbell at 0x%llx: %s at offset 0x%llx ignored",
			 (unsigned long long)db->base, what, (unsigned long long)offset);
}

static uint64_t doorbell_read(void *opaque, uint64_t offset, unsigned width)
{
	struct doorbell *db = opaque;

	(void)width;                 /* the rules below let only 32-bit accesses in */
	switch (offset) {
	case DOORBELL_COUNT:
		return db->rings;
	case DOORBELL_STATUS:
		return db->irq.level;
	default:
		refuse(db, "read", offset);
		return 0;
	}
}

static void doorbell_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct doorbell *db = opaque;

	(void)width;
	(void)value;
	switch (offset) {
	case DOORBELL_RING:
		db->rings++;
		irq_line_raise(&db->irq);
		break;
	case DOORBELL_ACK:
		irq_line_lower(&db->irq);
		break;
	default:
		refuse(db, "write", offset);
	}
}

static const struct bus_ops doorbell_ops = {
	.read = doorbell_read,
	.write = doorbell_write,
};

/* 32-bit registers: aligned 32-bit accesses only; the bus refuses the rest. */
static const struct bus_rules doorbell_rules = {
	.min_width = 4,
	.max_width = 4,
	.unaligned_ok = false,
	.oversize = BUS_OVERSIZE_REJECT,
	.undersize = BUS_UNDERSIZE_REJECT,
};

int doorbell_init(struct doorbell *db, struct bus *bus, const char *name, uint64_t base)
{
	db->bus = bus;
	db->base = base;
	irq_line_init(&db->irq, name);
	doorbell_reset(db);
	return bus_register_mmio(bus, name, base, DOORBELL_SIZE, &doorbell_ops, db,
				 &doorbell_rules);
}

void doorbell_reset(struct doorbell *db)
{
	db->rings = 0;
	db->refused = 0;
	irq_line_lower(&db->irq);
}

void doorbell_exit(struct doorbell *db)
{
	bus_unregister(db->bus, BUS_SPACE_MMIO, db->base);
}

/* ---- the device class: how a VM gets a doorbell ---- */

static int doorbell_create(struct device *dev)
{
	struct doorbell *db = kzalloc(sizeof(*db));
	int ret;

	if (!db)
		return -ENOMEM;
	ret = doorbell_init(db, dev->env->bus, dev->name, dev->base[0]);
	if (ret) {
		kfree(db);
		return ret;
	}
	dev->state = db;
	dev->irq_out[0] = &db->irq;
	return 0;
}

static void doorbell_dev_reset(struct device *dev)
{
	doorbell_reset(dev->state);
}

static void doorbell_destroy(struct device *dev)
{
	doorbell_exit(dev->state);
	kfree(dev->state);
}

DEVICE_CLASS(doorbell_class) = {
	.name = "doorbell",
	.description = "a doorbell the guest rings (the device tutorial)",
	.ranges = { DEVICE_MMIO(DOORBELL_SIZE) },
	.range_count = 1,
	.irq_count = 1,
	.create = doorbell_create,
	.reset = doorbell_dev_reset,
	.destroy = doorbell_destroy,
	.fdt_name = "doorbell",
	.fdt_compatible = { "tessera,doorbell" },
};
