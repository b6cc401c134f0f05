/* SPDX-License-Identifier: MIT */
/* Interrupt lines: level kept, sink told about changes and pulses only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <bus/irq.h>

struct sink {
	unsigned calls;
	unsigned pin[8];
	bool level[8];
};

static void sink_fn(void *opaque, unsigned pin, bool level)
{
	struct sink *s = opaque;

	if (s->calls < 8) {
		s->pin[s->calls] = pin;
		s->level[s->calls] = level;
	}
	s->calls++;
}

static void test_level_changes_only(void **state)
{
	struct irq_line line;
	struct sink s = { 0 };

	(void)state;
	irq_line_init(&line, "uart0");
	assert_string_equal(line.name, "uart0");
	assert_false(line.level);
	irq_line_connect(&line, sink_fn, &s, 4);
	irq_line_raise(&line);
	irq_line_raise(&line);
	assert_true(line.level);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.pin[0], 4);
	assert_true(s.level[0]);
	irq_line_lower(&line);
	irq_line_lower(&line);
	assert_int_equal(s.calls, 2);
	assert_false(s.level[1]);
	irq_line_set(&line, true);
	assert_int_equal(line.raised, 2);
	assert_int_equal(s.calls, 3);
}

static void test_pulse(void **state)
{
	struct irq_line line;
	struct sink s = { 0 };

	(void)state;
	irq_line_init(&line, "pit");
	irq_line_connect(&line, sink_fn, &s, 0);
	irq_line_pulse(&line);
	assert_int_equal(s.calls, 2);
	assert_true(s.level[0]);
	assert_false(s.level[1]);
	assert_false(line.level);
	assert_int_equal(line.raised, 1);
	/* From high: a fresh edge still reaches the sink, the line ends low. */
	irq_line_raise(&line);
	irq_line_pulse(&line);
	assert_int_equal(s.calls, 5);
	assert_true(s.level[3]);
	assert_false(s.level[4]);
	assert_false(line.level);
	assert_int_equal(line.raised, 3);
}

static void test_unconnected_keeps_level(void **state)
{
	struct irq_line line;
	struct sink s = { 0 };

	(void)state;
	irq_line_init(&line, "rtc");
	irq_line_raise(&line);
	irq_line_pulse(&line);
	irq_line_raise(&line);
	assert_true(line.level);
	assert_int_equal(line.raised, 3);
	irq_line_connect(&line, sink_fn, &s, 8);
	/* Connecting does not replay; the next change is delivered. */
	assert_int_equal(s.calls, 0);
	irq_line_lower(&line);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.pin[0], 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level_changes_only),
		cmocka_unit_test(test_pulse),
		cmocka_unit_test(test_unconnected_keeps_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
