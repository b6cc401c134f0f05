/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <aarch64/fdt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Blobs are written here the way dtc lays them out: header, memory
 * reservation block, structure block, strings block.
 */
struct blob_builder {
	uint8_t structure[4096];
	size_t struct_len;
	char strings[1024];
	size_t strings_len;
	uint64_t reserved[8][2];
	unsigned int reserved_count;
	uint8_t out[8192] __attribute__((aligned(8)));
	size_t out_len;
};

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static void emit32(struct blob_builder *b, uint32_t v)
{
	assert_true(b->struct_len + 4 <= sizeof(b->structure));
	put_be32(b->structure + b->struct_len, v);
	b->struct_len += 4;
}

static void emit_bytes(struct blob_builder *b, const void *data, size_t len)
{
	assert_true(b->struct_len + len + 3 <= sizeof(b->structure));
	memcpy(b->structure + b->struct_len, data, len);
	b->struct_len += len;
	while (b->struct_len % 4)
		b->structure[b->struct_len++] = 0;
}

static uint32_t string_offset(struct blob_builder *b, const char *name)
{
	for (size_t off = 0; off < b->strings_len; off += strlen(b->strings + off) + 1)
		if (strcmp(b->strings + off, name) == 0)
			return (uint32_t)off;
	size_t off = b->strings_len;
	assert_true(off + strlen(name) + 1 <= sizeof(b->strings));
	strcpy(b->strings + off, name);
	b->strings_len += strlen(name) + 1;
	return (uint32_t)off;
}

static void begin_node(struct blob_builder *b, const char *name)
{
	emit32(b, 1);
	emit_bytes(b, name, strlen(name) + 1);
}

static void end_node(struct blob_builder *b)
{
	emit32(b, 2);
}

static void prop(struct blob_builder *b, const char *name, const void *data, size_t len)
{
	emit32(b, 3);
	emit32(b, (uint32_t)len);
	emit32(b, string_offset(b, name));
	emit_bytes(b, data, len);
}

static void prop_string(struct blob_builder *b, const char *name, const char *value)
{
	prop(b, name, value, strlen(value) + 1);
}

/* Up to 8 cells. */
static void prop_cells(struct blob_builder *b, const char *name, unsigned int n, ...)
{
	uint8_t data[32];
	va_list ap;

	assert_true(n <= 8);
	va_start(ap, n);
	for (unsigned int i = 0; i < n; i++)
		put_be32(data + 4 * i, va_arg(ap, uint32_t));
	va_end(ap);
	prop(b, name, data, 4 * n);
}

static const void *finish(struct blob_builder *b)
{
	size_t off_rsv = 40;
	size_t off_struct = off_rsv + 16 * (b->reserved_count + 1);
	size_t off_strings;

	emit32(b, 9);
	off_strings = off_struct + b->struct_len;
	b->out_len = off_strings + b->strings_len;
	assert_true(b->out_len <= sizeof(b->out));
	memset(b->out, 0, sizeof(b->out));
	put_be32(b->out + 0, FDT_MAGIC);
	put_be32(b->out + 4, (uint32_t)b->out_len);
	put_be32(b->out + 8, (uint32_t)off_struct);
	put_be32(b->out + 12, (uint32_t)off_strings);
	put_be32(b->out + 16, (uint32_t)off_rsv);
	put_be32(b->out + 20, 17);
	put_be32(b->out + 24, 16);
	put_be32(b->out + 28, 0);
	put_be32(b->out + 32, (uint32_t)b->strings_len);
	put_be32(b->out + 36, (uint32_t)b->struct_len);
	for (unsigned int i = 0; i < b->reserved_count; i++) {
		put_be64(b->out + off_rsv + 16 * i, b->reserved[i][0]);
		put_be64(b->out + off_rsv + 16 * i + 8, b->reserved[i][1]);
	}
	memcpy(b->out + off_struct, b->structure, b->struct_len);
	memcpy(b->out + off_strings, b->strings, b->strings_len);
	return b->out;
}

