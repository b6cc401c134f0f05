/* SPDX-License-Identifier: MIT */
/*
 * ICH9 LPC bridge (00:1F.0): PIRQ routing, ELCR, 0xCF9, the ACPI PM
 * block with GPE0 and the SMI registers, the APM ports and the RCBA
 * register block.  The PM1 registers, timer, APM, ELCR and 0xCF9 are the
 * pieces shared with the PIIX (chipset.h).  There is no SMM: SMI_EN
 * presets APMC_EN and nothing raises an SMI.
 */
#include <errno.h>
#include <core/log.h>
#include <core/mm.h>
#include <pci/ich9.h>
#include "chipset.h"
#include "internal.h"

#define INTEL_VENDOR 0x8086
#define PMBASE_RESET 0x00000001u           /* bit 0: I/O space indicator */
#define ACPI_CNTL_WRITABLE (PCI_ICH9_LPC_ACPI_CNTL_ACPI_EN | PCI_ICH9_LPC_ACPI_CNTL_SCI_IRQ_SEL)
#define PIRQ_ROUTE_WRITABLE (PCI_PIRQ_DISABLED | 0x0F)
#define RCBA_WRITABLE (PCI_ICH9_LPC_RCBA_BASE_MASK | PCI_ICH9_LPC_RCBA_EN)
#define SMI_END (PCI_ICH9_PM_SMI_STS + 4)

struct pci_ich9_lpc {
	struct pci_function fn;
	struct pci_host *host;
	struct acpi_pm_block block;
	struct apm_ports apm;
	struct pc_elcr elcr;
	struct pc_rcr rcr;
	uint8_t gpe0_sts[PCI_ICH9_PM_GPE0_LEN];
	uint8_t gpe0_en[PCI_ICH9_PM_GPE0_LEN];
	uint32_t smi_en;
	uint32_t smi_sts;
	uint8_t *rcba;                 /* PCI_ICH9_LPC_RCBA_SIZE bytes         */
	uint32_t rcba_mapped;          /* base of the registered region, 0: none */
};

/* ---- PM block: GPE0 and SMI registers ------------------------------------ */

static bool gpe0_pending(const struct pci_ich9_lpc *lpc)
{
	for (unsigned i = 0; i < PCI_ICH9_PM_GPE0_LEN; i++)
		if (lpc->gpe0_sts[i] & lpc->gpe0_en[i])
			return true;
	return false;
}

static bool lpc_sci_level(void *owner, bool pm1_pending)
{
	struct pci_ich9_lpc *lpc = owner;
	if (!(lpc->block.pm1_cnt & ACPI_PM1_CNT_SCI_EN))
		return false;
	return pm1_pending || gpe0_pending(lpc);
}

static uint8_t lpc_pm_read_byte(void *owner, unsigned offset)
{
	struct pci_ich9_lpc *lpc = owner;
	if (offset >= PCI_ICH9_PM_GPE0_STS && offset < PCI_ICH9_PM_GPE0_EN)
		return lpc->gpe0_sts[offset - PCI_ICH9_PM_GPE0_STS];
	if (offset >= PCI_ICH9_PM_GPE0_EN && offset < PCI_ICH9_PM_SMI_EN)
		return lpc->gpe0_en[offset - PCI_ICH9_PM_GPE0_EN];
	if (offset >= PCI_ICH9_PM_SMI_EN && offset < PCI_ICH9_PM_SMI_STS)
		return (uint8_t)(lpc->smi_en >> (8 * (offset - PCI_ICH9_PM_SMI_EN)));
	if (offset >= PCI_ICH9_PM_SMI_STS && offset < SMI_END)
		return (uint8_t)(lpc->smi_sts >> (8 * (offset - PCI_ICH9_PM_SMI_STS)));
	return 0;
}

