/* SPDX-License-Identifier: MIT */
/*
 * A shared interrupt line of PCI INTx: several pins (up to PCI_INTX_SOURCES,
 * named by any number below that, such as slot * 4 + pin) drive one
 * level-triggered input of an interrupt controller, a PIIX/ICH9 PIRQ or a
 * GIC SPI, which is high while any of them is.  A board keeps one per
 * line and forwards the line's level only when it changes, so one pin
 * going low does not drop an interrupt another pin still holds.
 */
#ifndef PCI_INTX_H
#define PCI_INTX_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_INTX_SOURCES 128u

struct pci_intx_line {
	uint64_t high[PCI_INTX_SOURCES / 64];   /* the sources holding the line */
};

/*
 * Records the level of one source; returns true when the line's level
 * changed (it is then pci_intx_line_level()).  A source number out of
 * range changes nothing.
 */
bool pci_intx_line_set(struct pci_intx_line *line, unsigned int source, bool level);

bool pci_intx_line_level(const struct pci_intx_line *line);

/* Every source low (machine reset). */
void pci_intx_line_reset(struct pci_intx_line *line);

#endif /* PCI_INTX_H */