/* A tree shaped like QEMU's virt machine, with the awkward cases added. */
static const void *build_virt_like(struct blob_builder *b)
{
	memset(b, 0, sizeof(*b));
	b->reserved[0][0] = 0x48000000;
	b->reserved[0][1] = 0x10000;
	b->reserved_count = 1;

	begin_node(b, "");
	prop_cells(b, "#address-cells", 1, 2);
	prop_cells(b, "#size-cells", 1, 2);
	prop_string(b, "model", "linux,dummy-virt");

	begin_node(b, "psci");
	prop(b, "compatible", "arm,psci-1.0\0arm,psci-0.2\0arm,psci", 35);
	prop_string(b, "method", "smc");
	end_node(b);

	begin_node(b, "memory@40000000");
	prop_string(b, "device_type", "memory");
	prop_cells(b, "reg", 8, 0, 0x40000000, 0, 0x40000000, 0x1, 0, 0, 0x80000000);
	end_node(b);

	begin_node(b, "pl011@9040000");
	prop(b, "compatible", "arm,pl011\0arm,primecell", 24);
	prop_string(b, "status", "disabled");
	prop_cells(b, "reg", 4, 0, 0x9040000, 0, 0x1000);
	end_node(b);

	begin_node(b, "pl011@9000000");
	prop(b, "compatible", "arm,pl011\0arm,primecell", 24);
	prop_cells(b, "reg", 4, 0, 0x9000000, 0, 0x1000);
	end_node(b);

	begin_node(b, "intc@8000000");
	prop_string(b, "compatible", "arm,gic-v3");
	prop_cells(b, "#redistributor-regions", 1, 2);
	prop_cells(b, "reg", 8, 0, 0x8000000, 0, 0x10000, 0, 0x80a0000, 0, 0xf60000);
	begin_node(b, "its@8080000");
	prop_string(b, "compatible", "arm,gic-v3-its");
	end_node(b);
	end_node(b);

	begin_node(b, "soc");
	prop_cells(b, "#address-cells", 1, 1);
	prop_cells(b, "#size-cells", 1, 1);
	begin_node(b, "uart@1000");
	prop_cells(b, "reg", 4, 0x1000, 0x100, 0x2000, 0x200);
	end_node(b);
	end_node(b);

	begin_node(b, "cpus");
	prop_cells(b, "#address-cells", 1, 1);
	prop_cells(b, "#size-cells", 1, 0);
	begin_node(b, "cpu@0");
	prop_string(b, "device_type", "cpu");
	prop_cells(b, "reg", 1, 0);
	end_node(b);
	begin_node(b, "cpu@1");
	prop_string(b, "device_type", "cpu");
	prop_cells(b, "reg", 1, 0x100);
	end_node(b);
	end_node(b);

	begin_node(b, "aliases");
	prop_string(b, "serial0", "/pl011@9000000");
	end_node(b);

	begin_node(b, "chosen");
	prop_string(b, "bootargs", "loglevel=info poweroff");
	prop_string(b, "stdout-path", "serial0:115200n8");
	prop_cells(b, "linux,initrd-start", 1, 0x48000000);
	prop_cells(b, "linux,initrd-end", 2, 0, 0x48000600);
	prop(b, "unterminated", "abc", 3);
	prop(b, "compatible", "no-nul", 6);
	end_node(b);

	end_node(b);
	return finish(b);
}

static struct blob_builder builder;

static void open_ok(struct fdt *fdt, const void *blob)
{
	const char *why = NULL;

	assert_int_equal(fdt_open(fdt, blob, builder.out_len, &why), 0);
	assert_null(why);
}

static void test_paths_and_names(void **state)
{
	struct fdt fdt;
	(void)state;

	open_ok(&fdt, build_virt_like(&builder));
	int root = fdt_root(&fdt);
	assert_true(root >= 0);
	assert_string_equal(fdt_node_name(&fdt, root), "");
	assert_int_equal(fdt_path_offset(&fdt, "/"), root);

	int chosen = fdt_path_offset(&fdt, "/chosen");
	assert_true(chosen > root);
	assert_string_equal(fdt_node_name(&fdt, chosen), "chosen");
	assert_string_equal(fdt_getprop_string(&fdt, chosen, "bootargs"), "loglevel=info poweroff");

	/* Without a unit address any unit matches: the first one in the tree. */
	int uart = fdt_path_offset(&fdt, "/pl011");
	assert_string_equal(fdt_node_name(&fdt, uart), "pl011@9040000");
	assert_string_equal(fdt_node_name(&fdt, fdt_path_offset(&fdt, "/pl011@9000000")),
			    "pl011@9000000");
	assert_string_equal(fdt_node_name(&fdt, fdt_path_offset(&fdt, "/cpus/cpu@1")), "cpu@1");
	assert_string_equal(fdt_node_name(&fdt, fdt_path_offset(&fdt, "//cpus/")), "cpus");
	assert_int_equal(fdt_path_offset(&fdt, "/cpus/cpu@2"), -ENOENT);
	assert_int_equal(fdt_path_offset(&fdt, "/pl011@90"), -ENOENT);
	assert_int_equal(fdt_path_offset(&fdt, "/cpu@0"), -ENOENT);
	assert_int_equal(fdt_path_offset(&fdt, "chosen"), -EINVAL);
}

