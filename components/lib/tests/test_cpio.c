/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <lib/cpio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Archives are written here the way `cpio -o -H newc` lays them out. */
struct archive {
	unsigned char data[8192];
	size_t len;
};

static void put_padding(struct archive *a)
{
	while (a->len % 4)
		a->data[a->len++] = 0;
}

static void put_entry_magic(struct archive *a, const char *magic, const char *name,
			    uint32_t mode, const void *data, size_t size)
{
	char header[128];
	size_t namesize = strlen(name) + 1;

	snprintf(header, sizeof(header),
		 "%s%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", magic,
		 (unsigned int)a->len, mode, 0u, 0u, 1u, 0u, size, 0u, 0u, 0u, 0u, namesize, 0u);
	assert_int_equal(strlen(header), 110);
	assert_true(a->len + 110 + namesize + 3 + size + 3 <= sizeof(a->data));
	memcpy(a->data + a->len, header, 110);
	a->len += 110;
	memcpy(a->data + a->len, name, namesize);
	a->len += namesize;
	put_padding(a);
	if (size)
		memcpy(a->data + a->len, data, size);
	a->len += size;
	put_padding(a);
}

static void put_entry(struct archive *a, const char *name, uint32_t mode, const void *data,
		      size_t size)
{
	put_entry_magic(a, "070701", name, mode, data, size);
}

static void put_trailer(struct archive *a)
{
	put_entry(a, "TRAILER!!!", 0, NULL, 0);
}

static const char vm_cfg[] = "name=guest\nmemory=256M\n";
static const char kernel_bytes[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 }; /* 7 bytes: padded */

static void build_sample(struct archive *a)
{
	a->len = 0;
	put_entry(a, ".", CPIO_MODE_DIR | 0755, NULL, 0);
	put_entry(a, "./etc", CPIO_MODE_DIR | 0755, NULL, 0);
	put_entry(a, "./etc/vm.cfg", CPIO_MODE_FILE | 0644, vm_cfg, strlen(vm_cfg));
	put_entry(a, "kernel", CPIO_MODE_FILE | 0644, kernel_bytes, sizeof(kernel_bytes));
	put_entry(a, "empty", CPIO_MODE_FILE | 0600, NULL, 0);
	put_entry(a, "link", CPIO_MODE_SYMLINK | 0777, "kernel", 6);
	put_trailer(a);
}

static void test_reads_every_entry(void **state)
{
	struct archive a;
	struct cpio_reader r;
	struct cpio_entry e;

	(void)state;
	build_sample(&a);
	cpio_reader_init(&r, a.data, a.len);

	assert_int_equal(cpio_next(&r, &e), 1);
	assert_string_equal(e.name, ".");
	assert_true(cpio_entry_is_dir(&e));

	assert_int_equal(cpio_next(&r, &e), 1);
	assert_string_equal(e.name, "etc");
	assert_int_equal(e.name_len, 3);
	assert_true(cpio_entry_is_dir(&e));
	assert_false(cpio_entry_is_file(&e));

	assert_int_equal(cpio_next(&r, &e), 1);
	assert_string_equal(e.name, "etc/vm.cfg");
	assert_true(cpio_entry_is_file(&e));
	assert_int_equal(e.mode, CPIO_MODE_FILE | 0644);
	assert_int_equal(e.size, strlen(vm_cfg));
	assert_memory_equal(e.data, vm_cfg, e.size);
	assert_int_equal(((uintptr_t)e.data - (uintptr_t)a.data) % 4, 0);

	assert_int_equal(cpio_next(&r, &e), 1);
	assert_string_equal(e.name, "kernel");
	assert_int_equal(e.size, 7);
	assert_memory_equal(e.data, kernel_bytes, 7);

	assert_int_equal(cpio_next(&r, &e), 1);
	assert_string_equal(e.name, "empty");
	assert_int_equal(e.size, 0);
	assert_true(cpio_entry_is_file(&e));

	assert_int_equal(cpio_next(&r, &e), 1);
	assert_string_equal(e.name, "link");
	assert_false(cpio_entry_is_file(&e));
	assert_int_equal(e.mode & CPIO_MODE_TYPE_MASK, CPIO_MODE_SYMLINK);
	assert_memory_equal(e.data, "kernel", 6);

	assert_int_equal(cpio_next(&r, &e), 0);
	assert_true(r.done);
	assert_int_equal(r.offset, a.len);
	/* The end stays the end. */
	assert_int_equal(cpio_next(&r, &e), 0);
}

