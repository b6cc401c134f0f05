/* SPDX-License-Identifier: MIT */
/*
 * MSI with one vector, 64-bit addresses and per-vector masking; the
 * layout and the rules are described in include/pci/msi.h.  All state
 * lives in configuration space: the pending bit is the only register
 * the function itself writes.
 */
#include <errno.h>
#include <pci/msi.h>
#include <pci/pci.h>
#include "internal.h"

bool pci_msi_enabled(const struct pci_msi *msi)
{
	return pci_config_get16(msi->fn, msi->cap + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE;
}

bool pci_msi_is_masked(const struct pci_msi *msi)
{
	return pci_config_get32(msi->fn, msi->cap + PCI_MSI_MASK_64) & 1;
}

bool pci_msi_is_pending(const struct pci_msi *msi)
{
	return pci_config_get32(msi->fn, msi->cap + PCI_MSI_PENDING_64) & 1;
}

static void set_pending(struct pci_msi *msi, bool pending)
{
	pci_config_set32(msi->fn, msi->cap + PCI_MSI_PENDING_64, pending ? 1 : 0);
}

static void send(struct pci_msi *msi)
{
	uint64_t address = (uint64_t)pci_config_get32(msi->fn, msi->cap + PCI_MSI_ADDRESS_HI) << 32 |
			   pci_config_get32(msi->fn, msi->cap + PCI_MSI_ADDRESS_LO);
	uint32_t data = pci_config_get16(msi->fn, msi->cap + PCI_MSI_DATA_64);

	set_pending(msi, false);
	msi->messages++;
	pci_send_msi(msi->fn, address, data);
}

void pci_msi_notify(struct pci_msi *msi)
{
	if (!pci_msi_enabled(msi))
		return;
	if (pci_msi_is_masked(msi))
		set_pending(msi, true);
	else
		send(msi);
}

bool pci_msi_overlaps(const struct pci_msi *msi, unsigned offset, unsigned width)
{
	return offset < msi->cap + PCI_MSI_CAP_SIZE && msi->cap < offset + width;
}

/* After a guest write to the capability: send what became deliverable. */
void pci_msi_config_written(struct pci_msi *msi)
{
	if (pci_msi_enabled(msi) && !pci_msi_is_masked(msi) && pci_msi_is_pending(msi))
		send(msi);
}

void pci_msi_reset(struct pci_msi *msi)
{
	struct pci_function *fn = msi->fn;

	pci_config_set16(fn, msi->cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT);
	pci_config_set32(fn, msi->cap + PCI_MSI_ADDRESS_LO, 0);
	pci_config_set32(fn, msi->cap + PCI_MSI_ADDRESS_HI, 0);
	pci_config_set32(fn, msi->cap + PCI_MSI_DATA_64, 0);
	pci_config_set32(fn, msi->cap + PCI_MSI_MASK_64, 0);
	pci_config_set32(fn, msi->cap + PCI_MSI_PENDING_64, 0);
}

int pci_msi_init(struct pci_msi *msi, struct pci_function *fn)
{
	if (!msi || !fn || fn->msi)
		return -EINVAL;
	int cap = pci_add_capability(fn, PCI_CAP_ID_MSI, PCI_MSI_CAP_SIZE);
	if (cap < 0)
		return cap;
	msi->fn = fn;
	msi->cap = (unsigned)cap;
	msi->messages = 0;
	pci_config_set_wmask(fn, msi->cap + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	pci_config_set_wmask(fn, msi->cap + PCI_MSI_ADDRESS_LO, 4, 0xFFFFFFFCu);
	pci_config_set_wmask(fn, msi->cap + PCI_MSI_ADDRESS_HI, 4, 0xFFFFFFFFu);
	pci_config_set_wmask(fn, msi->cap + PCI_MSI_DATA_64, 2, 0xFFFF);
	pci_config_set_wmask(fn, msi->cap + PCI_MSI_MASK_64, 4, 1);
	fn->msi = msi;
	pci_msi_reset(msi);
	return 0;
}
