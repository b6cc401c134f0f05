/* SPDX-License-Identifier: MIT */
/*
 * Buses behind bridges: the PCIe root port's registers, configuration
 * routing by bus number (0xCF8/0xCFC and ECAM), address windows that
 * decide where BARs behind the port decode, the INTx swizzle of
 * conventional bridges (nested too), MSI-X of the root port, secondary
 * bus reset, host reset, detaching, and guest garbage in every register.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include <bus/bus.h>
#include <host/support.h>
#include <pci/bridge.h>
#include <pci/msix.h>
#include <pci/pci.h>
#include <pci/pcie.h>
#include <pci/pcie_root_port.h>
#include "pci_test_access.h"

#define ECAM_BASE 0xE0000000ull
#define ECAM_BUSES 16
#define RP_DEV 1
#define EXP 0x40      /* PCI Express capability of the root port */
#define MSIX 0x7C     /* MSI-X capability of the root port        */

struct bar_event {
	unsigned bar;
	uint64_t base;
	bool enabled;
};

struct endpoint {
	struct pci_function pci;
	struct bar_event last;
	unsigned events;
	unsigned resets;
};

static void ep_bar_update(struct pci_function *fn, unsigned bar, uint64_t base, bool enabled)
{
	struct endpoint *ep = fn->opaque;
	ep->last = (struct bar_event){ bar, base, enabled };
	ep->events++;
}

static void ep_reset(struct pci_function *fn)
{
	struct endpoint *ep = fn->opaque;
	ep->resets++;
}

static const struct pci_function_ops ep_ops = {
	.bar_update = ep_bar_update,
	.reset = ep_reset,
};

static const struct pci_function_info ep_info = {
	.name = "endpoint",
	.vendor_id = 0x1AF4,
	.device_id = 0x1042,
	.class_code = 0x010000,
	.revision = 1,
	.interrupt_pin = 1,
	.express = true,
	.ops = &ep_ops,
};

static const struct pci_function_info pin_b_info = {
	.name = "pin-b", .vendor_id = 0x8086, .device_id = 0x1001, .class_code = 0x020000,
	.interrupt_pin = 2, .ops = &ep_ops,
};

static const struct pci_function_info pin_c_info = {
	.name = "pin-c", .vendor_id = 0x8086, .device_id = 0x1002, .class_code = 0x020000,
	.interrupt_pin = 3, .ops = &ep_ops,
};

static const struct pci_function_info bridge_info = {
	.name = "pci-bridge",
	.vendor_id = 0x1B36,
	.device_id = 0x0001,
	.class_code = PCI_CLASS_BRIDGE_PCI,
	.header_type = PCI_HEADER_TYPE_BRIDGE,
	.interrupt_pin = 1,
};

static uint64_t bar_read(void *opaque, uint64_t offset, unsigned width)
{
	(void)opaque;
	(void)width;
	return 0xAB00 + offset;
}

static void bar_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	(void)opaque;
	(void)offset;
	(void)width;
	(void)value;
}

static const struct bus_ops bar_ops = { .read = bar_read, .write = bar_write };

struct message {
	uint64_t address;
	uint32_t data;
};

struct fixture {
	struct bus *bus;
	struct pci_host *host;
	struct pcie_root_port *rp;
	struct endpoint ep;      /* 01:00.0 once the port's buses are set */
	bool out[4];             /* the root port's INTA..INTD outputs   */
	struct message sent[8];
	unsigned count;
};

static void record_msi(void *opaque, uint64_t address, uint32_t data)
{
	struct fixture *f = opaque;
	if (f->count < 8)
		f->sent[f->count] = (struct message){ address, data };
	f->count++;
}

static void record_out(void *sink, unsigned pin, bool level)
{
	bool *out = sink;
	out[pin] = level;
}

