/* SPDX-License-Identifier: MIT */
/*
 * The host disk: registered disks, their named GPT partitions, the VMs
 * that own them, and the worker that does queued requests
 * (include/hostdisk/hostdisk.h, docs/persistence.md).
 *
 * Locks, and the order they are taken in:
 *
 *   VM device lock  ->  queue_lock          blockdev_submit() queues
 *   worker                                  one CPU at a time does requests;
 *                                           held while the disk works, and
 *                                           no VM lock is taken under it
 *                                           except around a completion
 *   worker  ->  VM device lock              the completion callback
 *
 * A completion is called after the request left the queue, with
 * queue_lock free, so a completion that submits again (virtio-blk's next
 * request, the flash's flush) only queues and never deadlocks.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <core/arch.h>
#include <core/log.h>
#include <core/mm.h>
#include <hostdisk/gpt.h>
#include <hostdisk/hostdisk.h>

struct hostdisk_part {
	struct hostdisk *disk;
	char name[HOSTDISK_PART_NAME_MAX];
	uint64_t first_lba;
	uint64_t sectors;
	unsigned int index;             /* GPT entry number, 1-based        */

	/* While open: */
	char owner[HOSTDISK_OWNER_MAX];
	bool open;
	struct blockdev bd;
	spinlock_t *lock;               /* the owner's device lock          */
	struct blockdev_request *head, *tail;   /* queued, under queue_lock */
	unsigned long pending;          /* queued or being done             */
	/* Since it was opened: requests done, bytes moved, flushes, and the
	 * time the disk spent on them (the worker's, not the guest's). */
	uint64_t done, bytes, flushes, busy_ns;
};

static struct hostdisk *disks[HOSTDISK_MAX_DISKS];
static unsigned int disk_count;
static struct hostdisk_part parts[HOSTDISK_MAX_PARTS];
static unsigned int part_count;

static spinlock_t queue_lock = SPINLOCK_INIT;   /* queues, claims          */
static spinlock_t worker = SPINLOCK_INIT;       /* the CPU doing requests  */
static unsigned long queued_total;              /* under queue_lock        */
static unsigned int next_part;                  /* round robin, worker's   */
/* A sector for pieces too small to be handed to the driver (worker's). */
static uint8_t bounce[HOSTDISK_SECTOR] __attribute__((aligned(64)));

/* ---- registering ---- */

struct scan {
	struct hostdisk *disk;
	unsigned int skipped;
};

static int do_transfer(struct hostdisk *hd, bool write, uint64_t sector,
		       const struct blockdev_iov *iov, unsigned int count, uint64_t length);

static int read_sectors(void *ctx, uint64_t lba, void *buf, unsigned int count)
{
	struct hostdisk *hd = ctx;
	struct blockdev_iov iov = { buf, (size_t)count * HOSTDISK_SECTOR };

	return do_transfer(hd, false, lba, &iov, 1, iov.len);
}

static struct hostdisk_part *find_part(const char *name)
{
	for (unsigned int i = 0; i < part_count; i++)
		if (strcmp(parts[i].name, name) == 0)
			return &parts[i];
	return NULL;
}

static void add_partition(void *ctx, const struct gpt_partition *gp)
{
	struct scan *s = ctx;
	struct hostdisk_part *p;

	if (!gp->name[0])
		return;                     /* nameless: no VM can name it     */
	if (find_part(gp->name) || part_count == HOSTDISK_MAX_PARTS) {
		log_warn("hostdisk: %s: partition %u '%s' is not used (%s)", s->disk->name,
			 gp->index, gp->name,
			 part_count == HOSTDISK_MAX_PARTS ? "too many partitions" : "name used twice");
		s->skipped++;
		return;
	}
	p = &parts[part_count++];
	memset(p, 0, sizeof(*p));
	p->disk = s->disk;
	snprintf(p->name, sizeof(p->name), "%s", gp->name);
	p->first_lba = gp->first_lba;
	p->sectors = gp->last_lba - gp->first_lba + 1;
	p->index = gp->index;
}

int hostdisk_register(struct hostdisk *hd)
{
	struct scan s = { .disk = hd };
	unsigned int before = part_count;
	const char *why = NULL;
	int ret;

	if (disk_count == HOSTDISK_MAX_DISKS) {
		log_error("hostdisk: %s: too many disks (at most %u)", hd->name, HOSTDISK_MAX_DISKS);
		return -ENOSPC;
	}
	if (hd->max_segments == 0)
		hd->max_segments = 1;
	if (hd->max_sectors < 8)
		hd->max_sectors = 8;
	spin_lock(&worker);
	ret = gpt_read(hd->sectors, read_sectors, hd, add_partition, &s, &why);
	spin_unlock(&worker);
	if (ret == -EIO || ret == -ENOMEM) {
		log_error("hostdisk: %s: cannot read its partition table (%d)", hd->name, ret);
		return -EIO;
	}
	disks[disk_count++] = hd;
	if (ret == -ENOENT)
		log_warn("hostdisk: %s: %llu MiB, no GPT (%s): no partitions for VMs", hd->name,
			 (unsigned long long)(hd->sectors >> 11), why ? why : "?");
	else
		log_info("hostdisk: %s: %llu MiB, GPT%s, %u named partition%s", hd->name,
			 (unsigned long long)(hd->sectors >> 11),
			 ret == 1 ? " (backup header: the primary has a problem)" : "",
			 part_count - before, part_count - before == 1 ? "" : "s");
	return 0;
}

