/* SPDX-License-Identifier: MIT */
/*
 * Building the pc and q35 machines' ACPI tables and the loader script
 * that puts them into guest memory (see <acpi/acpi.h>, docs/acpi.md).
 *
 * Layout of etc/acpi/tables (the firmware loads it 64-byte aligned):
 *
 *   FACS   64 bytes, first so that it is 64-byte aligned as required
 *   DSDT   the AML compiled from dsdt.asl (pc) or dsdt_q35.asl (q35),
 *          PCI window (q35: and ECAM range) filled in
 *   FADT   revision 3 (ACPI 2.0+, 64-bit X_ fields)
 *   MADT   local APICs, IOAPIC, interrupt source overrides, LINT1 NMI
 *   MCFG   q35 only: the ECAM window (room for it stays reserved when
 *          the ECAM is off, so that the file keeps its size)
 *   SSDT   the VM's device instances that describe themselves in ACPI
 *          (<bus/device.h>), when the machine gives their AML
 *   RSDT   32-bit pointers to FADT, MADT (MCFG, SSDT)
 *   XSDT   64-bit pointers to FADT, MADT (MCFG, SSDT)
 *
 * Every pointer is written as an offset into etc/acpi/tables and listed
 * in the loader script with ADD_POINTER; every checksum is left 0 and
 * listed with ADD_CHECKSUM after the pointers.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <acpi/acpi.h>
#include <core/log.h>
#include <core/mm.h>
#include <fwcfg/fwcfg.h>

#include "acpi_internal.h"


/* Standard table header (ACPI 6.5 section 5.2.6). */
#define HDR_LENGTH 4
#define HDR_REVISION 8
#define HDR_CHECKSUM 9

/* RSDP (5.2.5.3). */
#define RSDP_CHECKSUM 8
#define RSDP_RSDT_ADDRESS 16
#define RSDP_XSDT_ADDRESS 24
#define RSDP_EXT_CHECKSUM 32
#define RSDP_V1_SIZE 20

/* FADT fields used here (5.2.9, Table 5.9). */
#define FADT_REVISION 3
#define FADT_FIRMWARE_CTRL 36
#define FADT_DSDT 40
#define FADT_SCI_INT 46
#define FADT_SMI_CMD 48
#define FADT_ACPI_ENABLE 52
#define FADT_ACPI_DISABLE 53
#define FADT_PM1A_EVT_BLK 56
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM_TMR_BLK 76
#define FADT_GPE0_BLK 80
#define FADT_PM1_EVT_LEN 88
#define FADT_PM1_CNT_LEN 89
#define FADT_PM_TMR_LEN 91
#define FADT_GPE0_BLK_LEN 92
#define FADT_P_LVL2_LAT 96
#define FADT_P_LVL3_LAT 98
#define FADT_CENTURY 108
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_X_DSDT 140
#define FADT_X_PM1A_EVT_BLK 148
#define FADT_X_PM1A_CNT_BLK 172
#define FADT_X_PM_TMR_BLK 208
#define FADT_X_GPE0_BLK 220

#define FADT_FLAG_WBINVD (1u << 0)
#define FADT_FLAG_PROC_C1 (1u << 2)
#define FADT_FLAG_SLP_BUTTON (1u << 5)  /* no fixed-feature sleep button */
#define FADT_FLAG_RESET_REG_SUP (1u << 10)
#define IAPC_BOOT_ARCH_LEGACY_DEVICES (1u << 0)   /* no 8042 bit: none emulated */

/* C2/C3 latencies above these limits mean "not supported". */
#define FADT_NO_C2_LATENCY 0x0FFF
#define FADT_NO_C3_LATENCY 0x03E9

/* Generic Address Structure (5.2.3.2). */
#define GAS_SPACE_IO 1
#define GAS_ACCESS_BYTE 1
#define GAS_ACCESS_WORD 2
#define GAS_ACCESS_DWORD 3

