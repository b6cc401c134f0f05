/* SPDX-License-Identifier: MIT */
/*
 * Port 0x80 with what firmware and Linux do to it: POST codes, I/O-delay
 * writes, and the occasional read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <bus/bus.h>
#include <core/log.h>
#include <host/support.h>
#include <port80/port80.h>

struct fixture {
	struct bus *bus;
	struct port80 *dev;
};

static int setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof(*f));

	f->bus = bus_create("test");
	assert_non_null(f->bus);
	f->dev = port80_create(f->bus);
	assert_non_null(f->dev);
	host_console_clear();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	log_set_level(LOG_INFO);
	port80_destroy(f->dev);
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

static void test_post_codes_are_kept(void **state)
{
	struct fixture *f = *state;
	uint64_t v;

	assert_int_equal(port80_last_code(f->dev), 0);
	assert_int_equal(port80_write_count(f->dev), 0);
	for (unsigned code = 0x10; code <= 0x13; code++) {
		v = code;
		assert_int_equal(pio(f, BUS_WRITE, PORT80_PORT, 1, &v), BUS_OK);
	}
	assert_int_equal(port80_last_code(f->dev), 0x13);
	assert_int_equal(port80_write_count(f->dev), 4);
	/* quiet at the default log level: Linux writes it all the time */
	assert_int_equal(host_console_length(), 0);
}

static void test_reads_return_all_ones(void **state)
{
	struct fixture *f = *state;
	uint64_t v = 0x5A;

	assert_int_equal(pio(f, BUS_WRITE, PORT80_PORT, 1, &v), BUS_OK);
	v = 0;
	assert_int_equal(pio(f, BUS_READ, PORT80_PORT, 1, &v), BUS_OK);
	assert_int_equal(v, 0xFF);
	assert_int_equal(port80_last_code(f->dev), 0x5A);
}

static void test_trace_log(void **state)
{
	struct fixture *f = *state;
	uint64_t v = 0xE3;

	log_set_level(LOG_TRACE);
	assert_int_equal(pio(f, BUS_WRITE, PORT80_PORT, 1, &v), BUS_OK);
	assert_true(host_console_contains("POST code 0xe3"));
}

static void test_wide_access_and_neighbours(void **state)
{
	struct fixture *f = *state;
	uint64_t v = 0x1234;

	/* a word at 0x80 runs past the one-byte port: refused, nothing written */
	assert_int_equal(pio(f, BUS_WRITE, PORT80_PORT, 2, &v), BUS_REJECTED);
	assert_int_equal(port80_write_count(f->dev), 0);
	v = 0;
	assert_int_equal(pio(f, BUS_READ, PORT80_PORT + 1, 1, &v), BUS_UNASSIGNED);
	assert_int_equal(v, 0xFF);
}

static void test_create_twice_and_recreate(void **state)
{
	struct fixture *f = *state;

	assert_null(port80_create(f->bus));
	assert_true(host_console_contains("cannot register"));
	port80_destroy(f->dev);
	f->dev = port80_create(f->bus);
	assert_non_null(f->dev);
	port80_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_post_codes_are_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reads_return_all_ones, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wide_access_and_neighbours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_twice_and_recreate, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
