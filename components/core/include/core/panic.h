/* SPDX-License-Identifier: MIT */
/*
 * panic() is for bugs in the hypervisor itself and for a machine it cannot
 * run on.  Never call it because of something a guest did: report the
 * guest's error and stop that VM instead.
 */
#ifndef CORE_PANIC_H
#define CORE_PANIC_H

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#define BUG_ON(cond)                                                        \
	do {                                                                \
		if (__builtin_expect(!!(cond), 0))                          \
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

#endif
