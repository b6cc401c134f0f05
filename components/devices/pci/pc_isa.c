/* SPDX-License-Identifier: MIT */
/*
 * Ports and registers the PC ISA bridges share (PIIX3, ICH9 LPC): the
 * ELCR edge/level registers, the reset control register at 0xCF9 and
 * the decoding of PIRQ route registers.
 */
#include <core/log.h>
#include "chipset.h"

#define RCR_WRITABLE (PCI_RCR_SYS_RST | PCI_RCR_RST_CPU | PCI_RCR_FULL_RST)
#define PIRQ_IRQ_MASK 0x0F
/* ISA IRQs a PIRQ may be steered to (PIIX/ICH datasheets: 3-7, 9-12, 14, 15). */
#define PIRQ_VALID_IRQS 0xDEF8u

int pc_pirq_decode(uint8_t route)
{
	unsigned irq = route & PIRQ_IRQ_MASK;
	if ((route & PCI_PIRQ_DISABLED) || !(PIRQ_VALID_IRQS & (1u << irq)))
		return -1;
	return (int)irq;
}

/* ---- ELCR ------------------------------------------------------------ */

static uint64_t elcr_read(void *opaque, uint64_t offset, unsigned width)
{
	struct pc_elcr *elcr = opaque;
	(void)width;
	return elcr->elcr[offset & 1];
}

static void elcr_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct pc_elcr *elcr = opaque;
	(void)width;
	uint8_t mask = (uint8_t)(PCI_ELCR_WRITABLE >> (8 * (offset & 1)));
	elcr->elcr[offset & 1] = (uint8_t)value & mask;
}

static const struct bus_ops elcr_ops = {
	.read = elcr_read,
	.write = elcr_write,
};

int pc_elcr_register(struct pc_elcr *elcr, struct bus *bus)
{
	static const struct bus_rules byte_rules = {
		.min_width = 1,
		.max_width = 1,
		.oversize = BUS_OVERSIZE_SPLIT,
	};
	pc_elcr_reset(elcr);
	return bus_register_pio(bus, "elcr", PCI_ELCR_PORT, 2, &elcr_ops, elcr, &byte_rules);
}

void pc_elcr_unregister(struct pc_elcr *elcr, struct bus *bus)
{
	(void)elcr;
	bus_unregister(bus, BUS_SPACE_PIO, PCI_ELCR_PORT);
}

uint16_t pc_elcr_value(const struct pc_elcr *elcr)
{
	return (uint16_t)(elcr->elcr[0] | elcr->elcr[1] << 8);
}

void pc_elcr_reset(struct pc_elcr *elcr)
{
	elcr->elcr[0] = elcr->elcr[1] = 0;
}

/* ---- Reset control register ------------------------------------------ */

static uint64_t rcr_read(void *opaque, uint64_t offset, unsigned width)
{
	struct pc_rcr *rcr = opaque;
	(void)offset;
	(void)width;
	return rcr->rcr;
}

static void rcr_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct pc_rcr *rcr = opaque;
	(void)offset;
	(void)width;
	uint8_t bits = (uint8_t)value & RCR_WRITABLE;

	/* Stored first: the callback may reset the chipset, which clears it. */
	rcr->rcr = bits;
	if ((bits & PCI_RCR_RST_CPU) && rcr->reset_request) {
		log_limited(&rcr->reset_reports, LOG_INFO,
			    "%s: reset requested through 0xCF9 (%#x)", rcr->name, bits);
		rcr->reset_request(rcr->opaque, bits);
	}
}

static const struct bus_ops rcr_ops = {
	.read = rcr_read,
	.write = rcr_write,
};

void pc_rcr_attach(struct pc_rcr *rcr, struct pci_host *host, const char *name,
		   pci_reset_request_fn reset_request, void *opaque)
{
	rcr->name = name;
	rcr->rcr = 0;
	rcr->reset_request = reset_request;
	rcr->opaque = opaque;
	pci_host_set_port_cf9(host, &rcr_ops, rcr);
}

void pc_rcr_detach(struct pc_rcr *rcr, struct pci_host *host)
{
	(void)rcr;
	pci_host_set_port_cf9(host, NULL, NULL);
}
