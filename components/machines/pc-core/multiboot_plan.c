/* SPDX-License-Identifier: MIT */
/* Laying out a Multiboot kernel for QEMU's option ROM (see <pc/multiboot.h>). */
#include <pc/multiboot.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <lib/elf.h>

/* The MBI's fields (Multiboot Specification, "Boot information format"). */
#define MBI_FLAGS        0
#define MBI_BOOT_DEVICE  12
#define MBI_CMDLINE      16
#define MBI_MODS_COUNT   20
#define MBI_MODS_ADDR    24
#define MBI_MMAP_ADDR    48
#define MBI_BOOTLOADER   64
#define MBI_HAS_MEMORY      (1u << 0)       /* mem_lower/upper: the ROM fills them */
#define MBI_HAS_BOOT_DEVICE (1u << 1)
#define MBI_HAS_CMDLINE     (1u << 2)
#define MBI_HAS_MODS        (1u << 3)
#define MBI_HAS_MMAP        (1u << 6)       /* the ROM writes the map and its length */
#define MBI_HAS_BOOTLOADER  (1u << 9)
#define MOD_SIZE 16                          /* start, end, string, reserved */

/* Header flags. */
#define MH_HAS_ADDRESSES (1u << 16)

#define PAGE 4096u
/* Below this the ROM's own data (the MBI, the e820 map) and the BIOS live. */
#define LOWEST_LOAD 0x100000u

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

bool multiboot_find_header(const void *file, size_t size, uint32_t *offset, uint32_t *flags)
{
	const uint8_t *f = file;
	size_t end = size < MULTIBOOT_SEARCH_BYTES ? size : MULTIBOOT_SEARCH_BYTES;

	/* magic, flags, checksum: 32-bit aligned, summing to zero. */
	for (size_t i = 0; i + 12 <= end; i += 4) {
		if (le32(f + i) == MULTIBOOT_HEADER_MAGIC &&
		    (uint32_t)(le32(f + i) + le32(f + i + 4) + le32(f + i + 8)) == 0) {
			*offset = (uint32_t)i;
			*flags = le32(f + i + 4);
			return true;
		}
	}
	return false;
}

/* The kernel's image from its ELF program headers: [lowest, highest) by paddr. */
static int image_from_elf(const uint8_t *f, size_t size, struct multiboot_plan *p,
			  const struct elf_image *e, uint8_t *blob)
{
	for (unsigned int i = 0; i < e->segment_count; i++) {
		const struct elf_segment *s = &e->segments[i];

		memcpy(blob + (s->paddr - p->load_addr), f + s->offset, (size_t)s->filesz);
	}
	(void)size;
	return 0;
}

