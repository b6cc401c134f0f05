/* SPDX-License-Identifier: MIT */
/*
 * The virt machine's ACPI tables as AAVMF and Linux see them:
 * acpi_arm_install() publishes them in a real fw_cfg device, the table
 * loader of tests/firmware_loader.h puts them into fake guest memory, and
 * the checks read them like an OS: RSDP -> XSDT -> FADT (-> DSDT), MADT,
 * GTDT, SPCR, every checksum, the fields Linux's arm64 ACPI code needs
 * (hardware-reduced FADT with PSCI over HVC, one GICC per CPU with its
 * MPIDR, the GICv3 distributor and redistributor range, the timer PPIs,
 * the PL011 console), and iasl's disassembly of the DSDT.
 */
#define _POSIX_C_SOURCE 200809L  /* mkdtemp */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <acpi/arm_virt.h>
#include <acpi/loader.h>
#include <fwcfg/fwcfg.h>
#include <host/support.h>
#include <lib/aml_writer.h>

#include "firmware_loader.h"

static uint8_t sum8(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *p++);
	return sum;
}

static uint8_t *os_table(struct guest *g, uint64_t gpa, const char *signature)
{
	uint8_t *header = guest_ptr(g, gpa, 36);

	assert_non_null(header);
	assert_memory_equal(header, signature, 4);
	assert_non_null(guest_ptr(g, gpa, le32_at(header + 4)));
	assert_int_equal(sum8(header, le32_at(header + 4)), 0);
	return header;
}

/* A device of the VM in the DSDT: the console PL011 at SPI 1. */
static void one_uart(struct aml_writer *a, void *ctx)
{
	(void)ctx;
	aml_device_begin(a, "COM0");
	aml_name_string(a, "_HID", "ARMH0011");
	aml_name_integer(a, "_UID", 0);
	aml_resources_begin(a, "_CRS");
	aml_resource_memory32_fixed(a, 0x09000000, 0x1000);
	aml_resource_interrupt(a, 33, true, true, false);
	aml_resources_end(a);
	aml_end(a);
}

static const uint64_t mpidrs[3] = { 0, 1, 2 };

struct booted {
	struct guest guest;
	struct fwcfg *fw;
	uint8_t dsdt_body[4096];
	long dsdt_len;
	uint8_t *rsdp, *xsdt, *fadt, *madt, *gtdt, *spcr, *dsdt;
};

static void boot(struct booted *b, unsigned int cpus)
{
	struct acpi_arm_config cfg = {
		.cpu_count = cpus, .mpidr = mpidrs,
		.gicd_base = 0x08000000, .gicr_base = 0x080A0000, .gicr_size = cpus * 0x20000,
		.uart_base = 0x09000000, .uart_gsi = 33,
	};

	memset(b, 0, sizeof(*b));
	b->dsdt_len = acpi_arm_dsdt_body(cpus, one_uart, NULL, b->dsdt_body, sizeof(b->dsdt_body));
	assert_true(b->dsdt_len > 0);
	cfg.dsdt_body = b->dsdt_body;
	cfg.dsdt_body_len = (uint32_t)b->dsdt_len;
	guest_init(&b->guest);
	b->fw = fwcfg_create(NULL, NULL);
	assert_non_null(b->fw);
	assert_int_equal(acpi_arm_install(b->fw, &cfg), 0);
	assert_true(firmware_run_table_loader(&b->guest, b->fw));
	assert_int_equal(b->guest.errors, 0);
	for (uint32_t gpa = 0xE0000; gpa < 0x100000 && !b->rsdp; gpa += 16) {
		uint8_t *p = guest_ptr(&b->guest, gpa, 36);

		if (!memcmp(p, "RSD PTR ", 8) && sum8(p, 20) == 0)
			b->rsdp = p;
	}
	assert_non_null(b->rsdp);
	assert_int_equal(b->rsdp[15], 2);
	assert_int_equal(sum8(b->rsdp, 36), 0);
	assert_int_equal(le32_at(b->rsdp + 16), 0);               /* no RSDT */
	b->xsdt = os_table(&b->guest, le64_at(b->rsdp + 24), "XSDT");
	assert_int_equal(le32_at(b->xsdt + 4), 36 + 4 * 8);
	b->fadt = os_table(&b->guest, le64_at(b->xsdt + 36), "FACP");
	b->madt = os_table(&b->guest, le64_at(b->xsdt + 44), "APIC");
	b->gtdt = os_table(&b->guest, le64_at(b->xsdt + 52), "GTDT");
	b->spcr = os_table(&b->guest, le64_at(b->xsdt + 60), "SPCR");
	b->dsdt = os_table(&b->guest, le64_at(b->fadt + 140), "DSDT");
}

