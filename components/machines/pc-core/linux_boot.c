/* SPDX-License-Identifier: MIT */
/*
 * A Linux bzImage for SeaBIOS, as QEMU does with -bios plus -kernel: the
 * image split by bzimage_plan() (the setup part, the protected-mode
 * kernel, the initrd and the command line) as fw_cfg items, and the
 * option ROM genroms/linuxboot_dma.bin with boot index 0 in bootorder.
 * SeaBIOS runs the ROM, which loads everything by fw_cfg DMA to the
 * addresses the items name and jumps to the kernel's setup code.
 *
 * The ROM is QEMU's (Debian qemu-system-data); it is taken from the
 * archive next to the firmware: firmware = guests/bios-256k.bin looks for
 * guests/linuxboot_dma.bin, which scripts/mkarchive.py packs with it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <core/log.h>
#include <core/mm.h>
#include <fwcfg/fwcfg.h>

#include <pc/board.h>

#define PC_OPTION_ROM_NAME "linuxboot_dma.bin"
#define PC_OPTION_ROM_FILE "genroms/linuxboot_dma.bin"
#define PC_SETUP_MAX       ((255u + 1) * 512)   /* setup_sects is one byte */

/* <folder of the firmware>/linuxboot_dma.bin in the archive, or NULL. */
static const struct bootfs_file *find_option_rom(struct pc_board *m, char *path, size_t len)
{
	const char *fw = m->vm->config.firmware;
	const char *slash = strrchr(fw, '/');
	int n = slash ? (int)(slash - fw + 1) : 0;

	snprintf(path, len, "%.*s%s", n, fw, PC_OPTION_ROM_NAME);
	return bootfs_find(path);
}

static int add_u32(struct pc_board *m, uint16_t key, uint32_t v, int ret)
{
	return ret ? ret : fwcfg_add_item_u32(m->fwcfg, key, v);
}

static int add_data(struct pc_board *m, uint16_t key, const void *data, size_t len, int ret)
{
	return ret ? ret : fwcfg_add_item(m->fwcfg, key, data, len);
}

int pc_linux_prepare(struct pc_board *m)
{
	struct vm *vm = m->vm;
	const struct vm_config *c = &vm->config;
	const char *cmdline = c->cmdline;
	static const char bootorder[] = "/rom@" PC_OPTION_ROM_FILE "\n";
	char rom_path[VM_PATH_MAX + sizeof(PC_OPTION_ROM_NAME)];
	char err[160];
	int ret = 0;

	if (!m->kernel)
		return 0;
	m->option_rom = find_option_rom(m, rom_path, sizeof(rom_path));
	if (!m->option_rom) {
		log_error("VM %s: SeaBIOS loads kernel '%s' with QEMU's option ROM, but %s is not "
			  "in the boot archive (scripts/mkarchive.py packs it from 'make guests' "
			  "when a VM has firmware and a kernel)", vm->name, c->kernel, rom_path);
		return -ENOENT;
	}
	m->setup = kmalloc(PC_SETUP_MAX);
	if (!m->setup)
		return -ENOMEM;
	if (bzimage_plan(m->kernel->data, m->kernel->size, m->initrd ? m->initrd->size : 0,
			 cmdline, m->layout.below_4g, m->setup, PC_SETUP_MAX, &m->plan, err,
			 sizeof(err))) {
		log_error("VM %s: kernel '%s' %s", vm->name, c->kernel, err);
		return -EINVAL;
	}
	ret = add_u32(m, FWCFG_SETUP_ADDR, m->plan.setup_addr, ret);
	ret = add_u32(m, FWCFG_SETUP_SIZE, m->plan.setup_size, ret);
	ret = add_data(m, FWCFG_SETUP_DATA, m->plan.setup, m->plan.setup_size, ret);
	ret = add_u32(m, FWCFG_KERNEL_ADDR, m->plan.kernel_addr, ret);
	ret = add_u32(m, FWCFG_KERNEL_SIZE, m->plan.kernel_size, ret);
	ret = add_data(m, FWCFG_KERNEL_DATA, (const uint8_t *)m->kernel->data + m->plan.setup_size,
		       m->plan.kernel_size, ret);
	if (m->initrd) {
		ret = add_u32(m, FWCFG_INITRD_ADDR, m->plan.initrd_addr, ret);
		ret = add_u32(m, FWCFG_INITRD_SIZE, m->plan.initrd_size, ret);
		ret = add_data(m, FWCFG_INITRD_DATA, m->initrd->data, m->initrd->size, ret);
	}
	ret = add_u32(m, FWCFG_CMDLINE_ADDR, m->plan.cmdline_addr, ret);
	ret = add_u32(m, FWCFG_CMDLINE_SIZE, m->plan.cmdline_size, ret);
	ret = add_data(m, FWCFG_CMDLINE_DATA, cmdline, m->plan.cmdline_size, ret);
	if (!ret)
		ret = fwcfg_add_file(m->fwcfg, PC_OPTION_ROM_FILE, m->option_rom->data,
				     m->option_rom->size);
	/* Boot index 0: SeaBIOS tries the ROM's boot entry first. */
	if (!ret)
		ret = fwcfg_add_file(m->fwcfg, "bootorder", bootorder, sizeof(bootorder));
	if (ret) {
		log_error("VM %s: cannot put the kernel into fw_cfg (%d)", vm->name, ret);
		return ret;
	}
	log_info("VM %s: bzImage protocol %u.%02u: setup %u bytes at 0x%x, kernel %u bytes at "
		 "0x%x, initrd %u bytes at 0x%x, command line at 0x%x; through %s", vm->name,
		 m->plan.protocol >> 8, m->plan.protocol & 0xff, m->plan.setup_size,
		 m->plan.setup_addr, m->plan.kernel_size, m->plan.kernel_addr,
		 m->plan.initrd_size, m->plan.initrd_addr, m->plan.cmdline_addr, rom_path);
	return 0;
}

void pc_linux_free(struct pc_board *m)
{
	kfree(m->setup);
	m->setup = NULL;
}
