/* SPDX-License-Identifier: MIT */
/*
 * What the architecture's boot code learned from the loader (Multiboot2,
 * PVH start info, or the device tree) and hands to kernel_main().
 *
 * The hypervisor runs with physical memory identity-mapped: a physical
 * address is also a valid pointer.
 */
#ifndef CORE_BOOTINFO_H
#define CORE_BOOTINFO_H

#include <stddef.h>
#include <stdint.h>
#include <core/percpu.h>

#define BOOT_MAX_MEM_REGIONS 64
#define BOOT_MAX_RESERVED 16

enum mem_type {
	MEM_RAM = 1,       /* usable by the page allocator                  */
	MEM_RESERVED = 2,  /* firmware, ACPI, MMIO: never handed out         */
};

struct mem_region {
	uint64_t base;
	uint64_t size;
	enum mem_type type;
};

struct boot_info {
	const char *loader;          /* "GRUB 2.06 (Multiboot2)", "QEMU (PVH)"... */
	const char *cmdline;         /* image command line, "" if none          */

	struct mem_region mem[BOOT_MAX_MEM_REGIONS];
	unsigned int mem_count;

	/* Ranges inside RAM that are in use at boot: the image, the boot
	 * archive, the DTB, boot structures.  The allocator skips them. */
	struct mem_region reserved[BOOT_MAX_RESERVED];
	unsigned int reserved_count;

	const void *archive;         /* cpio (newc) boot archive, or NULL       */
	size_t archive_size;

	unsigned int cpu_count;      /* CPUs the firmware describes            */
	uint64_t cpu_hw_id[MAX_CPUS];/* APIC ids / MPIDR values, boot CPU first */

	const void *dtb;             /* aarch64: the device tree, else NULL    */
	const void *acpi_rsdp;       /* x86_64: ACPI RSDP if known, else NULL  */
};

/* Adds a reserved range (the arch boot code calls it while filling bi). */
void bootinfo_reserve(struct boot_info *bi, uint64_t base, uint64_t size);

/* Generic entry from the architecture, on the boot CPU, MMU on, stack set. */
__attribute__((noreturn)) void kernel_main(struct boot_info *bi);
/* Generic entry on every secondary CPU once it is set up. */
__attribute__((noreturn)) void kernel_secondary_main(void);

/* The boot information, valid after kernel_main() started. */
const struct boot_info *bootinfo(void);

#endif
