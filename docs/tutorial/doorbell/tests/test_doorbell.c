/* SPDX-License-Identifier: MIT */
/* The doorbell through a real bus, the way a guest drives it, and as a VM gets it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <bus/bus.h>
#include <bus/device.h>
#include <doorbell/doorbell.h>

#define BASE 0x09050000

static bool level;
static unsigned int rising, pin_seen;

static void board_input(void *sink, unsigned int pin, bool new_level)
{
	(void)sink;
	pin_seen = pin;
	if (new_level && !level)
		rising++;
	level = new_level;
}

static uint64_t access(struct bus *bus, enum bus_dir dir, uint64_t offset, unsigned width,
		       uint64_t data, enum bus_result want)
{
	struct bus_access a = { BUS_SPACE_MMIO, dir, BASE + offset, width, data };

	assert_int_equal(bus_dispatch(bus, &a), want);
	return a.data;
}

static void rings_count_and_stay_raised_until_acked(void **state)
{
	struct bus *bus = bus_create("test");
	struct doorbell db;

	(void)state;
	level = false;
	rising = 0;
	assert_int_equal(doorbell_init(&db, bus, "doorbell0", BASE), 0);
	irq_line_connect(&db.irq, board_input, NULL, 5);

	access(bus, BUS_WRITE, DOORBELL_RING, 4, 1, BUS_OK);
	assert_true(level);
	assert_int_equal(access(bus, BUS_READ, DOORBELL_STATUS, 4, 0, BUS_OK), 1);
	access(bus, BUS_WRITE, DOORBELL_RING, 4, 1, BUS_OK);       /* still raised: no new edge */
	assert_int_equal(rising, 1);
	assert_int_equal(access(bus, BUS_READ, DOORBELL_COUNT, 4, 0, BUS_OK), 2);
	access(bus, BUS_WRITE, DOORBELL_ACK, 4, 1, BUS_OK);
	assert_false(level);
	assert_int_equal(access(bus, BUS_READ, DOORBELL_STATUS, 4, 0, BUS_OK), 0);

	/* Bytes are refused by the rules and never reach the device. */
	access(bus, BUS_WRITE, DOORBELL_RING, 1, 1, BUS_REJECTED);
	assert_int_equal(db.rings, 2);
	/* An offset with no register is counted, not fatal. */
	access(bus, BUS_WRITE, 0x100, 4, 1, BUS_OK);
	assert_int_equal(db.refused, 1);

	doorbell_reset(&db);
	assert_int_equal(db.rings, 0);
	doorbell_exit(&db);
	bus_destroy(bus);
}

/* What a VM does with "device = doorbell base=0x09050000 irq=5". */
static void the_device_line_makes_one(void **state)
{
	const char *line = "doorbell base=0x09050000 irq=5";
	struct bus *bus = bus_create("test");
	struct device dev;
	struct device_error err;
	const struct device_env env = {
		.bus = bus, .vm_name = "t", .irq_sink = board_input, .irq_limit = 256,
	};

	(void)state;
	level = false;
	assert_int_equal(device_parse_line(&dev, line, strlen(line), &err), 0);
	assert_int_equal(device_finish(&dev, &err), 0);
	device_default_name(&dev, NULL, 0);
	assert_int_equal(device_create(&dev, &env), 0);
	access(bus, BUS_WRITE, DOORBELL_RING, 4, 1, BUS_OK);
	assert_true(level);
	assert_int_equal(pin_seen, 5);
	assert_string_equal(bus_find(bus, BUS_SPACE_MMIO, BASE)->name, "doorbell0");
	device_destroy(&dev);
	assert_null(bus_find(bus, BUS_SPACE_MMIO, BASE));
	bus_destroy(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rings_count_and_stay_raised_until_acked),
		cmocka_unit_test(the_device_line_makes_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
