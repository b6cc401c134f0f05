/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's own console: where log lines go and keystrokes come
 * from.  Hardware drivers (16550, PL011) register themselves; output goes
 * to every registered console, input is read from the first that has it.
 */
#ifndef CORE_CONSOLE_H
#define CORE_CONSOLE_H

#include <stddef.h>

struct console_driver {
	const char *name;
	void (*write)(const char *buf, size_t len);  /* must not fail     */
	int (*getc)(void);                            /* -1 when no input  */
	struct console_driver *next;                  /* owned by core      */
};

void console_register(struct console_driver *drv);
/* Writes to every console; serialized across CPUs.  "\n" becomes "\r\n". */
void console_write(const char *buf, size_t len);
int console_getc(void);

#endif