/* PIIX4 PM block registers, from the PM base. */
#define PM1_EVT_OFFSET 0
#define PM1_CNT_OFFSET 4
#define PM_TMR_OFFSET 8
#define PM1_EVT_LEN 4                   /* PM1_STS + PM1_EN */
#define PM1_CNT_LEN 2
#define PM_TMR_LEN 4

/* FACS (5.2.10). */
#define FACS_VERSION_OFFSET 32
#define FACS_VERSION 1

/* MADT (5.2.12). */
#define MADT_REVISION 1
#define MADT_FLAG_PCAT_COMPAT 1u
#define MADT_LOCAL_APIC 0
#define MADT_IO_APIC 1
#define MADT_INTERRUPT_OVERRIDE 2
#define MADT_LOCAL_APIC_NMI 4
#define MADT_LOCAL_APIC_SIZE 8
#define MADT_IO_APIC_SIZE 12
#define MADT_OVERRIDE_SIZE 10
#define MADT_NMI_SIZE 6
#define MADT_LOCAL_APIC_ENABLED 1u
#define MPS_INTI_ACTIVE_HIGH 0x1
#define MPS_INTI_LEVEL 0xC
#define MADT_ALL_PROCESSORS 0xFF

/*
 * ISA IRQs that PCI interrupts (and the SCI) may use are level-triggered,
 * active high on this board; QEMU's MADT says so for exactly these.
 */
static const uint8_t pci_level_irqs[] = { 5, 9, 10, 11 };
#define MADT_OVERRIDES (1 + sizeof(pci_level_irqs))   /* + IRQ0 -> GSI 2 */

#define SDT_REVISION 1
#define SSDT_REVISION 2                 /* 64-bit integers in its AML */

/* MCFG (PCI Firmware Specification 3.0, 4.1.2): header, 8 reserved
 * bytes, then one 16-byte allocation per ECAM range. */
#define MCFG_REVISION 1
#define MCFG_ALLOCATION 44
#define MCFG_ALLOC_BASE 0
#define MCFG_ALLOC_SEGMENT 8
#define MCFG_ALLOC_START_BUS 10
#define MCFG_ALLOC_END_BUS 11

/* Tables RSDT and XSDT can list: FADT, MADT, MCFG, SSDT. */
#define SDT_MAX_ENTRIES 4
/* Loader commands per listed table: RSDT and XSDT pointers, checksum. */
#define LOADER_COMMANDS_PER_TABLE 3

/* DSDT named constants holding the PCI window (see dsdt.asl). */
#define AML_NAME_OP 0x08
#define AML_DWORD_PREFIX 0x0C

static uint32_t align_up(uint32_t value, uint32_t align)
{
	return (value + align - 1) & ~(align - 1);
}

void acpi_pc_config_init(struct acpi_pc_config *cfg, unsigned cpu_count, uint32_t low_ram_end)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->cpu_count = cpu_count;
	for (unsigned i = 0; i < ACPI_MAX_CPUS; i++)
		cfg->apic_id[i] = (uint8_t)i;
	cfg->pm_base = ACPI_PC_PM_BASE;
	cfg->sci_irq = ACPI_PC_SCI_IRQ;
	cfg->lapic_address = ACPI_PC_LAPIC_ADDRESS;
	cfg->ioapic_address = ACPI_PC_IOAPIC_ADDRESS;
	cfg->ioapic_id = 0;
	cfg->ioapic_gsi_base = 0;
	cfg->pci_window_first = low_ram_end;
	cfg->pci_window_last = ACPI_PC_IOAPIC_ADDRESS - 1;
}

void acpi_q35_config_init(struct acpi_pc_config *cfg, unsigned cpu_count, uint32_t low_ram_end)
{
	acpi_pc_config_init(cfg, cpu_count, low_ram_end);
	cfg->chipset = ACPI_CHIPSET_Q35;
	cfg->ecam_base = ACPI_Q35_ECAM_BASE;
	cfg->ecam_buses = ACPI_Q35_ECAM_BUSES;
}

