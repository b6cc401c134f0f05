/* SPDX-License-Identifier: MIT */
/*
 * The i440FX host bridge (8086:1237) at 00:00.0, as SeaBIOS and OVMF
 * expect it.  Its only behaviour is PAM (<pci/pam.h>): seven registers
 * at 0x59..0x5F switching the BIOS areas between ROM and shadow RAM.
 */
#ifndef PCI_I440FX_H
#define PCI_I440FX_H

#include <stdint.h>
#include <pci/pam.h>
#include <pci/pci.h>

#define PCI_I440FX_PAM0 0x59
#define PCI_I440FX_PAM_COUNT PCI_PAM_COUNT

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
