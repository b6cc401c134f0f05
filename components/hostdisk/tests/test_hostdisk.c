/* SPDX-License-Identifier: MIT */
/*
 * The host disk layer over a disk in memory: GPT reading (primary,
 * backup, damaged tables), partitions by name, one owner at a time,
 * requests queued until hostdisk_poll() and completed under the owner's
 * lock, pieces the driver cannot take in one go, flush, synchronous I/O.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include <hostdisk/gpt.h>
#include <hostdisk/hostdisk.h>

#define SECTORS 4096u                /* 2 MiB */
#define ENTRIES 128u

static uint8_t disk[SECTORS * 512];
static unsigned int transfers, flushes, max_pieces_seen;
static bool fail_next;

static int mem_transfer(struct hostdisk *hd, bool write, uint64_t sector,
			const struct blockdev_iov *iov, unsigned int count)
{
	uint64_t pos = sector * 512, total = 0;

	assert_true(count >= 1 && count <= hd->max_segments);
	if (count > max_pieces_seen)
		max_pieces_seen = count;
	for (unsigned int i = 0; i < count; i++)
		total += iov[i].len;
	assert_int_equal(total % 512, 0);
	assert_true(total / 512 <= hd->max_sectors);
	assert_true(pos + total <= sizeof(disk));
	transfers++;
	if (fail_next) {
		fail_next = false;
		return -EIO;
	}
	for (unsigned int i = 0; i < count; i++) {
		if (write)
			memcpy(disk + pos, iov[i].base, iov[i].len);
		else
			memcpy(iov[i].base, disk + pos, iov[i].len);
		pos += iov[i].len;
	}
	return 0;
}

static int mem_flush(struct hostdisk *hd)
{
	(void)hd;
	flushes++;
	return 0;
}

static const struct hostdisk_ops mem_ops = { mem_transfer, mem_flush };
static struct hostdisk hd;

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

/* One header and its array, as sgdisk writes them. */
static void write_header(uint64_t my_lba, uint64_t alt_lba, uint64_t array_lba)
{
	uint8_t *h = disk + my_lba * 512;
	uint8_t *array = disk + array_lba * 512;

	memset(h, 0, 512);
	memcpy(h, "EFI PART", 8);
	put_le32(h + 8, 0x00010000);
	put_le32(h + 12, 92);
	put_le64(h + 24, my_lba);
	put_le64(h + 32, alt_lba);
	put_le64(h + 40, 34);
	put_le64(h + 48, SECTORS - 34);
	put_le64(h + 72, array_lba);
	put_le32(h + 80, ENTRIES);
	put_le32(h + 84, 128);
	put_le32(h + 88, gpt_crc32(array, ENTRIES * 128));
	put_le32(h + 16, gpt_crc32(h, 92));
}

static void set_entry(unsigned int i, uint64_t first, uint64_t last, const char *name)
{
	uint8_t *e = disk + 2 * 512 + i * 128;

	memset(e, 0, 128);
	e[0] = 0xAF;                     /* any type GUID that is not zero */
	e[16] = (uint8_t)(i + 1);
	put_le64(e + 32, first);
	put_le64(e + 40, last);
	for (unsigned int k = 0; name[k]; k++)
		e[56 + 2 * k] = (uint8_t)name[k];
}

/* A disk with partitions vm-root (1 MiB), vm-vars (64 KiB), a nameless one. */
static void make_disk(void)
{
	memset(disk, 0, sizeof(disk));
	set_entry(0, 2048, 4095 - 34 - 1000, "vm-root");
	set_entry(1, 100, 227, "vm-vars");
	set_entry(2, 300, 301, "");
	/* The backup array is a copy of the primary one. */
	memcpy(disk + (SECTORS - 33) * 512, disk + 2 * 512, ENTRIES * 128);
	write_header(1, SECTORS - 1, 2);
	write_header(SECTORS - 1, 1, SECTORS - 33);
}

static int setup(void **state)
{
	(void)state;
	hostdisk_reset_all();
	make_disk();
	hd = (struct hostdisk){ .name = "memdisk", .sectors = SECTORS, .max_segments = 4,
				.max_sectors = 16, .ops = &mem_ops };
	transfers = flushes = max_pieces_seen = 0;
	fail_next = false;
	return 0;
}

static void test_partitions_by_name(void **state)
{
	char names[100];

	(void)state;
	assert_false(hostdisk_exists("vm-root", names, sizeof(names)));
	assert_string_equal(names, "no host disk was found");
	assert_int_equal(hostdisk_register(&hd), 0);
	assert_int_equal(hostdisk_count(), 1);
	assert_true(hostdisk_exists("vm-root", NULL, 0));
	assert_true(hostdisk_exists("vm-vars", NULL, 0));
	assert_false(hostdisk_exists("vm", names, sizeof(names)));
	assert_string_equal(names, "it has: vm-root, vm-vars");
}

