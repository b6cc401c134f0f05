/* SPDX-License-Identifier: MIT */
/*
 * Random port accesses, gate changes and jumps of VM time.  After the
 * VM's timers have run, none may still be due (the IRQ 0 timer is always
 * re-armed in the future), and nothing may crash or loop.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <bus/bus.h>
#include <bus/irq.h>
#include <bus/vclock.h>
#include <i8254/i8254.h>

static const uint16_t ports[8] = { 0x40, 0x41, 0x42, 0x43, 0x61, 0x43, 0x42, 0x61 };

static uint64_t fuzz_clock(void *ctx)
{
	return *(uint64_t *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t now = 0;
	struct vclock clock;
	struct bus *bus = bus_create("fuzz");
	struct i8254 *pit;

	if (!bus)
		return 0;
	vclock_init(&clock, fuzz_clock, &now);
	pit = i8254_create(bus, &clock);
	if (!pit) {
		bus_destroy(bus);
		return 0;
	}
	while (size >= 2) {
		uint8_t op = data[0], arg = data[1];
		struct bus_access acc = {
			.space = BUS_SPACE_PIO,
			.addr = ports[op & 7],
			.width = 1,
			.data = arg,
		};

		data += 2;
		size -= 2;
		switch ((op >> 3) & 7) {
		case 0:
		case 1:
		case 2:
			acc.dir = BUS_WRITE;
			bus_dispatch(bus, &acc);
			break;
		case 3:
		case 4:
			acc.dir = BUS_READ;
			bus_dispatch(bus, &acc);
			if (acc.data > 0xFF)
				abort();
			break;
		case 5:
			i8254_set_gate(pit, arg & 1, arg & 2);
			break;
		default:
			/* from a few ticks to about a minute */
			now += (uint64_t)arg << ((op & 7) * 4);
			vclock_run_expired(&clock);
			if (vclock_next_deadline(&clock) <= vclock_now(&clock))
				abort();
			break;
		}
	}
	i8254_destroy(pit);
	if (vclock_next_deadline(&clock) != UINT64_MAX)
		abort();
	bus_destroy(bus);
	return 0;
}
