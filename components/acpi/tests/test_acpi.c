/* SPDX-License-Identifier: MIT */
/*
 * The ACPI tables as a guest sees them: acpi_install() publishes the
 * files in a real fw_cfg device, the firmware's table loader (a
 * re-implementation of SeaBIOS's, tests/firmware_loader.h) puts them into
 * fake guest memory, and the checks below read them the way an OS does:
 * find the RSDP in the F-segment, follow XSDT and RSDT, check every
 * checksum and every field.  Field offsets are written out from the ACPI
 * specification rather than taken from acpi.c.
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
#include <unistd.h>
#include <cmocka.h>

#include <acpi/acpi.h>
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

static uint16_t le16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* The loaded guest, and where the OS found each table. */
struct booted {
	struct guest guest;
	struct fwcfg *fw;
	uint8_t *rsdp, *rsdt, *xsdt, *fadt, *madt, *dsdt, *facs, *ssdt;
	uint64_t dsdt_gpa, facs_gpa, fadt_gpa, madt_gpa, ssdt_gpa;
};

/* A table at gpa after checking its header length fits and its checksum. */
static uint8_t *os_table(struct guest *g, uint64_t gpa, const char *signature)
{
	uint8_t *header = guest_ptr(g, gpa, 36);

	assert_non_null(header);
	assert_memory_equal(header, signature, 4);
	uint32_t length = le32_at(header + 4);
	assert_true(length >= 36);
	assert_non_null(guest_ptr(g, gpa, length));
	assert_int_equal(sum8(header, length), 0);
	return header;
}

static void boot(struct booted *b, const struct acpi_pc_config *cfg)
{
	memset(b, 0, sizeof(*b));
	guest_init(&b->guest);
	b->fw = fwcfg_create(NULL, NULL);
	assert_non_null(b->fw);
	assert_int_equal(acpi_install(b->fw, cfg), 0);
	assert_true(firmware_run_table_loader(&b->guest, b->fw));
	assert_int_equal(b->guest.errors, 0);

	/* The OS searches the BIOS area on 16-byte boundaries. */
	for (uint32_t gpa = 0xE0000; gpa < 0x100000; gpa += 16) {
		uint8_t *p = guest_ptr(&b->guest, gpa, 36);
		if (!memcmp(p, "RSD PTR ", 8) && sum8(p, 20) == 0) {
			b->rsdp = p;
			break;
		}
	}
	assert_non_null(b->rsdp);
	assert_int_equal(b->rsdp[15], 2);                 /* revision: ACPI 2.0+ */
	assert_int_equal(le32_at(b->rsdp + 20), 36);      /* length              */
	assert_int_equal(sum8(b->rsdp, 36), 0);           /* extended checksum   */

	b->xsdt = os_table(&b->guest, le64_at(b->rsdp + 24), "XSDT");
	b->rsdt = os_table(&b->guest, le32_at(b->rsdp + 16), "RSDT");
	unsigned entries = cfg->ssdt_body_len ? 3 : 2;

	assert_int_equal(le32_at(b->xsdt + 4), 36 + entries * 8);
	assert_int_equal(le32_at(b->rsdt + 4), 36 + entries * 4);
	b->fadt_gpa = le64_at(b->xsdt + 36);
	b->madt_gpa = le64_at(b->xsdt + 44);
	/* RSDT and XSDT list the same tables. */
	assert_int_equal(le32_at(b->rsdt + 36), b->fadt_gpa);
	assert_int_equal(le32_at(b->rsdt + 40), b->madt_gpa);
	if (entries == 3) {
		b->ssdt_gpa = le64_at(b->xsdt + 52);
		assert_int_equal(le32_at(b->rsdt + 44), b->ssdt_gpa);
		b->ssdt = os_table(&b->guest, b->ssdt_gpa, "SSDT");
		assert_int_equal(le32_at(b->ssdt + 4), 36 + cfg->ssdt_body_len);
		assert_memory_equal(b->ssdt + 36, cfg->ssdt_body, cfg->ssdt_body_len);
	}
	b->fadt = os_table(&b->guest, b->fadt_gpa, "FACP");
	b->madt = os_table(&b->guest, b->madt_gpa, "APIC");

	b->dsdt_gpa = le64_at(b->fadt + 140);             /* X_DSDT */
	assert_int_equal(le32_at(b->fadt + 40), b->dsdt_gpa);
	b->dsdt = os_table(&b->guest, b->dsdt_gpa, "DSDT");

	b->facs_gpa = le32_at(b->fadt + 36);              /* FIRMWARE_CTRL */
	b->facs = guest_ptr(&b->guest, b->facs_gpa, 64);
	assert_non_null(b->facs);
	assert_memory_equal(b->facs, "FACS", 4);
	assert_int_equal(le32_at(b->facs + 4), 64);
	assert_int_equal(b->facs_gpa % 64, 0);
}

