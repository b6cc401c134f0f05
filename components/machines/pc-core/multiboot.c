/* SPDX-License-Identifier: MIT */
/*
 * The kernel formats the pc machine boots through SeaBIOS, as QEMU's
 * -kernel does (hw/i386/x86-common.c x86_load_linux()), tried in QEMU's
 * order:
 *
 *   a Linux bzImage      linux_boot.c, QEMU's linuxboot_dma.bin
 *   a Multiboot kernel   here, multiboot_dma.bin (<pc/multiboot.h>)
 *   a PVH ELF kernel     here: an ELF file with the Xen note
 *                        XEN_ELFNOTE_PHYS32_ENTRY (18) giving its 32-bit
 *                        entry; its segments are copied into RAM at every
 *                        reset (QEMU's hw/i386/pvh.c loads them as ROM
 *                        blobs) and QEMU's pvh.bin builds the
 *                        hvm_start_info (Xen's arch-x86/hvm/start_info.h:
 *                        command line, e820 memory map, RSDP) and enters
 *                        it in 32-bit protected mode with EBX pointing to it
 *
 * Anything else is refused with one sentence naming the formats.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <core/log.h>
#include <core/mm.h>
#include <fwcfg/fwcfg.h>

#include <lib/elf.h>
#include <pc/board.h>
#include <pc/multiboot.h>

#define MULTIBOOT_ROM_NAME "multiboot_dma.bin"
#define MULTIBOOT_ROM_FILE "genroms/multiboot_dma.bin"
#define PVH_ROM_NAME "pvh.bin"
#define PVH_ROM_FILE "genroms/pvh.bin"
#define XEN_ELFNOTE_PHYS32_ENTRY 18

/* A PVH kernel's segments, copied into RAM at every reset. */
struct pc_pvh {
	struct elf_image elf;
	const uint8_t *file;
};

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

/* <folder of the firmware>/<name> in the archive, its path in path; NULL if absent. */
static const struct bootfs_file *option_rom(struct pc_board *m, const char *name, char *path,
					    size_t len)
{
	const char *fw = m->vm->config.firmware, *slash = strrchr(fw, '/');

	snprintf(path, len, "%.*s%s", slash ? (int)(slash - fw + 1) : 0, fw, name);
	return bootfs_find(path);
}

/* The ROM (its GDT marked accessed) with boot index 0 in bootorder. */
static int add_rom(struct pc_board *m, const struct bootfs_file *rom, const char *file)
{
	char bootorder[64];
	uint8_t *patched = rom_with_accessed_descriptors(rom);
	int ret;

	if (!patched)
		return -ENOMEM;
	ret = fwcfg_add_file(m->fwcfg, file, patched, rom->size);
	kfree(patched);
	snprintf(bootorder, sizeof(bootorder), "/rom@%s\n", file);
	/* Boot index 0: SeaBIOS runs the ROM's boot entry first. */
	return ret ? ret : fwcfg_add_file(m->fwcfg, "bootorder", bootorder, strlen(bootorder) + 1);
}

/* The 32-bit PVH entry of an ELF kernel; false if it has none. */
static bool pvh_entry(const struct bootfs_file *k, uint32_t *entry)
{
	const uint8_t *desc;
	size_t len;

	if (!elf_find_note(k->data, k->size, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &desc, &len) ||
	    len < 4)
		return false;
	*entry = (uint32_t)desc[0] | (uint32_t)desc[1] << 8 | (uint32_t)desc[2] << 16 |
		 (uint32_t)desc[3] << 24;
	return true;
}