static void test_walk_children_and_parents(void **state)
{
	struct fdt fdt;
	const char *expected[] = { "psci", "memory@40000000", "pl011@9040000", "pl011@9000000",
				   "intc@8000000", "soc", "cpus", "aliases", "chosen" };
	unsigned int n = 0;
	(void)state;

	open_ok(&fdt, build_virt_like(&builder));
	int root = fdt_root(&fdt);
	for (int node = fdt_first_child(&fdt, root); node >= 0; node = fdt_next_sibling(&fdt, node)) {
		assert_true(n < sizeof(expected) / sizeof(expected[0]));
		assert_string_equal(fdt_node_name(&fdt, node), expected[n]);
		assert_int_equal(fdt_parent(&fdt, node), root);
		n++;
	}
	assert_int_equal(n, 9);

	int cpu1 = fdt_path_offset(&fdt, "/cpus/cpu@1");
	assert_int_equal(fdt_parent(&fdt, cpu1), fdt_path_offset(&fdt, "/cpus"));
	assert_int_equal(fdt_first_child(&fdt, cpu1), -ENOENT);
	assert_int_equal(fdt_next_sibling(&fdt, cpu1), -ENOENT);
	assert_int_equal(fdt_parent(&fdt, root), -ENOENT);

	/* Document order with depths: the ITS is one level below the GIC. */
	int depth = 0;
	int gic = fdt_path_offset(&fdt, "/intc");
	int its = fdt_next_node(&fdt, gic, &depth);
	assert_string_equal(fdt_node_name(&fdt, its), "its@8080000");
	assert_int_equal(depth, 1);
	int soc = fdt_next_node(&fdt, its, &depth);
	assert_string_equal(fdt_node_name(&fdt, soc), "soc");
	assert_int_equal(depth, 0);

	/* Not a node offset: rejected, not misread. */
	assert_null(fdt_node_name(&fdt, gic + 4));
	assert_null(fdt_getprop(&fdt, gic + 4, "reg", NULL));
	assert_int_equal(fdt_next_node(&fdt, -1, &depth), -EINVAL);
}

static void test_compatible_status_and_reg(void **state)
{
	struct fdt fdt;
	uint64_t base, size;
	(void)state;

	open_ok(&fdt, build_virt_like(&builder));
	int first = fdt_find_compatible(&fdt, -1, "arm,pl011");
	int second = fdt_find_compatible(&fdt, first, "arm,pl011");
	assert_string_equal(fdt_node_name(&fdt, first), "pl011@9040000");
	assert_string_equal(fdt_node_name(&fdt, second), "pl011@9000000");
	assert_int_equal(fdt_find_compatible(&fdt, second, "arm,pl011"), -ENOENT);
	assert_false(fdt_is_enabled(&fdt, first));
	assert_true(fdt_is_enabled(&fdt, second));
	assert_true(fdt_is_compatible(&fdt, second, "arm,primecell"));
	assert_false(fdt_is_compatible(&fdt, second, "arm,pl01"));
	assert_true(fdt_is_compatible(&fdt, fdt_path_offset(&fdt, "/psci"), "arm,psci-0.2"));
	/* A compatible list without its final NUL matches nothing. */
	assert_false(fdt_is_compatible(&fdt, fdt_path_offset(&fdt, "/chosen"), "no-nul"));

	int memory = fdt_path_offset(&fdt, "/memory");
	assert_int_equal(fdt_get_reg(&fdt, memory, 0, &base, &size), 0);
	assert_int_equal(base, 0x40000000);
	assert_int_equal(size, 0x40000000);
	assert_int_equal(fdt_get_reg(&fdt, memory, 1, &base, &size), 0);
	assert_int_equal(base, 0x100000000ULL);
	assert_int_equal(size, 0x80000000ULL);
	assert_int_equal(fdt_get_reg(&fdt, memory, 2, &base, &size), -ENOENT);

	int gic = fdt_find_compatible(&fdt, -1, "arm,gic-v3");
	assert_int_equal(fdt_get_reg(&fdt, gic, 1, &base, &size), 0);
	assert_int_equal(base, 0x80a0000);
	assert_int_equal(size, 0xf60000);

	/* The soc bus gives its children one address and one size cell. */
	int soc_uart = fdt_path_offset(&fdt, "/soc/uart");
	assert_int_equal(fdt_get_reg(&fdt, soc_uart, 1, &base, &size), 0);
	assert_int_equal(base, 0x2000);
	assert_int_equal(size, 0x200);

	/* cpus have #size-cells = 0. */
	int cpu1 = fdt_path_offset(&fdt, "/cpus/cpu@1");
	assert_int_equal(fdt_get_reg(&fdt, cpu1, 0, &base, &size), 0);
	assert_int_equal(base, 0x100);
	assert_int_equal(size, 0);
	assert_int_equal(fdt_address_cells(&fdt, fdt_path_offset(&fdt, "/cpus")), 1);
	assert_int_equal(fdt_size_cells(&fdt, fdt_path_offset(&fdt, "/cpus")), 0);
}

