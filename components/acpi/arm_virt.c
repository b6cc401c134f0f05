/* SPDX-License-Identifier: MIT */
/*
 * Building the virt machine's ACPI tables (see <acpi/arm_virt.h>,
 * docs/acpi.md).  Table formats: ACPI 6.0 (FADT 5.2.9, MADT 5.2.12 with
 * GICC/GICD/GICR structures, GTDT 5.2.24) and Microsoft's SPCR
 * specification, as QEMU's hw/arm/virt-acpi-build.c fills them.
 *
 * Layout of etc/acpi/tables: DSDT, FADT, MADT, GTDT, SPCR, XSDT, each
 * 8-byte aligned; pointers are offsets into the file, fixed up by the
 * loader script like on pc.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <acpi/arm_virt.h>
#include <core/log.h>
#include <core/mm.h>
#include <fwcfg/fwcfg.h>
#include <lib/aml_writer.h>

#include "acpi_internal.h"

/* FADT, revision 6 (ACPI 6.0): 276 bytes. */
#define FADT_SIZE 276
#define FADT_REVISION 6
#define FADT_FLAGS 112
#define FADT_ARM_BOOT_ARCH 129
#define FADT_MINOR_VERSION 131
#define FADT_X_DSDT 140
#define FADT_FLAG_HW_REDUCED_ACPI (1u << 20)
#define ARM_BOOT_ARCH_PSCI_COMPLIANT (1u << 0)
#define ARM_BOOT_ARCH_PSCI_USE_HVC (1u << 1)

/* MADT, revision 4 (ACPI 6.0 structures). */
#define MADT_REVISION 4
#define MADT_GICC 0x0B
#define MADT_GICC_SIZE 80
#define MADT_GICD 0x0C
#define MADT_GICD_SIZE 24
#define MADT_GICR 0x0E
#define MADT_GICR_SIZE 16
#define GICC_ENABLED 1u
#define GIC_VERSION_3 3

/* GTDT, revision 2: 96 bytes, no platform timers. */
#define GTDT_SIZE 96
#define GTDT_REVISION 2
#define GTDT_TIMER_ALWAYS_ON (1u << 2)     /* level, active high, always on */
#define PPI_SECURE_EL1 29
#define PPI_NONSECURE_EL1 30
#define PPI_VIRTUAL 27
#define PPI_EL2 26

/* SPCR, revision 2: 80 bytes. */
#define SPCR_SIZE 80
#define SPCR_REVISION 2
#define SPCR_INTERFACE_PL011 3
#define SPCR_INTERRUPT_GIC 8
#define SPCR_BAUD_9600 3
#define SPCR_TERMINAL_ANSI 3
#define GAS_SPACE_MEMORY 0
#define GAS_ACCESS_DWORD 3

#define XSDT_ENTRIES 4

static uint32_t align8(uint32_t v)
{
	return (v + 7) & ~7u;
}

static void build_fadt(uint8_t *t, uint32_t dsdt_offset)
{
	acpi_put_header(t, "FACP", FADT_SIZE, FADT_REVISION);
	acpi_put32(t + FADT_FLAGS, FADT_FLAG_HW_REDUCED_ACPI);
	acpi_put16(t + FADT_ARM_BOOT_ARCH, ARM_BOOT_ARCH_PSCI_COMPLIANT | ARM_BOOT_ARCH_PSCI_USE_HVC);
	t[FADT_MINOR_VERSION] = 0;
	acpi_put64(t + FADT_X_DSDT, dsdt_offset);
}

static uint32_t madt_size(unsigned int cpus)
{
	return ACPI_HEADER_SIZE + 8 + cpus * MADT_GICC_SIZE + MADT_GICD_SIZE + MADT_GICR_SIZE;
}

static void build_madt(uint8_t *t, const struct acpi_arm_config *cfg)
{
	uint8_t *p = t + ACPI_HEADER_SIZE + 8;    /* no local APIC address, no flags */

	acpi_put_header(t, "APIC", madt_size(cfg->cpu_count), MADT_REVISION);
	for (unsigned int i = 0; i < cfg->cpu_count; i++, p += MADT_GICC_SIZE) {
		p[0] = MADT_GICC;
		p[1] = MADT_GICC_SIZE;
		acpi_put32(p + 4, i);                 /* CPU interface number */
		acpi_put32(p + 8, i);                 /* ACPI processor UID: the DSDT's _UID */
		acpi_put32(p + 12, GICC_ENABLED);
		/* No parking protocol, PMU, GICv2 interfaces or vGIC for the
		 * guest; the redistributors come from the GICR structure. */
		acpi_put64(p + 68, cfg->mpidr[i]);
	}
	p[0] = MADT_GICD;
	p[1] = MADT_GICD_SIZE;
	acpi_put64(p + 8, cfg->gicd_base);
	p[20] = GIC_VERSION_3;
	p += MADT_GICD_SIZE;
	p[0] = MADT_GICR;
	p[1] = MADT_GICR_SIZE;
	acpi_put64(p + 4, cfg->gicr_base);
	acpi_put32(p + 12, (uint32_t)cfg->gicr_size);
}

