/* SPDX-License-Identifier: MIT */
/*
 * DEFLATE and gzip decompression against the host's `gzip` (run at test
 * time on data made here) and against streams written bit by bit with the
 * codes of RFC 1951, so that every block type, every refusal and every
 * boundary is hit on purpose.
 */
#define _POSIX_C_SOURCE 200809L   /* mkstemp, unlink */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <lib/inflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct inflate_workspace ws;

/* ---- helpers ------------------------------------------------------------- */

/* CRC-32 bit by bit, independent of the table in inflate.c. */
static uint32_t slow_crc32(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;

	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

static uint8_t *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The host gzip's output for data, with the given options ("-n -9"...). */
static uint8_t *host_gzip(const void *data, size_t len, const char *options, size_t *gz_len)
{
	char in_path[] = "/tmp/test_inflate-XXXXXX";
	char out_path[sizeof(in_path) + 3], command[128];
	int fd = mkstemp(in_path);
	FILE *f;
	uint8_t *gz;

	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	snprintf(out_path, sizeof(out_path), "%s.gz", in_path);
	snprintf(command, sizeof(command), "gzip -c %s %s > %s", options, in_path, out_path);
	assert_int_equal(system(command), 0);
	gz = read_whole(out_path, gz_len);
	unlink(in_path);
	unlink(out_path);
	return gz;
}

/* gunzips gz, expecting exactly expected back. */
static void check_gunzip(const uint8_t *gz, size_t gz_len, const uint8_t *expected, size_t len)
{
	uint8_t *out = malloc(len + 1);
	struct inflate_result res;
	uint32_t isize;

	assert_non_null(out);
	assert_true(gzip_has_magic(gz, gz_len));
	assert_int_equal(gzip_isize(gz, gz_len, &isize), 0);
	assert_int_equal(isize, (uint32_t)len);
	/* Exactly the size ISIZE gives, as the virt machine does. */
	assert_int_equal(gunzip(&ws, gz, gz_len, out, isize, &res), 0);
	assert_string_equal(res.error, "");
	assert_int_equal(res.out_len, len);
	assert_int_equal(res.in_used, gz_len);
	if (len)
		assert_memory_equal(out, expected, len);
	free(out);
}

/* The type (0 stored, 1 fixed, 2 dynamic) of the first block of a gzip
 * file without optional header fields. */
static unsigned int first_block_type(const uint8_t *gz)
{
	return (gz[10] >> 1) & 3u;
}

/* Deterministic pseudo-random bytes (xorshift32). */
static void fill_random(uint8_t *p, size_t n, uint32_t *seed)
{
	uint32_t x = *seed;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
	*seed = x;
}

/* A DEFLATE stream written by hand: bits least significant first,
 * Huffman codes most significant bit first (RFC 1951 3.1.1). */
struct bitstream {
	uint8_t buf[512];
	size_t bit;
};

static void put_bits(struct bitstream *b, uint32_t value, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++, b->bit++) {
		assert_true(b->bit / 8 < sizeof(b->buf));
		if ((value >> i) & 1)
			b->buf[b->bit / 8] |= (uint8_t)(1u << (b->bit % 8));
	}
}

static void put_code(struct bitstream *b, uint32_t code, unsigned int len)
{
	while (len--)
		put_bits(b, (code >> len) & 1, 1);
}

/* A literal/length symbol in the fixed code (RFC 1951 3.2.6). */
static void put_fixed_litlen(struct bitstream *b, unsigned int sym)
{
	if (sym < 144)
		put_code(b, 0x30 + sym, 8);
	else if (sym < 256)
		put_code(b, 0x190 + sym - 144, 9);
	else if (sym < 280)
		put_code(b, sym - 256, 7);
	else
		put_code(b, 0xc0 + sym - 280, 8);
}

static void put_fixed_dist(struct bitstream *b, unsigned int sym)
{
	put_code(b, sym, 5);
}

static size_t stream_bytes(const struct bitstream *b)
{
	return (b->bit + 7) / 8;
}

