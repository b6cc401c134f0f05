/* SPDX-License-Identifier: MIT */
/*
 * virtio-pci: the modern structures in BAR4, the legacy block in BAR0 of
 * transitional functions, MSI-X in BAR1.  Layout and access rules are in
 * include/virtio/virtio_pci.h; what the registers do to the device is in
 * virtio.c.  The generic PCI code maps the BARs where the guest puts
 * them (pci_bar_set_handler), so this file only decodes accesses.
 */
#include <errno.h>
#include <core/compiler.h>
#include <core/log.h>
#include <core/mm.h>
#include <pci/bridge.h>
#include <pci/msix.h>
#include <pci/pci.h>
#include <virtio/virtio_pci.h>

struct virtio_pci {
	struct pci_function pci;
	struct pci_function_info info;
	struct pci_msix msix;
	struct virtio_device *vdev;
	enum virtio_pci_kind kind;
	uint8_t isr;
	uint16_t config_vector;
	uint16_t queue_vector[VIRTIO_QUEUES_MAX];
	uint32_t device_feature_select;
	uint32_t driver_feature_select;
	uint16_t queue_select;
	unsigned cfg_cap;                 /* the PCI configuration access capability */
	uint32_t legacy_size;             /* BAR0 bytes (transitional)               */
	unsigned warnings;
};

#define VPCI_WARN_LIMIT 8

static void vpci_warn(struct virtio_pci *vp, const char *what, uint64_t offset, unsigned width)
{
	if (!vp->warnings)
		return;
	vp->warnings--;
	log_warn("%s: %s at %#llx (%u bytes)%s", vp->vdev->name, what,
		 (unsigned long long)offset, width, vp->warnings ? "" : "; further reports suppressed");
}

static bool msix_on(const struct virtio_pci *vp)
{
	return pci_msix_enabled(&vp->msix);
}

/* INTx follows the ISR; the PCI code keeps it low while MSI-X is on. */
static void update_intx(struct virtio_pci *vp)
{
	pci_set_irq(&vp->pci, vp->isr != 0);
}

/* ---- notifications towards the driver (4.1.5.3, 4.1.5.4) ---------------- */

static void vp_notify_queue(void *ctx, unsigned q)
{
	struct virtio_pci *vp = ctx;

	if (msix_on(vp)) {
		if (q < VIRTIO_QUEUES_MAX && vp->queue_vector[q] != VIRTIO_MSI_NO_VECTOR)
			pci_msix_notify(&vp->msix, vp->queue_vector[q]);
		return;
	}
	vp->isr |= VIRTIO_PCI_ISR_QUEUE;
	update_intx(vp);
}

static void vp_notify_config(void *ctx)
{
	struct virtio_pci *vp = ctx;

	vp->isr |= VIRTIO_PCI_ISR_CONFIG;    /* set whatever the interrupt mode */
	if (msix_on(vp)) {
		if (vp->config_vector != VIRTIO_MSI_NO_VECTOR)
			pci_msix_notify(&vp->msix, vp->config_vector);
		return;
	}
	update_intx(vp);
}

/* Device reset (status 0): vectors unmapped (4.1.5.1.2.1), ISR clear. */
static void vp_transport_reset(void *ctx)
{
	struct virtio_pci *vp = ctx;

	vp->isr = 0;
	vp->config_vector = VIRTIO_MSI_NO_VECTOR;
	for (unsigned q = 0; q < VIRTIO_QUEUES_MAX; q++)
		vp->queue_vector[q] = VIRTIO_MSI_NO_VECTOR;
	vp->device_feature_select = 0;
	vp->driver_feature_select = 0;
	vp->queue_select = 0;
	update_intx(vp);
}

static const struct virtio_transport_ops vp_transport_ops = {
	.notify_queue = vp_notify_queue,
	.notify_config = vp_notify_config,
	.reset = vp_transport_reset,
};

