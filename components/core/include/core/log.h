/* SPDX-License-Identifier: MIT */
/*
 * Logging.  Every line goes to the registered consoles, prefixed with the
 * CPU that printed it.  The level is set on the image command line
 * (loglevel=error|warn|info|debug|trace) and defaults to info.
 *
 * Device models use these too: they are plain C and, in host tests, the
 * same calls end up in a buffer the test can inspect.
 */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
	LOG_TRACE = 4,
};

void log_printf(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vprintf(enum log_level level, const char *fmt, va_list ap);

#define log_error(...) log_printf(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_printf(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_printf(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)
#define log_trace(...) log_printf(LOG_TRACE, __VA_ARGS__)

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
bool log_enabled(enum log_level level);
/* Parses "error", "warn", "info", "debug", "trace" or a digit; -1 if bad. */
int log_level_parse(const char *name);

/*
 * Messages a guest can cause at will (a register it should not write, a
 * reset, a sleep request) go through a limit, so that no guest floods the
 * console every VM shares: the first LOG_LIMIT_BURST events of one kind
 * are printed, after that only the 16th, 32nd, 64th, ... (each power of
 * two), with how many there were so far.  A guest hammering one register
 * a million times adds about 16 lines.  One struct log_limit per kind of
 * event and per thing the guest owns (a device, a VM), zero-initialised;
 * it may be shared between CPUs.
 */
#define LOG_LIMIT_BURST 10

struct log_limit {
	unsigned long long events;
};

/* Counts the event; prints the message when the limit lets it through. */
void log_limited(struct log_limit *limit, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Counts the event; true when a message for it should be printed now. */
bool log_limit_pass(struct log_limit *limit);

/* Unconditional print without prefix (banners, tables).  Returns chars. */
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
