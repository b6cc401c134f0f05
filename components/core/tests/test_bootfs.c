/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <host/support.h>
#include <stdio.h>
#include <string.h>

#include "../bootfs.c"

static unsigned char archive[4096];
static size_t archive_len;

static void put(const char *name, unsigned int mode, const char *data)
{
	size_t size = data ? strlen(data) : 0;

	archive_len += (size_t)sprintf((char *)archive + archive_len,
				       "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
				       1u, mode, 0u, 0u, 1u, 0u, size, 0u, 0u, 0u, 0u,
				       strlen(name) + 1, 0u);
	memcpy(archive + archive_len, name, strlen(name) + 1);
	archive_len += strlen(name) + 1;
	while (archive_len % 4)
		archive[archive_len++] = 0;
	memcpy(archive + archive_len, data ? data : "", size);
	archive_len += size;
	while (archive_len % 4)
		archive[archive_len++] = 0;
}

static void reset_bootfs(void)
{
	kfree(bootfs_files);
	bootfs_files = NULL;
	bootfs_files_count = 0;
	archive_len = 0;
	host_console_clear();
}

static void test_no_archive(void **state)
{
	(void)state;
	reset_bootfs();
	bootfs_init(NULL, 0);
	assert_int_equal(bootfs_count(), 0);
	assert_null(bootfs_get(0));
	assert_null(bootfs_find("etc/tessera.config"));
	assert_true(host_console_contains("bootfs: no boot archive"));
}

static void test_files_are_indexed_in_place(void **state)
{
	const struct bootfs_file *f;

	(void)state;
	reset_bootfs();
	put(".", 040755, NULL);
	put("./etc", 040755, NULL);
	put("./etc/tessera.config", 0100644, "vm guest\n");
	put("./guest/kernel", 0100644, "KERNEL");
	put("./link", 0120777, "guest/kernel");
	put("TRAILER!!!", 0, NULL);
	bootfs_init(archive, archive_len);

	assert_int_equal(bootfs_count(), 2);
	f = bootfs_get(0);
	assert_string_equal(f->name, "etc/tessera.config");
	assert_int_equal(f->size, 9);
	assert_memory_equal(f->data, "vm guest\n", 9);
	assert_true((const unsigned char *)f->data > archive &&
		    (const unsigned char *)f->data < archive + archive_len);
	assert_string_equal(bootfs_get(1)->name, "guest/kernel");
	assert_null(bootfs_get(2));

	assert_ptr_equal(bootfs_find("guest/kernel"), bootfs_get(1));
	assert_ptr_equal(bootfs_find("./guest/kernel"), bootfs_get(1));
	assert_null(bootfs_find("etc"));
	assert_null(bootfs_find("link"));
	assert_null(bootfs_find("guest/kernel2"));
	assert_true(host_console_contains("bootfs: 2 files in the boot archive"));
}

static void test_malformed_archive_keeps_the_files_before_the_damage(void **state)
{
	size_t second;

	(void)state;
	reset_bootfs();
	put("a", 0100644, "1");
	second = archive_len;
	put("b", 0100644, "2");
	put("TRAILER!!!", 0, NULL);
	archive[second] = 'X';
	bootfs_init(archive, archive_len);
	assert_int_equal(bootfs_count(), 1);
	assert_non_null(bootfs_find("a"));
	assert_null(bootfs_find("b"));
	assert_true(host_console_contains("warning: bootfs: boot archive is malformed at offset 116 (-22)"));
}

static void test_archive_without_files(void **state)
{
	(void)state;
	reset_bootfs();
	put(".", 040755, NULL);
	put("TRAILER!!!", 0, NULL);
	bootfs_init(archive, archive_len);
	assert_int_equal(bootfs_count(), 0);
	assert_true(host_console_contains("bootfs: boot archive has no files"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_archive),
		cmocka_unit_test(test_files_are_indexed_in_place),
		cmocka_unit_test(test_malformed_archive_keeps_the_files_before_the_damage),
		cmocka_unit_test(test_archive_without_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
