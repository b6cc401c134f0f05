/* SPDX-License-Identifier: MIT */
/*
 * A virtio-blk on virtio-mmio at QEMU virt's first slot, on an in-memory
 * disk, and a driver doing what Linux's virtio_mmio.c and virtio_blk.c do:
 * the probe and status sequence, 64-bit features in two words, queue 0
 * set up with QueueNum/Desc/Driver/Device/QueueReady, requests of a
 * 16-byte header, data and a status byte, kicks through QueueNotify and
 * interrupts acknowledged through InterruptStatus/InterruptACK.
 */
#ifndef VIRTIO_TEST_MMIO_H
#define VIRTIO_TEST_MMIO_H

#include <blockdev/blockdev.h>
#include <virtio/virtio_blk.h>
#include <virtio/virtio_mmio.h>
#include "virtio_test_guest.h"

#define MMIO_BASE VIRTIO_MMIO_VIRT_BASE
#define DISK_SECTORS 2048u                 /* 1 MiB */
#define RING_SIZE 16

struct rig {
	struct test_guest g;
	uint8_t *disk;
	struct blockdev *bd;
	struct virtio_blk *blk;
	struct virtio_mmio *mmio;
	uint64_t base;                       /* of the window the driver uses */
	bool irq;
	unsigned irq_edges;
	uint16_t next_desc;                  /* the driver's descriptor allocator */
};

static inline void rig_irq(void *sink, unsigned pin, bool level)
{
	struct rig *r = sink;
	(void)pin;
	if (level && !r->irq)
		r->irq_edges++;
	r->irq = level;
}

static inline uint32_t reg(struct rig *r, unsigned offset)
{
	return rd32(&r->g, r->base + offset);
}

static inline void set_reg(struct rig *r, unsigned offset, uint32_t value)
{
	wr32(&r->g, r->base + offset, value);
}

static inline void rig_create(struct rig *r, bool read_only)
{
	memset(r, 0, sizeof(*r));
	guest_init(&r->g);
	r->disk = calloc(1, DISK_SECTORS * 512);
	for (unsigned i = 0; i < DISK_SECTORS * 512; i++)
		r->disk[i] = (uint8_t)(i / 512 + i % 7);
	r->bd = memdisk_create("disk0", r->disk, DISK_SECTORS * 512, read_only);
	r->blk = virtio_blk_create("vda", &r->g.mem, r->bd, "tessera-disk-0");
	r->base = MMIO_BASE;
	r->mmio = virtio_mmio_create(r->g.bus, MMIO_BASE, virtio_blk_device(r->blk));
	irq_line_connect(virtio_mmio_irq(r->mmio), rig_irq, r, VIRTIO_MMIO_VIRT_SPI);
}

static inline void rig_destroy(struct rig *r)
{
	virtio_mmio_destroy(r->mmio);
	virtio_blk_destroy(r->blk);
	blockdev_destroy(r->bd);
	free(r->disk);
	guest_fini(&r->g);
}

/* Linux's virtio_mmio probe + virtio core: up to FEATURES_OK. */
static inline uint64_t linux_negotiate(struct rig *r, uint64_t wanted)
{
	set_reg(r, VIRTIO_MMIO_STATUS, 0);
	set_reg(r, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	set_reg(r, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	set_reg(r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	uint64_t offered = (uint64_t)reg(r, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	set_reg(r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	offered |= reg(r, VIRTIO_MMIO_DEVICE_FEATURES);
	uint64_t accepted = offered & wanted;
	set_reg(r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	set_reg(r, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(accepted >> 32));
	set_reg(r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	set_reg(r, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)accepted);
	set_reg(r, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		VIRTIO_STATUS_FEATURES_OK);
	return accepted;
}

/* vm_setup_vq() for queue 0, then DRIVER_OK. */
static inline void linux_setup_queue(struct rig *r, unsigned size)
{
	ring_layout(&r->g, RING_GPA, size);
	set_reg(r, VIRTIO_MMIO_QUEUE_SEL, 0);
	set_reg(r, VIRTIO_MMIO_QUEUE_NUM, size);
	set_reg(r, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)r->g.desc);
	set_reg(r, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(r->g.desc >> 32));
	set_reg(r, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)r->g.avail);
	set_reg(r, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(r->g.avail >> 32));
	set_reg(r, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)r->g.used);
	set_reg(r, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(r->g.used >> 32));
	set_reg(r, VIRTIO_MMIO_QUEUE_READY, 1);
	set_reg(r, VIRTIO_MMIO_STATUS, reg(r, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
	r->next_desc = 0;
}

static inline void rig_bring_up(struct rig *r, uint64_t wanted)
{
	linux_negotiate(r, wanted);
	linux_setup_queue(r, RING_SIZE);
}

/* The request header at HDR_GPA + 16 * slot. */
static inline uint64_t put_header(struct rig *r, unsigned slot, uint32_t type, uint64_t sector)
{
	uint64_t hdr = HDR_GPA + 16ull * slot;
	put32(&r->g, hdr, type);
	put32(&r->g, hdr + 4, 0);
	put64(&r->g, hdr + 8, sector);
	return hdr;
}

/*
 * A direct chain header -> data -> status (data may be absent), as
 * SeaBIOS and EDK2 build them.  Returns the head.
 */
static inline uint16_t direct_request(struct rig *r, unsigned slot, uint32_t type, uint64_t sector,
				      uint64_t data, uint32_t len, bool data_writable)
{
	uint16_t head = r->next_desc, d = head;
	set_desc(&r->g, d, put_header(r, slot, type, sector), 16, VIRTQ_DESC_F_NEXT,
		 (uint16_t)((d + 1) % r->g.size));
	d = (uint16_t)((d + 1) % r->g.size);
	if (len) {
		set_desc(&r->g, d, data, len,
			 VIRTQ_DESC_F_NEXT | (data_writable ? VIRTQ_DESC_F_WRITE : 0),
			 (uint16_t)((d + 1) % r->g.size));
		d = (uint16_t)((d + 1) % r->g.size);
	}
	gp(&r->g, STATUS_GPA + slot)[0] = 0xEE;     /* not yet answered */
	set_desc(&r->g, d, STATUS_GPA + slot, 1, VIRTQ_DESC_F_WRITE, 0);
	r->next_desc = (uint16_t)((d + 1) % r->g.size);
	avail_add(&r->g, head);
	return head;
}

static inline uint8_t status_byte(struct rig *r, unsigned slot)
{
	return gp(&r->g, STATUS_GPA + slot)[0];
}

static inline void kick(struct rig *r)
{
	set_reg(r, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

/* vm_interrupt(): read the cause, acknowledge it. */
static inline uint32_t ack_irq(struct rig *r)
{
	uint32_t status = reg(r, VIRTIO_MMIO_INTERRUPT_STATUS);
	set_reg(r, VIRTIO_MMIO_INTERRUPT_ACK, status);
	return status;
}

#endif
