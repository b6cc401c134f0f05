/* SPDX-License-Identifier: MIT */
/*
 * virtio devices (virtio 1.2, chapters 2 and 3): the part every device
 * shares, whatever its type and whatever transport the guest reaches it
 * through.
 *
 *   device type (virtio_blk.c)    owns a struct virtio_device, its config
 *        |                         bytes and what its queues mean
 *   struct virtio_device (here)   status, features, queues, config
 *        |                         generation, NEEDS_RESET
 *   transport (virtio_mmio.c,     registers the guest touches; turns the
 *              virtio_pci.c)       device's notifications into interrupts
 *
 * The life of a device as a driver sees it (spec 3.1.1):
 *   status 0 (reset) -> ACKNOWLEDGE -> DRIVER -> features -> FEATURES_OK
 *   -> queue set-up -> DRIVER_OK -> requests.
 * The device offers features; a driver accepts a subset.  Through a
 * modern interface FEATURES_OK is refused when the subset contains a
 * feature not offered or lacks VIRTIO_F_VERSION_1.  Through a legacy
 * interface (virtio-pci transitional BAR 0) the driver writes 32 feature
 * bits that take effect at once and may use queues before DRIVER_OK.
 *
 * Guest mistakes that break the ring protocol (an index the driver could
 * not have produced, a descriptor chain that loops, runs out of its table
 * or past RAM) put the device in DEVICE_NEEDS_RESET: it reports once,
 * sends a configuration change notification, and touches its queues no
 * more until the driver resets it (spec 2.1.2).  The hypervisor carries
 * on; other devices and VMs are unaffected.
 *
 * All code here runs under the VM's device lock, like every device model.
 */
#ifndef VIRTIO_VIRTIO_H
#define VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>
#include <bus/guest_mem.h>
#include <virtio/virtqueue.h>

/* Device status bits (spec 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE  0x01
#define VIRTIO_STATUS_DRIVER       0x02
#define VIRTIO_STATUS_DRIVER_OK    0x04
#define VIRTIO_STATUS_FEATURES_OK  0x08
#define VIRTIO_STATUS_NEEDS_RESET  0x40
#define VIRTIO_STATUS_FAILED       0x80

/* Device-independent feature bits (spec 6). */
#define VIRTIO_F_NOTIFY_ON_EMPTY   24   /* legacy only; not offered      */
#define VIRTIO_F_ANY_LAYOUT        27   /* legacy interface only         */
#define VIRTIO_F_INDIRECT_DESC     28
#define VIRTIO_F_EVENT_IDX         29
#define VIRTIO_F_VERSION_1         32
#define VIRTIO_F_ACCESS_PLATFORM   33
#define VIRTIO_F_RING_PACKED       34
#define VIRTIO_F_IN_ORDER          35
#define VIRTIO_F_NOTIFICATION_DATA 38
#define VIRTIO_F_RING_RESET        40
#define VIRTIO_BIT(feature)        (1ull << (feature))

/* What every device of this implementation offers besides its own bits. */
#define VIRTIO_TRANSPORT_FEATURES \
	(VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) | \
	 VIRTIO_BIT(VIRTIO_F_VERSION_1))

/* Device types (spec 5). */
#define VIRTIO_ID_NET      1
#define VIRTIO_ID_BLOCK    2
#define VIRTIO_ID_CONSOLE  3
#define VIRTIO_ID_RNG      4

#define VIRTIO_QUEUES_MAX  8      /* per device, in this implementation */
#define VIRTIO_CONFIG_MAX  256    /* device-specific configuration bytes */

struct virtio_device;

/* What the device type implements. */
struct virtio_device_ops {
	/*
	 * The driver made buffers available on queue q: an available buffer
	 * notification that passed the checks (queue exists and is live,
	 * device not broken).  Also called for every live queue when the
	 * driver sets DRIVER_OK, for buffers it queued before.
	 */
	void (*queue_notify)(struct virtio_device *vdev, unsigned q);
	/* The device type's part of a reset: forget requests, restore config. */
	void (*reset)(struct virtio_device *vdev);
	/* Optional: a driver write to the device-specific configuration. */
	void (*config_write)(struct virtio_device *vdev, unsigned offset, unsigned width,
			     uint32_t value);
	/* Optional: whether the device accepts this feature set (FEATURES_OK). */
	bool (*features_ok)(struct virtio_device *vdev, uint64_t features);
};

/* What the transport implements: notifications towards the driver. */
struct virtio_transport_ops {
	void (*notify_queue)(void *ctx, unsigned q);   /* used buffers on q      */
	void (*notify_config)(void *ctx);              /* configuration changed  */
	void (*reset)(void *ctx);                      /* transport state only   */
};

