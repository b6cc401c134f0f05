/* SPDX-License-Identifier: MIT */
/*
 * virtio-pci transport (virtio 1.2, 4.1): one PCI function per device.
 *
 * Identity.  Modern: 1AF4:(1040 + device type), revision 1, subsystem
 * 1AF4:1100.  Transitional: 1AF4:(1000-range id, e.g. 1001 for a block
 * device), revision 0, subsystem 1AF4:(device type), as legacy drivers
 * and EDK2's VirtioPciDeviceDxe expect.  Interrupt pin INTA.
 *
 * BARs (QEMU's layout, so firmware and guests see what they know):
 *   BAR0  I/O, transitional only: the legacy register block (4.1.4.10)
 *           0x00 host features   R  32    0x0e queue select   RW 16
 *           0x04 guest features  RW 32    0x10 queue notify   W  16
 *           0x08 queue PFN       RW 32    0x12 status         RW 8
 *           0x0c queue size      R  16    0x13 ISR            R  8 (clears)
 *         with MSI-X enabled 0x14 config vector, 0x16 queue vector (16
 *         bits each) and the device configuration from 0x18, otherwise
 *         from 0x14.  Queues have the legacy layout: descriptors at
 *         PFN * 4096, available ring after them, used ring at the next
 *         4096 boundary; the size is the queue's maximum.
 *   BAR1  32-bit memory, 4 KiB: MSI-X table (0x000) and PBA (0x800),
 *         one vector per queue plus one for configuration changes.
 *   BAR4  64-bit prefetchable memory, 16 KiB, the modern structures:
 *           0x0000 common configuration (layout below)
 *           0x1000 ISR status: byte 0, reading clears it
 *           0x2000 device configuration
 *           0x3000 notifications: queue q at 0x3000 + 4 * q
 *
 * Capabilities: vendor-specific (0x09) ones for common, notify
 * (multiplier 4), ISR, device and PCI-configuration access (cap.bar,
 * offset, length and pci_cfg_data are writable; a read or write of
 * pci_cfg_data reaches BAR4 even while the BAR is not mapped, as SeaBIOS
 * does for BARs above 4 GiB), then MSI-X.
 *
 * Common configuration (offset, width): 0x00/4 device_feature_select,
 * 0x04/4 device_feature, 0x08/4 driver_feature_select, 0x0c/4
 * driver_feature, 0x10/2 config_msix_vector, 0x12/2 num_queues, 0x14/1
 * device_status, 0x15/1 config_generation, 0x16/2 queue_select, 0x18/2
 * queue_size, 0x1a/2 queue_msix_vector, 0x1c/2 queue_enable, 0x1e/2
 * queue_notify_off, 0x20/0x28/0x30 queue_desc/driver/device (two 32-bit
 * halves each), 0x38/2 queue_notify_data, 0x3a/2 queue_reset.  An access
 * must be one of these (offset and width) or a 32-bit half of a 64-bit
 * field; anything else is reported and reads 0.
 *
 * Interrupts: without MSI-X the ISR bits drive INTx (routed by the
 * machine, e.g. through the PIIX3 PIRQ registers); with MSI-X each queue
 * and configuration changes send the vector the driver mapped (none for
 * VIRTIO_MSI_NO_VECTOR; a vector beyond the table reads back as
 * NO_VECTOR, the mapping failed) through the host's MSI handler.
 */
#ifndef VIRTIO_VIRTIO_PCI_H
#define VIRTIO_VIRTIO_PCI_H

#include <bus/irq.h>
#include <pci/pci.h>
#include <virtio/virtio.h>

enum virtio_pci_kind {
	VIRTIO_PCI_MODERN,        /* modern interface only                    */
	VIRTIO_PCI_TRANSITIONAL,  /* modern interface and legacy BAR 0        */
};

#define VIRTIO_PCI_VENDOR_ID        0x1AF4
#define VIRTIO_PCI_MODERN_ID_BASE   0x1040
#define VIRTIO_MSI_NO_VECTOR        0xFFFF

#define VIRTIO_PCI_LEGACY_BAR       0
#define VIRTIO_PCI_MSIX_BAR         1
#define VIRTIO_PCI_MODERN_BAR       4
#define VIRTIO_PCI_MODERN_BAR_SIZE  0x4000
#define VIRTIO_PCI_COMMON_OFFSET    0x0000
#define VIRTIO_PCI_ISR_OFFSET       0x1000
#define VIRTIO_PCI_DEVICE_OFFSET    0x2000
#define VIRTIO_PCI_NOTIFY_OFFSET    0x3000
#define VIRTIO_PCI_REGION_SIZE      0x1000
#define VIRTIO_PCI_NOTIFY_MULTIPLIER 4

