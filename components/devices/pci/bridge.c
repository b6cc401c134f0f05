/* SPDX-License-Identifier: MIT */
/*
 * PCI-to-PCI bridges: the type 1 header registers, window checks for the
 * BARs behind them, secondary bus reset and the INTx swizzle.  The rules
 * are described in include/pci/bridge.h; bus walking, attaching and
 * configuration routing are in pci.c.
 */
#include <errno.h>
#include <string.h>
#include <core/mm.h>
#include <pci/bridge.h>
#include <pci/pci.h>
#include "internal.h"

#define PCI_SEC_STATUS_W1C      0xF900   /* parity, aborts, SERR, as in status */
#define PCI_BRIDGE_CTL_WRITABLE \
	(PCI_BRIDGE_CTL_PARITY | PCI_BRIDGE_CTL_SERR | PCI_BRIDGE_CTL_ISA | PCI_BRIDGE_CTL_VGA | \
	 PCI_BRIDGE_CTL_VGA_16BIT | PCI_BRIDGE_CTL_MASTER_ABORT | PCI_BRIDGE_CTL_BUS_RESET)
/* The bridge function's own INTx arrives at this sink pin. */
#define BRIDGE_OWN_PIN          0xFFFFu

static bool range_overlaps(unsigned off, unsigned width, unsigned start, unsigned len)
{
	return off < start + len && start < off + width;
}

/* ---- buses ---------------------------------------------------------- */

unsigned pci_bus_number(const struct pci_bus *bus)
{
	if (!bus || !bus->bridge)
		return 0;
	return pci_config_get8(&bus->bridge->fn, PCI_SECONDARY_BUS);
}

bool pci_bus_is_root(const struct pci_bus *bus)
{
	return bus && !bus->bridge;
}

struct pci_function *pci_bus_bridge_function(const struct pci_bus *bus)
{
	return bus && bus->bridge ? &bus->bridge->fn : NULL;
}

struct pci_bus *pci_function_parent_bus(const struct pci_function *fn)
{
	return fn ? fn->parent_bus : NULL;
}

/* ---- windows -------------------------------------------------------- */

static bool inside(uint64_t base, uint64_t last, uint64_t window_base, uint64_t window_limit)
{
	return window_base <= window_limit && base >= window_base && last <= window_limit;
}

bool pci_bridge_forwards(const struct pci_bridge *br, enum pci_bar_type type, uint64_t base,
			 uint64_t size)
{
	const struct pci_function *fn = &br->fn;
	uint16_t command = pci_config_get16(fn, PCI_COMMAND);
	uint64_t last = base + size - 1;

	if (!size || last < base)
		return false;
	if (type == PCI_BAR_IO) {
		uint64_t io_base = (uint64_t)(pci_config_get8(fn, PCI_IO_BASE) & PCI_IO_RANGE_MASK) << 8;
		uint64_t io_limit = (uint64_t)(pci_config_get8(fn, PCI_IO_LIMIT) & PCI_IO_RANGE_MASK) << 8 |
				    0xFFF;
		return (command & PCI_COMMAND_IO) && inside(base, last, io_base, io_limit);
	}
	if (type != PCI_BAR_MEM32 && type != PCI_BAR_MEM64)
		return false;
	if (!(command & PCI_COMMAND_MEMORY))
		return false;
	uint64_t mem_base = (uint64_t)(pci_config_get16(fn, PCI_MEMORY_BASE) & PCI_MEMORY_RANGE_MASK)
			    << 16;
	uint64_t mem_limit = (uint64_t)(pci_config_get16(fn, PCI_MEMORY_LIMIT) &
					PCI_MEMORY_RANGE_MASK) << 16 | 0xFFFFF;
	if (inside(base, last, mem_base, mem_limit))
		return true;
	uint64_t pref_base = (uint64_t)pci_config_get32(fn, PCI_PREF_BASE_UPPER32) << 32 |
			     (uint64_t)(pci_config_get16(fn, PCI_PREF_MEMORY_BASE) &
					PCI_PREF_RANGE_MASK) << 16;
	uint64_t pref_limit = (uint64_t)pci_config_get32(fn, PCI_PREF_LIMIT_UPPER32) << 32 |
			      (uint64_t)(pci_config_get16(fn, PCI_PREF_MEMORY_LIMIT) &
					 PCI_PREF_RANGE_MASK) << 16 | 0xFFFFF;
	return inside(base, last, pref_base, pref_limit);
}

/* ---- INTx ----------------------------------------------------------- */

static void update_outputs(struct pci_bridge *br)
{
	bool out[PCI_BRIDGE_INTX_PINS] = { false };
	unsigned own = pci_config_get8(&br->fn, PCI_INTERRUPT_PIN);

	if (br->own_level && own >= 1 && own <= PCI_BRIDGE_INTX_PINS)
		out[own - 1] = true;
	for (unsigned devfn = 0; devfn < PCI_FUNCTIONS_PER_BUS; devfn++) {
		unsigned pins = br->child_pins[devfn];
		for (unsigned p = 0; pins && p < PCI_BRIDGE_INTX_PINS; p++)
			if (pins & (1u << p))
				out[((devfn >> 3) + p) % PCI_BRIDGE_INTX_PINS] = true;
	}
	for (unsigned p = 0; p < PCI_BRIDGE_INTX_PINS; p++)
		irq_line_set(&br->out[p], out[p]);
}

