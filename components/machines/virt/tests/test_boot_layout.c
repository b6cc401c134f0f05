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

/*
 * A minimal ELF64 executable in image[]: one PT_LOAD segment of the file's
 * bytes from offset 0x100 on, loaded at paddr with 8 KiB of memory.
 */
static void make_elf(uint16_t machine, uint64_t paddr, uint64_t entry, uint64_t filesz)
{
	memset(image, 0, sizeof(image));
	memcpy(image, "\x7f" "ELF", 4);
	image[4] = 2;                              /* 64-bit */
	image[5] = 1;                              /* little-endian */
	image[6] = 1;
	image[16] = 2;                             /* ET_EXEC */
	image[18] = (uint8_t)machine;
	image[20] = 1;
	put_le64(image + 24, entry);
	put_le64(image + 32, 64);                  /* e_phoff */
	image[52] = 64;                            /* e_ehsize */
	image[54] = 56;                            /* e_phentsize */
	image[56] = 1;                             /* e_phnum */
	image[64] = 1;                             /* PT_LOAD */
	put_le64(image + 64 + 8, 0x100);           /* p_offset */
	put_le64(image + 64 + 16, paddr);
	put_le64(image + 64 + 24, paddr);
	put_le64(image + 64 + 32, filesz);
	put_le64(image + 64 + 40, 8192);           /* p_memsz */
}

/* QEMU's other -kernel formats: ELF by its program headers, raw binaries at +0x80000. */
static void test_elf_and_raw_kernels(void **state)
{
	struct virt_boot_layout l;
	char err[160] = "";

	(void)state;
	make_elf(183, 0x40200000, 0x40200040, 0x180);
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 64 * MiB, image, sizeof(image), 4096,
					       65536, &l, err, sizeof(err)), 0);
	assert_int_equal(l.format, VIRT_KERNEL_ELF);
	assert_int_equal(l.entry, 0x40200040);
	assert_int_equal(l.segment_count, 1);
	assert_int_equal(l.segments[0].gpa, 0x40200000);
	assert_int_equal(l.segments[0].offset, 0x100);
	assert_int_equal(l.segments[0].size, 0x180);
	assert_int_equal(l.kernel_gpa, 0x40200000);
	assert_int_equal(l.kernel_end, 0x40202000);
	assert_int_equal(l.initrd_gpa, RAM_BASE + 32 * MiB);
	assert_int_equal(l.dtb_gpa, RAM_BASE + 32 * MiB + 4096);

	/* No ELF magic, no Image header: a raw binary, as QEMU takes it. */
	memset(image, 0x11, sizeof(image));
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 64 * MiB, image, sizeof(image), 0,
					       65536, &l, err, sizeof(err)), 0);
	assert_int_equal(l.format, VIRT_KERNEL_RAW);
	assert_int_equal(l.kernel_gpa, RAM_BASE + 0x80000);
	assert_int_equal(l.entry, RAM_BASE + 0x80000);
	assert_int_equal(l.kernel_end, RAM_BASE + 0x80000 + sizeof(image));
	assert_int_equal(l.dtb_gpa, RAM_BASE + 32 * MiB);
	/* An Image header cut short is a raw binary too (QEMU checks the magic). */
	make_header(0, 0x2530000);
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 512 * MiB, image, 63, 0, 65536, &l,
					       err, sizeof(err)), 0);
	assert_int_equal(l.format, VIRT_KERNEL_RAW);
	assert_string_equal(virt_kernel_format_name(VIRT_KERNEL_ELF), "ELF");
}

static void test_refusals(void **state)
{
	struct virt_boot_layout l;
	char err[160] = "";

	(void)state;
	/* An x86 kernel. */
	memset(image, 0, sizeof(image));
	memcpy(image + 0x202, "HdrS", 4);
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 512 * MiB, image, sizeof(image), 0,
					       65536, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "is an x86 Linux bzImage (the virt machine boots arm64 Images "
				 "(raw or gzip'd), ELF executables for aarch64 and raw binaries)");
	/* An ELF file for x86-64. */
	make_elf(62, 0x40100000, 0x40100000, 0x100);
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 512 * MiB, image, sizeof(image), 0,
					       65536, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "is an ELF file for x86-64, not aarch64 (the virt machine boots "
				 "arm64 Images (raw or gzip'd), ELF executables for aarch64 and raw "
				 "binaries)");
	/* An aarch64 ELF file outside RAM, or entered outside it. */
	make_elf(183, 0x10000000, 0x10000000, 0x100);
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 512 * MiB, image, sizeof(image), 0,
					       65536, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "is an ELF file whose segment at 0x10000000 (8192 bytes) is not "
				 "inside the VM's RAM (0x40000000, 512 MiB)");
	make_elf(183, 0x40100000, 0x80000000, 0x100);
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 512 * MiB, image, sizeof(image), 0,
					       65536, &l, err, sizeof(err)), -EINVAL);
	/* An empty file. */
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 512 * MiB, image, 0, 0, 65536, &l,
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
		cmocka_unit_test(test_elf_and_raw_kernels),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
