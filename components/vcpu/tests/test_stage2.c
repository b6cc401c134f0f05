/* SPDX-License-Identifier: MIT */
/*
 * Stage-2 tables (the walker pgtable.c with the format of
 * arch/aarch64/stage2.c) built on the host: exact descriptors as the Arm
 * ARM defines them for a 4 KiB granule (block and page attributes,
 * MemAttr, S2AP, XN), block use by alignment, splitting on unmap
 * (break-before-make), overlap and argument checks, VMIDs, gspace_write()
 * with its cache maintenance, no leaked pages, and table pages freed only
 * after the TLB invalidation has completed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <host/support.h>

#include "arch/aarch64/stage2.c"
#include "gspace.c"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)
#define KiB (1ULL << 10)

/* The descriptor on the way to gpa at Arm level 'level' (0..3), or 0. */
static uint64_t descriptor_at(const struct gspace *gs, uint64_t gpa, unsigned int level)
{
	return pgtable_entry_at(&gs->pt, gpa, 3 - level);
}

/* An Arm level-'level' table's entry for gpa. */
static unsigned int arm_index(uint64_t gpa, unsigned int level)
{
	return (unsigned int)(gpa >> (12 + 9 * (3 - level))) & 511;
}

static bool arm_is_table(uint64_t desc, unsigned int level)
{
	return level < 3 && (desc & S2_VALID) && (desc & S2_TABLE);
}

static void *arm_table_of(uint64_t desc)
{
	return (void *)(uintptr_t)(desc & S2_ADDR_MASK);
}

/* The hardware half of el2.c, as the tests want it. */
static unsigned int test_ipa_bits = 40;
static unsigned int tlb_flushes;
/* Break-before-make: the descriptor at (bbm_gpa, bbm_level) at each flush. */
static uint64_t bbm_gpa, bbm_seen[8];
static unsigned int bbm_level, bbm_flushes;
static const struct gspace *bbm_gs;
/* gspace_write()'s cache maintenance. */
static size_t synced_bytes;
static unsigned int sync_done_calls;

void gspace_arch_sync_written(void *host, size_t len)
{
	(void)host;
	synced_bytes += len;
}

void gspace_arch_sync_done(void)
{
	sync_done_calls++;
}

unsigned int el2_ipa_bits(void)
{
	return test_ipa_bits;
}

/*
 * The order of "TLB invalidation completed" and "page freed": a table
 * page that was unlinked may only be freed once a TLB invalidation has
 * completed after the unlinking (another vCPU may still walk it through
 * cached walk entries until then).  Pages watched by a test are marked
 * at each completed flush if they are no longer linked into the tables;
 * a free of a watched page that was not marked is a violation.
 */
#define MAX_WATCHED 8
static const struct gspace *watched_gs;
static void *watched[MAX_WATCHED];
static bool flushed_after_unlink[MAX_WATCHED];
static unsigned int watched_count, watched_freed, order_violations;

static bool linked_below(const uint64_t *table, unsigned int level, const void *page)
{
	for (unsigned int i = 0; i < 512; i++) {
		if (!arm_is_table(table[i], level))
			continue;
		if (arm_table_of(table[i]) == page ||
		    linked_below(arm_table_of(table[i]), level + 1, page))
			return true;
	}
	return false;
}

void el2_stage2_tlb_flush(const struct gspace *gs)
{
	tlb_flushes++;
	if (gs == bbm_gs && bbm_flushes < 8)
		bbm_seen[bbm_flushes++] = descriptor_at(gs, bbm_gpa, bbm_level);
	/* The flush is complete when this returns (TLBI ...IS; DSB ISH). */
	if (gs == watched_gs)
		for (unsigned int i = 0; i < watched_count; i++)
			if (!linked_below(gs->pt.root, 3 - gs->pt.top_level, watched[i]))
				flushed_after_unlink[i] = true;
}

