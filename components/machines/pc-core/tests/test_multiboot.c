/* SPDX-License-Identifier: MIT */
/*
 * Laying out Multiboot kernels as QEMU does for its option ROM: the
 * header search, an ELF32 kernel by its program headers, the a.out-kludge
 * addresses, the command line, boot loader name and module, the MBI, and
 * the refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pc/multiboot.h>

static uint8_t file[16384];
static char err[200];

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void header(uint32_t at, uint32_t flags)
{
	put32(file + at, MULTIBOOT_HEADER_MAGIC);
	put32(file + at + 4, flags);
	put32(file + at + 8, (uint32_t)-(MULTIBOOT_HEADER_MAGIC + flags));
}

/* An ELF32 i386 file: one PT_LOAD of 0x200 file bytes at 0x1000, 0x3000 in memory at 1 MiB. */
static void make_elf(uint16_t machine, uint8_t class)
{
	memset(file, 0, sizeof(file));
	memcpy(file, "\x7f" "ELF", 4);
	file[4] = class;
	file[5] = 1;
	file[16] = 2;
	file[18] = (uint8_t)machine;
	put32(file + 24, 0x100010);                /* e_entry */
	put32(file + 28, 52);                      /* e_phoff */
	file[42] = 32;
	file[44] = 1;
	put32(file + 52, 1);
	put32(file + 52 + 4, 0x1000);
	put32(file + 52 + 8, 0x100000);
	put32(file + 52 + 12, 0x100000);
	put32(file + 52 + 16, 0x200);
	put32(file + 52 + 20, 0x3000);
	header(0x1000, 3);                         /* in the loaded text */
	memset(file + 0x1010, 0x90, 0x10);
}

static void test_header_search(void **state)
{
	uint32_t off, flags;

	(void)state;
	memset(file, 0, sizeof(file));
	assert_false(multiboot_find_header(file, sizeof(file), &off, &flags));
	header(8188 - 12, 3);                      /* the last place it may be */
	assert_true(multiboot_find_header(file, sizeof(file), &off, &flags));
	assert_int_equal(off, 8176);
	assert_int_equal(flags, 3);
	memset(file, 0, sizeof(file));
	header(8192, 3);                           /* past the first 8 KiB */
	assert_false(multiboot_find_header(file, sizeof(file), &off, &flags));
	memset(file, 0, sizeof(file));
	header(64, 3);
	put32(file + 72, 0);                       /* bad checksum */
	assert_false(multiboot_find_header(file, sizeof(file), &off, &flags));
	memset(file, 0, sizeof(file));
	header(66, 3);                             /* not 4-byte aligned */
	assert_false(multiboot_find_header(file, sizeof(file), &off, &flags));
}

