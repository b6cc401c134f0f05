/* SPDX-License-Identifier: MIT */
/*
 * The device bus: one per VM.  Every trapped guest access (an I/O port
 * instruction on x86, a stage-2/EPT fault on a device range) is decoded
 * once by the vCPU backend into a struct bus_access and handed to
 * bus_dispatch(), which finds the device owning the address and calls it.
 *
 *   vCPU exit --decode--> struct bus_access --bus_dispatch--> region ops
 *
 * Lookup is a binary search over ranges kept sorted per address space.
 * Devices declare which access widths they accept; the bus splits or
 * rejects everything else, so a handler only ever sees widths it asked
 * for, at offsets inside its region.
 */
#ifndef BUS_BUS_H
#define BUS_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bus_space {
	BUS_SPACE_PIO = 0,   /* x86 I/O ports, 0 .. 0xFFFF                 */
	BUS_SPACE_MMIO = 1,  /* guest-physical addresses                   */
	BUS_SPACE_COUNT
};

enum bus_dir {
	BUS_READ = 0,
	BUS_WRITE = 1,
};

/* One guest access, the same on every architecture. */
struct bus_access {
	enum bus_space space;
	enum bus_dir dir;
	uint64_t addr;    /* port number or guest-physical address        */
	unsigned width;   /* bytes: 1, 2, 4 or 8                          */
	uint64_t data;    /* write: value in the low width bytes;
			     read: filled in by bus_dispatch()            */
};

/* What bus_dispatch() did with an access. */
enum bus_result {
	BUS_OK = 0,          /* a device handled it                       */
	BUS_UNASSIGNED = 1,  /* nobody owns the address: reads all-ones   */
	BUS_REJECTED = 2,    /* the owner refused this width/alignment:
				reads all-ones, writes dropped, reported  */
	BUS_INVALID = 3,     /* malformed access (bad width, space, wrap) */
};

/*
 * Handlers get the offset inside the region and a width the region
 * accepts (see bus_rules).  Values are little-endian numbers: byte 0 of
 * the access is bits 7:0.
 */
struct bus_ops {
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned width);
	void (*write)(void *opaque, uint64_t offset, unsigned width, uint64_t value);
};

/* How a region accepts accesses. */
enum bus_oversize {
	BUS_OVERSIZE_SPLIT = 0,  /* wider than max_width: split into max_width
				    pieces, little-endian order           */
	BUS_OVERSIZE_REJECT = 1,
};
enum bus_undersize {
	BUS_UNDERSIZE_EXTEND = 0,/* narrower than min_width: read min_width and
				    extract / read-modify-write           */
	BUS_UNDERSIZE_REJECT = 1,
};

struct bus_rules {
	unsigned min_width;       /* 1, 2, 4 or 8; 0 means 1              */
	unsigned max_width;       /* 1, 2, 4 or 8; 0 means 8              */
	bool unaligned_ok;        /* accept offsets not multiple of width */
	enum bus_oversize oversize;
	enum bus_undersize undersize;
};

struct bus_region {
	const char *name;         /* device name, used in every message   */
	enum bus_space space;
	uint64_t base;
	uint64_t size;            /* > 0; base + size must not wrap       */
	const struct bus_ops *ops;
	void *opaque;
	struct bus_rules rules;
	/* Statistics, kept by the bus. */
	uint64_t reads, writes, rejected;
};

struct bus;

/* A bus with no regions.  NULL when out of memory. */
struct bus *bus_create(const char *name);
void bus_destroy(struct bus *bus);
/*
 * The level (<core/log.h>) of the reports about unassigned MMIO: a
 * warning by default, where the guest gets an abort for it (aarch64);
 * a board whose empty MMIO simply reads all-ones, as a PC's does
 * (firmware probes for a TPM there on every boot), makes them info.
 */
void bus_set_unassigned_mmio_level(struct bus *bus, int level);

/*
 * Registers a region (the descriptor is copied).  An overlap with an
 * existing region is refused with -EBUSY and an error naming both
 * devices and both ranges; a bad descriptor gives -EINVAL.
 */
int bus_register(struct bus *bus, const struct bus_region *region);
int bus_register_pio(struct bus *bus, const char *name, uint16_t port, uint16_t count,
		     const struct bus_ops *ops, void *opaque, const struct bus_rules *rules);
int bus_register_mmio(struct bus *bus, const char *name, uint64_t gpa, uint64_t size,
		      const struct bus_ops *ops, void *opaque, const struct bus_rules *rules);
/* Removes the region starting exactly at addr.  0 or -ENOENT. */
int bus_unregister(struct bus *bus, enum bus_space space, uint64_t addr);

/* Routes one access; never fails in a way that harms the hypervisor. */
enum bus_result bus_dispatch(struct bus *bus, struct bus_access *acc);

/*
 * The region owning addr, or NULL (for statistics and debugging).  The
 * pointer stays valid until the next bus_register()/bus_unregister().
 */
const struct bus_region *bus_find(const struct bus *bus, enum bus_space space, uint64_t addr);

/*
 * The region (lowest base first) that overlaps [base, base + size), or
 * NULL when the range is free.  Lets a caller that registers ranges the
 * guest chooses (PCI BARs) test first and report the clash itself,
 * rate-limited, instead of bus_register() logging an error each time.
 * A range that wraps overlaps everything from base upwards.
 */
const struct bus_region *bus_find_overlap(const struct bus *bus, enum bus_space space,
					  uint64_t base, uint64_t size);

/* Visits every region in address order. */
void bus_for_each_region(const struct bus *bus, enum bus_space space,
			 void (*fn)(const struct bus_region *r, void *ctx), void *ctx);

/* Counts of accesses nobody owned (per space). */
uint64_t bus_unassigned_count(const struct bus *bus, enum bus_space space);

#endif
