/* SPDX-License-Identifier: MIT */
/*
 * The device bus: registration and overlap errors, lookup at range
 * edges, every combination of access rules, unassigned and refused
 * accesses with their reporting, and statistics.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <bus/bus.h>
#include <core/log.h>
#include <host/support.h>

/* A device backed by bytes, recording every call the bus makes. */
struct call {
	bool write;
	uint64_t offset;
	unsigned width;
	uint64_t value;
};

struct recorder {
	uint8_t mem[64];
	struct call calls[16];
	unsigned ncalls;
};

static uint64_t rec_read(void *opaque, uint64_t offset, unsigned width)
{
	struct recorder *d = opaque;
	uint64_t v = 0;

	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)d->mem[(offset + i) % sizeof(d->mem)] << (8 * i);
	if (d->ncalls < 16)
		d->calls[d->ncalls++] = (struct call){ false, offset, width, v };
	/* Garbage above the width must be masked off by the bus. */
	return v | (width < 8 ? 0xDEAD000000000000ULL : 0);
}

static void rec_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct recorder *d = opaque;

	for (unsigned i = 0; i < width; i++)
		d->mem[(offset + i) % sizeof(d->mem)] = (uint8_t)(value >> (8 * i));
	if (d->ncalls < 16)
		d->calls[d->ncalls++] = (struct call){ true, offset, width, value };
}

static const struct bus_ops rec_ops = { .read = rec_read, .write = rec_write };

static void rec_fill(struct recorder *d)
{
	memset(d, 0, sizeof(*d));
	for (unsigned i = 0; i < sizeof(d->mem); i++)
		d->mem[i] = (uint8_t)(0x10 + i);
}

static enum bus_result do_read(struct bus *bus, enum bus_space space, uint64_t addr,
			       unsigned width, uint64_t *value)
{
	struct bus_access acc = { .space = space, .dir = BUS_READ, .addr = addr, .width = width,
				  .data = 0x5555 };
	enum bus_result res = bus_dispatch(bus, &acc);

	*value = acc.data;
	return res;
}

static enum bus_result do_write(struct bus *bus, enum bus_space space, uint64_t addr,
				unsigned width, uint64_t value)
{
	struct bus_access acc = { .space = space, .dir = BUS_WRITE, .addr = addr, .width = width,
				  .data = value };

	return bus_dispatch(bus, &acc);
}

static int setup(void **state)
{
	(void)state;
	host_console_clear();
	log_set_level(LOG_INFO);
	return 0;
}

static void test_register_and_overlap_names_both(void **state)
{
	struct bus *bus = bus_create("vm0");
	struct recorder a, b;

	(void)state;
	assert_non_null(bus);
	assert_int_equal(bus_register_pio(bus, "uart0", 0x3F8, 8, &rec_ops, &a, NULL), 0);
	assert_int_equal(bus_register_pio(bus, "uart1", 0x2F8, 8, &rec_ops, &b, NULL), 0);
	/* Adjacent is fine on both sides. */
	assert_int_equal(bus_register_pio(bus, "below", 0x3F0, 8, &rec_ops, &b, NULL), 0);
	assert_int_equal(bus_register_pio(bus, "above", 0x400, 1, &rec_ops, &b, NULL), 0);

	host_console_clear();
	assert_int_equal(bus_register_pio(bus, "pic-elcr", 0x3FF, 2, &rec_ops, &b, NULL), -EBUSY);
	assert_non_null(strstr(host_console_text(), "pic-elcr"));
	assert_non_null(strstr(host_console_text(), "0x3ff-0x400"));
	assert_non_null(strstr(host_console_text(), "uart0"));
	assert_non_null(strstr(host_console_text(), "0x3f8-0x3ff"));

	/* Overlap with the region after, and full containment. */
	host_console_clear();
	assert_int_equal(bus_register_pio(bus, "x", 0x2F0, 9, &rec_ops, &b, NULL), -EBUSY);
	assert_non_null(strstr(host_console_text(), "uart1"));
	assert_int_equal(bus_register_pio(bus, "big", 0x200, 0x400, &rec_ops, &b, NULL), -EBUSY);
	assert_int_equal(bus_register_pio(bus, "inner", 0x3FA, 1, &rec_ops, &b, NULL), -EBUSY);

	/* PIO and MMIO are separate spaces. */
	assert_int_equal(bus_register_mmio(bus, "mm", 0x3F8, 8, &rec_ops, &b, NULL), 0);

	assert_int_equal(bus_unregister(bus, BUS_SPACE_PIO, 0x3F9), -ENOENT);
	assert_int_equal(bus_unregister(bus, BUS_SPACE_PIO, 0x3F8), 0);
	assert_null(bus_find(bus, BUS_SPACE_PIO, 0x3F8));
	assert_int_equal(bus_register_pio(bus, "pic-elcr", 0x3FF, 2, &rec_ops, &b, NULL), -EBUSY);
	assert_int_equal(bus_register_pio(bus, "uart0-again", 0x3F8, 7, &rec_ops, &b, NULL), 0);
	bus_destroy(bus);
}

