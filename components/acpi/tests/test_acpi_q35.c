/* SPDX-License-Identifier: MIT */
/*
 * The q35 machine's ACPI tables as a guest sees them, like test_acpi.c
 * does for the pc machine: acpi_install() publishes the files in a real
 * fw_cfg device, the firmware's table loader (tests/firmware_loader.h)
 * puts them into fake guest memory, and the checks read them as an OS
 * does.  Field offsets are written out from the ACPI and PCI Firmware
 * specifications rather than taken from acpi.c.
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

/* The loaded guest and the tables the OS found through the XSDT. */
struct booted {
	struct guest guest;
	uint8_t *rsdp, *rsdt, *xsdt, *fadt, *madt, *mcfg, *ssdt, *dsdt;
	unsigned entries;
};

static uint8_t *os_table(struct guest *g, uint64_t gpa, const char *signature)
{
	uint8_t *header = guest_ptr(g, gpa, 36);

	assert_non_null(header);
	if (signature)
		assert_memory_equal(header, signature, 4);
	uint32_t length = le32_at(header + 4);
	assert_true(length >= 36);
	assert_non_null(guest_ptr(g, gpa, length));
	assert_int_equal(sum8(header, length), 0);
	return header;
}

/* Runs the loader script of fw into a fresh guest and finds every table. */
static void load(struct booted *b, struct fwcfg *fw)
{
	memset(b, 0, sizeof(*b));
	guest_init(&b->guest);
	assert_true(firmware_run_table_loader(&b->guest, fw));
	assert_int_equal(b->guest.errors, 0);
	for (uint32_t gpa = 0xE0000; gpa < 0x100000; gpa += 16) {
		uint8_t *p = guest_ptr(&b->guest, gpa, 36);
		if (!memcmp(p, "RSD PTR ", 8) && sum8(p, 20) == 0) {
			b->rsdp = p;
			break;
		}
	}
	assert_non_null(b->rsdp);
	assert_int_equal(sum8(b->rsdp, 36), 0);
	b->xsdt = os_table(&b->guest, le64_at(b->rsdp + 24), "XSDT");
	b->rsdt = os_table(&b->guest, le32_at(b->rsdp + 16), "RSDT");
	b->entries = (le32_at(b->xsdt + 4) - 36) / 8;
	assert_int_equal(le32_at(b->rsdt + 4), 36 + b->entries * 4);
	for (unsigned i = 0; i < b->entries; i++) {
		uint64_t gpa = le64_at(b->xsdt + 36 + 8 * i);
		uint8_t *t = os_table(&b->guest, gpa, NULL);

		assert_int_equal(le32_at(b->rsdt + 36 + 4 * i), gpa);
		if (!memcmp(t, "FACP", 4))
			b->fadt = t;
		else if (!memcmp(t, "APIC", 4))
			b->madt = t;
		else if (!memcmp(t, "MCFG", 4))
			b->mcfg = t;
		else if (!memcmp(t, "SSDT", 4))
			b->ssdt = t;
		else
			fail_msg("unexpected table %.4s", (const char *)t);
	}
	assert_non_null(b->fadt);
	assert_non_null(b->madt);
	b->dsdt = os_table(&b->guest, le64_at(b->fadt + 140), "DSDT");
	assert_int_equal(le32_at(b->fadt + 40), le64_at(b->fadt + 140));
}

/* The value of Name (name, DWord) in the loaded DSDT; fails unless exactly one. */
static uint32_t dsdt_dword(const uint8_t *dsdt, const char *name)
{
	uint32_t len = le32_at(dsdt + 4), value = 0;
	unsigned found = 0;

	for (uint32_t i = 36; i + 10 <= len; i++)
		if (dsdt[i] == 0x08 && !memcmp(dsdt + i + 1, name, 4) && dsdt[i + 5] == 0x0C) {
			value = le32_at(dsdt + i + 6);
			found++;
		}
	assert_int_equal(found, 1);
	return value;
}

static bool contains(const uint8_t *hay, size_t len, const void *needle, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(hay + i, needle, n))
			return true;
	return false;
}