static void endpoint_init(struct endpoint *ep, const struct pci_function_info *info)
{
	memset(ep, 0, sizeof(*ep));
	assert_int_equal(pci_function_init(&ep->pci, info, ep), 0);
	assert_int_equal(pci_declare_bar(&ep->pci, 0, PCI_BAR_IO, 0x100, false), 0);
	assert_int_equal(pci_declare_bar(&ep->pci, 1, PCI_BAR_MEM32, 0x1000, false), 0);
	assert_int_equal(pci_declare_bar(&ep->pci, 2, PCI_BAR_MEM64, 0x4000, true), 0);
	for (unsigned bar = 0; bar < 3; bar++)
		assert_int_equal(pci_bar_set_handler(&ep->pci, bar, &bar_ops, ep, NULL), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->bus = bus_create("test");
	f->host = pci_host_create(f->bus, "pci0");
	assert_int_equal(pci_host_register_cf8(f->host), 0);
	assert_int_equal(pci_host_map_ecam(f->host, ECAM_BASE, ECAM_BUSES), 0);
	pci_host_set_msi_handler(f->host, record_msi, f);
	f->rp = pcie_root_port_create(pci_host_root_bus(f->host), RP_DEV, 0, 1, 5);
	assert_non_null(f->rp);
	for (unsigned p = 0; p < 4; p++)
		irq_line_connect(pcie_root_port_intx_out(f->rp, p), record_out, f->out, p);
	endpoint_init(&f->ep, &ep_info);
	assert_int_equal(pci_bus_attach(pcie_root_port_secondary(f->rp), 0, 0, &f->ep.pci), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	pci_host_destroy(f->host);
	pcie_root_port_destroy(f->rp);
	pci_function_release(&f->ep.pci);
	bus_destroy(f->bus);
	free(f);
	return 0;
}

/* Configuration access to any bus, the two ways a guest has. */
static uint32_t cfg_read(struct fixture *f, unsigned bus, unsigned dev, unsigned fn, unsigned reg,
			 unsigned width)
{
	pio_out(f->bus, 0xCF8, 4, cf8_address(bus, dev, fn, reg));
	return pio_in(f->bus, (uint16_t)(0xCFC + (reg & 3)), width);
}

static void cfg_write(struct fixture *f, unsigned bus, unsigned dev, unsigned fn, unsigned reg,
		      unsigned width, uint32_t value)
{
	pio_out(f->bus, 0xCF8, 4, cf8_address(bus, dev, fn, reg));
	pio_out(f->bus, (uint16_t)(0xCFC + (reg & 3)), width, value);
}

static uint64_t ecam_addr(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	return ECAM_BASE + ((uint64_t)bus << 20 | dev << 15 | fn << 12 | reg);
}

static uint32_t ecam_read(struct fixture *f, unsigned bus, unsigned dev, unsigned fn, unsigned reg,
			  unsigned width)
{
	return (uint32_t)mmio_read(f->bus, ecam_addr(bus, dev, fn, reg), width);
}

static void ecam_write(struct fixture *f, unsigned bus, unsigned dev, unsigned fn, unsigned reg,
		       unsigned width, uint32_t value)
{
	mmio_write(f->bus, ecam_addr(bus, dev, fn, reg), width, value);
}

/* The root port at 00:01.0. */
static uint32_t rp_read(struct fixture *f, unsigned reg, unsigned width)
{
	return cfg_read(f, 0, RP_DEV, 0, reg, width);
}

static void rp_write(struct fixture *f, unsigned reg, unsigned width, uint32_t value)
{
	cfg_write(f, 0, RP_DEV, 0, reg, width, value);
}

static void set_buses(struct fixture *f, unsigned primary, unsigned secondary, unsigned subordinate)
{
	rp_write(f, PCI_PRIMARY_BUS, 4, primary | secondary << 8 | subordinate << 16);
}

static bool mapped_at(struct fixture *f, enum bus_space space, uint64_t addr)
{
	const struct bus_region *r = bus_find(f->bus, space, addr);
	return r && r->base == addr && strcmp(r->name, "endpoint") == 0;
}

static void test_root_port_header(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rp_read(f, PCI_VENDOR_ID, 4), 0x000C1B36u);
	assert_int_equal(rp_read(f, PCI_REVISION_ID, 4), 0x06040000u);
	assert_int_equal(rp_read(f, PCI_HEADER_TYPE, 1), 0x01);
	assert_int_equal(rp_read(f, PCI_INTERRUPT_PIN, 1), 1);
	assert_int_equal(rp_read(f, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
	assert_int_equal(rp_read(f, PCI_CAPABILITY_LIST, 1), EXP);
	/* Bus numbers and windows after reset; the prefetchable window is 64-bit. */
	assert_int_equal(rp_read(f, PCI_PRIMARY_BUS, 4), 0);
	assert_int_equal(rp_read(f, PCI_IO_BASE, 2), 0);
	assert_int_equal(rp_read(f, PCI_MEMORY_BASE, 4), 0);
	assert_int_equal(rp_read(f, PCI_PREF_MEMORY_BASE, 4), 0x00010001u);
	assert_int_equal(rp_read(f, PCI_PREF_BASE_UPPER32, 4), 0);   /* no subsystem ids here */
	assert_int_equal(rp_read(f, PCI_PREF_LIMIT_UPPER32, 4), 0);
	assert_int_equal(rp_read(f, PCI_BRIDGE_CONTROL, 2), 0);
	/* Write masks. */
	rp_write(f, PCI_IO_BASE, 2, 0xFFFF);
	assert_int_equal(rp_read(f, PCI_IO_BASE, 2), 0xF0F0);
	rp_write(f, PCI_MEMORY_BASE, 4, 0xFFFFFFFF);
	assert_int_equal(rp_read(f, PCI_MEMORY_BASE, 4), 0xFFF0FFF0u);
	rp_write(f, PCI_PREF_MEMORY_BASE, 4, 0xFFFFFFFF);
	assert_int_equal(rp_read(f, PCI_PREF_MEMORY_BASE, 4), 0xFFF1FFF1u);
	rp_write(f, PCI_PREF_BASE_UPPER32, 4, 0x12345678);
	assert_int_equal(rp_read(f, PCI_PREF_BASE_UPPER32, 4), 0x12345678u);
	rp_write(f, PCI_IO_BASE_UPPER16, 4, 0xFFFFFFFF);             /* 16-bit I/O only */
	assert_int_equal(rp_read(f, PCI_IO_BASE_UPPER16, 4), 0);
	rp_write(f, PCI_SEC_LATENCY_TIMER, 1, 0xFF);                 /* PCIe: none */
	assert_int_equal(rp_read(f, PCI_SEC_LATENCY_TIMER, 1), 0);
	rp_write(f, PCI_BRIDGE_CONTROL, 2, 0xFFBF);
	assert_int_equal(rp_read(f, PCI_BRIDGE_CONTROL, 2), 0x003F);
	rp_write(f, PCI_PRIMARY_BUS, 4, 0xFFFFFFFF);
	assert_int_equal(rp_read(f, PCI_PRIMARY_BUS, 4), 0x00FFFFFFu);
	/* Type 1 headers have BAR0 and BAR1 only; BAR0 is the MSI-X table. */
	rp_write(f, PCI_BASE_ADDRESS_0, 4, 0xFFFFFFFF);
	assert_int_equal(rp_read(f, PCI_BASE_ADDRESS_0, 4), 0xFFFFF000u);
	rp_write(f, PCI_BASE_ADDRESS_0 + 4, 4, 0xFFFFFFFF);
	assert_int_equal(rp_read(f, PCI_BASE_ADDRESS_0 + 4, 4), 0);
	struct pci_function *fn = pcie_root_port_function(f->rp);
	assert_int_equal(pci_declare_bar(fn, 2, PCI_BAR_MEM32, 0x1000, false), -EINVAL);
	assert_int_equal(pci_declare_bar(fn, 1, PCI_BAR_MEM64, 0x1000, false), -EINVAL);
	assert_int_equal(pcie_root_port_chassis(f->rp), 1);
	assert_int_equal(pcie_root_port_slot(f->rp), 5);
	assert_null(pcie_root_port_create(pci_host_root_bus(f->host), RP_DEV, 0, 1, 6));  /* taken */
	assert_null(pcie_root_port_create(pci_host_root_bus(f->host), 2, 0, 1, 0x2000));  /* 13 bits */
}

static void test_express_capability(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rp_read(f, EXP, 2), 0x7C10);                 /* id, next: MSI-X */
	assert_int_equal(rp_read(f, EXP + PCI_EXP_FLAGS, 2), 0x0142); /* v2 root port, slot */
	assert_int_equal(rp_read(f, EXP + PCI_EXP_DEVCAP, 4), 0x00008000u);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_DEVCTL, 2), 0x2810);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_LNKCAP, 4), 0x00100011u);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_LNKSTA, 2), 0x2011);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_SLTCAP, 4), 5u << 19);  /* no hot-plug bits */
	assert_int_equal(rp_read(f, EXP + PCI_EXP_SLTSTA, 2), 0x0040);    /* presence */
	assert_int_equal(rp_read(f, EXP + PCI_EXP_SLTCTL, 4), 0x00400000u);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_RTCTL, 4), 0);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_DEVCAP2, 4), 0x00300000u);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_LNKCAP2, 4), 2);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_LNKCTL2, 2), 1);
	/* Writable parts. */
	rp_write(f, EXP + PCI_EXP_DEVCTL, 2, 0xFFFF);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_DEVCTL, 2), 0x79FF);
	rp_write(f, EXP + PCI_EXP_LNKCTL, 4, 0xFFFFFFFF);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_LNKCTL, 4), 0x201100DBu);   /* status RO */
	rp_write(f, EXP + PCI_EXP_RTCTL, 4, 0xFFFFFFFF);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_RTCTL, 4), 0x0000000Fu);
	rp_write(f, EXP + PCI_EXP_SLTCAP, 4, 0xFFFFFFFF);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_SLTCAP, 4), 5u << 19);
	rp_write(f, EXP + PCI_EXP_DEVCTL2, 2, 0xFFFF);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_DEVCTL2, 2), 0x8000);
	rp_write(f, EXP + PCI_EXP_DEVCAP2, 4, 0xFFFFFFFF);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_DEVCAP2, 4), 0x00300000u);
	/* Root status: PME status is write-1-to-clear. */
	struct pci_function *fn = pcie_root_port_function(f->rp);
	pci_config_set32(fn, EXP + PCI_EXP_RTSTA, PCI_EXP_RTSTA_PME | 0x0008);
	rp_write(f, EXP + PCI_EXP_RTSTA, 4, 0);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_RTSTA, 4), 0x00010008u);
	rp_write(f, EXP + PCI_EXP_RTSTA, 4, 0xFFFFFFFF);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_RTSTA, 4), 0x00000008u);
	/* Reset restores the defaults. */
	pci_host_reset(f->host);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_DEVCTL, 2), 0x2810);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_LNKCTL, 2), 0);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_RTCTL, 2), 0);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_RTSTA, 4), 0);
	/* Extended configuration space: no capabilities (ECAM only). */
	assert_int_equal(ecam_read(f, 0, RP_DEV, 0, PCI_CFG_SPACE_EXP_START, 4), 0);
	assert_int_equal(ecam_read(f, 0, RP_DEV, 0, 0xFFC, 4), 0);
	ecam_write(f, 0, RP_DEV, 0, PCI_CFG_SPACE_EXP_START, 4, 0xFFFFFFFF);
	assert_int_equal(ecam_read(f, 0, RP_DEV, 0, PCI_CFG_SPACE_EXP_START, 4), 0);
	/* No function below: presence detect clear. */
	pci_host_detach(f->host, &f->ep.pci);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_SLTSTA, 2), 0);
	assert_int_equal(rp_read(f, EXP + PCI_EXP_SLTSTA - 2, 4), 0);
}

