/* SPDX-License-Identifier: MIT */
/*
 * Host disk driver: virtio-blk over virtio-mmio, the disk QEMU's virt
 * board gives with "-device virtio-blk-device,drive=...".
 *
 * This is the driver side of what components/devices/virtio models for
 * guests, written from the virtio 1.2 specification (sections 2.7 split
 * virtqueues, 3.1 initialization, 4.2 virtio-mmio, 5.2 block device):
 *
 *   probe      every "virtio,mmio" node of the host device tree: magic
 *              0x74726976, version 2 (or 1, the legacy layout QEMU uses
 *              unless told "-global virtio-mmio.force-legacy=false"),
 *              device id 2 (block)
 *   set-up     reset, ACKNOWLEDGE, DRIVER, features (FLUSH, SEG_MAX, RO;
 *              VERSION_1 on version 2), FEATURES_OK (version 2), queue 0
 *              of QUEUE_SIZE entries, DRIVER_OK
 *   request    one chain: 16-byte header (type, 0, sector), the data
 *              pieces, the status byte; then the avail index, a
 *              notification, and a busy wait for the used index
 *
 * One request at a time: hostdisk calls transfer() and flush() from its
 * worker only, so the queue needs no lock of its own, and interrupts are
 * suppressed (VRING_AVAIL_F_NO_INTERRUPT) since nobody waits for them.
 * Tessera maps memory 1:1, so the addresses of the pieces are the bus
 * addresses the device needs; QEMU's DMA is cache-coherent.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <aarch64/fdt.h>
#include <core/arch.h>
#include <core/bootinfo.h>
#include <core/init.h>
#include <core/log.h>
#include <core/mm.h>
#include <hostdisk/hostdisk.h>

/* virtio-mmio registers (virtio 1.2, 4.2.2; legacy ones 4.2.4). */
#define VM_MAGIC          0x000
#define VM_VERSION        0x004
#define VM_DEVICE_ID      0x008
#define VM_DEV_FEATURES   0x010
#define VM_DEV_FEAT_SEL   0x014
#define VM_DRV_FEATURES   0x020
#define VM_DRV_FEAT_SEL   0x024
#define VM_LEGACY_PAGE_SIZE 0x028
#define VM_QUEUE_SEL      0x030
#define VM_QUEUE_NUM_MAX  0x034
#define VM_QUEUE_NUM      0x038
#define VM_LEGACY_ALIGN   0x03c
#define VM_LEGACY_PFN     0x040
#define VM_QUEUE_READY    0x044
#define VM_QUEUE_NOTIFY   0x050
#define VM_INT_STATUS     0x060
#define VM_INT_ACK        0x064
#define VM_STATUS         0x070
#define VM_QUEUE_DESC     0x080
#define VM_QUEUE_DRIVER   0x090
#define VM_QUEUE_DEVICE   0x0a0
#define VM_CONFIG         0x100

#define VIRTIO_MAGIC      0x74726976u
#define VIRTIO_ID_BLOCK   2

#define S_ACKNOWLEDGE 1u
#define S_DRIVER      2u
#define S_DRIVER_OK   4u
#define S_FEATURES_OK 8u
#define S_FAILED      128u

#define F_BLK_SEG_MAX 2
#define F_BLK_RO      5
#define F_BLK_FLUSH   9
#define F_VERSION_1   32

#define BLK_T_IN    0u
#define BLK_T_OUT   1u
#define BLK_T_FLUSH 4u
#define BLK_S_OK    0u

#define DESC_F_NEXT  1u
#define DESC_F_WRITE 2u
#define AVAIL_F_NO_INTERRUPT 1u

#define QUEUE_SIZE 64u
#define RING_PAGES 2u                   /* descriptors + avail, then used at 4 KiB */
#define REQUEST_TIMEOUT_NS (60ULL * 1000000000ULL)
#define MAX_DISKS 4

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vdisk {
	struct hostdisk hd;
	uintptr_t base;
	unsigned int version;
	bool has_flush;
	bool read_only;
	/* The queue: descriptors, available ring, used ring (legacy layout:
	 * the used ring on the next 4 KiB, which version 2 accepts too). */
	struct desc *desc;
	volatile uint16_t *avail;       /* flags, idx, ring[QUEUE_SIZE]      */
	volatile uint16_t *used;        /* flags, idx, then {u32 id, u32 len} */
	uint16_t avail_idx, used_idx;
	/* The request's header and status, in memory the device may read. */
	struct {
		uint32_t type, reserved;
		uint64_t sector;
	} *header;
	volatile uint8_t *status;
};

static struct vdisk vdisks[MAX_DISKS];
static unsigned int vdisk_count;

static uint32_t rd(const struct vdisk *d, unsigned int reg)
{
	return *(volatile uint32_t *)(d->base + reg);
}

static void wr(const struct vdisk *d, unsigned int reg, uint32_t value)
{
	*(volatile uint32_t *)(d->base + reg) = value;
}

/* Memory the device reads must be visible before a register write tells it. */
static void to_device_barrier(void)
{
	__asm__ volatile("dsb sy" : : : "memory");
}

