/* SPDX-License-Identifier: MIT */
/* Guest memory for DMA: range edges, wrap-around, read-only regions. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <bus/guest_mem.h>

static uint8_t low_ram[0x1000];
static uint8_t high_ram[0x100];
static uint8_t rom[0x100];
static uint8_t top_page[0x10];

static void setup_map(struct guest_mem *gm)
{
	guest_mem_init(gm);
	for (unsigned i = 0; i < sizeof(low_ram); i++)
		low_ram[i] = (uint8_t)i;
	memset(high_ram, 0xAA, sizeof(high_ram));
	memset(rom, 0x55, sizeof(rom));
	assert_int_equal(guest_mem_add(gm, 0x0, sizeof(low_ram), low_ram, false), 0);
	assert_int_equal(guest_mem_add(gm, 0x100000000ULL, sizeof(high_ram), high_ram, false), 0);
	assert_int_equal(guest_mem_add(gm, 0xFFFF0000, sizeof(rom), rom, true), 0);
	/* Ends exactly at the top of the 64-bit space. */
	assert_int_equal(guest_mem_add(gm, ~0ULL - 0xF, sizeof(top_page), top_page, false), 0);
}

static void test_add_rejects_bad_regions(void **state)
{
	struct guest_mem gm;
	uint8_t buf[16];

	(void)state;
	setup_map(&gm);
	assert_int_equal(guest_mem_add(&gm, 0xFFF, 2, buf, false), -EINVAL);      /* overlap low */
	assert_int_equal(guest_mem_add(&gm, 0xFFFEFFFF, 2, buf, false), -EINVAL); /* overlap rom start */
	assert_int_equal(guest_mem_add(&gm, 0x2000, 0, buf, false), -EINVAL);
	assert_int_equal(guest_mem_add(&gm, ~0ULL - 0x20, 0x40, buf, false), -EINVAL);
	assert_int_equal(guest_mem_add(&gm, 0x2000, 16, NULL, false), -EINVAL);
	assert_int_equal(guest_mem_add(&gm, 0x1000, 16, buf, false), 0);          /* adjacent */
	for (unsigned i = gm.count; i < GUEST_MEM_MAX_REGIONS; i++)
		assert_int_equal(guest_mem_add(&gm, 0x10000 + i * 0x100, 16, buf, false), 0);
	assert_int_equal(guest_mem_add(&gm, 0x20000, 16, buf, false), -EINVAL);   /* full */
}

static void test_edges(void **state)
{
	struct guest_mem gm;
	uint8_t buf[32];

	(void)state;
	setup_map(&gm);
	assert_ptr_equal(guest_mem_ptr(&gm, 0, 0x1000, false), low_ram);
	assert_ptr_equal(guest_mem_ptr(&gm, 0xFFF, 1, true), low_ram + 0xFFF);
	assert_null(guest_mem_ptr(&gm, 0xFFF, 2, false));
	assert_null(guest_mem_ptr(&gm, 0x1000, 1, false));
	assert_null(guest_mem_ptr(&gm, 0, 0x1001, false));
	assert_null(guest_mem_ptr(&gm, 0xFFFFFFFF, 2, false));      /* hole below high RAM */
	assert_ptr_equal(guest_mem_ptr(&gm, 0x1000000FF, 1, false), high_ram + 0xFF);
	assert_null(guest_mem_ptr(&gm, 0x100000100, 1, false));

	assert_int_equal(guest_mem_read(&gm, 0xFF0, buf, 16), 0);
	assert_int_equal(buf[0], 0xF0);
	assert_int_equal(buf[15], 0xFF);
	memset(buf, 0x11, sizeof(buf));
	assert_int_equal(guest_mem_read(&gm, 0xFF0, buf, 17), -EFAULT);
	assert_int_equal(buf[0], 0x11);           /* nothing copied on failure */
	assert_int_equal(guest_mem_write(&gm, 0xFFC, "\x01\x02\x03\x04", 4), 0);
	assert_memory_equal(low_ram + 0xFFC, "\x01\x02\x03\x04", 4);
	assert_int_equal(guest_mem_write(&gm, 0xFFD, "\x09\x09\x09\x09", 4), -EFAULT);
	assert_memory_equal(low_ram + 0xFFC, "\x01\x02\x03\x04", 4);
	/* Spanning two regions, even adjacent ones, is refused. */
	assert_int_equal(guest_mem_add(&gm, 0x1000, 16, buf, false), 0);
	assert_null(guest_mem_ptr(&gm, 0xFF8, 16, false));
}

