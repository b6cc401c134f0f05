/* SPDX-License-Identifier: MIT */
/*
 * The virtio core and split virtqueues, without a transport: a test
 * device type takes chains itself, a test transport counts the
 * notifications.  Exact ring contents after every step; every
 * malformed-ring case puts the device in NEEDS_RESET and nothing else.
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
#include <virtio/virtio.h>
#include <virtio/virtqueue.h>
#include "virtio_test_guest.h"

#define QSIZE 8
#define QMAX 16
#define NEXT VIRTQ_DESC_F_NEXT
#define WRITE VIRTQ_DESC_F_WRITE
#define INDIRECT VIRTQ_DESC_F_INDIRECT

struct fixture {
	struct virtio_device vdev;         /* first: the callbacks find us */
	struct test_guest g;
	uint8_t config[8];
	unsigned kicks, last_kick, resets;
	bool accept_features;
	unsigned queue_notifications, config_notifications, transport_resets;
	struct virtq_chain chain;
	struct virtq_buf bufs[QMAX];
};

static void dev_queue_notify(struct virtio_device *vdev, unsigned q)
{
	struct fixture *f = (struct fixture *)vdev;
	f->kicks++;
	f->last_kick = q;
}

static void dev_reset(struct virtio_device *vdev)
{
	((struct fixture *)vdev)->resets++;
}

static bool dev_features_ok(struct virtio_device *vdev, uint64_t features)
{
	(void)features;
	return ((struct fixture *)vdev)->accept_features;
}

static const struct virtio_device_ops dev_ops = {
	.queue_notify = dev_queue_notify,
	.reset = dev_reset,
	.features_ok = dev_features_ok,
};

static void tr_notify_queue(void *ctx, unsigned q)
{
	(void)q;
	((struct fixture *)ctx)->queue_notifications++;
}

static void tr_notify_config(void *ctx)
{
	((struct fixture *)ctx)->config_notifications++;
}

static void tr_reset(void *ctx)
{
	((struct fixture *)ctx)->transport_resets++;
}

static const struct virtio_transport_ops tr_ops = {
	.notify_queue = tr_notify_queue,
	.notify_config = tr_notify_config,
	.reset = tr_reset,
};

