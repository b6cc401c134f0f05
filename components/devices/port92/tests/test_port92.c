/* SPDX-License-Identifier: MIT */
/*
 * Port 0x92 with the sequences SeaBIOS (set_a20) and Linux
 * (enable_a20_fast) use, and the fast reset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <bus/bus.h>
#include <host/support.h>
#include <port92/port92.h>

struct fixture {
	struct bus *bus;
	struct port92 *dev;
	unsigned resets;
	unsigned a20_calls;
	bool a20;
};

static void on_reset(void *ctx)
{
	struct fixture *f = ctx;

	f->resets++;
}

static void on_a20(void *ctx, bool enabled)
{
	struct fixture *f = ctx;

	f->a20_calls++;
	f->a20 = enabled;
}

static int setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof(*f));
	struct port92_callbacks cb = { on_reset, on_a20, f };

	f->bus = bus_create("test");
	assert_non_null(f->bus);
	f->dev = port92_create(f->bus, &cb);
	assert_non_null(f->dev);
	host_console_clear();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	port92_destroy(f->dev);
	bus_destroy(f->bus);
	test_free(f);
	return 0;
}

static uint8_t inb(struct fixture *f)
{
	struct bus_access acc = { BUS_SPACE_PIO, BUS_READ, PORT92_PORT, 1, 0 };

	assert_int_equal(bus_dispatch(f->bus, &acc), BUS_OK);
	return (uint8_t)acc.data;
}

static void outb(struct fixture *f, uint8_t value)
{
	struct bus_access acc = { BUS_SPACE_PIO, BUS_WRITE, PORT92_PORT, 1, value };

	assert_int_equal(bus_dispatch(f->bus, &acc), BUS_OK);
}

/* seabios:src/x86.h set_a20 */
static bool seabios_set_a20(struct fixture *f, bool enable)
{
	uint8_t old = inb(f);

	outb(f, enable ? (uint8_t)(old | PORT92_A20) : (uint8_t)(old & ~PORT92_A20));
	return old & PORT92_A20;
}

static void test_seabios_a20(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(inb(f), 0x00);
	assert_false(port92_a20_enabled(f->dev));
	assert_false(seabios_set_a20(f, true));
	assert_true(port92_a20_enabled(f->dev));
	assert_true(f->a20);
	assert_int_equal(f->a20_calls, 1);
	assert_int_equal(inb(f), PORT92_A20);
	/* enabling again changes nothing and calls nobody */
	assert_true(seabios_set_a20(f, true));
	assert_int_equal(f->a20_calls, 1);
	assert_true(seabios_set_a20(f, false));
	assert_false(f->a20);
	assert_int_equal(f->a20_calls, 2);
	assert_int_equal(f->resets, 0);
}

/* linux:arch/x86/boot/a20.c enable_a20_fast */
static void test_linux_a20_fast(void **state)
{
	struct fixture *f = *state;
	uint8_t port_a = inb(f);

	port_a |= 0x02;
	port_a &= (uint8_t)~0x01;
	outb(f, port_a);
	assert_true(port92_a20_enabled(f->dev));
	assert_int_equal(f->resets, 0);
	assert_int_equal(port92_value(f->dev), 0x02);
}

static void test_fast_reset_on_rising_edge(void **state)
{
	struct fixture *f = *state;

	outb(f, PORT92_A20 | PORT92_FAST_RESET);
	assert_int_equal(f->resets, 1);
	assert_true(host_console_contains("fast reset"));
	assert_int_equal(inb(f), PORT92_A20 | PORT92_FAST_RESET);
	/* the bit is still set: writing it again is not a new request */
	outb(f, PORT92_A20 | PORT92_FAST_RESET);
	assert_int_equal(f->resets, 1);
	/* the VM's reset clears it, keeping A20 */
	port92_reset(f->dev);
	assert_int_equal(inb(f), PORT92_A20);
	outb(f, PORT92_A20 | PORT92_FAST_RESET);
	assert_int_equal(f->resets, 2);
	/* the guest can also clear it itself */
	outb(f, PORT92_A20);
	outb(f, PORT92_FAST_RESET);
	assert_int_equal(f->resets, 3);
	assert_false(f->a20);
}

/* Regression: every fast reset printed a line; a guest may pulse it in a loop. */
static void test_fast_reset_messages_are_limited(void **state)
{
	struct fixture *f = *state;

	for (unsigned i = 0; i < 100000; i++) {
		outb(f, PORT92_A20);
		outb(f, PORT92_A20 | PORT92_FAST_RESET);
	}
	assert_int_equal(f->resets, 100000);
	assert_int_equal(host_console_lines("fast reset"), 10 + 13);
}

static void test_other_bits_are_stored(void **state)
{
	struct fixture *f = *state;

	outb(f, 0xC8);
	assert_int_equal(inb(f), 0xC8);
	assert_int_equal(f->resets, 0);
	assert_int_equal(f->a20_calls, 0);
}

static void test_without_callbacks(void **state)
{
	struct fixture *f = *state;
	struct bus_access acc = { BUS_SPACE_PIO, BUS_WRITE, PORT92_PORT, 1, 0x03 };

	port92_destroy(f->dev);
	f->dev = port92_create(f->bus, NULL);
	assert_non_null(f->dev);
	assert_int_equal(bus_dispatch(f->bus, &acc), BUS_OK);
	assert_true(port92_a20_enabled(f->dev));
	assert_true(host_console_contains("fast reset"));
	/* a second device on the same port is refused */
	assert_null(port92_create(f->bus, NULL));
	port92_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seabios_a20, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linux_a20_fast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_reset_on_rising_edge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_reset_messages_are_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_bits_are_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_callbacks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