/* Runs the chain of n descriptors at the head 0 and waits for it. */
static int run_chain(struct vdisk *d, unsigned int n)
{
	uint64_t start = arch_timer_ns();

	for (unsigned int i = 0; i + 1 < n; i++) {
		d->desc[i].flags |= DESC_F_NEXT;
		d->desc[i].next = (uint16_t)(i + 1);
	}
	d->desc[n - 1].flags &= (uint16_t)~DESC_F_NEXT;
	*d->status = 0xFF;
	d->avail[2 + d->avail_idx % QUEUE_SIZE] = 0;
	d->avail_idx++;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	d->avail[1] = d->avail_idx;
	to_device_barrier();
	wr(d, VM_QUEUE_NOTIFY, 0);
	while (__atomic_load_n(&d->used[1], __ATOMIC_ACQUIRE) == d->used_idx) {
		if (arch_timer_ns() - start > REQUEST_TIMEOUT_NS) {
			log_error("hostdisk: %s: no answer within 60 s", d->hd.name);
			return -EIO;
		}
		arch_cpu_relax();
	}
	d->used_idx++;
	/* Nobody takes the interrupt; keep its status clear all the same. */
	wr(d, VM_INT_ACK, rd(d, VM_INT_STATUS));
	return *d->status == BLK_S_OK ? 0 : -EIO;
}

static void set_desc(struct vdisk *d, unsigned int i, const void *addr, uint32_t len, bool dev_writes)
{
	d->desc[i] = (struct desc){ .addr = (uint64_t)(uintptr_t)addr, .len = len,
				    .flags = dev_writes ? DESC_F_WRITE : 0 };
}

static int vdisk_transfer(struct hostdisk *hd, bool write, uint64_t sector,
			  const struct blockdev_iov *iov, unsigned int count)
{
	struct vdisk *d = hd->priv;
	unsigned int n = 0;

	if (write && d->read_only)
		return -EIO;
	d->header->type = write ? BLK_T_OUT : BLK_T_IN;
	d->header->reserved = 0;
	d->header->sector = sector;
	set_desc(d, n++, d->header, sizeof(*d->header), false);
	for (unsigned int i = 0; i < count; i++)
		set_desc(d, n++, iov[i].base, (uint32_t)iov[i].len, !write);
	set_desc(d, n++, (const void *)d->status, 1, true);
	return run_chain(d, n);
}

static int vdisk_flush(struct hostdisk *hd)
{
	struct vdisk *d = hd->priv;

	d->header->type = BLK_T_FLUSH;
	d->header->reserved = 0;
	d->header->sector = 0;
	set_desc(d, 0, d->header, sizeof(*d->header), false);
	set_desc(d, 1, (const void *)d->status, 1, true);
	return run_chain(d, 2);
}

static const struct hostdisk_ops vdisk_ops = { vdisk_transfer, vdisk_flush };

static const struct hostdisk_ops vdisk_ops_noflush = { vdisk_transfer, NULL };

static uint64_t device_features(struct vdisk *d)
{
	uint64_t f;

	wr(d, VM_DEV_FEAT_SEL, 0);
	f = rd(d, VM_DEV_FEATURES);
	if (d->version >= 2) {
		wr(d, VM_DEV_FEAT_SEL, 1);
		f |= (uint64_t)rd(d, VM_DEV_FEATURES) << 32;
	}
	return f;
}

static int setup_queue(struct vdisk *d)
{
	uint8_t *ring = page_alloc(RING_PAGES);
	uint32_t max;

	if (!ring)
		return -ENOMEM;
	wr(d, VM_QUEUE_SEL, 0);
	max = rd(d, VM_QUEUE_NUM_MAX);
	if (max < QUEUE_SIZE) {
		log_error("hostdisk: %s: its queue holds %u entries, fewer than %u", d->hd.name,
			  max, QUEUE_SIZE);
		page_free(ring, RING_PAGES);
		return -EINVAL;
	}
	d->desc = (struct desc *)ring;
	d->avail = (volatile uint16_t *)(ring + QUEUE_SIZE * sizeof(struct desc));
	d->used = (volatile uint16_t *)(ring + PAGE_SIZE);
	d->avail[0] = AVAIL_F_NO_INTERRUPT;
	wr(d, VM_QUEUE_NUM, QUEUE_SIZE);
	if (d->version == 1) {
		/* Legacy: one contiguous area at a page frame, used ring aligned. */
		wr(d, VM_LEGACY_ALIGN, PAGE_SIZE);
		wr(d, VM_LEGACY_PFN, (uint32_t)((uintptr_t)ring / PAGE_SIZE));
	} else {
		uint64_t desc = (uintptr_t)d->desc, avail = (uintptr_t)d->avail;
		uint64_t used = (uintptr_t)d->used;

		wr(d, VM_QUEUE_DESC, (uint32_t)desc);
		wr(d, VM_QUEUE_DESC + 4, (uint32_t)(desc >> 32));
		wr(d, VM_QUEUE_DRIVER, (uint32_t)avail);
		wr(d, VM_QUEUE_DRIVER + 4, (uint32_t)(avail >> 32));
		wr(d, VM_QUEUE_DEVICE, (uint32_t)used);
		wr(d, VM_QUEUE_DEVICE + 4, (uint32_t)(used >> 32));
		wr(d, VM_QUEUE_READY, 1);
	}
	/* Header and status on a page of their own. */
	d->header = page_alloc(1);
	if (!d->header)
		return -ENOMEM;
	d->status = (volatile uint8_t *)d->header + 64;
	return 0;
}