/* Driver: reset, ACK, DRIVER, features, FEATURES_OK, queue 0, DRIVER_OK. */
static void bring_up(struct fixture *f, uint64_t features)
{
	struct virtio_device *vdev = &f->vdev;

	virtio_set_status(vdev, 0);
	virtio_set_status(vdev, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_set_status(vdev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	virtio_set_driver_features_word(vdev, 0, (uint32_t)features);
	virtio_set_driver_features_word(vdev, 1, (uint32_t)(features >> 32));
	virtio_set_status(vdev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			  VIRTIO_STATUS_FEATURES_OK);
	assert_true(vdev->status & VIRTIO_STATUS_FEATURES_OK);
	ring_layout(&f->g, RING_GPA, QSIZE);
	assert_true(virtio_queue_set_size(vdev, 0, QSIZE));
	assert_true(virtio_queue_set_addresses(vdev, 0, f->g.desc, f->g.avail, f->g.used));
	virtio_queue_set_ready(vdev, 0, true);
	assert_true(vdev->queue[0].ready);
	virtio_set_status(vdev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			  VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	f->kicks = 0;
}

#define BASIC (VIRTIO_BIT(VIRTIO_F_VERSION_1))
#define WITH_INDIRECT (BASIC | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC))
#define WITH_EVENT_IDX (BASIC | VIRTIO_BIT(VIRTIO_F_EVENT_IDX))

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	guest_init(&f->g);
	for (unsigned i = 0; i < sizeof(f->config); i++)
		f->config[i] = (uint8_t)(0x10 + i);
	assert_int_equal(virtio_device_init(&f->vdev, "vq-test", VIRTIO_ID_RNG, 1u << 3, 2, QMAX,
					    f->config, sizeof(f->config), &f->g.mem, &dev_ops), 0);
	assert_int_equal(virtio_device_set_transport(&f->vdev, &tr_ops, f), 0);
	f->accept_features = true;
	f->chain.buf = f->bufs;
	f->chain.capacity = QMAX;
	host_console_clear();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	guest_fini(&f->g);
	free(f);
	return 0;
}

static struct virtqueue *vq0(struct fixture *f)
{
	return &f->vdev.queue[0];
}

static void assert_buf(const struct virtq_chain *c, unsigned i, uint64_t addr, uint32_t len,
		       bool writable)
{
	assert_true(i < c->count);
	assert_int_equal(c->buf[i].addr, addr);
	assert_int_equal(c->buf[i].len, len);
	assert_int_equal(c->buf[i].writable, writable);
}

/* ---- well-formed rings ------------------------------------------------ */

static void test_init_rules(void **state)
{
	struct fixture *f = *state;
	struct virtio_device d;

	assert_int_equal(virtio_device_init(&d, "x", 1, 0, 1, 100, NULL, 0, &f->g.mem, &dev_ops),
			 -EINVAL);   /* not a power of two */
	assert_int_equal(virtio_device_init(&d, "x", 1, 0, VIRTIO_QUEUES_MAX + 1, 8, NULL, 0,
					    &f->g.mem, &dev_ops), -EINVAL);
	assert_int_equal(virtio_device_init(&d, "x", 1, 0, 1, 8, NULL, 4, &f->g.mem, &dev_ops),
			 -EINVAL);   /* config bytes missing */
	assert_int_equal(virtio_device_init(&d, "x", 1, 0, 1, 8, NULL, 0, NULL, &dev_ops), -EINVAL);
	assert_int_equal(virtio_device_init(&d, NULL, 1, 0, 1, 8, NULL, 0, &f->g.mem, &dev_ops), 0);
	assert_string_equal(d.name, "virtio");
	/* The transport bits are offered on top of the device's own. */
	assert_int_equal(f->vdev.device_features, VIRTIO_TRANSPORT_FEATURES | (1u << 3));
	assert_int_equal(virtio_device_set_transport(&f->vdev, &tr_ops, f), -EBUSY);
	assert_null(virtio_queue(&f->vdev, 2));
	assert_int_equal(virtio_queue(&f->vdev, 1)->size_max, QMAX);
}

static void test_direct_chain_and_used_ring(void **state)
{
	struct fixture *f = *state;
	struct test_guest *g = &f->g;

	bring_up(f, BASIC);
	/* A block-style request in descriptors 2 -> 5 -> 7, as a free list leaves them. */
	set_desc(g, 2, HDR_GPA, 16, NEXT, 5);
	set_desc(g, 5, DATA_GPA, 4096, NEXT | WRITE, 7);
	set_desc(g, 7, STATUS_GPA, 1, WRITE, 0);
	avail_add(g, 2);
	assert_int_equal(virtq_pop(vq0(f), &f->chain), 1);
	assert_int_equal(f->chain.head, 2);
	assert_int_equal(f->chain.count, 3);
	assert_int_equal(f->chain.readable, 1);
	assert_int_equal(f->chain.readable_len, 16);
	assert_int_equal(f->chain.writable_len, 4097);
	assert_int_equal(f->chain.descriptors, 3);
	assert_buf(&f->chain, 0, HDR_GPA, 16, false);
	assert_buf(&f->chain, 1, DATA_GPA, 4096, true);
	assert_buf(&f->chain, 2, STATUS_GPA, 1, true);
	assert_int_equal(virtq_pop(vq0(f), &f->chain), 0);   /* empty now */

	assert_int_equal(virtq_push(vq0(f), 2, 4097), 0);
	assert_int_equal(used_idx(g), 1);
	assert_int_equal(used_id(g, 0), 2);
	assert_int_equal(used_len(g, 0), 4097);
	assert_true(virtq_notify(vq0(f)));
	assert_int_equal(f->queue_notifications, 1);
	assert_int_equal(vq0(f)->popped, 1);
	assert_int_equal(vq0(f)->pushed, 1);

	/* Two chains at once, returned out of order. */
	set_desc(g, 0, DATA_GPA, 512, 0, 0);
	set_desc(g, 1, DATA_GPA + 512, 512, WRITE, 0);
	avail_add(g, 1);
	avail_add(g, 0);
	assert_int_equal(virtq_pop(vq0(f), &f->chain), 1);
	assert_int_equal(f->chain.head, 1);
	assert_int_equal(f->chain.readable, 0);
	assert_int_equal(virtq_pop(vq0(f), &f->chain), 1);
	assert_int_equal(f->chain.head, 0);
	assert_int_equal(f->chain.writable_len, 0);
	assert_int_equal(virtq_push(vq0(f), 0, 0), 0);
	assert_int_equal(virtq_push(vq0(f), 1, 512), 0);
	assert_int_equal(used_idx(g), 3);
	assert_int_equal(used_id(g, 1), 0);
	assert_int_equal(used_len(g, 1), 0);
	assert_int_equal(used_id(g, 2), 1);
	assert_int_equal(used_len(g, 2), 512);
	assert_int_equal(f->vdev.status & VIRTIO_STATUS_NEEDS_RESET, 0);
}

static void test_chain_copies(void **state)
{
	struct fixture *f = *state;
	struct test_guest *g = &f->g;
	uint8_t buf[32];

	bring_up(f, BASIC);
	/* Readable: 4 bytes + 6 bytes; writable: 3 bytes + 5 bytes. */
	set_desc(g, 0, DATA_GPA, 4, NEXT, 1);
	set_desc(g, 1, DATA_GPA + 100, 6, NEXT, 2);
	set_desc(g, 2, DATA_GPA + 200, 3, NEXT | WRITE, 3);
	set_desc(g, 3, DATA_GPA + 300, 5, WRITE, 0);
	memcpy(gp(g, DATA_GPA), "abcd", 4);
	memcpy(gp(g, DATA_GPA + 100), "efghij", 6);
	avail_add(g, 0);
	assert_int_equal(virtq_pop(vq0(f), &f->chain), 1);
	assert_int_equal(virtq_chain_read(&g->mem, &f->chain, 2, buf, 6), 0);
	assert_memory_equal(buf, "cdefgh", 6);
	assert_int_equal(virtq_chain_read(&g->mem, &f->chain, 0, buf, 11), -ERANGE);
	assert_int_equal(virtq_chain_read(&g->mem, &f->chain, 11, buf, 0), -ERANGE);
	assert_int_equal(virtq_chain_write(&g->mem, &f->chain, 1, "WXYZ", 4), 0);
	assert_memory_equal(gp(g, DATA_GPA + 201), "WX", 2);
	assert_memory_equal(gp(g, DATA_GPA + 300), "YZ", 2);
	assert_int_equal(virtq_chain_write(&g->mem, &f->chain, 7, "12", 2), -ERANGE);

	uint64_t gpa, piece;
	assert_true(virtq_chain_locate(&f->chain, true, 7, &gpa, &piece));
	assert_int_equal(gpa, DATA_GPA + 304);
	assert_int_equal(piece, 1);
	assert_false(virtq_chain_locate(&f->chain, true, 8, &gpa, &piece));
	assert_true(virtq_chain_locate(&f->chain, false, 4, &gpa, &piece));
	assert_int_equal(gpa, DATA_GPA + 100);
	assert_int_equal(piece, 6);

	/* A buffer outside RAM fails only the copy that touches it. */
	set_desc(g, 4, RAM_END - 2, 4, NEXT, 5);
	set_desc(g, 5, 0x1000, 8, WRITE, 0);
	avail_add(g, 4);
	assert_int_equal(virtq_pop(vq0(f), &f->chain), 1);
	assert_int_equal(virtq_chain_read(&g->mem, &f->chain, 0, buf, 2), 0);
	assert_int_equal(virtq_chain_read(&g->mem, &f->chain, 0, buf, 4), -EFAULT);
	assert_int_equal(virtq_chain_write(&g->mem, &f->chain, 0, "x", 1), -EFAULT);
	assert_false(virtio_device_broken(&f->vdev));
}

static void test_indirect_chains(void **state)
{
	struct fixture *f = *state;
	struct test_guest *g = &f->g;

	bring_up(f, WITH_INDIRECT);
	/* Linux's layout: one indirect descriptor (its WRITE flag means nothing). */
	set_desc_in(g, INDIRECT_GPA, 0, HDR_GPA, 16, NEXT, 1);
	set_desc_in(g, INDIRECT_GPA, 1, DATA_GPA, 1024, NEXT | WRITE, 2);
	set_desc_in(g, INDIRECT_GPA, 2, STATUS_GPA, 1, WRITE, 0);
	set_desc(g, 3, INDIRECT_GPA, 3 * 16, INDIRECT | WRITE, 0);
	avail_add(g, 3);
	assert_int_equal(virtq_pop(vq0(f), &f->chain), 1);
	assert_int_equal(f->chain.head, 3);
	assert_int_equal(f->chain.count, 3);
	assert_int_equal(f->chain.descriptors, 4);
	assert_buf(&f->chain, 0, HDR_GPA, 16, false);
	assert_buf(&f->chain, 1, DATA_GPA, 1024, true);
	assert_buf(&f->chain, 2, STATUS_GPA, 1, true);

	/* Direct descriptors, then the indirect one (2.7.5.3.2). */
	set_desc_in(g, INDIRECT_GPA + 0x100, 0, DATA_GPA + 0x2000, 8, NEXT, 2);
	set_desc_in(g, INDIRECT_GPA + 0x100, 2, STATUS_GPA + 1, 2, WRITE, 0);
	set_desc(g, 0, HDR_GPA + 0x100, 16, NEXT, 6);
	set_desc(g, 6, INDIRECT_GPA + 0x100, 4 * 16, INDIRECT, 0);
	avail_add(g, 0);
	assert_int_equal(virtq_pop(vq0(f), &f->chain), 1);
	assert_int_equal(f->chain.count, 3);
	assert_int_equal(f->chain.readable, 2);
	assert_buf(&f->chain, 0, HDR_GPA + 0x100, 16, false);
	assert_buf(&f->chain, 1, DATA_GPA + 0x2000, 8, false);
	assert_buf(&f->chain, 2, STATUS_GPA + 1, 2, true);
	assert_int_equal(f->chain.readable_len, 24);
	assert_int_equal(f->chain.writable_len, 2);
	assert_false(virtio_device_broken(&f->vdev));
}

static void test_interrupt_suppression_flag(void **state)
{
	struct fixture *f = *state;
	struct test_guest *g = &f->g;

	bring_up(f, BASIC);
	set_desc(g, 0, DATA_GPA, 8, 0, 0);
	put16(g, g->avail, VIRTQ_AVAIL_F_NO_INTERRUPT);
	avail_add(g, 0);
	assert_int_equal(virtq_pop(vq0(f), &f->chain), 1);
	assert_int_equal(virtq_push(vq0(f), 0, 0), 0);
	assert_false(virtq_notify(vq0(f)));
	assert_int_equal(f->queue_notifications, 0);
	assert_int_equal(vq0(f)->suppressed, 1);
	/* used_event means nothing without VIRTIO_F_EVENT_IDX. */
	put16(g, g->avail, 0);
	set_used_event(g, 100);
	avail_add(g, 0);
	assert_int_equal(virtq_pop(vq0(f), &f->chain), 1);
	assert_int_equal(virtq_push(vq0(f), 0, 0), 0);
	assert_true(virtq_notify(vq0(f)));
	assert_int_equal(f->queue_notifications, 1);
	/* Nor does avail_event get written. */
	assert_int_equal(virtq_wait_for_kick(vq0(f)), 0);
	assert_int_equal(avail_event(g), 0);
}

static void test_event_idx(void **state)
{
	struct fixture *f = *state;
	struct test_guest *g = &f->g;

	bring_up(f, WITH_EVENT_IDX);
	set_desc(g, 0, DATA_GPA, 8, 0, 0);
	/* The flag is ignored with EVENT_IDX; used_event 0: notify after entry 0. */
	put16(g, g->avail, VIRTQ_AVAIL_F_NO_INTERRUPT);
	set_used_event(g, 0);
	for (unsigned i = 0; i < 4; i++)
		avail_add(g, 0);
	assert_int_equal(virtq_pop(vq0(f), &f->chain), 1);
	assert_int_equal(virtq_push(vq0(f), 0, 0), 0);
	assert_true(virtq_notify(vq0(f)));          /* used idx 0 -> 1 passes 0 */
	assert_int_equal(virtq_pop(vq0(f), &f->chain), 1);
	assert_int_equal(virtq_push(vq0(f), 0, 0), 0);
	assert_false(virtq_notify(vq0(f)));         /* 1 -> 2: already past 0 */
	/* The driver wants to hear at entry 3: two pushes, one notification. */
	set_used_event(g, 3);
	assert_int_equal(virtq_pop(vq0(f), &f->chain), 1);
	assert_int_equal(virtq_push(vq0(f), 0, 0), 0);
	assert_false(virtq_notify(vq0(f)));         /* 2 -> 3 */
	assert_int_equal(virtq_pop(vq0(f), &f->chain), 1);
	assert_int_equal(virtq_push(vq0(f), 0, 0), 0);
	assert_true(virtq_notify(vq0(f)));          /* 3 -> 4 writes entry 3 */
	assert_int_equal(f->queue_notifications, 2);
	assert_int_equal(used_idx(g), 4);

	/* Batches: notify once for several pushes if used_event is inside. */
	set_used_event(g, 5);
	avail_add(g, 0);
	avail_add(g, 0);
	avail_add(g, 0);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(virtq_pop(vq0(f), &f->chain), 1);
		assert_int_equal(virtq_push(vq0(f), 0, 0), 0);
	}
	assert_true(virtq_notify(vq0(f)));          /* 4 -> 7 covers 5 */
	assert_int_equal(f->queue_notifications, 3);

	/* avail_event: "kick me at the next entry", then a re-check. */
	assert_int_equal(virtq_wait_for_kick(vq0(f)), 0);
	assert_int_equal(avail_event(g), 7);
	avail_add(g, 0);
	assert_int_equal(virtq_wait_for_kick(vq0(f)), 1);   /* arrived meanwhile */
	assert_int_equal(virtq_pop(vq0(f), &f->chain), 1);
	assert_int_equal(virtq_wait_for_kick(vq0(f)), 0);
	assert_int_equal(avail_event(g), 8);
}

static void test_indices_wrap_at_65536(void **state)
{
	struct fixture *f = *state;
	struct test_guest *g = &f->g;
	struct virtqueue *vq = vq0(f);

	bring_up(f, WITH_EVENT_IDX);
	/* Both sides far along: 65534 entries done. */
	vq->last_avail = vq->used_idx = 65534;
	g->avail_idx = 65534;
	put16(g, g->avail + 2, 65534);
	put16(g, g->used + 2, 65534);
	set_used_event(g, 65535);
	set_desc(g, 1, DATA_GPA, 8, 0, 0);
	for (unsigned i = 0; i < 4; i++)
		avail_add(g, 1);
	assert_int_equal(get16(g, g->avail + 2), 2);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(virtq_pop(vq, &f->chain), 1);
		assert_int_equal(virtq_push(vq, 1, i), 0);
	}
	assert_int_equal(used_idx(g), 2);
	assert_int_equal(used_len(g, 65534), 0);     /* slot 65534 % 8 = 6 */
	assert_int_equal(used_len(g, 65535), 1);
	assert_int_equal(used_len(g, 0), 2);
	assert_int_equal(used_len(g, 1), 3);
	assert_true(virtq_notify(vq));               /* 65534 -> 2 covers 65535 */
	assert_int_equal(virtq_pop(vq, &f->chain), 0);
	assert_false(virtio_device_broken(&f->vdev));
}

