/* SPDX-License-Identifier: MIT */
/*
 * DEFLATE (RFC 1951) and gzip (RFC 1952) decompression, see <lib/inflate.h>.
 *
 * A DEFLATE stream is a series of blocks; each starts with 3 bits (last
 * block?, type) and is either stored (raw bytes after a length and its
 * complement), compressed with the fixed Huffman codes of the RFC, or
 * compressed with codes given at its start ("dynamic").  A compressed
 * block is a series of literal bytes and (length, distance) back
 * references into what was written before, ended by symbol 256.
 *
 * Bits are read least significant first; Huffman codes are stored starting
 * with their most significant bit, so a code read from the bit buffer
 * comes out bit-reversed and the fast tables are indexed that way.
 */
#include <lib/inflate.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FAST_MASK ((1u << INFLATE_FAST_BITS) - 1)
#define LITLEN_CODES_MAX   286      /* HLIT may announce at most this many */
#define DIST_CODES_MAX     30
#define CODE_LENGTH_CODES  19
#define END_OF_BLOCK       256

/* Lengths 3..258 of symbols 257..285: base value and extra bits. */
static const uint16_t length_base[29] = {
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
	35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
};
static const uint8_t length_extra[29] = {
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
	3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
};
/* Distances 1..32768 of distance symbols 0..29. */
static const uint16_t dist_base[30] = {
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
	257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
};
static const uint8_t dist_extra[30] = {
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
	7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
};
/* The order in which a dynamic block lists the code length code's lengths. */
static const uint8_t code_length_order[CODE_LENGTH_CODES] = {
	16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
};

struct inflater {
	const uint8_t *in;
	size_t in_len;
	size_t in_pos;          /* next byte to move into bits           */
	size_t in_base;         /* offset of in[0] in the caller's data  */
	uint64_t bits;          /* unread bits, the next one in bit 0    */
	unsigned int bit_count;
	uint8_t *out;
	size_t out_cap, out_len;
	struct inflate_workspace *ws;
	struct inflate_result *res;
};

/* Records why decoding stopped; returns err. */
__attribute__((format(printf, 3, 4)))
static int fail(struct inflater *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->res->error, sizeof(s->res->error), fmt, ap);
	va_end(ap);
	return err;
}

/* The input byte that holds the next unread bit (for messages). */
static size_t input_byte(const struct inflater *s)
{
	return s->in_base + s->in_pos - (s->bit_count + 7) / 8;
}

static int truncated(struct inflater *s)
{
	return fail(s, -ENODATA, "input ends at byte %zu, inside the DEFLATE data",
		    s->in_base + s->in_len);
}

static void refill(struct inflater *s)
{
	while (s->bit_count <= 56 && s->in_pos < s->in_len) {
		s->bits |= (uint64_t)s->in[s->in_pos++] << s->bit_count;
		s->bit_count += 8;
	}
}

static void drop_bits(struct inflater *s, unsigned int n)
{
	s->bits >>= n;
	s->bit_count -= n;
}

/* The next n (at most 32) bits as a number, first bit least significant. */
static int get_bits(struct inflater *s, unsigned int n, uint32_t *value)
{
	refill(s);
	if (s->bit_count < n)
		return truncated(s);
	*value = (uint32_t)(s->bits & ((1ull << n) - 1));
	drop_bits(s, n);
	return 0;
}

/*
 * Builds the canonical Huffman code of RFC 1951 3.2.2 for n symbols with
 * the given code lengths (0: unused).  Over-subscribed length sets are
 * refused; incomplete ones are accepted (a single distance code is legal)
 * and an unassigned bit pattern is refused when it is met in the data.
 */
