/* SPDX-License-Identifier: MIT */
/*
 * Arbitrary command sequences against a pflash bank.  The first byte
 * picks the shape (byte-wide OVMF or 2 x16 AAVMF, writable or read-only);
 * then each step is: opcode byte, offset (2 bytes, inside the 8 KiB bank),
 * width selector, and for writes a 4-byte value.  Values are often taken
 * as commands, so the fuzzer quickly reaches every state.  Checks: no
 * memory errors, a read-only bank never changes, and programming never
 * sets a bit that was clear.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bus/bus.h>
#include <pflash/pflash.h>

#define FUZZ_BASE 0x04000000ULL
#define FUZZ_SIZE 0x2000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned widths[4] = { 1, 2, 4, 8 };
	static uint8_t mem[FUZZ_SIZE], before[FUZZ_SIZE];
	struct pflash_config cfg = { .name = "fuzz", .base = FUZZ_BASE, .mem = mem, .size = FUZZ_SIZE };
	struct bus *bus;
	struct pflash *flash;
	size_t i = 1;

	if (size < 1)
		return 0;
	cfg.read_only = data[0] & 1;
	if (data[0] & 2) {
		cfg.bank_width = 4;
		cfg.device_width = 2;
		cfg.block_size = 0x800;
	} else {
		cfg.bank_width = 1;
		cfg.device_width = 1;
		cfg.block_size = 0x1000;
	}
	for (unsigned j = 0; j < FUZZ_SIZE; j++)
		mem[j] = (uint8_t)(j * 13);
	memcpy(before, mem, FUZZ_SIZE);
	bus = bus_create("fuzz");
	if (!bus)
		return 0;
	flash = pflash_create(bus, &cfg);
	if (!flash)
		abort();
	while (i + 4 <= size) {
		struct bus_access a = { .space = BUS_SPACE_MMIO };
		uint32_t value;

		a.dir = (data[i] & 1) ? BUS_WRITE : BUS_READ;
		if (data[i] & 2)
			pflash_reset(flash);
		a.addr = FUZZ_BASE + ((data[i + 1] | (data[i + 2] << 8)) % FUZZ_SIZE);
		a.width = widths[data[i + 3] & 3];
		i += 4;
		if (a.dir == BUS_WRITE) {
			if (i + 4 > size)
				break;
			memcpy(&value, data + i, 4);
			i += 4;
			a.data = value;
		}
		bus_dispatch(bus, &a);
		if (cfg.read_only && memcmp(mem, before, FUZZ_SIZE))
			abort();
		if (pflash_status(flash) & 0x41)
			abort(); /* reserved status bits never set */
	}
	pflash_destroy(flash);
	bus_destroy(bus);
	return 0;
}
