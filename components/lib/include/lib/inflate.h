/* SPDX-License-Identifier: MIT */
/*
 * DEFLATE (RFC 1951) and gzip (RFC 1952) decompression into a buffer the
 * caller provides, in one call: the whole input is in memory, the whole
 * output goes to memory, so no sliding window is kept; back references
 * point into the output itself.
 *
 * The input is untrusted (a gzip'd kernel from the boot archive, fuzzers):
 * every input byte is bounds-checked, the output never goes past out_cap,
 * and every malformed construct is refused with a short reason.
 *
 *   struct inflate_workspace *ws = kmalloc(sizeof(*ws));   // ~9 KiB
 *   struct inflate_result res;
 *   uint32_t size;
 *
 *   if (gzip_has_magic(in, in_len) && !gzip_isize(in, in_len, &size) &&
 *       gunzip(ws, in, in_len, out, size, &res) == 0)
 *           use(out, res.out_len);
 *   else
 *           report("corrupt: %s", res.error);
 */
#ifndef LIB_INFLATE_H
#define LIB_INFLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Codes of up to this many bits are decoded with one table lookup. */
#define INFLATE_FAST_BITS 10
#define INFLATE_MAX_BITS  15            /* the longest DEFLATE code      */
#define INFLATE_ERROR_LEN 96

/* A canonical Huffman code, ready for decoding. */
struct inflate_huffman {
	/* Indexed by the next INFLATE_FAST_BITS input bits: symbol << 4 |
	 * code length, or 0 when the code is longer (or not a code). */
	uint16_t fast[1u << INFLATE_FAST_BITS];
	uint16_t count[INFLATE_MAX_BITS + 1];   /* codes of each length        */
	uint16_t symbol[288];                   /* symbols in canonical order  */
};

/*
 * Scratch memory for one decompression at a time (about 9 KiB: too much
 * for a hypervisor stack; allocate it).
 */
struct inflate_workspace {
	struct inflate_huffman litlen, dist;
	uint32_t crc_table[4][256];     /* CRC-32 four bytes at a time */
};

struct inflate_result {
	size_t in_used;     /* input bytes consumed (gzip: with the trailer) */
	size_t out_len;     /* bytes written to out                          */
	/* "" on success, else what is wrong and where, e.g. "invalid block
	 * type 3 at input byte 1234". */
	char error[INFLATE_ERROR_LEN];
};

/*
 * Decompresses the raw DEFLATE stream in [in, in + in_len) into out (at
 * most out_cap bytes), up to and including its last block.  Returns 0,
 * or with res->error set:
 *   -EINVAL    malformed data (reserved block type, bad code lengths, an
 *              invalid code, a distance before the start of the output)
 *   -ENODATA   the input ends inside the stream
 *   -ENOSPC    the output does not fit in out_cap bytes
 */
int inflate_raw(struct inflate_workspace *ws, const void *in, size_t in_len, void *out,
		size_t out_cap, struct inflate_result *res);

/* True when the data starts with the gzip magic bytes 1f 8b. */
bool gzip_has_magic(const void *data, size_t len);

/*
 * ISIZE of a single-member gzip file: the size of the uncompressed data
 * modulo 2^32, from its last four bytes.  0, or -EINVAL when the data is
 * too short to be gzip (18 bytes at least).
 */
int gzip_isize(const void *data, size_t len, uint32_t *isize);

/*
 * Decompresses one gzip member: header (CM 8; FEXTRA, FNAME, FCOMMENT
 * skipped, FHCRC checked; reserved flags refused), the DEFLATE data, and
 * the trailer's CRC-32 and ISIZE, both checked.  Bytes after the member
 * are left alone (res->in_used says where it ended).  Returns what
 * inflate_raw() returns, or -EINVAL for a bad header, -EBADMSG when the
 * CRC-32 or ISIZE does not match the data.
 */
int gunzip(struct inflate_workspace *ws, const void *in, size_t in_len, void *out,
	   size_t out_cap, struct inflate_result *res);

#endif
