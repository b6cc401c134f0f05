/* SPDX-License-Identifier: MIT */
/*
 * Splitting a Linux bzImage for the firmware, exactly as QEMU's
 * x86_load_linux() does for -kernel (hw/i386/x86-common.c; the kernel's
 * Documentation/arch/x86/boot.rst):
 *
 *   setup (real-mode) part   SETUP_ADDR/SIZE/DATA, at 0x10000 (protocol
 *                            2.02+, loaded high) or 0x90000, its header
 *                            patched: type_of_loader 0xB0, CAN_USE_HEAP
 *                            and heap_end_ptr, cmd_line_ptr, the initrd
 *   protected-mode kernel    KERNEL_ADDR/SIZE/DATA at 0x100000
 *   initrd                   INITRD_ADDR/SIZE/DATA, page-aligned below
 *                            min(initrd_addr_max, end of low RAM minus
 *                            the ACPI area)
 *   command line             CMDLINE_ADDR/SIZE/DATA at 0x20000 (2.02+)
 *
 * linuxboot_dma.bin (an option ROM the firmware runs) then copies the
 * parts to those addresses and jumps to the setup code.  Plain C: tested
 * on the host (tests/test_bzimage.c).
 */
#ifndef PC_BZIMAGE_H
#define PC_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

/* Offsets in the setup header (boot.rst). */
#define BZ_SETUP_SECTS     0x1F1
#define BZ_BOOT_FLAG       0x1FE   /* 0xAA55 */
#define BZ_HEADER_MAGIC    0x202   /* "HdrS" */
#define BZ_VERSION         0x206
#define BZ_TYPE_OF_LOADER  0x210
#define BZ_LOADFLAGS       0x211
#define BZ_RAMDISK_IMAGE   0x218
#define BZ_RAMDISK_SIZE    0x21C
#define BZ_HEAP_END_PTR    0x224
#define BZ_CMD_LINE_PTR    0x228
#define BZ_INITRD_ADDR_MAX 0x22C
#define BZ_CMDLINE_SIZE    0x238
#define BZ_OLD_CMD_MAGIC   0x020   /* 0xA33F, protocol < 2.02 */
#define BZ_OLD_CMD_OFFSET  0x022

#define BZ_HDRS_MAGIC      0x53726448u
#define BZ_LOADED_HIGH     0x01
#define BZ_CAN_USE_HEAP    0x80
#define BZ_LOADER_QEMU     0xB0     /* "undefined" loader id 0xB, as QEMU */
#define BZ_HEADER_COPY     8192     /* QEMU patches its copy of the first 8 KiB */

struct bzimage_plan {
	uint16_t protocol;
	uint32_t setup_addr, setup_size;
	uint32_t kernel_addr, kernel_size;     /* the protected-mode part     */
	uint32_t cmdline_addr, cmdline_size;   /* size counts the NUL         */
	uint32_t initrd_addr, initrd_size;     /* 0, 0 without an initrd      */
	uint32_t initrd_max;
	uint8_t *setup;                        /* setup_size bytes, patched   */
};

/*
 * Plans the split of image (image_size bytes) with an initrd of
 * initrd_size bytes (0: none) and the command line cmdline ("" for none),
 * for a VM with below_4g bytes of RAM from 0.  setup_buf receives the
 * patched setup part (at most setup_buf_len bytes; 64 KiB always does).
 * 0, or -EINVAL with one sentence in err (not a bzImage, too old, too
 * large, initrd or command line does not fit).
 */
int bzimage_plan(const uint8_t *image, size_t image_size, size_t initrd_size,
		 const char *cmdline, uint64_t below_4g, uint8_t *setup_buf,
		 size_t setup_buf_len, struct bzimage_plan *out, char *err, size_t err_len);

#endif
