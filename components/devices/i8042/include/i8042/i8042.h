/* SPDX-License-Identifier: MIT */
/*
 * The PC's 8042 keyboard controller at ports 0x60 (data) and 0x64
 * (status on read, command on write), as far as firmware, boot loaders
 * and reset paths use it.
 *
 *   0x64 write  controller command: 0x20 read / 0x60 write the command
 *               byte, 0xAA self-test (answers 0x55), 0xAB keyboard
 *               interface test (0x00), 0xAD/0xAE keyboard off/on,
 *               0xA7/0xA8 aux off/on, 0xD0/0xD1 read/write the output
 *               port (bit 0: reset line, 0 resets; bit 1: A20 gate),
 *               0xDD/0xDF A20 off/on, 0xF0-0xFF pulse the output lines
 *               whose bit is 0 (0xFE pulses bit 0: system reset)
 *   0x64 read   status: OBF (bit 0), IBF (bit 1, always 0: commands
 *               complete at once), SYS (bit 2), CMD (bit 3: the last
 *               write went to 0x64), unlocked (bit 4)
 *   0x60 read   the next byte of the output buffer
 *   0x60 write  an argument of the last controller command, or a byte
 *               for the keyboard, which answers like an idle AT keyboard
 *               (0xFF reset: ACK + 0xAA; 0xF2 identify: ACK 0xAB 0x83;
 *               everything else: ACK)
 *
 * Bytes from the keyboard raise IRQ 1 while the command byte enables it.
 * There is no mouse: aux commands (0xD4) are answered with nothing.
 */
#ifndef I8042_I8042_H
#define I8042_I8042_H

#include <stdbool.h>
#include <stdint.h>
#include <bus/irq.h>
#include <core/log.h>

struct bus;

#define I8042_DATA_PORT    0x60
#define I8042_COMMAND_PORT 0x64
#define I8042_ISA_IRQ      1

/* Status register (port 0x64 read). */
#define I8042_STATUS_OBF      0x01
#define I8042_STATUS_IBF      0x02
#define I8042_STATUS_SYS      0x04
#define I8042_STATUS_CMD      0x08
#define I8042_STATUS_UNLOCKED 0x10

/* Command byte. */
#define I8042_CTR_KBD_INT     0x01
#define I8042_CTR_AUX_INT     0x02
#define I8042_CTR_SYS         0x04
#define I8042_CTR_KBD_DISABLE 0x10
#define I8042_CTR_AUX_DISABLE 0x20
#define I8042_CTR_XLATE       0x40

/* Output port (0xD0/0xD1). */
#define I8042_OUT_RESET_HIGH  0x01   /* 0 holds the CPU in reset */
#define I8042_OUT_A20         0x02

#define I8042_CMD_PULSE_RESET 0xFE

#define I8042_QUEUE_SIZE 16

struct i8042_callbacks {
	/* The guest pulsed the reset line.  May be NULL (logged only). */
	void (*reset)(void *ctx);
	/* The A20 gate of the output port changed.  May be NULL. */
	void (*a20_changed)(void *ctx, bool enabled);
	void *ctx;
};

struct i8042 {
	struct bus *bus;
	struct i8042_callbacks cb;
	struct irq_line irq;            /* IRQ 1                              */
	uint8_t status;
	uint8_t command_byte;
	uint8_t output_port;
	uint8_t pending_command;        /* waiting for its argument on 0x60, 0 = none */
	uint8_t keyboard_command;       /* keyboard command waiting for its argument */
	uint8_t queue[I8042_QUEUE_SIZE];
	bool from_keyboard[I8042_QUEUE_SIZE];
	unsigned head, count;
	uint64_t resets_requested;
	unsigned warnings;
	struct log_limit reset_reports; /* the guest may pulse the reset at will */
};

/* Power-on state; registers ports 0x60 and 0x64.  NULL on failure (reported). */
struct i8042 *i8042_create(struct bus *bus, const struct i8042_callbacks *callbacks);
void i8042_destroy(struct i8042 *kbc);
/* The controller's part of a VM reset: power-on state, the A20 gate kept. */
void i8042_reset(struct i8042 *kbc);
/* The interrupt output (ISA IRQ 1). */
struct irq_line *i8042_irq(struct i8042 *kbc);
bool i8042_a20_enabled(const struct i8042 *kbc);

#endif
