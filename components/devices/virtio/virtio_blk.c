/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk.  How requests are read and answered is described in
 * include/virtio/virtio_blk.h; the order of the checks below follows it.
 *
 * A request that passes the checks becomes a struct blk_request: the
 * chain head, where the status byte goes, and the data as host memory for
 * the backend.  The backend may finish it at once (memdisk) or later;
 * either way finish() writes the status, returns the chain and, unless
 * we are still inside the queue's kick (where one notification covers
 * every request), notifies the driver.
 */
#include <errno.h>
#include <string.h>
#include <core/compiler.h>
#include <core/log.h>
#include <core/mm.h>
#include <virtio/virtio_blk.h>
#include "le.h"

struct blk_request {
	struct blockdev_request bd;       /* first: the completion finds us  */
	struct virtio_blk *blk;
	unsigned epoch;                   /* the device reset since: drop it */
	unsigned queue;
	uint16_t head;
	uint64_t status_gpa;
	uint32_t written;                 /* data bytes the guest gets on success */
	struct blockdev_iov iov[];
};

struct virtio_blk {
	struct virtio_device vdev;
	struct blockdev *disk;
	uint8_t config[VIRTIO_BLK_CONFIG_SIZE];
	char id[VIRTIO_BLK_ID_BYTES];
	struct virtq_chain chain;
	struct virtq_buf chain_buf[VIRTIO_BLK_QUEUE_SIZE];
	unsigned epoch;                   /* counts resets                   */
	unsigned inflight;                /* with the backend                */
	bool in_kick;                     /* inside blk_queue_notify()       */
	bool pushed_in_kick;              /* a chain returned during it      */
	bool stalled;                     /* stopped taking: queue-size in flight */
};

static struct virtio_blk *to_blk(struct virtio_device *vdev)
{
	return container_of(vdev, struct virtio_blk, vdev);
}

/* ---- answering ---------------------------------------------------------- */

/* Writes the status byte and hands the chain back (used length: written + 1). */
static void answer(struct virtio_blk *blk, unsigned queue, uint16_t head, uint64_t status_gpa,
		   uint8_t status, uint32_t written)
{
	struct virtio_device *vdev = &blk->vdev;
	struct virtqueue *vq = &vdev->queue[queue];

	if (guest_mem_write(vdev->mem, status_gpa, &status, 1)) {
		virtio_device_error(vdev, "queue %u: status byte of request %u at %#llx is not in RAM",
				    queue, head, (unsigned long long)status_gpa);
		return;
	}
	if (virtq_push(vq, head, written + 1))
		return;
	if (blk->in_kick)
		blk->pushed_in_kick = true;
	else
		virtq_notify(vq);
}

static uint8_t status_of(int result)
{
	if (result == 0)
		return VIRTIO_BLK_S_OK;
	return result == -ENOTSUP ? VIRTIO_BLK_S_UNSUPP : VIRTIO_BLK_S_IOERR;
}

static void blk_queue_notify(struct virtio_device *vdev, unsigned q);

static void request_done(struct blockdev_request *bd, int result)
{
	struct blk_request *req = (struct blk_request *)bd;
	struct virtio_blk *blk = req->blk;

	blk->inflight--;
	/* After a reset the chain belongs to nobody: the guest never hears of it. */
	if (req->epoch == blk->epoch && virtio_queue_may_run(&blk->vdev, req->queue))
		answer(blk, req->queue, req->head, req->status_gpa, status_of(result),
		       result ? 0 : req->written);
	unsigned queue = req->queue;
	bool resume = req->epoch == blk->epoch && blk->stalled && !blk->in_kick &&
		      virtio_queue_may_run(&blk->vdev, queue);
	kfree(req);
	if (resume)
		blk_queue_notify(&blk->vdev, queue);   /* chains we left in the ring */
}

/* ---- requests --------------------------------------------------------- */

/*
 * The chain's readable (or writable) bytes [offset, offset + len) as host
 * memory in req->iov.  -EFAULT when a piece is not RAM the device may
 * access that way (writing into guest ROM, for one).
 */
