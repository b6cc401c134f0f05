/* SPDX-License-Identifier: MIT */
/*
 * The console lock remembers which CPU holds it: a CPU that faults or
 * panics while printing must still be able to print, so a nested
 * console_write() on the owning CPU goes through without the lock.
 */
#include <core/console.h>

#include <core/arch.h>
#include <core/percpu.h>
#include <core/spinlock.h>

#define CONSOLE_NO_OWNER (-1)

static struct console_driver *console_list;
static spinlock_t console_lock = SPINLOCK_INIT;
static int console_owner = CONSOLE_NO_OWNER;

static int current_cpu_id(void)
{
	const struct percpu *cpu = this_cpu();

	return cpu ? (int)cpu->id : 0;
}

void console_register(struct console_driver *drv)
{
	struct console_driver **link;

	spin_lock(&console_lock);
	for (link = &console_list; *link; link = &(*link)->next) {
		if (*link == drv)
			goto out;
	}
	drv->next = NULL;
	*link = drv;
out:
	spin_unlock(&console_lock);
}

static void console_write_all(const char *buf, size_t len)
{
	for (struct console_driver *d = console_list; d; d = d->next)
		d->write(buf, len);
}

/*
 * The byte last written, under console_lock: a guest's UART sends CR and
 * LF in separate writes, so whether a LF is bare depends on the call before.
 */
static char last_byte;

/*
 * A bare "\n" goes out as "\r\n" (the hypervisor's messages end lines with
 * LF only); a "\r\n" the writer sent itself (a guest) stays as it is.
 * Runs without a bare LF go out in one call.
 */
static void console_write_translated(const char *buf, size_t len)
{
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		char prev = i ? buf[i - 1] : last_byte;

		if (buf[i] != '\n' || prev == '\r')
			continue;
		if (i > start)
			console_write_all(buf + start, i - start);
		console_write_all("\r", 1);
		start = i;
	}
	if (len > start)
		console_write_all(buf + start, len - start);
	if (len)
		last_byte = buf[len - 1];
}

void console_write(const char *buf, size_t len)
{
	int self = current_cpu_id();
	bool nested = __atomic_load_n(&console_owner, __ATOMIC_RELAXED) == self;

	if (!nested) {
		spin_lock(&console_lock);
		__atomic_store_n(&console_owner, self, __ATOMIC_RELAXED);
	}
	console_write_translated(buf, len);
	if (!nested) {
		__atomic_store_n(&console_owner, CONSOLE_NO_OWNER, __ATOMIC_RELAXED);
		spin_unlock(&console_lock);
	}
}

int console_getc(void)
{
	for (struct console_driver *d = console_list; d; d = d->next) {
		if (d->getc) {
			int c = d->getc();

			if (c >= 0)
				return c;
		}
	}
	return -1;
}
