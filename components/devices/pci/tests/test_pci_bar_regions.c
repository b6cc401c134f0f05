/* SPDX-License-Identifier: MIT */
/*
 * BARs with handlers: the generic code puts the BAR's region on the bus
 * where the guest programs it, and only while the command register lets
 * it decode; moves, sizing, overlaps, the I/O window, detach and reset.
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

#define DEV 3

struct regs_device {
	struct pci_function pci;
	uint32_t regs[4];        /* 16 bytes, mirrored in every BAR */
	unsigned reads, writes;
	uint64_t last_offset;
	unsigned bar_updates;
};

static uint64_t regs_read(void *opaque, uint64_t offset, unsigned width)
{
	struct regs_device *d = opaque;
	(void)width;
	d->reads++;
	d->last_offset = offset;
	return d->regs[(offset / 4) % 4];
}

static void regs_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct regs_device *d = opaque;
	(void)width;
	d->writes++;
	d->last_offset = offset;
	d->regs[(offset / 4) % 4] = (uint32_t)value;
}

static const struct bus_ops regs_ops = { .read = regs_read, .write = regs_write };
static const struct bus_rules dword_rules = {
	.min_width = 4, .max_width = 4, .oversize = BUS_OVERSIZE_SPLIT,
	.undersize = BUS_UNDERSIZE_REJECT,
};

static void regs_bar_update(struct pci_function *fn, unsigned bar, uint64_t base, bool enabled)
{
	struct regs_device *d = fn->opaque;
	(void)bar;
	(void)base;
	(void)enabled;
	d->bar_updates++;
}

static const struct pci_function_ops regs_pci_ops = { .bar_update = regs_bar_update };

static const struct pci_function_info regs_info = {
	.name = "regsdev",
	.vendor_id = 0x1AF4,
	.device_id = 0x10F0,
	.class_code = 0xFF0000,
	.interrupt_pin = 1,
	.ops = &regs_pci_ops,
};

struct fixture {
	struct bus *bus;
	struct pci_host *host;
	struct regs_device dev;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->bus = bus_create("test");
	f->host = pci_host_create(f->bus, "pci0");
	assert_int_equal(pci_host_register_cf8(f->host), 0);
	assert_int_equal(pci_function_init(&f->dev.pci, &regs_info, &f->dev), 0);
	assert_int_equal(pci_declare_bar(&f->dev.pci, 0, PCI_BAR_IO, 0x20, false), 0);
	assert_int_equal(pci_declare_bar(&f->dev.pci, 1, PCI_BAR_MEM32, 0x1000, false), 0);
	assert_int_equal(pci_declare_bar(&f->dev.pci, 4, PCI_BAR_MEM64, 0x4000, true), 0);
	assert_int_equal(pci_bar_set_handler(&f->dev.pci, 0, &regs_ops, &f->dev, &dword_rules), 0);
	assert_int_equal(pci_bar_set_handler(&f->dev.pci, 1, &regs_ops, &f->dev, &dword_rules), 0);
	assert_int_equal(pci_bar_set_handler(&f->dev.pci, 4, &regs_ops, &f->dev, NULL), 0);
	assert_int_equal(pci_host_attach(f->host, DEV, 0, &f->dev.pci), 0);
	host_console_clear();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	pci_host_destroy(f->host);
	pci_function_release(&f->dev.pci);
	/* Everything the BARs registered is gone; only 0xCF8/0xCFC were left. */
	assert_null(bus_find_overlap(f->bus, BUS_SPACE_MMIO, 0, ~0ull));
	bus_destroy(f->bus);
	free(f);
	return 0;
}

static void test_handler_rejects_undeclared_bar(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(pci_bar_set_handler(&f->dev.pci, 2, &regs_ops, &f->dev, NULL), -EINVAL);
	assert_int_equal(pci_bar_set_handler(&f->dev.pci, 5, &regs_ops, &f->dev, NULL), -EINVAL);
	assert_int_equal(pci_bar_set_handler(&f->dev.pci, 6, &regs_ops, &f->dev, NULL), -EINVAL);
	assert_int_equal(pci_bar_set_handler(&f->dev.pci, 0, NULL, &f->dev, NULL), -EINVAL);
}

