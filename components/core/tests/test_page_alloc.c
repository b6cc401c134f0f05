/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <core/mm.h>
#include <errno.h>
#include <host/support.h>
#include <stdlib.h>
#include <string.h>

/* An arena of ARENA_PAGES pages aligned to 1 MiB, so alignment is testable. */
#define ARENA_PAGES 512
#define ARENA_ALIGN (1024 * 1024)

static uint8_t *arena;
static struct page_allocator pa;

static int setup(void **state)
{
	(void)state;
	arena = aligned_alloc(ARENA_ALIGN, ARENA_PAGES * PAGE_SIZE);
	assert_non_null(arena);
	memset(arena, 0xcc, ARENA_PAGES * PAGE_SIZE);
	page_allocator_init(&pa);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(arena);
	return 0;
}

static bool in_arena(const void *p, size_t pages)
{
	const uint8_t *b = p;

	return b >= arena && b + pages * PAGE_SIZE <= arena + ARENA_PAGES * PAGE_SIZE;
}

static void test_add_takes_bitmap_from_the_region(void **state)
{
	(void)state;
	assert_int_equal(page_allocator_add(&pa, (uintptr_t)arena, ARENA_PAGES * PAGE_SIZE), 0);
	/* 512 pages need 64 bytes of bitmap: one page. */
	assert_int_equal(page_allocator_total_pages(&pa), ARENA_PAGES - 1);
	assert_int_equal(page_allocator_free_pages(&pa), ARENA_PAGES - 1);
	assert_int_equal(pa.region[0].base, (uintptr_t)arena + PAGE_SIZE);
	assert_ptr_equal(pa.region[0].bitmap, arena);
	/* The first allocation is the first page after the bitmap. */
	assert_ptr_equal(page_allocator_alloc(&pa, 1, 1), arena + PAGE_SIZE);
	assert_int_equal(page_allocator_free_pages(&pa), ARENA_PAGES - 2);
}

static void test_add_rejects_bad_ranges(void **state)
{
	(void)state;
	/* Unaligned ends are trimmed to whole pages. */
	assert_int_equal(page_allocator_add(&pa, (uintptr_t)arena + 100, 3 * PAGE_SIZE), 0);
	assert_int_equal(pa.region[0].pages, 1);    /* 2 whole pages: bitmap + 1 */
	assert_int_equal(pa.region[0].base, (uintptr_t)arena + 2 * PAGE_SIZE);
	/* No room for a page besides the bitmap. */
	assert_int_equal(page_allocator_add(&pa, (uintptr_t)arena + 8 * PAGE_SIZE, PAGE_SIZE), -EINVAL);
	assert_int_equal(page_allocator_add(&pa, (uintptr_t)arena + 8 * PAGE_SIZE, 2 * PAGE_SIZE - 1),
			 -EINVAL);
	assert_int_equal(page_allocator_add(&pa, (uintptr_t)arena, 0), -EINVAL);
	assert_int_equal(page_allocator_add(&pa, UINTPTR_MAX - PAGE_SIZE, 4 * PAGE_SIZE), -EINVAL);
	assert_int_equal(pa.count, 1);

	/* At most PAGE_ALLOC_MAX_REGIONS regions. */
	for (unsigned int i = 1; i < PAGE_ALLOC_MAX_REGIONS; i++)
		assert_int_equal(page_allocator_add(&pa, (uintptr_t)arena + (8 + 2 * i) * PAGE_SIZE,
						    2 * PAGE_SIZE), 0);
	assert_int_equal(page_allocator_add(&pa, (uintptr_t)arena + 100 * PAGE_SIZE, 2 * PAGE_SIZE),
			 -EINVAL);
	assert_int_equal(page_allocator_total_pages(&pa), PAGE_ALLOC_MAX_REGIONS);
}

