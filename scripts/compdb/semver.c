/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semver.h"

static bool parse_number(const char **p, unsigned long *out)
{
	const char *s = *p;
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	/* No leading zeros in semantic versions ("01" is not a number). */
	if (s[0] == '0' && isdigit((unsigned char)s[1]))
		return false;
	*out = strtoul(s, &end, 10);
	*p = end;
	return true;
}

bool semver_parse(const char *s, bool strict, struct semver *out)
{
	const char *p = s;

	memset(out, 0, sizeof(*out));
	if (!parse_number(&p, &out->major) || *p != '.')
		return false;
	p++;
	if (!parse_number(&p, &out->minor))
		return false;
	if (*p == '.') {
		p++;
		if (!parse_number(&p, &out->patch))
			return false;
	} else if (strict) {
		return false;
	}
	if (*p == '-') {
		size_t n;

		p++;
		n = strspn(p, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-");
		if (n == 0 || n >= sizeof(out->pre))
			return false;
		memcpy(out->pre, p, n);
		out->pre[n] = '\0';
		p += n;
	}
	return *p == '\0';
}

int semver_compare(const struct semver *a, const struct semver *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	/* A pre-release sorts before the release it precedes. */
	if (!a->pre[0] || !b->pre[0])
		return (a->pre[0] ? -1 : 0) + (b->pre[0] ? 1 : 0);
	int c = strcmp(a->pre, b->pre);
	return (c > 0) - (c < 0);
}

void semver_format(const struct semver *v, char *buf, size_t len)
{
	snprintf(buf, len, "%lu.%lu.%lu%s%s", v->major, v->minor, v->patch,
		 v->pre[0] ? "-" : "", v->pre);
}

static bool parse_op(const char **p, enum semver_op *op)
{
	static const struct {
		const char *text;
		enum semver_op op;
	} ops[] = {
		{ ">=", OP_GE }, { "<=", OP_LE }, { "==", OP_EQ }, { "!=", OP_NE },
		{ ">", OP_GT },  { "<", OP_LT },  { "=", OP_EQ },
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);
		if (strncmp(*p, ops[i].text, n) == 0) {
			*op = ops[i].op;
			*p += n;
			return true;
		}
	}
	return false;
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

bool requirement_parse(const char *s, struct requirement *r, char *err, size_t errlen)
{
	const char *p = skip_space(s);
	size_t n;

	memset(r, 0, sizeof(*r));
	snprintf(r->text, sizeof(r->text), "%s", p);
	n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_-");
	if (n == 0 || n >= sizeof(r->name)) {
		snprintf(err, errlen, "'%s' does not start with a component name", s);
		return false;
	}
	memcpy(r->name, p, n);
	p = skip_space(p + n);
	while (*p) {
		char ver[40];

		if (r->count == MAX_CONSTRAINTS) {
			snprintf(err, errlen, "'%s' has more than %d constraints", s, MAX_CONSTRAINTS);
			return false;
		}
		if (!parse_op(&p, &r->c[r->count].op)) {
			snprintf(err, errlen, "'%s': expected >=, >, <=, <, == or != before '%s'", s, p);
			return false;
		}
		p = skip_space(p);
		n = strcspn(p, ", \t");
		if (n == 0 || n >= sizeof(ver) || (memcpy(ver, p, n), ver[n] = '\0',
		    !semver_parse(ver, false, &r->c[r->count].ver))) {
			snprintf(err, errlen, "'%s': '%.*s' is not a version like 1.2 or 1.2.3", s,
				 (int)(n ? n : strlen(p)), p);
			return false;
		}
		r->count++;
		p = skip_space(p + n);
		if (*p == ',')
			p = skip_space(p + 1);
		else if (*p) {
			snprintf(err, errlen, "'%s': expected ',' before '%s'", s, p);
			return false;
		}
	}
	return true;
}

bool requirement_satisfied(const struct requirement *r, const struct semver *v)
{
	for (int i = 0; i < r->count; i++) {
		int c = semver_compare(v, &r->c[i].ver);
		bool ok;

		switch (r->c[i].op) {
		case OP_EQ: ok = c == 0; break;
		case OP_NE: ok = c != 0; break;
		case OP_LT: ok = c < 0; break;
		case OP_LE: ok = c <= 0; break;
		case OP_GT: ok = c > 0; break;
		default:    ok = c >= 0; break;
		}
		if (!ok)
			return false;
	}
	return true;
}
