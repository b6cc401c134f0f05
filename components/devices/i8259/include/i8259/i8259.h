/* SPDX-License-Identifier: MIT */
/*
 * The PC's two cascaded 8259A interrupt controllers as one device.
 *
 *   device irq_line --> i8259_input_sink(pic, pin 0..15)
 *   pins 0-7: master (0x20/0x21), pins 8-15: slave (0xA0/0xA1)
 *   slave INT --> master IR2 (wired inside the model)
 *   master INT --> pic->intr (an irq_line the machine connects to the
 *                  CPU's ExtINT path, e.g. LAPIC LINT0)
 *
 * The CPU side asks i8259_has_interrupt() and runs the INTA cycle with
 * i8259_acknowledge(), which returns the vector (following the cascade
 * to the slave) and updates IRR/ISR.
 *
 * Inputs are edge-triggered (a rising edge latches IRR until INTA) unless
 * selected as level-triggered, by ICW1.LTIM for a whole chip or per pin
 * through the ELCR.  The ELCR registers (ports 0x4D0/0x4D1) belong to the
 * chipset model, which feeds their value in with i8259_set_elcr().
 */
#ifndef I8259_I8259_H
#define I8259_I8259_H

#include <stdbool.h>
#include <stdint.h>
#include <bus/bus.h>
#include <bus/irq.h>

#define I8259_MASTER_PORT 0x20
#define I8259_SLAVE_PORT 0xA0
#define I8259_CASCADE_PIN 2      /* master input the slave drives     */
#define I8259_INPUTS 16

/* Initialization step a chip is waiting for. */
enum i8259_init_step {
	I8259_READY = 0,         /* initialized: data port is OCW1     */
	I8259_WAIT_ICW2,
	I8259_WAIT_ICW3,
	I8259_WAIT_ICW4,
};

struct i8259_chip {
	uint8_t irr;             /* requests (edge latches, level copies) */
	uint8_t isr;             /* in service                           */
	uint8_t imr;             /* masked inputs (OCW1)                 */
	uint8_t pin_level;       /* current level of every input         */
	uint8_t elcr;            /* level-triggered inputs (from ELCR)   */
	uint8_t vector_base;     /* ICW2 & 0xF8                          */
	uint8_t icw3;            /* slave mask (master) / id (slave)     */
	uint8_t lowest_priority; /* input with the lowest priority (7 after
				    init; moved by rotation commands)    */
	enum i8259_init_step init_step;
	bool icw4_needed;        /* ICW1.IC4                             */
	bool single;             /* ICW1.SNGL: no ICW3                   */
	bool level_all;          /* ICW1.LTIM: every input level-triggered */
	bool mode_8086;          /* ICW4.uPM                             */
	bool auto_eoi;           /* ICW4.AEOI                            */
	bool special_fully_nested; /* ICW4.SFNM                          */
	bool rotate_on_auto_eoi; /* OCW2 R=1 SL=0 EOI=0                  */
	bool special_mask;       /* OCW3 SMM                             */
	bool read_isr;           /* OCW3 RR/RIS: command port reads ISR  */
	bool poll;               /* OCW3 P: next read is the poll byte   */
};

struct i8259 {
	struct i8259_chip chip[2];   /* [0] master, [1] slave             */
	struct irq_line intr;        /* INT output of the master          */
	struct bus *bus;             /* where the ports are registered    */
	unsigned long spurious;      /* INTAs answered with IR7           */
	unsigned warnings;           /* guest misuse reports so far       */
};

/*
 * Initializes pic in place in its power-on state (both chips ready,
 * vector base 0, nothing masked; firmware programs them with ICW1-ICW4)
 * and registers its four ports on bus if bus is not NULL.  0 or the
 * bus_register error.
 */
int i8259_init(struct i8259 *pic, struct bus *bus);
/* Allocated and initialized; NULL on failure (reported). */
struct i8259 *i8259_create(struct bus *bus);
/* Unregisters the ports and frees a pic from i8259_create(). */
void i8259_destroy(struct i8259 *pic);
/* Chip reset (as at power-on); input levels and the ELCR are kept. */
void i8259_reset(struct i8259 *pic);

/*
 * irq_sink_fn for struct irq_line: sink is the struct i8259, pin the ISA
 * IRQ 0-15.  Pin 2 is the cascade and out-of-range pins are refused
 * (reported).  Example: irq_line_connect(&uart->irq, i8259_input_sink, pic, 4).
 */
void i8259_input_sink(void *pic, unsigned pin, bool level);
/* Same, called directly. */
void i8259_set_input(struct i8259 *pic, unsigned pin, bool level);

/*
 * Level-triggered inputs: bit n selects IRQ n (ELCR1 = bits 7:0,
 * ELCR2 = bits 15:8).  Bit 2 is ignored: the cascade is wired inside.
 */
void i8259_set_elcr(struct i8259 *pic, uint16_t mask);

/* True while the master asserts INT (same as pic->intr.level). */
bool i8259_has_interrupt(const struct i8259 *pic);
/*
 * The INTA cycle: returns the vector of the highest-priority request,
 * sets ISR (unless auto-EOI), clears edge requests from IRR and follows
 * the cascade to the slave.  With no request left it returns the chip's
 * IR7 vector (spurious IRQ 7 or 15) and sets nothing in that chip's ISR.
 */
uint8_t i8259_acknowledge(struct i8259 *pic);

#endif
