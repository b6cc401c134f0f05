/* SPDX-License-Identifier: MIT */
/*
 * pflash driven through the bus with the exact accesses of OVMF's
 * QemuFlash driver (byte-wide bank), EDK2's VirtNorFlash driver (two x16
 * chips on a 32-bit bus) and Linux's CFI probe.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bus/bus.h>
#include <host/support.h>
#include <pflash/pflash.h>

#define OVMF_VARS_BASE 0xFFFC0000ULL
#define OVMF_CODE_BASE 0xFFFE0000ULL
#define OVMF_SIZE      0x20000ULL
#define OVMF_BLOCK     0x1000

#define AAVMF_VARS_BASE 0x04000000ULL
#define AAVMF_BLOCK     0x40000
#define AAVMF_SIZE      (4 * AAVMF_BLOCK)

static struct {
	struct bus *bus;
	struct pflash *vars, *code;
	uint8_t *vars_mem, *code_mem;
	unsigned mode_changes;
	bool array_mode;
} fx;

static void mode_changed(void *ctx, bool array_mode)
{
	assert_ptr_equal(ctx, &fx);
	fx.mode_changes++;
	fx.array_mode = array_mode;
}

static uint64_t rd(uint64_t addr, unsigned width)
{
	struct bus_access a = { .space = BUS_SPACE_MMIO, .dir = BUS_READ, .addr = addr, .width = width };

	assert_int_equal(bus_dispatch(fx.bus, &a), BUS_OK);
	return a.data;
}

static void wr(uint64_t addr, unsigned width, uint64_t value)
{
	struct bus_access a = { .space = BUS_SPACE_MMIO, .dir = BUS_WRITE, .addr = addr, .width = width, .data = value };

	assert_int_equal(bus_dispatch(fx.bus, &a), BUS_OK);
}

static uint8_t rd8(uint64_t addr) { return (uint8_t)rd(addr, 1); }
static void wr8(uint64_t addr, uint8_t v) { wr(addr, 1, v); }
static uint32_t rd32(uint64_t addr) { return (uint32_t)rd(addr, 4); }
static void wr32(uint64_t addr, uint32_t v) { wr(addr, 4, v); }

static int setup_ovmf(void **state)
{
	struct pflash_config vars = {
		.name = "pflash1", .base = OVMF_VARS_BASE, .size = OVMF_SIZE, .block_size = OVMF_BLOCK,
		.bank_width = 1, .device_width = 1, .mode_changed = mode_changed, .ctx = &fx,
	};
	struct pflash_config code = vars;

	(void)state;
	memset(&fx, 0, sizeof(fx));
	host_console_clear();
	fx.bus = bus_create("test");
	fx.vars_mem = malloc(OVMF_SIZE);
	fx.code_mem = malloc(OVMF_SIZE);
	assert_non_null(fx.vars_mem);
	assert_non_null(fx.code_mem);
	/* Block 0 starts like a firmware volume: zeros first. */
	memset(fx.vars_mem, 0, OVMF_SIZE);
	memset(fx.vars_mem + 0x10, 0x50, 4);
	memset(fx.vars_mem + 0x14, 0x70, 2);
	fx.vars_mem[0x16] = 0x5A;
	memset(fx.vars_mem + 0x17, 0xFF, OVMF_SIZE - 0x17);
	for (unsigned i = 0; i < OVMF_SIZE; i++)
		fx.code_mem[i] = (uint8_t)(i * 7 + 1);
	vars.mem = fx.vars_mem;
	code.name = "pflash0";
	code.base = OVMF_CODE_BASE;
	code.mem = fx.code_mem;
	code.read_only = true;
	fx.vars = pflash_create(fx.bus, &vars);
	fx.code = pflash_create(fx.bus, &code);
	assert_non_null(fx.vars);
	assert_non_null(fx.code);
	return 0;
}

