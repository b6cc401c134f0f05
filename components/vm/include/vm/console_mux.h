/* SPDX-License-Identifier: MIT */
/*
 * The console multiplexer: several guests, one screen.
 *
 * Each source (a VM) writes into its own ring buffer.  The source that has
 * the focus (the keyboard) is shown as it writes; the others are only
 * buffered.  Giving the focus to another source prints a status line that
 * says whose output follows and replays what that source printed while it
 * was not shown (the newest CONSOLE_MUX_BUFFER bytes of it; older bytes
 * are counted as lost).  When the focused source ends, the focus moves to
 * the next source still running, or else to one whose output was never
 * shown.
 *
 * In the show-all mode (console_mux_show_all()) every source is shown,
 * a whole line at a time, each line after its source's number ("[1] "):
 * for watching several VMs at once.  The focus then only says who gets
 * the keyboard.  A source's unfinished line is shown when it ends or
 * reaches CONSOLE_MUX_LINE bytes.
 *
 * Plain C with no lock and no console of its own: the caller serialises
 * the calls and gives the sink, so host tests drive it directly.
 */
#ifndef VM_CONSOLE_MUX_H
#define VM_CONSOLE_MUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_MUX_MAX_SOURCES 8
#define CONSOLE_MUX_BUFFER      65536       /* bytes kept per hidden source (a Linux boot log) */
#define CONSOLE_MUX_NAME        32
#define CONSOLE_MUX_LINE        256         /* show-all mode: longest line kept whole */

struct console_mux_source {
	char name[CONSOLE_MUX_NAME];
	uint8_t ring[CONSOLE_MUX_BUFFER];
	uint64_t produced;          /* bytes the source wrote, ever            */
	uint64_t shown;             /* of those, bytes already on the screen   */
	bool ended;
	char line[CONSOLE_MUX_LINE];    /* show-all mode: the unfinished line */
	size_t line_len;
};

struct console_mux {
	/* Where shown bytes go (the hypervisor console). */
	void (*sink)(void *ctx, const char *buf, size_t len);
	void *sink_ctx;
	struct console_mux_source *sources[CONSOLE_MUX_MAX_SOURCES];
	unsigned int count;
	unsigned int focus;         /* index of the source on the screen      */
	bool show_all;              /* every source, line by line, numbered    */
};

void console_mux_init(struct console_mux *m,
		      void (*sink)(void *ctx, const char *buf, size_t len), void *ctx);
/*
 * Adds a source (zeroed here) under name; its index, counting from 0, or
 * -1 when CONSOLE_MUX_MAX_SOURCES are there.  The first source has the focus.
 */
int console_mux_add(struct console_mux *m, struct console_mux_source *s, const char *name);
/* Show every source, line by line (true), or only the focused one. */
void console_mux_show_all(struct console_mux *m, bool on);
/* Output of source index: shown when it has the focus (or in show-all mode), else kept. */
void console_mux_write(struct console_mux *m, unsigned int index, const void *buf, size_t len);
/*
 * Gives the focus to source index: a status line, then its unseen output.
 * -1 when there is no such source; 0 also when it already had the focus
 * (then nothing is printed).
 */
int console_mux_focus(struct console_mux *m, unsigned int index);
/*
 * Source index has ended (its output stays replayable).  When the source
 * that has the focus has ended, the next source (in index order,
 * wrapping) that has not ended gets it; with none running, the next one
 * with output never shown; with none of those the focus stays.
 */
void console_mux_end(struct console_mux *m, unsigned int index);
/* Bytes source index wrote that were never shown (kept or lost). */
uint64_t console_mux_unseen(const struct console_mux *m, unsigned int index);

#endif
