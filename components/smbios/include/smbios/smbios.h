/* SPDX-License-Identifier: MIT */
/*
 * SMBIOS for a VM: the structures and the entry point, handed to the
 * firmware the way QEMU does (hw/smbios/smbios.c, hw/i386/fw_cfg.c):
 *
 *   etc/smbios/smbios-tables   the structures back to back, each a
 *                              formatted area and its strings
 *   etc/smbios/smbios-anchor   a 2.1 (32-bit, "_SM_") entry point whose
 *                              table address the firmware fills in when
 *                              it places the tables (SeaBIOS
 *                              src/fw/biostables.c smbios_romfile_setup;
 *                              EDK2 OvmfPkg/SmbiosPlatformDxe/Qemu.c)
 *
 * Structures (DMTF DSP0134, version 2.8 as QEMU's pc machines):
 *   type 0     BIOS information          type 16   physical memory array
 *   type 1     system, with the UUID     type 17   one memory device per 16 GiB
 *   type 3     chassis                   type 19   one mapped range per RAM region
 *   type 4     one processor per vCPU    type 32   boot information: no errors
 *   type 127   end of table
 * Handles are QEMU's: 0x0000 type 0, 0x0100 type 1, 0x0300 type 3,
 * 0x0400 + n type 4, 0x1000 type 16, 0x1100 + n type 17, 0x1300 + n type
 * 19, 0x2000 type 32, 0x7F00 type 127.
 *
 * Plain C, no allocation: the caller gives the buffer.
 */
#ifndef SMBIOS_SMBIOS_H
#define SMBIOS_SMBIOS_H

#include <stddef.h>
#include <stdint.h>

#define SMBIOS_TABLES_FILE "etc/smbios/smbios-tables"
#define SMBIOS_ANCHOR_FILE "etc/smbios/smbios-anchor"
#define SMBIOS_ANCHOR_SIZE 31           /* the 2.1 entry point */
#define SMBIOS_MAX_CPUS    255
#define SMBIOS_MAX_RAM_REGIONS 4
#define SMBIOS_MEMORY_DEVICE_MAX (16ull << 30)   /* QEMU splits memory into 16 GiB DIMMs */

struct smbios_ram_region {
	uint64_t base, size;            /* bytes */
};

/* What the tables describe. */
struct smbios_config {
	const char *manufacturer;       /* system, chassis, processors: "Tessera" */
	const char *product;            /* the machine: "pc" */
	const char *version;            /* the hypervisor's version */
	const char *bios_vendor;        /* type 0 */
	const char *bios_version;
	const char *bios_date;          /* "MM/DD/YYYY" */
	uint8_t uuid[16];               /* type 1, in SMBIOS byte order (see below) */
	unsigned int cpu_count;         /* 1..SMBIOS_MAX_CPUS: type 4 structures */
	uint32_t cpuid_signature;       /* CPUID.1 EAX, processor ID of type 4 */
	uint32_t cpuid_features;        /* CPUID.1 EDX */
	uint64_t memory;                /* total RAM, bytes (types 16 and 17) */
	struct smbios_ram_region ram[SMBIOS_MAX_RAM_REGIONS];   /* type 19 */
	unsigned int ram_count;
};

struct smbios_tables {
	uint32_t tables_len;
	uint16_t structure_count;
	uint16_t max_structure_size;
	uint8_t anchor[SMBIOS_ANCHOR_SIZE];
};

/*
 * Writes the structures into buf (size bytes) and the entry point into
 * out->anchor (its table address 0, for the firmware to fill).  0, or
 * -EINVAL (no CPUs, too many, no RAM region), -ENOSPC (buf too small).
 */
int smbios_build(const struct smbios_config *cfg, uint8_t *buf, size_t size,
		 struct smbios_tables *out);

/*
 * A UUID derived from a name (the VM's), stable from boot to boot and
 * different for different names: 16 bytes of a 128-bit hash with the
 * RFC 4122 version (8, "custom") and variant bits, in the byte order
 * SMBIOS 2.6+ stores (the first three fields little-endian).
 */
void smbios_uuid_from_name(const char *name, uint8_t uuid[16]);

#endif
