/* SPDX-License-Identifier: MIT */
/*
 * Test helper: what SeaBIOS does with etc/table-loader
 * (seabios:src/fw/romfile_loader.c), against a fake guest memory.
 *
 * Guest memory has two pieces, like the two zones of SeaBIOS's
 * allocator: the F-segment 0xE0000..0xFFFFF (zone FSEG, handed out from
 * 0xF5000 upwards) and 1 MiB below 0x80000000 (zone HIGH, handed out from
 * the top down).  Files come from the fw_cfg device by name.
 *
 * Like SeaBIOS: commands are 128 bytes, the script size must be a
 * multiple of that, unknown commands are skipped, a command that is
 * malformed or names an unloaded file is an error and does nothing.
 * Errors are counted instead of printed so tests can require none.
 */
#ifndef ACPI_TEST_FIRMWARE_LOADER_H
#define ACPI_TEST_FIRMWARE_LOADER_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <acpi/loader.h>
#include <fwcfg/fwcfg.h>

#define GUEST_FSEG_BASE 0xE0000u
#define GUEST_FSEG_SIZE 0x20000u
#define GUEST_FSEG_FREE 0xF5000u
#define GUEST_HIGH_BASE 0x7FF00000u
#define GUEST_HIGH_SIZE 0x100000u
#define LOADER_MAX_FILES 16

struct guest {
	uint8_t fseg[GUEST_FSEG_SIZE];
	uint8_t high[GUEST_HIGH_SIZE];
	uint32_t fseg_next;      /* FSEG allocations grow upwards     */
	uint32_t high_top;       /* HIGH allocations grow downwards   */
	struct {
		char name[ACPI_LOADER_FILE_NAME_SIZE];
		uint64_t gpa;
		uint32_t size;
	} files[LOADER_MAX_FILES];
	unsigned nfiles;
	unsigned errors;
};

static void guest_init(struct guest *g)
{
	memset(g, 0, sizeof(*g));
	g->fseg_next = GUEST_FSEG_FREE;
	g->high_top = GUEST_HIGH_BASE + GUEST_HIGH_SIZE;
}

/* Host pointer for len bytes at gpa, or NULL when not all inside one piece. */
static uint8_t *guest_ptr(struct guest *g, uint64_t gpa, uint64_t len)
{
	if (gpa >= GUEST_FSEG_BASE && gpa + len <= GUEST_FSEG_BASE + GUEST_FSEG_SIZE && gpa + len >= gpa)
		return g->fseg + (gpa - GUEST_FSEG_BASE);
	if (gpa >= GUEST_HIGH_BASE && gpa + len <= GUEST_HIGH_BASE + GUEST_HIGH_SIZE && gpa + len >= gpa)
		return g->high + (gpa - GUEST_HIGH_BASE);
	return NULL;
}

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64_at(const uint8_t *p)
{
	return le32_at(p) | (uint64_t)le32_at(p + 4) << 32;
}

static int loader_find(struct guest *g, const uint8_t *name)
{
	if (name[ACPI_LOADER_FILE_NAME_SIZE - 1])
		return -1;
	for (unsigned i = 0; i < g->nfiles; i++)
		if (!strcmp(g->files[i].name, (const char *)name))
			return (int)i;
	return -1;
}

