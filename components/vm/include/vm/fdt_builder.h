/* SPDX-License-Identifier: MIT */
/*
 * Writing flattened device trees (DTB, version 17) for aarch64 guests.
 *
 * struct fdt_writer emits a tree front to back into a caller's buffer:
 * reservations first, then nodes and their properties in order.  Errors
 * are sticky: after the first one (buffer full, misuse) every call does
 * nothing and fdt_writer_finish() returns it, so a builder can write a
 * whole tree and check once.  Why our own writer rather than libfdt:
 * docs/vm-config.md, "Device trees: why our own writer".
 *
 * virt_fdt_build() writes the tree of a VM laid out like QEMU's aarch64
 * "virt" machine (addresses and interrupts of hw/arm/virt.c), which is
 * what AAVMF and Linux expect; see /work/shared/docs/platform-facts.md
 * sections D and E.1.
 */
#ifndef VM_FDT_BUILDER_H
#define VM_FDT_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fdt_writer {
	uint8_t *buf;
	size_t size;
	size_t struct_start;    /* after the reservation block                  */
	size_t struct_end;      /* end of what is written so far                */
	size_t strings_start;   /* strings grow down from the end of the buffer */
	unsigned int depth;     /* open nodes                                   */
	bool started;           /* a node was begun: no more reservations       */
	bool root_closed;       /* the tree has exactly one root node           */
	int error;              /* 0 or the first negative errno               */
};

/* buf needs no particular alignment; the blob's offsets are 8-aligned. */
void fdt_writer_init(struct fdt_writer *w, void *buf, size_t size);
/* A /memreserve/ entry; only before the first node. */
void fdt_writer_reserve(struct fdt_writer *w, uint64_t address, uint64_t size);
/* "" for the root node, then e.g. "memory@40000000". */
void fdt_writer_begin_node(struct fdt_writer *w, const char *name);
void fdt_writer_end_node(struct fdt_writer *w);
void fdt_writer_property(struct fdt_writer *w, const char *name, const void *value,
			 size_t len);
void fdt_writer_property_empty(struct fdt_writer *w, const char *name);
void fdt_writer_property_u32(struct fdt_writer *w, const char *name, uint32_t value);
void fdt_writer_property_u64(struct fdt_writer *w, const char *name, uint64_t value);
void fdt_writer_property_string(struct fdt_writer *w, const char *name, const char *value);
/* A string list: count NUL-terminated strings, e.g. "arm,pl011", "arm,primecell". */
void fdt_writer_property_strings(struct fdt_writer *w, const char *name,
				 const char *const *strings, unsigned int count);
/* count 32-bit cells, written big-endian. */
void fdt_writer_property_cells(struct fdt_writer *w, const char *name,
			       const uint32_t *cells, unsigned int count);
/*
 * Closes the structure block, moves the strings behind it and fills in
 * the header.  Returns the size of the blob, or -ENOSPC (buffer too
 * small), -EINVAL (nodes left open, no root node, reservations after a
 * node, a name that is empty where it must not be).
 */
long fdt_writer_finish(struct fdt_writer *w);

/* The QEMU virt memory map the guest tree describes. */
#define VIRT_FLASH_BASE         0x00000000ULL
#define VIRT_FLASH_BANK_SIZE    0x04000000ULL     /* two banks: code, vars */
#define VIRT_GIC_DIST_BASE      0x08000000ULL
#define VIRT_GIC_DIST_SIZE      0x00010000ULL
#define VIRT_GIC_REDIST_BASE    0x080A0000ULL
#define VIRT_GIC_REDIST_STRIDE  0x00020000ULL     /* per CPU: RD + SGI frame */
#define VIRT_UART_BASE          0x09000000ULL
#define VIRT_UART_SIZE          0x00001000ULL
#define VIRT_UART_SPI           1
#define VIRT_RTC_BASE           0x09010000ULL
#define VIRT_RTC_SIZE           0x00001000ULL
#define VIRT_RTC_SPI            2
#define VIRT_FWCFG_BASE         0x09020000ULL
#define VIRT_FWCFG_SIZE         0x00000018ULL
#define VIRT_RAM_BASE           0x40000000ULL

/* Devices a VM may have; the tree lists only these. */
enum virt_fdt_device {
	VIRT_FDT_PL011 = 1u << 0,   /* console UART, also /chosen stdout-path */
	VIRT_FDT_PL031 = 1u << 1,   /* RTC (AAVMF needs it)                   */
	VIRT_FDT_FWCFG = 1u << 2,
	VIRT_FDT_FLASH = 1u << 3,   /* both CFI banks: firmware code + vars   */
};

struct virt_fdt_desc {
	unsigned int cpus;          /* 1..123 (redistributor window)          */
	uint64_t memory_size;       /* RAM at VIRT_RAM_BASE                   */
	unsigned int devices;       /* enum virt_fdt_device bits              */
	const char *bootargs;       /* NULL: no /chosen bootargs              */
	uint64_t initrd_start;      /* guest physical; initrd_end > start     */
	uint64_t initrd_end;        /* to describe an initrd, else both 0     */
};

/* MPIDR affinity (the cpu node's reg) QEMU gives vCPU index with a
 * GICv3: 16 CPUs per cluster.  The VMM must program VMPIDR_EL2 to it. */
uint64_t virt_fdt_cpu_mpidr(unsigned int index);

/* Writes the VM's tree into buf.  Returns its size, -ENOSPC, or
 * -EINVAL for a description that cannot be right (no CPUs, too many,
 * memory outside the RAM window, an initrd outside RAM). */
long virt_fdt_build(void *buf, size_t size, const struct virt_fdt_desc *desc);

#endif
