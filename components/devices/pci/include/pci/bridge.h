/* SPDX-License-Identifier: MIT */
/*
 * PCI buses and PCI-to-PCI bridges (PCI-to-PCI Bridge Architecture
 * Specification 1.2, type 1 configuration header).
 *
 * A struct pci_bus is either the host's bus 0 (pci_host_root_bus) or
 * the secondary bus of a bridge.  Functions plug into any bus with
 * pci_bus_attach(); they all keep fn->host, so BAR regions land on the
 * host's device bus and MSIs go through the host's handler as on bus 0.
 *
 * Configuration cycles (0xCF8/0xCFC and ECAM alike) for bus n != 0 go
 * down through the bridges whose secondary..subordinate bus numbers hold
 * n, as the guest programmed them; a bridge with secondary bus 0
 * forwards nothing.  Below a PCIe downstream or root port only device 0
 * exists (no ARI): other device numbers read all-ones.
 *
 * Address windows route: a BAR behind bridges decodes (gets its region,
 * bar_update says enabled) only while every bridge on the way up has
 * the space enabled in its command register and the whole BAR inside
 * one of its windows:
 *   - I/O BARs in the I/O window.  16-bit I/O decode: the low nibble of
 *     I/O base/limit (0x1C/0x1D) reads 0 and the upper 16 bits (0x30,
 *     0x32) are read-only 0.  Base 0xN0 is port 0xN000, limit 0xM0 ends
 *     at 0xMFFF.
 *   - memory BARs in the memory window (0x20/0x22, 1 MiB granules below
 *     4 GiB) or in the prefetchable window (0x24/0x26 with the upper 32
 *     bits at 0x28/0x2C; 64-bit, low nibble 1), whichever holds them.
 * A window whose base is above its limit is empty.  As in QEMU, reset
 * sets base and limit registers to 0 (so a window of the first 1 MiB or
 * 4 KiB, which nothing sensible uses, with decoding off).  Bridge
 * control (0x3E): secondary bus reset (bit 6) resets every function
 * below when the guest sets it; parity/SERR response, ISA enable, VGA
 * enable, VGA 16-bit and master abort mode are stored only (no ISA or
 * VGA ranges are forwarded).
 *
 * INTx: a child at device D raising pin P (1..4) asserts the bridge's
 * output pin ((D + P - 1) mod 4) + 1 (the standard swizzle); an output
 * is high while any child holds it, or while the bridge function's own
 * INTx (its interrupt pin, unswizzled) is.  pci_bus_attach() on a
 * secondary bus wires the child's fn->intx to the bridge, and a nested
 * bridge's outputs likewise; the machine connects the outputs of a
 * bridge on bus 0 (pci_bridge_intx_out) as the INTA..INTD of its slot.
 */
#ifndef PCI_BRIDGE_H
#define PCI_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>
#include <bus/irq.h>
#include <pci/pci.h>

/* Type 1 header registers. */
#define PCI_PRIMARY_BUS         0x18
#define PCI_SECONDARY_BUS       0x19
#define PCI_SUBORDINATE_BUS     0x1A
#define PCI_SEC_LATENCY_TIMER   0x1B
#define PCI_IO_BASE             0x1C
#define PCI_IO_LIMIT            0x1D
#define PCI_SEC_STATUS          0x1E
#define PCI_MEMORY_BASE         0x20
#define PCI_MEMORY_LIMIT        0x22
#define PCI_PREF_MEMORY_BASE    0x24
#define PCI_PREF_MEMORY_LIMIT   0x26
#define PCI_PREF_BASE_UPPER32   0x28
#define PCI_PREF_LIMIT_UPPER32  0x2C
#define PCI_IO_BASE_UPPER16     0x30
#define PCI_IO_LIMIT_UPPER16    0x32
#define PCI_BRIDGE_ROM_ADDRESS  0x38
#define PCI_BRIDGE_CONTROL      0x3E

#define PCI_BRIDGE_NUM_BARS     2

#define PCI_IO_RANGE_TYPE_16    0x00
#define PCI_IO_RANGE_MASK       0xF0
#define PCI_MEMORY_RANGE_MASK   0xFFF0
#define PCI_PREF_RANGE_TYPE_64  0x0001
#define PCI_PREF_RANGE_MASK     0xFFF0

#define PCI_BRIDGE_CTL_PARITY       0x0001
#define PCI_BRIDGE_CTL_SERR         0x0002
#define PCI_BRIDGE_CTL_ISA          0x0004
#define PCI_BRIDGE_CTL_VGA          0x0008
#define PCI_BRIDGE_CTL_VGA_16BIT    0x0010
#define PCI_BRIDGE_CTL_MASTER_ABORT 0x0020
#define PCI_BRIDGE_CTL_BUS_RESET    0x0040

#define PCI_CLASS_BRIDGE_PCI    0x060400   /* class code of a PCI-to-PCI bridge */

struct pci_bus;
struct pci_bridge;

/* ---- buses ---------------------------------------------------------- */

/* The host's bus 0. */
struct pci_bus *pci_host_root_bus(struct pci_host *host);

/*
 * Plugs fn in at device (0..31), function (0..7) of bus (below a PCIe
 * downstream port: device 0 only).  On a secondary bus, fn->intx is
 * wired to the bridge (the device must not connect it elsewhere).  Sets
 * the multi-function bit of function 0 when any other function of the
 * device exists.  0, -EINVAL or -EBUSY (slot taken, fn already attached).
 * pci_host_detach() unplugs it again.
 */
int pci_bus_attach(struct pci_bus *bus, unsigned device, unsigned function,
		   struct pci_function *fn);
/* The function at device, function of bus, or NULL. */
struct pci_function *pci_bus_function(const struct pci_bus *bus, unsigned device,
				      unsigned function);

/* 0 for the host's bus; else the bridge's secondary bus number register. */
unsigned pci_bus_number(const struct pci_bus *bus);
bool pci_bus_is_root(const struct pci_bus *bus);
/* The bridge whose secondary bus this is, as a function; NULL for bus 0. */
struct pci_function *pci_bus_bridge_function(const struct pci_bus *bus);
/* The bus fn is attached to, or NULL. */
struct pci_bus *pci_function_parent_bus(const struct pci_function *fn);

/* ---- bridges -------------------------------------------------------- */

/*
 * A PCI-to-PCI bridge described by info (header_type must be 1; class
 * normally PCI_CLASS_BRIDGE_PCI; kept by pointer), plugged into parent
 * at device, function.  pcie_downstream: a PCIe downstream or root
 * port, whose secondary bus has device 0 only and no secondary latency
 * timer.  The bridge function's opaque (for info->ops) is the bridge.
 * NULL on bad arguments, a taken slot or no memory.
 */
struct pci_bridge *pci_bridge_create(struct pci_bus *parent, unsigned device,
				     unsigned function, const struct pci_function_info *info,
				     bool pcie_downstream);
/* Unplugs the bridge and everything still attached below it, and frees it. */
void pci_bridge_destroy(struct pci_bridge *br);

struct pci_bus *pci_bridge_secondary(struct pci_bridge *br);
struct pci_function *pci_bridge_function(struct pci_bridge *br);
/* Output pin 0..3 = INTA..INTD, for the machine to connect; NULL if pin > 3. */
struct irq_line *pci_bridge_intx_out(struct pci_bridge *br, unsigned pin);

#endif
