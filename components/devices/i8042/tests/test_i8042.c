/* SPDX-License-Identifier: MIT */
/*
 * The 8042 with the sequences firmware and kernels use: SeaBIOS's
 * ps2_keyboard_setup (flush, self-test, interface test, keyboard reset,
 * command byte), A20 through the output port (0xD1 0xDF) and the 0xDD/0xDF
 * shortcuts, and the resets: 0xFE to port 0x64 (Linux reboot=k, EDK2's
 * ResetSystemLib), a pulse command and an output-port write with bit 0 low.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <bus/bus.h>
#include <host/support.h>
#include <i8042/i8042.h>

struct fixture {
	struct bus *bus;
	struct i8042 *kbc;
	unsigned resets;
	unsigned a20_calls;
	bool a20;
	unsigned irq_edges;
	bool irq_level;
};

static void on_reset(void *ctx)
{
	((struct fixture *)ctx)->resets++;
}

static void on_a20(void *ctx, bool enabled)
{
	struct fixture *f = ctx;

	f->a20_calls++;
	f->a20 = enabled;
}

static void irq_sink(void *sink, unsigned pin, bool level)
{
	struct fixture *f = sink;

	assert_int_equal(pin, 1);
	if (level && !f->irq_level)
		f->irq_edges++;
	f->irq_level = level;
}

static int setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof(*f));
	struct i8042_callbacks cb = { on_reset, on_a20, f };

	f->bus = bus_create("test");
	assert_non_null(f->bus);
	f->kbc = i8042_create(f->bus, &cb);
	assert_non_null(f->kbc);
	irq_line_connect(i8042_irq(f->kbc), irq_sink, f, 1);
	host_console_clear();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	i8042_destroy(f->kbc);
	bus_destroy(f->bus);
	test_free(f);
	return 0;
}

static uint8_t inb(struct fixture *f, uint16_t port)
{
	struct bus_access a = { .space = BUS_SPACE_PIO, .dir = BUS_READ, .addr = port, .width = 1 };

	assert_int_equal(bus_dispatch(f->bus, &a), BUS_OK);
	return (uint8_t)a.data;
}

static void outb(struct fixture *f, uint16_t port, uint8_t v)
{
	struct bus_access a = { .space = BUS_SPACE_PIO, .dir = BUS_WRITE, .addr = port,
				.width = 1, .data = v };

	assert_int_equal(bus_dispatch(f->bus, &a), BUS_OK);
}

/* SeaBIOS i8042_command(): wait for IBF clear, send, read the answer when OBF. */
static uint8_t command_with_answer(struct fixture *f, uint8_t cmd)
{
	assert_int_equal(inb(f, 0x64) & I8042_STATUS_IBF, 0);
	outb(f, 0x64, cmd);
	assert_true(inb(f, 0x64) & I8042_STATUS_OBF);
	return inb(f, 0x60);
}

static void test_power_on_status(void **state)
{
	struct fixture *f = *state;

	/* Nothing to read: SeaBIOS's i8042_flush() finds the buffer empty at once. */
	assert_int_equal(inb(f, 0x64), I8042_STATUS_CMD | I8042_STATUS_UNLOCKED);
	assert_true(i8042_a20_enabled(f->kbc));
	assert_false(f->irq_level);
	/* Port 0x61 is not ours. */
	assert_null(bus_find(f->bus, BUS_SPACE_PIO, 0x61));
}

static void test_seabios_keyboard_setup(void **state)
{
	struct fixture *f = *state;

	/* Interrupts off while probing: command byte 0x30 | 0x04 without KBD_INT. */
	outb(f, 0x64, 0x60);
	outb(f, 0x60, 0x30);
	outb(f, 0x64, 0xAD);                          /* keyboard disable */
	assert_int_equal(command_with_answer(f, 0xAA), 0x55);
	assert_true(inb(f, 0x64) & I8042_STATUS_SYS);
	assert_int_equal(command_with_answer(f, 0xAB), 0x00);
	outb(f, 0x64, 0xAE);                          /* keyboard enable */

	/* ps2_kbd_command(ATKBD_CMD_RESET_BAT): ACK then BAT OK. */
	outb(f, 0x60, 0xFF);
	assert_int_equal(inb(f, 0x60), 0xFA);
	assert_int_equal(inb(f, 0x60), 0xAA);
	assert_int_equal(inb(f, 0x64) & I8042_STATUS_OBF, 0);
	/* ATKBD_CMD_RESET_DIS, ATKBD_CMD_SSCANSET 2, ATKBD_CMD_ENABLE. */
	outb(f, 0x60, 0xF5);
	assert_int_equal(inb(f, 0x60), 0xFA);
	outb(f, 0x60, 0xF0);
	assert_int_equal(inb(f, 0x60), 0xFA);
	outb(f, 0x60, 0x02);
	assert_int_equal(inb(f, 0x60), 0xFA);
	outb(f, 0x60, 0xF4);
	assert_int_equal(inb(f, 0x60), 0xFA);
	/* Identify: ACK, 0xAB 0x83 (an MF2 keyboard). */
	outb(f, 0x60, 0xF2);
	assert_int_equal(inb(f, 0x60), 0xFA);
	assert_int_equal(inb(f, 0x60), 0xAB);
	assert_int_equal(inb(f, 0x60), 0x83);
	/* LEDs with their argument. */
	outb(f, 0x60, 0xED);
	assert_int_equal(inb(f, 0x60), 0xFA);
	outb(f, 0x60, 0x07);
	assert_int_equal(inb(f, 0x60), 0xFA);
	assert_int_equal(f->irq_edges, 0);           /* KBD_INT was off throughout */

	/* The final command byte 0x61 (translate, SYS, KBD_INT) reads back. */
	outb(f, 0x64, 0x60);
	outb(f, 0x60, 0x65);
	assert_int_equal(command_with_answer(f, 0x20), 0x65);
	/* With KBD_INT on, an answer raises IRQ 1 until it is read. */
	assert_int_equal(f->irq_edges, 1);
	assert_false(f->irq_level);
	outb(f, 0x60, 0xEE);
	assert_true(f->irq_level);
	assert_int_equal(inb(f, 0x60), 0xEE);
	assert_false(f->irq_level);
	assert_int_equal(f->resets, 0);
}