/* ---- malformed rings ---------------------------------------------------- */

/* The device gave up: NEEDS_RESET, one config notification, no more work. */
static void assert_broken(struct fixture *f, const char *message)
{
	assert_true(f->vdev.status & VIRTIO_STATUS_NEEDS_RESET);
	assert_true(virtio_device_broken(&f->vdev));
	assert_int_equal(f->config_notifications, 1);
	assert_int_equal(f->vdev.errors, 1);
	assert_true(host_console_contains(message));
	assert_true(virtq_pop(vq0(f), &f->chain) < 0);
	assert_true(virtq_push(vq0(f), 0, 0) < 0);
	assert_false(virtq_notify(vq0(f)));
	assert_true(virtq_wait_for_kick(vq0(f)) < 0);
	unsigned kicks = f->kicks;
	virtio_queue_kick(&f->vdev, 0);
	assert_int_equal(f->kicks, kicks);
	assert_int_equal(used_idx(&f->g), 0);
	/* A second error says nothing more. */
	virtio_device_error(&f->vdev, "second");
	assert_int_equal(f->vdev.errors, 1);
	assert_false(host_console_contains("second"));
	/* Status writes keep the bit; only a reset clears it. */
	virtio_set_status(&f->vdev, f->vdev.status & ~VIRTIO_STATUS_NEEDS_RESET);
	assert_true(virtio_device_broken(&f->vdev));
	bring_up(f, WITH_INDIRECT);
	assert_false(virtio_device_broken(&f->vdev));
}

