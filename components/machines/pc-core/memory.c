/* SPDX-License-Identifier: MIT */
/*
 * The pc machine's memory: RAM below and above 4 GiB, the firmware in
 * flash ending at 4 GiB, and the PAM area 0xC0000..0xFFFFF whose pieces
 * the chipset switches between RAM and ROM (SeaBIOS src/fw/shadow.c,
 * QEMU hw/pci-host/pam.c; docs/machines.md).
 *
 * The flash is QEMU's (hw/i386/pc_sysfw.c): CFI, one byte wide, 4 KiB
 * sectors; pflash0 holds the firmware image, read-only, and ends at
 * 4 GiB; with firmware-vars, pflash1 directly below it holds this VM's
 * copy of the variable store, writable.  OVMF probes the bank at its FD
 * base (the variable store) and keeps its variables there when it
 * answers as writable flash (EDK2 OvmfPkg/QemuFlashFvbServicesRuntimeDxe/
 * QemuFlash.c); a firmware alone is read-only flash, as QEMU's -bios is
 * ROM, and OVMF then keeps its variables in RAM.  Both banks run from
 * mapped memory while in read-array mode (<vm/flash.h>).
 *
 * Each PAM piece is mapped so that the common cases run at full speed:
 *
 *   mode                   mapping                      what traps
 *   RAM read/write (3)     the RAM pages, read/write    nothing
 *   read-only (1)          the RAM pages, read-only     writes (dropped: they go to ROM)
 *   PCI/ROM (0)            the BIOS low alias read-only, writes (dropped)
 *                          or nothing (0xC0000..0xDFFFF) reads (0xFF) and writes
 *   write-only (2)         nothing                      reads (ROM side), writes (RAM)
 *
 * Trapped accesses land in the "pam" bus region below, which applies the
 * piece's mode byte by byte.  The VGA window 0xA0000..0xBFFFF has no
 * RAM behind it and no VGA card: as on a QEMU pc without one (-vga
 * none) reads give all-ones and writes vanish, without a word, so that
 * Linux's vgacon probe at 0xB8000 finds no card instead of filling the
 * log with unassigned accesses (Linux drivers/video/console/vgacon.c).
 */
#include <errno.h>
#include <string.h>

#include <bus/bus.h>
#include <core/log.h>
#include <core/mm.h>
#include <vcpu/gspace.h>
#include <vm/flash.h>

#include <pc/board.h>

static uint8_t *low_ram(struct pc_board *m)
{
	return m->vm->ram[0].host;
}

/* The BIOS's low alias: its last 128 KiB (or all of a smaller image) below 1 MiB. */
static uint32_t bios_alias_base(const struct pc_board *m)
{
	uint64_t size = m->layout.bios_size < PC_BIOS_LOW_SIZE ? m->layout.bios_size
							       : PC_BIOS_LOW_SIZE;

	return (uint32_t)(PC_PAM_END - size);
}

/* The BIOS byte that the ROM side shows at addr (< 1 MiB), or NULL. */
static const uint8_t *bios_alias(const struct pc_board *m, uint32_t addr)
{
	if (!m->bios || addr < bios_alias_base(m) || addr >= PC_PAM_END)
		return NULL;
	return m->bios + m->layout.bios_size - (PC_PAM_END - addr);
}

static uint32_t piece_base(unsigned int piece)
{
	return piece == 12 ? 0xF0000u : PC_PAM_BASE + piece * 0x4000u;
}

static uint32_t piece_size(unsigned int piece)
{
	return piece == 12 ? 0x10000u : 0x4000u;
}

