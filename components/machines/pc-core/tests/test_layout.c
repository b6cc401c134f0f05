/* SPDX-License-Identifier: MIT */
/*
 * The pc memory map against QEMU's pc_piix rules (all RAM below 4 GiB up
 * to 0xE0000000, else 3 GiB below and the rest at 4 GiB), the BIOS
 * placement of x86_bios_rom_init, the etc/e820 bytes and the PAM pieces
 * of the i440FX.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include <pc/layout.h>

static uint64_t le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void test_small_vm(void **state)
{
	struct pc_memory_layout l;
	char err[160];

	(void)state;
	assert_int_equal(pc_plan_memory(256ull << 20, 0, 256 * 1024, 0, &l, err, sizeof(err)), 0);
	assert_int_equal(l.below_4g, 256ull << 20);
	assert_int_equal(l.above_4g, 0);
	assert_int_equal(l.bios_base, 0xFFFC0000ull);
	assert_int_equal(l.bios_size, 0x40000);
}

static void test_split_at_3g(void **state)
{
	struct pc_memory_layout l;
	char err[160];

	(void)state;
	/* Just below the limit: everything stays low. */
	assert_int_equal(pc_plan_memory(0xDFE00000ull, 0, 0x20000, 0, &l, err, sizeof(err)), 0);
	assert_int_equal(l.below_4g, 0xDFE00000ull);
	assert_int_equal(l.above_4g, 0);
	assert_int_equal(l.bios_base, 0xFFFE0000ull);
	/* At 3.5 GiB QEMU's gigabyte alignment leaves 3 GiB low. */
	assert_int_equal(pc_plan_memory(0xE0000000ull, 0, 0x40000, 0, &l, err, sizeof(err)), 0);
	assert_int_equal(l.below_4g, 0xC0000000ull);
	assert_int_equal(l.above_4g, 0x20000000ull);
	assert_int_equal(pc_plan_memory(8ull << 30, 0, 0x40000, 0, &l, err, sizeof(err)), 0);
	assert_int_equal(l.below_4g, 0xC0000000ull);
	assert_int_equal(l.above_4g, (8ull << 30) - 0xC0000000ull);
}

/* ram-below-4g (QEMU's max-ram-below-4g) moves the split down. */
static void test_ram_below_4g(void **state)
{
	struct pc_memory_layout l;
	char err[160];

	(void)state;
	assert_int_equal(pc_plan_memory(1792ull << 20, 1ull << 30, 0x200000, 0, &l, err,
					sizeof(err)), 0);
	assert_int_equal(l.below_4g, 1ull << 30);
	assert_int_equal(l.above_4g, 768ull << 20);
	/* Less RAM than the split: all of it low. */
	assert_int_equal(pc_plan_memory(512ull << 20, 1ull << 30, 0x200000, 0, &l, err,
					sizeof(err)), 0);
	assert_int_equal(l.below_4g, 512ull << 20);
	assert_int_equal(l.above_4g, 0);
	/* Exactly the split: nothing above. */
	assert_int_equal(pc_plan_memory(1ull << 30, 1ull << 30, 0x200000, 0, &l, err,
					sizeof(err)), 0);
	assert_int_equal(l.below_4g, 1ull << 30);
	assert_int_equal(l.above_4g, 0);
	/* A split above 3 GiB that the RAM reaches: gigabyte alignment, as QEMU. */
	assert_int_equal(pc_plan_memory(4ull << 30, 0xD0000000ull, 0x40000, 0, &l, err,
					sizeof(err)), 0);
	assert_int_equal(l.below_4g, 0xC0000000ull);
	assert_int_equal(l.above_4g, 1ull << 30);
}

