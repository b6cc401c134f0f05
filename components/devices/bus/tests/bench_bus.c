/* SPDX-License-Identifier: MIT */
/*
 * How long bus_dispatch() takes: a PC-like layout (about 30 port and 30
 * MMIO regions), then growing MMIO tables to show that lookup cost grows
 * with log2(regions).  Addresses are drawn in advance from a fixed
 * pseudo-random sequence so that the loop measures the bus, not the
 * generator.  Time is CPU time of the process, so that other load on the
 * machine disturbs the numbers less.  Prints ns per access.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <bus/bus.h>
#include <core/log.h>

#define ACCESSES (1u << 21)   /* per measurement, ~2 million */
#define ROUNDS   3            /* best of */

static uint64_t sink;

static uint64_t nop_read(void *opaque, uint64_t offset, unsigned width)
{
	(void)opaque;
	return offset + width;
}

static void nop_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	(void)opaque;
	sink += offset ^ width ^ value;
}

static const struct bus_ops nop_ops = { .read = nop_read, .write = nop_write };

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct range {
	uint64_t base, size;
};

static const struct range pc_ports[] = {
	{ 0x00, 0x10 }, { 0x20, 2 }, { 0x40, 4 }, { 0x60, 1 }, { 0x61, 1 }, { 0x64, 1 },
	{ 0x70, 2 }, { 0x80, 1 }, { 0x81, 0xF }, { 0x92, 1 }, { 0xA0, 2 }, { 0xB2, 2 },
	{ 0xC0, 0x20 }, { 0xE9, 1 }, { 0xF0, 1 }, { 0x170, 8 }, { 0x1F0, 8 }, { 0x2E8, 8 },
	{ 0x2F8, 8 }, { 0x376, 1 }, { 0x378, 3 }, { 0x3C0, 0x20 }, { 0x3E8, 8 }, { 0x3F0, 6 },
	{ 0x3F6, 1 }, { 0x3F8, 8 }, { 0x402, 1 }, { 0x4D0, 2 }, { 0x510, 2 }, { 0x514, 8 },
	{ 0x600, 0x80 }, { 0xCF8, 4 }, { 0xCFC, 4 },
};

static void register_pc(struct bus *bus, struct range *mmio, unsigned *nmmio)
{
	static const struct range fixed[] = {
		{ 0xA0000, 0x20000 }, { 0xB0000000, 0x10000000 }, { 0xFEC00000, 0x1000 },
		{ 0xFED00000, 0x400 }, { 0xFED1C000, 0x4000 }, { 0xFEE00000, 0x1000 },
		{ 0xFFC00000, 0x400000 }, { 0xFD000000, 0x1000000 }, { 0xFEBD0000, 0x10000 },
	};
	unsigned n = 0;

	for (unsigned i = 0; i < sizeof(pc_ports) / sizeof(pc_ports[0]); i++)
		if (bus_register_pio(bus, "pio", (uint16_t)pc_ports[i].base,
				     (uint16_t)pc_ports[i].size, &nop_ops, NULL, NULL))
			abort();
	for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		mmio[n++] = fixed[i];
	/* virtio / PCI BARs */
	for (unsigned i = 0; i < 21; i++)
		mmio[n++] = (struct range){ 0xFEBE0000 + i * 0x1000, 0x1000 };
	for (unsigned i = 0; i < n; i++)
		if (bus_register_mmio(bus, "mmio", mmio[i].base, mmio[i].size, &nop_ops, NULL, NULL))
			abort();
	*nmmio = n;
}

/* Best-of-ROUNDS ns per dispatch over a prepared address list. */
static double measure(struct bus *bus, enum bus_space space, const uint64_t *addrs,
		      enum bus_result expect)
{
	double best = 1e30;

