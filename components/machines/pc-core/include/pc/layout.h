/* SPDX-License-Identifier: MIT */
/*
 * The pc machine's guest-physical memory map, as QEMU's pc (i440FX)
 * board lays it out (QEMU hw/i386/pc_piix.c, hw/i386/x86-common.c;
 * docs/machines.md):
 *
 *   0 .. below_4g            RAM; all of it when RAM < 0xE0000000,
 *                            else 0xC0000000 (the 32-bit PCI hole above);
 *                            less with ram-below-4g in the VM configuration
 *   0xA0000 .. 0xBFFFF       VGA window (no RAM visible)
 *   0xC0000 .. 0xFFFFF       RAM or ROM piece by piece (PAM)
 *   vars_base .. bios_base   the UEFI variable store, writable flash
 *                            (only with a split image: firmware-vars)
 *   4 GiB - bios_size        the firmware image, read-only flash
 *   4 GiB .. + above_4g      the rest of RAM
 *
 * The firmware goes at the top of 4 GiB as QEMU's hw/i386/pc_sysfw.c puts
 * its flash: pflash0 (code) ends at 4 GiB, pflash1 (variables) directly
 * below it, so a split OVMF_CODE/OVMF_VARS pair sits where the single
 * OVMF.fd would (EDK2 OvmfPkg/Include/Fdf/OvmfPkgDefines.fdf.inc).
 *
 * The etc/e820 table the firmware reads from fw_cfg lists RAM below and
 * above 4 GiB (type 1), as QEMU's does: the firmware reserves its own
 * image (SeaBIOS src/fw/paravirt.c qemu_preinit; OVMF describes its flash
 * as MMIO itself).
 * Plain C: tested on the host (tests/test_layout.c).
 */
#ifndef PC_LAYOUT_H
#define PC_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#define PC_LOWMEM_MAX       0xE0000000ull  /* all RAM below 4 GiB up to here */
#define PC_LOWMEM_SPLIT     0xC0000000ull  /* ... else this much, the rest above */
#define PC_4G               0x100000000ull
#define PC_VGA_BASE         0xA0000u
#define PC_PAM_BASE         0xC0000u
#define PC_PAM_END          0x100000u
#define PC_BIOS_LOW_BASE    0xE0000u
#define PC_BIOS_LOW_SIZE    0x20000u       /* the last 128 KiB of the BIOS */
#define PC_BIOS_MAX_SIZE    (16u << 20)    /* code and variables together */
#define PC_BIOS_ALIGN       0x10000u       /* a whole image alone (QEMU -bios) */
#define PC_FLASH_SECTOR     0x1000u        /* a split image: CFI 4 KiB sectors */

/* QEMU's ACPI_DATA_SIZE for current pc machines: kept free below the end of low RAM. */
#define PC_ACPI_DATA_SIZE   0x28000u

#define E820_RAM      1
#define E820_RESERVED 2
#define PC_E820_ENTRY_SIZE 20           /* packed u64 addr, u64 len, u32 type */
#define PC_E820_MAX   4

struct pc_memory_layout {
	uint64_t below_4g;      /* bytes of RAM from 0                          */
	uint64_t above_4g;      /* bytes of RAM from 4 GiB                      */
	uint64_t bios_base;     /* 4 GiB - bios_size                            */
	uint64_t bios_size;     /* the firmware (code) image                    */
	uint64_t vars_base;     /* bios_base - vars_size                        */
	uint64_t vars_size;     /* the variable store; 0: none                  */
};

/*
 * Plans the map for memory bytes of RAM, at most ram_below_4g of them
 * below 4 GiB (0: the default of QEMU's pc, 3.5 GiB; the VM configuration's
 * ram-below-4g, QEMU's max-ram-below-4g), a firmware image of bios_size
 * bytes (0: none) and a variable store of vars_size bytes (0: none).
 * Accepted: a firmware alone that is a multiple of 64 KiB (SeaBIOS,
 * OVMF.fd), or a firmware with its variable store, each a multiple of
 * 4 KiB (OVMF_CODE_4M.fd + OVMF_VARS_4M.fd); at most 16 MiB in all.
 * 0, or -EINVAL with one sentence in err saying what is accepted.
 */
int pc_plan_memory(uint64_t memory, uint64_t ram_below_4g, uint64_t bios_size,
		   uint64_t vars_size, struct pc_memory_layout *out, char *err, size_t err_len);

/*
 * How much RAM a board keeps below 4 GiB: all of it up to max; a VM whose
 * RAM reaches max keeps split below and the rest above 4 GiB.  QEMU's pc
 * (hw/i386/pc_piix.c): max 0xE0000000, split 0xC0000000; q35
 * (hw/i386/pc_q35.c): max 0xB0000000, split 0x80000000, which leaves the
 * firmware room for the ECAM window below the 32-bit PCI hole.
 */
struct pc_lowmem_rule {
	uint64_t max;
	uint64_t split;
};
#define PC_LOWMEM_RULE_PC  { PC_LOWMEM_MAX, PC_LOWMEM_SPLIT }
#define PC_Q35_LOWMEM_MAX   0xB0000000ull
#define PC_Q35_LOWMEM_SPLIT 0x80000000ull
#define PC_LOWMEM_RULE_Q35 { PC_Q35_LOWMEM_MAX, PC_Q35_LOWMEM_SPLIT }

/* pc_plan_memory() with a board's rule (pc_plan_memory uses QEMU pc's). */
int pc_plan_memory_rule(const struct pc_lowmem_rule *rule, uint64_t memory,
			uint64_t ram_below_4g, uint64_t bios_size, uint64_t vars_size,
			struct pc_memory_layout *out, char *err, size_t err_len);

/*
 * The etc/e820 file: 20-byte little-endian records.  Writes at most
 * max_entries; returns the number of entries.
 */
unsigned int pc_build_e820(const struct pc_memory_layout *layout, uint8_t *buf,
			   unsigned int max_entries);

/* The 16 KiB (0xC0000..0xEFFFF) or 64 KiB (0xF0000) PAM piece holding addr: 0..12. */
static inline unsigned int pc_pam_piece(uint32_t addr)
{
	return addr >= 0xF0000u ? 12 : (addr - PC_PAM_BASE) / 0x4000u;
}
#define PC_PAM_PIECES 13

#endif