/* An ECAM a q35 table set can describe: below 4 GiB, 1 MiB aligned. */
static bool ecam_valid(const struct acpi_pc_config *cfg)
{
	if (!cfg->ecam_buses)
		return true;
	return cfg->chipset == ACPI_CHIPSET_Q35 && cfg->ecam_buses <= 256 &&
	       !(cfg->ecam_base % ACPI_ECAM_BUS_SIZE) &&
	       cfg->ecam_base + (uint64_t)cfg->ecam_buses * ACPI_ECAM_BUS_SIZE <= 0x100000000ull;
}

unsigned acpi_pci_windows(const struct acpi_pc_config *cfg, struct acpi_range out[2])
{
	uint64_t first = cfg->pci_window_first, last = cfg->pci_window_last;
	unsigned n = 0;

	if (first > last)
		return 0;
	if (!cfg->ecam_buses) {
		out[0] = (struct acpi_range){ (uint32_t)first, (uint32_t)last };
		return 1;
	}
	uint64_t ecam_first = cfg->ecam_base;
	uint64_t ecam_last = ecam_first + (uint64_t)cfg->ecam_buses * ACPI_ECAM_BUS_SIZE - 1;

	if (ecam_last < first || ecam_first > last) {
		out[0] = (struct acpi_range){ (uint32_t)first, (uint32_t)last };
		return 1;
	}
	if (ecam_first > first)
		out[n++] = (struct acpi_range){ (uint32_t)first, (uint32_t)(ecam_first - 1) };
	if (ecam_last < last)
		out[n++] = (struct acpi_range){ (uint32_t)(ecam_last + 1), (uint32_t)last };
	return n;
}

static void put_gas_io(uint8_t *gas, uint8_t bit_width, uint8_t access_size, uint64_t port)
{
	gas[0] = GAS_SPACE_IO;
	gas[1] = bit_width;
	gas[2] = 0;                     /* bit offset */
	gas[3] = access_size;
	acpi_put64(gas + 4, port);
}

static void build_facs(uint8_t *facs)
{
	memcpy(facs, "FACS", 4);
	acpi_put32(facs + HDR_LENGTH, ACPI_FACS_SIZE);
	facs[FACS_VERSION_OFFSET] = FACS_VERSION;
}

/* Rewrites Name(<name>, <DWord>) in the AML; false if not found exactly once. */
static bool patch_aml_dword(uint8_t *aml, uint32_t len, const char name[4], uint32_t value)
{
	uint8_t *found = NULL;

	for (uint32_t i = 0; i + 10 <= len; i++) {
		if (aml[i] == AML_NAME_OP && !memcmp(aml + i + 1, name, 4) &&
		    aml[i + 5] == AML_DWORD_PREFIX) {
			if (found)
				return false;
			found = aml + i + 6;
		}
	}
	if (!found)
		return false;
	acpi_put32(found, value);
	return true;
}

static uint32_t dsdt_len(const struct acpi_pc_config *cfg)
{
	return cfg->chipset == ACPI_CHIPSET_Q35 ? acpi_dsdt_q35_aml_len : acpi_dsdt_aml_len;
}

/*
 * The q35 DSDT's named constants: two PCI window ranges (PW1L..PW1H,
 * PW2L..PW2H) and the ECAM range (ECML..ECMH); a range whose first byte
 * is above its last is empty (see dsdt_q35.asl).
 */
static bool patch_q35_dsdt(uint8_t *dsdt, const struct acpi_pc_config *cfg)
{
	struct acpi_range window[2], none = { 0xFFFFFFFFu, 0 }, ecam = none;
	unsigned n = acpi_pci_windows(cfg, window);
	const uint32_t len = acpi_dsdt_q35_aml_len;

	for (unsigned i = n; i < 2; i++)
		window[i] = none;
	if (cfg->ecam_buses) {
		ecam.first = (uint32_t)cfg->ecam_base;
		ecam.last = (uint32_t)(cfg->ecam_base +
				       (uint64_t)cfg->ecam_buses * ACPI_ECAM_BUS_SIZE - 1);
	}
	return patch_aml_dword(dsdt, len, "PW1L", window[0].first) &&
	       patch_aml_dword(dsdt, len, "PW1H", window[0].last) &&
	       patch_aml_dword(dsdt, len, "PW2L", window[1].first) &&
	       patch_aml_dword(dsdt, len, "PW2H", window[1].last) &&
	       patch_aml_dword(dsdt, len, "ECML", ecam.first) &&
	       patch_aml_dword(dsdt, len, "ECMH", ecam.last);
}

