/* SPDX-License-Identifier: MIT */
/*
 * PIIX3 ISA bridge (00:01.0) and PIIX4 power management (00:01.3).
 *
 * Only what firmware and operating systems touch is modelled: PIRQ
 * routing, ELCR, the reset control register, the ACPI PM block with its
 * timer, and the APM ports.  There is no SMM, so the PM function
 * reports SMM as already set up and APM writes never raise an SMI.
 */
#include <errno.h>
#include <core/log.h>
#include <core/mm.h>
#include <pci/piix.h>

#define INTEL_VENDOR 0x8086
#define PIIX3_ISA_DEVICE 0x7000
#define PIIX4_PM_DEVICE 0x7113
#define PIIX4_PM_REVISION 0x03

/* IRQs 0, 1, 2 (master) and 8, 13 (slave) are edge-only in hardware. */
#define ELCR_MASTER_MASK 0xF8
#define ELCR_SLAVE_MASK 0xDE
#define RCR_WRITABLE (PCI_PIIX3_RCR_SYS_RST | PCI_PIIX3_RCR_RST_CPU | PCI_PIIX3_RCR_FULL_RST)
#define PIRQ_IRQ_MASK 0x0F
/* ISA IRQs a PIRQ may be steered to (PIIX datasheet: 3-7, 9-12, 14, 15). */
#define PIRQ_VALID_IRQS 0xDEF8u

#define PM1_STS_BITS (ACPI_PM1_TMR_STS | 0x0010 | ACPI_PM1_GBL_STS | ACPI_PM1_PWRBTN_STS | \
		      ACPI_PM1_RTC_STS | ACPI_PM1_WAK_STS)
#define PM1_EN_BITS (ACPI_PM1_TMR_STS | ACPI_PM1_GBL_STS | ACPI_PM1_PWRBTN_STS | ACPI_PM1_RTC_STS)
#define PM1_SCI_EVENTS PM1_EN_BITS
#define PM1_CNT_WRITABLE (0x0007 | 0x1C00)   /* SCI_EN, BM_RLD, GBL_RLS, SLP_TYP */
#define PM_TIMER_MSB_SHIFT 23                 /* TMR_STS: bit 23 of the counter toggled */
#define PM_TIMER_MASK 0xFFFFFFu
#define NS_PER_SEC 1000000000ull
#define PM_WARNINGS 16

static bool range_overlaps(unsigned off, unsigned width, unsigned start, unsigned len)
{
	return off < start + len && start < off + width;
}

/* ---- PIIX3 ISA bridge ----------------------------------------------- */

struct pci_piix3 {
	struct pci_function fn;
	struct pci_host *host;
	uint8_t elcr[2];
	uint8_t rcr;
	pci_reset_request_fn reset_request;
	void *reset_opaque;
	struct log_limit reset_reports;     /* the guest may write 0xCF9 at will */
};

int pci_piix3_pirq_route(const struct pci_piix3 *piix3, unsigned pirq)
{
	if (pirq > 3)
		return -1;
	uint8_t route = pci_config_get8(&piix3->fn, PCI_PIIX3_PIRQ_ROUTE + pirq);
	unsigned irq = route & PIRQ_IRQ_MASK;
	if ((route & PCI_PIIX3_PIRQ_DISABLED) || !(PIRQ_VALID_IRQS & (1u << irq)))
		return -1;
	return (int)irq;
}

uint16_t pci_piix3_elcr(const struct pci_piix3 *piix3)
{
	return (uint16_t)(piix3->elcr[0] | piix3->elcr[1] << 8);
}

static uint64_t elcr_read(void *opaque, uint64_t offset, unsigned width)
{
	struct pci_piix3 *piix3 = opaque;
	(void)width;
	return piix3->elcr[offset & 1];
}

static void elcr_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct pci_piix3 *piix3 = opaque;
	(void)width;
	uint8_t mask = (offset & 1) ? ELCR_SLAVE_MASK : ELCR_MASTER_MASK;
	piix3->elcr[offset & 1] = (uint8_t)value & mask;
}

static const struct bus_ops elcr_ops = {
	.read = elcr_read,
	.write = elcr_write,
};

static uint64_t rcr_read(void *opaque, uint64_t offset, unsigned width)
{
	struct pci_piix3 *piix3 = opaque;
	(void)offset;
	(void)width;
	return piix3->rcr;
}

static void rcr_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct pci_piix3 *piix3 = opaque;
	(void)offset;
	(void)width;
	uint8_t rcr = (uint8_t)value & RCR_WRITABLE;

	/* Stored first: the callback may reset the chipset, which clears it. */
	piix3->rcr = rcr;
	if ((rcr & PCI_PIIX3_RCR_RST_CPU) && piix3->reset_request) {
		log_limited(&piix3->reset_reports, LOG_INFO,
			    "piix3: reset requested through 0xCF9 (%#x)", rcr);
		piix3->reset_request(piix3->reset_opaque, rcr);
	}
}

