/* SPDX-License-Identifier: MIT */
/*
 * The ACPI PM block of the PC chipsets (PIIX4 PM, ICH9 LPC): PM1
 * status/enable/control, the 3.579545 MHz PM timer and the SCI, and the
 * APM ports.  There is no SMM: APM writes never raise an SMI; the two
 * command values an SMI handler would turn into SCI_EN on/off do that
 * directly.
 */
#include <errno.h>
#include <core/log.h>
#include "chipset.h"

#define PM1_STS_BITS (ACPI_PM1_TMR_STS | 0x0010 | ACPI_PM1_GBL_STS | ACPI_PM1_PWRBTN_STS | \
		      ACPI_PM1_RTC_STS | ACPI_PM1_WAK_STS)
#define PM1_EN_BITS (ACPI_PM1_TMR_STS | ACPI_PM1_GBL_STS | ACPI_PM1_PWRBTN_STS | ACPI_PM1_RTC_STS)
#define PM1_SCI_EVENTS PM1_EN_BITS
#define PM1_CNT_WRITABLE (0x0007 | 0x1C00)   /* SCI_EN, BM_RLD, GBL_RLS, SLP_TYP */
#define PM1_END 0x0C                          /* PM1 registers and the timer */
#define PM_TIMER_MSB_SHIFT 23                 /* TMR_STS: bit 23 of the counter toggled */
#define PM_TIMER_MASK 0xFFFFFFu
#define NS_PER_SEC 1000000000ull
#define PM_WARNINGS 16

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

static uint64_t pm_ticks(const struct acpi_pm_block *pm)
{
	return pm_ticks_at(vclock_now(pm->clock));
}

uint32_t acpi_pm_timer(const struct acpi_pm_block *pm)
{
	return (uint32_t)pm_ticks(pm) & PM_TIMER_MASK;
}

void acpi_pm_update_sci(struct acpi_pm_block *pm)
{
	bool pending = (pm->pm1_sts & pm->pm1_en & PM1_SCI_EVENTS) != 0;
	if (pm->ext && pm->ext->sci_level)
		irq_line_set(&pm->sci, pm->ext->sci_level(pm->owner, pending));
	else
		irq_line_set(&pm->sci, pending);
}

/* TMR_STS is set whenever bit 23 of the counter changes. */
static void pm_update_timer_status(struct acpi_pm_block *pm)
{
	uint64_t epoch = pm_ticks(pm) >> PM_TIMER_MSB_SHIFT;
	if (epoch != pm->timer_msb_epoch) {
		pm->timer_msb_epoch = epoch;
		pm->pm1_sts |= ACPI_PM1_TMR_STS;
	}
}

/* Only needed when the guest wants an SCI for it; reads update lazily. */
static void pm_arm_timer(struct acpi_pm_block *pm)
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
	struct acpi_pm_block *pm = opaque;
	pm_update_timer_status(pm);
	acpi_pm_update_sci(pm);
	pm_arm_timer(pm);
}

void acpi_pm_power_button(struct acpi_pm_block *pm)
{
	pm->pm1_sts |= ACPI_PM1_PWRBTN_STS;
	acpi_pm_update_sci(pm);
}

void acpi_pm_set_sci_en(struct acpi_pm_block *pm, bool on)
{
	if (on)
		pm->pm1_cnt |= ACPI_PM1_CNT_SCI_EN;
	else
		pm->pm1_cnt &= (uint16_t)~ACPI_PM1_CNT_SCI_EN;
	acpi_pm_update_sci(pm);
}

/* Byte at offset of the block as the guest reads it. */
static uint8_t pm_read_byte(const struct acpi_pm_block *pm, unsigned offset, uint32_t timer)
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
		if (offset >= PM1_END && pm->ext && pm->ext->read_byte)
			return pm->ext->read_byte(pm->owner, offset);
		return 0;   /* registers not modelled */
	}
}

static uint64_t pm_block_read(void *opaque, uint64_t offset, unsigned width)
{
	struct acpi_pm_block *pm = opaque;
	uint32_t timer = acpi_pm_timer(pm);
	uint64_t value = 0;

	pm_update_timer_status(pm);
	for (unsigned i = 0; i < width; i++)
		value |= (uint64_t)pm_read_byte(pm, (unsigned)offset + i, timer) << (8 * i);
	return value;
}

/* The 16-bit register at reg with the written bytes of the access merged in. */
static uint16_t merge16(uint16_t old, unsigned reg, unsigned offset, unsigned width,
			uint64_t value)
{
	for (unsigned i = 0; i < width; i++) {
		unsigned at = offset + i;
		if (at != reg && at != reg + 1)
			continue;
		unsigned shift = 8 * (at - reg);
		uint16_t byte = (uint16_t)(((value >> (8 * i)) & 0xFF) << shift);
		old = (uint16_t)((old & ~(0xFF << shift)) | byte);
	}
	return old;
}