static void test_register_invalid(void **state)
{
	struct bus *bus = bus_create("vm0");
	struct recorder d;
	struct bus_rules rules = { 0 };
	struct bus_region r = { .name = "r", .space = BUS_SPACE_MMIO, .base = 0x1000, .size = 0x10,
				.ops = &rec_ops, .opaque = &d };

	(void)state;
	assert_int_equal(bus_register_pio(bus, "zero", 0x10, 0, &rec_ops, &d, NULL), -EINVAL);
	assert_int_equal(bus_register_pio(bus, "past-ffff", 0xFFFF, 2, &rec_ops, &d, NULL), -EINVAL);
	assert_int_equal(bus_register_pio(bus, "last-port", 0xFFFF, 1, &rec_ops, &d, NULL), 0);
	assert_int_equal(bus_register_mmio(bus, "wrap", ~0ULL - 4, 6, &rec_ops, &d, NULL), -EINVAL);
	/* Ending exactly at the top of the address space does not wrap. */
	assert_int_equal(bus_register_mmio(bus, "top", ~0ULL - 4, 5, &rec_ops, &d, NULL), 0);
	assert_non_null(bus_find(bus, BUS_SPACE_MMIO, ~0ULL));
	assert_int_equal(bus_register_mmio(bus, "noops", 0x100, 1, NULL, &d, NULL), -EINVAL);

	rules.min_width = 3;
	assert_int_equal(bus_register_mmio(bus, "w3", 0x200, 8, &rec_ops, &d, &rules), -EINVAL);
	rules.min_width = 0;
	rules.max_width = 16;
	assert_int_equal(bus_register_mmio(bus, "w16", 0x200, 8, &rec_ops, &d, &rules), -EINVAL);
	rules.min_width = 4;
	rules.max_width = 2;
	assert_int_equal(bus_register_mmio(bus, "min>max", 0x200, 8, &rec_ops, &d, &rules), -EINVAL);
	rules.min_width = 1;
	rules.max_width = 8;
	rules.oversize = 7;
	assert_int_equal(bus_register_mmio(bus, "enum", 0x200, 8, &rec_ops, &d, &rules), -EINVAL);

	r.space = BUS_SPACE_COUNT;
	assert_int_equal(bus_register(bus, &r), -EINVAL);
	r.space = BUS_SPACE_MMIO;
	r.reads = 99;
	assert_int_equal(bus_register(bus, &r), 0);
	assert_int_equal(bus_find(bus, BUS_SPACE_MMIO, 0x1000)->reads, 0);
	bus_destroy(bus);
}

static unsigned collect_index;
static void collect(const struct bus_region *r, void *ctx)
{
	uint64_t *seen = ctx;

	seen[collect_index++] = r->base;
}

static void test_lookup_edges_and_order(void **state)
{
	struct bus *bus = bus_create("vm0");
	struct recorder d;
	uint64_t bases[] = { 0xFEC00000, 0x1000, 0xFED00000, 0x0, 0x9000 };
	const char *names[] = { "ioapic", "a", "hpet", "zero", "b" };
	uint64_t seen[5];

	(void)state;
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(bus_register_mmio(bus, names[i], bases[i], 0x1000, &rec_ops, &d,
						   NULL), 0);
	for (unsigned i = 0; i < 5; i++) {
		const struct bus_region *r;

		r = bus_find(bus, BUS_SPACE_MMIO, bases[i]);
		assert_non_null(r);
		assert_string_equal(r->name, names[i]);
		r = bus_find(bus, BUS_SPACE_MMIO, bases[i] + 0xFFF);
		assert_non_null(r);
		assert_string_equal(r->name, names[i]);
	}
	assert_string_equal(bus_find(bus, BUS_SPACE_MMIO, 0x1FFF)->name, "a");
	assert_string_equal(bus_find(bus, BUS_SPACE_MMIO, 0x0FFF)->name, "zero");
	assert_null(bus_find(bus, BUS_SPACE_MMIO, 0x2000));
	assert_null(bus_find(bus, BUS_SPACE_MMIO, 0x8FFF));
	assert_null(bus_find(bus, BUS_SPACE_MMIO, 0xFED01000));
	assert_null(bus_find(bus, BUS_SPACE_MMIO, ~0ULL));
	assert_null(bus_find(bus, BUS_SPACE_PIO, 0x0));
	assert_null(bus_find(bus, BUS_SPACE_COUNT, 0x0));

	collect_index = 0;
	bus_for_each_region(bus, BUS_SPACE_MMIO, collect, seen);
	assert_int_equal(collect_index, 5);
	assert_int_equal(seen[0], 0x0);
	assert_int_equal(seen[1], 0x1000);
	assert_int_equal(seen[2], 0x9000);
	assert_int_equal(seen[3], 0xFEC00000);
	assert_int_equal(seen[4], 0xFED00000);
	bus_destroy(bus);
}