static int setup_aavmf(void **state)
{
	struct pflash_config vars = {
		.name = "flash1", .base = AAVMF_VARS_BASE, .size = AAVMF_SIZE, .block_size = AAVMF_BLOCK,
		.bank_width = 4, .device_width = 2, .mode_changed = mode_changed, .ctx = &fx,
	};

	(void)state;
	memset(&fx, 0, sizeof(fx));
	host_console_clear();
	fx.bus = bus_create("test");
	fx.vars_mem = malloc(AAVMF_SIZE);
	assert_non_null(fx.vars_mem);
	memset(fx.vars_mem, 0x3C, AAVMF_SIZE);
	vars.mem = fx.vars_mem;
	fx.vars = pflash_create(fx.bus, &vars);
	assert_non_null(fx.vars);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pflash_destroy(fx.vars);
	pflash_destroy(fx.code);
	bus_destroy(fx.bus);
	free(fx.vars_mem);
	free(fx.code_mem);
	return 0;
}

enum probe_result { PROBE_NO_LOCATION, PROBE_RAM, PROBE_ROM, PROBE_FLASH_WRITABLE, PROBE_FLASH_READ_ONLY, PROBE_UNKNOWN };

/* OvmfPkg QemuFlash.c QemuFlashDetected(), byte for byte. */
static enum probe_result ovmf_flash_detect(uint64_t fd_base)
{
	uint64_t ptr = fd_base;
	uint8_t original, probe;
	unsigned offset;

	for (offset = 0; offset < OVMF_BLOCK; offset++) {
		ptr = fd_base + offset;
		probe = rd8(ptr);
		if (probe != 0x50 && probe != 0x70 && probe != 0x00)
			break;
	}
	if (offset >= OVMF_BLOCK)
		return PROBE_NO_LOCATION;
	original = rd8(ptr);
	wr8(ptr, 0x50);
	probe = rd8(ptr);
	if (original != 0x50 && probe == 0x50) {
		wr8(ptr, original);
		return PROBE_RAM;
	}
	wr8(ptr, 0x70);
	probe = rd8(ptr);
	if (probe == original)
		return PROBE_ROM;
	if (probe == 0x70) {
		wr8(ptr, original);
		return PROBE_RAM;
	}
	if (probe == 0x00) {
		wr8(ptr, 0x10);
		wr8(ptr, original);
		wr8(ptr, 0x70);
		probe = rd8(ptr);
		wr8(ptr, 0xFF);
		return (probe & 0x10) ? PROBE_FLASH_READ_ONLY : PROBE_FLASH_WRITABLE;
	}
	return PROBE_UNKNOWN;
}

static void test_ovmf_probe_writable(void **state)
{
	(void)state;
	assert_true(pflash_is_array_mode(fx.vars));
	assert_int_equal(ovmf_flash_detect(OVMF_VARS_BASE), PROBE_FLASH_WRITABLE);
	assert_true(pflash_is_array_mode(fx.vars));
	assert_true(fx.array_mode);
	assert_int_equal(fx.mode_changes, 2); /* out at 0x70, back at 0xFF */
	assert_int_equal(fx.vars_mem[0x16], 0x5A);
	assert_int_equal(rd8(OVMF_VARS_BASE + 0x16), 0x5A);
	assert_int_equal(pflash_status(fx.vars), 0x80);
}

static void test_ovmf_probe_read_only(void **state)
{
	uint8_t first = fx.code_mem[0];

	(void)state;
	assert_int_equal(ovmf_flash_detect(OVMF_CODE_BASE), PROBE_FLASH_READ_ONLY);
	assert_int_equal(fx.code_mem[0], first);
	assert_int_equal(pflash_status(fx.code), 0x90);
	assert_true(pflash_is_array_mode(fx.code));
	/* Erase is refused too. */
	wr8(OVMF_CODE_BASE, 0x20);
	wr8(OVMF_CODE_BASE, 0xD0);
	assert_int_equal(rd8(OVMF_CODE_BASE), 0xB0);
	wr8(OVMF_CODE_BASE, 0xFF);
	assert_int_equal(rd8(OVMF_CODE_BASE), first);
	/* The reset vector area at the very top of 4 GiB reads the image. */
	assert_int_equal(rd(0xFFFFFFF0, 8), fx.code_mem[0x1FFF0] | (uint64_t)fx.code_mem[0x1FFF1] << 8 |
		(uint64_t)fx.code_mem[0x1FFF2] << 16 | (uint64_t)fx.code_mem[0x1FFF3] << 24 |
		(uint64_t)fx.code_mem[0x1FFF4] << 32 | (uint64_t)fx.code_mem[0x1FFF5] << 40 |
		(uint64_t)fx.code_mem[0x1FFF6] << 48 | (uint64_t)fx.code_mem[0x1FFF7] << 56);
	/* A write-protected part refusing is no guest error: no warning. */
	assert_null(strstr(host_console_text(), "warning"));
}

