/* SPDX-License-Identifier: MIT */
/*
 * The machine registry (<vm/machine.h>): every machine component places
 * its struct machine_ops in the "machines" linker section; these look
 * them up by architecture and name.
 */
#include <vm/machine.h>

#include <stdio.h>
#include <string.h>

const struct machine_ops *machine_find(const char *arch, const char *name)
{
	for_each_machine(m)
		if (strcmp(m->arch, arch) == 0 && strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

const struct machine_ops *machine_default(const char *arch)
{
	const struct machine_ops *first = NULL;

	for_each_machine(m) {
		if (strcmp(m->arch, arch) != 0)
			continue;
		if (m->is_default)
			return m;
		if (!first)
			first = m;
	}
	return first;
}

size_t machine_names(const char *arch, char *buf, size_t size)
{
	const struct machine_ops *done = NULL;
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	/* In name order, so messages do not depend on link order. */
	for (;;) {
		const struct machine_ops *next = NULL;
		int n;

		for_each_machine(m)
			if (strcmp(m->arch, arch) == 0 &&
			    (!done || strcmp(m->name, done->name) > 0) &&
			    (!next || strcmp(m->name, next->name) < 0))
				next = m;
		if (!next || len + 1 >= size)
			return len;
		n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "", next->name);
		if (n > 0)
			len += (size_t)n < size - len ? (size_t)n : size - len - 1;
		done = next;
	}
}