static void test_find_overlap(void **state)
{
	struct bus *bus = bus_create("vm0");
	struct recorder d;

	(void)state;
	assert_int_equal(bus_register_mmio(bus, "a", 0x1000, 0x1000, &rec_ops, &d, NULL), 0);
	assert_int_equal(bus_register_mmio(bus, "b", 0x4000, 0x1000, &rec_ops, &d, NULL), 0);
	assert_null(bus_find_overlap(bus, BUS_SPACE_MMIO, 0x0, 0x1000));
	assert_null(bus_find_overlap(bus, BUS_SPACE_MMIO, 0x2000, 0x2000));
	assert_null(bus_find_overlap(bus, BUS_SPACE_MMIO, 0x5000, 0x1000));
	assert_string_equal(bus_find_overlap(bus, BUS_SPACE_MMIO, 0x0, 0x1001)->name, "a");
	assert_string_equal(bus_find_overlap(bus, BUS_SPACE_MMIO, 0x1FFF, 1)->name, "a");
	assert_string_equal(bus_find_overlap(bus, BUS_SPACE_MMIO, 0x3000, 0x1001)->name, "b");
	/* The lowest of two overlapped regions is named. */
	assert_string_equal(bus_find_overlap(bus, BUS_SPACE_MMIO, 0x1800, 0x3000)->name, "a");
	/* A wrapping range reaches everything above its base. */
	assert_string_equal(bus_find_overlap(bus, BUS_SPACE_MMIO, 0x4800, ~0ULL)->name, "b");
	assert_null(bus_find_overlap(bus, BUS_SPACE_MMIO, 0x1000, 0));
	assert_null(bus_find_overlap(bus, BUS_SPACE_PIO, 0x1000, 0x1000));
	assert_null(bus_find_overlap(bus, BUS_SPACE_COUNT, 0x1000, 0x1000));
	assert_null(bus_find_overlap(NULL, BUS_SPACE_MMIO, 0x1000, 0x1000));
	bus_destroy(bus);
}

static void test_many_regions_grow(void **state)
{
	struct bus *bus = bus_create("vm0");
	struct recorder d;
	uint64_t v;

	(void)state;
	rec_fill(&d);
	/* Registered in descending order so every insert shifts the table. */
	for (int i = 999; i >= 0; i--)
		assert_int_equal(bus_register_mmio(bus, "dev", 0x100000 + (uint64_t)i * 0x2000,
						   0x1000, &rec_ops, &d, NULL), 0);
	for (unsigned i = 0; i < 1000; i++) {
		uint64_t base = 0x100000 + (uint64_t)i * 0x2000;

		assert_non_null(bus_find(bus, BUS_SPACE_MMIO, base));
		assert_non_null(bus_find(bus, BUS_SPACE_MMIO, base + 0xFFF));
		assert_null(bus_find(bus, BUS_SPACE_MMIO, base + 0x1000));
		assert_null(bus_find(bus, BUS_SPACE_MMIO, base + 0x1FFF));
	}
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x100000 + 500 * 0x2000 + 4, 1, &v), BUS_OK);
	assert_int_equal(v, 0x14);
	bus_destroy(bus);
}

static void test_plain_access_and_masking(void **state)
{
	struct bus *bus = bus_create("vm0");
	struct recorder d;
	uint64_t v;

	(void)state;
	rec_fill(&d);
	assert_int_equal(bus_register_mmio(bus, "ram-like", 0x1000, 64, &rec_ops, &d, NULL), 0);
	for (unsigned w = 1; w <= 8; w *= 2) {
		d.ncalls = 0;
		assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x1008, w, &v), BUS_OK);
		assert_int_equal(d.ncalls, 1);
		assert_int_equal(d.calls[0].offset, 8);
		assert_int_equal(d.calls[0].width, w);
		assert_int_equal(v, 0x1F1E1D1C1B1A1918ULL & (w == 8 ? ~0ULL : (1ULL << (8 * w)) - 1));
	}
	/* Write data above the width is not passed to the device. */
	d.ncalls = 0;
	assert_int_equal(do_write(bus, BUS_SPACE_MMIO, 0x1010, 2, 0xAABBCCDDULL), BUS_OK);
	assert_int_equal(d.calls[0].value, 0xCCDD);
	assert_int_equal(d.mem[16], 0xDD);
	assert_int_equal(d.mem[17], 0xCC);
	assert_int_equal(d.mem[18], 0x10 + 18);
	bus_destroy(bus);
}

