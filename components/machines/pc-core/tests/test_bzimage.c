/* SPDX-License-Identifier: MIT */
/*
 * The bzImage split against what QEMU's x86_load_linux() produces for a
 * protocol 2.15 kernel (Debian's 6.1 amd64 kernel has setup_sects 0x1E,
 * initrd_addr_max 0x7FFFFFFF, cmdline_size 2047): addresses, sizes and
 * every header byte the loader patches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include <pc/bzimage.h>
#include <pc/layout.h>

#define IMAGE_SIZE (2u << 20)

static uint8_t image[IMAGE_SIZE];
static uint8_t setup[(255 + 1) * 512];

static void put(uint8_t *p, uint32_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get(const uint8_t *p, unsigned int n)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static void make_kernel(uint16_t protocol)
{
	memset(image, 0x5A, sizeof(image));
	image[BZ_SETUP_SECTS] = 0x1E;
	put(image + BZ_BOOT_FLAG, 0xAA55, 2);
	put(image + BZ_HEADER_MAGIC, BZ_HDRS_MAGIC, 4);
	put(image + BZ_VERSION, protocol, 2);
	image[BZ_TYPE_OF_LOADER] = 0;
	image[BZ_LOADFLAGS] = BZ_LOADED_HIGH;
	put(image + BZ_RAMDISK_IMAGE, 0, 4);
	put(image + BZ_RAMDISK_SIZE, 0, 4);
	put(image + BZ_HEAP_END_PTR, 0, 2);
	put(image + BZ_CMD_LINE_PTR, 0, 4);
	put(image + BZ_INITRD_ADDR_MAX, 0x7FFFFFFF, 4);
	put(image + BZ_CMDLINE_SIZE, 2047, 4);
}

static void test_debian_kernel_256m(void **state)
{
	struct bzimage_plan p;
	char err[160];

	(void)state;
	make_kernel(0x20F);
	assert_int_equal(bzimage_plan(image, IMAGE_SIZE, 1500000, "console=ttyS0", 256u << 20,
				      setup, sizeof(setup), &p, err, sizeof(err)), 0);
	assert_int_equal(p.protocol, 0x20F);
	assert_int_equal(p.setup_addr, 0x10000);
	assert_int_equal(p.setup_size, (0x1E + 1) * 512);
	assert_int_equal(p.kernel_addr, 0x100000);
	assert_int_equal(p.kernel_size, IMAGE_SIZE - (0x1E + 1) * 512);
	assert_int_equal(p.cmdline_addr, 0x20000);
	assert_int_equal(p.cmdline_size, 14);
	/* initrd_max = 256 MiB - ACPI area - 1; the initrd page-aligned below it. */
	assert_int_equal(p.initrd_max, (256u << 20) - 0x28000 - 1);
	assert_int_equal(p.initrd_addr, ((256u << 20) - 0x28000 - 1 - 1500000) & ~0xFFFu);
	assert_int_equal(p.initrd_addr, 0xFE69000);
	assert_int_equal(p.initrd_size, 1500000);
	/* The patched header. */
	assert_ptr_equal(p.setup, setup);
	assert_int_equal(setup[BZ_TYPE_OF_LOADER], 0xB0);
	assert_int_equal(setup[BZ_LOADFLAGS], BZ_LOADED_HIGH | BZ_CAN_USE_HEAP);
	assert_int_equal(get(setup + BZ_HEAP_END_PTR, 2), 0x20000 - 0x10000 - 0x200);
	assert_int_equal(get(setup + BZ_CMD_LINE_PTR, 4), 0x20000);
	assert_int_equal(get(setup + BZ_RAMDISK_IMAGE, 4), 0xFE69000);
	assert_int_equal(get(setup + BZ_RAMDISK_SIZE, 4), 1500000);
	/* Everything else is the image's. */
	assert_memory_equal(setup + 0x300, image + 0x300, p.setup_size - 0x300);
	assert_int_equal(image[BZ_TYPE_OF_LOADER], 0);
}

static void test_initrd_max_from_header(void **state)
{
	struct bzimage_plan p;
	char err[160];

	(void)state;
	/* A kernel that says initrds must stay below 0x37FFFFFF, in a 2 GiB VM. */
	make_kernel(0x20F);
	put(image + BZ_INITRD_ADDR_MAX, 0x37FFFFFF, 4);
	assert_int_equal(bzimage_plan(image, IMAGE_SIZE, 0x100000, "", 2u << 30, setup,
				      sizeof(setup), &p, err, sizeof(err)), 0);
	assert_int_equal(p.initrd_max, 0x37FFFFFF);
	assert_int_equal(p.initrd_addr, 0x37EFF000);
	assert_int_equal(p.cmdline_size, 1);
	/* No initrd: the header's ramdisk fields stay 0. */
	assert_int_equal(bzimage_plan(image, IMAGE_SIZE, 0, "", 2u << 30, setup, sizeof(setup),
				      &p, err, sizeof(err)), 0);
	assert_int_equal(p.initrd_addr, 0);
	assert_int_equal(get(setup + BZ_RAMDISK_IMAGE, 4), 0);
}

static void test_refusals(void **state)
{
	struct bzimage_plan p;
	char err[160];
	char longline[3000];

	(void)state;
	make_kernel(0x20F);
	put(image + BZ_HEADER_MAGIC, 0x464C457F, 4);        /* an ELF vmlinux */
	assert_int_equal(bzimage_plan(image, IMAGE_SIZE, 0, "", 256u << 20, setup, sizeof(setup),
				      &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "is not a Linux bzImage (no \"HdrS\" setup header)");

	make_kernel(0x201);
	assert_int_equal(bzimage_plan(image, IMAGE_SIZE, 0, "", 256u << 20, setup, sizeof(setup),
				      &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "uses boot protocol 2.01; Tessera loads bzImages of protocol "
			    "2.02 or newer (Linux 2.4 onwards)");

	make_kernel(0x20F);
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = 0;
	assert_int_equal(bzimage_plan(image, IMAGE_SIZE, 0, longline, 256u << 20, setup,
				      sizeof(setup), &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "accepts a command line of at most 2047 characters, not 2999");

	/* An initrd that would overlap the kernel in a 16 MiB VM. */
	assert_int_equal(bzimage_plan(image, IMAGE_SIZE, 14u << 20, "", 16u << 20, setup,
				      sizeof(setup), &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "leaves no room for an initrd of 14680064 bytes below 0xfd7fff "
			    "(give the VM more memory)");

	/* A setup part larger than the image. */
	assert_int_equal(bzimage_plan(image, 4096, 0, "", 256u << 20, setup, sizeof(setup), &p,
				      err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "has a setup part of 15872 bytes, more than the image holds");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_kernel_256m),
		cmocka_unit_test(test_initrd_max_from_header),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