static void shut_down(struct booted *b)
{
	fwcfg_destroy(b->fw);
}

static void test_files_in_fw_cfg(void **state)
{
	(void)state;
	struct acpi_pc_config cfg;
	struct fwcfg *fw = fwcfg_create(NULL, NULL);
	uint32_t len;

	acpi_pc_config_init(&cfg, 1, 0x80000000u);
	assert_int_equal(acpi_install(fw, &cfg), 0);
	assert_non_null(fwcfg_file_data(fw, "etc/acpi/tables", &len));
	assert_non_null(fwcfg_file_data(fw, "etc/acpi/rsdp", &len));
	assert_int_equal(len, 36);
	const uint8_t *script = fwcfg_file_data(fw, "etc/table-loader", &len);
	assert_non_null(script);
	assert_int_equal(len % 128, 0);
	/*
	 * First command as SeaBIOS's struct romfile_loader_entry_s reads it:
	 * ALLOCATE "etc/acpi/tables", align 64 at byte 60, zone HIGH at 64.
	 */
	assert_int_equal(le32_at(script), 1);
	assert_string_equal((const char *)script + 4, "etc/acpi/tables");
	assert_int_equal(le32_at(script + 60), 64);
	assert_int_equal(script[64], 1);
	assert_int_equal(le32_at(script + 128), 1);
	assert_string_equal((const char *)script + 128 + 4, "etc/acpi/rsdp");
	assert_int_equal(le32_at(script + 128 + 60), 16);
	assert_int_equal(script[128 + 64], 2);
	/* Adding them twice fails: fw_cfg names are unique. */
	assert_int_equal(acpi_install(fw, &cfg), -EEXIST);
	fwcfg_destroy(fw);
}

static void test_rsdp_in_fseg_tables_high(void **state)
{
	(void)state;
	struct acpi_pc_config cfg;
	struct booted b;

	acpi_pc_config_init(&cfg, 1, 0x80000000u);
	boot(&b, &cfg);
	/* The RSDP sits where the FSEG allocator put it, 16-byte aligned. */
	assert_ptr_equal(b.rsdp, guest_ptr(&b.guest, GUEST_FSEG_FREE, 36));
	assert_memory_equal(b.rsdp + 9, "TESSRA", 6);
	assert_true(b.fadt_gpa >= GUEST_HIGH_BASE);
	assert_int_equal(b.guest.files[0].gpa % 64, 0);
	shut_down(&b);
}