static int map_data(struct virtio_blk *blk, const struct virtq_chain *chain, bool writable,
		    uint64_t offset, uint64_t len, struct blk_request *req)
{
	unsigned count = 0;

	while (len) {
		uint64_t gpa, piece;
		if (!virtq_chain_locate(chain, writable, offset, &gpa, &piece) || count >= chain->count)
			return -EFAULT;
		uint64_t n = piece < len ? piece : len;
		void *host = guest_mem_ptr(blk->vdev.mem, gpa, n, writable);
		if (!host)
			return -EFAULT;
		req->iov[count++] = (struct blockdev_iov){ host, (size_t)n };
		offset += n;
		len -= n;
	}
	req->bd.iov = req->iov;
	req->bd.iov_count = count;
	return 0;
}

static struct blk_request *new_request(struct virtio_blk *blk, unsigned queue,
				       const struct virtq_chain *chain, uint64_t status_gpa)
{
	struct blk_request *req = kzalloc(sizeof(*req) + chain->count * sizeof(req->iov[0]));

	if (!req)
		return NULL;
	req->blk = blk;
	req->epoch = blk->epoch;
	req->queue = queue;
	req->head = chain->head;
	req->status_gpa = status_gpa;
	req->bd.complete = request_done;
	req->bd.opaque = req;
	return req;
}

/* IN and OUT: 0 with req ready for the backend, or the status to answer. */
static int prepare_read_write(struct virtio_blk *blk, const struct virtq_chain *chain,
			      bool in, uint64_t sector, struct blk_request *req)
{
	/* IN data is what the device writes; OUT data what it reads. */
	uint64_t len = in ? chain->writable_len - 1 : chain->readable_len - VIRTIO_BLK_HEADER_SIZE;
	bool stray = in ? chain->readable_len > VIRTIO_BLK_HEADER_SIZE : chain->writable_len > 1;

	if (stray) {
		virtio_warn(&blk->vdev, "%s request %u has data in %s buffers", in ? "IN" : "OUT",
			    chain->head, in ? "device-readable" : "device-writable");
		return VIRTIO_BLK_S_IOERR;
	}
	if (len % BLOCKDEV_SECTOR_SIZE || sector > UINT64_MAX / BLOCKDEV_SECTOR_SIZE)
		return VIRTIO_BLK_S_IOERR;
	if (map_data(blk, chain, in, in ? 0 : VIRTIO_BLK_HEADER_SIZE, len, req))
		return VIRTIO_BLK_S_IOERR;
	req->bd.op = in ? BLOCKDEV_READ : BLOCKDEV_WRITE;
	req->bd.offset = sector * BLOCKDEV_SECTOR_SIZE;
	req->written = in ? (uint32_t)len : 0;
	return 0;
}

/* DISCARD and WRITE_ZEROES: one segment (max_*_seg is 1). */
static int prepare_range(struct virtio_blk *blk, const struct virtq_chain *chain, bool discard,
			 struct blk_request *req)
{
	uint64_t bytes = chain->readable_len - VIRTIO_BLK_HEADER_SIZE;
	uint8_t seg[VIRTIO_BLK_SEGMENT_SIZE];

	if (!blk->disk->can_discard)
		return VIRTIO_BLK_S_UNSUPP;
	if (bytes == 0 || bytes % VIRTIO_BLK_SEGMENT_SIZE)
		return VIRTIO_BLK_S_IOERR;
	if (bytes > VIRTIO_BLK_SEGMENT_SIZE)
		return VIRTIO_BLK_S_UNSUPP;
	if (virtq_chain_read(blk->vdev.mem, chain, VIRTIO_BLK_HEADER_SIZE, seg, sizeof(seg)))
		return VIRTIO_BLK_S_IOERR;
	uint64_t sector = le64_get(seg);
	uint32_t sectors = le32_get(seg + 8);
	uint32_t flags = le32_get(seg + 12);
	if ((flags & ~(uint32_t)VIRTIO_BLK_SEG_FLAG_UNMAP) ||
	    (discard && (flags & VIRTIO_BLK_SEG_FLAG_UNMAP)))
		return VIRTIO_BLK_S_UNSUPP;   /* 5.2.6.2: unknown flags, unmap on discard */
	if (sectors > VIRTIO_BLK_MAX_DISCARD_SECTORS || sector > UINT64_MAX / BLOCKDEV_SECTOR_SIZE)
		return VIRTIO_BLK_S_IOERR;
	req->bd.op = discard ? BLOCKDEV_DISCARD : BLOCKDEV_WRITE_ZEROES;
	req->bd.offset = sector * BLOCKDEV_SECTOR_SIZE;
	req->bd.length = (uint64_t)sectors * BLOCKDEV_SECTOR_SIZE;
	return 0;
}

