/* SPDX-License-Identifier: MIT */
/*
 * The virtio-blk device classes: how a VM gets a disk (<bus/device.h>).
 *
 *   virtio-blk-mmio   on a virtio-mmio transport: one 0x200-byte window
 *                     and one interrupt (QEMU's virt board has 32 such
 *                     slots from 0x0A000000, SPI 16 upward)
 *   virtio-blk-pci    a PCI function in the board's slot: transitional
 *                     (1AF4:1001, legacy I/O BAR and modern structures)
 *                     or modern only (1AF4:1042); INTx or MSI-X
 *
 * The disk is a file of the boot archive copied into memory the VM owns
 * (memdisk): the guest may write it, two VMs never share writes, and the
 * writes are lost when the VM powers off (said once at VM start).  Or it
 * is a partition of the host disk, "host:<name>" (hostdisk): what the
 * guest writes is kept there, and FLUSH reaches the physical disk.  A VM
 * configuration names it with "disk = <file>" (the machine picks the
 * class and slot) or with a device line of its own.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <blockdev/blockdev.h>
#include <bus/device.h>
#include <core/log.h>
#include <core/mm.h>
#include <lib/fdt_writer.h>
#include <virtio/virtio_blk.h>
#include <virtio/virtio_mmio.h>
#include <virtio/virtio_pci.h>
#ifdef CONFIG_VIRTIO_PCI
#include <pci/bridge.h>
#endif
#ifdef CONFIG_HOSTDISK
#include <hostdisk/hostdisk.h>
#endif

struct virtio_blk_dev {
	void *image;                 /* the VM's copy of the disk image */
	size_t image_pages;
	struct blockdev *disk;
	struct virtio_blk *blk;
	struct virtio_mmio *mmio;
	struct virtio_pci *pci;
};

static void free_disk(struct virtio_blk_dev *d)
{
	if (d->blk)
		virtio_blk_destroy(d->blk);
	if (d->disk)
		blockdev_destroy(d->disk);
	if (d->image)
		page_free(d->image, d->image_pages);
	kfree(d);
}

/* "host:<partition>": the partition of the host disk, for this VM alone. */
static struct virtio_blk_dev *open_host_disk(struct device *dev, const char *path, bool read_only)
{
	const struct device_env *env = dev->env;
	struct virtio_blk_dev *d;
	char owner[32], why[200];

#ifdef CONFIG_HOSTDISK
	d = kzalloc(sizeof(*d));
	if (!d)
		return NULL;
	snprintf(owner, sizeof(owner), "VM %s", env->vm_name);
	d->disk = hostdisk_open(path + 5, owner, env->device_lock, why, sizeof(why));
	if (!d->disk) {
		log_error("VM %s: %s: %s", env->vm_name, dev->name, why);
		kfree(d);
		return NULL;
	}
	d->disk->read_only = read_only;
	d->blk = virtio_blk_create(dev->name, env->mem, d->disk, dev->name);
	if (!d->blk) {
		free_disk(d);
		return NULL;
	}
	log_info("VM %s: disk %s: host disk partition '%s', %llu MiB%s: its writes are kept",
		 env->vm_name, dev->name, path + 5, (unsigned long long)(d->disk->size >> 20),
		 read_only ? ", read-only" : "");
	return d;
#else
	(void)d;
	(void)owner;
	(void)why;
	(void)read_only;
	log_error("VM %s: %s: '%s' is on the host disk, and this image has no host disk support",
		  env->vm_name, dev->name, path);
	return NULL;
#endif
}

/* The image of the instance's "image" property, copied, as a virtio-blk. */
static struct virtio_blk_dev *open_disk(struct device *dev)
{
	const struct device_env *env = dev->env;
	const char *path = device_prop_text(dev, "image");
	bool read_only = device_prop_bool(dev, "readonly");
	struct virtio_blk_dev *d;
	const void *data;
	size_t size = 0;

	if (strncmp(path, "host:", 5) == 0)
		return open_host_disk(dev, path, read_only);