static void pop_expect(struct fixture *f, int err, const char *message)
{
	assert_int_equal(virtq_pop(vq0(f), &f->chain), err);
	assert_broken(f, message);
}

static void test_avail_index_runs_ahead(void **state)
{
	struct fixture *f = *state;
	bring_up(f, BASIC);
	put16(&f->g, f->g.avail + 2, QSIZE + 1);
	pop_expect(f, -EPROTO, "available index moved from 0 to 9");
}

static void test_head_outside_table(void **state)
{
	struct fixture *f = *state;
	bring_up(f, BASIC);
	avail_add(&f->g, QSIZE);
	pop_expect(f, -EPROTO, "available head 8 outside the table of 8");
}

static void test_next_outside_table(void **state)
{
	struct fixture *f = *state;
	bring_up(f, BASIC);
	set_desc(&f->g, 0, DATA_GPA, 8, NEXT, 200);
	avail_add(&f->g, 0);
	pop_expect(f, -EPROTO, "descriptor 200 outside its table of 8");
}

static void test_loop(void **state)
{
	struct fixture *f = *state;
	bring_up(f, BASIC);
	set_desc(&f->g, 0, DATA_GPA, 8, NEXT, 1);
	set_desc(&f->g, 1, DATA_GPA, 8, NEXT, 2);
	set_desc(&f->g, 2, DATA_GPA, 8, NEXT, 0);
	avail_add(&f->g, 0);
	pop_expect(f, -ELOOP, "chain from head 0 loops");
}

