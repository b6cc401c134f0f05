/* SPDX-License-Identifier: MIT */
/*
 * How device interrupts reach the vCPUs of a PC board (QEMU hw/i386/pc.c,
 * hw/intc/ioapic.c, hw/i386/x86.c; docs/machines.md):
 *
 *   0x20/0xA0 8259 pair      INT -> LINT0 of every LAPIC (ExtINT, as QEMU)
 *   0xFEC00000 IOAPIC        ISA IRQ n -> pin n, except IRQ 0 -> pin 2
 *                            (the MADT's override); PCI interrupts the
 *                            chipset routed -> pins 16 and up
 *   SCI                      ISA IRQ 9, level, active high (the MADT says so)
 *
 * A device instance's irq n is ISA IRQ n: it goes to both the 8259 and
 * the IOAPIC, and the guest decides which one it uses by masking the
 * other, as on the real board.  The chipset's ELCR (edge/level per IRQ)
 * is read through the board's ops before the 8259 looks at an input.
 */
#include <errno.h>

#include <bus/irq.h>
#include <core/log.h>

#include <pc/board.h>

static void sync_elcr(struct pc_board *m)
{
	uint16_t elcr = m->ops->elcr ? m->ops->elcr(m) : 0;

	if (elcr != m->elcr_seen) {
		m->elcr_seen = elcr;
		i8259_set_elcr(m->pic, elcr);
	}
}

void pc_isa_irq_sink(void *board, unsigned int irq, bool level)
{
	struct pc_board *m = board;

	if (irq >= PC_ISA_IRQS)
		return;
	sync_elcr(m);
	if (irq != I8259_CASCADE_PIN)
		i8259_set_input(m->pic, irq, level);
	ioapic_set_input(m->ioapic, irq == 0 ? 2 : irq, level);
}

void pc_pci_irq(struct pc_board *m, int isa_irq, unsigned int gsi, bool level)
{
	if (isa_irq >= 0 && isa_irq < PC_ISA_IRQS && isa_irq != I8259_CASCADE_PIN) {
		sync_elcr(m);
		i8259_set_input(m->pic, (unsigned int)isa_irq, level);
	}
	ioapic_set_input(m->ioapic, gsi, level);
}

uint8_t pc_pic_acknowledge(struct pc_board *m)
{
	sync_elcr(m);
	return i8259_acknowledge(m->pic);
}

/* The 8259's INT pin: every LAPIC's LINT0 sees it; the LVT decides. */
static void pic_intr_sink(void *board, unsigned int pin, bool level)
{
	struct pc_board *m = board;

	(void)pin;
	for (unsigned int i = 0; i < m->vm->vcpu_count; i++)
		lapic_lint_sink(m->cpus[i].lapic, 0, level);
}

static const struct ioapic_ops ioapic_ops = { .deliver = pc_ioapic_deliver };

int pc_interrupts_build(struct pc_board *m)
{
	struct vm *vm = m->vm;

	m->pic = i8259_create(vm->bus);
	m->ioapic = ioapic_create(vm->bus, IOAPIC_DEFAULT_BASE, &ioapic_ops, m);
	if (!m->pic || !m->ioapic)
		return -ENOMEM;
	irq_line_connect(&m->pic->intr, pic_intr_sink, m, 0);
	vm->device_env.irq_sink = pc_isa_irq_sink;
	vm->device_env.irq_ctx = m;
	vm->device_env.irq_limit = PC_ISA_IRQS;
	return 0;
}

void pc_interrupts_reset(struct pc_board *m)
{
	i8259_reset(m->pic);
	ioapic_reset(m->ioapic);
	m->elcr_seen = 0;
	i8259_set_elcr(m->pic, 0);
}

void pc_interrupts_destroy(struct pc_board *m)
{
	if (m->ioapic)
		ioapic_destroy(m->ioapic);
	if (m->pic)
		i8259_destroy(m->pic);
	m->ioapic = NULL;
	m->pic = NULL;
}

/*
 * A message-signalled interrupt (PCI MSI/MSI-X) to the LAPICs: the address
 * 0xFEExxxxx names the destination (bits 19:12) and whether it is logical
 * (bit 2); the data the vector (7:0), the delivery mode (10:8) and the
 * trigger (bit 15) - the Intel SDM's format (vol. 3, 11.11), which QEMU's
 * hw/i386/x86.c and apic.c follow.  Anything else is dropped.
 */
void pc_msi(void *board, uint64_t address, uint32_t data)
{
	struct pc_board *m = board;
	unsigned int delivery = (data >> 8) & 7;

	if ((address >> 20) != 0xfee || (delivery != 0 && delivery != 1 && delivery != 4)) {
		if (m->msr_reports++ < PC_REPORT_LIMIT)
			log_warn("VM %s: MSI to 0x%llx data 0x%x dropped (not a fixed, lowest-priority "
				 "or NMI message to the LAPICs)", m->vm->name,
				 (unsigned long long)address, data);
		return;
	}
	pc_ioapic_deliver(m, (uint8_t)(address >> 12), (address >> 2) & 1, (uint8_t)data,
			  delivery, (data >> 15) & 1);
}
