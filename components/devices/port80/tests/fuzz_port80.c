/* SPDX-License-Identifier: MIT */
/*
 * Random guest traffic at the POST code port 0x80 and its neighbours:
 * every width, reads and writes.  Besides the sanitizers: the last code
 * is the low byte of the last accepted byte write, and the count of
 * writes only grows by the accepted ones.
 */
#include <stdint.h>
#include <stdlib.h>

#include <bus/bus.h>
#include <core/log.h>
#include <port80/port80.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bus *bus = bus_create("fuzz");
	struct port80 *dev;
	uint64_t writes = 0;

	log_set_level(LOG_ERROR);
	if (!bus)
		abort();
	dev = port80_create(bus);
	if (!dev)
		abort();
	for (size_t i = 0; i + 2 <= size; i += 2) {
		uint8_t op = data[i], value = data[i + 1];
		struct bus_access acc = {
			.space = BUS_SPACE_PIO,
			.addr = 0x7E + (op & 3),
			.width = 1u << ((op >> 2) & 3),
			.dir = (op & 0x10) ? BUS_WRITE : BUS_READ,
			.data = value | (uint64_t)value << 8,
		};

		if (bus_dispatch(bus, &acc) == BUS_OK && acc.dir == BUS_WRITE &&
		    acc.addr == 0x80) {
			writes++;
			if (port80_last_code(dev) != (uint8_t)acc.data)
				abort();
		}
		if (port80_write_count(dev) != writes)
			abort();
	}
	port80_destroy(dev);
	bus_destroy(bus);
	return 0;
}
