/* SPDX-License-Identifier: MIT */
/*
 * The boot archive: a cpio (newc) archive handed over by the loader
 * (a Multiboot2 module on x86_64, the initrd on aarch64).  VM
 * configurations and guest images live in it.  Files are read in place.
 */
#ifndef CORE_BOOTFS_H
#define CORE_BOOTFS_H

#include <stddef.h>

struct bootfs_file {
	const char *name;        /* path inside the archive, no leading "./" */
	const void *data;
	size_t size;
};

/* Number of regular files in the archive (0 when there is none). */
unsigned int bootfs_count(void);
const struct bootfs_file *bootfs_get(unsigned int index);
const struct bootfs_file *bootfs_find(const char *name);

#endif
