/* SPDX-License-Identifier: MIT */
/*
 * A shared INTx line: the OR of the pins wired to it (<pci/intx.h>).
 */
#include <string.h>

#include <pci/intx.h>

bool pci_intx_line_level(const struct pci_intx_line *line)
{
	for (unsigned int i = 0; i < PCI_INTX_SOURCES / 64; i++)
		if (line->high[i])
			return true;
	return false;
}

bool pci_intx_line_set(struct pci_intx_line *line, unsigned int source, bool level)
{
	uint64_t bit;
	bool before;

	if (source >= PCI_INTX_SOURCES)
		return false;
	before = pci_intx_line_level(line);
	bit = 1ull << (source % 64);
	if (level)
		line->high[source / 64] |= bit;
	else
		line->high[source / 64] &= ~bit;
	return pci_intx_line_level(line) != before;
}

void pci_intx_line_reset(struct pci_intx_line *line)
{
	memset(line, 0, sizeof(*line));
}
