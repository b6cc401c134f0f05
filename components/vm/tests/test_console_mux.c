/* SPDX-License-Identifier: MIT */
/*
 * The console multiplexer: the focused VM is shown as it writes, the
 * others are kept and replayed on a switch, the focus moves on when the
 * focused VM ends.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vm/console_mux.h>

static char screen[4 * CONSOLE_MUX_BUFFER];
static size_t screen_len;

static void sink(void *ctx, const char *buf, size_t len)
{
	assert_ptr_equal(ctx, &screen);
	assert_true(screen_len + len < sizeof(screen));
	memcpy(screen + screen_len, buf, len);
	screen_len += len;
	screen[screen_len] = '\0';
}

static struct console_mux mux;
static struct console_mux_source src[CONSOLE_MUX_MAX_SOURCES + 1];

static void clear(void)
{
	screen_len = 0;
	screen[0] = '\0';
}

static int setup(void **state)
{
	(void)state;
	clear();
	console_mux_init(&mux, sink, &screen);
	return 0;
}

static void put(unsigned int index, const char *text)
{
	console_mux_write(&mux, index, text, strlen(text));
}

static void test_only_the_focused_source_is_shown(void **state)
{
	(void)state;
	assert_int_equal(console_mux_add(&mux, &src[0], "alpha"), 0);
	assert_int_equal(console_mux_add(&mux, &src[1], "beta"), 1);
	put(0, "a1 ");
	put(1, "b1 ");
	put(0, "a2 ");
	put(1, "b2 ");
	assert_string_equal(screen, "a1 a2 ");
	assert_int_equal(console_mux_unseen(&mux, 0), 0);
	assert_int_equal(console_mux_unseen(&mux, 1), 6);
}

static void test_switch_replays_what_was_kept(void **state)
{
	(void)state;
	console_mux_add(&mux, &src[0], "alpha");
	console_mux_add(&mux, &src[1], "beta");
	put(0, "a1 ");
	put(1, "b1 b2 ");
	assert_int_equal(console_mux_focus(&mux, 1), 0);
	assert_string_equal(screen, "a1 \n[console: VM 1 (beta) has the console; 6 bytes it "
			    "printed meanwhile follow]\nb1 b2 ");
	/* Now beta is live and alpha is kept. */
	clear();
	put(1, "b3 ");
	put(0, "a2 ");
	assert_string_equal(screen, "b3 ");
	/* Focusing the focused source prints nothing; a bad index is refused. */
	assert_int_equal(console_mux_focus(&mux, 1), 0);
	assert_string_equal(screen, "b3 ");
	assert_int_equal(console_mux_focus(&mux, 2), -1);
	clear();
	console_mux_focus(&mux, 0);
	assert_string_equal(screen, "\n[console: VM 0 (alpha) has the console; 3 bytes it "
			    "printed meanwhile follow]\na2 ");
}

