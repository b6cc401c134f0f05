/* SPDX-License-Identifier: MIT */
/*
 * GUID Partition Table reader (UEFI specification 2.10, section 5.3).
 *
 * The disk is untrusted input: a header is used only when its signature,
 * size, CRC32, own LBA and entry array geometry are right, and the entry
 * array only when its CRC32 matches.  The caller reads sectors through a
 * callback, so the reader runs on any disk and in host tests.
 *
 *   LBA 1             primary header (92 bytes used of the sector)
 *   LBA 2 ..          the entry array (128 entries of 128 bytes, usually)
 *   last LBA          backup header, its array just before it
 */
#ifndef HOSTDISK_GPT_H
#define HOSTDISK_GPT_H

#include <stdbool.h>
#include <stdint.h>

#define GPT_NAME_UNITS 36                 /* UTF-16 code units of a name   */
#define GPT_MAX_ENTRIES 256               /* more are not looked at        */

struct gpt_partition {
	uint8_t type[16];                 /* type GUID as stored           */
	uint8_t unique[16];
	uint64_t first_lba, last_lba;     /* inclusive                     */
	uint64_t attributes;
	char name[GPT_NAME_UNITS + 1];    /* ASCII; other characters '?'   */
	unsigned int index;               /* 1-based, as sgdisk numbers    */
};

/* Reads count 512-byte sectors from lba into buf: 0 or a negative errno. */
typedef int (*gpt_read_fn)(void *ctx, uint64_t lba, void *buf, unsigned int count);

/* Called for each used entry (type GUID not zero) with a sane range. */
typedef void (*gpt_entry_fn)(void *ctx, const struct gpt_partition *part);

/*
 * Reads the GPT of a disk of 'sectors' 512-byte sectors.  Returns 0 (the
 * primary header was used), 1 (the backup was), -ENOENT (no GPT: neither
 * header valid), -EIO (a read failed), -ENOMEM.  *why (if not NULL)
 * receives a short reason when the primary header was not used.
 */
int gpt_read(uint64_t sectors, gpt_read_fn read, void *read_ctx, gpt_entry_fn each,
	     void *each_ctx, const char **why);

/* CRC32 (IEEE 802.3, as GPT, zlib and Ethernet use). */
uint32_t gpt_crc32(const void *data, uint64_t len);

#endif
