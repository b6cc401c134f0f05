/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <core/log.h>
#include <core/percpu.h>
#include <host/support.h>
#include <string.h>

static int reset(void **state)
{
	(void)state;
	log_set_level(LOG_INFO);
	this_cpu()->id = 0;
	host_console_clear();
	return 0;
}

static void test_default_level_is_the_configured_one(void **state)
{
	(void)state;
	/* Runs first, before any test changed the level. */
	assert_int_equal(log_get_level(), CONFIG_LOG_LEVEL_DEFAULT);
}

static void test_lines_carry_cpu_and_level_tag(void **state)
{
	(void)state;
	log_info("hello %d", 5);
	log_warn("disk %s", "slow");
	log_error("bad value %#x", 0x10u);
	assert_string_equal(host_console_text(),
			    "[cpu0] hello 5\n"
			    "[cpu0] warning: disk slow\n"
			    "[cpu0] error: bad value 0x10\n");

	host_console_clear();
	this_cpu()->id = 3;
	log_info("from another cpu");
	assert_string_equal(host_console_text(), "[cpu3] from another cpu\n");
}

static void test_trailing_newline_is_not_doubled(void **state)
{
	(void)state;
	log_info("one\n");
	log_info("%s", "");
	assert_string_equal(host_console_text(), "[cpu0] one\n[cpu0] \n");
}

static void test_levels_filter(void **state)
{
	(void)state;
	log_debug("hidden");
	log_trace("hidden");
	assert_string_equal(host_console_text(), "");
	assert_true(log_enabled(LOG_INFO));
	assert_false(log_enabled(LOG_DEBUG));

	log_set_level(LOG_TRACE);
	log_trace("shown %u", 1u);
	assert_string_equal(host_console_text(), "[cpu0] shown 1\n");

	host_console_clear();
	log_set_level(LOG_ERROR);
	log_warn("hidden");
	log_info("hidden");
	log_error("only this");
	assert_string_equal(host_console_text(), "[cpu0] error: only this\n");

	/* Out-of-range levels are clamped. */
	log_set_level((enum log_level)9);
	assert_int_equal(log_get_level(), LOG_TRACE);
	log_set_level((enum log_level)-3);
	assert_int_equal(log_get_level(), LOG_ERROR);
}

static void test_level_names(void **state)
{
	(void)state;
	assert_int_equal(log_level_parse("error"), LOG_ERROR);
	assert_int_equal(log_level_parse("warn"), LOG_WARN);
	assert_int_equal(log_level_parse("warning"), LOG_WARN);
	assert_int_equal(log_level_parse("info"), LOG_INFO);
	assert_int_equal(log_level_parse("debug"), LOG_DEBUG);
	assert_int_equal(log_level_parse("trace"), LOG_TRACE);
	assert_int_equal(log_level_parse("0"), LOG_ERROR);
	assert_int_equal(log_level_parse("4"), LOG_TRACE);
	assert_int_equal(log_level_parse("5"), -1);
	assert_int_equal(log_level_parse("12"), -1);
	assert_int_equal(log_level_parse("INFO"), -1);
	assert_int_equal(log_level_parse(""), -1);
	assert_int_equal(log_level_parse(NULL), -1);
}

static void test_long_lines_are_cut(void **state)
{
	char big[2000];
	const char *text;
	size_t len;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_info("%s", big);
	text = host_console_text();
	len = strlen(text);
	assert_int_equal(len, 511);
	assert_memory_equal(text, "[cpu0] xxx", 10);
	assert_string_equal(text + len - 4, "...\n");

	/* A line of exactly 512 bytes, newline included, fits whole. */
	host_console_clear();
	big[512 - 7 - 1] = '\0';
	log_info("%s", big);
	assert_int_equal(host_console_length(), 512);
	assert_int_equal(host_console_text()[510], 'x');
	assert_int_equal(host_console_text()[511], '\n');
}

static void test_printk_has_no_prefix(void **state)
{
	(void)state;
	assert_int_equal(printk("banner %s\n", "v0.1"), 12);
	assert_int_equal(printk("no newline"), 10);
	/* printk ignores the level. */
	log_set_level(LOG_ERROR);
	printk("!");
	assert_string_equal(host_console_text(), "banner v0.1\nno newline!");
}

/* A guest-triggered message a million times: a handful of lines. */
static void test_limited_messages(void **state)
{
	struct log_limit limit = { 0 };
	const char *text;
	unsigned lines = 0;

	(void)state;
	for (unsigned i = 1; i <= 1000000; i++)
		log_limited(&limit, LOG_WARN, "sleep request %u", i);
	text = host_console_text();
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	/* 10, then 16, 32, ..., 2^19. */
	assert_int_equal(lines, 10 + 16);
	assert_non_null(strstr(text, "[cpu0] warning: sleep request 1\n"));
	assert_non_null(strstr(text, "sleep request 10 (from now on only every power of two is shown)\n"));
	assert_non_null(strstr(text, "sleep request 16 (16 times so far)\n"));
	assert_non_null(strstr(text, "sleep request 524288 (524288 times so far)\n"));
	assert_null(strstr(text, "sleep request 11"));
	assert_int_equal(limit.events, 1000000);
	/* Below the level: counted, not printed. */
	host_console_clear();
	log_set_level(LOG_ERROR);
	log_limited(&limit, LOG_WARN, "hidden");
	assert_string_equal(host_console_text(), "");
	assert_int_equal(limit.events, 1000001);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_level_is_the_configured_one),
		cmocka_unit_test_setup(test_limited_messages, reset),
		cmocka_unit_test_setup(test_lines_carry_cpu_and_level_tag, reset),
		cmocka_unit_test_setup(test_trailing_newline_is_not_doubled, reset),
		cmocka_unit_test_setup(test_levels_filter, reset),
		cmocka_unit_test_setup(test_level_names, reset),
		cmocka_unit_test_setup(test_long_lines_are_cut, reset),
		cmocka_unit_test_setup(test_printk_has_no_prefix, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
