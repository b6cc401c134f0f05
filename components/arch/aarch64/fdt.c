/* SPDX-License-Identifier: MIT */
#include <aarch64/fdt.h>
#include <errno.h>
#include <string.h>

enum fdt_token {
	FDT_TOKEN_BEGIN_NODE = 1,
	FDT_TOKEN_END_NODE = 2,
	FDT_TOKEN_PROP = 3,
	FDT_TOKEN_NOP = 4,
	FDT_TOKEN_END = 9,
};

#define FDT_HEADER_V16_SIZE 36u
#define FDT_HEADER_V17_SIZE 40u

uint32_t fdt_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

uint64_t fdt_be64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)fdt_be32(b) << 32 | fdt_be32(b + 4);
}

bool fdt_read_cells(const void *p, unsigned int cells, uint64_t *value)
{
	if (cells == 1)
		*value = fdt_be32(p);
	else if (cells == 2)
		*value = fdt_be64(p);
	else
		return false;
	return true;
}

/* Length of the string at p if it ends before p+max, else -1. */
static long bounded_strlen(const uint8_t *p, uint32_t max)
{
	for (uint32_t i = 0; i < max; i++)
		if (p[i] == '\0')
			return i;
	return -1;
}

static uint32_t header_field(const void *blob, unsigned int index)
{
	return fdt_be32((const uint8_t *)blob + 4 * index);
}

int fdt_open(struct fdt *fdt, const void *blob, size_t max_size, const char **why)
{
	const char *reason = NULL;
	uint32_t total, version, last_comp, off_struct, off_strings, off_rsv;
	uint32_t size_strings, size_struct, header_size;

	if (!blob || max_size < FDT_HEADER_V16_SIZE) {
		reason = "no room for an FDT header";
		goto bad;
	}
	if (header_field(blob, 0) != FDT_MAGIC) {
		reason = "bad magic (not a device tree blob)";
		goto bad;
	}
	total = header_field(blob, 1);
	off_struct = header_field(blob, 2);
	off_strings = header_field(blob, 3);
	off_rsv = header_field(blob, 4);
	version = header_field(blob, 5);
	last_comp = header_field(blob, 6);
	size_strings = header_field(blob, 8);
	if (version < 16 || last_comp > 17) {
		reason = "unsupported FDT version";
		goto bad;
	}
	header_size = version >= 17 ? FDT_HEADER_V17_SIZE : FDT_HEADER_V16_SIZE;
	if (total < header_size || total > max_size) {
		reason = "totalsize out of range";
		goto bad;
	}
	size_struct = version >= 17 ? header_field(blob, 9) : 0;
	if (off_struct < header_size || off_struct > total || off_struct % 4) {
		reason = "structure block offset out of range";
		goto bad;
	}
	if (version < 17)
		size_struct = total - off_struct;
	if (size_struct > total - off_struct || size_struct % 4) {
		reason = "structure block size out of range";
		goto bad;
	}
	if (off_strings < header_size || off_strings > total ||
	    size_strings > total - off_strings) {
		reason = "string block out of range";
		goto bad;
	}
	if (off_rsv < header_size || off_rsv % 8 || off_rsv > total) {
		reason = "memory reservation block out of range";
		goto bad;
	}
	fdt->blob = blob;
	fdt->total_size = total;
	fdt->struct_offset = off_struct;
	fdt->struct_size = size_struct;
	fdt->strings_offset = off_strings;
	fdt->strings_size = size_strings;
	fdt->rsvmap_offset = off_rsv;
	if (fdt_root(fdt) < 0) {
		reason = "no root node";
		goto bad;
	}
	return 0;
bad:
	if (why)
		*why = reason;
	return -EINVAL;
}

/*
 * Reads the token at offset (relative to the structure block) and sets
 * *next to the token after it.  Negative on a malformed block.
 */
static int fdt_token_at(const struct fdt *fdt, uint32_t offset, uint32_t *next)
{
	const uint8_t *base = fdt->blob + fdt->struct_offset;
	uint32_t size = fdt->struct_size;
	uint32_t token, len;
	long name_len;

	if (offset % 4 || offset > size || size - offset < 4)
		return -EINVAL;
	token = fdt_be32(base + offset);
	offset += 4;
	switch (token) {
	case FDT_TOKEN_BEGIN_NODE:
		name_len = bounded_strlen(base + offset, size - offset);
		if (name_len < 0)
			return -EINVAL;
		offset += (uint32_t)name_len + 1;
		break;
	case FDT_TOKEN_PROP:
		if (size - offset < 8)
			return -EINVAL;
		len = fdt_be32(base + offset);
		offset += 8;
		if (len > size - offset)
			return -EINVAL;
		offset += len;
		break;
	case FDT_TOKEN_END_NODE:
	case FDT_TOKEN_NOP:
	case FDT_TOKEN_END:
		break;
	default:
		return -EINVAL;
	}
	offset = (offset + 3) & ~3u;
	if (offset > size && token != FDT_TOKEN_END)
		return -EINVAL;
	*next = offset;
	return (int)token;
}

