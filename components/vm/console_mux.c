/* SPDX-License-Identifier: MIT */
/*
 * The console multiplexer (<vm/console_mux.h>): one ring buffer per VM,
 * the focused VM shown as it writes, the others replayed on a switch.
 */
#include <vm/console_mux.h>

#include <stdio.h>
#include <string.h>

void console_mux_init(struct console_mux *m,
		      void (*sink)(void *ctx, const char *buf, size_t len), void *ctx)
{
	memset(m, 0, sizeof(*m));
	m->sink = sink;
	m->sink_ctx = ctx;
}

int console_mux_add(struct console_mux *m, struct console_mux_source *s, const char *name)
{
	if (m->count == CONSOLE_MUX_MAX_SOURCES)
		return -1;
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name ? name : "");
	m->sources[m->count] = s;
	return (int)m->count++;
}

static void show(struct console_mux *m, const void *buf, size_t len)
{
	if (len && m->sink)
		m->sink(m->sink_ctx, buf, len);
}

/* Appends to the ring; the oldest bytes are overwritten when it is full. */
static void keep(struct console_mux_source *s, const uint8_t *buf, size_t len)
{
	/* Only the newest CONSOLE_MUX_BUFFER bytes can survive anyway. */
	if (len > CONSOLE_MUX_BUFFER) {
		s->produced += len - CONSOLE_MUX_BUFFER;
		buf += len - CONSOLE_MUX_BUFFER;
		len = CONSOLE_MUX_BUFFER;
	}
	while (len) {
		size_t at = (size_t)(s->produced % CONSOLE_MUX_BUFFER);
		size_t n = CONSOLE_MUX_BUFFER - at;

		if (n > len)
			n = len;
		memcpy(&s->ring[at], buf, n);
		s->produced += n;
		buf += n;
		len -= n;
	}
}

void console_mux_show_all(struct console_mux *m, bool on)
{
	m->show_all = on;
}

/* Show-all mode: source index's collected line, after its number. */
static void show_line(struct console_mux *m, unsigned int index)
{
	struct console_mux_source *s = m->sources[index];
	char prefix[16];

	if (!s->line_len)
		return;
	snprintf(prefix, sizeof(prefix), "[%u] ", index);
	show(m, prefix, strlen(prefix));
	show(m, s->line, s->line_len);
	if (s->line[s->line_len - 1] != '\n')
		show(m, "\n", 1);
	s->line_len = 0;
}

void console_mux_write(struct console_mux *m, unsigned int index, const void *buf, size_t len)
{
	struct console_mux_source *s;

	if (index >= m->count || !len)
		return;
	s = m->sources[index];
	keep(s, buf, len);
	if (m->show_all) {
		const char *c = buf;

		for (size_t i = 0; i < len; i++) {
			s->line[s->line_len++] = c[i];
			if (c[i] == '\n' || s->line_len == CONSOLE_MUX_LINE)
				show_line(m, index);
		}
		s->shown = s->produced;
		return;
	}
	if (index == m->focus) {
		show(m, buf, len);
		s->shown = s->produced;
	}
}

uint64_t console_mux_unseen(const struct console_mux *m, unsigned int index)
{
	if (index >= m->count)
		return 0;
	return m->sources[index]->produced - m->sources[index]->shown;
}

/* Shows what source s wrote while hidden: what the ring still holds. */
static void replay(struct console_mux *m, struct console_mux_source *s)
{
	uint64_t unseen = s->produced - s->shown;
	uint64_t from = s->shown;
	char line[96];

	if (unseen > CONSOLE_MUX_BUFFER) {
		snprintf(line, sizeof(line), "[console: %llu older bytes of %s were not kept]\n",
			 (unsigned long long)(unseen - CONSOLE_MUX_BUFFER), s->name);
		show(m, line, strlen(line));
		from = s->produced - CONSOLE_MUX_BUFFER;
	}
	while (from < s->produced) {
		size_t at = (size_t)(from % CONSOLE_MUX_BUFFER);
		size_t n = CONSOLE_MUX_BUFFER - at;

		if (n > s->produced - from)
			n = (size_t)(s->produced - from);
		show(m, &s->ring[at], n);
		from += n;
	}
	s->shown = s->produced;
}

static void give_focus(struct console_mux *m, unsigned int index, const char *why)
{
	struct console_mux_source *s = m->sources[index];
	uint64_t unseen = s->produced - s->shown;
	char line[160];

	m->focus = index;
	snprintf(line, sizeof(line), "\n[console: %sVM %u (%s)%s has the console; %llu byte%s "
		 "it printed meanwhile follow%s]\n", why, index, s->name,
		 s->ended ? ", ended," : "", (unsigned long long)unseen, unseen == 1 ? "" : "s",
		 unseen == 1 ? "s" : "");
	show(m, line, strlen(line));
	replay(m, s);
}

int console_mux_focus(struct console_mux *m, unsigned int index)
{
	if (index >= m->count)
		return -1;
	if (m->show_all) {
		m->focus = index;
		return 0;
	}
	if (index != m->focus)
		give_focus(m, index, "");
	return 0;
}

void console_mux_end(struct console_mux *m, unsigned int index)
{
	struct console_mux_source *focused;

	if (index >= m->count)
		return;
	m->sources[index]->ended = true;
	if (m->show_all)
		show_line(m, index);
	focused = m->sources[m->focus];
	if (!focused->ended)
		return;
	if (m->show_all) {         /* everything is shown: only the keyboard moves */
		for (unsigned int step = 1; step < m->count; step++) {
			unsigned int next = (m->focus + step) % m->count;

			if (!m->sources[next]->ended) {
				m->focus = next;
				return;
			}
		}
		return;
	}
	/*
	 * The source on the screen has ended: the next one still running
	 * gets the screen; with none running, the next one that ended with
	 * output nobody has seen, so that nothing is left unshown.
	 */
	for (unsigned int pass = 0; pass < 2; pass++) {
		for (unsigned int step = 1; step < m->count; step++) {
			unsigned int next = (m->focus + step) % m->count;
			const struct console_mux_source *s = m->sources[next];

			if (pass == 0 ? !s->ended : s->produced != s->shown) {
				give_focus(m, next, "the VM on the console ended; ");
				return;
			}
		}
	}
}
