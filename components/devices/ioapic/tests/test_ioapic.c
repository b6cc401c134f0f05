/* SPDX-License-Identifier: MIT */
/*
 * The I/O APIC driven through its register window on a bus, the way
 * Linux programs it, with a fake local APIC side that records every
 * interrupt message and answers level-triggered ones with EOIs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <bus/bus.h>
#include <bus/irq.h>
#include <host/support.h>
#include <ioapic/ioapic.h>

#define MAX_MESSAGES 16

struct message {
	uint8_t destination;
	bool logical;
	uint8_t vector;
	unsigned delivery;
	bool level_triggered;
};

struct fixture {
	struct bus *bus;
	struct ioapic io;
	struct message msg[MAX_MESSAGES];
	unsigned messages;
};

static void record_message(void *ctx, uint8_t destination, bool logical, uint8_t vector, unsigned delivery,
			   bool level_triggered)
{
	struct fixture *f = ctx;

	assert_true(f->messages < MAX_MESSAGES);
	f->msg[f->messages++] = (struct message){ destination, logical, vector, delivery, level_triggered };
}

static const struct ioapic_ops ops = { .deliver = record_message };

static struct fixture fx;

static int setup(void **state)
{
	memset(&fx, 0, sizeof(fx));
	fx.bus = bus_create("test");
	assert_non_null(fx.bus);
	assert_int_equal(ioapic_init(&fx.io, fx.bus, IOAPIC_DEFAULT_BASE, &ops, &fx), 0);
	host_console_clear();
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	bus_destroy(f->bus);
	return 0;
}

static enum bus_result mmio(struct fixture *f, enum bus_dir dir, uint64_t offset, unsigned width, uint64_t *data)
{
	struct bus_access acc = { BUS_SPACE_MMIO, dir, IOAPIC_DEFAULT_BASE + offset, width, *data };
	enum bus_result r = bus_dispatch(f->bus, &acc);

	*data = acc.data;
	return r;
}

/* Linux io_apic_read()/io_apic_write(): index to IOREGSEL, data in IOWIN. */
static uint32_t io_read(struct fixture *f, uint32_t reg)
{
	uint64_t v = reg;

	assert_int_equal(mmio(f, BUS_WRITE, IOAPIC_IOREGSEL, 4, &v), BUS_OK);
	assert_int_equal(mmio(f, BUS_READ, IOAPIC_IOWIN, 4, &v), BUS_OK);
	return (uint32_t)v;
}

static void io_write(struct fixture *f, uint32_t reg, uint32_t value)
{
	uint64_t v = reg;

	assert_int_equal(mmio(f, BUS_WRITE, IOAPIC_IOREGSEL, 4, &v), BUS_OK);
	v = value;
	assert_int_equal(mmio(f, BUS_WRITE, IOAPIC_IOWIN, 4, &v), BUS_OK);
}

/* ioapic_write_entry(): high word first, then low (which may unmask). */
static void write_entry(struct fixture *f, unsigned pin, uint64_t entry)
{
	io_write(f, 0x10 + 2 * pin + 1, (uint32_t)(entry >> 32));
	io_write(f, 0x10 + 2 * pin, (uint32_t)entry);
}

static uint64_t read_entry(struct fixture *f, unsigned pin)
{
	return (uint64_t)io_read(f, 0x10 + 2 * pin + 1) << 32 | io_read(f, 0x10 + 2 * pin);
}

static void eoi_register(struct fixture *f, uint8_t vector)
{
	uint64_t v = vector;

	assert_int_equal(mmio(f, BUS_WRITE, IOAPIC_EOI, 4, &v), BUS_OK);
}

