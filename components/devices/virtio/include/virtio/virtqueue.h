/* SPDX-License-Identifier: MIT */
/*
 * Split virtqueues (virtio 1.2, 2.7), the device side.
 *
 * Three areas in guest memory, all written by the driver except the used
 * ring, all reached through struct guest_mem only:
 *
 *   descriptor table  16 bytes x size   addr(le64) len(le32) flags(le16) next(le16)
 *   available ring    6 + 2 x size      flags, idx, ring[size], used_event
 *   used ring         6 + 8 x size      flags, idx, {id(le32), len(le32)}[size],
 *                                       avail_event
 *
 * The device takes a chain with virtq_pop(): the head from the available
 * ring, then descriptors linked by NEXT, possibly through one indirect
 * table (VIRTIO_F_INDIRECT_DESC).  It hands the chain back with
 * virtq_push() (the used entry, then the used index) and asks
 * virtq_notify() whether the driver wants an interrupt for it
 * (VRING_AVAIL_F_NO_INTERRUPT, or used_event with VIRTIO_F_EVENT_IDX).
 *
 * Every value read from the guest is checked before use, and each
 * descriptor is copied once, so a driver that changes the ring under the
 * device's feet cannot make it use a value it did not check:
 *   - the available index may run at most size entries ahead (-EPROTO),
 *   - a head or next index must be inside its table (-EPROTO),
 *   - a chain visits at most as many descriptors as its table has: more
 *     means a loop (-ELOOP), and holds at most size_max buffers (-E2BIG),
 *   - an indirect descriptor needs the feature, no NEXT flag, a length
 *     that is a non-zero multiple of 16 and a table inside RAM, and may
 *     not appear inside an indirect table (-EPROTO),
 *   - device-readable buffers come before device-writable ones (-EPROTO),
 *   - the buffers add up to less than 4 GiB (-E2BIG),
 *   - the rings and tables lie in RAM (-EFAULT).
 * Any of these puts the device in DEVICE_NEEDS_RESET (virtio_device_error).
 * Buffers themselves are only checked when the device type reads or
 * writes them (virtq_chain_read/write, or guest_mem_ptr on each buffer),
 * so a buffer outside RAM fails that request only.
 */
#ifndef VIRTIO_VIRTQUEUE_H
#define VIRTIO_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTQUEUE_SIZE_MAX 32768u   /* spec 2.7: the largest power of two in 16 bits */

#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_DESC_SIZE       16

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY     1

struct virtio_device;
struct guest_mem;

/* One buffer of a chain, as the device found it. */
struct virtq_buf {
	uint64_t addr;
	uint32_t len;
	bool writable;
};

/* A descriptor chain taken from the available ring. */
struct virtq_chain {
	uint16_t head;              /* what goes back in the used ring       */
	unsigned count;             /* buffers in buf[]                      */
	unsigned readable;          /* buf[0 .. readable-1] are readable     */
	uint64_t readable_len;      /* bytes in the readable buffers         */
	uint64_t writable_len;      /* bytes in the writable buffers         */
	unsigned descriptors;       /* descriptors visited (statistics)      */
	struct virtq_buf *buf;      /* capacity entries, owned by the caller */
	unsigned capacity;          /* at least the queue's size_max         */
};

struct virtqueue {
	struct virtio_device *vdev;
	unsigned index;
	uint16_t size_max;          /* 0: the device has no such queue       */
	uint16_t size;              /* chosen by the driver, power of two    */
	bool ready;                 /* live: the device may use it           */
	uint64_t desc, avail, used; /* guest-physical addresses              */
	uint16_t last_avail;        /* next available ring entry to take     */
	uint16_t used_idx;          /* the device's copy of used->idx        */
	uint16_t signalled_used;    /* used_idx at the last notification     */
	bool signalled_used_valid;
	/* Statistics. */
	uint64_t popped, pushed, notified, suppressed;
};

/* Forgets the ring: not live, no addresses, size back to size_max. */
void virtq_reset(struct virtqueue *vq);

/*
 * Takes the next chain: 1 with *chain filled in, 0 when the ring is
 * empty, or a negative errno after the device was put in NEEDS_RESET.
 */
int virtq_pop(struct virtqueue *vq, struct virtq_chain *chain);

/* Returns a chain: used entry {head, len}, then the used index.  0 or <0. */
int virtq_push(struct virtqueue *vq, uint16_t head, uint32_t len);

/*
 * After one or more pushes: sends a used buffer notification unless the
 * driver suppressed it.  Returns whether one was sent.
 */
bool virtq_notify(struct virtqueue *vq);

/*
 * The device stops taking chains for now: with VIRTIO_F_EVENT_IDX it asks
 * for a notification at the next entry (avail_event).  Returns 1 when
 * more chains arrived meanwhile (take them before relying on a kick), 0
 * when the ring is empty, <0 after an error.
 */
int virtq_wait_for_kick(struct virtqueue *vq);

/*
 * Copies between the chain's readable (read) or writable (write) bytes,
 * counted from the start of that part, and host memory.  0, -ERANGE
 * (beyond the part) or -EFAULT (a buffer outside RAM; nothing more is
 * copied, earlier pieces may have been).
 */
int virtq_chain_read(const struct guest_mem *mem, const struct virtq_chain *chain,
		     uint64_t offset, void *dst, size_t len);
int virtq_chain_write(const struct guest_mem *mem, const struct virtq_chain *chain,
		      uint64_t offset, const void *src, size_t len);

/*
 * The guest-physical address of byte offset of the chain's readable or
 * writable part (the piece runs to the end of its buffer: *piece bytes).
 * false when offset is beyond the part.
 */
bool virtq_chain_locate(const struct virtq_chain *chain, bool writable, uint64_t offset,
			uint64_t *gpa, uint64_t *piece);

#endif