static int build_dsdt(uint8_t *dsdt, const struct acpi_pc_config *cfg)
{
	if (cfg->chipset == ACPI_CHIPSET_Q35) {
		memcpy(dsdt, acpi_dsdt_q35_aml, acpi_dsdt_q35_aml_len);
		dsdt[HDR_CHECKSUM] = 0;
		if (!patch_q35_dsdt(dsdt, cfg)) {
			log_error("acpi: the q35 DSDT lacks a unique DWord name PW1L, PW1H, PW2L, "
				  "PW2H, ECML or ECMH; check dsdt_q35.asl\n");
			return -EINVAL;
		}
		return 0;
	}
	memcpy(dsdt, acpi_dsdt_aml, acpi_dsdt_aml_len);
	dsdt[HDR_CHECKSUM] = 0;
	if (!patch_aml_dword(dsdt, acpi_dsdt_aml_len, "PWLO", cfg->pci_window_first) ||
	    !patch_aml_dword(dsdt, acpi_dsdt_aml_len, "PWHI", cfg->pci_window_last)) {
		log_error("acpi: the DSDT has no unique PWLO/PWHI DWord names; check dsdt.asl\n");
		return -EINVAL;
	}
	return 0;
}

/* FADT with offsets of FACS and DSDT in place of their addresses. */
static void build_fadt(uint8_t *fadt, const struct acpi_pc_config *cfg, uint32_t facs_offset,
		       uint32_t dsdt_offset)
{
	uint16_t pm = cfg->pm_base;
	const bool q35 = cfg->chipset == ACPI_CHIPSET_Q35;

	acpi_put_header(fadt, "FACP", ACPI_FADT_SIZE, FADT_REVISION);
	acpi_put32(fadt + FADT_FIRMWARE_CTRL, facs_offset);
	acpi_put32(fadt + FADT_DSDT, dsdt_offset);
	acpi_put16(fadt + FADT_SCI_INT, cfg->sci_irq);
	/* The PIIX4 and ICH9 PM models switch SCI_EN on these APM commands. */
	acpi_put32(fadt + FADT_SMI_CMD, ACPI_PC_SMI_CMD_PORT);
	fadt[FADT_ACPI_ENABLE] = q35 ? ACPI_Q35_ACPI_ENABLE : ACPI_PC_ACPI_ENABLE;
	fadt[FADT_ACPI_DISABLE] = q35 ? ACPI_Q35_ACPI_DISABLE : ACPI_PC_ACPI_DISABLE;
	acpi_put32(fadt + FADT_PM1A_EVT_BLK, pm + PM1_EVT_OFFSET);
	acpi_put32(fadt + FADT_PM1A_CNT_BLK, pm + PM1_CNT_OFFSET);
	acpi_put32(fadt + FADT_PM_TMR_BLK, pm + PM_TMR_OFFSET);
	fadt[FADT_PM1_EVT_LEN] = PM1_EVT_LEN;
	fadt[FADT_PM1_CNT_LEN] = PM1_CNT_LEN;
	fadt[FADT_PM_TMR_LEN] = PM_TMR_LEN;
	acpi_put16(fadt + FADT_P_LVL2_LAT, FADT_NO_C2_LATENCY);
	acpi_put16(fadt + FADT_P_LVL3_LAT, FADT_NO_C3_LATENCY);
	fadt[FADT_CENTURY] = ACPI_PC_RTC_CENTURY;
	acpi_put16(fadt + FADT_IAPC_BOOT_ARCH, IAPC_BOOT_ARCH_LEGACY_DEVICES);
	/* PM timer is 24 bits (no TMR_VAL_EXT); the power button is fixed. */
	acpi_put32(fadt + FADT_FLAGS, FADT_FLAG_WBINVD | FADT_FLAG_PROC_C1 | FADT_FLAG_SLP_BUTTON |
				 FADT_FLAG_RESET_REG_SUP);
	put_gas_io(fadt + FADT_RESET_REG, 8, GAS_ACCESS_BYTE, ACPI_PC_RESET_PORT);
	fadt[FADT_RESET_VALUE] = ACPI_PC_RESET_VALUE;
	/* X_FIRMWARE_CTRL stays 0: the FACS is below 4 GiB, as QEMU does it. */
	acpi_put64(fadt + FADT_X_DSDT, dsdt_offset);
	put_gas_io(fadt + FADT_X_PM1A_EVT_BLK, PM1_EVT_LEN * 8, GAS_ACCESS_WORD, pm + PM1_EVT_OFFSET);
	put_gas_io(fadt + FADT_X_PM1A_CNT_BLK, PM1_CNT_LEN * 8, GAS_ACCESS_WORD, pm + PM1_CNT_OFFSET);
	put_gas_io(fadt + FADT_X_PM_TMR_BLK, PM_TMR_LEN * 8, GAS_ACCESS_DWORD, pm + PM_TMR_OFFSET);
	if (q35) {
		/* ICH9 GPE0_STS (8 bytes) then GPE0_EN (8 bytes); the pc has no GPE block. */
		acpi_put32(fadt + FADT_GPE0_BLK, pm + ACPI_Q35_GPE0_OFFSET);
		fadt[FADT_GPE0_BLK_LEN] = ACPI_Q35_GPE0_LEN;
		put_gas_io(fadt + FADT_X_GPE0_BLK, ACPI_Q35_GPE0_LEN * 8, GAS_ACCESS_BYTE,
			   pm + ACPI_Q35_GPE0_OFFSET);
	}
}

