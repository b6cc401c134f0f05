/* SPDX-License-Identifier: MIT */
/*
 * Generic PCI: configuration space semantics, BARs, capabilities, INTx,
 * mechanism #1 and ECAM, all driven by guest accesses on the bus.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include <bus/bus.h>
#include <host/support.h>
#include <pci/pci.h>
#include "pci_test_access.h"

#define ECAM_BASE 0xE0000000ull
#define ECAM_BUSES 16
#define TEST_DEV 3

struct bar_event {
	unsigned bar;
	uint64_t base;
	bool enabled;
};

struct test_device {
	struct pci_function pci;
	struct bar_event events[32];
	unsigned event_count;
	unsigned config_writes;
	unsigned last_write_offset, last_write_width;
	uint32_t last_write_value;
	unsigned resets;
};

static void testdev_bar_update(struct pci_function *fn, unsigned bar, uint64_t base, bool enabled)
{
	struct test_device *dev = fn->opaque;
	if (dev->event_count < 32)
		dev->events[dev->event_count] = (struct bar_event){ bar, base, enabled };
	dev->event_count++;
}

static void testdev_config_write(struct pci_function *fn, unsigned offset, unsigned width,
			      uint32_t value)
{
	struct test_device *dev = fn->opaque;
	dev->config_writes++;
	dev->last_write_offset = offset;
	dev->last_write_width = width;
	dev->last_write_value = value;
}

static void testdev_reset(struct pci_function *fn)
{
	struct test_device *dev = fn->opaque;
	dev->resets++;
}

static const struct pci_function_ops test_ops = {
	.bar_update = testdev_bar_update,
	.config_write = testdev_config_write,
	.reset = testdev_reset,
};

static const struct pci_function_info test_info = {
	.name = "testdev",
	.vendor_id = 0x1AF4,
	.device_id = 0x1000,
	.class_code = 0x020000,
	.revision = 0x01,
	.interrupt_pin = 1,
	.ops = &test_ops,
};

static const struct pci_function_info express_info = {
	.name = "express",
	.vendor_id = 0x1B36,
	.device_id = 0x000D,
	.class_code = 0x0C0330,
	.subsystem_vendor_id = 0x1B36,
	.subsystem_id = 0x0001,
	.express = true,
};

static const struct pci_function_info plain_info = {
	.name = "plain",
	.vendor_id = 0x8086,
	.device_id = 0x100E,
	.class_code = 0x020000,
};

struct fixture {
	struct bus *bus;
	struct pci_host *host;
	struct test_device dev;
	struct pci_function express;    /* 00:04.0, 4 KiB config space */
	struct pci_function plain0;     /* 00:05.0 */
	struct pci_function plain1;     /* 00:05.1 */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->bus = bus_create("test");
	f->host = pci_host_create(f->bus, "pci0");
	assert_int_equal(pci_host_register_cf8(f->host), 0);
	assert_int_equal(pci_host_map_ecam(f->host, ECAM_BASE, ECAM_BUSES), 0);

	assert_int_equal(pci_function_init(&f->dev.pci, &test_info, &f->dev), 0);
	assert_int_equal(pci_declare_bar(&f->dev.pci, 0, PCI_BAR_IO, 0x40, false), 0);
	assert_int_equal(pci_declare_bar(&f->dev.pci, 1, PCI_BAR_MEM32, 0x1000, false), 0);
	assert_int_equal(pci_declare_bar(&f->dev.pci, 2, PCI_BAR_MEM64, 0x4000, true), 0);
	assert_int_equal(pci_host_attach(f->host, TEST_DEV, 0, &f->dev.pci), 0);

	assert_int_equal(pci_function_init(&f->express, &express_info, NULL), 0);
	assert_int_equal(pci_host_attach(f->host, 4, 0, &f->express), 0);
	assert_int_equal(pci_function_init(&f->plain0, &plain_info, NULL), 0);
	assert_int_equal(pci_function_init(&f->plain1, &plain_info, NULL), 0);
	assert_int_equal(pci_host_attach(f->host, 5, 1, &f->plain1), 0);
	assert_int_equal(pci_host_attach(f->host, 5, 0, &f->plain0), 0);
	host_console_clear();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	pci_host_destroy(f->host);
	pci_function_release(&f->dev.pci);
	pci_function_release(&f->express);
	pci_function_release(&f->plain0);
	pci_function_release(&f->plain1);
	bus_destroy(f->bus);
	free(f);
	return 0;
}

