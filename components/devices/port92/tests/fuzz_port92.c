/* SPDX-License-Identifier: MIT */
/*
 * Random guest traffic at port 0x92 (System Control Port A) and around
 * it: every width, reads and writes, VM resets in between.  Besides the
 * sanitizers: a reset is requested exactly on each rising edge of bit 0
 * the guest writes, and the A20 callback always agrees with bit 1.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <bus/bus.h>
#include <core/log.h>
#include <port92/port92.h>

struct state {
	uint64_t resets;
	bool a20;
};

static void on_reset(void *ctx)
{
	((struct state *)ctx)->resets++;
}

static void on_a20(void *ctx, bool enabled)
{
	((struct state *)ctx)->a20 = enabled;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state st = { 0, false };
	struct port92_callbacks cb = { on_reset, on_a20, &st };
	struct bus *bus = bus_create("fuzz");
	struct port92 *dev;
	uint64_t expected_resets = 0;

	log_set_level(LOG_ERROR);
	if (!bus)
		abort();
	dev = port92_create(bus, &cb);
	if (!dev)
		abort();
	st.a20 = port92_value(dev) & PORT92_A20;
	for (size_t i = 0; i + 2 <= size; i += 2) {
		uint8_t op = data[i], value = data[i + 1];
		uint8_t before = port92_value(dev);
		struct bus_access acc = {
			.space = BUS_SPACE_PIO,
			.addr = 0x90 + (op & 7),
			.width = 1u << ((op >> 3) & 3),
			.dir = (op & 0x20) ? BUS_WRITE : BUS_READ,
			.data = value,
		};

		if ((op & 0xC0) == 0xC0) {
			port92_reset(dev);
			st.a20 = port92_value(dev) & PORT92_A20;
			continue;
		}
		if (op & 0x40) {
			acc.addr = PORT92_PORT;
			acc.width = 1;
		}
		if (bus_dispatch(bus, &acc) == BUS_OK && acc.dir == BUS_WRITE &&
		    acc.addr == PORT92_PORT && acc.width == 1 &&
		    (value & PORT92_FAST_RESET) && !(before & PORT92_FAST_RESET))
			expected_resets++;
		if (st.a20 != !!(port92_value(dev) & PORT92_A20))
			abort();
	}
	if (st.resets != expected_resets)
		abort();
	port92_destroy(dev);
	bus_destroy(bus);
	return 0;
}