/* One allocation: the ECAM of segment 0, buses 0..ecam_buses - 1. */
static void build_mcfg(uint8_t *mcfg, const struct acpi_pc_config *cfg)
{
	uint8_t *alloc = mcfg + MCFG_ALLOCATION;

	acpi_put_header(mcfg, "MCFG", ACPI_MCFG_SIZE, MCFG_REVISION);
	acpi_put64(alloc + MCFG_ALLOC_BASE, cfg->ecam_base);
	acpi_put16(alloc + MCFG_ALLOC_SEGMENT, 0);
	alloc[MCFG_ALLOC_START_BUS] = 0;
	alloc[MCFG_ALLOC_END_BUS] = (uint8_t)(cfg->ecam_buses - 1);
}

static uint32_t madt_size(unsigned cpus)
{
	return ACPI_HEADER_SIZE + 8 + cpus * MADT_LOCAL_APIC_SIZE + MADT_IO_APIC_SIZE +
	       (uint32_t)MADT_OVERRIDES * MADT_OVERRIDE_SIZE + MADT_NMI_SIZE;
}

static uint8_t *put_override(uint8_t *p, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	p[0] = MADT_INTERRUPT_OVERRIDE;
	p[1] = MADT_OVERRIDE_SIZE;
	p[2] = 0;                       /* bus: ISA */
	p[3] = irq;
	acpi_put32(p + 4, gsi);
	acpi_put16(p + 8, flags);
	return p + MADT_OVERRIDE_SIZE;
}