static void linux_setup(void **state)
{
	struct fixture *f = *state;

	/* Version: 0x20, max redirection entry 23 -> 24 pins. */
	assert_int_equal(io_read(f, IOAPIC_REG_VERSION), 0x00170020);
	assert_int_equal((io_read(f, IOAPIC_REG_VERSION) >> 16 & 0xFF) + 1, 24);
	/* ID: only bits 27:24 stick; arbitration follows it. */
	assert_int_equal(io_read(f, IOAPIC_REG_ID), 0);
	io_write(f, IOAPIC_REG_ID, 0xF8000001);
	assert_int_equal(io_read(f, IOAPIC_REG_ID), 0x08000000);
	assert_int_equal(io_read(f, IOAPIC_REG_ARBITRATION), 0x08000000);
	/* clear_IO_APIC: every entry reads masked at reset. */
	for (unsigned pin = 0; pin < 24; pin++)
		assert_int_equal(read_entry(f, pin), 0x10000);

	/* Timer (GSI 2): edge, active high, fixed, physical APIC 0, vector 0x30. */
	write_entry(f, 2, 0x0000000000000030ull);
	assert_int_equal(read_entry(f, 2), 0x30);
	/* A PCI INTx on GSI 11: level, active low, logical flat 0x01, lowest
	 * priority.  The machine wired the pin through an inverter, so the
	 * idle device leaves it high: unmasking delivers nothing. */
	ioapic_wire_inverted(&f->io, 11);
	write_entry(f, 11, 0x010000000001A941ull);
	assert_int_equal(read_entry(f, 11), 0x010000000001A941ull);
	write_entry(f, 11, 0x010000000000A941ull);      /* unmask */
	assert_int_equal(read_entry(f, 11), 0x010000000000A941ull);
	/* Read-only bits (delivery status, remote IRR) and reserved high bits ignore writes. */
	write_entry(f, 5, 0x00FFFFFFFFFFFFFFull | 0xFF00000000000000ull);
	assert_int_equal(read_entry(f, 5), 0xFF0000000001AFFFull);
	/* mask_ioapic_irq: read the low word, set bit 16, write it back. */
	io_write(f, 0x10 + 2 * 2, io_read(f, 0x10 + 2 * 2) | 0x10000);
	assert_int_equal(read_entry(f, 2), 0x10030);
	assert_int_equal(f->messages, 0);
	/* IOREGSEL reads back, 8 bits wide. */
	io_write(f, 0x123, 0);
	uint64_t sel = 0;
	assert_int_equal(mmio(f, BUS_READ, IOAPIC_IOREGSEL, 4, &sel), BUS_OK);
	assert_int_equal(sel, 0x23);
}

static void edge_interrupts_end_to_end(void **state)
{
	struct fixture *f = *state;
	struct irq_line pit;

	irq_line_init(&pit, "pit");
	irq_line_connect(&pit, ioapic_input_sink, &f->io, 2);
	write_entry(f, 2, 0x0300000000000830ull);      /* logical dest 0x03 */
	irq_line_pulse(&pit);
	irq_line_pulse(&pit);
	assert_int_equal(f->messages, 2);
	assert_int_equal(f->msg[0].destination, 3);
	assert_true(f->msg[0].logical);
	assert_int_equal(f->msg[0].vector, 0x30);
	assert_int_equal(f->msg[0].delivery, 0);
	assert_false(f->msg[0].level_triggered);
	/* Held high: one edge, one message. */
	irq_line_raise(&pit);
	irq_line_raise(&pit);
	irq_line_lower(&pit);
	assert_int_equal(f->messages, 3);
	/* No remote IRR for edge entries; an EOI changes nothing. */
	assert_int_equal(read_entry(f, 2) & IOAPIC_RTE_REMOTE_IRR, 0);
	eoi_register(f, 0x30);
	assert_int_equal(f->messages, 3);
	/* Masked: the edge is lost, unmasking does not bring it back. */
	write_entry(f, 2, 0x0300000000010830ull);
	irq_line_pulse(&pit);
	write_entry(f, 2, 0x0300000000000830ull);
	assert_int_equal(f->messages, 3);
	/* Active low edge entry: the falling edge of the pin is the assertion. */
	write_entry(f, 4, 0x0000000000002031ull);
	ioapic_set_input(&f->io, 4, true);
	assert_int_equal(f->messages, 3);
	ioapic_set_input(&f->io, 4, false);
	assert_int_equal(f->messages, 4);
	assert_int_equal(f->msg[3].vector, 0x31);
	assert_int_equal(f->io.delivered, 4);
}

