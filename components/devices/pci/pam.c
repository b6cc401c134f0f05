/* SPDX-License-Identifier: MIT */
/*
 * PAM registers of a PC host bridge (i440FX, Q35 MCH): which side,
 * RAM or ROM/PCI, each piece of 0xC0000..0xFFFFF decodes to.
 */
#include "chipset.h"

#define PAM_BIOS_BASE 0xF0000u
#define PAM_BIOS_SIZE 0x10000u
#define PAM_ROM_BASE 0xC0000u
#define PAM_PIECE_SIZE 0x4000u

/* Tells the VM the state of the pieces PAM register n (0..6) controls. */
static void pam_report(struct pci_pam *pam, unsigned n)
{
	uint8_t value = pci_config_get8(pam->fn, pam->reg + n);
	enum pci_pam_mode low = (enum pci_pam_mode)(value & 3);
	enum pci_pam_mode high = (enum pci_pam_mode)((value >> 4) & 3);

	if (!pam->update)
		return;
	if (n == 0) {
		pam->update(pam->opaque, PAM_BIOS_BASE, PAM_BIOS_SIZE, high);
		return;
	}
	uint32_t base = PAM_ROM_BASE + (n - 1) * 2 * PAM_PIECE_SIZE;
	pam->update(pam->opaque, base, PAM_PIECE_SIZE, low);
	pam->update(pam->opaque, base + PAM_PIECE_SIZE, PAM_PIECE_SIZE, high);
}

void pci_pam_init(struct pci_pam *pam, struct pci_function *fn, unsigned reg,
		  pci_pam_update_fn update, void *opaque)
{
	pam->fn = fn;
	pam->reg = reg;
	pam->update = update;
	pam->opaque = opaque;
	/* RE/WE per nibble; PAM0's low nibble is reserved. */
	pci_config_set_wmask(fn, reg, 1, 0x30);
	for (unsigned n = 1; n < PCI_PAM_COUNT; n++)
		pci_config_set_wmask(fn, reg + n, 1, 0x33);
}

void pci_pam_config_write(struct pci_pam *pam, unsigned offset, unsigned width)
{
	for (unsigned i = 0; i < width; i++) {
		unsigned at = offset + i;
		if (at >= pam->reg && at < pam->reg + PCI_PAM_COUNT)
			pam_report(pam, at - pam->reg);
	}
}

void pci_pam_reset(struct pci_pam *pam)
{
	for (unsigned n = 0; n < PCI_PAM_COUNT; n++) {
		pci_config_set8(pam->fn, pam->reg + n, 0);
		pam_report(pam, n);
	}
}

enum pci_pam_mode pci_pam_mode(const struct pci_pam *pam, uint32_t addr)
{
	if (addr >= PAM_BIOS_BASE && addr < PAM_BIOS_BASE + PAM_BIOS_SIZE)
		return (enum pci_pam_mode)((pci_config_get8(pam->fn, pam->reg) >> 4) & 3);
	if (addr < PAM_ROM_BASE || addr >= PAM_BIOS_BASE)
		return PCI_PAM_PCI;
	unsigned piece = (addr - PAM_ROM_BASE) / PAM_PIECE_SIZE;
	uint8_t value = pci_config_get8(pam->fn, pam->reg + 1 + piece / 2);
	return (enum pci_pam_mode)((piece & 1 ? value >> 4 : value) & 3);
}
