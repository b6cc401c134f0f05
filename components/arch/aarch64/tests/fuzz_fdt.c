/* SPDX-License-Identifier: MIT */
/*
 * The DTB comes from the loader: any bytes must be read safely.  The
 * input is copied into a buffer of exactly its size so that ASan reports
 * any read past what fdt_open() was allowed to see.
 */
#include <aarch64/fdt.h>
#include <stdlib.h>
#include <string.h>

static void visit(const struct fdt *fdt, int node)
{
	static const char *const names[] = { "compatible", "reg", "status", "device_type",
					     "bootargs", "stdout-path", "method",
					     "linux,initrd-start", "#address-cells" };
	uint64_t base, size, value;
	uint32_t len;

	fdt_node_name(fdt, node);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		fdt_getprop(fdt, node, names[i], &len);
		fdt_getprop_string(fdt, node, names[i]);
		fdt_getprop_u64(fdt, node, names[i], &value);
	}
	fdt_is_compatible(fdt, node, "arm,pl011");
	fdt_is_enabled(fdt, node);
	for (unsigned int i = 0; i < 4; i++)
		if (fdt_get_reg(fdt, node, i, &base, &size) < 0)
			break;
	fdt_first_child(fdt, node);
	fdt_next_sibling(fdt, node);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdt fdt;
	uint64_t base, length;
	int depth = 0;
	unsigned int nodes = 0;
	uint8_t *copy;

	/* The blob is 8-byte aligned in real life; so is malloc's. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (fdt_open(&fdt, copy, size, NULL) == 0) {
		for (int node = fdt_root(&fdt); node >= 0 && nodes < 4096;
		     node = fdt_next_node(&fdt, node, &depth), nodes++)
			visit(&fdt, node);
		fdt_path_offset(&fdt, "/chosen");
		fdt_path_offset(&fdt, "/cpus/cpu@1");
		fdt_find_compatible(&fdt, -1, "arm,gic-v3");
		for (unsigned int i = 0; i < 64; i++)
			if (fdt_get_reserved(&fdt, i, &base, &length) < 0)
				break;
	}
	free(copy);
	return 0;
}
