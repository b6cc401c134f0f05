/* SPDX-License-Identifier: MIT */
/*
 * Block devices: what a disk model (virtio-blk) reads and writes.
 *
 * A disk is a number of bytes (a multiple of 512), possibly read-only.
 * The disk model describes each operation in a struct blockdev_request
 * and hands it to blockdev_submit(); the backend finishes it by calling
 * the request's complete() exactly once, with 0 or a negative errno:
 *
 *   synchronous backend (memdisk):   submit -> complete -> submit returns
 *   asynchronous backend (host disk): submit returns; complete later
 *
 * so a disk model is written for the second case and gets the first for
 * free.  The request, its iov array and the buffers belong to the
 * submitter until complete() runs; the backend touches nothing after
 * calling it.
 *
 * blockdev_submit() checks every request before a backend sees it (range
 * inside the disk without overflow, 512-byte alignment, writes to a
 * read-only disk, unsupported operations) and completes a bad one at once
 * with an error, so backends only handle requests that make sense.
 *
 * Completion callbacks run device-model code: a backend that completes
 * outside submit() must call them under the same lock as the device's
 * register handlers (the VM's device lock).  The host disk backend
 * (components/hostdisk) does: it takes that lock only around the
 * callback, never while the physical disk works.
 *
 *   struct blockdev *disk = memdisk_create("disk0", image, image_size, false);
 *   struct blockdev_iov iov = { buffer, 4096 };
 *   struct blockdev_request req = {
 *       .op = BLOCKDEV_READ, .offset = 8 * 512, .iov = &iov, .iov_count = 1,
 *       .complete = done, .opaque = me,
 *   };
 *   blockdev_submit(disk, &req);
 */
#ifndef BLOCKDEV_BLOCKDEV_H
#define BLOCKDEV_BLOCKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLOCKDEV_SECTOR_SIZE 512u

enum blockdev_op {
	BLOCKDEV_READ = 0,
	BLOCKDEV_WRITE,
	BLOCKDEV_FLUSH,          /* completed writes become persistent        */
	BLOCKDEV_DISCARD,        /* the range's contents become undefined     */
	BLOCKDEV_WRITE_ZEROES,   /* the range reads as zeroes afterwards      */
	BLOCKDEV_OP_COUNT
};

/* A piece of host memory a request reads into or writes from. */
struct blockdev_iov {
	void *base;
	size_t len;
};

struct blockdev_request {
	enum blockdev_op op;
	uint64_t offset;                 /* bytes from the start of the disk  */
	/*
	 * Bytes the request covers: for DISCARD and WRITE_ZEROES set by the
	 * submitter; for READ and WRITE filled in by blockdev_submit() as the
	 * sum of the iov lengths; 0 for FLUSH.
	 */
	uint64_t length;
	const struct blockdev_iov *iov;  /* READ, WRITE: the data           */
	unsigned iov_count;
	/* Called once when done: 0, -EIO, -EROFS, -EINVAL, -ENOTSUP. */
	void (*complete)(struct blockdev_request *req, int result);
	void *opaque;                    /* the submitter's                   */
	/* The backend's, while it holds the request (a queue link). */
	struct blockdev_request *backend_next;
};

struct blockdev;

struct blockdev_ops {
	/* Starts a request that passed the checks; ends in blockdev_complete(). */
	void (*submit)(struct blockdev *bd, struct blockdev_request *req);
	/* Frees the backend (no request is in flight). */
	void (*destroy)(struct blockdev *bd);
};

struct blockdev {
	const char *name;
	uint64_t size;                   /* bytes, a multiple of 512          */
	uint32_t block_size;             /* preferred unit: 512, 4096, ...    */
	bool read_only;
	bool can_discard;                /* DISCARD and WRITE_ZEROES work     */
	const struct blockdev_ops *ops;
	void *priv;                      /* the backend's                     */
	/* Kept by blockdev_submit()/blockdev_complete(). */
	unsigned long inflight;          /* submitted, not yet completed      */
	uint64_t requests[BLOCKDEV_OP_COUNT];
	uint64_t errors;
};

/*
 * Checks req and passes it to the backend, or completes it at once with
 * -EINVAL (bad op, offset or length not a multiple of 512, range past the
 * end, iov lengths overflowing), -EROFS (any change to a read-only disk)
 * or -ENOTSUP (DISCARD/WRITE_ZEROES where the disk cannot).  Either way
 * req->complete is called exactly once.
 */
void blockdev_submit(struct blockdev *bd, struct blockdev_request *req);

/* For backends: finishes req with result (0 or a negative errno). */
void blockdev_complete(struct blockdev *bd, struct blockdev_request *req, int result);

/* Destroys bd through its backend (NULL is ignored). */
void blockdev_destroy(struct blockdev *bd);

/*
 * A disk image in memory the caller owns and keeps alive until
 * blockdev_destroy(): reads and writes are copies, FLUSH does nothing,
 * DISCARD and WRITE_ZEROES fill the range with zeroes.  A size that is
 * not a multiple of 512 is rounded down (the tail is not part of the
 * disk).  NULL when out of memory or data is NULL with a nonzero size.
 */
struct blockdev *memdisk_create(const char *name, void *data, uint64_t size, bool read_only);

#endif