static bool is_node(const struct fdt *fdt, int node)
{
	uint32_t next;

	return node >= 0 && fdt_token_at(fdt, (uint32_t)node, &next) == FDT_TOKEN_BEGIN_NODE;
}

int fdt_root(const struct fdt *fdt)
{
	uint32_t offset = 0, next;
	int token;

	for (;;) {
		token = fdt_token_at(fdt, offset, &next);
		if (token == FDT_TOKEN_BEGIN_NODE)
			return (int)offset;
		if (token != FDT_TOKEN_NOP)
			return -EINVAL;
		offset = next;
	}
}

int fdt_next_node(const struct fdt *fdt, int node, int *depth)
{
	uint32_t offset, next;
	int level, token;

	if (!is_node(fdt, node))
		return -EINVAL;
	fdt_token_at(fdt, (uint32_t)node, &offset);
	level = *depth + 1;
	for (;;) {
		token = fdt_token_at(fdt, offset, &next);
		switch (token) {
		case FDT_TOKEN_BEGIN_NODE:
			*depth = level;
			return (int)offset;
		case FDT_TOKEN_END_NODE:
			level--;
			break;
		case FDT_TOKEN_PROP:
		case FDT_TOKEN_NOP:
			break;
		case FDT_TOKEN_END:
			return -ENOENT;
		default:
			return -EINVAL;
		}
		if (level < -FDT_MAX_DEPTH)
			return -EINVAL;
		offset = next;
	}
}

int fdt_first_child(const struct fdt *fdt, int node)
{
	int depth = 0;
	int child = fdt_next_node(fdt, node, &depth);

	if (child < 0)
		return child;
	return depth == 1 ? child : -ENOENT;
}

int fdt_next_sibling(const struct fdt *fdt, int node)
{
	int depth = 0;

	for (;;) {
		node = fdt_next_node(fdt, node, &depth);
		if (node < 0)
			return node;
		if (depth < 0)
			return -ENOENT;
		if (depth == 0)
			return node;
	}
}

int fdt_parent(const struct fdt *fdt, int node)
{
	int stack[FDT_MAX_DEPTH];
	int depth = 0;
	int cur = fdt_root(fdt);

	if (cur < 0)
		return cur;
	if (cur == node)
		return -ENOENT;
	stack[0] = cur;
	for (;;) {
		cur = fdt_next_node(fdt, cur, &depth);
		if (cur < 0)
			return cur;
		if (depth <= 0 || depth >= FDT_MAX_DEPTH)
			return -EINVAL;
		stack[depth] = cur;
		if (cur == node)
			return stack[depth - 1];
	}
}

const char *fdt_node_name(const struct fdt *fdt, int node)
{
	if (!is_node(fdt, node))
		return NULL;
	return (const char *)fdt->blob + fdt->struct_offset + node + 4;
}

static const char *fdt_string(const struct fdt *fdt, uint32_t offset)
{
	const uint8_t *s = fdt->blob + fdt->strings_offset;

	if (offset >= fdt->strings_size)
		return NULL;
	if (bounded_strlen(s + offset, fdt->strings_size - offset) < 0)
		return NULL;
	return (const char *)s + offset;
}

const void *fdt_getprop(const struct fdt *fdt, int node, const char *name, uint32_t *len)
{
	const uint8_t *base = fdt->blob + fdt->struct_offset;
	uint32_t offset, next;
	int token;

	if (!is_node(fdt, node))
		return NULL;
	fdt_token_at(fdt, (uint32_t)node, &offset);
	for (;;) {
		token = fdt_token_at(fdt, offset, &next);
		if (token == FDT_TOKEN_NOP) {
			offset = next;
			continue;
		}
		if (token != FDT_TOKEN_PROP)
			return NULL;
		const char *prop_name = fdt_string(fdt, fdt_be32(base + offset + 8));
		if (prop_name && strcmp(prop_name, name) == 0) {
			if (len)
				*len = fdt_be32(base + offset + 4);
			return base + offset + 12;
		}
		offset = next;
	}
}

const char *fdt_getprop_string(const struct fdt *fdt, int node, const char *name)
{
	uint32_t len;
	const char *value = fdt_getprop(fdt, node, name, &len);

	if (!value || len == 0 || value[len - 1] != '\0')
		return NULL;
	return value;
}