static void lpc_pm_write(void *owner, unsigned offset, unsigned width, uint64_t value)
{
	struct pci_ich9_lpc *lpc = owner;
	for (unsigned i = 0; i < width; i++) {
		unsigned at = offset + i;
		uint8_t byte = (uint8_t)(value >> (8 * i));
		if (at >= PCI_ICH9_PM_GPE0_STS && at < PCI_ICH9_PM_GPE0_EN) {
			lpc->gpe0_sts[at - PCI_ICH9_PM_GPE0_STS] &= (uint8_t)~byte;
		} else if (at >= PCI_ICH9_PM_GPE0_EN && at < PCI_ICH9_PM_SMI_EN) {
			lpc->gpe0_en[at - PCI_ICH9_PM_GPE0_EN] = byte;
		} else if (at >= PCI_ICH9_PM_SMI_EN && at < PCI_ICH9_PM_SMI_STS) {
			unsigned shift = 8 * (at - PCI_ICH9_PM_SMI_EN);
			lpc->smi_en = (lpc->smi_en & ~(0xFFu << shift)) | (uint32_t)byte << shift;
		} else if (at >= PCI_ICH9_PM_SMI_STS && at < SMI_END) {
			lpc->smi_sts &= ~((uint32_t)byte << (8 * (at - PCI_ICH9_PM_SMI_STS)));
		}
	}
}

static const struct acpi_pm_ext lpc_pm_ext = {
	.read_byte = lpc_pm_read_byte,
	.write = lpc_pm_write,
	.sci_level = lpc_sci_level,
};

/* (Re)places the PM block where PMBASE and ACPI_CNTL say. */
static void lpc_update_pm_io(struct pci_ich9_lpc *lpc)
{
	uint16_t base = (uint16_t)(pci_config_get32(&lpc->fn, PCI_ICH9_LPC_PMBASE) &
				   PCI_ICH9_LPC_PMBASE_MASK);
	bool enabled = pci_config_get8(&lpc->fn, PCI_ICH9_LPC_ACPI_CNTL) &
		       PCI_ICH9_LPC_ACPI_CNTL_ACPI_EN;

	acpi_pm_place(&lpc->block, enabled ? base : 0);
}

/* ---- RCBA ------------------------------------------------------------- */

static uint64_t rcba_read(void *opaque, uint64_t offset, unsigned width)
{
	struct pci_ich9_lpc *lpc = opaque;
	uint64_t value = 0;
	for (unsigned i = 0; i < width; i++)
		value |= (uint64_t)lpc->rcba[offset + i] << (8 * i);
	return value;
}

static void rcba_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct pci_ich9_lpc *lpc = opaque;
	for (unsigned i = 0; i < width; i++)
		lpc->rcba[offset + i] = (uint8_t)(value >> (8 * i));
}

static const struct bus_ops rcba_ops = {
	.read = rcba_read,
	.write = rcba_write,
};

static void lpc_update_rcba(struct pci_ich9_lpc *lpc)
{
	static const struct bus_rules rules = {
		.min_width = 1,
		.max_width = 4,
		.oversize = BUS_OVERSIZE_SPLIT,
	};
	uint32_t reg = pci_config_get32(&lpc->fn, PCI_ICH9_LPC_RCBA);
	uint32_t base = (reg & PCI_ICH9_LPC_RCBA_EN) ? reg & PCI_ICH9_LPC_RCBA_BASE_MASK : 0;
	struct bus *bus = pci_host_bus(lpc->host);

	if (base == lpc->rcba_mapped)
		return;
	if (lpc->rcba_mapped)
		bus_unregister(bus, BUS_SPACE_MMIO, lpc->rcba_mapped);
	lpc->rcba_mapped = 0;
	if (!base)
		return;
	const struct bus_region *clash = bus_find_overlap(bus, BUS_SPACE_MMIO, base,
							  PCI_ICH9_LPC_RCBA_SIZE);
	if (clash) {
		pci_host_warn(lpc->host, "ich9-lpc: RCBA at %#x overlaps %s at %#llx; not mapped\n",
			      base, clash->name, (unsigned long long)clash->base);
		return;
	}
	if (bus_register_mmio(bus, "ich9-rcba", base, PCI_ICH9_LPC_RCBA_SIZE, &rcba_ops, lpc,
			      &rules))
		return;
	lpc->rcba_mapped = base;
}

/* ---- the function ----------------------------------------------------- */

static void lpc_config_write(struct pci_function *fn, unsigned offset, unsigned width,
			     uint32_t value)
{
	struct pci_ich9_lpc *lpc = fn->opaque;
	(void)value;
	if (chipset_range_overlaps(offset, width, PCI_ICH9_LPC_PMBASE, 4) ||
	    chipset_range_overlaps(offset, width, PCI_ICH9_LPC_ACPI_CNTL, 1))
		lpc_update_pm_io(lpc);
	if (chipset_range_overlaps(offset, width, PCI_ICH9_LPC_RCBA, 4))
		lpc_update_rcba(lpc);
}

