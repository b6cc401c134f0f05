/* SPDX-License-Identifier: MIT */
/*
 * The ICH9 LPC bridge (8086:2918, revision 2) at 00:1F.0 of QEMU's "q35"
 * machine, with what SeaBIOS, OVMF and operating systems use of it:
 *
 *  - PMBASE (0x40, bits 15:7) and ACPI_CNTL (0x44: bit 7 ACPI_EN, bits
 *    2:0 SCI_IRQ_SEL): the 128-byte ACPI PM block decodes at PMBASE while
 *    ACPI_EN is set.  In it: PM1_STS/PM1_EN/PM1_CNT and the PM timer as
 *    on the PIIX4 (<pci/pc_chipset.h>), GPE0_STS (0x20..0x27, write 1 to
 *    clear), GPE0_EN (0x28..0x2F), SMI_EN (0x30) and SMI_STS (0x34);
 *    other offsets read 0 and ignore writes.  SMI_EN resets to APMC_EN:
 *    there is no SMM, and SeaBIOS skips its SMM set-up when it sees
 *    that bit.
 *  - The SCI is high while PM1_CNT.SCI_EN is set and an enabled PM1
 *    event (timer, GBL, power button, RTC) or GPE0 event is pending; the
 *    machine wires it to the IRQ pci_ich9_lpc_sci_irq() names.
 *  - APM ports 0xB2/0xB3: writing PCI_ICH9_APM_ACPI_ENABLE (0x02) to
 *    0xB2 sets SCI_EN, PCI_ICH9_APM_ACPI_DISABLE (0x03) clears it (what
 *    QEMU's SMI-less path does); other values are only stored.  0xB3 is
 *    read/write storage.
 *  - PIRQA..D routing at 0x60..0x63, PIRQE..H at 0x68..0x6B (0x80 =
 *    disabled), ELCR at 0x4D0/0x4D1, reset control at 0xCF9 (as the
 *    PIIX3's).
 *  - RCBA (0xF0: bits 31:14 base, bit 0 enable): a 16 KiB MMIO region of
 *    plain registers (reads return what was written, 0 after reset;
 *    1-, 2- and 4-byte aligned accesses) while enabled with a non-zero
 *    base.  A base where another region lives is reported and leaves
 *    the region off until the guest rewrites RCBA.
 *  - GEN_PMCON_1..3 (0xA0, 0xA2, 0xA4): writable storage.
 *
 * The SATA and SMBus functions are not modelled.
 */
#ifndef PCI_ICH9_H
#define PCI_ICH9_H

#include <stdint.h>
#include <bus/irq.h>
#include <bus/vclock.h>
#include <pci/pc_chipset.h>
#include <pci/pci.h>

#define PCI_ICH9_LPC_DEVICE 0x1F
#define PCI_ICH9_LPC_FUNCTION 0
#define PCI_ICH9_LPC_DEVICE_ID 0x2918
#define PCI_ICH9_LPC_REVISION 0x02

/* Configuration registers. */
#define PCI_ICH9_LPC_PMBASE 0x40
#define PCI_ICH9_LPC_PMBASE_MASK 0xFF80u
#define PCI_ICH9_LPC_ACPI_CNTL 0x44
#define PCI_ICH9_LPC_ACPI_CNTL_ACPI_EN 0x80
#define PCI_ICH9_LPC_ACPI_CNTL_SCI_IRQ_SEL 0x07
#define PCI_ICH9_LPC_PIRQA_ROUT 0x60     /* PIRQA..D at 0x60..0x63 */
#define PCI_ICH9_LPC_PIRQE_ROUT 0x68     /* PIRQE..H at 0x68..0x6B */
#define PCI_ICH9_LPC_PIRQ_COUNT 8
#define PCI_ICH9_LPC_GEN_PMCON_1 0xA0
#define PCI_ICH9_LPC_GEN_PMCON_2 0xA2
#define PCI_ICH9_LPC_GEN_PMCON_3 0xA4
#define PCI_ICH9_LPC_RCBA 0xF0
#define PCI_ICH9_LPC_RCBA_EN 0x1u
#define PCI_ICH9_LPC_RCBA_BASE_MASK 0xFFFFC000u
#define PCI_ICH9_LPC_RCBA_SIZE 0x4000u

/* PM block (offsets from PMBASE) beyond the PM1 registers and the timer. */
#define PCI_ICH9_PM_BLOCK_SIZE 128
#define PCI_ICH9_PM_GPE0_STS 0x20
#define PCI_ICH9_PM_GPE0_EN 0x28
#define PCI_ICH9_PM_GPE0_LEN 8           /* bytes of each half */
#define PCI_ICH9_PM_SMI_EN 0x30
#define PCI_ICH9_PM_SMI_EN_APMC_EN 0x20u
#define PCI_ICH9_PM_SMI_STS 0x34

/* APM_CNT values that switch ACPI on and off (QEMU's "q35" FADT). */
#define PCI_ICH9_APM_ACPI_ENABLE 0x02
#define PCI_ICH9_APM_ACPI_DISABLE 0x03

struct pci_ich9_lpc;

/*
 * Creates the bridge at 00:1F.0 and registers the APM ports, ELCR and
 * 0xCF9 (through the host, which must have mechanism #1 registered for
 * the guest to reach it).  The PM timer counts VM time of clock.
 * reset_request hears of 0xCF9 writes that start a reset, sleep_request
 * of SLP_EN.  NULL on failure.
 */
struct pci_ich9_lpc *pci_ich9_lpc_create(struct pci_host *host, struct vclock *clock,
					 pci_reset_request_fn reset_request,
					 pci_sleep_request_fn sleep_request, void *opaque);
/* Unregisters everything it registered and frees it. */
void pci_ich9_lpc_destroy(struct pci_ich9_lpc *lpc);
struct pci_function *pci_ich9_lpc_function(struct pci_ich9_lpc *lpc);

/* The SCI output. */
struct irq_line *pci_ich9_lpc_sci(struct pci_ich9_lpc *lpc);
/* The IRQ ACPI_CNTL.SCI_IRQ_SEL selects: 9, 10, 11, 20..23, or -1 (reserved 3). */
int pci_ich9_lpc_sci_irq(const struct pci_ich9_lpc *lpc);
/* Where the PM block decodes now, or 0 when it does not. */
uint16_t pci_ich9_lpc_pm_base(const struct pci_ich9_lpc *lpc);
/* The PM timer's 24-bit value now. */
uint32_t pci_ich9_lpc_pm_timer(const struct pci_ich9_lpc *lpc);
/* Sets PWRBTN_STS (an SCI if the guest enabled it): ACPI shutdown request. */
void pci_ich9_lpc_power_button(struct pci_ich9_lpc *lpc);
/* Sets GPE0_STS bit (0..63), an SCI if the guest enabled it (hotplug events). */
void pci_ich9_lpc_gpe_event(struct pci_ich9_lpc *lpc, unsigned bit);

/* ISA IRQ that PIRQA..H (pirq 0..7) is routed to, or -1 (disabled/invalid). */
int pci_ich9_lpc_pirq_route(const struct pci_ich9_lpc *lpc, unsigned pirq);
/* Bit n set: ISA IRQ n is level-triggered (IRQ 0, 1, 2, 8, 13 always edge). */
uint16_t pci_ich9_lpc_elcr(const struct pci_ich9_lpc *lpc);
/* Where the RCBA region is now, or 0 when it is not mapped. */
uint32_t pci_ich9_lpc_rcba_base(const struct pci_ich9_lpc *lpc);

#endif
