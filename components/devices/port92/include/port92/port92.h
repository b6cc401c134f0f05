/* SPDX-License-Identifier: MIT */
/*
 * System control port A (I/O port 0x92).
 *
 *   bit 1  A20 gate: 1 lets address line 20 through.  Kept and reported to
 *          the VM through a callback on every change.
 *   bit 0  fast reset: a write that takes it from 0 to 1 asks the VM for a
 *          reset through a callback.  It reads back as written until
 *          port92_reset() clears it, which the VM calls as part of the
 *          reset, so the next 0-to-1 write resets again.
 *
 * The other bits are stored and read back.
 */
#ifndef PORT92_PORT92_H
#define PORT92_PORT92_H

#include <stdbool.h>
#include <stdint.h>

struct bus;

#define PORT92_PORT       0x92
#define PORT92_FAST_RESET 0x01
#define PORT92_A20        0x02

struct port92_callbacks {
	/* The guest asked for a reset.  May be NULL (the request is logged). */
	void (*reset)(void *ctx);
	/* The A20 gate changed.  May be NULL. */
	void (*a20_changed)(void *ctx, bool enabled);
	void *ctx;
};

struct port92;

/* Starts with all bits 0 (A20 masked).  NULL if out of memory or the port is taken. */
struct port92 *port92_create(struct bus *bus, const struct port92_callbacks *callbacks);
void port92_destroy(struct port92 *dev);

/* Part of the VM reset: clears the fast-reset bit, keeps the A20 gate. */
void port92_reset(struct port92 *dev);

bool port92_a20_enabled(const struct port92 *dev);
uint8_t port92_value(const struct port92 *dev);

#endif
