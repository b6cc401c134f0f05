/* SPDX-License-Identifier: MIT */
/*
 * The EL2 identity map: 4 KiB granule, 48-bit addresses, four levels.
 * RAM is normal write-back memory; the first 4 GiB outside RAM (where
 * arm boards put their devices) and every device range the DTB names are
 * Device-nGnRnE and never executable.  Blocks of 1 GiB and 2 MiB are used
 * wherever alignment allows.  Secondary CPUs load the same tables.
 */
#include "aarch64_internal.h"

#include <aarch64/sysreg.h>
#include <core/compiler.h>
#include <string.h>

#define VA_BITS 48
#define ENTRIES 512

#define DESC_VALID      (1ULL << 0)
#define DESC_TABLE      (1ULL << 1)      /* levels 0-2: table; level 3: page */
#define DESC_ATTR(idx)  ((uint64_t)(idx) << 2)
#define DESC_SH_INNER   (3ULL << 8)
#define DESC_AF         (1ULL << 10)
#define DESC_XN         (1ULL << 54)
#define DESC_ADDR_MASK  0x0000fffffffff000ULL
#define DESC_ATTR_MASK  (~DESC_ADDR_MASK & ~(DESC_VALID | DESC_TABLE))

/* MAIR_EL2 attribute slots */
#define ATTR_DEVICE_nGnRnE 0
#define ATTR_NORMAL_WB     1
#define ATTR_NORMAL_NC     2
#define MAIR_VALUE (0x00ULL << (8 * ATTR_DEVICE_nGnRnE) | \
		    0xffULL << (8 * ATTR_NORMAL_WB) |     \
		    0x44ULL << (8 * ATTR_NORMAL_NC))

#define MAP_NORMAL (DESC_ATTR(ATTR_NORMAL_WB) | DESC_SH_INNER | DESC_AF)
#define MAP_DEVICE (DESC_ATTR(ATTR_DEVICE_nGnRnE) | DESC_AF | DESC_XN)

#define LOW_DEVICE_WINDOW (4ULL << 30)

struct mmu_config aarch64_mmu_config;

static uint64_t page_tables[CONFIG_AARCH64_PAGE_TABLE_PAGES][ENTRIES]
	__attribute__((aligned(4096)));
static unsigned int tables_used;
static uint64_t pa_limit;
static bool out_of_tables;

static uint64_t *new_table(void)
{
	if (tables_used >= ARRAY_SIZE(page_tables)) {
		out_of_tables = true;
		return NULL;
	}
	return page_tables[tables_used++];
}

static uint64_t level_size(int level)
{
	return 1ULL << (12 + 9 * (3 - level));
}

/* Replaces a block entry with a table holding the same mapping. */
static uint64_t *split_block(uint64_t *entry, int level)
{
	uint64_t *table = new_table();
	uint64_t attrs = *entry & DESC_ATTR_MASK;
	uint64_t base = *entry & DESC_ADDR_MASK;
	uint64_t step = level_size(level + 1);
	uint64_t kind = level + 1 == 3 ? (DESC_VALID | DESC_TABLE) : DESC_VALID;

	if (!table)
		return NULL;
	for (unsigned int i = 0; i < ENTRIES; i++)
		table[i] = (base + i * step) | attrs | kind;
	return table;
}

static void map_level(uint64_t *table, int level, uint64_t start, uint64_t end, uint64_t attrs)
{
	uint64_t size = level_size(level);

	while (start < end && !out_of_tables) {
		unsigned int index = (unsigned int)(start >> (12 + 9 * (3 - level))) & (ENTRIES - 1);
		uint64_t entry_end = (start & ~(size - 1)) + size;
		uint64_t chunk_end = MIN(end, entry_end);
		uint64_t *entry = &table[index];

		if (level == 3) {
			*entry = start | attrs | DESC_VALID | DESC_TABLE;
		} else if (level >= 1 && (start & (size - 1)) == 0 && chunk_end == entry_end) {
			*entry = start | attrs | DESC_VALID;
		} else {
			uint64_t *next;

			if ((*entry & (DESC_VALID | DESC_TABLE)) == (DESC_VALID | DESC_TABLE)) {
				next = (uint64_t *)(uintptr_t)(*entry & DESC_ADDR_MASK);
			} else if (*entry & DESC_VALID) {
				next = split_block(entry, level);
			} else {
				next = new_table();
			}
			if (!next)
				return;
			*entry = (uintptr_t)next | DESC_VALID | DESC_TABLE;
			map_level(next, level + 1, start, chunk_end, attrs);
		}
		start = chunk_end;
	}
}

