/* SPDX-License-Identifier: MIT */
/*
 * The pc machine's devices and how their interrupts reach the vCPUs
 * (platform facts B.3-B.5, E.2, E.4):
 *
 *   PCI 00:00.0 i440FX (PAM -> memory.c), 00:01.0 PIIX3 (PIRQ routing,
 *   ELCR, 0xCF9), 00:01.3 PIIX4 PM (PM block, PM timer, SCI, SMM preset)
 *   0x20/0xA0 8259 pair      INT -> LINT0 of every LAPIC (ExtINT, as QEMU)
 *   0x40 8254 + 0x61         IRQ 0
 *   0x60/0x64 i8042          IRQ 1, A20, reset pulse
 *   0x70 CMOS/RTC            IRQ 8, sized from the VM (rtc_cmos_fill)
 *   0x3F8 COM1 16550         IRQ 4, the hypervisor console
 *   0x80, 0x92               POST codes; A20 and fast reset
 *   0x510 fw_cfg (PIO + DMA) through a counting window (fwcfg_items.c)
 *   0xFEC00000 IOAPIC        ISA IRQ n -> pin n, except IRQ 0 -> pin 2
 *                            (the MADT's override); PIRQA..D -> pins 16..19
 *   SCI                      ISA IRQ 9, level, active high (the MADT says so)
 *
 * Every ISA interrupt goes to both the 8259 and the IOAPIC: the guest
 * decides which one it uses by masking the other, as on the real board.
 */
#include <errno.h>

#include <bus/irq.h>
#include <core/log.h>
#include <fwcfg/fwcfg.h>
#include <i8042/i8042.h>
#include <pci/pci.h>
#include <pci/piix.h>
#include <port80/port80.h>
#include <port92/port92.h>
#include <rtc/rtc.h>
#include <uart16550/uart16550.h>

#include "pc_internal.h"

/* The CMOS clock starts here: 2024-01-01 00:00:00 UTC, as on the virt machine. */
#define PC_RTC_EPOCH 1704067200ULL

static void sync_elcr(struct pc_machine *m)
{
	uint16_t elcr = pci_piix3_elcr(m->piix3);

	if (elcr != m->elcr_seen) {
		m->elcr_seen = elcr;
		i8259_set_elcr(m->pic, elcr);
	}
}

void pc_isa_irq_sink(void *machine, unsigned int irq, bool level)
{
	struct pc_machine *m = machine;

	if (irq >= 16)
		return;
	sync_elcr(m);
	if (irq != I8259_CASCADE_PIN)
		i8259_set_input(m->pic, irq, level);
	ioapic_set_input(m->ioapic, irq == 0 ? 2 : irq, level);
}

void pc_pci_intx(struct pc_machine *m, unsigned int device, unsigned int pin, bool level)
{
	unsigned int pirq;
	int irq;

	if (pin < 1 || pin > 4)
		return;
	pirq = pci_piix_slot_pirq(device, pin);
	irq = pci_piix3_pirq_route(m->piix3, pirq);
	if (irq >= 0 && irq != I8259_CASCADE_PIN) {
		sync_elcr(m);
		i8259_set_input(m->pic, (unsigned int)irq, level);
	}
	ioapic_set_input(m->ioapic, PC_PIRQ_GSI + pirq, level);
}

uint8_t pc_pic_acknowledge(struct pc_machine *m)
{
	sync_elcr(m);
	return i8259_acknowledge(m->pic);
}

/* The 8259's INT pin: every LAPIC's LINT0 sees it; the LVT decides. */
static void pic_intr_sink(void *machine, unsigned int pin, bool level)
{
	struct pc_machine *m = machine;

	(void)pin;
	for (unsigned int i = 0; i < m->vm->vcpu_count; i++)
		lapic_lint_sink(m->cpus[i].lapic, 0, level);
}

static void com1_output(void *ctx, const uint8_t *buf, size_t len)
{
	vm_console_output(ctx, buf, len);
}

static void fill_cmos(struct pc_machine *m)
{
	struct rtc_cmos_config cmos = {
		.ram_below_4g = m->layout.below_4g,
		.ram_above_4g = m->layout.above_4g,
		.cpu_count = m->vm->vcpu_count,
		/* QEMU's default boot order "cad": the firmware then tries BEVs (our kernel). */
		.boot_order = { RTC_BOOT_CDROM, RTC_BOOT_DISK, RTC_BOOT_NETWORK },
		.floppy_signature_check = false,
	};

	rtc_cmos_fill(m->rtc, &cmos);
}

