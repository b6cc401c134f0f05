/* SPDX-License-Identifier: MIT */
/*
 * Writing flattened device trees (DTB, version 17) for aarch64 guests.
 *
 * struct fdt_writer emits a tree front to back into a caller's buffer:
 * reservations first, then nodes and their properties in order.  Errors
 * are sticky: after the first one (buffer full, misuse) every call does
 * nothing and fdt_writer_finish() returns it, so a builder can write a
 * whole tree and check once.  Why our own writer rather than libfdt:
 * docs/vm-config.md, "Device trees: why our own writer".  The virt
 * machine writes its guests' trees with it (components/machines/virt), and
 * device classes add their own nodes (<bus/device.h>).
 */
#ifndef LIB_FDT_WRITER_H
#define LIB_FDT_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fdt_writer {
	uint8_t *buf;
	size_t size;
	size_t struct_start;    /* after the reservation block                  */
	size_t struct_end;      /* end of what is written so far                */
	size_t strings_start;   /* strings grow down from the end of the buffer */
	unsigned int depth;     /* open nodes                                   */
	bool started;           /* a node was begun: no more reservations       */
	bool root_closed;       /* the tree has exactly one root node           */
	int error;              /* 0 or the first negative errno               */
};

/* buf needs no particular alignment; the blob's offsets are 8-aligned. */
void fdt_writer_init(struct fdt_writer *w, void *buf, size_t size);
/* A /memreserve/ entry; only before the first node. */
void fdt_writer_reserve(struct fdt_writer *w, uint64_t address, uint64_t size);
/* "" for the root node, then e.g. "memory@40000000". */
void fdt_writer_begin_node(struct fdt_writer *w, const char *name);
void fdt_writer_end_node(struct fdt_writer *w);
void fdt_writer_property(struct fdt_writer *w, const char *name, const void *value,
			 size_t len);
void fdt_writer_property_empty(struct fdt_writer *w, const char *name);
void fdt_writer_property_u32(struct fdt_writer *w, const char *name, uint32_t value);
void fdt_writer_property_u64(struct fdt_writer *w, const char *name, uint64_t value);
void fdt_writer_property_string(struct fdt_writer *w, const char *name, const char *value);
/* A string list: count NUL-terminated strings, e.g. "arm,pl011", "arm,primecell". */
void fdt_writer_property_strings(struct fdt_writer *w, const char *name,
				 const char *const *strings, unsigned int count);
/* count 32-bit cells, written big-endian. */
void fdt_writer_property_cells(struct fdt_writer *w, const char *name,
			       const uint32_t *cells, unsigned int count);
/*
 * Closes the structure block, moves the strings behind it and fills in
 * the header.  Returns the size of the blob, or -ENOSPC (buffer too
 * small), -EINVAL (nodes left open, no root node, reservations after a
 * node, a name that is empty where it must not be).
 */
long fdt_writer_finish(struct fdt_writer *w);

#endif