static void test_zero_length(void **state)
{
	struct guest_mem gm;
	uint8_t buf[4] = { 7, 7, 7, 7 };

	(void)state;
	setup_map(&gm);
	assert_int_equal(guest_mem_read(&gm, 0xDEAD0000, buf, 0), 0);
	assert_int_equal(guest_mem_write(&gm, ~0ULL, buf, 0), 0);
	assert_int_equal(guest_mem_write(&gm, 0xFFFF0000, buf, 0), 0);
	assert_ptr_equal(guest_mem_ptr(&gm, 0x10, 0, false), low_ram + 0x10);
	assert_ptr_equal(guest_mem_ptr(&gm, 0x1000, 0, false), low_ram + 0x1000);
	assert_null(guest_mem_ptr(&gm, 0x1001, 0, false));
	assert_int_equal(buf[0], 7);
}

static void test_wrap_around(void **state)
{
	struct guest_mem gm;
	uint8_t buf[64];

	(void)state;
	setup_map(&gm);
	assert_ptr_equal(guest_mem_ptr(&gm, ~0ULL - 0xF, 16, true), top_page);
	assert_ptr_equal(guest_mem_ptr(&gm, ~0ULL, 1, true), top_page + 15);
	assert_null(guest_mem_ptr(&gm, ~0ULL, 2, false));
	assert_null(guest_mem_ptr(&gm, ~0ULL - 0xF, 17, false));
	/* gpa + len wraps to a small number inside low RAM. */
	assert_null(guest_mem_ptr(&gm, ~0ULL - 0x7, 0x20, false));
	assert_null(guest_mem_ptr(&gm, 0x10, ~0ULL, false));
	assert_null(guest_mem_ptr(&gm, 0x10, ~0ULL - 0xF, false));
	assert_int_equal(guest_mem_read(&gm, ~0ULL - 0x7, buf, 0x20), -EFAULT);
	assert_int_equal(guest_mem_read(&gm, 0x100000000ULL + 0x80, buf, ~0ULL), -EFAULT);
}

static void test_read_only(void **state)
{
	struct guest_mem gm;
	uint8_t buf[4] = { 1, 2, 3, 4 };

	(void)state;
	setup_map(&gm);
	assert_non_null(guest_mem_ptr(&gm, 0xFFFF0000, 4, false));
	assert_null(guest_mem_ptr(&gm, 0xFFFF0000, 4, true));
	assert_int_equal(guest_mem_write(&gm, 0xFFFF0010, buf, 4), -EFAULT);
	assert_int_equal(rom[0x10], 0x55);
	assert_int_equal(guest_mem_read(&gm, 0xFFFF0010, buf, 4), 0);
	assert_int_equal(buf[0], 0x55);
}

/* RAM of several host blocks: copies run on into the adjacent block. */
static void test_adjacent_blocks(void **state)
{
	static uint8_t a[0x100], b[0x100];
	struct guest_mem gm;
	uint8_t buf[0x40];

	(void)state;
	guest_mem_init(&gm);
	memset(a, 0x11, sizeof(a));
	memset(b, 0x22, sizeof(b));
	assert_int_equal(guest_mem_add(&gm, 0x1000, sizeof(a), a, false), 0);
	assert_int_equal(guest_mem_add(&gm, 0x1100, sizeof(b), b, false), 0);
	assert_int_equal(guest_mem_read(&gm, 0x10E0, buf, sizeof(buf)), 0);
	assert_int_equal(buf[0x1F], 0x11);
	assert_int_equal(buf[0x20], 0x22);
	memset(buf, 0x33, sizeof(buf));
	assert_int_equal(guest_mem_write(&gm, 0x10F0, buf, 0x20), 0);
	assert_int_equal(a[0xFF], 0x33);
	assert_int_equal(b[0x0F], 0x33);
	assert_int_equal(b[0x10], 0x22);
	/* One pointer still needs one block. */
	assert_null(guest_mem_ptr(&gm, 0x10F0, 0x20, false));
	/* A hole after the second block: nothing copied. */
	memset(buf, 0x44, sizeof(buf));
	assert_int_equal(guest_mem_write(&gm, 0x11F0, buf, 0x20), -EFAULT);
	assert_int_equal(b[0xF0], 0x22);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_rejects_bad_regions),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_wrap_around),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_adjacent_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
