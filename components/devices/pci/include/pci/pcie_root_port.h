/* SPDX-License-Identifier: MIT */
/*
 * PCI Express root port as QEMU's generic one ("pcie-root-port",
 * hw/pci-bridge/gen_pcie_root_port.c): a PCI-to-PCI bridge (see
 * <pci/bridge.h>) with
 *   - ids 1B36:000C, revision 0, class 0x060400, header type 1, 4 KiB
 *     configuration space, interrupt pin INTA;
 *   - at 0x40 the PCI Express capability, version 2: Root Port with
 *     Slot Implemented; Device Capabilities (128-byte payload, role-based
 *     error reporting); Link Capabilities x1 2.5 GT/s, link status
 *     active at x1 2.5 GT/s; Slot Capabilities with the physical slot
 *     number only: no hot-plug capable or surprise bits, no indicators,
 *     so Linux's pciehp leaves the port alone (Presence Detect State
 *     shows whether a function sits on the secondary bus); Root Control
 *     error enables and PME interrupt enable writable, Root
 *     Capabilities 0 (no CRS visibility), Root Status PME status RW1C;
 *     Device Capabilities 2 (extended fmt field, end-end TLP prefix,
 *     no ARI forwarding: only device 0 exists below) and Device
 *     Control 2 (prefix blocking writable), Link Capabilities 2
 *     (2.5 GT/s) and Link Control 2 (target speed);
 *   - MSI-X with 1 vector, table and PBA in BAR0 (4 KiB 32-bit memory),
 *     which decodes on the bus the port sits on;
 *   - nothing in extended configuration space (0x100 reads 0).
 * Link control bits are stored only: link disable or retrain never take
 * the link down.  The chassis number is kept for the machine (QEMU uses
 * chassis and slot to tell ports apart); it is not in config space.
 */
#ifndef PCI_PCIE_ROOT_PORT_H
#define PCI_PCIE_ROOT_PORT_H

#include <stdint.h>
#include <bus/irq.h>
#include <pci/pci.h>

#define PCIE_ROOT_PORT_VENDOR_ID   0x1B36
#define PCIE_ROOT_PORT_DEVICE_ID   0x000C
#define PCIE_ROOT_PORT_EXP_OFFSET  0x40

struct pci_bus;
struct pci_bridge;
struct pcie_root_port;

/*
 * A root port plugged into bus at device, function.  NULL on bad
 * arguments, a taken slot or no memory.
 */
struct pcie_root_port *pcie_root_port_create(struct pci_bus *bus, unsigned device,
					     unsigned function, uint8_t chassis,
					     uint16_t slot_number);
/* Unplugs the port and whatever is still attached below it. */
void pcie_root_port_destroy(struct pcie_root_port *rp);

struct pci_bridge *pcie_root_port_bridge(struct pcie_root_port *rp);
struct pci_bus *pcie_root_port_secondary(struct pcie_root_port *rp);
struct pci_function *pcie_root_port_function(struct pcie_root_port *rp);
/* Output pin 0..3 = INTA..INTD (see pci_bridge_intx_out). */
struct irq_line *pcie_root_port_intx_out(struct pcie_root_port *rp, unsigned pin);
uint8_t pcie_root_port_chassis(const struct pcie_root_port *rp);
uint16_t pcie_root_port_slot(const struct pcie_root_port *rp);

#endif
