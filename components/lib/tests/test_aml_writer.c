/* SPDX-License-Identifier: MIT */
/*
 * The AML writer against the reference: iasl (Debian acpica-tools)
 * compiles the same constructs from ASL, and the bytes after the table
 * header must be identical - names, integers of every size, strings,
 * EISA ids, resource templates, and package lengths of one, two and
 * three bytes.  Misuse and full buffers fail cleanly.
 */
#define _GNU_SOURCE   /* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <lib/aml_writer.h>

#define BIG_NAMES 600           /* a device body over 4 KiB: a 3-byte PkgLength */

static uint8_t mine[64 * 1024];
static uint8_t theirs[64 * 1024];

/* Compiles asl with iasl; the AML after the 36-byte header into theirs. */
static long compile(const char *asl)
{
	char dir[] = "/tmp/tessera-aml-XXXXXX";
	char path[128], command[512];
	FILE *f;
	long len;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.asl", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(asl, f);
	fclose(f);
	snprintf(command, sizeof(command), "cd %s && iasl t.asl >iasl.log 2>&1", dir);
	if (system(command) != 0) {
		snprintf(command, sizeof(command), "cat %s/iasl.log", dir);
		assert_int_equal(system(command), 0);
		fail_msg("iasl failed");
	}
	snprintf(path, sizeof(path), "%s/t.aml", dir);
	f = fopen(path, "rb");
	assert_non_null(f);
	len = (long)fread(theirs, 1, sizeof(theirs), f);
	fclose(f);
	snprintf(command, sizeof(command), "rm -rf %s", dir);
	assert_int_equal(system(command), 0);
	assert_true(len > 36);
	memmove(theirs, theirs + 36, (size_t)len - 36);
	return len - 36;
}

static bool have_iasl(void)
{
	if (system("command -v iasl >/dev/null 2>&1") == 0)
		return true;
	print_message("SKIP: iasl is missing (Debian package acpica-tools)\n");
	return false;
}

static void expect_same(long mine_len, long theirs_len)
{
	assert_true(mine_len > 0);
	if (mine_len != theirs_len || memcmp(mine, theirs, (size_t)mine_len) != 0) {
		for (long i = 0; i < mine_len && i < theirs_len; i++)
			if (mine[i] != theirs[i]) {
				fail_msg("first difference at byte %ld: 0x%02x, iasl 0x%02x (lengths "
					 "%ld, %ld)", i, mine[i], theirs[i], mine_len, theirs_len);
			}
		fail_msg("lengths %ld, iasl %ld", mine_len, theirs_len);
	}
}

static void test_device_with_everything(void **state)
{
	static const char asl[] =
		"DefinitionBlock (\"\", \"SSDT\", 2, \"TESSRA\", \"TESSERA \", 1)\n"
		"{\n"
		"  Scope (\\_SB)\n"
		"  {\n"
		"    Device (DEV0)\n"
		"    {\n"
		"      Name (_HID, \"ACPI0007\")\n"
		"      Name (_CID, EisaId (\"PNP0A08\"))\n"
		"      Name (_UID, 0x1234)\n"
		"      Name (NUM0, 0)\n"
		"      Name (NUM1, 1)\n"
		"      Name (BYTE, 0xFE)\n"
		"      Name (DWRD, 0x12345678)\n"
		"      Name (QWRD, 0x123456789A)\n"
		"      Name (_CRS, ResourceTemplate ()\n"
		"      {\n"
		"        Memory32Fixed (ReadWrite, 0xFEC00000, 0x00001000)\n"
		"        Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) {33}\n"
		"        Interrupt (ResourceConsumer, Edge, ActiveLow, Shared) {5}\n"
		"        IO (Decode16, 0x0060, 0x0060, 0x01, 0x01)\n"
		"        IRQNoFlags () {1}\n"
		"      })\n"
		"    }\n"
		"    Device (E)\n"
		"    {\n"
		"      Name (_ADR, 0x00010003)\n"
		"    }\n"
		"  }\n"
		"}\n";
	struct aml_writer a;
	long theirs_len;

	(void)state;
	if (!have_iasl())
		skip();
	theirs_len = compile(asl);
	aml_init(&a, mine, sizeof(mine));
	aml_scope_begin(&a, "\\_SB");
	aml_device_begin(&a, "DEV0");
	aml_name_string(&a, "_HID", "ACPI0007");
	aml_name_eisa_id(&a, "_CID", "PNP0A08");
	aml_name_integer(&a, "_UID", 0x1234);
	aml_name_integer(&a, "NUM0", 0);
	aml_name_integer(&a, "NUM1", 1);
	aml_name_integer(&a, "BYTE", 0xfe);
	aml_name_integer(&a, "DWRD", 0x12345678);
	aml_name_integer(&a, "QWRD", 0x123456789aull);
	aml_resources_begin(&a, "_CRS");
	aml_resource_memory32_fixed(&a, 0xfec00000, 0x1000);
	aml_resource_interrupt(&a, 33, true, true, false);
	aml_resource_interrupt(&a, 5, false, false, true);
	aml_resource_io(&a, 0x60, 1);
	aml_resource_irq_noflags(&a, 1);
	aml_resources_end(&a);
	aml_end(&a);
	aml_device_begin(&a, "E");
	aml_name_integer(&a, "_ADR", 0x00010003);
	aml_end(&a);
	aml_end(&a);
	expect_same(aml_finish(&a), theirs_len);
}