/* Maps [base, base+size) rounded out to pages, clipped to what the CPU can address. */
static void map_range(uint64_t base, uint64_t size, uint64_t attrs)
{
	uint64_t start = ALIGN_DOWN(base, 4096ULL);
	uint64_t end = base + size < base ? pa_limit : ALIGN_UP(base + size, 4096ULL);

	if (end > pa_limit)
		end = pa_limit;
	if (start < end)
		map_level(page_tables[0], 0, start, end, attrs);
}

static void map_device_range(uint64_t base, uint64_t size, void *ctx)
{
	(void)ctx;
	map_range(base, size, MAP_DEVICE);
}

static unsigned int physical_address_bits(unsigned int *ps_field)
{
	static const unsigned int bits[] = { 32, 36, 40, 42, 44, 48 };
	unsigned int parange = (unsigned int)read_sysreg(id_aa64mmfr0_el1) & 0xf;

	/* 52-bit output needs LPA2 descriptors; 48 bits is the 4 KiB limit here. */
	if (parange >= ARRAY_SIZE(bits))
		parange = ARRAY_SIZE(bits) - 1;
	*ps_field = parange;
	return bits[parange];
}

static void invalidate_dcache_range(uintptr_t start, uintptr_t end)
{
	uint64_t line = 4ULL << ((read_sysreg(ctr_el0) >> 16) & 0xf);

	for (uintptr_t p = start & ~(line - 1); p < end; p += line)
		__asm__ volatile("dc ivac, %0" : : "r"(p) : "memory");
	dsb(sy);
}

unsigned int mmu_table_pages_used(void)
{
	return tables_used;
}

int mmu_init(const struct fdt *fdt, const struct boot_info *bi, const char **why)
{
	unsigned int ps_field;
	struct mmu_config *cfg = &aarch64_mmu_config;

	pa_limit = 1ULL << physical_address_bits(&ps_field);
	tables_used = 0;
	out_of_tables = false;
	memset(page_tables, 0, sizeof(page_tables[0]));
	new_table();

	/* Devices first; RAM then overrides any of it it overlaps. */
	map_range(0, LOW_DEVICE_WINDOW, MAP_DEVICE);
	platform_for_each_device(fdt, map_device_range, NULL);
	for (unsigned int i = 0; i < bi->mem_count; i++)
		if (bi->mem[i].type == MEM_RAM)
			map_range(bi->mem[i].base, bi->mem[i].size, MAP_NORMAL);
	/* The image and DTB must be reachable even if no memory node lists them. */
	map_range((uintptr_t)__image_start, (uintptr_t)__image_end - (uintptr_t)__image_start,
		  MAP_NORMAL);
	if (out_of_tables) {
		*why = "out of page-table pages (raise CONFIG_AARCH64_PAGE_TABLE_PAGES)";
		return -1;
	}

	cfg->mair = MAIR_VALUE;
	cfg->tcr = TCR_EL2_RES1 | TCR_EL2_T0SZ(VA_BITS) | TCR_EL2_IRGN0_WBWA |
		   TCR_EL2_ORGN0_WBWA | TCR_EL2_SH0_INNER | TCR_EL2_TG0_4K |
		   (uint64_t)ps_field << TCR_EL2_PS_SHIFT;
	cfg->ttbr = (uintptr_t)page_tables[0];
	cfg->sctlr = SCTLR_EL2_RES1 | SCTLR_EL2_M | SCTLR_EL2_C | SCTLR_EL2_SA | SCTLR_EL2_I;

	/*
	 * Everything so far was written with the caches off; drop any stale
	 * lines the loader may have left over the image before they can be
	 * hit.
	 */
	invalidate_dcache_range((uintptr_t)__image_start, (uintptr_t)__image_end);

	write_sysreg(mair_el2, cfg->mair);
	write_sysreg(tcr_el2, cfg->tcr);
	write_sysreg(ttbr0_el2, cfg->ttbr);
	isb();
	__asm__ volatile("tlbi alle2\n\tic iallu\n\tdsb nsh\n\tisb" ::: "memory");
	write_sysreg(sctlr_el2, cfg->sctlr);
	isb();

	/* Secondaries read the configuration with their MMU still off. */
	aarch64_dcache_clean_range(cfg, sizeof(*cfg));
	return 0;
}