static const struct ioapic_ops ioapic_ops = { .deliver = pc_ioapic_deliver };

int pc_devices_build(struct pc_machine *m)
{
	struct vm *vm = m->vm;
	struct port92_callbacks p92 = { pc_reset_request, pc_a20_changed, m };
	struct i8042_callbacks kbc = { pc_reset_request, pc_a20_changed, m };

	m->pci = pci_host_create(vm->bus, "pci");
	if (!m->pci || pci_host_register_cf8(m->pci))
		return -ENOMEM;
	m->i440fx = pci_i440fx_create(m->pci, pc_pam_update, m);
	m->piix3 = pci_piix3_create(m->pci, pc_rcr_request, m);
	m->pm = pci_piix4_pm_create(m->pci, &vm->clock, pc_sleep_request, m);
	if (!m->i440fx || !m->piix3 || !m->pm)
		return -ENOMEM;

	m->pic = i8259_create(vm->bus);
	m->ioapic = ioapic_create(vm->bus, IOAPIC_DEFAULT_BASE, &ioapic_ops, m);
	if (!m->pic || !m->ioapic)
		return -ENOMEM;
	irq_line_connect(&m->pic->intr, pic_intr_sink, m, 0);
	/* PCI INTx is active low; the PIRQ pins have no override in the MADT. */
	for (unsigned int pirq = 0; pirq < 4; pirq++)
		ioapic_wire_inverted(m->ioapic, PC_PIRQ_GSI + pirq);
	irq_line_connect(pci_piix4_pm_sci(m->pm), pc_isa_irq_sink, m, PC_SCI_IRQ);

	m->pit = i8254_create(vm->bus, &vm->clock);
	m->rtc = rtc_create(vm->bus, &vm->clock, PC_RTC_EPOCH);
	m->com1_out = (struct chardev){ .write = com1_output, .ctx = vm };
	m->com1 = uart16550_create(vm->bus, "com1", UART16550_COM1_PORT, &m->com1_out, false);
	m->kbc = i8042_create(vm->bus, &kbc);
	m->port80 = port80_create(vm->bus);
	m->port92 = port92_create(vm->bus, &p92);
	if (!m->pit || !m->rtc || !m->com1 || !m->kbc || !m->port80 || !m->port92)
		return -ENOMEM;
	irq_line_connect(&m->pit->irq, pc_isa_irq_sink, m, 0);
	irq_line_connect(i8042_irq(m->kbc), pc_isa_irq_sink, m, I8042_ISA_IRQ);
	irq_line_connect(uart16550_irq(m->com1), pc_isa_irq_sink, m, PC_COM1_IRQ);
	irq_line_connect(rtc_irq_line(m->rtc), pc_isa_irq_sink, m, RTC_ISA_IRQ);
	fill_cmos(m);
	return 0;
}

void pc_devices_reset(struct pc_machine *m)
{
	pci_host_reset(m->pci);
	i8259_reset(m->pic);
	ioapic_reset(m->ioapic);
	i8254_reset(m->pit);
	rtc_reset(m->rtc);
	fill_cmos(m);
	uart16550_reset(m->com1);
	i8042_reset(m->kbc);
	port92_reset(m->port92);
	if (m->fwcfg)
		fwcfg_reset(m->fwcfg);
	m->elcr_seen = 0;
	i8259_set_elcr(m->pic, 0);
}

void pc_devices_destroy(struct pc_machine *m)
{
	if (m->port92)
		port92_destroy(m->port92);
	if (m->port80)
		port80_destroy(m->port80);
	if (m->kbc)
		i8042_destroy(m->kbc);
	if (m->com1)
		uart16550_destroy(m->com1);
	if (m->rtc)
		rtc_destroy(m->rtc);
	if (m->pit)
		i8254_destroy(m->pit);
	if (m->ioapic)
		ioapic_destroy(m->ioapic);
	if (m->pic)
		i8259_destroy(m->pic);
	if (m->pm)
		pci_piix4_pm_destroy(m->pm);
	if (m->piix3)
		pci_piix3_destroy(m->piix3);
	if (m->i440fx)
		pci_i440fx_destroy(m->i440fx);
	if (m->pci)
		pci_host_destroy(m->pci);
}
