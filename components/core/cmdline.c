/* SPDX-License-Identifier: MIT */
/*
 * Applying the image command line: every option found is matched against
 * the CMDLINE_OPTION table that the components contribute through the
 * linker.  An unknown option is reported once, even when it repeats.
 */
#include <core/cmdline.h>

#include <core/log.h>
#include <errno.h>
#include <lib/cmdline.h>
#include <string.h>

#define CMDLINE_VALUE_MAX 256

static const struct cmdline_option *cmdline_lookup(const struct cmdline_token *tok)
{
	for (const struct cmdline_option *o = __cmdline_options_start;
	     o < __cmdline_options_end; o++) {
		if (cmdline_key_is(tok, o->name))
			return o;
	}
	return NULL;
}

/* Whether the same key appeared before tok in the line. */
static bool cmdline_seen_before(const char *cmdline, const struct cmdline_token *tok)
{
	struct cmdline_iter it;
	struct cmdline_token prev;

	cmdline_iter_init(&it, cmdline);
	while (cmdline_next(&it, &prev) && prev.key < tok->key) {
		if (prev.key_len == tok->key_len &&
		    memcmp(prev.key, tok->key, tok->key_len) == 0)
			return true;
	}
	return false;
}

void cmdline_apply(const char *cmdline)
{
	struct cmdline_iter it;
	struct cmdline_token tok;

	if (!cmdline || !*cmdline)
		return;
	log_info("cmdline: %s", cmdline);

	cmdline_iter_init(&it, cmdline);
	while (cmdline_next(&it, &tok)) {
		const struct cmdline_option *o = cmdline_lookup(&tok);
		char value[CMDLINE_VALUE_MAX];
		int rc;

		if (!o) {
			if (!cmdline_seen_before(cmdline, &tok))
				log_warn("cmdline: unknown option \"%.*s\"", (int)tok.key_len,
					 tok.key);
			continue;
		}
		if (tok.has_value &&
		    cmdline_copy(value, sizeof(value), tok.value, tok.value_len) >= sizeof(value)) {
			log_warn("cmdline: value of \"%s\" is too long (%zu bytes), ignored",
				 o->name, tok.value_len);
			continue;
		}
		rc = o->handler(tok.has_value ? value : NULL);
		if (rc < 0) {
			if (tok.has_value)
				log_warn("cmdline: %s=%s rejected (%d); expected %s", o->name, value,
					 rc, o->help);
			else
				log_warn("cmdline: %s rejected (%d); expected %s", o->name, rc,
					 o->help);
		}
	}
}

static int cmdline_set_loglevel(const char *value)
{
	int level = log_level_parse(value);

	if (level < 0)
		return -EINVAL;
	log_set_level((enum log_level)level);
	return 0;
}
CMDLINE_OPTION("loglevel", cmdline_set_loglevel, "error|warn|info|debug|trace");