static void test_config_routing(void **state)
{
	struct fixture *f = *state;
	struct pci_bus *secondary = pcie_root_port_secondary(f->rp);

	/* Bus numbers 0: nothing is forwarded. */
	assert_int_equal(cfg_read(f, 1, 0, 0, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);
	assert_int_equal(pci_bus_number(secondary), 0);
	set_buses(f, 0, 1, 1);
	assert_int_equal(pci_bus_number(secondary), 1);
	assert_int_equal(cfg_read(f, 1, 0, 0, PCI_VENDOR_ID, 4), 0x10421AF4u);
	assert_int_equal(ecam_read(f, 1, 0, 0, PCI_VENDOR_ID, 4), 0x10421AF4u);
	assert_int_equal(ecam_read(f, 1, 0, 0, PCI_REVISION_ID, 4), 0x01000001u);
	assert_int_equal(cfg_read(f, 1, 1, 0, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);   /* device 0 only */
	assert_int_equal(ecam_read(f, 1, 31, 0, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);
	assert_int_equal(cfg_read(f, 1, 0, 1, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);
	assert_int_equal(cfg_read(f, 2, 0, 0, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);
	assert_int_equal(ecam_read(f, 2, 0, 0, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);
	/* Bus 0 is the host's whatever the port says. */
	assert_int_equal(cfg_read(f, 0, RP_DEV, 0, PCI_VENDOR_ID, 2), 0x1B36);
	assert_int_equal(cfg_read(f, 0, 0, 0, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);
	/* Writes reach the endpoint either way. */
	ecam_write(f, 1, 0, 0, PCI_INTERRUPT_LINE, 1, 0x0B);
	assert_int_equal(cfg_read(f, 1, 0, 0, PCI_INTERRUPT_LINE, 1), 0x0B);
	cfg_write(f, 1, 1, 0, PCI_INTERRUPT_LINE, 1, 0x0C);                       /* nobody */
	assert_int_equal(pci_config_get8(&f->ep.pci, PCI_INTERRUPT_LINE), 0x0B);
	/* Extended space of the endpoint through ECAM behind the port. */
	assert_int_equal(ecam_read(f, 1, 0, 0, 0x100, 4), 0);
	/* Renumbered: the endpoint moves to bus 5. */
	set_buses(f, 0, 5, 5);
	assert_int_equal(cfg_read(f, 1, 0, 0, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);
	assert_int_equal(cfg_read(f, 5, 0, 0, PCI_VENDOR_ID, 4), 0x10421AF4u);
	assert_int_equal(ecam_read(f, 5, 0, 0, PCI_VENDOR_ID, 4), 0x10421AF4u);
	assert_int_equal(pci_bus_number(secondary), 5);
	/* A range that holds 5 without starting there, or subordinate < secondary. */
	set_buses(f, 0, 4, 9);
	assert_int_equal(cfg_read(f, 5, 0, 0, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);
	assert_int_equal(cfg_read(f, 4, 0, 0, PCI_VENDOR_ID, 4), 0x10421AF4u);
	set_buses(f, 0, 5, 4);
	assert_int_equal(cfg_read(f, 5, 0, 0, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);
	/* Secondary 0 forwards nothing, even with a wide subordinate range. */
	set_buses(f, 0, 0, 0xFF);
	for (unsigned b = 1; b < 256; b++)
		assert_int_equal(cfg_read(f, b, 0, 0, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);
	assert_int_equal(pci_host_config_read(f->host, 300, 0, 0, 0, 4), 0xFFFFFFFFu);
	/* The bus API. */
	struct pci_bus *root = pci_host_root_bus(f->host);
	assert_true(pci_bus_is_root(root));
	assert_false(pci_bus_is_root(secondary));
	assert_int_equal(pci_bus_number(root), 0);
	assert_null(pci_bus_bridge_function(root));
	assert_ptr_equal(pci_bus_bridge_function(secondary), pcie_root_port_function(f->rp));
	assert_ptr_equal(pci_function_parent_bus(&f->ep.pci), secondary);
	assert_ptr_equal(pci_function_parent_bus(pcie_root_port_function(f->rp)), root);
	assert_ptr_equal(pci_bus_function(secondary, 0, 0), &f->ep.pci);
	assert_null(pci_bus_function(secondary, 1, 0));
	assert_ptr_equal(f->ep.pci.host, f->host);
	/* Below a PCIe port only device 0; a function attaches once. */
	struct endpoint other;
	endpoint_init(&other, &ep_info);
	assert_int_equal(pci_bus_attach(secondary, 1, 0, &other.pci), -EINVAL);
	assert_int_equal(pci_bus_attach(secondary, 0, 0, &other.pci), -EBUSY);
	assert_int_equal(pci_bus_attach(root, 7, 0, &f->ep.pci), -EBUSY);
	assert_int_equal(pci_bus_attach(secondary, 0, 1, &other.pci), 0);
	assert_int_equal(pci_config_get8(&f->ep.pci, PCI_HEADER_TYPE), 0x80);
	pci_host_detach(f->host, &other.pci);
	assert_int_equal(pci_config_get8(&f->ep.pci, PCI_HEADER_TYPE), 0x00);
	pci_function_release(&other.pci);
}

/* The endpoint's BAR1 at 0xC0000000 with memory decoding on. */
static void program_endpoint(struct fixture *f)
{
	set_buses(f, 0, 1, 1);
	ecam_write(f, 1, 0, 0, PCI_BASE_ADDRESS_0, 4, 0x2000);
	ecam_write(f, 1, 0, 0, PCI_BASE_ADDRESS_0 + 4, 4, 0xC0000000u);
	ecam_write(f, 1, 0, 0, PCI_BASE_ADDRESS_0 + 8, 4, 0);
	ecam_write(f, 1, 0, 0, PCI_BASE_ADDRESS_0 + 12, 4, 8);       /* 0x8_0000_0000 */
	ecam_write(f, 1, 0, 0, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
}

static void test_memory_window(void **state)
{
	struct fixture *f = *state;

	program_endpoint(f);
	/* The port decodes nothing yet. */
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0xC0000000u));
	assert_false(f->ep.pci.bar[1].enabled);
	/* Window over the BAR, but memory decoding of the port still off. */
	rp_write(f, PCI_MEMORY_BASE, 2, 0xC000);
	rp_write(f, PCI_MEMORY_LIMIT, 2, 0xC000);                      /* 0xC0000000..0xC00FFFFF */
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0xC0000000u));
	unsigned events = f->ep.events;
	rp_write(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_true(mapped_at(f, BUS_SPACE_MMIO, 0xC0000000u));
	assert_int_equal(mmio_read(f->bus, 0xC0000010u, 4), 0xAB10);
	assert_int_equal(f->ep.events, events + 1);
	assert_int_equal(f->ep.last.bar, 1);
	assert_int_equal(f->ep.last.base, 0xC0000000u);
	assert_true(f->ep.last.enabled);
	/* The 64-bit BAR above 4 GiB and the I/O BAR stay off. */
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0x800000000ull));
	assert_false(mapped_at(f, BUS_SPACE_PIO, 0x2000));
	/* Moving the window away unmaps the BAR; back again maps it. */
	rp_write(f, PCI_MEMORY_BASE, 4, 0xC010C010u);
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0xC0000000u));
	assert_false(f->ep.last.enabled);
	rp_write(f, PCI_MEMORY_BASE, 4, 0xC000C010u);                  /* base > limit: empty */
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0xC0000000u));
	rp_write(f, PCI_MEMORY_BASE, 4, 0xC000C000u);
	assert_true(mapped_at(f, BUS_SPACE_MMIO, 0xC0000000u));
	/* The BAR moved by the guest to the window's last page still fits... */
	ecam_write(f, 1, 0, 0, PCI_BASE_ADDRESS_0 + 4, 4, 0xC00FF000u);
	assert_true(mapped_at(f, BUS_SPACE_MMIO, 0xC00FF000u));
	/* ...one page further does not. */
	ecam_write(f, 1, 0, 0, PCI_BASE_ADDRESS_0 + 4, 4, 0xC0100000u);
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0xC0100000u));
	ecam_write(f, 1, 0, 0, PCI_BASE_ADDRESS_0 + 4, 4, 0xC0000000u);
	assert_true(mapped_at(f, BUS_SPACE_MMIO, 0xC0000000u));
	/* Port memory decoding off: gone. */
	rp_write(f, PCI_COMMAND, 2, 0);
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0xC0000000u));
	assert_false(f->ep.pci.bar[1].enabled);
	/* The root port's own BAR decodes on bus 0, whatever its windows say. */
	rp_write(f, PCI_BASE_ADDRESS_0, 4, 0xFEB00000u);
	rp_write(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	rp_write(f, PCI_MEMORY_BASE, 4, 0);
	const struct bus_region *r = bus_find(f->bus, BUS_SPACE_MMIO, 0xFEB00000u);
	assert_non_null(r);
	assert_string_equal(r->name, "pcie-root-port");
}