static void level_interrupts_and_remote_irr(void **state)
{
	struct fixture *f = *state;
	struct irq_line nic;

	irq_line_init(&nic, "nic");
	irq_line_connect(&nic, ioapic_input_sink, &f->io, 11);
	ioapic_wire_inverted(&f->io, 11);              /* PCI INTx is active low */
	ioapic_wire_inverted(&f->io, 11);              /* twice is the same */
	write_entry(f, 11, 0x000000000000A041ull);     /* level, active low, fixed */
	assert_int_equal(f->messages, 0);              /* idle line is not asserted */

	irq_line_raise(&nic);
	assert_int_equal(f->messages, 1);
	assert_true(f->msg[0].level_triggered);
	assert_int_equal(f->msg[0].vector, 0x41);
	assert_int_equal(read_entry(f, 11) & IOAPIC_RTE_REMOTE_IRR, IOAPIC_RTE_REMOTE_IRR);
	/* Remote IRR: no new message while the LAPIC has not EOI'd. */
	irq_line_lower(&nic);
	irq_line_raise(&nic);
	assert_int_equal(f->messages, 1);
	/* The write to the remote IRR bit is ignored. */
	io_write(f, 0x10 + 2 * 11, 0x0000A041);
	assert_int_equal(read_entry(f, 11) & IOAPIC_RTE_REMOTE_IRR, IOAPIC_RTE_REMOTE_IRR);
	/* EOI of another vector does not clear it. */
	ioapic_eoi(&f->io, 0x42);
	assert_int_equal(f->messages, 1);
	/* EOI while still asserted: delivered again at once. */
	ioapic_eoi(&f->io, 0x41);
	assert_int_equal(f->messages, 2);
	/* The driver acknowledges the device, then EOI: quiet. */
	irq_line_lower(&nic);
	eoi_register(f, 0x41);
	assert_int_equal(f->messages, 2);
	assert_int_equal(read_entry(f, 11) & IOAPIC_RTE_REMOTE_IRR, 0);

	/* Masked level interrupt: seen when unmasked (datasheet). */
	write_entry(f, 11, 0x000000000001A041ull);
	irq_line_raise(&nic);
	assert_int_equal(f->messages, 2);
	write_entry(f, 11, 0x000000000000A041ull);
	assert_int_equal(f->messages, 3);
	/* Switching the entry to edge drops remote IRR. */
	write_entry(f, 11, 0x0000000000002041ull);
	assert_int_equal(read_entry(f, 11) & IOAPIC_RTE_REMOTE_IRR, 0);
	/* Flipping polarity of a level pin to active high: the pin is now
	 * electrically low (asserted line through the inverter): quiet. */
	write_entry(f, 11, 0x0000000000008041ull);
	assert_int_equal(f->messages, 3);
	irq_line_lower(&nic);                          /* pin goes high */
	assert_int_equal(f->messages, 4);

	/* Level NMI entries deliver as edge: no remote IRR, no EOI. */
	write_entry(f, 9, 0x0000000000008400ull);
	ioapic_set_input(&f->io, 9, true);
	assert_int_equal(f->messages, 5);
	assert_int_equal(f->msg[4].delivery, 4);
	assert_false(f->msg[4].level_triggered);
	assert_int_equal(read_entry(f, 9) & IOAPIC_RTE_REMOTE_IRR, 0);
}