static int probe(uintptr_t base)
{
	struct vdisk *d = &vdisks[vdisk_count];
	uint64_t offered, wanted;
	uint32_t seg_max = 0;
	int ret;

	if (*(volatile uint32_t *)(base + VM_MAGIC) != VIRTIO_MAGIC ||
	    *(volatile uint32_t *)(base + VM_DEVICE_ID) != VIRTIO_ID_BLOCK)
		return 0;                   /* an empty slot or another device */
	if (vdisk_count == MAX_DISKS)
		return -ENOSPC;
	memset(d, 0, sizeof(*d));
	d->base = base;
	d->version = *(volatile uint32_t *)(base + VM_VERSION);
	snprintf(d->hd.name, sizeof(d->hd.name), "virtio-mmio@0x%llx", (unsigned long long)base);
	if (d->version != 1 && d->version != 2) {
		log_warn("hostdisk: %s: virtio-mmio version %u is not known", d->hd.name, d->version);
		return 0;
	}
	wr(d, VM_STATUS, 0);
	wr(d, VM_STATUS, S_ACKNOWLEDGE);
	wr(d, VM_STATUS, S_ACKNOWLEDGE | S_DRIVER);
	offered = device_features(d);
	wanted = offered & ((1ULL << F_BLK_FLUSH) | (1ULL << F_BLK_SEG_MAX) | (1ULL << F_BLK_RO) |
			    (1ULL << F_VERSION_1));
	if (d->version == 2 && !(wanted & (1ULL << F_VERSION_1))) {
		log_warn("hostdisk: %s: a version 2 transport without VERSION_1", d->hd.name);
		wr(d, VM_STATUS, S_FAILED);
		return 0;
	}
	wr(d, VM_DRV_FEAT_SEL, 0);
	wr(d, VM_DRV_FEATURES, (uint32_t)wanted);
	if (d->version == 2) {
		wr(d, VM_DRV_FEAT_SEL, 1);
		wr(d, VM_DRV_FEATURES, (uint32_t)(wanted >> 32));
		wr(d, VM_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
		if (!(rd(d, VM_STATUS) & S_FEATURES_OK)) {
			log_warn("hostdisk: %s: the device refused our features", d->hd.name);
			wr(d, VM_STATUS, S_FAILED);
			return 0;
		}
	} else {
		wr(d, VM_LEGACY_PAGE_SIZE, PAGE_SIZE);
	}
	d->has_flush = wanted & (1ULL << F_BLK_FLUSH);
	d->read_only = wanted & (1ULL << F_BLK_RO);
	if (wanted & (1ULL << F_BLK_SEG_MAX))
		seg_max = rd(d, VM_CONFIG + 12);
	ret = setup_queue(d);
	if (ret) {
		wr(d, VM_STATUS, S_FAILED);
		return ret;
	}
	wr(d, VM_STATUS, rd(d, VM_STATUS) | S_DRIVER_OK);
	d->hd.sectors = (uint64_t)rd(d, VM_CONFIG) | (uint64_t)rd(d, VM_CONFIG + 4) << 32;
	d->hd.max_segments = QUEUE_SIZE - 2;
	if (seg_max && seg_max < d->hd.max_segments)
		d->hd.max_segments = seg_max;
	d->hd.max_sectors = 2048;               /* 1 MiB per request */
	d->hd.ops = d->has_flush ? &vdisk_ops : &vdisk_ops_noflush;
	d->hd.priv = d;
	log_info("hostdisk: %s: virtio-blk (transport version %u), %llu sectors%s%s",
		 d->hd.name, d->version, (unsigned long long)d->hd.sectors,
		 d->has_flush ? ", write cache flushed on request" : ", no flush command",
		 d->read_only ? ", read-only" : "");
	vdisk_count++;
	return hostdisk_register(&d->hd);
}

static int virtio_mmio_disk_init(void)
{
	const struct boot_info *bi = bootinfo();
	struct fdt fdt;
	int node = -1;

	if (!bi || !bi->dtb || fdt_open(&fdt, bi->dtb, 16u << 20, NULL) < 0)
		return 0;
	while ((node = fdt_find_compatible(&fdt, node, "virtio,mmio")) >= 0) {
		uint64_t base, size;

		if (!fdt_is_enabled(&fdt, node) || fdt_get_reg(&fdt, node, 0, &base, &size) < 0 ||
		    size < 0x200)
			continue;
		probe((uintptr_t)base);
	}
	return 0;
}
INIT_CALL(virtio_mmio_disk_init, INIT_LATE);
