/* SPDX-License-Identifier: MIT */
/*
 * virtio-mmio, layout version 2.  Register map and access rules are in
 * include/virtio/virtio_mmio.h; what the registers do to the device is
 * in virtio.c.  This file only decodes accesses and keeps the selectors
 * and the interrupt status.
 */
#include <core/log.h>
#include <core/mm.h>
#include <virtio/virtio_mmio.h>

struct virtio_mmio {
	struct bus *bus;
	uint64_t base;
	struct virtio_device *vdev;       /* NULL: an empty slot           */
	struct irq_line irq;
	uint32_t interrupt_status;
	uint32_t device_features_sel;
	uint32_t driver_features_sel;
	uint32_t queue_sel;
	unsigned warnings;
};

#define MMIO_WARN_LIMIT 8

static void mmio_warn(struct virtio_mmio *mmio, const char *what, uint64_t offset, unsigned width)
{
	if (!mmio->warnings)
		return;
	mmio->warnings--;
	log_warn("virtio-mmio@%#llx: %s at offset %#llx (%u bytes)%s",
		 (unsigned long long)mmio->base, what, (unsigned long long)offset, width,
		 mmio->warnings ? "" : "; further reports suppressed");
}

static void update_irq(struct virtio_mmio *mmio)
{
	irq_line_set(&mmio->irq, mmio->interrupt_status != 0);
}

/* ---- notifications from the device ---------------------------------- */

static void mmio_notify_queue(void *ctx, unsigned q)
{
	struct virtio_mmio *mmio = ctx;

	(void)q;   /* one interrupt for every queue (4.2.3.4) */
	mmio->interrupt_status |= VIRTIO_MMIO_INT_VRING;
	update_irq(mmio);
}

static void mmio_notify_config(void *ctx)
{
	struct virtio_mmio *mmio = ctx;

	mmio->interrupt_status |= VIRTIO_MMIO_INT_CONFIG;
	update_irq(mmio);
}

static void mmio_transport_reset(void *ctx)
{
	struct virtio_mmio *mmio = ctx;

	mmio->interrupt_status = 0;
	mmio->device_features_sel = 0;
	mmio->driver_features_sel = 0;
	mmio->queue_sel = 0;
	update_irq(mmio);
}

static const struct virtio_transport_ops mmio_transport_ops = {
	.notify_queue = mmio_notify_queue,
	.notify_config = mmio_notify_config,
	.reset = mmio_transport_reset,
};

/* ---- registers -------------------------------------------------------- */

static uint32_t read_register(struct virtio_mmio *mmio, uint64_t offset)
{
	struct virtio_device *vdev = mmio->vdev;
	struct virtqueue *vq = virtio_queue(vdev, mmio->queue_sel);

	switch (offset) {
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return virtio_device_features_word(vdev, mmio->device_features_sel);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return vq ? vq->size_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return vq ? vq->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return mmio->interrupt_status;
	case VIRTIO_MMIO_STATUS:
		return vdev->status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return 0xFFFFFFFFu;   /* no shared memory region (4.2.2) */
	case VIRTIO_MMIO_QUEUE_RESET:
		return 0;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return vdev->config_generation;
	default:
		mmio_warn(mmio, "read of a write-only or undefined register", offset, 4);
		return 0;
	}
}

static void set_half(uint64_t *address, bool high, uint32_t value)
{
	if (high)
		*address = (*address & 0xFFFFFFFFull) | (uint64_t)value << 32;
	else
		*address = (*address & ~0xFFFFFFFFull) | value;
}

/* One 32-bit half of one of the three ring addresses of the selected queue. */
static void write_queue_address(struct virtio_mmio *mmio, uint64_t offset, uint32_t value)
{
	struct virtqueue *vq = virtio_queue(mmio->vdev, mmio->queue_sel);

	if (!vq) {
		virtio_warn(mmio->vdev, "ring address for queue %u, which does not exist",
			    mmio->queue_sel);
		return;
	}
	uint64_t desc = vq->desc, driver = vq->avail, device = vq->used;
	bool high = offset & 4;
	switch (offset & ~4ull) {
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		set_half(&desc, high, value);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
		set_half(&driver, high, value);
		break;
	default:
		set_half(&device, high, value);
		break;
	}
	virtio_queue_set_addresses(mmio->vdev, mmio->queue_sel, desc, driver, device);
}