static void test_fadt_fields(void **state)
{
	(void)state;
	struct acpi_pc_config cfg;
	struct booted b;

	acpi_pc_config_init(&cfg, 1, 0x80000000u);
	boot(&b, &cfg);
	const uint8_t *f = b.fadt;
	assert_int_equal(le32_at(f + 4), 244);            /* length            */
	assert_int_equal(f[8], 3);                        /* revision          */
	assert_int_equal(le16_at(f + 46), 9);             /* SCI_INT           */
	assert_int_equal(le32_at(f + 48), 0xB2);          /* SMI_CMD           */
	assert_int_equal(f[52], 0xF1);                    /* ACPI_ENABLE       */
	assert_int_equal(f[53], 0xF0);                    /* ACPI_DISABLE      */
	assert_int_equal(le32_at(f + 56), 0x600);         /* PM1a_EVT_BLK      */
	assert_int_equal(le32_at(f + 60), 0);             /* PM1b_EVT_BLK      */
	assert_int_equal(le32_at(f + 64), 0x604);         /* PM1a_CNT_BLK      */
	assert_int_equal(le32_at(f + 68), 0);             /* PM1b_CNT_BLK      */
	assert_int_equal(le32_at(f + 72), 0);             /* PM2_CNT_BLK       */
	assert_int_equal(le32_at(f + 76), 0x608);         /* PM_TMR_BLK        */
	assert_int_equal(le32_at(f + 80), 0);             /* GPE0_BLK          */
	assert_int_equal(f[88], 4);                       /* PM1_EVT_LEN       */
	assert_int_equal(f[89], 2);                       /* PM1_CNT_LEN       */
	assert_int_equal(f[90], 0);                       /* PM2_CNT_LEN       */
	assert_int_equal(f[91], 4);                       /* PM_TMR_LEN        */
	assert_int_equal(f[92], 0);                       /* GPE0_BLK_LEN      */
	assert_int_equal(le16_at(f + 96), 0x0FFF);        /* no C2             */
	assert_int_equal(le16_at(f + 98), 0x03E9);        /* no C3             */
	assert_int_equal(f[108], 0x32);                   /* CENTURY           */
	assert_int_equal(le16_at(f + 109), 0x0001);       /* legacy devs, no 8042 */
	/* WBINVD | PROC_C1 | SLP_BUTTON | RESET_REG_SUP; no TMR_VAL_EXT. */
	assert_int_equal(le32_at(f + 112), 0x00000425);
	static const uint8_t reset_reg[12] = { 1, 8, 0, 1, 0xF9, 0x0C, 0, 0, 0, 0, 0, 0 };
	assert_memory_equal(f + 116, reset_reg, 12);
	assert_int_equal(f[128], 0x06);                   /* RESET_VALUE       */
	assert_int_equal(le64_at(f + 132), 0);            /* X_FIRMWARE_CTRL   */
	static const uint8_t x_pm1a_evt[12] = { 1, 32, 0, 2, 0x00, 0x06, 0, 0, 0, 0, 0, 0 };
	static const uint8_t x_pm1a_cnt[12] = { 1, 16, 0, 2, 0x04, 0x06, 0, 0, 0, 0, 0, 0 };
	static const uint8_t x_pm_tmr[12] = { 1, 32, 0, 3, 0x08, 0x06, 0, 0, 0, 0, 0, 0 };
	static const uint8_t unused_gas[12];
	assert_memory_equal(f + 148, x_pm1a_evt, 12);
	assert_memory_equal(f + 160, unused_gas, 12);     /* X_PM1b_EVT_BLK    */
	assert_memory_equal(f + 172, x_pm1a_cnt, 12);
	assert_memory_equal(f + 184, unused_gas, 12);     /* X_PM1b_CNT_BLK    */
	assert_memory_equal(f + 196, unused_gas, 12);     /* X_PM2_CNT_BLK     */
	assert_memory_equal(f + 208, x_pm_tmr, 12);
	assert_memory_equal(f + 220, unused_gas, 12);     /* X_GPE0_BLK        */
	assert_memory_equal(f + 232, unused_gas, 12);     /* X_GPE1_BLK        */
	shut_down(&b);
}

