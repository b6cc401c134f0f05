/* SPDX-License-Identifier: MIT */
/*
 * Random port writes and reads, input changes, ELCR changes and INTA
 * cycles.  The model must stay consistent: INT equals "has interrupt",
 * vectors come from a programmed base, and nothing crashes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <bus/bus.h>
#include <bus/irq.h>
#include <i8259/i8259.h>

static const uint16_t ports[4] = { 0x20, 0x21, 0xA0, 0xA1 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bus *bus = bus_create("fuzz");
	struct i8259 *pic;

	if (!bus)
		return 0;
	pic = i8259_create(bus);
	if (!pic) {
		bus_destroy(bus);
		return 0;
	}
	while (size >= 2) {
		uint8_t op = data[0], arg = data[1];
		struct bus_access acc = {
			.space = BUS_SPACE_PIO,
			.addr = ports[op & 3],
			.width = (op & 0x40) ? 2 : 1,
			.data = arg,
		};

		data += 2;
		size -= 2;
		switch ((op >> 2) & 7) {
		case 0:
		case 1:
			acc.dir = BUS_WRITE;
			bus_dispatch(bus, &acc);
			break;
		case 2:
			acc.dir = BUS_READ;
			bus_dispatch(bus, &acc);
			break;
		case 3:
		case 4:
			i8259_set_input(pic, arg & 0x1F, op & 0x80);
			break;
		case 5:
			i8259_set_elcr(pic, (uint16_t)(arg | (op << 8)));
			break;
		default: {
			bool pending = i8259_has_interrupt(pic);
			uint8_t vector = i8259_acknowledge(pic);
			if (!pending && (vector & 7) != 7)
				abort();
			if ((vector & 0xF8) != pic->chip[0].vector_base &&
			    (vector & 0xF8) != pic->chip[1].vector_base)
				abort();
			break;
		}
		}
		if (pic->intr.level != i8259_has_interrupt(pic))
			abort();
	}
	i8259_destroy(pic);
	bus_destroy(bus);
	return 0;
}