static void test_elf_kernel(void **state)
{
	static const uint8_t initrd[100] = { 1, 2, 3 };
	struct multiboot_plan p;
	const uint8_t *mod;
	uint32_t mods_addr;

	(void)state;
	make_elf(3, 1);
	assert_int_equal(multiboot_plan(file, sizeof(file), "k.elf", "a=1", "guests/initrd", initrd,
					sizeof(initrd), 256u << 20, malloc, &p, err, sizeof(err)), 0);
	assert_int_equal(p.load_addr, 0x100000);
	assert_int_equal(p.entry, 0x100010);
	assert_int_equal(p.kernel_size, 0x3000);
	assert_memory_equal(p.blob, file + 0x1000, 0x200);      /* the segment's bytes */
	assert_int_equal(p.blob[0x200], 0);                     /* then its bss */
	/* MBI: flags, boot device, command line, modules, memory map, loader name. */
	assert_int_equal(get32(p.mbi), 0x24f);
	assert_int_equal(get32(p.mbi + 12), 0x8000ffff);
	assert_int_equal(get32(p.mbi + 48), MULTIBOOT_MMAP_ADDR);
	assert_string_equal((char *)p.blob + (get32(p.mbi + 16) - p.load_addr), "k.elf a=1");
	assert_string_equal((char *)p.blob + (get32(p.mbi + 64) - p.load_addr), "tessera");
	assert_int_equal(get32(p.mbi + 20), 1);
	mods_addr = get32(p.mbi + 24);
	assert_int_equal(mods_addr, 0x103000);                  /* page after the kernel */
	mod = p.blob + (mods_addr - p.load_addr);
	assert_int_equal(get32(mod), 0x104000);                 /* page aligned */
	assert_int_equal(get32(mod + 4), 0x104000 + sizeof(initrd));
	assert_string_equal((char *)p.blob + (get32(mod + 8) - p.load_addr), "guests/initrd");
	assert_memory_equal(p.blob + (0x104000 - p.load_addr), initrd, sizeof(initrd));
	assert_int_equal(p.blob_size, 0x5000);
	free(p.blob);
	/* Without an initrd: no module, a smaller blob. */
	assert_int_equal(multiboot_plan(file, sizeof(file), "k", "", NULL, NULL, 0, 256u << 20,
					malloc, &p, err, sizeof(err)), 0);
	assert_int_equal(get32(p.mbi + 20), 0);
	assert_int_equal(p.blob_size, 0x4000);
	assert_string_equal((char *)p.blob + (get32(p.mbi + 16) - p.load_addr), "k ");
	free(p.blob);
}

/* Flag 16: the header gives header, load, load end, bss end and entry addresses. */
static void test_address_kludge(void **state)
{
	struct multiboot_plan p;

	(void)state;
	memset(file, 0xAA, sizeof(file));
	header(0x40, 0x10003);
	put32(file + 0x4c, 0x200040);              /* header_addr */
	put32(file + 0x50, 0x200000);              /* load_addr: file offset 0 */
	put32(file + 0x54, 0x201000);              /* load_end */
	put32(file + 0x58, 0x202000);              /* bss_end */
	put32(file + 0x5c, 0x200080);              /* entry */
	assert_int_equal(multiboot_plan(file, sizeof(file), "k", "", NULL, NULL, 0, 64u << 20,
					malloc, &p, err, sizeof(err)), 0);
	assert_int_equal(p.load_addr, 0x200000);
	assert_int_equal(p.entry, 0x200080);
	assert_int_equal(p.kernel_size, 0x2000);
	assert_int_equal(p.blob[0xfff], 0xAA);
	assert_int_equal(p.blob[0x1000], 0);       /* bss */
	free(p.blob);
	put32(file + 0x54, 0x200000 + sizeof(file) + 1);   /* longer than the file */
	put32(file + 0x58, 0);
	assert_int_equal(multiboot_plan(file, sizeof(file), "k", "", NULL, NULL, 0, 64u << 20,
					malloc, &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "is shorter than its Multiboot header says");
}

static void test_refusals(void **state)
{
	struct multiboot_plan p;

	(void)state;
	memset(file, 0, sizeof(file));
	assert_int_equal(multiboot_plan(file, sizeof(file), "k", "", NULL, NULL, 0, 64u << 20,
					malloc, &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "has no Multiboot header");
	make_elf(62, 1);
	assert_int_equal(multiboot_plan(file, sizeof(file), "k", "", NULL, NULL, 0, 64u << 20,
					malloc, &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "is a Multiboot kernel in an ELF file for x86-64; Multiboot "
				 "kernels are 32-bit x86 (i386) ELF files");
	/* RAM too small for it. */
	make_elf(3, 1);
	assert_int_equal(multiboot_plan(file, sizeof(file), "k", "", NULL, NULL, 0, 0x102000,
					malloc, &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "is a Multiboot kernel for 0x100000-0x104000 (entry 0x100010), "
				 "which is not inside the VM's RAM from 1 MiB to 1 MiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_search),
		cmocka_unit_test(test_elf_kernel),
		cmocka_unit_test(test_address_kludge),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
