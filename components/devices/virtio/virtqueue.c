/* SPDX-License-Identifier: MIT */
/*
 * Split virtqueues, device side (virtio 1.2, 2.7).  The checks on guest
 * data are listed in include/virtio/virtqueue.h; each failing check names
 * itself in the report that puts the device in NEEDS_RESET.
 *
 * The driver runs on other CPUs while the device works, so accesses to
 * the rings are ordered the way the driver's barriers expect (spec
 * 2.7.13): read avail->idx, then (acquire) the ring entries and
 * descriptors it covers; write the used entries, then (release) used->idx;
 * then (full barrier) read the driver's suppression fields.  The two
 * indices are read and written as single 16-bit accesses so that a
 * driver updating them concurrently is never seen half-way.
 */
#include <errno.h>
#include <string.h>
#include <bus/guest_mem.h>
#include <virtio/virtio.h>
#include <virtio/virtqueue.h>
#include "le.h"

#define AVAIL_FLAGS     0
#define AVAIL_IDX       2
#define AVAIL_RING      4
#define USED_FLAGS      0
#define USED_IDX        2
#define USED_RING       4
#define USED_ELEM_SIZE  8

static uint16_t host_from_le16(uint16_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap16(v);
#else
	return v;
#endif
}

/* One 16-bit ring field; 0 or -EFAULT. */
static int ring_read16(const struct guest_mem *mem, uint64_t gpa, uint16_t *value)
{
	const uint8_t *p = guest_mem_ptr(mem, gpa, 2, false);

	if (!p)
		return -EFAULT;
	if (((uintptr_t)p & 1) == 0)
		*value = host_from_le16(__atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED));
	else
		*value = le16_get(p);   /* misaligned ring: the driver broke 2.7.1 */
	return 0;
}

static int ring_write16(const struct guest_mem *mem, uint64_t gpa, uint16_t value)
{
	uint8_t *p = guest_mem_ptr(mem, gpa, 2, true);

	if (!p)
		return -EFAULT;
	if (((uintptr_t)p & 1) == 0)
		__atomic_store_n((uint16_t *)p, host_from_le16(value), __ATOMIC_RELAXED);
	else
		le16_put(p, value);
	return 0;
}

static bool event_idx(const struct virtqueue *vq)
{
	return virtio_has_feature(vq->vdev, VIRTIO_F_EVENT_IDX);
}

void virtq_reset(struct virtqueue *vq)
{
	vq->size = vq->size_max;
	vq->ready = false;
	vq->desc = vq->avail = vq->used = 0;
	vq->last_avail = 0;
	vq->used_idx = 0;
	/* Nothing used yet: the first notification is due when entry used_event is. */
	vq->signalled_used = 0;
	vq->signalled_used_valid = true;
}

/* ---- taking chains ---------------------------------------------------- */

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static int read_desc(const struct guest_mem *mem, uint64_t table, unsigned i, struct desc *d)
{
	uint8_t raw[VIRTQ_DESC_SIZE];

	if (guest_mem_read(mem, table + (uint64_t)i * VIRTQ_DESC_SIZE, raw, sizeof(raw)))
		return -EFAULT;
	d->addr = le64_get(raw);
	d->len = le32_get(raw + 8);
	d->flags = le16_get(raw + 12);
	d->next = le16_get(raw + 14);
	return 0;
}

/*
 * Follows the chain from head into chain->buf.  A failing check reports
 * and returns its errno; the caller puts the device in NEEDS_RESET.
 */