static void test_cf8_probe_and_address_register(void **state)
{
	struct fixture *f = *state;
	/* SeaBIOS pci_probe_host. */
	pio_out(f->bus, 0xCF8, 4, 0x80000000u);
	assert_int_equal(pio_in(f->bus, 0xCF8, 4), 0x80000000u);
	/* Reserved bits 30:24 and 1:0 read as 0. */
	pio_out(f->bus, 0xCF8, 4, 0xFFFFFFFFu);
	assert_int_equal(pio_in(f->bus, 0xCF8, 4), 0x80FFFFFCu);
	assert_int_equal(pci_host_cf8_address(f->host), 0x80FFFFFCu);
	/* Linux's type-1 check writes a byte to 0xCFB: the latch keeps its value. */
	pio_out(f->bus, 0xCFB, 1, 0x01);
	pio_out(f->bus, 0xCF8, 2, 0x1234);
	assert_int_equal(pio_in(f->bus, 0xCF8, 4), 0x80FFFFFCu);
	assert_int_equal(pio_in(f->bus, 0xCF8, 1), 0xFF);
	/* 0xCF9 with nobody plugged in reads all-ones. */
	assert_int_equal(pio_in(f->bus, 0xCF9, 1), 0xFF);
	pio_out(f->bus, 0xCF9, 1, 0x06);
}

static void test_scan_finds_functions_and_empty_slots(void **state)
{
	struct fixture *f = *state;
	unsigned found = 0;

	for (unsigned dev = 0; dev < 32; dev++) {
		uint32_t id = cf8_read(f->bus, dev, 0, PCI_VENDOR_ID, 4);
		switch (dev) {
		case TEST_DEV:
			assert_int_equal(id, 0x10001AF4u);
			found++;
			break;
		case 4:
			assert_int_equal(id, 0x000D1B36u);
			found++;
			break;
		case 5:
			assert_int_equal(id, 0x100E8086u);
			found++;
			break;
		default:
			assert_int_equal(id, 0xFFFFFFFFu);
		}
	}
	assert_int_equal(found, 3);
	/* Function 1 present: function 0 says multi-function; others do not. */
	assert_int_equal(cf8_read(f->bus, 5, 0, PCI_HEADER_TYPE, 1), 0x80);
	assert_int_equal(cf8_read(f->bus, 5, 1, PCI_VENDOR_ID, 2), 0x8086);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_HEADER_TYPE, 1), 0x00);
	assert_int_equal(cf8_read(f->bus, 5, 2, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);
	/* Other buses are empty, writes there vanish. */
	pio_out(f->bus, 0xCF8, 4, cf8_address(1, TEST_DEV, 0, 0));
	assert_int_equal(pio_in(f->bus, 0xCFC, 4), 0xFFFFFFFFu);
	pio_out(f->bus, 0xCFC, 4, 0);
	/* Enable bit clear: nothing is addressed. */
	pio_out(f->bus, 0xCF8, 4, cf8_address(0, TEST_DEV, 0, 0) & 0x7FFFFFFFu);
	assert_int_equal(pio_in(f->bus, 0xCFC, 4), 0xFFFFFFFFu);
	pio_out(f->bus, 0xCFC, 2, 0);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_VENDOR_ID, 2), 0x1AF4);
}

static void test_header_fields(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_REVISION_ID, 4), 0x02000001u);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_CLASS_DEVICE, 2), 0x0200);
	/* Default subsystem ids, as QEMU gives every device. */
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001AF4u);
	assert_int_equal(cf8_read(f->bus, 4, 0, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x00011B36u);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_INTERRUPT_PIN, 1), 1);
	/* Read-only identity. */
	cf8_write(f->bus, TEST_DEV, 0, PCI_VENDOR_ID, 4, 0);
	cf8_write(f->bus, TEST_DEV, 0, PCI_INTERRUPT_PIN, 1, 4);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_VENDOR_ID, 4), 0x10001AF4u);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_INTERRUPT_PIN, 1), 1);
	/* Interrupt line, cache line size and latency timer are writable. */
	cf8_write(f->bus, TEST_DEV, 0, PCI_INTERRUPT_LINE, 1, 11);
	cf8_write(f->bus, TEST_DEV, 0, PCI_CACHE_LINE_SIZE, 2, 0x4010);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_INTERRUPT_LINE, 2), 0x010B);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_CACHE_LINE_SIZE, 4), 0x00004010u);
	/* Device-specific space is read-only unless the device opens it. */
	cf8_write(f->bus, TEST_DEV, 0, 0xF0, 4, 0xDEADBEEF);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, 0xF0, 4), 0);
	assert_int_equal(f->dev.config_writes, 5);
	assert_int_equal(f->dev.last_write_offset, 0xF0);
	assert_int_equal(f->dev.last_write_width, 4);
	assert_int_equal(f->dev.last_write_value, 0xDEADBEEF);
}

