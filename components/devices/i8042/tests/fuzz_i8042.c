/* SPDX-License-Identifier: MIT */
/*
 * Random guest traffic at the keyboard controller: reads and writes of any
 * width at ports 0x60-0x64 (and the unassigned ones between), commands
 * with and without their argument bytes, keyboard commands, resets.
 * Besides the sanitizers: the output queue never holds more than it can,
 * a reset request is counted once per pulse, the A20 callback agrees with
 * the model.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <bus/bus.h>
#include <core/log.h>
#include <i8042/i8042.h>

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

static void no_irq(void *sink, unsigned pin, bool level)
{
	(void)sink;
	(void)pin;
	(void)level;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state st = { 0, true };
	struct i8042_callbacks cb = { on_reset, on_a20, &st };
	struct bus *bus = bus_create("fuzz");
	struct i8042 *kbc;

	log_set_level(LOG_ERROR);
	if (!bus)
		abort();
	kbc = i8042_create(bus, &cb);
	if (!kbc)
		abort();
	irq_line_connect(i8042_irq(kbc), no_irq, NULL, 1);
	st.a20 = i8042_a20_enabled(kbc);
	for (size_t i = 0; i + 3 <= size; i += 3) {
		uint8_t op = data[i], value = data[i + 1], extra = data[i + 2];
		struct bus_access acc = {
			.space = BUS_SPACE_PIO,
			.addr = 0x60 + (op & 7),
			.width = 1u << ((extra >> 6) & 3),
			.dir = (op & 8) ? BUS_WRITE : BUS_READ,
			.data = value | (uint64_t)extra << 8,
		};

		if ((op & 0xF0) == 0xF0) {
			i8042_reset(kbc);
			continue;
		}
		/* The usual targets more often: the data and command ports, byte wide. */
		if (op & 0x10) {
			acc.addr = (op & 0x20) ? 0x64 : 0x60;
			acc.width = 1;
		}
		bus_dispatch(bus, &acc);
		if (kbc->count > I8042_QUEUE_SIZE || kbc->head >= I8042_QUEUE_SIZE)
			abort();
		if (st.a20 != i8042_a20_enabled(kbc))
			abort();
	}
	if (st.resets != kbc->resets_requested)
		abort();
	i8042_destroy(kbc);
	bus_destroy(bus);
	return 0;
}