/* QemuFlashWrite() and QemuFlashEraseBlock(). */
static void ovmf_write(unsigned lba, unsigned offset, const uint8_t *buf, unsigned n)
{
	uint64_t ptr = OVMF_VARS_BASE + (uint64_t)lba * OVMF_BLOCK + offset;

	for (unsigned i = 0; i < n; i++) {
		wr8(ptr, 0x10);
		wr8(ptr, buf[i]);
		ptr++;
	}
	if (n)
		wr8(ptr - 1, 0xFF);
}

static void ovmf_erase(unsigned lba)
{
	uint64_t ptr = OVMF_VARS_BASE + (uint64_t)lba * OVMF_BLOCK;

	wr8(ptr, 0x20);
	wr8(ptr, 0xD0);
}

static void test_ovmf_program_and_erase(void **state)
{
	static const uint8_t data[6] = { 'V', 'A', 'R', 0xA5, 0x0F, 0xF0 };
	static const uint8_t over[2] = { 0x5A, 0xFF };

	(void)state;
	ovmf_write(3, 0x20, data, sizeof(data));
	assert_memory_equal(fx.vars_mem + 3 * OVMF_BLOCK + 0x20, data, sizeof(data));
	assert_true(pflash_is_array_mode(fx.vars));
	for (unsigned i = 0; i < sizeof(data); i++)
		assert_int_equal(rd8(OVMF_VARS_BASE + 3 * OVMF_BLOCK + 0x20 + i), data[i]);
	/* Programming only clears bits: 0xA5 & 0x5A = 0. */
	ovmf_write(3, 0x23, over, 2);
	assert_int_equal(fx.vars_mem[3 * OVMF_BLOCK + 0x23], 0x00);
	assert_int_equal(fx.vars_mem[3 * OVMF_BLOCK + 0x24], 0x0F);

	fx.vars_mem[2 * OVMF_BLOCK + OVMF_BLOCK - 1] = 0x11;
	fx.vars_mem[4 * OVMF_BLOCK] = 0x22;
	ovmf_erase(3);
	/* After the erase the bank shows status until read array. */
	assert_false(pflash_is_array_mode(fx.vars));
	assert_int_equal(rd8(OVMF_VARS_BASE + 3 * OVMF_BLOCK + 0x20), 0x80);
	wr8(OVMF_VARS_BASE, 0xFF);
	for (unsigned i = 0; i < OVMF_BLOCK; i++)
		assert_int_equal(fx.vars_mem[3 * OVMF_BLOCK + i], 0xFF);
	assert_int_equal(fx.vars_mem[2 * OVMF_BLOCK + OVMF_BLOCK - 1], 0x11);
	assert_int_equal(fx.vars_mem[4 * OVMF_BLOCK], 0x22);
	assert_int_equal(rd(OVMF_VARS_BASE + 3 * OVMF_BLOCK + 1, 4), 0xFFFFFFFF);
	assert_int_equal(pflash_status(fx.vars), 0x80);
}