static void test_invalid_accesses(void **state)
{
	struct bus *bus = bus_create("vm0");
	struct recorder d;
	struct bus_access acc;
	uint64_t v;

	(void)state;
	rec_fill(&d);
	assert_int_equal(bus_register_pio(bus, "last", 0xFFF8, 8, &rec_ops, &d, NULL), 0);
	assert_int_equal(bus_register_mmio(bus, "top", ~0ULL - 7, 8, &rec_ops, &d, NULL), 0);
	for (unsigned w = 0; w <= 16; w++) {
		if (w == 1 || w == 2 || w == 4 || w == 8)
			continue;
		assert_int_equal(do_read(bus, BUS_SPACE_PIO, 0xFFF8, w, &v), BUS_INVALID);
		assert_int_equal(v, ~0ULL);
		assert_int_equal(do_write(bus, BUS_SPACE_MMIO, ~0ULL - 7, w, 0), BUS_INVALID);
	}
	assert_int_equal(do_read(bus, BUS_SPACE_PIO, 0xFFFF, 2, &v), BUS_INVALID);
	assert_int_equal(v, 0xFFFF);
	assert_int_equal(do_read(bus, BUS_SPACE_PIO, 0x10000, 1, &v), BUS_INVALID);
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, ~0ULL - 2, 4, &v), BUS_INVALID);
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, ~0ULL - 3, 4, &v), BUS_OK);
	acc = (struct bus_access){ .space = 7, .dir = BUS_READ, .addr = 0, .width = 1 };
	assert_int_equal(bus_dispatch(bus, &acc), BUS_INVALID);
	assert_int_equal(bus_dispatch(NULL, &acc), BUS_INVALID);
	assert_int_equal(bus_dispatch(bus, NULL), BUS_INVALID);
	/* A direction that is neither read nor write is treated as a read. */
	acc = (struct bus_access){ .space = BUS_SPACE_PIO, .dir = 5, .addr = 0xFFF8, .width = 1 };
	assert_int_equal(bus_dispatch(bus, &acc), BUS_OK);
	assert_int_equal(acc.data, 0x10);
	assert_int_equal(d.ncalls, 2);
	bus_destroy(bus);
}

static void test_crossing_end_rejected(void **state)
{
	struct bus *bus = bus_create("vm0");
	struct recorder d;
	struct bus_rules rules = { .unaligned_ok = true };
	uint64_t v;

	(void)state;
	rec_fill(&d);
	assert_int_equal(bus_register_pio(bus, "dev", 0x510, 2, &rec_ops, &d, &rules), 0);
	assert_int_equal(do_read(bus, BUS_SPACE_PIO, 0x511, 2, &v), BUS_REJECTED);
	assert_int_equal(v, 0xFFFF);
	assert_int_equal(do_write(bus, BUS_SPACE_PIO, 0x510, 4, 0), BUS_REJECTED);
	assert_int_equal(d.ncalls, 0);
	assert_int_equal(bus_find(bus, BUS_SPACE_PIO, 0x510)->rejected, 2);
	assert_int_equal(do_read(bus, BUS_SPACE_PIO, 0x511, 1, &v), BUS_OK);
	assert_int_equal(v, 0x11);
	bus_destroy(bus);
}

static void test_alignment_rules(void **state)
{
	struct bus *bus = bus_create("vm0");
	struct recorder d;
	struct bus_rules strict = { .unaligned_ok = false };
	struct bus_rules lax = { .unaligned_ok = true };
	uint64_t v;

	(void)state;
	rec_fill(&d);
	assert_int_equal(bus_register_mmio(bus, "strict", 0x1000, 64, &rec_ops, &d, &strict), 0);
	assert_int_equal(bus_register_mmio(bus, "lax", 0x2000, 64, &rec_ops, &d, &lax), 0);
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x1002, 4, &v), BUS_REJECTED);
	assert_int_equal(v, 0xFFFFFFFF);
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x1001, 2, &v), BUS_REJECTED);
	assert_int_equal(do_write(bus, BUS_SPACE_MMIO, 0x1004, 8, 1), BUS_REJECTED);
	assert_int_equal(d.ncalls, 0);
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x1004, 4, &v), BUS_OK);
	assert_int_equal(v, 0x17161514);
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x1003, 1, &v), BUS_OK);
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x2003, 4, &v), BUS_OK);
	assert_int_equal(v, 0x16151413);
	assert_int_equal(d.calls[d.ncalls - 1].offset, 3);
	assert_int_equal(bus_find(bus, BUS_SPACE_MMIO, 0x1000)->rejected, 3);
	assert_int_equal(bus_find(bus, BUS_SPACE_MMIO, 0x2000)->rejected, 0);
	bus_destroy(bus);
}

