/* SPDX-License-Identifier: MIT */
/*
 * Interrupt lines as objects.  A device owns the output side of a line and
 * only raises, lowers or pulses it; whoever wires the machine together
 * connects the line to a sink (an interrupt controller model, or a test).
 * Devices never call an interrupt controller directly.
 */
#ifndef BUS_IRQ_H
#define BUS_IRQ_H

#include <stdbool.h>

/* The sink side: called on every level change and for each pulse. */
typedef void (*irq_sink_fn)(void *sink, unsigned pin, bool level);

struct irq_line {
	const char *name;
	irq_sink_fn sink_fn;     /* NULL: not connected, changes are kept only */
	void *sink;
	unsigned pin;            /* input number on the sink               */
	bool level;              /* current level                          */
	unsigned long raised;    /* statistics: rising edges + pulses      */
};

void irq_line_init(struct irq_line *line, const char *name);
void irq_line_connect(struct irq_line *line, irq_sink_fn fn, void *sink, unsigned pin);
void irq_line_set(struct irq_line *line, bool level);
static inline void irq_line_raise(struct irq_line *line) { irq_line_set(line, true); }
static inline void irq_line_lower(struct irq_line *line) { irq_line_set(line, false); }
/* An edge: high then low (for edge-triggered inputs). */
void irq_line_pulse(struct irq_line *line);

#endif
