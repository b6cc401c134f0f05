/* SPDX-License-Identifier: MIT */
/*
 * MSI-X for PCI device models (PCI Local Bus 3.0, 6.8.2).
 *
 * A function with MSI-X has a capability in configuration space and a
 * table of vectors (message address, data, mask) in a memory BAR.  The
 * device raises vector n; the function sends the vector's message if the
 * guest enabled MSI-X and neither the function nor the vector is masked,
 * otherwise it keeps the vector pending (bit n of the PBA) and sends the
 * message as soon as the mask goes away.  Messages leave through the
 * host's MSI handler (pci_host_set_msi_handler), which the machine wires
 * to its interrupt controllers.
 *
 * This helper owns one 4 KiB 32-bit memory BAR of the function:
 *
 *   0x000  table: vectors x 16 bytes
 *            +0 message address low (bits 1:0 read 0)
 *            +4 message address high
 *            +8 message data
 *            +C vector control (bit 0: masked; set by reset)
 *   0x800  PBA: one pending bit per vector, read-only
 *
 * accessed with aligned 32-bit reads and writes (64-bit ones are split);
 * other widths are refused by the bus, as the PCI specification leaves
 * them undefined.  While MSI-X is enabled the function's INTx pin stays
 * low whatever the device asks (pci_set_irq).
 *
 *   struct pci_msix msix;                      inside the device state
 *   pci_msix_init(&msix, &dev->pci, 1, 2);     BAR 1, 2 vectors
 *   pci_msix_notify(&msix, 0);                 raise vector 0
 */
#ifndef PCI_MSIX_H
#define PCI_MSIX_H

#include <stdbool.h>
#include <stdint.h>
#include <pci/pci.h>

/* The capability (offsets from its start). */
#define PCI_MSIX_CAP_SIZE           12
#define PCI_MSIX_FLAGS              2
#define PCI_MSIX_FLAGS_QSIZE        0x07FF  /* table size - 1, read-only */
#define PCI_MSIX_FLAGS_MASKALL      0x4000
#define PCI_MSIX_FLAGS_ENABLE       0x8000
#define PCI_MSIX_TABLE              4       /* offset | BIR              */
#define PCI_MSIX_PBA                8

/* The table. */
#define PCI_MSIX_ENTRY_SIZE         16
#define PCI_MSIX_ENTRY_LOWER_ADDR   0
#define PCI_MSIX_ENTRY_UPPER_ADDR   4
#define PCI_MSIX_ENTRY_DATA         8
#define PCI_MSIX_ENTRY_VECTOR_CTRL  12
#define PCI_MSIX_ENTRY_CTRL_MASKBIT 1

#define PCI_MSIX_BAR_SIZE           0x1000
#define PCI_MSIX_PBA_OFFSET         0x800
#define PCI_MSIX_MAX_VECTORS        128     /* the table fills 2 KiB      */

struct pci_msix_entry {
	uint32_t address_lo;
	uint32_t address_hi;
	uint32_t data;
	uint32_t control;
};

struct pci_msix {
	struct pci_function *fn;
	unsigned vectors;
	unsigned cap;                /* capability offset in config space */
	unsigned bar;
	struct pci_msix_entry table[PCI_MSIX_MAX_VECTORS];
	uint64_t pending[PCI_MSIX_MAX_VECTORS / 64];
	uint64_t messages;           /* statistics: messages sent         */
};

/*
 * Declares BAR bar (32-bit memory, 4 KiB) with the table and PBA, adds
 * the capability and hooks the helper into fn (reset, INTx, control
 * writes).  Call before the function is attached.  0 or -EINVAL (vectors
 * not 1..128, BAR taken) / -ENOSPC (no room for the capability).
 */
int pci_msix_init(struct pci_msix *msix, struct pci_function *fn, unsigned bar,
		  unsigned vectors);

/* The guest's MSI-X enable bit. */
bool pci_msix_enabled(const struct pci_msix *msix);

/*
 * Raises vector: sends its message now, or marks it pending while it or
 * the function is masked.  Ignored while MSI-X is disabled (the device
 * then uses INTx) and for vectors beyond the table.
 */
void pci_msix_notify(struct pci_msix *msix, unsigned vector);

/* Whether the vector's PBA bit is set. */
bool pci_msix_is_pending(const struct pci_msix *msix, unsigned vector);

#endif