/* ---- shared by both interfaces ----------------------------------------- */

static uint8_t read_isr(struct virtio_pci *vp)
{
	uint8_t isr = vp->isr;

	vp->isr = 0;      /* reading acknowledges (4.1.4.5) */
	update_intx(vp);
	return isr;
}

/* A vector the table has, or NO_VECTOR: what the driver reads back. */
static uint16_t checked_vector(const struct virtio_pci *vp, uint32_t vector)
{
	return vector < vp->msix.vectors ? (uint16_t)vector : VIRTIO_MSI_NO_VECTOR;
}

static void write_status(struct virtio_pci *vp, uint8_t status)
{
	virtio_set_status(vp->vdev, status);   /* 0: full reset, transport included */
}

/* ---- modern: common configuration --------------------------------------- */

static bool common_field(uint64_t offset, unsigned width, unsigned field, unsigned field_width)
{
	return offset == field && width == field_width;
}

static uint32_t common_read(struct virtio_pci *vp, uint64_t offset, unsigned width)
{
	struct virtio_device *vdev = vp->vdev;
	unsigned q = vp->queue_select;
	struct virtqueue *vq = virtio_queue(vdev, q);

	if (width == 4) {
		switch (offset) {
		case VIRTIO_PCI_COMMON_DFSELECT:
			return vp->device_feature_select;
		case VIRTIO_PCI_COMMON_DF:
			return virtio_device_features_word(vdev, vp->device_feature_select);
		case VIRTIO_PCI_COMMON_GFSELECT:
			return vp->driver_feature_select;
		case VIRTIO_PCI_COMMON_GF:
			return virtio_driver_features_word(vdev, vp->driver_feature_select);
		case VIRTIO_PCI_COMMON_Q_DESCLO:
			return vq ? (uint32_t)vq->desc : 0;
		case VIRTIO_PCI_COMMON_Q_DESCHI:
			return vq ? (uint32_t)(vq->desc >> 32) : 0;
		case VIRTIO_PCI_COMMON_Q_AVAILLO:
			return vq ? (uint32_t)vq->avail : 0;
		case VIRTIO_PCI_COMMON_Q_AVAILHI:
			return vq ? (uint32_t)(vq->avail >> 32) : 0;
		case VIRTIO_PCI_COMMON_Q_USEDLO:
			return vq ? (uint32_t)vq->used : 0;
		case VIRTIO_PCI_COMMON_Q_USEDHI:
			return vq ? (uint32_t)(vq->used >> 32) : 0;
		}
	} else if (width == 2) {
		switch (offset) {
		case VIRTIO_PCI_COMMON_MSIX:
			return vp->config_vector;
		case VIRTIO_PCI_COMMON_NUMQ:
			return vdev->num_queues;
		case VIRTIO_PCI_COMMON_Q_SELECT:
			return vp->queue_select;
		case VIRTIO_PCI_COMMON_Q_SIZE:
			return vq ? vq->size : 0;      /* 0: the queue does not exist */
		case VIRTIO_PCI_COMMON_Q_MSIX:
			return vq ? vp->queue_vector[q] : VIRTIO_MSI_NO_VECTOR;
		case VIRTIO_PCI_COMMON_Q_ENABLE:
			return vq ? vq->ready : 0;
		case VIRTIO_PCI_COMMON_Q_NOFF:
		case VIRTIO_PCI_COMMON_Q_NDATA:
			return q;                      /* notify at 4 * q; data = index */
		case VIRTIO_PCI_COMMON_Q_RESET:
			return 0;                      /* VIRTIO_F_RING_RESET not offered */
		}
	} else if (width == 1) {
		if (offset == VIRTIO_PCI_COMMON_STATUS)
			return vdev->status;
		if (offset == VIRTIO_PCI_COMMON_CFGGENERATION)
			return vdev->config_generation;
	}
	vpci_warn(vp, "common configuration read that is no field", offset, width);
	return 0;
}

