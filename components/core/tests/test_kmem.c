/* SPDX-License-Identifier: MIT */
/*
 * core/kmem.c set up from a boot_info describing a host arena, built under
 * core_* names because the host support library provides kmalloc and
 * page_alloc for the other tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <host/support.h>
#include <stdlib.h>
#include <string.h>

#define kmalloc core_kmalloc
#define kzalloc core_kzalloc
#define kcalloc core_kcalloc
#define kfree core_kfree
#define page_alloc core_page_alloc
#define page_alloc_aligned core_page_alloc_aligned
#define page_free core_page_free
#define mm_free_pages core_mm_free_pages
#define mm_total_pages core_mm_total_pages
#include "../kmem.c"

#define MIB (1024 * 1024)
#define ARENA_SIZE (4 * MIB)

static uint8_t *arena;
static struct boot_info bi;

/* Reserved: the first 8 KiB (say, the image) and 64 KiB at 1 MiB (the archive). */
#define RES1_OFF 0
#define RES1_LEN (8 * 1024)
#define RES2_OFF MIB
#define RES2_LEN (64 * 1024)

static bool overlaps(const uint8_t *p, size_t len, size_t off, size_t rlen)
{
	return p < arena + off + rlen && arena + off < p + len;
}

static int setup(void **state)
{
	(void)state;
	arena = aligned_alloc(MIB, ARENA_SIZE);
	assert_non_null(arena);
	memset(arena, 0x5a, ARENA_SIZE);
	memset(&bi, 0, sizeof(bi));
	bi.loader = "test";
	bi.cmdline = "";
	/* RAM below 1 MiB is never used (and is not touched here either). */
	bi.mem[bi.mem_count++] = (struct mem_region){ 0x1000, 0x9f000, MEM_RAM };
	bi.mem[bi.mem_count++] = (struct mem_region){ (uintptr_t)arena, ARENA_SIZE, MEM_RAM };
	bi.mem[bi.mem_count++] = (struct mem_region){ 0xfee00000, 0x1000, MEM_RESERVED };
	bootinfo_reserve(&bi, (uintptr_t)arena + RES1_OFF, RES1_LEN);
	bootinfo_reserve(&bi, (uintptr_t)arena + RES2_OFF, RES2_LEN);
	bootinfo_reserve(&bi, 0x5000, 0);   /* empty: ignored */
	assert_int_equal(bi.reserved_count, 2);
	kmem_init(&bi);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(arena);
	return 0;
}

static void test_reserved_ranges_are_never_touched(void **state)
{
	uint8_t *p;
	size_t pages = 0;

	(void)state;
	/* [8K, 1M) = 254 pages and [1M+64K, 4M) = 752 pages, one bitmap page each. */
	assert_int_equal(core_mm_total_pages(), 253 + 751);
	assert_int_equal(core_mm_free_pages(), 253 + 751);
	assert_true(host_console_contains("mm: 3 MiB free for the hypervisor"));

	while ((p = core_page_alloc(1)) != NULL) {
		assert_true(p >= arena && p + PAGE_SIZE <= arena + ARENA_SIZE);
		assert_false(overlaps(p, PAGE_SIZE, RES1_OFF, RES1_LEN));
		assert_false(overlaps(p, PAGE_SIZE, RES2_OFF, RES2_LEN));
		assert_int_equal(p[0], 0);
		assert_int_equal(p[PAGE_SIZE - 1], 0);
		pages++;
	}
	assert_int_equal(pages, 253 + 751);
	for (size_t i = 0; i < RES1_LEN; i++)
		assert_int_equal(arena[RES1_OFF + i], 0x5a);
	for (size_t i = 0; i < RES2_LEN; i++)
		assert_int_equal(arena[RES2_OFF + i], 0x5a);
}

static void test_page_alloc_is_zeroed_and_aligned(void **state)
{
	uint8_t *p;

	(void)state;
	p = core_page_alloc_aligned(4, 64);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % (64 * PAGE_SIZE), 0);
	for (size_t i = 0; i < 4 * PAGE_SIZE; i++)
		assert_int_equal(p[i], 0);
	memset(p, 0xff, 4 * PAGE_SIZE);
	core_page_free(p, 4);
	p = core_page_alloc_aligned(4, 64);
	assert_int_equal(p[100], 0);
	assert_null(core_page_alloc(0));
	assert_null(core_page_alloc(2000));
}

static void test_kmalloc_on_the_page_allocator(void **state)
{
	size_t before = core_mm_free_pages();
	uint8_t *a, *b, *big;

	(void)state;
	a = core_kmalloc(24);
	assert_non_null(a);
	assert_int_equal((uintptr_t)a % 16, 0);
	/* The heap took a 64 KiB chunk from the page allocator. */
	assert_int_equal(core_mm_free_pages(), before - 16);
	b = core_kzalloc(100);
	for (int i = 0; i < 100; i++)
		assert_int_equal(b[i], 0);
	assert_int_equal(core_mm_free_pages(), before - 16);

	/* Larger than a chunk: the heap asks for what it needs. */
	big = core_kmalloc(200 * 1024);
	assert_non_null(big);
	assert_true(core_mm_free_pages() < before - 16 - 50);
	memset(big, 1, 200 * 1024);

	assert_null(core_kcalloc(SIZE_MAX / 2, 4));
	uint32_t *arr = core_kcalloc(10, sizeof(uint32_t));
	assert_non_null(arr);
	assert_int_equal(arr[9], 0);

	core_kfree(a);
	core_kfree(b);
	core_kfree(big);
	core_kfree(arr);
	core_kfree(NULL);
	assert_null(core_kmalloc(8 * MIB));
}

static void free_twice(void *arg)
{
	core_kfree(arg);
	core_kfree(arg);
}

static void test_double_kfree_panics(void **state)
{
	(void)state;
	assert_true(host_expect_panic(free_twice, core_kmalloc(32)));
	assert_non_null(strstr(host_last_panic(), "double free"));
}

static void test_reserve_table_overflow_widens_the_last_range(void **state)
{
	struct boot_info b;

	(void)state;
	memset(&b, 0, sizeof(b));
	for (unsigned int i = 0; i < BOOT_MAX_RESERVED; i++)
		bootinfo_reserve(&b, 0x100000 * (i + 1), 0x1000);
	bootinfo_reserve(&b, 0x4000000, 0x2000);
	assert_int_equal(b.reserved_count, BOOT_MAX_RESERVED);
	assert_int_equal(b.reserved[BOOT_MAX_RESERVED - 1].base, 0x1000000);
	assert_int_equal(b.reserved[BOOT_MAX_RESERVED - 1].size, 0x4002000 - 0x1000000);
	assert_int_equal(b.reserved[0].type, MEM_RESERVED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reserved_ranges_are_never_touched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_alloc_is_zeroed_and_aligned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kmalloc_on_the_page_allocator, setup, teardown),
		cmocka_unit_test_setup_teardown(test_double_kfree_panics, setup, teardown),
		cmocka_unit_test(test_reserve_table_overflow_widens_the_last_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
