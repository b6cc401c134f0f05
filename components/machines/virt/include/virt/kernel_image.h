/* SPDX-License-Identifier: MIT */
/*
 * The kernel a virt VM boots, from the file its configuration names: a raw
 * arm64 Image as it is, or a gzip-compressed one (Image.gz, the vmlinuz of
 * Debian's unsigned arm64 kernel) unpacked once into hypervisor pages, as
 * QEMU does for -kernel on arm, both for a direct boot and for the copy
 * the firmware gets through fw_cfg.
 *
 * Plain C: tested on the host (tests/test_kernel_image.c).
 */
#ifndef VIRT_KERNEL_IMAGE_H
#define VIRT_KERNEL_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct virt_kernel_image {
	const void *data;       /* the Image to boot                         */
	size_t size;
	void *copy;             /* the gunzipped copy (data), or NULL        */
	size_t pages;           /* its pages, for page_free()                */
	size_t file_size;       /* the size of the file it came from         */
};

/*
 * Prepares the kernel file [file, file + file_size) of a VM with ram_size
 * bytes of RAM.  A file that starts with the gzip magic (1f 8b) is
 * unpacked into a buffer of the size its trailer gives (ISIZE), which must
 * not be larger than RAM; the data is checked (CRC-32, size) and must be
 * exactly one gzip member.  Anything else is taken as it is.
 *
 * 0, or -EINVAL (corrupt or too big) / -ENOMEM with one sentence in err
 * that continues "VM <name>: kernel '<path>' ...".
 */
int virt_kernel_image_prepare(const void *file, size_t file_size, uint64_t ram_size,
			      struct virt_kernel_image *k, char *err, size_t err_len);

/* Frees the gunzipped copy, if any; k then describes nothing. */
void virt_kernel_image_release(struct virt_kernel_image *k);

#endif