bool fdt_getprop_u64(const struct fdt *fdt, int node, const char *name, uint64_t *value)
{
	uint32_t len;
	const void *p = fdt_getprop(fdt, node, name, &len);

	return p && (len == 4 || len == 8) && fdt_read_cells(p, len / 4, value);
}

/* Whether node name "name@unit" matches a path component of length len. */
static bool name_matches(const char *name, const char *component, size_t len)
{
	if (strlen(name) < len || memcmp(name, component, len) != 0)
		return false;
	if (name[len] == '\0')
		return true;
	/* "uart" matches "uart@1000" unless the component gave a unit itself. */
	for (size_t i = 0; i < len; i++)
		if (component[i] == '@')
			return false;
	return name[len] == '@';
}

int fdt_path_offset(const struct fdt *fdt, const char *path)
{
	int node = fdt_root(fdt);

	if (node < 0)
		return node;
	if (!path || path[0] != '/')
		return -EINVAL;
	while (*path) {
		while (*path == '/')
			path++;
		if (!*path)
			break;
		size_t len = 0;
		while (path[len] && path[len] != '/')
			len++;
		int child = fdt_first_child(fdt, node);
		while (child >= 0) {
			const char *name = fdt_node_name(fdt, child);
			if (name && name_matches(name, path, len))
				break;
			child = fdt_next_sibling(fdt, child);
		}
		if (child < 0)
			return -ENOENT;
		node = child;
		path += len;
	}
	return node;
}

bool fdt_is_compatible(const struct fdt *fdt, int node, const char *compat)
{
	uint32_t len;
	const char *list = fdt_getprop(fdt, node, "compatible", &len);
	size_t want = strlen(compat);

	if (!list)
		return false;
	while (len > 0) {
		long n = bounded_strlen((const uint8_t *)list, len);
		if (n < 0)
			return false;
		if ((size_t)n == want && memcmp(list, compat, want) == 0)
			return true;
		list += n + 1;
		len -= (uint32_t)n + 1;
	}
	return false;
}

int fdt_find_compatible(const struct fdt *fdt, int after, const char *compat)
{
	int depth = 0;
	int node = after < 0 ? fdt_root(fdt) : fdt_next_node(fdt, after, &depth);

	while (node >= 0) {
		if (fdt_is_compatible(fdt, node, compat))
			return node;
		node = fdt_next_node(fdt, node, &depth);
	}
	return node;
}

bool fdt_is_enabled(const struct fdt *fdt, int node)
{
	const char *status = fdt_getprop_string(fdt, node, "status");

	return !status || strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0;
}

static unsigned int cells_property(const struct fdt *fdt, int node, const char *name,
				   unsigned int fallback)
{
	uint32_t len;
	const void *p = fdt_getprop(fdt, node, name, &len);

	if (!p || len != 4)
		return fallback;
	return fdt_be32(p);
}

unsigned int fdt_address_cells(const struct fdt *fdt, int node)
{
	return cells_property(fdt, node, "#address-cells", 2);
}

unsigned int fdt_size_cells(const struct fdt *fdt, int node)
{
	return cells_property(fdt, node, "#size-cells", 1);
}

int fdt_get_reg(const struct fdt *fdt, int node, unsigned int index,
		uint64_t *base, uint64_t *size)
{
	int parent = fdt_parent(fdt, node);
	uint32_t len;
	const uint8_t *reg;
	unsigned int acells, scells, entry_bytes;

	if (parent < 0)
		return -EINVAL;
	acells = fdt_address_cells(fdt, parent);
	scells = fdt_size_cells(fdt, parent);
	if (acells < 1 || acells > 2 || scells > 2)
		return -EINVAL;
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg)
		return -ENOENT;
	entry_bytes = 4 * (acells + scells);
	if (index >= len / entry_bytes)
		return -ENOENT;
	reg += (size_t)index * entry_bytes;
	fdt_read_cells(reg, acells, base);
	*size = 0;
	if (scells)
		fdt_read_cells(reg + 4 * acells, scells, size);
	return 0;
}

int fdt_get_reserved(const struct fdt *fdt, unsigned int index,
		     uint64_t *base, uint64_t *size)
{
	uint32_t offset = fdt->rsvmap_offset;

	for (unsigned int i = 0;; i++, offset += 16) {
		if (fdt->total_size - offset < 16)
			return -EINVAL;
		uint64_t b = fdt_be64(fdt->blob + offset);
		uint64_t s = fdt_be64(fdt->blob + offset + 8);
		if (b == 0 && s == 0)
			return -ENOENT;
		if (i == index) {
			*base = b;
			*size = s;
			return 0;
		}
	}
}
