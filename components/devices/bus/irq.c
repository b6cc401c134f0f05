/* SPDX-License-Identifier: MIT */
/*
 * Interrupt lines.  The line remembers its level so that a sink connected
 * later, or a device raising an already raised line, does not produce
 * spurious edges: the sink only hears about changes (and pulses).
 */
#include <stddef.h>

#include <bus/irq.h>

void irq_line_init(struct irq_line *line, const char *name)
{
	line->name = name;
	line->sink_fn = NULL;
	line->sink = NULL;
	line->pin = 0;
	line->level = false;
	line->raised = 0;
}

void irq_line_connect(struct irq_line *line, irq_sink_fn fn, void *sink, unsigned pin)
{
	line->sink_fn = fn;
	line->sink = sink;
	line->pin = pin;
}

void irq_line_set(struct irq_line *line, bool level)
{
	if (line->level == level)
		return;
	line->level = level;
	if (level)
		line->raised++;
	if (line->sink_fn)
		line->sink_fn(line->sink, line->pin, level);
}

/*
 * Always delivers a full high-then-low pair, even if the line was
 * already high, so an edge-triggered input sees a fresh edge; the line
 * ends low.
 */
void irq_line_pulse(struct irq_line *line)
{
	line->raised++;
	line->level = true;
	if (line->sink_fn)
		line->sink_fn(line->sink, line->pin, true);
	line->level = false;
	if (line->sink_fn)
		line->sink_fn(line->sink, line->pin, false);
}
