/* SPDX-License-Identifier: MIT */
/* Number parsing for the freestanding image (base 0, 2..36). */
#ifndef TESSERA_LIBC_STDLIB_H
#define TESSERA_LIBC_STDLIB_H

#include <stddef.h>

unsigned long strtoul(const char *restrict s, char **restrict end, int base);
unsigned long long strtoull(const char *restrict s, char **restrict end, int base);
long strtol(const char *restrict s, char **restrict end, int base);
long long strtoll(const char *restrict s, char **restrict end, int base);

#endif