static void bad_accesses(void **state)
{
	struct fixture *f = *state;
	uint64_t v = 0;

	/* Byte, 64-bit and unaligned accesses never reach the device. */
	v = 1;
	assert_int_equal(mmio(f, BUS_WRITE, IOAPIC_IOREGSEL, 1, &v), BUS_REJECTED);
	assert_int_equal(mmio(f, BUS_READ, IOAPIC_IOWIN, 8, &v), BUS_REJECTED);
	assert_int_equal(mmio(f, BUS_READ, IOAPIC_IOWIN + 2, 4, &v), BUS_REJECTED);
	/* Registers that do not exist read 0 and ignore writes. */
	assert_int_equal(io_read(f, 0x03), 0);
	assert_int_equal(io_read(f, 0x40), 0);
	assert_int_equal(io_read(f, 0xFF), 0);
	io_write(f, 0x0F, 0x1234);
	io_write(f, 0x40, 0x1234);
	io_write(f, IOAPIC_REG_VERSION, 0);
	io_write(f, IOAPIC_REG_ARBITRATION, 0x0F000000);
	assert_int_equal(io_read(f, IOAPIC_REG_VERSION), 0x00170020);
	assert_int_equal(io_read(f, IOAPIC_REG_ARBITRATION), 0);
	assert_true(host_console_contains("register index 0x3 that does not exist"));
	assert_true(host_console_contains("read-only register 0x1"));
	/* Offsets between the registers, and the write-only EOI register. */
	assert_int_equal(mmio(f, BUS_READ, 0x20, 4, &v), BUS_OK);
	assert_int_equal(v, 0);
	assert_int_equal(mmio(f, BUS_READ, IOAPIC_EOI, 4, &v), BUS_OK);
	assert_int_equal(v, 0);
	v = 5;
	assert_int_equal(mmio(f, BUS_WRITE, 0x800, 4, &v), BUS_OK);
	/* Pins that do not exist, reserved delivery modes. */
	ioapic_set_input(&f->io, 24, true);
	ioapic_wire_inverted(&f->io, 99);
	write_entry(f, 1, 0x0000000000000330ull);
	ioapic_set_input(&f->io, 1, true);
	assert_int_equal(f->messages, 0);
	/* Reports stop: a guest cannot flood the console. */
	for (int i = 0; i < 50; i++)
		io_write(f, 0x77, 0);
	assert_true(host_console_contains("further guest errors are not reported"));
	host_console_clear();
	io_write(f, 0x77, 0);
	assert_int_equal(host_console_length(), 0);
}

static void reset_create_destroy(void **state)
{
	struct fixture *f = *state;
	struct ioapic *second;
	struct ioapic local;

	write_entry(f, 3, 0x30);
	io_write(f, IOAPIC_REG_ID, 0x02000000);
	ioapic_reset(&f->io);
	assert_int_equal(read_entry(f, 3), 0x10000);
	assert_int_equal(io_read(f, IOAPIC_REG_ID), 0);
	/* A second IOAPIC elsewhere; the same range twice is refused. */
	second = ioapic_create(f->bus, 0xFEC01000, &ops, f);
	assert_non_null(second);
	assert_null(ioapic_create(f->bus, 0xFEC01000, &ops, f));
	ioapic_destroy(second);
	ioapic_destroy(NULL);
	/* Without a bus and without callbacks. */
	assert_int_equal(ioapic_init(&local, NULL, IOAPIC_DEFAULT_BASE, NULL, NULL), 0);
	ioapic_write_register(&local, 0x10, 0x30);
	ioapic_set_input(&local, 0, true);
	assert_int_equal(local.delivered, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(linux_setup, setup, teardown),
		cmocka_unit_test_setup_teardown(edge_interrupts_end_to_end, setup, teardown),
		cmocka_unit_test_setup_teardown(level_interrupts_and_remote_irr, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_accesses, setup, teardown),
		cmocka_unit_test_setup_teardown(reset_create_destroy, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
