/* SPDX-License-Identifier: MIT */
/*
 * Random register/unregister/dispatch sequences against the bus.  Besides
 * the sanitizers, every step is checked against a plain list of the
 * regions that should exist, and every device call is checked against the
 * rules its region declared: a handler must never see an offset outside
 * its region, a width it did not accept, or an unaligned access it did
 * not allow.
 *
 * Input: a sequence of commands, each starting with an opcode byte.
 *   0 register    space, base (8), size (2), rules (2)
 *   1 unregister  space, base (8)
 *   2 dispatch    space|dir, addr (8), width (1), data (8)
 *   3 find        space, addr (8)
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bus/bus.h>
#include <core/log.h>

#define MAX_DEVICES 48

struct fuzz_device {
	bool live;
	enum bus_space space;
	uint64_t base, size;
	struct bus_rules rules;
	uint8_t mem[16];
};

static struct fuzz_device devices[MAX_DEVICES];

static void check_call(const struct fuzz_device *d, uint64_t offset, unsigned width)
{
	unsigned min_w = d->rules.min_width ? d->rules.min_width : 1;
	unsigned max_w = d->rules.max_width ? d->rules.max_width : 8;

	if (!d->live || width < min_w || width > max_w || offset >= d->size ||
	    width > d->size - offset || (!d->rules.unaligned_ok && offset % width))
		abort();
}

static uint64_t fuzz_read(void *opaque, uint64_t offset, unsigned width)
{
	struct fuzz_device *d = opaque;
	uint64_t v = 0;

	check_call(d, offset, width);
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)d->mem[(offset + i) % sizeof(d->mem)] << (8 * i);
	return v;
}

static void fuzz_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct fuzz_device *d = opaque;

	check_call(d, offset, width);
	for (unsigned i = 0; i < width; i++)
		d->mem[(offset + i) % sizeof(d->mem)] = (uint8_t)(value >> (8 * i));
}

static const struct bus_ops fuzz_ops = { .read = fuzz_read, .write = fuzz_write };

struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->left; i++, in->left--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

/* Addresses cluster so that regions collide: low, or near the top. */
static uint64_t decode_addr(uint64_t raw, enum bus_space space)
{
	if (space == BUS_SPACE_PIO)
		return raw & 0x1FFFF;   /* includes ports beyond 0xFFFF */
	if (raw & 0x8000000000000000ULL)
		return ~0ULL - (raw & 0xFFFF);
	return raw & 0xFFFF;
}

static const struct fuzz_device *model_find(enum bus_space space, uint64_t addr)
{
	for (unsigned i = 0; i < MAX_DEVICES; i++) {
		const struct fuzz_device *d = &devices[i];

		if (d->live && d->space == space && addr - d->base < d->size)
			return d;
	}
	return NULL;
}

static void do_register(struct bus *bus, struct input *in)
{
	static const unsigned widths[] = { 0, 1, 2, 4, 8, 3, 16, 0 };
	enum bus_space space = take(in, 1) & 1 ? BUS_SPACE_MMIO : BUS_SPACE_PIO;
	uint64_t base = decode_addr(take(in, 8), space);
	uint64_t size = take(in, 2);
	uint16_t r = (uint16_t)take(in, 2);
	struct fuzz_device *d = NULL;
	bool overlaps = false;
	int err;

	for (unsigned i = 0; i < MAX_DEVICES && !d; i++)
		if (!devices[i].live)
			d = &devices[i];
	if (!d)
		return;
	memset(d, 0, sizeof(*d));
	d->space = space;
	d->base = base;
	d->size = size;
	d->rules = (struct bus_rules){
		.min_width = widths[r & 7], .max_width = widths[(r >> 3) & 7],
		.unaligned_ok = r & 0x40,
		.oversize = (r & 0x80) ? BUS_OVERSIZE_REJECT : BUS_OVERSIZE_SPLIT,
		.undersize = (r & 0x100) ? BUS_UNDERSIZE_REJECT : BUS_UNDERSIZE_EXTEND,
	};
	err = bus_register(bus, &(struct bus_region){
		.name = "fuzz", .space = space, .base = base, .size = size,
		.ops = &fuzz_ops, .opaque = d, .rules = d->rules });
	if (size && base + (size - 1) >= base)
		for (unsigned i = 0; i < MAX_DEVICES; i++) {
			const struct fuzz_device *o = &devices[i];

			if (o->live && o->space == space && base <= o->base + (o->size - 1) &&
			    o->base <= base + (size - 1))
				overlaps = true;
		}
	if (err == 0) {
		if (overlaps || size == 0)
			abort();
		d->live = true;
	} else if (err == -EBUSY && !overlaps) {
		abort();
	}
}

static void do_unregister(struct bus *bus, struct input *in)
{
	enum bus_space space = take(in, 1) & 1 ? BUS_SPACE_MMIO : BUS_SPACE_PIO;
	uint64_t base = decode_addr(take(in, 8), space);
	struct fuzz_device *d = (struct fuzz_device *)model_find(space, base);
	int err = bus_unregister(bus, space, base);

	if (d && d->base == base) {
		if (err)
			abort();
		d->live = false;
	} else if (!err) {
		abort();
	}
}

static void do_dispatch(struct bus *bus, struct input *in)
{
	uint8_t sd = (uint8_t)take(in, 1);
	struct bus_access acc;
	enum bus_result res;

	acc.space = (sd & 1) ? BUS_SPACE_MMIO : BUS_SPACE_PIO;
	if (sd & 4)
		acc.space = (enum bus_space)(sd >> 3);   /* sometimes nonsense */
	acc.dir = (sd & 2) ? BUS_WRITE : BUS_READ;
	acc.addr = decode_addr(take(in, 8), acc.space == BUS_SPACE_PIO ? BUS_SPACE_PIO
									 : BUS_SPACE_MMIO);
	acc.width = (unsigned)take(in, 1) & 0xF;
	acc.data = take(in, 8);
	res = bus_dispatch(bus, &acc);
	if (res == BUS_UNASSIGNED) {
		if (model_find(acc.space, acc.addr))
			abort();
		if (acc.dir == BUS_READ && acc.data != (acc.width == 8 ? ~0ULL
							: (1ULL << (8 * acc.width)) - 1))
			abort();
	}
	if (res == BUS_OK && !model_find(acc.space, acc.addr))
		abort();
}

static void do_find(struct bus *bus, struct input *in)
{
	enum bus_space space = take(in, 1) & 1 ? BUS_SPACE_MMIO : BUS_SPACE_PIO;
	uint64_t addr = decode_addr(take(in, 8), space);
	const struct bus_region *r = bus_find(bus, space, addr);
	const struct fuzz_device *d = model_find(space, addr);

	if ((r == NULL) != (d == NULL) || (r && r->opaque != d))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct bus *bus = bus_create("fuzz");

	if (!bus)
		return 0;
	log_set_level(LOG_ERROR);
	memset(devices, 0, sizeof(devices));
	while (in.left) {
		switch (take(&in, 1) & 3) {
		case 0: do_register(bus, &in); break;
		case 1: do_unregister(bus, &in); break;
		case 2: do_dispatch(bus, &in); break;
		default: do_find(bus, &in); break;
		}
	}
	bus_destroy(bus);
	return 0;
}