static void map_piece(struct pc_board *m, unsigned int piece, enum pci_pam_mode mode)
{
	struct vm *vm = m->vm;
	uint32_t base = piece_base(piece), size = piece_size(piece);
	const uint8_t *rom = bios_alias(m, base);
	int ret = 0;

	gspace_unmap(vm->gs, base, size);     /* -ENOENT when nothing was mapped: fine */
	switch (mode) {
	case PCI_PAM_READ_WRITE:
		ret = gspace_map(vm->gs, base, (uintptr_t)(low_ram(m) + base), size, GSPACE_RWX,
				 GSPACE_MEM_NORMAL);
		break;
	case PCI_PAM_READ_ONLY:
		ret = gspace_map(vm->gs, base, (uintptr_t)(low_ram(m) + base), size,
				 GSPACE_READ | GSPACE_EXEC, GSPACE_MEM_NORMAL);
		break;
	case PCI_PAM_PCI:
		if (rom)
			ret = gspace_map(vm->gs, base, (uintptr_t)rom, size,
					 GSPACE_READ | GSPACE_EXEC, GSPACE_MEM_NORMAL);
		break;
	case PCI_PAM_WRITE_ONLY:
		break;
	}
	if (ret)
		log_error("VM %s: cannot map PAM piece 0x%x (%d)", vm->name, base, ret);
}

void pc_pam_update(void *opaque, uint32_t base, uint32_t size, enum pci_pam_mode mode)
{
	struct pc_board *m = opaque;
	unsigned int piece;

	if (base < PC_PAM_BASE || base >= PC_PAM_END || size == 0)
		return;
	piece = pc_pam_piece(base);
	if (m->pam_known && m->pam[piece] == mode)
		return;
	m->pam[piece] = mode;
	m->pam_switches++;
	map_piece(m, piece, mode);
}

/* ---- trapped accesses to the PAM area ---- */

static uint8_t pam_read_byte(struct pc_board *m, uint32_t addr)
{
	enum pci_pam_mode mode = m->pam[pc_pam_piece(addr)];
	const uint8_t *rom;

	if (mode == PCI_PAM_READ_ONLY || mode == PCI_PAM_READ_WRITE)
		return low_ram(m)[addr];
	rom = bios_alias(m, addr);
	return rom ? *rom : 0xFF;
}

static uint64_t pam_read(void *opaque, uint64_t offset, unsigned width)
{
	struct pc_board *m = opaque;
	uint64_t v = 0;

	for (unsigned int i = 0; i < width; i++) {
		uint64_t addr = PC_PAM_BASE + offset + i;

		v |= (uint64_t)(addr < PC_PAM_END ? pam_read_byte(m, (uint32_t)addr) : 0xFF) << (8 * i);
	}
	return v;
}

static void pam_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct pc_board *m = opaque;

	for (unsigned int i = 0; i < width; i++) {
		uint64_t addr = PC_PAM_BASE + offset + i;
		enum pci_pam_mode mode;

		if (addr >= PC_PAM_END)
			break;
		mode = m->pam[pc_pam_piece((uint32_t)addr)];
		/* Writes to the ROM side are lost, as on the chipset. */
		if (mode == PCI_PAM_WRITE_ONLY || mode == PCI_PAM_READ_WRITE)
			low_ram(m)[addr] = (uint8_t)(value >> (8 * i));
	}
}

static const struct bus_ops pam_ops = {
	.read = pam_read,
	.write = pam_write,
};

static const struct bus_rules pam_rules = {
	.min_width = 1,
	.max_width = 8,
	.unaligned_ok = true,
	.oversize = BUS_OVERSIZE_SPLIT,
	.undersize = BUS_UNDERSIZE_EXTEND,
};

/* ---- the VGA window: no card ---- */

static uint64_t vga_read(void *opaque, uint64_t offset, unsigned width)
{
	struct pc_board *m = opaque;

	(void)offset;
	m->vga_accesses++;
	return width >= 8 ? ~0ull : (1ull << (8 * width)) - 1;
}

static void vga_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct pc_board *m = opaque;

	(void)offset;
	(void)width;
	(void)value;
	m->vga_accesses++;
}