static void build_madt(uint8_t *madt, const struct acpi_pc_config *cfg)
{
	uint8_t *p = madt + ACPI_HEADER_SIZE;

	acpi_put_header(madt, "APIC", madt_size(cfg->cpu_count), MADT_REVISION);
	acpi_put32(p, cfg->lapic_address);
	/* Dual 8259s present: the OS masks them when it uses the IOAPIC. */
	acpi_put32(p + 4, MADT_FLAG_PCAT_COMPAT);
	p += 8;
	for (unsigned i = 0; i < cfg->cpu_count; i++, p += MADT_LOCAL_APIC_SIZE) {
		p[0] = MADT_LOCAL_APIC;
		p[1] = MADT_LOCAL_APIC_SIZE;
		p[2] = (uint8_t)i;      /* processor UID */
		p[3] = cfg->apic_id[i];
		acpi_put32(p + 4, MADT_LOCAL_APIC_ENABLED);
	}
	p[0] = MADT_IO_APIC;
	p[1] = MADT_IO_APIC_SIZE;
	p[2] = cfg->ioapic_id;
	p[3] = 0;
	acpi_put32(p + 4, cfg->ioapic_address);
	acpi_put32(p + 8, cfg->ioapic_gsi_base);
	p += MADT_IO_APIC_SIZE;
	/* The PIT's IRQ 0 is wired to IOAPIC pin 2; bus-conforming polarity. */
	p = put_override(p, 0, cfg->ioapic_gsi_base + 2, 0);
	for (size_t i = 0; i < sizeof(pci_level_irqs); i++)
		p = put_override(p, pci_level_irqs[i], cfg->ioapic_gsi_base + pci_level_irqs[i],
				 MPS_INTI_ACTIVE_HIGH | MPS_INTI_LEVEL);
	/* SeaBIOS wires LINT1 as NMI on every CPU; say so. */
	p[0] = MADT_LOCAL_APIC_NMI;
	p[1] = MADT_NMI_SIZE;
	p[2] = MADT_ALL_PROCESSORS;
	acpi_put16(p + 3, 0);
	p[5] = 1;                       /* LINT1 */
}

/* The tables RSDT and XSDT point to, in their order. */
static unsigned sdt_entries(const struct acpi_tables *t, uint32_t out[SDT_MAX_ENTRIES])
{
	unsigned n = 0;

	out[n++] = t->fadt_offset;
	out[n++] = t->madt_offset;
	if (t->mcfg_offset)
		out[n++] = t->mcfg_offset;
	if (t->ssdt_offset)
		out[n++] = t->ssdt_offset;
	return n;
}

/* max_entries: RSDT/XSDT entries the script must have room for (q35: with MCFG). */
static void build_loader(struct acpi_loader *l, const struct acpi_tables *t, unsigned max_entries)
{
	const char *tables = ACPI_TABLES_FILE, *rsdp = ACPI_RSDP_FILE;
	uint32_t entry[SDT_MAX_ENTRIES];
	const unsigned entries = sdt_entries(t, entry);

	/* ACPI wants the FACS 64-byte aligned; the RSDP on a 16-byte boundary. */
	acpi_loader_allocate(l, tables, 64, ACPI_LOADER_ZONE_HIGH);
	acpi_loader_allocate(l, rsdp, 16, ACPI_LOADER_ZONE_FSEG);

	acpi_loader_add_pointer(l, tables, tables, t->fadt_offset + FADT_FIRMWARE_CTRL, 4);
	acpi_loader_add_pointer(l, tables, tables, t->fadt_offset + FADT_DSDT, 4);
	acpi_loader_add_pointer(l, tables, tables, t->fadt_offset + FADT_X_DSDT, 8);
	for (unsigned i = 0; i < entries; i++) {
		acpi_loader_add_pointer(l, tables, tables, t->rsdt_offset + ACPI_HEADER_SIZE + 4 * i, 4);
		acpi_loader_add_pointer(l, tables, tables, t->xsdt_offset + ACPI_HEADER_SIZE + 8 * i, 8);
	}
	acpi_loader_add_pointer(l, rsdp, tables, RSDP_RSDT_ADDRESS, 4);
	acpi_loader_add_pointer(l, rsdp, tables, RSDP_XSDT_ADDRESS, 8);

	const uint32_t checksummed[] = { t->dsdt_offset, t->fadt_offset, t->madt_offset,
					 t->rsdt_offset, t->xsdt_offset, t->ssdt_offset,
					 t->mcfg_offset };
	for (unsigned i = 0; i < sizeof(checksummed) / sizeof(checksummed[0]); i++) {
		if (!checksummed[i])
			continue;          /* no SSDT/MCFG (nothing else sits at offset 0: the FACS) */
		const uint8_t *table = t->tables + checksummed[i];
		uint32_t length = (uint32_t)table[4] | (uint32_t)table[5] << 8 |
				  (uint32_t)table[6] << 16 | (uint32_t)table[7] << 24;

		acpi_loader_add_checksum(l, tables, checksummed[i] + HDR_CHECKSUM, checksummed[i],
					 length);
	}
	/* The ACPI 1.0 checksum first: the extended one covers its byte. */
	acpi_loader_add_checksum(l, rsdp, RSDP_CHECKSUM, 0, RSDP_V1_SIZE);
	acpi_loader_add_checksum(l, rsdp, RSDP_EXT_CHECKSUM, 0, ACPI_RSDP_SIZE);
	/* Same size whatever is listed (q35 without ECAM: no MCFG). */
	acpi_loader_pad(l, l->len + (size_t)(max_entries - entries) * LOADER_COMMANDS_PER_TABLE *
					ACPI_LOADER_ENTRY_SIZE);
}