static void test_prefetchable_window(void **state)
{
	struct fixture *f = *state;

	program_endpoint(f);
	rp_write(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	rp_write(f, PCI_MEMORY_BASE, 4, 0x0000FFF0u);                  /* empty */
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0x800000000ull));
	/* 0x8_0000_0000..0x8_000F_FFFF */
	rp_write(f, PCI_PREF_MEMORY_BASE, 4, 0x00000000u);
	rp_write(f, PCI_PREF_BASE_UPPER32, 4, 8);
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0x800000000ull));   /* limit still 0:0 */
	rp_write(f, PCI_PREF_LIMIT_UPPER32, 4, 8);
	assert_true(mapped_at(f, BUS_SPACE_MMIO, 0x800000000ull));
	assert_int_equal(f->ep.last.bar, 2);
	assert_int_equal(f->ep.last.base, 0x800000000ull);
	assert_true(f->ep.last.enabled);
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0xC0000000u));
	/* A 32-bit BAR inside the prefetchable window decodes as well. */
	rp_write(f, PCI_PREF_BASE_UPPER32, 4, 0);
	rp_write(f, PCI_PREF_LIMIT_UPPER32, 4, 0);
	rp_write(f, PCI_PREF_MEMORY_BASE, 4, 0xC010C000u);
	assert_true(mapped_at(f, BUS_SPACE_MMIO, 0xC0000000u));
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0x800000000ull));
	/* Window spanning 4 GiB: both. */
	rp_write(f, PCI_PREF_LIMIT_UPPER32, 4, 8);
	assert_true(mapped_at(f, BUS_SPACE_MMIO, 0xC0000000u));
	assert_true(mapped_at(f, BUS_SPACE_MMIO, 0x800000000ull));
	/* Upper base above upper limit: empty. */
	rp_write(f, PCI_PREF_BASE_UPPER32, 4, 9);
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0xC0000000u));
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0x800000000ull));
}