static void set_half(uint64_t *address, bool high, uint32_t value)
{
	if (high)
		*address = (*address & 0xFFFFFFFFull) | (uint64_t)value << 32;
	else
		*address = (*address & ~0xFFFFFFFFull) | value;
}

static void write_queue_address(struct virtio_pci *vp, uint64_t offset, uint32_t value)
{
	struct virtqueue *vq = virtio_queue(vp->vdev, vp->queue_select);

	if (!vq) {
		virtio_warn(vp->vdev, "ring address for queue %u, which does not exist",
			    vp->queue_select);
		return;
	}
	uint64_t desc = vq->desc, avail = vq->avail, used = vq->used;
	bool high = offset & 4;
	if (offset < VIRTIO_PCI_COMMON_Q_AVAILLO)
		set_half(&desc, high, value);
	else if (offset < VIRTIO_PCI_COMMON_Q_USEDLO)
		set_half(&avail, high, value);
	else
		set_half(&used, high, value);
	virtio_queue_set_addresses(vp->vdev, vp->queue_select, desc, avail, used);
}

static void common_write(struct virtio_pci *vp, uint64_t offset, unsigned width, uint32_t value)
{
	struct virtio_device *vdev = vp->vdev;
	unsigned q = vp->queue_select;

	if (width == 4 && offset >= VIRTIO_PCI_COMMON_Q_DESCLO && offset <= VIRTIO_PCI_COMMON_Q_USEDHI) {
		write_queue_address(vp, offset, value);
	} else if (common_field(offset, width, VIRTIO_PCI_COMMON_DFSELECT, 4)) {
		vp->device_feature_select = value;
	} else if (common_field(offset, width, VIRTIO_PCI_COMMON_GFSELECT, 4)) {
		vp->driver_feature_select = value;
	} else if (common_field(offset, width, VIRTIO_PCI_COMMON_GF, 4)) {
		virtio_set_driver_features_word(vdev, vp->driver_feature_select, value);
	} else if (common_field(offset, width, VIRTIO_PCI_COMMON_MSIX, 2)) {
		vp->config_vector = checked_vector(vp, value);
	} else if (common_field(offset, width, VIRTIO_PCI_COMMON_STATUS, 1)) {
		write_status(vp, (uint8_t)value);
	} else if (common_field(offset, width, VIRTIO_PCI_COMMON_Q_SELECT, 2)) {
		vp->queue_select = (uint16_t)value;
	} else if (common_field(offset, width, VIRTIO_PCI_COMMON_Q_SIZE, 2)) {
		virtio_queue_set_size(vdev, q, value);
	} else if (common_field(offset, width, VIRTIO_PCI_COMMON_Q_MSIX, 2)) {
		if (virtio_queue(vdev, q))
			vp->queue_vector[q] = checked_vector(vp, value);
	} else if (common_field(offset, width, VIRTIO_PCI_COMMON_Q_ENABLE, 2)) {
		if (value == 1)
			virtio_queue_set_ready(vdev, q, true);
		else
			virtio_warn(vdev, "queue_enable written with %u; only 1 is allowed", value);
	} else if (common_field(offset, width, VIRTIO_PCI_COMMON_Q_RESET, 2)) {
		/* VIRTIO_F_RING_RESET is not offered: nothing to reset. */
	} else {
		vpci_warn(vp, "common configuration write that is no writable field", offset, width);
	}
}

/* ---- modern: BAR4 ---------------------------------------------------------- */