static void test_data_port_widths_and_offsets(void **state)
{
	struct fixture *f = *state;
	pio_out(f->bus, 0xCF8, 4, cf8_address(0, TEST_DEV, 0, 0));
	assert_int_equal(pio_in(f->bus, 0xCFC, 1), 0xF4);
	assert_int_equal(pio_in(f->bus, 0xCFD, 1), 0x1A);
	assert_int_equal(pio_in(f->bus, 0xCFE, 1), 0x00);
	assert_int_equal(pio_in(f->bus, 0xCFF, 1), 0x10);
	assert_int_equal(pio_in(f->bus, 0xCFC, 2), 0x1AF4);
	assert_int_equal(pio_in(f->bus, 0xCFE, 2), 0x1000);
	/* Misaligned word inside the data window: config bytes 1..2. */
	assert_int_equal(pio_in(f->bus, 0xCFD, 2), 0x001A);
	assert_int_equal(pio_in(f->bus, 0xCFC, 4), 0x10001AF4u);
	/* The register number's low bits in 0xCF8 are ignored. */
	pio_out(f->bus, 0xCF8, 4, cf8_address(0, TEST_DEV, 0, 0) | 3);
	assert_int_equal(pio_in(f->bus, 0xCFC, 4), 0x10001AF4u);
	/* Byte writes at each sub-offset land on the right byte. */
	pio_out(f->bus, 0xCF8, 4, cf8_address(0, TEST_DEV, 0, 0x0C));
	pio_out(f->bus, 0xCFD, 1, 0x40);
	pio_out(f->bus, 0xCFC, 1, 0x08);
	assert_int_equal(pio_in(f->bus, 0xCFC, 4), 0x00004008u);
	/* Beyond the 4 data ports is not ours. */
	enum bus_result r;
	guest_access(f->bus, BUS_SPACE_PIO, BUS_READ, 0xCFE, 4, 0, &r);
	assert_int_not_equal(r, BUS_OK);
}

static void test_command_and_status_masks(void **state)
{
	struct fixture *f = *state;
	cf8_write(f->bus, TEST_DEV, 0, PCI_COMMAND, 2, 0xFFFF);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_COMMAND, 2), 0x0407);
	cf8_write(f->bus, TEST_DEV, 0, PCI_COMMAND, 2, 0);
	/* Error bits are write-1-to-clear, capability bit read-only. */
	pci_config_set16(&f->dev.pci, PCI_STATUS, 0xF910);
	cf8_write(f->bus, TEST_DEV, 0, PCI_STATUS, 2, 0x8000);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_STATUS, 2), 0x7910);
	/* A dword write to command carries status ones in its high half. */
	cf8_write(f->bus, TEST_DEV, 0, PCI_COMMAND, 4, 0xFFFF0000u);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_COMMAND, 4), 0x00100000u);
}

static void assert_event(const struct test_device *dev, unsigned i, unsigned bar, uint64_t base,
			 bool enabled)
{
	assert_true(i < dev->event_count);
	assert_int_equal(dev->events[i].bar, bar);
	assert_int_equal(dev->events[i].base, base);
	assert_int_equal(dev->events[i].enabled, enabled);
}

