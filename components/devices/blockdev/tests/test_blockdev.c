/* SPDX-License-Identifier: MIT */
/*
 * The block device interface: the checks of blockdev_submit(), the
 * in-memory disk, and a backend that completes later (the shape of a
 * future host disk driver).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include <blockdev/blockdev.h>

#define DISK_SIZE (64 * 1024)

struct completion {
	unsigned calls;
	int result;
	struct blockdev_request *req;
};

static void record(struct blockdev_request *req, int result)
{
	struct completion *c = req->opaque;
	c->calls++;
	c->result = result;
	c->req = req;
}

/* Submits and returns the result; every request completes exactly once. */
static int run(struct blockdev *bd, enum blockdev_op op, uint64_t offset, uint64_t length,
	       struct blockdev_iov *iov, unsigned count)
{
	struct completion c = { 0 };
	struct blockdev_request req = {
		.op = op, .offset = offset, .length = length, .iov = iov, .iov_count = count,
		.complete = record, .opaque = &c,
	};
	blockdev_submit(bd, &req);
	assert_int_equal(c.calls, 1);
	assert_ptr_equal(c.req, &req);
	assert_int_equal(bd->inflight, 0);
	return c.result;
}

static uint8_t image[DISK_SIZE + 100];

static void fill_image(void)
{
	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i * 7 + 3);
}

static void test_memdisk_read_write_scatter(void **state)
{
	(void)state;
	fill_image();
	struct blockdev *bd = memdisk_create("disk0", image, DISK_SIZE + 100, false);
	assert_non_null(bd);
	assert_string_equal(bd->name, "disk0");
	assert_int_equal(bd->size, DISK_SIZE);       /* the 100-byte tail is not a sector */
	assert_int_equal(bd->block_size, 512);
	assert_false(bd->read_only);
	assert_true(bd->can_discard);

	uint8_t a[512], b[1024];
	struct blockdev_iov iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	assert_int_equal(run(bd, BLOCKDEV_READ, 1024, 0, iov, 2), 0);
	assert_memory_equal(a, image + 1024, 512);
	assert_memory_equal(b, image + 1536, 1024);

	memset(a, 0xAA, sizeof(a));
	memset(b, 0xBB, sizeof(b));
	assert_int_equal(run(bd, BLOCKDEV_WRITE, DISK_SIZE - 1536, 0, iov, 2), 0);
	assert_int_equal(image[DISK_SIZE - 1537], (uint8_t)((DISK_SIZE - 1537) * 7 + 3));
	assert_int_equal(image[DISK_SIZE - 1536], 0xAA);
	assert_int_equal(image[DISK_SIZE - 1025], 0xAA);
	assert_int_equal(image[DISK_SIZE - 1024], 0xBB);
	assert_int_equal(image[DISK_SIZE - 1], 0xBB);
	assert_int_equal(image[DISK_SIZE], (uint8_t)(DISK_SIZE * 7 + 3));   /* tail untouched */

	assert_int_equal(run(bd, BLOCKDEV_FLUSH, 0, 0, NULL, 0), 0);
	assert_int_equal(run(bd, BLOCKDEV_READ, 0, 0, NULL, 0), 0);          /* empty read */
	assert_int_equal(bd->requests[BLOCKDEV_READ], 2);
	assert_int_equal(bd->requests[BLOCKDEV_WRITE], 1);
	assert_int_equal(bd->requests[BLOCKDEV_FLUSH], 1);
	assert_int_equal(bd->errors, 0);
	blockdev_destroy(bd);
}

static void test_memdisk_discard_and_write_zeroes(void **state)
{
	(void)state;
	fill_image();
	struct blockdev *bd = memdisk_create(NULL, image, DISK_SIZE, false);
	assert_string_equal(bd->name, "memdisk");
	assert_int_equal(run(bd, BLOCKDEV_DISCARD, 512, 1024, NULL, 0), 0);
	assert_int_equal(run(bd, BLOCKDEV_WRITE_ZEROES, 4096, 512, NULL, 0), 0);
	for (unsigned i = 0; i < 1024; i++)
		assert_int_equal(image[512 + i], 0);
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(image[4096 + i], 0);
	assert_int_equal(image[511], (uint8_t)(511 * 7 + 3));
	assert_int_equal(image[1536], (uint8_t)(1536 * 7 + 3));
	assert_int_equal(image[4608], (uint8_t)(4608 * 7 + 3));
	blockdev_destroy(bd);
}