static void test_oversize_split(void **state)
{
	struct bus *bus = bus_create("vm0");
	struct recorder d;
	struct bus_rules rules = { .max_width = 2, .oversize = BUS_OVERSIZE_SPLIT };
	uint64_t v;

	(void)state;
	rec_fill(&d);
	assert_int_equal(bus_register_mmio(bus, "narrow", 0x1000, 64, &rec_ops, &d, &rules), 0);
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x1008, 8, &v), BUS_OK);
	assert_int_equal(v, 0x1F1E1D1C1B1A1918ULL);
	assert_int_equal(d.ncalls, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_false(d.calls[i].write);
		assert_int_equal(d.calls[i].offset, 8 + 2 * i);
		assert_int_equal(d.calls[i].width, 2);
	}
	d.ncalls = 0;
	assert_int_equal(do_write(bus, BUS_SPACE_MMIO, 0x1010, 4, 0x44332211), BUS_OK);
	assert_int_equal(d.ncalls, 2);
	assert_int_equal(d.calls[0].offset, 0x10);
	assert_int_equal(d.calls[0].value, 0x2211);
	assert_int_equal(d.calls[1].offset, 0x12);
	assert_int_equal(d.calls[1].value, 0x4433);
	/* Unaligned for the piece width is still refused, as a whole. */
	d.ncalls = 0;
	assert_int_equal(do_write(bus, BUS_SPACE_MMIO, 0x1001, 4, 0), BUS_REJECTED);
	assert_int_equal(d.ncalls, 0);
	/* A split access is one access in the statistics. */
	assert_int_equal(bus_find(bus, BUS_SPACE_MMIO, 0x1000)->reads, 1);
	assert_int_equal(bus_find(bus, BUS_SPACE_MMIO, 0x1000)->writes, 1);
	bus_destroy(bus);
}

static void test_oversize_split_unaligned_ok(void **state)
{
	struct bus *bus = bus_create("vm0");
	struct recorder d;
	struct bus_rules rules = { .max_width = 1, .unaligned_ok = true };
	uint64_t v;

	(void)state;
	rec_fill(&d);
	assert_int_equal(bus_register_pio(bus, "bytes", 0x60, 8, &rec_ops, &d, &rules), 0);
	assert_int_equal(do_read(bus, BUS_SPACE_PIO, 0x61, 4, &v), BUS_OK);
	assert_int_equal(v, 0x14131211);
	assert_int_equal(d.ncalls, 4);
	assert_int_equal(d.calls[3].offset, 4);
	bus_destroy(bus);
}

static void test_oversize_reject(void **state)
{
	struct bus *bus = bus_create("vm0");
	struct recorder d;
	struct bus_rules rules = { .max_width = 4, .oversize = BUS_OVERSIZE_REJECT };
	uint64_t v;

	(void)state;
	rec_fill(&d);
	assert_int_equal(bus_register_mmio(bus, "w32", 0x1000, 64, &rec_ops, &d, &rules), 0);
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x1000, 8, &v), BUS_REJECTED);
	assert_int_equal(v, ~0ULL);
	assert_int_equal(do_write(bus, BUS_SPACE_MMIO, 0x1000, 8, 0), BUS_REJECTED);
	assert_int_equal(d.ncalls, 0);
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x1000, 4, &v), BUS_OK);
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x1000, 1, &v), BUS_OK);
	assert_int_equal(v, 0x10);
	bus_destroy(bus);
}

static void test_undersize_extend(void **state)
{
	struct bus *bus = bus_create("vm0");
	struct recorder d;
	struct bus_rules rules = { .min_width = 4, .max_width = 4,
				   .undersize = BUS_UNDERSIZE_EXTEND };
	uint64_t v;

	(void)state;
	rec_fill(&d);
	assert_int_equal(bus_register_mmio(bus, "w32", 0x1000, 64, &rec_ops, &d, &rules), 0);
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x1006, 2, &v), BUS_OK);
	assert_int_equal(v, 0x1716);
	assert_int_equal(d.ncalls, 1);
	assert_int_equal(d.calls[0].offset, 4);
	assert_int_equal(d.calls[0].width, 4);
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x1007, 1, &v), BUS_OK);
	assert_int_equal(v, 0x17);

	/* Read-modify-write keeps the neighbouring bytes. */
	d.ncalls = 0;
	assert_int_equal(do_write(bus, BUS_SPACE_MMIO, 0x1009, 1, 0xAB), BUS_OK);
	assert_int_equal(d.ncalls, 2);
	assert_false(d.calls[0].write);
	assert_true(d.calls[1].write);
	assert_int_equal(d.calls[1].offset, 8);
	assert_int_equal(d.calls[1].width, 4);
	assert_int_equal(d.calls[1].value, 0x1B1AAB18);

	/* Unaligned narrow access refused when unaligned_ok is false. */
	d.ncalls = 0;
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x1001, 2, &v), BUS_REJECTED);
	assert_int_equal(v, 0xFFFF);
	assert_int_equal(d.ncalls, 0);
	bus_destroy(bus);
}