static void pm_block_write(void *opaque, uint64_t offset64, unsigned width, uint64_t value)
{
	struct acpi_pm_block *pm = opaque;
	unsigned offset = (unsigned)offset64;

	if (chipset_range_overlaps(offset, width, ACPI_PM1_STS, 2)) {
		uint16_t ones = merge16(0, ACPI_PM1_STS, offset, width, value);
		pm_update_timer_status(pm);
		pm->pm1_sts &= (uint16_t)~(ones & PM1_STS_BITS);
	}
	if (chipset_range_overlaps(offset, width, ACPI_PM1_EN, 2)) {
		uint16_t en = merge16(pm->pm1_en, ACPI_PM1_EN, offset, width, value);
		pm->pm1_en = en & PM1_EN_BITS;
		pm_arm_timer(pm);
	}
	if (chipset_range_overlaps(offset, width, ACPI_PM1_CNT, 2)) {
		uint16_t cnt = merge16(pm->pm1_cnt, ACPI_PM1_CNT, offset, width, value);
		pm->pm1_cnt = cnt & PM1_CNT_WRITABLE;
		if (cnt & ACPI_PM1_CNT_SLP_EN) {
			unsigned slp_typ = (cnt >> ACPI_PM1_CNT_SLP_TYP_SHIFT) & 7;
			log_limited(&pm->sleep_reports, LOG_INFO, "%s: sleep request, SLP_TYP %u",
				    pm->name, slp_typ);
			if (pm->sleep_request)
				pm->sleep_request(pm->sleep_opaque, slp_typ);
		}
	}
	if (offset + width > PM1_END && pm->ext && pm->ext->write)
		pm->ext->write(pm->owner, offset, width, value);
	acpi_pm_update_sci(pm);
}

static const struct bus_ops pm_block_ops = {
	.read = pm_block_read,
	.write = pm_block_write,
};

void acpi_pm_init(struct acpi_pm_block *pm, const char *name, const char *sci_name,
		  struct bus *bus, struct vclock *clock, unsigned size,
		  const struct acpi_pm_ext *ext, void *owner,
		  pci_sleep_request_fn sleep_request, void *sleep_opaque)
{
	pm->name = name;
	pm->bus = bus;
	pm->clock = clock;
	pm->size = size;
	pm->ext = ext;
	pm->owner = owner;
	pm->sleep_request = sleep_request;
	pm->sleep_opaque = sleep_opaque;
	pm->io_base = 0;
	pm->warnings_left = PM_WARNINGS;
	irq_line_init(&pm->sci, sci_name);
	vtimer_init(&pm->timer_overflow, pm_timer_overflow, pm);
}

void acpi_pm_reset(struct acpi_pm_block *pm)
{
	pm->pm1_sts = pm->pm1_en = pm->pm1_cnt = 0;
	pm->timer_msb_epoch = pm_ticks(pm) >> PM_TIMER_MSB_SHIFT;
	vtimer_cancel(pm->clock, &pm->timer_overflow);
	acpi_pm_update_sci(pm);
}

void acpi_pm_place(struct acpi_pm_block *pm, uint16_t base)
{
	static const struct bus_rules rules = {
		.min_width = 1,
		.max_width = 4,
		.unaligned_ok = true,
		.oversize = BUS_OVERSIZE_SPLIT,
	};
	if (base == pm->io_base)
		return;
	if (pm->io_base)
		bus_unregister(pm->bus, BUS_SPACE_PIO, pm->io_base);
	pm->io_base = 0;
	if (!base)
		return;
	int err = bus_register_pio(pm->bus, pm->name, base, (uint16_t)pm->size, &pm_block_ops,
				   pm, &rules);
	if (err) {
		if (pm->warnings_left && pm->warnings_left--)
			log_warn("%s: cannot place the PM block at %#x (%d)\n", pm->name, base, err);
		return;
	}
	pm->io_base = base;
}

void acpi_pm_fini(struct acpi_pm_block *pm)
{
	vtimer_cancel(pm->clock, &pm->timer_overflow);
	acpi_pm_place(pm, 0);
}

/* ---- APM ports ------------------------------------------------------ */

/* 0xB2 is the SMI command port; with no SMM, only ACPI on/off act. */
static uint64_t apm_read(void *opaque, uint64_t offset, unsigned width)
{
	struct apm_ports *apm = opaque;
	(void)width;
	return offset ? apm->sts : apm->cnt;
}

static void apm_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct apm_ports *apm = opaque;
	(void)width;
	if (offset) {
		apm->sts = (uint8_t)value;
		return;
	}
	apm->cnt = (uint8_t)value;
	/* What the SMI handler would do for the FADT's ACPI_ENABLE/DISABLE. */
	if (apm->cnt == apm->acpi_enable)
		acpi_pm_set_sci_en(apm->pm, true);
	else if (apm->cnt == apm->acpi_disable)
		acpi_pm_set_sci_en(apm->pm, false);
}

static const struct bus_ops apm_ops = {
	.read = apm_read,
	.write = apm_write,
};

int apm_ports_register(struct apm_ports *apm, struct bus *bus, struct acpi_pm_block *pm,
		       uint8_t acpi_enable, uint8_t acpi_disable)
{
	static const struct bus_rules byte_rules = {
		.min_width = 1,
		.max_width = 1,
		.oversize = BUS_OVERSIZE_SPLIT,
	};
	apm->pm = pm;
	apm->acpi_enable = acpi_enable;
	apm->acpi_disable = acpi_disable;
	apm_ports_reset(apm);
	return bus_register_pio(bus, "apm", APM_CNT_PORT, 2, &apm_ops, apm, &byte_rules);
}

void apm_ports_unregister(struct apm_ports *apm, struct bus *bus)
{
	(void)apm;
	bus_unregister(bus, BUS_SPACE_PIO, APM_CNT_PORT);
}

void apm_ports_reset(struct apm_ports *apm)
{
	apm->cnt = apm->sts = 0;
}