static void put_byte_aligned(struct bitstream *b, const void *data, size_t n)
{
	b->bit = stream_bytes(b) * 8;
	assert_true(b->bit / 8 + n <= sizeof(b->buf));
	memcpy(b->buf + b->bit / 8, data, n);
	b->bit += n * 8;
}

/* A stored block of n bytes. */
static void put_stored(struct bitstream *b, bool final, const char *data, size_t n)
{
	uint8_t lens[4] = { (uint8_t)n, (uint8_t)(n >> 8), (uint8_t)~n, (uint8_t)(~n >> 8) };

	put_bits(b, final, 1);
	put_bits(b, 0, 2);
	put_byte_aligned(b, lens, 4);
	put_byte_aligned(b, data, n);
}

/* A gzip member around a raw DEFLATE stream that inflates to data. */
static size_t wrap_gzip(uint8_t *gz, const uint8_t *header, size_t header_len,
			const struct bitstream *deflate, const void *data, size_t len)
{
	size_t n = header_len;
	uint32_t crc = slow_crc32(data, len);

	memcpy(gz, header, header_len);
	memcpy(gz + n, deflate->buf, stream_bytes(deflate));
	n += stream_bytes(deflate);
	for (int i = 0; i < 4; i++)
		gz[n++] = (uint8_t)(crc >> (8 * i));
	for (int i = 0; i < 4; i++)
		gz[n++] = (uint8_t)(len >> (8 * i));
	return n;
}

static const uint8_t plain_header[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };

/* ---- vectors from the host gzip ----------------------------------------- */

static void test_empty(void **state)
{
	size_t gz_len;
	uint8_t *gz = host_gzip("", 0, "-n", &gz_len);

	(void)state;
	assert_int_equal(gz_len, 20);   /* header, an empty fixed block, trailer */
	check_gunzip(gz, gz_len, (const uint8_t *)"", 0);
	free(gz);
}

static void test_stored_from_random_data(void **state)
{
	static uint8_t data[100000];
	uint32_t seed = 1;
	size_t gz_len;
	uint8_t *gz;

	(void)state;
	fill_random(data, sizeof(data), &seed);
	gz = host_gzip(data, sizeof(data), "-n", &gz_len);
	assert_int_equal(first_block_type(gz), 0);
	check_gunzip(gz, gz_len, data, sizeof(data));
	free(gz);
}

static void test_fixed_from_short_text(void **state)
{
	static const char text[] = "hello hello hello hello\n";
	size_t gz_len;
	uint8_t *gz = host_gzip(text, strlen(text), "-n", &gz_len);

	(void)state;
	assert_int_equal(first_block_type(gz), 1);
	check_gunzip(gz, gz_len, (const uint8_t *)text, strlen(text));
	free(gz);
}

static void test_dynamic_from_text_with_file_name(void **state)
{
	char text[20000];
	size_t n = 0, gz_len;
	uint8_t *gz;

	(void)state;
	for (int line = 0; n < sizeof(text) - 64; line++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "line %d: the quick brown fox %x\n",
				      line, line * 7919);
	/* Without -n gzip stores the file name (FNAME) and time. */
	gz = host_gzip(text, n, "-9", &gz_len);
	assert_true(gz[3] & 0x08);
	check_gunzip(gz, gz_len, (const uint8_t *)text, n);
	free(gz);
	gz = host_gzip(text, n, "-n -9", &gz_len);
	assert_int_equal(first_block_type(gz), 2);
	check_gunzip(gz, gz_len, (const uint8_t *)text, n);
	free(gz);
}

