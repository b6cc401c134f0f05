/* SPDX-License-Identifier: MIT */
/*
 * Arbitrary MMIO traffic and input bursts against the PL011 model.
 * Each step: opcode byte, then operands:
 *   0: read  (offset word: 2 bytes, width selector: 1 byte)
 *   1: write (offset word: 2 bytes, width selector: 1 byte, value: 4 bytes)
 *   2: receive (next byte & 63) bytes from the input
 *   3: reset
 * Offsets cover the whole 4 KiB window, unaligned ones included.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bus/bus.h>
#include <pl011/pl011.h>

static void discard(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned widths[4] = { 1, 2, 4, 8 };
	struct chardev out = { .write = discard };
	struct bus *bus = bus_create("fuzz");
	struct pl011 *uart;
	size_t i = 0;

	if (!bus)
		return 0;
	uart = pl011_create(bus, "uart0", PL011_VIRT_BASE, &out);
	if (!uart) {
		bus_destroy(bus);
		return 0;
	}
	while (i < size) {
		uint8_t op = data[i++] & 3;
		struct bus_access a = { .space = BUS_SPACE_MMIO };
		uint32_t value = 0;
		size_t n;

		switch (op) {
		case 0:
		case 1:
			if (i + 3 > size)
				goto out;
			a.addr = PL011_VIRT_BASE + ((data[i] | (data[i + 1] << 8)) & 0xFFF);
			a.width = widths[data[i + 2] & 3];
			i += 3;
			a.dir = op ? BUS_WRITE : BUS_READ;
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
			if (i >= size)
				goto out;
			n = data[i++] & 63;
			if (n > size - i)
				n = size - i;
			if (pl011_receive(uart, data + i, n) > PL011_FIFO_SIZE)
				abort();
			i += n;
			break;
		default:
			pl011_reset(uart);
			break;
		}
		/* The TX side never looks busy or full. */
		a = (struct bus_access){ .space = BUS_SPACE_MMIO, .dir = BUS_READ,
					 .addr = PL011_VIRT_BASE + PL011_FR, .width = 4 };
		if (bus_dispatch(bus, &a) != BUS_OK || !(a.data & PL011_FR_TXFE) ||
		    (a.data & (PL011_FR_TXFF | PL011_FR_BUSY)))
			abort();
		/* The line follows MIS. */
		a.addr = PL011_VIRT_BASE + PL011_MIS;
		bus_dispatch(bus, &a);
		if ((a.data != 0) != pl011_irq(uart)->level)
			abort();
	}
out:
	pl011_destroy(uart);
	bus_destroy(bus);
	return 0;
}
