/* SPDX-License-Identifier: MIT */
/*
 * The split-virtqueue walk with guest memory the fuzzer writes: rings
 * and descriptors anywhere (inside RAM, across its end, below it),
 * indirect tables, any queue size, features, and a script of device
 * operations (take, return, notify, wait for a kick, copy in and out of
 * the chain, kick, reset).  Besides the sanitizers, after every step:
 *   - a chain holds at most the queue's maximum of buffers, readable ones
 *     first, and its lengths add up (and stay below 4 GiB);
 *   - a failing operation means the device is in NEEDS_RESET, and a
 *     device in NEEDS_RESET takes and returns nothing;
 *   - the used index the device wrote is its own count of returns.
 *
 * Input: 16 bytes of parameters, then the first bytes of guest RAM.
 *   [0] queue size 2^(n % 7)     [1] bit 0 INDIRECT_DESC, bit 1 EVENT_IDX,
 *   [2..7] desc/avail/used as signed 16-bit multiples of 8 from RAM + 0x1000
 *   [8..15] the operation script, one byte per step (op in the low 3 bits)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bus/guest_mem.h>
#include <core/log.h>
#include <virtio/virtio.h>
#include <virtio/virtqueue.h>

#define RAM_BASE 0x10000ull
#define RAM_SIZE 0x10000u
#define QMAX 64

struct state {
	struct virtio_device vdev;
	struct guest_mem mem;
	uint8_t ram[RAM_SIZE];
	struct virtq_buf bufs[QMAX];
	struct virtq_chain chain;
	bool have_chain;
	uint16_t pushed;
	uint8_t scratch[256];
};

static void fuzz_queue_notify(struct virtio_device *vdev, unsigned q)
{
	(void)vdev;
	(void)q;
}

static const struct virtio_device_ops ops = { .queue_notify = fuzz_queue_notify };

static void notify_queue(void *ctx, unsigned q)
{
	(void)ctx;
	(void)q;
}

static void notify_config(void *ctx)
{
	(void)ctx;
}

static const struct virtio_transport_ops transport = {
	.notify_queue = notify_queue,
	.notify_config = notify_config,
};

static uint64_t ring_address(const uint8_t *p)
{
	int16_t units = (int16_t)(p[0] | p[1] << 8);
	return RAM_BASE + 0x1000 + (int64_t)units * 8;
}

static void check_chain(const struct state *s)
{
	const struct virtq_chain *c = &s->chain;
	uint64_t readable = 0, writable = 0;

	if (c->count > QMAX || c->readable > c->count || c->head >= s->vdev.queue[0].size)
		abort();
	for (unsigned i = 0; i < c->count; i++) {
		if (c->buf[i].writable != (i >= c->readable))
			abort();
		if (c->buf[i].writable)
			writable += c->buf[i].len;
		else
			readable += c->buf[i].len;
	}
	if (readable != c->readable_len || writable != c->writable_len ||
	    readable + writable > UINT32_MAX)
		abort();
}

static void set_up(struct state *s, const uint8_t *p)
{
	struct virtio_device *vdev = &s->vdev;
	uint64_t features = VIRTIO_BIT(VIRTIO_F_VERSION_1);

	if (p[1] & 1)
		features |= VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
	if (p[1] & 2)
		features |= VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	virtio_set_status(vdev, 0);
	virtio_set_status(vdev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	virtio_set_driver_features_word(vdev, 0, (uint32_t)features);
	virtio_set_driver_features_word(vdev, 1, (uint32_t)(features >> 32));
	virtio_set_status(vdev, 0x0B);
	virtio_queue_set_size(vdev, 0, 1u << (p[0] % 7));
	virtio_queue_set_addresses(vdev, 0, ring_address(p + 2), ring_address(p + 4),
				   ring_address(p + 6));
	virtio_queue_set_ready(vdev, 0, true);   /* NEEDS_RESET if the rings are not in RAM */
	virtio_set_status(vdev, 0x0F);
	s->have_chain = false;
	s->pushed = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct state s;
	struct virtio_device *vdev = &s.vdev;

	if (size < 16)
		return 0;
	log_set_level(LOG_ERROR);
	memset(&s, 0, sizeof(s));
	memcpy(s.ram, data + 16, size - 16 < RAM_SIZE ? size - 16 : RAM_SIZE);
	guest_mem_init(&s.mem);
	if (guest_mem_add(&s.mem, RAM_BASE, RAM_SIZE, s.ram, false) ||
	    virtio_device_init(vdev, "fuzz", VIRTIO_ID_RNG, 0, 1, QMAX, NULL, 0, &s.mem, &ops) ||
	    virtio_device_set_transport(vdev, &transport, NULL))
		abort();
	s.chain.buf = s.bufs;
	s.chain.capacity = QMAX;
	set_up(&s, data);

	struct virtqueue *vq = virtio_queue(vdev, 0);
	/* Each script byte runs a few times so short inputs reach deep states. */
	for (unsigned step = 0; step < 64; step++) {
		uint8_t op = data[8 + step % 8] >> (step / 8 % 2 * 4);
		bool broken = virtio_device_broken(vdev);
		int r;

		switch (op & 7) {
		case 0:
		case 1:
			r = virtq_pop(vq, &s.chain);
			if ((r < 0) != virtio_device_broken(vdev) || (broken && r >= 0))
				abort();
			if (r > 0) {
				check_chain(&s);
				s.have_chain = true;
			}
			break;
		case 2:
			if (!s.have_chain)
				break;
			r = virtq_push(vq, s.chain.head, (uint32_t)s.chain.writable_len);
			if ((r < 0) != virtio_device_broken(vdev) || (broken && r == 0))
				abort();
			if (r == 0)
				s.pushed++;
			break;
		case 3:
			if (virtq_notify(vq) && virtio_device_broken(vdev))
				abort();
			break;
		case 4:
			r = virtq_wait_for_kick(vq);
			if (r < 0 && !virtio_device_broken(vdev))
				abort();
			break;
		case 5:
			if (s.have_chain)
				virtq_chain_read(&s.mem, &s.chain, op >> 3, s.scratch,
						 sizeof(s.scratch) >> (op >> 6));
			break;
		case 6:
			if (s.have_chain)
				virtq_chain_write(&s.mem, &s.chain, op >> 3, s.scratch, op >> 3);
			break;
		default:
			if (op & 8)
				set_up(&s, data);
			else
				virtio_queue_kick(vdev, 0);
			break;
		}
		if (vq->used_idx != s.pushed)
			abort();
	}
	return 0;
}