	for (unsigned round = 0; round < ROUNDS; round++) {
		double t0 = now_ns(), dt;

		for (unsigned i = 0; i < ACCESSES; i++) {
			struct bus_access acc = { .space = space, .dir = BUS_READ, .addr = addrs[i],
						  .width = 1 };

			if (bus_dispatch(bus, &acc) != expect)
				abort();
			sink += acc.data;
		}
		dt = (now_ns() - t0) / ACCESSES;
		if (dt < best)
			best = dt;
	}
	return best;
}

static void fill_hits(uint64_t *addrs, const struct range *r, unsigned n)
{
	for (unsigned i = 0; i < ACCESSES; i++) {
		const struct range *x = &r[rng() % n];

		addrs[i] = x->base + rng() % x->size;
	}
}

static void fill_misses(uint64_t *addrs, struct bus *bus, enum bus_space space, uint64_t limit)
{
	for (unsigned i = 0; i < ACCESSES; i++) {
		uint64_t a;

		do
			a = rng() % limit;
		while (bus_find(bus, space, a));
		addrs[i] = a;
	}
}

static void row(const char *what, unsigned regions, double hit, double miss)
{
	printf("  %-28s %8u %12.1f %12.1f\n", what, regions, hit, miss);
}

int main(void)
{
	uint64_t *addrs = malloc(sizeof(*addrs) * ACCESSES);
	struct range *mmio = malloc(sizeof(*mmio) * 100000);
	struct bus *bus = bus_create("bench");
	unsigned nmmio, nports = sizeof(pc_ports) / sizeof(pc_ports[0]);
	double hit, miss;

	if (!addrs || !mmio || !bus)
		return 1;
	/* Misses are reported through the log; keep the console quiet. */
	log_set_level(LOG_ERROR);

	printf("bus_dispatch, 1-byte reads, ns per access (best of %u x %u accesses)\n",
	       ROUNDS, ACCESSES);
	printf("  %-28s %8s %12s %12s\n", "layout", "regions", "hit ns", "miss ns");

	register_pc(bus, mmio, &nmmio);
	fill_hits(addrs, pc_ports, nports);
	hit = measure(bus, BUS_SPACE_PIO, addrs, BUS_OK);
	fill_misses(addrs, bus, BUS_SPACE_PIO, 0x10000);
	miss = measure(bus, BUS_SPACE_PIO, addrs, BUS_UNASSIGNED);
	row("PC ports", nports, hit, miss);
	fill_hits(addrs, mmio, nmmio);
	hit = measure(bus, BUS_SPACE_MMIO, addrs, BUS_OK);
	fill_misses(addrs, bus, BUS_SPACE_MMIO, 0x100000000ULL);
	miss = measure(bus, BUS_SPACE_MMIO, addrs, BUS_UNASSIGNED);
	row("PC MMIO", nmmio, hit, miss);
	bus_destroy(bus);

	/* Scaling: n MMIO regions of 4 KiB with 4 KiB gaps. */
	for (unsigned n = 16; n <= 65536; n *= 4) {
		char label[32];

		bus = bus_create("bench");
		if (!bus)
			return 1;
		for (unsigned i = 0; i < n; i++) {
			mmio[i] = (struct range){ 0x100000000ULL + (uint64_t)i * 0x2000, 0x1000 };
			if (bus_register_mmio(bus, "dev", mmio[i].base, 0x1000, &nop_ops, NULL, NULL))
				abort();
		}
		fill_hits(addrs, mmio, n);
		hit = measure(bus, BUS_SPACE_MMIO, addrs, BUS_OK);
		for (unsigned i = 0; i < ACCESSES; i++)
			addrs[i] = mmio[rng() % n].base + 0x1000 + rng() % 0x1000;
		miss = measure(bus, BUS_SPACE_MMIO, addrs, BUS_UNASSIGNED);
		snprintf(label, sizeof(label), "MMIO, %u regions", n);
		row(label, n, hit, miss);
		bus_destroy(bus);
	}
	printf("(checksum %llu)\n", (unsigned long long)sink);
	free(addrs);
	free(mmio);
	return 0;
}
