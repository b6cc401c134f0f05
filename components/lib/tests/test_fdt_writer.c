/* SPDX-License-Identifier: MIT */
/*
 * The device tree writer.  Every tree is decompiled with dtc (Debian device-tree-compiler, installed by
 * scripts/setup.sh), which must accept it without a warning; the dts text
 * is then checked for the nodes and values QEMU's virt machine has.
 */
#define _GNU_SOURCE   /* mkdtemp, memmem */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <host/support.h>
#include <lib/fdt_writer.h>

static uint8_t blob[64 * 1024];
static char dts[64 * 1024];

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Decompiles blob[0..len) into dts[]; dtc must succeed and say nothing. */
static void decompile(size_t len)
{
	if (host_dtc_decompile(blob, len, dts, sizeof(dts)) != 0)
		fail_msg("dtc: %s", dts);
}

static void expect_dts(const char *text)
{
	if (!strstr(dts, text))
		fail_msg("'%s' is not in the tree:\n%s", text, dts);
}


static void test_writer_reservations_and_shared_strings(void **state)
{
	struct fdt_writer w;
	long len;

	(void)state;
	fdt_writer_init(&w, blob, sizeof(blob));
	fdt_writer_reserve(&w, 0x40000000, 0x10000);
	fdt_writer_reserve(&w, 0x123456789000ULL, 0x2000);
	fdt_writer_begin_node(&w, "");
	fdt_writer_property_u32(&w, "#size-cells", 0);
	fdt_writer_property_u32(&w, "#address-cells", 1);
	fdt_writer_begin_node(&w, "node@1");
	fdt_writer_property_u32(&w, "size-cells", 2);       /* the tail of "#size-cells" */
	fdt_writer_property_u32(&w, "reg", 1);
	fdt_writer_property(&w, "odd", "abcde", 5);          /* padding after 5 bytes */
	fdt_writer_property_u64(&w, "wide", 0x0102030405060708ULL);
	fdt_writer_end_node(&w);
	fdt_writer_end_node(&w);
	len = fdt_writer_finish(&w);
	assert_true(len > 0);
	assert_int_equal(be32(blob + 8), 40 + 3 * 16);
	assert_int_equal(be32(blob + 32), strlen("#size-cells") + 1 + strlen("#address-cells") + 1 +
			 strlen("reg") + 1 + strlen("odd") + 1 + strlen("wide") + 1);
	decompile((size_t)len);
	expect_dts("/memreserve/\t0x0000000040000000 0x0000000000010000;\n"
		   "/memreserve/\t0x0000123456789000 0x0000000000002000;\n");
	expect_dts("\t#size-cells = <0x00>;\n\t#address-cells = <0x01>;\n");
	expect_dts("\tnode@1 {\n"
		   "\t\tsize-cells = <0x02>;\n"
		   "\t\treg = <0x01>;\n"
		   "\t\todd = [61 62 63 64 65];\n"
		   "\t\twide = <0x1020304 0x5060708>;\n"
		   "\t};\n");
	/* The writer is spent after finish. */
	fdt_writer_begin_node(&w, "late");
	assert_int_equal(fdt_writer_finish(&w), -EINVAL);
}

typedef void (*misuse_fn)(struct fdt_writer *w);

static void reserve_after_node(struct fdt_writer *w)
{
	fdt_writer_begin_node(w, "");
	fdt_writer_reserve(w, 0, 0x1000);
	fdt_writer_end_node(w);
}

static void property_outside_root(struct fdt_writer *w)
{
	fdt_writer_property_u32(w, "x", 1);
	fdt_writer_begin_node(w, "");
	fdt_writer_end_node(w);
}

static void end_without_begin(struct fdt_writer *w)
{
	fdt_writer_end_node(w);
}

static void root_left_open(struct fdt_writer *w)
{
	fdt_writer_begin_node(w, "");
	fdt_writer_begin_node(w, "child");
	fdt_writer_end_node(w);
}

static void two_roots(struct fdt_writer *w)
{
	fdt_writer_begin_node(w, "");
	fdt_writer_end_node(w);
	fdt_writer_begin_node(w, "");
	fdt_writer_end_node(w);
}

static void named_root(struct fdt_writer *w)
{
	fdt_writer_begin_node(w, "root");
	fdt_writer_end_node(w);
}

static void unnamed_child(struct fdt_writer *w)
{
	fdt_writer_begin_node(w, "");
	fdt_writer_begin_node(w, "");
	fdt_writer_end_node(w);
	fdt_writer_end_node(w);
}

static void unnamed_property(struct fdt_writer *w)
{
	fdt_writer_begin_node(w, "");
	fdt_writer_property_u32(w, "", 1);
	fdt_writer_end_node(w);
}

static void nothing(struct fdt_writer *w)
{
	(void)w;
}

static void test_writer_misuse(void **state)
{
	static const misuse_fn cases[] = {
		reserve_after_node, property_outside_root, end_without_begin, root_left_open,
		two_roots, named_root, unnamed_child, unnamed_property, nothing,
	};
	struct fdt_writer w;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fdt_writer_init(&w, blob, sizeof(blob));
		cases[i](&w);
		assert_int_equal(fdt_writer_finish(&w), -EINVAL);
	}
	/* Too small for even a header and the reservation terminator. */
	fdt_writer_init(&w, blob, 55);
	fdt_writer_begin_node(&w, "");
	fdt_writer_end_node(&w);
	assert_int_equal(fdt_writer_finish(&w), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_reservations_and_shared_strings),
		cmocka_unit_test(test_writer_misuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
