/* SPDX-License-Identifier: MIT */
/*
 * Pieces the PC chipset functions share; not part of the public API.
 *
 *  - PAM (pam.c): the seven PAM registers of a host bridge (i440FX at
 *    0x59, Q35 MCH at 0x90).
 *  - ACPI PM block (acpi_pm.c): PM1 status/enable/control, the 24-bit PM
 *    timer, SLP_EN sleep requests and the SCI, placed at an I/O base the
 *    owner decides (PIIX4 PM, ICH9 LPC); the owner adds the registers
 *    past the PM timer and decides the SCI level.  The APM ports
 *    0xB2/0xB3 come with it.
 *  - ISA bridge ports (pc_isa.c): ELCR at 0x4D0/0x4D1, the reset control
 *    register at 0xCF9, and PIRQ route decoding (PIIX3, ICH9 LPC).
 */
#ifndef PCI_CHIPSET_H
#define PCI_CHIPSET_H

#include <stdbool.h>
#include <stdint.h>
#include <bus/bus.h>
#include <bus/irq.h>
#include <bus/vclock.h>
#include <core/log.h>
#include <pci/pam.h>
#include <pci/pc_chipset.h>
#include <pci/pci.h>

static inline bool chipset_range_overlaps(unsigned off, unsigned width, unsigned start,
					  unsigned len)
{
	return off < start + len && start < off + width;
}

/* ---- PAM ---------------------------------------------------------- */

struct pci_pam {
	struct pci_function *fn;
	unsigned reg;                /* PAM0's configuration offset        */
	pci_pam_update_fn update;
	void *opaque;
};

/* Sets the write masks of the seven registers at reg (all 0 at start). */
void pci_pam_init(struct pci_pam *pam, struct pci_function *fn, unsigned reg,
		  pci_pam_update_fn update, void *opaque);
/* After a configuration write: reports the pieces of every PAM register written. */
void pci_pam_config_write(struct pci_pam *pam, unsigned offset, unsigned width);
/* All registers to 0, every piece reported. */
void pci_pam_reset(struct pci_pam *pam);
enum pci_pam_mode pci_pam_mode(const struct pci_pam *pam, uint32_t addr);

/* ---- ACPI PM block ------------------------------------------------- */

/* The owner's part of the block (NULL members: none). */
struct acpi_pm_ext {
	/* A byte at offset >= 0x0C (past PM1 and the timer) as the guest reads it. */
	uint8_t (*read_byte)(void *owner, unsigned offset);
	/* A guest write; the PM1 registers have been dealt with already. */
	void (*write)(void *owner, unsigned offset, unsigned width, uint64_t value);
	/* The SCI level, given whether PM1 has an enabled event pending. */
	bool (*sci_level)(void *owner, bool pm1_pending);
};

struct acpi_pm_block {
	const char *name;            /* region and message name            */
	struct bus *bus;
	struct vclock *clock;
	unsigned size;               /* bytes decoded at io_base           */
	const struct acpi_pm_ext *ext;
	void *owner;
	pci_sleep_request_fn sleep_request;
	void *sleep_opaque;

	uint16_t io_base;            /* where the block is registered, 0: not */
	uint16_t pm1_sts;
	uint16_t pm1_en;
	uint16_t pm1_cnt;
	uint64_t timer_msb_epoch;    /* counter >> 23 when TMR_STS was last set */
	struct vtimer timer_overflow;
	struct irq_line sci;
	unsigned warnings_left;
	struct log_limit sleep_reports;     /* the guest may write PM1_CNT at will */
};

void acpi_pm_init(struct acpi_pm_block *pm, const char *name, const char *sci_name,
		  struct bus *bus, struct vclock *clock, unsigned size,
		  const struct acpi_pm_ext *ext, void *owner,
		  pci_sleep_request_fn sleep_request, void *sleep_opaque);
/* PM1 registers cleared, timer status restarted; the block stays where it is. */
void acpi_pm_reset(struct acpi_pm_block *pm);
/* Moves the block to base (0: removes it); a clash is reported, block off. */
void acpi_pm_place(struct acpi_pm_block *pm, uint16_t base);
/* Cancels the timer and removes the block. */
void acpi_pm_fini(struct acpi_pm_block *pm);
uint32_t acpi_pm_timer(const struct acpi_pm_block *pm);
void acpi_pm_power_button(struct acpi_pm_block *pm);
void acpi_pm_set_sci_en(struct acpi_pm_block *pm, bool on);
/* Drives the SCI line (after a change of the owner's state). */
void acpi_pm_update_sci(struct acpi_pm_block *pm);

/* APM ports 0xB2/0xB3: the command values that switch SCI_EN. */
struct apm_ports {
	struct acpi_pm_block *pm;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t cnt;
	uint8_t sts;
};

int apm_ports_register(struct apm_ports *apm, struct bus *bus, struct acpi_pm_block *pm,
		       uint8_t acpi_enable, uint8_t acpi_disable);
void apm_ports_unregister(struct apm_ports *apm, struct bus *bus);
void apm_ports_reset(struct apm_ports *apm);

/* ---- ISA bridge ports ------------------------------------------------ */

struct pc_elcr {
	uint8_t elcr[2];
};

int pc_elcr_register(struct pc_elcr *elcr, struct bus *bus);
void pc_elcr_unregister(struct pc_elcr *elcr, struct bus *bus);
uint16_t pc_elcr_value(const struct pc_elcr *elcr);
void pc_elcr_reset(struct pc_elcr *elcr);

struct pc_rcr {
	const char *name;            /* for the message                    */
	uint8_t rcr;
	pci_reset_request_fn reset_request;
	void *opaque;
	struct log_limit reset_reports;     /* the guest may write 0xCF9 at will */
};

/* Plugs the register into the host's 0xCF9. */
void pc_rcr_attach(struct pc_rcr *rcr, struct pci_host *host, const char *name,
		   pci_reset_request_fn reset_request, void *opaque);
void pc_rcr_detach(struct pc_rcr *rcr, struct pci_host *host);

/* The ISA IRQ a PIRQ route register selects, or -1 (disabled or reserved IRQ). */
int pc_pirq_decode(uint8_t route);

#endif
