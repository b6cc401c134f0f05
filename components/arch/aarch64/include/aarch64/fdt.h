/* SPDX-License-Identifier: MIT */
/*
 * A small, bounds-checked reader for flattened device trees (DTB, version
 * 16/17), enough for the boot code: walk nodes, read properties, follow
 * /chosen, match "compatible" and decode "reg".
 *
 * The blob comes from the loader and is not trusted: every offset, length
 * and string is checked against the header's totalsize and the sizes of the
 * structure and string blocks.  A malformed blob makes the functions fail
 * (negative return, NULL); they never read outside [blob, blob+totalsize).
 *
 * Nodes are named by their offset in the structure block (>= 0).
 */
#ifndef AARCH64_FDT_H
#define AARCH64_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_MAX_DEPTH 32

struct fdt {
	const uint8_t *blob;
	uint32_t total_size;
	uint32_t struct_offset, struct_size;
	uint32_t strings_offset, strings_size;
	uint32_t rsvmap_offset;
};

/*
 * Checks the header of the blob at 'blob', of which at most 'max_size'
 * bytes may be read.  0, or -EINVAL with a reason in *why (if not NULL).
 */
int fdt_open(struct fdt *fdt, const void *blob, size_t max_size, const char **why);

/* The root node, or a negative errno. */
int fdt_root(const struct fdt *fdt);

/*
 * The node after 'node' in document order; *depth is adjusted by how many
 * levels it went down (+1 for a child) or up.  Negative at the end of the
 * tree (-ENOENT) or on a malformed blob (-EINVAL).
 */
int fdt_next_node(const struct fdt *fdt, int node, int *depth);

int fdt_first_child(const struct fdt *fdt, int node);
int fdt_next_sibling(const struct fdt *fdt, int node);
/* Parent of node (by walking from the root), or a negative errno. */
int fdt_parent(const struct fdt *fdt, int node);

/* "name@unit" of the node ("" for the root), or NULL if malformed. */
const char *fdt_node_name(const struct fdt *fdt, int node);

/* Value and length of a property, or NULL when absent or malformed. */
const void *fdt_getprop(const struct fdt *fdt, int node, const char *name, uint32_t *len);
/* A property that must be a NUL-terminated string, or NULL. */
const char *fdt_getprop_string(const struct fdt *fdt, int node, const char *name);
/* A 1- or 2-cell integer property; false when absent or of another size. */
bool fdt_getprop_u64(const struct fdt *fdt, int node, const char *name, uint64_t *value);

/*
 * Node of an absolute path ("/chosen", "/cpus", "/pl011@9000000").  A path
 * component without "@unit" matches a node name with any unit address.
 */
int fdt_path_offset(const struct fdt *fdt, const char *path);

/* Whether "compatible" (a string list) contains compat. */
bool fdt_is_compatible(const struct fdt *fdt, int node, const char *compat);
/* The first node after 'after' (-1: from the start) compatible with compat. */
int fdt_find_compatible(const struct fdt *fdt, int after, const char *compat);
/* Status "okay"/"ok" or no status property. */
bool fdt_is_enabled(const struct fdt *fdt, int node);

/* #address-cells / #size-cells a node gives its children (2 and 1 by default). */
unsigned int fdt_address_cells(const struct fdt *fdt, int node);
unsigned int fdt_size_cells(const struct fdt *fdt, int node);

/*
 * Entry 'index' of the node's "reg", decoded with its parent's cell counts
 * (addresses are taken as they are: the boot code only uses nodes whose
 * parents map 1:1).  0, -ENOENT past the end, -EINVAL if malformed.
 */
int fdt_get_reg(const struct fdt *fdt, int node, unsigned int index,
		uint64_t *base, uint64_t *size);

/* Entry 'index' of the memory reservation block; -ENOENT past the end. */
int fdt_get_reserved(const struct fdt *fdt, unsigned int index,
		     uint64_t *base, uint64_t *size);

/* Big-endian cell helpers. */
uint32_t fdt_be32(const void *p);
uint64_t fdt_be64(const void *p);
/* 'cells' (1 or 2) cells from p as one number; false for other counts. */
bool fdt_read_cells(const void *p, unsigned int cells, uint64_t *value);

#endif
