/* SPDX-License-Identifier: MIT */
/*
 * The kernel file of a virt VM, raw or gzip-compressed: a made-up arm64
 * Image compressed by the host's gzip at test time must come back byte for
 * byte and be placed exactly like the raw Image; damaged or oversized
 * files are refused with the sentence the VM log shows.
 */
#define _POSIX_C_SOURCE 200809L   /* mkstemp, unlink */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <host/support.h>
#include <virt/boot_layout.h>
#include <virt/kernel_image.h>

#define RAM_BASE 0x40000000ULL
#define MiB (1ULL << 20)
#define IMAGE_SIZE (2 * MiB + 4096 + 123)

static uint8_t *image;
static uint8_t *gz;
static size_t gz_len;

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* An Image header (text_offset 0, 3 MiB image_size), then code-like and
 * text-like bytes. */
static void make_image(void)
{
	uint32_t x = 2024;

	image = malloc(IMAGE_SIZE);
	assert_non_null(image);
	for (size_t i = 0; i < IMAGE_SIZE; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		image[i] = (i / 4096) % 2 ? (uint8_t)"Linux version 6.1.0 "[i % 20] : (uint8_t)(x & 0x3f);
	}
	memset(image, 0, 64);
	image[0] = 0x4d;
	image[1] = 0x5a;
	put_le64(image + 16, 3 * MiB);
	put_le64(image + 24, 0xa);
	memcpy(image + 56, "ARM\x64", 4);
}

static uint8_t *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 64);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* `gzip -n -9`, as the kernel's own Image.gz target does. */
static uint8_t *host_gzip(const void *data, size_t len, size_t *out_len)
{
	char in_path[] = "/tmp/test_kernel_image-XXXXXX";
	char out_path[sizeof(in_path) + 3], command[128];
	int fd = mkstemp(in_path);
	FILE *f;
	uint8_t *out;

	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	snprintf(out_path, sizeof(out_path), "%s.gz", in_path);
	snprintf(command, sizeof(command), "gzip -n -9 -c %s > %s", in_path, out_path);
	assert_int_equal(system(command), 0);
	out = read_whole(out_path, out_len);
	unlink(in_path);
	unlink(out_path);
	return out;
}

static int setup(void **state)
{
	(void)state;
	make_image();
	gz = host_gzip(image, IMAGE_SIZE, &gz_len);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(image);
	free(gz);
	return 0;
}

static void test_raw_image_is_taken_as_it_is(void **state)
{
	struct virt_kernel_image k;
	char err[160] = "";

	(void)state;
	assert_int_equal(virt_kernel_image_prepare(image, IMAGE_SIZE, 256 * MiB, &k, err,
						   sizeof(err)), 0);
	assert_ptr_equal(k.data, image);
	assert_int_equal(k.size, IMAGE_SIZE);
	assert_null(k.copy);
	virt_kernel_image_release(&k);
	assert_null(k.data);
}

static void test_gzip_image_unpacks_and_boots_like_the_raw_one(void **state)
{
	struct virt_kernel_image k;
	struct virt_boot_layout raw_layout, gz_layout;
	char err[160] = "";
	size_t pages_before = host_pages_in_use();

	(void)state;
	assert_true(gz_len < IMAGE_SIZE / 2);
	assert_int_equal(virt_kernel_image_prepare(gz, gz_len, 256 * MiB, &k, err, sizeof(err)),
			 0);
	assert_string_equal(err, "");
	assert_non_null(k.copy);
	assert_int_equal(k.size, IMAGE_SIZE);
	assert_int_equal(k.file_size, gz_len);
	assert_memory_equal(k.data, image, IMAGE_SIZE);
	/* 2 MiB + 4219 bytes: 514 pages. */
	assert_int_equal(k.pages, 514);
	assert_int_equal(host_pages_in_use(), pages_before + 514);

	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 256 * MiB, image, IMAGE_SIZE, 1000,
					       65536, &raw_layout, err, sizeof(err)), 0);
	assert_int_equal(virt_plan_direct_boot(RAM_BASE, 256 * MiB, k.data, k.size, 1000,
					       65536, &gz_layout, err, sizeof(err)), 0);
	assert_memory_equal(&gz_layout, &raw_layout, sizeof(raw_layout));
	assert_int_equal(gz_layout.kernel_gpa, 0x40000000);
	assert_int_equal(gz_layout.kernel_end, 0x40300000);

	virt_kernel_image_release(&k);
	assert_int_equal(host_pages_in_use(), pages_before);
}