static void test_ovmf_identifier_and_cfi(void **state)
{
	(void)state;
	wr8(OVMF_VARS_BASE, 0x90);
	assert_int_equal(rd8(OVMF_VARS_BASE + 0), 0x89);
	assert_int_equal(rd8(OVMF_VARS_BASE + 1), 0x18);
	assert_int_equal(rd8(OVMF_VARS_BASE + 2), 0x00);
	assert_int_equal(rd8(OVMF_VARS_BASE + OVMF_BLOCK + 1), 0x18);
	assert_int_equal(rd8(OVMF_VARS_BASE + 3), 0x00);
	assert_int_equal(rd(OVMF_VARS_BASE, 2), 0x1889);
	wr8(OVMF_VARS_BASE + 0x55, 0x98);
	assert_int_equal(rd8(OVMF_VARS_BASE + 0x10), 'Q');
	assert_int_equal(rd8(OVMF_VARS_BASE + 0x11), 'R');
	assert_int_equal(rd8(OVMF_VARS_BASE + 0x12), 'Y');
	assert_int_equal(rd8(OVMF_VARS_BASE + 0x13), 0x01);
	assert_int_equal(rd8(OVMF_VARS_BASE + 0x14), 0x00);
	assert_int_equal(rd8(OVMF_VARS_BASE + 0x27), 17);     /* 128 KiB */
	assert_int_equal(rd8(OVMF_VARS_BASE + 0x28), 0x00);   /* x8 */
	assert_int_equal(rd8(OVMF_VARS_BASE + 0x2A), 6);      /* 64-byte buffer */
	assert_int_equal(rd8(OVMF_VARS_BASE + 0x2C), 1);
	assert_int_equal(rd(OVMF_VARS_BASE + 0x2D, 2), 31);   /* 32 blocks */
	assert_int_equal(rd(OVMF_VARS_BASE + 0x2F, 2), 16);   /* of 16 * 256 bytes */
	assert_int_equal(rd8(OVMF_VARS_BASE + 0x31), 'P');
	assert_int_equal(rd8(OVMF_VARS_BASE + 0x200), 0);     /* beyond the table */
	wr8(OVMF_VARS_BASE, 0xFF);
	assert_int_equal(rd8(OVMF_VARS_BASE + 0x16), 0x5A);
}

/* EDK2 VirtNorFlashDeviceLib helpers on a 32-bit bank of two x16 chips. */
#define DUAL(cmd) ((uint32_t)(cmd) | ((uint32_t)(cmd) << 16))
#define NOR_ADDR(base, word) ((base) + ((uint64_t)(word) << 2))

static uint32_t edk2_read_status(uint64_t device_base)
{
	wr32(device_base, DUAL(0x70));
	return rd32(device_base);
}

static uint32_t edk2_wait_ready(uint64_t device_base)
{
	uint32_t status;
	unsigned spins = 0;

	do {
		status = edk2_read_status(device_base);
		assert_true(++spins < 100);
	} while ((status & DUAL(0x80)) != DUAL(0x80));
	return status;
}