static void test_exhaustion_and_reuse(void **state)
{
	void *pages[ARENA_PAGES];
	size_t n = 0;
	void *p;

	(void)state;
	assert_int_equal(page_allocator_add(&pa, (uintptr_t)arena, ARENA_PAGES * PAGE_SIZE), 0);
	while ((p = page_allocator_alloc(&pa, 1, 1)) != NULL) {
		assert_true(in_arena(p, 1));
		assert_int_equal((uintptr_t)p % PAGE_SIZE, 0);
		for (size_t i = 0; i < n; i++)
			assert_ptr_not_equal(pages[i], p);
		pages[n++] = p;
		assert_true(n < ARENA_PAGES);
	}
	assert_int_equal(n, ARENA_PAGES - 1);
	assert_int_equal(page_allocator_free_pages(&pa), 0);

	page_allocator_free(&pa, pages[100], 1);
	assert_int_equal(page_allocator_free_pages(&pa), 1);
	assert_null(page_allocator_alloc(&pa, 2, 1));
	assert_ptr_equal(page_allocator_alloc(&pa, 1, 1), pages[100]);
	assert_null(page_allocator_alloc(&pa, 1, 1));
}

static void test_contiguous_runs_skip_holes(void **state)
{
	uint8_t *first;

	(void)state;
	assert_int_equal(page_allocator_add(&pa, (uintptr_t)arena, 16 * PAGE_SIZE), 0);
	/* 15 pages.  Take them all, then free a 2-hole and a 3-hole. */
	first = page_allocator_alloc(&pa, 15, 1);
	assert_ptr_equal(first, arena + PAGE_SIZE);
	page_allocator_free(&pa, first + 2 * PAGE_SIZE, 2);
	page_allocator_free(&pa, first + 8 * PAGE_SIZE, 3);
	assert_int_equal(page_allocator_free_pages(&pa), 5);

	assert_null(page_allocator_alloc(&pa, 4, 1));
	assert_ptr_equal(page_allocator_alloc(&pa, 3, 1), first + 8 * PAGE_SIZE);
	assert_ptr_equal(page_allocator_alloc(&pa, 2, 1), first + 2 * PAGE_SIZE);
	assert_int_equal(page_allocator_free_pages(&pa), 0);
}

static void test_large_runs_across_bitmap_words(void **state)
{
	uint8_t *base;

	(void)state;
	assert_int_equal(page_allocator_add(&pa, (uintptr_t)arena, ARENA_PAGES * PAGE_SIZE), 0);
	base = page_allocator_alloc(&pa, ARENA_PAGES - 1, 1);
	assert_ptr_equal(base, arena + PAGE_SIZE);
	assert_null(page_allocator_alloc(&pa, 1, 1));

	/* Free pages 64..399, then pin page 200 in the middle of them. */
	page_allocator_free(&pa, base + 64 * PAGE_SIZE, 336);
	assert_ptr_equal(page_allocator_alloc(&pa, 336, 1), base + 64 * PAGE_SIZE);
	page_allocator_free(&pa, base + 64 * PAGE_SIZE, 336);
	page_allocator_reserve(&pa, (uintptr_t)(base + 200 * PAGE_SIZE), PAGE_SIZE);
	assert_int_equal(page_allocator_free_pages(&pa), 335);

	assert_null(page_allocator_alloc(&pa, 200, 1));
	assert_ptr_equal(page_allocator_alloc(&pa, 199, 1), base + 201 * PAGE_SIZE);
	assert_null(page_allocator_alloc(&pa, 137, 1));
	assert_ptr_equal(page_allocator_alloc(&pa, 136, 1), base + 64 * PAGE_SIZE);
	assert_int_equal(page_allocator_free_pages(&pa), 0);
}

static void test_alignment(void **state)
{
	uint8_t *p, *q;

	(void)state;
	assert_int_equal(page_allocator_add(&pa, (uintptr_t)arena, ARENA_PAGES * PAGE_SIZE), 0);
	/* The region starts one page past a 1 MiB boundary (the bitmap). */
	p = page_allocator_alloc(&pa, 1, 16);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % (16 * PAGE_SIZE), 0);
	assert_ptr_equal(p, arena + 16 * PAGE_SIZE);

	q = page_allocator_alloc(&pa, 3, 64);
	assert_int_equal((uintptr_t)q % (64 * PAGE_SIZE), 0);
	assert_ptr_equal(q, arena + 64 * PAGE_SIZE);

	/*
	 * The 2 MiB arena (1 MiB aligned) holds exactly one 2 MiB boundary:
	 * at its start, which is the bitmap page, or 1 MiB in.
	 */
	p = page_allocator_alloc(&pa, 1, 512);
	if ((uintptr_t)arena % (2 * ARENA_ALIGN) == 0)
		assert_null(p);
	else
		assert_ptr_equal(p, arena + ARENA_ALIGN);

	/* Not a power of two, or nothing to allocate. */
	assert_null(page_allocator_alloc(&pa, 1, 3));
	assert_null(page_allocator_alloc(&pa, 0, 1));
	/* 0 means no alignment requirement. */
	assert_non_null(page_allocator_alloc(&pa, 1, 0));
}