static void check_mcfg(const uint8_t *mcfg, uint64_t base, unsigned buses)
{
	static const uint8_t reserved[8];

	assert_non_null(mcfg);
	assert_int_equal(le32_at(mcfg + 4), 60);          /* one allocation       */
	assert_int_equal(mcfg[8], 1);                     /* revision             */
	assert_memory_equal(mcfg + 36, reserved, 8);
	assert_int_equal(le64_at(mcfg + 44), base);       /* base address         */
	assert_int_equal(le16_at(mcfg + 52), 0);          /* PCI segment group    */
	assert_int_equal(mcfg[54], 0);                    /* start bus            */
	assert_int_equal(mcfg[55], buses - 1);            /* end bus              */
	assert_int_equal(le32_at(mcfg + 56), 0);          /* reserved             */
}

static void check_windows(const uint8_t *dsdt, uint32_t w1l, uint32_t w1h, uint32_t w2l,
			  uint32_t w2h)
{
	assert_int_equal(dsdt_dword(dsdt, "PW1L"), w1l);
	assert_int_equal(dsdt_dword(dsdt, "PW1H"), w1h);
	assert_int_equal(dsdt_dword(dsdt, "PW2L"), w2l);
	assert_int_equal(dsdt_dword(dsdt, "PW2H"), w2h);
}

static void test_q35_table_set(void **state)
{
	(void)state;
	struct acpi_pc_config cfg;
	struct fwcfg *fw = fwcfg_create(NULL, NULL);
	struct booted b;

	acpi_q35_config_init(&cfg, 2, 0x80000000u);
	assert_int_equal(cfg.chipset, ACPI_CHIPSET_Q35);
	assert_int_equal(cfg.pm_base, 0x600);
	assert_int_equal(cfg.ecam_base, 0xB0000000u);
	assert_int_equal(cfg.ecam_buses, 256);
	assert_int_equal(acpi_install(fw, &cfg), 0);
	load(&b, fw);
	/* FADT, MADT, MCFG in that order; no SSDT was given. */
	assert_int_equal(b.entries, 3);
	assert_ptr_equal(b.mcfg, os_table(&b.guest, le64_at(b.xsdt + 52), "MCFG"));
	assert_null(b.ssdt);
	check_mcfg(b.mcfg, 0xB0000000u, 256);
	/* The MADT is the pc machine's: 2 LAPICs, IOAPIC, 5 overrides, NMI. */
	assert_int_equal(le32_at(b.madt + 4), 36 + 8 + 2 * 8 + 12 + 5 * 10 + 6);
	fwcfg_destroy(fw);
}

static void test_q35_fadt_fields(void **state)
{
	(void)state;
	struct acpi_pc_config cfg;
	struct fwcfg *fw = fwcfg_create(NULL, NULL);
	struct booted b;

	acpi_q35_config_init(&cfg, 1, 0x80000000u);
	assert_int_equal(acpi_install(fw, &cfg), 0);
	load(&b, fw);
	const uint8_t *f = b.fadt;
	assert_int_equal(le32_at(f + 4), 244);
	assert_int_equal(f[8], 3);
	assert_int_equal(le16_at(f + 46), 9);             /* SCI_INT           */
	assert_int_equal(le32_at(f + 48), 0xB2);          /* SMI_CMD           */
	assert_int_equal(f[52], 0x02);                    /* ACPI_ENABLE       */
	assert_int_equal(f[53], 0x03);                    /* ACPI_DISABLE      */
	assert_int_equal(le32_at(f + 56), 0x600);         /* PM1a_EVT_BLK      */
	assert_int_equal(le32_at(f + 64), 0x604);         /* PM1a_CNT_BLK      */
	assert_int_equal(le32_at(f + 76), 0x608);         /* PM_TMR_BLK        */
	assert_int_equal(le32_at(f + 80), 0x620);         /* GPE0_BLK          */
	assert_int_equal(le32_at(f + 84), 0);             /* GPE1_BLK          */
	assert_int_equal(f[88], 4);                       /* PM1_EVT_LEN       */
	assert_int_equal(f[89], 2);                       /* PM1_CNT_LEN       */
	assert_int_equal(f[91], 4);                       /* PM_TMR_LEN        */
	assert_int_equal(f[92], 16);                      /* GPE0_BLK_LEN      */
	assert_int_equal(f[93], 0);                       /* GPE1_BLK_LEN      */
	assert_int_equal(f[108], 0x32);                   /* CENTURY           */
	assert_int_equal(le32_at(f + 112), 0x00000425);   /* flags as the pc   */
	static const uint8_t reset_reg[12] = { 1, 8, 0, 1, 0xF9, 0x0C, 0, 0, 0, 0, 0, 0 };
	assert_memory_equal(f + 116, reset_reg, 12);
	assert_int_equal(f[128], 0x06);                   /* RESET_VALUE       */
	static const uint8_t x_pm1a_evt[12] = { 1, 32, 0, 2, 0x00, 0x06, 0, 0, 0, 0, 0, 0 };
	static const uint8_t x_pm1a_cnt[12] = { 1, 16, 0, 2, 0x04, 0x06, 0, 0, 0, 0, 0, 0 };
	static const uint8_t x_pm_tmr[12] = { 1, 32, 0, 3, 0x08, 0x06, 0, 0, 0, 0, 0, 0 };
	static const uint8_t x_gpe0[12] = { 1, 128, 0, 1, 0x20, 0x06, 0, 0, 0, 0, 0, 0 };
	static const uint8_t unused_gas[12];
	assert_memory_equal(f + 148, x_pm1a_evt, 12);
	assert_memory_equal(f + 172, x_pm1a_cnt, 12);
	assert_memory_equal(f + 208, x_pm_tmr, 12);
	assert_memory_equal(f + 220, x_gpe0, 12);         /* X_GPE0_BLK        */
	assert_memory_equal(f + 232, unused_gas, 12);     /* X_GPE1_BLK        */

	/* OVMF's PMBASE: every block follows. */
	assert_int_equal(acpi_q35_update(fw, &cfg, 0xB000, cfg.ecam_base, cfg.ecam_buses), 0);
	load(&b, fw);
	f = b.fadt;
	assert_int_equal(le32_at(f + 56), 0xB000);
	assert_int_equal(le32_at(f + 64), 0xB004);
	assert_int_equal(le32_at(f + 76), 0xB008);
	assert_int_equal(le32_at(f + 80), 0xB020);
	assert_int_equal(le64_at(f + 220 + 4), 0xB020);
	fwcfg_destroy(fw);
}