static void test_aavmf_variable_write(void **state)
{
	uint64_t block = AAVMF_VARS_BASE + AAVMF_BLOCK; /* block 1 */
	uint64_t target = block + 0x200;
	uint32_t words[32], status;

	(void)state;
	for (unsigned i = 0; i < 32; i++)
		words[i] = 0xA0000000u | (i * 0x01010101u & 0x00FFFFFF);

	/* Lock status through read identifier: word offset 2 of the block. */
	wr32(block, DUAL(0x90));
	assert_int_equal(rd32(NOR_ADDR(block, 2)), 0);
	assert_int_equal(rd32(NOR_ADDR(block, 0)), DUAL(0x89));
	assert_int_equal(rd32(NOR_ADDR(block, 1)), DUAL(0x18));
	/* Unlock. */
	wr32(block, DUAL(0x60));
	wr32(block, DUAL(0xD0));
	wr32(block, DUAL(0xFF));
	/* Erase, poll, check errors. */
	wr32(block, DUAL(0x20));
	wr32(block, DUAL(0xD0));
	status = edk2_wait_ready(AAVMF_VARS_BASE);
	assert_int_equal(status, 0x00800080);
	wr32(block, DUAL(0xFF));
	for (unsigned i = 0; i < AAVMF_BLOCK; i++)
		assert_int_equal(fx.vars_mem[AAVMF_BLOCK + i], 0xFF);
	assert_int_equal(fx.vars_mem[AAVMF_BLOCK - 1], 0x3C);
	assert_int_equal(fx.vars_mem[2 * AAVMF_BLOCK], 0x3C);

	/* Buffered program: 0xE8, word count - 1, 32 words, confirm. */
	wr32(target, DUAL(0xE8));
	assert_int_equal(rd32(target), 0x00800080); /* buffer available */
	wr32(target, DUAL(31));
	for (unsigned i = 0; i < 32; i++)
		wr32(target + 4 * i, words[i]);
	wr32(target, DUAL(0xD0));
	status = edk2_wait_ready(AAVMF_VARS_BASE);
	assert_int_equal(status & DUAL(0x3A), 0);
	wr32(AAVMF_VARS_BASE, DUAL(0xFF));
	for (unsigned i = 0; i < 32; i++)
		assert_int_equal(rd32(target + 4 * i), words[i]);
	assert_int_equal(rd32(target + 128), 0xFFFFFFFF);
	assert_int_equal(rd32(target - 4), 0xFFFFFFFF);

	/* Single word program (0x40) over erased space. */
	wr32(target + 256, DUAL(0x40));
	wr32(target + 256, 0x12345678);
	assert_int_equal(edk2_wait_ready(AAVMF_VARS_BASE), 0x00800080);
	wr32(target + 256, DUAL(0xFF));
	assert_int_equal(rd32(target + 256), 0x12345678);
	assert_int_equal(rd(target + 256, 8), 0xFFFFFFFF12345678ULL);
	assert_null(strstr(host_console_text(), "flash1"));
}

/* drivers/mtd/chips/cfi_probe.c on bank width 4, interleave 2, x16. */
static void test_aavmf_linux_cfi_probe(void **state)
{
	uint64_t b = AAVMF_VARS_BASE;
	uint32_t ext;

	(void)state;
	wr32(b, DUAL(0xF0));
	wr32(b, DUAL(0xFF));
	wr32(b + 0x55 * 4, DUAL(0x98));
	assert_int_equal(rd32(b + 0x10 * 4), DUAL('Q'));
	assert_int_equal(rd32(b + 0x11 * 4), DUAL('R'));
	assert_int_equal(rd32(b + 0x12 * 4), DUAL('Y'));
	assert_int_equal(rd32(b + 0x13 * 4) & 0xFF, 0x01);   /* P_ID = 0x0001 */
	assert_int_equal(rd32(b + 0x14 * 4) & 0xFF, 0x00);
	ext = (rd32(b + 0x15 * 4) & 0xFF) | (rd32(b + 0x16 * 4) & 0xFF) << 8;
	assert_int_equal(ext, 0x31);
	assert_int_equal(rd32(b + 0x27 * 4) & 0xFF, 19);     /* 512 KiB per chip */
	assert_int_equal(rd32(b + 0x28 * 4) & 0xFF, 0x01);   /* x16 */
	assert_int_equal(rd32(b + 0x2A * 4) & 0xFF, 6);
	assert_int_equal(rd32(b + 0x2C * 4) & 0xFF, 1);
	/* Region: 4 blocks of 128 KiB per chip (0x200 * 256). */
	assert_int_equal(rd32(b + 0x2D * 4) & 0xFF, 3);
	assert_int_equal(rd32(b + 0x2E * 4) & 0xFF, 0);
	assert_int_equal(rd32(b + 0x2F * 4) & 0xFF, 0x00);
	assert_int_equal(rd32(b + 0x30 * 4) & 0xFF, 0x02);
	/* The sum of the regions times the interleave is the bank size. */
	assert_int_equal(((0x200u * 256) * 2) * 4, AAVMF_SIZE);
	assert_int_equal(rd32(b + (ext + 0) * 4), DUAL('P'));
	assert_int_equal(rd32(b + (ext + 1) * 4), DUAL('R'));
	assert_int_equal(rd32(b + (ext + 2) * 4), DUAL('I'));
	assert_int_equal(rd32(b + (ext + 3) * 4), DUAL('1'));
	assert_int_equal(rd32(b + (ext + 4) * 4), DUAL('0'));
	assert_int_equal(rd32(b + (ext + 5) * 4), 0);        /* no optional features */
	assert_int_equal(rd32(b + (ext + 14) * 4), 0);       /* no protection fields */
	/* A 16-bit read gets chip 0's lane. */
	assert_int_equal(rd(b + 0x10 * 4, 2), 'Q');
	wr32(b, DUAL(0xFF));
	assert_int_equal(rd32(b), 0x3C3C3C3C);
	assert_true(pflash_is_array_mode(fx.vars));
}