static const struct bus_ops vga_ops = {
	.read = vga_read,
	.write = vga_write,
};

/* pflash0, the firmware, and pflash1, the variables (QEMU hw/i386/pc_sysfw.c). */
static int flash_build(struct pc_board *m)
{
	struct vm *vm = m->vm;
	struct vm_flash_config cfg = {
		.name = "pflash0-code",
		.gpa = m->layout.bios_base,
		.size = m->layout.bios_size,
		.block_size = PC_FLASH_SECTOR,
		.bank_width = 1,
		.device_width = 1,
		.read_only = true,
		.image = m->firmware->data,
		.image_size = m->firmware->size,
	};
	int ret = vm_flash_create(&m->code, vm, &cfg);

	if (ret)
		return ret;
	m->bios = vm_flash_memory(&m->code);
	if (!m->vars_image)
		return 0;
	cfg.name = "pflash1-vars";
	cfg.gpa = m->layout.vars_base;
	cfg.size = m->layout.vars_size;
	cfg.read_only = false;
	cfg.image = m->vars_image->data;
	cfg.image_size = m->vars_image->size;
	return vm_flash_create(&m->vars, vm, &cfg);
}

int pc_memory_build(struct pc_board *m)
{
	struct vm *vm = m->vm;
	char err[400];
	int ret;

	ret = pc_plan_memory_rule(&m->ops->lowmem, vm->config.memory, vm->config.ram_below_4g,
				  m->firmware ? m->firmware->size : 0,
				  m->vars_image ? m->vars_image->size : 0, &m->layout, err,
				  sizeof(err));
	if (ret) {
		log_error("VM %s: firmware '%s' %s", vm->name, vm->config.firmware, err);
		return ret;
	}
	ret = vm_add_ram(vm, 0, m->layout.below_4g);
	if (!ret && m->layout.above_4g)
		ret = vm_add_ram(vm, PC_4G, m->layout.above_4g);
	if (ret)
		return ret;
	/* 0xA0000..0xFFFFF: the VGA window and the PAM pieces, mapped piece by piece. */
	gspace_unmap(vm->gs, PC_VGA_BASE, PC_PAM_END - PC_VGA_BASE);
	ret = bus_register_mmio(vm->bus, "pam", PC_PAM_BASE, PC_PAM_END - PC_PAM_BASE, &pam_ops,
				m, &pam_rules);
	if (!ret)
		ret = bus_register_mmio(vm->bus, "vga-window", PC_VGA_BASE, PC_PAM_BASE - PC_VGA_BASE,
					&vga_ops, m, &pam_rules);
	if (ret)
		return ret;
	if (m->firmware) {
		ret = flash_build(m);
		if (ret)
			return ret;
	}
	for (unsigned int i = 0; i < PC_PAM_PIECES; i++)
		map_piece(m, i, PCI_PAM_PCI);
	m->pam_known = true;
	return 0;
}

int pc_memory_reset(struct pc_board *m)
{
	/* The flash keeps its contents (the variables survive a reset), in
	 * read-array mode again as after power-on. */
	vm_flash_reset(&m->code);
	vm_flash_reset(&m->vars);
	for (unsigned int i = 0; i < PC_PAM_PIECES; i++)
		pc_pam_update(m, piece_base(i), piece_size(i), PCI_PAM_PCI);
	return 0;
}

void pc_memory_destroy(struct pc_board *m)
{
	if (m->bios) {
		for (unsigned int i = 0; i < PC_PAM_PIECES; i++)
			gspace_unmap(m->vm->gs, piece_base(i), piece_size(i));
		m->bios = NULL;
	}
	vm_flash_destroy(&m->vars);
	vm_flash_destroy(&m->code);
	bus_unregister(m->vm->bus, BUS_SPACE_MMIO, PC_PAM_BASE);
	bus_unregister(m->vm->bus, BUS_SPACE_MMIO, PC_VGA_BASE);
}
