/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk requests from guest memory the fuzzer writes: a live queue
 * of 16 entries over virtio-mmio whose descriptors, available ring,
 * headers, segments and data are all fuzzer bytes; the device is kicked a
 * few times with the available index moving as the input says.  Besides
 * the sanitizers:
 *   - a read-only disk never changes;
 *   - every chain the device takes is answered at once (the memory disk
 *     completes synchronously) unless the device entered NEEDS_RESET,
 *     and nothing is answered once in NEEDS_RESET;
 *   - the device takes at most what was made available;
 *   - the interrupt line is high exactly while InterruptStatus is not 0.
 *
 * Input: [0] bit 0 read-only disk, bit 1 INDIRECT_DESC, bit 2 EVENT_IDX;
 *        [1..3] available index increments for three kicks;
 *        then guest RAM from its start: descriptors at 0, available ring
 *        at 0x100, used ring at 0x200, the rest free for buffers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <blockdev/blockdev.h>
#include <bus/bus.h>
#include <core/log.h>
#include <virtio/virtio_blk.h>
#include <virtio/virtio_mmio.h>

#define RAM_BASE 0x40000000ull
#define RAM_SIZE 0x8000u
#define DESC (RAM_BASE + 0x000)
#define AVAIL (RAM_BASE + 0x100)
#define USED (RAM_BASE + 0x200)
#define QSIZE 16
#define DISK_SIZE (32 * 512)
#define BASE VIRTIO_MMIO_VIRT_BASE

static uint8_t ram[RAM_SIZE];
static uint8_t disk[DISK_SIZE], disk_copy[DISK_SIZE];
static bool irq;

static void irq_sink(void *sink, unsigned pin, bool level)
{
	(void)sink;
	(void)pin;
	irq = level;
}

static uint32_t mmio(struct bus *bus, bool write, unsigned offset, uint32_t value)
{
	struct bus_access acc = {
		.space = BUS_SPACE_MMIO, .dir = write ? BUS_WRITE : BUS_READ,
		.addr = BASE + offset, .width = 4, .data = value,
	};
	bus_dispatch(bus, &acc);
	return (uint32_t)acc.data;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guest_mem mem;

	if (size < 4)
		return 0;
	log_set_level(LOG_ERROR);
	bool read_only = data[0] & 1;
	memset(ram, 0, sizeof(ram));
	memcpy(ram, data + 4, size - 4 < RAM_SIZE ? size - 4 : RAM_SIZE);
	/* What a driver initialises: the available index and the used ring. */
	memset(ram + 0x102, 0, 2);
	memset(ram + 0x200, 0, 6 + 8 * QSIZE);
	for (unsigned i = 0; i < DISK_SIZE; i++)
		disk[i] = (uint8_t)(i * 13 + 5);
	memcpy(disk_copy, disk, sizeof(disk));
	guest_mem_init(&mem);
	guest_mem_add(&mem, RAM_BASE, RAM_SIZE, ram, false);

	struct bus *bus = bus_create("fuzz");
	struct blockdev *bd = memdisk_create("disk", disk, DISK_SIZE, read_only);
	struct virtio_blk *blk = virtio_blk_create("vda", &mem, bd, "fuzz");
	struct virtio_mmio *m = virtio_mmio_create(bus, BASE, virtio_blk_device(blk));
	struct virtio_device *vdev = virtio_blk_device(blk);
	if (!bus || !bd || !blk || !m)
		abort();
	irq = false;
	irq_line_connect(virtio_mmio_irq(m), irq_sink, NULL, 0);

	uint32_t features = 1u << VIRTIO_BLK_F_FLUSH;
	if (data[0] & 2)
		features |= 1u << VIRTIO_F_INDIRECT_DESC;
	if (data[0] & 4)
		features |= 1u << VIRTIO_F_EVENT_IDX;
	mmio(bus, true, VIRTIO_MMIO_STATUS, 3);
	mmio(bus, true, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	mmio(bus, true, VIRTIO_MMIO_DRIVER_FEATURES, features);
	mmio(bus, true, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	mmio(bus, true, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	mmio(bus, true, VIRTIO_MMIO_STATUS, 0x0B);
	mmio(bus, true, VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	mmio(bus, true, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DESC);
	mmio(bus, true, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)AVAIL);
	mmio(bus, true, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)USED);
	mmio(bus, true, VIRTIO_MMIO_QUEUE_READY, 1);
	mmio(bus, true, VIRTIO_MMIO_STATUS, 0x0F);

	/*
	 * The driver's available index, moved by the input before each kick.
	 * The guest may point buffers at its own rings, so the checks use the
	 * device's counters, not what ends up in guest memory.
	 */
	struct virtqueue *vq = virtio_queue(vdev, 0);
	uint16_t avail = 0;
	for (unsigned k = 1; k < 4; k++) {
		bool broken = virtio_device_broken(vdev);
		uint64_t pushed = vq->pushed;
		avail = (uint16_t)(avail + (data[k] & 0x1F));
		ram[0x102] = (uint8_t)avail;
		ram[0x103] = (uint8_t)(avail >> 8);
		mmio(bus, true, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		if (broken && vq->pushed != pushed)
			abort();
		/* Every chain taken is answered at once, unless the device gave up on it. */
		if (vq->pushed > vq->popped || (!virtio_device_broken(vdev) && vq->pushed != vq->popped))
			abort();
		if (vq->popped > avail || vq->used_idx != (uint16_t)vq->pushed)
			abort();
		if (irq != (mmio(bus, false, VIRTIO_MMIO_INTERRUPT_STATUS, 0) != 0))
			abort();
		if (data[k] & 0x80)
			mmio(bus, true, VIRTIO_MMIO_INTERRUPT_ACK, 3);
	}
	if (read_only && memcmp(disk, disk_copy, sizeof(disk)))
		abort();
	if (virtio_blk_inflight(blk))
		abort();   /* the memory disk completes everything at once */

	virtio_mmio_destroy(m);
	virtio_blk_destroy(blk);
	blockdev_destroy(bd);
	bus_destroy(bus);
	return 0;
}
