/* SPDX-License-Identifier: MIT */
/*
 * The PIIX3/PIIX4 functions of QEMU's "pc" machine:
 *
 *  - PIIX3 ISA bridge 8086:7000 at 00:01.0: PIRQ routing (config
 *    0x60..0x63), the ELCR edge/level registers (ports 0x4D0/0x4D1) and
 *    the reset control register (port 0xCF9).
 *  - PIIX4 power management 8086:7113 at 00:01.3: the ACPI PM block
 *    (PM1 status/enable/control and the 3.579545 MHz PM timer) at the
 *    I/O base the firmware programs, the APM ports 0xB2/0xB3, and the
 *    "SMM already initialised" bit that keeps SeaBIOS from waiting for
 *    an SMI handler that does not exist.
 */
#ifndef PCI_PIIX_H
#define PCI_PIIX_H

#include <stdbool.h>
#include <stdint.h>
#include <bus/irq.h>
#include <bus/vclock.h>
#include <pci/pc_chipset.h>
#include <pci/pci.h>

#define PCI_PIIX3_DEVICE 1
#define PCI_PIIX3_PIRQ_ROUTE 0x60        /* PIRQA..D at 0x60..0x63        */
#define PCI_PIIX3_PIRQ_DISABLED PCI_PIRQ_DISABLED
#define PCI_PIIX3_ELCR_PORT PCI_ELCR_PORT
#define PCI_PIIX3_RCR_PORT PCI_RCR_PORT
#define PCI_PIIX3_RCR_SYS_RST PCI_RCR_SYS_RST
#define PCI_PIIX3_RCR_RST_CPU PCI_RCR_RST_CPU
#define PCI_PIIX3_RCR_FULL_RST PCI_RCR_FULL_RST

#define PCI_PIIX4_PM_FUNCTION 3
#define PCI_PIIX4_PM_PMBASE 0x40
#define PCI_PIIX4_PM_DEVACTB 0x58
#define PCI_PIIX4_PM_PMREGMISC 0x80
#define PCI_PIIX4_PM_SMBBA 0x90
#define PCI_PIIX4_PM_SMBHSTCFG 0xD2
#define PCI_PIIX4_PM_BLOCK_SIZE 64
#define PCI_PIIX4_PM_SCI_IRQ 9

/* APM_CNT values that switch ACPI on and off (QEMU's "pc" FADT). */
#define APM_ACPI_DISABLE 0xF0
#define APM_ACPI_ENABLE 0xF1

/* ---- PIIX3 ISA bridge --------------------------------------------- */

struct pci_piix3;

/*
 * Creates the bridge at 00:01.0 and registers ELCR (0x4D0/0x4D1) and
 * 0xCF9 (through the host, which must have mechanism #1 registered for
 * the guest to reach it).  NULL on failure.
 */
struct pci_piix3 *pci_piix3_create(struct pci_host *host, pci_reset_request_fn reset_request,
				   void *opaque);
void pci_piix3_destroy(struct pci_piix3 *piix3);
struct pci_function *pci_piix3_function(struct pci_piix3 *piix3);

/* ISA IRQ that PIRQA..D (pirq 0..3) is routed to, or -1 (disabled/invalid). */
int pci_piix3_pirq_route(const struct pci_piix3 *piix3, unsigned pirq);
/* Bit n set: ISA IRQ n is level-triggered (IRQ 0, 1, 2, 8, 13 always edge). */
uint16_t pci_piix3_elcr(const struct pci_piix3 *piix3);

/* The PIRQ (0..3) a device's INTx pin (1..4) reaches, as QEMU's pc board wires it. */
static inline unsigned pci_piix_slot_pirq(unsigned device, unsigned pin)
{
	return (device + pin - 2) & 3;
}

/* ---- PIIX4 power management ---------------------------------------- */

struct pci_piix4_pm;

/*
 * Creates the function at 00:01.3 and registers the APM ports; the PM
 * block appears once the guest sets PMBASE and PMREGMISC bit 0.  The PM
 * timer counts VM time of clock.  NULL on failure.
 */
struct pci_piix4_pm *pci_piix4_pm_create(struct pci_host *host, struct vclock *clock,
					 pci_sleep_request_fn sleep_request, void *opaque);
void pci_piix4_pm_destroy(struct pci_piix4_pm *pm);
struct pci_function *pci_piix4_pm_function(struct pci_piix4_pm *pm);
/* The SCI output (the machine wires it to ISA IRQ 9). */
struct irq_line *pci_piix4_pm_sci(struct pci_piix4_pm *pm);
/* Where the PM block currently decodes, or 0 when it does not. */
uint16_t pci_piix4_pm_io_base(const struct pci_piix4_pm *pm);
/* The PM timer's 24-bit value now. */
uint32_t pci_piix4_pm_timer(const struct pci_piix4_pm *pm);
/* Sets PWRBTN_STS (an SCI if the guest enabled it): ACPI shutdown request. */
void pci_piix4_pm_power_button(struct pci_piix4_pm *pm);

#endif