static void test_scancode_set_query(void **state)
{
	struct fixture *f = *state;

	outb(f, 0x60, 0xF0);
	outb(f, 0x60, 0x00);
	assert_int_equal(inb(f, 0x60), 0xFA);
	assert_int_equal(inb(f, 0x60), 0xFA);
	assert_int_equal(inb(f, 0x60), 0x02);
	assert_int_equal(inb(f, 0x64) & I8042_STATUS_OBF, 0);
	/* Reading an empty buffer repeats the last byte, as QEMU's does. */
	assert_int_equal(inb(f, 0x60), 0x02);
}

static void test_a20_through_output_port(void **state)
{
	struct fixture *f = *state;

	outb(f, 0x64, 0xDD);
	assert_int_equal(f->a20_calls, 1);
	assert_false(f->a20);
	assert_int_equal(command_with_answer(f, 0xD0), 0xCD);
	/* Linux enable_a20_kbc(): 0xD1, then 0xDF. */
	outb(f, 0x64, 0xD1);
	outb(f, 0x60, 0xDF);
	assert_int_equal(f->a20_calls, 2);
	assert_true(f->a20);
	assert_true(i8042_a20_enabled(f->kbc));
	/* Same value again: no callback. */
	outb(f, 0x64, 0xDF);
	assert_int_equal(f->a20_calls, 2);
	assert_int_equal(f->resets, 0);
}

static void test_reset_pulse(void **state)
{
	struct fixture *f = *state;

	outb(f, 0x64, I8042_CMD_PULSE_RESET);
	assert_int_equal(f->resets, 1);
	assert_true(host_console_contains("i8042: guest pulsed the reset line"));
	/* 0xFF pulses nothing (bit 0 set). */
	outb(f, 0x64, 0xFF);
	assert_int_equal(f->resets, 1);
	/* 0xF0 pulses all four lines, the reset line among them. */
	outb(f, 0x64, 0xF0);
	assert_int_equal(f->resets, 2);
	/* The output port with bit 0 low holds the CPU in reset. */
	outb(f, 0x64, 0xD1);
	outb(f, 0x60, 0xFE);
	assert_int_equal(f->resets, 3);
	assert_int_equal(command_with_answer(f, 0xD0) & I8042_OUT_RESET_HIGH, I8042_OUT_RESET_HIGH);
}

/* Regression: every reset pulse printed a line; a guest may pulse it in a loop. */
static void test_reset_messages_are_limited(void **state)
{
	struct fixture *f = *state;

	for (unsigned i = 0; i < 100000; i++)
		outb(f, 0x64, I8042_CMD_PULSE_RESET);
	assert_int_equal(f->resets, 100000);
	assert_int_equal(host_console_lines("pulsed the reset line"), 10 + 13);
}

static void test_reset_keeps_a20(void **state)
{
	struct fixture *f = *state;

	outb(f, 0x64, 0xDD);
	outb(f, 0x64, 0x60);
	outb(f, 0x60, 0x00);
	outb(f, 0x64, 0xAA);                        /* answer left in the buffer */
	i8042_reset(f->kbc);
	assert_int_equal(inb(f, 0x64), I8042_STATUS_CMD | I8042_STATUS_UNLOCKED);
	assert_false(i8042_a20_enabled(f->kbc));
	assert_int_equal(command_with_answer(f, 0x20), I8042_CTR_KBD_INT | I8042_CTR_AUX_INT);
}

static void test_unknown_and_mouse(void **state)
{
	struct fixture *f = *state;

	outb(f, 0x64, 0xD4);                        /* to the mouse: nobody there */
	outb(f, 0x60, 0xFF);
	assert_int_equal(inb(f, 0x64) & I8042_STATUS_OBF, 0);
	for (int i = 0; i < 20; i++)
		outb(f, 0x64, 0x01);
	assert_true(host_console_contains("i8042: controller command 0x01 ignored"));
	assert_int_equal(f->kbc->warnings, 20);
	/* A guest that never reads cannot overflow the queue. */
	for (int i = 0; i < 40; i++)
		outb(f, 0x60, 0xEE);
	for (int i = 0; i < I8042_QUEUE_SIZE; i++)
		assert_int_equal(inb(f, 0x60), 0xEE);
	assert_int_equal(inb(f, 0x64) & I8042_STATUS_OBF, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_power_on_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seabios_keyboard_setup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scancode_set_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a20_through_output_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_pulse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_keeps_a20, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_messages_are_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_mouse, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
