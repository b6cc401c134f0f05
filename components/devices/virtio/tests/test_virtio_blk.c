/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk requests, driven over virtio-mmio the way Linux's
 * virtio_blk (indirect descriptors, EVENT_IDX), SeaBIOS and EDK2's
 * VirtioBlkDxe (direct header/data/status chains, polling) send them.
 * Every answer is checked exactly: status byte, used ring entry and
 * length, interrupt line, disk contents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include <host/support.h>
#include "virtio_test_mmio.h"

#define LINUX_FEATURES \
	(VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | \
	 VIRTIO_BIT(VIRTIO_BLK_F_GEOMETRY) | VIRTIO_BIT(VIRTIO_BLK_F_RO) | \
	 VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | \
	 VIRTIO_BIT(VIRTIO_BLK_F_TOPOLOGY) | VIRTIO_BIT(VIRTIO_BLK_F_CONFIG_WCE) | \
	 VIRTIO_BIT(VIRTIO_BLK_F_MQ) | VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) | \
	 VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES) | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | \
	 VIRTIO_BIT(VIRTIO_F_EVENT_IDX) | VIRTIO_BIT(VIRTIO_F_VERSION_1))
/* What EDK2's VirtioBlkDxe asks for. */
#define EDK2_FEATURES \
	(VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_TOPOLOGY) | \
	 VIRTIO_BIT(VIRTIO_BLK_F_RO) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | \
	 VIRTIO_BIT(VIRTIO_F_VERSION_1))

static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	rig_create(r, false);
	host_console_clear();
	*state = r;
	return 0;
}

static int setup_read_only(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	rig_create(r, true);
	host_console_clear();
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct rig *r = *state;
	rig_destroy(r);
	free(r);
	return 0;
}

static uint8_t disk_byte(unsigned offset)
{
	return (uint8_t)(offset / 512 + offset % 7);
}

static void assert_used(struct rig *r, uint16_t i, uint32_t id, uint32_t len)
{
	assert_true((uint16_t)(used_idx(&r->g) - i) >= 1);
	assert_int_equal(used_id(&r->g, i), id);
	assert_int_equal(used_len(&r->g, i), len);
}

/* ---- Linux ------------------------------------------------------------ */

static void test_linux_probe_and_config(void **state)
{
	struct rig *r = *state;

	uint64_t accepted = linux_negotiate(r, LINUX_FEATURES);
	assert_int_equal(accepted, VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
			 VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) |
			 VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES) | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |
			 VIRTIO_BIT(VIRTIO_F_EVENT_IDX) | VIRTIO_BIT(VIRTIO_F_VERSION_1));
	assert_int_equal(reg(r, VIRTIO_MMIO_STATUS), 0x0B);
	/* virtio_cread64 in a generation loop: two 32-bit halves. */
	uint32_t gen = reg(r, VIRTIO_MMIO_CONFIG_GENERATION);
	uint64_t capacity = reg(r, VIRTIO_MMIO_CONFIG + 0) |
			    (uint64_t)reg(r, VIRTIO_MMIO_CONFIG + 4) << 32;
	assert_int_equal(reg(r, VIRTIO_MMIO_CONFIG_GENERATION), gen);
	assert_int_equal(capacity, DISK_SECTORS);
	assert_int_equal(reg(r, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_SEG_MAX), 254);
	assert_int_equal(reg(r, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_BLK_SIZE), 512);
	assert_int_equal(reg(r, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS), 0x3FFFFF);
	assert_int_equal(reg(r, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_MAX_DISCARD_SEG), 1);
	assert_int_equal(reg(r, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_DISCARD_SECTOR_ALIGNMENT), 1);
	assert_int_equal(reg(r, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_MAX_WRITE_ZEROES_SECTORS),
			 0x3FFFFF);
	assert_int_equal(reg(r, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_MAX_WRITE_ZEROES_SEG), 1);
	assert_int_equal(rd(&r->g, MMIO_BASE + VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_WRITE_ZEROES_MAY_UNMAP,
			    1), 0);
	/* Fields the device does not offer read 0 (SeaBIOS reads the geometry anyway). */
	assert_int_equal(rd(&r->g, MMIO_BASE + VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_GEOMETRY, 2), 0);
	assert_int_equal(rd(&r->g, MMIO_BASE + VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_GEOMETRY + 2, 1), 0);
	assert_int_equal(reg(r, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_SIZE_MAX), 0);
	/* A 64-bit read is split by the bus into the same halves. */
	assert_int_equal(rd(&r->g, MMIO_BASE + VIRTIO_MMIO_CONFIG, 8), DISK_SECTORS);
	/* Past the 60 bytes of configuration: zeroes. */
	assert_int_equal(reg(r, VIRTIO_MMIO_CONFIG + 60), 0);
}

