/* SPDX-License-Identifier: MIT */
/*
 * ACPI tables for the x86 "pc" machine (i440FX host bridge, PIIX3 ISA
 * bridge, PIIX4 power management) and the x86 "q35" machine (MCH host
 * bridge with PCI Express ECAM, ICH9 LPC bridge and power management),
 * handed to the guest firmware the way QEMU does it: three fw_cfg files
 *
 *   etc/acpi/tables   FACS, DSDT, FADT, MADT, (MCFG,) (SSDT,) RSDT, XSDT
 *                     back to back, with pointers stored as offsets into
 *                     this file
 *   etc/acpi/rsdp     the RSDP (ACPI 2.0, 36 bytes), pointers likewise
 *   etc/table-loader  the script that tells SeaBIOS/OVMF where to load
 *                     both, how to turn the offsets into addresses and
 *                     which checksums to compute (<acpi/loader.h>)
 *
 * Neither SeaBIOS nor OVMF builds ACPI tables for a QEMU-like machine;
 * without these files the guest OS finds no ACPI at all.
 *
 * The DSDT is compiled from dsdt.asl (pc) or dsdt_q35.asl (q35) at build
 * time; the other tables are built here from struct acpi_pc_config.
 * docs/acpi.md has the details.
 */
#ifndef ACPI_ACPI_H
#define ACPI_ACPI_H

#include <stddef.h>
#include <stdint.h>
#include <acpi/loader.h>

struct fwcfg;

#define ACPI_TABLES_FILE "etc/acpi/tables"
#define ACPI_RSDP_FILE "etc/acpi/rsdp"

/* xAPIC MADT entries carry 8-bit APIC ids and processor UIDs (0xFF = all). */
#define ACPI_MAX_CPUS 255

/* Where the pc machine puts things (QEMU hw/i386/pc.c, hw/acpi/piix4.c;
 * SeaBIOS src/fw/acpi.c: PM base 0x600 when a loader script exists). */
#define ACPI_PC_PM_BASE 0x600           /* SeaBIOS's choice when a loader script exists */
#define ACPI_PC_SCI_IRQ 9
#define ACPI_PC_SMI_CMD_PORT 0xB2
#define ACPI_PC_ACPI_ENABLE 0xF1
#define ACPI_PC_ACPI_DISABLE 0xF0
#define ACPI_PC_RESET_PORT 0xCF9
#define ACPI_PC_RESET_VALUE 0x06        /* hard reset, then start it */
#define ACPI_PC_LAPIC_ADDRESS 0xFEE00000u
#define ACPI_PC_IOAPIC_ADDRESS 0xFEC00000u
#define ACPI_PC_RTC_CENTURY 0x32        /* CMOS index of the century byte */

/*
 * The q35 machine's values (QEMU hw/isa/lpc_ich9.c, hw/pci-host/q35.c):
 * the ICH9's APM command values, its GPE0 block, and SeaBIOS's ECAM
 * window (src/fw/dev-q35.h Q35_HOST_BRIDGE_PCIEXBAR_ADDR; OVMF puts it
 * at 0xE0000000).
 */
#define ACPI_Q35_ACPI_ENABLE 0x02
#define ACPI_Q35_ACPI_DISABLE 0x03
#define ACPI_Q35_GPE0_OFFSET 0x20       /* GPE0_STS + GPE0_EN, from the PM base */
#define ACPI_Q35_GPE0_LEN 16
#define ACPI_Q35_ECAM_BASE 0xB0000000u
#define ACPI_Q35_ECAM_BUSES 256
#define ACPI_ECAM_BUS_SIZE 0x100000u    /* 1 MiB of ECAM per bus */

/* Sizes of the fixed-size tables. */
#define ACPI_RSDP_SIZE 36
#define ACPI_FACS_SIZE 64
#define ACPI_FADT_SIZE 244              /* revision 3 */
#define ACPI_HEADER_SIZE 36
#define ACPI_MCFG_SIZE 60               /* one allocation */

/* The chipset the tables describe: which DSDT, which FADT values. */
enum acpi_chipset {
	ACPI_CHIPSET_PC = 0,            /* i440FX/PIIX4: dsdt.asl          */
	ACPI_CHIPSET_Q35,               /* MCH/ICH9: dsdt_q35.asl, MCFG    */
};

/* What the tables describe. */
struct acpi_pc_config {
	unsigned cpu_count;                     /* 1..ACPI_MAX_CPUS        */
	uint8_t apic_id[ACPI_MAX_CPUS];         /* local APIC id of CPU n  */
	uint16_t pm_base;                       /* PIIX4 PM I/O block      */
	uint8_t sci_irq;
	uint32_t lapic_address;
	uint32_t ioapic_address;
	uint8_t ioapic_id;
	uint32_t ioapic_gsi_base;
	/* 32-bit PCI memory window, first and last byte (DSDT PCI0._CRS);
	 * on q35 the DSDT leaves the ECAM range out of it. */
	uint32_t pci_window_first;
	uint32_t pci_window_last;
	/* AML of an SSDT (without its header): the VM's device instances
	 * (<bus/device.h> device_write_aml()); length 0: no SSDT. */
	const uint8_t *ssdt_body;
	uint32_t ssdt_body_len;
	enum acpi_chipset chipset;
	/*
	 * q35 only: the PCI Express ECAM window (MCH PCIEXBAR), 1 MiB per
	 * bus from bus 0, below 4 GiB and 1 MiB aligned.  ecam_buses 1..256;
	 * 0: ECAM disabled (no MCFG).  Must be 0 on the pc chipset.
	 */
	uint64_t ecam_base;
	uint16_t ecam_buses;
};

