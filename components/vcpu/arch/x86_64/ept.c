/* SPDX-License-Identifier: MIT */
/*
 * EPT (extended page tables): the x86_64 struct gspace (<vcpu/gspace.h>).
 *
 * Four levels of 512 entries like the guest's own 4-level paging: level 3
 * (PML4) -> level 2 (PDPT, 1 GiB pages) -> level 1 (PD, 2 MiB pages) ->
 * level 0 (PT, 4 KiB pages).  An entry's bits 2:0 are read/write/execute
 * (any of them set = present); a leaf has the memory type in bits 5:3
 * (6 = write-back for RAM, 0 = uncacheable for passed-through devices)
 * and "ignore PAT" (bit 6) for RAM so the guest's PAT cannot make RAM
 * uncached behind our back; bit 7 marks a 1 GiB or 2 MiB page.  Device
 * ranges the VM emulates are simply not mapped: the access is an EPT
 * violation, which vmx_exit.c turns into MMIO exits.
 *
 * Plain C over pages from page_alloc(); the TLB invalidation (INVEPT)
 * comes from vcpu_vmx.c, so this file runs in host tests.
 */
#include <errno.h>
#include <string.h>

#include <core/log.h>
#include <core/mm.h>

#include "vmx_internal.h"

#define ENTRIES_PER_TABLE 512
#define TOP_LEVEL 3

#define EPT_READ       (1ull << 0)
#define EPT_WRITE      (1ull << 1)
#define EPT_EXEC       (1ull << 2)
#define EPT_RWX        (EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MT_SHIFT   3
#define EPT_MT_UC      (0ull << EPT_MT_SHIFT)
#define EPT_MT_WB      (6ull << EPT_MT_SHIFT)
#define EPT_MT_MASK    (7ull << EPT_MT_SHIFT)
#define EPT_IGNORE_PAT (1ull << 6)
#define EPT_LARGE      (1ull << 7)
#define EPT_ADDR_MASK  0x000ffffffffff000ull

/* EPTP: write-back walks (6), 4 levels (walk length - 1 = 3 in bits 5:3). */
#define EPTP_WB_4LEVEL 0x1eull

/* Guest-physical addresses EPT with 4 levels translates. */
#define EPT_GPA_LIMIT (1ull << 48)

static inline unsigned int level_shift(unsigned int level)
{
	return 12 + 9 * level;
}

static inline uint64_t level_size(unsigned int level)
{
	return 1ull << level_shift(level);
}

static inline unsigned int level_index(uint64_t gpa, unsigned int level)
{
	return (unsigned int)(gpa >> level_shift(level)) & (ENTRIES_PER_TABLE - 1);
}

static inline bool is_present(uint64_t entry)
{
	return entry & EPT_RWX;
}

static inline bool is_table(uint64_t entry, unsigned int level)
{
	return is_present(entry) && level > 0 && !(entry & EPT_LARGE);
}

static inline uint64_t *table_of(uint64_t entry)
{
	return (uint64_t *)(uintptr_t)(entry & EPT_ADDR_MASK);
}

static uint64_t leaf_attributes(unsigned int access, enum gspace_memtype type)
{
	uint64_t attr = 0;

	if (access & GSPACE_READ)
		attr |= EPT_READ;
	if (access & GSPACE_WRITE)
		attr |= EPT_WRITE;
	if (access & GSPACE_EXEC)
		attr |= EPT_EXEC;
	if (type == GSPACE_MEM_DEVICE)
		attr |= EPT_MT_UC | EPT_IGNORE_PAT;
	else
		attr |= EPT_MT_WB | EPT_IGNORE_PAT;
	return attr;
}

static uint64_t *table_alloc(struct gspace *gs)
{
	uint64_t *t = page_alloc(1);       /* zeroed: nothing present */

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
	(void)gs;
	return EPT_GPA_LIMIT;
}

size_t gspace_table_pages(const struct gspace *gs)
{
	return gs->table_pages;
}

uint64_t ept_pointer(const struct gspace *gs)
{
	return (uint64_t)(uintptr_t)gs->root | EPTP_WB_4LEVEL;
}

struct gspace *gspace_create(void)
{
	struct gspace *gs = kzalloc(sizeof(*gs));

