/* SPDX-License-Identifier: MIT */
/*
 * core/cmdline.c over a table made here: the table bounds the linker
 * provides in the image are replaced by an array of this test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <core/cmdline.h>
#include <core/log.h>
#include <errno.h>
#include <host/support.h>
#include <string.h>

#define TEST_OPTIONS 4
static const struct cmdline_option test_options[TEST_OPTIONS];
#define __cmdline_options_start test_options
#define __cmdline_options_end (test_options + TEST_OPTIONS)
#include "../cmdline.c"

static char last_name[300];
static unsigned int name_calls, flag_calls;
static bool flag_value_was_null;

static int set_name(const char *value)
{
	name_calls++;
	if (!value)
		return -EINVAL;
	strcpy(last_name, value);
	return 0;
}

static int set_flag(const char *value)
{
	flag_calls++;
	flag_value_was_null = value == NULL;
	return 0;
}

static int always_fails(const char *value)
{
	(void)value;
	return -ERANGE;
}

static const struct cmdline_option test_options[TEST_OPTIONS] = {
	{ "loglevel", cmdline_set_loglevel, "error|warn|info|debug|trace" },
	{ "vm.name", set_name, "a name" },
	{ "flag", set_flag, "a flag" },
	{ "strict", always_fails, "never accepted" },
};

static int reset(void **state)
{
	(void)state;
	log_set_level(LOG_INFO);
	host_console_clear();
	last_name[0] = '\0';
	name_calls = flag_calls = 0;
	flag_value_was_null = false;
	return 0;
}

static void test_options_reach_their_handlers(void **state)
{
	(void)state;
	cmdline_apply("vm.name=\"my guest\" flag loglevel=debug");
	assert_string_equal(last_name, "my guest");
	assert_int_equal(flag_calls, 1);
	assert_true(flag_value_was_null);
	assert_int_equal(log_get_level(), LOG_DEBUG);
	assert_true(host_console_contains("cmdline: vm.name=\"my guest\" flag loglevel=debug"));
	assert_false(host_console_contains("warning"));

	cmdline_apply("loglevel=2 flag=");
	assert_int_equal(log_get_level(), LOG_INFO);
	assert_int_equal(flag_calls, 2);
	assert_false(flag_value_was_null);    /* "flag=" has an empty value */
}

static void test_unknown_options_reported_once(void **state)
{
	(void)state;
	cmdline_apply("bogus=1 flag bogus=2 other bogus vm.nam=x");
	assert_int_equal(flag_calls, 1);
	assert_int_equal(name_calls, 0);
	const char *text = host_console_text();
	const char *first = strstr(text, "unknown option \"bogus\"");
	assert_non_null(first);
	assert_null(strstr(first + 1, "unknown option \"bogus\""));
	assert_true(host_console_contains("[cpu0] warning: cmdline: unknown option \"other\""));
	assert_true(host_console_contains("unknown option \"vm.nam\""));
}

static void test_rejected_values_are_reported(void **state)
{
	(void)state;
	cmdline_apply("loglevel=loud strict=1 vm.name");
	assert_int_equal(log_get_level(), LOG_INFO);
	assert_true(host_console_contains(
		"warning: cmdline: loglevel=loud rejected (-22); expected error|warn|info|debug|trace"));
	assert_true(host_console_contains("cmdline: strict=1 rejected (-34)"));
	assert_true(host_console_contains("cmdline: vm.name rejected (-22)"));
}

static void test_too_long_values_are_not_passed_cut(void **state)
{
	char line[400];

	(void)state;
	strcpy(line, "vm.name=");
	memset(line + 8, 'n', 300);
	line[308] = '\0';
	cmdline_apply(line);
	assert_int_equal(name_calls, 0);
	assert_true(host_console_contains("value of \"vm.name\" is too long (300 bytes)"));
}

static void test_empty_lines(void **state)
{
	(void)state;
	cmdline_apply(NULL);
	cmdline_apply("");
	cmdline_apply("   ");
	assert_int_equal(flag_calls + name_calls, 0);
	assert_false(host_console_contains("warning"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_options_reach_their_handlers, reset),
		cmocka_unit_test_setup(test_unknown_options_reported_once, reset),
		cmocka_unit_test_setup(test_rejected_values_are_reported, reset),
		cmocka_unit_test_setup(test_too_long_values_are_not_passed_cut, reset),
		cmocka_unit_test_setup(test_empty_lines, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
