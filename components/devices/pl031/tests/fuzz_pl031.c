/* SPDX-License-Identifier: MIT */
/*
 * Arbitrary MMIO traffic and passing time against the PL031 model.
 * Each step: opcode byte (low 2 bits), then operands:
 *   0: read  (offset: 2 bytes, width selector: 1 byte)
 *   1: write (offset: 2 bytes, width selector: 1 byte, value: 4 bytes)
 *   2: advance time (2 bytes, in ms) and run the timers
 *   3: reset
 * After every step the line must equal MIS, and the identification block
 * must read the PL031's IDs.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bus/bus.h>
#include <bus/irq.h>
#include <bus/vclock.h>
#include <pl031/pl031.h>

static uint64_t fuzz_now(void *ctx)
{
	return *(uint64_t *)ctx;
}

static uint32_t read32(struct bus *bus, uint64_t offset)
{
	struct bus_access a = { BUS_SPACE_MMIO, BUS_READ, PL031_VIRT_BASE + offset, 4, 0 };

	if (bus_dispatch(bus, &a) != BUS_OK)
		abort();
	return (uint32_t)a.data;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned widths[4] = { 1, 2, 4, 8 };
	uint64_t now = 0;
	struct vclock clock;
	struct bus *bus = bus_create("fuzz");
	struct pl031 *rtc;
	size_t i = 0;

	if (!bus)
		return 0;
	vclock_init(&clock, fuzz_now, &now);
	rtc = pl031_create(bus, PL031_VIRT_BASE, &clock, 1709214356);
	if (!rtc) {
		bus_destroy(bus);
		return 0;
	}
	while (i < size) {
		uint8_t op = data[i++] & 3;
		struct bus_access a = { .space = BUS_SPACE_MMIO };
		uint32_t value = 0;

		switch (op) {
		case 0:
		case 1:
			if (i + 3 > size)
				goto out;
			a.addr = PL031_VIRT_BASE + ((data[i] | (data[i + 1] << 8)) & 0xFFF);
			a.width = widths[data[i + 2] & 3];
			a.dir = op ? BUS_WRITE : BUS_READ;
			i += 3;
			if (op) {
				if (i + 4 > size)
					goto out;
				memcpy(&value, data + i, 4);
				i += 4;
				a.data = value;
			}
			bus_dispatch(bus, &a);
			break;
		case 2:
			if (i + 2 > size)
				goto out;
			now += (uint64_t)(data[i] | data[i + 1] << 8) * 1000000;
			i += 2;
			vclock_run_expired(&clock);
			break;
		default:
			pl031_reset(rtc);
			break;
		}
		if ((read32(bus, PL031_MIS) != 0) != pl031_irq_line(rtc)->level)
			abort();
		if (read32(bus, PL031_PERIPH_ID0) != 0x31 || read32(bus, PL031_PCELL_ID0 + 12) != 0xB1)
			abort();
		if (read32(bus, PL031_DR) != pl031_counter(rtc))
			abort();
	}
out:
	pl031_destroy(rtc);
	bus_destroy(bus);
	return 0;
}
