/* SPDX-License-Identifier: MIT */
/*
 * The pc machine's memory: RAM below and above 4 GiB, the BIOS image at
 * 4 GiB minus its size, and the PAM area 0xC0000..0xFFFFF whose pieces
 * the chipset switches between RAM and ROM (SeaBIOS src/fw/shadow.c,
 * QEMU hw/pci-host/pam.c; docs/machines.md).
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
 * RAM behind it.
 */
#include <errno.h>
#include <string.h>

#include <bus/bus.h>
#include <core/log.h>
#include <core/mm.h>
#include <vcpu/gspace.h>

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

static void load_bios(struct pc_board *m)
{
	if (m->bios)
		memcpy(m->bios, m->firmware->data, m->layout.bios_size);
}

int pc_memory_build(struct pc_board *m)
{
	struct vm *vm = m->vm;
	char err[160];
	int ret;

	ret = pc_plan_memory(vm->config.memory, m->firmware ? m->firmware->size : 0, &m->layout,
			     err, sizeof(err));
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
	if (ret)
		return ret;
	if (m->firmware) {
		m->bios_pages = m->layout.bios_size / PAGE_SIZE;
		m->bios = page_alloc(m->bios_pages);
		if (!m->bios) {
			log_error("VM %s: no memory for the BIOS image", vm->name);
			return -ENOMEM;
		}
		load_bios(m);
		ret = gspace_map(vm->gs, m->layout.bios_base, (uintptr_t)m->bios,
				 m->layout.bios_size, GSPACE_READ | GSPACE_EXEC, GSPACE_MEM_NORMAL);
		if (ret) {
			log_error("VM %s: cannot map the BIOS at 0x%llx (%d)", vm->name,
				  (unsigned long long)m->layout.bios_base, ret);
			return ret;
		}
	}
	for (unsigned int i = 0; i < PC_PAM_PIECES; i++)
		map_piece(m, i, PCI_PAM_PCI);
	m->pam_known = true;
	return 0;
}

int pc_memory_reset(struct pc_board *m)
{
	/* The guest cannot write the image, but a reset starts from the archive's bytes. */
	load_bios(m);
	for (unsigned int i = 0; i < PC_PAM_PIECES; i++)
		pc_pam_update(m, piece_base(i), piece_size(i), PCI_PAM_PCI);
	return 0;
}

void pc_memory_destroy(struct pc_board *m)
{
	if (m->bios) {
		gspace_unmap(m->vm->gs, m->layout.bios_base, m->layout.bios_size);
		for (unsigned int i = 0; i < PC_PAM_PIECES; i++)
			gspace_unmap(m->vm->gs, piece_base(i), piece_size(i));
		page_free(m->bios, m->bios_pages);
		m->bios = NULL;
	}
	bus_unregister(m->vm->bus, BUS_SPACE_MMIO, PC_PAM_BASE);
}
