/* SPDX-License-Identifier: MIT */
/*
 * lib/elf.c: the header and program headers of ELF32 and ELF64 files as a
 * boot loader reads them, notes, and the refusal of every malformed
 * offset or size.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include <lib/elf.h>

static uint8_t file[1024];
static char err[160];

static void put(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* An ELF32 i386 executable: program headers at 52, one PT_LOAD, one PT_NOTE at 0x200. */
static void make_elf32(void)
{
	memset(file, 0, sizeof(file));
	memcpy(file, "\x7f" "ELF", 4);
	file[4] = 1;
	file[5] = 1;
	put(file + 16, 2, 2);
	put(file + 18, 3, 2);
	put(file + 24, 0x100010, 4);          /* e_entry */
	put(file + 28, 52, 4);                /* e_phoff */
	put(file + 42, 32, 2);
	put(file + 44, 2, 2);
	put(file + 52, 1, 4);                 /* PT_LOAD */
	put(file + 52 + 4, 0x100, 4);
	put(file + 52 + 8, 0xc0100000, 4);    /* vaddr */
	put(file + 52 + 12, 0x100000, 4);     /* paddr */
	put(file + 52 + 16, 0x80, 4);
	put(file + 52 + 20, 0x1000, 4);
	put(file + 84, 4, 4);                 /* PT_NOTE */
	put(file + 84 + 4, 0x200, 4);
	put(file + 84 + 16, 0x38, 4);
	/* Notes: "GNU" type 3 (4 bytes), then "Xen" type 18 (4 bytes). */
	put(file + 0x200, 4, 4);
	put(file + 0x204, 4, 4);
	put(file + 0x208, 3, 4);
	memcpy(file + 0x20c, "GNU", 4);
	put(file + 0x210, 0xabcd, 4);
	put(file + 0x214, 4, 4);
	put(file + 0x218, 4, 4);
	put(file + 0x21c, 18, 4);
	memcpy(file + 0x220, "Xen", 4);
	put(file + 0x224, 0x100000, 4);
}

static void test_elf32_with_notes(void **state)
{
	struct elf_image e;
	const uint8_t *desc;
	size_t len;

	(void)state;
	make_elf32();
	assert_true(elf_has_magic(file, sizeof(file)));
	assert_int_equal(elf_parse(file, sizeof(file), &e, err, sizeof(err)), 0);
	assert_int_equal(e.bits, 32);
	assert_int_equal(e.machine, ELF_MACHINE_X86);
	assert_int_equal(e.entry, 0x100010);
	assert_int_equal(e.segment_count, 1);
	assert_int_equal(e.segments[0].paddr, 0x100000);
	assert_int_equal(e.segments[0].vaddr, 0xc0100000);
	assert_int_equal(e.segments[0].filesz, 0x80);
	assert_int_equal(e.lowest, 0x100000);
	assert_int_equal(e.highest, 0x101000);
	assert_true(elf_find_note(file, sizeof(file), "Xen", 18, &desc, &len));
	assert_int_equal(len, 4);
	assert_int_equal(desc[0] | desc[1] << 8 | desc[2] << 16, 0x100000);
	assert_false(elf_find_note(file, sizeof(file), "Xen", 17, &desc, &len));
	assert_false(elf_find_note(file, sizeof(file), "Xe", 18, &desc, &len));
	/* A note whose size runs past its segment is not read. */
	put(file + 0x218, 400, 4);
	assert_false(elf_find_note(file, sizeof(file), "Xen", 18, &desc, &len));
}

static void test_refusals(void **state)
{
	struct elf_image e;
	char buf[16];

	(void)state;
	assert_false(elf_has_magic("\x7f" "EL", 3));
	make_elf32();
	file[5] = 2;
	assert_int_equal(elf_parse(file, sizeof(file), &e, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "is a big-endian ELF file");
	make_elf32();
	file[4] = 9;
	assert_int_equal(elf_parse(file, sizeof(file), &e, err, sizeof(err)), -EINVAL);
	make_elf32();
	assert_int_equal(elf_parse(file, 40, &e, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "is an ELF file cut short in its header");
	make_elf32();
	put(file + 28, 1000, 4);              /* program headers past the end */
	assert_int_equal(elf_parse(file, sizeof(file), &e, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "is an ELF file whose program headers lie outside it");
	make_elf32();
	put(file + 52 + 16, 0x2000, 4);       /* filesz > memsz */
	assert_int_equal(elf_parse(file, sizeof(file), &e, err, sizeof(err)), -EINVAL);
	make_elf32();
	put(file + 52 + 4, 0xfffffff0, 4);    /* offset past the end */
	assert_int_equal(elf_parse(file, sizeof(file), &e, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "is an ELF file whose segment 0 lies outside it");
	make_elf32();
	put(file + 52 + 12, 0xfffff800, 4);   /* past 4 GiB */
	assert_int_equal(elf_parse(file, sizeof(file), &e, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "is an ELF file whose segment 0 wraps around the address space");
	make_elf32();
	put(file + 52, 6, 4);                 /* no PT_LOAD left */
	assert_int_equal(elf_parse(file, sizeof(file), &e, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "is an ELF file with nothing to load (no PT_LOAD segment)");
	assert_string_equal(elf_machine_name(183, buf, sizeof(buf)), "aarch64");
	assert_string_equal(elf_machine_name(40, buf, sizeof(buf)), "machine 40");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf32_with_notes),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
