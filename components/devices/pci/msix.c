/* SPDX-License-Identifier: MIT */
/*
 * MSI-X: the capability, the vector table and the pending bits.  The
 * layout and the rules are described in include/pci/msix.h.
 *
 * A message goes out only when everything on its way is open: MSI-X
 * enabled, the function not masked, the vector not masked.  Whenever one
 * of these opens (a control write in configuration space, a vector
 * control write in the table), the pending vectors that can now be sent
 * are sent, in vector order.
 */
#include <errno.h>
#include <string.h>
#include <pci/msix.h>
#include <pci/pci.h>
#include "internal.h"

static uint16_t msix_control(const struct pci_msix *msix)
{
	return pci_config_get16(msix->fn, msix->cap + PCI_MSIX_FLAGS);
}

bool pci_msix_enabled(const struct pci_msix *msix)
{
	return msix_control(msix) & PCI_MSIX_FLAGS_ENABLE;
}

static bool function_masked(const struct pci_msix *msix)
{
	return msix_control(msix) & PCI_MSIX_FLAGS_MASKALL;
}

static bool vector_masked(const struct pci_msix *msix, unsigned vector)
{
	return msix->table[vector].control & PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

bool pci_msix_is_pending(const struct pci_msix *msix, unsigned vector)
{
	return vector < msix->vectors && (msix->pending[vector / 64] >> (vector % 64)) & 1;
}

static void set_pending(struct pci_msix *msix, unsigned vector, bool pending)
{
	uint64_t bit = 1ull << (vector % 64);

	if (pending)
		msix->pending[vector / 64] |= bit;
	else
		msix->pending[vector / 64] &= ~bit;
}

static void send(struct pci_msix *msix, unsigned vector)
{
	const struct pci_msix_entry *e = &msix->table[vector];

	set_pending(msix, vector, false);
	msix->messages++;
	pci_send_msi(msix->fn, (uint64_t)e->address_hi << 32 | e->address_lo, e->data);
}

void pci_msix_notify(struct pci_msix *msix, unsigned vector)
{
	if (vector >= msix->vectors || !pci_msix_enabled(msix))
		return;
	if (function_masked(msix) || vector_masked(msix, vector))
		set_pending(msix, vector, true);
	else
		send(msix, vector);
}

/* Sends what became deliverable after a mask or enable bit changed. */
static void send_unmasked_pending(struct pci_msix *msix)
{
	if (!pci_msix_enabled(msix) || function_masked(msix))
		return;
	for (unsigned v = 0; v < msix->vectors; v++)
		if (pci_msix_is_pending(msix, v) && !vector_masked(msix, v))
			send(msix, v);
}

bool pci_msix_overlaps_control(const struct pci_msix *msix, unsigned offset, unsigned width)
{
	unsigned control = msix->cap + PCI_MSIX_FLAGS;

	return offset < control + 2 && control < offset + width;
}

void pci_msix_control_written(struct pci_msix *msix)
{
	send_unmasked_pending(msix);
}

/* Power-on state: every vector masked, nothing pending, MSI-X off. */
void pci_msix_reset(struct pci_msix *msix)
{
	memset(msix->table, 0, sizeof(msix->table));
	for (unsigned v = 0; v < msix->vectors; v++)
		msix->table[v].control = PCI_MSIX_ENTRY_CTRL_MASKBIT;
	memset(msix->pending, 0, sizeof(msix->pending));
	pci_config_set16(msix->fn, msix->cap + PCI_MSIX_FLAGS,
			 (uint16_t)(msix->vectors - 1));
}

/* ---- the BAR: table and PBA ----------------------------------------- */

static uint64_t msix_bar_read(void *opaque, uint64_t offset, unsigned width)
{
	struct pci_msix *msix = opaque;

	(void)width;   /* always 4: the rules split and refuse the rest */
	if (offset < (uint64_t)msix->vectors * PCI_MSIX_ENTRY_SIZE) {
		const struct pci_msix_entry *e = &msix->table[offset / PCI_MSIX_ENTRY_SIZE];
		switch (offset % PCI_MSIX_ENTRY_SIZE) {
		case PCI_MSIX_ENTRY_LOWER_ADDR:
			return e->address_lo;
		case PCI_MSIX_ENTRY_UPPER_ADDR:
			return e->address_hi;
		case PCI_MSIX_ENTRY_DATA:
			return e->data;
		default:
			return e->control;
		}
	}
	if (offset >= PCI_MSIX_PBA_OFFSET) {
		uint64_t bit = (offset - PCI_MSIX_PBA_OFFSET) * 8;
		if (bit < msix->vectors)
			return (uint32_t)(msix->pending[bit / 64] >> (bit % 64));
	}
	return 0;
}

static void msix_bar_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct pci_msix *msix = opaque;

	(void)width;
	if (offset >= (uint64_t)msix->vectors * PCI_MSIX_ENTRY_SIZE)
		return;   /* the PBA and the unused rest are read-only */
	unsigned vector = (unsigned)(offset / PCI_MSIX_ENTRY_SIZE);
	struct pci_msix_entry *e = &msix->table[vector];
	switch (offset % PCI_MSIX_ENTRY_SIZE) {
	case PCI_MSIX_ENTRY_LOWER_ADDR:
		e->address_lo = (uint32_t)value & ~3u;   /* messages are dword writes */
		break;
	case PCI_MSIX_ENTRY_UPPER_ADDR:
		e->address_hi = (uint32_t)value;
		break;
	case PCI_MSIX_ENTRY_DATA:
		e->data = (uint32_t)value;
		break;
	default:
		e->control = (uint32_t)value & PCI_MSIX_ENTRY_CTRL_MASKBIT;
		if (!vector_masked(msix, vector) && pci_msix_is_pending(msix, vector) &&
		    pci_msix_enabled(msix) && !function_masked(msix))
			send(msix, vector);
		break;
	}
}

static const struct bus_ops msix_bar_ops = {
	.read = msix_bar_read,
	.write = msix_bar_write,
};

static const struct bus_rules msix_bar_rules = {
	.min_width = 4,
	.max_width = 4,
	.unaligned_ok = false,
	.oversize = BUS_OVERSIZE_SPLIT,
	.undersize = BUS_UNDERSIZE_REJECT,
};

int pci_msix_init(struct pci_msix *msix, struct pci_function *fn, unsigned bar,
		  unsigned vectors)
{
	if (!msix || !fn || vectors == 0 || vectors > PCI_MSIX_MAX_VECTORS || fn->msix)
		return -EINVAL;
	memset(msix, 0, sizeof(*msix));
	msix->fn = fn;
	msix->vectors = vectors;
	msix->bar = bar;
	int err = pci_declare_bar(fn, bar, PCI_BAR_MEM32, PCI_MSIX_BAR_SIZE, false);
	if (err)
		return err;
	int cap = pci_add_capability(fn, PCI_CAP_ID_MSIX, PCI_MSIX_CAP_SIZE);
	if (cap < 0)
		return cap;
	msix->cap = (unsigned)cap;
	pci_config_set32(fn, msix->cap + PCI_MSIX_TABLE, bar);
	pci_config_set32(fn, msix->cap + PCI_MSIX_PBA, PCI_MSIX_PBA_OFFSET | bar);
	pci_config_set_wmask(fn, msix->cap + PCI_MSIX_FLAGS, 2,
			     PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	err = pci_bar_set_handler(fn, bar, &msix_bar_ops, msix, &msix_bar_rules);
	if (err)
		return err;
	fn->msix = msix;
	pci_msix_reset(msix);
	return 0;
}