static void test_q35_dsdt(void **state)
{
	(void)state;
	struct acpi_pc_config cfg;
	struct fwcfg *fw = fwcfg_create(NULL, NULL);
	struct booted b;
	/* Name (_HID, EisaId ("PNP0A08")), Name (_CID, EisaId ("PNP0A03")) */
	static const uint8_t hid[] = { 0x08, '_', 'H', 'I', 'D', 0x0C, 0x41, 0xD0, 0x0A, 0x08 };
	static const uint8_t cid[] = { 0x08, '_', 'C', 'I', 'D', 0x0C, 0x41, 0xD0, 0x0A, 0x03 };
	/* ToUUID ("33DB4D5B-1FF7-401C-9657-7441C03DD766"): the PCI host bridge _OSC. */
	static const uint8_t osc_uuid[16] = { 0x5B, 0x4D, 0xDB, 0x33, 0xF7, 0x1F, 0x1C, 0x40,
					      0x96, 0x57, 0x74, 0x41, 0xC0, 0x3D, 0xD7, 0x66 };

	acpi_q35_config_init(&cfg, 1, 0x80000000u);
	assert_int_equal(acpi_install(fw, &cfg), 0);
	load(&b, fw);
	uint32_t len = le32_at(b.dsdt + 4);
	assert_int_equal(len, acpi_dsdt_q35_aml_len);
	assert_int_equal(b.dsdt[8], 2);
	assert_true(contains(b.dsdt, len, hid, sizeof(hid)));
	assert_true(contains(b.dsdt, len, cid, sizeof(cid)));
	assert_true(contains(b.dsdt, len, "_OSC", 4));
	assert_true(contains(b.dsdt, len, osc_uuid, sizeof(osc_uuid)));
	assert_true(contains(b.dsdt, len, "_PIC", 4));
	assert_true(contains(b.dsdt, len, "LNKH", 4));
	assert_true(contains(b.dsdt, len, "LPC_", 4));
	/* Not the pc DSDT. */
	assert_false(len == acpi_dsdt_aml_len && !memcmp(b.dsdt + 36, acpi_dsdt_aml + 36, len - 36));
	/* The ECAM range DRAC reserves. */
	assert_int_equal(dsdt_dword(b.dsdt, "ECML"), 0xB0000000u);
	assert_int_equal(dsdt_dword(b.dsdt, "ECMH"), 0xBFFFFFFFu);
	fwcfg_destroy(fw);
}