static void test_only_the_newest_bytes_are_kept(void **state)
{
	static char big[CONSOLE_MUX_BUFFER + 100];

	(void)state;
	console_mux_add(&mux, &src[0], "alpha");
	console_mux_add(&mux, &src[1], "beta");
	/* 100 bytes of 'x', then a buffer's worth of a repeating pattern. */
	memset(big, 'x', 100);
	for (size_t i = 100; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	/* In uneven pieces, so the ring wraps in the middle of a write. */
	for (size_t at = 0; at < sizeof(big); at += 777) {
		size_t n = sizeof(big) - at < 777 ? sizeof(big) - at : 777;

		console_mux_write(&mux, 1, big + at, n);
	}
	console_mux_focus(&mux, 1);
	assert_non_null(strstr(screen, "[console: 100 older bytes of beta were not kept]\n"));
	assert_memory_equal(screen + screen_len - CONSOLE_MUX_BUFFER, big + 100,
			    CONSOLE_MUX_BUFFER);
	/* One write larger than the buffer. */
	console_mux_focus(&mux, 0);
	console_mux_write(&mux, 1, big, sizeof(big));
	clear();
	console_mux_focus(&mux, 1);
	assert_memory_equal(screen + screen_len - CONSOLE_MUX_BUFFER, big + 100,
			    CONSOLE_MUX_BUFFER);
	assert_int_equal(console_mux_unseen(&mux, 1), 0);
}

static void test_the_focus_moves_on_when_its_source_ends(void **state)
{
	(void)state;
	console_mux_add(&mux, &src[0], "alpha");
	console_mux_add(&mux, &src[1], "beta");
	console_mux_add(&mux, &src[2], "gamma");
	put(2, "g1");
	console_mux_end(&mux, 1);              /* not focused: nothing happens */
	assert_string_equal(screen, "");
	console_mux_end(&mux, 0);              /* beta ended: gamma gets it */
	assert_string_equal(screen, "\n[console: the VM on the console ended; VM 2 (gamma) has "
			    "the console; 2 bytes it printed meanwhile follow]\ng1");
	clear();
	put(1, "b1");                          /* beta ended but printed: shown next */
	console_mux_end(&mux, 2);
	assert_string_equal(screen, "\n[console: the VM on the console ended; VM 1 (beta), ended, "
			    "has the console; 2 bytes it printed meanwhile follow]\nb1");
	clear();
	console_mux_end(&mux, 1);              /* nothing left to show: the focus stays */
	assert_string_equal(screen, "");
	put(1, "late");
	assert_string_equal(screen, "late");
	/* An ended source can still be looked at. */
	clear();
	console_mux_focus(&mux, 0);
	assert_string_equal(screen, "\n[console: VM 0 (alpha), ended, has the console; 0 bytes it "
			    "printed meanwhile follow]\n");
}

static void test_source_limit(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < CONSOLE_MUX_MAX_SOURCES; i++)
		assert_int_equal(console_mux_add(&mux, &src[i], "vm"), (int)i);
	assert_int_equal(console_mux_add(&mux, &src[CONSOLE_MUX_MAX_SOURCES], "vm"), -1);
	/* Writes to a source that does not exist go nowhere. */
	console_mux_write(&mux, CONSOLE_MUX_MAX_SOURCES, "x", 1);
	assert_int_equal(screen_len, 0);
	assert_int_equal(console_mux_unseen(&mux, 99), 0);
}

static void test_show_all_interleaves_whole_lines(void **state)
{
	char longline[CONSOLE_MUX_LINE + 10];

	(void)state;
	console_mux_show_all(&mux, true);
	console_mux_add(&mux, &src[0], "alpha");
	console_mux_add(&mux, &src[1], "beta");
	put(0, "a1 ");
	put(1, "b1 ");
	put(0, "a2\nnext");
	put(1, "b2\n");
	assert_string_equal(screen, "[0] a1 a2\n[1] b1 b2\n");
	assert_int_equal(console_mux_unseen(&mux, 1), 0);
	/* The unfinished line shows when its source ends; the keyboard moves on. */
	console_mux_end(&mux, 0);
	assert_string_equal(screen, "[0] a1 a2\n[1] b1 b2\n[0] next\n");
	assert_int_equal(mux.focus, 1);
	/* A focus change prints nothing: everything was shown. */
	clear();
	assert_int_equal(console_mux_focus(&mux, 0), 0);
	assert_string_equal(screen, "");
	/* A line longer than CONSOLE_MUX_LINE is cut into pieces, none lost. */
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	put(1, longline);
	put(1, "\n");
	assert_int_equal(screen_len, 2 * 4 + sizeof(longline) - 1 + 2);
	assert_memory_equal(screen, "[1] xxx", 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_only_the_focused_source_is_shown, setup),
		cmocka_unit_test_setup(test_switch_replays_what_was_kept, setup),
		cmocka_unit_test_setup(test_only_the_newest_bytes_are_kept, setup),
		cmocka_unit_test_setup(test_the_focus_moves_on_when_its_source_ends, setup),
		cmocka_unit_test_setup(test_source_limit, setup),
		cmocka_unit_test_setup(test_show_all_interleaves_whole_lines, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