int multiboot_plan(const void *file, size_t size, const char *name, const char *cmdline,
		   const char *initrd_name, const void *initrd, size_t initrd_size, uint64_t below_4g,
		   void *(*alloc)(size_t), struct multiboot_plan *p, char *err, size_t err_len)
{
	static struct elf_image elf;     /* large for a stack; VMs are built one at a time */
	const uint8_t *f = file;
	uint32_t off, flags, text_offset = 0, load_size = 0;
	uint64_t info_at, cmdline_at, loader_at, module_at, end;
	size_t cmd_len = strlen(name) + 1 + strlen(cmdline) + 1;
	bool from_elf;
	char what[24];

	memset(p, 0, sizeof(*p));
	if (!multiboot_find_header(f, size, &off, &flags)) {
		snprintf(err, err_len, "has no Multiboot header");
		return -EINVAL;
	}
	from_elf = !(flags & MH_HAS_ADDRESSES);
	if (from_elf) {
		if (elf_parse(f, size, &elf, err, err_len))
			return -EINVAL;
		if (elf.bits != 32 || elf.machine != ELF_MACHINE_X86) {
			snprintf(err, err_len, "is a Multiboot kernel in an ELF file for %s%s; "
				 "Multiboot kernels are 32-bit x86 (i386) ELF files",
				 elf_machine_name(elf.machine, what, sizeof(what)),
				 elf.bits == 64 ? " (64-bit)" : "");
			return -EINVAL;
		}
		p->load_addr = (uint32_t)elf.lowest;
		p->kernel_size = (uint32_t)(elf.highest - elf.lowest);
		p->entry = (uint32_t)elf.entry;
	} else {
		/* The header's addresses: header, load, load end, bss end, entry. */
		uint32_t header_addr, load_end, bss_end;

		if (off + 32 > size) {
			snprintf(err, err_len, "has a Multiboot header cut short");
			return -EINVAL;
		}
		header_addr = le32(f + off + 12);
		p->load_addr = le32(f + off + 16);
		load_end = le32(f + off + 20);
		bss_end = le32(f + off + 24);
		p->entry = le32(f + off + 28);
		if (header_addr < p->load_addr || header_addr - p->load_addr > off ||
		    (load_end && load_end < p->load_addr) || (bss_end && load_end && bss_end < load_end)) {
			snprintf(err, err_len, "has a Multiboot header with inconsistent addresses");
			return -EINVAL;
		}
		text_offset = off - (header_addr - p->load_addr);
		load_size = load_end ? load_end - p->load_addr : (uint32_t)(size - text_offset);
		if (load_size > size - text_offset) {
			snprintf(err, err_len, "is shorter than its Multiboot header says");
			return -EINVAL;
		}
		p->kernel_size = bss_end ? bss_end - p->load_addr : load_size;
	}
	/* After the kernel, page aligned: module list, command lines, our name; then the module. */
	info_at = page_up((uint64_t)p->load_addr + p->kernel_size);
	cmdline_at = info_at + MOD_SIZE;
	loader_at = cmdline_at + cmd_len + (initrd ? strlen(initrd_name) + 1 : 0);
	module_at = page_up(loader_at + sizeof(MULTIBOOT_BOOTLOADER));
	end = initrd ? page_up(module_at + initrd_size) : module_at;
	if (p->load_addr < LOWEST_LOAD || end > below_4g || end > 0xFFFFFFFFULL ||
	    p->entry < p->load_addr || p->entry >= (uint64_t)p->load_addr + p->kernel_size) {
		snprintf(err, err_len, "is a Multiboot kernel for 0x%x-0x%llx (entry 0x%x), which is "
			 "not inside the VM's RAM from 1 MiB to %llu MiB", p->load_addr,
			 (unsigned long long)end, p->entry, (unsigned long long)(below_4g >> 20));
		return -EINVAL;
	}
	p->blob_size = (uint32_t)(end - p->load_addr);
	p->blob = alloc(p->blob_size);
	if (!p->blob) {
		snprintf(err, err_len, "is a Multiboot kernel and the hypervisor has no %u KiB free "
			 "for it", p->blob_size >> 10);
		return -ENOMEM;
	}
	memset(p->blob, 0, p->blob_size);
	if (from_elf)
		image_from_elf(f, size, p, &elf, p->blob);
	else
		memcpy(p->blob, f + text_offset, load_size);

	/* The kernel's command line is "<name> <cmdline>", as QEMU makes it. */
	snprintf((char *)p->blob + (cmdline_at - p->load_addr), cmd_len, "%s %s", name, cmdline);
	put32(p->mbi + MBI_CMDLINE, (uint32_t)cmdline_at);
	memcpy(p->blob + (loader_at - p->load_addr), MULTIBOOT_BOOTLOADER,
	       sizeof(MULTIBOOT_BOOTLOADER));
	put32(p->mbi + MBI_BOOTLOADER, (uint32_t)loader_at);
	put32(p->mbi + MBI_MODS_ADDR, (uint32_t)info_at);
	if (initrd) {
		uint8_t *mod = p->blob + (info_at - p->load_addr);
		uint64_t mod_cmdline = cmdline_at + cmd_len;

		/* The module's string is its file's name, as QEMU gives it. */
		memcpy(p->blob + (mod_cmdline - p->load_addr), initrd_name, strlen(initrd_name) + 1);
		memcpy(p->blob + (module_at - p->load_addr), initrd, initrd_size);
		put32(mod, (uint32_t)module_at);
		put32(mod + 4, (uint32_t)(module_at + initrd_size));
		put32(mod + 8, (uint32_t)mod_cmdline);
		put32(p->mbi + MBI_MODS_COUNT, 1);
		p->module_addr = (uint32_t)module_at;
		p->module_size = (uint32_t)initrd_size;
	}
	put32(p->mbi + MBI_FLAGS, MBI_HAS_MEMORY | MBI_HAS_BOOT_DEVICE | MBI_HAS_CMDLINE |
				  MBI_HAS_MODS | MBI_HAS_MMAP | MBI_HAS_BOOTLOADER);
	put32(p->mbi + MBI_BOOT_DEVICE, 0x8000FFFFu);       /* the first disk, no partition */
	put32(p->mbi + MBI_MMAP_ADDR, MULTIBOOT_MMAP_ADDR);
	return 0;
}
