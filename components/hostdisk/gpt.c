/* SPDX-License-Identifier: MIT */
/*
 * GPT reader: the header and entry layout of UEFI 2.10 section 5.3.2-5.3.3
 * ("GPT Header", "GPT Partition Entry Array").  Everything read from the
 * disk is checked before it is used (include/hostdisk/gpt.h).
 */
#include <errno.h>
#include <string.h>

#include <core/mm.h>
#include <hostdisk/gpt.h>

#define SECTOR 512u
#define GPT_SIGNATURE "EFI PART"
#define GPT_HEADER_MIN 92u
#define GPT_ENTRY_MIN 128u

uint32_t gpt_crc32(const void *data, uint64_t len)
{
	const uint8_t *p = data;
	uint32_t crc = 0xFFFFFFFFu;

	/* Bit by bit: a GPT is read once per boot, a table is not worth it. */
	for (uint64_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

struct gpt_header {
	uint64_t my_lba, alternate_lba, first_usable, last_usable;
	uint64_t entries_lba;
	uint32_t entry_count, entry_size, entries_crc;
};

/* Checks the header sector read from lba; 0 or the reason it is not used. */
static const char *check_header(uint8_t *sector, uint64_t lba, uint64_t sectors,
				struct gpt_header *h)
{
	uint32_t size, crc;
	uint64_t array_bytes, array_sectors;

	if (memcmp(sector, GPT_SIGNATURE, 8) != 0)
		return "no GPT signature";
	size = le32(sector + 12);
	if (size < GPT_HEADER_MIN || size > SECTOR)
		return "bad header size";
	crc = le32(sector + 16);
	memset(sector + 16, 0, 4);          /* the CRC covers the header with 0 there */
	if (gpt_crc32(sector, size) != crc)
		return "header CRC32 mismatch";
	h->my_lba = le64(sector + 24);
	h->alternate_lba = le64(sector + 32);
	h->first_usable = le64(sector + 40);
	h->last_usable = le64(sector + 48);
	h->entries_lba = le64(sector + 72);
	h->entry_count = le32(sector + 80);
	h->entry_size = le32(sector + 84);
	h->entries_crc = le32(sector + 88);
	if (h->my_lba != lba)
		return "header at the wrong LBA";
	if (h->entry_size < GPT_ENTRY_MIN || h->entry_size % 8 || h->entry_size > SECTOR ||
	    SECTOR % h->entry_size)
		return "bad entry size";
	if (h->entry_count == 0 || h->entry_count > 0x10000)
		return "bad entry count";
	if (h->first_usable > h->last_usable || h->last_usable >= sectors)
		return "usable range outside the disk";
	array_bytes = (uint64_t)h->entry_count * h->entry_size;
	array_sectors = (array_bytes + SECTOR - 1) / SECTOR;
	if (h->entries_lba < 2 || h->entries_lba >= sectors ||
	    array_sectors > sectors - h->entries_lba)
		return "entry array outside the disk";
	return NULL;
}

/* UTF-16LE name to ASCII; what ASCII cannot show becomes '?'. */
static void copy_name(char *out, const uint8_t *utf16)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < GPT_NAME_UNITS; i++) {
		unsigned int unit = (unsigned int)utf16[2 * i] | (unsigned int)utf16[2 * i + 1] << 8;

		if (unit == 0)
			break;
		out[n++] = (unit >= 0x20 && unit < 0x7F) ? (char)unit : '?';
	}
	out[n] = '\0';
}

static bool all_zero(const uint8_t *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Reads and checks the array of a valid header, then reports its entries. */
static int read_entries(const struct gpt_header *h, gpt_read_fn read, void *read_ctx,
			gpt_entry_fn each, void *each_ctx, const char **why)
{
	uint64_t bytes = (uint64_t)h->entry_count * h->entry_size;
	unsigned int sectors = (unsigned int)((bytes + SECTOR - 1) / SECTOR);
	unsigned int looked;
	uint8_t *array;
	int ret;

	array = kmalloc((size_t)sectors * SECTOR);
	if (!array)
		return -ENOMEM;
	ret = read(read_ctx, h->entries_lba, array, sectors);
	if (ret) {
		kfree(array);
		return -EIO;
	}
	if (gpt_crc32(array, bytes) != h->entries_crc) {
		kfree(array);
		*why = "entry array CRC32 mismatch";
		return -ENOENT;
	}
	looked = h->entry_count < GPT_MAX_ENTRIES ? h->entry_count : GPT_MAX_ENTRIES;
	for (unsigned int i = 0; i < looked; i++) {
		const uint8_t *e = array + (size_t)i * h->entry_size;
		struct gpt_partition part;

		if (all_zero(e, 16))
			continue;               /* unused entry */
		memcpy(part.type, e, 16);
		memcpy(part.unique, e + 16, 16);
		part.first_lba = le64(e + 32);
		part.last_lba = le64(e + 40);
		part.attributes = le64(e + 48);
		part.index = i + 1;
		copy_name(part.name, e + 56);
		/* Only partitions inside the usable area can be given to VMs. */
		if (part.first_lba > part.last_lba || part.first_lba < h->first_usable ||
		    part.last_lba > h->last_usable)
			continue;
		each(each_ctx, &part);
	}
	kfree(array);
	return 0;
}

static int try_header(uint64_t lba, uint64_t sectors, gpt_read_fn read, void *read_ctx,
		      gpt_entry_fn each, void *each_ctx, const char **why)
{
	uint8_t *sector = kmalloc(SECTOR);
	struct gpt_header h = { 0 };
	int ret;

	if (!sector)
		return -ENOMEM;
	ret = read(read_ctx, lba, sector, 1);
	if (ret) {
		kfree(sector);
		return -EIO;
	}
	*why = check_header(sector, lba, sectors, &h);
	kfree(sector);
	if (*why)
		return -ENOENT;
	return read_entries(&h, read, read_ctx, each, each_ctx, why);
}

int gpt_read(uint64_t sectors, gpt_read_fn read, void *read_ctx, gpt_entry_fn each,
	     void *each_ctx, const char **why)
{
	const char *primary_why = NULL, *backup_why = NULL;
	int ret;

	if (sectors < 3) {
		if (why)
			*why = "disk too small for a GPT";
		return -ENOENT;
	}
	ret = try_header(1, sectors, read, read_ctx, each, each_ctx, &primary_why);
	if (ret != -ENOENT) {
		if (why)
			*why = NULL;
		return ret;
	}
	/* The backup header is in the last sector (UEFI 2.10, 5.3.2). */
	ret = try_header(sectors - 1, sectors, read, read_ctx, each, each_ctx, &backup_why);
	if (why)
		*why = primary_why;
	return ret == 0 ? 1 : ret;
}