static void test_find(void **state)
{
	struct archive a;
	struct cpio_entry e;

	(void)state;
	build_sample(&a);
	assert_int_equal(cpio_find(a.data, a.len, "etc/vm.cfg", &e), 0);
	assert_memory_equal(e.data, vm_cfg, strlen(vm_cfg));
	assert_int_equal(cpio_find(a.data, a.len, "./kernel", &e), 0);
	assert_int_equal(e.size, 7);
	/* Directories and symlinks are not files. */
	assert_int_equal(cpio_find(a.data, a.len, "etc", &e), -ENOENT);
	assert_int_equal(cpio_find(a.data, a.len, "link", &e), -ENOENT);
	assert_int_equal(cpio_find(a.data, a.len, "missing", &e), -ENOENT);
	assert_int_equal(cpio_find(NULL, 0, "kernel", &e), -ENOENT);
}

static void test_block_padding_after_trailer_and_entries_after_it(void **state)
{
	struct archive a;
	struct cpio_reader r;
	struct cpio_entry e;
	size_t files = 0;

	(void)state;
	build_sample(&a);
	/* cpio pads archives to 512-byte blocks with zeros. */
	memset(a.data + a.len, 0, 512 - a.len % 512);
	a.len += 512 - a.len % 512;
	/* Anything after the trailer is not part of the archive. */
	put_entry(&a, "after-the-end", CPIO_MODE_FILE | 0644, "x", 1);

	cpio_reader_init(&r, a.data, a.len);
	int rc;
	while ((rc = cpio_next(&r, &e)) > 0)
		files++;
	assert_int_equal(rc, 0);
	assert_int_equal(files, 6);
	assert_int_equal(cpio_find(a.data, a.len, "after-the-end", &e), -ENOENT);
}

static void test_end_without_trailer(void **state)
{
	struct archive a = { .len = 0 };
	struct cpio_reader r;
	struct cpio_entry e;

	(void)state;
	put_entry(&a, "one", CPIO_MODE_FILE | 0644, "1", 1);
	cpio_reader_init(&r, a.data, a.len);
	assert_int_equal(cpio_next(&r, &e), 1);
	assert_int_equal(cpio_next(&r, &e), 0);

	/* Only zeros after the last entry: a clean end as well. */
	memset(a.data + a.len, 0, 100);
	cpio_reader_init(&r, a.data, a.len + 100);
	assert_int_equal(cpio_next(&r, &e), 1);
	assert_int_equal(cpio_next(&r, &e), 0);

	/* The data padding of the last entry may be cut off. */
	cpio_reader_init(&r, a.data, a.len - 3);
	assert_int_equal(cpio_next(&r, &e), 1);
	assert_int_equal(e.size, 1);
	assert_int_equal(cpio_next(&r, &e), 0);

	/* Empty and absent archives have no entries. */
	cpio_reader_init(&r, a.data, 0);
	assert_int_equal(cpio_next(&r, &e), 0);
	cpio_reader_init(&r, NULL, 1234);
	assert_int_equal(cpio_next(&r, &e), 0);
}

static void test_crc_variant_accepted(void **state)
{
	struct archive a = { .len = 0 };
	struct cpio_entry e;

	(void)state;
	put_entry_magic(&a, "070702", "crc-file", CPIO_MODE_FILE | 0644, "abc", 3);
	put_trailer(&a);
	assert_int_equal(cpio_find(a.data, a.len, "crc-file", &e), 0);
	assert_memory_equal(e.data, "abc", 3);
}

/* Parses a copy of exactly len bytes; every entry must lie inside it. */
static int parse_all(const unsigned char *bytes, size_t len, unsigned int *entries)
{
	unsigned char *copy = malloc(len ? len : 1);
	struct cpio_reader r;
	struct cpio_entry e;
	int rc;

	assert_non_null(copy);
	memcpy(copy, bytes, len);
	*entries = 0;
	cpio_reader_init(&r, copy, len);
	while ((rc = cpio_next(&r, &e)) > 0) {
		const unsigned char *name = (const unsigned char *)e.name;
		const unsigned char *data = e.data;

		assert_true(name >= copy && name + e.name_len < copy + len);
		assert_int_equal(name[e.name_len], '\0');
		assert_true(data >= copy && data <= copy + len && e.size <= (size_t)(copy + len - data));
		assert_true(r.offset <= len);
		(*entries)++;
		assert_true(*entries < 1000);
	}
	assert_int_equal(cpio_next(&r, &e), rc);
	free(copy);
	return rc;
}

