/* SPDX-License-Identifier: MIT */
/*
 * Where a directly booted kernel, initrd and device tree go: the numbers
 * QEMU's virt machine uses (hw/arm/boot.c) for the same inputs, and the
 * refusals of images that are not arm64 Images or do not fit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include <virt/boot_layout.h>

#define RAM_BASE 0x40000000ULL
#define MiB (1ULL << 20)

static uint8_t image[4096];

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A header like Debian's 6.1 arm64 Image: text_offset 0, image_size as given. */
static void make_header(uint64_t text_offset, uint64_t image_size)
{
	memset(image, 0, sizeof(image));
	image[0] = 0x4d;                       /* "MZ" of the EFI stub */
	image[1] = 0x5a;
	put_le64(image + 8, text_offset);
	put_le64(image + 16, image_size);
	put_le64(image + 24, 0xa);              /* LE, 4K pages, anywhere */
	memcpy(image + 56, "ARM\x64", 4);
}

static void test_debian_kernel_in_512m(void **state)
{
	struct virt_boot_layout l;
	char err[160] = "";

	(void)state;
	/* 6.1.0-56-arm64: a 32956352-byte file whose header asks for 0x2010000 bytes
	 * (the file plus its BSS). */
	make_header(0, 0x2010000);
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 512 * MiB, image, 32956352, 987539,
					       65536, &l, err, sizeof(err)), 0);
	assert_int_equal(l.kernel_gpa, 0x40000000);
	assert_int_equal(l.kernel_end, 0x42010000);
	/* min(RAM/2, 128M) = 128M */
	assert_int_equal(l.initrd_gpa, 0x48000000);
	assert_int_equal(l.initrd_end, 0x48000000 + 987539);
	/* 0x480f1193 rounded up to 4 KiB */
	assert_int_equal(l.dtb_gpa, 0x480f2000);
}

static void test_small_ram_puts_initrd_at_half(void **state)
{
	struct virt_boot_layout l;
	char err[160] = "";

	(void)state;
	make_header(0, 0x2530000);
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 128 * MiB, image, 32956352, 4096,
					       65536, &l, err, sizeof(err)), 0);
	assert_int_equal(l.initrd_gpa, 0x44000000);
	assert_int_equal(l.dtb_gpa, 0x44001000);
}

static void test_big_kernel_pushes_initrd_up(void **state)
{
	struct virt_boot_layout l;
	char err[160] = "";

	(void)state;
	/* 40 MiB kernel in 64 MiB of RAM: half is 32 MiB, inside the kernel. */
	make_header(0, 40 * MiB + 100);
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 64 * MiB, image, sizeof(image), 8192,
					       65536, &l, err, sizeof(err)), 0);
	assert_int_equal(l.kernel_end, RAM_BASE + 40 * MiB + 100);
	assert_int_equal(l.initrd_gpa, RAM_BASE + 40 * MiB + 4096);
	assert_int_equal(l.dtb_gpa, RAM_BASE + 40 * MiB + 4096 + 8192);
}

static void test_old_kernel_text_offset_and_no_initrd(void **state)
{
	struct virt_boot_layout l;
	char err[160] = "";

	(void)state;
	/* image_size 0: a kernel before 3.17, loaded at 0x80000. */
	make_header(0x12345, 0);
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 256 * MiB, image, sizeof(image), 0,
					       65536, &l, err, sizeof(err)), 0);
	assert_int_equal(l.kernel_gpa, RAM_BASE + 0x80000);
	assert_int_equal(l.initrd_gpa, 0);
	assert_int_equal(l.initrd_end, 0);
	assert_int_equal(l.dtb_gpa, RAM_BASE + 128 * MiB);
}

static void test_refusals(void **state)
{
	struct virt_boot_layout l;
	char err[160] = "";

	(void)state;
	/* gzip data is unpacked before (test_kernel_image.c); here it is just
	 * not an Image. */
	memset(image, 0, sizeof(image));
	image[0] = 0x1f;
	image[1] = 0x8b;
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 512 * MiB, image, sizeof(image), 0,
					       65536, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "is not an arm64 Linux Image (no \"ARM\\x64\" magic at "
				 "offset 56)");

	make_header(0, 0x2530000);
	image[56] = 'X';
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 512 * MiB, image, sizeof(image), 0,
					       65536, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "is not an arm64 Linux Image (no \"ARM\\x64\" magic at "
				 "offset 56)");
	/* Shorter than the header. */
	make_header(0, 0x2530000);
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 512 * MiB, image, 63, 0, 65536, &l,
					       err, sizeof(err)), -EINVAL);

	/* A kernel bigger than RAM. */
	make_header(0, 40 * MiB);
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 32 * MiB, image, sizeof(image), 0,
					       65536, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "needs 40 MiB at offset 0x0 of RAM, more than the VM's 32 MiB");

	/* The initrd does not fit behind it. */
	make_header(0, 8 * MiB);
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 32 * MiB, image, sizeof(image),
					       17 * MiB, 65536, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "with its initrd (17 MiB) and device tree does not fit in the "
				 "VM's 32 MiB of RAM");
	/* Exactly fitting: initrd at 16M, 16M - 64K long, DTB in the last 64 KiB. */
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 32 * MiB, image, sizeof(image),
					       16 * MiB - 65536, 65536, &l, err, sizeof(err)), 0);
	assert_int_equal(l.dtb_gpa, RAM_BASE + 32 * MiB - 65536);
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 32 * MiB, image, sizeof(image),
					       16 * MiB - 65536 + 1, 65536, &l, err, sizeof(err)),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_kernel_in_512m),
		cmocka_unit_test(test_small_ram_puts_initrd_at_half),
		cmocka_unit_test(test_big_kernel_pushes_initrd_up),
		cmocka_unit_test(test_old_kernel_text_offset_and_no_initrd),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