static void loader_allocate(struct guest *g, const struct fwcfg *fw, const uint8_t *e)
{
	uint32_t align = le32_at(e + ACPI_LOADER_OFF_ALLOC_ALIGN);
	uint8_t zone = e[ACPI_LOADER_OFF_ALLOC_ZONE];
	const char *name = (const char *)e + ACPI_LOADER_OFF_FILE;
	uint32_t size;
	uint64_t gpa;

	if ((align & (align - 1)) || e[ACPI_LOADER_OFF_FILE + ACPI_LOADER_FILE_NAME_SIZE - 1] ||
	    g->nfiles == LOADER_MAX_FILES) {
		g->errors++;
		return;
	}
	if (align < 16)                  /* SeaBIOS's MALLOC_MIN_ALIGN */
		align = 16;
	const uint8_t *data = fwcfg_file_data(fw, name, &size);
	if (!data || !size)              /* SeaBIOS skips missing files quietly */
		return;
	if (zone == ACPI_LOADER_ZONE_HIGH) {
		gpa = ((uint64_t)g->high_top - size) & ~(uint64_t)(align - 1);
		if (gpa < GUEST_HIGH_BASE) {
			g->errors++;
			return;
		}
		g->high_top = (uint32_t)gpa;
	} else if (zone == ACPI_LOADER_ZONE_FSEG) {
		gpa = ((uint64_t)g->fseg_next + align - 1) & ~(uint64_t)(align - 1);
		if (gpa + size > GUEST_FSEG_BASE + GUEST_FSEG_SIZE) {
			g->errors++;
			return;
		}
		g->fseg_next = (uint32_t)(gpa + size);
	} else {
		g->errors++;
		return;
	}
	memcpy(guest_ptr(g, gpa, size), data, size);
	strcpy(g->files[g->nfiles].name, name);
	g->files[g->nfiles].gpa = gpa;
	g->files[g->nfiles].size = size;
	g->nfiles++;
}

static void loader_add_pointer(struct guest *g, const uint8_t *e)
{
	int dest = loader_find(g, e + ACPI_LOADER_OFF_FILE);
	int src = loader_find(g, e + ACPI_LOADER_OFF_POINTER_SRC);
	uint32_t offset = le32_at(e + ACPI_LOADER_OFF_POINTER_OFFSET);
	uint8_t size = e[ACPI_LOADER_OFF_POINTER_SIZE];
	uint64_t pointer = 0;

	if (dest < 0 || src < 0 || offset + size < offset || offset + size > g->files[dest].size ||
	    size < 1 || size > 8 || (size & (size - 1))) {
		g->errors++;
		return;
	}
	uint8_t *p = guest_ptr(g, g->files[dest].gpa + offset, size);
	for (unsigned i = 0; i < size; i++)
		pointer |= (uint64_t)p[i] << (8 * i);
	pointer += g->files[src].gpa;
	for (unsigned i = 0; i < size; i++)
		p[i] = (uint8_t)(pointer >> (8 * i));
}

static void loader_add_checksum(struct guest *g, const uint8_t *e)
{
	int file = loader_find(g, e + ACPI_LOADER_OFF_FILE);
	uint32_t offset = le32_at(e + ACPI_LOADER_OFF_CKSUM_OFFSET);
	uint32_t start = le32_at(e + ACPI_LOADER_OFF_CKSUM_START);
	uint32_t len = le32_at(e + ACPI_LOADER_OFF_CKSUM_LENGTH);

	if (file < 0 || offset >= g->files[file].size || start + len < start ||
	    start + len > g->files[file].size) {
		g->errors++;
		return;
	}
	uint8_t *base = guest_ptr(g, g->files[file].gpa, g->files[file].size);
	uint8_t sum = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + base[start + i]);
	base[offset] = (uint8_t)(base[offset] - sum);
}

/* Runs etc/table-loader from fw; false if it is missing or badly sized. */
static bool firmware_run_table_loader(struct guest *g, const struct fwcfg *fw)
{
	uint32_t size;
	const uint8_t *script = fwcfg_file_data(fw, ACPI_LOADER_FILE, &size);

	if (!script || size % ACPI_LOADER_ENTRY_SIZE)
		return false;
	for (uint32_t off = 0; off < size; off += ACPI_LOADER_ENTRY_SIZE) {
		const uint8_t *e = script + off;

		switch (le32_at(e + ACPI_LOADER_OFF_COMMAND)) {
		case ACPI_LOADER_ALLOCATE:
			loader_allocate(g, fw, e);
			break;
		case ACPI_LOADER_ADD_POINTER:
			loader_add_pointer(g, e);
			break;
		case ACPI_LOADER_ADD_CHECKSUM:
			loader_add_checksum(g, e);
			break;
		default:
			break;
		}
	}
	return true;
}

#endif
