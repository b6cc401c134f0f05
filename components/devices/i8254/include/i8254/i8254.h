/* SPDX-License-Identifier: MIT */
/*
 * The PC's 8254 programmable interval timer and port 0x61 ("port B").
 *
 *   ports 0x40-0x42  counters 0-2     port 0x43  control word (write only)
 *   port 0x61        bit 0 channel-2 gate, bit 1 speaker data,
 *                    bits 2-3 kept, bit 4 refresh toggle (read only),
 *                    bit 5 channel-2 OUT (read only)
 *
 * The counters run at 1.193182 MHz derived from a struct vclock; nothing
 * ticks in the background.  A counter's value and its OUT pin are
 * computed from the clock when asked.  Channel 0's OUT drives pit->irq
 * (IRQ 0): one vtimer is armed at the next rising edge of OUT, so a
 * periodic mode 2 or 3 gives one edge per programmed period and a
 * one-shot gives one edge at its terminal count.  When the VM runs late,
 * missed periods are merged into one edge.  IRQ 0 is edge-triggered, so
 * the line is exact at every rise and on every reprogramming; between
 * rises it may stay high where OUT has briefly fallen (mode 2's one-clock
 * pulse, mode 3's low half), which saves a timer event per period.
 *
 * Channels 0 and 1 have their gates tied high; channel 2's gate is
 * port 0x61 bit 0.
 */
#ifndef I8254_I8254_H
#define I8254_I8254_H

#include <stdbool.h>
#include <stdint.h>
#include <bus/bus.h>
#include <bus/irq.h>
#include <bus/vclock.h>

#define I8254_PORT 0x40          /* 0x40-0x43                          */
#define I8254_PORT_B 0x61
#define I8254_HZ 1193182u        /* input clock of every counter       */
#define I8254_CHANNELS 3

/* Read/write access selected by control word bits 5:4. */
enum i8254_access {
	I8254_ACCESS_LATCH = 0,  /* the counter latch command           */
	I8254_ACCESS_LSB = 1,
	I8254_ACCESS_MSB = 2,
	I8254_ACCESS_LSB_MSB = 3,
};

struct i8254_channel {
	uint8_t control;         /* control word bits 5:0 (status byte)  */
	uint8_t mode;            /* 0-5 (6 and 7 are 2 and 3)            */
	enum i8254_access access;
	bool bcd;                /* counts in four decimal digits        */
	bool gate;
	/* Counts are numbers 1..0x10000 (binary) or 1..10000 (BCD). */
	uint32_t count_register; /* last complete count written          */
	uint32_t count;          /* count the counter is working with    */
	bool loaded;             /* count_register holds a count         */
	bool counting;           /* the counter runs from count          */
	bool null_count;         /* count_register not yet in the counter */
	uint64_t run_start;      /* clock tick at which the run (re)began */
	uint64_t elapsed_base;   /* ticks counted before run_start (the
				    gate paused modes 0 and 4)           */
	uint32_t held;           /* counter value while not counting     */
	bool reload_pending;     /* modes 2/3: new count at period end   */
	uint64_t reload_tick;
	/* Byte sequencing of the 16-bit counter through an 8-bit port. */
	bool write_msb_next;
	uint8_t write_lsb;
	bool read_msb_next;
	bool count_latched;      /* counter latch / read-back latched it */
	bool latch_msb_next;
	uint16_t latched_count;
	bool status_latched;
	uint8_t latched_status;
};

struct i8254 {
	struct i8254_channel ch[I8254_CHANNELS];
	struct vclock *clock;
	struct vtimer irq_timer;     /* next rising edge of channel 0 OUT */
	struct irq_line irq;         /* channel 0 OUT: IRQ 0              */
	uint8_t port_b;              /* port 0x61 bits 3:0 as written     */
	struct bus *bus;
};

/*
 * Initializes pit in place (every counter stopped in mode 3, OUT high,
 * port B zero) on clock, and registers ports 0x40-0x43 and 0x61 on bus
 * if bus is not NULL.  0 or the bus_register error.
 */
int i8254_init(struct i8254 *pit, struct bus *bus, struct vclock *clock);
/* Allocated and initialized; NULL on failure (reported). */
struct i8254 *i8254_create(struct bus *bus, struct vclock *clock);
/* Cancels the timer, unregisters the ports, frees a pit from i8254_create(). */
void i8254_destroy(struct i8254 *pit);
/* Power-on state again; pit->irq follows channel 0's OUT. */
void i8254_reset(struct i8254 *pit);

/* Gate input of a counter (channel 2's also follows port 0x61 bit 0). */
void i8254_set_gate(struct i8254 *pit, unsigned channel, bool level);
/* Level of a counter's OUT pin now. */
bool i8254_out(struct i8254 *pit, unsigned channel);

/* Conversions between VM nanoseconds and ticks of the 1.193182 MHz clock. */
uint64_t i8254_ns_to_ticks(uint64_t ns);
/* The first nanosecond at which the tick count reaches ticks. */
uint64_t i8254_ticks_to_ns(uint64_t ticks);

#endif
