/* SPDX-License-Identifier: MIT */
/*
 * Random guest traffic against the Q35 chipset: the MCH (PCIEXBAR moving
 * ECAM, PAM), the ICH9 LPC (PMBASE/ACPI_CNTL, the PM block, PIRQ A..H,
 * ELCR, RCBA, APM, 0xCF9) and a PCIe root port with a device behind it,
 * reached through 0xCF8/0xCFC and through ECAM wherever the guest put it,
 * with time passing, SCI sources and resets (also from inside the 0xCF9
 * handler).  After every step:
 *   - the identity registers of the MCH, the LPC and the port never change,
 *   - ECAM is on the bus exactly where the MCH says (or nowhere),
 *   - the PM block is on the bus exactly where the LPC says, and the RCBA
 *     region likewise,
 *   - PAM updates stay inside 0xC0000..0xFFFFF with a valid mode,
 *   - the SCI names an IRQ the ICH9 can select, PIRQ routes are ISA IRQs,
 *   - the child's BAR regions are mapped only while the port decodes.
 *
 * Input: 8-byte commands: opcode, a, b, c, then a 32-bit value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bus/bus.h>
#include <bus/vclock.h>
#include <core/log.h>
#include <pci/bridge.h>
#include <pci/ich9.h>
#include <pci/pcie_root_port.h>
#include <pci/q35.h>

#define RP_SLOT 2
#define LOW_RAM 0x20000000ull

struct machine {
	struct bus *bus;
	struct pci_host *host;
	struct pci_q35_mch *mch;
	struct pci_ich9_lpc *lpc;
	struct pcie_root_port *rp;
	struct pci_function child;
	uint8_t child_regs[0x100];
	struct vclock clock;
	uint64_t now;
	unsigned reset_depth;
};

static uint64_t machine_time(void *ctx)
{
	return ((struct machine *)ctx)->now;
}

static uint64_t child_read(void *opaque, uint64_t offset, unsigned width)
{
	uint8_t *regs = opaque;
	return width == 1 ? regs[offset & 0xFF] : 0;
}

static void child_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	uint8_t *regs = opaque;
	if (width == 1)
		regs[offset & 0xFF] = (uint8_t)value;
}

static const struct bus_ops child_ops = { .read = child_read, .write = child_write };

static const struct pci_function_info child_info = {
	.name = "fuzzchild",
	.vendor_id = 0x1AF4,
	.device_id = 0x1042,
	.class_code = 0x010000,
	.interrupt_pin = 1,
	.express = true,
};

static void reset_request(void *opaque, uint8_t rcr)
{
	struct machine *m = opaque;
	(void)rcr;
	if (m->reset_depth++ == 0)
		pci_host_reset(m->host);
	m->reset_depth--;
}

static void sleep_request(void *opaque, unsigned slp_typ)
{
	(void)opaque;
	if (slp_typ > 7)
		abort();
}

static void pam_update(void *opaque, uint32_t base, uint32_t size, enum pci_pam_mode mode)
{
	(void)opaque;
	if (base < 0xC0000 || base + size > 0x100000 || mode > PCI_PAM_READ_WRITE)
		abort();
}

static void machine_create(struct machine *m)
{
	memset(m, 0, sizeof(*m));
	vclock_init(&m->clock, machine_time, m);
	m->bus = bus_create("fuzz");
	m->host = pci_host_create(m->bus, "pcie");
	if (!m->bus || !m->host || pci_host_register_cf8(m->host))
		abort();
	m->mch = pci_q35_mch_create(m->host, LOW_RAM, pam_update, m);
	m->lpc = pci_ich9_lpc_create(m->host, &m->clock, reset_request, sleep_request, m);
	m->rp = pcie_root_port_create(pci_host_root_bus(m->host), RP_SLOT, 0, 1, RP_SLOT);
	if (!m->mch || !m->lpc || !m->rp ||
	    pci_function_init(&m->child, &child_info, m->child_regs) ||
	    pci_declare_bar(&m->child, 0, PCI_BAR_IO, 0x40, false) ||
	    pci_declare_bar(&m->child, 1, PCI_BAR_MEM32, 0x1000, false) ||
	    pci_declare_bar(&m->child, 4, PCI_BAR_MEM64, 0x4000, true) ||
	    pci_bar_set_handler(&m->child, 0, &child_ops, m->child_regs, NULL) ||
	    pci_bar_set_handler(&m->child, 1, &child_ops, m->child_regs, NULL) ||
	    pci_bar_set_handler(&m->child, 4, &child_ops, m->child_regs, NULL) ||
	    pci_bus_attach(pcie_root_port_secondary(m->rp), 0, 0, &m->child))
		abort();
}

static void machine_destroy(struct machine *m)
{
	pcie_root_port_destroy(m->rp);
	pci_function_release(&m->child);
	pci_ich9_lpc_destroy(m->lpc);
	pci_q35_mch_destroy(m->mch);
	pci_host_destroy(m->host);
	bus_destroy(m->bus);
}

static uint64_t machine_access(struct machine *m, enum bus_space space, bool write, uint64_t addr,
			       unsigned width, uint64_t value)
{
	struct bus_access acc = {
		.space = space, .dir = write ? BUS_WRITE : BUS_READ, .addr = addr,
		.width = width, .data = value,
	};
	bus_dispatch(m->bus, &acc);
	return acc.data;
}

static void check_invariants(struct machine *m)
{
	if (pci_host_config_read(m->host, 0, 0, 0, 0, 4) != 0x29C08086u ||
	    pci_host_config_read(m->host, 0, 0x1F, 0, 0, 4) != 0x29188086u ||
	    pci_host_config_read(m->host, 0, RP_SLOT, 0, 0, 4) != 0x000C1B36u)
		abort();

	uint64_t ecam = pci_q35_mch_ecam_base(m->mch);
	unsigned buses = pci_q35_mch_ecam_buses(m->mch);
	/* Base 0 with ECAM on is legal (a guest may put it over its RAM). */
	if (!buses && ecam)
		abort();
	if (buses) {
		const struct bus_region *r = bus_find(m->bus, BUS_SPACE_MMIO, ecam);
		if (!r || r->base != ecam || r->size != (uint64_t)buses << 20)
			abort();
		/* The MCH answers at 00:00.0 of ECAM wherever it is. */
		if (machine_access(m, BUS_SPACE_MMIO, false, ecam, 4, 0) != 0x29C08086u)
			abort();
	}

	uint16_t pm_base = pci_ich9_lpc_pm_base(m->lpc);
	if (pm_base) {
		const struct bus_region *r = bus_find(m->bus, BUS_SPACE_PIO, pm_base);
		if (!r || r->base != pm_base || r->size != PCI_ICH9_PM_BLOCK_SIZE)
			abort();
	}
	if (pci_ich9_lpc_pm_timer(m->lpc) > 0xFFFFFF)
		abort();

	uint32_t rcba = pci_ich9_lpc_rcba_base(m->lpc);
	if (rcba) {
		const struct bus_region *r = bus_find(m->bus, BUS_SPACE_MMIO, rcba);
		if (r && r->base == rcba && r->size != PCI_ICH9_LPC_RCBA_SIZE)
			abort();
	}

	int sci = pci_ich9_lpc_sci_irq(m->lpc);
	if (sci != -1 && sci != 9 && sci != 10 && sci != 11 && (sci < 20 || sci > 23))
		abort();
	for (unsigned pirq = 0; pirq < 8; pirq++) {
		int irq = pci_ich9_lpc_pirq_route(m->lpc, pirq);
		if (irq < -1 || irq > 15)
			abort();
	}

	uint16_t rp_command = pci_config_get16(pcie_root_port_function(m->rp), PCI_COMMAND);
	for (unsigned bar = 0; bar < PCI_NUM_BARS; bar++) {
		const struct pci_bar *b = &m->child.bar[bar];
		uint16_t need = b->type == PCI_BAR_IO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
		if (b->type != PCI_BAR_NONE && b->mapped && (!b->enabled || !(rp_command & need)))
			abort();
	}
}

