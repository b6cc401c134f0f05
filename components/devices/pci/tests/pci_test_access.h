/* SPDX-License-Identifier: MIT */
/* Guest accesses for the PCI tests: everything goes through bus_dispatch. */
#ifndef PCI_TEST_ACCESS_H
#define PCI_TEST_ACCESS_H

#include <stdint.h>
#include <bus/bus.h>

static inline uint64_t guest_access(struct bus *bus, enum bus_space space, enum bus_dir dir,
				    uint64_t addr, unsigned width, uint64_t value,
				    enum bus_result *result)
{
	struct bus_access acc = {
		.space = space, .dir = dir, .addr = addr, .width = width, .data = value,
	};
	enum bus_result r = bus_dispatch(bus, &acc);
	if (result)
		*result = r;
	return acc.data;
}

static inline uint32_t pio_in(struct bus *bus, uint16_t port, unsigned width)
{
	return (uint32_t)guest_access(bus, BUS_SPACE_PIO, BUS_READ, port, width, 0, NULL);
}

static inline void pio_out(struct bus *bus, uint16_t port, unsigned width, uint32_t value)
{
	guest_access(bus, BUS_SPACE_PIO, BUS_WRITE, port, width, value, NULL);
}

static inline uint64_t mmio_read(struct bus *bus, uint64_t gpa, unsigned width)
{
	return guest_access(bus, BUS_SPACE_MMIO, BUS_READ, gpa, width, 0, NULL);
}

static inline void mmio_write(struct bus *bus, uint64_t gpa, unsigned width, uint64_t value)
{
	guest_access(bus, BUS_SPACE_MMIO, BUS_WRITE, gpa, width, value, NULL);
}

static inline uint32_t cf8_address(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xFC);
}

/* What SeaBIOS's pci_config_read{b,w,l} do. */
static inline uint32_t cf8_read(struct bus *bus, unsigned dev, unsigned fn, unsigned reg,
				unsigned width)
{
	pio_out(bus, 0xCF8, 4, cf8_address(0, dev, fn, reg));
	return pio_in(bus, (uint16_t)(0xCFC + (reg & (4 - width) & 3)), width);
}

static inline void cf8_write(struct bus *bus, unsigned dev, unsigned fn, unsigned reg,
			     unsigned width, uint32_t value)
{
	pio_out(bus, 0xCF8, 4, cf8_address(0, dev, fn, reg));
	pio_out(bus, (uint16_t)(0xCFC + (reg & (4 - width) & 3)), width, value);
}

#endif