static void handle_request(struct virtio_blk *blk, unsigned queue, const struct virtq_chain *chain)
{
	struct virtio_device *vdev = &blk->vdev;
	uint8_t header[VIRTIO_BLK_HEADER_SIZE];
	uint64_t status_gpa, piece;

	if (chain->readable_len < VIRTIO_BLK_HEADER_SIZE || chain->writable_len < 1) {
		virtio_device_error(vdev, "queue %u: request %u lacks a %s", queue, chain->head,
				    chain->writable_len ? "16-byte header" : "status byte");
		return;
	}
	if (virtq_chain_read(vdev->mem, chain, 0, header, sizeof(header)) ||
	    !virtq_chain_locate(chain, true, chain->writable_len - 1, &status_gpa, &piece) ||
	    !guest_mem_ptr(vdev->mem, status_gpa, 1, true)) {
		virtio_device_error(vdev, "queue %u: header or status of request %u is not in RAM",
				    queue, chain->head);
		return;
	}
	uint32_t type = le32_get(header);
	uint64_t sector = le64_get(header + 8);
	int status;

	struct blk_request *req = new_request(blk, queue, chain, status_gpa);
	if (!req) {
		answer(blk, queue, chain->head, status_gpa, VIRTIO_BLK_S_IOERR, 0);
		return;
	}
	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		status = prepare_read_write(blk, chain, type == VIRTIO_BLK_T_IN, sector, req);
		break;
	case VIRTIO_BLK_T_FLUSH_OUT:
		/* A legacy synonym (5.2.6.3); modern drivers never send it. */
		req->bd.op = BLOCKDEV_FLUSH;
		status = vdev->legacy ? 0 : VIRTIO_BLK_S_UNSUPP;
		break;
	case VIRTIO_BLK_T_FLUSH:
		req->bd.op = BLOCKDEV_FLUSH;
		status = 0;
		break;
	case VIRTIO_BLK_T_GET_ID: {
		uint64_t room = chain->writable_len - 1;
		uint32_t n = room < VIRTIO_BLK_ID_BYTES ? (uint32_t)room : VIRTIO_BLK_ID_BYTES;
		bool ok = !virtq_chain_write(vdev->mem, chain, 0, blk->id, n);
		status = ok ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
		req->written = ok ? n : 0;
		break;
	}
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		status = prepare_range(blk, chain, type == VIRTIO_BLK_T_DISCARD, req);
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	if (status || type == VIRTIO_BLK_T_GET_ID) {
		answer(blk, queue, chain->head, status_gpa, (uint8_t)status,
		       status ? 0 : req->written);
		kfree(req);
		return;
	}
	blk->inflight++;
	blockdev_submit(blk->disk, &req->bd);   /* may complete before it returns */
}

static void blk_queue_notify(struct virtio_device *vdev, unsigned q)
{
	struct virtio_blk *blk = to_blk(vdev);
	struct virtqueue *vq = &vdev->queue[q];

	if (blk->in_kick)
		return;   /* a completion inside the loop below: it goes on anyway */
	blk->in_kick = true;
	blk->pushed_in_kick = false;
	blk->stalled = false;
	for (bool more = true; more;) {
		if (blk->inflight >= vq->size) {
			/* request_done() comes back here when the backend catches up. */
			blk->stalled = true;
			break;
		}
		int r = virtq_pop(vq, &blk->chain);
		if (r > 0) {
			handle_request(blk, q, &blk->chain);
			continue;
		}
		/* Empty (or broken): ask for a kick; chains may have come meanwhile. */
		more = r == 0 && virtq_wait_for_kick(vq) > 0;
	}
	blk->in_kick = false;
	if (blk->pushed_in_kick)
		virtq_notify(vq);
}

