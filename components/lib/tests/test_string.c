/* SPDX-License-Identifier: MIT */
/*
 * The image's string functions, strtoul family and ctype, built here
 * under lib_* names so that they do not collide with the host C library
 * the test program is linked against.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#define memcpy lib_memcpy
#define memmove lib_memmove
#define memset lib_memset
#define memcmp lib_memcmp
#define memchr lib_memchr
#define strlen lib_strlen
#define strnlen lib_strnlen
#define strcmp lib_strcmp
#define strncmp lib_strncmp
#define strcasecmp lib_strcasecmp
#define strncasecmp lib_strncasecmp
#define strchr lib_strchr
#define strrchr lib_strrchr
#define strstr lib_strstr
#define strlcpy lib_strlcpy
#define strlcat lib_strlcat
#define strcpy lib_strcpy
#define strncpy lib_strncpy
#define strcat lib_strcat
#define strncat lib_strncat
#define strspn lib_strspn
#define strcspn lib_strcspn
#define strpbrk lib_strpbrk
#include "../libc/string.c"

#define strtoul lib_strtoul
#define strtoull lib_strtoull
#define strtol lib_strtol
#define strtoll lib_strtoll
#define abs lib_abs
#define labs lib_labs
#define llabs lib_llabs
#define qsort lib_qsort
#define bsearch lib_bsearch
#include "../libc/stdlib.c"

#define isdigit lib_isdigit
#define islower lib_islower
#define isupper lib_isupper
#define isalpha lib_isalpha
#define isalnum lib_isalnum
#define isxdigit lib_isxdigit
#define isspace lib_isspace
#define isblank lib_isblank
#define iscntrl lib_iscntrl
#define isprint lib_isprint
#define isgraph lib_isgraph
#define ispunct lib_ispunct
#define tolower lib_tolower
#define toupper lib_toupper
#include "../libc/ctype.h"

#include "../libc/errno.h"

static unsigned char pattern_byte(size_t i)
{
	return (unsigned char)(i * 7 + 3);
}

static void test_memcpy_all_alignments(void **state)
{
	unsigned char src[96], dst[96];

	(void)state;
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = pattern_byte(i);
	for (size_t so = 0; so < 9; so++) {
		for (size_t d_off = 0; d_off < 9; d_off++) {
			for (size_t n = 0; n < 70; n++) {
				lib_memset(dst, 0xee, sizeof(dst));
				assert_ptr_equal(lib_memcpy(dst + d_off, src + so, n), dst + d_off);
				for (size_t i = 0; i < sizeof(dst); i++) {
					if (i >= d_off && i < d_off + n)
						assert_int_equal(dst[i], src[so + i - d_off]);
					else
						assert_int_equal(dst[i], 0xee);
				}
			}
		}
	}
}

static void test_memmove_overlap(void **state)
{
	unsigned char buf[64], ref[64];

	(void)state;
	for (size_t from = 0; from < 20; from++) {
		for (size_t to = 0; to < 20; to++) {
			for (size_t n = 0; n + (from > to ? from : to) <= sizeof(buf); n += 7) {
				for (size_t i = 0; i < sizeof(buf); i++)
					buf[i] = ref[i] = pattern_byte(i);
				/* Reference: copy through a temporary. */
				unsigned char tmp[64];
				for (size_t i = 0; i < n; i++)
					tmp[i] = ref[from + i];
				for (size_t i = 0; i < n; i++)
					ref[to + i] = tmp[i];
				assert_ptr_equal(lib_memmove(buf + to, buf + from, n), buf + to);
				assert_memory_equal(buf, ref, sizeof(buf));
			}
		}
	}
}

static void test_memset_edges(void **state)
{
	unsigned char buf[80];

	(void)state;
	for (size_t off = 0; off < 9; off++) {
		for (size_t n = 0; n < 64; n++) {
			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = 0x11;
			assert_ptr_equal(lib_memset(buf + off, 0x1a5, n), buf + off);
			for (size_t i = 0; i < sizeof(buf); i++)
				assert_int_equal(buf[i], (i >= off && i < off + n) ? 0xa5 : 0x11);
		}
	}
}