/*
 * AAVMF clears the status (0x50) before it writes variables, so the ready
 * bit is 0 when its buffered program starts.  QEMU's pflash_cfi01 sets the
 * ready bit on 0xE8 ("buffer available"); EDK2 polls for exactly that and
 * sends 0xE8 again while it is missing.
 */
static void test_aavmf_buffered_program_after_clear_status(void **state)
{
	uint64_t target = AAVMF_VARS_BASE + 2 * AAVMF_BLOCK;

	(void)state;
	wr32(target, DUAL(0x20));
	wr32(target, DUAL(0xD0));
	assert_int_equal(edk2_wait_ready(AAVMF_VARS_BASE), 0x00800080);
	wr32(target, DUAL(0x50));
	assert_int_equal(pflash_status(fx.vars), 0);
	wr32(target, DUAL(0xE8));
	assert_int_equal(rd32(target), 0x00800080);
	wr32(target, DUAL(0));
	wr32(target, 0x12345678);
	wr32(target, DUAL(0xD0));
	assert_int_equal(edk2_wait_ready(AAVMF_VARS_BASE), 0x00800080);
	wr32(target, DUAL(0xFF));
	assert_int_equal(rd32(target), 0x12345678);
	assert_null(strstr(host_console_text(), "flash1"));
}

static void test_aavmf_lock_bits(void **state)
{
	uint64_t block = AAVMF_VARS_BASE + 2 * AAVMF_BLOCK;

	(void)state;
	wr32(block, DUAL(0x60));
	wr32(block, DUAL(0x01));
	assert_true(pflash_block_locked(fx.vars, 2 * AAVMF_BLOCK));
	assert_false(pflash_block_locked(fx.vars, AAVMF_BLOCK));
	assert_false(pflash_block_locked(fx.vars, AAVMF_SIZE));
	wr32(block, DUAL(0x90));
	assert_int_equal(rd32(NOR_ADDR(block, 2)), DUAL(0x01));
	assert_int_equal(rd32(NOR_ADDR(AAVMF_VARS_BASE, 2)), 0);

	wr32(block + 8, DUAL(0x40));
	wr32(block + 8, 0);
	assert_int_equal(edk2_read_status(AAVMF_VARS_BASE), DUAL(0x92));
	wr32(block, DUAL(0x20));
	wr32(block, DUAL(0xD0));
	assert_int_equal(edk2_read_status(AAVMF_VARS_BASE), DUAL(0xB2));
	assert_int_equal(fx.vars_mem[2 * AAVMF_BLOCK + 8], 0x3C);
	wr32(block, DUAL(0x50));
	assert_int_equal(edk2_read_status(AAVMF_VARS_BASE), 0);

	/* Locks survive a reset; lock-down (0x2F) locks too. */
	pflash_reset(fx.vars);
	assert_true(pflash_block_locked(fx.vars, 2 * AAVMF_BLOCK));
	assert_int_equal(pflash_status(fx.vars), 0x80);
	wr32(block, DUAL(0x60));
	wr32(block, DUAL(0xD0));
	assert_false(pflash_block_locked(fx.vars, 2 * AAVMF_BLOCK));
	wr32(AAVMF_VARS_BASE, DUAL(0x60));
	wr32(AAVMF_VARS_BASE, DUAL(0x2F));
	assert_true(pflash_block_locked(fx.vars, 0));
	assert_non_null(strstr(host_console_text(), "program of a locked block refused"));
	assert_non_null(strstr(host_console_text(), "erase of a locked block refused"));
}