/* Sink pin: BRIDGE_OWN_PIN, or devfn << 2 | input pin (0 = INTA). */
static void bridge_irq_in(void *sink, unsigned pin, bool level)
{
	struct pci_bridge *br = sink;

	if (pin == BRIDGE_OWN_PIN) {
		br->own_level = level;
	} else {
		unsigned devfn = pin >> 2;
		uint8_t bit = (uint8_t)(1u << (pin & 3));
		if (devfn >= PCI_FUNCTIONS_PER_BUS)
			return;
		if (level)
			br->child_pins[devfn] |= bit;
		else
			br->child_pins[devfn] &= (uint8_t)~bit;
	}
	update_outputs(br);
}

void pci_bridge_child_attached(struct pci_bridge *br, struct pci_function *fn)
{
	unsigned devfn = fn->devfn;

	br->child_pins[devfn] = 0;
	if (fn->bridge) {
		/* A nested bridge: its four outputs are this slot's INTA..INTD. */
		for (unsigned p = 0; p < PCI_BRIDGE_INTX_PINS; p++) {
			irq_line_connect(&fn->bridge->out[p], bridge_irq_in, br, devfn << 2 | p);
			if (fn->bridge->out[p].level)
				br->child_pins[devfn] |= (uint8_t)(1u << p);
		}
	} else {
		unsigned pin = pci_config_get8(fn, PCI_INTERRUPT_PIN);
		if (pin >= 1 && pin <= PCI_BRIDGE_INTX_PINS) {
			irq_line_connect(&fn->intx, bridge_irq_in, br, devfn << 2 | (pin - 1));
			if (fn->intx.level)
				br->child_pins[devfn] = (uint8_t)(1u << (pin - 1));
		} else {
			irq_line_connect(&fn->intx, NULL, NULL, 0);
		}
	}
	update_outputs(br);
}

void pci_bridge_child_detached(struct pci_bridge *br, struct pci_function *fn)
{
	if (fn->bridge) {
		for (unsigned p = 0; p < PCI_BRIDGE_INTX_PINS; p++)
			irq_line_connect(&fn->bridge->out[p], NULL, NULL, 0);
	} else {
		irq_line_connect(&fn->intx, NULL, NULL, 0);
	}
	br->child_pins[fn->devfn] = 0;
	update_outputs(br);
}

/* ---- registers ------------------------------------------------------ */

void pci_bridge_reset_registers(struct pci_bridge *br)
{
	struct pci_function *fn = &br->fn;
	uint16_t sec_status = pci_config_get16(fn, PCI_SEC_STATUS);

	pci_config_set32(fn, PCI_PRIMARY_BUS, 0);   /* primary, secondary, subordinate, latency */
	pci_config_set8(fn, PCI_IO_BASE, PCI_IO_RANGE_TYPE_16);
	pci_config_set8(fn, PCI_IO_LIMIT, PCI_IO_RANGE_TYPE_16);
	pci_config_set16(fn, PCI_SEC_STATUS, sec_status & (uint16_t)~PCI_SEC_STATUS_W1C);
	pci_config_set16(fn, PCI_MEMORY_BASE, 0);
	pci_config_set16(fn, PCI_MEMORY_LIMIT, 0);
	pci_config_set16(fn, PCI_PREF_MEMORY_BASE, PCI_PREF_RANGE_TYPE_64);
	pci_config_set16(fn, PCI_PREF_MEMORY_LIMIT, PCI_PREF_RANGE_TYPE_64);
	pci_config_set32(fn, PCI_PREF_BASE_UPPER32, 0);
	pci_config_set32(fn, PCI_PREF_LIMIT_UPPER32, 0);
	pci_config_set16(fn, PCI_IO_BASE_UPPER16, 0);
	pci_config_set16(fn, PCI_IO_LIMIT_UPPER16, 0);
	pci_config_set16(fn, PCI_BRIDGE_CONTROL, 0);
	br->bridge_control = 0;
}

void pci_bridge_reset_secondary(struct pci_bridge *br)
{
	for (unsigned i = 0; i < PCI_FUNCTIONS_PER_BUS; i++)
		if (br->secondary.fn[i])
			pci_function_reset(br->secondary.fn[i]);
}