/* A few MiB of random runs, text and repeats: many blocks of all kinds. */
static void test_large_mix(void **state)
{
	const size_t size = 3u << 20;
	uint8_t *data = malloc(size);
	uint32_t seed = 12345;
	size_t n = 0, gz_len;
	uint8_t *gz;

	(void)state;
	assert_non_null(data);
	while (n < size) {
		uint8_t pick;
		size_t run;

		fill_random(&pick, 1, &seed);
		run = 1000 + (size_t)pick * 300;
		if (run > size - n)
			run = size - n;
		switch (pick % 3) {
		case 0:
			fill_random(data + n, run, &seed);
			break;
		case 1:
			for (size_t i = 0; i < run; i++)
				data[n + i] = (uint8_t)"Tessera boots gzip'd kernels. "[(i + pick) % 30];
			break;
		default:
			/* A copy of earlier data: distances up to 32 KiB and beyond. */
			for (size_t i = 0; i < run; i++)
				data[n + i] = n > 40000 ? data[n - 40000 + i % 20000] : (uint8_t)i;
			break;
		}
		n += run;
	}
	gz = host_gzip(data, size, "-n -6", &gz_len);
	check_gunzip(gz, gz_len, data, size);
	free(gz);
	gz = host_gzip(data, size, "-n -1", &gz_len);
	check_gunzip(gz, gz_len, data, size);
	free(gz);
	free(data);
}

/* ---- refusals of bad gzip files ----------------------------------------- */

static uint8_t *small_gzip(size_t *gz_len, char *text, size_t text_size)
{
	size_t n = 0;

	for (int i = 0; n < text_size - 40; i++)
		n += (size_t)snprintf(text + n, text_size - n, "%d squared is %d; ", i, i * i);
	text[n] = '\0';
	return host_gzip(text, n, "-n -9", gz_len);
}

static void test_corrupt_crc_and_size(void **state)
{
	char text[600];
	uint8_t out[600];
	size_t gz_len;
	uint8_t *gz = small_gzip(&gz_len, text, sizeof(text));
	struct inflate_result res;

	(void)state;
	gz[gz_len - 8] ^= 1;            /* CRC-32 */
	assert_int_equal(gunzip(&ws, gz, gz_len, out, sizeof(out), &res), -EBADMSG);
	assert_non_null(strstr(res.error, "CRC-32 of the data is 0x"));
	gz[gz_len - 8] ^= 1;
	gz[gz_len - 3] ^= 1;            /* ISIZE */
	assert_int_equal(gunzip(&ws, gz, gz_len, out, sizeof(out), &res), -EBADMSG);
	assert_non_null(strstr(res.error, "bytes of data, the trailer says"));
	gz[gz_len - 3] ^= 1;
	assert_int_equal(gunzip(&ws, gz, gz_len, out, sizeof(out), &res), 0);
	assert_int_equal(res.out_len, strlen(text));
	assert_memory_equal(out, text, res.out_len);
	free(gz);
}

static void test_truncated_at_every_length(void **state)
{
	char text[600];
	uint8_t out[600];
	size_t gz_len;
	uint8_t *gz = small_gzip(&gz_len, text, sizeof(text));
	struct inflate_result res;

	(void)state;
	for (size_t len = 0; len < gz_len; len++) {
		/* An exact-size copy so that a read past it is caught by ASan. */
		uint8_t *part = malloc(len ? len : 1);

		memcpy(part, gz, len);
		assert_int_equal(gunzip(&ws, part, len, out, sizeof(out), &res), -ENODATA);
		assert_non_null(strstr(res.error, "input ends"));
		free(part);
	}
	free(gz);
}

static void test_output_buffer_too_small(void **state)
{
	char text[600];
	uint8_t out[600];
	size_t gz_len, len;
	uint8_t *gz = small_gzip(&gz_len, text, sizeof(text));
	struct inflate_result res;

	(void)state;
	len = strlen(text);
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(gunzip(&ws, gz, gz_len, out, len - 1, &res), -ENOSPC);
	/* A back reference that does not fit is not written at all. */
	assert_true(res.out_len <= len - 1);
	assert_memory_equal(out, text, res.out_len);
	assert_int_equal(out[len - 1], 0xaa);   /* nothing written past the end */
	assert_int_equal(gunzip(&ws, gz, gz_len, out, 0, &res), -ENOSPC);
	free(gz);
}