static void record_page_free(void *addr, size_t pages)
{
	(void)pages;
	for (unsigned int i = 0; i < watched_count; i++) {
		if (watched[i] != addr)
			continue;
		watched_freed++;
		if (!flushed_after_unlink[i])
			order_violations++;
	}
}

static void watch_tables(const struct gspace *gs)
{
	watched_gs = gs;
	watched_count = 0;
	watched_freed = 0;
	order_violations = 0;
	host_set_page_free_hook(record_page_free);
}

static void watch_table(void *page)
{
	assert_true(watched_count < MAX_WATCHED);
	flushed_after_unlink[watched_count] = false;
	watched[watched_count++] = page;
}

static void unwatch_tables(void)
{
	host_set_page_free_hook(NULL);
	watched_gs = NULL;
	watched_count = 0;
}

/* Normal RWX: valid, AF, inner shareable, S2AP read+write, MemAttr 0b1111. */
#define NORMAL_RWX_ATTR 0x7fdULL

static int reset(void **state)
{
	(void)state;
	test_ipa_bits = 40;
	tlb_flushes = 0;
	bbm_gs = NULL;
	bbm_flushes = 0;
	synced_bytes = 0;
	sync_done_calls = 0;
	return 0;
}

static void test_2mib_block(void **state)
{
	(void)state;
	size_t pages_before = host_pages_in_use();
	struct gspace *gs = gspace_create();
	uint64_t hpa = 0;
	unsigned int access = 0;
	enum gspace_memtype type = GSPACE_MEM_DEVICE;

	assert_non_null(gs);
	assert_int_equal(gs->pt.top_level, 3);     /* Arm level 0 */
	assert_int_equal(gspace_limit(gs), 1ULL << 40);
	assert_int_equal(gspace_map(gs, 0x40000000, 0x80000000, 2 * MiB, GSPACE_RWX,
				    GSPACE_MEM_NORMAL), 0);
	/* Root, one level-1 and one level-2 table; the block is at level 2. */
	assert_int_equal(gspace_table_pages(gs), 3);
	assert_int_equal(descriptor_at(gs, 0x40000000, 2), 0x80000000ULL | NORMAL_RWX_ATTR);
	assert_true(gspace_translate(gs, 0x40123456, &hpa, &access, &type));
	assert_int_equal(hpa, 0x80123456);
	assert_int_equal(access, GSPACE_RWX);
	assert_int_equal(type, GSPACE_MEM_NORMAL);
	assert_false(gspace_translate(gs, 0x40200000, &hpa, NULL, NULL));
	assert_false(gspace_translate(gs, 0x3ffff000, &hpa, NULL, NULL));
	gspace_destroy(gs);
	assert_int_equal(host_pages_in_use(), pages_before);
}

static void test_1gib_block_and_pages(void **state)
{
	(void)state;
	struct gspace *gs = gspace_create();
	uint64_t hpa;

	assert_int_equal(gspace_map(gs, 1 * GiB, 4 * GiB, 1 * GiB, GSPACE_READ | GSPACE_EXEC,
				    GSPACE_MEM_NORMAL), 0);
	/* Read-only, executable: S2AP read only, no XN. */
	assert_int_equal(descriptor_at(gs, 1 * GiB, 1), 4 * GiB | 0x77dULL);
	assert_int_equal(gspace_table_pages(gs), 2);
	/* The host address is only 4 KiB aligned: 4 KiB pages (bit 1 set). */
	assert_int_equal(gspace_map(gs, 2 * GiB, 0x80001000, 2 * MiB, GSPACE_READ | GSPACE_WRITE,
				    GSPACE_MEM_NORMAL), 0);
	assert_int_equal(descriptor_at(gs, 2 * GiB, 3), 0x80001000ULL | NORMAL_RWX_ATTR | S2_XN | S2_TABLE);
	assert_int_equal(descriptor_at(gs, 2 * GiB + 2 * MiB - 4 * KiB, 3),
			 0x80200000ULL | NORMAL_RWX_ATTR | S2_XN | S2_TABLE);
	assert_true(gspace_translate(gs, 2 * GiB + 0x1234, &hpa, NULL, NULL));
	assert_int_equal(hpa, 0x80002234);
	/* Mixed: 4 KiB pages up to the 2 MiB boundary, then a block. */
	assert_int_equal(gspace_map(gs, 3 * GiB - 8 * KiB, 0x100000000ULL - 8 * KiB, 8 * KiB + 2 * MiB,
				    GSPACE_RWX, GSPACE_MEM_NORMAL), 0);
	assert_int_equal(descriptor_at(gs, 3 * GiB, 2), 0x100000000ULL | NORMAL_RWX_ATTR);
	assert_int_equal(descriptor_at(gs, 3 * GiB - 4 * KiB, 3),
			 (0x100000000ULL - 4 * KiB) | NORMAL_RWX_ATTR | S2_TABLE);
	gspace_destroy(gs);
}