static void test_io_window(void **state)
{
	struct fixture *f = *state;

	program_endpoint(f);
	rp_write(f, PCI_IO_BASE, 2, 0x2020);                          /* 0x2000..0x2FFF */
	rp_write(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);               /* memory only */
	assert_false(mapped_at(f, BUS_SPACE_PIO, 0x2000));
	rp_write(f, PCI_COMMAND, 2, PCI_COMMAND_IO);
	assert_true(mapped_at(f, BUS_SPACE_PIO, 0x2000));
	assert_int_equal(pio_in(f->bus, 0x2004, 2), 0xAB04);
	assert_int_equal(f->ep.last.bar, 0);
	assert_true(f->ep.last.enabled);
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0xC0000000u));     /* memory off now */
	rp_write(f, PCI_IO_BASE, 2, 0x3030);
	assert_false(mapped_at(f, BUS_SPACE_PIO, 0x2000));
	rp_write(f, PCI_IO_BASE, 2, 0x1010);                          /* 0x1000..0x1FFF */
	assert_false(mapped_at(f, BUS_SPACE_PIO, 0x2000));
	rp_write(f, PCI_IO_BASE, 2, 0x1020);                          /* base > limit */
	assert_false(mapped_at(f, BUS_SPACE_PIO, 0x2000));
	rp_write(f, PCI_IO_BASE, 2, 0x3010);                          /* 0x1000..0x3FFF */
	assert_true(mapped_at(f, BUS_SPACE_PIO, 0x2000));
	/* ISA and VGA enable are stored, forward nothing, change nothing. */
	rp_write(f, PCI_BRIDGE_CONTROL, 2, PCI_BRIDGE_CTL_ISA | PCI_BRIDGE_CTL_VGA);
	assert_int_equal(rp_read(f, PCI_BRIDGE_CONTROL, 2), 0x000C);
	assert_true(mapped_at(f, BUS_SPACE_PIO, 0x2000));
	assert_null(bus_find(f->bus, BUS_SPACE_PIO, 0x3C0));
	assert_null(bus_find(f->bus, BUS_SPACE_MMIO, 0xA0000));
	rp_write(f, PCI_COMMAND, 2, 0);
	assert_false(mapped_at(f, BUS_SPACE_PIO, 0x2000));
	assert_false(f->ep.pci.bar[0].enabled);
}

