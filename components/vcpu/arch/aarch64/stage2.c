/* SPDX-License-Identifier: MIT */
/*
 * Stage-2 translation tables: the aarch64 struct gspace (<vcpu/gspace.h>).
 *
 * 4 KiB granule.  A level-L entry covers 2^(12 + 9 * (3 - L)) bytes:
 * level 1 1 GiB, level 2 2 MiB, level 3 4 KiB.  With an IPA size above
 * 39 bits the walk starts at level 0, otherwise at level 1 (el2.c puts the
 * matching T0SZ/SL0 into VTCR_EL2).  Blocks are used at levels 1 and 2
 * where both addresses and the remaining size allow.
 *
 * Plain C over pages from page_alloc(): the hardware parts (the IPA size,
 * TLB invalidation) come from el2.c, so this file runs in host tests.
 */
#include <errno.h>
#include <string.h>

#include <core/log.h>
#include <core/mm.h>

#include "el2_internal.h"

#define ENTRIES_PER_TABLE 512
#define MAX_VMID 255

static spinlock_t vmid_lock = SPINLOCK_INIT;
static uint64_t vmid_used[(MAX_VMID + 1) / 64];

static unsigned int vmid_alloc(void)
{
	unsigned int vmid = 0;

	spin_lock(&vmid_lock);
	for (unsigned int i = 1; i <= MAX_VMID; i++) {   /* VMID 0: no guest */
		if (!(vmid_used[i / 64] & (1ULL << (i % 64)))) {
			vmid_used[i / 64] |= 1ULL << (i % 64);
			vmid = i;
			break;
		}
	}
	spin_unlock(&vmid_lock);
	return vmid;
}

static void vmid_free(unsigned int vmid)
{
	spin_lock(&vmid_lock);
	vmid_used[vmid / 64] &= ~(1ULL << (vmid % 64));
	spin_unlock(&vmid_lock);
}

static inline unsigned int level_shift(unsigned int level)
{
	return 12 + 9 * (3 - level);
}

static inline uint64_t level_size(unsigned int level)
{
	return 1ULL << level_shift(level);
}

static inline unsigned int level_index(uint64_t gpa, unsigned int level)
{
	return (unsigned int)(gpa >> level_shift(level)) & (ENTRIES_PER_TABLE - 1);
}

static inline bool is_table(uint64_t entry, unsigned int level)
{
	return (entry & S2_VALID) && (entry & S2_TABLE) && level < 3;
}

static inline uint64_t *table_of(uint64_t entry)
{
	return (uint64_t *)(uintptr_t)(entry & S2_ADDR_MASK);
}

static uint64_t leaf_attributes(unsigned int access, enum gspace_memtype type)
{
	uint64_t attr = S2_VALID | S2_AF;

	if (access & GSPACE_READ)
		attr |= S2_AP_READ;
	if (access & GSPACE_WRITE)
		attr |= S2_AP_WRITE;
	if (!(access & GSPACE_EXEC))
		attr |= S2_XN;
	if (type == GSPACE_MEM_DEVICE)
		attr |= S2_MEMATTR_DEVICE_nGnRE;   /* no SH: device is outer shareable */
	else
		attr |= S2_MEMATTR_NORMAL_WB | S2_SH_INNER;
	return attr;
}

static uint64_t *table_alloc(struct gspace *gs)
{
	uint64_t *t = page_alloc(1);       /* zeroed: every entry invalid */

	if (t)
		gs->table_pages++;
	return t;
}

static void table_free(struct gspace *gs, uint64_t *t)
{
	page_free(t, 1);
	gs->table_pages--;
}

uint64_t gspace_limit(const struct gspace *gs)
{
	return 1ULL << gs->ipa_bits;
}

size_t gspace_table_pages(const struct gspace *gs)
{
	return gs->table_pages;
}

struct gspace *gspace_create(void)
{
	struct gspace *gs = kzalloc(sizeof(*gs));

