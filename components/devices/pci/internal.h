/* SPDX-License-Identifier: MIT */
/* Host state shared by pci.c and ecam.c; not part of the public API. */
#ifndef PCI_INTERNAL_H
#define PCI_INTERNAL_H

#include <stdarg.h>
#include <pci/pci.h>

#define PCI_CF8_PORT 0xCF8
#define PCI_CFC_PORT 0xCFC
#define PCI_ECAM_BUS_SIZE (1u << 20)

#define PCI_FUNCTIONS_PER_BUS (PCI_DEVICES_PER_BUS * PCI_FUNCTIONS_PER_DEVICE)

/* The host's bus 0, or the secondary bus of a bridge. */
struct pci_bus {
	struct pci_host *host;       /* NULL while not connected to a host  */
	struct pci_bridge *bridge;   /* NULL for the host's bus 0           */
	bool device0_only;           /* below a PCIe downstream/root port   */
	struct pci_function *fn[PCI_FUNCTIONS_PER_BUS];
};

/* Number of INTx pins of a bridge's output (INTA..INTD). */
#define PCI_BRIDGE_INTX_PINS 4

struct pci_bridge {
	struct pci_function fn;      /* the type 1 header                  */
	struct pci_bus secondary;
	bool pcie_downstream;
	uint16_t bridge_control;     /* last value seen (reset edge)       */
	bool own_level;              /* the bridge function's own INTx     */
	uint8_t child_pins[PCI_FUNCTIONS_PER_BUS];  /* bit p: INT(A+p) in  */
	struct irq_line out[PCI_BRIDGE_INTX_PINS];
};

struct pci_host {
	struct bus *bus;
	const char *name;
	struct pci_bus root;
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

/* MSI parts called from the generic configuration code (msi.c). */
void pci_msi_reset(struct pci_msi *msi);
void pci_msi_config_written(struct pci_msi *msi);
bool pci_msi_overlaps(const struct pci_msi *msi, unsigned offset, unsigned width);

/* Bridge parts (bridge.c) called from the generic code. */
struct pci_bridge *pci_bridge_new(const struct pci_function_info *info, void *opaque,
				  bool pcie_downstream);
bool pci_bridge_forwards(const struct pci_bridge *br, enum pci_bar_type type, uint64_t base,
			 uint64_t size);
void pci_bridge_config_written(struct pci_bridge *br, unsigned offset, unsigned width);
void pci_bridge_reset_registers(struct pci_bridge *br);
void pci_bridge_reset_secondary(struct pci_bridge *br);
void pci_bridge_child_attached(struct pci_bridge *br, struct pci_function *fn);
void pci_bridge_child_detached(struct pci_bridge *br, struct pci_function *fn);

/* Generic parts (pci.c) the bridge code uses. */
void pci_bus_update_bars(struct pci_bus *bus);
void pci_bus_detach_function(struct pci_function *fn);
unsigned pci_function_bar_count(const struct pci_function *fn);

/* A guest-caused problem, reported a limited number of times per host. */
void pci_host_warn(struct pci_host *host, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