static void test_io_bar_sizing_and_programming(void **state)
{
	struct fixture *f = *state;
	struct test_device *dev = &f->dev;
	const unsigned bar0 = PCI_BASE_ADDRESS_0;

	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, bar0, 4), 0x00000001u);
	/* Sizing: all-ones in, size mask out, the space bit kept. */
	cf8_write(f->bus, TEST_DEV, 0, bar0, 4, 0xFFFFFFFFu);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, bar0, 4), 0xFFFFFFC1u);
	assert_int_equal(dev->event_count, 1);
	assert_event(dev, 0, 0, 0xFFFFFFC0u, false);
	cf8_write(f->bus, TEST_DEV, 0, bar0, 4, 0xC000);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, bar0, 4), 0x0000C001u);
	assert_event(dev, 1, 0, 0xC000, false);
	/* Decoding starts with the command register's I/O bit. */
	cf8_write(f->bus, TEST_DEV, 0, PCI_COMMAND, 2, PCI_COMMAND_IO);
	assert_int_equal(dev->event_count, 3);
	assert_event(dev, 2, 0, 0xC000, true);
	assert_int_equal(pci_bar_address(&dev->pci, 0), 0xC000);
	assert_true(dev->pci.bar[0].enabled);
	/* Unaligned base bits are dropped; a base past 64 KiB cannot decode. */
	cf8_write(f->bus, TEST_DEV, 0, bar0, 4, 0xC07F);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, bar0, 4), 0x0000C041u);
	assert_event(dev, 3, 0, 0xC040, true);
	cf8_write(f->bus, TEST_DEV, 0, bar0, 4, 0x10000);
	assert_event(dev, 4, 0, 0x10000, false);
	cf8_write(f->bus, TEST_DEV, 0, bar0, 4, 0xFFC0);
	assert_event(dev, 5, 0, 0xFFC0, true);
	/* Byte write to the BAR's second byte moves it too. */
	cf8_write(f->bus, TEST_DEV, 0, bar0 + 1, 1, 0xD0);
	assert_event(dev, 6, 0, 0xD0C0, true);
	cf8_write(f->bus, TEST_DEV, 0, PCI_COMMAND, 2, 0);
	assert_event(dev, 7, 0, 0xD0C0, false);
	assert_int_equal(dev->event_count, 8);
}

static void test_mem32_bar(void **state)
{
	struct fixture *f = *state;
	struct test_device *dev = &f->dev;
	const unsigned bar1 = PCI_BASE_ADDRESS_0 + 4;

	cf8_write(f->bus, TEST_DEV, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(dev->event_count, 0);   /* everything still at 0 */
	/* Sizing while decoding is on: the pattern must not be mapped. */
	cf8_write(f->bus, TEST_DEV, 0, bar1, 4, 0xFFFFFFFFu);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, bar1, 4), 0xFFFFF000u);
	assert_event(dev, 0, 1, 0xFFFFF000u, false);
	cf8_write(f->bus, TEST_DEV, 0, bar1, 4, 0xFEB01000u);
	assert_event(dev, 1, 1, 0xFEB01000u, true);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, bar1, 4), 0xFEB01000u);
	/* The I/O bit does not affect memory BARs. */
	cf8_write(f->bus, TEST_DEV, 0, PCI_COMMAND, 2, PCI_COMMAND_IO);
	assert_event(dev, 2, 1, 0xFEB01000u, false);
	assert_int_equal(dev->event_count, 3);
}

static void test_mem64_prefetchable_bar(void **state)
{
	struct fixture *f = *state;
	struct test_device *dev = &f->dev;
	const unsigned low = PCI_BASE_ADDRESS_0 + 8, high = PCI_BASE_ADDRESS_0 + 12;

	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, low, 4), 0x0000000Cu);
	/* SeaBIOS: size the low half, then the high half. */
	cf8_write(f->bus, TEST_DEV, 0, low, 4, 0xFFFFFFFFu);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, low, 4), 0xFFFFC00Cu);
	cf8_write(f->bus, TEST_DEV, 0, high, 4, 0xFFFFFFFFu);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, high, 4), 0xFFFFFFFFu);
	assert_int_equal(dev->event_count, 2);
	assert_event(dev, 1, 2, 0xFFFFFFFFFFFFC000ull, false);
	cf8_write(f->bus, TEST_DEV, 0, low, 4, 0);
	cf8_write(f->bus, TEST_DEV, 0, high, 4, 0x8);
	assert_event(dev, 3, 2, 0x800000000ull, false);
	cf8_write(f->bus, TEST_DEV, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_event(dev, 4, 2, 0x800000000ull, true);
	assert_int_equal(pci_bar_address(&dev->pci, 2), 0x800000000ull);
	/* BAR 3 is the upper half: nothing reported for it on its own. */
	for (unsigned i = 0; i < dev->event_count; i++)
		assert_int_not_equal(dev->events[i].bar, 3);
	/* ECAM 64-bit write of both halves at once (split by the bus). */
	mmio_write(f->bus, ECAM_BASE + (TEST_DEV << 15) + low, 8, 0x0000000AC0000000ull);
	assert_event(dev, dev->event_count - 1, 2, 0xAC0000000ull, true);
	assert_int_equal(mmio_read(f->bus, ECAM_BASE + (TEST_DEV << 15) + low, 8),
			 0x0000000AC000000Cull);
}

