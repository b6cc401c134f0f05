/* SPDX-License-Identifier: MIT */
/*
 * Reading cpio "newc" archives (magic 070701, also the 070702 checksum
 * variant) in place, as written by `cpio -H newc -o` and used for Linux
 * initramfs images.  The archive is untrusted input: every header field
 * is checked against the buffer, and nothing outside [buf, buf+size) is
 * ever read.
 *
 *   struct cpio_reader r;
 *   struct cpio_entry e;
 *   int rc;
 *
 *   cpio_reader_init(&r, buf, size);
 *   while ((rc = cpio_next(&r, &e)) > 0)
 *           if (cpio_entry_is_file(&e)) use(e.name, e.data, e.size);
 *   if (rc < 0) report("malformed archive at offset %zu", r.offset);
 */
#ifndef LIB_CPIO_H
#define LIB_CPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPIO_MODE_TYPE_MASK 0170000u
#define CPIO_MODE_DIR       0040000u
#define CPIO_MODE_FILE      0100000u
#define CPIO_MODE_SYMLINK   0120000u

struct cpio_entry {
	/* NUL-terminated inside the archive; a leading "./" is skipped. */
	const char *name;
	size_t name_len;
	uint32_t mode;      /* type and permission bits, as in st_mode */
	const void *data;   /* file contents (symlink: the target, no NUL) */
	size_t size;
};

struct cpio_reader {
	const uint8_t *buf;
	size_t size;
	size_t offset;      /* of the next header; where an error was found */
	bool done;          /* trailer seen, end of buffer, or error        */
	int status;         /* what cpio_next() keeps returning once done   */
};

void cpio_reader_init(struct cpio_reader *r, const void *buf, size_t size);

/*
 * Reads the next entry into *e.  Returns 1 for an entry, 0 at the end
 * (the "TRAILER!!!" entry, or the buffer ends exactly between entries or
 * in zero padding), or a negative errno for a malformed archive
 * (-EINVAL bad header, -EOVERFLOW a field runs past the buffer).  After
 * 0 or an error every further call returns the same kind of answer.
 */
int cpio_next(struct cpio_reader *r, struct cpio_entry *e);

static inline bool cpio_entry_is_file(const struct cpio_entry *e)
{
	return (e->mode & CPIO_MODE_TYPE_MASK) == CPIO_MODE_FILE;
}

static inline bool cpio_entry_is_dir(const struct cpio_entry *e)
{
	return (e->mode & CPIO_MODE_TYPE_MASK) == CPIO_MODE_DIR;
}

/* Finds a regular file by name (without "./"); 0, -ENOENT, or an error. */
int cpio_find(const void *buf, size_t size, const char *name, struct cpio_entry *e);

#endif