static void test_device_memory(void **state)
{
	(void)state;
	struct gspace *gs = gspace_create();
	unsigned int access;
	enum gspace_memtype type;
	uint64_t hpa;

	assert_int_equal(gspace_map(gs, 0x08000000, 0x2c000000, 64 * KiB,
				    GSPACE_READ | GSPACE_WRITE, GSPACE_MEM_DEVICE), 0);
	/* Device-nGnRE (MemAttr 0b0001), no shareability field, XN. */
	assert_int_equal(descriptor_at(gs, 0x08000000, 3),
			 0x2c000000ULL | 0x4c5ULL | S2_XN | S2_TABLE);
	assert_true(gspace_translate(gs, 0x0800f004, &hpa, &access, &type));
	assert_int_equal(hpa, 0x2c00f004);
	assert_int_equal(access, GSPACE_READ | GSPACE_WRITE);
	assert_int_equal(type, GSPACE_MEM_DEVICE);
	gspace_destroy(gs);
}

static void test_bad_arguments_and_overlap(void **state)
{
	(void)state;
	struct gspace *gs = gspace_create();
	size_t tables;

	assert_int_equal(gspace_map(gs, 0x40000800, 0x80000000, 4 * KiB, GSPACE_RWX, 0), -EINVAL);
	assert_int_equal(gspace_map(gs, 0x40000000, 0x80000800, 4 * KiB, GSPACE_RWX, 0), -EINVAL);
	assert_int_equal(gspace_map(gs, 0x40000000, 0x80000000, 0, GSPACE_RWX, 0), -EINVAL);
	assert_int_equal(gspace_map(gs, 0x40000000, 0x80000000, 6 * KiB, GSPACE_RWX, 0), -EINVAL);
	assert_int_equal(gspace_map(gs, 0x40000000, 0x80000000, 4 * KiB, 0, 0), -EINVAL);
	assert_int_equal(gspace_map(gs, 0x40000000, 0x80000000, 4 * KiB, 8, 0), -EINVAL);
	assert_int_equal(gspace_map(gs, 0x40000000, 0x80000000, 4 * KiB, GSPACE_RWX, 7), -EINVAL);
	/* Past the 40-bit IPA space, and wrapping. */
	assert_int_equal(gspace_map(gs, (1ULL << 40) - 4 * KiB, 0, 8 * KiB, GSPACE_RWX, 0), -EINVAL);
	assert_int_equal(gspace_map(gs, 0, 0xfffffffffffff000ULL, 8 * KiB, GSPACE_RWX, 0), -EINVAL);
	assert_int_equal(gspace_table_pages(gs), 1);

	assert_int_equal(gspace_map(gs, 0x40000000, 0x80000000, 2 * MiB, GSPACE_RWX, 0), 0);
	tables = gspace_table_pages(gs);
	/* Any overlap, even one page at the end, is refused and maps nothing. */
	assert_int_equal(gspace_map(gs, 0x3ff00000, 0x90000000, 1 * MiB + 4 * KiB, GSPACE_RWX, 0),
			 -EEXIST);
	assert_false(gspace_translate(gs, 0x3ff00000, NULL, NULL, NULL));
	assert_int_equal(gspace_table_pages(gs), tables);
	assert_int_equal(gspace_unmap(gs, 0x40000000, 0), -EINVAL);
	assert_int_equal(gspace_unmap(gs, 0x40000001, 4 * KiB), -EINVAL);
	gspace_destroy(gs);
}

