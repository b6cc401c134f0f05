/* SPDX-License-Identifier: MIT */
/*
 * PL031 through the bus with the accesses of EDK2's PL031RealTimeClockLib
 * and Linux's rtc-pl031.  Time is a manual clock the tests advance.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <bus/bus.h>
#include <bus/irq.h>
#include <bus/vclock.h>
#include <host/support.h>
#include <pl031/pl031.h>

#define NS_PER_SEC 1000000000ull
#define NS_PER_MS 1000000ull
#define BASE PL031_VIRT_BASE
#define START_TIME 1709214356u

struct fixture {
	struct bus *bus;
	struct vclock clock;
	uint64_t now;
	struct pl031 *rtc;
	unsigned edges;
	bool level;
};

static uint64_t manual_now(void *ctx)
{
	return *(uint64_t *)ctx;
}

static void count_edges(void *sink, unsigned pin, bool level)
{
	struct fixture *f = sink;

	assert_int_equal(pin, 32 + PL031_VIRT_SPI);
	if (level && !f->level)
		f->edges++;
	f->level = level;
}

static int setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof(*f));

	f->bus = bus_create("test");
	assert_non_null(f->bus);
	vclock_init(&f->clock, manual_now, &f->now);
	f->rtc = pl031_create(f->bus, BASE, &f->clock, START_TIME);
	assert_non_null(f->rtc);
	irq_line_connect(pl031_irq_line(f->rtc), count_edges, f, 32 + PL031_VIRT_SPI);
	host_console_clear();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	pl031_destroy(f->rtc);
	bus_destroy(f->bus);
	test_free(f);
	return 0;
}

static enum bus_result mmio(struct fixture *f, enum bus_dir dir, uint64_t offset, unsigned width,
			    uint64_t *data)
{
	struct bus_access acc = { BUS_SPACE_MMIO, dir, BASE + offset, width, *data };
	enum bus_result r = bus_dispatch(f->bus, &acc);

	*data = acc.data;
	return r;
}

static uint32_t read32(struct fixture *f, uint64_t offset)
{
	uint64_t v = 0;

	assert_int_equal(mmio(f, BUS_READ, offset, 4, &v), BUS_OK);
	return (uint32_t)v;
}

static uint8_t read8(struct fixture *f, uint64_t offset)
{
	uint64_t v = 0;

	assert_int_equal(mmio(f, BUS_READ, offset, 1, &v), BUS_OK);
	return (uint8_t)v;
}

static void write32(struct fixture *f, uint64_t offset, uint32_t value)
{
	uint64_t v = value;

	assert_int_equal(mmio(f, BUS_WRITE, offset, 4, &v), BUS_OK);
}

static void advance_to(struct fixture *f, uint64_t t)
{
	for (;;) {
		uint64_t next = vclock_next_deadline(&f->clock);

		if (next > t)
			break;
		f->now = next;
		vclock_run_expired(&f->clock);
	}
	f->now = t;
}

/* edk2:ArmPlatformPkg/Library/PL031RealTimeClockLib IdentifyPL031 + init */
static void test_edk2_identify_and_init(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(read8(f, 0xFF0), 0x0D);
	assert_int_equal(read8(f, 0xFF4), 0xF0);
	assert_int_equal(read8(f, 0xFF8), 0x05);
	assert_int_equal(read8(f, 0xFFC), 0xB1);
	assert_int_equal(read8(f, 0xFE0), 0x31);
	assert_int_equal(read8(f, 0xFE4), 0x10);
	assert_int_equal(read8(f, 0xFE8) & 0xF, 0x04);
	assert_int_equal(read8(f, 0xFE8), 0x14);
	assert_int_equal(read8(f, 0xFEC), 0x00);
	/* Linux's AMBA bus reads the same as 32-bit words */
	assert_int_equal(read32(f, 0xFE0), 0x31);
	assert_int_equal(read32(f, 0xFFC), 0xB1);

	/* mask interrupts, start the clock if it is not running */
	write32(f, PL031_IMSC, 0);
	write32(f, PL031_ICR, PL031_INT);
	if (!(read32(f, PL031_CR) & PL031_CR_START))
		write32(f, PL031_CR, read32(f, PL031_CR) | PL031_CR_START);
	assert_int_equal(read32(f, PL031_CR), PL031_CR_START);
	assert_int_equal(read32(f, PL031_RIS), 0);
	assert_int_equal(read32(f, PL031_MIS), 0);
	assert_int_equal(f->edges, 0);
	/* nothing in the log for a well-behaved driver */
	assert_int_equal(host_console_length(), 0);
}