	data = env->file ? env->file(env->vm, path, &size) : NULL;
	if (!data) {
		log_error("VM %s: %s: image '%s' is not in the boot archive", env->vm_name, dev->name,
			  path);
		return NULL;
	}
	if (size < 512) {
		log_error("VM %s: %s: image '%s' is %zu bytes, less than one 512-byte sector",
			  env->vm_name, dev->name, path, size);
		return NULL;
	}
	d = kzalloc(sizeof(*d));
	if (!d)
		return NULL;
	d->image_pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	d->image = page_alloc(d->image_pages);
	if (!d->image) {
		log_error("VM %s: %s: no memory for a copy of '%s' (%zu MiB)", env->vm_name,
			  dev->name, path, size >> 20);
		kfree(d);
		return NULL;
	}
	memcpy(d->image, data, size);
	d->disk = memdisk_create(dev->name, d->image, size, read_only);
	d->blk = d->disk ? virtio_blk_create(dev->name, env->mem, d->disk, dev->name) : NULL;
	if (!d->blk) {
		free_disk(d);
		return NULL;
	}
	log_info("VM %s: disk %s: '%s', %llu MiB%s, in the VM's memory: its writes are lost at "
		 "power-off", env->vm_name, dev->name, path, (unsigned long long)(size >> 20),
		 read_only ? ", read-only" : "");
	return d;
}

static void virtio_blk_dev_destroy(struct device *dev)
{
	struct virtio_blk_dev *d = dev->state;

	if (d->mmio)
		virtio_mmio_destroy(d->mmio);
	if (d->pci)
		virtio_pci_destroy(d->pci);
	free_disk(d);
}

#ifdef CONFIG_VIRTIO_MMIO
static int virtio_blk_mmio_create(struct device *dev)
{
	struct virtio_blk_dev *d = open_disk(dev);

	if (!d)
		return -EINVAL;
	d->mmio = virtio_mmio_create(dev->env->bus, dev->base[0], virtio_blk_device(d->blk));
	if (!d->mmio) {
		free_disk(d);
		return -EBUSY;
	}
	dev->state = d;
	dev->irq_out[0] = virtio_mmio_irq(d->mmio);
	return 0;
}

static void virtio_blk_mmio_reset(struct device *dev)
{
	struct virtio_blk_dev *d = dev->state;

	virtio_mmio_reset(d->mmio);
}

/* QEMU's virt nodes say the transport's DMA is cache-coherent. */
static void virtio_mmio_fdt_extra(const struct device *dev, struct fdt_writer *w,
				  const struct device_fdt_env *fe)
{
	(void)dev;
	(void)fe;
	fdt_writer_property_empty(w, "dma-coherent");
}

/* QEMU: virtio_mmio_bus_get_dev_path() and virtio-blk's "disk@0,0". */
static size_t virtio_blk_mmio_boot_path(const struct device *dev, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/virtio-mmio@%016llx/disk@0,0",
			 (unsigned long long)dev->base[0]);

	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

static const struct device_prop virtio_blk_mmio_props[] = {
	{ "image", DEVICE_PROP_FILE, NULL, 0, 0,
	  "the disk image (raw) in the boot archive, or host:<partition>" },
	{ "readonly", DEVICE_PROP_BOOL, "off", 0, 0, "refuse the guest's writes" },
};

DEVICE_CLASS(virtio_blk_mmio_class) = {
	.name = "virtio-blk-mmio",
	.description = "virtio-blk disk on a virtio-mmio transport (QEMU virtio-blk-device)",
	.ranges = { DEVICE_MMIO(VIRTIO_MMIO_SIZE) },
	.range_count = 1,
	.irq_count = 1,
	.props = virtio_blk_mmio_props,
	.prop_count = 2,
	.boot_device = true,
	.boot_path = virtio_blk_mmio_boot_path,
	.create = virtio_blk_mmio_create,
	.reset = virtio_blk_mmio_reset,
	.destroy = virtio_blk_dev_destroy,
	.fdt_name = "virtio_mmio",
	.fdt_compatible = { "virtio,mmio" },
	.fdt_extra = virtio_mmio_fdt_extra,
	/* QEMU virt's DSDT (hw/arm/virt-acpi-build.c acpi_dsdt_add_virtio); Linux's
	 * virtio_mmio driver matches LNRO0005. */
	.acpi_hid = "LNRO0005",
	.acpi_name = "VR",
	.acpi_cca = true,
};
#endif