static void test_bigger_than_ram(void **state)
{
	struct virt_kernel_image k;
	char err[160] = "";

	(void)state;
	assert_int_equal(virt_kernel_image_prepare(gz, gz_len, 1 * MiB, &k, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "is gzip-compressed and unpacks to 2 MiB (its ISIZE), more than "
				 "the VM's 1 MiB of RAM");
	/* Exactly as big as RAM is accepted here (the layout refuses it later:
	 * no room for the device tree). */
	assert_int_equal(virt_kernel_image_prepare(gz, gz_len, IMAGE_SIZE, &k, err, sizeof(err)),
			 0);
	virt_kernel_image_release(&k);
}

static void test_corrupt_files(void **state)
{
	struct virt_kernel_image k;
	char err[160] = "";
	size_t pages_before = host_pages_in_use();
	uint8_t *second, *multi;
	size_t second_len;

	(void)state;
	/* CRC-32 */
	gz[gz_len - 6] ^= 0x40;
	assert_int_equal(virt_kernel_image_prepare(gz, gz_len, 256 * MiB, &k, err, sizeof(err)),
			 -EINVAL);
	gz[gz_len - 6] ^= 0x40;
	assert_true(strncmp(err, "is gzip-compressed but corrupt: CRC-32 of the data is 0x", 56) ==
		    0);
	assert_null(k.data);
	assert_int_equal(host_pages_in_use(), pages_before);

	/* A byte in the middle of the compressed data. */
	gz[gz_len / 2] ^= 0x10;
	assert_int_equal(virt_kernel_image_prepare(gz, gz_len, 256 * MiB, &k, err, sizeof(err)),
			 -EINVAL);
	gz[gz_len / 2] ^= 0x10;
	assert_true(strncmp(err, "is gzip-compressed but corrupt: ", 32) == 0);
	assert_int_equal(host_pages_in_use(), pages_before);

	/* Too short for a header and a trailer. */
	assert_int_equal(virt_kernel_image_prepare(gz, 17, 256 * MiB, &k, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "is gzip-compressed but only 17 bytes long: truncated");

	/* Four bytes after the member that repeat its ISIZE. */
	memcpy(gz + gz_len, gz + gz_len - 4, 4);
	assert_int_equal(virt_kernel_image_prepare(gz, gz_len + 4, 256 * MiB, &k, err,
						   sizeof(err)), -EINVAL);
	assert_string_equal(err, "is gzip-compressed but corrupt: 4 bytes follow the gzip data "
				 "(only single-member files are supported)");

	/* Two members (gzip a b > ab.gz): the ISIZE at the end is the second's. */
	second = host_gzip("x", 1, &second_len);
	multi = malloc(gz_len + second_len);
	memcpy(multi, gz, gz_len);
	memcpy(multi + gz_len, second, second_len);
	assert_int_equal(virt_kernel_image_prepare(multi, gz_len + second_len, 256 * MiB, &k, err,
						   sizeof(err)), -EINVAL);
	assert_string_equal(err, "is gzip-compressed but corrupt: it unpacks to more than the 1 "
				 "bytes its trailer (ISIZE) gives");
	assert_int_equal(host_pages_in_use(), pages_before);
	free(second);
	free(multi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_image_is_taken_as_it_is),
		cmocka_unit_test(test_gzip_image_unpacks_and_boots_like_the_raw_one),
		cmocka_unit_test(test_bigger_than_ram),
		cmocka_unit_test(test_corrupt_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
