/* SPDX-License-Identifier: MIT */
/*
 * SMBIOS structures and the 2.1 entry point (see <smbios/smbios.h>).
 * Field offsets are those of DMTF DSP0134 2.8, the version QEMU's pc
 * machines announce; each writer fills the formatted area and appends
 * its strings, numbered from 1 in the order they are added.
 */
#include <errno.h>
#include <string.h>

#include <smbios/smbios.h>

#define SMBIOS_MAJOR 2
#define SMBIOS_MINOR 8
#define EP_LENGTH    0x1F
#define EP_INTERMEDIATE 0x10

/* One structure being written: its formatted area, then its strings. */
struct writer {
	uint8_t *buf;
	size_t size, len;
	int error;
	uint16_t count, max_size;
	size_t start;                   /* of the current structure */
	uint8_t strings;                /* strings added to it so far */
	uint8_t formatted_len;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* Starts a structure: a zeroed formatted area of len bytes. NULL when full. */
static uint8_t *begin(struct writer *w, uint8_t type, uint8_t len, uint16_t handle)
{
	uint8_t *p;

	if (w->error || w->size - w->len < (size_t)len + 2) {
		w->error = -ENOSPC;
		return NULL;
	}
	p = w->buf + w->len;
	memset(p, 0, len);
	p[0] = type;
	p[1] = len;
	put16(p + 2, handle);
	w->start = w->len;
	w->len += len;
	w->strings = 0;
	w->formatted_len = len;
	return p;
}

/* Appends a string to the current structure; its number, 0 for none. */
static uint8_t add_string(struct writer *w, const char *s)
{
	size_t n;

	if (w->error || !s || !s[0])
		return 0;
	n = strlen(s) + 1;
	if (w->size - w->len < n + 1) {
		w->error = -ENOSPC;
		return 0;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	return ++w->strings;
}

/* Ends the structure: a string set ends with an extra NUL, an empty one is two. */
static void end(struct writer *w)
{
	size_t size;

	if (w->error)
		return;
	if (!w->strings)
		w->buf[w->len++] = 0;
	w->buf[w->len++] = 0;
	size = w->len - w->start;
	if (size > w->max_size)
		w->max_size = (uint16_t)size;
	w->count++;
}

/* The string fields of a structure refer to strings added after it began:
 * the pointer stays valid because begin() reserved the formatted area. */
#define STR(w, p, off, s) ((p)[off] = add_string(w, s))

static void type0_bios(struct writer *w, const struct smbios_config *c)
{
	uint8_t *p = begin(w, 0, 0x18, 0x0000);

	if (!p)
		return;
	STR(w, p, 0x04, c->bios_vendor);
	STR(w, p, 0x05, c->bios_version);
	put16(p + 0x06, 0xE800);        /* start segment, as QEMU */
	STR(w, p, 0x08, c->bios_date);
	p[0x09] = 0;                    /* ROM size: 64 KiB */
	put64(p + 0x0A, 1ull << 3);     /* "characteristics are not supported" */
	p[0x13] = 1u << 4;              /* extension byte 2: this is a VM */
	p[0x16] = 0xFF;                 /* no embedded controller firmware */
	p[0x17] = 0xFF;
	end(w);
}

static void type1_system(struct writer *w, const struct smbios_config *c)
{
	uint8_t *p = begin(w, 1, 0x1B, 0x0100);

	if (!p)
		return;
	STR(w, p, 0x04, c->manufacturer);
	STR(w, p, 0x05, c->product);
	STR(w, p, 0x06, c->version);
	memcpy(p + 0x08, c->uuid, 16);
	p[0x18] = 0x06;                 /* woken by the power switch */
	end(w);
}

static void type3_chassis(struct writer *w, const struct smbios_config *c)
{
	uint8_t *p = begin(w, 3, 0x16, 0x0300);

	if (!p)
		return;
	STR(w, p, 0x04, c->manufacturer);
	p[0x05] = 0x01;                 /* other */
	STR(w, p, 0x06, c->product);
	p[0x09] = 0x03;                 /* boot-up, power supply, thermal: safe */
	p[0x0A] = 0x03;
	p[0x0B] = 0x03;
	p[0x0C] = 0x02;                 /* security: unknown */
	end(w);
}

static void type4_processor(struct writer *w, const struct smbios_config *c, unsigned int n)
{
	char socket[16] = "CPU ";
	uint8_t *p = begin(w, 4, 0x2A, (uint16_t)(0x0400 + n));
	unsigned int i = 4;

	if (!p)
		return;
	/* "CPU n" without printf: n < 1000. */
	if (n >= 100)
		socket[i++] = (char)('0' + n / 100);
	if (n >= 10)
		socket[i++] = (char)('0' + n / 10 % 10);
	socket[i++] = (char)('0' + n % 10);
	socket[i] = 0;
	STR(w, p, 0x04, socket);
	p[0x05] = 0x03;                 /* central processor */
	p[0x06] = 0x01;                 /* family: other (QEMU's) */
	STR(w, p, 0x07, c->manufacturer);
	put32(p + 0x08, c->cpuid_signature);
	put32(p + 0x0C, c->cpuid_features);
	STR(w, p, 0x10, c->product);
	put16(p + 0x14, 2000);          /* max and current speed, MHz (QEMU's) */
	put16(p + 0x16, 2000);
	p[0x18] = 0x41;                 /* socket populated, CPU enabled */
	p[0x19] = 0x01;                 /* upgrade: other */
	put16(p + 0x1A, 0xFFFF);        /* no cache structures */
	put16(p + 0x1C, 0xFFFF);
	put16(p + 0x1E, 0xFFFF);
	p[0x23] = 1;                    /* one core, enabled, one thread per socket */
	p[0x24] = 1;
	p[0x25] = 1;
	put16(p + 0x26, 0x02);          /* characteristics: unknown */
	put16(p + 0x28, 0x01);          /* family 2: other */
	end(w);
}

static void type16_array(struct writer *w, const struct smbios_config *c, uint16_t devices)
{
	uint8_t *p = begin(w, 16, 0x17, 0x1000);
	uint64_t kib = c->memory >> 10;

	if (!p)
		return;
	p[0x04] = 0x01;                 /* location: other */
	p[0x05] = 0x03;                 /* use: system memory */
	p[0x06] = 0x06;                 /* multi-bit ECC, as QEMU */
	if (kib < 0x80000000ull) {
		put32(p + 0x07, (uint32_t)kib);
	} else {
		put32(p + 0x07, 0x80000000u);
		put64(p + 0x0F, c->memory);
	}
	put16(p + 0x0B, 0xFFFE);        /* no error information */
	put16(p + 0x0D, devices);
	end(w);
}

static void type17_device(struct writer *w, const struct smbios_config *c, unsigned int n,
			  uint64_t size)
{
	char locator[16] = "DIMM ";
	uint8_t *p = begin(w, 17, 0x28, (uint16_t)(0x1100 + n));
	uint64_t mib = size >> 20;
	unsigned int i = 5;

	if (!p)
		return;
	if (n >= 10)
		locator[i++] = (char)('0' + n / 10 % 10);
	locator[i++] = (char)('0' + n % 10);
	locator[i] = 0;
	put16(p + 0x04, 0x1000);        /* the array */
	put16(p + 0x06, 0xFFFE);
	put16(p + 0x08, 0xFFFF);        /* widths unknown */
	put16(p + 0x0A, 0xFFFF);
	if (mib < 0x7FFF) {
		put16(p + 0x0C, (uint16_t)mib);
	} else {
		put16(p + 0x0C, 0x7FFF);
		put32(p + 0x1C, (uint32_t)mib);
	}
	p[0x0E] = 0x09;                 /* DIMM */
	STR(w, p, 0x10, locator);
	p[0x12] = 0x07;                 /* RAM */
	put16(p + 0x13, 0x02);          /* detail: other */
	STR(w, p, 0x17, c->manufacturer);
	end(w);
}

static void type19_range(struct writer *w, const struct smbios_ram_region *r, unsigned int n)
{
	uint8_t *p = begin(w, 19, 0x1F, (uint16_t)(0x1300 + n));
	uint64_t last = r->base + r->size - 1;

	if (!p)
		return;
	if (last >> 10 < 0xFFFFFFFFull) {
		put32(p + 0x04, (uint32_t)(r->base >> 10));
		put32(p + 0x08, (uint32_t)(last >> 10));
	} else {
		put32(p + 0x04, 0xFFFFFFFFu);
		put32(p + 0x08, 0xFFFFFFFFu);
		put64(p + 0x0F, r->base);
		put64(p + 0x17, last);
	}
	put16(p + 0x0C, 0x1000);
	p[0x0E] = 1;                    /* one device wide */
	end(w);
}

static void type32_boot(struct writer *w)
{
	if (begin(w, 32, 0x0B, 0x2000))
		end(w);                 /* status 0: no errors detected */
}

static void type127_end(struct writer *w)
{
	if (begin(w, 127, 4, 0x7F00))
		end(w);
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* The 2.1 entry point; the firmware writes the table address at 0x18. */
static void build_anchor(struct smbios_tables *t)
{
	uint8_t *a = t->anchor;

	memset(a, 0, SMBIOS_ANCHOR_SIZE);
	memcpy(a, "_SM_", 4);
	a[0x05] = EP_LENGTH;
	a[0x06] = SMBIOS_MAJOR;
	a[0x07] = SMBIOS_MINOR;
	put16(a + 0x08, t->max_structure_size);
	memcpy(a + EP_INTERMEDIATE, "_DMI_", 5);
	put16(a + 0x16, (uint16_t)t->tables_len);
	put16(a + 0x1C, t->structure_count);
	a[0x1E] = (SMBIOS_MAJOR << 4) | SMBIOS_MINOR;
	a[0x15] = (uint8_t)-sum(a + EP_INTERMEDIATE, EP_LENGTH - EP_INTERMEDIATE);
	a[0x04] = (uint8_t)-sum(a, EP_LENGTH);
}

int smbios_build(const struct smbios_config *cfg, uint8_t *buf, size_t size,
		 struct smbios_tables *out)
{
	struct writer w = { .buf = buf, .size = size };
	uint64_t left = cfg->memory;
	uint16_t devices;

	memset(out, 0, sizeof(*out));
	if (!cfg->cpu_count || cfg->cpu_count > SMBIOS_MAX_CPUS || !cfg->ram_count ||
	    cfg->ram_count > SMBIOS_MAX_RAM_REGIONS || !cfg->memory)
		return -EINVAL;
	devices = (uint16_t)((cfg->memory + SMBIOS_MEMORY_DEVICE_MAX - 1) / SMBIOS_MEMORY_DEVICE_MAX);
	type0_bios(&w, cfg);
	type1_system(&w, cfg);
	type3_chassis(&w, cfg);
	for (unsigned int i = 0; i < cfg->cpu_count; i++)
		type4_processor(&w, cfg, i);
	type16_array(&w, cfg, devices);
	for (unsigned int i = 0; i < devices; i++) {
		uint64_t dimm = left < SMBIOS_MEMORY_DEVICE_MAX ? left : SMBIOS_MEMORY_DEVICE_MAX;

		type17_device(&w, cfg, i, dimm);
		left -= dimm;
	}
	for (unsigned int i = 0; i < cfg->ram_count; i++)
		type19_range(&w, &cfg->ram[i], i);
	type32_boot(&w);
	type127_end(&w);
	if (w.error)
		return w.error;
	if (w.len > 0xFFFF)             /* the 2.1 entry point counts in 16 bits */
		return -ENOSPC;
	out->tables_len = (uint32_t)w.len;
	out->structure_count = w.count;
	out->max_structure_size = w.max_size;
	build_anchor(out);
	return 0;
}

void smbios_uuid_from_name(const char *name, uint8_t uuid[16])
{
	/* Two FNV-1a 64-bit hashes with different bases: not cryptographic,
	 * only stable and well spread. */
	uint64_t h[2] = { 0xcbf29ce484222325ull, 0x84222325cbf29ce4ull };

	for (const char *s = name; s && *s; s++)
		for (int i = 0; i < 2; i++)
			h[i] = (h[i] ^ (uint8_t)*s) * 0x100000001b3ull;
	for (int i = 0; i < 2; i++)
		for (int b = 0; b < 8; b++)
			uuid[i * 8 + b] = (uint8_t)(h[i] >> (8 * b));
	uuid[7] = (uint8_t)((uuid[7] & 0x0F) | 0x80);   /* version 8 (field stored little-endian) */
	uuid[8] = (uint8_t)((uuid[8] & 0x3F) | 0x80);   /* RFC 4122 variant */
}