static void test_bar_declaration_rules(void **state)
{
	(void)state;
	struct pci_function fn;
	assert_int_equal(pci_function_init(&fn, &plain_info, NULL), 0);
	assert_int_equal(pci_declare_bar(&fn, 0, PCI_BAR_IO, 2, false), -EINVAL);
	assert_int_equal(pci_declare_bar(&fn, 0, PCI_BAR_IO, 0x30, false), -EINVAL);
	assert_int_equal(pci_declare_bar(&fn, 0, PCI_BAR_IO, 0x20000, false), -EINVAL);
	assert_int_equal(pci_declare_bar(&fn, 0, PCI_BAR_IO, 0x20, true), -EINVAL);
	assert_int_equal(pci_declare_bar(&fn, 0, PCI_BAR_MEM32, 8, false), -EINVAL);
	assert_int_equal(pci_declare_bar(&fn, 0, PCI_BAR_MEM32, 0x100000000ull, false), -EINVAL);
	assert_int_equal(pci_declare_bar(&fn, 5, PCI_BAR_MEM64, 0x1000, false), -EINVAL);
	assert_int_equal(pci_declare_bar(&fn, 6, PCI_BAR_MEM32, 0x1000, false), -EINVAL);
	assert_int_equal(pci_declare_bar(&fn, 0, PCI_BAR_NONE, 0x1000, false), -EINVAL);
	assert_int_equal(pci_declare_bar(&fn, 0, PCI_BAR_MEM64, 0x200000000ull, false), 0);
	assert_int_equal(pci_declare_bar(&fn, 1, PCI_BAR_MEM32, 0x1000, false), -EINVAL);
	assert_int_equal(pci_declare_bar(&fn, 0, PCI_BAR_MEM32, 0x1000, false), -EINVAL);
	assert_int_equal(pci_declare_bar(&fn, 2, PCI_BAR_MEM64, 0x1000, false), 0);
	assert_int_equal(pci_declare_bar(&fn, 3, PCI_BAR_IO, 0x10, false), -EINVAL);
	/* An 8 GiB BAR: no writable bits in the low half, the high half masks 1. */
	pci_function_config_write(&fn, PCI_BASE_ADDRESS_0, 4, 0xFFFFFFFFu);
	pci_function_config_write(&fn, PCI_BASE_ADDRESS_0 + 4, 4, 0xFFFFFFFFu);
	assert_int_equal(pci_function_config_read(&fn, PCI_BASE_ADDRESS_0, 4), 0x00000004u);
	assert_int_equal(pci_function_config_read(&fn, PCI_BASE_ADDRESS_0 + 4, 4), 0xFFFFFFFEu);
	assert_int_equal(pci_bar_address(&fn, 6), 0);
	assert_int_equal(pci_bar_address(&fn, 4), 0);
	pci_function_release(&fn);
	assert_int_equal(pci_function_init(NULL, &plain_info, NULL), -EINVAL);
}

static void test_capability_list_walk(void **state)
{
	struct fixture *f = *state;
	struct pci_function *fn = &f->dev.pci;
	static const uint8_t ids[] = { PCI_CAP_ID_VENDOR, PCI_CAP_ID_VENDOR, PCI_CAP_ID_MSIX };
	int offsets[3];

	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, 0);
	offsets[0] = pci_add_capability(fn, PCI_CAP_ID_VENDOR, 16);
	pci_reserve_config(fn, 0x61);
	offsets[1] = pci_add_capability(fn, PCI_CAP_ID_VENDOR, 14);
	offsets[2] = pci_add_capability(fn, PCI_CAP_ID_MSIX, 12);
	assert_int_equal(offsets[0], 0x40);
	assert_int_equal(offsets[1], 0x64);
	assert_int_equal(offsets[2], 0x74);
	assert_int_equal(pci_add_capability(fn, PCI_CAP_ID_PM, 1), -EINVAL);

	/* What Linux and firmware do: status bit 4, then follow 0x34. */
	assert_true(cf8_read(f->bus, TEST_DEV, 0, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	unsigned pos = cf8_read(f->bus, TEST_DEV, 0, PCI_CAPABILITY_LIST, 1);
	unsigned count = 0;
	while (pos) {
		assert_true(count < 3);
		assert_int_equal(pos, offsets[count]);
		uint16_t header = (uint16_t)cf8_read(f->bus, TEST_DEV, 0, pos, 2);
		assert_int_equal(header & 0xFF, ids[count]);
		pos = header >> 8;
		count++;
	}
	assert_int_equal(count, 3);
	/* Headers are read-only; the device opens its body bits itself. */
	cf8_write(f->bus, TEST_DEV, 0, 0x40, 2, 0x0000);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, 0x40, 2), 0x6409);
	pci_config_set_wmask(fn, 0x44, 4, 0x0000FFFF);
	cf8_write(f->bus, TEST_DEV, 0, 0x44, 4, 0x12345678);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, 0x44, 4), 0x00005678);
	pci_config_set_w1cmask(fn, 0x48, 1, 0x0F);
	pci_config_set8(fn, 0x48, 0xFF);
	cf8_write(f->bus, TEST_DEV, 0, 0x48, 1, 0x05);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, 0x48, 1), 0xFA);
	/* The space runs out. */
	int last = 0;
	while ((last = pci_add_capability(fn, PCI_CAP_ID_VENDOR, 32)) > 0)
		assert_true(last + 32 <= 256);
	assert_int_equal(last, -ENOSPC);
}

