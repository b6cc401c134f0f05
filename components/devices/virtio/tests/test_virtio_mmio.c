/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio register interface: identity, feature words, status,
 * queue registers, interrupt status and acknowledge, access widths, empty
 * slots, reset; and the probe sequences of EDK2's VirtioMmioDeviceLib and
 * SeaBIOS's virtio-mmio driver next to Linux's (in virtio_test_mmio.h).
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

static int setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	rig_create(r, false);
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

static void test_identity(void **state)
{
	struct rig *r = *state;

	assert_int_equal(reg(r, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(reg(r, VIRTIO_MMIO_VERSION), 2);
	assert_int_equal(reg(r, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	assert_int_equal(reg(r, VIRTIO_MMIO_VENDOR_ID), 0x554D4551);
	assert_int_equal(reg(r, VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(reg(r, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(reg(r, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(reg(r, VIRTIO_MMIO_QUEUE_NUM_MAX), VIRTIO_BLK_QUEUE_SIZE);
	assert_int_equal(reg(r, VIRTIO_MMIO_CONFIG_GENERATION), 0);
	/* No shared memory regions: lengths and bases all-ones (4.2.2). */
	set_reg(r, VIRTIO_MMIO_SHM_SEL, 0);
	assert_int_equal(reg(r, VIRTIO_MMIO_SHM_LEN_LOW), 0xFFFFFFFF);
	assert_int_equal(reg(r, VIRTIO_MMIO_SHM_LEN_HIGH), 0xFFFFFFFF);
	assert_int_equal(reg(r, VIRTIO_MMIO_SHM_BASE_LOW), 0xFFFFFFFF);
	assert_int_equal(reg(r, VIRTIO_MMIO_SHM_BASE_HIGH), 0xFFFFFFFF);
	assert_int_equal(reg(r, VIRTIO_MMIO_QUEUE_RESET), 0);
	set_reg(r, VIRTIO_MMIO_QUEUE_RESET, 1);
	assert_int_equal(reg(r, VIRTIO_MMIO_QUEUE_RESET), 0);
	assert_int_equal(host_console_length(), 0);
	/* The window is 0x200 bytes on the bus. */
	const struct bus_region *region = bus_find(r->g.bus, BUS_SPACE_MMIO, MMIO_BASE);
	assert_non_null(region);
	assert_int_equal(region->size, 0x200);
	assert_string_equal(region->name, "vda");
}

static void test_feature_words(void **state)
{
	struct rig *r = *state;
	uint32_t low = (1u << VIRTIO_BLK_F_SEG_MAX) | (1u << VIRTIO_BLK_F_BLK_SIZE) |
		       (1u << VIRTIO_BLK_F_FLUSH) | (1u << VIRTIO_BLK_F_DISCARD) |
		       (1u << VIRTIO_BLK_F_WRITE_ZEROES) | (1u << VIRTIO_F_INDIRECT_DESC) |
		       (1u << VIRTIO_F_EVENT_IDX);

	set_reg(r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_int_equal(reg(r, VIRTIO_MMIO_DEVICE_FEATURES), low);
	set_reg(r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(reg(r, VIRTIO_MMIO_DEVICE_FEATURES), 1);   /* VERSION_1 */
	set_reg(r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	assert_int_equal(reg(r, VIRTIO_MMIO_DEVICE_FEATURES), 0);

	/* A driver that does not accept VERSION_1 gets no FEATURES_OK. */
	set_reg(r, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	set_reg(r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	set_reg(r, VIRTIO_MMIO_DRIVER_FEATURES, 1u << VIRTIO_BLK_F_FLUSH);
	set_reg(r, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(reg(r, VIRTIO_MMIO_STATUS), 3);
	/* Nor one that accepts a bit never offered. */
	set_reg(r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	set_reg(r, VIRTIO_MMIO_DRIVER_FEATURES, 1 | 1u << 3);
	set_reg(r, VIRTIO_MMIO_STATUS, 0x0B);
	assert_int_equal(reg(r, VIRTIO_MMIO_STATUS), 3);
	set_reg(r, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	set_reg(r, VIRTIO_MMIO_STATUS, 0x0B);
	assert_int_equal(reg(r, VIRTIO_MMIO_STATUS), 0x0B);
	assert_true(virtio_has_feature(virtio_blk_device(r->blk), VIRTIO_BLK_F_FLUSH));
	/* DriverFeatures is write-only: a read reports and returns 0. */
	assert_int_equal(reg(r, VIRTIO_MMIO_DRIVER_FEATURES), 0);
	assert_true(host_console_contains("read of a write-only or undefined register at offset 0x20"));
}

static void test_queue_registers(void **state)
{
	struct rig *r = *state;
	struct virtqueue *vq = virtio_queue(virtio_blk_device(r->blk), 0);

	linux_negotiate(r, ~0ull);
	/* Queue 1 does not exist: QueueNumMax 0, writes to it go nowhere. */
	set_reg(r, VIRTIO_MMIO_QUEUE_SEL, 1);
	assert_int_equal(reg(r, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	assert_int_equal(reg(r, VIRTIO_MMIO_QUEUE_READY), 0);
	set_reg(r, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
	set_reg(r, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(reg(r, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_true(host_console_contains("ring address for queue 1, which does not exist"));

	set_reg(r, VIRTIO_MMIO_QUEUE_SEL, 0);
	set_reg(r, VIRTIO_MMIO_QUEUE_NUM, 100);             /* not a power of two: kept */
	assert_int_equal(vq->size, 256);
	set_reg(r, VIRTIO_MMIO_QUEUE_NUM, 512);             /* beyond QueueNumMax */
	assert_int_equal(vq->size, 256);
	set_reg(r, VIRTIO_MMIO_QUEUE_NUM, 64);
	assert_int_equal(vq->size, 64);
	/* Addresses in halves, high part first or second. */
	set_reg(r, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	set_reg(r, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)RING_GPA);
	set_reg(r, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)RING_GPA + 0x400);
	set_reg(r, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
	set_reg(r, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)RING_GPA + 0x1000);
	set_reg(r, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
	assert_int_equal(vq->desc, RING_GPA);
	assert_int_equal(vq->avail, RING_GPA + 0x400);
	assert_int_equal(vq->used, RING_GPA + 0x1000);
	set_reg(r, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(reg(r, VIRTIO_MMIO_QUEUE_READY), 1);
	/* Live: size and rings stay as they are (4.2.2.2). */
	set_reg(r, VIRTIO_MMIO_QUEUE_NUM, 32);
	set_reg(r, VIRTIO_MMIO_QUEUE_DESC_HIGH, 7);
	assert_int_equal(vq->size, 64);
	assert_int_equal(vq->desc, RING_GPA);
	/* Stopping: write 0, read it back. */
	set_reg(r, VIRTIO_MMIO_QUEUE_READY, 0);
	assert_int_equal(reg(r, VIRTIO_MMIO_QUEUE_READY), 0);
	set_reg(r, VIRTIO_MMIO_QUEUE_DESC_HIGH, 1);
	assert_int_equal(vq->desc, RING_GPA | 1ull << 32);
	/* Rings beyond RAM: the device refuses them with NEEDS_RESET. */
	set_reg(r, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(reg(r, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_true(reg(r, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	/* A reset clears the queue. */
	set_reg(r, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(reg(r, VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(vq->desc, 0);
	assert_int_equal(vq->size, 256);
}

static void test_access_widths(void **state)
{
	struct rig *r = *state;
	enum bus_result res;

	/* Registers: 32 bits only. */
	assert_int_equal(rd(&r->g, MMIO_BASE + VIRTIO_MMIO_MAGIC_VALUE, 2), 0);
	assert_true(host_console_contains("read of a register that is not 32 bits wide at offset 0"));
	wr(&r->g, MMIO_BASE + VIRTIO_MMIO_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	assert_int_equal(reg(r, VIRTIO_MMIO_STATUS), 0);
	/* Unaligned accesses never reach the device. */
	guest_rw(&r->g, BUS_SPACE_MMIO, false, MMIO_BASE + 2, 4, 0, &res);
	assert_int_equal(res, BUS_REJECTED);
	guest_rw(&r->g, BUS_SPACE_MMIO, false, MMIO_BASE + VIRTIO_MMIO_CONFIG + 1, 2, 0, &res);
	assert_int_equal(res, BUS_REJECTED);
	/* 64-bit register accesses become two 32-bit ones. */
	assert_int_equal(rd(&r->g, MMIO_BASE, 8), 0x0000000274726976ull);
	/* The configuration: bytes, words, dwords. */
	assert_int_equal(rd(&r->g, MMIO_BASE + VIRTIO_MMIO_CONFIG + 1, 1), DISK_SECTORS >> 8);
	assert_int_equal(rd(&r->g, MMIO_BASE + VIRTIO_MMIO_CONFIG, 2), DISK_SECTORS);
	/* Writes to read-only registers are reported and dropped. */
	set_reg(r, VIRTIO_MMIO_MAGIC_VALUE, 0);
	set_reg(r, VIRTIO_MMIO_QUEUE_NUM_MAX, 4);
	assert_true(host_console_contains("write to a read-only or undefined register at offset 0x34"));
	assert_int_equal(reg(r, VIRTIO_MMIO_QUEUE_NUM_MAX), 256);
	/* The configuration of a block device has nothing writable. */
	wr(&r->g, MMIO_BASE + VIRTIO_MMIO_CONFIG, 4, 0);
	assert_int_equal(reg(r, VIRTIO_MMIO_CONFIG), DISK_SECTORS);
	/* A guest cannot fill the log. */
	for (unsigned i = 0; i < 100; i++)
		set_reg(r, 0xF0, i);
	assert_true(host_console_contains("further reports suppressed"));
	host_console_clear();
	set_reg(r, 0xF0, 1);
	assert_int_equal(host_console_length(), 0);
}

static void test_interrupt_status_and_ack(void **state)
{
	struct rig *r = *state;

	rig_bring_up(r, VIRTIO_BIT(VIRTIO_F_VERSION_1));
	direct_request(r, 0, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	kick(r);
	assert_true(r->irq);
	assert_int_equal(reg(r, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	virtio_blk_update_capacity(r->blk);      /* a config change on top */
	assert_int_equal(reg(r, VIRTIO_MMIO_INTERRUPT_STATUS), 3);
	/* Acknowledging one cause keeps the line up for the other. */
	set_reg(r, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_true(r->irq);
	assert_int_equal(reg(r, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	set_reg(r, VIRTIO_MMIO_INTERRUPT_ACK, 0xFFFFFFFF);
	assert_false(r->irq);
	assert_int_equal(r->irq_edges, 1);
	/* Reset drops a pending interrupt. */
	direct_request(r, 1, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	kick(r);
	assert_true(r->irq);
	set_reg(r, VIRTIO_MMIO_STATUS, 0);
	assert_false(r->irq);
	assert_int_equal(reg(r, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/* So does a machine reset, which also forgets the selectors. */
	rig_bring_up(r, VIRTIO_BIT(VIRTIO_F_VERSION_1));
	direct_request(r, 0, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	kick(r);
	set_reg(r, VIRTIO_MMIO_QUEUE_SEL, 5);
	virtio_mmio_reset(r->mmio);
	assert_false(r->irq);
	assert_int_equal(reg(r, VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(reg(r, VIRTIO_MMIO_QUEUE_NUM_MAX), 256);   /* queue 0 again */
}

static void test_notify_before_driver_ok_and_bad_queue(void **state)
{
	struct rig *r = *state;

	linux_negotiate(r, VIRTIO_BIT(VIRTIO_F_VERSION_1));
	ring_layout(&r->g, RING_GPA, RING_SIZE);
	set_reg(r, VIRTIO_MMIO_QUEUE_NUM, RING_SIZE);
	set_reg(r, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)r->g.desc);
	set_reg(r, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)r->g.avail);
	set_reg(r, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)r->g.used);
	set_reg(r, VIRTIO_MMIO_QUEUE_READY, 1);
	direct_request(r, 0, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	kick(r);                                   /* before DRIVER_OK: not yet */
	assert_int_equal(used_idx(&r->g), 0);
	set_reg(r, VIRTIO_MMIO_STATUS, 0x0F);      /* DRIVER_OK: queued work runs */
	assert_int_equal(used_idx(&r->g), 1);
	assert_int_equal(status_byte(r, 0), VIRTIO_BLK_S_OK);
	set_reg(r, VIRTIO_MMIO_QUEUE_NOTIFY, 3);   /* no queue 3 */
	assert_true(host_console_contains("notification for queue 3, which does not exist"));
}

static void test_empty_slot(void **state)
{
	struct rig *r = *state;
	const uint64_t base = MMIO_BASE + 31 * VIRTIO_MMIO_SIZE;
	struct virtio_mmio *empty = virtio_mmio_create(r->g.bus, base, NULL);

	assert_non_null(empty);
	assert_int_equal(rd32(&r->g, base + VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(rd32(&r->g, base + VIRTIO_MMIO_VERSION), 2);
	assert_int_equal(rd32(&r->g, base + VIRTIO_MMIO_DEVICE_ID), 0);
	assert_int_equal(rd32(&r->g, base + VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	assert_int_equal(rd32(&r->g, base + VIRTIO_MMIO_CONFIG), 0);
	assert_int_equal(host_console_length(), 0);
	assert_int_equal(rd(&r->g, base + VIRTIO_MMIO_VERSION, 1), 0);
	assert_true(host_console_contains("not 32 bits wide"));
	host_console_clear();
	/* Nothing to drive: writes vanish without a word (4.2.3.1.1). */
	wr32(&r->g, base + VIRTIO_MMIO_STATUS, 1);
	wr32(&r->g, base + VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(rd32(&r->g, base + VIRTIO_MMIO_STATUS), 0);
	assert_false(virtio_mmio_irq(empty)->level);
	virtio_mmio_reset(empty);
	assert_int_equal(host_console_length(), 0);
	virtio_mmio_destroy(empty);
	assert_null(bus_find(r->g.bus, BUS_SPACE_MMIO, base));
	virtio_mmio_destroy(NULL);
}

static void test_create_errors(void **state)
{
	struct rig *r = *state;

	/* The same window twice: the bus refuses, naming both. */
	assert_null(virtio_mmio_create(r->g.bus, MMIO_BASE + 0x100, NULL));
	assert_true(host_console_contains("overlaps vda"));
	/* One device, two transports: refused. */
	assert_null(virtio_mmio_create(r->g.bus, MMIO_BASE + 0x400, virtio_blk_device(r->blk)));
	assert_true(host_console_contains("vda already has a transport"));
	assert_null(bus_find(r->g.bus, BUS_SPACE_MMIO, MMIO_BASE + 0x400));
	/* A device whose window is refused gets its transport slot back. */
	struct virtio_blk *blk = virtio_blk_create("vdc", &r->g.mem, r->bd, NULL);
	assert_null(virtio_mmio_create(r->g.bus, MMIO_BASE, virtio_blk_device(blk)));
	struct virtio_mmio *m = virtio_mmio_create(r->g.bus, MMIO_BASE + 0x400,
						   virtio_blk_device(blk));
	assert_non_null(m);
	virtio_mmio_destroy(m);
	virtio_blk_destroy(blk);
}

/* EDK2's VirtioMmioDeviceLib (version 2) under VirtioBlkDxe, polling. */
static void test_edk2_sequence(void **state)
{
	struct rig *r = *state;
	struct test_guest *g = &r->g;

	assert_int_equal(reg(r, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(reg(r, VIRTIO_MMIO_VERSION), 2);
	assert_int_equal(reg(r, VIRTIO_MMIO_DEVICE_ID), 2);
	set_reg(r, VIRTIO_MMIO_STATUS, 0);
	set_reg(r, VIRTIO_MMIO_STATUS, 1);
	set_reg(r, VIRTIO_MMIO_STATUS, 3);
	set_reg(r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint64_t features = reg(r, VIRTIO_MMIO_DEVICE_FEATURES);
	set_reg(r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	features |= (uint64_t)reg(r, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	uint64_t capacity = reg(r, VIRTIO_MMIO_CONFIG) |
			    (uint64_t)reg(r, VIRTIO_MMIO_CONFIG + 4) << 32;
	assert_int_equal(capacity, DISK_SECTORS);
	features &= VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_TOPOLOGY) |
		    VIRTIO_BIT(VIRTIO_BLK_F_RO) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) |
		    VIRTIO_BIT(VIRTIO_F_VERSION_1);
	set_reg(r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	set_reg(r, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	set_reg(r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	set_reg(r, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	set_reg(r, VIRTIO_MMIO_STATUS, 0x0B);
	assert_int_equal(reg(r, VIRTIO_MMIO_STATUS), 0x0B);
	set_reg(r, VIRTIO_MMIO_QUEUE_SEL, 0);
	uint32_t qmax = reg(r, VIRTIO_MMIO_QUEUE_NUM_MAX);
	assert_true(qmax >= 3);
	unsigned size = qmax < 128 ? qmax : 128;
	ring_layout(g, RING_GPA, size);
	put16(g, g->avail, VIRTQ_AVAIL_F_NO_INTERRUPT);
	set_reg(r, VIRTIO_MMIO_QUEUE_NUM, size);
	set_reg(r, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)g->desc);
	set_reg(r, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	set_reg(r, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)g->avail);
	set_reg(r, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
	set_reg(r, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)g->used);
	set_reg(r, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
	set_reg(r, VIRTIO_MMIO_QUEUE_READY, 1);
	set_reg(r, VIRTIO_MMIO_STATUS, 0x0F);
	/* Read the GPT header at LBA 1, then poll the used ring. */
	direct_request(r, 0, VIRTIO_BLK_T_IN, 1, DATA_GPA, 512, true);
	kick(r);
	assert_int_equal(used_idx(g), 1);
	assert_int_equal(used_id(g, 0), 0);
	assert_int_equal(used_len(g, 0), 513);
	assert_int_equal(status_byte(r, 0), VIRTIO_BLK_S_OK);
	assert_int_equal(gp(g, DATA_GPA)[0], 2);     /* disk byte 512: 512 / 512 + 512 % 7 */
	assert_false(r->irq);
	/* ExitBootServices: reset. */
	set_reg(r, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(reg(r, VIRTIO_MMIO_STATUS), 0);
}

/* SeaBIOS's virtio-mmio + virtio-blk (init_virtio_blk_mmio). */
static void test_seabios_sequence(void **state)
{
	struct rig *r = *state;
	struct test_guest *g = &r->g;

	set_reg(r, VIRTIO_MMIO_STATUS, 0);
	(void)reg(r, VIRTIO_MMIO_INTERRUPT_STATUS);
	set_reg(r, VIRTIO_MMIO_STATUS, 3);
	set_reg(r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint64_t f = reg(r, VIRTIO_MMIO_DEVICE_FEATURES);
	set_reg(r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f |= (uint64_t)reg(r, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	f &= VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
	     VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX);
	set_reg(r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	set_reg(r, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	set_reg(r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	set_reg(r, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
	set_reg(r, VIRTIO_MMIO_STATUS, 0x0B);
	assert_int_equal(reg(r, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK, 8);
	set_reg(r, VIRTIO_MMIO_QUEUE_SEL, 0);
	uint32_t num = reg(r, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (num > 256)
		num = 256;
	set_reg(r, VIRTIO_MMIO_QUEUE_NUM, num);
	ring_layout(g, RING_GPA, num);
	set_reg(r, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)g->desc);
	set_reg(r, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	set_reg(r, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)g->avail);
	set_reg(r, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
	set_reg(r, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)g->used);
	set_reg(r, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
	set_reg(r, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(reg(r, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_SEG_MAX), 254);
	assert_int_equal(reg(r, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_BLK_SIZE), 512);
	assert_int_equal(rd(&r->g, MMIO_BASE + VIRTIO_MMIO_CONFIG + 16, 2), 0);   /* cylinders */
	set_reg(r, VIRTIO_MMIO_STATUS, 0x0F);
	/* A boot sector read: 1 sector at LBA 0. */
	direct_request(r, 0, VIRTIO_BLK_T_IN, 0, DATA_GPA + 0x7C00, 512, true);
	kick(r);
	assert_int_equal(used_idx(g), 1);
	assert_int_equal(status_byte(r, 0), VIRTIO_BLK_S_OK);
	assert_int_equal(gp(g, DATA_GPA + 0x7C00)[6], 6);
	/* SeaBIOS reads InterruptStatus after each request and never acknowledges. */
	assert_int_equal(reg(r, VIRTIO_MMIO_INTERRUPT_STATUS), 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_identity),
		T(test_feature_words),
		T(test_queue_registers),
		T(test_access_widths),
		T(test_interrupt_status_and_ack),
		T(test_notify_before_driver_ok_and_bad_queue),
		T(test_empty_slot),
		T(test_create_errors),
		T(test_edk2_sequence),
		T(test_seabios_sequence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