static void test_memcmp_memchr(void **state)
{
	(void)state;
	assert_int_equal(lib_memcmp("abc", "abc", 3), 0);
	assert_true(lib_memcmp("abc", "abd", 3) < 0);
	assert_true(lib_memcmp("abd", "abc", 3) > 0);
	/* Bytes compare as unsigned char. */
	assert_true(lib_memcmp("\x80", "\x01", 1) > 0);
	assert_int_equal(lib_memcmp("abc", "xyz", 0), 0);

	const char *s = "hello\0world";
	assert_ptr_equal(lib_memchr(s, 'w', 11), s + 6);
	assert_ptr_equal(lib_memchr(s, '\0', 11), s + 5);
	assert_null(lib_memchr(s, 'w', 6));
	/* The byte searched for is converted to unsigned char. */
	const char *high = "a\xff";
	assert_ptr_equal(lib_memchr(high, -1, 2), high + 1);
	assert_ptr_equal(lib_memchr(high, 0x1ff, 2), high + 1);
}

static void test_strlen_strcmp(void **state)
{
	(void)state;
	assert_int_equal(lib_strlen(""), 0);
	assert_int_equal(lib_strlen("tessera"), 7);
	assert_int_equal(lib_strnlen("tessera", 3), 3);
	assert_int_equal(lib_strnlen("abc", 10), 3);
	assert_int_equal(lib_strnlen("abc", 0), 0);

	assert_int_equal(lib_strcmp("a", "a"), 0);
	assert_true(lib_strcmp("a", "b") < 0);
	assert_true(lib_strcmp("b", "a") > 0);
	assert_true(lib_strcmp("ab", "a") > 0);
	assert_true(lib_strcmp("a", "ab") < 0);
	assert_true(lib_strcmp("\xe9", "e") > 0);
	assert_int_equal(lib_strncmp("abcdef", "abcxyz", 3), 0);
	assert_true(lib_strncmp("abcdef", "abcxyz", 4) < 0);
	assert_int_equal(lib_strncmp("abc", "abc", 100), 0);
	assert_int_equal(lib_strncmp("x", "y", 0), 0);
	assert_int_equal(lib_strcasecmp("PowerOff", "poweroff"), 0);
	assert_true(lib_strcasecmp("a", "B") < 0);
	assert_int_equal(lib_strncasecmp("LOGlevel=1", "loglevel=2", 9), 0);
	assert_true(lib_strncasecmp("LOGlevel=1", "loglevel=2", 10) < 0);
}

static void test_strchr_strstr(void **state)
{
	const char *s = "a/b/c";

	(void)state;
	assert_ptr_equal(lib_strchr(s, '/'), s + 1);
	assert_ptr_equal(lib_strrchr(s, '/'), s + 3);
	assert_ptr_equal(lib_strchr(s, '\0'), s + 5);
	assert_ptr_equal(lib_strrchr(s, '\0'), s + 5);
	assert_null(lib_strchr(s, 'x'));
	assert_null(lib_strrchr(s, 'x'));

	const char *hv = "hypervisor";
	assert_ptr_equal(lib_strstr(hv, "visor"), hv + 5);
	const char *h = "aaab";
	assert_ptr_equal(lib_strstr(h, "aab"), h + 1);
	assert_ptr_equal(lib_strstr(h, ""), h);
	assert_null(lib_strstr(h, "abc"));
	assert_null(lib_strstr("", "a"));
}

static void test_strlcpy_strlcat(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(lib_strlcpy(buf, "tessera!!", sizeof(buf)), 9);
	assert_string_equal(buf, "tessera");
	assert_int_equal(lib_strlcpy(buf, "ab", sizeof(buf)), 2);
	assert_string_equal(buf, "ab");
	buf[0] = 'x';
	assert_int_equal(lib_strlcpy(buf, "abc", 0), 3);
	assert_int_equal(buf[0], 'x');

	lib_strlcpy(buf, "ab", sizeof(buf));
	assert_int_equal(lib_strlcat(buf, "cd", sizeof(buf)), 4);
	assert_string_equal(buf, "abcd");
	assert_int_equal(lib_strlcat(buf, "efghij", sizeof(buf)), 10);
	assert_string_equal(buf, "abcdefg");
	/* Without a NUL in the buffer nothing is appended. */
	lib_memset(buf, 'z', sizeof(buf));
	assert_int_equal(lib_strlcat(buf, "q", sizeof(buf)), 9);
	assert_int_equal(buf[7], 'z');
}