static void test_time_read(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(read32(f, PL031_DR), START_TIME);
	f->now = 999 * NS_PER_MS;
	assert_int_equal(read32(f, PL031_DR), START_TIME);
	f->now = 2 * NS_PER_SEC + 500 * NS_PER_MS;
	assert_int_equal(read32(f, PL031_DR), START_TIME + 2);
	assert_int_equal(pl031_counter(f->rtc), START_TIME + 2);
	/* writing 0 to CR does not stop the clock */
	write32(f, PL031_CR, 0);
	f->now = 4 * NS_PER_SEC;
	assert_int_equal(read32(f, PL031_DR), START_TIME + 4);
	assert_int_equal(read32(f, PL031_CR), PL031_CR_START);
}

/* EDK2 LibSetTime and Linux pl031_set_time: write LR */
static void test_load(void **state)
{
	struct fixture *f = *state;

	f->now = 1 * NS_PER_SEC + 700 * NS_PER_MS;
	write32(f, PL031_LR, 1000);
	assert_int_equal(read32(f, PL031_DR), 1000);
	assert_int_equal(read32(f, PL031_LR), 1000);
	/* counts whole seconds from the load */
	f->now = 2 * NS_PER_SEC + 699 * NS_PER_MS;
	assert_int_equal(read32(f, PL031_DR), 1000);
	f->now = 2 * NS_PER_SEC + 700 * NS_PER_MS;
	assert_int_equal(read32(f, PL031_DR), 1001);
	/* the 32-bit counter wraps */
	write32(f, PL031_LR, 0xFFFFFFFE);
	f->now += 3 * NS_PER_SEC;
	assert_int_equal(read32(f, PL031_DR), 1);
}

static void test_alarm_interrupt(void **state)
{
	struct fixture *f = *state;

	f->now = 300 * NS_PER_MS;
	write32(f, PL031_MR, START_TIME + 3);
	write32(f, PL031_IMSC, PL031_INT);
	assert_int_equal(read32(f, PL031_MR), START_TIME + 3);
	assert_int_equal(read32(f, PL031_IMSC), PL031_INT);
	assert_int_equal(vclock_next_deadline(&f->clock), 3 * NS_PER_SEC);
	advance_to(f, 3 * NS_PER_SEC - 1);
	assert_int_equal(f->edges, 0);
	assert_int_equal(read32(f, PL031_RIS), 0);
	advance_to(f, 3 * NS_PER_SEC);
	assert_int_equal(f->edges, 1);
	assert_true(f->level);
	assert_int_equal(read32(f, PL031_DR), START_TIME + 3);
	assert_int_equal(read32(f, PL031_RIS), PL031_INT);
	assert_int_equal(read32(f, PL031_MIS), PL031_INT);
	/* Linux's handler clears it through ICR */
	write32(f, PL031_ICR, PL031_INT);
	assert_false(f->level);
	assert_int_equal(read32(f, PL031_RIS), 0);
	assert_int_equal(read32(f, PL031_MIS), 0);
	/* the same match comes back only after the counter wraps */
	assert_int_equal(vclock_next_deadline(&f->clock), (3 + (1ull << 32)) * NS_PER_SEC);
}

static void test_alarm_masked_then_unmasked(void **state)
{
	struct fixture *f = *state;

	write32(f, PL031_MR, START_TIME + 1);
	/* the timer has not run yet: reading RIS still sees the match */
	f->now = NS_PER_SEC + 10;
	assert_int_equal(read32(f, PL031_RIS), PL031_INT);
	assert_int_equal(read32(f, PL031_MIS), 0);
	assert_false(f->level);
	write32(f, PL031_IMSC, PL031_INT);
	assert_true(f->level);
	write32(f, PL031_IMSC, 0);
	assert_false(f->level);
	assert_int_equal(f->edges, 1);
	/* the stale timer does not raise it again */
	vclock_run_expired(&f->clock);
	assert_int_equal(f->edges, 1);
}