static int build_huffman(struct inflater *s, struct inflate_huffman *h, const uint8_t *lengths,
			 unsigned int n, const char *what)
{
	uint16_t next_index[INFLATE_MAX_BITS + 1];
	unsigned int len, sym, index, code;
	int left = 1;

	memset(h->count, 0, sizeof(h->count));
	for (sym = 0; sym < n; sym++)
		h->count[lengths[sym]]++;
	h->count[0] = 0;
	for (len = 1; len <= INFLATE_MAX_BITS; len++) {
		left = left * 2 - h->count[len];
		if (left < 0)
			return fail(s, -EINVAL, "over-subscribed %s code before input byte %zu",
				    what, input_byte(s));
	}
	next_index[1] = 0;
	for (len = 1; len < INFLATE_MAX_BITS; len++)
		next_index[len + 1] = (uint16_t)(next_index[len] + h->count[len]);
	for (sym = 0; sym < n; sym++)
		if (lengths[sym])
			h->symbol[next_index[lengths[sym]]++] = (uint16_t)sym;

	/* Every code of up to FAST_BITS bits fills all table slots whose low
	 * bits are its reversed bit pattern. */
	memset(h->fast, 0, sizeof(h->fast));
	code = 0;
	index = 0;
	for (len = 1; len <= INFLATE_FAST_BITS; len++) {
		for (unsigned int k = 0; k < h->count[len]; k++, code++, index++) {
			unsigned int reversed = 0;

			for (unsigned int b = 0; b < len; b++)
				reversed |= ((code >> b) & 1u) << (len - 1 - b);
			for (unsigned int slot = reversed; slot <= FAST_MASK; slot += 1u << len)
				h->fast[slot] = (uint16_t)(h->symbol[index] << 4 | len);
		}
		code <<= 1;
	}
	return 0;
}

/* The next symbol of code h. */
static int decode(struct inflater *s, const struct inflate_huffman *h, unsigned int *symbol)
{
	uint16_t entry;
	int code = 0, first = 0, index = 0;

	refill(s);
	entry = h->fast[s->bits & FAST_MASK];
	if (entry) {
		if ((entry & 15u) > s->bit_count)
			return truncated(s);
		drop_bits(s, entry & 15u);
		*symbol = entry >> 4;
		return 0;
	}
	/* Longer than FAST_BITS, or not a code: walk the canonical code one
	 * length at a time.  first is the first code of this length, index
	 * the position of its symbol in h->symbol. */
	for (unsigned int len = 1; len <= INFLATE_MAX_BITS; len++) {
		if (len > s->bit_count)
			return truncated(s);
		code |= (int)((s->bits >> (len - 1)) & 1u);
		if (code >= first && code - first < h->count[len]) {
			*symbol = h->symbol[index + code - first];
			drop_bits(s, len);
			return 0;
		}
		index += h->count[len];
		first = (first + h->count[len]) << 1;
		code <<= 1;
	}
	return fail(s, -EINVAL, "invalid Huffman code at input byte %zu", input_byte(s));
}

static int put_byte(struct inflater *s, unsigned int byte)
{
	if (s->out_len >= s->out_cap)
		return fail(s, -ENOSPC, "output does not fit in %zu bytes", s->out_cap);
	s->out[s->out_len++] = (uint8_t)byte;
	return 0;
}

/* Literals and back references until the end-of-block symbol. */
static int inflate_codes(struct inflater *s)
{
	const struct inflate_huffman *litlen = &s->ws->litlen, *dist = &s->ws->dist;
	unsigned int sym;
	uint32_t extra;
	size_t length, distance;
	int ret;

	for (;;) {
		ret = decode(s, litlen, &sym);
		if (ret)
			return ret;
		if (sym < 256) {
			ret = put_byte(s, sym);
			if (ret)
				return ret;
			continue;
		}
		if (sym == END_OF_BLOCK)
			return 0;
		sym -= 257;
		if (sym >= 29)
			return fail(s, -EINVAL, "invalid length symbol %zu before input byte %zu",
				    (size_t)sym + 257, input_byte(s));
		ret = get_bits(s, length_extra[sym], &extra);
		if (ret)
			return ret;
		length = length_base[sym] + extra;

		ret = decode(s, dist, &sym);
		if (ret)
			return ret;
		if (sym >= 30)
			return fail(s, -EINVAL, "invalid distance symbol %zu before input byte %zu",
				    (size_t)sym, input_byte(s));
		ret = get_bits(s, dist_extra[sym], &extra);
		if (ret)
			return ret;
		distance = dist_base[sym] + extra;

		if (distance > s->out_len)
			return fail(s, -EINVAL, "distance %zu too far back (%zu bytes written)",
				    distance, s->out_len);
		if (length > s->out_cap - s->out_len)
			return fail(s, -ENOSPC, "output does not fit in %zu bytes", s->out_cap);
		/* A source that overlaps what is being written (distance 1
		 * repeats the last byte length times) is copied byte by byte. */
		if (distance >= length)
			memcpy(s->out + s->out_len, s->out + s->out_len - distance, length);
		else
			for (uint8_t *to = s->out + s->out_len, *from = to - distance,
				     *end = to + length; to < end;)
				*to++ = *from++;
		s->out_len += length;
	}
}

