/* SPDX-License-Identifier: MIT */
/*
 * strtoul and friends with the C semantics: leading white space, an
 * optional sign, base 0 detects "0x"/"0" prefixes, *end points after the
 * last digit used (or at s when there was none), overflow saturates.
 * There is no errno: callers that care compare against the limits.
 * Also abs, qsort and bsearch.
 */
#include "stdlib.h"

#include <stdbool.h>
#include <stdint.h>

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/*
 * Parses the magnitude; *negative tells the sign.  Saturates at limit and
 * reports it in *overflow.
 */
static unsigned long long parse_magnitude(const char *s, char **end, int base,
					  unsigned long long limit, bool *negative,
					  bool *overflow)
{
	const char *p = s;
	unsigned long long value = 0;
	bool any = false;

	*negative = false;
	*overflow = false;
	if (base < 0 || base == 1 || base > 36) {
		if (end)
			*end = (char *)s;
		return 0;
	}
	while (is_space(*p))
		p++;
	if (*p == '+' || *p == '-')
		*negative = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	for (;; p++) {
		int d = digit_value(*p);

		if (d >= base)
			break;
		any = true;
		if (value > (limit - (unsigned long long)d) / (unsigned long long)base)
			*overflow = true;
		else
			value = value * (unsigned long long)base + (unsigned long long)d;
	}
	if (end)
		*end = (char *)(any ? p : s);
	if (*overflow)
		value = limit;
	return value;
}

unsigned long long strtoull(const char *restrict s, char **restrict end, int base)
{
	bool negative, overflow;
	unsigned long long v = parse_magnitude(s, end, base, ~0ULL, &negative, &overflow);

	if (overflow)
		return ~0ULL;
	return negative ? 0ULL - v : v;
}

unsigned long strtoul(const char *restrict s, char **restrict end, int base)
{
	bool negative, overflow;
	unsigned long v = (unsigned long)parse_magnitude(s, end, base, (unsigned long)-1,
							 &negative, &overflow);

	if (overflow)
		return (unsigned long)-1;
	return negative ? 0UL - v : v;
}

long long strtoll(const char *restrict s, char **restrict end, int base)
{
	const unsigned long long max = (unsigned long long)INT64_MAX;
	bool negative, overflow;
	unsigned long long v = parse_magnitude(s, end, base, max + 1, &negative, &overflow);

	if (!negative)
		return v > max ? INT64_MAX : (long long)v;
	if (overflow || v == max + 1)
		return INT64_MIN;
	return -(long long)v;
}

long strtol(const char *restrict s, char **restrict end, int base)
{
	long long v = strtoll(s, end, base);

	/* long is 64 bits on every target the image has; keep it honest anyway. */
	if (sizeof(long) < sizeof(long long)) {
		if (v > (long long)(~0UL >> 1))
			return (long)(~0UL >> 1);
		if (v < -(long long)(~0UL >> 1) - 1)
			return -(long)(~0UL >> 1) - 1;
	}
	return (long)v;
}

int abs(int v)
{
	return v < 0 ? -v : v;
}

long labs(long v)
{
	return v < 0 ? -v : v;
}

long long llabs(long long v)
{
	return v < 0 ? -v : v;
}

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size)
{
	while (size--) {
		unsigned char t = *a;

		*a++ = *b;
		*b++ = t;
	}
}

static void sift_down(unsigned char *base, size_t root, size_t count, size_t size,
		      int (*compare)(const void *, const void *))
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= count)
			return;
		if (child + 1 < count &&
		    compare(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (compare(base + root * size, base + child * size) >= 0)
			return;
		swap_bytes(base + root * size, base + child * size, size);
		root = child;
	}
}

void qsort(void *base, size_t count, size_t size, int (*compare)(const void *, const void *))
{
	unsigned char *b = base;

	if (count < 2 || size == 0)
		return;
	for (size_t i = count / 2; i-- > 0;)
		sift_down(b, i, count, size, compare);
	for (size_t end = count - 1; end > 0; end--) {
		swap_bytes(b, b + end * size, size);
		sift_down(b, 0, end, size, compare);
	}
}

void *bsearch(const void *key, const void *base, size_t count, size_t size,
	      int (*compare)(const void *, const void *))
{
	const unsigned char *b = base;
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = compare(key, b + mid * size);

		if (c == 0)
			return (void *)(b + mid * size);
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