static void test_match_equal_now_and_load_onto_match(void **state)
{
	struct fixture *f = *state;

	write32(f, PL031_IMSC, PL031_INT);
	write32(f, PL031_MR, START_TIME);
	assert_true(f->level);
	write32(f, PL031_ICR, PL031_INT);
	assert_false(f->level);
	/* loading the counter with the match value also signals */
	write32(f, PL031_MR, 5000);
	assert_false(f->level);
	write32(f, PL031_LR, 5000);
	assert_true(f->level);
	assert_int_equal(f->edges, 2);
}

static void test_access_widths_and_bad_registers(void **state)
{
	struct fixture *f = *state;
	uint64_t v = 0;

	/* registers are 32-bit only */
	assert_int_equal(mmio(f, BUS_READ, PL031_DR, 1, &v), BUS_REJECTED);
	assert_int_equal(v, 0xFF);
	assert_int_equal(mmio(f, BUS_READ, PL031_DR, 8, &v), BUS_REJECTED);
	v = 0x1234;
	assert_int_equal(mmio(f, BUS_WRITE, PL031_LR, 2, &v), BUS_REJECTED);
	assert_int_equal(read32(f, PL031_DR), START_TIME);
	assert_int_equal(mmio(f, BUS_READ, PL031_MR + 2, 4, &v), BUS_REJECTED);
	/* the ID block takes narrow reads, not 64-bit ones */
	assert_int_equal(mmio(f, BUS_READ, 0xFE8, 2, &v), BUS_OK);
	assert_int_equal(v, 0x14);
	assert_int_equal(mmio(f, BUS_READ, 0xFF8, 8, &v), BUS_REJECTED);

	/* read-only, write-only and reserved registers are reported */
	write32(f, PL031_DR, 0);
	assert_int_equal(read32(f, PL031_DR), START_TIME);
	assert_true(host_console_contains("read-only or reserved"));
	write32(f, PL031_RIS, PL031_INT);
	assert_int_equal(read32(f, PL031_RIS), 0);
	assert_int_equal(read32(f, PL031_ICR), 0);
	assert_true(host_console_contains("write-only or reserved"));
	assert_int_equal(read32(f, 0x800), 0);
	write32(f, 0xFE0, 0xFF);
	assert_true(host_console_contains("identification"));
	assert_int_equal(read32(f, 0xFE0), 0x31);
	/* and the guest cannot flood the log */
	for (int i = 0; i < 100; i++)
		write32(f, 0x100, 1);
	assert_true(host_console_contains("further warnings suppressed"));
	host_console_clear();
	write32(f, 0x100, 1);
	assert_int_equal(host_console_length(), 0);
}

static void test_reset_and_conflict(void **state)
{
	struct fixture *f = *state;

	write32(f, PL031_IMSC, PL031_INT);
	write32(f, PL031_MR, START_TIME);
	assert_true(f->level);
	f->now = 5 * NS_PER_SEC;
	pl031_reset(f->rtc);
	assert_false(f->level);
	assert_int_equal(read32(f, PL031_IMSC), 0);
	assert_int_equal(read32(f, PL031_RIS), 0);
	assert_int_equal(read32(f, PL031_MR), 0);
	assert_int_equal(read32(f, PL031_DR), START_TIME + 5);

	assert_null(pl031_create(f->bus, BASE + 0x800, &f->clock, 0));
	assert_true(host_console_contains("cannot register"));
	/* the first region fitting but the ID block not: both are undone */
	assert_null(pl031_create(f->bus, BASE - PL031_PERIPH_ID0, &f->clock, 0));
	assert_null(bus_find(f->bus, BUS_SPACE_MMIO, BASE - PL031_PERIPH_ID0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_edk2_identify_and_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alarm_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alarm_masked_then_unmasked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_match_equal_now_and_load_onto_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_widths_and_bad_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_and_conflict, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
