/* SPDX-License-Identifier: MIT */
/* Placing a directly booted kernel, initrd and DTB (see <virt/boot_layout.h>). */
#include <virt/boot_layout.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <lib/elf.h>

/* What the virt machine boots, for the sentence that refuses a file. */
#define VIRT_FORMATS "arm64 Images (raw or gzip'd), ELF executables for aarch64 and raw binaries"

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

const char *virt_kernel_format_name(enum virt_kernel_format format)
{
	switch (format) {
	case VIRT_KERNEL_IMAGE: return "arm64 Image";
	case VIRT_KERNEL_ELF:   return "ELF";
	case VIRT_KERNEL_RAW:   return "raw binary";
	}
	return "kernel";
}

static bool is_arm64_image(const uint8_t *h, size_t size)
{
	return size >= ARM64_IMAGE_HEADER_SIZE &&
	       le32_at(h + ARM64_IMAGE_MAGIC_OFFSET) == ARM64_IMAGE_MAGIC;
}

/* An x86 Linux kernel: "HdrS" at 0x202 (the kernel's Documentation/arch/x86/boot.rst). */
static bool is_bzimage(const uint8_t *h, size_t size)
{
	return size >= 0x206 && memcmp(h + 0x202, "HdrS", 4) == 0;
}

static bool fits(uint64_t gpa, uint64_t len, uint64_t ram_base, uint64_t ram_size)
{
	return gpa >= ram_base && gpa - ram_base <= ram_size && len <= ram_size - (gpa - ram_base);
}

static int plan_image(uint64_t ram_base, uint64_t ram_size, const uint8_t *h, size_t image_size,
		      struct virt_boot_layout *out, char *err, size_t err_len)
{
	uint64_t text_offset = le64_at(h + ARM64_IMAGE_TEXT_OFFSET);
	uint64_t footprint = le64_at(h + ARM64_IMAGE_SIZE_OFFSET);

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
	out->format = VIRT_KERNEL_IMAGE;
	out->kernel_gpa = ram_base + text_offset;
	out->kernel_end = out->kernel_gpa + footprint;
	out->entry = out->kernel_gpa;
	return 0;
}

static int plan_elf(uint64_t ram_base, uint64_t ram_size, const uint8_t *h, size_t image_size,
		    struct virt_boot_layout *out, char *err, size_t err_len)
{
	static struct elf_image elf;     /* large for a stack; boots are one at a time */
	char what[24];

	if (elf_parse(h, image_size, &elf, err, err_len))
		return -EINVAL;
	if (elf.machine != ELF_MACHINE_AARCH64 || elf.bits != 64) {
		snprintf(err, err_len, "is an ELF file for %s, not aarch64 (the virt machine boots "
			 VIRT_FORMATS ")", elf_machine_name(elf.machine, what, sizeof(what)));
		return -EINVAL;
	}
	for (unsigned int i = 0; i < elf.segment_count; i++) {
		const struct elf_segment *s = &elf.segments[i];

		if (!fits(s->paddr, s->memsz, ram_base, ram_size)) {
			snprintf(err, err_len, "is an ELF file whose segment at 0x%llx (%llu bytes) is "
				 "not inside the VM's RAM (0x%llx, %llu MiB)",
				 (unsigned long long)s->paddr, (unsigned long long)s->memsz,
				 (unsigned long long)ram_base, (unsigned long long)(ram_size >> 20));
			return -EINVAL;
		}
		out->segments[i] = (struct virt_boot_segment){
			.gpa = s->paddr, .offset = s->offset, .size = s->filesz,
		};
	}
	if (!fits(elf.entry, 4, ram_base, ram_size)) {
		snprintf(err, err_len, "is an ELF file whose entry point 0x%llx is not in the VM's RAM",
			 (unsigned long long)elf.entry);
		return -EINVAL;
	}
	out->format = VIRT_KERNEL_ELF;
	out->segment_count = elf.segment_count;
	out->kernel_gpa = elf.lowest;
	out->kernel_end = elf.highest;
	out->entry = elf.entry;
	return 0;
}

static int plan_raw(uint64_t ram_base, uint64_t ram_size, const uint8_t *h, size_t image_size,
		    struct virt_boot_layout *out, char *err, size_t err_len)
{
	if (is_bzimage(h, image_size)) {
		snprintf(err, err_len, "is an x86 Linux bzImage (the virt machine boots "
			 VIRT_FORMATS ")");
		return -EINVAL;
	}
	if (image_size == 0 || !fits(ram_base + VIRT_RAW_KERNEL_OFFSET, image_size, ram_base,
				     ram_size)) {
		snprintf(err, err_len, "is %s (a raw binary goes to offset 0x%x of RAM and must fit "
			 "in the VM's %llu MiB)", image_size ? "too large" : "empty",
			 VIRT_RAW_KERNEL_OFFSET, (unsigned long long)(ram_size >> 20));
		return -EINVAL;
	}
	out->format = VIRT_KERNEL_RAW;
	out->kernel_gpa = ram_base + VIRT_RAW_KERNEL_OFFSET;
	out->kernel_end = out->kernel_gpa + image_size;
	out->entry = out->kernel_gpa;
	return 0;
}

int virt_plan_direct_boot(uint64_t ram_base, uint64_t ram_size, const void *image,
			  size_t image_size, size_t initrd_size, size_t dtb_size,
			  struct virt_boot_layout *out, char *err, size_t err_len)
{
	const uint8_t *h = image;
	uint64_t ram_end = ram_base + ram_size;
	uint64_t initrd_start;
	int ret;

	memset(out, 0, sizeof(*out));
	/* QEMU's order: ELF, then the arm64 Image header, then a raw binary. */
	if (elf_has_magic(h, image_size))
		ret = plan_elf(ram_base, ram_size, h, image_size, out, err, err_len);
	else if (is_arm64_image(h, image_size))
		ret = plan_image(ram_base, ram_size, h, image_size, out, err, err_len);
	else
		ret = plan_raw(ram_base, ram_size, h, image_size, out, err, err_len);
	if (ret)
		return ret;

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
