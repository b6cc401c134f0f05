/* SPDX-License-Identifier: MIT */
/*
 * i440FX PCI and memory controller: identity for the firmware, and the
 * PAM registers that switch the BIOS areas between ROM and shadow RAM.
 */
#include <core/log.h>
#include <core/mm.h>
#include <pci/i440fx.h>
#include "chipset.h"

#define I440FX_VENDOR 0x8086
#define I440FX_DEVICE 0x1237
#define I440FX_REVISION 0x02

struct pci_i440fx {
	struct pci_function fn;
	struct pci_pam pam;
};

static void i440fx_config_write(struct pci_function *fn, unsigned offset, unsigned width,
				uint32_t value)
{
	struct pci_i440fx *bridge = fn->opaque;
	(void)value;
	pci_pam_config_write(&bridge->pam, offset, width);
}

static void i440fx_reset(struct pci_function *fn)
{
	struct pci_i440fx *bridge = fn->opaque;
	pci_pam_reset(&bridge->pam);
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
	if (pci_function_init(&bridge->fn, &i440fx_info, bridge)) {
		kfree(bridge);
		return NULL;
	}
	pci_pam_init(&bridge->pam, &bridge->fn, PCI_I440FX_PAM0, pam_update, opaque);
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
	return pci_pam_mode(&bridge->pam, addr);
}
