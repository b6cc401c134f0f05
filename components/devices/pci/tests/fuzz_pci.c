/* SPDX-License-Identifier: MIT */
/*
 * Random guest traffic against the PC chipset and a device with BARs:
 * configuration accesses through 0xCF8/0xCFC and ECAM, the PM block, the
 * APM/ELCR/0xCF9 ports, the device's BARs and its MSI-X table (a BAR the
 * generic code maps), interrupts, time passing and resets (also from
 * inside the 0xCF9 handler, as a VM would do).  Besides the sanitizers, a
 * few invariants are checked after every step:
 *   - identity registers never change,
 *   - the device's BAR regions are exactly where the callbacks put them,
 *     and the MSI-X BAR's region exactly where the BAR decodes,
 *   - the PM block is on the bus exactly where the device says,
 *   - INTx is low while MSI-X is enabled, every message sent is the one
 *     in the table and no message leaves a masked vector,
 *   - behind the PCIe root port at 00:04.0, the child's BAR regions are on
 *     the bus only while the port decodes their space, and the port's
 *     ids never change.
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
#include <pci/i440fx.h>
#include <pci/msix.h>
#include <pci/pcie_root_port.h>
#include <pci/piix.h>

#define ECAM_BASE 0xE0000000ull
#define ECAM_BUSES 4
#define DEV_SLOT 3
#define RP_SLOT 4

struct fuzz_device {
	struct pci_function pci;
	struct pci_msix msix;
	struct bus *bus;
	bool mapped[PCI_NUM_BARS];
	uint64_t mapped_base[PCI_NUM_BARS];
	uint8_t regs[0x100];
};

struct machine {
	struct bus *bus;
	struct pci_host *host;
	struct pci_i440fx *i440fx;
	struct pci_piix3 *piix3;
	struct pci_piix4_pm *pm;
	struct fuzz_device dev;
	struct pcie_root_port *rp;
	struct pci_function child;      /* below the root port */
	uint8_t child_regs[0x100];
	struct vclock clock;
	uint64_t now;
	unsigned reset_depth;
};

static uint64_t machine_time(void *ctx)
{
	return ((struct machine *)ctx)->now;
}

static uint64_t dev_read(void *opaque, uint64_t offset, unsigned width)
{
	struct fuzz_device *d = opaque;
	uint64_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)d->regs[(offset + i) & 0xFF] << (8 * i);
	return v;
}

static void dev_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct fuzz_device *d = opaque;
	for (unsigned i = 0; i < width; i++)
		d->regs[(offset + i) & 0xFF] = (uint8_t)(value >> (8 * i));
}

static const struct bus_ops dev_ops = { .read = dev_read, .write = dev_write };

/* What a real device does: move its region with the BAR. */
static void dev_bar_update(struct pci_function *fn, unsigned bar, uint64_t base, bool enabled)
{
	struct fuzz_device *d = fn->opaque;
	enum bus_space space = fn->bar[bar].type == PCI_BAR_IO ? BUS_SPACE_PIO : BUS_SPACE_MMIO;

	if (d->mapped[bar]) {
		if (bus_unregister(d->bus, space, d->mapped_base[bar]))
			abort();
		d->mapped[bar] = false;
	}
	if (!enabled)
		return;
	if (base != pci_bar_address(fn, bar))
		abort();
	struct bus_region r = {
		.name = "fuzzdev", .space = space, .base = base, .size = fn->bar[bar].size,
		.ops = &dev_ops, .opaque = d,
	};
	if (bus_register(d->bus, &r) == 0) {
		d->mapped[bar] = true;
		d->mapped_base[bar] = base;
	}
}

static const struct pci_function_ops fuzz_dev_ops = { .bar_update = dev_bar_update };

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

static const struct pci_function_info fuzz_dev_info = {
	.name = "fuzzdev",
	.vendor_id = 0x1AF4,
	.device_id = 0x1041,
	.class_code = 0x020000,
	.interrupt_pin = 1,
	.express = true,
	.ops = &fuzz_dev_ops,
};