static void write_register(struct virtio_mmio *mmio, uint64_t offset, uint32_t value)
{
	struct virtio_device *vdev = mmio->vdev;

	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		mmio->device_features_sel = value;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		virtio_set_driver_features_word(vdev, mmio->driver_features_sel, value);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		mmio->driver_features_sel = value;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		mmio->queue_sel = value;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		virtio_queue_set_size(vdev, mmio->queue_sel, value);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		virtio_queue_set_ready(vdev, mmio->queue_sel, value & 1);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/* Without VIRTIO_F_NOTIFICATION_DATA the value is the queue index. */
		virtio_queue_kick(vdev, value & 0xFFFF);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		mmio->interrupt_status &= ~value;
		update_irq(mmio);
		break;
	case VIRTIO_MMIO_STATUS:
		virtio_set_status(vdev, (uint8_t)value);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		write_queue_address(mmio, offset, value);
		break;
	case VIRTIO_MMIO_SHM_SEL:
	case VIRTIO_MMIO_QUEUE_RESET:
		break;   /* nothing to select, no queue reset offered */
	case VIRTIO_MMIO_LEGACY_GUEST_PAGE_SIZE:
	case VIRTIO_MMIO_LEGACY_QUEUE_ALIGN:
		/* Registers of version 1 that mean nothing in version 2; EDK2's
		 * VirtioMmioDeviceLib writes the alignment whatever the version. */
		break;
	default:
		mmio_warn(mmio, "write to a read-only or undefined register", offset, 4);
		break;
	}
}

static uint64_t virtio_mmio_read(void *opaque, uint64_t offset, unsigned width)
{
	struct virtio_mmio *mmio = opaque;

	if (offset >= VIRTIO_MMIO_CONFIG)
		return mmio->vdev ? virtio_config_read(mmio->vdev,
						       (unsigned)(offset - VIRTIO_MMIO_CONFIG), width)
				  : 0;
	if (width != 4) {
		mmio_warn(mmio, "read of a register that is not 32 bits wide", offset, width);
		return 0;
	}
	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return mmio->vdev ? mmio->vdev->device_id : 0;
	default:
		return mmio->vdev ? read_register(mmio, offset) : 0;
	}
}

static void virtio_mmio_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct virtio_mmio *mmio = opaque;

	if (!mmio->vdev)
		return;   /* an empty slot: nothing to drive (4.2.3.1.1) */
	if (offset >= VIRTIO_MMIO_CONFIG) {
		virtio_config_write(mmio->vdev, (unsigned)(offset - VIRTIO_MMIO_CONFIG), width,
				    (uint32_t)value);
		return;
	}
	if (width != 4) {
		mmio_warn(mmio, "write of a register that is not 32 bits wide", offset, width);
		return;
	}
	write_register(mmio, offset, (uint32_t)value);
}

static const struct bus_ops virtio_mmio_ops = {
	.read = virtio_mmio_read,
	.write = virtio_mmio_write,
};

/* Natural alignment, 64-bit accesses split (Linux reads 64-bit config fields in halves). */
static const struct bus_rules virtio_mmio_rules = {
	.min_width = 1,
	.max_width = 4,
	.unaligned_ok = false,
	.oversize = BUS_OVERSIZE_SPLIT,
	.undersize = BUS_UNDERSIZE_REJECT,
};

struct virtio_mmio *virtio_mmio_create(struct bus *bus, uint64_t base, struct virtio_device *vdev)
{
	struct virtio_mmio *mmio = kzalloc(sizeof(*mmio));

	if (!mmio)
		return NULL;
	mmio->bus = bus;
	mmio->base = base;
	mmio->vdev = vdev;
	mmio->warnings = MMIO_WARN_LIMIT;
	irq_line_init(&mmio->irq, vdev ? vdev->name : "virtio-mmio");
	if (vdev && virtio_device_set_transport(vdev, &mmio_transport_ops, mmio)) {
		log_error("virtio-mmio@%#llx: %s already has a transport",
			  (unsigned long long)base, vdev->name);
		kfree(mmio);
		return NULL;
	}
	if (bus_register_mmio(bus, vdev ? vdev->name : "virtio-mmio", base, VIRTIO_MMIO_SIZE,
			      &virtio_mmio_ops, mmio, &virtio_mmio_rules)) {
		if (vdev)
			virtio_device_clear_transport(vdev);
		kfree(mmio);
		return NULL;
	}
	virtio_mmio_reset(mmio);
	return mmio;
}

struct irq_line *virtio_mmio_irq(struct virtio_mmio *mmio)
{
	return &mmio->irq;
}

void virtio_mmio_reset(struct virtio_mmio *mmio)
{
	if (mmio->vdev)
		virtio_reset(mmio->vdev);   /* calls mmio_transport_reset too */
	else
		mmio_transport_reset(mmio);
}

void virtio_mmio_destroy(struct virtio_mmio *mmio)
{
	if (!mmio)
		return;
	bus_unregister(mmio->bus, BUS_SPACE_MMIO, mmio->base);
	if (mmio->vdev)
		virtio_device_clear_transport(mmio->vdev);
	kfree(mmio);
}