static void test_data_after_the_member_is_left(void **state)
{
	char text[600];
	uint8_t out[600], *longer;
	size_t gz_len;
	uint8_t *gz = small_gzip(&gz_len, text, sizeof(text));
	struct inflate_result res;

	(void)state;
	longer = calloc(1, gz_len + 100);
	memcpy(longer, gz, gz_len);
	assert_int_equal(gunzip(&ws, longer, gz_len + 100, out, sizeof(out), &res), 0);
	assert_int_equal(res.in_used, gz_len);
	free(longer);
	free(gz);
}

/* ---- gzip headers made by hand ------------------------------------------ */

static void test_header_fields(void **state)
{
	/* FTEXT | FHCRC | FEXTRA | FNAME | FCOMMENT */
	uint8_t header[64] = { 0x1f, 0x8b, 8, 0x1f, 1, 2, 3, 4, 2, 3, 5, 0, 'A', 'p', 3, 0, 'x',
			       'y', 'z', 'I', 'm', 'a', 'g', 'e', 0, 'h', 'i', 0 };
	size_t header_len = 28, gz_len;
	uint32_t crc = slow_crc32(header, header_len);
	struct bitstream b = { 0 };
	uint8_t gz[128], out[16];
	struct inflate_result res;

	(void)state;
	header[header_len++] = (uint8_t)crc;
	header[header_len++] = (uint8_t)(crc >> 8);
	put_stored(&b, true, "kernel", 6);
	gz_len = wrap_gzip(gz, header, header_len, &b, "kernel", 6);
	assert_int_equal(gunzip(&ws, gz, gz_len, out, sizeof(out), &res), 0);
	assert_int_equal(res.out_len, 6);
	assert_memory_equal(out, "kernel", 6);

	gz[28] ^= 0xff;                          /* header CRC */
	assert_int_equal(gunzip(&ws, gz, gz_len, out, sizeof(out), &res), -EBADMSG);
	assert_string_equal(res.error, "gzip header CRC does not match");
	gz[28] ^= 0xff;
	gz[3] |= 0x20;                           /* a reserved flag */
	assert_int_equal(gunzip(&ws, gz, gz_len, out, sizeof(out), &res), -EINVAL);
	assert_string_equal(res.error, "reserved gzip header flags are set");
	gz[3] &= 0x1f;
	gz[2] = 7;                               /* not deflate */
	assert_int_equal(gunzip(&ws, gz, gz_len, out, sizeof(out), &res), -EINVAL);
	assert_string_equal(res.error, "compression method is not deflate (8)");
	gz[2] = 8;
	gz[1] = 0x8c;
	assert_int_equal(gunzip(&ws, gz, gz_len, out, sizeof(out), &res), -EINVAL);
	assert_string_equal(res.error, "no gzip magic (1f 8b)");
	gz[1] = 0x8b;
	/* An FEXTRA length running past the end. */
	gz[10] = 0xff;
	assert_int_equal(gunzip(&ws, gz, gz_len, out, sizeof(out), &res), -ENODATA);
	assert_false(gzip_has_magic(gz, 1));
	assert_int_equal(gzip_isize(gz, 17, &crc), -EINVAL);
}

/* ---- DEFLATE streams made by hand --------------------------------------- */

static void test_fixed_back_reference_overlapping(void **state)
{
	struct bitstream b = { 0 };
	uint8_t out[16];
	struct inflate_result res;

	(void)state;
	put_bits(&b, 1, 1);             /* final */
	put_bits(&b, 1, 2);             /* fixed */
	put_fixed_litlen(&b, 'a');
	put_fixed_litlen(&b, 'b');
	put_fixed_litlen(&b, 262);      /* length 8 */
	put_fixed_dist(&b, 1);          /* distance 2 */
	put_fixed_litlen(&b, 256);
	assert_int_equal(inflate_raw(&ws, b.buf, stream_bytes(&b), out, sizeof(out), &res), 0);
	assert_int_equal(res.out_len, 10);
	assert_memory_equal(out, "ababababab", 10);
	assert_int_equal(res.in_used, stream_bytes(&b));
}