static void build_gtdt(uint8_t *t)
{
	static const uint32_t ppis[4] = { PPI_SECURE_EL1, PPI_NONSECURE_EL1, PPI_VIRTUAL, PPI_EL2 };

	acpi_put_header(t, "GTDT", GTDT_SIZE, GTDT_REVISION);
	acpi_put64(t + 36, ~0ULL);                /* no memory-mapped CNTControlBase */
	for (unsigned int i = 0; i < 4; i++) {
		acpi_put32(t + 48 + 8 * i, ppis[i]);
		acpi_put32(t + 52 + 8 * i, GTDT_TIMER_ALWAYS_ON);
	}
	acpi_put64(t + 80, ~0ULL);                /* no CNTReadBase */
}

static void build_spcr(uint8_t *t, const struct acpi_arm_config *cfg)
{
	acpi_put_header(t, "SPCR", SPCR_SIZE, SPCR_REVISION);
	t[36] = SPCR_INTERFACE_PL011;
	t[40] = GAS_SPACE_MEMORY;                 /* base address: a GAS */
	t[41] = 32;
	t[43] = GAS_ACCESS_DWORD;
	acpi_put64(t + 44, cfg->uart_base);
	t[52] = SPCR_INTERRUPT_GIC;
	acpi_put32(t + 54, cfg->uart_gsi);
	t[58] = SPCR_BAUD_9600;
	t[60] = 1;                                /* one stop bit */
	t[62] = SPCR_TERMINAL_ANSI;
	acpi_put16(t + 64, 0xFFFF);               /* not a PCI device */
	acpi_put16(t + 66, 0xFFFF);
}

static uint32_t table_length(const uint8_t *t)
{
	return (uint32_t)t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 | (uint32_t)t[7] << 24;
}

static void build_loader(struct acpi_loader *l, const struct acpi_arm_tables *t)
{
	const char *tables = ACPI_TABLES_FILE, *rsdp = ACPI_RSDP_FILE;
	const uint32_t checksummed[] = { t->dsdt_offset, t->fadt_offset, t->madt_offset,
					 t->gtdt_offset, t->spcr_offset, t->xsdt_offset };

	acpi_loader_allocate(l, tables, 64, ACPI_LOADER_ZONE_HIGH);
	acpi_loader_allocate(l, rsdp, 16, ACPI_LOADER_ZONE_FSEG);
	acpi_loader_add_pointer(l, tables, tables, t->fadt_offset + FADT_X_DSDT, 8);
	for (unsigned int i = 0; i < XSDT_ENTRIES; i++)
		acpi_loader_add_pointer(l, tables, tables, t->xsdt_offset + ACPI_HEADER_SIZE + 8 * i, 8);
	acpi_loader_add_pointer(l, rsdp, tables, ACPI_RSDP_XSDT_ADDRESS, 8);
	/* Checksums after every pointer: patching a pointer changes the sum. */
	for (unsigned int i = 0; i < sizeof(checksummed) / sizeof(checksummed[0]); i++)
		acpi_loader_add_checksum(l, tables, checksummed[i] + ACPI_HDR_CHECKSUM, checksummed[i],
					 table_length(t->tables + checksummed[i]));
	acpi_loader_add_checksum(l, rsdp, ACPI_RSDP_CHECKSUM, 0, ACPI_RSDP_V1_SIZE);
	acpi_loader_add_checksum(l, rsdp, ACPI_RSDP_EXT_CHECKSUM, 0, ACPI_RSDP_SIZE);
}

