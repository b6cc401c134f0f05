/* SPDX-License-Identifier: MIT */
/*
 * Where a UART model's bytes go, and where its input comes from.  The
 * hypervisor connects a guest UART to its own console; a host test
 * connects it to a buffer.  Input is pushed into the device with its own
 * receive function (e.g. uart16550_receive()), which says how many bytes
 * fit in its FIFO.
 */
#ifndef BUS_CHARDEV_H
#define BUS_CHARDEV_H

#include <stddef.h>
#include <stdint.h>

struct chardev {
	void (*write)(void *ctx, const uint8_t *buf, size_t len);
	void *ctx;
};

static inline void chardev_write(const struct chardev *c, const uint8_t *buf, size_t len)
{
	if (c && c->write)
		c->write(c->ctx, buf, len);
}

#endif
