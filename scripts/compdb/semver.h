/* SPDX-License-Identifier: MIT */
/*
 * Semantic versions ("1.4.2", "0.2" = "0.2.0", "1.0.0-rc1") and
 * constraints ("vcpu >= 0.2, < 1.0") as used in component.yml.
 */
#ifndef COMPDB_SEMVER_H
#define COMPDB_SEMVER_H

#include <stdbool.h>
#include <stddef.h>

struct semver {
	unsigned long major, minor, patch;
	char pre[32];           /* pre-release tag without '-', "" if none */
};

enum semver_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

#define MAX_CONSTRAINTS 4

struct requirement {
	char name[64];
	struct {
		enum semver_op op;
		struct semver ver;
	} c[MAX_CONSTRAINTS];
	int count;
	char text[160];          /* as written, for messages */
};

/* Parses "1.2.3", "1.2" or "1.2.3-pre".  strict: all three numbers needed. */
bool semver_parse(const char *s, bool strict, struct semver *out);
int semver_compare(const struct semver *a, const struct semver *b);
void semver_format(const struct semver *v, char *buf, size_t len);

/* Parses "name op ver, op ver" into r.  Returns false and sets err. */
bool requirement_parse(const char *s, struct requirement *r, char *err, size_t errlen);
bool requirement_satisfied(const struct requirement *r, const struct semver *v);

#endif
