/* SPDX-License-Identifier: MIT */
/* core/init.c over a table made here instead of the linker's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <core/init.h>
#include <core/log.h>
#include <errno.h>
#include <host/support.h>
#include <string.h>

#define TEST_ENTRIES 4
static const struct init_entry test_entries[TEST_ENTRIES];
static const struct init_entry *entries_end = test_entries + TEST_ENTRIES;
#define __init_entries_start test_entries
#define __init_entries_end entries_end
#include "../init.c"

static char order[16];
static size_t order_len;

static int first(void) { order[order_len++] = '1'; return 0; }
static int second(void) { order[order_len++] = '2'; return -ENODEV; }
static int third(void) { order[order_len++] = '3'; return 0; }
static int fourth(void) { order[order_len++] = '4'; return 1; }  /* positive: success */

static const struct init_entry test_entries[TEST_ENTRIES] = {
	{ first, "first", INIT_EARLY },
	{ second, "second", INIT_PLATFORM },
	{ third, "third", INIT_DEVICE },
	{ fourth, "fourth", INIT_LATE },
};

static void test_runs_all_in_table_order_and_reports_failures(void **state)
{
	(void)state;
	log_set_level(LOG_DEBUG);
	init_run_all();
	assert_string_equal(order, "1234");
	assert_true(host_console_contains("[cpu0] init: first (level 1)\n"));
	assert_true(host_console_contains("[cpu0] error: init: second failed: -19\n"));
	assert_true(host_console_contains("warning: init: 1 of 4 init calls failed"));
	assert_false(host_console_contains("third failed"));
	assert_false(host_console_contains("fourth failed"));
}

static void test_empty_table(void **state)
{
	(void)state;
	host_console_clear();
	order_len = 0;
	memset(order, 0, sizeof(order));
	entries_end = test_entries;
	init_run_all();
	assert_string_equal(order, "");
	assert_false(host_console_contains("failed"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_all_in_table_order_and_reports_failures),
		cmocka_unit_test(test_empty_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
