/* SPDX-License-Identifier: MIT */
/*
 * Where a directly booted arm64 Linux kernel, its initrd and the device
 * tree go in the guest's RAM, the way QEMU's virt machine places them
 * (hw/arm/boot.c), following the kernel's Documentation/arch/arm64/booting.rst:
 *
 *   RAM base + text_offset      the Image (text_offset from its header)
 *   RAM base + min(RAM/2, 128M) the initrd (or right after the kernel's
 *                               image_size if the kernel reaches further)
 *   after the initrd, 4 KiB aligned   the device tree (x0 points to it)
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

#define VIRT_INITRD_MAX_OFFSET    (128ULL << 20)
#define VIRT_DTB_ALIGN            4096u

struct virt_boot_layout {
	uint64_t kernel_gpa;      /* where the Image is copied and entered */
	uint64_t kernel_end;      /* kernel_gpa + what it occupies         */
	uint64_t initrd_gpa;      /* 0 without an initrd                   */
	uint64_t initrd_end;
	uint64_t dtb_gpa;
};

/*
 * Plans the layout in RAM [ram_base, ram_base + ram_size) for an Image of
 * image_size bytes (its first bytes at image), an initrd of initrd_size
 * bytes (0: none) and a device tree of at most dtb_size bytes.  0, or
 * -EINVAL with one sentence in err: not an arm64 Image (a gzip'd one is
 * unpacked before, see <virt/kernel_image.h>), or it does not fit.
 */
int virt_plan_direct_boot(uint64_t ram_base, uint64_t ram_size, const void *image,
			  size_t image_size, size_t initrd_size, size_t dtb_size,
			  struct virt_boot_layout *out, char *err, size_t err_len);

#endif
