/* SPDX-License-Identifier: MIT */
#include <lib/cmdline.h>

#include <string.h>

static bool is_separator(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void cmdline_iter_init(struct cmdline_iter *it, const char *cmdline)
{
	it->pos = cmdline ? cmdline : "";
}

bool cmdline_next(struct cmdline_iter *it, struct cmdline_token *tok)
{
	const char *p = it->pos;

	while (is_separator(*p))
		p++;
	if (*p == '\0') {
		it->pos = p;
		return false;
	}

	tok->key = p;
	while (*p && *p != '=' && !is_separator(*p))
		p++;
	tok->key_len = (size_t)(p - tok->key);
	tok->has_value = false;
	tok->value = NULL;
	tok->value_len = 0;

	if (*p == '=') {
		p++;
		tok->has_value = true;
		if (*p == '"') {
			p++;
			tok->value = p;
			while (*p && *p != '"')
				p++;
			tok->value_len = (size_t)(p - tok->value);
			if (*p == '"')
				p++;
			/* Anything glued to the closing quote belongs to no option. */
			while (*p && !is_separator(*p))
				p++;
		} else {
			tok->value = p;
			while (*p && !is_separator(*p))
				p++;
			tok->value_len = (size_t)(p - tok->value);
		}
	}
	it->pos = p;
	return true;
}

bool cmdline_key_is(const struct cmdline_token *tok, const char *name)
{
	return strlen(name) == tok->key_len && memcmp(tok->key, name, tok->key_len) == 0;
}

size_t cmdline_copy(char *dst, size_t size, const char *src, size_t len)
{
	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