static void test_multi_block(void **state)
{
	struct bitstream b = { 0 };
	uint8_t out[64], gz[600];
	size_t gz_len;
	struct inflate_result res;

	(void)state;
	put_stored(&b, false, "stored ", 7);
	put_bits(&b, 0, 1);
	put_bits(&b, 1, 2);             /* fixed, not final */
	put_fixed_litlen(&b, 'x');
	put_fixed_litlen(&b, 258);      /* length 4 */
	put_fixed_dist(&b, 0);          /* distance 1 */
	put_fixed_litlen(&b, 285);      /* length 258 */
	put_fixed_dist(&b, 4);          /* distance 5, 6 (1 extra bit) */
	put_bits(&b, 1, 1);
	put_fixed_litlen(&b, 256);
	put_stored(&b, false, "", 0);   /* an empty stored block, as a flush writes */
	put_stored(&b, true, " end", 4);

	/* 7 + 5 + 258 + 4 bytes: too much for out[] */
	assert_int_equal(inflate_raw(&ws, b.buf, stream_bytes(&b), out, sizeof(out), &res),
			 -ENOSPC);
	assert_string_equal(res.error, "output does not fit in 64 bytes");
	{
		uint8_t big[300], expected[300];
		size_t n = 0;

		memcpy(expected, "stored xxxxx", 12);
		n = 12;
		for (int i = 0; i < 258; i++, n++)
			expected[n] = expected[n - 6];
		memcpy(expected + n, " end", 4);
		n += 4;
		assert_int_equal(inflate_raw(&ws, b.buf, stream_bytes(&b), big, sizeof(big), &res),
				 0);
		assert_int_equal(res.out_len, n);
		assert_memory_equal(big, expected, n);
		gz_len = wrap_gzip(gz, plain_header, sizeof(plain_header), &b, expected, n);
		check_gunzip(gz, gz_len, expected, n);
	}
}

static void test_bad_block_type(void **state)
{
	struct bitstream b = { 0 };
	uint8_t out[16];
	struct inflate_result res;

	(void)state;
	put_stored(&b, false, "ok", 2);
	put_bits(&b, 1, 1);
	put_bits(&b, 3, 2);             /* reserved type 3 */
	assert_int_equal(inflate_raw(&ws, b.buf, stream_bytes(&b), out, sizeof(out), &res),
			 -EINVAL);
	assert_string_equal(res.error, "invalid block type 3 before input byte 7");
	assert_int_equal(res.out_len, 2);
}

static void test_distance_too_far_back(void **state)
{
	struct bitstream b = { 0 };
	uint8_t out[16];
	struct inflate_result res;

	(void)state;
	put_bits(&b, 1, 1);
	put_bits(&b, 1, 2);
	put_fixed_litlen(&b, 'a');
	put_fixed_litlen(&b, 257);      /* length 3 */
	put_fixed_dist(&b, 1);          /* distance 2, one byte written */
	put_fixed_litlen(&b, 256);
	assert_int_equal(inflate_raw(&ws, b.buf, stream_bytes(&b), out, sizeof(out), &res),
			 -EINVAL);
	assert_string_equal(res.error, "distance 2 too far back (1 bytes written)");

	/* The first symbol a back reference: nothing to copy from. */
	memset(&b, 0, sizeof(b));
	put_bits(&b, 1, 1);
	put_bits(&b, 1, 2);
	put_fixed_litlen(&b, 257);
	put_fixed_dist(&b, 0);
	assert_int_equal(inflate_raw(&ws, b.buf, stream_bytes(&b), out, sizeof(out), &res),
			 -EINVAL);
	assert_string_equal(res.error, "distance 1 too far back (0 bytes written)");
}

