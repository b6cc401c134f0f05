/* SPDX-License-Identifier: MIT */
/* Number parsing (base 0, 2..36), abs, sorting and searching for the image. */
#ifndef TESSERA_LIBC_STDLIB_H
#define TESSERA_LIBC_STDLIB_H

#include <stddef.h>

unsigned long strtoul(const char *restrict s, char **restrict end, int base);
unsigned long long strtoull(const char *restrict s, char **restrict end, int base);
long strtol(const char *restrict s, char **restrict end, int base);
long long strtoll(const char *restrict s, char **restrict end, int base);

int abs(int v);
long labs(long v);
long long llabs(long long v);

/* Heapsort: no recursion, no allocation, O(n log n) in the worst case. */
void qsort(void *base, size_t count, size_t size,
	   int (*compare)(const void *, const void *));
void *bsearch(const void *key, const void *base, size_t count, size_t size,
	      int (*compare)(const void *, const void *));

#endif