static void test_undersize_extend_straddle_and_short_region(void **state)
{
	struct bus *bus = bus_create("vm0");
	struct recorder d;
	struct bus_rules rules = { .min_width = 4, .unaligned_ok = true,
				   .undersize = BUS_UNDERSIZE_EXTEND };
	uint64_t v;

	(void)state;
	rec_fill(&d);
	assert_int_equal(bus_register_mmio(bus, "w32", 0x1000, 6, &rec_ops, &d, &rules), 0);
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x1001, 2, &v), BUS_OK);
	assert_int_equal(v, 0x1211);
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x1003, 2, &v), BUS_REJECTED);
	/* The containing word 4..7 does not fit in a 6-byte region. */
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x1004, 1, &v), BUS_REJECTED);
	assert_int_equal(v, 0xFF);
	assert_int_equal(d.ncalls, 1);
	bus_destroy(bus);
}

static void test_undersize_reject(void **state)
{
	struct bus *bus = bus_create("vm0");
	struct recorder d;
	struct bus_rules rules = { .min_width = 2, .max_width = 2,
				   .undersize = BUS_UNDERSIZE_REJECT, .oversize = BUS_OVERSIZE_REJECT };
	uint64_t v;

	(void)state;
	rec_fill(&d);
	assert_int_equal(bus_register_mmio(bus, "sel", 0x9020008, 2, &rec_ops, &d, &rules), 0);
	assert_int_equal(do_write(bus, BUS_SPACE_MMIO, 0x9020008, 1, 0), BUS_REJECTED);
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x9020009, 1, &v), BUS_REJECTED);
	assert_int_equal(v, 0xFF);
	assert_int_equal(do_write(bus, BUS_SPACE_MMIO, 0x9020008, 4, 0), BUS_REJECTED);
	assert_int_equal(d.ncalls, 0);
	assert_int_equal(do_write(bus, BUS_SPACE_MMIO, 0x9020008, 2, 0x1900), BUS_OK);
	assert_int_equal(d.calls[0].value, 0x1900);
	assert_int_equal(bus_find(bus, BUS_SPACE_MMIO, 0x9020008)->rejected, 3);
	bus_destroy(bus);
}

static void test_all_rule_combinations(void **state)
{
	/* Against a byte-array model: every rule set, width and offset. */
	static const unsigned widths[] = { 1, 2, 4, 8 };
	struct bus_rules rules;
	uint64_t v;

	(void)state;
	log_set_level(LOG_ERROR);
	for (unsigned mi = 0; mi < 4; mi++)
	for (unsigned ma = mi; ma < 4; ma++)
	for (unsigned flags = 0; flags < 8; flags++) {
		struct bus *bus = bus_create("combo");
		struct recorder d;

		rules = (struct bus_rules){
			.min_width = widths[mi], .max_width = widths[ma],
			.unaligned_ok = flags & 1,
			.oversize = (flags & 2) ? BUS_OVERSIZE_REJECT : BUS_OVERSIZE_SPLIT,
			.undersize = (flags & 4) ? BUS_UNDERSIZE_REJECT : BUS_UNDERSIZE_EXTEND,
		};
		rec_fill(&d);
		assert_int_equal(bus_register_mmio(bus, "m", 0x1000, 16, &rec_ops, &d, &rules), 0);
		for (unsigned wi = 0; wi < 4; wi++)
		for (unsigned off = 0; off < 16; off++) {
			unsigned w = widths[wi], minw = widths[mi], maxw = widths[ma];
			bool ok = off + w <= 16;
			enum bus_result res;

			if (w > maxw) {
				ok = ok && !(flags & 2) && ((flags & 1) || off % maxw == 0);
			} else if (w < minw) {
				unsigned word = off & ~(minw - 1);

				ok = ok && !(flags & 4) && ((flags & 1) || off % w == 0) &&
				     off + w <= word + minw && word + minw <= 16;
			} else {
				ok = ok && ((flags & 1) || off % w == 0);
			}
			d.ncalls = 0;
			res = do_read(bus, BUS_SPACE_MMIO, 0x1000 + off, w, &v);
			assert_int_equal(res, ok ? BUS_OK : BUS_REJECTED);
			if (ok) {
				uint64_t expect = 0;

				for (unsigned i = 0; i < w; i++)
					expect |= (uint64_t)d.mem[off + i] << (8 * i);
				assert_int_equal(v, expect);
				for (unsigned c = 0; c < d.ncalls; c++) {
					assert_true(d.calls[c].width >= minw);
					assert_true(d.calls[c].width <= maxw);
					assert_true(d.calls[c].offset + d.calls[c].width <= 16);
					if (!(flags & 1))
						assert_int_equal(d.calls[c].offset % d.calls[c].width, 0);
				}
			} else {
				assert_int_equal(d.ncalls, 0);
				assert_int_equal(v, w == 8 ? ~0ULL : (1ULL << (8 * w)) - 1);
			}
			/* Writes change exactly the addressed bytes. */
			{
				uint8_t before[64];

				memcpy(before, d.mem, sizeof(before));
				res = do_write(bus, BUS_SPACE_MMIO, 0x1000 + off, w,
					       0xA1B2C3D4E5F60718ULL);
				assert_int_equal(res, ok ? BUS_OK : BUS_REJECTED);
				for (unsigned i = 0; i < 64; i++) {
					bool hit = ok && i >= off && i < off + w;

					if (hit)
						assert_int_equal(d.mem[i],
							 (uint8_t)(0xA1B2C3D4E5F60718ULL >> (8 * (i - off))));
					else
						assert_int_equal(d.mem[i], before[i]);
				}
			}
		}
		bus_destroy(bus);
	}
}