int acpi_build(const struct acpi_pc_config *cfg, struct acpi_tables *out)
{
	memset(out, 0, sizeof(*out));
	if (cfg->cpu_count < 1 || cfg->cpu_count > ACPI_MAX_CPUS ||
	    cfg->pci_window_first > cfg->pci_window_last || dsdt_len(cfg) < ACPI_HEADER_SIZE ||
	    (cfg->chipset != ACPI_CHIPSET_PC && cfg->chipset != ACPI_CHIPSET_Q35) ||
	    !ecam_valid(cfg))
		return -EINVAL;

	const bool q35 = cfg->chipset == ACPI_CHIPSET_Q35;
	uint32_t size = 0;
	out->facs_offset = size;
	size += ACPI_FACS_SIZE;
	out->dsdt_offset = size;
	size = align_up(size + dsdt_len(cfg), 8);
	out->fadt_offset = size;
	size = align_up(size + ACPI_FADT_SIZE, 8);
	out->madt_offset = size;
	size = align_up(size + madt_size(cfg->cpu_count), 8);
	if (q35) {
		/* Room for the MCFG even when the ECAM is off: the file keeps its size. */
		if (cfg->ecam_buses)
			out->mcfg_offset = size;
		size = align_up(size + ACPI_MCFG_SIZE, 8);
	}
	if (cfg->ssdt_body_len) {
		out->ssdt_offset = size;
		size = align_up(size + ACPI_HEADER_SIZE + cfg->ssdt_body_len, 8);
	}
	/* RSDT and XSDT sized for every table there may be; the rest is padding. */
	const unsigned max_entries = 2 + (q35 ? 1 : 0) + (out->ssdt_offset ? 1 : 0);
	const unsigned entries = max_entries - (q35 && !cfg->ecam_buses ? 1 : 0);
	out->rsdt_offset = size;
	size = align_up(size + ACPI_HEADER_SIZE + max_entries * 4, 8);
	out->xsdt_offset = size;
	size += ACPI_HEADER_SIZE + max_entries * 8;

	out->tables = kzalloc(size);
	if (!out->tables)
		return -ENOMEM;
	out->tables_len = size;

	uint8_t *t = out->tables;
	build_facs(t + out->facs_offset);
	int err = build_dsdt(t + out->dsdt_offset, cfg);
	if (err) {
		acpi_tables_release(out);
		return err;
	}
	build_fadt(t + out->fadt_offset, cfg, out->facs_offset, out->dsdt_offset);
	build_madt(t + out->madt_offset, cfg);
	if (out->mcfg_offset)
		build_mcfg(t + out->mcfg_offset, cfg);

	if (out->ssdt_offset) {
		acpi_put_header(t + out->ssdt_offset, "SSDT", ACPI_HEADER_SIZE + cfg->ssdt_body_len,
			   SSDT_REVISION);
		memcpy(t + out->ssdt_offset + ACPI_HEADER_SIZE, cfg->ssdt_body, cfg->ssdt_body_len);
	}

	uint32_t entry[SDT_MAX_ENTRIES];
	uint8_t *rsdt = t + out->rsdt_offset, *xsdt = t + out->xsdt_offset;
	acpi_put_header(rsdt, "RSDT", ACPI_HEADER_SIZE + entries * 4, SDT_REVISION);
	acpi_put_header(xsdt, "XSDT", ACPI_HEADER_SIZE + entries * 8, SDT_REVISION);
	sdt_entries(out, entry);
	for (unsigned i = 0; i < entries; i++) {
		acpi_put32(rsdt + ACPI_HEADER_SIZE + 4 * i, entry[i]);
		acpi_put64(xsdt + ACPI_HEADER_SIZE + 8 * i, entry[i]);
	}

	acpi_build_rsdp(out->rsdp, out->rsdt_offset, out->xsdt_offset);

	build_loader(&out->loader, out, max_entries);
	if (out->loader.error) {
		err = out->loader.error;
		acpi_tables_release(out);
		return err;
	}
	return 0;
}

