/* SPDX-License-Identifier: MIT */
/*
 * The debug console port as firmware uses it: the 0xE9 probe, then its
 * log a byte at a time (OVMF's IoWriteFifo8, SeaBIOS's outb).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <bus/bus.h>
#include <core/log.h>
#include <debugcon/debugcon.h>
#include <host/support.h>

struct fixture {
	struct bus *bus;
	struct debugcon *dev;
};

static int setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof(*f));

	f->bus = bus_create("test");
	assert_non_null(f->bus);
	f->dev = debugcon_create(f->bus, DEBUGCON_PORT, "VM t: debugcon", LOG_INFO);
	assert_non_null(f->dev);
	host_console_clear();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	log_set_level(LOG_INFO);
	debugcon_destroy(f->dev);
	bus_destroy(f->bus);
	test_free(f);
	return 0;
}

static enum bus_result pio(struct fixture *f, enum bus_dir dir, uint16_t port, unsigned width,
			   uint64_t *data)
{
	struct bus_access acc = { BUS_SPACE_PIO, dir, port, width, *data };
	enum bus_result r = bus_dispatch(f->bus, &acc);

	*data = acc.data;
	return r;
}

static void put(struct fixture *f, const char *s)
{
	for (; *s; s++) {
		uint64_t v = (uint8_t)*s;

		assert_int_equal(pio(f, BUS_WRITE, DEBUGCON_PORT, 1, &v), BUS_OK);
	}
}

static void test_probe_reads_e9(void **state)
{
	struct fixture *f = *state;
	uint64_t v = 0;

	assert_int_equal(pio(f, BUS_READ, DEBUGCON_PORT, 1, &v), BUS_OK);
	assert_int_equal(v, DEBUGCON_READBACK);
}

static void test_lines(void **state)
{
	struct fixture *f = *state;

	put(f, "SecCoreStartupWithStack(0xFFFCC000, 0x820000)\r\n");
	assert_true(host_console_contains("VM t: debugcon: SecCoreStartupWithStack(0xFFFCC000, 0x820000)\n"));
	assert_false(host_console_contains("\r"));
	put(f, "partial");
	assert_false(host_console_contains("partial"));
	debugcon_flush(f->dev);
	assert_true(host_console_contains("VM t: debugcon: partial"));
	assert_int_equal(debugcon_lines(f->dev), 2);
	assert_int_equal(debugcon_bytes(f->dev), strlen("SecCoreStartupWithStack(0xFFFCC000, 0x820000)\r\n") + 7);
}

static void test_long_line_and_level(void **state)
{
	struct fixture *f = *state;
	char text[DEBUGCON_LINE_MAX * 2 + 2];

	memset(text, 'x', sizeof(text) - 2);
	text[sizeof(text) - 2] = '\n';
	text[sizeof(text) - 1] = 0;
	put(f, text);
	assert_int_equal(debugcon_lines(f->dev), 2);
	/* Below the log level: nothing shown, still counted. */
	log_set_level(LOG_WARN);
	host_console_clear();
	put(f, "hidden\n");
	assert_false(host_console_contains("hidden"));
	assert_int_equal(debugcon_lines(f->dev), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_probe_reads_e9, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line_and_level, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