/* Every message must be what the table holds for an open vector. */
static void msi_check(void *opaque, uint64_t address, uint32_t data)
{
	struct machine *m = opaque;
	const struct pci_msix *msix = &m->dev.msix;
	bool found = false;

	if (!pci_msix_enabled(msix) ||
	    (pci_config_get16(&m->dev.pci, msix->cap + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_MASKALL))
		abort();
	for (unsigned v = 0; v < msix->vectors; v++) {
		const struct pci_msix_entry *e = &msix->table[v];
		if (!(e->control & PCI_MSIX_ENTRY_CTRL_MASKBIT) && e->data == data &&
		    ((uint64_t)e->address_hi << 32 | e->address_lo) == address)
			found = true;
	}
	if (!found)
		abort();
}

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
	(void)slp_typ;
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
	m->host = pci_host_create(m->bus, "pci0");
	if (!m->bus || !m->host || pci_host_register_cf8(m->host) ||
	    pci_host_map_ecam(m->host, ECAM_BASE, ECAM_BUSES))
		abort();
	m->i440fx = pci_i440fx_create(m->host, pam_update, m);
	m->piix3 = pci_piix3_create(m->host, reset_request, m);
	m->pm = pci_piix4_pm_create(m->host, &m->clock, sleep_request, m);
	m->dev.bus = m->bus;
	if (!m->i440fx || !m->piix3 || !m->pm ||
	    pci_function_init(&m->dev.pci, &fuzz_dev_info, &m->dev) ||
	    pci_declare_bar(&m->dev.pci, 0, PCI_BAR_IO, 0x40, false) ||
	    pci_declare_bar(&m->dev.pci, 1, PCI_BAR_MEM32, 0x1000, false) ||
	    pci_declare_bar(&m->dev.pci, 2, PCI_BAR_MEM64, 0x4000, true) ||
	    pci_add_capability(&m->dev.pci, PCI_CAP_ID_VENDOR, 16) < 0 ||
	    pci_msix_init(&m->dev.msix, &m->dev.pci, 4, 4) ||
	    pci_host_attach(m->host, DEV_SLOT, 0, &m->dev.pci))
		abort();
	pci_host_set_msi_handler(m->host, msi_check, m);
	m->rp = pcie_root_port_create(pci_host_root_bus(m->host), RP_SLOT, 0, 1, 1);
	if (!m->rp || pci_function_init(&m->child, &child_info, m->child_regs) ||
	    pci_declare_bar(&m->child, 0, PCI_BAR_IO, 0x40, false) ||
	    pci_declare_bar(&m->child, 1, PCI_BAR_MEM32, 0x1000, false) ||
	    pci_declare_bar(&m->child, 2, PCI_BAR_MEM64, 0x4000, true) ||
	    pci_bar_set_handler(&m->child, 0, &child_ops, m->child_regs, NULL) ||
	    pci_bar_set_handler(&m->child, 1, &child_ops, m->child_regs, NULL) ||
	    pci_bar_set_handler(&m->child, 2, &child_ops, m->child_regs, NULL) ||
	    pci_bus_attach(pcie_root_port_secondary(m->rp), 0, 0, &m->child))
		abort();
}

static void machine_destroy(struct machine *m)
{
	for (unsigned bar = 0; bar < PCI_NUM_BARS; bar++)
		if (m->dev.mapped[bar])
			bus_unregister(m->bus, m->dev.pci.bar[bar].type == PCI_BAR_IO ?
				       BUS_SPACE_PIO : BUS_SPACE_MMIO, m->dev.mapped_base[bar]);
	pci_host_detach(m->host, &m->dev.pci);
	pci_function_release(&m->dev.pci);
	pcie_root_port_destroy(m->rp);
	pci_function_release(&m->child);
	pci_piix4_pm_destroy(m->pm);
	pci_piix3_destroy(m->piix3);
	pci_i440fx_destroy(m->i440fx);
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
	if (pci_host_config_read(m->host, 0, 0, 0, 0, 4) != 0x12378086u ||
	    pci_host_config_read(m->host, 0, 1, 0, 0, 4) != 0x70008086u ||
	    pci_host_config_read(m->host, 0, 1, 3, 0, 4) != 0x71138086u ||
	    pci_host_config_read(m->host, 0, DEV_SLOT, 0, 0, 4) != 0x10411AF4u ||
	    pci_host_config_read(m->host, 0, 1, 0, PCI_HEADER_TYPE, 1) != 0x80)
		abort();
	uint16_t pm_base = pci_piix4_pm_io_base(m->pm);
	if (pm_base) {
		const struct bus_region *r = bus_find(m->bus, BUS_SPACE_PIO, pm_base);
		if (!r || r->base != pm_base || r->size != PCI_PIIX4_PM_BLOCK_SIZE)
			abort();
	}
	if (pci_piix4_pm_timer(m->pm) > 0xFFFFFF)
		abort();
	const struct pci_bar *msix_bar = &m->dev.pci.bar[4];
	if (msix_bar->mapped && !msix_bar->enabled)
		abort();
	if (msix_bar->mapped) {
		const struct bus_region *r = bus_find(m->bus, BUS_SPACE_MMIO, msix_bar->mapped_addr);
		if (!r || r->base != msix_bar->base || r->size != PCI_MSIX_BAR_SIZE)
			abort();
	}
	if (pci_msix_enabled(&m->dev.msix) && m->dev.pci.intx.level)
		abort();
	if (pci_host_config_read(m->host, 0, RP_SLOT, 0, 0, 4) != 0x000C1B36u)
		abort();
	uint16_t rp_command = pci_config_get16(pcie_root_port_function(m->rp), PCI_COMMAND);
	for (unsigned bar = 0; bar < 3; bar++) {
		const struct pci_bar *b = &m->child.bar[bar];
		uint16_t need = b->type == PCI_BAR_IO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
		if (b->mapped && (!b->enabled || !(rp_command & need)))
			abort();
	}
	int irq = pci_piix3_pirq_route(m->piix3, 0);
	if (irq != -1 && (irq < 3 || irq > 15 || irq == 8 || irq == 13))
		abort();
}