/* cfg_type of the vendor capabilities (4.1.4). */
#define VIRTIO_PCI_CAP_COMMON_CFG   1
#define VIRTIO_PCI_CAP_NOTIFY_CFG   2
#define VIRTIO_PCI_CAP_ISR_CFG      3
#define VIRTIO_PCI_CAP_DEVICE_CFG   4
#define VIRTIO_PCI_CAP_PCI_CFG      5
/* Offsets inside a capability. */
#define VIRTIO_PCI_CAP_LEN          2
#define VIRTIO_PCI_CAP_CFG_TYPE     3
#define VIRTIO_PCI_CAP_BAR          4
#define VIRTIO_PCI_CAP_OFFSET       8
#define VIRTIO_PCI_CAP_LENGTH       12
#define VIRTIO_PCI_NOTIFY_CAP_MULT  16
#define VIRTIO_PCI_CFG_CAP_DATA     16

/* Common configuration structure (4.1.4.3). */
#define VIRTIO_PCI_COMMON_DFSELECT      0x00
#define VIRTIO_PCI_COMMON_DF            0x04
#define VIRTIO_PCI_COMMON_GFSELECT      0x08
#define VIRTIO_PCI_COMMON_GF            0x0c
#define VIRTIO_PCI_COMMON_MSIX          0x10
#define VIRTIO_PCI_COMMON_NUMQ          0x12
#define VIRTIO_PCI_COMMON_STATUS        0x14
#define VIRTIO_PCI_COMMON_CFGGENERATION 0x15
#define VIRTIO_PCI_COMMON_Q_SELECT      0x16
#define VIRTIO_PCI_COMMON_Q_SIZE        0x18
#define VIRTIO_PCI_COMMON_Q_MSIX        0x1a
#define VIRTIO_PCI_COMMON_Q_ENABLE      0x1c
#define VIRTIO_PCI_COMMON_Q_NOFF        0x1e
#define VIRTIO_PCI_COMMON_Q_DESCLO      0x20
#define VIRTIO_PCI_COMMON_Q_DESCHI      0x24
#define VIRTIO_PCI_COMMON_Q_AVAILLO     0x28
#define VIRTIO_PCI_COMMON_Q_AVAILHI     0x2c
#define VIRTIO_PCI_COMMON_Q_USEDLO      0x30
#define VIRTIO_PCI_COMMON_Q_USEDHI      0x34
#define VIRTIO_PCI_COMMON_Q_NDATA       0x38
#define VIRTIO_PCI_COMMON_Q_RESET       0x3a

/* Legacy register block in BAR0 (4.1.4.10). */
#define VIRTIO_PCI_LEGACY_HOST_FEATURES  0x00
#define VIRTIO_PCI_LEGACY_GUEST_FEATURES 0x04
#define VIRTIO_PCI_LEGACY_QUEUE_PFN      0x08
#define VIRTIO_PCI_LEGACY_QUEUE_NUM      0x0c
#define VIRTIO_PCI_LEGACY_QUEUE_SEL      0x0e
#define VIRTIO_PCI_LEGACY_QUEUE_NOTIFY   0x10
#define VIRTIO_PCI_LEGACY_STATUS         0x12
#define VIRTIO_PCI_LEGACY_ISR            0x13
#define VIRTIO_PCI_LEGACY_CONFIG_VECTOR  0x14
#define VIRTIO_PCI_LEGACY_QUEUE_VECTOR   0x16
#define VIRTIO_PCI_LEGACY_CONFIG         0x14   /* MSI-X disabled */
#define VIRTIO_PCI_LEGACY_CONFIG_MSIX    0x18   /* MSI-X enabled  */
#define VIRTIO_PCI_LEGACY_PFN_SHIFT      12
#define VIRTIO_PCI_LEGACY_VRING_ALIGN    4096

#define VIRTIO_PCI_ISR_QUEUE        0x1
#define VIRTIO_PCI_ISR_CONFIG       0x2

struct virtio_pci;
struct pci_host;

/*
 * vdev as PCI function slot.0 on host's bus 0.  A transitional function
 * needs a device type with a transitional id (network, block, console,
 * entropy...).  The device is reset.  NULL on bad arguments, when the
 * slot is taken or out of memory.
 */
struct virtio_pci *virtio_pci_create(struct pci_host *host, unsigned slot,
				     struct virtio_device *vdev, enum virtio_pci_kind kind);
/*
 * The same on any bus (<pci/bridge.h>): behind a bridge the function's
 * INTx reaches the bridge, which swizzles it onto its own slot's pins.
 */
struct pci_bus;
struct virtio_pci *virtio_pci_create_on_bus(struct pci_bus *bus, unsigned slot,
					    struct virtio_device *vdev, enum virtio_pci_kind kind);
/* INTx output (pin INTA); the machine routes it. */
struct irq_line *virtio_pci_intx(struct virtio_pci *vpci);
struct pci_function *virtio_pci_function(struct virtio_pci *vpci);
/* Machine reset of the function (also done by pci_host_reset()). */
void virtio_pci_reset(struct virtio_pci *vpci);
/* Unplugs the function; the device stays with its owner. */
void virtio_pci_destroy(struct virtio_pci *vpci);

#endif
