/* SPDX-License-Identifier: MIT */
/*
 * The debug console port, QEMU's isa-debugcon (hw/char/debugcon.c): one
 * I/O port, 0x402 on the PC, that firmware writes its debug log to.
 * A read returns 0xE9, the value SeaBIOS and OVMF look for before they
 * use it (SeaBIOS src/hw/serialio.c qemu_debug_preinit; EDK2
 * OvmfPkg/Library/PlatformDebugLibIoPort/DebugIoPortQemu.c).
 *
 * The bytes are collected into lines (a line ends at LF or after
 * DEBUGCON_LINE_MAX bytes; CR and other control bytes are dropped) and
 * each line is logged as "<prefix>: <line>" at the instance's level, so
 * a firmware's log costs nothing unless the hypervisor's log level shows
 * it.  Firmware writes it a byte at a time.
 */
#ifndef DEBUGCON_DEBUGCON_H
#define DEBUGCON_DEBUGCON_H

#include <stdint.h>

#include <core/log.h>

struct bus;
struct debugcon;

#define DEBUGCON_PORT      0x402
#define DEBUGCON_READBACK  0xE9
#define DEBUGCON_LINE_MAX  160

/* NULL if out of memory or the port is taken (reported).  prefix names
 * the lines ("VM linux: debugcon"); it is copied. */
struct debugcon *debugcon_create(struct bus *bus, uint16_t port, const char *prefix,
				 enum log_level level);
void debugcon_destroy(struct debugcon *dev);
/* Logs a partial line that is waiting (at reset and destroy). */
void debugcon_flush(struct debugcon *dev);
/* Bytes the guest wrote, and lines logged. */
uint64_t debugcon_bytes(const struct debugcon *dev);
uint64_t debugcon_lines(const struct debugcon *dev);

#endif
