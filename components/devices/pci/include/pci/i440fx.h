/* SPDX-License-Identifier: MIT */
/*
 * The i440FX host bridge (8086:1237) at 00:00.0, as SeaBIOS and OVMF
 * expect it.  Its only behaviour is PAM: seven registers (0x59..0x5F)
 * deciding, per piece of 0xC0000..0xFFFFF, whether reads and writes go
 * to RAM or to the ROM/PCI side.  The VM owns the memory map, so each
 * PAM write is handed to the VM's callback, one call per piece:
 *
 *   PAM0 bits 5:4           0xF0000, 64 KiB
 *   PAMn bits 1:0 / 5:4     0xC0000 + (n-1) * 32 KiB (+16 KiB), 16 KiB each
 */
#ifndef PCI_I440FX_H
#define PCI_I440FX_H

#include <stdint.h>
#include <pci/pci.h>

#define PCI_I440FX_PAM0 0x59
#define PCI_I440FX_PAM_COUNT 7

enum pci_pam_mode {
	PCI_PAM_PCI = 0,         /* reads and writes go to ROM / PCI        */
	PCI_PAM_READ_ONLY = 1,   /* reads from RAM, writes go to ROM / PCI  */
	PCI_PAM_WRITE_ONLY = 2,  /* writes to RAM, reads from ROM / PCI     */
	PCI_PAM_READ_WRITE = 3,  /* RAM                                     */
};

typedef void (*pci_pam_update_fn)(void *opaque, uint32_t base, uint32_t size,
				  enum pci_pam_mode mode);

struct pci_i440fx;

/*
 * Creates the bridge and attaches it at 00:00.0.  pam_update is called
 * for every piece a PAM write covers (changed or not) and for all pieces
 * on reset.  NULL on failure.
 */
struct pci_i440fx *pci_i440fx_create(struct pci_host *host, pci_pam_update_fn pam_update,
				     void *opaque);
void pci_i440fx_destroy(struct pci_i440fx *bridge);
struct pci_function *pci_i440fx_function(struct pci_i440fx *bridge);
/* The mode of the piece holding addr (0xC0000..0xFFFFF), PCI elsewhere. */
enum pci_pam_mode pci_i440fx_pam_mode(const struct pci_i440fx *bridge, uint32_t addr);

#endif
