/* SPDX-License-Identifier: MIT */
/*
 * Feeds arbitrary register traffic and input bursts to the 16550 model.
 * Each step is an opcode byte followed by its operands:
 *   0: read  register (next byte & 7)
 *   1: write register (next byte & 7) with the byte after
 *   2: receive (next byte & 31) bytes taken from the input
 *   3: reset
 * Besides memory safety it checks invariants a guest relies on.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <bus/bus.h>
#include <uart16550/uart16550.h>

static void discard(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
}

static uint8_t port_read(struct bus *bus, unsigned reg)
{
	struct bus_access a = { .space = BUS_SPACE_PIO, .dir = BUS_READ,
				.addr = UART16550_COM1_PORT + reg, .width = 1 };

	if (bus_dispatch(bus, &a) != BUS_OK)
		abort();
	return (uint8_t)a.data;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chardev out = { .write = discard };
	struct bus *bus = bus_create("fuzz");
	struct uart16550 *uart;
	size_t i = 0;

	if (!bus)
		return 0;
	uart = uart16550_create(bus, "com1", UART16550_COM1_PORT, &out, size & 1);
	if (!uart) {
		bus_destroy(bus);
		return 0;
	}
	while (i < size) {
		uint8_t op = data[i++] & 3;
		uint8_t reg, value, iir, lsr;
		size_t n;

		switch (op) {
		case 0:
			if (i >= size)
				break;
			reg = data[i++] & 7;
			value = port_read(bus, reg);
			(void)value;
			break;
		case 1: {
			struct bus_access a = { .space = BUS_SPACE_PIO, .dir = BUS_WRITE, .width = 1 };

			if (i + 1 >= size)
				break;
			a.addr = UART16550_COM1_PORT + (data[i] & 7);
			a.data = data[i + 1];
			i += 2;
			if (bus_dispatch(bus, &a) != BUS_OK)
				abort();
			break;
		}
		case 2:
			if (i >= size)
				break;
			n = data[i++] & 31;
			if (n > size - i)
				n = size - i;
			if (uart16550_receive(uart, data + i, n) > UART16550_FIFO_SIZE)
				abort();
			i += n;
			break;
		default:
			uart16550_reset(uart);
			break;
		}
		/* Transmission is instant: THRE and TEMT never drop. */
		lsr = port_read(bus, UART16550_LSR);
		if ((lsr & 0x60) != 0x60)
			abort();
		/* IIR bits 5:4 are zero and the ID is a defined code. */
		iir = port_read(bus, UART16550_IIR);
		if ((iir & 0x30) || ((iir & 0x0F) != 0x01 && (iir & 0x0F) != 0x00 && (iir & 0x0F) != 0x02 &&
				     (iir & 0x0F) != 0x04 && (iir & 0x0F) != 0x06 && (iir & 0x0F) != 0x0C))
			abort();
	}
	uart16550_destroy(uart);
	bus_destroy(bus);
	return 0;
}