static void test_invalid_fixed_symbols(void **state)
{
	struct bitstream b = { 0 };
	uint8_t out[16];
	struct inflate_result res;

	(void)state;
	put_bits(&b, 1, 1);
	put_bits(&b, 1, 2);
	put_fixed_litlen(&b, 286);      /* has a fixed code, means nothing */
	assert_int_equal(inflate_raw(&ws, b.buf, stream_bytes(&b), out, sizeof(out), &res),
			 -EINVAL);
	assert_non_null(strstr(res.error, "invalid length symbol 286"));

	memset(&b, 0, sizeof(b));
	put_bits(&b, 1, 1);
	put_bits(&b, 1, 2);
	put_fixed_litlen(&b, 'a');
	put_fixed_litlen(&b, 257);
	put_fixed_dist(&b, 30);
	assert_int_equal(inflate_raw(&ws, b.buf, stream_bytes(&b), out, sizeof(out), &res),
			 -EINVAL);
	assert_non_null(strstr(res.error, "invalid distance symbol 30"));
}

static void test_stored_length_complement(void **state)
{
	static const uint8_t bad[] = { 0x01, 0x05, 0x00, 0xfa, 0xfe, 'h', 'e', 'l', 'l', 'o' };
	static const uint8_t good[] = { 0x01, 0x05, 0x00, 0xfa, 0xff, 'h', 'e', 'l', 'l', 'o' };
	uint8_t out[16];
	struct inflate_result res;

	(void)state;
	assert_int_equal(inflate_raw(&ws, bad, sizeof(bad), out, sizeof(out), &res), -EINVAL);
	assert_string_equal(res.error, "stored block length at input byte 1 does not match its "
				       "complement (0x5)");
	assert_int_equal(inflate_raw(&ws, good, sizeof(good), out, sizeof(out), &res), 0);
	assert_int_equal(res.in_used, sizeof(good));
	assert_memory_equal(out, "hello", 5);
	assert_int_equal(inflate_raw(&ws, good, sizeof(good) - 1, out, sizeof(out), &res),
			 -ENODATA);
}

/* A dynamic block header: the code-length code, then nothing more. */
static void put_dynamic_header(struct bitstream *b, unsigned int hlit, unsigned int hdist,
			       const uint8_t clen[19])
{
	static const uint8_t order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13,
					   2, 14, 1, 15 };

	put_bits(b, 1, 1);
	put_bits(b, 2, 2);
	put_bits(b, hlit - 257, 5);
	put_bits(b, hdist - 1, 5);
	put_bits(b, 19 - 4, 4);
	for (int i = 0; i < 19; i++)
		put_bits(b, clen[order[i]], 3);
}

static void test_bad_dynamic_headers(void **state)
{
	/* Code-length code: lengths 0..15 unused except 8 and 0 (2 bits),
	 * 16 and 18 (2 bits): a complete code of four 2-bit codes in symbol
	 * order 0 -> 00, 8 -> 01, 16 -> 10, 18 -> 11. */
	uint8_t clen[19] = { 0 };
	struct bitstream b = { 0 };
	uint8_t out[16];
	struct inflate_result res;

	(void)state;
	clen[0] = clen[8] = clen[16] = clen[18] = 2;

	/* HLIT 287 */
	put_dynamic_header(&b, 287, 1, clen);
	assert_int_equal(inflate_raw(&ws, b.buf, stream_bytes(&b), out, sizeof(out), &res),
			 -EINVAL);
	assert_string_equal(res.error, "dynamic block announces 287 literal/length and 1 distance "
				       "codes (at most 286 and 30)");

	/* A repeat (16) with nothing before it. */
	memset(&b, 0, sizeof(b));
	put_dynamic_header(&b, 257, 1, clen);
	put_code(&b, 2, 2);
	put_bits(&b, 0, 2);
	assert_int_equal(inflate_raw(&ws, b.buf, stream_bytes(&b), out, sizeof(out), &res),
			 -EINVAL);
	assert_non_null(strstr(res.error, "code length repeat with nothing to repeat"));

	/* Zeros (18, 138 of them) twice: 276 > 258 codes. */
	memset(&b, 0, sizeof(b));
	put_dynamic_header(&b, 257, 1, clen);
	put_code(&b, 3, 2);
	put_bits(&b, 127, 7);
	put_code(&b, 3, 2);
	put_bits(&b, 127, 7);
	assert_int_equal(inflate_raw(&ws, b.buf, stream_bytes(&b), out, sizeof(out), &res),
			 -EINVAL);
	assert_non_null(strstr(res.error, "code lengths run past the 258 codes"));

	/* All 258 lengths 0: no end-of-block code. */
	memset(&b, 0, sizeof(b));
	put_dynamic_header(&b, 257, 1, clen);
	put_code(&b, 3, 2);
	put_bits(&b, 127, 7);           /* 138 */
	put_code(&b, 3, 2);
	put_bits(&b, 109, 7);           /* 120 */
	assert_int_equal(inflate_raw(&ws, b.buf, stream_bytes(&b), out, sizeof(out), &res),
			 -EINVAL);
	assert_non_null(strstr(res.error, "without an end-of-block code"));

	/* Code-length code over-subscribed: five codes of 2 bits. */
	memset(&b, 0, sizeof(b));
	clen[1] = 2;
	put_dynamic_header(&b, 257, 1, clen);
	assert_int_equal(inflate_raw(&ws, b.buf, stream_bytes(&b), out, sizeof(out), &res),
			 -EINVAL);
	assert_non_null(strstr(res.error, "over-subscribed code length code"));
}