static void test_checks(void **state)
{
	(void)state;
	fill_image();
	struct blockdev *bd = memdisk_create("disk0", image, DISK_SIZE, false);
	uint8_t buf[1024];
	struct blockdev_iov one = { buf, 512 };
	struct blockdev_iov odd = { buf, 100 };

	/* Ranges: inside ok, past the end or wrapping refused. */
	assert_int_equal(run(bd, BLOCKDEV_READ, DISK_SIZE - 512, 0, &one, 1), 0);
	assert_int_equal(run(bd, BLOCKDEV_READ, DISK_SIZE, 0, &one, 1), -EINVAL);
	assert_int_equal(run(bd, BLOCKDEV_READ, DISK_SIZE + 512, 0, NULL, 0), -EINVAL);
	assert_int_equal(run(bd, BLOCKDEV_WRITE, UINT64_MAX - 511, 0, &one, 1), -EINVAL);
	assert_int_equal(run(bd, BLOCKDEV_DISCARD, 512, UINT64_MAX - 511, NULL, 0), -EINVAL);
	assert_int_equal(run(bd, BLOCKDEV_WRITE_ZEROES, 0, DISK_SIZE + 512, NULL, 0), -EINVAL);
	/* Alignment. */
	assert_int_equal(run(bd, BLOCKDEV_READ, 100, 0, &one, 1), -EINVAL);
	assert_int_equal(run(bd, BLOCKDEV_READ, 0, 0, &odd, 1), -EINVAL);
	assert_int_equal(run(bd, BLOCKDEV_DISCARD, 0, 100, NULL, 0), -EINVAL);
	/* iov lengths that overflow when added, a missing iov array, bad ops. */
	struct blockdev_iov huge[2] = { { buf, SIZE_MAX - 511 }, { buf, 1024 } };
	assert_int_equal(run(bd, BLOCKDEV_READ, 0, 0, huge, 2), -EINVAL);
	assert_int_equal(run(bd, BLOCKDEV_READ, 0, 0, NULL, 1), -EINVAL);
	assert_int_equal(run(bd, BLOCKDEV_OP_COUNT, 0, 0, NULL, 0), -EINVAL);
	assert_int_equal(run(bd, (enum blockdev_op)-1, 0, 0, NULL, 0), -EINVAL);
	assert_int_equal(bd->errors, 12);
	blockdev_destroy(bd);

	/* Read-only: reads and flushes only. */
	bd = memdisk_create("ro", image, DISK_SIZE, true);
	uint8_t before = image[0];
	memset(buf, 0x11, sizeof(buf));
	assert_int_equal(run(bd, BLOCKDEV_READ, 0, 0, &one, 1), 0);
	assert_int_equal(run(bd, BLOCKDEV_WRITE, 0, 0, &one, 1), -EROFS);
	assert_int_equal(run(bd, BLOCKDEV_DISCARD, 0, 512, NULL, 0), -EROFS);
	assert_int_equal(run(bd, BLOCKDEV_WRITE_ZEROES, 0, 512, NULL, 0), -EROFS);
	assert_int_equal(run(bd, BLOCKDEV_FLUSH, 0, 0, NULL, 0), 0);
	assert_int_equal(image[0], before);
	blockdev_destroy(bd);

	/* An empty disk, and no memory at all. */
	bd = memdisk_create("empty", NULL, 0, false);
	assert_non_null(bd);
	assert_int_equal(bd->size, 0);
	assert_int_equal(run(bd, BLOCKDEV_READ, 0, 0, &one, 1), -EINVAL);
	blockdev_destroy(bd);
	assert_null(memdisk_create("bad", NULL, 512, false));
	blockdev_destroy(NULL);
}

/* ---- a backend that completes later ---------------------------------- */

struct deferred {
	struct blockdev bd;
	struct blockdev_request *queue[4];
	unsigned count;
	bool destroyed;
};

static void deferred_submit(struct blockdev *bd, struct blockdev_request *req)
{
	struct deferred *d = bd->priv;
	d->queue[d->count++] = req;
}

static void deferred_destroy(struct blockdev *bd)
{
	((struct deferred *)bd->priv)->destroyed = true;
}

static const struct blockdev_ops deferred_ops = {
	.submit = deferred_submit,
	.destroy = deferred_destroy,
};

static void test_asynchronous_backend(void **state)
{
	(void)state;
	struct deferred d = {
		.bd = { .name = "later", .size = DISK_SIZE, .block_size = 4096,
			.ops = &deferred_ops, .priv = &d },
	};
	struct completion c1 = { 0 }, c2 = { 0 }, c3 = { 0 };
	struct blockdev_request r1 = { .op = BLOCKDEV_FLUSH, .complete = record, .opaque = &c1 };
	struct blockdev_request r2 = { .op = BLOCKDEV_FLUSH, .complete = record, .opaque = &c2 };
	/* No discard support: refused at once, never queued. */
	struct blockdev_request r3 = { .op = BLOCKDEV_DISCARD, .length = 512, .complete = record,
				       .opaque = &c3 };

	blockdev_submit(&d.bd, &r1);
	blockdev_submit(&d.bd, &r2);
	blockdev_submit(&d.bd, &r3);
	assert_int_equal(c3.calls, 1);
	assert_int_equal(c3.result, -ENOTSUP);
	assert_int_equal(d.count, 2);
	assert_int_equal(d.bd.inflight, 2);
	assert_int_equal(c1.calls + c2.calls, 0);
	/* Completed out of order, each once. */
	blockdev_complete(&d.bd, d.queue[1], -EIO);
	assert_int_equal(c2.calls, 1);
	assert_int_equal(c2.result, -EIO);
	assert_int_equal(d.bd.inflight, 1);
	blockdev_complete(&d.bd, d.queue[0], 0);
	assert_int_equal(c1.calls, 1);
	assert_int_equal(c1.result, 0);
	assert_int_equal(d.bd.inflight, 0);
	assert_int_equal(d.bd.errors, 2);
	blockdev_destroy(&d.bd);
	assert_true(d.destroyed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memdisk_read_write_scatter),
		cmocka_unit_test(test_memdisk_discard_and_write_zeroes),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_asynchronous_backend),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