static void test_tables(void **state)
{
	struct booted b;
	const uint8_t *p;

	(void)state;
	boot(&b, 3);
	/* FADT 6.0: hardware-reduced, PSCI compliant over HVC. */
	assert_int_equal(b.fadt[8], 6);
	assert_int_equal(le32_at(b.fadt + 4), 276);
	assert_int_equal(le32_at(b.fadt + 112) & (1u << 20), 1u << 20);
	assert_int_equal(b.fadt[129] | b.fadt[130] << 8, 3);
	assert_int_equal(le32_at(b.fadt + 40), 0);                 /* 32-bit DSDT unused */
	/* MADT: three GICCs, the GICD (version 3) and one GICR range. */
	assert_int_equal(le32_at(b.madt + 4), 36 + 8 + 3 * 80 + 24 + 16);
	p = b.madt + 44;
	for (unsigned int i = 0; i < 3; i++, p += 80) {
		assert_int_equal(p[0], 0x0B);
		assert_int_equal(p[1], 80);
		assert_int_equal(le32_at(p + 8), i);               /* UID = DSDT _UID */
		assert_int_equal(le32_at(p + 12), 1);              /* enabled */
		assert_int_equal(le64_at(p + 68), mpidrs[i]);
		assert_int_equal(le64_at(p + 60), 0);              /* GICR from the range */
	}
	assert_int_equal(p[0], 0x0C);
	assert_int_equal(le64_at(p + 8), 0x08000000);
	assert_int_equal(p[20], 3);
	p += 24;
	assert_int_equal(p[0], 0x0E);
	assert_int_equal(le64_at(p + 4), 0x080A0000);
	assert_int_equal(le32_at(p + 12), 3 * 0x20000);
	/* GTDT: secure, non-secure, virtual and EL2 timer PPIs. */
	assert_int_equal(le32_at(b.gtdt + 48), 29);
	assert_int_equal(le32_at(b.gtdt + 56), 30);
	assert_int_equal(le32_at(b.gtdt + 64), 27);
	assert_int_equal(le32_at(b.gtdt + 72), 26);
	assert_int_equal(le64_at(b.gtdt + 36), ~0ULL);
	/* SPCR: a PL011 in memory at 0x09000000, GIC interrupt 33. */
	assert_int_equal(b.spcr[36], 3);
	assert_int_equal(b.spcr[40], 0);
	assert_int_equal(le64_at(b.spcr + 44), 0x09000000);
	assert_int_equal(b.spcr[52], 8);
	assert_int_equal(le32_at(b.spcr + 54), 33);
	/* DSDT: the body as written. */
	assert_int_equal(le32_at(b.dsdt + 4), 36 + (uint32_t)b.dsdt_len);
	assert_memory_equal(b.dsdt + 36, b.dsdt_body, (size_t)b.dsdt_len);
	fwcfg_destroy(b.fw);
}

static void test_bad_config(void **state)
{
	struct acpi_arm_config cfg = { .cpu_count = 0, .mpidr = mpidrs };
	struct acpi_arm_tables t;

	(void)state;
	assert_int_equal(acpi_arm_build(&cfg, &t), -EINVAL);
	cfg.cpu_count = 1;
	cfg.mpidr = NULL;
	assert_int_equal(acpi_arm_build(&cfg, &t), -EINVAL);
}

/* The DSDT disassembled by iasl: CPUs and the UART as QEMU's virt DSDT has them. */
static void test_dsdt_disassembles(void **state)
{
	struct booted b;
	char dir[] = "/tmp/tessera-acpi-arm-XXXXXX";
	char path[128], command[512];
	FILE *f;
	char *dsl;
	long size;

	(void)state;
	if (system("command -v iasl >/dev/null 2>&1") != 0) {
		print_message("SKIP: iasl is missing (Debian package acpica-tools)\n");
		skip();
	}
	boot(&b, 2);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/dsdt.aml", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b.dsdt, 1, le32_at(b.dsdt + 4), f), le32_at(b.dsdt + 4));
	fclose(f);
	snprintf(command, sizeof(command), "cd %s && iasl -d dsdt.aml >iasl.log 2>&1", dir);
	assert_int_equal(system(command), 0);
	snprintf(path, sizeof(path), "%s/dsdt.dsl", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	dsl = calloc(1, (size_t)size + 1);
	assert_non_null(dsl);
	assert_int_equal(fread(dsl, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	assert_non_null(strstr(dsl, "Device (C000)"));
	assert_non_null(strstr(dsl, "Device (C001)"));
	assert_non_null(strstr(dsl, "\"ACPI0007\""));
	assert_non_null(strstr(dsl, "\"ARMH0011\""));
	assert_non_null(strstr(dsl, "Memory32Fixed (ReadWrite,"));
	assert_non_null(strstr(dsl, "0x00000021,"));                 /* GSI 33 */
	free(dsl);
	snprintf(command, sizeof(command), "rm -rf %s", dir);
	assert_int_equal(system(command), 0);
	fwcfg_destroy(b.fw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_dsdt_disassembles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
