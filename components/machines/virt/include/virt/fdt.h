/* SPDX-License-Identifier: MIT */
/*
 * The guest device tree of the virt machine and its memory map.
 *
 * The map is QEMU's aarch64 "virt" board (hw/arm/virt.c, its memmap[] and
 * irqmap[]), because AAVMF hard-codes parts of it (RAM at 0x40000000, the
 * device tree at the base of RAM) and Linux guests are used to it.
 * docs/machines.md lists it with the sources.  virt_fdt_build() writes the
 * board's own nodes (CPUs, memory, GIC, timer, PSCI, flash, chosen) and
 * one node per device instance, written by the instance's class
 * (device_write_fdt(), <bus/device.h>).
 */
#ifndef VIRT_FDT_H
#define VIRT_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct device;

#define VIRT_FLASH_BASE         0x00000000ULL
#define VIRT_FLASH_BANK_SIZE    0x04000000ULL     /* two banks: code, vars */
#define VIRT_GIC_DIST_BASE      0x08000000ULL
#define VIRT_GIC_DIST_SIZE      0x00010000ULL
#define VIRT_GIC_REDIST_BASE    0x080A0000ULL
#define VIRT_GIC_REDIST_STRIDE  0x00020000ULL     /* per CPU: RD + SGI frame */
#define VIRT_RAM_BASE           0x40000000ULL
#define VIRT_NR_SPIS            256               /* instance irq = SPI number */
/* The PCI Express host (QEMU virt's gpex with highmem off: low ECAM). */
#define VIRT_PCIE_MMIO_BASE     0x10000000ULL     /* 32-bit memory window   */
#define VIRT_PCIE_MMIO_SIZE     0x2eff0000ULL
#define VIRT_PCIE_PIO_BASE      0x3eff0000ULL     /* PCI I/O space, 64 KiB  */
#define VIRT_PCIE_PIO_SIZE      0x00010000ULL
#define VIRT_PCIE_ECAM_BASE     0x3f000000ULL     /* 16 buses of 1 MiB      */
#define VIRT_PCIE_ECAM_BUSES    16
#define VIRT_PCIE_SPI           3                 /* INTA..INTD: SPI 3..6   */

struct virt_fdt_desc {
	unsigned int cpus;          /* 1..123 (redistributor window)          */
	uint64_t memory_size;       /* RAM at VIRT_RAM_BASE                   */
	bool flash;                 /* both CFI banks: firmware code + vars   */
	bool pcie;                  /* the PCI Express host bridge node       */
	const char *bootargs;       /* NULL: no /chosen bootargs              */
	uint64_t initrd_start;      /* guest physical; initrd_end > start     */
	uint64_t initrd_end;        /* to describe an initrd, else both 0     */
	/* The device instances, each described by its class, and the one
	 * /chosen/stdout-path names (NULL: none). */
	const struct device *devices;
	unsigned int device_count;
	const struct device *console;
};

/* MPIDR affinity (the cpu node's reg) QEMU gives vCPU index with a
 * GICv3: 16 CPUs per cluster.  The VMM must program VMPIDR_EL2 to it. */
uint64_t virt_fdt_cpu_mpidr(unsigned int index);

/* Writes the VM's tree into buf.  Returns its size, -ENOSPC, or
 * -EINVAL for a description that cannot be right (no CPUs, too many,
 * memory outside the RAM window, an initrd outside RAM). */
long virt_fdt_build(void *buf, size_t size, const struct virt_fdt_desc *desc);

#endif
