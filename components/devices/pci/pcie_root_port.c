/* SPDX-License-Identifier: MIT */
/*
 * PCI Express root port, as QEMU's generic "pcie-root-port"; what the
 * guest sees is described in include/pci/pcie_root_port.h.  The bridge
 * part (bus numbers, windows, INTx) is bridge.c's.
 */
#include <errno.h>
#include <core/mm.h>
#include <pci/bridge.h>
#include <pci/msix.h>
#include <pci/pci.h>
#include <pci/pcie.h>
#include <pci/pcie_root_port.h>
#include "internal.h"

#define RP_DEVCTL_WRITABLE \
	(PCI_EXP_DEVCTL_CERE | PCI_EXP_DEVCTL_NFERE | PCI_EXP_DEVCTL_FERE | PCI_EXP_DEVCTL_URRE | \
	 PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_PAYLOAD | PCI_EXP_DEVCTL_EXT_TAG | \
	 PCI_EXP_DEVCTL_NOSNOOP_EN | PCI_EXP_DEVCTL_READRQ)
/* Power-on value: relaxed ordering and no snoop on, 512-byte read requests. */
#define RP_DEVCTL_DEFAULT \
	(PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_NOSNOOP_EN | PCI_EXP_DEVCTL_READRQ_512B)
#define RP_LNKCTL_WRITABLE \
	(PCI_EXP_LNKCTL_ASPMC | PCI_EXP_LNKCTL_RCB | PCI_EXP_LNKCTL_LD | PCI_EXP_LNKCTL_CCC | \
	 PCI_EXP_LNKCTL_ES)
#define RP_RTCTL_WRITABLE \
	(PCI_EXP_RTCTL_SECEE | PCI_EXP_RTCTL_SENFEE | PCI_EXP_RTCTL_SEFEE | PCI_EXP_RTCTL_PMEIE)
#define RP_SLOT_NUMBER_MAX 0x1FFF   /* 13 bits */

struct pcie_root_port {
	struct pci_bridge *bridge;
	struct pci_msix msix;
	unsigned exp;             /* PCI Express capability offset */
	uint8_t chassis;
	uint16_t slot;
};

static void rp_reset_express(struct pcie_root_port *rp)
{
	struct pci_function *fn = &rp->bridge->fn;
	unsigned exp = rp->exp;

	pci_config_set16(fn, exp + PCI_EXP_DEVCTL, RP_DEVCTL_DEFAULT);
	pci_config_set16(fn, exp + PCI_EXP_DEVSTA, 0);
	pci_config_set16(fn, exp + PCI_EXP_LNKCTL, 0);
	pci_config_set16(fn, exp + PCI_EXP_SLTCTL, 0);
	pci_config_set16(fn, exp + PCI_EXP_SLTSTA, 0);
	pci_config_set16(fn, exp + PCI_EXP_RTCTL, 0);
	pci_config_set32(fn, exp + PCI_EXP_RTSTA, 0);
	pci_config_set16(fn, exp + PCI_EXP_DEVCTL2, 0);
	pci_config_set16(fn, exp + PCI_EXP_LNKCTL2, PCI_EXP_LNKCTL2_TLS_2_5GT);
}

static void rp_reset(struct pci_function *fn)
{
	rp_reset_express(fn->opaque);
}

/* Presence Detect State follows what is plugged in below. */
static uint32_t rp_config_read(struct pci_function *fn, unsigned offset, unsigned width,
			       uint32_t value)
{
	struct pcie_root_port *rp = fn->opaque;
	unsigned at = rp->exp + PCI_EXP_SLTSTA;   /* PDS is in its low byte */

	if (offset <= at && at < offset + width) {
		const struct pci_bus *secondary = &rp->bridge->secondary;
		bool present = false;
		for (unsigned f = 0; f < PCI_FUNCTIONS_PER_DEVICE; f++)
			present |= secondary->fn[f] != NULL;
		if (present)
			value |= (uint32_t)PCI_EXP_SLTSTA_PDS << (8 * (at - offset));
	}
	return value;
}

static const struct pci_function_ops rp_ops = {
	.config_read = rp_config_read,
	.reset = rp_reset,
};

static const struct pci_function_info rp_info = {
	.name = "pcie-root-port",
	.vendor_id = PCIE_ROOT_PORT_VENDOR_ID,
	.device_id = PCIE_ROOT_PORT_DEVICE_ID,
	.class_code = PCI_CLASS_BRIDGE_PCI,
	.revision = 0,
	.header_type = PCI_HEADER_TYPE_BRIDGE,
	.interrupt_pin = 1,
	.express = true,
	.ops = &rp_ops,
};