static uint64_t modern_read(void *opaque, uint64_t offset, unsigned width)
{
	struct virtio_pci *vp = opaque;
	uint64_t in_region = offset % VIRTIO_PCI_REGION_SIZE;

	switch (offset / VIRTIO_PCI_REGION_SIZE) {
	case VIRTIO_PCI_COMMON_OFFSET / VIRTIO_PCI_REGION_SIZE:
		return common_read(vp, in_region, width);
	case VIRTIO_PCI_ISR_OFFSET / VIRTIO_PCI_REGION_SIZE:
		return in_region == 0 ? read_isr(vp) : 0;
	case VIRTIO_PCI_DEVICE_OFFSET / VIRTIO_PCI_REGION_SIZE:
		return virtio_config_read(vp->vdev, (unsigned)in_region, width);
	default:
		return 0;   /* notifications are write-only */
	}
}

static void modern_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct virtio_pci *vp = opaque;
	uint64_t in_region = offset % VIRTIO_PCI_REGION_SIZE;

	switch (offset / VIRTIO_PCI_REGION_SIZE) {
	case VIRTIO_PCI_COMMON_OFFSET / VIRTIO_PCI_REGION_SIZE:
		common_write(vp, in_region, width, (uint32_t)value);
		break;
	case VIRTIO_PCI_DEVICE_OFFSET / VIRTIO_PCI_REGION_SIZE:
		virtio_config_write(vp->vdev, (unsigned)in_region, width, (uint32_t)value);
		break;
	case VIRTIO_PCI_NOTIFY_OFFSET / VIRTIO_PCI_REGION_SIZE:
		/* The address names the queue (4.1.4.4); the value is its index. */
		if (in_region % VIRTIO_PCI_NOTIFY_MULTIPLIER == 0 && width >= 2)
			virtio_queue_kick(vp->vdev,
					  (unsigned)(in_region / VIRTIO_PCI_NOTIFY_MULTIPLIER));
		else
			vpci_warn(vp, "notification at no queue's address", offset, width);
		break;
	default:
		break;      /* the ISR is read-only */
	}
}

static const struct bus_ops modern_ops = { .read = modern_read, .write = modern_write };

static const struct bus_rules vp_rules = {
	.min_width = 1,
	.max_width = 4,
	.unaligned_ok = false,
	.oversize = BUS_OVERSIZE_SPLIT,    /* 64-bit fields in two halves (4.1.3.1) */
	.undersize = BUS_UNDERSIZE_REJECT,
};

/* ---- legacy: BAR0 ----------------------------------------------------------- */

static unsigned legacy_config_start(const struct virtio_pci *vp)
{
	return msix_on(vp) ? VIRTIO_PCI_LEGACY_CONFIG_MSIX : VIRTIO_PCI_LEGACY_CONFIG;
}

static uint64_t legacy_read(void *opaque, uint64_t offset, unsigned width)
{
	struct virtio_pci *vp = opaque;
	struct virtio_device *vdev = vp->vdev;
	struct virtqueue *vq = virtio_queue(vdev, vp->queue_select);
	unsigned config = legacy_config_start(vp);

	if (offset >= config)
		return virtio_config_read(vdev, (unsigned)(offset - config), width);
	switch (offset << 4 | width) {
	case VIRTIO_PCI_LEGACY_HOST_FEATURES << 4 | 4:
		return virtio_legacy_device_features(vdev);
	case VIRTIO_PCI_LEGACY_GUEST_FEATURES << 4 | 4:
		return virtio_driver_features_word(vdev, 0);
	case VIRTIO_PCI_LEGACY_QUEUE_PFN << 4 | 4:
		return vq && vq->ready ? (uint32_t)(vq->desc >> VIRTIO_PCI_LEGACY_PFN_SHIFT) : 0;
	case VIRTIO_PCI_LEGACY_QUEUE_NUM << 4 | 2:
		return vq ? vq->size_max : 0;
	case VIRTIO_PCI_LEGACY_QUEUE_SEL << 4 | 2:
		return vp->queue_select;
	case VIRTIO_PCI_LEGACY_STATUS << 4 | 1:
		return vdev->status;
	case VIRTIO_PCI_LEGACY_ISR << 4 | 1:
		return read_isr(vp);
	case VIRTIO_PCI_LEGACY_CONFIG_VECTOR << 4 | 2:
		return vp->config_vector;         /* only reached with MSI-X on */
	case VIRTIO_PCI_LEGACY_QUEUE_VECTOR << 4 | 2:
		return vq ? vp->queue_vector[vp->queue_select] : VIRTIO_MSI_NO_VECTOR;
	default:
		vpci_warn(vp, "legacy register read that is no register", offset, width);
		return 0;
	}
}

