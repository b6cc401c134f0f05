/* SPDX-License-Identifier: MIT */
/*
 * The host disk: a disk of the machine Tessera runs on, where VMs keep
 * what must survive power-off (docs/persistence.md).
 *
 * A driver component (virtio-blk over virtio-mmio, ATA) finds a disk and
 * registers it with hostdisk_register().  The disk is GPT-partitioned;
 * every partition with a name is storage a VM may use, named by that
 * name ("disk = host:web-root").  hostdisk_open() gives a VM one
 * partition as a struct blockdev, and no other VM can open it until the
 * first closes it (blockdev_destroy()).
 *
 * Who works when:
 *
 *   vCPU exit, VM device lock held    blockdev_submit() -> the request is
 *                                     queued on its partition; nothing
 *                                     touches the disk
 *   any CPU, no lock held             hostdisk_poll(): one CPU at a time
 *                                     takes queued requests and lets the
 *                                     driver do them (a polled driver
 *                                     busy-waits here), then takes the
 *                                     owning VM's device lock only to call
 *                                     the completion
 *
 * So a slow disk delays the request's own VM but never holds a VM's
 * device lock: the VM's other vCPUs, and other VMs, go on.  The vCPU run
 * loops call hostdisk_poll() after every exit and while a vCPU waits for
 * an interrupt (components/vm/run.c).
 *
 * Driver transfers move data between the disk and host memory given as a
 * blockdev_iov list; Tessera maps host memory 1:1, so a DMA driver uses
 * the addresses as they are.
 */
#ifndef HOSTDISK_HOSTDISK_H
#define HOSTDISK_HOSTDISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <blockdev/blockdev.h>
#include <core/spinlock.h>

#define HOSTDISK_SECTOR 512u
#define HOSTDISK_MAX_DISKS 4
#define HOSTDISK_MAX_PARTS 32          /* named partitions of all disks      */
#define HOSTDISK_PART_NAME_MAX 37      /* GPT: 36 UTF-16 units, and a NUL    */
#define HOSTDISK_OWNER_MAX 32          /* "VM web" and its NUL               */
#define HOSTDISK_PREFIX "host:"        /* how a VM configuration names one   */

struct hostdisk;

struct hostdisk_ops {
	/*
	 * Moves whole sectors between the disk and host memory: count
	 * pieces whose lengths add up to a multiple of 512 (a piece may be
	 * any length), at most max_segments of them.  Busy-waits until the
	 * disk is done.  0, or -EIO.
	 */
	int (*transfer)(struct hostdisk *hd, bool write, uint64_t sector,
			const struct blockdev_iov *iov, unsigned int count);
	/* Makes completed writes persistent (the disk's write cache); NULL
	 * when the disk has none to flush. 0, or -EIO. */
	int (*flush)(struct hostdisk *hd);
};

struct hostdisk {
	/* Filled by the driver. */
	char name[40];                  /* "virtio-mmio@0xa003e00", "ata0-master" */
	uint64_t sectors;               /* 512-byte sectors                   */
	unsigned int max_segments;      /* iov pieces per transfer, >= 1      */
	uint32_t max_sectors;           /* per transfer, >= 8                 */
	const struct hostdisk_ops *ops;
	void *priv;
	/* Kept by hostdisk. */
	uint64_t transfers, sectors_moved, flushes, errors;
};

/* A named GPT partition of a registered disk. */
struct hostdisk_part;

/*
 * Reads the GPT of a disk a driver found (primary header, or the backup
 * when the primary is damaged) and makes its named partitions available.
 * A disk without a GPT is registered with no partitions (and said so).
 * 0, -ENOSPC when too many disks, -EIO when it cannot be read.
 */
int hostdisk_register(struct hostdisk *hd);

/* How many disks are registered. */
unsigned int hostdisk_count(void);

/*
 * Whether a partition of that name exists.  Otherwise fills names (if not
 * NULL) with the partitions that exist, "it has: a, b, c", or why there
 * are none ("no host disk was found").
 */
bool hostdisk_exists(const char *name, char *names, size_t len);

/*
 * The partition as a block device for one user (owner, e.g. "VM web"):
 * its size is the partition's, its requests are queued and completed by
 * hostdisk_poll() with *lock held (the VM's device lock; NULL: no lock).
 * NULL with the reason in why when there is no such partition or another
 * owner has it.  blockdev_destroy() waits for the partition's requests
 * and gives the partition back.
 */
struct blockdev *hostdisk_open(const char *name, const char *owner, spinlock_t *lock,
			       char *why, size_t len);

/*
 * Does queued requests, if no other CPU is doing so; returns at once
 * otherwise.  Call it holding no lock that a completion takes.
 */
void hostdisk_poll(void);

/* Whether a request is queued or being done. */
bool hostdisk_busy(void);

/*
 * Reads or writes bytes of an open partition now, for set-up code that
 * must have the data before it goes on (a VM's variable store at VM
 * creation).  Waits for any CPU doing requests; takes no VM lock.
 * offset and len multiples of 512.  0, -EINVAL, -EIO.
 */
int hostdisk_rw_sync(struct blockdev *bd, bool write, uint64_t offset, void *buf, size_t len);

/*
 * A firmware variable store kept in a partition, for any board's flash
 * (pflash_config.store): opens the partition for owner, reads it into the
 * bank's memory mem (bank_size bytes; a partition smaller than the bank
 * fills its start, the rest is left as the caller set it) and returns it.
 * NULL with the reason in why.
 */
struct blockdev *hostdisk_open_flash_store(const char *name, const char *owner,
					   spinlock_t *lock, uint8_t *mem, uint64_t bank_size,
					   char *why, size_t len);

/* Drains every queue and flushes every disk: call before powering off. */
void hostdisk_shutdown(void);

/* One line per disk and partition in the log (the banner). */
void hostdisk_print(void);

/* Forgets every disk (host tests). */
void hostdisk_reset_all(void);

#endif