static void test_reserve(void **state)
{
	uint8_t *p;

	(void)state;
	assert_int_equal(page_allocator_add(&pa, (uintptr_t)arena, 9 * PAGE_SIZE), 0);
	/* Pages 1..8; reserve a range covering part of 2 and all of 3. */
	page_allocator_reserve(&pa, (uintptr_t)arena + 2 * PAGE_SIZE + 100, 2 * PAGE_SIZE - 100);
	assert_int_equal(page_allocator_free_pages(&pa), 6);
	/* Reserving again, or outside every region, changes nothing. */
	page_allocator_reserve(&pa, (uintptr_t)arena + 3 * PAGE_SIZE, PAGE_SIZE);
	page_allocator_reserve(&pa, (uintptr_t)arena + 100 * PAGE_SIZE, PAGE_SIZE);
	assert_int_equal(page_allocator_free_pages(&pa), 6);

	while ((p = page_allocator_alloc(&pa, 1, 1)) != NULL) {
		assert_ptr_not_equal(p, arena + 2 * PAGE_SIZE);
		assert_ptr_not_equal(p, arena + 3 * PAGE_SIZE);
	}
	assert_int_equal(page_allocator_free_pages(&pa), 0);
}

static void test_regions_are_used_in_turn(void **state)
{
	(void)state;
	assert_int_equal(page_allocator_add(&pa, (uintptr_t)arena, 3 * PAGE_SIZE), 0);
	assert_int_equal(page_allocator_add(&pa, (uintptr_t)arena + 100 * PAGE_SIZE, 5 * PAGE_SIZE), 0);
	assert_int_equal(page_allocator_total_pages(&pa), 2 + 4);
	/* 3 contiguous pages only fit in the second region. */
	assert_ptr_equal(page_allocator_alloc(&pa, 3, 1), arena + 101 * PAGE_SIZE);
	assert_ptr_equal(page_allocator_alloc(&pa, 2, 1), arena + PAGE_SIZE);
	assert_ptr_equal(page_allocator_alloc(&pa, 1, 1), arena + 104 * PAGE_SIZE);
	assert_null(page_allocator_alloc(&pa, 1, 1));
}

struct free_args {
	void *addr;
	size_t pages;
};

static void do_free(void *arg)
{
	struct free_args *a = arg;

	page_allocator_free(&pa, a->addr, a->pages);
}

static void test_bad_frees_panic(void **state)
{
	struct free_args a;
	uint8_t *p;

	(void)state;
	assert_int_equal(page_allocator_add(&pa, (uintptr_t)arena, 16 * PAGE_SIZE), 0);
	p = page_allocator_alloc(&pa, 2, 1);

	a = (struct free_args){ p, 2 };
	assert_false(host_expect_panic(do_free, &a));
	assert_true(host_expect_panic(do_free, &a));
	assert_non_null(strstr(host_last_panic(), "already free"));

	a = (struct free_args){ arena + 200 * PAGE_SIZE, 1 };
	assert_true(host_expect_panic(do_free, &a));
	assert_non_null(strstr(host_last_panic(), "not managed"));

	p = page_allocator_alloc(&pa, 1, 1);
	a = (struct free_args){ p + 8, 1 };
	assert_true(host_expect_panic(do_free, &a));
	a = (struct free_args){ p, 100 };
	assert_true(host_expect_panic(do_free, &a));
	assert_int_equal(page_allocator_free_pages(&pa), 14);
	/* The lock was released before panicking: the allocator still works. */
	assert_non_null(page_allocator_alloc(&pa, 1, 1));
	/* Freeing nothing is fine. */
	page_allocator_free(&pa, NULL, 1);
	page_allocator_free(&pa, p, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_takes_bitmap_from_the_region, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_rejects_bad_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaustion_and_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contiguous_runs_skip_holes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_runs_across_bitmap_words, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alignment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regions_are_used_in_turn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_frees_panic, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