static void test_unmap_splits_blocks(void **state)
{
	(void)state;
	size_t pages_before = host_pages_in_use();
	struct gspace *gs = gspace_create();
	uint64_t hpa;

	assert_int_equal(gspace_map(gs, 0, 0x40000000, 1 * GiB, GSPACE_RWX, 0), 0);
	assert_int_equal(gspace_table_pages(gs), 2);
	/* One page out of the middle: 1 GiB block -> 2 MiB blocks -> pages. */
	assert_int_equal(gspace_unmap(gs, 0x00345000, 4 * KiB), 0);
	assert_int_equal(gspace_table_pages(gs), 4);
	assert_true(tlb_flushes >= 3);       /* two splits (break-before-make) and the unmap */
	assert_false(gspace_translate(gs, 0x00345000, &hpa, NULL, NULL));
	assert_true(gspace_translate(gs, 0x00344fff, &hpa, NULL, NULL));
	assert_int_equal(hpa, 0x40344fff);
	assert_true(gspace_translate(gs, 0x00346000, &hpa, NULL, NULL));
	assert_int_equal(hpa, 0x40346000);
	assert_true(gspace_translate(gs, 0x3fffffff, &hpa, NULL, NULL));
	assert_int_equal(hpa, 0x7fffffff);
	/* The split keeps the attributes: a 2 MiB block and a page. */
	assert_int_equal(descriptor_at(gs, 0x00600000, 2), 0x40600000ULL | NORMAL_RWX_ATTR);
	assert_int_equal(descriptor_at(gs, 0x00346000, 3),
			 0x40346000ULL | NORMAL_RWX_ATTR | S2_TABLE);
	/* The freed page can be mapped again elsewhere. */
	assert_int_equal(gspace_map(gs, 0x00345000, 0x90000000, 4 * KiB, GSPACE_READ, 0), 0);
	assert_true(gspace_translate(gs, 0x00345008, &hpa, NULL, NULL));
	assert_int_equal(hpa, 0x90000008);
	/* Unmapping everything gives the emptied tables back. */
	assert_int_equal(gspace_unmap(gs, 0, 1 * GiB), 0);
	assert_int_equal(gspace_table_pages(gs), 1);
	assert_false(gspace_translate(gs, 0x00345000, NULL, NULL, NULL));
	gspace_destroy(gs);
	assert_int_equal(host_pages_in_use(), pages_before);
}

static void test_small_ipa_starts_at_level1(void **state)
{
	(void)state;
	struct gspace *gs;
	uint64_t hpa;

	test_ipa_bits = 36;
	gs = gspace_create();
	assert_int_equal(gs->pt.top_level, 2);     /* Arm level 1 */
	assert_int_equal(gspace_limit(gs), 1ULL << 36);
	assert_int_equal(gspace_map(gs, 1 * GiB, 1 * GiB, 1 * GiB, GSPACE_RWX, 0), 0);
	/* The root is the level-1 table: the block is entry 1 of it. */
	assert_int_equal(gs->pt.root[1], 1 * GiB | NORMAL_RWX_ATTR);
	assert_int_equal(gspace_table_pages(gs), 1);
	assert_true(gspace_translate(gs, 0x7ffff000, &hpa, NULL, NULL));
	assert_int_equal(hpa, 0x7ffff000);
	assert_int_equal(gspace_map(gs, 1ULL << 36, 0, 4 * KiB, GSPACE_RWX, 0), -EINVAL);
	gspace_destroy(gs);
}