/* SeaBIOS's ECAM, then OVMF's: MCFG and PCI windows follow. */
static void test_q35_ecam_moves(void **state)
{
	(void)state;
	struct acpi_pc_config cfg;
	struct fwcfg *fw = fwcfg_create(NULL, NULL);
	struct booted b;
	uint32_t tables_len, loader_len;

	acpi_q35_config_init(&cfg, 1, 0x80000000u);
	assert_int_equal(acpi_install(fw, &cfg), 0);
	assert_non_null(fwcfg_file_data(fw, ACPI_TABLES_FILE, &tables_len));
	assert_non_null(fwcfg_file_data(fw, ACPI_LOADER_FILE, &loader_len));
	load(&b, fw);
	check_mcfg(b.mcfg, 0xB0000000u, 256);
	check_windows(b.dsdt, 0x80000000u, 0xAFFFFFFFu, 0xC0000000u, 0xFEBFFFFFu);

	assert_int_equal(acpi_q35_update(fw, &cfg, 0x600, 0xE0000000u, 256), 0);
	assert_int_equal(cfg.ecam_base, 0xE0000000u);
	load(&b, fw);
	check_mcfg(b.mcfg, 0xE0000000u, 256);
	check_windows(b.dsdt, 0x80000000u, 0xDFFFFFFFu, 0xF0000000u, 0xFEBFFFFFu);
	assert_int_equal(dsdt_dword(b.dsdt, "ECML"), 0xE0000000u);
	assert_int_equal(dsdt_dword(b.dsdt, "ECMH"), 0xEFFFFFFFu);

	/* 64 buses (PCIEXBAR length 64 MiB). */
	assert_int_equal(acpi_q35_update(fw, &cfg, 0x600, 0xE0000000u, 64), 0);
	load(&b, fw);
	check_mcfg(b.mcfg, 0xE0000000u, 64);
	check_windows(b.dsdt, 0x80000000u, 0xDFFFFFFFu, 0xE4000000u, 0xFEBFFFFFu);

	/* ECAM off: no MCFG, one window, files of the same size. */
	assert_int_equal(acpi_q35_update(fw, &cfg, 0x600, 0, 0), 0);
	load(&b, fw);
	assert_int_equal(b.entries, 2);
	assert_null(b.mcfg);
	check_windows(b.dsdt, 0x80000000u, 0xFEBFFFFFu, 0xFFFFFFFFu, 0);
	assert_true(dsdt_dword(b.dsdt, "ECML") > dsdt_dword(b.dsdt, "ECMH"));
	uint32_t len;
	assert_non_null(fwcfg_file_data(fw, ACPI_TABLES_FILE, &len));
	assert_int_equal(len, tables_len);
	assert_non_null(fwcfg_file_data(fw, ACPI_LOADER_FILE, &len));
	assert_int_equal(len, loader_len);

	/* And back on. */
	assert_int_equal(acpi_q35_update(fw, &cfg, 0x600, 0xB0000000u, 256), 0);
	load(&b, fw);
	check_mcfg(b.mcfg, 0xB0000000u, 256);
	/* Nothing changed: nothing to do. */
	assert_int_equal(acpi_q35_update(fw, &cfg, 0x600, 0xB0000000u, 256), 0);
	fwcfg_destroy(fw);
}

static void test_q35_pci_windows(void **state)
{
	(void)state;
	struct acpi_pc_config cfg;
	struct acpi_range r[2];

	acpi_q35_config_init(&cfg, 1, 0x80000000u);
	assert_int_equal(acpi_pci_windows(&cfg, r), 2);
	assert_int_equal(r[0].first, 0x80000000u);
	assert_int_equal(r[0].last, 0xAFFFFFFFu);
	assert_int_equal(r[1].first, 0xC0000000u);
	assert_int_equal(r[1].last, 0xFEBFFFFFu);
	/* ECAM below the window (3 GiB of low RAM): one range. */
	acpi_q35_config_init(&cfg, 1, 0xC0000000u);
	assert_int_equal(acpi_pci_windows(&cfg, r), 1);
	assert_int_equal(r[0].first, 0xC0000000u);
	assert_int_equal(r[0].last, 0xFEBFFFFFu);
	/* ECAM at the window's start: only the range above it. */
	acpi_q35_config_init(&cfg, 1, 0xB0000000u);
	assert_int_equal(acpi_pci_windows(&cfg, r), 1);
	assert_int_equal(r[0].first, 0xC0000000u);
	assert_int_equal(r[0].last, 0xFEBFFFFFu);
	/* The pc machine: its window as configured. */
	acpi_pc_config_init(&cfg, 1, 0x80000000u);
	assert_int_equal(acpi_pci_windows(&cfg, r), 1);
	assert_int_equal(r[0].first, 0x80000000u);
	assert_int_equal(r[0].last, 0xFEBFFFFFu);

	/* In the loaded DSDT: the range above the ECAM comes first when alone. */
	struct fwcfg *fw = fwcfg_create(NULL, NULL);
	struct booted b;
	acpi_q35_config_init(&cfg, 1, 0xB0000000u);
	assert_int_equal(acpi_install(fw, &cfg), 0);
	load(&b, fw);
	check_windows(b.dsdt, 0xC0000000u, 0xFEBFFFFFu, 0xFFFFFFFFu, 0);
	fwcfg_destroy(fw);
}

