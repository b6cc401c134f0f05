/* SPDX-License-Identifier: MIT */
/* Placing a directly booted kernel, initrd and DTB (see <virt/boot_layout.h>). */
#include <virt/boot_layout.h>

#include <errno.h>
#include <stdio.h>

static uint64_t le64_at(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

int virt_plan_direct_boot(uint64_t ram_base, uint64_t ram_size, const void *image,
			  size_t image_size, size_t initrd_size, size_t dtb_size,
			  struct virt_boot_layout *out, char *err, size_t err_len)
{
	const uint8_t *h = image;
	uint64_t ram_end = ram_base + ram_size;
	uint64_t text_offset, footprint, initrd_start;

	if (image_size < ARM64_IMAGE_HEADER_SIZE ||
	    le32_at(h + ARM64_IMAGE_MAGIC_OFFSET) != ARM64_IMAGE_MAGIC) {
		snprintf(err, err_len, "is not an arm64 Linux Image (no \"ARM\\x64\" magic at "
			 "offset 56)");
		return -EINVAL;
	}
	text_offset = le64_at(h + ARM64_IMAGE_TEXT_OFFSET);
	footprint = le64_at(h + ARM64_IMAGE_SIZE_OFFSET);
	if (footprint == 0)
		text_offset = ARM64_IMAGE_OLD_TEXT_OFFSET;
	if (footprint < image_size)
		footprint = image_size;
	if (text_offset >= ram_size || footprint > ram_size - text_offset) {
		snprintf(err, err_len, "needs %llu MiB at offset 0x%llx of RAM, more than the VM's "
			 "%llu MiB", (unsigned long long)(footprint >> 20),
			 (unsigned long long)text_offset, (unsigned long long)(ram_size >> 20));
		return -EINVAL;
	}
	out->kernel_gpa = ram_base + text_offset;
	out->kernel_end = out->kernel_gpa + footprint;

	initrd_start = ram_base + (ram_size / 2 < VIRT_INITRD_MAX_OFFSET ? ram_size / 2
									 : VIRT_INITRD_MAX_OFFSET);
	if (initrd_start < align_up(out->kernel_end, VIRT_DTB_ALIGN))
		initrd_start = align_up(out->kernel_end, VIRT_DTB_ALIGN);
	if (initrd_size) {
		out->initrd_gpa = initrd_start;
		out->initrd_end = initrd_start + initrd_size;
		out->dtb_gpa = align_up(out->initrd_end, VIRT_DTB_ALIGN);
	} else {
		out->initrd_gpa = out->initrd_end = 0;
		out->dtb_gpa = initrd_start;
	}
	if (out->dtb_gpa >= ram_end || dtb_size > ram_end - out->dtb_gpa ||
	    (initrd_size && initrd_size > ram_end - initrd_start)) {
		snprintf(err, err_len, "with its initrd (%llu MiB) and device tree does not fit in "
			 "the VM's %llu MiB of RAM", (unsigned long long)(initrd_size >> 20),
			 (unsigned long long)(ram_size >> 20));
		return -EINVAL;
	}
	return 0;
}