static void test_linux_read_with_indirect_descriptors(void **state)
{
	struct rig *r = *state;
	struct test_guest *g = &r->g;

	rig_bring_up(r, LINUX_FEATURES);
	/* virtblk_add_req(): header, two data pages, status, all in one indirect table. */
	uint64_t table = INDIRECT_GPA;
	set_desc_in(g, table, 0, put_header(r, 0, VIRTIO_BLK_T_IN, 10), 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc_in(g, table, 1, DATA_GPA + 0x3000, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	set_desc_in(g, table, 2, DATA_GPA + 0x1000, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 3);
	set_desc_in(g, table, 3, STATUS_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	set_desc(g, 0, table, 4 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	gp(g, STATUS_GPA)[0] = 0xEE;
	avail_add(g, 0);
	kick(r);

	assert_int_equal(status_byte(r, 0), VIRTIO_BLK_S_OK);
	for (unsigned i = 0; i < 512; i++) {
		assert_int_equal(gp(g, DATA_GPA + 0x3000)[i], disk_byte(10 * 512 + i));
		assert_int_equal(gp(g, DATA_GPA + 0x1000)[i], disk_byte(11 * 512 + i));
	}
	assert_int_equal(used_idx(g), 1);
	assert_used(r, 0, 0, 1025);
	/* EVENT_IDX: used_event 0 asks for the first completion; avail_event = 1. */
	assert_int_equal(avail_event(g), 1);
	assert_true(r->irq);
	assert_int_equal(r->irq_edges, 1);
	assert_int_equal(ack_irq(r), VIRTIO_MMIO_INT_VRING);
	assert_false(r->irq);
	assert_int_equal(reg(r, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_false(host_console_contains("vda"));
}

static void test_event_idx_suppresses_and_batches(void **state)
{
	struct rig *r = *state;
	struct test_guest *g = &r->g;

	rig_bring_up(r, LINUX_FEATURES);
	/* The driver is busy: notify only once entry 2 is used. */
	set_used_event(g, 2);
	direct_request(r, 0, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	kick(r);
	assert_int_equal(used_idx(g), 1);
	assert_false(r->irq);
	direct_request(r, 1, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	direct_request(r, 2, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	direct_request(r, 3, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	kick(r);
	/* Three chains in one kick, one interrupt for all of them. */
	assert_int_equal(used_idx(g), 4);
	assert_int_equal(r->irq_edges, 1);
	for (uint16_t i = 0; i < 4; i++) {
		assert_used(r, i, 2u * i, 1);
		assert_int_equal(status_byte(r, i), VIRTIO_BLK_S_OK);
	}
	assert_int_equal(avail_event(g), 4);
	/* used_event far ahead: nothing. */
	ack_irq(r);
	set_used_event(g, 100);
	direct_request(r, 4, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	kick(r);
	assert_int_equal(used_idx(g), 5);
	assert_int_equal(r->irq_edges, 1);
	assert_int_equal(r->bd->requests[BLOCKDEV_FLUSH], 5);
}

/* ---- SeaBIOS and EDK2: direct chains ------------------------------------ */

static void test_direct_write_read_flush(void **state)
{
	struct rig *r = *state;
	struct test_guest *g = &r->g;

	linux_negotiate(r, EDK2_FEATURES);
	linux_setup_queue(r, RING_SIZE);
	/* VirtioBlkDxe polls: it sets NO_INTERRUPT in the available ring. */
	put16(g, g->avail, VIRTQ_AVAIL_F_NO_INTERRUPT);
	memset(gp(g, DATA_GPA), 0x5A, 1024);
	direct_request(r, 0, VIRTIO_BLK_T_OUT, 5, DATA_GPA, 1024, false);
	kick(r);
	assert_int_equal(status_byte(r, 0), VIRTIO_BLK_S_OK);
	assert_used(r, 0, 0, 1);
	for (unsigned i = 0; i < 1024; i++)
		assert_int_equal(r->disk[5 * 512 + i], 0x5A);
	assert_int_equal(r->disk[5 * 512 - 1], disk_byte(5 * 512 - 1));
	assert_int_equal(r->disk[7 * 512], disk_byte(7 * 512));
	assert_false(r->irq);

	direct_request(r, 1, VIRTIO_BLK_T_IN, 4, DATA_GPA + 0x10000, 2048, true);
	direct_request(r, 2, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	kick(r);
	assert_int_equal(used_idx(g), 3);
	assert_used(r, 1, 3, 2049);
	assert_used(r, 2, 6, 1);
	assert_int_equal(status_byte(r, 1), VIRTIO_BLK_S_OK);
	assert_int_equal(status_byte(r, 2), VIRTIO_BLK_S_OK);
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(gp(g, DATA_GPA + 0x10000)[i], disk_byte(4 * 512 + i));
	assert_int_equal(gp(g, DATA_GPA + 0x10000)[512], 0x5A);
	assert_false(r->irq);
	assert_int_equal(r->irq_edges, 0);
	/* The last sector of the disk is readable. */
	direct_request(r, 3, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, DATA_GPA, 512, true);
	kick(r);
	assert_int_equal(status_byte(r, 3), VIRTIO_BLK_S_OK);
}

static void test_get_id(void **state)
{
	struct rig *r = *state;
	struct test_guest *g = &r->g;

	rig_bring_up(r, LINUX_FEATURES);
	memset(gp(g, DATA_GPA), 0xFF, 32);
	direct_request(r, 0, VIRTIO_BLK_T_GET_ID, 0, DATA_GPA, VIRTIO_BLK_ID_BYTES, true);
	kick(r);
	assert_int_equal(status_byte(r, 0), VIRTIO_BLK_S_OK);
	assert_used(r, 0, 0, 21);
	assert_memory_equal(gp(g, DATA_GPA), "tessera-disk-0\0\0\0\0\0\0", 20);
	assert_int_equal(gp(g, DATA_GPA)[20], 0xFF);
	/* A shorter buffer gets what fits. */
	memset(gp(g, DATA_GPA), 0xFF, 32);
	direct_request(r, 1, VIRTIO_BLK_T_GET_ID, 0, DATA_GPA, 7, true);
	kick(r);
	assert_used(r, 1, 3, 8);
	assert_memory_equal(gp(g, DATA_GPA), "tessera\xFF", 8);
}

/* ---- errors: the request fails, the device goes on --------------------- */

static void expect_status(struct rig *r, unsigned slot, uint16_t used, uint8_t status)
{
	kick(r);
	assert_int_equal(status_byte(r, slot), status);
	assert_int_equal(used_idx(&r->g), (uint16_t)(used + 1));
	assert_int_equal(used_len(&r->g, used), 1);
	assert_false(virtio_device_broken(virtio_blk_device(r->blk)));
}

static void test_io_errors(void **state)
{
	struct rig *r = *state;
	struct test_guest *g = &r->g;
	uint16_t n = 0;

	rig_bring_up(r, LINUX_FEATURES);
	memset(gp(g, DATA_GPA), 0x77, 4096);
	/* Past the end: the last sector plus one. */
	direct_request(r, 0, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, DATA_GPA, 1024, true);
	expect_status(r, 0, n++, VIRTIO_BLK_S_IOERR);
	assert_int_equal(gp(g, DATA_GPA)[0], 0x77);            /* nothing read */
	direct_request(r, 1, VIRTIO_BLK_T_OUT, DISK_SECTORS, DATA_GPA, 512, false);
	expect_status(r, 1, n++, VIRTIO_BLK_S_IOERR);
	/* A sector number whose byte offset overflows 64 bits. */
	direct_request(r, 2, VIRTIO_BLK_T_IN, 1ull << 55, DATA_GPA, 512, true);
	expect_status(r, 2, n++, VIRTIO_BLK_S_IOERR);
	direct_request(r, 3, VIRTIO_BLK_T_OUT, UINT64_MAX, DATA_GPA, 512, false);
	expect_status(r, 3, n++, VIRTIO_BLK_S_IOERR);
	/* Not a multiple of 512. */
	direct_request(r, 4, VIRTIO_BLK_T_IN, 0, DATA_GPA, 100, true);
	expect_status(r, 4, n++, VIRTIO_BLK_S_IOERR);
	assert_int_equal(gp(g, DATA_GPA)[0], 0x77);
	/* IN into a device-readable buffer: the device would write read-only memory. */
	direct_request(r, 5, VIRTIO_BLK_T_IN, 0, DATA_GPA, 512, false);
	expect_status(r, 5, n++, VIRTIO_BLK_S_IOERR);
	assert_int_equal(gp(g, DATA_GPA)[0], 0x77);
	assert_true(host_console_contains("IN request 15 has data in device-readable buffers"));
	/* OUT from a device-writable buffer. */
	direct_request(r, 6, VIRTIO_BLK_T_OUT, 0, DATA_GPA, 512, true);
	expect_status(r, 6, n++, VIRTIO_BLK_S_IOERR);
	assert_int_equal(r->disk[0], disk_byte(0));
	/* Data outside RAM, or straddling its end. */
	direct_request(r, 7, VIRTIO_BLK_T_IN, 0, RAM_END - 256, 512, true);
	expect_status(r, 7, n++, VIRTIO_BLK_S_IOERR);
	direct_request(r, 8, VIRTIO_BLK_T_OUT, 0, 0x1000, 512, false);
	expect_status(r, 8, n++, VIRTIO_BLK_S_IOERR);
	assert_int_equal(r->disk[0], disk_byte(0));
	/* Unknown and unsupported types. */
	direct_request(r, 9, 0x1234, 0, 0, 0, false);
	expect_status(r, 9, n++, VIRTIO_BLK_S_UNSUPP);
	direct_request(r, 10, VIRTIO_BLK_T_GET_LIFETIME, 0, DATA_GPA, 8, true);
	expect_status(r, 10, n++, VIRTIO_BLK_S_UNSUPP);
	direct_request(r, 11, VIRTIO_BLK_T_SECURE_ERASE, 0, DATA_GPA, 16, false);
	expect_status(r, 11, n++, VIRTIO_BLK_S_UNSUPP);
	/* FLUSH_OUT is only a legacy driver's word. */
	direct_request(r, 12, VIRTIO_BLK_T_FLUSH_OUT, 0, 0, 0, false);
	expect_status(r, 12, n++, VIRTIO_BLK_S_UNSUPP);
	/* GET_ID into read-only memory of the guest (ROM). */
	static uint8_t rom[4096];
	assert_int_equal(guest_mem_add(&g->mem, 0xFFFF0000u, sizeof(rom), rom, true), 0);
	direct_request(r, 13, VIRTIO_BLK_T_IN, 0, 0xFFFF0000u, 512, true);
	expect_status(r, 13, n++, VIRTIO_BLK_S_IOERR);
	direct_request(r, 14, VIRTIO_BLK_T_GET_ID, 0, 0xFFFF0000u, 20, true);
	expect_status(r, 14, n++, VIRTIO_BLK_S_IOERR);
	assert_int_equal(rom[0], 0);
	/* And the device still works. */
	direct_request(r, 15, VIRTIO_BLK_T_IN, 0, DATA_GPA, 512, true);
	kick(r);
	assert_int_equal(status_byte(r, 15), VIRTIO_BLK_S_OK);
	assert_int_equal(gp(g, DATA_GPA)[1], disk_byte(1));
}

static void test_read_only_disk(void **state)
{
	struct rig *r = *state;
	struct test_guest *g = &r->g;

	uint64_t accepted = linux_negotiate(r, LINUX_FEATURES);
	assert_true(accepted & VIRTIO_BIT(VIRTIO_BLK_F_RO));
	linux_setup_queue(r, RING_SIZE);
	memset(gp(g, DATA_GPA), 0x11, 512);
	direct_request(r, 0, VIRTIO_BLK_T_OUT, 0, DATA_GPA, 512, false);
	expect_status(r, 0, 0, VIRTIO_BLK_S_IOERR);
	assert_int_equal(r->disk[0], disk_byte(0));
	/* Discard and write zeroes change the disk too. */
	put64(g, DATA_GPA + 0x100, 0);
	put32(g, DATA_GPA + 0x108, 1);
	put32(g, DATA_GPA + 0x10C, 0);
	direct_request(r, 1, VIRTIO_BLK_T_WRITE_ZEROES, 0, DATA_GPA + 0x100, 16, false);
	expect_status(r, 1, 1, VIRTIO_BLK_S_IOERR);
	direct_request(r, 2, VIRTIO_BLK_T_DISCARD, 0, DATA_GPA + 0x100, 16, false);
	expect_status(r, 2, 2, VIRTIO_BLK_S_IOERR);
	assert_int_equal(r->disk[1], disk_byte(1));
	/* Reads and flushes work. */
	direct_request(r, 3, VIRTIO_BLK_T_IN, 1, DATA_GPA, 512, true);
	direct_request(r, 4, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	kick(r);
	assert_int_equal(status_byte(r, 3), VIRTIO_BLK_S_OK);
	assert_int_equal(status_byte(r, 4), VIRTIO_BLK_S_OK);
	assert_int_equal(gp(g, DATA_GPA)[0], disk_byte(512));
}

static void put_segment(struct rig *r, uint64_t gpa, uint64_t sector, uint32_t count,
			uint32_t flags)
{
	put64(&r->g, gpa, sector);
	put32(&r->g, gpa + 8, count);
	put32(&r->g, gpa + 12, flags);
}

static void test_discard_and_write_zeroes(void **state)
{
	struct rig *r = *state;
	const uint64_t seg = DATA_GPA + 0x800;
	uint16_t n = 0;

	rig_bring_up(r, LINUX_FEATURES);
	put_segment(r, seg, 3, 2, VIRTIO_BLK_SEG_FLAG_UNMAP);
	direct_request(r, 0, VIRTIO_BLK_T_WRITE_ZEROES, 0, seg, 16, false);
	expect_status(r, 0, n++, VIRTIO_BLK_S_OK);
	for (unsigned i = 3 * 512; i < 5 * 512; i++)
		assert_int_equal(r->disk[i], 0);
	assert_int_equal(r->disk[3 * 512 - 1], disk_byte(3 * 512 - 1));
	assert_int_equal(r->disk[5 * 512], disk_byte(5 * 512));
	put_segment(r, seg, 100, 1, 0);
	direct_request(r, 1, VIRTIO_BLK_T_DISCARD, 0, seg, 16, false);
	expect_status(r, 1, n++, VIRTIO_BLK_S_OK);
	assert_int_equal(r->disk[100 * 512 + 3], 0);
	assert_int_equal(r->bd->requests[BLOCKDEV_DISCARD], 1);
	assert_int_equal(r->bd->requests[BLOCKDEV_WRITE_ZEROES], 1);

	/* 5.2.6.2: unmap on a discard, unknown flags: unsupported. */
	put_segment(r, seg, 200, 1, VIRTIO_BLK_SEG_FLAG_UNMAP);
	direct_request(r, 2, VIRTIO_BLK_T_DISCARD, 0, seg, 16, false);
	expect_status(r, 2, n++, VIRTIO_BLK_S_UNSUPP);
	put_segment(r, seg, 200, 1, 0x4);
	direct_request(r, 3, VIRTIO_BLK_T_WRITE_ZEROES, 0, seg, 16, false);
	expect_status(r, 3, n++, VIRTIO_BLK_S_UNSUPP);
	/* More segments than max_*_seg (1). */
	put_segment(r, seg, 200, 1, 0);
	put_segment(r, seg + 16, 210, 1, 0);
	direct_request(r, 4, VIRTIO_BLK_T_DISCARD, 0, seg, 32, false);
	expect_status(r, 4, n++, VIRTIO_BLK_S_UNSUPP);
	/* Malformed lists and ranges. */
	direct_request(r, 5, VIRTIO_BLK_T_DISCARD, 0, seg, 12, false);
	expect_status(r, 5, n++, VIRTIO_BLK_S_IOERR);
	direct_request(r, 6, VIRTIO_BLK_T_DISCARD, 0, 0, 0, false);
	expect_status(r, 6, n++, VIRTIO_BLK_S_IOERR);
	put_segment(r, seg, DISK_SECTORS - 1, 2, 0);
	direct_request(r, 7, VIRTIO_BLK_T_WRITE_ZEROES, 0, seg, 16, false);
	expect_status(r, 7, n++, VIRTIO_BLK_S_IOERR);
	put_segment(r, seg, 0, VIRTIO_BLK_MAX_DISCARD_SECTORS + 1, 0);
	direct_request(r, 8, VIRTIO_BLK_T_DISCARD, 0, seg, 16, false);
	expect_status(r, 8, n++, VIRTIO_BLK_S_IOERR);
	put_segment(r, seg, UINT64_MAX / 256, 1, 0);
	direct_request(r, 9, VIRTIO_BLK_T_DISCARD, 0, seg, 16, false);
	expect_status(r, 9, n++, VIRTIO_BLK_S_IOERR);
	direct_request(r, 10, VIRTIO_BLK_T_DISCARD, 0, RAM_END - 8, 16, false);
	expect_status(r, 10, n++, VIRTIO_BLK_S_IOERR);
	assert_int_equal(r->disk[(DISK_SECTORS - 1) * 512], disk_byte((DISK_SECTORS - 1) * 512));
}

/* ---- requests with no way to answer: NEEDS_RESET ------------------------ */

static void expect_needs_reset(struct rig *r, const char *message)
{
	kick(r);
	assert_int_equal(used_idx(&r->g), 0);
	assert_true(reg(r, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	assert_true(host_console_contains(message));
	/* A live driver hears of it through a configuration change interrupt. */
	assert_true(r->irq);
	assert_int_equal(ack_irq(r), VIRTIO_MMIO_INT_CONFIG);
	/* Further kicks do nothing; a reset brings the device back. */
	direct_request(r, 9, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	kick(r);
	assert_int_equal(used_idx(&r->g), 0);
	rig_bring_up(r, LINUX_FEATURES);
	direct_request(r, 9, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	kick(r);
	assert_int_equal(used_idx(&r->g), 1);
	assert_int_equal(status_byte(r, 9), VIRTIO_BLK_S_OK);
}

static void test_request_without_header(void **state)
{
	struct rig *r = *state;
	rig_bring_up(r, LINUX_FEATURES);
	set_desc(&r->g, 0, HDR_GPA, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc(&r->g, 1, STATUS_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	avail_add(&r->g, 0);
	expect_needs_reset(r, "request 0 lacks a 16-byte header");
}

static void test_request_without_status(void **state)
{
	struct rig *r = *state;
	rig_bring_up(r, LINUX_FEATURES);
	set_desc(&r->g, 0, put_header(r, 0, VIRTIO_BLK_T_OUT, 0), 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(&r->g, 1, DATA_GPA, 512, 0, 0);
	avail_add(&r->g, 0);
	expect_needs_reset(r, "request 0 lacks a status byte");
	assert_int_equal(r->disk[0], disk_byte(0));
}

static void test_header_outside_ram(void **state)
{
	struct rig *r = *state;
	rig_bring_up(r, LINUX_FEATURES);
	set_desc(&r->g, 0, RAM_END - 8, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(&r->g, 1, STATUS_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	avail_add(&r->g, 0);
	expect_needs_reset(r, "header or status of request 0 is not in RAM");
}

static void test_status_outside_ram(void **state)
{
	struct rig *r = *state;
	rig_bring_up(r, LINUX_FEATURES);
	set_desc(&r->g, 0, put_header(r, 0, VIRTIO_BLK_T_FLUSH, 0), 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(&r->g, 1, RAM_END, 1, VIRTQ_DESC_F_WRITE, 0);
	avail_add(&r->g, 0);
	expect_needs_reset(r, "header or status of request 0 is not in RAM");
}

static void test_malformed_chain_over_mmio(void **state)
{
	struct rig *r = *state;
	rig_bring_up(r, LINUX_FEATURES);
	set_desc(&r->g, 0, put_header(r, 0, VIRTIO_BLK_T_FLUSH, 0), 16, VIRTQ_DESC_F_NEXT, 0);
	avail_add(&r->g, 0);
	expect_needs_reset(r, "chain from head 0 loops");
}

/* ---- an asynchronous backend ---------------------------------------------- */

struct deferred {
	struct blockdev bd;
	struct blockdev_request *queue[32];
	unsigned count;
};

static void deferred_submit(struct blockdev *bd, struct blockdev_request *req)
{
	struct deferred *d = bd->priv;
	d->queue[d->count++] = req;
}

static const struct blockdev_ops deferred_ops = { .submit = deferred_submit };

static void complete_first(struct deferred *d, int result)
{
	struct blockdev_request *req = d->queue[0];
	memmove(d->queue, d->queue + 1, --d->count * sizeof(d->queue[0]));
	blockdev_complete(&d->bd, req, result);
}

static void test_asynchronous_completion(void **state)
{
	struct rig *r = *state;
	struct test_guest *g = &r->g;
	struct deferred d = {
		.bd = { .name = "later", .size = DISK_SECTORS * 512, .block_size = 4096,
			.ops = &deferred_ops, .priv = &d },
	};

	/* A second device on the same guest, at the next slot, on this backend. */
	struct virtio_blk *blk = virtio_blk_create("vdb", &g->mem, &d.bd, NULL);
	struct virtio_mmio *mmio = virtio_mmio_create(g->bus, MMIO_BASE + VIRTIO_MMIO_SIZE,
						      virtio_blk_device(blk));
	assert_non_null(mmio);
	virtio_mmio_destroy(r->mmio);
	virtio_blk_destroy(r->blk);
	r->mmio = mmio;
	r->blk = blk;
	r->base = MMIO_BASE + VIRTIO_MMIO_SIZE;
	irq_line_connect(virtio_mmio_irq(mmio), rig_irq, r, 17);
	uint64_t accepted = linux_negotiate(r, LINUX_FEATURES);
	assert_false(accepted & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD));
	assert_int_equal(reg(r, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_BLK_SIZE), 4096);
	assert_int_equal(reg(r, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_MAX_DISCARD_SEG), 0);
	linux_setup_queue(r, 4);

	/*
	 * Four flushes on a ring of four; a driver that reuses descriptors
	 * of requests in flight (which it must not) finds the device taking
	 * no more than four at a time.
	 */
	for (unsigned i = 0; i < 6; i++) {
		r->next_desc = (uint16_t)(2 * (i % 2));
		direct_request(r, i, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
		kick(r);
		assert_int_equal(d.count, i < 4 ? i + 1 : 4);
	}
	assert_int_equal(virtio_blk_inflight(blk), 4);
	assert_int_equal(used_idx(g), 0);
	assert_false(r->irq);
	/* Each completion answers, interrupts, and lets one more in. */
	complete_first(&d, 0);
	assert_int_equal(used_idx(g), 1);
	assert_int_equal(status_byte(r, 0), VIRTIO_BLK_S_OK);
	assert_true(r->irq);
	assert_int_equal(d.count, 4);
	complete_first(&d, -EIO);
	assert_int_equal(status_byte(r, 1), VIRTIO_BLK_S_IOERR);
	assert_int_equal(d.count, 4);
	complete_first(&d, -ENOTSUP);
	assert_int_equal(status_byte(r, 2), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(d.count, 3);
	assert_int_equal(used_idx(g), 3);

	/* A reset with requests in flight: they finish, the guest never hears. */
	set_reg(r, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(virtio_blk_inflight(blk), 3);
	ring_layout(g, RING_GPA, 4);
	while (d.count)
		complete_first(&d, 0);
	assert_int_equal(virtio_blk_inflight(blk), 0);
	assert_int_equal(used_idx(g), 0);
	assert_int_equal(status_byte(r, 3), 0xEE);
}

static void test_capacity_change(void **state)
{
	struct rig *r = *state;

	rig_bring_up(r, LINUX_FEATURES);
	uint32_t gen = reg(r, VIRTIO_MMIO_CONFIG_GENERATION);
	r->bd->size = 1024 * 512;
	virtio_blk_update_capacity(r->blk);
	assert_true(r->irq);
	assert_int_equal(ack_irq(r), VIRTIO_MMIO_INT_CONFIG);
	/* Linux's generation loop: before, field, after; they differ once. */
	uint32_t before = reg(r, VIRTIO_MMIO_CONFIG_GENERATION);
	uint32_t capacity = reg(r, VIRTIO_MMIO_CONFIG);
	uint32_t after = reg(r, VIRTIO_MMIO_CONFIG_GENERATION);
	assert_int_equal(before, gen);
	assert_int_equal(after, gen + 1);
	assert_int_equal(capacity, 1024);
	before = reg(r, VIRTIO_MMIO_CONFIG_GENERATION);
	capacity = reg(r, VIRTIO_MMIO_CONFIG);
	after = reg(r, VIRTIO_MMIO_CONFIG_GENERATION);
	assert_int_equal(before, after);
	/* The new end is enforced. */
	direct_request(r, 0, VIRTIO_BLK_T_IN, 1024, DATA_GPA, 512, true);
	expect_status(r, 0, 0, VIRTIO_BLK_S_IOERR);
}

static void test_create_rules(void **state)
{
	struct rig *r = *state;
	assert_null(virtio_blk_create("x", NULL, r->bd, NULL));
	assert_null(virtio_blk_create("x", &r->g.mem, NULL, NULL));
	/* A serial longer than 20 bytes is cut, without a NUL. */
	struct virtio_blk *blk = virtio_blk_create(NULL, &r->g.mem, r->bd,
						   "0123456789abcdefghijKLM");
	assert_string_equal(virtio_blk_device(blk)->name, "virtio-blk");
	virtio_blk_destroy(blk);
	virtio_blk_destroy(NULL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_linux_probe_and_config),
		T(test_linux_read_with_indirect_descriptors),
		T(test_event_idx_suppresses_and_batches),
		T(test_direct_write_read_flush),
		T(test_get_id),
		T(test_io_errors),
		cmocka_unit_test_setup_teardown(test_read_only_disk, setup_read_only, teardown),
		T(test_discard_and_write_zeroes),
		T(test_request_without_header),
		T(test_request_without_status),
		T(test_header_outside_ram),
		T(test_status_outside_ram),
		T(test_malformed_chain_over_mmio),
		T(test_asynchronous_completion),
		T(test_capacity_change),
		T(test_create_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