static void test_copy_and_concatenate(void **state)
{
	char buf[12];

	(void)state;
	assert_ptr_equal(lib_strcpy(buf, "tess"), buf);
	assert_string_equal(buf, "tess");
	assert_ptr_equal(lib_strcat(buf, "era"), buf);
	assert_string_equal(buf, "tessera");
	assert_ptr_equal(lib_strncat(buf, "12345", 2), buf);
	assert_string_equal(buf, "tessera12");
	lib_strncat(buf, "", 5);
	assert_string_equal(buf, "tessera12");

	lib_memset(buf, 'z', sizeof(buf));
	assert_ptr_equal(lib_strncpy(buf, "ab", 6), buf);
	assert_memory_equal(buf, "ab\0\0\0\0zz", 8);
	lib_memset(buf, 'z', sizeof(buf));
	lib_strncpy(buf, "abcdef", 3);
	assert_memory_equal(buf, "abcz", 4);   /* too long: not terminated */

	assert_int_equal(lib_strspn("  \tkey", " \t"), 3);
	assert_int_equal(lib_strspn("abc", ""), 0);
	assert_int_equal(lib_strcspn("key=value", "=:"), 3);
	assert_int_equal(lib_strcspn("key", "=:"), 3);
	const char *kv = "a:b=c";
	assert_ptr_equal(lib_strpbrk(kv, "=:"), kv + 1);
	assert_null(lib_strpbrk(kv, "!"));
}

static int compare_ints(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static void test_qsort_bsearch_abs(void **state)
{
	int values[200];
	uint32_t seed = 7;

	(void)state;
	for (size_t n = 0; n <= 200; n += (n < 10 ? 1 : 37)) {
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1664525u + 1013904223u;
			values[i] = (int)(seed >> 20) - 2048;
		}
		lib_qsort(values, n, sizeof(int), compare_ints);
		for (size_t i = 1; i < n; i++)
			assert_true(values[i - 1] <= values[i]);
		for (size_t i = 0; i < n; i++) {
			int *hit = lib_bsearch(&values[i], values, n, sizeof(int), compare_ints);

			assert_non_null(hit);
			assert_int_equal(*hit, values[i]);
		}
		int missing = 5000;
		assert_null(lib_bsearch(&missing, values, n, sizeof(int), compare_ints));
	}
	/* Elements larger than a word are swapped whole. */
	struct wide { int key; char pad[13]; } w[3] = { { 3, "c" }, { 1, "a" }, { 2, "b" } };
	lib_qsort(w, 3, sizeof(w[0]), compare_ints);
	assert_string_equal(w[0].pad, "a");
	assert_string_equal(w[2].pad, "c");

	assert_int_equal(lib_abs(-5), 5);
	assert_int_equal(lib_abs(5), 5);
	assert_true(lib_labs(-5000000000L) == 5000000000L);
	assert_true(lib_llabs(-7LL) == 7LL);
}

static void test_strtoul_bases(void **state)
{
	char *end;

	(void)state;
	assert_int_equal(lib_strtoul("1234", &end, 10), 1234);
	assert_int_equal(*end, '\0');
	assert_int_equal(lib_strtoul("  0x1F rest", &end, 0), 31);
	assert_string_equal(end, " rest");
	assert_int_equal(lib_strtoul("0X1f", &end, 16), 31);
	assert_int_equal(lib_strtoul("1f", &end, 16), 31);
	assert_int_equal(lib_strtoul("0755", &end, 0), 0755);
	assert_int_equal(lib_strtoul("0755", &end, 10), 755);
	assert_int_equal(lib_strtoul("789", &end, 8), 7);
	assert_string_equal(end, "89");
	assert_int_equal(lib_strtoul("0", &end, 0), 0);
	assert_int_equal(*end, '\0');
	/* "0x" without hex digits: the 0 is the number. */
	assert_int_equal(lib_strtoul("0xg", &end, 0), 0);
	assert_string_equal(end, "xg");
	assert_int_equal(lib_strtoul("0x", &end, 16), 0);
	assert_string_equal(end, "x");
	/* No digits: end is the start. */
	const char *junk = "  -z";
	assert_int_equal(lib_strtoul(junk, &end, 0), 0);
	assert_ptr_equal(end, junk);
	assert_int_equal(lib_strtoul("z", &end, 36), 35);
	assert_int_equal(lib_strtoul("12", &end, 1), 0);
	assert_int_equal(lib_strtoul("12", NULL, 37), 0);
	assert_int_equal(lib_strtoul("101", NULL, 2), 5);
}

