/* SPDX-License-Identifier: MIT */
/* The bzImage split of QEMU's x86_load_linux() (see <pc/bzimage.h>). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <pc/bzimage.h>
#include <pc/layout.h>

static uint32_t get_le(const uint8_t *p, unsigned int bytes)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static void put_le(uint8_t *p, uint32_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int bzimage_plan(const uint8_t *image, size_t image_size, size_t initrd_size,
		 const char *cmdline, uint64_t below_4g, uint8_t *setup_buf,
		 size_t setup_buf_len, struct bzimage_plan *out, char *err, size_t err_len)
{
	uint8_t *h = setup_buf;
	size_t cmdline_len = strlen(cmdline) + 1;
	uint64_t initrd_max;
	uint32_t setup_sects;

	memset(out, 0, sizeof(*out));
	if (image_size < 1024 || get_le(image + BZ_HEADER_MAGIC, 4) != BZ_HDRS_MAGIC) {
		snprintf(err, err_len, "is not a Linux bzImage (no \"HdrS\" setup header)");
		return -EINVAL;
	}
	out->protocol = (uint16_t)get_le(image + BZ_VERSION, 2);
	/* Protocol 2.00 and 2.01 put the setup at 0x90000; nobody ships those any more. */
	if (out->protocol < 0x202 || !(image[BZ_LOADFLAGS] & BZ_LOADED_HIGH)) {
		snprintf(err, err_len, "uses boot protocol %u.%02u; Tessera loads bzImages of "
			 "protocol 2.02 or newer (Linux 2.4 onwards)", out->protocol >> 8,
			 out->protocol & 0xff);
		return -EINVAL;
	}
	setup_sects = image[BZ_SETUP_SECTS] ? image[BZ_SETUP_SECTS] : 4;
	out->setup_size = (setup_sects + 1) * 512;
	if (out->setup_size > image_size || out->setup_size > setup_buf_len) {
		snprintf(err, err_len, "has a setup part of %u bytes, more than the image holds",
			 out->setup_size);
		return -EINVAL;
	}
	out->setup_addr = 0x10000;
	out->cmdline_addr = 0x20000;
	out->kernel_addr = 0x100000;
	out->kernel_size = (uint32_t)(image_size - out->setup_size);
	out->cmdline_size = (uint32_t)cmdline_len;
	memcpy(h, image, out->setup_size);

	if (out->protocol >= 0x206 && cmdline_len - 1 > get_le(h + BZ_CMDLINE_SIZE, 4)) {
		snprintf(err, err_len, "accepts a command line of at most %u characters, not %zu",
			 get_le(h + BZ_CMDLINE_SIZE, 4), cmdline_len - 1);
		return -EINVAL;
	}
	if (out->kernel_addr + (uint64_t)out->kernel_size > below_4g) {
		snprintf(err, err_len, "does not fit into the VM's %llu MiB of RAM",
			 (unsigned long long)(below_4g >> 20));
		return -EINVAL;
	}

	/* The header fields a boot loader fills in (boot.rst "loader fills"). */
	put_le(h + BZ_CMD_LINE_PTR, out->cmdline_addr, 4);
	h[BZ_TYPE_OF_LOADER] = BZ_LOADER_QEMU;
	h[BZ_LOADFLAGS] |= BZ_CAN_USE_HEAP;
	put_le(h + BZ_HEAP_END_PTR, out->cmdline_addr - out->setup_addr - 0x200, 2);

	/* Where the initrd may go: QEMU's rule, below the ACPI area at the end of low RAM. */
	initrd_max = out->protocol >= 0x203 ? get_le(h + BZ_INITRD_ADDR_MAX, 4) : 0x37ffffff;
	if (initrd_max >= below_4g - PC_ACPI_DATA_SIZE)
		initrd_max = below_4g - PC_ACPI_DATA_SIZE - 1;
	out->initrd_max = (uint32_t)initrd_max;
	if (initrd_size) {
		uint64_t kernel_end = out->kernel_addr + (uint64_t)out->kernel_size;

		if (initrd_size >= initrd_max ||
		    ((initrd_max - initrd_size) & ~0xfffull) < kernel_end) {
			snprintf(err, err_len, "leaves no room for an initrd of %zu bytes below "
				 "0x%llx (give the VM more memory)", initrd_size,
				 (unsigned long long)initrd_max);
			return -EINVAL;
		}
		out->initrd_size = (uint32_t)initrd_size;
		out->initrd_addr = (uint32_t)((initrd_max - initrd_size) & ~0xfffull);
		put_le(h + BZ_RAMDISK_IMAGE, out->initrd_addr, 4);
		put_le(h + BZ_RAMDISK_SIZE, out->initrd_size, 4);
	}
	out->setup = h;
	return 0;
}