static void test_chosen_properties(void **state)
{
	struct fdt fdt;
	uint64_t value;
	uint32_t len;
	(void)state;

	open_ok(&fdt, build_virt_like(&builder));
	int chosen = fdt_path_offset(&fdt, "/chosen");
	assert_true(fdt_getprop_u64(&fdt, chosen, "linux,initrd-start", &value));
	assert_int_equal(value, 0x48000000);
	assert_true(fdt_getprop_u64(&fdt, chosen, "linux,initrd-end", &value));
	assert_int_equal(value, 0x48000600);
	assert_false(fdt_getprop_u64(&fdt, chosen, "bootargs", &value));
	assert_false(fdt_getprop_u64(&fdt, chosen, "absent", &value));
	assert_string_equal(fdt_getprop_string(&fdt, chosen, "stdout-path"), "serial0:115200n8");
	assert_non_null(fdt_getprop(&fdt, chosen, "unterminated", &len));
	assert_int_equal(len, 3);
	assert_null(fdt_getprop_string(&fdt, chosen, "unterminated"));
	/* Properties of a child are not the parent's. */
	assert_null(fdt_getprop(&fdt, fdt_root(&fdt), "bootargs", NULL));
}

static void test_reserved_map(void **state)
{
	struct fdt fdt;
	uint64_t base, size;
	(void)state;

	open_ok(&fdt, build_virt_like(&builder));
	assert_int_equal(fdt_get_reserved(&fdt, 0, &base, &size), 0);
	assert_int_equal(base, 0x48000000);
	assert_int_equal(size, 0x10000);
	assert_int_equal(fdt_get_reserved(&fdt, 1, &base, &size), -ENOENT);
}

static void set_header(uint8_t *blob, unsigned int field, uint32_t value)
{
	put_be32(blob + 4 * field, value);
}

static void expect_open_fails(const uint8_t *blob, size_t max, const char *reason)
{
	struct fdt fdt;
	const char *why = NULL;

	assert_int_equal(fdt_open(&fdt, blob, max, &why), -EINVAL);
	assert_non_null(why);
	assert_string_equal(why, reason);
}

static void test_open_rejects_bad_headers(void **state)
{
	static uint8_t blob[8192];
	size_t len;
	(void)state;

	build_virt_like(&builder);
	len = builder.out_len;
#define FRESH() memcpy(blob, builder.out, len)
	FRESH();
	expect_open_fails(blob, 20, "no room for an FDT header");
	expect_open_fails(NULL, 100, "no room for an FDT header");
	/* The loader's blob is larger than what may be read. */
	expect_open_fails(blob, len - 1, "totalsize out of range");
	FRESH(); set_header(blob, 0, 0xedfe0dd0);
	expect_open_fails(blob, len, "bad magic (not a device tree blob)");
	FRESH(); set_header(blob, 5, 15);
	expect_open_fails(blob, len, "unsupported FDT version");
	FRESH(); set_header(blob, 1, 39);
	expect_open_fails(blob, len, "totalsize out of range");
	FRESH(); set_header(blob, 2, (uint32_t)len + 4);
	expect_open_fails(blob, len, "structure block offset out of range");
	FRESH(); set_header(blob, 2, 42);
	expect_open_fails(blob, len, "structure block offset out of range");
	FRESH(); set_header(blob, 9, 0xfffffff0);
	expect_open_fails(blob, len, "structure block size out of range");
	FRESH(); set_header(blob, 8, 0xffffffff);
	expect_open_fails(blob, len, "string block out of range");
	FRESH(); set_header(blob, 4, 44);
	expect_open_fails(blob, len, "memory reservation block out of range");
	/* A structure block that does not start with a node. */
	FRESH(); set_header(blob, 9, 0);
	expect_open_fails(blob, len, "no root node");
#undef FRESH
}

