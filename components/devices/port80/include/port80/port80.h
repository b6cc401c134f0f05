/* SPDX-License-Identifier: MIT */
/*
 * POST diagnostic port 0x80.  Firmware writes progress codes to it and
 * Linux writes to it as an I/O delay (outb_p); nothing listens.  Writes
 * are kept (the last one is handy when a guest hangs early) and reads
 * return 0xFF, as QEMU's PC does.  Accesses wider than a byte are split
 * by the bus, so only the low byte lands here.
 */
#ifndef PORT80_PORT80_H
#define PORT80_PORT80_H

#include <stdint.h>

struct bus;

#define PORT80_PORT 0x80

struct port80;

/* NULL if out of memory or the port is taken (reported). */
struct port80 *port80_create(struct bus *bus);
void port80_destroy(struct port80 *dev);

/* The last byte the guest wrote (0 before any write). */
uint8_t port80_last_code(const struct port80 *dev);
/* How many writes the port has seen. */
uint64_t port80_write_count(const struct port80 *dev);

#endif