/*
 * The pc machine's values: cpu_count CPUs with APIC ids 0..n-1, PM block
 * at 0x600, SCI 9, LAPIC/IOAPIC at their usual addresses (IOAPIC id 0,
 * GSI base 0), and a PCI window from low_ram_end (the end of RAM below
 * 4 GiB) up to the IOAPIC.
 */
void acpi_pc_config_init(struct acpi_pc_config *cfg, unsigned cpu_count, uint32_t low_ram_end);

/*
 * The q35 machine's values: as acpi_pc_config_init() (PM block at 0x600,
 * SCI 9, same LAPIC/IOAPIC, PCI window from low_ram_end to below the
 * IOAPIC), chipset ACPI_CHIPSET_Q35 and the ECAM at 0xB0000000 with 256
 * buses, until the machine learns what the firmware programmed
 * (acpi_q35_update()).
 */
void acpi_q35_config_init(struct acpi_pc_config *cfg, unsigned cpu_count, uint32_t low_ram_end);

/* A 32-bit memory range, first and last byte. */
struct acpi_range {
	uint32_t first, last;
};

/*
 * The 32-bit PCI memory window as the DSDT's PCI0._CRS states it: the
 * configured window minus the ECAM range (q35 with ECAM): 0, 1 or 2
 * ranges in out[], lowest first; returns how many.
 */
unsigned acpi_pci_windows(const struct acpi_pc_config *cfg, struct acpi_range out[2]);

/* The three fw_cfg files' contents and where each table sits. */
struct acpi_tables {
	uint8_t *tables;
	uint32_t tables_len;
	uint8_t rsdp[ACPI_RSDP_SIZE];
	struct acpi_loader loader;
	uint32_t facs_offset, dsdt_offset, fadt_offset, madt_offset, rsdt_offset, xsdt_offset;
	uint32_t ssdt_offset;                   /* 0: no SSDT */
	uint32_t mcfg_offset;                   /* 0: no MCFG */
};

/*
 * Builds the tables and the loader script.  Checksums are left 0 and
 * pointers hold offsets into their target file: the firmware fills both
 * in by running the script.  0, -EINVAL (bad cpu_count, window or ECAM)
 * or -ENOMEM; on error nothing needs releasing.
 *
 * The three files of a q35 configuration have the same sizes with and
 * without the ECAM (room for the MCFG stays reserved, and the script is
 * padded with zero-filled commands, which SeaBIOS and OVMF skip as
 * unknown), so that acpi_update() can follow the ECAM being switched on
 * or off.
 */
int acpi_build(const struct acpi_pc_config *cfg, struct acpi_tables *out);
void acpi_tables_release(struct acpi_tables *tables);

/*
 * Builds the tables for cfg and adds etc/acpi/tables, etc/acpi/rsdp and
 * etc/table-loader to fw.  0 or a negative errno (from acpi_build or
 * fwcfg_add_file).
 */
int acpi_install(struct fwcfg *fw, const struct acpi_pc_config *cfg);

/*
 * Rebuilds the tables for cfg in the three files acpi_install() added
 * (their sizes stay: only addresses such as the PM block change), for a
 * machine whose firmware moved something the tables describe.  0 or a
 * negative errno.
 */
int acpi_update(struct fwcfg *fw, const struct acpi_pc_config *cfg);

/*
 * For a q35 machine whose firmware programs PMBASE and PCIEXBAR: sets
 * cfg's PM block and ECAM window (ecam_buses 0: ECAM disabled) and, if
 * either changed, rebuilds the files acpi_install() added (acpi_update()).
 * Call it when the firmware selects one of the files, as the pc machine
 * does for the PM base.  0 (also when nothing changed) or a negative
 * errno; on error cfg keeps its previous values.
 */
int acpi_q35_update(struct fwcfg *fw, struct acpi_pc_config *cfg, uint16_t pm_base,
		    uint64_t ecam_base, uint16_t ecam_buses);

/* The DSDT compiled from dsdt.asl (before the PCI window is filled in). */
extern const uint8_t acpi_dsdt_aml[];
extern const uint32_t acpi_dsdt_aml_len;
/* The q35 DSDT compiled from dsdt_q35.asl (before the PCI windows and the
 * ECAM range are filled in). */
extern const uint8_t acpi_dsdt_q35_aml[];
extern const uint32_t acpi_dsdt_q35_aml_len;

#endif