static void test_q35_bad_config(void **state)
{
	(void)state;
	struct acpi_pc_config cfg;
	struct acpi_tables t;
	struct fwcfg *fw = fwcfg_create(NULL, NULL);

	acpi_q35_config_init(&cfg, 1, 0x80000000u);
	cfg.ecam_base = 0xB0080000u;                      /* not 1 MiB aligned */
	assert_int_equal(acpi_build(&cfg, &t), -EINVAL);
	acpi_q35_config_init(&cfg, 1, 0x80000000u);
	cfg.ecam_buses = 257;
	assert_int_equal(acpi_build(&cfg, &t), -EINVAL);
	acpi_q35_config_init(&cfg, 1, 0x80000000u);
	cfg.ecam_base = 0xF8000000u;                      /* 256 MiB past 4 GiB */
	assert_int_equal(acpi_build(&cfg, &t), -EINVAL);
	acpi_pc_config_init(&cfg, 1, 0x80000000u);        /* the pc has no ECAM */
	cfg.ecam_base = 0xB0000000u;
	cfg.ecam_buses = 256;
	assert_int_equal(acpi_build(&cfg, &t), -EINVAL);

	/* A refused update leaves the configuration as it was. */
	acpi_q35_config_init(&cfg, 1, 0x80000000u);
	assert_int_equal(acpi_install(fw, &cfg), 0);
	assert_int_equal(acpi_q35_update(fw, &cfg, 0xB000, 0xF8000000u, 256), -EINVAL);
	assert_int_equal(cfg.pm_base, 0x600);
	assert_int_equal(cfg.ecam_base, 0xB0000000u);
	assert_int_equal(cfg.ecam_buses, 256);
	fwcfg_destroy(fw);
}

/* The loader script keeps its size by padding: the padding is zeros. */
static void test_loader_pad(void **state)
{
	(void)state;
	struct acpi_loader l = { 0 };
	static const uint8_t zero[128];

	assert_int_equal(acpi_loader_add_checksum(&l, "a", 0, 0, 1), 0);
	assert_int_equal(acpi_loader_pad(&l, 3 * 128), 0);
	assert_int_equal(l.len, 3 * 128);
	assert_int_equal(le32_at(l.buf), 3);
	assert_memory_equal(l.buf + 128, zero, 128);
	assert_memory_equal(l.buf + 256, zero, 128);
	assert_int_equal(acpi_loader_pad(&l, 3 * 128), 0);
	assert_int_equal(acpi_loader_pad(&l, 2 * 128), -EINVAL);
	l.error = 0;
	assert_int_equal(acpi_loader_pad(&l, 4 * 128 + 1), -EINVAL);
	assert_int_equal(l.len, 3 * 128);
	acpi_loader_release(&l);
}

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

static void write_table(const char *dir, const char *name, const uint8_t *table)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(table, 1, le32_at(table + 4), f), le32_at(table + 4));
	fclose(f);
}

/*
 * The loaded DSDT and an SSDT with a device under \_SB.PCI0.LPC,
 * disassembled by iasl: the SSDT's scope resolves against the DSDT.
 */
