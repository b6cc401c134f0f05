/* SPDX-License-Identifier: MIT */
/*
 * Writing the table-loader script (format in <acpi/loader.h>).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <acpi/loader.h>
#include <core/mm.h>

static void put_le32(uint8_t *p, uint32_t value)
{
	p[0] = (uint8_t)value;
	p[1] = (uint8_t)(value >> 8);
	p[2] = (uint8_t)(value >> 16);
	p[3] = (uint8_t)(value >> 24);
}

static int fail(struct acpi_loader *loader, int error)
{
	if (!loader->error)
		loader->error = error;
	return error;
}

static bool name_fits(const char *name)
{
	return name && name[0] && strlen(name) < ACPI_LOADER_FILE_NAME_SIZE;
}

/* A zeroed command slot at the end of the script, or NULL (error recorded). */
static uint8_t *new_command(struct acpi_loader *loader, uint32_t command)
{
	if (loader->len + ACPI_LOADER_ENTRY_SIZE > loader->capacity) {
		size_t capacity = loader->capacity ? loader->capacity * 2 : 16 * ACPI_LOADER_ENTRY_SIZE;
		uint8_t *grown = kzalloc(capacity);

		if (!grown) {
			fail(loader, -ENOMEM);
			return NULL;
		}
		if (loader->buf)
			memcpy(grown, loader->buf, loader->len);
		kfree(loader->buf);
		loader->buf = grown;
		loader->capacity = capacity;
	}
	uint8_t *entry = loader->buf + loader->len;

	memset(entry, 0, ACPI_LOADER_ENTRY_SIZE);
	put_le32(entry + ACPI_LOADER_OFF_COMMAND, command);
	loader->len += ACPI_LOADER_ENTRY_SIZE;
	return entry;
}

int acpi_loader_allocate(struct acpi_loader *loader, const char *file, uint32_t align,
			 enum acpi_loader_zone zone)
{
	if (!name_fits(file) || align == 0 || (align & (align - 1)) ||
	    (zone != ACPI_LOADER_ZONE_HIGH && zone != ACPI_LOADER_ZONE_FSEG))
		return fail(loader, -EINVAL);
	uint8_t *entry = new_command(loader, ACPI_LOADER_ALLOCATE);

	if (!entry)
		return -ENOMEM;
	memcpy(entry + ACPI_LOADER_OFF_FILE, file, strlen(file));
	put_le32(entry + ACPI_LOADER_OFF_ALLOC_ALIGN, align);
	entry[ACPI_LOADER_OFF_ALLOC_ZONE] = (uint8_t)zone;
	return 0;
}

int acpi_loader_add_pointer(struct acpi_loader *loader, const char *dest_file,
			    const char *src_file, uint32_t offset, uint8_t size)
{
	if (!name_fits(dest_file) || !name_fits(src_file) ||
	    (size != 1 && size != 2 && size != 4 && size != 8))
		return fail(loader, -EINVAL);
	uint8_t *entry = new_command(loader, ACPI_LOADER_ADD_POINTER);

	if (!entry)
		return -ENOMEM;
	memcpy(entry + ACPI_LOADER_OFF_FILE, dest_file, strlen(dest_file));
	memcpy(entry + ACPI_LOADER_OFF_POINTER_SRC, src_file, strlen(src_file));
	put_le32(entry + ACPI_LOADER_OFF_POINTER_OFFSET, offset);
	entry[ACPI_LOADER_OFF_POINTER_SIZE] = size;
	return 0;
}

int acpi_loader_add_checksum(struct acpi_loader *loader, const char *file, uint32_t offset,
			     uint32_t start, uint32_t length)
{
	if (!name_fits(file))
		return fail(loader, -EINVAL);
	uint8_t *entry = new_command(loader, ACPI_LOADER_ADD_CHECKSUM);

	if (!entry)
		return -ENOMEM;
	memcpy(entry + ACPI_LOADER_OFF_FILE, file, strlen(file));
	put_le32(entry + ACPI_LOADER_OFF_CKSUM_OFFSET, offset);
	put_le32(entry + ACPI_LOADER_OFF_CKSUM_START, start);
	put_le32(entry + ACPI_LOADER_OFF_CKSUM_LENGTH, length);
	return 0;
}

int acpi_loader_pad(struct acpi_loader *loader, size_t len)
{
	if (len % ACPI_LOADER_ENTRY_SIZE || len < loader->len)
		return fail(loader, -EINVAL);
	while (loader->len < len)
		if (!new_command(loader, 0))
			return -ENOMEM;
	return 0;
}

void acpi_loader_release(struct acpi_loader *loader)
{
	kfree(loader->buf);
	memset(loader, 0, sizeof(*loader));
}
