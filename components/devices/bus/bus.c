/* SPDX-License-Identifier: MIT */
/*
 * The device bus.  Regions live in one array per address space, sorted by
 * base and never overlapping, so the owner of an address is found with a
 * binary search.  bus_dispatch() turns any guest access into accesses the
 * owning device declared it accepts (struct bus_rules), or refuses it.
 *
 * Order of the checks in bus_dispatch():
 *   1. malformed (width not 1/2/4/8, address wraps, port beyond 0xFFFF)
 *      -> BUS_INVALID;
 *   2. no region owns the first byte -> BUS_UNASSIGNED;
 *   3. the access runs past the end of the region -> BUS_REJECTED;
 *   4. wider than max_width -> split into max_width pieces (or reject);
 *      narrower than min_width -> widened to the aligned min_width word
 *      that contains it (or reject);
 *   5. each resulting device access must be aligned to its own width
 *      unless unaligned_ok -> otherwise BUS_REJECTED.
 * Every check is made before the device sees anything, so a refused
 * access never leaves half a split write behind.
 *
 * Reads that nobody answers return all-ones of the access width, the
 * value an open bus floats to (firmware probes rely on it).
 */
#include <errno.h>
#include <string.h>

#include <bus/bus.h>
#include <core/log.h>
#include <core/mm.h>

/* How many distinct unassigned MMIO addresses / rejections are logged. */
#define BUS_REPORT_LIMIT 16

struct bus_region_table {
	struct bus_region *regions;   /* sorted by base */
	size_t count;
	size_t capacity;
	uint64_t unassigned;
};

struct bus {
	const char *name;
	struct bus_region_table table[BUS_SPACE_COUNT];
	/* Rate limiting of guest-triggered reports. */
	uint64_t mmio_reported_addr[BUS_REPORT_LIMIT];
	unsigned mmio_reported_count;
	uint64_t mmio_unreported;
	uint64_t rejected_total;
	int unassigned_level;        /* of the unassigned MMIO reports */
};

static const char *const space_names[BUS_SPACE_COUNT] = { "pio", "mmio" };

static uint64_t width_mask(unsigned width)
{
	return width >= 8 ? ~0ULL : (1ULL << (8 * width)) - 1;
}

static bool width_is_valid(unsigned width)
{
	return width == 1 || width == 2 || width == 4 || width == 8;
}

static unsigned rules_min_width(const struct bus_rules *rules)
{
	return rules->min_width ? rules->min_width : 1;
}

static unsigned rules_max_width(const struct bus_rules *rules)
{
	return rules->max_width ? rules->max_width : 8;
}

static uint64_t region_last(const struct bus_region *r)
{
	return r->base + (r->size - 1);
}

struct bus *bus_create(const char *name)
{
	struct bus *bus = kzalloc(sizeof(*bus));

	if (bus) {
		bus->name = name ? name : "bus";
		bus->unassigned_level = LOG_WARN;
	}
	return bus;
}

void bus_set_unassigned_mmio_level(struct bus *bus, int level)
{
	bus->unassigned_level = level;
}

void bus_destroy(struct bus *bus)
{
	if (!bus)
		return;
	for (unsigned s = 0; s < BUS_SPACE_COUNT; s++)
		kfree(bus->table[s].regions);
	kfree(bus);
}

