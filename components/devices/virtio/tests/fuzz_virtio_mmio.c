/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio register window with a virtio-blk behind it: any
 * access (offset, width, value) the fuzzer chooses, machine resets and
 * configuration changes, with guest RAM holding whatever rings and
 * requests the input carries.  Besides the sanitizers, after every step:
 *   - MagicValue, Version and DeviceID read what they must;
 *   - the interrupt line is high exactly while InterruptStatus is not 0;
 *   - a live queue's rings lie in RAM, and DEVICE_NEEDS_RESET in the
 *     status register means the device processes nothing.
 *
 * Input: [0] number of 8-byte commands, the commands
 *   {op, offset low, offset high, width, value (32 bits)}, op % 4:
 *   0 read, 1 write, 2 machine reset, 3 capacity change;
 * then guest RAM (64 KiB at 0x40000000) from its start.
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
#define RAM_SIZE 0x10000u
#define BASE VIRTIO_MMIO_VIRT_BASE

static uint8_t ram[RAM_SIZE];
static uint8_t disk[64 * 512];
static bool irq;

static void irq_sink(void *sink, unsigned pin, bool level)
{
	(void)sink;
	(void)pin;
	irq = level;
}

static uint64_t mmio_access(struct bus *bus, bool write, uint64_t offset, unsigned width, uint64_t value)
{
	struct bus_access acc = {
		.space = BUS_SPACE_MMIO, .dir = write ? BUS_WRITE : BUS_READ,
		.addr = BASE + offset, .width = width, .data = value,
	};
	bus_dispatch(bus, &acc);
	return acc.data;
}

static void check(struct bus *bus, struct virtio_device *vdev, const struct guest_mem *mem)
{
	if (mmio_access(bus, false, VIRTIO_MMIO_MAGIC_VALUE, 4, 0) != VIRTIO_MMIO_MAGIC ||
	    mmio_access(bus, false, VIRTIO_MMIO_VERSION, 4, 0) != 2 ||
	    mmio_access(bus, false, VIRTIO_MMIO_DEVICE_ID, 4, 0) != VIRTIO_ID_BLOCK)
		abort();
	if (irq != (mmio_access(bus, false, VIRTIO_MMIO_INTERRUPT_STATUS, 4, 0) != 0))
		abort();
	uint32_t status = (uint32_t)mmio_access(bus, false, VIRTIO_MMIO_STATUS, 4, 0);
	if (((status & VIRTIO_STATUS_NEEDS_RESET) != 0) != virtio_device_broken(vdev))
		abort();
	const struct virtqueue *vq = virtio_queue(vdev, 0);
	if (vq->ready && (!guest_mem_ptr(mem, vq->desc, 16ull * vq->size, false) ||
			  !guest_mem_ptr(mem, vq->used, 6 + 8ull * vq->size, true)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned widths[4] = { 1, 2, 4, 8 };
	struct guest_mem mem;

	if (size < 1)
		return 0;
	log_set_level(LOG_ERROR);
	size_t commands = data[0];
	size_t ram_at = 1 + 8 * commands;
	if (ram_at > size) {
		commands = (size - 1) / 8;
		ram_at = size;
	}
	memset(ram, 0, sizeof(ram));
	memcpy(ram, data + ram_at, size - ram_at < RAM_SIZE ? size - ram_at : RAM_SIZE);
	memset(disk, 0x5A, sizeof(disk));
	guest_mem_init(&mem);
	guest_mem_add(&mem, RAM_BASE, RAM_SIZE, ram, false);

	struct bus *bus = bus_create("fuzz");
	struct blockdev *bd = memdisk_create("disk", disk, sizeof(disk), false);
	struct virtio_blk *blk = virtio_blk_create("vda", &mem, bd, "fuzz");
	struct virtio_mmio *m = virtio_mmio_create(bus, BASE, virtio_blk_device(blk));
	struct virtio_device *vdev = virtio_blk_device(blk);
	if (!bus || !bd || !blk || !m)
		abort();
	irq = false;
	irq_line_connect(virtio_mmio_irq(m), irq_sink, NULL, 0);

	for (size_t i = 0; i < commands; i++) {
		const uint8_t *c = data + 1 + 8 * i;
		uint64_t offset = (uint64_t)(c[1] | c[2] << 8) % VIRTIO_MMIO_SIZE;
		uint32_t value = (uint32_t)(c[4] | c[5] << 8 | c[6] << 16 | (uint32_t)c[7] << 24);
		unsigned width = widths[c[3] & 3];

		switch (c[0] % 4) {
		case 0:
			mmio_access(bus, false, offset, width, 0);
			break;
		case 1:
			mmio_access(bus, true, offset, width, value);
			break;
		case 2:
			virtio_mmio_reset(m);
			break;
		default:
			bd->size = (uint64_t)(value % 65) * 512;
			virtio_blk_update_capacity(blk);
			break;
		}
		check(bus, vdev, &mem);
	}

	virtio_mmio_destroy(m);
	virtio_blk_destroy(blk);
	blockdev_destroy(bd);
	bus_destroy(bus);
	return 0;
}