void pci_bridge_config_written(struct pci_bridge *br, unsigned offset, unsigned width)
{
	/* Command, bus numbers, windows and bridge control steer what goes below. */
	if (!range_overlaps(offset, width, PCI_COMMAND, 2) &&
	    !range_overlaps(offset, width, PCI_PRIMARY_BUS, PCI_IO_LIMIT_UPPER16 + 2 - PCI_PRIMARY_BUS) &&
	    !range_overlaps(offset, width, PCI_BRIDGE_CONTROL, 2))
		return;
	uint16_t control = pci_config_get16(&br->fn, PCI_BRIDGE_CONTROL);
	bool reset = (control & PCI_BRIDGE_CTL_BUS_RESET) &&
		     !(br->bridge_control & PCI_BRIDGE_CTL_BUS_RESET);
	br->bridge_control = control;
	if (reset)
		pci_bridge_reset_secondary(br);
	pci_bus_update_bars(&br->secondary);
}

/* ---- creation ------------------------------------------------------- */

struct pci_bridge *pci_bridge_new(const struct pci_function_info *info, void *opaque,
				  bool pcie_downstream)
{
	if (!info || (info->header_type & ~PCI_HEADER_TYPE_MULTI_FUNCTION) != PCI_HEADER_TYPE_BRIDGE)
		return NULL;
	struct pci_bridge *br = kzalloc(sizeof(*br));
	if (!br)
		return NULL;
	if (pci_function_init(&br->fn, info, opaque ? opaque : br)) {
		kfree(br);
		return NULL;
	}
	struct pci_function *fn = &br->fn;
	fn->bridge = br;
	br->pcie_downstream = pcie_downstream;
	br->secondary.bridge = br;
	br->secondary.device0_only = pcie_downstream;
	for (unsigned p = 0; p < PCI_BRIDGE_INTX_PINS; p++)
		irq_line_init(&br->out[p], info->name);
	irq_line_connect(&fn->intx, bridge_irq_in, br, BRIDGE_OWN_PIN);

	pci_config_set_wmask(fn, PCI_PRIMARY_BUS, 1, 0xFF);
	pci_config_set_wmask(fn, PCI_SECONDARY_BUS, 1, 0xFF);
	pci_config_set_wmask(fn, PCI_SUBORDINATE_BUS, 1, 0xFF);
	/* PCIe has no latency timers (PCIe 4.0, 7.5.1.4 and 7.5.2.2). */
	if (pcie_downstream)
		pci_config_set_wmask(fn, PCI_LATENCY_TIMER, 1, 0);
	else
		pci_config_set_wmask(fn, PCI_SEC_LATENCY_TIMER, 1, 0xFF);
	pci_config_set_wmask(fn, PCI_IO_BASE, 1, PCI_IO_RANGE_MASK);
	pci_config_set_wmask(fn, PCI_IO_LIMIT, 1, PCI_IO_RANGE_MASK);
	pci_config_set_w1cmask(fn, PCI_SEC_STATUS, 2, PCI_SEC_STATUS_W1C);
	pci_config_set_wmask(fn, PCI_MEMORY_BASE, 2, PCI_MEMORY_RANGE_MASK);
	pci_config_set_wmask(fn, PCI_MEMORY_LIMIT, 2, PCI_MEMORY_RANGE_MASK);
	pci_config_set_wmask(fn, PCI_PREF_MEMORY_BASE, 2, PCI_PREF_RANGE_MASK);
	pci_config_set_wmask(fn, PCI_PREF_MEMORY_LIMIT, 2, PCI_PREF_RANGE_MASK);
	pci_config_set_wmask(fn, PCI_PREF_BASE_UPPER32, 4, 0xFFFFFFFFu);
	pci_config_set_wmask(fn, PCI_PREF_LIMIT_UPPER32, 4, 0xFFFFFFFFu);
	pci_config_set_wmask(fn, PCI_BRIDGE_CONTROL, 2, PCI_BRIDGE_CTL_WRITABLE);
	pci_bridge_reset_registers(br);
	return br;
}

struct pci_bridge *pci_bridge_create(struct pci_bus *parent, unsigned device,
				     unsigned function, const struct pci_function_info *info,
				     bool pcie_downstream)
{
	if (!parent)
		return NULL;
	struct pci_bridge *br = pci_bridge_new(info, NULL, pcie_downstream);
	if (!br)
		return NULL;
	if (pci_bus_attach(parent, device, function, &br->fn)) {
		pci_bridge_destroy(br);
		return NULL;
	}
	return br;
}

void pci_bridge_destroy(struct pci_bridge *br)
{
	if (!br)
		return;
	for (unsigned i = 0; i < PCI_FUNCTIONS_PER_BUS; i++)
		if (br->secondary.fn[i])
			pci_bus_detach_function(br->secondary.fn[i]);
	pci_bus_detach_function(&br->fn);
	pci_function_release(&br->fn);
	kfree(br);
}

struct pci_bus *pci_bridge_secondary(struct pci_bridge *br)
{
	return br ? &br->secondary : NULL;
}

struct pci_function *pci_bridge_function(struct pci_bridge *br)
{
	return br ? &br->fn : NULL;
}

struct irq_line *pci_bridge_intx_out(struct pci_bridge *br, unsigned pin)
{
	return br && pin < PCI_BRIDGE_INTX_PINS ? &br->out[pin] : NULL;
}