static int walk_chain(struct virtqueue *vq, uint16_t head, struct virtq_chain *chain)
{
	struct virtio_device *vdev = vq->vdev;
	const struct guest_mem *mem = vdev->mem;
	unsigned limit = chain->capacity < vq->size_max ? chain->capacity : vq->size_max;
	uint64_t table = vq->desc;
	unsigned table_size = vq->size;
	unsigned visited = 0;        /* in the current table: more than its size = loop */
	bool indirect = false;
	unsigned i = head;
	struct desc d;

	chain->head = head;
	chain->count = chain->readable = 0;
	chain->readable_len = chain->writable_len = 0;
	chain->descriptors = 0;
	for (;;) {
		if (i >= table_size) {
			virtio_device_error(vdev, "queue %u: descriptor %u outside its table of %u%s",
					    vq->index, i, table_size, indirect ? " (indirect)" : "");
			return -EPROTO;
		}
		if (++visited > table_size) {
			virtio_device_error(vdev, "queue %u: chain from head %u loops", vq->index, head);
			return -ELOOP;
		}
		if (read_desc(mem, table, i, &d)) {
			virtio_device_error(vdev, "queue %u: descriptor table at %#llx is not in RAM",
					    vq->index, (unsigned long long)table);
			return -EFAULT;
		}
		chain->descriptors++;
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			const char *why = NULL;
			int err = -EPROTO;
			if (indirect) {
				why = "an indirect descriptor inside an indirect table";
			} else if (!virtio_has_feature(vdev, VIRTIO_F_INDIRECT_DESC)) {
				why = "an indirect descriptor without VIRTIO_F_INDIRECT_DESC";
			} else if (d.flags & VIRTQ_DESC_F_NEXT) {
				why = "an indirect descriptor with NEXT set";
			} else if (d.len == 0 || d.len % VIRTQ_DESC_SIZE) {
				why = "an indirect table length not a multiple of 16";
			} else if (d.len / VIRTQ_DESC_SIZE > limit - chain->count) {
				why = "an indirect table longer than the queue";
				err = -E2BIG;
			} else if (!guest_mem_ptr(mem, d.addr, d.len, false)) {
				why = "an indirect table outside RAM";
				err = -EFAULT;
			}
			if (why) {
				virtio_device_error(vdev, "queue %u: chain from head %u has %s",
						    vq->index, head, why);
				return err;
			}
			/* The WRITE flag of this descriptor means nothing (2.7.5.3.2). */
			indirect = true;
			table = d.addr;
			table_size = d.len / VIRTQ_DESC_SIZE;
			visited = 0;
			i = 0;
			continue;
		}
		bool writable = d.flags & VIRTQ_DESC_F_WRITE;
		if (!writable && chain->count > chain->readable) {
			virtio_device_error(vdev, "queue %u: chain from head %u has a readable buffer "
					    "after a writable one", vq->index, head);
			return -EPROTO;
		}
		if (chain->count >= limit) {
			virtio_device_error(vdev, "queue %u: chain from head %u is longer than the "
					    "queue (%u)", vq->index, head, limit);
			return -E2BIG;
		}
		chain->buf[chain->count++] = (struct virtq_buf){ d.addr, d.len, writable };
		if (writable) {
			chain->writable_len += d.len;
		} else {
			chain->readable++;
			chain->readable_len += d.len;
		}
		if (chain->readable_len + chain->writable_len > UINT32_MAX) {
			virtio_device_error(vdev, "queue %u: chain from head %u holds 4 GiB or more",
					    vq->index, head);
			return -E2BIG;
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		i = d.next;
	}
}

int virtq_pop(struct virtqueue *vq, struct virtq_chain *chain)
{
	struct virtio_device *vdev = vq->vdev;
	const struct guest_mem *mem = vdev->mem;
	uint16_t avail_idx, head;

	if (!vq->ready || !vq->size || virtio_device_broken(vdev))
		return -EIO;
	if (ring_read16(mem, vq->avail + AVAIL_IDX, &avail_idx)) {
		virtio_device_error(vdev, "queue %u: available ring at %#llx is not in RAM", vq->index,
				    (unsigned long long)vq->avail);
		return -EFAULT;
	}
	if (avail_idx == vq->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->size) {
		virtio_device_error(vdev, "queue %u: available index moved from %u to %u, more "
				    "than the %u entries of the ring", vq->index, vq->last_avail,
				    avail_idx, vq->size);
		return -EPROTO;
	}
	/* The entries and descriptors the index covers, read after the index. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	uint64_t slot = vq->avail + AVAIL_RING + 2ull * (vq->last_avail % vq->size);
	if (ring_read16(mem, slot, &head)) {
		virtio_device_error(vdev, "queue %u: available ring at %#llx is not in RAM", vq->index,
				    (unsigned long long)vq->avail);
		return -EFAULT;
	}
	if (head >= vq->size) {
		virtio_device_error(vdev, "queue %u: available head %u outside the table of %u",
				    vq->index, head, vq->size);
		return -EPROTO;
	}
	int err = walk_chain(vq, head, chain);
	if (err)
		return err;
	vq->last_avail++;
	vq->popped++;
	return 1;
}

int virtq_wait_for_kick(struct virtqueue *vq)
{
	struct virtio_device *vdev = vq->vdev;
	uint16_t avail_idx;

	if (!vq->ready || virtio_device_broken(vdev))
		return -EIO;
	if (event_idx(vq)) {
		/* "Kick me when you write entry last_avail" (2.7.10). */
		uint64_t avail_event = vq->used + USED_RING + (uint64_t)USED_ELEM_SIZE * vq->size;
		if (ring_write16(vdev->mem, avail_event, vq->last_avail)) {
			virtio_device_error(vdev, "queue %u: used ring at %#llx is not in RAM",
					    vq->index, (unsigned long long)vq->used);
			return -EFAULT;
		}
	}
	/* Our avail_event store before the driver's next idx, as its barrier expects. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (ring_read16(vdev->mem, vq->avail + AVAIL_IDX, &avail_idx)) {
		virtio_device_error(vdev, "queue %u: available ring at %#llx is not in RAM", vq->index,
				    (unsigned long long)vq->avail);
		return -EFAULT;
	}
	return avail_idx != vq->last_avail;
}

/* ---- returning chains ------------------------------------------------- */

