/* SPDX-License-Identifier: MIT */
/*
 * The pcie-root-port device class: a PCI Express root port (QEMU's
 * generic one, 1B36:000C; <pci/pcie_root_port.h>) on the board's root
 * bus, with one slot below it.  A function whose device line says
 * bus=<this instance's name> goes there:
 *
 *   pcie-root-port name=rp0 slot=2
 *   virtio-blk-pci name=disk0 bus=rp0 image=guests/disk.img
 *
 * The port forwards its secondary bus's INTA..INTD, swizzled, as the INTx
 * pins of its own slot, which the board routes like any root-bus slot;
 * the firmware numbers the bus and opens the port's windows.
 */
#include <errno.h>

#include <bus/device.h>
#include <core/log.h>
#include <pci/bridge.h>
#include <pci/pcie_root_port.h>

static int root_port_create(struct device *dev)
{
	const struct device_env *env = dev->env;
	unsigned int slot = (unsigned int)device_prop_u64(dev, "slot");
	unsigned int function = (unsigned int)device_prop_u64(dev, "function");
	uint64_t chassis = device_prop_u64(dev, "chassis");
	struct pcie_root_port *rp;

	if (!env->pci || !env->pci_intx_sink) {
		log_error("VM %s: %s: this board has no PCI Express bus", env->vm_name, dev->name);
		return -EINVAL;
	}
	rp = pcie_root_port_create(pci_host_root_bus(env->pci), slot, function,
				   (uint8_t)(chassis ? chassis : slot), (uint16_t)slot);
	if (!rp) {
		log_error("VM %s: %s: PCI slot %u.%u is taken", env->vm_name, dev->name, slot,
			  function);
		return -EBUSY;
	}
	for (unsigned int pin = 0; pin < 4; pin++)
		irq_line_connect(pcie_root_port_intx_out(rp, pin), env->pci_intx_sink,
				 env->pci_intx_ctx, slot * 4 + pin);
	dev->state = rp;
	return 0;
}

static void root_port_destroy(struct device *dev)
{
	if (dev->state)
		pcie_root_port_destroy(dev->state);
	dev->state = NULL;
}

static void *root_port_bus(struct device *dev)
{
	return dev->state ? pcie_root_port_secondary(dev->state) : NULL;
}

static const struct device_prop root_port_props[] = {
	{ "slot", DEVICE_PROP_U64, NULL, 1, 31, "the PCI slot (device number) on the root bus" },
	{ "function", DEVICE_PROP_U64, "0", 0, 7, "the function number in the slot" },
	{ "chassis", DEVICE_PROP_U64, "0", 0, 255,
	  "the chassis number of its slot capability (0: the slot number)" },
};

DEVICE_CLASS(pcie_root_port_class) = {
	.name = "pcie-root-port",
	.description = "PCI Express root port with one slot (QEMU pcie-root-port, 1B36:000C)",
	.props = root_port_props,
	.prop_count = 3,
	.create = root_port_create,
	.destroy = root_port_destroy,
	.pci_bus = root_port_bus,
};
