/* SPDX-License-Identifier: MIT */
/*
 * Random register-window accesses (any width and offset), pin changes,
 * inverted wiring and EOIs.  Invariants: every message carries an entry's
 * vector from an unmasked pin, and a level-triggered fixed message always
 * leaves remote IRR set on its pin.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bus/bus.h>
#include <ioapic/ioapic.h>

static struct ioapic *current;

static void check_message(void *ctx, uint8_t destination, bool logical, uint8_t vector, unsigned delivery,
			  bool level_triggered)
{
	bool found = false;

	(void)ctx;
	(void)destination;
	(void)logical;
	if (delivery == 3 || delivery == 6 || delivery > 7)
		abort();
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t rte = current->redirection[pin];

		if ((rte & IOAPIC_RTE_VECTOR_MASK) != vector || (rte & IOAPIC_RTE_MASKED))
			continue;
		if (level_triggered && !(rte & IOAPIC_RTE_REMOTE_IRR))
			continue;
		found = true;
	}
	if (!found)
		abort();
}

static const struct ioapic_ops ops = { .deliver = check_message };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bus *bus = bus_create("fuzz");

	if (!bus)
		return 0;
	current = ioapic_create(bus, IOAPIC_DEFAULT_BASE, &ops, NULL);
	if (!current) {
		bus_destroy(bus);
		return 0;
	}
	while (size >= 6) {
		uint8_t op = data[0], arg = data[1];
		uint32_t value;
		struct bus_access acc = { .space = BUS_SPACE_MMIO, .width = 4 };

		memcpy(&value, data + 2, 4);
		data += 6;
		size -= 6;
		switch (op & 7) {
		case 0: /* select a register and write it, as drivers do */
			acc.dir = BUS_WRITE;
			acc.addr = IOAPIC_DEFAULT_BASE + IOAPIC_IOREGSEL;
			acc.data = arg;
			bus_dispatch(bus, &acc);
			acc.addr = IOAPIC_DEFAULT_BASE + IOAPIC_IOWIN;
			acc.data = value;
			bus_dispatch(bus, &acc);
			break;
		case 1:
			acc.dir = BUS_WRITE;
			acc.addr = IOAPIC_DEFAULT_BASE + IOAPIC_IOREGSEL;
			acc.data = arg;
			bus_dispatch(bus, &acc);
			acc.dir = BUS_READ;
			acc.addr = IOAPIC_DEFAULT_BASE + IOAPIC_IOWIN;
			bus_dispatch(bus, &acc);
			if (acc.data > UINT32_MAX)
				abort();
			break;
		case 2: /* anything at any offset */
			acc.dir = (op >> 3) & 1 ? BUS_WRITE : BUS_READ;
			acc.width = 1u << ((op >> 4) & 3);
			acc.addr = IOAPIC_DEFAULT_BASE + (value & 0x1FFF);
			acc.data = arg;
			bus_dispatch(bus, &acc);
			break;
		case 3:
		case 4:
			ioapic_set_input(current, arg % 32, value & 1);
			break;
		case 5:
			ioapic_eoi(current, arg);
			break;
		case 6:
			ioapic_wire_inverted(current, arg % 32);
			break;
		default:
			acc.dir = BUS_WRITE;
			acc.addr = IOAPIC_DEFAULT_BASE + IOAPIC_EOI;
			acc.data = value;
			bus_dispatch(bus, &acc);
			break;
		}
		for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
			if ((current->redirection[pin] & IOAPIC_RTE_REMOTE_IRR) &&
			    !(current->redirection[pin] & IOAPIC_RTE_LEVEL))
				abort();
	}
	ioapic_destroy(current);
	if (bus_find(bus, BUS_SPACE_MMIO, IOAPIC_DEFAULT_BASE))
		abort();
	bus_destroy(bus);
	return 0;
}
