/* SPDX-License-Identifier: MIT */
/*
 * The boot archive is indexed once at boot; files stay where the loader
 * put them (the range is reserved in the boot information).
 */
#include <core/bootfs.h>

#include <core/log.h>
#include <core/mm.h>
#include <errno.h>
#include <lib/cpio.h>
#include <string.h>
#include "core_internal.h"

static struct bootfs_file *bootfs_files;
static unsigned int bootfs_files_count;

void bootfs_init(const void *archive, size_t size)
{
	struct cpio_reader r;
	struct cpio_entry e;
	unsigned int files = 0, index = 0;
	int rc;

	if (!archive || size == 0) {
		log_info("bootfs: no boot archive");
		return;
	}

	cpio_reader_init(&r, archive, size);
	while ((rc = cpio_next(&r, &e)) > 0)
		files += cpio_entry_is_file(&e) ? 1 : 0;
	if (rc < 0)
		log_warn("bootfs: boot archive is malformed at offset %zu (%d); "
			 "using the %u files before it", r.offset, rc, files);
	if (files == 0) {
		log_info("bootfs: boot archive has no files");
		return;
	}

	bootfs_files = kcalloc(files, sizeof(*bootfs_files));
	if (!bootfs_files) {
		log_error("bootfs: no memory for %u file records", files);
		return;
	}
	cpio_reader_init(&r, archive, size);
	while (index < files && cpio_next(&r, &e) > 0) {
		if (!cpio_entry_is_file(&e))
			continue;
		bootfs_files[index].name = e.name;
		bootfs_files[index].data = e.data;
		bootfs_files[index].size = e.size;
		log_debug("bootfs: %s (%zu bytes)", e.name, e.size);
		index++;
	}
	bootfs_files_count = index;
	log_info("bootfs: %u files in the boot archive (%zu bytes)", index, size);
}

unsigned int bootfs_count(void)
{
	return bootfs_files_count;
}

const struct bootfs_file *bootfs_get(unsigned int index)
{
	return index < bootfs_files_count ? &bootfs_files[index] : NULL;
}

const struct bootfs_file *bootfs_find(const char *name)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	for (unsigned int i = 0; i < bootfs_files_count; i++) {
		if (strcmp(bootfs_files[i].name, name) == 0)
			return &bootfs_files[i];
	}
	return NULL;
}