static void test_strtoull_limits(void **state)
{
	char *end;

	(void)state;
	assert_true(lib_strtoull("18446744073709551615", &end, 10) == UINT64_MAX);
	assert_int_equal(*end, '\0');
	assert_true(lib_strtoull("18446744073709551616", &end, 10) == UINT64_MAX);
	assert_int_equal(*end, '\0');
	assert_true(lib_strtoull("0xffffffffffffffff", NULL, 0) == UINT64_MAX);
	assert_true(lib_strtoull("0x10000000000000000", NULL, 0) == UINT64_MAX);
	assert_true(lib_strtoull("-1", NULL, 10) == UINT64_MAX);
	assert_true(lib_strtoul("-2", NULL, 10) == (unsigned long)-2);

	assert_true(lib_strtoll("9223372036854775807", NULL, 10) == INT64_MAX);
	assert_true(lib_strtoll("9223372036854775808", NULL, 10) == INT64_MAX);
	assert_true(lib_strtoll("-9223372036854775808", NULL, 10) == INT64_MIN);
	assert_true(lib_strtoll("-9223372036854775809", NULL, 10) == INT64_MIN);
	assert_true(lib_strtoll("-42", &end, 0) == -42);
	assert_true(lib_strtol("+0x10", NULL, 0) == 16);
	assert_true(lib_strtol("-010", NULL, 0) == -8);
	assert_true(lib_strtol("\t\n 77", NULL, 10) == 77);
}

static void test_ctype(void **state)
{
	(void)state;
	for (int c = -1; c < 256; c++) {
		bool digit = c >= '0' && c <= '9';
		bool lower = c >= 'a' && c <= 'z';
		bool upper = c >= 'A' && c <= 'Z';

		assert_int_equal(!!lib_isdigit(c), digit);
		assert_int_equal(!!lib_isalpha(c), lower || upper);
		assert_int_equal(!!lib_isalnum(c), lower || upper || digit);
		assert_int_equal(lib_tolower(c), upper ? c + 32 : c);
		assert_int_equal(lib_toupper(c), lower ? c - 32 : c);
		assert_int_equal(!!lib_isprint(c), c >= 32 && c < 127);
	}
	assert_true(lib_isxdigit('f') && lib_isxdigit('F') && !lib_isxdigit('g'));
	assert_true(lib_isspace(' ') && lib_isspace('\t') && lib_isspace('\v') && !lib_isspace('x'));
	assert_true(lib_ispunct('!') && !lib_ispunct('a') && !lib_ispunct(' '));
	assert_true(lib_iscntrl(0x7f) && lib_iscntrl('\n') && !lib_iscntrl('a'));
	assert_true(lib_isblank('\t') && !lib_isblank('\n'));
	assert_true(lib_isgraph('~') && !lib_isgraph(' '));
	assert_true(lib_islower('q') && lib_isupper('Q'));
}

static void test_errno_values_match_linux(void **state)
{
	(void)state;
	assert_int_equal(EPERM, 1);
	assert_int_equal(ENOENT, 2);
	assert_int_equal(EIO, 5);
	assert_int_equal(ENOMEM, 12);
	assert_int_equal(EBUSY, 16);
	assert_int_equal(EEXIST, 17);
	assert_int_equal(ENODEV, 19);
	assert_int_equal(EINVAL, 22);
	assert_int_equal(ENOSPC, 28);
	assert_int_equal(ERANGE, 34);
	assert_int_equal(ENOSYS, 38);
	assert_int_equal(EOVERFLOW, 75);
	assert_int_equal(EOPNOTSUPP, 95);
	assert_int_equal(ETIMEDOUT, 110);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy_all_alignments),
		cmocka_unit_test(test_memmove_overlap),
		cmocka_unit_test(test_memset_edges),
		cmocka_unit_test(test_memcmp_memchr),
		cmocka_unit_test(test_strlen_strcmp),
		cmocka_unit_test(test_strchr_strstr),
		cmocka_unit_test(test_strlcpy_strlcat),
		cmocka_unit_test(test_copy_and_concatenate),
		cmocka_unit_test(test_qsort_bsearch_abs),
		cmocka_unit_test(test_strtoul_bases),
		cmocka_unit_test(test_strtoull_limits),
		cmocka_unit_test(test_ctype),
		cmocka_unit_test(test_errno_values_match_linux),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
