/* SPDX-License-Identifier: MIT */
/*
 * Ending the machine.  Each method is tried in turn; the ones a machine
 * does not have are harmless writes to unused ports.
 */
#include <stdint.h>
#include <core/arch.h>
#include <core/log.h>
#include <x86_64/cpu.h>
#include <x86_64/x86.h>

#define BOCHS_SHUTDOWN_PORT 0x8900
#define QEMU_DEBUG_EXIT_PORT 0xf4
#define PM1_SLP_EN (1U << 13)
#define RESET_CONTROL_PORT 0xcf9
#define KBC_STATUS 0x64
#define KBC_COMMAND 0x64
#define KBC_PULSE_RESET 0xfe

void arch_poweroff(void)
{
	static const char power_failed[] =
		"\r\nThe machine did not power off (no Bochs port 0x8900, ACPI S5 or isa-debug-exit); halted.\r\n";
	uint16_t pm1a, pm1b;
	uint8_t slp_typ;

	arch_irq_disable();
	uart_flush();
	/* Bochs ends the simulation when it sees this string on 0x8900. */
	for (const char *s = "Shutdown"; *s; s++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);

	if (acpi_s5(&pm1a, &pm1b, &slp_typ)) {
		uint16_t value = ((uint16_t)(slp_typ & 7) << 10) | PM1_SLP_EN;

		outw(pm1a, value);
		if (pm1b)
			outw(pm1b, value);
		udelay(100000);
	}

	/* QEMU's isa-debug-exit device, when the command line adds it. */
	outb(QEMU_DEBUG_EXIT_PORT, 0);
	udelay(100000);
	uart_write_raw(power_failed, sizeof(power_failed) - 1);
	arch_halt();
}

void arch_reset(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt = { 0, 0 };

	arch_irq_disable();
	outb(RESET_CONTROL_PORT, 0x02);
	outb(RESET_CONTROL_PORT, 0x06);          /* full reset */
	udelay(100000);

	for (int i = 0; i < 100000 && (inb(KBC_STATUS) & 0x02); i++)
		arch_cpu_relax();
	outb(KBC_COMMAND, KBC_PULSE_RESET);
	udelay(100000);

	/* An exception with no IDT escalates to a triple fault: a reset. */
	__asm__ volatile("lidt %0\n\tint3" : : "m"(no_idt));
	arch_halt();
}