static void lpc_reset(struct pci_function *fn)
{
	struct pci_ich9_lpc *lpc = fn->opaque;
	/* The LPC bridge decodes from power-on (I/O, memory, master read-only 1). */
	pci_config_set16(fn, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	pci_config_set16(fn, PCI_STATUS, 0x0200);   /* DEVSEL medium */
	pci_config_set32(fn, PCI_ICH9_LPC_PMBASE, PMBASE_RESET);
	pci_config_set8(fn, PCI_ICH9_LPC_ACPI_CNTL, 0);
	for (unsigned pirq = 0; pirq < 4; pirq++) {
		pci_config_set8(fn, PCI_ICH9_LPC_PIRQA_ROUT + pirq, PCI_PIRQ_DISABLED);
		pci_config_set8(fn, PCI_ICH9_LPC_PIRQE_ROUT + pirq, PCI_PIRQ_DISABLED);
	}
	pci_config_set16(fn, PCI_ICH9_LPC_GEN_PMCON_1, 0);
	pci_config_set8(fn, PCI_ICH9_LPC_GEN_PMCON_2, 0);
	pci_config_set16(fn, PCI_ICH9_LPC_GEN_PMCON_3, 0);
	pci_config_set32(fn, PCI_ICH9_LPC_RCBA, 0);
	for (unsigned i = 0; i < PCI_ICH9_PM_GPE0_LEN; i++)
		lpc->gpe0_sts[i] = lpc->gpe0_en[i] = 0;
	/* No SMM: tell the firmware the SMI handler is set up already. */
	lpc->smi_en = PCI_ICH9_PM_SMI_EN_APMC_EN;
	lpc->smi_sts = 0;
	for (unsigned i = 0; i < PCI_ICH9_LPC_RCBA_SIZE; i++)
		lpc->rcba[i] = 0;
	pc_elcr_reset(&lpc->elcr);
	lpc->rcr.rcr = 0;
	apm_ports_reset(&lpc->apm);
	acpi_pm_reset(&lpc->block);
	lpc_update_pm_io(lpc);
	lpc_update_rcba(lpc);
}

static const struct pci_function_ops lpc_ops = {
	.config_write = lpc_config_write,
	.reset = lpc_reset,
};

static const struct pci_function_info lpc_info = {
	.name = "ich9-lpc",
	.vendor_id = INTEL_VENDOR,
	.device_id = PCI_ICH9_LPC_DEVICE_ID,
	.class_code = 0x060100,
	.revision = PCI_ICH9_LPC_REVISION,
	.header_type = PCI_HEADER_TYPE_MULTI_FUNCTION,
	.ops = &lpc_ops,
};

struct pci_ich9_lpc *pci_ich9_lpc_create(struct pci_host *host, struct vclock *clock,
					 pci_reset_request_fn reset_request,
					 pci_sleep_request_fn sleep_request, void *opaque)
{
	if (!host || !clock)
		return NULL;
	struct pci_ich9_lpc *lpc = kzalloc(sizeof(*lpc));
	if (!lpc)
		return NULL;
	lpc->host = host;
	lpc->rcba = kzalloc(PCI_ICH9_LPC_RCBA_SIZE);
	if (!lpc->rcba) {
		kfree(lpc);
		return NULL;
	}
	struct bus *bus = pci_host_bus(host);
	acpi_pm_init(&lpc->block, "ich9-pm", "ich9-sci", bus, clock, PCI_ICH9_PM_BLOCK_SIZE,
		     &lpc_pm_ext, lpc, sleep_request, opaque);
	if (pci_function_init(&lpc->fn, &lpc_info, lpc)) {
		kfree(lpc->rcba);
		kfree(lpc);
		return NULL;
	}
	struct pci_function *fn = &lpc->fn;
	pci_config_set_wmask(fn, PCI_ICH9_LPC_PMBASE, 4, PCI_ICH9_LPC_PMBASE_MASK);
	pci_config_set_wmask(fn, PCI_ICH9_LPC_ACPI_CNTL, 1, ACPI_CNTL_WRITABLE);
	pci_config_set_wmask(fn, PCI_ICH9_LPC_PIRQA_ROUT, 4, 0x01010101u * PIRQ_ROUTE_WRITABLE);
	pci_config_set_wmask(fn, PCI_ICH9_LPC_PIRQE_ROUT, 4, 0x01010101u * PIRQ_ROUTE_WRITABLE);
	pci_config_set_wmask(fn, PCI_ICH9_LPC_GEN_PMCON_1, 2, 0xFFFF);
	pci_config_set_wmask(fn, PCI_ICH9_LPC_GEN_PMCON_2, 1, 0xFF);
	pci_config_set_wmask(fn, PCI_ICH9_LPC_GEN_PMCON_3, 2, 0xFFFF);
	pci_config_set_wmask(fn, PCI_ICH9_LPC_RCBA, 4, RCBA_WRITABLE);
	lpc_reset(fn);

	if (pci_host_attach(host, PCI_ICH9_LPC_DEVICE, PCI_ICH9_LPC_FUNCTION, fn))
		goto fail;
	if (apm_ports_register(&lpc->apm, bus, &lpc->block, PCI_ICH9_APM_ACPI_ENABLE,
			       PCI_ICH9_APM_ACPI_DISABLE))
		goto fail_detach;
	if (pc_elcr_register(&lpc->elcr, bus)) {
		apm_ports_unregister(&lpc->apm, bus);
		goto fail_detach;
	}
	pc_rcr_attach(&lpc->rcr, host, "ich9-lpc", reset_request, opaque);
	return lpc;
fail_detach:
	pci_host_detach(host, fn);
fail:
	pci_function_release(fn);
	kfree(lpc->rcba);
	kfree(lpc);
	return NULL;
}

void pci_ich9_lpc_destroy(struct pci_ich9_lpc *lpc)
{
	if (!lpc)
		return;
	struct bus *bus = pci_host_bus(lpc->host);
	acpi_pm_fini(&lpc->block);
	if (lpc->rcba_mapped)
		bus_unregister(bus, BUS_SPACE_MMIO, lpc->rcba_mapped);
	apm_ports_unregister(&lpc->apm, bus);
	pc_elcr_unregister(&lpc->elcr, bus);
	pc_rcr_detach(&lpc->rcr, lpc->host);
	pci_host_detach(lpc->host, &lpc->fn);
	pci_function_release(&lpc->fn);
	kfree(lpc->rcba);
	kfree(lpc);
}

struct pci_function *pci_ich9_lpc_function(struct pci_ich9_lpc *lpc)
{
	return &lpc->fn;
}

struct irq_line *pci_ich9_lpc_sci(struct pci_ich9_lpc *lpc)
{
	return &lpc->block.sci;
}

int pci_ich9_lpc_sci_irq(const struct pci_ich9_lpc *lpc)
{
	static const int irqs[8] = { 9, 10, 11, -1, 20, 21, 22, 23 };
	uint8_t cntl = pci_config_get8(&lpc->fn, PCI_ICH9_LPC_ACPI_CNTL);
	return irqs[cntl & PCI_ICH9_LPC_ACPI_CNTL_SCI_IRQ_SEL];
}

uint16_t pci_ich9_lpc_pm_base(const struct pci_ich9_lpc *lpc)
{
	return lpc->block.io_base;
}

uint32_t pci_ich9_lpc_pm_timer(const struct pci_ich9_lpc *lpc)
{
	return acpi_pm_timer(&lpc->block);
}

void pci_ich9_lpc_power_button(struct pci_ich9_lpc *lpc)
{
	acpi_pm_power_button(&lpc->block);
}

void pci_ich9_lpc_gpe_event(struct pci_ich9_lpc *lpc, unsigned bit)
{
	if (bit >= 8 * PCI_ICH9_PM_GPE0_LEN)
		return;
	lpc->gpe0_sts[bit / 8] |= (uint8_t)(1u << (bit % 8));
	acpi_pm_update_sci(&lpc->block);
}

int pci_ich9_lpc_pirq_route(const struct pci_ich9_lpc *lpc, unsigned pirq)
{
	if (pirq >= PCI_ICH9_LPC_PIRQ_COUNT)
		return -1;
	unsigned reg = pirq < 4 ? PCI_ICH9_LPC_PIRQA_ROUT + pirq : PCI_ICH9_LPC_PIRQE_ROUT + pirq - 4;
	return pc_pirq_decode(pci_config_get8(&lpc->fn, reg));
}

uint16_t pci_ich9_lpc_elcr(const struct pci_ich9_lpc *lpc)
{
	return pc_elcr_value(&lpc->elcr);
}

uint32_t pci_ich9_lpc_rcba_base(const struct pci_ich9_lpc *lpc)
{
	return lpc->rcba_mapped;
}