static void test_unassigned_pio(void **state)
{
	struct bus *bus = bus_create("vm0");
	uint64_t v;

	(void)state;
	log_set_level(LOG_INFO);
	host_console_clear();
	assert_int_equal(do_read(bus, BUS_SPACE_PIO, 0xAF00, 1, &v), BUS_UNASSIGNED);
	assert_int_equal(v, 0xFF);
	assert_int_equal(do_read(bus, BUS_SPACE_PIO, 0xAF00, 2, &v), BUS_UNASSIGNED);
	assert_int_equal(v, 0xFFFF);
	assert_int_equal(do_read(bus, BUS_SPACE_PIO, 0xAF00, 4, &v), BUS_UNASSIGNED);
	assert_int_equal(v, 0xFFFFFFFF);
	assert_int_equal(do_write(bus, BUS_SPACE_PIO, 0x80, 1, 0x12), BUS_UNASSIGNED);
	assert_int_equal(bus_unassigned_count(bus, BUS_SPACE_PIO), 4);
	assert_int_equal(bus_unassigned_count(bus, BUS_SPACE_MMIO), 0);
	/* Silent at info level. */
	assert_string_equal(host_console_text(), "");
	bus_destroy(bus);
}

static unsigned count_occurrences(const char *text, const char *needle)
{
	unsigned n = 0;

	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_unassigned_mmio_reported_once(void **state)
{
	struct bus *bus = bus_create("vm0");
	uint64_t v;

	(void)state;
	host_console_clear();
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0xFEE00000, 4, &v), BUS_UNASSIGNED);
		assert_int_equal(v, 0xFFFFFFFF);
		assert_int_equal(do_write(bus, BUS_SPACE_MMIO, 0xFEE00000, 4, 1), BUS_UNASSIGNED);
	}
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x0, 8, &v), BUS_UNASSIGNED);
	assert_int_equal(v, ~0ULL);
	assert_int_equal(count_occurrences(host_console_text(), "0xfee00000"), 1);
	assert_int_equal(count_occurrences(host_console_text(), "unassigned mmio"), 2);

	/* A storm of distinct addresses: 16 lines, then logarithmic summaries. */
	host_console_clear();
	for (unsigned i = 0; i < 100000; i++)
		do_read(bus, BUS_SPACE_MMIO, 0x100000 + (uint64_t)i * 4, 4, &v);
	assert_int_equal(count_occurrences(host_console_text(), "unassigned mmio read"), 14);
	assert_int_equal(count_occurrences(host_console_text(), "not reported individually"), 17);
	assert_non_null(strstr(host_console_text(), "65536 more unassigned mmio accesses"));
	assert_int_equal(bus_unassigned_count(bus, BUS_SPACE_MMIO), 100011);
	bus_destroy(bus);
}

static void test_rejected_reported_and_limited(void **state)
{
	struct bus *bus = bus_create("vm0");
	struct recorder d;
	struct bus_rules rules = { .min_width = 4, .undersize = BUS_UNDERSIZE_REJECT };
	uint64_t v;

	(void)state;
	rec_fill(&d);
	assert_int_equal(bus_register_mmio(bus, "gicd", 0x8000000, 0x10000, &rec_ops, &d, &rules), 0);
	host_console_clear();
	assert_int_equal(do_read(bus, BUS_SPACE_MMIO, 0x8000004, 1, &v), BUS_REJECTED);
	assert_non_null(strstr(host_console_text(), "gicd"));
	assert_non_null(strstr(host_console_text(), "0x8000004"));
	assert_non_null(strstr(host_console_text(), "narrower"));
	for (unsigned i = 0; i < 10000; i++)
		do_write(bus, BUS_SPACE_MMIO, 0x8000004, 2, 0);
	assert_int_equal(count_occurrences(host_console_text(), "refused mmio"), 16);
	assert_true(count_occurrences(host_console_text(), "refused accesses so far") <= 10);
	assert_int_equal(bus_find(bus, BUS_SPACE_MMIO, 0x8000000)->rejected, 10001);
	assert_int_equal(bus_find(bus, BUS_SPACE_MMIO, 0x8000000)->reads, 0);
	assert_int_equal(bus_find(bus, BUS_SPACE_MMIO, 0x8000000)->writes, 0);
	assert_int_equal(d.ncalls, 0);
	bus_destroy(bus);
}

