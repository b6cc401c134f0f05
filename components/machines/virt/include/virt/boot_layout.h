/* SPDX-License-Identifier: MIT */
/*
 * Where a directly booted kernel, its initrd and the device tree go in the
 * guest's RAM, the way QEMU's virt machine places them (hw/arm/boot.c
 * arm_setup_direct_kernel_boot(): an ELF file first, then an arm64 Image,
 * anything else as a raw binary), following the kernel's
 * Documentation/arch/arm64/booting.rst for the Image:
 *
 *   an arm64 Image    at RAM base + text_offset (from its header)
 *   an ELF executable for aarch64: each PT_LOAD segment at its p_paddr
 *                     (all inside RAM), entered at e_entry
 *   anything else     a raw binary at RAM base + 0x80000, entered there
 *   RAM base + min(RAM/2, 128M) the initrd (or right after the kernel if
 *                               the kernel reaches further)
 *   after the initrd, 4 KiB aligned   the device tree (x0 points to it)
 *
 * An x86 bzImage and an ELF file for another machine are refused with a
 * sentence naming the formats the virt machine takes.
 *
 * Plain C: tested on the host (tests/test_boot_layout.c).
 */
#ifndef VIRT_BOOT_LAYOUT_H
#define VIRT_BOOT_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

/* The 64-byte header at the start of an arm64 Image. */
#define ARM64_IMAGE_HEADER_SIZE   64
#define ARM64_IMAGE_MAGIC         0x644d5241u   /* "ARM\x64" at offset 56 */
#define ARM64_IMAGE_MAGIC_OFFSET  56
#define ARM64_IMAGE_TEXT_OFFSET   8             /* u64, little-endian      */
#define ARM64_IMAGE_SIZE_OFFSET   16            /* u64: memory it needs    */
/* Kernels before 3.17 leave image_size 0; their text_offset is 0x80000. */
#define ARM64_IMAGE_OLD_TEXT_OFFSET 0x80000u

/* QEMU's KERNEL64_LOAD_ADDR (hw/arm/boot.c): where a raw binary goes. */
#define VIRT_RAW_KERNEL_OFFSET    0x80000u

#define VIRT_INITRD_MAX_OFFSET    (128ULL << 20)
#define VIRT_DTB_ALIGN            4096u

#define VIRT_KERNEL_MAX_SEGMENTS  16

enum virt_kernel_format {
	VIRT_KERNEL_IMAGE = 0,    /* arm64 Image: the file at kernel_gpa    */
	VIRT_KERNEL_ELF,          /* ELF: the segments below                */
	VIRT_KERNEL_RAW,          /* raw binary: the file at kernel_gpa     */
};

struct virt_boot_segment {
	uint64_t gpa;             /* where                                   */
	uint64_t offset, size;    /* these bytes of the file (the rest of its
				     memory size is zero: RAM is cleared)    */
};

struct virt_boot_layout {
	enum virt_kernel_format format;
	uint64_t entry;           /* where vCPU 0 starts (x0 = dtb_gpa)      */
	uint64_t kernel_gpa;      /* the lowest address the kernel occupies  */
	uint64_t kernel_end;      /* kernel_gpa + what it occupies         */
	unsigned int segment_count;   /* ELF                                */
	struct virt_boot_segment segments[VIRT_KERNEL_MAX_SEGMENTS];
	uint64_t initrd_gpa;      /* 0 without an initrd                   */
	uint64_t initrd_end;
	uint64_t dtb_gpa;
};

/*
 * Plans the layout in RAM [ram_base, ram_base + ram_size) for a kernel of
 * image_size bytes (the file at image: an Image, ELF or raw binary), an
 * initrd of initrd_size bytes (0: none) and a device tree of at most
 * dtb_size bytes.  0, or -EINVAL with one sentence in err: a kernel for
 * another architecture, a malformed ELF file, or it does not fit.  (A
 * gzip'd kernel is unpacked before, see <virt/kernel_image.h>.)
 */
int virt_plan_direct_boot(uint64_t ram_base, uint64_t ram_size, const void *image,
			  size_t image_size, size_t initrd_size, size_t dtb_size,
			  struct virt_boot_layout *out, char *err, size_t err_len);

/* "arm64 Image", "ELF", "raw binary": for messages. */
const char *virt_kernel_format_name(enum virt_kernel_format format);

#endif
