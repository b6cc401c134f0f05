/* SPDX-License-Identifier: MIT */
/*
 * PIIX3 ISA bridge (00:01.0) and PIIX4 power management (00:01.3).
 *
 * Only what firmware and operating systems touch is modelled: PIRQ
 * routing, ELCR, the reset control register, the ACPI PM block with its
 * timer, and the APM ports (the shared pieces are in chipset.h).  There
 * is no SMM, so the PM function reports SMM as already set up and APM
 * writes never raise an SMI.
 */
#include <errno.h>
#include <core/log.h>
#include <core/mm.h>
#include <pci/piix.h>
#include "chipset.h"

#define INTEL_VENDOR 0x8086
#define PIIX3_ISA_DEVICE 0x7000
#define PIIX4_PM_DEVICE 0x7113
#define PIIX4_PM_REVISION 0x03
#define PIRQ_ROUTE_WRITABLE (PCI_PIRQ_DISABLED | 0x0F)

/* ---- PIIX3 ISA bridge ----------------------------------------------- */

struct pci_piix3 {
	struct pci_function fn;
	struct pci_host *host;
	struct pc_elcr elcr;
	struct pc_rcr rcr;
};

int pci_piix3_pirq_route(const struct pci_piix3 *piix3, unsigned pirq)
{
	if (pirq > 3)
		return -1;
	return pc_pirq_decode(pci_config_get8(&piix3->fn, PCI_PIIX3_PIRQ_ROUTE + pirq));
}

uint16_t pci_piix3_elcr(const struct pci_piix3 *piix3)
{
	return pc_elcr_value(&piix3->elcr);
}

