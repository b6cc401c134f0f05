/* SPDX-License-Identifier: MIT */
/*
 * The kernel formats the pc machine boots through SeaBIOS, as QEMU's
 * -kernel does (hw/i386/x86-common.c x86_load_linux()): a Linux bzImage
 * (linux_boot.c), else a Multiboot kernel (here, with QEMU's option ROM
 * multiboot_dma.bin; <pc/multiboot.h>).  Anything else is refused with one
 * sentence naming the formats.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <core/log.h>
#include <core/mm.h>
#include <fwcfg/fwcfg.h>

#include <pc/board.h>
#include <pc/multiboot.h>

#define MULTIBOOT_ROM_NAME "multiboot_dma.bin"
#define MULTIBOOT_ROM_FILE "genroms/multiboot_dma.bin"

static bool is_bzimage(const struct bootfs_file *k)
{
	return k->size >= 0x206 && memcmp((const uint8_t *)k->data + 0x202, "HdrS", 4) == 0;
}

/*
 * The option ROM switches to protected mode with a GDT inside itself,
 * and the far jump that loads CS makes the CPU set the descriptor's
 * accessed bit: a write into the ROM's shadow, which SeaBIOS has made
 * read-only by then.  On QEMU and on hardware that write just goes
 * nowhere; under EPT it is a write fault on a read-only page, in the
 * middle of an instruction (a far jump through memory) that the MMIO
 * emulator cannot perform.  So the ROM is handed over with its flat
 * descriptors already marked accessed (what the CPU would have written),
 * and its checksum (all bytes summing to 0) kept right.
 */
static uint8_t *rom_with_accessed_descriptors(const struct bootfs_file *rom)
{
	static const uint8_t flat[2][7] = {
		{ 0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf },     /* 32-bit code, 4 GiB */
		{ 0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0xcf },     /* 32-bit data, 4 GiB */
	};
	uint8_t *copy = kmalloc(rom->size);
	size_t len;
	unsigned int patched = 0;

	if (!copy)
		return NULL;
	memcpy(copy, rom->data, rom->size);
	len = rom->size >= 3 ? (size_t)copy[2] * 512 : 0;   /* the ROM header's length */
	if (len == 0 || len > rom->size)
		return copy;
	for (size_t i = 0; i + 8 <= len; i++) {
		for (unsigned int d = 0; d < 2; d++) {
			if (memcmp(copy + i, flat[d], 7) == 0 && copy[i + 7] == 0) {
				copy[i + 5] |= 1;            /* type: accessed */
				patched++;
			}
		}
	}
	/* Each patch added 1 to the byte sum: take it off the last byte (the
	 * checksum byte QEMU's ROMs end with). */
	copy[len - 1] = (uint8_t)(copy[len - 1] - patched);
	return copy;
}

static void *alloc_blob(size_t size)
{
	return kmalloc(size);
}

static int pc_multiboot_prepare(struct pc_board *m)
{
	struct vm *vm = m->vm;
	const struct vm_config *c = &vm->config;
	static const char bootorder[] = "/rom@" MULTIBOOT_ROM_FILE "\n";
	struct multiboot_plan plan;
	const struct bootfs_file *rom;
	const char *fw = c->firmware, *slash = strrchr(fw, '/');
	char rom_path[VM_PATH_MAX + sizeof(MULTIBOOT_ROM_NAME)];
	char err[200];
	int ret;

	snprintf(rom_path, sizeof(rom_path), "%.*s%s", slash ? (int)(slash - fw + 1) : 0, fw,
		 MULTIBOOT_ROM_NAME);
	rom = bootfs_find(rom_path);
	if (!rom) {
		log_error("VM %s: SeaBIOS starts Multiboot kernel '%s' with QEMU's option ROM, but "
			  "%s is not in the boot archive (scripts/mkarchive.py packs it from 'make "
			  "guests' for a Multiboot kernel)", vm->name, c->kernel, rom_path);
		return -ENOENT;
	}
	ret = multiboot_plan(m->kernel->data, m->kernel->size, c->kernel, c->cmdline, c->initrd,
			     m->initrd ? m->initrd->data : NULL, m->initrd ? m->initrd->size : 0,
			     m->layout.below_4g, alloc_blob, &plan, err, sizeof(err));
	if (ret) {
		log_error("VM %s: kernel '%s' %s", vm->name, c->kernel, err);
		return ret;
	}
	/* fw_cfg copies what it is given: the plan's blob can go right after. */
	ret = fwcfg_add_item_u32(m->fwcfg, FWCFG_KERNEL_ENTRY, plan.entry);
	if (!ret)
		ret = fwcfg_add_item_u32(m->fwcfg, FWCFG_KERNEL_ADDR, plan.load_addr);
	if (!ret)
		ret = fwcfg_add_item_u32(m->fwcfg, FWCFG_KERNEL_SIZE, plan.blob_size);
	if (!ret)
		ret = fwcfg_add_item(m->fwcfg, FWCFG_KERNEL_DATA, plan.blob, plan.blob_size);
	if (!ret)
		ret = fwcfg_add_item_u32(m->fwcfg, FWCFG_INITRD_ADDR, MULTIBOOT_MBI_ADDR);
	if (!ret)
		ret = fwcfg_add_item_u32(m->fwcfg, FWCFG_INITRD_SIZE, MULTIBOOT_MBI_SIZE);
	if (!ret)
		ret = fwcfg_add_item(m->fwcfg, FWCFG_INITRD_DATA, plan.mbi, MULTIBOOT_MBI_SIZE);
	if (!ret) {
		uint8_t *patched = rom_with_accessed_descriptors(rom);

		ret = patched ? fwcfg_add_file(m->fwcfg, MULTIBOOT_ROM_FILE, patched, rom->size)
			      : -ENOMEM;
		kfree(patched);
	}
	/* Boot index 0: SeaBIOS runs the ROM's boot entry first. */
	if (!ret)
		ret = fwcfg_add_file(m->fwcfg, "bootorder", bootorder, sizeof(bootorder));
	kfree(plan.blob);
	if (ret) {
		log_error("VM %s: cannot put the Multiboot kernel into fw_cfg (%d)", vm->name, ret);
		return ret;
	}
	log_info("VM %s: Multiboot kernel at 0x%x (%u KiB with its boot information), entry "
		 "0x%x%s; through %s", vm->name, plan.load_addr, plan.blob_size >> 10, plan.entry,
		 plan.module_size ? ", initrd as module 0" : "", rom_path);
	return 0;
}

int pc_kernel_prepare(struct pc_board *m)
{
	uint32_t offset, flags;

	if (!m->kernel || is_bzimage(m->kernel))
		return pc_linux_prepare(m);
	if (multiboot_find_header(m->kernel->data, m->kernel->size, &offset, &flags))
		return pc_multiboot_prepare(m);
	log_error("VM %s: kernel '%s' is neither a Linux bzImage nor a Multiboot kernel (the pc "
		  "machine boots those, through SeaBIOS, as QEMU's -kernel does)", m->vm->name,
		  m->vm->config.kernel);
	return -EINVAL;
}
