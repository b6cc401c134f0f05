/* SPDX-License-Identifier: MIT */
/*
 * Stage-2 tables (arch/aarch64/stage2.c) built on the host: exact
 * descriptors as the Arm ARM defines them for a 4 KiB granule (block and
 * page attributes, MemAttr, S2AP, XN), block use by alignment, splitting
 * on unmap, overlap and argument checks, VMIDs, and no leaked pages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <host/support.h>

#include "arch/aarch64/stage2.c"

/* The hardware half of el2.c, as the tests want it. */
static unsigned int test_ipa_bits = 40;
static unsigned int tlb_flushes;

unsigned int el2_ipa_bits(void)
{
	return test_ipa_bits;
}

void el2_stage2_tlb_flush(const struct gspace *gs)
{
	(void)gs;
	tlb_flushes++;
}

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)
#define KiB (1ULL << 10)

/* The descriptor that maps gpa at 'level' (walking from the root), or 0. */
static uint64_t descriptor_at(const struct gspace *gs, uint64_t gpa, unsigned int level)
{
	const uint64_t *table = gs->root;

	for (unsigned int l = gs->start_level; l <= 3; l++) {
		uint64_t e = table[level_index(gpa, l)];

		if (l == level)
			return e;
		if (!is_table(e, l))
			return 0;
		table = table_of(e);
	}
	return 0;
}

/* Normal RWX: valid, AF, inner shareable, S2AP read+write, MemAttr 0b1111. */
#define NORMAL_RWX_ATTR 0x7fdULL

static int reset(void **state)
{
	(void)state;
	test_ipa_bits = 40;
	tlb_flushes = 0;
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
	assert_int_equal(gs->start_level, 0);
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
	assert_int_equal(gs->start_level, 1);
	assert_int_equal(gspace_limit(gs), 1ULL << 36);
	assert_int_equal(gspace_map(gs, 1 * GiB, 1 * GiB, 1 * GiB, GSPACE_RWX, 0), 0);
	/* The root is the level-1 table: the block is entry 1 of it. */
	assert_int_equal(gs->root[1], 1 * GiB | NORMAL_RWX_ATTR);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