/* Index of the first region whose base is greater than addr. */
static size_t table_upper_bound(const struct bus_region_table *t, uint64_t addr)
{
	size_t lo = 0, hi = t->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->regions[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct bus_region *table_find(const struct bus_region_table *t, uint64_t addr)
{
	size_t idx = table_upper_bound(t, addr);
	struct bus_region *r;

	if (idx == 0)
		return NULL;
	r = &t->regions[idx - 1];
	return addr - r->base < r->size ? r : NULL;
}

const struct bus_region *bus_find(const struct bus *bus, enum bus_space space, uint64_t addr)
{
	if (!bus || (unsigned)space >= BUS_SPACE_COUNT)
		return NULL;
	return table_find(&bus->table[space], addr);
}

const struct bus_region *bus_find_overlap(const struct bus *bus, enum bus_space space,
					  uint64_t base, uint64_t size)
{
	const struct bus_region_table *t;
	uint64_t last;
	size_t idx;

	if (!bus || (unsigned)space >= BUS_SPACE_COUNT || size == 0)
		return NULL;
	t = &bus->table[space];
	last = base + (size - 1) < base ? UINT64_MAX : base + (size - 1);
	idx = table_upper_bound(t, base);
	if (idx > 0 && region_last(&t->regions[idx - 1]) >= base)
		return &t->regions[idx - 1];
	if (idx < t->count && t->regions[idx].base <= last)
		return &t->regions[idx];
	return NULL;
}

static bool region_descriptor_is_valid(const struct bus_region *r)
{
	const struct bus_rules *rules = &r->rules;
	unsigned min_w, max_w;

	if ((unsigned)r->space >= BUS_SPACE_COUNT || !r->ops || r->size == 0)
		return false;
	if (r->base + (r->size - 1) < r->base)
		return false;
	if (r->space == BUS_SPACE_PIO && region_last(r) > 0xFFFF)
		return false;
	if (rules->min_width && !width_is_valid(rules->min_width))
		return false;
	if (rules->max_width && !width_is_valid(rules->max_width))
		return false;
	min_w = rules_min_width(rules);
	max_w = rules_max_width(rules);
	if (min_w > max_w)
		return false;
	if (rules->oversize != BUS_OVERSIZE_SPLIT && rules->oversize != BUS_OVERSIZE_REJECT)
		return false;
	if (rules->undersize != BUS_UNDERSIZE_EXTEND && rules->undersize != BUS_UNDERSIZE_REJECT)
		return false;
	return true;
}

static int table_grow(struct bus_region_table *t)
{
	size_t capacity = t->capacity ? t->capacity * 2 : 16;
	struct bus_region *regions;

	if (capacity > SIZE_MAX / sizeof(*regions))
		return -ENOMEM;
	regions = kmalloc(capacity * sizeof(*regions));
	if (!regions)
		return -ENOMEM;
	if (t->count)
		memcpy(regions, t->regions, t->count * sizeof(*regions));
	kfree(t->regions);
	t->regions = regions;
	t->capacity = capacity;
	return 0;
}

static void report_overlap(const struct bus *bus, const struct bus_region *new_r,
			   const struct bus_region *old_r)
{
	log_error("bus %s: cannot register %s at %s 0x%llx-0x%llx: overlaps %s at 0x%llx-0x%llx",
		  bus->name, new_r->name, space_names[new_r->space],
		  (unsigned long long)new_r->base, (unsigned long long)region_last(new_r),
		  old_r->name, (unsigned long long)old_r->base,
		  (unsigned long long)region_last(old_r));
}

int bus_register(struct bus *bus, const struct bus_region *region)
{
	struct bus_region_table *t;
	struct bus_region copy;
	size_t idx;
	int err;

	if (!bus || !region || !region_descriptor_is_valid(region)) {
		log_error("bus %s: invalid region descriptor for %s",
			  bus ? bus->name : "?",
			  region && region->name ? region->name : "?");
		return -EINVAL;
	}
	copy = *region;
	if (!copy.name)
		copy.name = "unnamed";
	copy.reads = copy.writes = copy.rejected = 0;

	t = &bus->table[copy.space];
	idx = table_upper_bound(t, copy.base);
	if (idx > 0 && region_last(&t->regions[idx - 1]) >= copy.base) {
		report_overlap(bus, &copy, &t->regions[idx - 1]);
		return -EBUSY;
	}
	if (idx < t->count && t->regions[idx].base <= region_last(&copy)) {
		report_overlap(bus, &copy, &t->regions[idx]);
		return -EBUSY;
	}
	if (t->count == t->capacity) {
		err = table_grow(t);
		if (err)
			return err;
	}
	memmove(&t->regions[idx + 1], &t->regions[idx], (t->count - idx) * sizeof(*t->regions));
	t->regions[idx] = copy;
	t->count++;
	return 0;
}

int bus_register_pio(struct bus *bus, const char *name, uint16_t port, uint16_t count,
		     const struct bus_ops *ops, void *opaque, const struct bus_rules *rules)
{
	struct bus_region r = {
		.name = name, .space = BUS_SPACE_PIO, .base = port, .size = count,
		.ops = ops, .opaque = opaque,
	};

	if (rules)
		r.rules = *rules;
	return bus_register(bus, &r);
}

int bus_register_mmio(struct bus *bus, const char *name, uint64_t gpa, uint64_t size,
		      const struct bus_ops *ops, void *opaque, const struct bus_rules *rules)
{
	struct bus_region r = {
		.name = name, .space = BUS_SPACE_MMIO, .base = gpa, .size = size,
		.ops = ops, .opaque = opaque,
	};

	if (rules)
		r.rules = *rules;
	return bus_register(bus, &r);
}

int bus_unregister(struct bus *bus, enum bus_space space, uint64_t addr)
{
	struct bus_region_table *t;
	size_t idx;

	if (!bus || (unsigned)space >= BUS_SPACE_COUNT)
		return -ENOENT;
	t = &bus->table[space];
	idx = table_upper_bound(t, addr);
	if (idx == 0 || t->regions[idx - 1].base != addr)
		return -ENOENT;
	idx--;
	memmove(&t->regions[idx], &t->regions[idx + 1],
		(t->count - idx - 1) * sizeof(*t->regions));
	t->count--;
	return 0;
}

void bus_for_each_region(const struct bus *bus, enum bus_space space,
			 void (*fn)(const struct bus_region *r, void *ctx), void *ctx)
{
	if (!bus || !fn || (unsigned)space >= BUS_SPACE_COUNT)
		return;
	for (size_t i = 0; i < bus->table[space].count; i++)
		fn(&bus->table[space].regions[i], ctx);
}

uint64_t bus_unassigned_count(const struct bus *bus, enum bus_space space)
{
	if (!bus || (unsigned)space >= BUS_SPACE_COUNT)
		return 0;
	return bus->table[space].unassigned;
}

static const char *dir_name(enum bus_dir dir)
{
	return dir == BUS_WRITE ? "write" : "read";
}

static void report_unassigned(struct bus *bus, const struct bus_access *acc)
{
	unsigned i;

	if (acc->space == BUS_SPACE_PIO) {
		/* Probing empty ports is normal firmware behaviour. */
		log_debug("bus %s: unassigned pio %s of %u bytes at 0x%llx", bus->name,
			  dir_name(acc->dir), acc->width, (unsigned long long)acc->addr);
		return;
	}
	for (i = 0; i < bus->mmio_reported_count; i++)
		if (bus->mmio_reported_addr[i] == acc->addr)
			return;
	if (bus->mmio_reported_count < BUS_REPORT_LIMIT) {
		bus->mmio_reported_addr[bus->mmio_reported_count++] = acc->addr;
		log_printf((enum log_level)bus->unassigned_level,
			   "bus %s: unassigned mmio %s of %u bytes at 0x%llx (no device there)",
			   bus->name, dir_name(acc->dir), acc->width, (unsigned long long)acc->addr);
		return;
	}
	/* Past the limit: a summary at 1, 2, 4, 8, ... further addresses. */
	bus->mmio_unreported++;
	if ((bus->mmio_unreported & (bus->mmio_unreported - 1)) == 0)
		log_printf((enum log_level)bus->unassigned_level,
			   "bus %s: %llu more unassigned mmio accesses not reported individually (%llu in total)",
			   bus->name, (unsigned long long)bus->mmio_unreported,
			   (unsigned long long)bus->table[BUS_SPACE_MMIO].unassigned);
}

static enum bus_result reject(struct bus *bus, struct bus_region *r,
			      struct bus_access *acc, const char *why)
{
	r->rejected++;
	bus->rejected_total++;
	if (bus->rejected_total <= BUS_REPORT_LIMIT)
		log_warn("bus %s: %s refused %s %s of %u bytes at 0x%llx (offset 0x%llx): %s",
			 bus->name, r->name, space_names[acc->space], dir_name(acc->dir),
			 acc->width, (unsigned long long)acc->addr,
			 (unsigned long long)(acc->addr - r->base), why);
	else if ((bus->rejected_total & (bus->rejected_total - 1)) == 0)
		log_warn("bus %s: %llu refused accesses so far (only the first %u are shown)",
			 bus->name, (unsigned long long)bus->rejected_total, BUS_REPORT_LIMIT);
	if (acc->dir == BUS_READ)
		acc->data = width_mask(acc->width);
	return BUS_REJECTED;
}

static uint64_t device_read(const struct bus_region *r, uint64_t offset, unsigned width)
{
	if (!r->ops->read)
		return width_mask(width);
	return r->ops->read(r->opaque, offset, width) & width_mask(width);
}

static void device_write(const struct bus_region *r, uint64_t offset, unsigned width,
			 uint64_t value)
{
	if (r->ops->write)
		r->ops->write(r->opaque, offset, width, value & width_mask(width));
}

enum bus_result bus_dispatch(struct bus *bus, struct bus_access *acc)
{
	struct bus_region *r;
	struct bus_region snapshot;
	uint64_t offset;
	unsigned min_w, max_w;

	if (!bus || !acc)
		return BUS_INVALID;
	if (!width_is_valid(acc->width) || (unsigned)acc->space >= BUS_SPACE_COUNT ||
	    acc->addr + (acc->width - 1) < acc->addr ||
	    (acc->space == BUS_SPACE_PIO && acc->addr + (acc->width - 1) > 0xFFFF)) {
		if (acc->dir == BUS_READ)
			acc->data = width_is_valid(acc->width) ? width_mask(acc->width) : ~0ULL;
		log_debug("bus %s: malformed access (space %u, width %u, address 0x%llx)",
			  bus->name, (unsigned)acc->space, acc->width,
			  (unsigned long long)acc->addr);
		return BUS_INVALID;
	}
	if (acc->dir == BUS_WRITE)
		acc->data &= width_mask(acc->width);
	else
		acc->dir = BUS_READ;

	r = table_find(&bus->table[acc->space], acc->addr);
	if (!r) {
		bus->table[acc->space].unassigned++;
		report_unassigned(bus, acc);
		if (acc->dir == BUS_READ)
			acc->data = width_mask(acc->width);
		return BUS_UNASSIGNED;
	}

	offset = acc->addr - r->base;
	min_w = rules_min_width(&r->rules);
	max_w = rules_max_width(&r->rules);
	if (acc->width > r->size - offset)
		return reject(bus, r, acc, "runs past the end of the region");
	if (acc->width > max_w && r->rules.oversize == BUS_OVERSIZE_REJECT)
		return reject(bus, r, acc, "wider than the device accepts");
	if (acc->width < min_w && r->rules.undersize == BUS_UNDERSIZE_REJECT)
		return reject(bus, r, acc, "narrower than the device accepts");

	if (acc->width > max_w) {
		if (!r->rules.unaligned_ok && offset % max_w)
			return reject(bus, r, acc, "unaligned");
	} else if (acc->width < min_w) {
		uint64_t word = offset & ~(uint64_t)(min_w - 1);

		if (!r->rules.unaligned_ok && offset % acc->width)
			return reject(bus, r, acc, "unaligned");
		if (offset + acc->width > word + min_w)
			return reject(bus, r, acc, "straddles two device words");
		if (min_w > r->size - word)
			return reject(bus, r, acc, "device word runs past the end of the region");
	} else if (!r->rules.unaligned_ok && offset % acc->width) {
		return reject(bus, r, acc, "unaligned");
	}

	/*
	 * Statistics first and a private copy for the calls: a handler may
	 * register or remove regions (a PCI BAR moving), which can move the
	 * table under r.
	 */
	if (acc->dir == BUS_READ)
		r->reads++;
	else
		r->writes++;
	snapshot = *r;

	if (acc->width > max_w) {
		unsigned pieces = acc->width / max_w;
		uint64_t value = 0;

		for (unsigned i = 0; i < pieces; i++) {
			unsigned shift = 8 * max_w * i;

			if (acc->dir == BUS_READ)
				value |= device_read(&snapshot, offset + (uint64_t)i * max_w, max_w) << shift;
			else
				device_write(&snapshot, offset + (uint64_t)i * max_w, max_w,
					     acc->data >> shift);
		}
		if (acc->dir == BUS_READ)
			acc->data = value;
	} else if (acc->width < min_w) {
		uint64_t word = offset & ~(uint64_t)(min_w - 1);
		unsigned shift = 8 * (unsigned)(offset - word);
		uint64_t mask = width_mask(acc->width) << shift;
		uint64_t value = device_read(&snapshot, word, min_w);

		if (acc->dir == BUS_READ) {
			acc->data = (value & mask) >> shift;
		} else {
			value = (value & ~mask) | ((acc->data << shift) & mask);
			device_write(&snapshot, word, min_w, value);
		}
	} else if (acc->dir == BUS_READ) {
		acc->data = device_read(&snapshot, offset, acc->width);
	} else {
		device_write(&snapshot, offset, acc->width, acc->data);
	}
	return BUS_OK;
}