static void test_vmids(void **state)
{
	(void)state;
	struct gspace *a = gspace_create(), *b = gspace_create(), *c;
	unsigned int vmid_a = a->vmid;

	assert_int_not_equal(a->vmid, 0);
	assert_int_not_equal(b->vmid, 0);
	assert_int_not_equal(a->vmid, b->vmid);
	gspace_destroy(a);
	c = gspace_create();
	assert_int_equal(c->vmid, vmid_a);      /* the lowest free one again */
	gspace_destroy(b);
	gspace_destroy(c);
}

/*
 * Unmapping the only page below three tables empties them: they must be
 * freed, and only after the TLB invalidation that follows their
 * unlinking has completed.
 */
static void test_tables_freed_after_tlb_flush(void **state)
{
	(void)state;
	struct gspace *gs = gspace_create();
	const uint64_t *l1, *l2;

	assert_int_equal(gspace_map(gs, 0x40000000, 0x80000000, 4 * KiB, GSPACE_RWX, 0), 0);
	assert_int_equal(gspace_table_pages(gs), 4);
	watch_tables(gs);
	l1 = arm_table_of(descriptor_at(gs, 0x40000000, 0));
	l2 = arm_table_of(l1[arm_index(0x40000000, 1)]);
	watch_table(arm_table_of(descriptor_at(gs, 0x40000000, 0)));
	watch_table(arm_table_of(l1[arm_index(0x40000000, 1)]));
	watch_table(arm_table_of(l2[arm_index(0x40000000, 2)]));
	assert_int_equal(gspace_unmap(gs, 0x40000000, 4 * KiB), 0);
	assert_int_equal(watched_freed, 3);
	assert_int_equal(order_violations, 0);
	assert_int_equal(gspace_table_pages(gs), 1);
	unwatch_tables();
	gspace_destroy(gs);
}

/*
 * A split is break-before-make: the flush in the middle sees the block's
 * entry invalid, then the table goes in.  Partial unmaps of a block keep
 * the exact attributes in the pages around the hole.
 */
static void test_partial_unmap_break_before_make(void **state)
{
	(void)state;
	size_t pages_before = host_pages_in_use();
	struct gspace *gs = gspace_create();
	unsigned int access;
	enum gspace_memtype type;
	uint64_t hpa;

	assert_int_equal(gspace_map(gs, 0x08000000, 0x2c000000, 2 * MiB, GSPACE_READ,
				    GSPACE_MEM_DEVICE), 0);
	/* A read-only device block: S2AP read, Device-nGnRE, XN. */
	assert_int_equal(descriptor_at(gs, 0x08000000, 2), 0x2c000000ULL | 0x445ULL | S2_XN);
	bbm_gs = gs;
	bbm_gpa = 0x08000000;
	bbm_level = 2;
	/* The first page and the last two go. */
	assert_int_equal(gspace_unmap(gs, 0x08000000, 4 * KiB), 0);
	assert_int_equal(bbm_flushes, 2);                 /* the split's and the unmap's */
	assert_int_equal(bbm_seen[0], 0);                 /* broken before ... */
	assert_true(arm_is_table(bbm_seen[1], 2));        /* ... made */
	assert_int_equal(gspace_unmap(gs, 0x08000000 + 2 * MiB - 8 * KiB, 8 * KiB), 0);
	assert_false(gspace_translate(gs, 0x08000000, NULL, NULL, NULL));
	assert_false(gspace_translate(gs, 0x081ff000, NULL, NULL, NULL));
	assert_false(gspace_translate(gs, 0x081fe000, NULL, NULL, NULL));
	assert_int_equal(descriptor_at(gs, 0x08001000, 3),
			 0x2c001000ULL | 0x445ULL | S2_XN | S2_TABLE);
	assert_int_equal(descriptor_at(gs, 0x081fd000, 3),
			 0x2c1fd000ULL | 0x445ULL | S2_XN | S2_TABLE);
	assert_true(gspace_translate(gs, 0x081fdffc, &hpa, &access, &type));
	assert_int_equal(hpa, 0x2c1fdffc);
	assert_int_equal(access, GSPACE_READ);
	assert_int_equal(type, GSPACE_MEM_DEVICE);
	/* Root, level 1, level 2 and the new level-3 table. */
	assert_int_equal(gspace_table_pages(gs), 4);
	bbm_gs = NULL;
	gspace_destroy(gs);
	assert_int_equal(host_pages_in_use(), pages_before);
}