#ifdef CONFIG_VIRTIO_PCI
/*
 * The bus the function goes on: bus=root (the default) is the host's bus
 * 0, any other value names a bridge instance made before this one (q35:
 * "pcie-root-port name=rp0 slot=2", then "virtio-blk-pci bus=rp0").
 */
static struct pci_bus *pci_bus_of(struct device *dev)
{
	const struct device_env *env = dev->env;
	const char *name = device_prop_text(dev, "bus");
	struct device *bridge;

	if (strcmp(name, "root") == 0)
		return pci_host_root_bus(env->pci);
	bridge = env->find_device ? env->find_device(env->vm, name) : NULL;
	if (!bridge || !bridge->cls->pci_bus) {
		log_error("VM %s: %s: bus=%s names no PCI bridge made before it (a "
			  "pcie-root-port line comes first)", env->vm_name, dev->name, name);
		return NULL;
	}
	return bridge->cls->pci_bus(bridge);
}

/*
 * transitional=auto: transitional on the root bus, modern only behind a
 * PCI Express port, as QEMU's disable-legacy=auto (a legacy I/O BAR has
 * no place behind a port, which has no I/O to spare on a PCIe fabric).
 */
static int pci_kind_of(struct device *dev, bool root, enum virtio_pci_kind *kind)
{
	const char *t = device_prop_text(dev, "transitional");

	if (strcmp(t, "auto") == 0)
		*kind = root ? VIRTIO_PCI_TRANSITIONAL : VIRTIO_PCI_MODERN;
	else if (strcmp(t, "on") == 0 && root)
		*kind = VIRTIO_PCI_TRANSITIONAL;
	else if (strcmp(t, "off") == 0)
		*kind = VIRTIO_PCI_MODERN;
	else {
		log_error("VM %s: %s: transitional=%s: %s", dev->env->vm_name, dev->name, t,
			  strcmp(t, "on") == 0
				  ? "a transitional device goes on the root bus (drop bus=, give "
				    "slot=); behind a PCI Express port it is modern only"
				  : "say on, off or auto");
		return -EINVAL;
	}
	return 0;
}

static int virtio_blk_pci_create(struct device *dev)
{
	const struct device_env *env = dev->env;
	unsigned int slot = (unsigned int)device_prop_u64(dev, "slot");
	enum virtio_pci_kind kind;
	struct virtio_blk_dev *d;
	struct pci_bus *bus;
	bool root;

	if (!env->pci || !env->pci_intx_sink) {
		log_error("VM %s: %s: this board has no PCI bus", env->vm_name, dev->name);
		return -EINVAL;
	}
	bus = pci_bus_of(dev);
	if (!bus)
		return -EINVAL;
	root = pci_bus_is_root(bus);
	if (root && slot == 0) {
		log_error("VM %s: %s: slot 0 of the root bus is the host bridge; give slot=1..31",
			  env->vm_name, dev->name);
		return -EINVAL;
	}
	if (!root && slot != 0) {
		log_error("VM %s: %s: behind %s only slot 0 exists (a PCI Express port has one "
			  "device below it); drop slot=", env->vm_name, dev->name,
			  device_prop_text(dev, "bus"));
		return -EINVAL;
	}
	if (pci_kind_of(dev, root, &kind))
		return -EINVAL;
	d = open_disk(dev);
	if (!d)
		return -EINVAL;
	d->pci = virtio_pci_create_on_bus(bus, slot, virtio_blk_device(d->blk), kind);
	if (!d->pci) {
		log_error("VM %s: %s: PCI slot %u of bus=%s is taken", env->vm_name, dev->name, slot,
			  device_prop_text(dev, "bus"));
		free_disk(d);
		return -EBUSY;
	}
	/* On the root bus: INTA of the slot, which the board routes (pin
	 * encoding slot * 4 + pin - 1).  Behind a bridge the bridge has it. */
	if (root)
		irq_line_connect(virtio_pci_intx(d->pci), env->pci_intx_sink, env->pci_intx_ctx,
				 slot * 4);
	dev->state = d;
	return 0;
}