static int inflate_stored(struct inflater *s)
{
	size_t len, nlen;

	/* Skip to the byte boundary and give back the whole bytes still in
	 * the bit buffer: the block's header is byte-aligned input. */
	drop_bits(s, s->bit_count % 8);
	s->in_pos -= s->bit_count / 8;
	s->bits = 0;
	s->bit_count = 0;
	if (s->in_len - s->in_pos < 4)
		return truncated(s);
	len = s->in[s->in_pos] | (size_t)s->in[s->in_pos + 1] << 8;
	nlen = s->in[s->in_pos + 2] | (size_t)s->in[s->in_pos + 3] << 8;
	if ((len ^ 0xffffu) != nlen)
		return fail(s, -EINVAL, "stored block length at input byte %zu does not match its "
			    "complement (0x%zx)", s->in_base + s->in_pos, len);
	s->in_pos += 4;
	if (len > s->in_len - s->in_pos)
		return truncated(s);
	if (len > s->out_cap - s->out_len)
		return fail(s, -ENOSPC, "output does not fit in %zu bytes", s->out_cap);
	memcpy(s->out + s->out_len, s->in + s->in_pos, len);
	s->out_len += len;
	s->in_pos += len;
	return 0;
}

static int build_fixed_codes(struct inflater *s)
{
	uint8_t lengths[288];
	unsigned int sym;
	int ret;

	for (sym = 0; sym < 288; sym++)
		lengths[sym] = sym < 144 ? 8 : sym < 256 ? 9 : sym < 280 ? 7 : 8;
	ret = build_huffman(s, &s->ws->litlen, lengths, 288, "literal/length");
	/* 32 five-bit distance codes; 30 and 31 are refused when met. */
	memset(lengths, 5, 32);
	return ret ? ret : build_huffman(s, &s->ws->dist, lengths, 32, "distance");
}

static int build_dynamic_codes(struct inflater *s)
{
	uint8_t lengths[LITLEN_CODES_MAX + DIST_CODES_MAX];
	uint32_t hlit, hdist, hclen, value;
	unsigned int n = 0, total, sym;
	int ret;

	ret = get_bits(s, 5, &hlit);
	if (!ret)
		ret = get_bits(s, 5, &hdist);
	if (!ret)
		ret = get_bits(s, 4, &hclen);
	if (ret)
		return ret;
	hlit += 257;
	hdist += 1;
	hclen += 4;
	if (hlit > LITLEN_CODES_MAX || hdist > DIST_CODES_MAX)
		return fail(s, -EINVAL, "dynamic block announces %zu literal/length and %zu distance "
			    "codes (at most 286 and 30)", (size_t)hlit, (size_t)hdist);

	/* The code that the code lengths themselves are written in. */
	memset(lengths, 0, CODE_LENGTH_CODES);
	for (unsigned int i = 0; i < hclen; i++) {
		ret = get_bits(s, 3, &value);
		if (ret)
			return ret;
		lengths[code_length_order[i]] = (uint8_t)value;
	}
	ret = build_huffman(s, &s->ws->litlen, lengths, CODE_LENGTH_CODES, "code length");
	if (ret)
		return ret;

	total = hlit + hdist;
	while (n < total) {
		unsigned int repeat, fill;

		ret = decode(s, &s->ws->litlen, &sym);
		if (ret)
			return ret;
		if (sym < 16) {
			lengths[n++] = (uint8_t)sym;
			continue;
		}
		if (sym == 16) {
			if (n == 0)
				return fail(s, -EINVAL, "code length repeat with nothing to repeat at "
					    "input byte %zu", input_byte(s));
			fill = lengths[n - 1];
			ret = get_bits(s, 2, &value);
			repeat = 3 + value;
		} else if (sym == 17) {
			fill = 0;
			ret = get_bits(s, 3, &value);
			repeat = 3 + value;
		} else {
			fill = 0;
			ret = get_bits(s, 7, &value);
			repeat = 11 + value;
		}
		if (ret)
			return ret;
		if (repeat > total - n)
			return fail(s, -EINVAL, "code lengths run past the %zu codes at input byte %zu",
				    (size_t)total, input_byte(s));
		memset(lengths + n, (int)fill, repeat);
		n += repeat;
	}
	if (lengths[END_OF_BLOCK] == 0)
		return fail(s, -EINVAL, "dynamic block without an end-of-block code before input "
			    "byte %zu", input_byte(s));
	ret = build_huffman(s, &s->ws->litlen, lengths, hlit, "literal/length");
	return ret ? ret : build_huffman(s, &s->ws->dist, lengths + hlit, hdist, "distance");
}

