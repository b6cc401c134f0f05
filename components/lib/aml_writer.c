/* SPDX-License-Identifier: MIT */
/*
 * An AML writer (<lib/aml_writer.h>).
 *
 * Objects with a body (Scope, Device, Buffer) start with a PkgLength that
 * counts the body and the PkgLength bytes themselves, encoded in 1 to 4
 * bytes (ACPI 6.5, 20.2.4 "Package Length Encoding").  The writer leaves
 * four bytes for it when the object opens and, when it closes, writes the
 * shortest encoding and moves the body down to meet it, as iasl does.
 */
#include <lib/aml_writer.h>

#include <errno.h>
#include <string.h>

#define AML_ZERO_OP     0x00
#define AML_ONE_OP      0x01
#define AML_NAME_OP     0x08
#define AML_BYTE_PREFIX 0x0A
#define AML_WORD_PREFIX 0x0B
#define AML_DWORD_PREFIX 0x0C
#define AML_STRING_PREFIX 0x0D
#define AML_QWORD_PREFIX 0x0E
#define AML_SCOPE_OP    0x10
#define AML_BUFFER_OP   0x11
#define AML_DUAL_NAME   0x2E
#define AML_MULTI_NAME  0x2F
#define AML_ROOT_CHAR   0x5C
#define AML_EXT_OP      0x5B
#define AML_DEVICE_OP   0x82          /* after AML_EXT_OP */

/* Small and large resource items (ACPI 6.5, 6.4.2 and 6.4.3). */
#define RES_IRQ_NOFLAGS 0x22
#define RES_IO          0x47
#define RES_END_TAG     0x79
#define RES_MEMORY32_FIXED 0x86
#define RES_EXT_INTERRUPT  0x89

#define PKG_RESERVED 4

enum { KIND_SCOPE = 1, KIND_DEVICE, KIND_BUFFER };

void aml_init(struct aml_writer *a, void *buf, size_t size)
{
	memset(a, 0, sizeof(*a));
	a->buf = buf;
	a->size = buf ? size : 0;
}

static void fail(struct aml_writer *a, int error)
{
	if (!a->error)
		a->error = error;
}

static bool room(struct aml_writer *a, size_t n)
{
	if (a->error)
		return false;
	if (n > a->size - a->len) {
		fail(a, -ENOSPC);
		return false;
	}
	return true;
}

static void put(struct aml_writer *a, const void *bytes, size_t n)
{
	if (!room(a, n))
		return;
	memcpy(a->buf + a->len, bytes, n);
	a->len += n;
}

static void put8(struct aml_writer *a, uint8_t v)
{
	put(a, &v, 1);
}

static void put16(struct aml_writer *a, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	put(a, b, 2);
}

static void put32(struct aml_writer *a, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	put(a, b, 4);
}

/* ---- names ---- */