static int pc_pvh_prepare(struct pc_board *m, uint32_t entry)
{
	struct vm *vm = m->vm;
	const struct vm_config *c = &vm->config;
	const struct bootfs_file *rom;
	char rom_path[VM_PATH_MAX + sizeof(PVH_ROM_NAME)], err[160], what[24];
	struct pc_pvh *pvh;
	size_t cmd_len = strlen(c->cmdline) + 1;
	int ret;

	rom = option_rom(m, PVH_ROM_NAME, rom_path, sizeof(rom_path));
	if (!rom) {
		log_error("VM %s: SeaBIOS starts PVH kernel '%s' with QEMU's option ROM, but %s is "
			  "not in the boot archive (scripts/mkarchive.py packs it from 'make "
			  "guests' for a PVH kernel)", vm->name, c->kernel, rom_path);
		return -ENOENT;
	}
	pvh = kzalloc(sizeof(*pvh));
	if (!pvh)
		return -ENOMEM;
	m->pvh = pvh;
	pvh->file = m->kernel->data;
	if (elf_parse(m->kernel->data, m->kernel->size, &pvh->elf, err, sizeof(err))) {
		log_error("VM %s: kernel '%s' %s", vm->name, c->kernel, err);
		return -EINVAL;
	}
	if (pvh->elf.machine != ELF_MACHINE_X86 && pvh->elf.machine != ELF_MACHINE_X86_64) {
		log_error("VM %s: kernel '%s' is a PVH ELF file for %s, not x86", vm->name,
			  c->kernel, elf_machine_name(pvh->elf.machine, what, sizeof(what)));
		return -EINVAL;
	}
	/* The segments by their physical addresses, in RAM above 1 MiB. */
	if (pvh->elf.lowest < 0x100000 || pvh->elf.highest > m->layout.below_4g ||
	    entry < pvh->elf.lowest || entry >= pvh->elf.highest) {
		log_error("VM %s: kernel '%s' is a PVH kernel for 0x%llx-0x%llx (entry 0x%x), which is "
			  "not inside the VM's RAM from 1 MiB to %llu MiB", vm->name, c->kernel,
			  (unsigned long long)pvh->elf.lowest, (unsigned long long)pvh->elf.highest,
			  entry, (unsigned long long)(m->layout.below_4g >> 20));
		return -EINVAL;
	}
	ret = fwcfg_add_item_u32(m->fwcfg, FWCFG_KERNEL_ENTRY, entry);
	if (!ret)
		ret = fwcfg_add_item_u32(m->fwcfg, FWCFG_KERNEL_ADDR, (uint32_t)pvh->elf.lowest);
	if (!ret)
		ret = fwcfg_add_item_u32(m->fwcfg, FWCFG_KERNEL_SIZE,
					 (uint32_t)(pvh->elf.highest - pvh->elf.lowest));
	if (!ret)
		ret = fwcfg_add_item_u32(m->fwcfg, FWCFG_CMDLINE_SIZE, (uint32_t)cmd_len);
	if (!ret)
		ret = fwcfg_add_item(m->fwcfg, FWCFG_CMDLINE_DATA, c->cmdline, cmd_len);
	if (!ret)
		ret = add_rom(m, rom, PVH_ROM_FILE);
	if (ret) {
		log_error("VM %s: cannot put the PVH kernel into fw_cfg (%d)", vm->name, ret);
		return ret;
	}
	log_info("VM %s: PVH kernel at 0x%llx-0x%llx, 32-bit entry 0x%x%s; through %s", vm->name,
		 (unsigned long long)pvh->elf.lowest, (unsigned long long)pvh->elf.highest, entry,
		 m->initrd ? " (pvh.bin passes no initrd: it is left out)" : "", rom_path);
	return 0;
}

int pc_kernel_reset(struct pc_board *m)
{
	struct pc_pvh *pvh = m->pvh;
	int ret = 0;

	if (!pvh)
		return 0;
	/* RAM was cleared: the segments' memory beyond their file bytes is zero. */
	for (unsigned int i = 0; i < pvh->elf.segment_count && !ret; i++) {
		const struct elf_segment *s = &pvh->elf.segments[i];

		ret = vm_write_guest(m->vm, s->paddr, pvh->file + s->offset, (size_t)s->filesz);
	}
	return ret;
}

void pc_kernel_free(struct pc_board *m)
{
	kfree(m->pvh);
	m->pvh = NULL;
}

static int pc_multiboot_prepare(struct pc_board *m)
{
	struct vm *vm = m->vm;
	const struct vm_config *c = &vm->config;
	struct multiboot_plan plan;
	const struct bootfs_file *rom;
	char rom_path[VM_PATH_MAX + sizeof(MULTIBOOT_ROM_NAME)];
	char err[200];
	int ret;

	rom = option_rom(m, MULTIBOOT_ROM_NAME, rom_path, sizeof(rom_path));
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
	if (!ret)
		ret = add_rom(m, rom, MULTIBOOT_ROM_FILE);
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
	uint32_t offset, flags, entry;

	if (!m->kernel || is_bzimage(m->kernel))
		return pc_linux_prepare(m);
	if (multiboot_find_header(m->kernel->data, m->kernel->size, &offset, &flags))
		return pc_multiboot_prepare(m);
	if (pvh_entry(m->kernel, &entry))
		return pc_pvh_prepare(m, entry);
	log_error("VM %s: kernel '%s' is not a Linux bzImage, a Multiboot kernel or a PVH ELF "
		  "kernel (the pc machine boots those, through SeaBIOS, as QEMU's -kernel does)",
		  m->vm->name, m->vm->config.kernel);
	return -EINVAL;
}