static void test_root_port_intx(void **state)
{
	struct fixture *f = *state;
	struct pci_function *port = pcie_root_port_function(f->rp);

	/* Device 0, pin A: output INTA. */
	pci_set_irq(&f->ep.pci, true);
	assert_true(f->out[0]);
	assert_false(f->out[1] || f->out[2] || f->out[3]);
	/* The port's own INTA shares the output. */
	pci_set_irq(port, true);
	pci_set_irq(&f->ep.pci, false);
	assert_true(f->out[0]);
	pci_set_irq(port, false);
	assert_false(f->out[0]);
	/* INTx disable in the endpoint's command register silences it. */
	pci_set_irq(&f->ep.pci, true);
	assert_true(f->out[0]);
	set_buses(f, 0, 1, 1);
	cfg_write(f, 1, 0, 0, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	assert_false(f->out[0]);
	cfg_write(f, 1, 0, 0, PCI_COMMAND, 2, 0);
	assert_true(f->out[0]);
	/* Detaching a child that holds its pin drops it. */
	pci_host_detach(f->host, &f->ep.pci);
	assert_false(f->out[0]);
	assert_null(f->ep.pci.host);
	assert_null(pci_function_parent_bus(&f->ep.pci));
	/* Attached again while high: the output follows at once. */
	assert_int_equal(pci_bus_attach(pcie_root_port_secondary(f->rp), 0, 0, &f->ep.pci), 0);
	assert_true(f->out[0]);
	assert_ptr_equal(f->ep.pci.host, f->host);
	assert_null(pcie_root_port_intx_out(f->rp, 4));
}

static void test_conventional_bridge_swizzle_and_nesting(void **state)
{
	struct fixture *f = *state;
	bool out1[4] = { false };
	struct pci_bridge *br = pci_bridge_create(pci_host_root_bus(f->host), 2, 0, &bridge_info, false);
	assert_non_null(br);
	for (unsigned p = 0; p < 4; p++)
		irq_line_connect(pci_bridge_intx_out(br, p), record_out, out1, p);
	struct pci_bus *sec = pci_bridge_secondary(br);
	struct endpoint a0, a1, b2, c3, a_nested;
	endpoint_init(&a0, &ep_info);
	endpoint_init(&a1, &ep_info);
	endpoint_init(&b2, &pin_b_info);
	endpoint_init(&c3, &pin_c_info);
	endpoint_init(&a_nested, &ep_info);
	assert_int_equal(pci_bus_attach(sec, 0, 0, &a0.pci), 0);
	assert_int_equal(pci_bus_attach(sec, 1, 0, &a1.pci), 0);
	assert_int_equal(pci_bus_attach(sec, 2, 0, &b2.pci), 0);
	assert_int_equal(pci_bus_attach(sec, 3, 0, &c3.pci), 0);
	/* A bridge behind the bridge at 02:05.0 with a device at 03:01.0. */
	struct pci_bridge *nested = pci_bridge_create(sec, 5, 0, &bridge_info, false);
	assert_non_null(nested);
	assert_int_equal(pci_bus_attach(pci_bridge_secondary(nested), 1, 0, &a_nested.pci), 0);
	/* A bridge cannot go behind itself; a type 0 info is no bridge. */
	assert_int_equal(pci_bus_attach(pci_bridge_secondary(nested), 2, 0,
					pci_bridge_function(br)), -EINVAL);
	assert_null(pci_bridge_create(sec, 6, 0, &ep_info, false));

	/* (D + P - 1) mod 4 + 1. */
	pci_set_irq(&a0.pci, true);                 /* 0, A -> A */
	assert_true(out1[0]);
	pci_set_irq(&a1.pci, true);                 /* 1, A -> B */
	assert_true(out1[1]);
	pci_set_irq(&b2.pci, true);                 /* 2, B -> D */
	assert_true(out1[3]);
	assert_false(out1[2]);
	pci_set_irq(&c3.pci, true);                 /* 3, C -> B */
	pci_set_irq(&a1.pci, false);
	assert_true(out1[1]);                       /* still held by 3, C */
	pci_set_irq(&c3.pci, false);
	assert_false(out1[1]);
	pci_set_irq(&a0.pci, false);
	pci_set_irq(&b2.pci, false);
	assert_false(out1[0] || out1[1] || out1[2] || out1[3]);
	/* Nested: 1, A -> inner B; inner bridge at device 5, B -> outer C. */
	pci_set_irq(&a_nested.pci, true);
	assert_true(pci_bridge_intx_out(nested, 1)->level);
	assert_true(out1[2]);
	assert_false(out1[0] || out1[1] || out1[3]);
	/* The outer bridge's own INTA. */
	pci_set_irq(pci_bridge_function(br), true);
	assert_true(out1[0]);
	pci_set_irq(pci_bridge_function(br), false);
	pci_set_irq(&a_nested.pci, false);
	assert_false(out1[2]);

	/* Configuration routing through both: buses 2 and 3. */
	cfg_write(f, 0, 2, 0, PCI_PRIMARY_BUS, 4, 0x00030200);
	assert_int_equal(cfg_read(f, 2, 1, 0, PCI_VENDOR_ID, 4), 0x10421AF4u);   /* any device */
	assert_int_equal(cfg_read(f, 2, 3, 0, PCI_VENDOR_ID, 4), 0x10028086u);
	assert_int_equal(cfg_read(f, 2, 5, 0, PCI_HEADER_TYPE, 1), 0x01);
	assert_int_equal(cfg_read(f, 3, 1, 0, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);   /* inner off */
	cfg_write(f, 2, 5, 0, PCI_PRIMARY_BUS, 4, 0x00030302);
	assert_int_equal(cfg_read(f, 3, 1, 0, PCI_VENDOR_ID, 4), 0x10421AF4u);
	assert_int_equal(ecam_read(f, 3, 1, 0, PCI_VENDOR_ID, 4), 0x10421AF4u);
	assert_int_equal(cfg_read(f, 3, 0, 0, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);
	/* Conventional bridges keep a secondary latency timer. */
	cfg_write(f, 0, 2, 0, PCI_SEC_LATENCY_TIMER, 1, 0x40);
	assert_int_equal(cfg_read(f, 0, 2, 0, PCI_SEC_LATENCY_TIMER, 1), 0x40);
	assert_int_equal(cfg_read(f, 0, 2, 0, PCI_BRIDGE_CONTROL, 2), 0);
	cfg_write(f, 0, 2, 0, PCI_BRIDGE_CONTROL, 2, 0xFFBF);
	assert_int_equal(cfg_read(f, 0, 2, 0, PCI_BRIDGE_CONTROL, 2), 0x003F);

	/* Memory behind two bridges needs both windows and both enables. */
	cfg_write(f, 3, 1, 0, PCI_BASE_ADDRESS_0 + 4, 4, 0xD0000000u);
	cfg_write(f, 3, 1, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cfg_write(f, 2, 5, 0, PCI_MEMORY_BASE, 4, 0xD000D000u);
	cfg_write(f, 2, 5, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0xD0000000u));
	cfg_write(f, 0, 2, 0, PCI_MEMORY_BASE, 4, 0xD0F0D000u);       /* outer decoding off */
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0xD0000000u));
	cfg_write(f, 0, 2, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_true(mapped_at(f, BUS_SPACE_MMIO, 0xD0000000u));
	assert_int_equal(mmio_read(f->bus, 0xD0000020u, 4), 0xAB20);
	cfg_write(f, 0, 2, 0, PCI_MEMORY_BASE, 4, 0xD0F0D010u);       /* outer misses the BAR */
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0xD0000000u));
	cfg_write(f, 0, 2, 0, PCI_MEMORY_BASE, 2, 0xD000);
	assert_true(mapped_at(f, BUS_SPACE_MMIO, 0xD0000000u));
	cfg_write(f, 2, 5, 0, PCI_COMMAND, 2, 0);
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0xD0000000u));
	cfg_write(f, 2, 5, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_true(mapped_at(f, BUS_SPACE_MMIO, 0xD0000000u));

	/* Host reset: every function on every bus once, buses forgotten. */
	a0.resets = a1.resets = b2.resets = c3.resets = a_nested.resets = f->ep.resets = 0;
	pci_host_reset(f->host);
	assert_int_equal(a0.resets, 1);
	assert_int_equal(a1.resets, 1);
	assert_int_equal(b2.resets, 1);
	assert_int_equal(c3.resets, 1);
	assert_int_equal(a_nested.resets, 1);
	assert_int_equal(f->ep.resets, 1);
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0xD0000000u));
	assert_int_equal(cfg_read(f, 2, 1, 0, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);
	assert_int_equal(pci_config_get32(pci_bridge_function(nested), PCI_PRIMARY_BUS), 0);

	/* Unplugging the outer bridge cuts everything behind it off the host. */
	pci_set_irq(&a_nested.pci, true);
	assert_true(out1[2]);
	pci_host_detach(f->host, pci_bridge_function(br));
	assert_null(a_nested.pci.host);
	assert_null(pci_bridge_function(nested)->host);
	pci_bridge_destroy(nested);
	assert_null(pci_function_parent_bus(&a_nested.pci));
	assert_false(pci_bridge_intx_out(br, 2)->level);
	pci_bridge_destroy(br);
	assert_null(pci_function_parent_bus(&a0.pci));
	pci_function_release(&a0.pci);
	pci_function_release(&a1.pci);
	pci_function_release(&b2.pci);
	pci_function_release(&c3.pci);
	pci_function_release(&a_nested.pci);
}