/* Package lengths of 2 and 3 bytes, and a scope path of three segments. */
static void test_long_packages(void **state)
{
	static char asl[64 * 1024];
	struct aml_writer a;
	size_t n = 0;
	long theirs_len;

	(void)state;
	if (!have_iasl())
		skip();
	n += (size_t)snprintf(asl + n, sizeof(asl) - n,
			      "DefinitionBlock (\"\", \"SSDT\", 2, \"TESSRA\", \"TESSERA \", 1)\n"
			      "{\n  Scope (\\_SB)\n  {\n    Device (PCI0)\n    {\n"
			      "      Name (_HID, EisaId (\"PNP0A03\"))\n"
			      "      Device (ISA)\n      {\n        Name (_ADR, 0x00010000)\n"
			      "        Device (DEEP)\n        {\n");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(asl + n, sizeof(asl) - n, "          Name (M%03d, %d)\n", i, i);
	n += (size_t)snprintf(asl + n, sizeof(asl) - n, "        }\n      }\n    }\n  }\n"
			      "  Scope (\\_SB.PCI0.ISA)\n  {\n    Device (BIG)\n    {\n");
	for (int i = 0; i < BIG_NAMES; i++)
		n += (size_t)snprintf(asl + n, sizeof(asl) - n, "      Name (N%03d, %d)\n", i,
				      i * 1000);
	snprintf(asl + n, sizeof(asl) - n, "    }\n  }\n}\n");
	theirs_len = compile(asl);

	aml_init(&a, mine, sizeof(mine));
	aml_scope_begin(&a, "\\_SB");
	aml_device_begin(&a, "PCI0");
	aml_name_eisa_id(&a, "_HID", "PNP0A03");
	aml_device_begin(&a, "ISA");
	aml_name_integer(&a, "_ADR", 0x00010000);
	aml_device_begin(&a, "DEEP");
	for (int i = 0; i < 40; i++) {
		char name[5];

		snprintf(name, sizeof(name), "M%03d", i);
		aml_name_integer(&a, name, (uint64_t)i);
	}
	aml_end(&a);
	aml_end(&a);
	aml_end(&a);
	aml_end(&a);
	aml_scope_begin(&a, "\\_SB.PCI0.ISA");
	aml_device_begin(&a, "BIG");
	for (int i = 0; i < BIG_NAMES; i++) {
		char name[5];

		snprintf(name, sizeof(name), "N%03d", i);
		aml_name_integer(&a, name, (uint64_t)i * 1000);
	}
	aml_end(&a);
	aml_end(&a);
	expect_same(aml_finish(&a), theirs_len);
	/* Device paths are not devices' names. */
	aml_init(&a, mine, sizeof(mine));
	aml_device_begin(&a, "\\_SB.PCI0");
	aml_end(&a);
	assert_int_equal(aml_finish(&a), -EINVAL);
}