/* What SeaBIOS does: size with decoding off, program, then enable. */
static void test_io_bar_follows_programming_and_command(void **state)
{
	struct fixture *f = *state;
	const unsigned bar0 = PCI_BASE_ADDRESS_0;

	cf8_write(f->bus, DEV, 0, bar0, 4, 0xFFFFFFFFu);
	assert_int_equal(cf8_read(f->bus, DEV, 0, bar0, 4), 0xFFFFFFE1u);
	cf8_write(f->bus, DEV, 0, bar0, 4, 0xC040);
	assert_null(bus_find(f->bus, BUS_SPACE_PIO, 0xC040));   /* I/O decoding off */
	cf8_write(f->bus, DEV, 0, PCI_COMMAND, 2, PCI_COMMAND_IO);
	const struct bus_region *r = bus_find(f->bus, BUS_SPACE_PIO, 0xC040);
	assert_non_null(r);
	assert_string_equal(r->name, "regsdev");
	assert_int_equal(r->base, 0xC040);
	assert_int_equal(r->size, 0x20);

	pio_out(f->bus, 0xC048, 4, 0x12345678);
	assert_int_equal(f->dev.regs[2], 0x12345678);
	assert_int_equal(f->dev.last_offset, 8);
	assert_int_equal(pio_in(f->bus, 0xC048, 4), 0x12345678);
	/* The BAR's rules apply: byte accesses are refused. */
	assert_int_equal(pio_in(f->bus, 0xC048, 1), 0xFF);
	assert_int_equal(f->dev.reads, 1);

	/* Moving the BAR moves the region. */
	cf8_write(f->bus, DEV, 0, bar0, 4, 0xD000);
	assert_null(bus_find(f->bus, BUS_SPACE_PIO, 0xC040));
	assert_non_null(bus_find(f->bus, BUS_SPACE_PIO, 0xD01C));
	assert_null(bus_find(f->bus, BUS_SPACE_PIO, 0xD020));
	/* Switching I/O decoding off removes it; on again puts it back. */
	cf8_write(f->bus, DEV, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_null(bus_find(f->bus, BUS_SPACE_PIO, 0xD000));
	cf8_write(f->bus, DEV, 0, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	assert_non_null(bus_find(f->bus, BUS_SPACE_PIO, 0xD000));
	/* The device still hears about every change when it asks. */
	assert_int_equal(f->dev.bar_updates, 6);
}

static void test_mem64_bar_above_4g_and_sizing_while_decoding(void **state)
{
	struct fixture *f = *state;
	const unsigned bar4 = PCI_BASE_ADDRESS_0 + 16;

	cf8_write(f->bus, DEV, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	/* Linux's order: low dword, then high dword. */
	cf8_write(f->bus, DEV, 0, bar4, 4, 0x00004000u);
	cf8_write(f->bus, DEV, 0, bar4 + 4, 4, 0x80);
	assert_null(bus_find(f->bus, BUS_SPACE_MMIO, 0x4000));
	const struct bus_region *r = bus_find(f->bus, BUS_SPACE_MMIO, 0x8000004000ull);
	assert_non_null(r);
	assert_int_equal(r->size, 0x4000);
	/* No rules given: 64-bit accesses reach the device whole. */
	mmio_write(f->bus, 0x8000004008ull, 8, 0xAABBCCDD);
	assert_int_equal(f->dev.regs[2], 0xAABBCCDD);
	assert_int_equal(mmio_read(f->bus, 0x8000007FF8ull, 8), f->dev.regs[2]);

	/* Sizing the upper half while decoding: the pattern never maps. */
	cf8_write(f->bus, DEV, 0, bar4 + 4, 4, 0xFFFFFFFFu);
	assert_int_equal(cf8_read(f->bus, DEV, 0, bar4 + 4, 4), 0xFFFFFFFFu);
	cf8_write(f->bus, DEV, 0, bar4, 4, 0xFFFFFFFFu);
	assert_int_equal(cf8_read(f->bus, DEV, 0, bar4, 4), 0xFFFFC00Cu);
	assert_null(bus_find_overlap(f->bus, BUS_SPACE_MMIO, 0x4000, ~0ull - 0x4000));
	cf8_write(f->bus, DEV, 0, bar4, 4, 0xFE000000u);
	cf8_write(f->bus, DEV, 0, bar4 + 4, 4, 0);
	r = bus_find(f->bus, BUS_SPACE_MMIO, 0xFE000000u);
	assert_non_null(r);
	assert_int_equal(r->base, 0xFE000000u);
}

static void test_overlap_is_reported_and_retried(void **state)
{
	struct fixture *f = *state;
	const unsigned bar1 = PCI_BASE_ADDRESS_0 + 4;
	struct regs_device other = { 0 };

	assert_int_equal(bus_register_mmio(f->bus, "ioapic", 0xFEC00000u, 0x1000, &regs_ops,
					   &other, NULL), 0);
	cf8_write(f->bus, DEV, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	host_console_clear();
	cf8_write(f->bus, DEV, 0, bar1, 4, 0xFEC00000u);
	assert_true(host_console_contains("regsdev BAR1 at 0xfec00000 overlaps ioapic"));
	/* The device that was there keeps its range. */
	mmio_write(f->bus, 0xFEC00000u, 4, 7);
	assert_int_equal(other.regs[0], 7);
	assert_int_equal(f->dev.writes, 0);
	assert_true(f->dev.pci.bar[1].enabled);
	assert_false(f->dev.pci.bar[1].mapped);
	/* Moving it somewhere free maps it. */
	cf8_write(f->bus, DEV, 0, bar1, 4, 0xFEB00000u);
	mmio_write(f->bus, 0xFEB00004u, 4, 9);
	assert_int_equal(f->dev.regs[1], 9);
	/* Reports are rate-limited: a guest cannot flood the log. */
	for (unsigned i = 0; i < 100; i++) {
		cf8_write(f->bus, DEV, 0, bar1, 4, 0xFEC00000u);
		cf8_write(f->bus, DEV, 0, bar1, 4, 0xFEB00000u);
	}
	assert_true(host_console_contains("further guest access reports suppressed"));
	host_console_clear();
	cf8_write(f->bus, DEV, 0, bar1, 4, 0xFEC00000u);
	assert_int_equal(host_console_length(), 0);
	bus_unregister(f->bus, BUS_SPACE_MMIO, 0xFEC00000u);
}

static void test_io_window_in_mmio_space(void **state)
{
	struct fixture *f = *state;
	const uint64_t window = 0x3EFF0000ull;   /* QEMU virt's PCI I/O space */

	cf8_write(f->bus, DEV, 0, PCI_BASE_ADDRESS_0, 4, 0x1000);
	cf8_write(f->bus, DEV, 0, PCI_COMMAND, 2, PCI_COMMAND_IO);
	assert_non_null(bus_find(f->bus, BUS_SPACE_PIO, 0x1000));
	/* Mapped BARs move with the window. */
	pci_host_set_io_window(f->host, BUS_SPACE_MMIO, window);
	assert_null(bus_find(f->bus, BUS_SPACE_PIO, 0x1000));
	const struct bus_region *r = bus_find(f->bus, BUS_SPACE_MMIO, window + 0x1000);
	assert_non_null(r);
	assert_int_equal(r->size, 0x20);
	mmio_write(f->bus, window + 0x1004, 4, 0x55);
	assert_int_equal(f->dev.regs[1], 0x55);
	/* And follow later programming inside the window. */
	cf8_write(f->bus, DEV, 0, PCI_BASE_ADDRESS_0, 4, 0x2000);
	assert_null(bus_find(f->bus, BUS_SPACE_MMIO, window + 0x1000));
	assert_non_null(bus_find(f->bus, BUS_SPACE_MMIO, window + 0x2000));
	/* A window at the very top cannot hold the BAR: reported, not mapped. */
	pci_host_set_io_window(f->host, BUS_SPACE_MMIO, ~0ull - 0x100);
	assert_false(f->dev.pci.bar[0].mapped);
	assert_true(host_console_contains("outside the I/O window"));
	pci_host_set_io_window(f->host, BUS_SPACE_PIO, 0);
	assert_non_null(bus_find(f->bus, BUS_SPACE_PIO, 0x2000));
}

static void test_reset_detach_and_late_handler(void **state)
{
	struct fixture *f = *state;
	const unsigned bar1 = PCI_BASE_ADDRESS_0 + 4;

	cf8_write(f->bus, DEV, 0, bar1, 4, 0xFEB00000u);
	cf8_write(f->bus, DEV, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_non_null(bus_find(f->bus, BUS_SPACE_MMIO, 0xFEB00000u));
	pci_host_reset(f->host);
	assert_null(bus_find(f->bus, BUS_SPACE_MMIO, 0xFEB00000u));
	assert_int_equal(pci_bar_address(&f->dev.pci, 1), 0);

	cf8_write(f->bus, DEV, 0, bar1, 4, 0xFEB00000u);
	cf8_write(f->bus, DEV, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	pci_host_detach(f->host, &f->dev.pci);
	assert_null(bus_find(f->bus, BUS_SPACE_MMIO, 0xFEB00000u));
	assert_int_equal(pci_host_attach(f->host, DEV, 0, &f->dev.pci), 0);

	/* A handler given while the BAR already decodes maps at once. */
	struct regs_device late = { 0 };
	struct pci_function_info late_info = regs_info;
	late_info.name = "late";
	late_info.ops = NULL;
	assert_int_equal(pci_function_init(&late.pci, &late_info, &late), 0);
	assert_int_equal(pci_declare_bar(&late.pci, 0, PCI_BAR_MEM32, 0x100, false), 0);
	assert_int_equal(pci_host_attach(f->host, 4, 0, &late.pci), 0);
	cf8_write(f->bus, 4, 0, PCI_BASE_ADDRESS_0, 4, 0xFE800000u);
	cf8_write(f->bus, 4, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_null(bus_find(f->bus, BUS_SPACE_MMIO, 0xFE800000u));
	assert_int_equal(pci_bar_set_handler(&late.pci, 0, &regs_ops, &late, NULL), 0);
	assert_non_null(bus_find(f->bus, BUS_SPACE_MMIO, 0xFE800000u));
	/* Releasing a function takes its regions with it. */
	pci_host_detach(f->host, &late.pci);
	pci_function_release(&late.pci);
	assert_null(bus_find(f->bus, BUS_SPACE_MMIO, 0xFE800000u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_handler_rejects_undeclared_bar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_bar_follows_programming_and_command, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mem64_bar_above_4g_and_sizing_while_decoding,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_is_reported_and_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_window_in_mmio_space, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_detach_and_late_handler, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
