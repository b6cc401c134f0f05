/* SPDX-License-Identifier: MIT */
/*
 * gunzip() and inflate_raw() on arbitrary bytes.  The input is copied
 * into a buffer of exactly its size and the output buffer is exactly
 * out_cap bytes, so AddressSanitizer sees any access past either; the
 * results must stay inside both, and a gunzip() that succeeds must have
 * produced data whose CRC-32 (computed here bit by bit) the trailer gives.
 */
#include <lib/inflate.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define OUT_CAP (256u * 1024)

static void check(int ok)
{
	if (!ok)
		abort();
}

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

static int known_error(int rc)
{
	return rc == 0 || rc == -EINVAL || rc == -ENODATA || rc == -ENOSPC || rc == -EBADMSG;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct inflate_workspace ws;
	uint8_t *in = malloc(size ? size : 1);
	uint8_t *out = malloc(OUT_CAP);
	struct inflate_result res;
	int rc;

	if (!in || !out) {
		free(in);
		free(out);
		return 0;
	}
	if (size)
		memcpy(in, data, size);

	rc = gunzip(&ws, in, size, out, OUT_CAP, &res);
	check(known_error(rc));
	check(res.out_len <= OUT_CAP && res.in_used <= size);
	check(memchr(res.error, 0, sizeof(res.error)) != NULL);
	check((rc == 0) == (res.error[0] == '\0'));
	if (rc == 0) {
		check(res.in_used >= 18);
		check(slow_crc32(out, res.out_len) ==
		      ((uint32_t)in[res.in_used - 8] | (uint32_t)in[res.in_used - 7] << 8 |
		       (uint32_t)in[res.in_used - 6] << 16 | (uint32_t)in[res.in_used - 5] << 24));
	}

	rc = inflate_raw(&ws, in, size, out, OUT_CAP, &res);
	check(known_error(rc) && rc != -EBADMSG);
	check(res.out_len <= OUT_CAP && res.in_used <= size);
	check((rc == 0) == (res.error[0] == '\0'));

	free(in);
	free(out);
	return 0;
}