static void test_statistics(void **state)
{
	struct bus *bus = bus_create("vm0");
	struct recorder d;
	uint64_t v;

	(void)state;
	rec_fill(&d);
	assert_int_equal(bus_register_pio(bus, "cmos", 0x70, 2, &rec_ops, &d, NULL), 0);
	for (unsigned i = 0; i < 7; i++)
		do_write(bus, BUS_SPACE_PIO, 0x70, 1, i);
	for (unsigned i = 0; i < 3; i++)
		do_read(bus, BUS_SPACE_PIO, 0x71, 1, &v);
	do_read(bus, BUS_SPACE_PIO, 0x71, 2, &v);
	do_read(bus, BUS_SPACE_PIO, 0x72, 1, &v);
	assert_int_equal(bus_find(bus, BUS_SPACE_PIO, 0x70)->writes, 7);
	assert_int_equal(bus_find(bus, BUS_SPACE_PIO, 0x70)->reads, 3);
	assert_int_equal(bus_find(bus, BUS_SPACE_PIO, 0x70)->rejected, 1);
	assert_int_equal(bus_unassigned_count(bus, BUS_SPACE_PIO), 1);
	bus_destroy(bus);
}

/* A handler that registers regions while the bus is dispatching to it. */
struct rebinding {
	struct bus *bus;
	struct recorder target;
	unsigned next;
};

static void rebind_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct rebinding *rb = opaque;

	(void)offset;
	(void)width;
	(void)value;
	for (unsigned i = 0; i < 40; i++, rb->next++)
		bus_register_pio(rb->bus, "bar", (uint16_t)(0x1000 + rb->next * 4), 4, &rec_ops,
				 &rb->target, NULL);
}

static uint64_t rebind_read(void *opaque, uint64_t offset, unsigned width)
{
	(void)opaque;
	(void)offset;
	(void)width;
	return 0;
}

static void test_handler_registers_during_dispatch(void **state)
{
	static const struct bus_ops ops = { .read = rebind_read, .write = rebind_write };
	struct rebinding rb = { 0 };
	struct bus_rules rules = { .max_width = 1 };

	(void)state;
	rb.bus = bus_create("vm0");
	assert_int_equal(bus_register_pio(rb.bus, "pci-cfg", 0xCFC, 4, &ops, &rb, &rules), 0);
	/* Split into four calls; the table is reallocated under the first. */
	assert_int_equal(do_write(rb.bus, BUS_SPACE_PIO, 0xCFC, 4, 0), BUS_OK);
	assert_int_equal(rb.next, 160);
	assert_int_equal(bus_find(rb.bus, BUS_SPACE_PIO, 0xCFC)->writes, 1);
	assert_non_null(bus_find(rb.bus, BUS_SPACE_PIO, 0x1000 + 159 * 4));
	bus_destroy(rb.bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_register_and_overlap_names_both, setup),
		cmocka_unit_test_setup(test_register_invalid, setup),
		cmocka_unit_test_setup(test_lookup_edges_and_order, setup),
		cmocka_unit_test_setup(test_find_overlap, setup),
		cmocka_unit_test_setup(test_many_regions_grow, setup),
		cmocka_unit_test_setup(test_plain_access_and_masking, setup),
		cmocka_unit_test_setup(test_invalid_accesses, setup),
		cmocka_unit_test_setup(test_crossing_end_rejected, setup),
		cmocka_unit_test_setup(test_alignment_rules, setup),
		cmocka_unit_test_setup(test_oversize_split, setup),
		cmocka_unit_test_setup(test_oversize_split_unaligned_ok, setup),
		cmocka_unit_test_setup(test_oversize_reject, setup),
		cmocka_unit_test_setup(test_undersize_extend, setup),
		cmocka_unit_test_setup(test_undersize_extend_straddle_and_short_region, setup),
		cmocka_unit_test_setup(test_undersize_reject, setup),
		cmocka_unit_test_setup(test_all_rule_combinations, setup),
		cmocka_unit_test_setup(test_unassigned_pio, setup),
		cmocka_unit_test_setup(test_unassigned_mmio_reported_once, setup),
		cmocka_unit_test_setup(test_rejected_reported_and_limited, setup),
		cmocka_unit_test_setup(test_statistics, setup),
		cmocka_unit_test_setup(test_handler_registers_during_dispatch, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