static void test_eisa_ids(void **state)
{
	(void)state;
	assert_int_equal(aml_eisa_id("PNP0501"), 0x0105D041u);
	assert_int_equal(aml_eisa_id("PNP0A03"), 0x030AD041u);
	assert_true(aml_is_eisa_id("QEM0002"));
	assert_false(aml_is_eisa_id("QEMU0002"));
	assert_false(aml_is_eisa_id("pnp0501"));
	assert_false(aml_is_eisa_id("PNP050G"));
	assert_int_equal(aml_eisa_id("PNP05"), 0);
}

static void test_misuse_and_full_buffers(void **state)
{
	struct aml_writer a;
	long full;

	(void)state;
	aml_init(&a, mine, sizeof(mine));
	aml_end(&a);                                       /* nothing open */
	assert_int_equal(aml_finish(&a), -EINVAL);
	aml_init(&a, mine, sizeof(mine));
	aml_device_begin(&a, "COM1");
	assert_int_equal(aml_finish(&a), -EINVAL);        /* left open */
	aml_init(&a, mine, sizeof(mine));
	aml_device_begin(&a, "com1");                     /* lower case */
	aml_end(&a);
	assert_int_equal(aml_finish(&a), -EINVAL);
	aml_init(&a, mine, sizeof(mine));
	aml_device_begin(&a, "TOOLONG");
	aml_end(&a);
	assert_int_equal(aml_finish(&a), -EINVAL);
	aml_init(&a, mine, sizeof(mine));
	aml_resource_io(&a, 0x60, 1);                      /* outside a template */
	assert_int_equal(aml_finish(&a), -EINVAL);
	aml_init(&a, mine, sizeof(mine));
	aml_resources_begin(&a, "_CRS");
	aml_resource_irq_noflags(&a, 16);                  /* ISA IRQs end at 15 */
	aml_resources_end(&a);
	assert_int_equal(aml_finish(&a), -EINVAL);
	aml_init(&a, mine, sizeof(mine));
	aml_resources_begin(&a, "_CRS");
	aml_end(&a);                                       /* a template ends with its own call */
	assert_int_equal(aml_finish(&a), -EINVAL);

	/* Every buffer too small fails with -ENOSPC and writes nothing past it. */
	aml_init(&a, mine, sizeof(mine));
	aml_scope_begin(&a, "\\_SB.PCI0.ISA");
	aml_device_begin(&a, "COM1");
	aml_name_eisa_id(&a, "_HID", "PNP0501");
	aml_resources_begin(&a, "_CRS");
	aml_resource_io(&a, 0x3f8, 8);
	aml_resource_irq_noflags(&a, 4);
	aml_resources_end(&a);
	aml_end(&a);
	aml_end(&a);
	full = aml_finish(&a);
	assert_true(full > 0);
	for (long size = 0; size < full; size++) {
		memset(theirs, 0xa5, 256);
		aml_init(&a, theirs, (size_t)size);
		aml_scope_begin(&a, "\\_SB.PCI0.ISA");
		aml_device_begin(&a, "COM1");
		aml_name_eisa_id(&a, "_HID", "PNP0501");
		aml_resources_begin(&a, "_CRS");
		aml_resource_io(&a, 0x3f8, 8);
		aml_resource_irq_noflags(&a, 4);
		aml_resources_end(&a);
		aml_end(&a);
		aml_end(&a);
		assert_int_equal(aml_finish(&a), -ENOSPC);
		for (size_t i = (size_t)size; i < 256; i++)
			assert_int_equal(theirs[i], 0xa5);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_with_everything),
		cmocka_unit_test(test_long_packages),
		cmocka_unit_test(test_eisa_ids),
		cmocka_unit_test(test_misuse_and_full_buffers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