struct virtio_device {
	const char *name;
	uint16_t device_id;
	uint64_t device_features;       /* offered through a modern interface  */
	uint64_t driver_features;       /* as the driver wrote them            */
	uint8_t status;
	uint8_t config_generation;
	bool config_dirty;              /* changed since the driver last read  */
	bool legacy;                    /* driven through a legacy interface   */
	uint8_t *config;                /* device-specific bytes, little-endian */
	unsigned config_size;
	unsigned num_queues;
	struct virtqueue queue[VIRTIO_QUEUES_MAX];
	const struct guest_mem *mem;
	const struct virtio_device_ops *ops;
	const struct virtio_transport_ops *transport;
	void *transport_ctx;
	unsigned warnings;              /* guest-caused reports left           */
	uint64_t errors;                /* times NEEDS_RESET was entered       */
};

/*
 * Prepares vdev: device_features are the type's bits (the transport bits
 * above are added), queue_size_max (a power of two, at most
 * VIRTQUEUE_SIZE_MAX) for each of num_queues queues, config/config_size
 * the device-specific configuration kept by the device type.  0 or
 * -EINVAL.
 */
int virtio_device_init(struct virtio_device *vdev, const char *name, uint16_t device_id,
		       uint64_t device_features, unsigned num_queues, uint16_t queue_size_max,
		       uint8_t *config, unsigned config_size, const struct guest_mem *mem,
		       const struct virtio_device_ops *ops);

/* A device has at most one transport.  0 or -EBUSY. */
int virtio_device_set_transport(struct virtio_device *vdev, const struct virtio_transport_ops *ops,
				void *ctx);
void virtio_device_clear_transport(struct virtio_device *vdev);

/* Back to status 0: features, queues, transport state, device type. */
void virtio_reset(struct virtio_device *vdev);

/* ---- for transports ---------------------------------------------------- */

/* Status register: 0 resets; FEATURES_OK may be refused; NEEDS_RESET sticks. */
void virtio_set_status(struct virtio_device *vdev, uint8_t status);

/* Feature words through a modern interface (select 0: bits 0-31, 1: 32-63). */
uint32_t virtio_device_features_word(const struct virtio_device *vdev, uint32_t select);
uint32_t virtio_driver_features_word(const struct virtio_device *vdev, uint32_t select);
/* Ignored once FEATURES_OK is set (spec 3.1.1), and for select > 1. */
void virtio_set_driver_features_word(struct virtio_device *vdev, uint32_t select, uint32_t value);

/*
 * The legacy interface's 32 feature bits: the device's low word plus
 * VIRTIO_F_ANY_LAYOUT (spec 6.3); a write takes effect at once and marks
 * the device as legacy-driven.
 */
uint32_t virtio_legacy_device_features(const struct virtio_device *vdev);
void virtio_legacy_set_driver_features(struct virtio_device *vdev, uint32_t value);

/* Whether the driver accepted feature (a bit number). */
bool virtio_has_feature(const struct virtio_device *vdev, unsigned feature);

/*
 * Device-specific configuration: width 1, 2 or 4 bytes at any offset;
 * bytes beyond config_size read 0 and ignore writes.  A read after the
 * device changed the configuration advances the generation (spec
 * 4.1.4.3.1's suggestion), so a driver's generation/read/generation loop
 * sees the change.
 */
uint32_t virtio_config_read(struct virtio_device *vdev, unsigned offset, unsigned width);
void virtio_config_write(struct virtio_device *vdev, unsigned offset, unsigned width,
			 uint32_t value);

/* The driver kicked queue q (available buffer notification). */
void virtio_queue_kick(struct virtio_device *vdev, unsigned q);

/*
 * Queue set-up registers.  Each refuses (with a rate-limited report) a
 * change to a live queue and an out-of-range queue; the size must be a
 * power of two no larger than the queue's maximum.  true if applied.
 */
bool virtio_queue_set_size(struct virtio_device *vdev, unsigned q, uint32_t size);
bool virtio_queue_set_addresses(struct virtio_device *vdev, unsigned q, uint64_t desc,
				uint64_t avail, uint64_t used);
/* Makes the queue live, or not (its ring progress stays until reset). */
void virtio_queue_set_ready(struct virtio_device *vdev, unsigned q, bool ready);
/* NULL for a queue the device does not have. */
struct virtqueue *virtio_queue(struct virtio_device *vdev, unsigned q);

/* ---- for device types ---------------------------------------------------- */

/* The device changed its configuration: new generation, notification. */
void virtio_config_changed(struct virtio_device *vdev);

/*
 * The guest broke the protocol: DEVICE_NEEDS_RESET, one report, a
 * configuration change notification if the driver is live, and no more
 * queue processing until reset.
 */
void virtio_device_error(struct virtio_device *vdev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool virtio_device_broken(const struct virtio_device *vdev);

/* Whether buffers on q may be processed now (live queue, driver ready). */
bool virtio_queue_may_run(const struct virtio_device *vdev, unsigned q);

/* A guest-caused warning, limited per device. */
void virtio_warn(struct virtio_device *vdev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Used by the virtqueue code: a used buffer notification for q. */
void virtio_notify_queue(struct virtio_device *vdev, unsigned q);

#endif