static int rp_add_express(struct pcie_root_port *rp)
{
	struct pci_function *fn = &rp->bridge->fn;
	int cap = pci_add_capability(fn, PCI_CAP_ID_EXP, PCI_EXP_CAP_SIZE_V2);

	if (cap < 0)
		return cap;
	unsigned exp = rp->exp = (unsigned)cap;
	pci_config_set16(fn, exp + PCI_EXP_FLAGS, 2 |
			 PCI_EXP_TYPE_ROOT_PORT << PCI_EXP_FLAGS_TYPE_SHIFT | PCI_EXP_FLAGS_SLOT);
	pci_config_set32(fn, exp + PCI_EXP_DEVCAP, PCI_EXP_DEVCAP_RBER);
	pci_config_set32(fn, exp + PCI_EXP_LNKCAP, PCI_EXP_LNKCAP_SLS_2_5GB |
			 PCI_EXP_LNKCAP_MLW_X1 | PCI_EXP_LNKCAP_DLLLARC);
	pci_config_set16(fn, exp + PCI_EXP_LNKSTA, PCI_EXP_LNKSTA_CLS_2_5GB |
			 PCI_EXP_LNKSTA_NLW_X1 | PCI_EXP_LNKSTA_DLLLA);
	pci_config_set32(fn, exp + PCI_EXP_SLTCAP,
			 (uint32_t)rp->slot << PCI_EXP_SLTCAP_PSN_SHIFT);
	pci_config_set32(fn, exp + PCI_EXP_DEVCAP2, PCI_EXP_DEVCAP2_EFF | PCI_EXP_DEVCAP2_EETLPP);
	pci_config_set32(fn, exp + PCI_EXP_LNKCAP2, PCI_EXP_LNKCAP2_SLS_2_5GB);

	pci_config_set_wmask(fn, exp + PCI_EXP_DEVCTL, 2, RP_DEVCTL_WRITABLE);
	pci_config_set_w1cmask(fn, exp + PCI_EXP_DEVSTA, 2, PCI_EXP_DEVSTA_ERRORS);
	pci_config_set_wmask(fn, exp + PCI_EXP_LNKCTL, 2, RP_LNKCTL_WRITABLE);
	pci_config_set_wmask(fn, exp + PCI_EXP_SLTCTL, 2, PCI_EXP_SLTCTL_DLLSCE);
	pci_config_set_w1cmask(fn, exp + PCI_EXP_SLTSTA, 2, PCI_EXP_SLTSTA_W1C);
	pci_config_set_wmask(fn, exp + PCI_EXP_RTCTL, 2, RP_RTCTL_WRITABLE);
	pci_config_set_w1cmask(fn, exp + PCI_EXP_RTSTA, 4, PCI_EXP_RTSTA_PME);
	pci_config_set_wmask(fn, exp + PCI_EXP_DEVCTL2, 2, PCI_EXP_DEVCTL2_EETLPPB);
	pci_config_set_wmask(fn, exp + PCI_EXP_LNKCTL2, 2, PCI_EXP_LNKCTL2_TLS);
	rp_reset_express(rp);
	return 0;
}

struct pcie_root_port *pcie_root_port_create(struct pci_bus *bus, unsigned device,
					     unsigned function, uint8_t chassis,
					     uint16_t slot_number)
{
	if (!bus || slot_number > RP_SLOT_NUMBER_MAX)
		return NULL;
	struct pcie_root_port *rp = kzalloc(sizeof(*rp));
	if (!rp)
		return NULL;
	rp->chassis = chassis;
	rp->slot = slot_number;
	rp->bridge = pci_bridge_new(&rp_info, rp, true);
	if (!rp->bridge || rp_add_express(rp) ||
	    pci_msix_init(&rp->msix, &rp->bridge->fn, 0, 1) ||
	    pci_bus_attach(bus, device, function, &rp->bridge->fn)) {
		pcie_root_port_destroy(rp);
		return NULL;
	}
	return rp;
}

void pcie_root_port_destroy(struct pcie_root_port *rp)
{
	if (!rp)
		return;
	pci_bridge_destroy(rp->bridge);
	kfree(rp);
}

struct pci_bridge *pcie_root_port_bridge(struct pcie_root_port *rp)
{
	return rp ? rp->bridge : NULL;
}

struct pci_bus *pcie_root_port_secondary(struct pcie_root_port *rp)
{
	return rp ? pci_bridge_secondary(rp->bridge) : NULL;
}

struct pci_function *pcie_root_port_function(struct pcie_root_port *rp)
{
	return rp ? pci_bridge_function(rp->bridge) : NULL;
}

struct irq_line *pcie_root_port_intx_out(struct pcie_root_port *rp, unsigned pin)
{
	return rp ? pci_bridge_intx_out(rp->bridge, pin) : NULL;
}

uint8_t pcie_root_port_chassis(const struct pcie_root_port *rp)
{
	return rp->chassis;
}

uint16_t pcie_root_port_slot(const struct pcie_root_port *rp)
{
	return rp->slot;
}