/* The MADT after the header: LAPIC address and flags, then the entries. */
static void check_madt(const uint8_t *madt, const uint8_t *apic_ids, unsigned cpus)
{
	uint8_t expected[512];
	size_t n = 0;

	expected[n++] = 0x00; expected[n++] = 0x00; expected[n++] = 0xE0; expected[n++] = 0xFE;
	expected[n++] = 0x01; expected[n++] = 0x00; expected[n++] = 0x00; expected[n++] = 0x00;
	for (unsigned i = 0; i < cpus; i++) {
		/* Processor Local APIC: UID i, APIC id, enabled. */
		const uint8_t lapic[8] = { 0, 8, (uint8_t)i, apic_ids[i], 1, 0, 0, 0 };
		memcpy(expected + n, lapic, 8);
		n += 8;
	}
	/* I/O APIC id 0 at 0xFEC00000, GSI base 0. */
	static const uint8_t ioapic[12] = { 1, 12, 0, 0, 0x00, 0x00, 0xC0, 0xFE, 0, 0, 0, 0 };
	memcpy(expected + n, ioapic, 12);
	n += 12;
	/* Overrides: IRQ0 -> GSI2 conforming; 5, 9, 10, 11 level, active high. */
	static const uint8_t overrides[5][10] = {
		{ 2, 10, 0, 0, 2, 0, 0, 0, 0x00, 0 },
		{ 2, 10, 0, 5, 5, 0, 0, 0, 0x0D, 0 },
		{ 2, 10, 0, 9, 9, 0, 0, 0, 0x0D, 0 },
		{ 2, 10, 0, 10, 10, 0, 0, 0, 0x0D, 0 },
		{ 2, 10, 0, 11, 11, 0, 0, 0, 0x0D, 0 },
	};
	memcpy(expected + n, overrides, sizeof(overrides));
	n += sizeof(overrides);
	/* Local APIC NMI: all processors, conforming, LINT1. */
	static const uint8_t nmi[6] = { 4, 6, 0xFF, 0, 0, 1 };
	memcpy(expected + n, nmi, 6);
	n += 6;

	assert_int_equal(le32_at(madt + 4), 36 + n);
	assert_memory_equal(madt + 36, expected, n);
}

static void test_madt_one_cpu(void **state)
{
	(void)state;
	struct acpi_pc_config cfg;
	struct booted b;
	const uint8_t ids[1] = { 0 };

	acpi_pc_config_init(&cfg, 1, 0x80000000u);
	boot(&b, &cfg);
	check_madt(b.madt, ids, 1);
	shut_down(&b);
}

static void test_madt_two_cpus_sparse_apic_ids(void **state)
{
	(void)state;
	struct acpi_pc_config cfg;
	struct booted b;
	const uint8_t ids[2] = { 0, 2 };

	acpi_pc_config_init(&cfg, 2, 0x80000000u);
	cfg.apic_id[1] = 2;
	boot(&b, &cfg);
	check_madt(b.madt, ids, 2);
	shut_down(&b);
}

static void test_dsdt_is_the_compiled_aml(void **state)
{
	(void)state;
	struct acpi_pc_config cfg;
	struct booted b;

	acpi_pc_config_init(&cfg, 2, 0x80000000u);
	boot(&b, &cfg);
	assert_int_equal(le32_at(b.dsdt + 4), acpi_dsdt_aml_len);
	assert_int_equal(b.dsdt[8], 2);                   /* 64-bit integers */
	/* Same AML as iasl produced (the window defaults were not changed). */
	assert_memory_equal(b.dsdt + 10, acpi_dsdt_aml + 10, acpi_dsdt_aml_len - 10);
	shut_down(&b);
}

static void test_bad_config(void **state)
{
	(void)state;
	struct acpi_pc_config cfg;
	struct acpi_tables t;

	acpi_pc_config_init(&cfg, 0, 0x80000000u);
	assert_int_equal(acpi_build(&cfg, &t), -EINVAL);
	acpi_pc_config_init(&cfg, ACPI_MAX_CPUS + 1, 0x80000000u);
	assert_int_equal(acpi_build(&cfg, &t), -EINVAL);
	acpi_pc_config_init(&cfg, 1, 0xFF000000u);        /* window above the IOAPIC */
	assert_int_equal(acpi_build(&cfg, &t), -EINVAL);
	acpi_pc_config_init(&cfg, ACPI_MAX_CPUS, 0x80000000u);
	assert_int_equal(acpi_build(&cfg, &t), 0);
	acpi_tables_release(&t);
}