static void expect_sequence_error(const char *message)
{
	assert_true(pflash_is_array_mode(fx.vars));
	assert_int_equal(pflash_status(fx.vars) & 0x30, 0x30);
	assert_non_null(strstr(host_console_text(), message));
	wr32(AAVMF_VARS_BASE, DUAL(0x50));
	host_console_clear();
}

static void test_aavmf_bad_sequences(void **state)
{
	uint64_t b = AAVMF_VARS_BASE;

	(void)state;
	wr32(b, DUAL(0x33));
	expect_sequence_error("unsupported command");
	wr32(b, 0x00FF0070); /* chips disagree */
	expect_sequence_error("unsupported command");
	wr32(b, DUAL(0x20));
	wr32(b, DUAL(0xFF));
	expect_sequence_error("block erase not confirmed");
	assert_int_equal(fx.vars_mem[0], 0x3C);
	wr32(b, DUAL(0x60));
	wr32(b, DUAL(0x02));
	expect_sequence_error("bad lock confirm");
	wr32(b, DUAL(0xD0));
	expect_sequence_error("unsupported command");

	/* Buffered program errors. */
	wr32(b, DUAL(0xE8));
	wr32(b, DUAL(32)); /* 33 words > 32 */
	expect_sequence_error("bad buffered program word count");
	wr32(b, DUAL(0xE8));
	wr32(b, 0x0003001F); /* chips disagree on the count */
	expect_sequence_error("bad buffered program word count");
	wr32(b, DUAL(0xE8));
	wr32(b, DUAL(3));
	wr32(b + 0x78, 0); /* 4 words from 0x78 cross the 128-byte buffer */
	expect_sequence_error("crosses a write-buffer boundary");
	wr32(b, DUAL(0xE8));
	wr32(b, DUAL(1));
	wr32(b + 0x10, 0);
	wr32(b + 0x18, 0); /* outside [0x10, 0x18) */
	expect_sequence_error("data outside its range");
	wr32(b, DUAL(0xE8));
	wr32(b, DUAL(2));
	wr32(b + 0x10, 0x22222222); /* the first word sets the start */
	wr32(b + 0x18, 0x33333333);
	wr32(b + 0x14, 0x11111111); /* then any order inside the range */
	wr32(b, DUAL(0xFF));
	expect_sequence_error("buffered program not confirmed");
	assert_int_equal(rd32(b + 0x10), 0x3C3C3C3C);

	/*
	 * Other widths, as QEMU's pflash takes them: in a command cycle the
	 * low byte is the command for both chips (U-Boot's probe writes 8-
	 * and 16-bit commands); program data of any width is written as it
	 * is; a write that is no command (AAVMF writes 8 bytes into its code
	 * bank on every boot) is ignored quietly; unaligned writes too.
	 */
	host_console_clear();
	wr(b, 1, 0x98);
	assert_false(pflash_is_array_mode(fx.vars));
	assert_int_equal(rd32(b + 0x10 * 4), DUAL('Q'));  /* CFI query string */
	wr(b, 2, 0xF0);
	assert_true(pflash_is_array_mode(fx.vars));
	wr(b + 2, 2, 0x70);                                  /* the second chip's half */
	assert_false(pflash_is_array_mode(fx.vars));         /* status mode */
	wr(b, 1, 0xFF);
	wr(b + 0x40, 2, 0x40);
	wr(b + 0x42, 2, 0x1234);                             /* 16-bit program data */
	wr(b, 4, DUAL(0xFF));
	assert_int_equal(rd32(b + 0x40), 0x12343C3C & 0x3C3C3C3C);
	wr(b, 8, 0x1122334455667788ULL);                     /* no command: ignored */
	wr(b + 2, 4, DUAL(0x70));                            /* unaligned: ignored */
	assert_true(pflash_is_array_mode(fx.vars));
	assert_null(strstr(host_console_text(), "warning"));
	wr32(b, DUAL(0xE8));
	wr32(b, DUAL(1));
	wr(b + 0x10, 2, 0);                                  /* buffer data must be bank-wide */
	expect_sequence_error("buffered program data of another width");

	/* Buffered program honoured in the right place, in any order. */
	wr32(b, DUAL(0xE8));
	wr32(b, DUAL(2));
	wr32(b + 0x10, 0x22222222);
	wr32(b + 0x18, 0x33333333);
	wr32(b + 0x14, 0x11111111);
	wr32(b, DUAL(0xD0));
	assert_int_equal(rd32(b), 0x00800080);
	wr32(b, DUAL(0xFF));
	assert_int_equal(rd32(b + 0x10), 0x3C3C3C3C & 0x22222222);
	assert_int_equal(rd32(b + 0x14), 0x3C3C3C3C & 0x11111111);
	assert_int_equal(rd32(b + 0x18), 0x3C3C3C3C & 0x33333333);
	assert_int_equal(rd32(b + 0x1C), 0x3C3C3C3C);
}