static bool lead_char(char c)
{
	return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(char c)
{
	return lead_char(c) || (c >= '0' && c <= '9');
}

/* One NameSeg of s[0..len), padded with '_' to four characters. */
static bool name_seg(const char *s, size_t len, uint8_t seg[4])
{
	if (len < 1 || len > 4 || !lead_char(s[0]))
		return false;
	for (size_t i = 0; i < 4; i++) {
		if (i < len && !name_char(s[i]))
			return false;
		seg[i] = i < len ? (uint8_t)s[i] : '_';
	}
	return true;
}

/* A NameString: "\\_SB.PCI0.ISA" (absolute) or "COM1" (one segment). */
static void put_name(struct aml_writer *a, const char *path)
{
	uint8_t segs[8][4];
	unsigned int count = 0;
	bool root = path[0] == '\\';
	const char *s = root ? path + 1 : path;

	while (*s) {
		const char *dot = strchr(s, '.');
		size_t len = dot ? (size_t)(dot - s) : strlen(s);

		if (count == 8 || !name_seg(s, len, segs[count])) {
			fail(a, -EINVAL);
			return;
		}
		count++;
		s += len + (dot ? 1 : 0);
		if (dot && !*s) {
			fail(a, -EINVAL);
			return;
		}
	}
	if (root)
		put8(a, AML_ROOT_CHAR);
	else if (count != 1) {
		fail(a, -EINVAL);
		return;
	}
	if (count == 0) {
		put8(a, AML_ZERO_OP);     /* NullName: the root itself */
		return;
	}
	if (count == 2)
		put8(a, AML_DUAL_NAME);
	else if (count > 2) {
		put8(a, AML_MULTI_NAME);
		put8(a, (uint8_t)count);
	}
	put(a, segs, 4 * (size_t)count);
}

/* ---- objects with a body ---- */

static void open_object(struct aml_writer *a, uint8_t kind)
{
	uint8_t placeholder[PKG_RESERVED] = { 0 };

	if (a->error)
		return;
	if (a->depth == AML_MAX_DEPTH) {
		fail(a, -EINVAL);
		return;
	}
	put(a, placeholder, sizeof(placeholder));
	if (a->error)
		return;
	a->open[a->depth] = a->len - PKG_RESERVED;
	a->kind[a->depth] = kind;
	a->depth++;
}

/* Inserts n bytes at offset at, moving what follows. */
static bool insert_at(struct aml_writer *a, size_t at, const uint8_t *bytes, size_t n)
{
	if (!room(a, n))
		return false;
	memmove(a->buf + at + n, a->buf + at, a->len - at);
	memcpy(a->buf + at, bytes, n);
	a->len += n;
	return true;
}

/* Replaces the four reserved bytes at 'at' by the PkgLength of what follows. */
static void close_package(struct aml_writer *a, size_t at)
{
	size_t body = a->len - at - PKG_RESERVED;
	uint8_t enc[PKG_RESERVED];
	size_t n, value;

	if (body + 1 <= 0x3f)
		n = 1;
	else if (body + 2 <= 0xfff)
		n = 2;
	else if (body + 3 <= 0xfffff)
		n = 3;
	else if (body + 4 <= 0xfffffff)
		n = 4;
	else {
		fail(a, -ENOSPC);
		return;
	}
	value = body + n;
	if (n == 1) {
		enc[0] = (uint8_t)value;
	} else {
		enc[0] = (uint8_t)(((n - 1) << 6) | (value & 0xf));
		for (size_t i = 1; i < n; i++)
			enc[i] = (uint8_t)(value >> (4 + 8 * (i - 1)));
	}
	memcpy(a->buf + at, enc, n);
	memmove(a->buf + at + n, a->buf + at + PKG_RESERVED, body);
	a->len -= PKG_RESERVED - n;
}

void aml_scope_begin(struct aml_writer *a, const char *path)
{
	put8(a, AML_SCOPE_OP);
	open_object(a, KIND_SCOPE);
	put_name(a, path);
}

void aml_device_begin(struct aml_writer *a, const char *name)
{
	put8(a, AML_EXT_OP);
	put8(a, AML_DEVICE_OP);
	open_object(a, KIND_DEVICE);
	if (strchr(name, '.') || name[0] == '\\')
		fail(a, -EINVAL);
	put_name(a, name);
}

void aml_end(struct aml_writer *a)
{
	if (a->error)
		return;
	if (!a->depth || a->kind[a->depth - 1] == KIND_BUFFER) {
		fail(a, -EINVAL);
		return;
	}
	a->depth--;
	close_package(a, a->open[a->depth]);
}

/* ---- data ---- */

static void put_integer(struct aml_writer *a, uint64_t v)
{
	if (v == 0) {
		put8(a, AML_ZERO_OP);
	} else if (v == 1) {
		put8(a, AML_ONE_OP);
	} else if (v <= 0xff) {
		put8(a, AML_BYTE_PREFIX);
		put8(a, (uint8_t)v);
	} else if (v <= 0xffff) {
		put8(a, AML_WORD_PREFIX);
		put16(a, (uint16_t)v);
	} else if (v <= 0xffffffffull) {
		put8(a, AML_DWORD_PREFIX);
		put32(a, (uint32_t)v);
	} else {
		put8(a, AML_QWORD_PREFIX);
		put32(a, (uint32_t)v);
		put32(a, (uint32_t)(v >> 32));
	}
}

static void put_object_name(struct aml_writer *a, const char *name)
{
	put8(a, AML_NAME_OP);
	if (strchr(name, '.') || name[0] == '\\')
		fail(a, -EINVAL);
	put_name(a, name);
}

void aml_name_integer(struct aml_writer *a, const char *name, uint64_t value)
{
	put_object_name(a, name);
	put_integer(a, value);
}

void aml_name_string(struct aml_writer *a, const char *name, const char *value)
{
	for (const unsigned char *c = (const unsigned char *)value; *c; c++)
		if (*c > 0x7f)
			fail(a, -EINVAL);     /* AML strings are ASCII */
	put_object_name(a, name);
	put8(a, AML_STRING_PREFIX);
	put(a, value, strlen(value) + 1);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool aml_is_eisa_id(const char *id)
{
	if (strlen(id) != 7)
		return false;
	for (int i = 0; i < 3; i++)
		if (id[i] < 'A' || id[i] > 'Z')
			return false;
	for (int i = 3; i < 7; i++)
		if (hex_value(id[i]) < 0)
			return false;
	return true;
}

/*
 * Three letters in five bits each (A = 1) and four hex digits, as a
 * big-endian 32-bit number stored little-endian: "PNP0501" -> 0x0105D041.
 */
uint32_t aml_eisa_id(const char *id)
{
	uint32_t v;

	if (!aml_is_eisa_id(id))
		return 0;
	v = (uint32_t)(id[0] - 0x40) << 26 | (uint32_t)(id[1] - 0x40) << 21 |
	    (uint32_t)(id[2] - 0x40) << 16;
	for (int i = 3; i < 7; i++)
		v |= (uint32_t)hex_value(id[i]) << (4 * (6 - i));
	return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

void aml_name_eisa_id(struct aml_writer *a, const char *name, const char *id)
{
	if (!aml_is_eisa_id(id)) {
		fail(a, -EINVAL);
		return;
	}
	put_object_name(a, name);
	put8(a, AML_DWORD_PREFIX);
	put32(a, aml_eisa_id(id));
}

/* ---- resource templates ---- */

void aml_resources_begin(struct aml_writer *a, const char *name)
{
	put_object_name(a, name);
	put8(a, AML_BUFFER_OP);
	open_object(a, KIND_BUFFER);
}

static bool in_resources(struct aml_writer *a)
{
	if (a->error)
		return false;
	if (!a->depth || a->kind[a->depth - 1] != KIND_BUFFER) {
		fail(a, -EINVAL);
		return false;
	}
	return true;
}

void aml_resource_io(struct aml_writer *a, uint16_t base, uint8_t length)
{
	if (!in_resources(a))
		return;
	put8(a, RES_IO);
	put8(a, 0x01);               /* Decode16 */
	put16(a, base);
	put16(a, base);
	put8(a, 0x01);               /* alignment */
	put8(a, length);
}

void aml_resource_memory32_fixed(struct aml_writer *a, uint32_t base, uint32_t length)
{
	if (!in_resources(a))
		return;
	put8(a, RES_MEMORY32_FIXED);
	put16(a, 9);
	put8(a, 0x01);               /* ReadWrite */
	put32(a, base);
	put32(a, length);
}

void aml_resource_irq_noflags(struct aml_writer *a, unsigned int irq)
{
	if (!in_resources(a))
		return;
	if (irq > 15) {
		fail(a, -EINVAL);
		return;
	}
	put8(a, RES_IRQ_NOFLAGS);
	put16(a, (uint16_t)(1u << irq));
}

void aml_resource_interrupt(struct aml_writer *a, uint32_t gsi, bool level, bool active_high,
			    bool shared)
{
	uint8_t flags = 0x01;        /* ResourceConsumer */

	if (!in_resources(a))
		return;
	if (!level)
		flags |= 0x02;
	if (!active_high)
		flags |= 0x04;
	if (shared)
		flags |= 0x08;
	put8(a, RES_EXT_INTERRUPT);
	put16(a, 6);
	put8(a, flags);
	put8(a, 1);                  /* one interrupt */
	put32(a, gsi);
}

/* The buffer's size goes in front of its bytes: a TermArg integer. */
void aml_resources_end(struct aml_writer *a)
{
	uint8_t size_enc[5];
	size_t at, data, n;

	if (!in_resources(a))
		return;
	put8(a, RES_END_TAG);
	put8(a, 0x00);               /* checksum 0: "treated as correct" */
	if (a->error)
		return;
	at = a->open[a->depth - 1] + PKG_RESERVED;
	data = a->len - at;
	if (data <= 0xff && data > 1) {
		size_enc[0] = AML_BYTE_PREFIX;
		size_enc[1] = (uint8_t)data;
		n = 2;
	} else {
		size_enc[0] = AML_WORD_PREFIX;
		size_enc[1] = (uint8_t)data;
		size_enc[2] = (uint8_t)(data >> 8);
		n = 3;
	}
	if (!insert_at(a, at, size_enc, n))
		return;
	a->depth--;
	close_package(a, a->open[a->depth]);
}

long aml_finish(struct aml_writer *a)
{
	if (a->error)
		return a->error;
	if (a->depth) {
		fail(a, -EINVAL);
		return a->error;
	}
	return (long)a->len;
}