/*
 * Legacy queues (2.7.2): one block at pfn * 4096 of the maximum size:
 * descriptors, the available ring, the used ring on the next 4 KiB.
 * PFN 0 takes the queue down (Linux's legacy driver does on removal).
 */
static void legacy_set_pfn(struct virtio_pci *vp, uint32_t pfn)
{
	struct virtio_device *vdev = vp->vdev;
	unsigned q = vp->queue_select;
	struct virtqueue *vq = virtio_queue(vdev, q);

	if (!vq) {
		virtio_warn(vdev, "legacy queue address for queue %u, which does not exist", q);
		return;
	}
	vdev->legacy = true;
	virtio_queue_set_ready(vdev, q, false);
	if (!pfn) {
		virtio_queue_set_addresses(vdev, q, 0, 0, 0);
		return;
	}
	uint64_t n = vq->size_max;
	uint64_t desc = (uint64_t)pfn << VIRTIO_PCI_LEGACY_PFN_SHIFT;
	uint64_t avail = desc + 16 * n;
	uint64_t used = (avail + 6 + 2 * n + VIRTIO_PCI_LEGACY_VRING_ALIGN - 1) &
			~(uint64_t)(VIRTIO_PCI_LEGACY_VRING_ALIGN - 1);
	virtio_queue_set_size(vdev, q, vq->size_max);
	virtio_queue_set_addresses(vdev, q, desc, avail, used);
	virtio_queue_set_ready(vdev, q, true);
}

static void legacy_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct virtio_pci *vp = opaque;
	struct virtio_device *vdev = vp->vdev;
	unsigned config = legacy_config_start(vp);

	if (offset >= config) {
		virtio_config_write(vdev, (unsigned)(offset - config), width, (uint32_t)value);
		return;
	}
	switch (offset << 4 | width) {
	case VIRTIO_PCI_LEGACY_GUEST_FEATURES << 4 | 4:
		virtio_legacy_set_driver_features(vdev, (uint32_t)value);
		break;
	case VIRTIO_PCI_LEGACY_QUEUE_PFN << 4 | 4:
		legacy_set_pfn(vp, (uint32_t)value);
		break;
	case VIRTIO_PCI_LEGACY_QUEUE_SEL << 4 | 2:
		vp->queue_select = (uint16_t)value;
		break;
	case VIRTIO_PCI_LEGACY_QUEUE_NOTIFY << 4 | 2:
		virtio_queue_kick(vdev, (unsigned)value);
		break;
	case VIRTIO_PCI_LEGACY_STATUS << 4 | 1:
		if (value)
			vdev->legacy = true;
		write_status(vp, (uint8_t)value);
		break;
	case VIRTIO_PCI_LEGACY_CONFIG_VECTOR << 4 | 2:
		vp->config_vector = checked_vector(vp, (uint32_t)value);
		break;
	case VIRTIO_PCI_LEGACY_QUEUE_VECTOR << 4 | 2:
		if (virtio_queue(vdev, vp->queue_select))
			vp->queue_vector[vp->queue_select] = checked_vector(vp, (uint32_t)value);
		break;
	default:
		vpci_warn(vp, "legacy register write that is no writable register", offset, width);
		break;
	}
}

static const struct bus_ops legacy_ops = { .read = legacy_read, .write = legacy_write };

