/* SPDX-License-Identifier: MIT */
/*
 * What every virtio device shares: status and reset, feature
 * negotiation, queue set-up, the configuration generation and
 * DEVICE_NEEDS_RESET.  See include/virtio/virtio.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <core/log.h>
#include <virtio/virtio.h>

#define VIRTIO_WARN_LIMIT 16

static bool is_power_of_two(uint32_t x)
{
	return x && !(x & (x - 1));
}

static void vreport(struct virtio_device *vdev, enum log_level level, const char *fmt,
		    va_list ap)
{
	char text[200];

	if (!vdev->warnings)
		return;
	vsnprintf(text, sizeof(text), fmt, ap);
	vdev->warnings--;
	log_printf(level, "%s: %s%s", vdev->name, text,
		   vdev->warnings ? "" : " (further reports from this device suppressed)");
}

void virtio_warn(struct virtio_device *vdev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(vdev, LOG_WARN, fmt, ap);
	va_end(ap);
}

int virtio_device_init(struct virtio_device *vdev, const char *name, uint16_t device_id,
		       uint64_t device_features, unsigned num_queues, uint16_t queue_size_max,
		       uint8_t *config, unsigned config_size, const struct guest_mem *mem,
		       const struct virtio_device_ops *ops)
{
	if (!vdev || !ops || !ops->queue_notify || !mem || num_queues > VIRTIO_QUEUES_MAX ||
	    !is_power_of_two(queue_size_max) || queue_size_max > VIRTQUEUE_SIZE_MAX ||
	    config_size > VIRTIO_CONFIG_MAX || (config_size && !config))
		return -EINVAL;
	memset(vdev, 0, sizeof(*vdev));
	vdev->name = name ? name : "virtio";
	vdev->device_id = device_id;
	vdev->device_features = device_features | VIRTIO_TRANSPORT_FEATURES;
	vdev->config = config;
	vdev->config_size = config_size;
	vdev->num_queues = num_queues;
	vdev->mem = mem;
	vdev->ops = ops;
	vdev->warnings = VIRTIO_WARN_LIMIT;
	for (unsigned q = 0; q < num_queues; q++) {
		struct virtqueue *vq = &vdev->queue[q];
		vq->vdev = vdev;
		vq->index = q;
		vq->size_max = queue_size_max;
		virtq_reset(vq);
	}
	return 0;
}

int virtio_device_set_transport(struct virtio_device *vdev, const struct virtio_transport_ops *ops,
				void *ctx)
{
	if (vdev->transport)
		return -EBUSY;
	vdev->transport = ops;
	vdev->transport_ctx = ctx;
	return 0;
}

void virtio_device_clear_transport(struct virtio_device *vdev)
{
	vdev->transport = NULL;
	vdev->transport_ctx = NULL;
}

void virtio_reset(struct virtio_device *vdev)
{
	vdev->status = 0;
	vdev->driver_features = 0;
	vdev->legacy = false;
	vdev->config_dirty = false;
	for (unsigned q = 0; q < vdev->num_queues; q++)
		virtq_reset(&vdev->queue[q]);
	if (vdev->transport && vdev->transport->reset)
		vdev->transport->reset(vdev->transport_ctx);
	if (vdev->ops->reset)
		vdev->ops->reset(vdev);
}

bool virtio_device_broken(const struct virtio_device *vdev)
{
	return vdev->status & VIRTIO_STATUS_NEEDS_RESET;
}

void virtio_device_error(struct virtio_device *vdev, const char *fmt, ...)
{
	va_list ap;

	if (virtio_device_broken(vdev))
		return;
	vdev->status |= VIRTIO_STATUS_NEEDS_RESET;
	vdev->errors++;
	va_start(ap, fmt);
	vreport(vdev, LOG_WARN, fmt, ap);
	va_end(ap);
	log_debug("%s: device needs a reset", vdev->name);
	/* Spec 2.1.2: a live driver learns it from a config change notification. */
	if ((vdev->status & VIRTIO_STATUS_DRIVER_OK) && vdev->transport)
		vdev->transport->notify_config(vdev->transport_ctx);
}

