/* SPDX-License-Identifier: MIT */
/*
 * Byte-at-a-time with a word-sized fast path for the bulk operations:
 * simple enough to trust, fast enough for page copies at boot.
 */
#include "string.h"

#include <stdint.h>

/*
 * GCC recognises the loops below as memset/memcpy idioms and would
 * replace them with calls to themselves.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define LIBC_NO_IDIOM __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define LIBC_NO_IDIOM
#endif

typedef uintptr_t __attribute__((may_alias)) libc_word_t;
#define WORD_SIZE sizeof(libc_word_t)

LIBC_NO_IDIOM void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d | (uintptr_t)s) & (WORD_SIZE - 1)) == 0) {
		/* Four words a round (load pairs, store pairs), then one at a time. */
		for (; n >= 4 * WORD_SIZE; n -= 4 * WORD_SIZE, d += 4 * WORD_SIZE, s += 4 * WORD_SIZE) {
			libc_word_t w0 = ((const libc_word_t *)s)[0], w1 = ((const libc_word_t *)s)[1];
			libc_word_t w2 = ((const libc_word_t *)s)[2], w3 = ((const libc_word_t *)s)[3];

			((libc_word_t *)d)[0] = w0;
			((libc_word_t *)d)[1] = w1;
			((libc_word_t *)d)[2] = w2;
			((libc_word_t *)d)[3] = w3;
		}
		for (; n >= WORD_SIZE; n -= WORD_SIZE, d += WORD_SIZE, s += WORD_SIZE)
			*(libc_word_t *)d = *(const libc_word_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

LIBC_NO_IDIOM void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if ((uintptr_t)d < (uintptr_t)s || (uintptr_t)d >= (uintptr_t)s + n)
		return memcpy(dst, src, n);
	/* Overlap with the destination above the source: copy backwards. */
	d += n;
	s += n;
	while (n--)
		*--d = *--s;
	return dst;
}

LIBC_NO_IDIOM void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char byte = (unsigned char)c;

	for (; n && ((uintptr_t)d & (WORD_SIZE - 1)); n--)
		*d++ = byte;
	if (n >= WORD_SIZE) {
		libc_word_t pattern = (libc_word_t)-1 / 0xff * byte;

		for (; n >= 4 * WORD_SIZE; n -= 4 * WORD_SIZE, d += 4 * WORD_SIZE) {
			((libc_word_t *)d)[0] = pattern;
			((libc_word_t *)d)[1] = pattern;
			((libc_word_t *)d)[2] = pattern;
			((libc_word_t *)d)[3] = pattern;
		}
		for (; n >= WORD_SIZE; n -= WORD_SIZE, d += WORD_SIZE)
			*(libc_word_t *)d = pattern;
	}
	while (n--)
		*d++ = byte;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x < *y ? -1 : 1;
	}
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++) {
		if (*p == (unsigned char)c)
			return (void *)p;
	}
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return (*x > *y) - (*x < *y);
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x < *y ? -1 : 1;
		if (!*x)
			break;
	}
	return 0;
}

static int ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

int strncasecmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; n; n--, x++, y++) {
		int cx = ascii_lower(*x), cy = ascii_lower(*y);

		if (cx != cy)
			return cx < cy ? -1 : 1;
		if (!cx)
			break;
	}
	return 0;
}

int strcasecmp(const char *a, const char *b)
{
	return strncasecmp(a, b, (size_t)-1);
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *found = NULL;

	for (;; s++) {
		if (*s == (char)c)
			found = s;
		if (!*s)
			return (char *)found;
	}
}

char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0)
		return (char *)haystack;
	for (; *haystack; haystack++) {
		if (*haystack == *needle && strncmp(haystack, needle, n) == 0)
			return (char *)haystack;
	}
	return NULL;
}

char *strcpy(char *restrict dst, const char *restrict src)
{
	memcpy(dst, src, strlen(src) + 1);
	return dst;
}

LIBC_NO_IDIOM char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
	size_t len = strnlen(src, n);

	memcpy(dst, src, len);
	memset(dst + len, 0, n - len);
	return dst;
}

char *strcat(char *restrict dst, const char *restrict src)
{
	strcpy(dst + strlen(dst), src);
	return dst;
}

char *strncat(char *restrict dst, const char *restrict src, size_t n)
{
	char *end = dst + strlen(dst);
	size_t len = strnlen(src, n);

	memcpy(end, src, len);
	end[len] = '\0';
	return dst;
}

size_t strspn(const char *s, const char *accept)
{
	size_t n = 0;

	while (s[n] && strchr(accept, s[n]))
		n++;
	return n;
}

size_t strcspn(const char *s, const char *reject)
{
	size_t n = 0;

	while (s[n] && !strchr(reject, s[n]))
		n++;
	return n;
}

char *strpbrk(const char *s, const char *accept)
{
	s += strcspn(s, accept);
	return *s ? (char *)s : NULL;
}

size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t copy = len < size - 1 ? len : size - 1;

		memcpy(dst, src, copy);
		dst[copy] = '\0';
	}
	return len;
}

size_t strlcat(char *restrict dst, const char *restrict src, size_t size)
{
	size_t used = strnlen(dst, size);

	/* No NUL inside dst[0..size): nothing can be appended. */
	if (used == size)
		return size + strlen(src);
	return used + strlcpy(dst + used, src, size - used);
}
