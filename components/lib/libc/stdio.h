/* SPDX-License-Identifier: MIT */
/*
 * Formatted output into buffers; the image has no FILE.  Supported:
 * %d %i %u %x %X %o %p %s %c %%, length modifiers hh h l ll z t j, flags
 * "-0+ #", width and precision (also "*").  The return value is the length
 * the whole output would have had, as in C99.
 */
#ifndef TESSERA_LIBC_STDIO_H
#define TESSERA_LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif
