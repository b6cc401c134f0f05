/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <core/mm.h>
#include <host/support.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_SIZE (64 * 1024)
/* Every block carries a 32-byte header; payloads are 16-byte multiples. */
#define HEADER 32

static uint8_t *arena;
static struct heap heap;

static int setup(void **state)
{
	(void)state;
	arena = aligned_alloc(4096, ARENA_SIZE);
	assert_non_null(arena);
	memset(arena, 0xcc, ARENA_SIZE);
	heap_init(&heap, NULL);
	heap_add(&heap, arena, ARENA_SIZE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(arena);
	return 0;
}

static bool in_arena(const void *p, size_t size)
{
	const uint8_t *b = p;

	return b >= arena && b + size <= arena + ARENA_SIZE;
}

static void test_alloc_is_aligned_and_disjoint(void **state)
{
	uint8_t *p[40];

	(void)state;
	assert_int_equal(heap.bytes_free, ARENA_SIZE);
	for (int i = 0; i < 40; i++) {
		size_t size = (size_t)(i * 37 % 300);

		p[i] = heap_alloc(&heap, size, 0);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % 16, 0);
		assert_true(in_arena(p[i], size));
		memset(p[i], i, size);
	}
	for (int i = 0; i < 40; i++) {
		size_t size = (size_t)(i * 37 % 300);

		for (size_t k = 0; k < size; k++)
			assert_int_equal(p[i][k], i);
	}
	/* Zero-byte requests still get distinct pointers. */
	assert_ptr_not_equal(heap_alloc(&heap, 0, 16), heap_alloc(&heap, 0, 16));
}

static void test_large_alignments(void **state)
{
	static const size_t aligns[] = { 32, 64, 256, 4096, 8192 };

	(void)state;
	/* Misalign the free space first. */
	assert_non_null(heap_alloc(&heap, 40, 16));
	for (size_t i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		uint8_t *p = heap_alloc(&heap, 100, aligns[i]);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % aligns[i], 0);
		assert_true(in_arena(p, 100));
		memset(p, 0xab, 100);
	}
	/* Not a power of two. */
	assert_null(heap_alloc(&heap, 16, 48));
}

static void test_coalescing_restores_one_block(void **state)
{
	uint8_t *a, *b, *c, *whole;

	(void)state;
	a = heap_alloc(&heap, 1000, 16);
	b = heap_alloc(&heap, 2000, 16);
	c = heap_alloc(&heap, 3000, 16);
	assert_true(a && b && c);
	assert_true(a < b && b < c);
	assert_int_equal(heap.bytes_free,
			 ARENA_SIZE - (HEADER + 1008) - (HEADER + 2000) - (HEADER + 3008));

	/* Free out of order: the middle one last, so it joins both sides. */
	heap_free(&heap, a);
	heap_free(&heap, c);
	/* A hole of a's size is reused for a request that fits it... */
	assert_ptr_equal(heap_alloc(&heap, 1000, 16), a);
	heap_free(&heap, a);
	heap_free(&heap, b);
	assert_int_equal(heap.bytes_free, ARENA_SIZE);

	/* ...and the whole arena is one block again. */
	whole = heap_alloc(&heap, ARENA_SIZE - HEADER, 16);
	assert_ptr_equal(whole, arena + HEADER);
	heap_free(&heap, whole);
	assert_null(heap_alloc(&heap, ARENA_SIZE - HEADER + 1, 16));
}

static void test_exhaustion(void **state)
{
	size_t count = 0;
	void *p, *last = NULL;

	(void)state;
	assert_null(heap_alloc(&heap, ARENA_SIZE, 16));
	assert_null(heap_alloc(&heap, SIZE_MAX, 16));
	assert_null(heap_alloc(&heap, SIZE_MAX - 8, 16));
	while ((p = heap_alloc(&heap, 1024 - HEADER, 16)) != NULL) {
		count++;
		last = p;
	}
	assert_int_equal(count, ARENA_SIZE / 1024);
	assert_int_equal(heap.bytes_free, 0);
	heap_free(&heap, last);
	assert_ptr_equal(heap_alloc(&heap, 1024 - HEADER, 16), last);
}

static size_t grow_calls;
static size_t grow_last_min;
static void *grown_chunks[8];