static const unsigned widths[4] = { 1, 2, 4, 8 };
static const uint16_t ports[] = { 0xB2, 0xB3, 0x4D0, 0x4D1, 0xCF8, 0xCF9, 0xCFA, 0xCFB };
/* MCH 0x60/0x64 (PCIEXBAR), PAM, SMRAM; LPC PMBASE, ACPI_CNTL, PIRQs, RCBA. */
static const uint8_t mch_regs[] = { 0x60, 0x64, 0x90, 0x93, 0x96, 0x9D, 0x9E, 0xB0 };
static const uint8_t lpc_regs[] = { 0x40, 0x44, 0x60, 0x63, 0x68, 0x6B, 0xA0, 0xF0 };
/* Bases a guest is likely to choose, so that moves and clashes happen. */
static const uint32_t pciexbar[] = { 0xB0000001u, 0xE0000001u, 0xB0000003u, 0xB0000005u,
				     0xFED00001u, 0x00000000u, 0x20000001u, 0xFEC00001u };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct machine m;
	log_set_level(LOG_ERROR);
	machine_create(&m);

	for (size_t pos = 0; pos + 8 <= size; pos += 8) {
		const uint8_t *cmd = data + pos;
		uint8_t a = cmd[1], b = cmd[2], c = cmd[3];
		uint32_t value = (uint32_t)cmd[4] | (uint32_t)cmd[5] << 8 | (uint32_t)cmd[6] << 16 |
				 (uint32_t)cmd[7] << 24;
		bool write = a & 0x80;
		unsigned width = widths[(a >> 4) & 3];

		switch (cmd[0] % 8) {
		case 0:   /* chipset registers through 0xCF8/0xCFC */
			if (b & 1)
				machine_access(&m, BUS_SPACE_PIO, true, 0xCF8, 4,
					       0x80000000u | mch_regs[(b >> 1) & 7]);
			else
				machine_access(&m, BUS_SPACE_PIO, true, 0xCF8, 4,
					       0x80000000u | 0x1F << 11 | lpc_regs[(b >> 1) & 7]);
			machine_access(&m, BUS_SPACE_PIO, write, 0xCFC + (a & 3),
				       width > 4 ? 4 : width, value);
			break;
		case 1:   /* PCIEXBAR to a likely value, or any value */
			pci_host_config_write(m.host, 0, 0, 0, 0x64, 4, b & 1 ? value & 0xF : 0);
			pci_host_config_write(m.host, 0, 0, 0, 0x60, 4,
					      a & 1 ? value : pciexbar[b >> 5]);
			break;
		case 2: { /* ECAM, wherever it is now (or where it was meant to be) */
			uint64_t ecam = pci_q35_mch_ecam_base(m.mch);
			uint64_t offset = (uint64_t)(a & 3) << 20 | (uint64_t)b << 12 |
					  (uint64_t)(c & 0xF) << 8 | (cmd[4] & 0xFF);
			machine_access(&m, BUS_SPACE_MMIO, c & 0x80, (ecam ? ecam : 0xB0000000u) + offset,
				       widths[(c >> 4) & 3], (uint64_t)value * 0x100000001ull);
			break;
		}
		case 3: { /* PM block, wherever it is */
			uint16_t base = pci_ich9_lpc_pm_base(m.lpc);
			machine_access(&m, BUS_SPACE_PIO, write, (base ? base : 0x600) + (b & 0x7F),
				       width > 4 ? 4 : width, value);
			break;
		}
		case 4:
			machine_access(&m, BUS_SPACE_PIO, write, ports[b % (sizeof(ports) / sizeof(ports[0]))],
				       width > 4 ? 4 : width, value);
			break;
		case 5:
			m.now += (uint64_t)value << (a & 15);
			vclock_run_expired(&m.clock);
			break;
		case 6:
			if ((a & 3) == 1)
				pci_host_reset(m.host);
			else if ((a & 3) == 2)
				pci_ich9_lpc_gpe_event(m.lpc, b);
			else if ((a & 3) == 3)
				pci_set_irq(&m.child, b & 1);
			else
				pci_ich9_lpc_power_button(m.lpc);
			break;
		case 7: { /* RCBA region, the child's BARs */
			uint32_t rcba = pci_ich9_lpc_rcba_base(m.lpc);
			if (b & 1)
				machine_access(&m, BUS_SPACE_MMIO, write,
					       (rcba ? rcba : 0xFED1C000u) + (((uint32_t)c << 6 | value >> 26) & 0x3FFF),
					       width, value);
			else
				machine_access(&m, b & 2 ? BUS_SPACE_MMIO : BUS_SPACE_PIO, write,
					       m.child.bar[b & 2 ? 1 + ((b >> 2) & 1) * 3 : 0].base + (c & 0x3F),
					       width, value);
			break;
		}
		}
		check_invariants(&m);
	}
	machine_destroy(&m);
	return 0;
}