static void test_root_port_msix(void **state)
{
	struct fixture *f = *state;
	struct pci_function *port = pcie_root_port_function(f->rp);

	assert_int_equal(rp_read(f, MSIX, 2), 0x0011);                 /* last capability */
	assert_int_equal(rp_read(f, MSIX + PCI_MSIX_FLAGS, 2), 0);     /* one vector */
	assert_int_equal(rp_read(f, MSIX + PCI_MSIX_TABLE, 4), 0);     /* BAR0 + 0 */
	assert_int_equal(rp_read(f, MSIX + PCI_MSIX_PBA, 4), 0x800);
	assert_non_null(port->msix);
	rp_write(f, PCI_BASE_ADDRESS_0, 4, 0xFEB00000u);
	rp_write(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_int_equal(mmio_read(f->bus, 0xFEB0000Cu, 4), 1);        /* masked after reset */
	rp_write(f, MSIX + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	mmio_write(f->bus, 0xFEB00000u, 4, 0xFEE02000u);
	mmio_write(f->bus, 0xFEB00004u, 4, 0);
	mmio_write(f->bus, 0xFEB00008u, 4, 0x4041);
	mmio_write(f->bus, 0xFEB0000Cu, 4, 0);
	pci_msix_notify(port->msix, 0);
	assert_int_equal(f->count, 0);
	assert_int_equal(mmio_read(f->bus, 0xFEB00800u, 4), 1);        /* pending */
	rp_write(f, MSIX + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(f->count, 1);
	assert_int_equal(f->sent[0].address, 0xFEE02000u);
	assert_int_equal(f->sent[0].data, 0x4041);
	/* The port's own INTx is silent while MSI-X is on; children's are not. */
	pci_set_irq(port, true);
	assert_false(f->out[0]);
	pci_set_irq(&f->ep.pci, true);
	assert_true(f->out[0]);
	pci_set_irq(&f->ep.pci, false);
	assert_false(f->out[0]);
	rp_write(f, MSIX + PCI_MSIX_FLAGS, 2, 0);
	assert_true(f->out[0]);
}

static void test_secondary_bus_reset(void **state)
{
	struct fixture *f = *state;

	program_endpoint(f);
	rp_write(f, PCI_MEMORY_BASE, 4, 0xC000C000u);
	rp_write(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_true(mapped_at(f, BUS_SPACE_MMIO, 0xC0000000u));
	pci_set_irq(&f->ep.pci, true);
	assert_true(f->out[0]);
	f->ep.resets = 0;
	rp_write(f, PCI_BRIDGE_CONTROL, 2, PCI_BRIDGE_CTL_BUS_RESET);
	assert_int_equal(f->ep.resets, 1);
	assert_int_equal(rp_read(f, PCI_BRIDGE_CONTROL, 2), PCI_BRIDGE_CTL_BUS_RESET);
	assert_int_equal(pci_config_get16(&f->ep.pci, PCI_COMMAND), 0);
	assert_int_equal(pci_config_get32(&f->ep.pci, PCI_BASE_ADDRESS_0 + 4), 0);
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0xC0000000u));
	assert_false(f->out[0]);
	/* The port itself keeps its registers. */
	assert_int_equal(rp_read(f, PCI_PRIMARY_BUS, 4), 0x00010100u);
	assert_int_equal(rp_read(f, PCI_MEMORY_BASE, 4), 0xC000C000u);
	assert_int_equal(rp_read(f, PCI_COMMAND, 2), PCI_COMMAND_MEMORY);
	/* Writing it again while set, or clearing it, resets nothing more. */
	rp_write(f, PCI_BRIDGE_CONTROL, 2, PCI_BRIDGE_CTL_BUS_RESET | PCI_BRIDGE_CTL_SERR);
	rp_write(f, PCI_BRIDGE_CONTROL, 2, 0);
	assert_int_equal(f->ep.resets, 1);
	/* The endpoint works again after the reset. */
	ecam_write(f, 1, 0, 0, PCI_BASE_ADDRESS_0 + 4, 4, 0xC0000000u);
	ecam_write(f, 1, 0, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_true(mapped_at(f, BUS_SPACE_MMIO, 0xC0000000u));
	rp_write(f, PCI_BRIDGE_CONTROL, 1, PCI_BRIDGE_CTL_BUS_RESET);
	assert_int_equal(f->ep.resets, 2);
}

static void test_host_reset_resets_below(void **state)
{
	struct fixture *f = *state;

	program_endpoint(f);
	rp_write(f, PCI_MEMORY_BASE, 4, 0xC000C000u);
	rp_write(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	rp_write(f, PCI_BRIDGE_CONTROL, 2, PCI_BRIDGE_CTL_SERR);
	assert_true(mapped_at(f, BUS_SPACE_MMIO, 0xC0000000u));
	f->ep.resets = 0;
	pci_host_reset(f->host);
	assert_int_equal(f->ep.resets, 1);
	assert_int_equal(rp_read(f, PCI_PRIMARY_BUS, 4), 0);
	assert_int_equal(rp_read(f, PCI_MEMORY_BASE, 4), 0);
	assert_int_equal(rp_read(f, PCI_PREF_MEMORY_BASE, 4), 0x00010001u);
	assert_int_equal(rp_read(f, PCI_COMMAND, 2), 0);
	assert_int_equal(rp_read(f, PCI_BRIDGE_CONTROL, 2), 0);
	assert_int_equal(pci_config_get16(&f->ep.pci, PCI_COMMAND), 0);
	assert_false(mapped_at(f, BUS_SPACE_MMIO, 0xC0000000u));
	assert_int_equal(cfg_read(f, 1, 0, 0, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);
}

static void test_io_window_of_host_moves_bars_behind_bridges(void **state)
{
	struct fixture *f = *state;

	program_endpoint(f);
	rp_write(f, PCI_IO_BASE, 2, 0x2020);
	rp_write(f, PCI_COMMAND, 2, PCI_COMMAND_IO);
	assert_true(mapped_at(f, BUS_SPACE_PIO, 0x2000));
	pci_host_set_io_window(f->host, BUS_SPACE_MMIO, 0x3EFF0000u);
	assert_false(mapped_at(f, BUS_SPACE_PIO, 0x2000));
	assert_true(mapped_at(f, BUS_SPACE_MMIO, 0x3EFF2000u));
}

/* Whatever the guest writes anywhere, nothing breaks and ids stay. */
static void test_guest_garbage(void **state)
{
	struct fixture *f = *state;
	static const uint32_t values[] = { 0xFFFFFFFFu, 0, 0x01010101u, 0x5A5AA5A5u };
	static const unsigned widths[] = { 1, 2, 4 };

	for (unsigned v = 0; v < 4; v++) {
		for (unsigned w = 0; w < 3; w++) {
			for (unsigned reg = 0; reg < 0x1000; reg += widths[w]) {
				ecam_write(f, 0, RP_DEV, 0, reg, widths[w], values[v]);
				(void)ecam_read(f, 0, RP_DEV, 0, reg, widths[w]);
				ecam_write(f, 1, 0, 0, reg, widths[w], values[v] ^ 0x0F0F0F0Fu);
				if (reg < 0x100)
					cfg_write(f, 0x5A, 0, 0, reg, widths[w], values[v]);
			}
			pci_set_irq(&f->ep.pci, (v + w) & 1);
		}
	}
	assert_int_equal(rp_read(f, PCI_VENDOR_ID, 4), 0x000C1B36u);
	assert_int_equal(rp_read(f, PCI_HEADER_TYPE, 1), 0x01);
	assert_int_equal(pci_config_get32(&f->ep.pci, PCI_VENDOR_ID), 0x10421AF4u);
	pci_host_reset(f->host);
	assert_int_equal(rp_read(f, PCI_PRIMARY_BUS, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_root_port_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_express_capability, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_routing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefetchable_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_port_intx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conventional_bridge_swizzle_and_nesting, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_root_port_msix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secondary_bus_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_reset_resets_below, setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_window_of_host_moves_bars_behind_bridges,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_garbage, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