static void test_ecam_matches_mechanism_1(void **state)
{
	struct fixture *f = *state;
	const uint64_t dev_base = ECAM_BASE + (TEST_DEV << 15);

	for (unsigned dev = 0; dev < 32; dev++)
		for (unsigned fn = 0; fn < 8; fn += 1)
			for (unsigned reg = 0; reg < 0x40; reg += 4)
				assert_int_equal(mmio_read(f->bus, ECAM_BASE + (dev << 15) + (fn << 12) + reg, 4),
						 cf8_read(f->bus, dev, fn, reg, 4));
	assert_int_equal(mmio_read(f->bus, dev_base, 2), 0x1AF4);
	assert_int_equal(mmio_read(f->bus, dev_base + 3, 1), 0x10);
	/* Written through ECAM, read through 0xCFC, and back. */
	mmio_write(f->bus, dev_base + PCI_INTERRUPT_LINE, 1, 10);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_INTERRUPT_LINE, 1), 10);
	cf8_write(f->bus, TEST_DEV, 0, PCI_INTERRUPT_LINE, 1, 5);
	assert_int_equal(mmio_read(f->bus, dev_base + PCI_INTERRUPT_LINE, 1), 5);
	/* Misaligned accesses inside one function. */
	assert_int_equal(mmio_read(f->bus, dev_base + 1, 2), 0x001A);
	assert_int_equal(mmio_read(f->bus, dev_base + 2, 4), 0x00001000u);
	assert_int_equal(mmio_read(f->bus, dev_base + 0x3B, 4), 0x00010500u);
	mmio_write(f->bus, dev_base + 0x3B, 4, 0xFFFF0700u);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_INTERRUPT_LINE, 2), 0x0107);
	/* Buses beyond 0 inside the window: empty. */
	assert_int_equal(mmio_read(f->bus, ECAM_BASE + (1u << 20) + (TEST_DEV << 15), 4),
			 0xFFFFFFFFu);
	/* Outside the window: not ours. */
	enum bus_result r;
	guest_access(f->bus, BUS_SPACE_MMIO, BUS_READ, ECAM_BASE + ((uint64_t)ECAM_BUSES << 20), 4,
		     0, &r);
	assert_int_equal(r, BUS_UNASSIGNED);
}