	if (!gs)
		return NULL;
	gs->ipa_bits = el2_ipa_bits();
	gs->start_level = gs->ipa_bits > 39 ? 0 : 1;
	gs->vmid = vmid_alloc();
	if (!gs->vmid) {
		log_warn("vcpu: all %u stage-2 VMIDs are in use", MAX_VMID);
		kfree(gs);
		return NULL;
	}
	gs->root = table_alloc(gs);
	if (!gs->root) {
		vmid_free(gs->vmid);
		kfree(gs);
		return NULL;
	}
	return gs;
}

static void free_tables(struct gspace *gs, uint64_t *table, unsigned int level)
{
	for (unsigned int i = 0; i < ENTRIES_PER_TABLE; i++)
		if (is_table(table[i], level))
			free_tables(gs, table_of(table[i]), level + 1);
	table_free(gs, table);
}

void gspace_destroy(struct gspace *gs)
{
	if (!gs)
		return;
	el2_stage2_tlb_flush(gs);      /* nothing of this VMID may stay cached */
	free_tables(gs, gs->root, gs->start_level);
	vmid_free(gs->vmid);
	kfree(gs);
}

/* Whether nothing in [gpa, gpa+size) is mapped below this table. */
static bool range_is_free(const uint64_t *table, unsigned int level, uint64_t gpa, uint64_t size)
{
	while (size) {
		uint64_t block = level_size(level);
		uint64_t next = (gpa | (block - 1)) + 1;
		uint64_t chunk = next - gpa < size ? next - gpa : size;
		uint64_t entry = table[level_index(gpa, level)];

		if (entry & S2_VALID) {
			if (!is_table(entry, level))
				return false;
			if (!range_is_free(table_of(entry), level + 1, gpa, chunk))
				return false;
		}
		gpa += chunk;
		size -= chunk;
	}
	return true;
}

static int map_range(struct gspace *gs, uint64_t *table, unsigned int level, uint64_t gpa,
		     uint64_t hpa, uint64_t size, uint64_t attr)
{
	while (size) {
		uint64_t block = level_size(level);
		uint64_t next = (gpa | (block - 1)) + 1;
		uint64_t chunk = next - gpa < size ? next - gpa : size;
		uint64_t *entry = &table[level_index(gpa, level)];

		if (level == 3) {
			*entry = (hpa & S2_ADDR_MASK) | attr | S2_TABLE;
		} else if (level >= 1 && chunk == block && !(hpa & (block - 1)) && !*entry) {
			*entry = (hpa & S2_ADDR_MASK) | attr;      /* a block */
		} else {
			if (!(*entry & S2_VALID)) {
				uint64_t *sub = table_alloc(gs);

				if (!sub)
					return -ENOMEM;
				*entry = (uint64_t)(uintptr_t)sub | S2_VALID | S2_TABLE;
			}
			int rc = map_range(gs, table_of(*entry), level + 1, gpa, hpa, chunk, attr);
			if (rc)
				return rc;
		}
		gpa += chunk;
		hpa += chunk;
		size -= chunk;
	}
	return 0;
}

/* Replaces a block by a table of the same mappings one level down. */
static int split_block(struct gspace *gs, uint64_t *entry, unsigned int level)
{
	uint64_t *sub = table_alloc(gs);
	uint64_t attr = *entry & ~S2_ADDR_MASK;
	uint64_t base = *entry & S2_ADDR_MASK;
	uint64_t step = level_size(level + 1);

	if (!sub)
		return -ENOMEM;
	if (level + 1 == 3)
		attr |= S2_TABLE;                         /* pages at level 3 */
	for (unsigned int i = 0; i < ENTRIES_PER_TABLE; i++)
		sub[i] = (base + i * step) | attr;
	/* Break before make: no TLB may hold the block and the pages at once. */
	*entry = 0;
	el2_stage2_tlb_flush(gs);
	*entry = (uint64_t)(uintptr_t)sub | S2_VALID | S2_TABLE;
	return 0;
}

static bool table_is_empty(const uint64_t *table)
{
	for (unsigned int i = 0; i < ENTRIES_PER_TABLE; i++)
		if (table[i])
			return false;
	return true;
}