int virtq_push(struct virtqueue *vq, uint16_t head, uint32_t len)
{
	struct virtio_device *vdev = vq->vdev;
	uint8_t elem[USED_ELEM_SIZE];
	uint16_t old = vq->used_idx, new = (uint16_t)(old + 1);

	if (!vq->ready || !vq->size || virtio_device_broken(vdev))
		return -EIO;
	le32_put(elem, head);
	le32_put(elem + 4, len);
	uint64_t slot = vq->used + USED_RING + (uint64_t)USED_ELEM_SIZE * (old % vq->size);
	if (guest_mem_write(vdev->mem, slot, elem, sizeof(elem))) {
		virtio_device_error(vdev, "queue %u: used ring at %#llx is not in RAM", vq->index,
				    (unsigned long long)vq->used);
		return -EFAULT;
	}
	/* The entry before the index that publishes it (2.7.8.2). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (ring_write16(vdev->mem, vq->used + USED_IDX, new)) {
		virtio_device_error(vdev, "queue %u: used ring at %#llx is not in RAM", vq->index,
				    (unsigned long long)vq->used);
		return -EFAULT;
	}
	vq->used_idx = new;
	vq->pushed++;
	/*
	 * After 65536 pushes without a notification the remembered index
	 * would look recent again: forget it, so the next check notifies.
	 */
	if ((int16_t)(new - vq->signalled_used) < (uint16_t)(new - old))
		vq->signalled_used_valid = false;
	return 0;
}

/* True when the driver asked for a notification between old and new (2.7.7.2). */
static bool need_event(uint16_t event, uint16_t new, uint16_t old)
{
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

static bool should_notify(struct virtqueue *vq)
{
	const struct guest_mem *mem = vq->vdev->mem;
	uint16_t value;

	/* Our used index before the driver's suppression fields. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!event_idx(vq)) {
		if (ring_read16(mem, vq->avail + AVAIL_FLAGS, &value))
			return true;   /* the next pop reports the broken ring */
		return !(value & VIRTQ_AVAIL_F_NO_INTERRUPT);
	}
	uint16_t old = vq->signalled_used, new = vq->used_idx;
	bool valid = vq->signalled_used_valid;
	vq->signalled_used = new;
	vq->signalled_used_valid = true;
	if (!valid)
		return true;
	if (ring_read16(mem, vq->avail + AVAIL_RING + 2ull * vq->size, &value))
		return true;
	return need_event(value, new, old);
}

bool virtq_notify(struct virtqueue *vq)
{
	if (!vq->ready || virtio_device_broken(vq->vdev))
		return false;
	if (!should_notify(vq)) {
		vq->suppressed++;
		return false;
	}
	vq->notified++;
	virtio_notify_queue(vq->vdev, vq->index);
	return true;
}

/* ---- the buffers of a chain ------------------------------------------- */

bool virtq_chain_locate(const struct virtq_chain *chain, bool writable, uint64_t offset,
			uint64_t *gpa, uint64_t *piece)
{
	unsigned first = writable ? chain->readable : 0;
	unsigned end = writable ? chain->count : chain->readable;

	for (unsigned i = first; i < end; i++) {
		const struct virtq_buf *b = &chain->buf[i];
		if (offset < b->len) {
			*gpa = b->addr + offset;
			*piece = b->len - offset;
			return true;
		}
		offset -= b->len;
	}
	return false;
}

/*
 * Copies len bytes at offset of the chain's readable part into dst, or
 * from src into its writable part (exactly one of dst and src is set).
 */
static int chain_copy(const struct guest_mem *mem, const struct virtq_chain *chain,
		      uint64_t offset, uint8_t *dst, const uint8_t *src, size_t len)
{
	bool writable = src != NULL;
	uint64_t part = writable ? chain->writable_len : chain->readable_len;

	if (offset > part || len > part - offset)
		return -ERANGE;
	while (len) {
		uint64_t gpa, piece;
		if (!virtq_chain_locate(chain, writable, offset, &gpa, &piece))
			return -ERANGE;   /* not reached: the lengths were checked */
		size_t n = piece < len ? (size_t)piece : len;
		if (writable ? guest_mem_write(mem, gpa, src, n) : guest_mem_read(mem, gpa, dst, n))
			return -EFAULT;
		if (writable)
			src += n;
		else
			dst += n;
		offset += n;
		len -= n;
	}
	return 0;
}

int virtq_chain_read(const struct guest_mem *mem, const struct virtq_chain *chain,
		     uint64_t offset, void *dst, size_t len)
{
	return chain_copy(mem, chain, offset, dst, NULL, len);
}

int virtq_chain_write(const struct guest_mem *mem, const struct virtq_chain *chain,
		      uint64_t offset, const void *src, size_t len)
{
	return chain_copy(mem, chain, offset, NULL, src, len);
}