static void test_backup_header_when_primary_damaged(void **state)
{
	(void)state;
	disk[512 + 40] ^= 1;             /* the primary header's CRC no longer matches */
	assert_int_equal(hostdisk_register(&hd), 0);
	assert_true(hostdisk_exists("vm-vars", NULL, 0));
}

static void test_damaged_array_gives_no_partitions(void **state)
{
	char names[100];

	(void)state;
	disk[2 * 512 + 60] ^= 1;                     /* primary array */
	disk[(SECTORS - 33) * 512 + 60] ^= 1;        /* backup array */
	assert_int_equal(hostdisk_register(&hd), 0);
	assert_false(hostdisk_exists("vm-root", names, sizeof(names)));
	assert_string_equal(names, "the host disk has no named GPT partitions");
}

static void test_entry_outside_usable_area_ignored(void **state)
{
	(void)state;
	set_entry(3, 10, 20, "too-low");                 /* inside the GPT itself */
	set_entry(4, 4000, SECTORS + 5, "too-far");      /* past the disk */
	memcpy(disk + (SECTORS - 33) * 512, disk + 2 * 512, ENTRIES * 128);
	write_header(1, SECTORS - 1, 2);
	write_header(SECTORS - 1, 1, SECTORS - 33);
	assert_int_equal(hostdisk_register(&hd), 0);
	assert_false(hostdisk_exists("too-low", NULL, 0));
	assert_false(hostdisk_exists("too-far", NULL, 0));
	assert_true(hostdisk_exists("vm-root", NULL, 0));
}

static void test_one_owner_at_a_time(void **state)
{
	char why[200];
	struct blockdev *a, *b;

	(void)state;
	assert_int_equal(hostdisk_register(&hd), 0);
	assert_null(hostdisk_open("nope", "VM x", NULL, why, sizeof(why)));
	assert_string_equal(why, "the host disk has no partition 'nope' (it has: vm-root, vm-vars)");
	a = hostdisk_open("vm-vars", "VM web", NULL, why, sizeof(why));
	assert_non_null(a);
	assert_int_equal(a->size, 128 * 512);
	assert_null(hostdisk_open("vm-vars", "VM db", NULL, why, sizeof(why)));
	assert_string_equal(why, "host partition 'vm-vars' is used by VM web");
	blockdev_destroy(a);
	b = hostdisk_open("vm-vars", "VM db", NULL, why, sizeof(why));
	assert_non_null(b);
	blockdev_destroy(b);
}

struct done {
	unsigned int calls;
	int result;
	bool lock_held;
	spinlock_t *lock;
};

static void on_done(struct blockdev_request *req, int result)
{
	struct done *d = req->opaque;

	d->calls++;
	d->result = result;
	d->lock_held = d->lock && spin_is_locked(d->lock);
}

static void test_requests_wait_for_poll_and_complete_under_lock(void **state)
{
	spinlock_t vm_lock = SPINLOCK_INIT;
	struct done d = { .lock = &vm_lock };
	uint8_t buf[1024];
	struct blockdev_iov iov = { buf, sizeof(buf) };
	struct blockdev_request req = { .op = BLOCKDEV_WRITE, .offset = 512, .iov = &iov,
					.iov_count = 1, .complete = on_done, .opaque = &d };
	char why[100];
	struct blockdev *bd;

	(void)state;
	assert_int_equal(hostdisk_register(&hd), 0);
	bd = hostdisk_open("vm-vars", "VM web", &vm_lock, why, sizeof(why));
	memset(buf, 0x5A, sizeof(buf));
	transfers = 0;
	blockdev_submit(bd, &req);
	/* Queued only: nothing reached the disk, nothing completed. */
	assert_int_equal(d.calls, 0);
	assert_int_equal(transfers, 0);
	assert_true(hostdisk_busy());
	hostdisk_poll();
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.result, 0);
	assert_true(d.lock_held);
	assert_false(spin_is_locked(&vm_lock));
	assert_false(hostdisk_busy());
	/* Partition vm-vars starts at sector 100: its sector 1 is disk sector 101. */
	assert_int_equal(disk[101 * 512], 0x5A);
	assert_int_equal(disk[103 * 512 - 1], 0x5A);
	assert_int_equal(disk[103 * 512], 0);
	assert_int_equal(disk[101 * 512 - 1], 0);

	/* A flush reaches the driver; a failing transfer is -EIO. */
	req = (struct blockdev_request){ .op = BLOCKDEV_FLUSH, .complete = on_done, .opaque = &d };
	blockdev_submit(bd, &req);
	hostdisk_poll();
	assert_int_equal(flushes, 1);
	assert_int_equal(d.calls, 2);
	req = (struct blockdev_request){ .op = BLOCKDEV_READ, .offset = 0, .iov = &iov,
					 .iov_count = 1, .complete = on_done, .opaque = &d };
	fail_next = true;
	blockdev_submit(bd, &req);
	hostdisk_poll();
	assert_int_equal(d.result, -EIO);
	/* Past the partition's end: refused by blockdev_submit, never queued. */
	req.offset = 128 * 512 - 512;
	blockdev_submit(bd, &req);
	assert_int_equal(d.result, -EINVAL);
	assert_false(hostdisk_busy());
	blockdev_destroy(bd);
}