unsigned int hostdisk_count(void)
{
	return disk_count;
}

static void list_names(char *names, size_t len)
{
	size_t used = 0;

	if (!len)
		return;
	names[0] = '\0';
	if (disk_count == 0) {
		snprintf(names, len, "no host disk was found");
		return;
	}
	if (part_count == 0) {
		snprintf(names, len, "the host disk has no named GPT partitions");
		return;
	}
	for (unsigned int i = 0; i < part_count && used + 1 < len; i++) {
		int n = snprintf(names + used, len - used, "%s%s", i ? ", " : "", parts[i].name);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

bool hostdisk_exists(const char *name, char *names, size_t len)
{
	char list[160];

	if (find_part(name))
		return true;
	if (names) {
		list_names(list, sizeof(list));
		snprintf(names, len, "%s%s", disk_count && part_count ? "it has: " : "", list);
	}
	return false;
}

void hostdisk_print(void)
{
	for (unsigned int d = 0; d < disk_count; d++) {
		struct hostdisk *hd = disks[d];

		printk("  Host disk:    %s, %llu MiB:", hd->name,
		       (unsigned long long)(hd->sectors >> 11));
		for (unsigned int i = 0; i < part_count; i++)
			if (parts[i].disk == hd)
				printk(" %s (%llu MiB)", parts[i].name,
				       (unsigned long long)(parts[i].sectors >> 11));
		printk("\n");
	}
}

/* ---- partitions as block devices ---- */

static struct hostdisk_part *part_of(struct blockdev *bd)
{
	return bd->priv;
}

static void part_submit(struct blockdev *bd, struct blockdev_request *req)
{
	struct hostdisk_part *p = part_of(bd);

	req->backend_next = NULL;
	spin_lock(&queue_lock);
	if (p->tail)
		p->tail->backend_next = req;
	else
		p->head = req;
	p->tail = req;
	p->pending++;
	queued_total++;
	spin_unlock(&queue_lock);
}

static void part_destroy(struct blockdev *bd)
{
	struct hostdisk_part *p = part_of(bd);

	/* Requests of a reset device still finish (virtio-blk ignores them). */
	while (__atomic_load_n(&p->pending, __ATOMIC_ACQUIRE)) {
		hostdisk_poll();
		arch_cpu_relax();
	}
	if (p->done)
		log_info("hostdisk: %s of %s: %llu requests, %llu KiB, %llu flushes, %llu.%03llu s "
			 "of disk time", p->name, p->owner, (unsigned long long)p->done,
			 (unsigned long long)(p->bytes >> 10), (unsigned long long)p->flushes,
			 (unsigned long long)(p->busy_ns / 1000000000),
			 (unsigned long long)(p->busy_ns / 1000000 % 1000));
	spin_lock(&queue_lock);
	p->open = false;
	p->owner[0] = '\0';
	p->lock = NULL;
	spin_unlock(&queue_lock);
}

static const struct blockdev_ops part_ops = {
	.submit = part_submit,
	.destroy = part_destroy,
};

struct blockdev *hostdisk_open(const char *name, const char *owner, spinlock_t *lock,
			       char *why, size_t len)
{
	struct hostdisk_part *p = find_part(name);
	char names[160];

	if (!p) {
		list_names(names, sizeof(names));
		snprintf(why, len, "the host disk has no partition '%s' (%s%s)", name,
			 disk_count && part_count ? "it has: " : "", names);
		return NULL;
	}
	spin_lock(&queue_lock);
	if (p->open) {
		spin_unlock(&queue_lock);
		snprintf(why, len, "host partition '%s' is used by %s", name, p->owner);
		return NULL;
	}
	p->open = true;
	snprintf(p->owner, sizeof(p->owner), "%s", owner);
	p->lock = lock;
	p->head = p->tail = NULL;
	p->pending = 0;
	p->done = p->bytes = p->flushes = p->busy_ns = 0;
	spin_unlock(&queue_lock);
	p->bd = (struct blockdev){
		.name = p->name,
		.size = p->sectors * HOSTDISK_SECTOR,
		.block_size = HOSTDISK_SECTOR,
		.ops = &part_ops,
		.priv = p,
	};
	return &p->bd;
}

/* ---- doing requests ---- */

struct walker {
	const struct blockdev_iov *iov;
	unsigned int count, index;
	size_t offset;                  /* into iov[index]                  */
};

static void walk(struct walker *w, uint64_t bytes)
{
	while (bytes && w->index < w->count) {
		size_t left = w->iov[w->index].len - w->offset;

		if (bytes < left) {
			w->offset += (size_t)bytes;
			return;
		}
		bytes -= left;
		w->index++;
		w->offset = 0;
	}
}

/* Copies one sector between the bounce buffer and the pieces at w. */
static void bounce_copy(struct walker *w, bool to_bounce)
{
	struct walker c = *w;
	size_t done = 0;

	while (done < HOSTDISK_SECTOR && c.index < c.count) {
		size_t left = c.iov[c.index].len - c.offset;
		size_t n = left < HOSTDISK_SECTOR - done ? left : HOSTDISK_SECTOR - done;
		uint8_t *piece = (uint8_t *)c.iov[c.index].base + c.offset;

		if (to_bounce)
			memcpy(bounce + done, piece, n);
		else
			memcpy(piece, bounce + done, n);
		done += n;
		walk(&c, n);
	}
}

/*
 * A read or write in pieces the driver takes: at most max_segments
 * pieces and max_sectors sectors, each a whole number of sectors; a
 * sector spread over more pieces than the driver takes goes through the
 * bounce sector.
 */
static int do_transfer(struct hostdisk *hd, bool write, uint64_t sector,
		       const struct blockdev_iov *iov, unsigned int count, uint64_t length)
{
	struct blockdev_iov sub[32];
	struct walker w = { iov, count, 0, 0 };
	unsigned int max_pieces = hd->max_segments < 32 ? hd->max_segments : 32;
	uint64_t max_bytes = (uint64_t)hd->max_sectors * HOSTDISK_SECTOR;
	int ret;

	while (length) {
		struct walker c = w;
		unsigned int n = 0;
		uint64_t total = 0, rem;

		while (n < max_pieces && c.index < c.count && total < max_bytes && total < length) {
			size_t left = c.iov[c.index].len - c.offset;
			uint64_t take = left;

			if (take > max_bytes - total)
				take = max_bytes - total;
			if (take > length - total)
				take = length - total;
			sub[n].base = (uint8_t *)c.iov[c.index].base + c.offset;
			sub[n].len = (size_t)take;
			n++;
			total += take;
			walk(&c, take);
		}
		rem = total % HOSTDISK_SECTOR;
		if (total == rem) {
			if (write)
				bounce_copy(&w, true);
			sub[0] = (struct blockdev_iov){ bounce, HOSTDISK_SECTOR };
			ret = hd->ops->transfer(hd, write, sector, sub, 1);
			if (!ret && !write)
				bounce_copy(&w, false);
			total = HOSTDISK_SECTOR;
		} else {
			total -= rem;
			while (rem) {
				if (sub[n - 1].len <= rem) {
					rem -= sub[n - 1].len;
					n--;
				} else {
					sub[n - 1].len -= (size_t)rem;
					rem = 0;
				}
			}
			ret = hd->ops->transfer(hd, write, sector, sub, n);
		}
		if (ret)
			return -EIO;
		hd->transfers++;
		hd->sectors_moved += total / HOSTDISK_SECTOR;
		walk(&w, total);
		sector += total / HOSTDISK_SECTOR;
		length -= total;
	}
	return 0;
}

static int do_request(struct hostdisk_part *p, struct blockdev_request *req)
{
	struct hostdisk *hd = p->disk;
	int ret;

	switch (req->op) {
	case BLOCKDEV_READ:
	case BLOCKDEV_WRITE:
		/* blockdev_submit() checked the range against the partition's size. */
		ret = do_transfer(hd, req->op == BLOCKDEV_WRITE,
				  p->first_lba + req->offset / HOSTDISK_SECTOR, req->iov,
				  req->iov_count, req->length);
		break;
	case BLOCKDEV_FLUSH:
		ret = hd->ops->flush ? hd->ops->flush(hd) : 0;
		if (!ret)
			hd->flushes++;
		break;
	default:
		ret = -ENOTSUP;              /* the partitions offer no discard  */
		break;
	}
	if (ret)
		hd->errors++;
	return ret == -ENOTSUP ? ret : (ret ? -EIO : 0);
}

/* The next queued request, round robin over the partitions. */
static struct blockdev_request *take_request(struct hostdisk_part **owner)
{
	struct blockdev_request *req = NULL;

	spin_lock(&queue_lock);
	for (unsigned int n = 0; n < part_count && !req; n++) {
		struct hostdisk_part *p = &parts[(next_part + n) % part_count];

		if (!p->head)
			continue;
		req = p->head;
		p->head = req->backend_next;
		if (!p->head)
			p->tail = NULL;
		*owner = p;
		next_part = (next_part + n + 1) % part_count;
	}
	spin_unlock(&queue_lock);
	return req;
}

static bool first_queued(void)
{
	bool any = false;

	spin_lock(&queue_lock);
	for (unsigned int i = 0; i < part_count && !any; i++)
		any = parts[i].head != NULL;
	spin_unlock(&queue_lock);
	return any;
}

void hostdisk_poll(void)
{
	struct hostdisk_part *p;
	struct blockdev_request *req;

again:
	if (!__atomic_load_n(&queued_total, __ATOMIC_ACQUIRE) || !spin_trylock(&worker))
		return;
	while ((req = take_request(&p)) != NULL) {
		uint64_t start = arch_timer_ns();
		int result = do_request(p, req);
		spinlock_t *lock = p->lock;

		p->busy_ns += arch_timer_ns() - start;
		p->done++;
		p->bytes += req->length;
		p->flushes += req->op == BLOCKDEV_FLUSH;

		if (lock)
			spin_lock(lock);
		blockdev_complete(&p->bd, req, result);
		if (lock)
			spin_unlock(lock);
		spin_lock(&queue_lock);
		p->pending--;
		queued_total--;
		spin_unlock(&queue_lock);
	}
	spin_unlock(&worker);
	/* A request queued after the last look, while we still were the
	 * worker, found the worker taken: do it rather than leave it. */
	if (first_queued())
		goto again;
}

bool hostdisk_busy(void)
{
	return __atomic_load_n(&queued_total, __ATOMIC_ACQUIRE) != 0;
}

int hostdisk_rw_sync(struct blockdev *bd, bool write, uint64_t offset, void *buf, size_t len)
{
	struct hostdisk_part *p = part_of(bd);
	struct blockdev_iov iov = { buf, len };
	int ret;

	if (offset % HOSTDISK_SECTOR || len % HOSTDISK_SECTOR || offset > bd->size ||
	    len > bd->size - offset)
		return -EINVAL;
	spin_lock(&worker);
	ret = do_transfer(p->disk, write, p->first_lba + offset / HOSTDISK_SECTOR, &iov, 1, len);
	spin_unlock(&worker);
	return ret;
}

struct blockdev *hostdisk_open_flash_store(const char *name, const char *owner,
					   spinlock_t *lock, uint8_t *mem, uint64_t bank_size,
					   char *why, size_t len)
{
	struct blockdev *bd = hostdisk_open(name, owner, lock, why, len);
	uint64_t size, done;

	if (!bd)
		return NULL;
	size = bd->size < bank_size ? bd->size : bank_size;
	for (done = 0; done < size; ) {
		uint64_t chunk = size - done < (1u << 20) ? size - done : (1u << 20);

		if (hostdisk_rw_sync(bd, false, done, mem + done, (size_t)chunk)) {
			snprintf(why, len, "cannot read host partition '%s'", name);
			blockdev_destroy(bd);
			return NULL;
		}
		done += chunk;
	}
	/* What lies beyond the bank is never written: the store is the bank's size. */
	bd->size = size & ~(uint64_t)(HOSTDISK_SECTOR - 1);
	return bd;
}

void hostdisk_shutdown(void)
{
	while (hostdisk_busy()) {
		hostdisk_poll();
		arch_cpu_relax();
	}
	for (unsigned int i = 0; i < part_count; i++) {
		struct hostdisk_part *p = &parts[i];

		if (p->open && p->done)
			log_info("hostdisk: %s of %s: %llu requests, %llu KiB, %llu flushes, "
				 "%llu.%03llu s of disk time", p->name, p->owner,
				 (unsigned long long)p->done, (unsigned long long)(p->bytes >> 10),
				 (unsigned long long)p->flushes,
				 (unsigned long long)(p->busy_ns / 1000000000),
				 (unsigned long long)(p->busy_ns / 1000000 % 1000));
	}
	spin_lock(&worker);
	for (unsigned int d = 0; d < disk_count; d++) {
		struct hostdisk *hd = disks[d];

		if (hd->ops->flush && hd->ops->flush(hd))
			log_error("hostdisk: %s: the final flush failed; recent writes may be lost",
				  hd->name);
	}
	spin_unlock(&worker);
}

void hostdisk_reset_all(void)
{
	disk_count = 0;
	part_count = 0;
	queued_total = 0;
	next_part = 0;
	memset(disks, 0, sizeof(disks));
	memset(parts, 0, sizeof(parts));
	queue_lock = (spinlock_t)SPINLOCK_INIT;
	worker = (spinlock_t)SPINLOCK_INIT;
}
