/* SPDX-License-Identifier: MIT */
/*
 * The boot archive reader on arbitrary bytes.  The input is copied into a
 * buffer of exactly its size so that AddressSanitizer sees any read past
 * it; every entry returned must also lie inside it.
 */
#include <lib/cpio.h>
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
	uint8_t *buf = malloc(size ? size : 1);
	struct cpio_reader r;
	struct cpio_entry e;
	unsigned int entries = 0;
	int rc;

	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);

	cpio_reader_init(&r, buf, size);
	while ((rc = cpio_next(&r, &e)) > 0) {
		const uint8_t *name = (const uint8_t *)e.name;
		const uint8_t *d = e.data;

		check(name >= buf && name + e.name_len < buf + size);
		check(name[e.name_len] == '\0');
		check(d >= buf && d <= buf + size && e.size <= (size_t)(buf + size - d));
		check(r.offset <= size);
		/* Every entry consumes at least a header. */
		check(++entries <= size / 110);
		(void)cpio_entry_is_file(&e);
		(void)cpio_entry_is_dir(&e);
	}
	check(rc == 0 || rc == -22 /* EINVAL */ || rc == -75 /* EOVERFLOW */);
	check(cpio_next(&r, &e) == rc);

	(void)cpio_find(buf, size, "etc/vm.cfg", &e);
	free(buf);
	return 0;
}
