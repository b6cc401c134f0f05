/* SPDX-License-Identifier: MIT */
/*
 * Multiboot (version 1) kernels on the pc machine, the way QEMU boots
 * them with -kernel (hw/i386/multiboot.c): the kernel's image, the
 * command lines, the boot loader's name, the module list and the modules
 * (our initrd is module 0) in one blob at the kernel's load address, and
 * the Multiboot information structure (MBI) apart, both as fw_cfg items;
 * QEMU's option ROM multiboot_dma.bin, run by SeaBIOS, loads them by fw_cfg
 * DMA, fills the memory map (int 0x15 e820) into the MBI, switches to
 * 32-bit protected mode and jumps to the entry with EAX = 0x2BADB002 and
 * EBX = the MBI (the Multiboot Specification 0.6.96, "Machine state").
 *
 *   FW_CFG_KERNEL_ADDR/SIZE/DATA  the blob, at the lowest load address
 *   FW_CFG_KERNEL_ENTRY           the entry point
 *   FW_CFG_INITRD_ADDR/SIZE/DATA  the MBI (88 bytes) at 0x9500; its memory
 *                                 map goes to 0x9000 (the ROM writes it)
 *
 * The kernel is an ELF32 executable (loaded by its program headers, at
 * p_paddr), or any file whose Multiboot header gives the addresses (flag
 * 16, the "a.out kludge").  Plain C, host-tested (tests/test_multiboot.c).
 */
#ifndef PC_MULTIBOOT_H
#define PC_MULTIBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MULTIBOOT_HEADER_MAGIC  0x1BADB002u
#define MULTIBOOT_SEARCH_BYTES  8192        /* the header is in the first 8 KiB */
#define MULTIBOOT_MMAP_ADDR     0x9000u     /* QEMU's ADDR_E820_MAP           */
#define MULTIBOOT_MBI_ADDR      0x9500u     /* QEMU's ADDR_MBI                */
#define MULTIBOOT_MBI_SIZE      88
#define MULTIBOOT_BOOTLOADER    "tessera"

struct multiboot_plan {
	uint32_t load_addr;                 /* where the blob goes              */
	uint32_t entry;
	uint8_t *blob;                      /* blob_size bytes (caller frees)   */
	uint32_t blob_size;
	uint32_t kernel_size;               /* of those, the kernel's (memsz)   */
	uint32_t module_addr, module_size;  /* the initrd, 0 without            */
	uint8_t mbi[MULTIBOOT_MBI_SIZE];
};

/* Whether file has a valid Multiboot header in its first 8 KiB (flags out). */
bool multiboot_find_header(const void *file, size_t size, uint32_t *offset, uint32_t *flags);

/*
 * Lays out a Multiboot kernel (file, size bytes) named name (the first
 * word of its command line, as QEMU passes it) with the command line
 * cmdline and an initrd module named initrd_name (initrd NULL: none) for
 * a VM with below_4g bytes of RAM from 0.  blob is allocated with alloc (kmalloc in the
 * image, malloc in tests).  0, or -EINVAL/-ENOMEM with one sentence in err.
 */
int multiboot_plan(const void *file, size_t size, const char *name, const char *cmdline,
		   const char *initrd_name, const void *initrd, size_t initrd_size, uint64_t below_4g,
		   void *(*alloc)(size_t), struct multiboot_plan *out, char *err, size_t err_len);

#endif