/* gspace_write(): RAM only, all or nothing, with the cache maintenance. */
static void test_gspace_write(void **state)
{
	(void)state;
	struct gspace *gs = gspace_create();
	uint8_t *ram = page_alloc(2);
	uint8_t *dev = page_alloc(1);
	uint8_t data[100];

	for (unsigned int i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i + 1);
	assert_int_equal(gspace_map(gs, 0x40000000, (uintptr_t)ram, 8 * KiB, GSPACE_RWX,
				    GSPACE_MEM_NORMAL), 0);
	assert_int_equal(gspace_map(gs, 0x40002000, (uintptr_t)dev, 4 * KiB, GSPACE_READ | GSPACE_WRITE,
				    GSPACE_MEM_DEVICE), 0);
	/* Across the page boundary. */
	assert_int_equal(gspace_write(gs, 0x40000fd0, data, sizeof(data)), 0);
	assert_memory_equal(ram + 0xfd0, data, sizeof(data));
	assert_int_equal(synced_bytes, sizeof(data));
	assert_int_equal(sync_done_calls, 1);
	/* Into the device page, past the end, or unmapped: nothing at all. */
	assert_int_equal(gspace_write(gs, 0x40001fd0, data, sizeof(data)), -EFAULT);
	assert_int_equal(ram[0x1fd0], 0);
	assert_int_equal(gspace_write(gs, 0x3ffffff0, data, sizeof(data)), -EFAULT);
	assert_int_equal(gspace_write(gs, 0xfffffffffffffff0ULL, data, sizeof(data)), -EFAULT);
	assert_int_equal(synced_bytes, sizeof(data));
	gspace_destroy(gs);
	page_free(ram, 2);
	page_free(dev, 1);
}

/* 255 VMIDs: the 256th address space cannot be made. */
static void test_vmids_run_out(void **state)
{
	(void)state;
	static struct gspace *all[MAX_VMID];
	size_t pages_before = host_pages_in_use();

	for (unsigned int i = 0; i < MAX_VMID; i++) {
		all[i] = gspace_create();
		assert_non_null(all[i]);
		assert_int_equal(all[i]->vmid, i + 1);
	}
	assert_null(gspace_create());
	assert_true(host_console_contains("all 255 stage-2 VMIDs are in use"));
	gspace_destroy(all[41]);
	all[41] = gspace_create();
	assert_int_equal(all[41]->vmid, 42);
	for (unsigned int i = 0; i < MAX_VMID; i++)
		gspace_destroy(all[i]);
	assert_int_equal(host_pages_in_use(), pages_before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_2mib_block, reset),
		cmocka_unit_test_setup(test_1gib_block_and_pages, reset),
		cmocka_unit_test_setup(test_device_memory, reset),
		cmocka_unit_test_setup(test_bad_arguments_and_overlap, reset),
		cmocka_unit_test_setup(test_unmap_splits_blocks, reset),
		cmocka_unit_test_setup(test_small_ipa_starts_at_level1, reset),
		cmocka_unit_test_setup(test_vmids, reset),
		cmocka_unit_test_setup(test_tables_freed_after_tlb_flush, reset),
		cmocka_unit_test_setup(test_partial_unmap_break_before_make, reset),
		cmocka_unit_test_setup(test_gspace_write, reset),
		cmocka_unit_test_setup(test_vmids_run_out, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
