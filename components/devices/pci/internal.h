/* SPDX-License-Identifier: MIT */
/* Host state shared by pci.c and ecam.c; not part of the public API. */
#ifndef PCI_INTERNAL_H
#define PCI_INTERNAL_H

#include <stdarg.h>
#include <pci/pci.h>

#define PCI_CF8_PORT 0xCF8
#define PCI_CFC_PORT 0xCFC
#define PCI_ECAM_BUS_SIZE (1u << 20)

struct pci_host {
	struct bus *bus;
	const char *name;
	struct pci_function *fn[PCI_DEVICES_PER_BUS * PCI_FUNCTIONS_PER_DEVICE];
	uint32_t cf8;
	bool cf8_registered;
	const struct bus_ops *cf9_ops;
	void *cf9_opaque;
	uint64_t ecam_base;
	unsigned ecam_buses;      /* 0: no ECAM window                      */
	unsigned warnings_left;   /* guest-triggered reports still allowed */
	enum bus_space io_space;  /* where I/O BARs land (see set_io_window) */
	uint64_t io_base;
	pci_msi_fn msi_fn;
	void *msi_opaque;
	bool msi_dropped_reported;
};

/* MSI-X parts called from the generic configuration code (msix.c). */
void pci_msix_reset(struct pci_msix *msix);
void pci_msix_control_written(struct pci_msix *msix);
bool pci_msix_overlaps_control(const struct pci_msix *msix, unsigned offset, unsigned width);

/* A guest-caused problem, reported a limited number of times per host. */
void pci_host_warn(struct pci_host *host, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