static void *test_grow(size_t min_bytes, size_t *got)
{
	size_t size = min_bytes < 8192 ? 8192 : min_bytes;

	if (grow_calls >= 8)
		return NULL;
	grow_last_min = min_bytes;
	grown_chunks[grow_calls] = aligned_alloc(16, (size + 15) & ~(size_t)15);
	*got = size;
	return grown_chunks[grow_calls++];
}

static void test_grows_when_empty(void **state)
{
	struct heap h;
	uint8_t *p, *q;

	(void)state;
	grow_calls = 0;
	heap_init(&h, test_grow);
	p = heap_alloc(&h, 100, 16);
	assert_non_null(p);
	assert_int_equal(grow_calls, 1);
	assert_true(grow_last_min >= 100 + HEADER);
	q = heap_alloc(&h, 100, 16);
	assert_int_equal(grow_calls, 1);
	/* Larger than a chunk, with a large alignment: the request says so. */
	p = heap_alloc(&h, 20000, 4096);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 4096, 0);
	assert_int_equal(grow_calls, 2);
	assert_true(grow_last_min >= 20000 + HEADER + 4096);
	heap_free(&h, p);
	heap_free(&h, q);
	for (size_t i = 0; i < grow_calls; i++)
		free(grown_chunks[i]);

	/* Without a grow function an empty heap just fails. */
	heap_init(&h, NULL);
	assert_null(heap_alloc(&h, 1, 16));
}

static void *freed_pointer;

static void free_it(void *arg)
{
	(void)arg;
	heap_free(&heap, freed_pointer);
}

static void test_double_and_wild_frees_panic(void **state)
{
	uint8_t *a, *b;

	(void)state;
	a = heap_alloc(&heap, 64, 16);
	b = heap_alloc(&heap, 64, 16);

	freed_pointer = a;
	assert_false(host_expect_panic(free_it, NULL));
	assert_true(host_expect_panic(free_it, NULL));
	assert_non_null(strstr(host_last_panic(), "double free"));

	/* b merges into the free block before it; its header is poisoned. */
	freed_pointer = b;
	assert_false(host_expect_panic(free_it, NULL));
	assert_true(host_expect_panic(free_it, NULL));
	assert_non_null(strstr(host_last_panic(), "double free"));

	a = heap_alloc(&heap, 256, 16);
	freed_pointer = a + 64;   /* inside a block: no header there */
	assert_true(host_expect_panic(free_it, NULL));
	assert_non_null(strstr(host_last_panic(), "not returned by the heap"));
	freed_pointer = a + 8;
	assert_true(host_expect_panic(free_it, NULL));

	/* The heap still works and NULL is ignored. */
	heap_free(&heap, NULL);
	heap_free(&heap, a);
	assert_int_equal(heap.bytes_free, ARENA_SIZE);
}

static void test_random_workload_keeps_contents(void **state)
{
	enum { SLOTS = 64 };
	uint8_t *ptr[SLOTS] = { 0 };
	size_t size[SLOTS] = { 0 };
	uint32_t seed = 12345;

	(void)state;
	for (int step = 0; step < 20000; step++) {
		unsigned int i;

		seed = seed * 1103515245u + 12345u;
		i = (seed >> 16) % SLOTS;
		if (ptr[i]) {
			for (size_t k = 0; k < size[i]; k++)
				assert_int_equal(ptr[i][k], (uint8_t)(i + size[i]));
			heap_free(&heap, ptr[i]);
			ptr[i] = NULL;
		} else {
			size_t align = (size_t)16 << ((seed >> 8) % 4);

			size[i] = (seed >> 4) % 1500;
			ptr[i] = heap_alloc(&heap, size[i], align);
			if (ptr[i]) {
				assert_int_equal((uintptr_t)ptr[i] % align, 0);
				assert_true(in_arena(ptr[i], size[i]));
				memset(ptr[i], (uint8_t)(i + size[i]), size[i]);
			}
		}
	}
	for (int i = 0; i < SLOTS; i++)
		heap_free(&heap, ptr[i]);
	assert_int_equal(heap.bytes_free, ARENA_SIZE);
	assert_non_null(heap_alloc(&heap, ARENA_SIZE - HEADER, 16));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alloc_is_aligned_and_disjoint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_alignments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coalescing_restores_one_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grows_when_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_double_and_wild_frees_panic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_workload_keeps_contents, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