static const struct bus_ops rcr_ops = {
	.read = rcr_read,
	.write = rcr_write,
};

static void piix3_reset(struct pci_function *fn)
{
	struct pci_piix3 *piix3 = fn->opaque;
	/* The ISA bridge decodes from power-on (QEMU's reset values). */
	pci_config_set16(fn, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	pci_config_set16(fn, PCI_STATUS, 0x0200);   /* DEVSEL medium */
	for (unsigned pirq = 0; pirq < 4; pirq++)
		pci_config_set8(fn, PCI_PIIX3_PIRQ_ROUTE + pirq, PCI_PIIX3_PIRQ_DISABLED);
	piix3->elcr[0] = piix3->elcr[1] = 0;
	piix3->rcr = 0;
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
	static const struct bus_rules byte_rules = {
		.min_width = 1,
		.max_width = 1,
		.oversize = BUS_OVERSIZE_SPLIT,
	};
	struct pci_piix3 *piix3 = kzalloc(sizeof(*piix3));
	if (!piix3)
		return NULL;
	piix3->host = host;
	piix3->reset_request = reset_request;
	piix3->reset_opaque = opaque;
	if (pci_function_init(&piix3->fn, &piix3_info, piix3)) {
		kfree(piix3);
		return NULL;
	}
	pci_config_set_wmask(&piix3->fn, PCI_PIIX3_PIRQ_ROUTE, 4,
			     0x01010101u * (PCI_PIIX3_PIRQ_DISABLED | PIRQ_IRQ_MASK));
	piix3_reset(&piix3->fn);

	if (pci_host_attach(host, PCI_PIIX3_DEVICE, 0, &piix3->fn))
		goto fail;
	if (bus_register_pio(pci_host_bus(host), "elcr", PCI_PIIX3_ELCR_PORT, 2, &elcr_ops, piix3,
			     &byte_rules)) {
		pci_host_detach(host, &piix3->fn);
		goto fail;
	}
	pci_host_set_port_cf9(host, &rcr_ops, piix3);
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
	bus_unregister(pci_host_bus(piix3->host), BUS_SPACE_PIO, PCI_PIIX3_ELCR_PORT);
	pci_host_set_port_cf9(piix3->host, NULL, NULL);
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
	struct vclock *clock;
	pci_sleep_request_fn sleep_request;
	void *sleep_opaque;

	uint16_t io_base;        /* where the PM block is registered, 0: not */
	uint16_t pm1_sts;
	uint16_t pm1_en;
	uint16_t pm1_cnt;
	uint64_t timer_msb_epoch;  /* counter >> 23 when TMR_STS was last set */
	struct vtimer timer_overflow;
	struct irq_line sci;
	uint8_t apm_cnt;
	uint8_t apm_sts;
	unsigned warnings_left;
	struct log_limit sleep_reports;     /* the guest may write PM1_CNT at will */
};

/* Ticks of the 3.579545 MHz clock since VM time 0, without overflow. */
static uint64_t pm_ticks_at(uint64_t ns)
{
	return ns / NS_PER_SEC * ACPI_PM_TIMER_HZ + ns % NS_PER_SEC * ACPI_PM_TIMER_HZ / NS_PER_SEC;
}

/* The first VM time (ns) at which the tick count reaches ticks. */
static uint64_t pm_ns_of_ticks(uint64_t ticks)
{
	uint64_t rest = ticks % ACPI_PM_TIMER_HZ;
	return ticks / ACPI_PM_TIMER_HZ * NS_PER_SEC +
	       (rest * NS_PER_SEC + ACPI_PM_TIMER_HZ - 1) / ACPI_PM_TIMER_HZ;
}

static uint64_t pm_ticks(const struct pci_piix4_pm *pm)
{
	return pm_ticks_at(vclock_now(pm->clock));
}

uint32_t pci_piix4_pm_timer(const struct pci_piix4_pm *pm)
{
	return (uint32_t)pm_ticks(pm) & PM_TIMER_MASK;
}

static void pm_update_sci(struct pci_piix4_pm *pm)
{
	irq_line_set(&pm->sci, (pm->pm1_sts & pm->pm1_en & PM1_SCI_EVENTS) != 0);
}

/* TMR_STS is set whenever bit 23 of the counter changes. */
static void pm_update_timer_status(struct pci_piix4_pm *pm)
{
	uint64_t epoch = pm_ticks(pm) >> PM_TIMER_MSB_SHIFT;
	if (epoch != pm->timer_msb_epoch) {
		pm->timer_msb_epoch = epoch;
		pm->pm1_sts |= ACPI_PM1_TMR_STS;
	}
}

/* Only needed when the guest wants an SCI for it; reads update lazily. */
static void pm_arm_timer(struct pci_piix4_pm *pm)
{
	if (!(pm->pm1_en & ACPI_PM1_TMR_STS)) {
		vtimer_cancel(pm->clock, &pm->timer_overflow);
		return;
	}
	uint64_t next = (pm->timer_msb_epoch + 1) << PM_TIMER_MSB_SHIFT;
	vtimer_arm(pm->clock, &pm->timer_overflow, pm_ns_of_ticks(next));
}

static void pm_timer_overflow(void *opaque)
{
	struct pci_piix4_pm *pm = opaque;
	pm_update_timer_status(pm);
	pm_update_sci(pm);
	pm_arm_timer(pm);
}

void pci_piix4_pm_power_button(struct pci_piix4_pm *pm)
{
	pm->pm1_sts |= ACPI_PM1_PWRBTN_STS;
	pm_update_sci(pm);
}

/* Byte at offset of the block as the guest reads it. */
static uint8_t pm_read_byte(const struct pci_piix4_pm *pm, unsigned offset, uint32_t timer)
{
	switch (offset) {
	case ACPI_PM1_STS: case ACPI_PM1_STS + 1:
		return (uint8_t)(pm->pm1_sts >> (8 * (offset & 1)));
	case ACPI_PM1_EN: case ACPI_PM1_EN + 1:
		return (uint8_t)(pm->pm1_en >> (8 * (offset & 1)));
	case ACPI_PM1_CNT: case ACPI_PM1_CNT + 1:
		return (uint8_t)(pm->pm1_cnt >> (8 * (offset & 1)));
	case ACPI_PM_TMR: case ACPI_PM_TMR + 1: case ACPI_PM_TMR + 2: case ACPI_PM_TMR + 3:
		return (uint8_t)(timer >> (8 * (offset - ACPI_PM_TMR)));
	default:
		return 0;   /* PIIX4 GP/device registers: not modelled */
	}
}

static uint64_t pm_block_read(void *opaque, uint64_t offset, unsigned width)
{
	struct pci_piix4_pm *pm = opaque;
	uint32_t timer = pci_piix4_pm_timer(pm);
	uint64_t value = 0;

	pm_update_timer_status(pm);
	for (unsigned i = 0; i < width; i++)
		value |= (uint64_t)pm_read_byte(pm, (unsigned)offset + i, timer) << (8 * i);
	return value;
}

/* The 16-bit register at reg with the written bytes of the access merged in. */
static uint16_t merge16(uint16_t old, unsigned reg, unsigned offset, unsigned width,
			uint64_t value, uint16_t *written)
{
	*written = 0;
	for (unsigned i = 0; i < width; i++) {
		unsigned at = offset + i;
		if (at != reg && at != reg + 1)
			continue;
		unsigned shift = 8 * (at - reg);
		uint16_t byte = (uint16_t)(((value >> (8 * i)) & 0xFF) << shift);
		old = (uint16_t)((old & ~(0xFF << shift)) | byte);
		*written |= (uint16_t)(0xFF << shift);
	}
	return old;
}

static void pm_block_write(void *opaque, uint64_t offset64, unsigned width, uint64_t value)
{
	struct pci_piix4_pm *pm = opaque;
	unsigned offset = (unsigned)offset64;
	uint16_t written;

	if (range_overlaps(offset, width, ACPI_PM1_STS, 2)) {
		uint16_t ones = merge16(0, ACPI_PM1_STS, offset, width, value, &written);
		pm_update_timer_status(pm);
		pm->pm1_sts &= (uint16_t)~(ones & PM1_STS_BITS);
	}
	if (range_overlaps(offset, width, ACPI_PM1_EN, 2)) {
		uint16_t en = merge16(pm->pm1_en, ACPI_PM1_EN, offset, width, value, &written);
		pm->pm1_en = en & PM1_EN_BITS;
		pm_arm_timer(pm);
	}
	if (range_overlaps(offset, width, ACPI_PM1_CNT, 2)) {
		uint16_t cnt = merge16(pm->pm1_cnt, ACPI_PM1_CNT, offset, width, value, &written);
		pm->pm1_cnt = cnt & PM1_CNT_WRITABLE;
		if (cnt & ACPI_PM1_CNT_SLP_EN) {
			unsigned slp_typ = (cnt >> ACPI_PM1_CNT_SLP_TYP_SHIFT) & 7;
			log_limited(&pm->sleep_reports, LOG_INFO, "piix4-pm: sleep request, SLP_TYP %u",
				    slp_typ);
			if (pm->sleep_request)
				pm->sleep_request(pm->sleep_opaque, slp_typ);
		}
	}
	pm_update_sci(pm);
}

static const struct bus_ops pm_block_ops = {
	.read = pm_block_read,
	.write = pm_block_write,
};

uint16_t pci_piix4_pm_io_base(const struct pci_piix4_pm *pm)
{
	return pm->io_base;
}

/* (Re)places the PM block where PMBASE and PMREGMISC say. */
static void pm_update_io(struct pci_piix4_pm *pm)
{
	static const struct bus_rules rules = {
		.min_width = 1,
		.max_width = 4,
		.unaligned_ok = true,
		.oversize = BUS_OVERSIZE_SPLIT,
	};
	uint16_t base = (uint16_t)(pci_config_get32(&pm->fn, PCI_PIIX4_PM_PMBASE) & 0xFFC0);
	bool enabled = pci_config_get8(&pm->fn, PCI_PIIX4_PM_PMREGMISC) & 1;
	struct bus *bus = pci_host_bus(pm->host);

	if (!enabled || !base)
		base = 0;
	if (base == pm->io_base)
		return;
	if (pm->io_base)
		bus_unregister(bus, BUS_SPACE_PIO, pm->io_base);
	pm->io_base = 0;
	if (!base)
		return;
	int err = bus_register_pio(bus, "piix4-pm", base, PCI_PIIX4_PM_BLOCK_SIZE, &pm_block_ops,
				   pm, &rules);
	if (err) {
		if (pm->warnings_left && pm->warnings_left--)
			log_warn("piix4-pm: cannot place the PM block at %#x (%d)\n", base, err);
		return;
	}
	pm->io_base = base;
}

static void pm_config_write(struct pci_function *fn, unsigned offset, unsigned width,
			    uint32_t value)
{
	(void)value;
	if (range_overlaps(offset, width, PCI_PIIX4_PM_PMBASE, 4) ||
	    range_overlaps(offset, width, PCI_PIIX4_PM_PMREGMISC, 1))
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
	pm->pm1_sts = pm->pm1_en = pm->pm1_cnt = 0;
	pm->apm_cnt = pm->apm_sts = 0;
	pm->timer_msb_epoch = pm_ticks(pm) >> PM_TIMER_MSB_SHIFT;
	vtimer_cancel(pm->clock, &pm->timer_overflow);
	pm_update_sci(pm);
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

/* APM: 0xB2 is the SMI command port; with no SMM, only ACPI on/off act. */
static uint64_t apm_read(void *opaque, uint64_t offset, unsigned width)
{
	struct pci_piix4_pm *pm = opaque;
	(void)width;
	return offset ? pm->apm_sts : pm->apm_cnt;
}

static void apm_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct pci_piix4_pm *pm = opaque;
	(void)width;
	if (offset) {
		pm->apm_sts = (uint8_t)value;
		return;
	}
	pm->apm_cnt = (uint8_t)value;
	/* What the SMI handler would do for the FADT's ACPI_ENABLE/DISABLE. */
	if (value == APM_ACPI_ENABLE)
		pm->pm1_cnt |= ACPI_PM1_CNT_SCI_EN;
	else if (value == APM_ACPI_DISABLE)
		pm->pm1_cnt &= (uint16_t)~ACPI_PM1_CNT_SCI_EN;
}

static const struct bus_ops apm_ops = {
	.read = apm_read,
	.write = apm_write,
};

struct pci_piix4_pm *pci_piix4_pm_create(struct pci_host *host, struct vclock *clock,
					 pci_sleep_request_fn sleep_request, void *opaque)
{
	static const struct bus_rules byte_rules = {
		.min_width = 1,
		.max_width = 1,
		.oversize = BUS_OVERSIZE_SPLIT,
	};
	if (!clock)
		return NULL;
	struct pci_piix4_pm *pm = kzalloc(sizeof(*pm));
	if (!pm)
		return NULL;
	pm->host = host;
	pm->clock = clock;
	pm->sleep_request = sleep_request;
	pm->sleep_opaque = opaque;
	pm->warnings_left = PM_WARNINGS;
	irq_line_init(&pm->sci, "piix4-pm-sci");
	vtimer_init(&pm->timer_overflow, pm_timer_overflow, pm);
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
	if (bus_register_pio(pci_host_bus(host), "apm", APM_CNT_PORT, 2, &apm_ops, pm,
			     &byte_rules)) {
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
	struct bus *bus = pci_host_bus(pm->host);
	vtimer_cancel(pm->clock, &pm->timer_overflow);
	if (pm->io_base)
		bus_unregister(bus, BUS_SPACE_PIO, pm->io_base);
	bus_unregister(bus, BUS_SPACE_PIO, APM_CNT_PORT);
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
	return &pm->sci;
}
