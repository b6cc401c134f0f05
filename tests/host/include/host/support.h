/* SPDX-License-Identifier: MIT */
/*
 * What host unit tests and fuzzers get in place of the hypervisor around a
 * component: allocation on the host heap (kmalloc, page_alloc), a console
 * that records everything written to it, a panic() that a test can catch,
 * a settable clock and a single CPU 0.
 *
 * Set TESSERA_TEST_VERBOSE=1 in the environment to also see the console
 * output on stderr while a test runs.
 */
#ifndef HOST_SUPPORT_H
#define HOST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Everything written to the console since the start or the last clear. */
const char *host_console_text(void);
size_t host_console_length(void);
void host_console_clear(void);
/* Whether the console text contains needle. */
bool host_console_contains(const char *needle);
/* Lines printed since the last clear, and how many of them contain needle. */
unsigned host_console_lines(const char *needle);

/* The value arch_timer_ns() returns from now on. */
void host_set_time_ns(uint64_t ns);

/*
 * Runs fn(arg) and reports whether it called panic().  The panic is caught
 * (no abort) and its message is kept for host_last_panic().  Only the code
 * under test unwinds: locks it held stay held, as on the real machine.
 */
bool host_expect_panic(void (*fn)(void *arg), void *arg);
/* Message of the last panic() caught by host_expect_panic(), or "". */
const char *host_last_panic(void);

/* Pages currently handed out by page_alloc() and not yet freed. */
size_t host_pages_in_use(void);
/*
 * Calls hook(addr, pages) at every page_free() from now on, before the
 * pages go back (NULL: no hook).  Lets a test see when pages are freed
 * relative to other events it records.
 */
void host_set_page_free_hook(void (*hook)(void *addr, size_t pages));

/*
 * Decompiles the flattened device tree blob[0..len) with dtc (Debian
 * device-tree-compiler) into dts[0..size) as text.  0 when dtc accepted
 * it without a word; otherwise -1 with what went wrong (or what dtc said)
 * in dts.
 */
int host_dtc_decompile(const void *blob, size_t len, char *dts, size_t size);

#endif
