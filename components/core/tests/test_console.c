/* SPDX-License-Identifier: MIT */
/*
 * core/console.c, built here under core_console_* names because the host
 * support library provides the console_* the other tests use.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#define console_register core_console_register
#define console_write core_console_write
#define console_getc core_console_getc
#include "../console.c"

struct capture {
	char text[256];
	size_t len;
	unsigned int calls;
};

static struct capture cap_a, cap_b;

static void capture(struct capture *c, const char *buf, size_t len)
{
	assert_true(c->len + len < sizeof(c->text));
	memcpy(c->text + c->len, buf, len);
	c->len += len;
	c->text[c->len] = '\0';
	c->calls++;
}

static void write_a(const char *buf, size_t len) { capture(&cap_a, buf, len); }
static void write_b(const char *buf, size_t len) { capture(&cap_b, buf, len); }

static const char *input_b = "";
static int getc_none(void) { return -1; }
static int getc_b(void) { return *input_b ? (unsigned char)*input_b++ : -1; }

static struct console_driver drv_a = { .name = "a", .write = write_a, .getc = getc_none };
static struct console_driver drv_b = { .name = "b", .write = write_b, .getc = getc_b };
static struct console_driver drv_out_only = { .name = "out", .write = write_a, .getc = NULL };

static int reset(void **state)
{
	(void)state;
	console_list = NULL;
	last_byte = 0;
	memset(&cap_a, 0, sizeof(cap_a));
	memset(&cap_b, 0, sizeof(cap_b));
	input_b = "";
	return 0;
}

static void test_nothing_registered(void **state)
{
	(void)state;
	core_console_write("lost\n", 5);
	assert_int_equal(core_console_getc(), -1);
}

static void test_newlines_become_crlf(void **state)
{
	(void)state;
	core_console_register(&drv_a);
	core_console_write("one\ntwo\n\nthree", 14);
	assert_string_equal(cap_a.text, "one\r\ntwo\r\n\r\nthree");
	/* Exact length is honoured; bytes after it are not written. */
	core_console_write("\nxyz", 1);
	assert_string_equal(cap_a.text, "one\r\ntwo\r\n\r\nthree\r\n");
	core_console_write("", 0);
	assert_int_equal(cap_a.len, strlen("one\r\ntwo\r\n\r\nthree\r\n"));
}

/* A guest's own CR LF stays CR LF, also when CR and LF come in two writes. */
static void test_crlf_is_not_doubled(void **state)
{
	(void)state;
	core_console_register(&drv_a);
	core_console_write("a\r\nb\r", 5);
	core_console_write("\n", 1);
	core_console_write("c\n\r\n\n", 5);
	assert_string_equal(cap_a.text, "a\r\nb\r\nc\r\n\r\n\r\n");
	/* A lone CR (a progress line) is left alone. */
	core_console_write("50%\r60%\r", 8);
	assert_string_equal(cap_a.text + strlen("a\r\nb\r\nc\r\n\r\n\r\n"), "50%\r60%\r");
}

static void test_every_console_gets_output(void **state)
{
	(void)state;
	core_console_register(&drv_a);
	core_console_register(&drv_b);
	core_console_register(&drv_a);   /* twice: still once in the list */
	core_console_write("hi\n", 3);
	assert_string_equal(cap_a.text, "hi\r\n");
	assert_string_equal(cap_b.text, "hi\r\n");
}

static void test_input_from_the_first_console_that_has_some(void **state)
{
	(void)state;
	core_console_register(&drv_out_only);
	core_console_register(&drv_a);
	core_console_register(&drv_b);
	assert_int_equal(core_console_getc(), -1);
	input_b = "ok";
	assert_int_equal(core_console_getc(), 'o');
	assert_int_equal(core_console_getc(), 'k');
	assert_int_equal(core_console_getc(), -1);
}

/* A console driver that itself logs (as a fault handler would). */
static void write_nested(const char *buf, size_t len)
{
	capture(&cap_b, buf, len);
	if (cap_b.calls == 1)
		core_console_write("[nested]", 8);
}

static void test_nested_write_on_the_same_cpu_does_not_deadlock(void **state)
{
	static struct console_driver drv_nested = { .name = "n", .write = write_nested };

	(void)state;
	core_console_register(&drv_nested);
	core_console_write("outer", 5);
	assert_string_equal(cap_b.text, "outer[nested]");
	/* The lock is free again afterwards. */
	assert_true(spin_trylock(&console_lock));
	spin_unlock(&console_lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_nothing_registered, reset),
		cmocka_unit_test_setup(test_newlines_become_crlf, reset),
		cmocka_unit_test_setup(test_crlf_is_not_doubled, reset),
		cmocka_unit_test_setup(test_every_console_gets_output, reset),
		cmocka_unit_test_setup(test_input_from_the_first_console_that_has_some, reset),
		cmocka_unit_test_setup(test_nested_write_on_the_same_cpu_does_not_deadlock, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
