/* SPDX-License-Identifier: MIT */
/*
 * PAM (programmable attribute map): seven registers of a PC host bridge
 * (i440FX 0x59..0x5F, Q35 MCH 0x90..0x96) deciding, per piece of
 * 0xC0000..0xFFFFF, whether reads and writes go to RAM or to the ROM/PCI
 * side.  The VM owns the memory map, so each PAM write is handed to the
 * VM's callback, one call per piece:
 *
 *   PAM0 bits 5:4           0xF0000, 64 KiB
 *   PAMn bits 1:0 / 5:4     0xC0000 + (n-1) * 32 KiB (+16 KiB), 16 KiB each
 */
#ifndef PCI_PAM_H
#define PCI_PAM_H

#include <stdint.h>

#define PCI_PAM_COUNT 7

enum pci_pam_mode {
	PCI_PAM_PCI = 0,         /* reads and writes go to ROM / PCI        */
	PCI_PAM_READ_ONLY = 1,   /* reads from RAM, writes go to ROM / PCI  */
	PCI_PAM_WRITE_ONLY = 2,  /* writes to RAM, reads from ROM / PCI     */
	PCI_PAM_READ_WRITE = 3,  /* RAM                                     */
};

typedef void (*pci_pam_update_fn)(void *opaque, uint32_t base, uint32_t size,
				  enum pci_pam_mode mode);

#endif
