/* SPDX-License-Identifier: MIT */
/*
 * Each line is formatted completely on the stack and handed to the
 * console in one console_write() call, which is what keeps lines from
 * different CPUs from interleaving.
 */
#include <core/log.h>

#include <core/console.h>
#include <core/percpu.h>
#include <stdio.h>
#include <string.h>

#ifdef CONFIG_LOG_LEVEL_DEFAULT
#define LOG_LEVEL_INITIAL CONFIG_LOG_LEVEL_DEFAULT
#else
#define LOG_LEVEL_INITIAL LOG_INFO
#endif

/* Longer lines are cut and end in "...". */
#define LOG_LINE_MAX 512

static int log_level = LOG_LEVEL_INITIAL;

static const char *const log_level_names[] = {
	[LOG_ERROR] = "error",
	[LOG_WARN] = "warn",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
	[LOG_TRACE] = "trace",
};

void log_set_level(enum log_level level)
{
	if ((int)level < LOG_ERROR)
		level = LOG_ERROR;
	if (level > LOG_TRACE)
		level = LOG_TRACE;
	__atomic_store_n(&log_level, (int)level, __ATOMIC_RELAXED);
}

enum log_level log_get_level(void)
{
	return (enum log_level)__atomic_load_n(&log_level, __ATOMIC_RELAXED);
}

bool log_enabled(enum log_level level)
{
	return (int)level <= __atomic_load_n(&log_level, __ATOMIC_RELAXED);
}

int log_level_parse(const char *name)
{
	if (!name)
		return -1;
	if (name[0] >= '0' && name[0] <= '4' && name[1] == '\0')
		return name[0] - '0';
	for (int i = LOG_ERROR; i <= LOG_TRACE; i++) {
		if (strcmp(name, log_level_names[i]) == 0)
			return i;
	}
	if (strcmp(name, "warning") == 0)
		return LOG_WARN;
	return -1;
}

static const char *log_level_tag(enum log_level level)
{
	switch (level) {
	case LOG_ERROR: return "error: ";
	case LOG_WARN:  return "warning: ";
	default:        return "";
	}
}

void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	const struct percpu *cpu;
	size_t len;
	int n;

	if (!log_enabled(level))
		return;

	cpu = this_cpu();
	n = snprintf(line, sizeof(line), "[cpu%u] %s", cpu ? cpu->id : 0u,
		     log_level_tag(level));
	len = (size_t)n;
	n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(line) - len) {
		/* Cut: keep room for "...\n" and the NUL. */
		len = sizeof(line) - 5;
		memcpy(line + len, "...", 3);
		len += 3;
	} else {
		len += (size_t)n;
	}
	if (len == 0 || line[len - 1] != '\n')
		line[len++] = '\n';
	console_write(line, len);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}

bool log_limit_pass(struct log_limit *limit)
{
	unsigned long long n = __atomic_add_fetch(&limit->events, 1, __ATOMIC_RELAXED);

	return n <= LOG_LIMIT_BURST || (n & (n - 1)) == 0;
}

void log_limited(struct log_limit *limit, enum log_level level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	unsigned long long n;
	va_list ap;

	if (!log_limit_pass(limit) || !log_enabled(level))
		return;
	n = __atomic_load_n(&limit->events, __ATOMIC_RELAXED);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < LOG_LIMIT_BURST)
		log_printf(level, "%s", line);
	else if (n == LOG_LIMIT_BURST)
		log_printf(level, "%s (from now on only every power of two is shown)", line);
	else
		log_printf(level, "%s (%llu times so far)", line, n);
}

int printk(const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return n;
	console_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}