static void test_self_loop(void **state)
{
	struct fixture *f = *state;
	bring_up(f, BASIC);
	set_desc(&f->g, 5, DATA_GPA, 8, NEXT | WRITE, 5);
	avail_add(&f->g, 5);
	pop_expect(f, -ELOOP, "chain from head 5 loops");
}

static void test_indirect_without_feature(void **state)
{
	struct fixture *f = *state;
	bring_up(f, BASIC);
	set_desc_in(&f->g, INDIRECT_GPA, 0, DATA_GPA, 8, 0, 0);
	set_desc(&f->g, 0, INDIRECT_GPA, 16, INDIRECT, 0);
	avail_add(&f->g, 0);
	pop_expect(f, -EPROTO, "without VIRTIO_F_INDIRECT_DESC");
}

static void test_indirect_with_next(void **state)
{
	struct fixture *f = *state;
	bring_up(f, WITH_INDIRECT);
	set_desc(&f->g, 0, INDIRECT_GPA, 16, INDIRECT | NEXT, 1);
	avail_add(&f->g, 0);
	pop_expect(f, -EPROTO, "indirect descriptor with NEXT set");
}

static void test_indirect_bad_length(void **state)
{
	struct fixture *f = *state;
	bring_up(f, WITH_INDIRECT);
	set_desc(&f->g, 0, INDIRECT_GPA, 24, INDIRECT, 0);
	avail_add(&f->g, 0);
	pop_expect(f, -EPROTO, "not a multiple of 16");
	set_desc(&f->g, 0, INDIRECT_GPA, 0, INDIRECT, 0);
	avail_add(&f->g, 0);
	f->config_notifications = 0;
	f->vdev.errors = 0;
	pop_expect(f, -EPROTO, "not a multiple of 16");
}

static void test_nested_indirect(void **state)
{
	struct fixture *f = *state;
	bring_up(f, WITH_INDIRECT);
	set_desc_in(&f->g, INDIRECT_GPA, 0, DATA_GPA, 8, NEXT, 1);
	set_desc_in(&f->g, INDIRECT_GPA, 1, INDIRECT_GPA + 0x100, 16, INDIRECT, 0);
	set_desc(&f->g, 0, INDIRECT_GPA, 32, INDIRECT, 0);
	avail_add(&f->g, 0);
	pop_expect(f, -EPROTO, "indirect descriptor inside an indirect table");
}

static void test_indirect_table_outside_ram(void **state)
{
	struct fixture *f = *state;
	bring_up(f, WITH_INDIRECT);
	set_desc(&f->g, 0, RAM_END - 16, 32, INDIRECT, 0);
	avail_add(&f->g, 0);
	pop_expect(f, -EFAULT, "indirect table outside RAM");
}