static void test_corrupt_structure_is_contained(void **state)
{
	static uint8_t blob[8192];
	struct fdt fdt;
	uint32_t len;
	(void)state;

	build_virt_like(&builder);
	memcpy(blob, builder.out, builder.out_len);
	open_ok(&fdt, blob);
	int chosen = fdt_path_offset(&fdt, "/chosen");
	const uint8_t *bootargs = fdt_getprop(&fdt, chosen, "bootargs", &len);
	assert_non_null(bootargs);
	size_t prop_at = (size_t)(bootargs - blob) - 12;

	/* A property length running past the structure block. */
	put_be32(blob + prop_at + 4, 0x7ffffff0);
	assert_null(fdt_getprop(&fdt, chosen, "bootargs", &len));
	assert_int_equal(fdt_path_offset(&fdt, "/chosen"), chosen);
	int depth = 0, node = chosen;
	assert_int_equal(fdt_next_node(&fdt, node, &depth), -EINVAL);

	/* A length that would wrap the offset around to an earlier token. */
	memcpy(blob, builder.out, builder.out_len);
	put_be32(blob + prop_at + 4, 0xfffffff4);
	assert_null(fdt_getprop(&fdt, chosen, "stdout-path", &len));
	depth = 0;
	assert_int_equal(fdt_next_node(&fdt, chosen, &depth), -EINVAL);

	/* A name offset outside the string block: that property is skipped. */
	memcpy(blob, builder.out, builder.out_len);
	put_be32(blob + prop_at + 8, 0x10000);
	assert_null(fdt_getprop(&fdt, chosen, "bootargs", &len));
	assert_non_null(fdt_getprop(&fdt, chosen, "stdout-path", &len));

	/* An unknown token. */
	memcpy(blob, builder.out, builder.out_len);
	put_be32(blob + prop_at, 7);
	assert_null(fdt_getprop(&fdt, chosen, "stdout-path", &len));

	/* A string block whose last string lost its NUL. */
	memcpy(blob, builder.out, builder.out_len);
	blob[builder.out_len - 1] = 'x';
	open_ok(&fdt, blob);
	assert_non_null(fdt_getprop(&fdt, fdt_path_offset(&fdt, "/chosen"), "bootargs", &len));
	assert_null(fdt_getprop(&fdt, fdt_path_offset(&fdt, "/chosen"), "unterminated", &len));
}

static void test_truncated_blobs_never_overread(void **state)
{
	(void)state;

	build_virt_like(&builder);
	/*
	 * The blob ends in the middle of the structure block, at every 4-byte
	 * boundary, in a buffer of exactly that size (as a loader that copied
	 * too little would leave it): walks and lookups end in errors, never
	 * outside the buffer.  Built with ASan, any stray read is reported.
	 */
	size_t off_struct = 40 + 16 * 2;
	for (size_t cut = 4; cut < builder.struct_len; cut += 4) {
		size_t total = off_struct + cut;
		uint8_t *blob = malloc(total);
		struct fdt fdt;
		int depth = 0, nodes = 0;
		uint64_t base, size;

		assert_non_null(blob);
		memcpy(blob, builder.out, total);
		set_header(blob, 1, (uint32_t)total);
		set_header(blob, 3, (uint32_t)total);
		set_header(blob, 8, 0);
		set_header(blob, 9, (uint32_t)cut);
		if (fdt_open(&fdt, blob, total, NULL) == 0) {
			for (int node = fdt_root(&fdt); node >= 0;
			     node = fdt_next_node(&fdt, node, &depth)) {
				nodes++;
				fdt_get_reg(&fdt, node, 0, &base, &size);
				fdt_is_compatible(&fdt, node, "arm,pl011");
			}
			assert_true(nodes <= 14);
			int chosen = fdt_path_offset(&fdt, "/chosen");
			assert_true(chosen < 0 || (size_t)chosen < cut);
			if (chosen >= 0)
				fdt_getprop_string(&fdt, chosen, "bootargs");
		}
		free(blob);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths_and_names),
		cmocka_unit_test(test_walk_children_and_parents),
		cmocka_unit_test(test_compatible_status_and_reg),
		cmocka_unit_test(test_chosen_properties),
		cmocka_unit_test(test_reserved_map),
		cmocka_unit_test(test_open_rejects_bad_headers),
		cmocka_unit_test(test_corrupt_structure_is_contained),
		cmocka_unit_test(test_truncated_blobs_never_overread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