static void virtio_blk_pci_dev_reset(struct device *dev)
{
	struct virtio_blk_dev *d = dev->state;

	virtio_pci_reset(d->pci);
}

/*
 * QEMU's OpenFirmware path: the host bridge at I/O port 0xcf8, a bridge
 * as pci-bridge@<slot>[,<function>], the function by its class (mass
 * storage: "scsi") and slot, virtio-blk's "disk@0,0".
 */
static size_t virtio_blk_pci_boot_path(const struct device *dev, char *buf, size_t len)
{
	const struct virtio_blk_dev *d = dev->state;
	const struct pci_function *fn = d && d->pci ? virtio_pci_function(d->pci) : NULL;
	const struct pci_bus *bus = fn ? pci_function_parent_bus(fn) : NULL;
	char bridges[64] = "";
	size_t used = 0;
	int n;

	/* Bridges from the root down: at most a few levels on our boards. */
	const struct pci_function *chain[4];
	unsigned int depth = 0;

	while (bus && !pci_bus_is_root(bus) && depth < 4) {
		chain[depth] = pci_bus_bridge_function(bus);
		bus = pci_function_parent_bus(chain[depth]);
		depth++;
	}
	while (depth--) {
		unsigned int devfn = chain[depth]->devfn;

		n = snprintf(bridges + used, sizeof(bridges) - used, (devfn & 7) ? "/pci-bridge@%x,%x"
										 : "/pci-bridge@%x",
			     devfn >> 3, devfn & 7);
		if (n < 0 || (size_t)n >= sizeof(bridges) - used)
			return 0;
		used += (size_t)n;
	}
	n = snprintf(buf, len, "/pci@i0cf8%s/scsi@%x/disk@0,0", bridges,
		     fn ? (unsigned int)fn->devfn >> 3 : (unsigned int)device_prop_u64(dev, "slot"));
	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

static const struct device_prop virtio_blk_pci_props[] = {
	{ "image", DEVICE_PROP_FILE, NULL, 0, 0,
	  "the disk image (raw) in the boot archive, or host:<partition>" },
	{ "readonly", DEVICE_PROP_BOOL, "off", 0, 0, "refuse the guest's writes" },
	{ "slot", DEVICE_PROP_U64, "0", 0, 31,
	  "the PCI slot (device number): 1..31 on the root bus, 0 behind a port" },
	{ "transitional", DEVICE_PROP_STRING, "auto", 0, 0,
	  "on: also the legacy interface (1AF4:1001, an I/O BAR) for legacy-only drivers; "
	  "off: modern only (1AF4:1042); auto: on on the root bus, off behind a port" },
	{ "bus", DEVICE_PROP_STRING, "root", 0, 0,
	  "root (bus 0), or the name of the pcie-root-port it sits behind" },
};

DEVICE_CLASS(virtio_blk_pci_class) = {
	.name = "virtio-blk-pci",
	.description = "virtio-blk disk as a PCI function (QEMU virtio-blk-pci)",
	.props = virtio_blk_pci_props,
	.prop_count = 5,
	.boot_device = true,
	.boot_path = virtio_blk_pci_boot_path,
	.create = virtio_blk_pci_create,
	.reset = virtio_blk_pci_dev_reset,
	.destroy = virtio_blk_dev_destroy,
};
#endif