static int inflate_stream(struct inflater *s)
{
	uint32_t header;
	int ret;

	do {
		ret = get_bits(s, 3, &header);
		if (ret)
			return ret;
		switch (header >> 1) {
		case 0:
			ret = inflate_stored(s);
			break;
		case 1:
			ret = build_fixed_codes(s);
			if (!ret)
				ret = inflate_codes(s);
			break;
		case 2:
			ret = build_dynamic_codes(s);
			if (!ret)
				ret = inflate_codes(s);
			break;
		default:
			ret = fail(s, -EINVAL, "invalid block type 3 before input byte %zu",
				   input_byte(s));
			break;
		}
		if (ret)
			return ret;
	} while (!(header & 1));
	return 0;
}

static int run_inflate(struct inflate_workspace *ws, const uint8_t *in, size_t in_len,
		       size_t in_base, void *out, size_t out_cap, struct inflate_result *res)
{
	struct inflater s = {
		.in = in, .in_len = in_len, .in_base = in_base,
		.out = out, .out_cap = out_cap, .ws = ws, .res = res,
	};
	int ret = inflate_stream(&s);

	res->out_len = s.out_len;
	/* The last byte is used even if only some of its bits were. */
	res->in_used = s.in_pos - s.bit_count / 8;
	return ret;
}

int inflate_raw(struct inflate_workspace *ws, const void *in, size_t in_len, void *out,
		size_t out_cap, struct inflate_result *res)
{
	res->error[0] = '\0';
	return run_inflate(ws, in, in_len, 0, out, out_cap, res);
}

/* ---- gzip ---------------------------------------------------------------- */

#define GZIP_FTEXT    0x01u
#define GZIP_FHCRC    0x02u
#define GZIP_FEXTRA   0x04u
#define GZIP_FNAME    0x08u
#define GZIP_FCOMMENT 0x10u
#define GZIP_FRESERVED 0xe0u
#define GZIP_HEADER_SIZE  10
#define GZIP_TRAILER_SIZE 8

/*
 * CRC-32 of gzip (and Ethernet, PNG): the reflected polynomial 0xEDB88320.
 * table[0] advances the CRC by one byte; table[k] by one byte followed by
 * k zero bytes, so that four bytes are folded in at once.
 */
static void crc32_make_table(uint32_t table[4][256])
{
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[0][n] = c;
	}
	for (uint32_t n = 0; n < 256; n++)
		for (int k = 1; k < 4; k++)
			table[k][n] = (table[k - 1][n] >> 8) ^ table[0][table[k - 1][n] & 0xff];
}

