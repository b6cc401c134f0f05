/* SPDX-License-Identifier: MIT */
/*
 * Device classes and machines for the configuration tests: the parser
 * sees whatever the program links, so the tests bring their own.
 *
 *   architecture "testarch": machine "alpha" (the default) with two
 *   device instances, machine "beta" with none
 */
#ifndef VM_TEST_MACHINES_H
#define VM_TEST_MACHINES_H

#include <bus/device.h>
#include <vm/machine.h>

#define TEST_ARCH "testarch"

static const struct device_prop tclock_props[] = {
	{ "epoch", DEVICE_PROP_U64, "0", 0, 1000, "seconds at power-on" },
	{ "zone", DEVICE_PROP_STRING, "utc", 0, 0, "time zone name" },
	{ "frozen", DEVICE_PROP_BOOL, "off", 0, 0, "never counts" },
};

static const struct device_prop tdisk_props[] = {
	{ "image", DEVICE_PROP_FILE, NULL, 0, 0, "the disk image in the boot archive" },
	{ "readonly", DEVICE_PROP_BOOL, "off", 0, 0, "refuse writes" },
};

DEVICE_CLASS(tuart_class) = {
	.name = "tuart", .description = "a test UART",
	.ranges = { DEVICE_MMIO(0x100) }, .range_count = 1, .irq_count = 1,
	.fdt_name = "tuart", .fdt_compatible = { "test,uart" },
};

DEVICE_CLASS(tclock_class) = {
	.name = "tclock", .description = "a test clock",
	.ranges = { DEVICE_MMIO(0x1000) }, .range_count = 1, .irq_count = 1,
	.props = tclock_props, .prop_count = 3,
};

DEVICE_CLASS(tdisk_class) = {
	.name = "tdisk", .description = "a test disk with two ranges and two interrupts",
	.ranges = { DEVICE_MMIO(0x200), DEVICE_PIO(8) }, .range_count = 2,
	.irq_count = 2, .props = tdisk_props, .prop_count = 2,
	.boot_device = true,
};

DEVICE_CLASS(tport_class) = {
	.name = "tport", .description = "a legacy device at a fixed port",
	.ranges = { DEVICE_PIO_FIXED(0x60, 4) }, .range_count = 1,
};

#include <stdio.h>
#include <string.h>

/* disk n: a tdisk at 0x10000 + n * 0x1000 on irq 20 + n and port 0x400 + 8n. */
static int alpha_disk(unsigned int n, const char *transport, char *line, size_t size)
{
	if (transport[0] && strcmp(transport, "fast") != 0) {
		snprintf(line, size, "the alpha machine has transport=fast only, not '%s'", transport);
		return -1;
	}
	snprintf(line, size, "tdisk name=disk%u base=0x%x port=0x%x irq=%u,%u", n, 0x10000 + n * 0x1000,
		 0x400 + n * 8, 20 + 2 * n, 21 + 2 * n);
	return 0;
}

static const char *const alpha_devices[] = {
	"tuart name=uart0 base=0x1000 irq=1",
	"tclock name=clock0 base=0x2000 irq=2 epoch=5",
};

MACHINE(alpha_machine) = {
	.name = "alpha", .arch = TEST_ARCH, .is_default = true, .has_ports = true,
	.ram_below_4g_max = 0xE0000000ull,
	.devices = alpha_devices, .device_count = 2, .console = "uart0",
	.disk_device = alpha_disk,
};

MACHINE(beta_machine) = {
	.name = "beta", .arch = TEST_ARCH,
};

/* disk n: what it sits on (a tclock "hub" standing in for a root port), then the disk. */
static int gamma_disk(unsigned int n, const char *transport, char *line, size_t size)
{
	(void)transport;
	snprintf(line, size, "tclock name=hub%u base=0x%x irq=%u\n"
		 "tdisk name=disk%u base=0x%x port=0x%x irq=%u,%u", n, 0x30000 + n * 0x1000, 40 + n,
		 n, 0x10000 + n * 0x1000, 0x400 + n * 8, 20 + 2 * n, 21 + 2 * n);
	return 0;
}

MACHINE(gamma_machine) = {
	.name = "gamma", .arch = TEST_ARCH, .has_ports = true,
	.disk_device = gamma_disk,
};

#endif
