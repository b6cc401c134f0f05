/* SPDX-License-Identifier: MIT */
/*
 * A guest for the virtio tests: RAM on a struct guest_mem, a bus, and the
 * driver side of a split virtqueue laid out the way Linux's vring_init()
 * does (descriptors, available ring with used_event, used ring with
 * avail_event at the next 4 KiB).  Every register access goes through
 * bus_dispatch, exactly as a trapped guest access would.
 */
#ifndef VIRTIO_TEST_GUEST_H
#define VIRTIO_TEST_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bus/bus.h>
#include <bus/guest_mem.h>

#define RAM_BASE 0x40000000ull
#define RAM_SIZE (4u << 20)
#define RAM_END  (RAM_BASE + RAM_SIZE)

/* Where the tests put things in guest RAM. */
#define RING_GPA     (RAM_BASE + 0x10000)   /* queue 0, up to 256 entries */
#define INDIRECT_GPA (RAM_BASE + 0x30000)   /* indirect tables            */
#define HDR_GPA      (RAM_BASE + 0x40000)   /* request headers            */
#define STATUS_GPA   (RAM_BASE + 0x48000)   /* status bytes               */
#define DATA_GPA     (RAM_BASE + 0x100000)  /* data buffers               */

struct test_guest {
	struct bus *bus;
	struct guest_mem mem;
	uint8_t *ram;
	/* The driver's view of queue 0. */
	unsigned size;
	uint64_t desc, avail, used;
	uint16_t avail_idx;                 /* next available entry         */
	uint16_t last_used;                 /* next used entry to look at   */
};

static inline void guest_init(struct test_guest *g)
{
	memset(g, 0, sizeof(*g));
	g->bus = bus_create("guest");
	g->ram = calloc(1, RAM_SIZE);
	guest_mem_init(&g->mem);
	guest_mem_add(&g->mem, RAM_BASE, RAM_SIZE, g->ram, false);
}

static inline void guest_fini(struct test_guest *g)
{
	bus_destroy(g->bus);
	free(g->ram);
}

static inline uint8_t *gp(struct test_guest *g, uint64_t gpa)
{
	return g->ram + (gpa - RAM_BASE);
}

static inline void put16(struct test_guest *g, uint64_t gpa, uint16_t v)
{
	uint8_t *p = gp(g, gpa);
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put32(struct test_guest *g, uint64_t gpa, uint32_t v)
{
	put16(g, gpa, (uint16_t)v);
	put16(g, gpa + 2, (uint16_t)(v >> 16));
}

static inline void put64(struct test_guest *g, uint64_t gpa, uint64_t v)
{
	put32(g, gpa, (uint32_t)v);
	put32(g, gpa + 4, (uint32_t)(v >> 32));
}

static inline uint16_t get16(struct test_guest *g, uint64_t gpa)
{
	uint8_t *p = gp(g, gpa);
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get32(struct test_guest *g, uint64_t gpa)
{
	return get16(g, gpa) | (uint32_t)get16(g, gpa + 2) << 16;
}

/* ---- bus accesses ---------------------------------------------------- */

static inline uint64_t guest_rw(struct test_guest *g, enum bus_space space, bool write,
				uint64_t addr, unsigned width, uint64_t value,
				enum bus_result *result)
{
	struct bus_access acc = {
		.space = space, .dir = write ? BUS_WRITE : BUS_READ, .addr = addr,
		.width = width, .data = value,
	};
	enum bus_result r = bus_dispatch(g->bus, &acc);
	if (result)
		*result = r;
	return acc.data;
}

static inline uint32_t rd32(struct test_guest *g, uint64_t addr)
{
	return (uint32_t)guest_rw(g, BUS_SPACE_MMIO, false, addr, 4, 0, NULL);
}

static inline void wr32(struct test_guest *g, uint64_t addr, uint32_t v)
{
	guest_rw(g, BUS_SPACE_MMIO, true, addr, 4, v, NULL);
}

static inline uint64_t rd(struct test_guest *g, uint64_t addr, unsigned width)
{
	return guest_rw(g, BUS_SPACE_MMIO, false, addr, width, 0, NULL);
}

static inline void wr(struct test_guest *g, uint64_t addr, unsigned width, uint64_t v)
{
	guest_rw(g, BUS_SPACE_MMIO, true, addr, width, v, NULL);
}

static inline uint32_t inp(struct test_guest *g, uint16_t port, unsigned width)
{
	return (uint32_t)guest_rw(g, BUS_SPACE_PIO, false, port, width, 0, NULL);
}

static inline void outp(struct test_guest *g, uint16_t port, unsigned width, uint32_t v)
{
	guest_rw(g, BUS_SPACE_PIO, true, port, width, v, NULL);
}

/* ---- the driver side of a split ring ---------------------------------- */

/* Linux's vring_init(): used ring at the next 4 KiB after the available ring. */
static inline void ring_layout(struct test_guest *g, uint64_t base, unsigned size)
{
	g->size = size;
	g->desc = base;
	g->avail = base + 16ull * size;
	g->used = (g->avail + 6 + 2ull * size + 4095) & ~4095ull;
	g->avail_idx = 0;
	g->last_used = 0;
	memset(gp(g, base), 0, (size_t)(g->used + 6 + 8ull * size - base));
}

static inline void set_desc_in(struct test_guest *g, uint64_t table, unsigned i, uint64_t addr,
			       uint32_t len, uint16_t flags, uint16_t next)
{
	uint64_t d = table + 16ull * i;
	put64(g, d, addr);
	put32(g, d + 8, len);
	put16(g, d + 12, flags);
	put16(g, d + 14, next);
}

static inline void set_desc(struct test_guest *g, unsigned i, uint64_t addr, uint32_t len,
			    uint16_t flags, uint16_t next)
{
	set_desc_in(g, g->desc, i, addr, len, flags, next);
}

/* Publishes head: ring entry, then (after the barrier a driver needs) the index. */
static inline void avail_add(struct test_guest *g, uint16_t head)
{
	put16(g, g->avail + 4 + 2ull * (g->avail_idx % g->size), head);
	g->avail_idx++;
	put16(g, g->avail + 2, g->avail_idx);
}

static inline uint16_t used_idx(struct test_guest *g)
{
	return get16(g, g->used + 2);
}

static inline uint32_t used_id(struct test_guest *g, uint16_t i)
{
	return get32(g, g->used + 4 + 8ull * (i % g->size));
}

static inline uint32_t used_len(struct test_guest *g, uint16_t i)
{
	return get32(g, g->used + 8 + 8ull * (i % g->size));
}

static inline void set_used_event(struct test_guest *g, uint16_t event)
{
	put16(g, g->avail + 4 + 2ull * g->size, event);
}

static inline uint16_t avail_event(struct test_guest *g)
{
	return get16(g, g->used + 4 + 8ull * g->size);
}

#endif