static uint32_t crc32_of(const uint32_t table[4][256], const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;

	for (; n >= 4; n -= 4, p += 4) {
		crc ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		       (uint32_t)p[3] << 24;
		crc = table[3][crc & 0xff] ^ table[2][(crc >> 8) & 0xff] ^
		      table[1][(crc >> 16) & 0xff] ^ table[0][crc >> 24];
	}
	while (n--)
		crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc ^ 0xffffffffu;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool gzip_has_magic(const void *data, size_t len)
{
	const uint8_t *p = data;

	return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

int gzip_isize(const void *data, size_t len, uint32_t *isize)
{
	if (len < GZIP_HEADER_SIZE + GZIP_TRAILER_SIZE)
		return -EINVAL;
	*isize = le32((const uint8_t *)data + len - 4);
	return 0;
}

/* Skips a zero-terminated header field; false if the input ends first. */
static bool skip_string(const uint8_t *in, size_t len, size_t *pos)
{
	const uint8_t *nul = memchr(in + *pos, 0, len - *pos);

	if (!nul)
		return false;
	*pos = (size_t)(nul - in) + 1;
	return true;
}

static int header_fail(struct inflate_result *res, int err, const char *why)
{
	snprintf(res->error, sizeof(res->error), "%s", why);
	return err;
}

int gunzip(struct inflate_workspace *ws, const void *in, size_t in_len, void *out,
	   size_t out_cap, struct inflate_result *res)
{
	const uint8_t *p = in;
	size_t pos = GZIP_HEADER_SIZE;
	uint32_t crc;
	uint8_t flags;
	int ret;

	res->error[0] = '\0';
	res->in_used = 0;
	res->out_len = 0;
	if (in_len < 2)
		return header_fail(res, -ENODATA, "input ends inside the gzip header");
	if (!gzip_has_magic(in, in_len))
		return header_fail(res, -EINVAL, "no gzip magic (1f 8b)");
	if (in_len < GZIP_HEADER_SIZE)
		return header_fail(res, -ENODATA, "input ends inside the gzip header");
	if (p[2] != 8)
		return header_fail(res, -EINVAL, "compression method is not deflate (8)");
	flags = p[3];
	if (flags & GZIP_FRESERVED)
		return header_fail(res, -EINVAL, "reserved gzip header flags are set");
	if (flags & GZIP_FEXTRA) {
		size_t xlen;

		if (in_len - pos < 2)
			return header_fail(res, -ENODATA, "input ends inside the gzip header");
		xlen = p[pos] | (size_t)p[pos + 1] << 8;
		if (in_len - pos - 2 < xlen)
			return header_fail(res, -ENODATA, "input ends inside the gzip header");
		pos += 2 + xlen;
	}
	if ((flags & GZIP_FNAME) && !skip_string(p, in_len, &pos))
		return header_fail(res, -ENODATA, "input ends inside the gzip header's file name");
	if ((flags & GZIP_FCOMMENT) && !skip_string(p, in_len, &pos))
		return header_fail(res, -ENODATA, "input ends inside the gzip header's comment");
	crc32_make_table(ws->crc_table);
	if (flags & GZIP_FHCRC) {
		if (in_len - pos < 2)
			return header_fail(res, -ENODATA, "input ends inside the gzip header");
		/* The low 16 bits of the CRC-32 of the header before it. */
		if ((crc32_of(ws->crc_table, p, pos) & 0xffffu) != (p[pos] | (uint32_t)p[pos + 1] << 8))
			return header_fail(res, -EBADMSG, "gzip header CRC does not match");
		pos += 2;
	}

	ret = run_inflate(ws, p + pos, in_len - pos, pos, out, out_cap, res);
	res->in_used += pos;
	if (ret)
		return ret;
	pos = res->in_used;
	if (in_len - pos < GZIP_TRAILER_SIZE)
		return header_fail(res, -ENODATA, "input ends inside the gzip trailer");
	crc = crc32_of(ws->crc_table, out, res->out_len);
	if (crc != le32(p + pos)) {
		snprintf(res->error, sizeof(res->error), "CRC-32 of the data is 0x%08x, the trailer "
			 "says 0x%08x", (unsigned int)crc, (unsigned int)le32(p + pos));
		return -EBADMSG;
	}
	if ((uint32_t)res->out_len != le32(p + pos + 4)) {
		snprintf(res->error, sizeof(res->error), "%zu bytes of data, the trailer says %u "
			 "(mod 2^32)", res->out_len, (unsigned int)le32(p + pos + 4));
		return -EBADMSG;
	}
	res->in_used = pos + GZIP_TRAILER_SIZE;
	return 0;
}
