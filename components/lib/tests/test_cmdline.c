/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <lib/cmdline.h>
#include <stdio.h>
#include <string.h>

/* Renders the tokens of line as "key|key=value|..." for compact checks. */
static const char *render(const char *line)
{
	static char out[512];
	struct cmdline_iter it;
	struct cmdline_token tok;
	size_t len = 0;

	out[0] = '\0';
	cmdline_iter_init(&it, line);
	while (cmdline_next(&it, &tok)) {
		assert_true(tok.key_len > 0 || tok.has_value);
		if (tok.has_value)
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%.*s=[%.*s]",
						len ? "|" : "", (int)tok.key_len, tok.key,
						(int)tok.value_len, tok.value);
		else
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%.*s",
						len ? "|" : "", (int)tok.key_len, tok.key);
		assert_true(len < sizeof(out));
	}
	return out;
}

static void test_keys_and_values(void **state)
{
	(void)state;
	assert_string_equal(render("loglevel=debug poweroff"), "loglevel=[debug]|poweroff");
	assert_string_equal(render("a"), "a");
	assert_string_equal(render("a=1 b=2 c=3"), "a=[1]|b=[2]|c=[3]");
	/* Only the first '=' separates key and value. */
	assert_string_equal(render("root=LABEL=boot"), "root=[LABEL=boot]");
	assert_string_equal(render("empty= next"), "empty=[]|next");
	assert_string_equal(render("vm.name=guest-1"), "vm.name=[guest-1]");
}

static void test_white_space(void **state)
{
	(void)state;
	assert_string_equal(render(""), "");
	assert_string_equal(render("   \t\n "), "");
	assert_string_equal(render("  a   b\tc\r\nd  "), "a|b|c|d");
}

static void test_quoted_values(void **state)
{
	(void)state;
	assert_string_equal(render("key3=\"quoted value\" key4"), "key3=[quoted value]|key4");
	assert_string_equal(render("k=\"\" x"), "k=[]|x");
	assert_string_equal(render("k=\"a=b c\""), "k=[a=b c]");
	/* An unterminated quote runs to the end of the line. */
	assert_string_equal(render("k=\"open ended value"), "k=[open ended value]");
	/* Text glued to the closing quote is dropped, not a new option. */
	assert_string_equal(render("k=\"v\"junk next"), "k=[v]|next");
	/* A quote not at the start of the value is an ordinary character. */
	assert_string_equal(render("k=a\"b"), "k=[a\"b]");
}

static void test_tokens_point_into_the_line(void **state)
{
	const char *line = "alpha=beta gamma";
	struct cmdline_iter it;
	struct cmdline_token tok;

	(void)state;
	cmdline_iter_init(&it, line);
	assert_true(cmdline_next(&it, &tok));
	assert_ptr_equal(tok.key, line);
	assert_int_equal(tok.key_len, 5);
	assert_true(tok.has_value);
	assert_ptr_equal(tok.value, line + 6);
	assert_int_equal(tok.value_len, 4);
	assert_true(cmdline_key_is(&tok, "alpha"));
	assert_false(cmdline_key_is(&tok, "alph"));
	assert_false(cmdline_key_is(&tok, "alphabet"));

	assert_true(cmdline_next(&it, &tok));
	assert_false(tok.has_value);
	assert_null(tok.value);
	assert_true(cmdline_key_is(&tok, "gamma"));
	assert_false(cmdline_next(&it, &tok));
	assert_false(cmdline_next(&it, &tok));

	cmdline_iter_init(&it, NULL);
	assert_false(cmdline_next(&it, &tok));
}

static void test_copy(void **state)
{
	char buf[6];

	(void)state;
	assert_int_equal(cmdline_copy(buf, sizeof(buf), "debug!!", 5), 5);
	assert_string_equal(buf, "debug");
	assert_int_equal(cmdline_copy(buf, sizeof(buf), "toolongvalue", 12), 12);
	assert_string_equal(buf, "toolo");
	assert_int_equal(cmdline_copy(buf, sizeof(buf), "x", 0), 0);
	assert_string_equal(buf, "");
	buf[0] = 'q';
	assert_int_equal(cmdline_copy(buf, 0, "abc", 3), 3);
	assert_int_equal(buf[0], 'q');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_and_values),
		cmocka_unit_test(test_white_space),
		cmocka_unit_test(test_quoted_values),
		cmocka_unit_test(test_tokens_point_into_the_line),
		cmocka_unit_test(test_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
