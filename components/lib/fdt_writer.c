/* SPDX-License-Identifier: MIT */
/*
 * A flattened device tree writer (<lib/fdt_writer.h>).
 *
 * Layout of the blob while it is written, in the caller's buffer:
 *
 *   [header 40][reservations..., 16 zero bytes][structure -->   <-- strings]
 *
 * The structure block grows up from the reservations, the strings block
 * grows down from the end of the buffer, and the writer fails as soon as
 * they would meet.  A property cannot know its string's final offset
 * until the strings block stops growing, so it first records the
 * string's distance from the end of the buffer; finish() moves the
 * strings behind the structure and rewrites those offsets.
 */
#include <lib/fdt_writer.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define FDT_MAGIC          0xd00dfeedu
#define FDT_VERSION        17
#define FDT_LAST_COMPAT    16
#define FDT_HEADER_SIZE    40
#define FDT_RESERVE_ENTRY  16

#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_END        9u

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void fail(struct fdt_writer *w, int error)
{
	if (!w->error)
		w->error = error;
}

/* Room for n more structure bytes? */
static bool reserve_struct(struct fdt_writer *w, size_t n)
{
	if (w->error)
		return false;
	if (n > w->strings_start - w->struct_end) {
		fail(w, -ENOSPC);
		return false;
	}
	return true;
}

static void emit_be32(struct fdt_writer *w, uint32_t v)
{
	put_be32(w->buf + w->struct_end, v);
	w->struct_end += 4;
}

/* Bytes, then zero padding up to the next 4-byte boundary. */
static void emit_padded(struct fdt_writer *w, const void *data, size_t len)
{
	memcpy(w->buf + w->struct_end, data, len);
	w->struct_end += len;
	while (w->struct_end % 4)
		w->buf[w->struct_end++] = 0;
}

static size_t padded(size_t len)
{
	return (len + 3) & ~(size_t)3;
}

void fdt_writer_init(struct fdt_writer *w, void *buf, size_t size)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->size = size;
	w->struct_end = FDT_HEADER_SIZE;
	w->strings_start = size;
	if (!buf || size < FDT_HEADER_SIZE + FDT_RESERVE_ENTRY) {
		w->struct_end = 0;
		w->strings_start = 0;
		fail(w, -ENOSPC);
	}
}

void fdt_writer_reserve(struct fdt_writer *w, uint64_t address, uint64_t size)
{
	if (w->started) {
		fail(w, -EINVAL);
		return;
	}
	if (!reserve_struct(w, FDT_RESERVE_ENTRY))
		return;
	emit_be32(w, (uint32_t)(address >> 32));
	emit_be32(w, (uint32_t)address);
	emit_be32(w, (uint32_t)(size >> 32));
	emit_be32(w, (uint32_t)size);
}

void fdt_writer_begin_node(struct fdt_writer *w, const char *name)
{
	size_t len = strlen(name);

	if (w->error)
		return;
	if (w->root_closed || (w->depth == 0) != (len == 0)) {
		fail(w, -EINVAL);  /* a second root, or a root with a name */
		return;
	}
	if (!w->started) {
		if (!reserve_struct(w, FDT_RESERVE_ENTRY))
			return;
		memset(w->buf + w->struct_end, 0, FDT_RESERVE_ENTRY);
		w->struct_end += FDT_RESERVE_ENTRY;
		w->struct_start = w->struct_end;
		w->started = true;
	}
	if (!reserve_struct(w, 4 + padded(len + 1)))
		return;
	emit_be32(w, FDT_BEGIN_NODE);
	emit_padded(w, name, len + 1);
	w->depth++;
}

void fdt_writer_end_node(struct fdt_writer *w)
{
	if (w->error)
		return;
	if (w->depth == 0) {
		fail(w, -EINVAL);
		return;
	}
	if (!reserve_struct(w, 4))
		return;
	emit_be32(w, FDT_END_NODE);
	if (--w->depth == 0)
		w->root_closed = true;
}

/*
 * The string's distance from the end of the buffer, adding it to the
 * strings block unless it is already there (also as the tail of a longer
 * string, which the format allows).
 */
static bool string_ref(struct fdt_writer *w, const char *name, uint32_t *distance)
{
	size_t len = strlen(name) + 1;

	for (size_t at = w->strings_start; at + len <= w->size; at++) {
		if (memcmp(w->buf + at, name, len) == 0) {
			*distance = (uint32_t)(w->size - at);
			return true;
		}
	}
	if (!reserve_struct(w, len))
		return false;
	w->strings_start -= len;
	memcpy(w->buf + w->strings_start, name, len);
	*distance = (uint32_t)(w->size - w->strings_start);
	return true;
}