static void test_loader_rejects_bad_commands(void **state)
{
	(void)state;
	struct acpi_loader l = { 0 };
	char long_name[60];

	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[59] = 0;
	assert_int_equal(acpi_loader_allocate(&l, "x", 3, ACPI_LOADER_ZONE_HIGH), -EINVAL);
	assert_int_equal(acpi_loader_allocate(&l, "x", 16, 7), -EINVAL);
	assert_int_equal(acpi_loader_allocate(&l, long_name, 16, ACPI_LOADER_ZONE_FSEG), -EINVAL);
	assert_int_equal(acpi_loader_add_pointer(&l, "a", "b", 0, 3), -EINVAL);
	assert_int_equal(acpi_loader_add_checksum(&l, "", 0, 0, 1), -EINVAL);
	assert_int_equal(l.len, 0);
	assert_int_equal(l.error, -EINVAL);
	/* A 55-character name is the longest that fits with its NUL. */
	long_name[55] = 0;
	l.error = 0;
	assert_int_equal(acpi_loader_add_pointer(&l, long_name, "b", 0x1234, 8), 0);
	assert_int_equal(l.len, 128);
	assert_int_equal(le32_at(l.buf), 2);
	assert_memory_equal(l.buf + 4, long_name, 56);
	assert_string_equal((const char *)l.buf + 60, "b");
	assert_int_equal(le32_at(l.buf + 116), 0x1234);
	assert_int_equal(l.buf[120], 8);
	/* Growing past the first buffer keeps earlier commands. */
	for (unsigned i = 0; i < 40; i++)
		assert_int_equal(acpi_loader_add_checksum(&l, "c", i, 0, 100), 0);
	assert_int_equal(l.len, 41 * 128);
	assert_int_equal(le32_at(l.buf + 116), 0x1234);
	assert_int_equal(le32_at(l.buf + 40 * 128 + 60), 39);
	acpi_loader_release(&l);
	assert_null(l.buf);
}

/* Runs a shell command; the test fails if it does not exit 0. */
static void run(const char *command)
{
	assert_int_equal(system(command), 0);
}