static void test_invalid_configurations(void **state)
{
	uint8_t mem[0x2000];
	struct pflash_config good = {
		.name = "x", .base = 0x10000000, .mem = mem, .size = sizeof(mem), .block_size = 0x1000,
		.bank_width = 1, .device_width = 1,
	};
	struct pflash_config c;
	struct pflash *f;

	(void)state;
	c = good; c.mem = NULL;               assert_null(pflash_create(fx.bus, &c));
	c = good; c.size = 0x1800;            assert_null(pflash_create(fx.bus, &c));
	c = good; c.bank_width = 3;           assert_null(pflash_create(fx.bus, &c));
	c = good; c.device_width = 2;         assert_null(pflash_create(fx.bus, &c));
	c = good; c.block_size = 0x80; c.size = 0x100; assert_null(pflash_create(fx.bus, &c));
	c = good; c.bank_width = 4; c.device_width = 1; c.block_size = 0x200; c.size = 0x2000;
	assert_null(pflash_create(fx.bus, &c)); /* 128-byte blocks per chip */
	c = good; c.base = 0xFFFFFFFFFFFFF000ULL; assert_null(pflash_create(fx.bus, &c));
	c = good; c.name = NULL; c.block_size = 0; assert_null(pflash_create(fx.bus, &c));
	assert_non_null(strstr(host_console_text(), "pflash: invalid flash configuration"));
	c = good; c.base = AAVMF_VARS_BASE;   assert_null(pflash_create(fx.bus, &c)); /* overlap */
	c = good; c.name = NULL;
	f = pflash_create(fx.bus, &c);
	assert_non_null(f);
	pflash_destroy(f);
	pflash_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ovmf_probe_writable, setup_ovmf, teardown),
		cmocka_unit_test_setup_teardown(test_ovmf_probe_read_only, setup_ovmf, teardown),
		cmocka_unit_test_setup_teardown(test_ovmf_program_and_erase, setup_ovmf, teardown),
		cmocka_unit_test_setup_teardown(test_ovmf_identifier_and_cfi, setup_ovmf, teardown),
		cmocka_unit_test_setup_teardown(test_aavmf_variable_write, setup_aavmf, teardown),
		cmocka_unit_test_setup_teardown(test_aavmf_linux_cfi_probe, setup_aavmf, teardown),
		cmocka_unit_test_setup_teardown(test_aavmf_buffered_program_after_clear_status, setup_aavmf,
						teardown),
		cmocka_unit_test_setup_teardown(test_aavmf_lock_bits, setup_aavmf, teardown),
		cmocka_unit_test_setup_teardown(test_aavmf_bad_sequences, setup_aavmf, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_configurations, setup_aavmf, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