void fdt_writer_property(struct fdt_writer *w, const char *name, const void *value,
			 size_t len)
{
	uint32_t distance;

	if (w->error)
		return;
	if (w->depth == 0 || name[0] == '\0' || len > UINT32_MAX) {
		fail(w, -EINVAL);
		return;
	}
	if (!string_ref(w, name, &distance) || !reserve_struct(w, 12 + padded(len)))
		return;
	emit_be32(w, FDT_PROP);
	emit_be32(w, (uint32_t)len);
	emit_be32(w, distance);
	if (len)
		emit_padded(w, value, len);
}

void fdt_writer_property_empty(struct fdt_writer *w, const char *name)
{
	fdt_writer_property(w, name, NULL, 0);
}

void fdt_writer_property_cells(struct fdt_writer *w, const char *name,
			       const uint32_t *cells, unsigned int count)
{
	uint8_t be[16 * 4];

	if (count > sizeof(be) / 4) {
		fail(w, -EINVAL);
		return;
	}
	for (unsigned int i = 0; i < count; i++)
		put_be32(be + 4 * i, cells[i]);
	fdt_writer_property(w, name, be, 4 * (size_t)count);
}

void fdt_writer_property_u32(struct fdt_writer *w, const char *name, uint32_t value)
{
	fdt_writer_property_cells(w, name, &value, 1);
}

void fdt_writer_property_u64(struct fdt_writer *w, const char *name, uint64_t value)
{
	uint32_t cells[2] = { (uint32_t)(value >> 32), (uint32_t)value };

	fdt_writer_property_cells(w, name, cells, 2);
}

void fdt_writer_property_string(struct fdt_writer *w, const char *name, const char *value)
{
	fdt_writer_property(w, name, value, strlen(value) + 1);
}

void fdt_writer_property_strings(struct fdt_writer *w, const char *name,
				 const char *const *strings, unsigned int count)
{
	char list[128];
	size_t len = 0;

	for (unsigned int i = 0; i < count; i++) {
		size_t n = strlen(strings[i]) + 1;

		if (n > sizeof(list) - len) {
			fail(w, -EINVAL);
			return;
		}
		memcpy(list + len, strings[i], n);
		len += n;
	}
	fdt_writer_property(w, name, list, len);
}

/* Replaces every property's distance-from-the-end by its offset in the
 * final strings block of strings_len bytes. */
static void fix_name_offsets(struct fdt_writer *w, size_t strings_len)
{
	size_t at = w->struct_start;

	for (;;) {
		uint32_t token = get_be32(w->buf + at);

		at += 4;
		if (token == FDT_BEGIN_NODE) {
			at += padded(strlen((const char *)w->buf + at) + 1);
		} else if (token == FDT_PROP) {
			uint32_t len = get_be32(w->buf + at);
			uint32_t distance = get_be32(w->buf + at + 4);

			put_be32(w->buf + at + 4, (uint32_t)(strings_len - distance));
			at += 8 + padded(len);
		} else if (token == FDT_END) {
			return;
		}
	}
}

long fdt_writer_finish(struct fdt_writer *w)
{
	size_t strings_len, total;
	uint8_t *h = w->buf;

	if (w->error)
		return w->error;
	if (!w->root_closed) {
		fail(w, -EINVAL);
		return w->error;
	}
	if (!reserve_struct(w, 4))
		return w->error;
	emit_be32(w, FDT_END);

	strings_len = w->size - w->strings_start;
	fix_name_offsets(w, strings_len);
	memmove(w->buf + w->struct_end, w->buf + w->strings_start, strings_len);
	total = w->struct_end + strings_len;
	if (total > UINT32_MAX) {
		fail(w, -ENOSPC);
		return w->error;
	}

	put_be32(h + 0, FDT_MAGIC);
	put_be32(h + 4, (uint32_t)total);
	put_be32(h + 8, (uint32_t)w->struct_start);
	put_be32(h + 12, (uint32_t)w->struct_end);
	put_be32(h + 16, FDT_HEADER_SIZE);
	put_be32(h + 20, FDT_VERSION);
	put_be32(h + 24, FDT_LAST_COMPAT);
	put_be32(h + 28, 0);                 /* boot CPU: cpu@0 */
	put_be32(h + 32, (uint32_t)strings_len);
	put_be32(h + 36, (uint32_t)(w->struct_end - w->struct_start));
	/* Leave the writer unusable: the strings are no longer at the end. */
	w->error = -EINVAL;
	return (long)total;
}