/* The device configuration may be read a byte at a time (4.1.4.10). */
static const struct bus_rules legacy_rules = {
	.min_width = 1,
	.max_width = 4,
	.unaligned_ok = true,
	.oversize = BUS_OVERSIZE_REJECT,
	.undersize = BUS_UNDERSIZE_REJECT,
};

/* ---- configuration space: the PCI configuration access window ------------ */

/* Whether the window names width bytes of BAR4; where, in *offset. */
static bool cfg_window(struct virtio_pci *vp, uint32_t *offset, unsigned *width)
{
	unsigned cap = vp->cfg_cap;
	uint8_t bar = pci_config_get8(&vp->pci, cap + VIRTIO_PCI_CAP_BAR);
	uint32_t len = pci_config_get32(&vp->pci, cap + VIRTIO_PCI_CAP_LENGTH);

	*offset = pci_config_get32(&vp->pci, cap + VIRTIO_PCI_CAP_OFFSET);
	*width = len;
	/*
	 * Anything else is not a window (4.1.4.9.2); silently, since tools
	 * that dump configuration space read pci_cfg_data too.
	 */
	return bar == VIRTIO_PCI_MODERN_BAR && (len == 1 || len == 2 || len == 4) &&
	       *offset % len == 0 && *offset <= VIRTIO_PCI_MODERN_BAR_SIZE - len;
}

static bool touches_cfg_data(const struct virtio_pci *vp, unsigned offset, unsigned width)
{
	unsigned data = vp->cfg_cap + VIRTIO_PCI_CFG_CAP_DATA;

	return offset < data + 4 && data < offset + width;
}

static uint32_t vp_config_read(struct pci_function *fn, unsigned offset, unsigned width,
			       uint32_t value)
{
	struct virtio_pci *vp = fn->opaque;
	unsigned data = vp->cfg_cap + VIRTIO_PCI_CFG_CAP_DATA;
	uint32_t where;
	unsigned len;

	if (!touches_cfg_data(vp, offset, width) || !cfg_window(vp, &where, &len))
		return value;
	uint32_t read = (uint32_t)modern_read(vp, where, len);
	for (unsigned i = 0; i < len; i++)
		pci_config_set8(fn, data + i, (uint8_t)(read >> (8 * i)));
	value = 0;
	for (unsigned i = 0; i < width; i++)
		value |= (uint32_t)pci_config_get8(fn, offset + i) << (8 * i);
	return value;
}

static void vp_config_write(struct pci_function *fn, unsigned offset, unsigned width,
			    uint32_t value)
{
	struct virtio_pci *vp = fn->opaque;
	uint32_t where;
	unsigned len;

	(void)value;
	if (!touches_cfg_data(vp, offset, width) || !cfg_window(vp, &where, &len))
		return;
	uint32_t data = pci_config_get32(fn, vp->cfg_cap + VIRTIO_PCI_CFG_CAP_DATA);
	modern_write(vp, where, len, len == 4 ? data : data & ((1u << (8 * len)) - 1));
}

static void vp_function_reset(struct pci_function *fn)
{
	struct virtio_pci *vp = fn->opaque;

	virtio_reset(vp->vdev);
}

static const struct pci_function_ops vp_function_ops = {
	.config_read = vp_config_read,
	.config_write = vp_config_write,
	.reset = vp_function_reset,
};

/* ---- creation ------------------------------------------------------------- */

/* Transitional PCI device ids (4.1.2.1). */
static uint16_t transitional_id(uint16_t type)
{
	switch (type) {
	case 1: return 0x1000;   /* network     */
	case 2: return 0x1001;   /* block       */
	case 3: return 0x1003;   /* console     */
	case 4: return 0x1005;   /* entropy     */
	case 5: return 0x1002;   /* balloon     */
	case 8: return 0x1004;   /* SCSI host   */
	case 9: return 0x1009;   /* 9P          */
	default: return 0;
	}
}