static char *read_text_file(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *text = calloc(1, (size_t)size + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	return text;
}

/* The loaded DSDT, disassembled by iasl as an OS developer would. */
static void test_dsdt_disassembles(void **state)
{
	(void)state;
	if (system("command -v iasl >/dev/null 2>&1") != 0) {
		print_message("SKIP: iasl is missing (Debian package acpica-tools); "
			      "DSDT disassembly not checked\n");
		skip();
	}
	struct acpi_pc_config cfg;
	struct booted b;
	char dir[] = "/tmp/tessera-acpi-XXXXXX";
	char path[128], command[512];

	acpi_pc_config_init(&cfg, 2, 0x40000000u);        /* 1 GiB of low RAM */
	boot(&b, &cfg);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/dsdt.aml", dir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b.dsdt, 1, le32_at(b.dsdt + 4), f), le32_at(b.dsdt + 4));
	fclose(f);
	snprintf(command, sizeof(command), "cd %s && iasl -d dsdt.aml >iasl.log 2>&1", dir);
	run(command);
	snprintf(path, sizeof(path), "%s/dsdt.dsl", dir);
	char *dsl = read_text_file(path);

	assert_non_null(strstr(dsl, "Name (_S5, Package (0x04)"));
	assert_non_null(strstr(dsl, "EisaId (\"PNP0A03\")"));
	assert_non_null(strstr(dsl, "EisaId (\"PNP0C0F\")"));
	assert_non_null(strstr(dsl, "EisaId (\"PNP0000\")"));
	/* The VM's devices are not the board's: they come in an SSDT. */
	assert_null(strstr(dsl, "EisaId (\"PNP0501\")"));
	assert_null(strstr(dsl, "\"QEMU0002\""));
	/* The PCI window follows the configuration. */
	assert_non_null(strstr(dsl, "Name (PWLO, 0x40000000)"));
	assert_non_null(strstr(dsl, "Name (PWHI, 0xFEBFFFFF)"));
	/* No sleep states besides S5. */
	assert_null(strstr(dsl, "Name (_S3"));
	assert_null(strstr(dsl, "Name (_S4"));
	free(dsl);
	snprintf(command, sizeof(command), "rm -rf %s", dir);
	run(command);
	shut_down(&b);
}

/*
 * An SSDT with two devices (what the pc machine writes from its device
 * instances with the AML writer): the OS finds it through RSDT and XSDT,
 * and iasl disassembles it against the DSDT into the ASL it stands for.
 */
static void test_ssdt_with_devices(void **state)
{
	(void)state;
	if (system("command -v iasl >/dev/null 2>&1") != 0) {
		print_message("SKIP: iasl is missing (Debian package acpica-tools)\n");
		skip();
	}
	struct acpi_pc_config cfg;
	struct booted b;
	struct aml_writer a;
	uint8_t aml[512];
	long len;
	char dir[] = "/tmp/tessera-ssdt-XXXXXX";
	char path[128], command[512];

	aml_init(&a, aml, sizeof(aml));
	aml_scope_begin(&a, "\\_SB.PCI0.ISA");
	aml_device_begin(&a, "COM1");
	aml_name_eisa_id(&a, "_HID", "PNP0501");
	aml_name_integer(&a, "_UID", 1);
	aml_resources_begin(&a, "_CRS");
	aml_resource_io(&a, 0x3F8, 8);
	aml_resource_irq_noflags(&a, 4);
	aml_resources_end(&a);
	aml_end(&a);
	aml_device_begin(&a, "FWC0");
	aml_name_string(&a, "_HID", "QEMU0002");
	aml_name_integer(&a, "_UID", 0);
	aml_name_integer(&a, "_STA", 0x0B);
	aml_resources_begin(&a, "_CRS");
	aml_resource_io(&a, 0x510, 12);
	aml_resources_end(&a);
	aml_end(&a);
	aml_end(&a);
	len = aml_finish(&a);
	assert_true(len > 0);

	acpi_pc_config_init(&cfg, 1, 0x40000000u);
	cfg.ssdt_body = aml;
	cfg.ssdt_body_len = (uint32_t)len;
	boot(&b, &cfg);
	assert_non_null(b.ssdt);

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/dsdt.aml", dir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b.dsdt, 1, le32_at(b.dsdt + 4), f), le32_at(b.dsdt + 4));
	fclose(f);
	snprintf(path, sizeof(path), "%s/ssdt.aml", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b.ssdt, 1, le32_at(b.ssdt + 4), f), le32_at(b.ssdt + 4));
	fclose(f);
	snprintf(command, sizeof(command), "cd %s && iasl -e dsdt.aml -d ssdt.aml >iasl.log 2>&1",
		 dir);
	run(command);
	snprintf(path, sizeof(path), "%s/ssdt.dsl", dir);
	char *dsl = read_text_file(path);

	assert_non_null(strstr(dsl, "Scope (\\_SB.PCI0.ISA)"));
	assert_non_null(strstr(dsl, "Device (COM1)"));
	assert_non_null(strstr(dsl, "Name (_HID, EisaId (\"PNP0501\")"));
	assert_non_null(strstr(dsl, "Name (_UID, One)"));
	assert_non_null(strstr(dsl, "IO (Decode16,\n                    0x03F8,             // Range Minimum\n"
				    "                    0x03F8,             // Range Maximum\n"
				    "                    0x01,               // Alignment\n"
				    "                    0x08,               // Length"));
	assert_non_null(strstr(dsl, "IRQNoFlags ()\n                    {4}"));
	assert_non_null(strstr(dsl, "Device (FWC0)"));
	assert_non_null(strstr(dsl, "Name (_HID, \"QEMU0002\")"));
	assert_non_null(strstr(dsl, "Name (_STA, 0x0B)"));
	assert_non_null(strstr(dsl, "0x0C,               // Length"));
	free(dsl);
	snprintf(command, sizeof(command), "rm -rf %s", dir);
	run(command);
	shut_down(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files_in_fw_cfg),
		cmocka_unit_test(test_rsdp_in_fseg_tables_high),
		cmocka_unit_test(test_fadt_fields),
		cmocka_unit_test(test_madt_one_cpu),
		cmocka_unit_test(test_madt_two_cpus_sparse_apic_ids),
		cmocka_unit_test(test_dsdt_is_the_compiled_aml),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_loader_rejects_bad_commands),
		cmocka_unit_test(test_dsdt_disassembles),
		cmocka_unit_test(test_ssdt_with_devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
