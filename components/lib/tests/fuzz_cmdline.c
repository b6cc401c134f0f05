/* SPDX-License-Identifier: MIT */
/*
 * The command-line tokenizer on arbitrary text: every token must lie
 * inside the line, and the iteration must end.
 */
#include <lib/cmdline.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check(int ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	struct cmdline_iter it;
	struct cmdline_token tok;
	size_t len, tokens = 0;
	char copy[16];

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	len = strlen(line);

	cmdline_iter_init(&it, line);
	while (cmdline_next(&it, &tok)) {
		check(tok.key >= line && tok.key + tok.key_len <= line + len);
		check(tok.has_value == (tok.value != NULL));
		if (tok.has_value) {
			check(tok.value >= tok.key + tok.key_len && tok.value + tok.value_len <= line + len);
			check(memchr(tok.value, '"', tok.value_len) == NULL || tok.value[-1] != '"');
			check(cmdline_copy(copy, sizeof(copy), tok.value, tok.value_len) == tok.value_len);
		}
		check(memchr(tok.key, ' ', tok.key_len) == NULL);
		/* Each token consumes at least one character. */
		check(++tokens <= len);
	}
	free(line);
	return 0;
}