/* ---- features ----------------------------------------------------------- */

uint32_t virtio_device_features_word(const struct virtio_device *vdev, uint32_t select)
{
	return select < 2 ? (uint32_t)(vdev->device_features >> (32 * select)) : 0;
}

uint32_t virtio_driver_features_word(const struct virtio_device *vdev, uint32_t select)
{
	return select < 2 ? (uint32_t)(vdev->driver_features >> (32 * select)) : 0;
}

void virtio_set_driver_features_word(struct virtio_device *vdev, uint32_t select, uint32_t value)
{
	if (vdev->status & VIRTIO_STATUS_FEATURES_OK) {
		virtio_warn(vdev, "driver features written after FEATURES_OK; ignored");
		return;
	}
	if (select >= 2)
		return;   /* no feature above bit 63 exists: nothing to accept */
	unsigned shift = 32 * select;
	vdev->driver_features = (vdev->driver_features & ~(0xFFFFFFFFull << shift)) |
				(uint64_t)value << shift;
}

uint32_t virtio_legacy_device_features(const struct virtio_device *vdev)
{
	return (uint32_t)vdev->device_features | (uint32_t)VIRTIO_BIT(VIRTIO_F_ANY_LAYOUT);
}

void virtio_legacy_set_driver_features(struct virtio_device *vdev, uint32_t value)
{
	vdev->legacy = true;
	vdev->driver_features = value & virtio_legacy_device_features(vdev);
}

bool virtio_has_feature(const struct virtio_device *vdev, unsigned feature)
{
	return feature < 64 && (vdev->driver_features >> feature) & 1;
}

/* Spec 2.2.2 and 6.2: only offered bits, and VERSION_1, through a modern interface. */
static bool features_acceptable(struct virtio_device *vdev)
{
	uint64_t extra = vdev->driver_features & ~vdev->device_features;

	if (extra) {
		virtio_warn(vdev, "FEATURES_OK refused: features %#llx were not offered",
			    (unsigned long long)extra);
		return false;
	}
	if (!virtio_has_feature(vdev, VIRTIO_F_VERSION_1)) {
		virtio_warn(vdev, "FEATURES_OK refused: VIRTIO_F_VERSION_1 not accepted");
		return false;
	}
	if (vdev->ops->features_ok && !vdev->ops->features_ok(vdev, vdev->driver_features)) {
		virtio_warn(vdev, "FEATURES_OK refused: the device cannot work with features %#llx",
			    (unsigned long long)vdev->driver_features);
		return false;
	}
	return true;
}

void virtio_set_status(struct virtio_device *vdev, uint8_t status)
{
	uint8_t old = vdev->status;

	if (status == 0) {
		virtio_reset(vdev);
		return;
	}
	/* NEEDS_RESET is the device's to set and only a reset clears it. */
	status = (uint8_t)((status & ~VIRTIO_STATUS_NEEDS_RESET) |
			   (old & VIRTIO_STATUS_NEEDS_RESET));
	if ((status & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK) &&
	    !vdev->legacy && !features_acceptable(vdev))
		status &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
	vdev->status = status;
	if ((status & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK)) {
		/* Buffers the driver queued before it went live. */
		for (unsigned q = 0; q < vdev->num_queues; q++)
			if (virtio_queue_may_run(vdev, q))
				vdev->ops->queue_notify(vdev, q);
	}
}

/* ---- configuration ------------------------------------------------------ */

uint32_t virtio_config_read(struct virtio_device *vdev, unsigned offset, unsigned width)
{
	uint32_t value = 0;

	if (vdev->config_dirty) {
		vdev->config_generation++;
		vdev->config_dirty = false;
	}
	for (unsigned i = 0; i < width && i < 4; i++)
		if (offset + i < vdev->config_size)
			value |= (uint32_t)vdev->config[offset + i] << (8 * i);
	return value;
}

void virtio_config_write(struct virtio_device *vdev, unsigned offset, unsigned width,
			 uint32_t value)
{
	if (offset >= vdev->config_size || width > vdev->config_size - offset)
		return;
	if (vdev->ops->config_write)
		vdev->ops->config_write(vdev, offset, width, value);
	else
		virtio_warn(vdev, "write to read-only configuration offset %#x ignored", offset);
}