static void test_q35_dsdt_disassembles(void **state)
{
	(void)state;
	if (system("command -v iasl >/dev/null 2>&1") != 0) {
		print_message("SKIP: iasl is missing (Debian package acpica-tools); "
			      "DSDT disassembly not checked\n");
		skip();
	}
	/* Scope (\_SB.PCI0.LPC) { Device (COM1) { Name (_HID, EisaId ("PNP0501")) } } */
	static const uint8_t ssdt_body[] = {
		0x10, 0x21, 0x5C, 0x2F, 0x03, '_', 'S', 'B', '_', 'P', 'C', 'I', '0', 'L', 'P', 'C', '_',
		0x5B, 0x82, 0x0F, 'C', 'O', 'M', '1',
		0x08, '_', 'H', 'I', 'D', 0x0C, 0x41, 0xD0, 0x05, 0x01,
	};
	struct acpi_pc_config cfg;
	struct fwcfg *fw = fwcfg_create(NULL, NULL);
	struct booted b;
	char dir[] = "/tmp/tessera-q35-XXXXXX";
	char path[128], command[512];

	acpi_q35_config_init(&cfg, 2, 0x80000000u);
	cfg.ssdt_body = ssdt_body;
	cfg.ssdt_body_len = sizeof(ssdt_body);
	assert_int_equal(acpi_install(fw, &cfg), 0);
	load(&b, fw);
	assert_int_equal(b.entries, 4);                   /* FADT, MADT, MCFG, SSDT */
	assert_non_null(b.ssdt);
	assert_non_null(mkdtemp(dir));
	write_table(dir, "dsdt.aml", b.dsdt);
	write_table(dir, "ssdt.aml", b.ssdt);
	snprintf(command, sizeof(command),
		 "cd %s && iasl -d dsdt.aml >iasl.log 2>&1 && iasl -e dsdt.aml -d ssdt.aml >>iasl.log 2>&1",
		 dir);
	run(command);
	snprintf(path, sizeof(path), "%s/dsdt.dsl", dir);
	char *dsl = read_text_file(path);

	assert_non_null(strstr(dsl, "Name (_HID, EisaId (\"PNP0A08\")"));
	assert_non_null(strstr(dsl, "Name (_CID, EisaId (\"PNP0A03\")"));
	assert_non_null(strstr(dsl, "Name (_BBN, Zero)"));
	assert_non_null(strstr(dsl, "Name (_SEG, Zero)"));
	assert_non_null(strstr(dsl, "Method (_OSC, 4, NotSerialized)"));
	assert_non_null(strstr(dsl, "ToUUID (\"33db4d5b-1ff7-401c-9657-7441c03dd766\")"));
	assert_non_null(strstr(dsl, "Method (_PIC, 1, NotSerialized)"));
	assert_non_null(strstr(dsl, "Device (LPC)"));
	assert_non_null(strstr(dsl, "Name (_ADR, 0x001F0000)"));
	assert_non_null(strstr(dsl, "OperationRegion (PIRQ, PCI_Config, 0x60, 0x0C)"));
	assert_non_null(strstr(dsl, "Device (LNKH)"));
	assert_non_null(strstr(dsl, "EisaId (\"PNP0C01\")"));
	assert_non_null(strstr(dsl, "Name (PW1L, 0x80000000)"));
	assert_non_null(strstr(dsl, "Name (PW1H, 0xAFFFFFFF)"));
	assert_non_null(strstr(dsl, "Name (PW2L, 0xC0000000)"));
	assert_non_null(strstr(dsl, "Name (PW2H, 0xFEBFFFFF)"));
	assert_non_null(strstr(dsl, "Name (_S5, Package (0x04)"));
	assert_null(strstr(dsl, "Name (_S3"));
	assert_null(strstr(dsl, "PNP0103"));              /* no HPET */
	free(dsl);
	snprintf(path, sizeof(path), "%s/ssdt.dsl", dir);
	dsl = read_text_file(path);
	assert_non_null(strstr(dsl, "Scope (\\_SB.PCI0.LPC)"));
	assert_non_null(strstr(dsl, "Device (COM1)"));
	free(dsl);
	snprintf(command, sizeof(command), "rm -rf %s", dir);
	run(command);
	fwcfg_destroy(fw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_q35_table_set),
		cmocka_unit_test(test_q35_fadt_fields),
		cmocka_unit_test(test_q35_dsdt),
		cmocka_unit_test(test_q35_ecam_moves),
		cmocka_unit_test(test_q35_pci_windows),
		cmocka_unit_test(test_q35_bad_config),
		cmocka_unit_test(test_loader_pad),
		cmocka_unit_test(test_q35_dsdt_disassembles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