	if (!gs)
		return NULL;
	/* The EPT capabilities (2 MiB and 1 GiB pages) must be known before mapping. */
	vmx_caps_init();
	gs->root = table_alloc(gs);
	if (!gs->root) {
		kfree(gs);
		return NULL;
	}
	return gs;
}

static void free_tables(struct gspace *gs, uint64_t *table, unsigned int level)
{
	for (unsigned int i = 0; i < ENTRIES_PER_TABLE; i++)
		if (is_table(table[i], level))
			free_tables(gs, table_of(table[i]), level - 1);
	table_free(gs, table);
}

void gspace_destroy(struct gspace *gs)
{
	if (!gs)
		return;
	vmx_invept_all();          /* nothing of these tables may stay cached */
	free_tables(gs, gs->root, TOP_LEVEL);
	kfree(gs);
}

/* Whether nothing in [gpa, gpa+size) is mapped below this table. */
static bool range_is_free(const uint64_t *table, unsigned int level, uint64_t gpa, uint64_t size)
{
	while (size) {
		uint64_t next = (gpa | (level_size(level) - 1)) + 1;
		uint64_t chunk = next - gpa < size ? next - gpa : size;
		uint64_t entry = table[level_index(gpa, level)];

		if (is_present(entry)) {
			if (!is_table(entry, level))
				return false;
			if (!range_is_free(table_of(entry), level - 1, gpa, chunk))
				return false;
		}
		gpa += chunk;
		size -= chunk;
	}
	return true;
}

/* Whether the CPU can map pages of this level (2 MiB and 1 GiB are optional). */
static bool large_page_ok(unsigned int level)
{
	return (level == 1 && vmx_ept_has_2m()) || (level == 2 && vmx_ept_has_1g());
}

static int map_range(struct gspace *gs, uint64_t *table, unsigned int level, uint64_t gpa,
		     uint64_t hpa, uint64_t size, uint64_t attr)
{
	while (size) {
		uint64_t block = level_size(level);
		uint64_t next = (gpa | (block - 1)) + 1;
		uint64_t chunk = next - gpa < size ? next - gpa : size;
		uint64_t *entry = &table[level_index(gpa, level)];

		if (level == 0) {
			*entry = (hpa & EPT_ADDR_MASK) | attr;
		} else if (chunk == block && !(hpa & (block - 1)) && !*entry && large_page_ok(level)) {
			*entry = (hpa & EPT_ADDR_MASK) | attr | EPT_LARGE;
		} else {
			if (!is_present(*entry)) {
				uint64_t *sub = table_alloc(gs);

				if (!sub)
					return -ENOMEM;
				/* Tables allow everything; the leaves decide. */
				*entry = (uint64_t)(uintptr_t)sub | EPT_RWX;
			}
			int rc = map_range(gs, table_of(*entry), level - 1, gpa, hpa, chunk, attr);
			if (rc)
				return rc;
		}
		gpa += chunk;
		hpa += chunk;
		size -= chunk;
	}
	return 0;
}