static int unmap_range(struct gspace *gs, uint64_t *table, unsigned int level, uint64_t gpa,
		       uint64_t size)
{
	while (size) {
		uint64_t block = level_size(level);
		uint64_t next = (gpa | (block - 1)) + 1;
		uint64_t chunk = next - gpa < size ? next - gpa : size;
		uint64_t *entry = &table[level_index(gpa, level)];

		if (*entry & S2_VALID) {
			if (!is_table(*entry, level) && chunk == block) {
				*entry = 0;
			} else {
				if (!is_table(*entry, level)) {
					int rc = split_block(gs, entry, level);
					if (rc)
						return rc;
				}
				uint64_t *sub = table_of(*entry);
				int rc = unmap_range(gs, sub, level + 1, gpa, chunk);
				if (rc)
					return rc;
				if (table_is_empty(sub)) {
					*entry = 0;
					table_free(gs, sub);
				}
			}
		}
		gpa += chunk;
		size -= chunk;
	}
	return 0;
}

static bool range_ok(const struct gspace *gs, uint64_t addr, uint64_t size, uint64_t limit)
{
	(void)gs;
	return size && !(addr & (PAGE_SIZE - 1)) && !(size & (PAGE_SIZE - 1)) &&
	       addr < limit && size <= limit - addr;
}

int gspace_map(struct gspace *gs, uint64_t gpa, uint64_t hpa, uint64_t size,
	       unsigned int access, enum gspace_memtype type)
{
	int rc;

	if (!gs || !range_ok(gs, gpa, size, gspace_limit(gs)) ||
	    !range_ok(gs, hpa, size, 1ULL << 48) || !(access & GSPACE_RWX) ||
	    (access & ~GSPACE_RWX) || (type != GSPACE_MEM_NORMAL && type != GSPACE_MEM_DEVICE))
		return -EINVAL;
	spin_lock(&gs->lock);
	if (!range_is_free(gs->root, gs->start_level, gpa, size)) {
		spin_unlock(&gs->lock);
		return -EEXIST;
	}
	rc = map_range(gs, gs->root, gs->start_level, gpa, hpa, size, leaf_attributes(access, type));
	if (rc) {
		/* The range was free: take back whatever was done (never splits). */
		unmap_range(gs, gs->root, gs->start_level, gpa, size);
	}
	/* The walker reads the tables from memory: make the entries visible. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	spin_unlock(&gs->lock);
	return rc;
}

int gspace_unmap(struct gspace *gs, uint64_t gpa, uint64_t size)
{
	int rc;

	if (!gs || !range_ok(gs, gpa, size, gspace_limit(gs)))
		return -EINVAL;
	spin_lock(&gs->lock);
	rc = unmap_range(gs, gs->root, gs->start_level, gpa, size);
	el2_stage2_tlb_flush(gs);
	spin_unlock(&gs->lock);
	return rc;
}

bool gspace_translate(const struct gspace *gs, uint64_t gpa, uint64_t *hpa,
		      unsigned int *access, enum gspace_memtype *type)
{
	const uint64_t *table;
	unsigned int level;

	if (!gs || gpa >= gspace_limit(gs))
		return false;
	table = gs->root;
	for (level = gs->start_level; level <= 3; level++) {
		uint64_t entry = table[level_index(gpa, level)];

		if (!(entry & S2_VALID))
			return false;
		if (is_table(entry, level)) {
			table = table_of(entry);
			continue;
		}
		if (hpa)
			*hpa = (entry & S2_ADDR_MASK & ~(level_size(level) - 1)) |
			       (gpa & (level_size(level) - 1));
		if (access)
			*access = ((entry & S2_AP_READ) ? GSPACE_READ : 0) |
				  ((entry & S2_AP_WRITE) ? GSPACE_WRITE : 0) |
				  ((entry & S2_XN) ? 0 : GSPACE_EXEC);
		if (type)
			*type = (entry & S2_MEMATTR_MASK) == S2_MEMATTR_NORMAL_WB ?
					GSPACE_MEM_NORMAL : GSPACE_MEM_DEVICE;
		return true;
	}
	return false;
}