/*
 * A complete dynamic block by hand: literals 'a' and 'b' and end-of-block
 * with lengths 1, 2, 2 (codes 0, 10, 11), one distance code of length 1
 * (an incomplete code, which the RFC allows).
 */
static void test_hand_made_dynamic_block(void **state)
{
	uint8_t clen[19] = { 0 };
	struct bitstream b = { 0 };
	uint8_t out[16];
	struct inflate_result res;

	(void)state;
	/* Code-length code: 0 -> 00, 1 -> 01, 2 -> 10, 18 -> 11. */
	clen[0] = clen[1] = clen[2] = clen[18] = 2;
	put_dynamic_header(&b, 257, 1, clen);
	/* lengths[0..96] = 0: 97 zeros, then 'a' (97) = 1, 'b' (98) = 2 */
	put_code(&b, 3, 2);
	put_bits(&b, 97 - 11, 7);
	put_code(&b, 1, 2);             /* 'a': 1 */
	put_code(&b, 2, 2);             /* 'b': 2 */
	/* 99..255: 157 zeros = 138 + 19 */
	put_code(&b, 3, 2);
	put_bits(&b, 127, 7);
	put_code(&b, 3, 2);
	put_bits(&b, 19 - 11, 7);
	put_code(&b, 2, 2);             /* 256: 2 */
	put_code(&b, 1, 2);             /* the one distance code: 1 */
	/* Data: a b a b a, end */
	put_code(&b, 0, 1);
	put_code(&b, 2, 2);
	put_code(&b, 0, 1);
	put_code(&b, 2, 2);
	put_code(&b, 0, 1);
	put_code(&b, 3, 2);
	assert_int_equal(inflate_raw(&ws, b.buf, stream_bytes(&b), out, sizeof(out), &res), 0);
	assert_int_equal(res.out_len, 5);
	assert_memory_equal(out, "ababa", 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_stored_from_random_data),
		cmocka_unit_test(test_fixed_from_short_text),
		cmocka_unit_test(test_dynamic_from_text_with_file_name),
		cmocka_unit_test(test_large_mix),
		cmocka_unit_test(test_corrupt_crc_and_size),
		cmocka_unit_test(test_truncated_at_every_length),
		cmocka_unit_test(test_output_buffer_too_small),
		cmocka_unit_test(test_data_after_the_member_is_left),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_fixed_back_reference_overlapping),
		cmocka_unit_test(test_multi_block),
		cmocka_unit_test(test_bad_block_type),
		cmocka_unit_test(test_distance_too_far_back),
		cmocka_unit_test(test_invalid_fixed_symbols),
		cmocka_unit_test(test_stored_length_complement),
		cmocka_unit_test(test_bad_dynamic_headers),
		cmocka_unit_test(test_hand_made_dynamic_block),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
