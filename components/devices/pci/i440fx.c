/* SPDX-License-Identifier: MIT */
/*
 * i440FX PCI and memory controller: identity for the firmware, and the
 * PAM registers that switch the BIOS areas between ROM and shadow RAM.
 */
#include <core/log.h>
#include <core/mm.h>
#include <pci/i440fx.h>

#define I440FX_VENDOR 0x8086
#define I440FX_DEVICE 0x1237
#define I440FX_REVISION 0x02
#define PAM_BIOS_BASE 0xF0000u
#define PAM_BIOS_SIZE 0x10000u
#define PAM_ROM_BASE 0xC0000u
#define PAM_PIECE_SIZE 0x4000u

struct pci_i440fx {
	struct pci_function fn;
	pci_pam_update_fn pam_update;
	void *pam_opaque;
};

/* Tells the VM the state of the pieces PAM register pam (0..6) controls. */
static void pam_report(struct pci_i440fx *bridge, unsigned pam)
{
	uint8_t value = pci_config_get8(&bridge->fn, PCI_I440FX_PAM0 + pam);
	enum pci_pam_mode low = (enum pci_pam_mode)(value & 3);
	enum pci_pam_mode high = (enum pci_pam_mode)((value >> 4) & 3);

	if (!bridge->pam_update)
		return;
	if (pam == 0) {
		bridge->pam_update(bridge->pam_opaque, PAM_BIOS_BASE, PAM_BIOS_SIZE, high);
		return;
	}
	uint32_t base = PAM_ROM_BASE + (pam - 1) * 2 * PAM_PIECE_SIZE;
	bridge->pam_update(bridge->pam_opaque, base, PAM_PIECE_SIZE, low);
	bridge->pam_update(bridge->pam_opaque, base + PAM_PIECE_SIZE, PAM_PIECE_SIZE, high);
}

static void i440fx_config_write(struct pci_function *fn, unsigned offset, unsigned width,
				uint32_t value)
{
	struct pci_i440fx *bridge = fn->opaque;
	(void)value;
	for (unsigned i = 0; i < width; i++) {
		unsigned reg = offset + i;
		if (reg >= PCI_I440FX_PAM0 && reg < PCI_I440FX_PAM0 + PCI_I440FX_PAM_COUNT)
			pam_report(bridge, reg - PCI_I440FX_PAM0);
	}
}

static void i440fx_reset(struct pci_function *fn)
{
	struct pci_i440fx *bridge = fn->opaque;
	for (unsigned pam = 0; pam < PCI_I440FX_PAM_COUNT; pam++) {
		pci_config_set8(fn, PCI_I440FX_PAM0 + pam, 0);
		pam_report(bridge, pam);
	}
}

static const struct pci_function_ops i440fx_ops = {
	.config_write = i440fx_config_write,
	.reset = i440fx_reset,
};

static const struct pci_function_info i440fx_info = {
	.name = "i440fx",
	.vendor_id = I440FX_VENDOR,
	.device_id = I440FX_DEVICE,
	.class_code = 0x060000,
	.revision = I440FX_REVISION,
	.ops = &i440fx_ops,
};

struct pci_i440fx *pci_i440fx_create(struct pci_host *host, pci_pam_update_fn pam_update,
				     void *opaque)
{
	struct pci_i440fx *bridge = kzalloc(sizeof(*bridge));
	if (!bridge)
		return NULL;
	bridge->pam_update = pam_update;
	bridge->pam_opaque = opaque;
	if (pci_function_init(&bridge->fn, &i440fx_info, bridge)) {
		kfree(bridge);
		return NULL;
	}
	/* RE/WE per nibble; PAM0's low nibble is reserved. */
	pci_config_set_wmask(&bridge->fn, PCI_I440FX_PAM0, 1, 0x30);
	for (unsigned pam = 1; pam < PCI_I440FX_PAM_COUNT; pam++)
		pci_config_set_wmask(&bridge->fn, PCI_I440FX_PAM0 + pam, 1, 0x33);
	if (pci_host_attach(host, 0, 0, &bridge->fn)) {
		pci_function_release(&bridge->fn);
		kfree(bridge);
		return NULL;
	}
	return bridge;
}

void pci_i440fx_destroy(struct pci_i440fx *bridge)
{
	if (!bridge)
		return;
	if (bridge->fn.host)
		pci_host_detach(bridge->fn.host, &bridge->fn);
	pci_function_release(&bridge->fn);
	kfree(bridge);
}

struct pci_function *pci_i440fx_function(struct pci_i440fx *bridge)
{
	return &bridge->fn;
}

enum pci_pam_mode pci_i440fx_pam_mode(const struct pci_i440fx *bridge, uint32_t addr)
{
	if (addr >= PAM_BIOS_BASE && addr < PAM_BIOS_BASE + PAM_BIOS_SIZE)
		return (enum pci_pam_mode)((pci_config_get8(&bridge->fn, PCI_I440FX_PAM0) >> 4) & 3);
	if (addr < PAM_ROM_BASE || addr >= PAM_BIOS_BASE)
		return PCI_PAM_PCI;
	unsigned piece = (addr - PAM_ROM_BASE) / PAM_PIECE_SIZE;
	uint8_t value = pci_config_get8(&bridge->fn, PCI_I440FX_PAM0 + 1 + piece / 2);
	return (enum pci_pam_mode)((piece & 1 ? value >> 4 : value) & 3);
}
