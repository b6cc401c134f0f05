/* SPDX-License-Identifier: MIT */
/*
 * The doorbell: a 4 KiB register window the guest rings.
 *
 *   0x00 RING    write: count a ring, raise the interrupt
 *   0x04 COUNT   read:  the rings so far
 *   0x08 ACK     write: lower the interrupt
 *   0x0C STATUS  read:  bit 0 = the interrupt is raised
 *
 * The interrupt is a level: it stays raised until the guest acknowledges
 * it, the way most real devices behave.
 */
#ifndef DOORBELL_DOORBELL_H
#define DOORBELL_DOORBELL_H

#include <stdbool.h>
#include <stdint.h>

#include <bus/irq.h>

struct bus;

#define DOORBELL_SIZE   0x1000
#define DOORBELL_RING   0x00
#define DOORBELL_COUNT  0x04
#define DOORBELL_ACK    0x08
#define DOORBELL_STATUS 0x0c

struct doorbell {
	struct bus *bus;
	uint64_t base;
	struct irq_line irq;     /* the board connects it */
	uint32_t rings;
	uint32_t refused;        /* accesses the guest got wrong */
};

/* Registers the window at base on bus.  0, or the bus's error (the
 * range is taken; the bus names the other device). */
int doorbell_init(struct doorbell *db, struct bus *bus, const char *name, uint64_t base);
void doorbell_reset(struct doorbell *db);
void doorbell_exit(struct doorbell *db);

#endif