static void test_every_truncation_is_caught(void **state)
{
	struct archive a;
	unsigned int entries;
	size_t boundaries[16], nb = 0;
	size_t trailer_name_end;

	(void)state;
	build_sample(&a);
	trailer_name_end = a.len - 124 + 110 + sizeof("TRAILER!!!");
	/* Where each entry ends, so the expected result per length is known. */
	{
		struct cpio_reader r;
		struct cpio_entry e;

		cpio_reader_init(&r, a.data, a.len);
		boundaries[nb++] = 0;
		while (cpio_next(&r, &e) > 0)
			boundaries[nb++] = r.offset;
	}
	for (size_t len = 0; len < a.len; len++) {
		int rc = parse_all(a.data, len, &entries);
		bool at_boundary = false;
		unsigned int complete = 0;

		for (size_t i = 0; i < nb; i++) {
			if (boundaries[i] == len)
				at_boundary = true;
			if (boundaries[i] <= len && i > 0)
				complete++;
		}
		if (at_boundary) {
			assert_int_equal(rc, 0);
		} else {
			/*
			 * A clean end inside an entry only when that entry lost
			 * just its padding: a file (counted), or the trailer.
			 */
			if (rc == 0)
				assert_true(entries == complete + 1 ||
					    (entries == complete && len >= trailer_name_end));
			else
				assert_int_equal(rc, -EOVERFLOW);
		}
		assert_true(entries >= complete);
	}
	assert_int_equal(parse_all(a.data, a.len, &entries), 0);
	assert_int_equal(entries, 6);
}

static void corrupt_and_expect(const char *what, size_t offset, const char *bytes, int expected)
{
	struct archive a = { .len = 0 };
	unsigned int entries;
	int rc;

	put_entry(&a, "file", CPIO_MODE_FILE | 0644, "data", 4);
	put_trailer(&a);
	memcpy(a.data + offset, bytes, strlen(bytes));
	rc = parse_all(a.data, a.len, &entries);
	if (rc != expected)
		fail_msg("%s: got %d, expected %d", what, rc, expected);
	assert_int_equal(entries, 0);
}

/* Header field offsets: magic 0, field i at 6 + 8 * i. */
#define FIELD(i) (6 + 8 * (i))

static void test_malformed_headers(void **state)
{
	(void)state;
	corrupt_and_expect("bad magic", 0, "070707", -EINVAL);
	corrupt_and_expect("odc magic", 0, "070700", -EINVAL);
	corrupt_and_expect("non-hex mode", FIELD(1), "0000G1A4", -EINVAL);
	corrupt_and_expect("space in size", FIELD(6), " 0000004", -EINVAL);
	corrupt_and_expect("sign in namesize", FIELD(11), "-0000005", -EINVAL);
	corrupt_and_expect("namesize zero", FIELD(11), "00000000", -EINVAL);
	corrupt_and_expect("name without NUL", FIELD(11), "00000004", -EINVAL);
	corrupt_and_expect("namesize past the end", FIELD(11), "FFFFFFFF", -EOVERFLOW);
	corrupt_and_expect("filesize past the end", FIELD(6), "FFFFFFFF", -EOVERFLOW);
	corrupt_and_expect("filesize just past the end", FIELD(6), "00000100", -EOVERFLOW);
}

static void test_error_is_sticky(void **state)
{
	struct archive a = { .len = 0 };
	struct cpio_reader r;
	struct cpio_entry e;

	(void)state;
	put_entry(&a, "good", CPIO_MODE_FILE | 0644, "1234", 4);
	put_entry(&a, "bad", CPIO_MODE_FILE | 0644, "5678", 4);
	put_trailer(&a);
	memcpy(a.data + 120, "X", 1);    /* magic of the second header */
	cpio_reader_init(&r, a.data, a.len);
	assert_int_equal(cpio_next(&r, &e), 1);
	assert_string_equal(e.name, "good");
	assert_int_equal(cpio_next(&r, &e), -EINVAL);
	assert_int_equal(r.offset, 120);
	assert_int_equal(cpio_next(&r, &e), -EINVAL);
	assert_int_equal(cpio_find(a.data, a.len, "good", &e), 0);
	assert_int_equal(cpio_find(a.data, a.len, "bad", &e), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_every_entry),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_block_padding_after_trailer_and_entries_after_it),
		cmocka_unit_test(test_end_without_trailer),
		cmocka_unit_test(test_crc_variant_accepted),
		cmocka_unit_test(test_every_truncation_is_caught),
		cmocka_unit_test(test_malformed_headers),
		cmocka_unit_test(test_error_is_sticky),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