static void test_ecam_extended_space(void **state)
{
	struct fixture *f = *state;
	const uint64_t express = ECAM_BASE + (4u << 15);
	pci_config_set32(&f->express, 0x100, 0x00010001u);
	pci_config_set_wmask(&f->express, 0xFFC, 4, 0xFFFFFFFFu);

	assert_int_equal(mmio_read(f->bus, express + 0x100, 4), 0x00010001u);
	mmio_write(f->bus, express + 0xFFC, 4, 0xCAFEF00Du);
	assert_int_equal(mmio_read(f->bus, express + 0xFFC, 4), 0xCAFEF00Du);
	assert_int_equal(mmio_read(f->bus, express + 0xFFF, 1), 0xCA);
	/* A conventional function has nothing above 256: all-ones, writes
	 * dropped, and no report (Linux reads 0x100 of every function). */
	host_console_clear();
	assert_int_equal(mmio_read(f->bus, ECAM_BASE + (TEST_DEV << 15) + 0x100, 4), 0xFFFFFFFFu);
	mmio_write(f->bus, ECAM_BASE + (TEST_DEV << 15) + 0xFFC, 4, 0);
	assert_int_equal(mmio_read(f->bus, ECAM_BASE + (TEST_DEV << 15) + 0xFFF, 1), 0xFF);
	assert_string_equal(host_console_text(), "");
	/* Mechanism #1 stops at 255 even for PCIe functions. */
	pio_out(f->bus, 0xCF8, 4, cf8_address(0, 4, 0, 0xFC));
	assert_int_equal(pio_in(f->bus, 0xCFF, 1), 0x00);
	assert_int_equal(pio_in(f->bus, 0xCFE, 2), 0x0000);
	/* Crossing the end of a function's 4 KiB: refused and reported. */
	host_console_clear();
	assert_int_equal(mmio_read(f->bus, express + 0xFFE, 4), 0xFFFFFFFFu);
	mmio_write(f->bus, express + 0xFFD, 4, 0);
	assert_int_equal(mmio_read(f->bus, express + 0xFFC, 4), 0xCAFEF00Du);
	assert_non_null(strstr(host_console_text(), "crosses a function"));
	/* Refusals in the host API too. */
	assert_int_equal(pci_host_config_read(f->host, 0, TEST_DEV, 0, 0xFF, 2), 0xFFFFFFFFu);
	assert_int_equal(pci_host_config_read(f->host, 0, TEST_DEV, 0, 0, 3), 0xFFFFFFFFu);
	pci_host_config_write(f->host, 0, TEST_DEV, 0, PCI_INTERRUPT_LINE, 8, 0);
	assert_int_equal(pci_host_config_read(f->host, 0, TEST_DEV, 0, PCI_INTERRUPT_LINE, 1), 0);
	assert_int_equal(pci_host_config_read(f->host, 0, 32, 0, 0, 4), 0xFFFFFFFFu);
	assert_null(pci_host_function(f->host, 0, 8));
	assert_int_equal(pci_config_get8(&f->dev.pci, 256), 0xFF);
}

static void test_warnings_are_rate_limited(void **state)
{
	struct fixture *f = *state;
	const uint64_t express = ECAM_BASE + (4u << 15);
	host_console_clear();
	for (unsigned i = 0; i < 1000; i++)
		mmio_read(f->bus, express + 0xFFE, 4);
	const char *text = host_console_text();
	unsigned lines = 0;
	for (const char *p = text; (p = strstr(p, "crosses a function")); p++)
		lines++;
	assert_true(lines > 0 && lines <= 32);
	assert_non_null(strstr(text, "suppressed"));
}

static void test_ecam_relocation(void **state)
{
	struct fixture *f = *state;
	const uint64_t new_base = 0xB0000000ull;
	assert_int_equal(pci_host_map_ecam(f->host, ECAM_BASE, ECAM_BUSES), 0);
	assert_int_equal(pci_host_map_ecam(f->host, new_base + 0x1000, 1), -EINVAL);
	assert_int_equal(pci_host_map_ecam(f->host, new_base, 257), -EINVAL);
	assert_int_equal(pci_host_map_ecam(f->host, new_base, 256), 0);
	assert_int_equal(mmio_read(f->bus, new_base + (TEST_DEV << 15), 4), 0x10001AF4u);
	enum bus_result r;
	guest_access(f->bus, BUS_SPACE_MMIO, BUS_READ, ECAM_BASE + (TEST_DEV << 15), 4, 0, &r);
	assert_int_equal(r, BUS_UNASSIGNED);
	assert_int_equal(pci_host_map_ecam(f->host, 0, 0), 0);
	guest_access(f->bus, BUS_SPACE_MMIO, BUS_READ, new_base + (TEST_DEV << 15), 4, 0, &r);
	assert_int_equal(r, BUS_UNASSIGNED);
}

struct irq_sink {
	bool level;
	unsigned changes;
};

static void record_irq(void *sink, unsigned pin, bool level)
{
	struct irq_sink *s = sink;
	(void)pin;
	s->level = level;
	s->changes++;
}