int acpi_arm_build(const struct acpi_arm_config *cfg, struct acpi_arm_tables *out)
{
	uint32_t size = 0, entries[XSDT_ENTRIES];
	uint8_t *t, *xsdt;

	memset(out, 0, sizeof(*out));
	if (cfg->cpu_count < 1 || cfg->cpu_count > ACPI_ARM_MAX_CPUS || !cfg->mpidr ||
	    (cfg->dsdt_body_len && !cfg->dsdt_body))
		return -EINVAL;
	out->dsdt_offset = size;
	size = align8(size + ACPI_HEADER_SIZE + cfg->dsdt_body_len);
	out->fadt_offset = size;
	size = align8(size + FADT_SIZE);
	out->madt_offset = size;
	size = align8(size + madt_size(cfg->cpu_count));
	out->gtdt_offset = size;
	size = align8(size + GTDT_SIZE);
	out->spcr_offset = size;
	size = align8(size + SPCR_SIZE);
	out->xsdt_offset = size;
	size += ACPI_HEADER_SIZE + XSDT_ENTRIES * 8;

	out->tables = kzalloc(size);
	if (!out->tables)
		return -ENOMEM;
	out->tables_len = size;
	t = out->tables;
	acpi_put_header(t + out->dsdt_offset, "DSDT", ACPI_HEADER_SIZE + cfg->dsdt_body_len,
			ACPI_DSDT_REVISION);
	if (cfg->dsdt_body_len)
		memcpy(t + out->dsdt_offset + ACPI_HEADER_SIZE, cfg->dsdt_body, cfg->dsdt_body_len);
	build_fadt(t + out->fadt_offset, out->dsdt_offset);
	build_madt(t + out->madt_offset, cfg);
	build_gtdt(t + out->gtdt_offset);
	build_spcr(t + out->spcr_offset, cfg);
	xsdt = t + out->xsdt_offset;
	acpi_put_header(xsdt, "XSDT", ACPI_HEADER_SIZE + XSDT_ENTRIES * 8, 1);
	entries[0] = out->fadt_offset;
	entries[1] = out->madt_offset;
	entries[2] = out->gtdt_offset;
	entries[3] = out->spcr_offset;
	for (unsigned int i = 0; i < XSDT_ENTRIES; i++)
		acpi_put64(xsdt + ACPI_HEADER_SIZE + 8 * i, entries[i]);
	/* ACPI 2.0 RSDP with the XSDT only: arm64 has no use for an RSDT. */
	acpi_build_rsdp(out->rsdp, 0, out->xsdt_offset);
	build_loader(&out->loader, out);
	if (out->loader.error) {
		int err = out->loader.error;

		acpi_arm_tables_release(out);
		return err;
	}
	return 0;
}

void acpi_arm_tables_release(struct acpi_arm_tables *t)
{
	kfree(t->tables);
	acpi_loader_release(&t->loader);
	memset(t, 0, sizeof(*t));
}

int acpi_arm_install(struct fwcfg *fw, const struct acpi_arm_config *cfg)
{
	struct acpi_arm_tables t;
	int err = acpi_arm_build(cfg, &t);

	if (err) {
		log_error("acpi: cannot build the tables (error %d)", err);
		return err;
	}
	err = fwcfg_add_file(fw, ACPI_TABLES_FILE, t.tables, t.tables_len);
	if (!err)
		err = fwcfg_add_file(fw, ACPI_RSDP_FILE, t.rsdp, sizeof(t.rsdp));
	if (!err)
		err = fwcfg_add_file(fw, ACPI_LOADER_FILE, t.loader.buf, t.loader.len);
	if (err)
		log_error("acpi: cannot add the tables to fw_cfg (error %d)", err);
	else
		log_info("acpi: %u CPU(s), %u bytes of tables (DSDT, FADT, MADT, GTDT, SPCR, XSDT)",
			 cfg->cpu_count, t.tables_len);
	acpi_arm_tables_release(&t);
	return err;
}

long acpi_arm_dsdt_body(unsigned int cpu_count, void (*devices)(struct aml_writer *a, void *ctx),
			void *ctx, void *buf, size_t size)
{
	struct aml_writer a;
	char name[5];

	aml_init(&a, buf, size);
	aml_scope_begin(&a, "\\_SB");
	/* Processor devices, as QEMU names them: C000, C001, ... (_UID = MADT UID). */
	for (unsigned int i = 0; i < cpu_count && i < ACPI_ARM_MAX_CPUS; i++) {
		snprintf(name, sizeof(name), "C%03X", i);
		aml_device_begin(&a, name);
		aml_name_string(&a, "_HID", "ACPI0007");
		aml_name_integer(&a, "_UID", i);
		aml_end(&a);
	}
	if (devices)
		devices(&a, ctx);
	aml_end(&a);
	return aml_finish(&a);
}