static void piix3_reset(struct pci_function *fn)
{
	struct pci_piix3 *piix3 = fn->opaque;
	/* The ISA bridge decodes from power-on (QEMU's reset values). */
	pci_config_set16(fn, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	pci_config_set16(fn, PCI_STATUS, 0x0200);   /* DEVSEL medium */
	for (unsigned pirq = 0; pirq < 4; pirq++)
		pci_config_set8(fn, PCI_PIIX3_PIRQ_ROUTE + pirq, PCI_PIIX3_PIRQ_DISABLED);
	pc_elcr_reset(&piix3->elcr);
	piix3->rcr.rcr = 0;
}

static const struct pci_function_ops piix3_ops = {
	.reset = piix3_reset,
};

static const struct pci_function_info piix3_info = {
	.name = "piix3-isa",
	.vendor_id = INTEL_VENDOR,
	.device_id = PIIX3_ISA_DEVICE,
	.class_code = 0x060100,
	.header_type = PCI_HEADER_TYPE_MULTI_FUNCTION,
	.ops = &piix3_ops,
};

struct pci_piix3 *pci_piix3_create(struct pci_host *host, pci_reset_request_fn reset_request,
				   void *opaque)
{
	struct pci_piix3 *piix3 = kzalloc(sizeof(*piix3));
	if (!piix3)
		return NULL;
	piix3->host = host;
	if (pci_function_init(&piix3->fn, &piix3_info, piix3)) {
		kfree(piix3);
		return NULL;
	}
	pci_config_set_wmask(&piix3->fn, PCI_PIIX3_PIRQ_ROUTE, 4, 0x01010101u * PIRQ_ROUTE_WRITABLE);
	piix3_reset(&piix3->fn);

	if (pci_host_attach(host, PCI_PIIX3_DEVICE, 0, &piix3->fn))
		goto fail;
	if (pc_elcr_register(&piix3->elcr, pci_host_bus(host))) {
		pci_host_detach(host, &piix3->fn);
		goto fail;
	}
	pc_rcr_attach(&piix3->rcr, host, "piix3", reset_request, opaque);
	return piix3;
fail:
	pci_function_release(&piix3->fn);
	kfree(piix3);
	return NULL;
}

void pci_piix3_destroy(struct pci_piix3 *piix3)
{
	if (!piix3)
		return;
	pc_elcr_unregister(&piix3->elcr, pci_host_bus(piix3->host));
	pc_rcr_detach(&piix3->rcr, piix3->host);
	pci_host_detach(piix3->host, &piix3->fn);
	pci_function_release(&piix3->fn);
	kfree(piix3);
}

struct pci_function *pci_piix3_function(struct pci_piix3 *piix3)
{
	return &piix3->fn;
}

/* ---- PIIX4 power management ----------------------------------------- */

struct pci_piix4_pm {
	struct pci_function fn;
	struct pci_host *host;
	struct acpi_pm_block block;
	struct apm_ports apm;
};

uint32_t pci_piix4_pm_timer(const struct pci_piix4_pm *pm)
{
	return acpi_pm_timer(&pm->block);
}

void pci_piix4_pm_power_button(struct pci_piix4_pm *pm)
{
	acpi_pm_power_button(&pm->block);
}

uint16_t pci_piix4_pm_io_base(const struct pci_piix4_pm *pm)
{
	return pm->block.io_base;
}

/* (Re)places the PM block where PMBASE and PMREGMISC say. */
static void pm_update_io(struct pci_piix4_pm *pm)
{
	uint16_t base = (uint16_t)(pci_config_get32(&pm->fn, PCI_PIIX4_PM_PMBASE) & 0xFFC0);
	bool enabled = pci_config_get8(&pm->fn, PCI_PIIX4_PM_PMREGMISC) & 1;

	acpi_pm_place(&pm->block, enabled ? base : 0);
}

static void pm_config_write(struct pci_function *fn, unsigned offset, unsigned width,
			    uint32_t value)
{
	(void)value;
	if (chipset_range_overlaps(offset, width, PCI_PIIX4_PM_PMBASE, 4) ||
	    chipset_range_overlaps(offset, width, PCI_PIIX4_PM_PMREGMISC, 1))
		pm_update_io(fn->opaque);
}

static void pm_reset(struct pci_function *fn)
{
	struct pci_piix4_pm *pm = fn->opaque;
	pci_config_set32(fn, PCI_PIIX4_PM_PMBASE, 0x00000001);   /* I/O space indicator */
	pci_config_set32(fn, PCI_PIIX4_PM_DEVACTB, 0);
	/* No SMM here: tell the firmware it is already set up (bit 25). */
	pci_config_set8(fn, PCI_PIIX4_PM_DEVACTB + 3, 0x02);
	pci_config_set8(fn, PCI_PIIX4_PM_PMREGMISC, 0);
	pci_config_set32(fn, PCI_PIIX4_PM_SMBBA, 0x00000001);
	pci_config_set8(fn, PCI_PIIX4_PM_SMBHSTCFG, 0);
	pci_config_set8(fn, PCI_INTERRUPT_LINE, PCI_PIIX4_PM_SCI_IRQ);
	apm_ports_reset(&pm->apm);
	acpi_pm_reset(&pm->block);
	pm_update_io(pm);
}

static const struct pci_function_ops pm_ops = {
	.config_write = pm_config_write,
	.reset = pm_reset,
};

static const struct pci_function_info pm_info = {
	.name = "piix4-pm",
	.vendor_id = INTEL_VENDOR,
	.device_id = PIIX4_PM_DEVICE,
	.class_code = 0x068000,
	.revision = PIIX4_PM_REVISION,
	.interrupt_pin = 1,
	.ops = &pm_ops,
};

struct pci_piix4_pm *pci_piix4_pm_create(struct pci_host *host, struct vclock *clock,
					 pci_sleep_request_fn sleep_request, void *opaque)
{
	if (!clock)
		return NULL;
	struct pci_piix4_pm *pm = kzalloc(sizeof(*pm));
	if (!pm)
		return NULL;
	pm->host = host;
	acpi_pm_init(&pm->block, "piix4-pm", "piix4-pm-sci", pci_host_bus(host), clock,
		     PCI_PIIX4_PM_BLOCK_SIZE, NULL, pm, sleep_request, opaque);
	if (pci_function_init(&pm->fn, &pm_info, pm)) {
		kfree(pm);
		return NULL;
	}
	struct pci_function *fn = &pm->fn;
	pci_config_set_wmask(fn, PCI_PIIX4_PM_PMBASE, 4, 0x0000FFC0);
	pci_config_set_wmask(fn, PCI_PIIX4_PM_DEVACTB, 4, 0xFFFFFFFF);
	pci_config_set_wmask(fn, PCI_PIIX4_PM_PMREGMISC, 1, 0x01);
	pci_config_set_wmask(fn, PCI_PIIX4_PM_SMBBA, 4, 0x0000FFF0);
	pci_config_set_wmask(fn, PCI_PIIX4_PM_SMBHSTCFG, 1, 0x0F);
	pm_reset(fn);

	if (pci_host_attach(host, PCI_PIIX3_DEVICE, PCI_PIIX4_PM_FUNCTION, fn))
		goto fail;
	if (apm_ports_register(&pm->apm, pci_host_bus(host), &pm->block, APM_ACPI_ENABLE,
			       APM_ACPI_DISABLE)) {
		pci_host_detach(host, fn);
		goto fail;
	}
	return pm;
fail:
	pci_function_release(fn);
	kfree(pm);
	return NULL;
}

void pci_piix4_pm_destroy(struct pci_piix4_pm *pm)
{
	if (!pm)
		return;
	acpi_pm_fini(&pm->block);
	apm_ports_unregister(&pm->apm, pci_host_bus(pm->host));
	pci_host_detach(pm->host, &pm->fn);
	pci_function_release(&pm->fn);
	kfree(pm);
}

struct pci_function *pci_piix4_pm_function(struct pci_piix4_pm *pm)
{
	return &pm->fn;
}

struct irq_line *pci_piix4_pm_sci(struct pci_piix4_pm *pm)
{
	return &pm->block.sci;
}