static void test_intx_and_disable(void **state)
{
	struct fixture *f = *state;
	struct irq_sink sink = { 0 };
	irq_line_connect(&f->dev.pci.intx, record_irq, &sink, 11);

	pci_set_irq(&f->dev.pci, true);
	assert_true(sink.level);
	assert_true(cf8_read(f->bus, TEST_DEV, 0, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	/* INTx disable masks the line but the status bit still shows the wish. */
	cf8_write(f->bus, TEST_DEV, 0, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	assert_false(sink.level);
	assert_true(cf8_read(f->bus, TEST_DEV, 0, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	cf8_write(f->bus, TEST_DEV, 0, PCI_COMMAND, 2, 0);
	assert_true(sink.level);
	/* The status interrupt bit cannot be cleared by the guest. */
	cf8_write(f->bus, TEST_DEV, 0, PCI_STATUS, 2, 0xFFFF);
	assert_true(cf8_read(f->bus, TEST_DEV, 0, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	pci_set_irq(&f->dev.pci, false);
	assert_false(sink.level);
	assert_false(cf8_read(f->bus, TEST_DEV, 0, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	assert_int_equal(sink.changes, 4);
}

static void test_function_reset(void **state)
{
	struct fixture *f = *state;
	struct test_device *dev = &f->dev;
	cf8_write(f->bus, TEST_DEV, 0, PCI_BASE_ADDRESS_0 + 4, 4, 0xFEB00000u);
	cf8_write(f->bus, TEST_DEV, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cf8_write(f->bus, TEST_DEV, 0, PCI_INTERRUPT_LINE, 1, 11);
	pci_config_set16(&dev->pci, PCI_STATUS, 0x8000);
	pio_out(f->bus, 0xCF8, 4, 0x80001234u);
	unsigned before = dev->event_count;
	assert_event(dev, before - 1, 1, 0xFEB00000u, true);

	pci_host_reset(f->host);
	assert_int_equal(pci_host_cf8_address(f->host), 0);
	assert_int_equal(dev->resets, 1);
	assert_int_equal(dev->event_count, before + 1);
	assert_event(dev, before, 1, 0, false);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_COMMAND, 4), 0);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_BASE_ADDRESS_0, 4), 1);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_BASE_ADDRESS_0 + 4, 4), 0);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_BASE_ADDRESS_0 + 8, 4), 0xC);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_INTERRUPT_LINE, 1), 0);
	assert_int_equal(cf8_read(f->bus, TEST_DEV, 0, PCI_VENDOR_ID, 4), 0x10001AF4u);
}

static void test_attach_and_detach(void **state)
{
	struct fixture *f = *state;
	struct pci_function other;
	assert_int_equal(pci_function_init(&other, &plain_info, NULL), 0);
	host_console_clear();
	assert_int_equal(pci_host_attach(f->host, TEST_DEV, 0, &other), -EBUSY);
	assert_non_null(strstr(host_console_text(), "testdev"));
	assert_int_equal(pci_host_attach(f->host, 32, 0, &other), -EINVAL);
	assert_int_equal(pci_host_attach(f->host, 6, 8, &other), -EINVAL);
	assert_int_equal(pci_host_attach(f->host, 6, 0, NULL), -EINVAL);
	assert_int_equal(pci_host_attach(f->host, 6, 0, &other), 0);
	assert_ptr_equal(pci_host_function(f->host, 6, 0), &other);
	assert_ptr_equal(pci_function_bus(&other), f->bus);
	assert_ptr_equal(pci_host_bus(f->host), f->bus);
	pci_host_detach(f->host, &other);
	assert_null(pci_function_bus(&other));
	assert_int_equal(cf8_read(f->bus, 6, 0, 0, 4), 0xFFFFFFFFu);
	/* Function 1 leaves: function 0 is single-function again. */
	pci_host_detach(f->host, &f->plain1);
	assert_int_equal(cf8_read(f->bus, 5, 0, PCI_HEADER_TYPE, 1), 0x00);
	pci_host_detach(f->host, &f->plain1);   /* twice: nothing happens */
	assert_int_equal(pci_host_register_cf8(f->host), 0);   /* already there */
	pci_function_release(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cf8_probe_and_address_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_finds_functions_and_empty_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_port_widths_and_offsets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_and_status_masks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_bar_sizing_and_programming, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem32_bar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem64_prefetchable_bar, setup, teardown),
		cmocka_unit_test(test_bar_declaration_rules),
		cmocka_unit_test_setup_teardown(test_capability_list_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ecam_matches_mechanism_1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ecam_extended_space, setup, teardown),
		cmocka_unit_test_setup_teardown(test_warnings_are_rate_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ecam_relocation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intx_and_disable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_function_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_and_detach, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
