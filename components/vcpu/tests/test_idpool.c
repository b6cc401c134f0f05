/* SPDX-License-Identifier: MIT */
/*
 * The id pools (idpool.c) with the ranges they serve: aarch64 VMIDs
 * 1..255 and x86 VPIDs 1..65535: lowest id first, 0 when all are taken,
 * freed ids come back, ids outside the pool are ignored.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "idpool.h"

ID_POOL_DEFINE(vmid_like, 1, 255);
ID_POOL_DEFINE(vpid_like, 1, 65535);
ID_POOL_DEFINE(small, 10, 12);

static void test_eight_bit_pool(void **state)
{
	(void)state;
	for (unsigned int i = 1; i <= 255; i++)
		assert_int_equal(id_alloc(&vmid_like), i);
	assert_int_equal(id_alloc(&vmid_like), 0);
	id_free(&vmid_like, 64);
	id_free(&vmid_like, 200);
	assert_int_equal(id_alloc(&vmid_like), 64);
	assert_int_equal(id_alloc(&vmid_like), 200);
	assert_int_equal(id_alloc(&vmid_like), 0);
	/* Outside the pool: ignored, the pool stays full. */
	id_free(&vmid_like, 0);
	id_free(&vmid_like, 256);
	assert_int_equal(id_alloc(&vmid_like), 0);
	for (unsigned int i = 1; i <= 255; i++)
		id_free(&vmid_like, i);
	assert_int_equal(id_alloc(&vmid_like), 1);
	id_free(&vmid_like, 1);
}

static void test_sixteen_bit_pool(void **state)
{
	(void)state;
	for (unsigned int i = 1; i <= 65535; i++)
		assert_int_equal(id_alloc(&vpid_like), i);
	assert_int_equal(id_alloc(&vpid_like), 0);
	id_free(&vpid_like, 65535);
	id_free(&vpid_like, 4096);
	assert_int_equal(id_alloc(&vpid_like), 4096);
	assert_int_equal(id_alloc(&vpid_like), 65535);
	assert_int_equal(id_alloc(&vpid_like), 0);
}

static void test_pool_not_from_one(void **state)
{
	(void)state;
	assert_int_equal(id_alloc(&small), 10);
	assert_int_equal(id_alloc(&small), 11);
	assert_int_equal(id_alloc(&small), 12);
	assert_int_equal(id_alloc(&small), 0);
	id_free(&small, 9);
	id_free(&small, 13);
	assert_int_equal(id_alloc(&small), 0);
	id_free(&small, 11);
	assert_int_equal(id_alloc(&small), 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eight_bit_pool),
		cmocka_unit_test(test_sixteen_bit_pool),
		cmocka_unit_test(test_pool_not_from_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