static void test_indirect_longer_than_queue(void **state)
{
	struct fixture *f = *state;
	bring_up(f, WITH_INDIRECT);
	/* The device's maximum is 16 buffers: 17 entries cannot be a valid chain. */
	set_desc(&f->g, 0, INDIRECT_GPA, (QMAX + 1) * 16, INDIRECT, 0);
	avail_add(&f->g, 0);
	pop_expect(f, -E2BIG, "indirect table longer than the queue");
	/* Exactly the maximum with one direct buffer before it is one too many. */
	for (unsigned i = 0; i < QMAX; i++)
		set_desc_in(&f->g, INDIRECT_GPA, i, DATA_GPA, 1, i + 1 < QMAX ? NEXT : 0, i + 1);
	set_desc(&f->g, 0, DATA_GPA, 1, NEXT, 1);
	set_desc(&f->g, 1, INDIRECT_GPA, QMAX * 16, INDIRECT, 0);
	avail_add(&f->g, 0);
	f->config_notifications = 0;
	f->vdev.errors = 0;
	pop_expect(f, -E2BIG, "indirect table longer than the queue");
	/* Without the direct one, 16 buffers fit (the reset cleared the ring). */
	set_desc(&f->g, 1, INDIRECT_GPA, QMAX * 16, INDIRECT, 0);
	avail_add(&f->g, 1);
	assert_int_equal(virtq_pop(vq0(f), &f->chain), 1);
	assert_int_equal(f->chain.count, QMAX);
}

static void test_indirect_loop(void **state)
{
	struct fixture *f = *state;
	bring_up(f, WITH_INDIRECT);
	set_desc_in(&f->g, INDIRECT_GPA, 0, DATA_GPA, 8, NEXT, 1);
	set_desc_in(&f->g, INDIRECT_GPA, 1, DATA_GPA, 8, NEXT, 0);
	set_desc(&f->g, 0, INDIRECT_GPA, 32, INDIRECT, 0);
	avail_add(&f->g, 0);
	pop_expect(f, -ELOOP, "loops");
}

static void test_indirect_next_outside_table(void **state)
{
	struct fixture *f = *state;
	bring_up(f, WITH_INDIRECT);
	set_desc_in(&f->g, INDIRECT_GPA, 0, DATA_GPA, 8, NEXT, 2);
	set_desc(&f->g, 0, INDIRECT_GPA, 32, INDIRECT, 0);
	avail_add(&f->g, 0);
	pop_expect(f, -EPROTO, "descriptor 2 outside its table of 2 (indirect)");
}

static void test_readable_after_writable(void **state)
{
	struct fixture *f = *state;
	bring_up(f, BASIC);
	set_desc(&f->g, 0, DATA_GPA, 8, NEXT | WRITE, 1);
	set_desc(&f->g, 1, DATA_GPA, 8, 0, 0);
	avail_add(&f->g, 0);
	pop_expect(f, -EPROTO, "readable buffer after a writable one");
}

static void test_chain_of_4gib(void **state)
{
	struct fixture *f = *state;
	bring_up(f, BASIC);
	set_desc(&f->g, 0, DATA_GPA, 0x80000000u, NEXT, 1);
	set_desc(&f->g, 1, DATA_GPA, 0x80000000u, WRITE, 0);
	avail_add(&f->g, 0);
	pop_expect(f, -E2BIG, "holds 4 GiB or more");
}

