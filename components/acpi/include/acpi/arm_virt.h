/* SPDX-License-Identifier: MIT */
/*
 * ACPI tables for the aarch64 "virt" machine, handed to AAVMF the way
 * QEMU's virt board does (hw/arm/virt-acpi-build.c): the same three fw_cfg
 * files as on pc (etc/acpi/tables, etc/acpi/rsdp, etc/table-loader; see
 * <acpi/acpi.h>), which AAVMF's QemuFwCfgAcpiPlatformDxe loads and
 * installs.  With them AAVMF boots the OS with ACPI and gives it no device
 * tree (EDK2 ArmVirtPkg PlatformHasAcpiDtDxe).
 *
 *   DSDT   the CPUs (ACPI0007) and the VM's device instances, written with
 *          the AML writer (<lib/aml_writer.h>, byte for byte what iasl makes)
 *   FADT   revision 6: hardware-reduced ACPI, PSCI over HVC
 *   MADT   one GICC per vCPU (its MPIDR), the GICv3 distributor, one
 *          redistributor discovery range
 *   GTDT   the architected timers' PPIs: 29, 30, 27, 26 (INTIDs)
 *   SPCR   the console PL011 (interface type 3), its GSI
 *   XSDT   FADT, MADT, GTDT, SPCR (ACPI on arm64 needs no RSDT)
 *
 * No MCFG: the board has no PCIe yet.  docs/acpi.md has the details.
 */
#ifndef ACPI_ARM_VIRT_H
#define ACPI_ARM_VIRT_H

#include <stddef.h>
#include <stdint.h>
#include <acpi/acpi.h>

#define ACPI_ARM_MAX_CPUS 512

struct acpi_arm_config {
	unsigned int cpu_count;
	const uint64_t *mpidr;            /* cpu_count MPIDR affinity values     */
	uint64_t gicd_base;
	uint64_t gicr_base, gicr_size;    /* the redistributors of every CPU    */
	uint64_t uart_base;               /* the console PL011                  */
	uint32_t uart_gsi;                /* its interrupt id (32 + SPI)        */
	/* The DSDT's AML (without its header): \_SB with the CPUs and devices. */
	const uint8_t *dsdt_body;
	uint32_t dsdt_body_len;
};

/* Where each table sits in the blob (for tests). */
struct acpi_arm_tables {
	uint8_t *tables;
	uint32_t tables_len;
	uint8_t rsdp[ACPI_RSDP_SIZE];
	struct acpi_loader loader;
	uint32_t dsdt_offset, fadt_offset, madt_offset, gtdt_offset, spcr_offset, xsdt_offset;
};

/* Builds the tables and the loader script; 0, -EINVAL or -ENOMEM. */
int acpi_arm_build(const struct acpi_arm_config *cfg, struct acpi_arm_tables *out);
void acpi_arm_tables_release(struct acpi_arm_tables *t);
/* Builds them and adds the three fw_cfg files to fw; 0 or a negative errno. */
int acpi_arm_install(struct fwcfg *fw, const struct acpi_arm_config *cfg);

/*
 * The DSDT body for cfg's CPUs: Scope (\_SB) { Device (Cxxx) { _HID
 * "ACPI0007", _UID n } ... } followed by what devices() writes into the
 * same scope (the VM's instances).  Its length, or a negative errno.
 */
struct aml_writer;
long acpi_arm_dsdt_body(unsigned int cpu_count, void (*devices)(struct aml_writer *a, void *ctx),
			void *ctx, void *buf, size_t size);

#endif
