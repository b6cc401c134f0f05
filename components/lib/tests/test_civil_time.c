/* SPDX-License-Identifier: MIT */
/* Dates and seconds since 1970: known values, leap years, round trips, refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <lib/civil_time.h>

static void test_known_values(void **state)
{
	uint64_t s;
	char buf[24];

	(void)state;
	assert_true(civil_parse("1970-01-01T00:00:00", 19, &s));
	assert_int_equal(s, 0);
	assert_true(civil_parse("2024-01-01T00:00:00", 19, &s));
	assert_int_equal(s, 1704067200);
	assert_true(civil_parse("2000-02-29 12:34:56Z", 20, &s));
	assert_int_equal(s, 951827696);
	assert_true(civil_parse("2038-01-19T03:14:08", 19, &s));
	assert_int_equal(s, 0x80000000ULL);
	civil_format(1704067200 + 86400 * 59 + 3661, buf, sizeof(buf));
	assert_string_equal(buf, "2024-02-29 01:01:01");
	civil_format(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01 00:00:00");
}

static void test_round_trip(void **state)
{
	(void)state;
	/* Every day from 1970 to 2110, at a second that changes each day. */
	for (uint64_t s = 0; s < 4403636000ULL; s += 86400 + 7) {
		struct civil_time t;
		uint64_t back;

		unix_to_civil(s, &t);
		assert_true(civil_to_unix(&t, &back));
		assert_int_equal(back, s);
	}
}

static void test_refusals(void **state)
{
	uint64_t s;

	(void)state;
	assert_false(civil_parse("2023-02-29T00:00:00", 19, &s));   /* not a leap year */
	assert_false(civil_parse("1900-02-28T00:00:00", 19, &s));   /* before 1970 */
	assert_false(civil_parse("2024-13-01T00:00:00", 19, &s));
	assert_false(civil_parse("2024-01-01T24:00:00", 19, &s));
	assert_false(civil_parse("2024-01-01", 10, &s));
	assert_false(civil_parse("2024/01/01T00:00:00", 19, &s));
	assert_false(civil_parse("2024-01-01T00:00:0x", 19, &s));
	assert_false(civil_parse("host", 4, &s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_values),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