/* Class codes as QEMU's virtio-*-pci devices report them. */
static uint32_t class_code(uint16_t type)
{
	switch (type) {
	case VIRTIO_ID_NET: return 0x020000;      /* network, ethernet     */
	case VIRTIO_ID_BLOCK: return 0x010000;    /* mass storage, SCSI    */
	case VIRTIO_ID_CONSOLE: return 0x078000;  /* communication, other  */
	default: return 0xFF0000;                 /* unclassified          */
	}
}

static int add_cap(struct virtio_pci *vp, uint8_t type, uint32_t offset, uint32_t length,
		   unsigned size)
{
	struct pci_function *fn = &vp->pci;
	int cap = pci_add_capability(fn, PCI_CAP_ID_VENDOR, size);

	if (cap < 0)
		return cap;
	pci_config_set8(fn, (unsigned)cap + VIRTIO_PCI_CAP_LEN, (uint8_t)size);
	pci_config_set8(fn, (unsigned)cap + VIRTIO_PCI_CAP_CFG_TYPE, type);
	pci_config_set8(fn, (unsigned)cap + VIRTIO_PCI_CAP_BAR, VIRTIO_PCI_MODERN_BAR);
	pci_config_set32(fn, (unsigned)cap + VIRTIO_PCI_CAP_OFFSET, offset);
	pci_config_set32(fn, (unsigned)cap + VIRTIO_PCI_CAP_LENGTH, length);
	return cap;
}

static int build_function(struct virtio_pci *vp)
{
	struct pci_function *fn = &vp->pci;
	struct virtio_device *vdev = vp->vdev;
	int err, cap;

	err = pci_function_init(fn, &vp->info, vp);
	if (err)
		return err;
	if (vp->kind == VIRTIO_PCI_TRANSITIONAL) {
		err = pci_declare_bar(fn, VIRTIO_PCI_LEGACY_BAR, PCI_BAR_IO, vp->legacy_size, false);
		if (!err)
			err = pci_bar_set_handler(fn, VIRTIO_PCI_LEGACY_BAR, &legacy_ops, vp,
						  &legacy_rules);
		if (err)
			return err;
	}
	err = pci_declare_bar(fn, VIRTIO_PCI_MODERN_BAR, PCI_BAR_MEM64, VIRTIO_PCI_MODERN_BAR_SIZE,
			      true);
	if (!err)
		err = pci_bar_set_handler(fn, VIRTIO_PCI_MODERN_BAR, &modern_ops, vp, &vp_rules);
	if (err)
		return err;
	if ((cap = add_cap(vp, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFFSET,
			   VIRTIO_PCI_REGION_SIZE, 16)) < 0)
		return cap;
	if ((cap = add_cap(vp, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_OFFSET,
			   VIRTIO_PCI_REGION_SIZE, 20)) < 0)
		return cap;
	pci_config_set32(fn, (unsigned)cap + VIRTIO_PCI_NOTIFY_CAP_MULT, VIRTIO_PCI_NOTIFY_MULTIPLIER);
	if ((cap = add_cap(vp, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFFSET,
			   VIRTIO_PCI_REGION_SIZE, 16)) < 0)
		return cap;
	if ((cap = add_cap(vp, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVICE_OFFSET,
			   VIRTIO_PCI_REGION_SIZE, 16)) < 0)
		return cap;
	if ((cap = add_cap(vp, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 20)) < 0)
		return cap;
	vp->cfg_cap = (unsigned)cap;
	/* cap.bar, cap.offset, cap.length and pci_cfg_data are the driver's (4.1.4.9). */
	pci_config_set_wmask(fn, vp->cfg_cap + VIRTIO_PCI_CAP_BAR, 1, 0xFF);
	pci_config_set_wmask(fn, vp->cfg_cap + VIRTIO_PCI_CAP_OFFSET, 4, 0xFFFFFFFFu);
	pci_config_set_wmask(fn, vp->cfg_cap + VIRTIO_PCI_CAP_LENGTH, 4, 0xFFFFFFFFu);
	pci_config_set_wmask(fn, vp->cfg_cap + VIRTIO_PCI_CFG_CAP_DATA, 4, 0xFFFFFFFFu);
	return pci_msix_init(&vp->msix, fn, VIRTIO_PCI_MSIX_BAR, vdev->num_queues + 1);
}