/* ---- the device ----------------------------------------------------------- */

static void blk_reset(struct virtio_device *vdev)
{
	struct virtio_blk *blk = to_blk(vdev);

	blk->epoch++;
	blk->stalled = false;
	blk->pushed_in_kick = false;
}

static const struct virtio_device_ops blk_ops = {
	.queue_notify = blk_queue_notify,
	.reset = blk_reset,
};

static uint32_t block_size(const struct blockdev *disk)
{
	uint32_t size = disk->block_size;

	return size >= BLOCKDEV_SECTOR_SIZE && !(size & (size - 1)) ? size : BLOCKDEV_SECTOR_SIZE;
}

static void fill_config(struct virtio_blk *blk)
{
	uint8_t *c = blk->config;
	uint32_t sectors_per_block = block_size(blk->disk) / BLOCKDEV_SECTOR_SIZE;

	memset(c, 0, sizeof(blk->config));
	le64_put(c + VIRTIO_BLK_CFG_CAPACITY, blk->disk->size / BLOCKDEV_SECTOR_SIZE);
	le32_put(c + VIRTIO_BLK_CFG_SEG_MAX, VIRTIO_BLK_SEG_MAX);
	le32_put(c + VIRTIO_BLK_CFG_BLK_SIZE, block_size(blk->disk));
	if (blk->disk->can_discard) {
		le32_put(c + VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS, VIRTIO_BLK_MAX_DISCARD_SECTORS);
		le32_put(c + VIRTIO_BLK_CFG_MAX_DISCARD_SEG, 1);
		le32_put(c + VIRTIO_BLK_CFG_DISCARD_SECTOR_ALIGNMENT, sectors_per_block);
		le32_put(c + VIRTIO_BLK_CFG_MAX_WRITE_ZEROES_SECTORS, VIRTIO_BLK_MAX_DISCARD_SECTORS);
		le32_put(c + VIRTIO_BLK_CFG_MAX_WRITE_ZEROES_SEG, 1);
	}
}

struct virtio_blk *virtio_blk_create(const char *name, const struct guest_mem *mem,
				     struct blockdev *disk, const char *serial)
{
	struct virtio_blk *blk;
	uint64_t features = VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
			    VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);

	if (!mem || !disk)
		return NULL;
	blk = kzalloc(sizeof(*blk));
	if (!blk)
		return NULL;
	blk->disk = disk;
	if (disk->read_only)
		features |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
	if (disk->can_discard)
		features |= VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) | VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);
	for (unsigned i = 0; serial && serial[i] && i < VIRTIO_BLK_ID_BYTES; i++)
		blk->id[i] = serial[i];
	fill_config(blk);
	blk->chain.buf = blk->chain_buf;
	blk->chain.capacity = VIRTIO_BLK_QUEUE_SIZE;
	if (virtio_device_init(&blk->vdev, name ? name : "virtio-blk", VIRTIO_ID_BLOCK, features, 1,
			       VIRTIO_BLK_QUEUE_SIZE, blk->config, sizeof(blk->config), mem,
			       &blk_ops)) {
		kfree(blk);
		return NULL;
	}
	return blk;
}

struct virtio_device *virtio_blk_device(struct virtio_blk *blk)
{
	return &blk->vdev;
}

void virtio_blk_update_capacity(struct virtio_blk *blk)
{
	le64_put(blk->config + VIRTIO_BLK_CFG_CAPACITY, blk->disk->size / BLOCKDEV_SECTOR_SIZE);
	virtio_config_changed(&blk->vdev);
}

unsigned virtio_blk_inflight(const struct virtio_blk *blk)
{
	return blk->inflight;
}

void virtio_blk_destroy(struct virtio_blk *blk)
{
	if (blk && blk->inflight)
		log_error("%s: destroyed with %u requests in flight", blk->vdev.name, blk->inflight);
	kfree(blk);
}
