/* SPDX-License-Identifier: MIT */
/*
 * What the PC chipset models share (i440FX/PIIX3/PIIX4 and Q35
 * MCH/ICH9): the ACPI PM1 registers and PM timer of the PM block, the
 * APM ports, and the callbacks through which the VM hears of a reset or
 * sleep request.
 */
#ifndef PCI_PC_CHIPSET_H
#define PCI_PC_CHIPSET_H

#include <stdint.h>

/* PM block registers (offsets from PMBASE) and bits. */
#define ACPI_PM1_STS 0x00
#define ACPI_PM1_EN 0x02
#define ACPI_PM1_CNT 0x04
#define ACPI_PM_TMR 0x08
#define ACPI_PM1_TMR_STS 0x0001
#define ACPI_PM1_GBL_STS 0x0020
#define ACPI_PM1_PWRBTN_STS 0x0100
#define ACPI_PM1_RTC_STS 0x0400
#define ACPI_PM1_WAK_STS 0x8000
#define ACPI_PM1_CNT_SCI_EN 0x0001
#define ACPI_PM1_CNT_SLP_TYP_SHIFT 10
#define ACPI_PM1_CNT_SLP_EN 0x2000
#define ACPI_PM_TIMER_HZ 3579545u

#define APM_CNT_PORT 0xB2
#define APM_STS_PORT 0xB3

/* The ISA IRQs whose ELCR bits exist (IRQ 0, 1, 2, 8, 13 are always edge). */
#define PCI_ELCR_PORT 0x4D0
#define PCI_ELCR_WRITABLE 0xDEF8u

/* Reset control register at 0xCF9 (PIIX3 RCR, ICH9 RST_CNT). */
#define PCI_RCR_PORT 0xCF9
#define PCI_RCR_SYS_RST 0x02       /* 1: hard reset, 0: soft (INIT) */
#define PCI_RCR_RST_CPU 0x04       /* 0 -> 1 starts the reset       */
#define PCI_RCR_FULL_RST 0x08

/* PIRQ route registers: bit 7 disables, bits 3:0 the ISA IRQ. */
#define PCI_PIRQ_DISABLED 0x80

/* rcr: the value written to 0xCF9 (PCI_RCR_* bits). */
typedef void (*pci_reset_request_fn)(void *opaque, uint8_t rcr);

/* SLP_EN was written; slp_typ is PM1_CNT bits 12:10 (QEMU's tables: S5 = 0). */
typedef void (*pci_sleep_request_fn)(void *opaque, unsigned slp_typ);

#endif
