/* SPDX-License-Identifier: MIT */
/*
 * The image's vsnprintf, built here as lib_vsnprintf.  Exact expected
 * strings for every feature, then a sweep comparing against the host C
 * library over many flag/width/precision/value combinations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

/* Taken before the renaming below: the reference implementation. */
static int (*const host_vsnprintf)(char *, size_t, const char *, va_list) = vsnprintf;

#define vsnprintf lib_vsnprintf
#define snprintf lib_snprintf
#include "../libc/printf.c"

static void __attribute__((format(printf, 2, 3))) check(const char *expected, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = lib_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (strcmp(buf, expected) != 0)
		fail_msg("format \"%s\": got \"%s\", expected \"%s\"", fmt, buf, expected);
	assert_int_equal(n, (int)strlen(expected));
}

/*
 * For formats the compiler rightly frowns upon but the implementation must
 * still handle as C specifies: no format attribute here.
 */
static void check_unchecked(const char *expected, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = lib_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (strcmp(buf, expected) != 0)
		fail_msg("format \"%s\": got \"%s\", expected \"%s\"", fmt, buf, expected);
	assert_int_equal(n, (int)strlen(expected));
}

static void test_integers(void **state)
{
	(void)state;
	check("0", "%d", 0);
	check("42 -42", "%d %i", 42, -42);
	check("-2147483648", "%d", INT32_MIN);
	check("2147483647", "%d", INT32_MAX);
	check("4294967295", "%u", 0xffffffffu);
	check("deadbeef DEADBEEF", "%x %X", 0xdeadbeefu, 0xdeadbeefu);
	check("777", "%o", 0777u);
	check("-9223372036854775808", "%lld", (long long)INT64_MIN);
	check("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	check("ffffffffffffffff", "%lx", (unsigned long)UINT64_MAX);
	check("1777777777777777777777", "%llo", (unsigned long long)UINT64_MAX);
	check("-1 255", "%hhd %hhu", (signed char)-1, (unsigned char)255);
	check("-1 65535", "%hd %hu", (short)-1, (unsigned short)65535);
	check("12345 -7", "%zu %zd", (size_t)12345, (ptrdiff_t)-7);
	check("-3 3", "%td %tu", (ptrdiff_t)-3, (size_t)3);
	check("-5 5", "%jd %ju", (intmax_t)-5, (uintmax_t)5);
	/* hh and h truncate wider arguments the way the promotion does. */
	check("0 44", "%hhu %hx", (unsigned char)256, (unsigned short)0x10044);
}

static void test_flags_width_precision(void **state)
{
	(void)state;
	check("   42", "%5d", 42);
	check("42   |", "%-5d|", 42);
	check("00042", "%05d", 42);
	check("-0042", "%05d", -42);
	check("+42 -42", "%+d %+d", 42, -42);
	check(" 42", "% d", 42);
	check_unchecked("+42", "%+ d", 42);
	check("00042", "%.5d", 42);
	check("  00042", "%7.5d", 42);
	check("  -0042", "%7.4d", -42);
	check_unchecked("   42", "%05.2d", 42);    /* precision turns the zero flag off */
	check("", "%.0d", 0);
	check("     ", "%5.0d", 0);
	check("0x1f 0X1F", "%#x %#X", 0x1fu, 0x1fu);
	check("0 0", "%#x %#o", 0u, 0u);
	check("017", "%#o", 017u);
	check("0x0001f", "%#07x", 0x1fu);
	check("0x001f", "%#.4x", 0x1fu);
	check("   0x1f", "%#7x", 0x1fu);
	check("0x1f   |", "%-#7x|", 0x1fu);
	check("   42", "%*d", 5, 42);
	check("42   |", "%*d|", -5, 42);
	check("00042", "%.*d", 5, 42);
	check("42", "%.*d", -1, 42);      /* negative precision: none */
	check("%", "%%");
	check("100%", "%d%%", 100);
}

static void test_strings_chars_pointers(void **state)
{
	(void)state;
	check("tessera", "%s", "tessera");
	check("tes", "%.3s", "tessera");
	check("tes", "%.*s", 3, "tessera");
	check("ab", "%.*s", 10, "ab");
	check("   ab|ab   |", "%5s|%-5s|", "ab", "ab");
	check("  tes", "%5.3s", "tessera");
	check_unchecked("(null)", "%s", (char *)NULL);
	check_unchecked("(nu", "%.3s", (char *)NULL);
	check("x", "%c", 'x');
	check("  x|x  |", "%3c|%-3c|", 'x', 'x');
	check("0x1000", "%p", (void *)0x1000);
	check("0x0", "%p", (void *)0);
	check("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
	check("  0x10", "%6p", (void *)0x10);
	check("a\nb", "a\nb");
	check("", "%s", "");
}

static void test_truncation_and_return_value(void **state)
{
	char buf[8];
	int n;

	(void)state;
	memset(buf, 'z', sizeof(buf));
	n = lib_snprintf(buf, sizeof(buf), "hypervisor %d", 12345);
	assert_int_equal(n, 16);
	assert_string_equal(buf, "hypervi");

	memset(buf, 'z', sizeof(buf));
	n = lib_snprintf(buf, 1, "abc");
	assert_int_equal(n, 3);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'z');

	/* size 0: nothing is written, the length is still computed. */
	memset(buf, 'z', sizeof(buf));
	n = lib_snprintf(buf, 0, "%s-%d", "abc", -1);
	assert_int_equal(n, 6);
	assert_int_equal(buf[0], 'z');
	n = lib_snprintf(NULL, 0, "%08x", 1u);
	assert_int_equal(n, 8);

	/* Exactly fits with the NUL. */
	n = lib_snprintf(buf, sizeof(buf), "%7s", "a");
	assert_int_equal(n, 7);
	assert_string_equal(buf, "      a");

	/* Padding past the end is counted but not written. */
	n = lib_snprintf(buf, sizeof(buf), "%-20s|", "ab");
	assert_int_equal(n, 21);
	assert_string_equal(buf, "ab     ");
}

static void test_unknown_conversion_is_shown(void **state)
{
	char buf[32];
	const char *fmt = "a%qb";       /* not a literal, so -Wformat stays quiet */
	const char *trailing = "end%";
	const char *trailing_len = "x%l";

	(void)state;
	assert_int_equal(lib_snprintf(buf, sizeof(buf), fmt, 1), 4);
	assert_string_equal(buf, "a%qb");
	assert_int_equal(lib_snprintf(buf, sizeof(buf), trailing), 4);
	assert_string_equal(buf, "end%");
	assert_int_equal(lib_snprintf(buf, sizeof(buf), trailing_len), 3);
	assert_string_equal(buf, "x%l");
}

static int host_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = host_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static int lib_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = lib_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void compare_with_host(const char *fmt, long long sv, unsigned long long uv, bool is_signed)
{
	char want[128], got[128];
	int nw, ng;

	if (is_signed) {
		nw = host_format(want, sizeof(want), fmt, sv);
		ng = lib_format(got, sizeof(got), fmt, sv);
	} else {
		nw = host_format(want, sizeof(want), fmt, uv);
		ng = lib_format(got, sizeof(got), fmt, uv);
	}
	if (nw != ng || strcmp(want, got) != 0)
		fail_msg("format \"%s\": got \"%s\" (%d), host C library \"%s\" (%d)", fmt, got,
			 ng, want, nw);
}

static void test_matches_host_c_library(void **state)
{
	static const char *const flag_sets[] = { "", "-", "0", "+", " ", "#", "-#", "0#", "+0", "- ", "-+0#" };
	static const char *const widths[] = { "", "1", "5", "12", "25" };
	static const char *const precisions[] = { "", ".", ".0", ".1", ".3", ".20" };
	static const long long signed_values[] = { 0, 1, -1, 42, -42, 123456789, INT64_MAX, INT64_MIN };
	static const unsigned long long unsigned_values[] = { 0, 1, 8, 0x7f, 0xabcdef, UINT64_MAX };
	static const char conversions[] = "diuxXo";
	unsigned int compared = 0;
	char fmt[32];

	(void)state;
	for (size_t f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++)
	for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
	for (size_t p = 0; p < sizeof(precisions) / sizeof(precisions[0]); p++)
	for (size_t c = 0; c < sizeof(conversions) - 1; c++) {
		bool is_signed = conversions[c] == 'd' || conversions[c] == 'i';

		host_format(fmt, sizeof(fmt), "%%%s%s%sll%c", flag_sets[f], widths[w],
			    precisions[p], conversions[c]);
		if (is_signed) {
			for (size_t v = 0; v < sizeof(signed_values) / sizeof(signed_values[0]); v++, compared++)
				compare_with_host(fmt, signed_values[v], 0, true);
		} else {
			for (size_t v = 0; v < sizeof(unsigned_values) / sizeof(unsigned_values[0]); v++, compared++)
				compare_with_host(fmt, 0, unsigned_values[v], false);
		}
	}
	assert_true(compared > 10000);
}

static void test_strings_match_host_c_library(void **state)
{
	static const char *const specs[] = { "%s", "%10s", "%-10s", "%.2s", "%10.2s", "%-10.2s", "%.0s", "%3s" };
	static const char *const values[] = { "", "a", "tessera", "a longer string than the width" };
	char want[128], got[128];

	(void)state;
	for (size_t s = 0; s < sizeof(specs) / sizeof(specs[0]); s++) {
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			int nw = host_format(want, sizeof(want), specs[s], values[v]);
			int ng = lib_format(got, sizeof(got), specs[s], values[v]);

			if (nw != ng || strcmp(want, got) != 0)
				fail_msg("format \"%s\": got \"%s\", host \"%s\"", specs[s], got, want);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_flags_width_precision),
		cmocka_unit_test(test_strings_chars_pointers),
		cmocka_unit_test(test_truncation_and_return_value),
		cmocka_unit_test(test_unknown_conversion_is_shown),
		cmocka_unit_test(test_matches_host_c_library),
		cmocka_unit_test(test_strings_match_host_c_library),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