void acpi_tables_release(struct acpi_tables *tables)
{
	kfree(tables->tables);
	acpi_loader_release(&tables->loader);
	memset(tables, 0, sizeof(*tables));
}

int acpi_install(struct fwcfg *fw, const struct acpi_pc_config *cfg)
{
	struct acpi_tables t;
	int err = acpi_build(cfg, &t);

	if (err) {
		log_error("acpi: cannot build the tables (error %d)\n", err);
		return err;
	}
	err = fwcfg_add_file(fw, ACPI_TABLES_FILE, t.tables, t.tables_len);
	if (!err)
		err = fwcfg_add_file(fw, ACPI_RSDP_FILE, t.rsdp, sizeof(t.rsdp));
	if (!err)
		err = fwcfg_add_file(fw, ACPI_LOADER_FILE, t.loader.buf, t.loader.len);
	if (err)
		log_error("acpi: cannot add the tables to fw_cfg (error %d)\n", err);
	else
		log_info("acpi: %u CPU(s), %u bytes of tables, PM block at %#x, SCI %u\n",
			 cfg->cpu_count, t.tables_len, cfg->pm_base, cfg->sci_irq);
	acpi_tables_release(&t);
	return err;
}

int acpi_update(struct fwcfg *fw, const struct acpi_pc_config *cfg)
{
	struct acpi_tables t;
	int err = acpi_build(cfg, &t);

	if (err)
		return err;
	/* Nothing the firmware relocates changes a table's size. */
	err = fwcfg_update_file(fw, ACPI_TABLES_FILE, t.tables, t.tables_len);
	if (!err)
		err = fwcfg_update_file(fw, ACPI_RSDP_FILE, t.rsdp, sizeof(t.rsdp));
	if (!err)
		err = fwcfg_update_file(fw, ACPI_LOADER_FILE, t.loader.buf, t.loader.len);
	if (err)
		log_error("acpi: cannot update the tables in fw_cfg (error %d)\n", err);
	else if (cfg->ecam_buses)
		log_info("acpi: tables rebuilt for the PM block at %#x, ECAM at %#llx (%u buses)\n",
			 cfg->pm_base, (unsigned long long)cfg->ecam_base, cfg->ecam_buses);
	else
		log_info("acpi: tables rebuilt for the PM block at %#x\n", cfg->pm_base);
	acpi_tables_release(&t);
	return err;
}

int acpi_q35_update(struct fwcfg *fw, struct acpi_pc_config *cfg, uint16_t pm_base,
		    uint64_t ecam_base, uint16_t ecam_buses)
{
	if (!ecam_buses)
		ecam_base = 0;
	if (pm_base == cfg->pm_base && ecam_base == cfg->ecam_base &&
	    ecam_buses == cfg->ecam_buses)
		return 0;

	const struct acpi_pc_config old = *cfg;
	cfg->pm_base = pm_base;
	cfg->ecam_base = ecam_base;
	cfg->ecam_buses = ecam_buses;
	int err = acpi_update(fw, cfg);
	if (err)
		*cfg = old;
	return err;
}
