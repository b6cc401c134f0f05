/* SPDX-License-Identifier: MIT */
/*
 * A disk image in memory.  Every request completes before submit
 * returns; blockdev_submit() has already checked that the range lies
 * inside the image, so the copies below need no checks of their own.
 */
#include <string.h>
#include <blockdev/blockdev.h>
#include <core/mm.h>

struct memdisk {
	struct blockdev bd;
	uint8_t *data;
};

static void memdisk_copy(struct memdisk *md, const struct blockdev_request *req, bool to_disk)
{
	uint64_t offset = req->offset;

	for (unsigned i = 0; i < req->iov_count; i++) {
		const struct blockdev_iov *v = &req->iov[i];
		if (to_disk)
			memcpy(md->data + offset, v->base, v->len);
		else
			memcpy(v->base, md->data + offset, v->len);
		offset += v->len;
	}
}

static void memdisk_submit(struct blockdev *bd, struct blockdev_request *req)
{
	struct memdisk *md = bd->priv;

	switch (req->op) {
	case BLOCKDEV_READ:
		memdisk_copy(md, req, false);
		break;
	case BLOCKDEV_WRITE:
		memdisk_copy(md, req, true);
		break;
	case BLOCKDEV_DISCARD:
	case BLOCKDEV_WRITE_ZEROES:
		/* Discarded sectors read as zeroes too: nothing old leaks back. */
		memset(md->data + req->offset, 0, (size_t)req->length);
		break;
	default:          /* FLUSH: memory is as persistent as it gets */
		break;
	}
	blockdev_complete(bd, req, 0);
}

static void memdisk_destroy(struct blockdev *bd)
{
	kfree(bd->priv);
}

static const struct blockdev_ops memdisk_ops = {
	.submit = memdisk_submit,
	.destroy = memdisk_destroy,
};

struct blockdev *memdisk_create(const char *name, void *data, uint64_t size, bool read_only)
{
	struct memdisk *md;

	if (!data && size)
		return NULL;
	md = kzalloc(sizeof(*md));
	if (!md)
		return NULL;
	md->data = data;
	md->bd.name = name ? name : "memdisk";
	md->bd.size = size - size % BLOCKDEV_SECTOR_SIZE;
	md->bd.block_size = BLOCKDEV_SECTOR_SIZE;
	md->bd.read_only = read_only;
	md->bd.can_discard = true;
	md->bd.ops = &memdisk_ops;
	md->bd.priv = md;
	return &md->bd;
}
