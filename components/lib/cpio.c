/* SPDX-License-Identifier: MIT */
/*
 * newc layout: a 110-byte ASCII header ("070701" and thirteen 8-digit hex
 * fields), the name with its NUL (namesize bytes), padding to a multiple
 * of 4 from the start of the header, the data (filesize bytes), padding
 * to a multiple of 4.  All checks below are written as "what is left in
 * the buffer" comparisons so that no offset arithmetic can wrap.
 */
#include <lib/cpio.h>

#include <errno.h>
#include <string.h>

#define CPIO_HEADER_SIZE 110
#define CPIO_FIELD_COUNT 13

enum cpio_field {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
	F_DEVMAJOR, F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK,
};

static const char cpio_trailer[] = "TRAILER!!!";

void cpio_reader_init(struct cpio_reader *r, const void *buf, size_t size)
{
	r->buf = buf;
	r->size = buf ? size : 0;
	r->offset = 0;
	r->done = false;
	r->status = 0;
}

static bool parse_hex8(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		uint8_t c = p[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return false;
		v = (v << 4) | d;
	}
	*out = v;
	return true;
}

static size_t pad4(size_t offset)
{
	return (4 - (offset & 3)) & 3;
}

static bool only_zeros(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i])
			return false;
	}
	return true;
}

static int cpio_fail(struct cpio_reader *r, int err)
{
	r->done = true;
	r->status = err;
	return err;
}

int cpio_next(struct cpio_reader *r, struct cpio_entry *e)
{
	uint32_t field[CPIO_FIELD_COUNT];
	const uint8_t *hdr;
	size_t left, namesize, filesize, pos;
	const char *name;

	if (r->done)
		return r->status;

	left = r->size - r->offset;
	/* Some writers end an archive at a block boundary with zeros only. */
	if (left == 0 || only_zeros(r->buf + r->offset, left)) {
		r->done = true;
		r->offset = r->size;
		return 0;
	}
	if (left < CPIO_HEADER_SIZE)
		return cpio_fail(r, -EOVERFLOW);

	hdr = r->buf + r->offset;
	if (memcmp(hdr, "07070", 5) != 0 || (hdr[5] != '1' && hdr[5] != '2'))
		return cpio_fail(r, -EINVAL);
	for (int i = 0; i < CPIO_FIELD_COUNT; i++) {
		if (!parse_hex8(hdr + 6 + 8 * i, &field[i]))
			return cpio_fail(r, -EINVAL);
	}

	namesize = field[F_NAMESIZE];
	filesize = field[F_FILESIZE];
	pos = CPIO_HEADER_SIZE;               /* relative to hdr */
	left -= CPIO_HEADER_SIZE;

	if (namesize == 0)
		return cpio_fail(r, -EINVAL);
	if (namesize > left)
		return cpio_fail(r, -EOVERFLOW);
	name = (const char *)hdr + pos;
	if (name[namesize - 1] != '\0')
		return cpio_fail(r, -EINVAL);
	pos += namesize;
	left -= namesize;

	if (strcmp(name, cpio_trailer) == 0) {
		size_t pad = pad4(r->offset + pos);

		r->done = true;
		r->offset += pos + (pad <= left ? pad : left);
		return 0;
	}

	/* Padding after the name is measured from the start of the archive. */
	{
		size_t pad = pad4(r->offset + pos);

		if (pad > left)
			return cpio_fail(r, -EOVERFLOW);
		pos += pad;
		left -= pad;
	}
	if (filesize > left)
		return cpio_fail(r, -EOVERFLOW);

	e->name = name;
	while (e->name[0] == '.' && e->name[1] == '/')
		e->name += 2;
	e->name_len = strlen(e->name);
	e->mode = field[F_MODE];
	e->data = hdr + pos;
	e->size = filesize;

	pos += filesize;
	left -= filesize;
	/* The last entry's data padding may be cut off by the buffer end. */
	pos += pad4(r->offset + pos) <= left ? pad4(r->offset + pos) : left;
	r->offset += pos;
	return 1;
}

int cpio_find(const void *buf, size_t size, const char *name, struct cpio_entry *e)
{
	struct cpio_reader r;
	int rc;

	while (name[0] == '.' && name[1] == '/')
		name += 2;
	cpio_reader_init(&r, buf, size);
	while ((rc = cpio_next(&r, e)) > 0) {
		if (cpio_entry_is_file(e) && strcmp(e->name, name) == 0)
			return 0;
	}
	return rc < 0 ? rc : -ENOENT;
}