void virtio_config_changed(struct virtio_device *vdev)
{
	vdev->config_dirty = true;
	if ((vdev->status & VIRTIO_STATUS_DRIVER_OK) && vdev->transport)
		vdev->transport->notify_config(vdev->transport_ctx);
}

/* ---- queues --------------------------------------------------------------- */

struct virtqueue *virtio_queue(struct virtio_device *vdev, unsigned q)
{
	return q < vdev->num_queues ? &vdev->queue[q] : NULL;
}

/* A queue the driver may still configure: it exists and is not live. */
static struct virtqueue *queue_for_setup(struct virtio_device *vdev, unsigned q, const char *what)
{
	struct virtqueue *vq = virtio_queue(vdev, q);

	if (!vq) {
		virtio_warn(vdev, "%s of queue %u, which does not exist", what, q);
		return NULL;
	}
	if (vq->ready) {
		virtio_warn(vdev, "%s of live queue %u ignored", what, q);
		return NULL;
	}
	return vq;
}

bool virtio_queue_set_size(struct virtio_device *vdev, unsigned q, uint32_t size)
{
	struct virtqueue *vq = queue_for_setup(vdev, q, "size change");

	if (!vq)
		return false;
	if (!is_power_of_two(size) || size > vq->size_max) {
		virtio_warn(vdev, "queue %u: size %u is not a power of two up to %u; kept %u", q, size,
			    vq->size_max, vq->size);
		return false;
	}
	vq->size = (uint16_t)size;
	return true;
}

bool virtio_queue_set_addresses(struct virtio_device *vdev, unsigned q, uint64_t desc,
				uint64_t avail, uint64_t used)
{
	struct virtqueue *vq = queue_for_setup(vdev, q, "address change");

	if (!vq)
		return false;
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	return true;
}

/* The three areas of a split queue of vq->size entries (spec 2.7). */
static bool rings_in_ram(const struct virtqueue *vq)
{
	const struct guest_mem *mem = vq->vdev->mem;
	uint64_t n = vq->size;

	return guest_mem_ptr(mem, vq->desc, 16 * n, false) &&
	       guest_mem_ptr(mem, vq->avail, 6 + 2 * n, false) &&
	       guest_mem_ptr(mem, vq->used, 6 + 8 * n, true);
}

void virtio_queue_set_ready(struct virtio_device *vdev, unsigned q, bool ready)
{
	struct virtqueue *vq = virtio_queue(vdev, q);

	if (!vq) {
		virtio_warn(vdev, "queue %u does not exist; cannot be %s", q,
			    ready ? "enabled" : "disabled");
		return;
	}
	if (ready && !vq->ready && !rings_in_ram(vq)) {
		virtio_device_error(vdev, "queue %u: rings at %#llx/%#llx/%#llx (%u entries) are "
				    "not all in RAM", q, (unsigned long long)vq->desc,
				    (unsigned long long)vq->avail, (unsigned long long)vq->used,
				    vq->size);
		return;
	}
	vq->ready = ready;
}

bool virtio_queue_may_run(const struct virtio_device *vdev, unsigned q)
{
	if (q >= vdev->num_queues || !vdev->queue[q].ready || virtio_device_broken(vdev))
		return false;
	/* Spec 2.1.2; legacy drivers may use a device before DRIVER_OK (3.1.2). */
	return (vdev->status & VIRTIO_STATUS_DRIVER_OK) || vdev->legacy;
}

void virtio_queue_kick(struct virtio_device *vdev, unsigned q)
{
	if (q >= vdev->num_queues) {
		virtio_warn(vdev, "notification for queue %u, which does not exist", q);
		return;
	}
	if (virtio_queue_may_run(vdev, q))
		vdev->ops->queue_notify(vdev, q);
}

void virtio_notify_queue(struct virtio_device *vdev, unsigned q)
{
	if (vdev->transport)
		vdev->transport->notify_queue(vdev->transport_ctx, q);
}
