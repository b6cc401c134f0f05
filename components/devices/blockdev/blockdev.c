/* SPDX-License-Identifier: MIT */
/*
 * The checks every request passes before a backend sees it.  The ranges
 * come from a guest (sector numbers, lengths of its buffers), so every
 * sum is tested for overflow before it is compared with the disk size.
 */
#include <errno.h>
#include <blockdev/blockdev.h>

static bool sector_aligned(uint64_t x)
{
	return (x % BLOCKDEV_SECTOR_SIZE) == 0;
}

/* 0, or the errno the request fails with. */
static int check_request(const struct blockdev *bd, struct blockdev_request *req)
{
	if ((unsigned)req->op >= BLOCKDEV_OP_COUNT)
		return -EINVAL;
	if (req->op == BLOCKDEV_READ || req->op == BLOCKDEV_WRITE) {
		uint64_t total = 0;
		if (req->iov_count && !req->iov)
			return -EINVAL;
		for (unsigned i = 0; i < req->iov_count; i++) {
			if (req->iov[i].len > UINT64_MAX - total)
				return -EINVAL;
			total += req->iov[i].len;
		}
		req->length = total;
	} else if (req->op == BLOCKDEV_FLUSH) {
		req->length = 0;
		return 0;   /* nothing to check; also fine on a read-only disk */
	}
	if (req->op != BLOCKDEV_READ && bd->read_only)
		return -EROFS;
	if ((req->op == BLOCKDEV_DISCARD || req->op == BLOCKDEV_WRITE_ZEROES) && !bd->can_discard)
		return -ENOTSUP;
	if (!sector_aligned(req->offset) || !sector_aligned(req->length))
		return -EINVAL;
	if (req->offset > bd->size || req->length > bd->size - req->offset)
		return -EINVAL;
	return 0;
}

void blockdev_submit(struct blockdev *bd, struct blockdev_request *req)
{
	int err = check_request(bd, req);

	bd->inflight++;
	if ((unsigned)req->op < BLOCKDEV_OP_COUNT)
		bd->requests[req->op]++;
	if (err)
		blockdev_complete(bd, req, err);
	else
		bd->ops->submit(bd, req);
}

void blockdev_complete(struct blockdev *bd, struct blockdev_request *req, int result)
{
	bd->inflight--;
	if (result)
		bd->errors++;
	req->complete(req, result);
}

void blockdev_destroy(struct blockdev *bd)
{
	if (bd && bd->ops->destroy)
		bd->ops->destroy(bd);
}