static void test_bad_bios(void **state)
{
	struct pc_memory_layout l;
	char err[400];

	(void)state;
	assert_int_equal(pc_plan_memory(256ull << 20, 0, 100000, 0, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "is 100000 bytes and 0 bytes of variables; accepted are a "
			    "firmware alone that is a multiple of 64 KiB (SeaBIOS bios-256k.bin, "
			    "OVMF.fd) or a firmware with firmware-vars, each a multiple of 4 KiB "
			    "(OVMF_CODE_4M.fd with OVMF_VARS_4M.fd), at most 16 MiB together");
	assert_int_equal(pc_plan_memory(256ull << 20, 0, 32u << 20, 0, &l, err, sizeof(err)), -EINVAL);
	/* OVMF_CODE_4M.fd alone is refused: its variables would be missing. */
	assert_int_equal(pc_plan_memory(256ull << 20, 0, 3653632, 0, &l, err, sizeof(err)), -EINVAL);
	/* Variables without code, and a pair over 16 MiB. */
	assert_int_equal(pc_plan_memory(256ull << 20, 0, 0, 540672, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "firmware-vars needs a firmware image");
	assert_int_equal(pc_plan_memory(256ull << 20, 0, 12u << 20, 8u << 20, &l, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(pc_plan_memory(256ull << 20, 0, 0x40000, 1000, &l, err, sizeof(err)), -EINVAL);
}

/* OVMF_CODE_4M.fd + OVMF_VARS_4M.fd: the pair where OVMF_4M.fd would be. */
static void test_split_flash(void **state)
{
	struct pc_memory_layout l;
	char err[400];

	(void)state;
	assert_int_equal(pc_plan_memory(512ull << 20, 0, 3653632, 540672, &l, err, sizeof(err)), 0);
	assert_int_equal(l.bios_base, 0xFFC84000ull);
	assert_int_equal(l.bios_size, 3653632);
	assert_int_equal(l.vars_base, 0xFFC00000ull);
	assert_int_equal(l.vars_size, 540672);
}

static void test_e820(void **state)
{
	struct pc_memory_layout l;
	uint8_t buf[PC_E820_MAX * PC_E820_ENTRY_SIZE];
	char err[160];

	(void)state;
	pc_plan_memory(256ull << 20, 0, 0x40000, 0, &l, err, sizeof(err));
	memset(buf, 0xAA, sizeof(buf));
	/* RAM only, as QEMU's: the firmware reserves its own image. */
	assert_int_equal(pc_build_e820(&l, buf, PC_E820_MAX), 1);
	assert_int_equal(le(buf, 8), 0);
	assert_int_equal(le(buf + 8, 8), 256ull << 20);
	assert_int_equal(le(buf + 16, 4), E820_RAM);
	assert_int_equal(buf[20], 0xAA);

	pc_plan_memory(4ull << 30, 0, 0x40000, 0, &l, err, sizeof(err));
	assert_int_equal(pc_build_e820(&l, buf, PC_E820_MAX), 2);
	assert_int_equal(le(buf + 8, 8), 0xC0000000ull);
	assert_int_equal(le(buf + 20, 8), 1ull << 32);
	assert_int_equal(le(buf + 28, 8), 0x40000000ull);
	assert_int_equal(le(buf + 36, 4), E820_RAM);
	/* A short buffer gets what fits. */
	assert_int_equal(pc_build_e820(&l, buf, 1), 1);
}

static void test_pam_pieces(void **state)
{
	(void)state;
	/* PAM1 low nibble 0xC0000, ... PAM6 high nibble 0xEC000, PAM0 0xF0000. */
	assert_int_equal(pc_pam_piece(0xC0000), 0);
	assert_int_equal(pc_pam_piece(0xC3FFF), 0);
	assert_int_equal(pc_pam_piece(0xC4000), 1);
	assert_int_equal(pc_pam_piece(0xE0000), 8);
	assert_int_equal(pc_pam_piece(0xEC000), 11);
	assert_int_equal(pc_pam_piece(0xEFFFF), 11);
	assert_int_equal(pc_pam_piece(0xF0000), 12);
	assert_int_equal(pc_pam_piece(0xFFFFF), 12);
	assert_int_equal(PC_PAM_PIECES, 13);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_vm),
		cmocka_unit_test(test_split_at_3g),
		cmocka_unit_test(test_ram_below_4g),
		cmocka_unit_test(test_bad_bios),
		cmocka_unit_test(test_split_flash),
		cmocka_unit_test(test_e820),
		cmocka_unit_test(test_pam_pieces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