static const unsigned widths[4] = { 1, 2, 4, 8 };
static const uint16_t ports[] = { 0xB2, 0xB3, 0x4D0, 0x4D1, 0xCF8, 0xCF9, 0xCFA, 0xCFB };

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
		case 0:   /* address register, usually a sensible address */
			if (a & 1)
				value = 0x80000000u | (value & 0x00FFFFFC);
			machine_access(&m, BUS_SPACE_PIO, true, 0xCF8, 4, value);
			if (machine_access(&m, BUS_SPACE_PIO, false, 0xCF8, 4, 0) != (value & 0x80FFFFFCu))
				abort();
			break;
		case 1:   /* data window, optionally re-aiming at a present function */
			if (b & 1) {
				static const uint8_t devfns[] = { 0x00, 0x08, 0x0B, DEV_SLOT << 3,
								  RP_SLOT << 3, 0x00, 0x08, 0x00 };
				/* The last three: buses 1..3, behind the root port if numbered so. */
				unsigned i = (b >> 1) & 7;
				uint32_t busnr = i >= 5 ? i - 4 : 0;
				machine_access(&m, BUS_SPACE_PIO, true, 0xCF8, 4,
				       0x80000000u | busnr << 16 | (uint32_t)devfns[i] << 8 | (c & 0xFC));
			}
			machine_access(&m, BUS_SPACE_PIO, write, 0xCFC + (a & 3), width, value);
			break;
		case 2: { /* ECAM */
			uint64_t offset = (uint64_t)(a & 3) << 20 | (uint64_t)b << 12 |
					  (uint64_t)(c & 0xF) << 8 | (cmd[4] & 0xFF);
			machine_access(&m, BUS_SPACE_MMIO, c & 0x80, ECAM_BASE + offset,
			       widths[(c >> 4) & 3], (uint64_t)value * 0x100000001ull);
			break;
		}
		case 3: { /* PM block, wherever it is */
			uint16_t base = pci_piix4_pm_io_base(m.pm);
			machine_access(&m, BUS_SPACE_PIO, write, (base ? base : 0xB000) + (b & 0x3F),
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
				pci_msix_notify(&m.dev.msix, b & 7);
			else if ((a & 3) == 3)
				pci_set_irq(b & 2 ? &m.child : &m.dev.pci, b & 1);
			else
				pci_piix4_pm_power_button(m.pm);
			break;
		case 7:   /* the device's BAR regions, the MSI-X table and PBA */
			if ((b & 3) == 3)
				machine_access(&m, BUS_SPACE_MMIO, write,
					       m.dev.pci.bar[4].base + ((uint32_t)c << 4 | (value >> 28)),
					       width, value);
			else
				machine_access(&m, b & 1 ? BUS_SPACE_MMIO : BUS_SPACE_PIO, write,
				       b & 1 ? m.dev.mapped_base[1 + ((b >> 1) & 1)] + (c & 0x3F)
					     : m.dev.mapped_base[0] + (c & 0x3F),
				       width, value);
			break;
		}
		check_invariants(&m);
	}
	machine_destroy(&m);
	return 0;
}