static void test_rings_outside_ram(void **state)
{
	struct fixture *f = *state;
	struct virtio_device *vdev = &f->vdev;

	virtio_set_status(vdev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	/* The used ring would end 2 bytes past RAM. */
	assert_true(virtio_queue_set_addresses(vdev, 0, RING_GPA, RING_GPA + 0x1000,
					       RAM_END - (6 + 8 * QMAX) + 2));
	virtio_queue_set_ready(vdev, 0, true);
	assert_false(vq0(f)->ready);
	assert_true(virtio_device_broken(vdev));
	assert_true(host_console_contains("are not all in RAM"));
	assert_int_equal(f->config_notifications, 0);   /* not DRIVER_OK yet */

	/* A used ring in read-only memory (ROM) is no better. */
	virtio_set_status(vdev, 0);
	static uint8_t rom[0x1000];
	assert_int_equal(guest_mem_add(&f->g.mem, 0xFFFF0000u, sizeof(rom), rom, true), 0);
	assert_true(virtio_queue_set_addresses(vdev, 0, RING_GPA, RING_GPA + 0x1000, 0xFFFF0000u));
	virtio_queue_set_ready(vdev, 0, true);
	assert_false(vq0(f)->ready);
	assert_true(virtio_device_broken(vdev));
	/* Descriptors read from ROM are fine. */
	virtio_set_status(vdev, 0);
	assert_true(virtio_queue_set_addresses(vdev, 0, 0xFFFF0000u, RING_GPA, RING_GPA + 0x1000));
	virtio_queue_set_ready(vdev, 0, true);
	assert_true(vq0(f)->ready);
}

static void test_ring_vanishes_after_enable(void **state)
{
	struct fixture *f = *state;
	/* Only a test can move a live ring; the device still checks every access. */
	bring_up(f, BASIC);
	vq0(f)->avail = RAM_END;
	pop_expect(f, -EFAULT, "available ring");
	vq0(f)->desc = RAM_END;
	avail_add(&f->g, 0);
	f->config_notifications = 0;
	f->vdev.errors = 0;
	pop_expect(f, -EFAULT, "descriptor table");
	vq0(f)->used = RAM_END;
	f->config_notifications = 0;
	f->vdev.errors = 0;
	assert_int_equal(virtq_push(vq0(f), 0, 0), -EFAULT);
	assert_broken(f, "used ring");
}

/* ---- status, features, configuration ------------------------------------- */

static void test_status_and_features(void **state)
{
	struct fixture *f = *state;
	struct virtio_device *vdev = &f->vdev;
	const uint8_t ad = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	assert_int_equal(virtio_device_features_word(vdev, 0), (1u << 3) | (3u << 28));
	assert_int_equal(virtio_device_features_word(vdev, 1), 1);
	assert_int_equal(virtio_device_features_word(vdev, 2), 0);
	/* Without VERSION_1 a modern interface refuses FEATURES_OK. */
	virtio_set_status(vdev, ad);
	virtio_set_driver_features_word(vdev, 0, 1u << 3);
	virtio_set_status(vdev, ad | VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(vdev->status, ad);
	assert_true(host_console_contains("VIRTIO_F_VERSION_1 not accepted"));
	/* Nor a feature that was not offered. */
	virtio_set_driver_features_word(vdev, 1, 1 | 1u << 2);
	virtio_set_status(vdev, ad | VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(vdev->status, ad);
	assert_true(host_console_contains("features 0x400000000 were not offered"));
	/* Nor what the device itself rejects. */
	virtio_set_driver_features_word(vdev, 1, 1);
	f->accept_features = false;
	virtio_set_status(vdev, ad | VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(vdev->status, ad);
	f->accept_features = true;
	virtio_set_driver_features_word(vdev, 7, 0xFFFFFFFF);   /* no such word: nothing */
	virtio_set_status(vdev, ad | VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(vdev->status, ad | VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(virtio_driver_features_word(vdev, 0), 1u << 3);
	assert_int_equal(virtio_driver_features_word(vdev, 1), 1);
	assert_int_equal(virtio_driver_features_word(vdev, 2), 0);
	assert_true(virtio_has_feature(vdev, 3));
	assert_true(virtio_has_feature(vdev, VIRTIO_F_VERSION_1));
	assert_false(virtio_has_feature(vdev, VIRTIO_F_EVENT_IDX));
	assert_false(virtio_has_feature(vdev, 64));
	/* Features are frozen after FEATURES_OK. */
	virtio_set_driver_features_word(vdev, 0, 3u << 28);
	assert_false(virtio_has_feature(vdev, VIRTIO_F_EVENT_IDX));

	/* Reset: everything back, the transport and the device told. */
	unsigned resets = f->resets, tresets = f->transport_resets;
	virtio_set_status(vdev, 0);
	assert_int_equal(vdev->status, 0);
	assert_int_equal(vdev->driver_features, 0);
	assert_int_equal(f->resets, resets + 1);
	assert_int_equal(f->transport_resets, tresets + 1);

	/* Legacy: 32 bits (ANY_LAYOUT added), effective at once, unoffered bits dropped. */
	assert_int_equal(virtio_legacy_device_features(vdev), (1u << 3) | (7u << 27));
	virtio_legacy_set_driver_features(vdev, 0xFFFFFFFF);
	assert_true(vdev->legacy);
	assert_int_equal(virtio_driver_features_word(vdev, 0), (1u << 3) | (7u << 27));
	virtio_set_status(vdev, ad | VIRTIO_STATUS_FEATURES_OK);   /* no check for legacy */
	assert_true(vdev->status & VIRTIO_STATUS_FEATURES_OK);
	virtio_reset(vdev);
	assert_false(vdev->legacy);
}

static void test_queue_setup_rules(void **state)
{
	struct fixture *f = *state;
	struct virtio_device *vdev = &f->vdev;

	assert_int_equal(vq0(f)->size, QMAX);                 /* reset: the maximum */
	assert_false(virtio_queue_set_size(vdev, 0, 12));      /* not a power of two */
	assert_false(virtio_queue_set_size(vdev, 0, 32));      /* beyond the maximum */
	assert_false(virtio_queue_set_size(vdev, 0, 0));
	assert_int_equal(vq0(f)->size, QMAX);
	assert_false(virtio_queue_set_size(vdev, 5, 8));       /* no queue 5 */
	assert_false(virtio_queue_set_addresses(vdev, 5, 0, 0, 0));
	virtio_queue_set_ready(vdev, 5, true);
	assert_true(host_console_contains("queue 5 does not exist"));
	bring_up(f, BASIC);
	/* A live queue keeps its size and rings. */
	assert_false(virtio_queue_set_size(vdev, 0, 4));
	assert_false(virtio_queue_set_addresses(vdev, 0, 0x1000, 0x2000, 0x3000));
	assert_int_equal(vq0(f)->size, QSIZE);
	assert_int_equal(vq0(f)->desc, RING_GPA);
	assert_true(host_console_contains("size change of live queue 0 ignored"));
	/* Taking it down keeps the progress until reset. */
	set_desc(&f->g, 0, DATA_GPA, 8, 0, 0);
	avail_add(&f->g, 0);
	assert_int_equal(virtq_pop(vq0(f), &f->chain), 1);
	virtio_queue_set_ready(vdev, 0, false);
	assert_int_equal(vq0(f)->last_avail, 1);
	assert_true(virtq_pop(vq0(f), &f->chain) < 0);
	virtio_reset(vdev);
	assert_int_equal(vq0(f)->last_avail, 0);
	assert_int_equal(vq0(f)->desc, 0);
}

static void test_kicks_and_driver_ok(void **state)
{
	struct fixture *f = *state;
	struct virtio_device *vdev = &f->vdev;

	bring_up(f, BASIC);
	virtio_queue_kick(vdev, 0);
	assert_int_equal(f->kicks, 1);
	virtio_queue_kick(vdev, 1);                  /* exists, not live */
	virtio_queue_kick(vdev, 9);                  /* does not exist */
	assert_int_equal(f->kicks, 1);
	assert_true(host_console_contains("notification for queue 9"));

	/* Modern: nothing before DRIVER_OK, then the live queues get a look. */
	virtio_reset(vdev);
	virtio_set_status(vdev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	assert_true(virtio_queue_set_addresses(vdev, 0, RING_GPA, RING_GPA + 0x1000,
					       RING_GPA + 0x2000));
	virtio_queue_set_ready(vdev, 0, true);
	f->kicks = 0;
	virtio_queue_kick(vdev, 0);
	assert_int_equal(f->kicks, 0);
	assert_false(virtio_queue_may_run(vdev, 0));
	virtio_set_status(vdev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			  VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(f->kicks, 1);
	assert_int_equal(f->last_kick, 0);

	/* Legacy drivers may use the device before DRIVER_OK (3.1.2). */
	virtio_reset(vdev);
	virtio_legacy_set_driver_features(vdev, 0);
	virtio_set_status(vdev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	assert_true(virtio_queue_set_addresses(vdev, 0, RING_GPA, RING_GPA + 0x1000,
					       RING_GPA + 0x2000));
	virtio_queue_set_ready(vdev, 0, true);
	f->kicks = 0;
	virtio_queue_kick(vdev, 0);
	assert_int_equal(f->kicks, 1);
}

static void test_configuration_generation(void **state)
{
	struct fixture *f = *state;
	struct virtio_device *vdev = &f->vdev;

	assert_int_equal(virtio_config_read(vdev, 0, 4), 0x13121110);
	assert_int_equal(virtio_config_read(vdev, 5, 2), 0x1615);
	assert_int_equal(virtio_config_read(vdev, 6, 4), 0x1716);   /* past the end: 0 */
	assert_int_equal(virtio_config_read(vdev, 100, 1), 0);
	uint8_t gen = vdev->config_generation;

	/* A change before DRIVER_OK: no notification, but a new generation. */
	f->config[0] = 0x99;
	virtio_config_changed(vdev);
	assert_int_equal(f->config_notifications, 0);
	assert_int_equal(vdev->config_generation, gen);    /* not until the driver reads */
	assert_int_equal(virtio_config_read(vdev, 0, 1), 0x99);
	assert_int_equal(vdev->config_generation, (uint8_t)(gen + 1));
	assert_int_equal(virtio_config_read(vdev, 0, 1), 0x99);
	assert_int_equal(vdev->config_generation, (uint8_t)(gen + 1));

	bring_up(f, BASIC);
	virtio_config_changed(vdev);
	assert_int_equal(f->config_notifications, 1);
	/* Writes without a handler are reported and dropped. */
	virtio_config_write(vdev, 0, 1, 0x55);
	assert_true(host_console_contains("read-only configuration offset 0"));
	virtio_config_write(vdev, 7, 2, 0x55);                  /* runs past the end */
	assert_int_equal(f->config[0], 0x99);
}

static void test_reports_are_limited(void **state)
{
	struct fixture *f = *state;

	for (unsigned i = 0; i < 100; i++)
		virtio_queue_kick(&f->vdev, 9);
	assert_true(host_console_contains("further reports from this device suppressed"));
	host_console_clear();
	virtio_queue_kick(&f->vdev, 9);
	virtio_device_error(&f->vdev, "quiet");
	assert_int_equal(host_console_length(), 0);
	assert_true(virtio_device_broken(&f->vdev));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_rules),
		T(test_direct_chain_and_used_ring),
		T(test_chain_copies),
		T(test_indirect_chains),
		T(test_interrupt_suppression_flag),
		T(test_event_idx),
		T(test_indices_wrap_at_65536),
		T(test_avail_index_runs_ahead),
		T(test_head_outside_table),
		T(test_next_outside_table),
		T(test_loop),
		T(test_self_loop),
		T(test_indirect_without_feature),
		T(test_indirect_with_next),
		T(test_indirect_bad_length),
		T(test_nested_indirect),
		T(test_indirect_table_outside_ram),
		T(test_indirect_longer_than_queue),
		T(test_indirect_loop),
		T(test_indirect_next_outside_table),
		T(test_readable_after_writable),
		T(test_chain_of_4gib),
		T(test_rings_outside_ram),
		T(test_ring_vanishes_after_enable),
		T(test_status_and_features),
		T(test_queue_setup_rules),
		T(test_kicks_and_driver_ok),
		T(test_configuration_generation),
		T(test_reports_are_limited),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
