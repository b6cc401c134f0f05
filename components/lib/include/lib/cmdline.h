/* SPDX-License-Identifier: MIT */
/*
 * Splitting a command line such as
 *
 *     loglevel=debug poweroff vm.name="my guest" console=
 *
 * into options.  Options are separated by white space; an option is a key,
 * optionally followed by '=' and a value; a value may be enclosed in
 * double quotes to hold white space (the quotes are not part of it).  An
 * unterminated quote runs to the end of the line.  Tokens point into the
 * original string, which is never modified.
 *
 *   struct cmdline_iter it;
 *   struct cmdline_token tok;
 *
 *   cmdline_iter_init(&it, line);
 *   while (cmdline_next(&it, &tok))
 *           ...tok.key, tok.key_len, tok.has_value, tok.value, tok.value_len
 */
#ifndef LIB_CMDLINE_H
#define LIB_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

struct cmdline_token {
	const char *key;
	size_t key_len;
	bool has_value;       /* "key=" has an empty value; "key" has none */
	const char *value;    /* NULL when !has_value                        */
	size_t value_len;
};

struct cmdline_iter {
	const char *pos;
};

void cmdline_iter_init(struct cmdline_iter *it, const char *cmdline);
/* Next option, or false at the end of the line. */
bool cmdline_next(struct cmdline_iter *it, struct cmdline_token *tok);

/* Whether the token's key is exactly name. */
bool cmdline_key_is(const struct cmdline_token *tok, const char *name);

/*
 * Copies (a prefix of) a token part into a NUL-terminated buffer.  Returns
 * len; the copy was complete when that is less than size.
 */
size_t cmdline_copy(char *dst, size_t size, const char *src, size_t len);

#endif
