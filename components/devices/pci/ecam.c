/* SPDX-License-Identifier: MIT */
/*
 * ECAM: configuration space as memory, 4 KiB per function, 1 MiB per
 * bus.  The firmware may move the window (Q35 PCIEXBAR), so the host
 * re-registers it on request.
 */
#include <errno.h>
#include <core/log.h>
#include <pci/pci.h>
#include "internal.h"

static bool ecam_target(struct pci_host *host, uint64_t offset, unsigned width,
			unsigned *bus, unsigned *device, unsigned *function, unsigned *reg)
{
	*bus = (unsigned)(offset >> 20);
	*device = (unsigned)(offset >> 15) & 0x1F;
	*function = (unsigned)(offset >> 12) & 0x7;
	*reg = (unsigned)offset & 0xFFF;
	if (*reg + width > PCIE_CONFIG_SPACE_SIZE) {
		pci_host_warn(host, "%s: ECAM access of %u bytes at %#llx crosses a function\n",
			      host->name, width, (unsigned long long)offset);
		return false;
	}
	return true;
}

static uint64_t ecam_read(void *opaque, uint64_t offset, unsigned width)
{
	struct pci_host *host = opaque;
	unsigned bus, device, function, reg;
	if (!ecam_target(host, offset, width, &bus, &device, &function, &reg))
		return ~0ull;
	return pci_host_config_read(host, bus, device, function, reg, width);
}

static void ecam_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct pci_host *host = opaque;
	unsigned bus, device, function, reg;
	if (ecam_target(host, offset, width, &bus, &device, &function, &reg))
		pci_host_config_write(host, bus, device, function, reg, width, (uint32_t)value);
}

static const struct bus_ops ecam_ops = {
	.read = ecam_read,
	.write = ecam_write,
};

int pci_host_map_ecam(struct pci_host *host, uint64_t base, unsigned bus_count)
{
	/* 64-bit accesses are split so that each half is one config dword. */
	static const struct bus_rules rules = {
		.min_width = 1,
		.max_width = 4,
		.unaligned_ok = true,
		.oversize = BUS_OVERSIZE_SPLIT,
		.undersize = BUS_UNDERSIZE_REJECT,
	};
	uint64_t size = (uint64_t)bus_count * PCI_ECAM_BUS_SIZE;

	if (bus_count > 256 || (base & (PCI_ECAM_BUS_SIZE - 1)) || base + size < base)
		return -EINVAL;
	if (host->ecam_buses && host->ecam_base == base && host->ecam_buses == bus_count)
		return 0;
	if (host->ecam_buses) {
		bus_unregister(host->bus, BUS_SPACE_MMIO, host->ecam_base);
		host->ecam_buses = 0;
	}
	if (!bus_count)
		return 0;
	int err = bus_register_mmio(host->bus, "pci-ecam", base, size, &ecam_ops, host, &rules);
	if (err)
		return err;
	host->ecam_base = base;
	host->ecam_buses = bus_count;
	return 0;
}