static void test_pieces_split_and_bounced(void **state)
{
	static uint8_t big[40 * 512];
	uint8_t odd[7][100];
	struct blockdev_iov iov[9];
	struct done d = { 0 };
	struct blockdev_request req;
	char why[100];
	struct blockdev *bd;

	(void)state;
	assert_int_equal(hostdisk_register(&hd), 0);
	bd = hostdisk_open("vm-root", "VM web", NULL, why, sizeof(why));
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 13 + 1);
	/* 40 sectors in one piece: max 16 sectors per transfer. */
	iov[0] = (struct blockdev_iov){ big, sizeof(big) };
	req = (struct blockdev_request){ .op = BLOCKDEV_WRITE, .offset = 4096, .iov = iov,
					 .iov_count = 1, .complete = on_done, .opaque = &d };
	transfers = 0;
	blockdev_submit(bd, &req);
	hostdisk_poll();
	assert_int_equal(d.result, 0);
	assert_int_equal(transfers, 3);
	assert_memory_equal(disk + (2048 + 8) * 512, big, sizeof(big));

	/* 7 pieces of 100 bytes + 1 of 324 + one sector: 3 sectors over 9
	 * pieces, the driver takes 4 at a time, so a sector goes through the
	 * bounce buffer and the rest in runs that end on sector boundaries. */
	uint8_t tail[324], last[512], back[3 * 512], expect[3 * 512];
	size_t pos = 0;

	for (int i = 0; i < 7; i++) {
		memset(odd[i], 0x10 + i, 100);
		iov[i] = (struct blockdev_iov){ odd[i], 100 };
		memcpy(expect + pos, odd[i], 100);
		pos += 100;
	}
	memset(tail, 0x77, sizeof(tail));
	memset(last, 0x88, sizeof(last));
	iov[7] = (struct blockdev_iov){ tail, sizeof(tail) };
	iov[8] = (struct blockdev_iov){ last, sizeof(last) };
	memcpy(expect + pos, tail, sizeof(tail));
	memcpy(expect + pos + sizeof(tail), last, sizeof(last));
	req = (struct blockdev_request){ .op = BLOCKDEV_WRITE, .offset = 0, .iov = iov,
					 .iov_count = 9, .complete = on_done, .opaque = &d };
	blockdev_submit(bd, &req);
	hostdisk_poll();
	assert_int_equal(d.result, 0);
	assert_memory_equal(disk + 2048 * 512, expect, sizeof(expect));
	assert_true(max_pieces_seen <= 4);

	/* Read it back through the same pieces. */
	for (int i = 0; i < 7; i++)
		memset(odd[i], 0, 100);
	memset(tail, 0, sizeof(tail));
	memset(last, 0, sizeof(last));
	req.op = BLOCKDEV_READ;
	blockdev_submit(bd, &req);
	hostdisk_poll();
	pos = 0;
	for (int i = 0; i < 7; i++, pos += 100)
		memcpy(back + pos, odd[i], 100);
	memcpy(back + pos, tail, sizeof(tail));
	memcpy(back + pos + sizeof(tail), last, sizeof(last));
	assert_memory_equal(back, expect, sizeof(expect));
	blockdev_destroy(bd);
}

static void test_sync_io(void **state)
{
	uint8_t buf[2048];
	char why[100];
	struct blockdev *bd;

	(void)state;
	assert_int_equal(hostdisk_register(&hd), 0);
	bd = hostdisk_open("vm-vars", "VM web", NULL, why, sizeof(why));
	memset(buf, 0xC3, sizeof(buf));
	assert_int_equal(hostdisk_rw_sync(bd, true, 126 * 512 - 1024, buf, 1024), 0);
	assert_int_equal(disk[(100 + 124) * 512], 0xC3);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(hostdisk_rw_sync(bd, false, 124 * 512, buf, 1024), 0);
	assert_int_equal(buf[0], 0xC3);
	assert_int_equal(hostdisk_rw_sync(bd, false, 127 * 512, buf, 1024), -EINVAL);
	assert_int_equal(hostdisk_rw_sync(bd, false, 100, buf, 512), -EINVAL);
	hostdisk_shutdown();
	assert_int_equal(flushes, 1);
	blockdev_destroy(bd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_partitions_by_name, setup),
		cmocka_unit_test_setup(test_backup_header_when_primary_damaged, setup),
		cmocka_unit_test_setup(test_damaged_array_gives_no_partitions, setup),
		cmocka_unit_test_setup(test_entry_outside_usable_area_ignored, setup),
		cmocka_unit_test_setup(test_one_owner_at_a_time, setup),
		cmocka_unit_test_setup(test_requests_wait_for_poll_and_complete_under_lock, setup),
		cmocka_unit_test_setup(test_pieces_split_and_bounced, setup),
		cmocka_unit_test_setup(test_sync_io, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