static uint32_t power_of_two_at_least(uint32_t x)
{
	uint32_t p = 1;

	while (p < x)
		p <<= 1;
	return p;
}

struct virtio_pci *virtio_pci_create(struct pci_host *host, unsigned slot,
				     struct virtio_device *vdev, enum virtio_pci_kind kind)
{
	return host ? virtio_pci_create_on_bus(pci_host_root_bus(host), slot, vdev, kind) : NULL;
}

struct virtio_pci *virtio_pci_create_on_bus(struct pci_bus *bus, unsigned slot,
					    struct virtio_device *vdev, enum virtio_pci_kind kind)
{
	if (!bus || !vdev || (kind != VIRTIO_PCI_MODERN && kind != VIRTIO_PCI_TRANSITIONAL) ||
	    (kind == VIRTIO_PCI_TRANSITIONAL && !transitional_id(vdev->device_id)) ||
	    vdev->device_id > 0x3F)
		return NULL;
	struct virtio_pci *vp = kzalloc(sizeof(*vp));
	if (!vp)
		return NULL;
	vp->vdev = vdev;
	vp->kind = kind;
	vp->warnings = VPCI_WARN_LIMIT;
	vp->legacy_size = power_of_two_at_least(VIRTIO_PCI_LEGACY_CONFIG_MSIX + vdev->config_size);
	vp->info = (struct pci_function_info){
		.name = vdev->name,
		.vendor_id = VIRTIO_PCI_VENDOR_ID,
		.device_id = kind == VIRTIO_PCI_MODERN ?
			     (uint16_t)(VIRTIO_PCI_MODERN_ID_BASE + vdev->device_id) :
			     transitional_id(vdev->device_id),
		.class_code = class_code(vdev->device_id),
		.revision = kind == VIRTIO_PCI_MODERN ? 1 : 0,
		.subsystem_vendor_id = kind == VIRTIO_PCI_MODERN ? 0 : VIRTIO_PCI_VENDOR_ID,
		.subsystem_id = kind == VIRTIO_PCI_MODERN ? 0 : vdev->device_id,
		.interrupt_pin = 1,
		.ops = &vp_function_ops,
	};
	if (build_function(vp)) {
		pci_function_release(&vp->pci);
		kfree(vp);
		return NULL;
	}
	if (virtio_device_set_transport(vdev, &vp_transport_ops, vp)) {
		log_error("%s: already has a transport", vdev->name);
		pci_function_release(&vp->pci);
		kfree(vp);
		return NULL;
	}
	if (pci_bus_attach(bus, slot, 0, &vp->pci)) {
		virtio_device_clear_transport(vdev);
		pci_function_release(&vp->pci);
		kfree(vp);
		return NULL;
	}
	pci_function_reset(&vp->pci);
	return vp;
}

struct irq_line *virtio_pci_intx(struct virtio_pci *vpci)
{
	return &vpci->pci.intx;
}

struct pci_function *virtio_pci_function(struct virtio_pci *vpci)
{
	return &vpci->pci;
}

void virtio_pci_reset(struct virtio_pci *vpci)
{
	pci_function_reset(&vpci->pci);
}

void virtio_pci_destroy(struct virtio_pci *vpci)
{
	if (!vpci)
		return;
	if (vpci->pci.host)
		pci_host_detach(vpci->pci.host, &vpci->pci);
	virtio_device_clear_transport(vpci->vdev);
	pci_function_release(&vpci->pci);
	kfree(vpci);
}
