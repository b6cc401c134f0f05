/* SPDX-License-Identifier: MIT */
/*
 * MSI for PCI device models (PCI Local Bus 3.0, 6.8.1): one vector, a
 * 64-bit message address and per-vector masking.
 *
 * The capability (24 bytes, offsets from its start):
 *
 *   +0x00 id 0x05, next
 *   +0x02 message control: bit 0 enable (RW); multiple message capable
 *         and enable 0 (one vector, read-only); bit 7 64-bit address and
 *         bit 8 per-vector masking capable (read-only 1)
 *   +0x04 message address, bits 1:0 read 0
 *   +0x08 message upper address
 *   +0x0C message data (16 bits; +0x0E reads 0)
 *   +0x10 mask bits: bit 0 masks the vector (RW)
 *   +0x14 pending bits: bit 0 (read-only)
 *
 * The device calls pci_msi_notify(); while MSI is enabled and the vector
 * unmasked, the function writes the 16-bit data, zero-extended to 32
 * bits, to the address through the host's MSI handler (pci_send_msi).
 * While masked, the pending bit is set instead, and the message goes out
 * when the guest unmasks the vector (or re-enables MSI with the vector
 * unmasked).  While MSI is disabled, notifications are ignored (the
 * device uses INTx), and while it is enabled INTx stays low whatever the
 * device asks (pci_set_irq).  Reset clears everything.
 *
 *   struct pci_msi msi;                 inside the device state
 *   pci_msi_init(&msi, &dev->pci);      before attaching the function
 *   pci_msi_notify(&msi);
 */
#ifndef PCI_MSI_H
#define PCI_MSI_H

#include <stdbool.h>
#include <stdint.h>
#include <pci/pci.h>

#define PCI_MSI_CAP_SIZE        0x18
#define PCI_MSI_FLAGS           0x02
#define PCI_MSI_FLAGS_ENABLE    0x0001
#define PCI_MSI_FLAGS_QMASK     0x000E   /* multiple message capable */
#define PCI_MSI_FLAGS_QSIZE     0x0070   /* multiple message enable  */
#define PCI_MSI_FLAGS_64BIT     0x0080
#define PCI_MSI_FLAGS_MASKBIT   0x0100
#define PCI_MSI_ADDRESS_LO      0x04
#define PCI_MSI_ADDRESS_HI      0x08
#define PCI_MSI_DATA_64         0x0C
#define PCI_MSI_MASK_64         0x10
#define PCI_MSI_PENDING_64      0x14

struct pci_msi {
	struct pci_function *fn;
	unsigned cap;            /* capability offset in config space */
	uint64_t messages;       /* statistics: messages sent         */
};

/*
 * Adds the capability to fn and hooks the helper into it (reset, INTx,
 * configuration writes).  0, -EINVAL (fn has MSI already) or -ENOSPC.
 */
int pci_msi_init(struct pci_msi *msi, struct pci_function *fn);

/* The guest's MSI enable bit. */
bool pci_msi_enabled(const struct pci_msi *msi);

/* Raises the vector: sends its message, or sets its pending bit while masked. */
void pci_msi_notify(struct pci_msi *msi);

bool pci_msi_is_pending(const struct pci_msi *msi);
bool pci_msi_is_masked(const struct pci_msi *msi);

#endif