/* Replaces a large page by a table of the same mappings one level down. */
static int split_large_page(struct gspace *gs, uint64_t *entry, unsigned int level)
{
	uint64_t *sub = table_alloc(gs);
	uint64_t attr = *entry & ~EPT_ADDR_MASK;
	uint64_t base = *entry & EPT_ADDR_MASK;
	uint64_t step = level_size(level - 1);

	if (!sub)
		return -ENOMEM;
	if (level - 1 == 0)
		attr &= ~EPT_LARGE;             /* 4 KiB entries have no size bit */
	for (unsigned int i = 0; i < ENTRIES_PER_TABLE; i++)
		sub[i] = (base + i * step) | attr;
	/* The same translations before and after: no window without a mapping. */
	*entry = (uint64_t)(uintptr_t)sub | EPT_RWX;
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

		if (is_present(*entry)) {
			if (!is_table(*entry, level) && chunk == block) {
				*entry = 0;
			} else {
				if (!is_table(*entry, level)) {
					int rc = split_large_page(gs, entry, level);
					if (rc)
						return rc;
				}
				uint64_t *sub = table_of(*entry);
				int rc = unmap_range(gs, sub, level - 1, gpa, chunk);
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

static bool range_ok(uint64_t addr, uint64_t size, uint64_t limit)
{
	return size && !(addr & (PAGE_SIZE - 1)) && !(size & (PAGE_SIZE - 1)) &&
	       addr < limit && size <= limit - addr;
}

int gspace_map(struct gspace *gs, uint64_t gpa, uint64_t hpa, uint64_t size,
	       unsigned int access, enum gspace_memtype type)
{
	int rc;

	if (!gs || !range_ok(gpa, size, EPT_GPA_LIMIT) || !range_ok(hpa, size, 1ull << 52) ||
	    !(access & GSPACE_RWX) || (access & ~GSPACE_RWX) ||
	    (type != GSPACE_MEM_NORMAL && type != GSPACE_MEM_DEVICE))
		return -EINVAL;
	/* Write-only and write+execute without read are EPT misconfigurations. */
	if ((access & GSPACE_WRITE) && !(access & GSPACE_READ))
		return -EINVAL;
	spin_lock(&gs->lock);
	if (!range_is_free(gs->root, TOP_LEVEL, gpa, size)) {
		spin_unlock(&gs->lock);
		return -EEXIST;
	}
	rc = map_range(gs, gs->root, TOP_LEVEL, gpa, hpa, size, leaf_attributes(access, type));
	if (rc)
		unmap_range(gs, gs->root, TOP_LEVEL, gpa, size);  /* was free: never splits */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	spin_unlock(&gs->lock);
	return rc;
}

int gspace_unmap(struct gspace *gs, uint64_t gpa, uint64_t size)
{
	int rc;

	if (!gs || !range_ok(gpa, size, EPT_GPA_LIMIT))
		return -EINVAL;
	spin_lock(&gs->lock);
	rc = unmap_range(gs, gs->root, TOP_LEVEL, gpa, size);
	/* This CPU now; vCPUs on other CPUs see the new generation at entry. */
	__atomic_add_fetch(&gs->generation, 1, __ATOMIC_SEQ_CST);
	vmx_invept_all();
	spin_unlock(&gs->lock);
	return rc;
}

bool gspace_translate(const struct gspace *gs, uint64_t gpa, uint64_t *hpa,
		      unsigned int *access, enum gspace_memtype *type)
{
	const uint64_t *table;

	if (!gs || gpa >= EPT_GPA_LIMIT)
		return false;
	table = gs->root;
	for (int level = TOP_LEVEL; level >= 0; level--) {
		uint64_t entry = table[level_index(gpa, (unsigned int)level)];
		uint64_t size = level_size((unsigned int)level);

		if (!is_present(entry))
			return false;
		if (is_table(entry, (unsigned int)level)) {
			table = table_of(entry);
			continue;
		}
		if (hpa)
			*hpa = (entry & EPT_ADDR_MASK & ~(size - 1)) | (gpa & (size - 1));
		if (access)
			*access = ((entry & EPT_READ) ? GSPACE_READ : 0) |
				  ((entry & EPT_WRITE) ? GSPACE_WRITE : 0) |
				  ((entry & EPT_EXEC) ? GSPACE_EXEC : 0);
		if (type)
			*type = (entry & EPT_MT_MASK) == EPT_MT_WB ? GSPACE_MEM_NORMAL :
								      GSPACE_MEM_DEVICE;
		return true;
	}
	return false;
}

int gspace_write(struct gspace *gs, uint64_t gpa, const void *src, size_t len)
{
	const uint8_t *from = src;
	size_t done = 0;

	/* Check the whole range first: nothing is copied if part is not RAM. */
	for (uint64_t page = gpa & ~(uint64_t)(PAGE_SIZE - 1); page < gpa + len; page += PAGE_SIZE) {
		enum gspace_memtype type;

		if (!gspace_translate(gs, page, NULL, NULL, &type) || type != GSPACE_MEM_NORMAL)
			return -EFAULT;
	}
	/* x86 caches are coherent with instruction fetch: a plain copy does. */
	while (done < len) {
		uint64_t at = gpa + done, hpa;
		size_t chunk = PAGE_SIZE - (at & (PAGE_SIZE - 1));

		if (chunk > len - done)
			chunk = len - done;
		gspace_translate(gs, at, &hpa, NULL, NULL);
		memcpy((void *)(uintptr_t)hpa, from + done, chunk);
		done += chunk;
	}
	return 0;
}
