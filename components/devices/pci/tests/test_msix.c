/* SPDX-License-Identifier: MIT */
/*
 * MSI-X: the capability as a driver finds and programs it, the table and
 * PBA in their BAR, masking and pending bits, INTx while MSI-X is on,
 * reset.  Messages are recorded by the host's MSI handler.
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
#include <pci/msix.h>
#include <pci/pci.h>
#include "pci_test_access.h"

#define DEV 5
#define TABLE 0xFEB80000u
#define PBA (TABLE + PCI_MSIX_PBA_OFFSET)

struct message {
	uint64_t address;
	uint32_t data;
};

struct fixture {
	struct bus *bus;
	struct pci_host *host;
	struct pci_function fn;
	struct pci_msix msix;
	struct message sent[16];
	unsigned count;
	unsigned cap;
	bool intx;
};

static void record_msi(void *opaque, uint64_t address, uint32_t data)
{
	struct fixture *f = opaque;
	if (f->count < 16)
		f->sent[f->count] = (struct message){ address, data };
	f->count++;
}

static void record_intx(void *sink, unsigned pin, bool level)
{
	struct fixture *f = sink;
	(void)pin;
	f->intx = level;
}

static const struct pci_function_info info = {
	.name = "msixdev",
	.vendor_id = 0x1AF4,
	.device_id = 0x1042,
	.class_code = 0x010000,
	.interrupt_pin = 1,
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->bus = bus_create("test");
	f->host = pci_host_create(f->bus, "pci0");
	assert_int_equal(pci_host_register_cf8(f->host), 0);
	pci_host_set_msi_handler(f->host, record_msi, f);
	assert_int_equal(pci_function_init(&f->fn, &info, f), 0);
	assert_int_equal(pci_msix_init(&f->msix, &f->fn, 1, 3), 0);
	assert_int_equal(pci_host_attach(f->host, DEV, 0, &f->fn), 0);
	irq_line_connect(&f->fn.intx, record_intx, f, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	pci_host_destroy(f->host);
	pci_function_release(&f->fn);
	bus_destroy(f->bus);
	free(f);
	return 0;
}

/* Walks the capability list as Linux's pci_find_capability() does. */
static unsigned find_cap(struct bus *bus, uint8_t id)
{
	if (!(cf8_read(bus, DEV, 0, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	for (unsigned pos = cf8_read(bus, DEV, 0, PCI_CAPABILITY_LIST, 1), n = 0; pos && n < 48;
	     pos = cf8_read(bus, DEV, 0, pos + 1, 1), n++)
		if (cf8_read(bus, DEV, 0, pos, 1) == id)
			return pos;
	return 0;
}

/* Linux's msix_capability_init(): map the table, mask, program, enable. */
static void driver_enable(struct fixture *f)
{
	f->cap = find_cap(f->bus, PCI_CAP_ID_MSIX);
	assert_int_not_equal(f->cap, 0);
	cf8_write(f->bus, DEV, 0, PCI_BASE_ADDRESS_0 + 4, 4, TABLE);
	cf8_write(f->bus, DEV, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cf8_write(f->bus, DEV, 0, f->cap + PCI_MSIX_FLAGS, 2,
		  PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	for (unsigned v = 0; v < 3; v++) {
		uint32_t e = TABLE + v * PCI_MSIX_ENTRY_SIZE;
		mmio_write(f->bus, e + PCI_MSIX_ENTRY_LOWER_ADDR, 4, 0xFEE00000u | v << 12);
		mmio_write(f->bus, e + PCI_MSIX_ENTRY_UPPER_ADDR, 4, 0);
		mmio_write(f->bus, e + PCI_MSIX_ENTRY_DATA, 4, 0x4020 + v);
		mmio_write(f->bus, e + PCI_MSIX_ENTRY_VECTOR_CTRL, 4, 0);
	}
	cf8_write(f->bus, DEV, 0, f->cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
}

static void test_capability_layout(void **state)
{
	struct fixture *f = *state;
	unsigned cap = find_cap(f->bus, PCI_CAP_ID_MSIX);

	assert_int_equal(cap, 0x40);
	assert_int_equal(cf8_read(f->bus, DEV, 0, cap + PCI_MSIX_FLAGS, 2), 2);  /* 3 vectors */
	assert_int_equal(cf8_read(f->bus, DEV, 0, cap + PCI_MSIX_TABLE, 4), 1);  /* BAR1 + 0 */
	assert_int_equal(cf8_read(f->bus, DEV, 0, cap + PCI_MSIX_PBA, 4), 0x801);
	/* The table size is read-only; enable and mask are not. */
	cf8_write(f->bus, DEV, 0, cap + PCI_MSIX_FLAGS, 2, 0xFFFF);
	assert_int_equal(cf8_read(f->bus, DEV, 0, cap + PCI_MSIX_FLAGS, 2), 0xC002);
	cf8_write(f->bus, DEV, 0, cap + PCI_MSIX_TABLE, 4, 0xFFFFFFFF);
	assert_int_equal(cf8_read(f->bus, DEV, 0, cap + PCI_MSIX_TABLE, 4), 1);
	/* BAR1: 4 KiB of 32-bit non-prefetchable memory. */
	cf8_write(f->bus, DEV, 0, PCI_BASE_ADDRESS_0 + 4, 4, 0xFFFFFFFF);
	assert_int_equal(cf8_read(f->bus, DEV, 0, PCI_BASE_ADDRESS_0 + 4, 4), 0xFFFFF000u);
	/* Bad parameters. */
	struct pci_function other;
	struct pci_msix m;
	assert_int_equal(pci_function_init(&other, &info, NULL), 0);
	assert_int_equal(pci_msix_init(&m, &other, 1, 0), -EINVAL);
	assert_int_equal(pci_msix_init(&m, &other, 1, PCI_MSIX_MAX_VECTORS + 1), -EINVAL);
	assert_int_equal(pci_msix_init(&m, &other, 6, 4), -EINVAL);   /* BARs are 0..5 */
	assert_int_equal(pci_msix_init(&m, &other, 2, PCI_MSIX_MAX_VECTORS), 0);
	assert_int_equal(pci_msix_init(&m, &other, 3, 1), -EINVAL);   /* already has one */
	pci_function_release(&other);
}

static void test_table_after_reset_and_access_widths(void **state)
{
	struct fixture *f = *state;
	enum bus_result r;

	cf8_write(f->bus, DEV, 0, PCI_BASE_ADDRESS_0 + 4, 4, TABLE);
	cf8_write(f->bus, DEV, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	for (unsigned v = 0; v < 3; v++)
		assert_int_equal(mmio_read(f->bus, TABLE + 16 * v + 12, 4), 1);   /* masked */
	assert_int_equal(mmio_read(f->bus, TABLE + 3 * 16 + 12, 4), 0);       /* no 4th */
	/* The two low address bits are zero; control keeps only the mask bit. */
	mmio_write(f->bus, TABLE, 4, 0xFEE0100Fu);
	assert_int_equal(mmio_read(f->bus, TABLE, 4), 0xFEE0100Cu);
	mmio_write(f->bus, TABLE + 12, 4, 0xFFFFFFFE);
	assert_int_equal(mmio_read(f->bus, TABLE + 12, 4), 0);
	/* A 64-bit write fills address low and high (split by the bus). */
	mmio_write(f->bus, TABLE + 16, 8, 0x00000001FEE02000ull);
	assert_int_equal(mmio_read(f->bus, TABLE + 16, 8), 0x00000001FEE02000ull);
	/* Byte and word accesses are refused; the PBA and the rest read-only. */
	guest_access(f->bus, BUS_SPACE_MMIO, BUS_READ, TABLE + 8, 1, 0, &r);
	assert_int_equal(r, BUS_REJECTED);
	guest_access(f->bus, BUS_SPACE_MMIO, BUS_WRITE, TABLE + 8, 2, 0, &r);
	assert_int_equal(r, BUS_REJECTED);
	mmio_write(f->bus, PBA, 4, 0xFFFFFFFF);
	assert_int_equal(mmio_read(f->bus, PBA, 4), 0);
	assert_int_equal(mmio_read(f->bus, PBA + 8, 4), 0);
	mmio_write(f->bus, TABLE + 0x400, 4, 5);
	assert_int_equal(mmio_read(f->bus, TABLE + 0x400, 4), 0);
}

static void test_messages_masking_and_pending(void **state)
{
	struct fixture *f = *state;

	/* Disabled: nothing is sent or kept. */
	pci_msix_notify(&f->msix, 1);
	assert_int_equal(f->count, 0);
	assert_false(pci_msix_is_pending(&f->msix, 1));

	driver_enable(f);
	assert_true(pci_msix_enabled(&f->msix));
	pci_msix_notify(&f->msix, 1);
	assert_int_equal(f->count, 1);
	assert_int_equal(f->sent[0].address, 0xFEE01000u);
	assert_int_equal(f->sent[0].data, 0x4021);
	pci_msix_notify(&f->msix, 7);          /* beyond the table: ignored */
	assert_int_equal(f->count, 1);

	/* A masked vector becomes pending and fires when unmasked. */
	mmio_write(f->bus, TABLE + 2 * 16 + 12, 4, PCI_MSIX_ENTRY_CTRL_MASKBIT);
	pci_msix_notify(&f->msix, 2);
	assert_int_equal(f->count, 1);
	assert_true(pci_msix_is_pending(&f->msix, 2));
	assert_int_equal(mmio_read(f->bus, PBA, 4), 0x4);
	mmio_write(f->bus, TABLE + 2 * 16 + 12, 4, 0);
	assert_int_equal(f->count, 2);
	assert_int_equal(f->sent[1].data, 0x4022);
	assert_int_equal(mmio_read(f->bus, PBA, 4), 0);
	/* Unmasking a vector with nothing pending sends nothing. */
	mmio_write(f->bus, TABLE + 2 * 16 + 12, 4, 0);
	assert_int_equal(f->count, 2);

	/* Function mask: everything pends, then goes out in vector order. */
	cf8_write(f->bus, DEV, 0, f->cap + PCI_MSIX_FLAGS, 2,
		  PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	pci_msix_notify(&f->msix, 2);
	pci_msix_notify(&f->msix, 0);
	pci_msix_notify(&f->msix, 0);
	assert_int_equal(f->count, 2);
	assert_int_equal(mmio_read(f->bus, PBA, 4), 0x5);
	/* Unmasking a vector while the function is masked sends nothing. */
	mmio_write(f->bus, TABLE + 12, 4, 0);
	assert_int_equal(f->count, 2);
	cf8_write(f->bus, DEV, 0, f->cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(f->count, 4);
	assert_int_equal(f->sent[2].data, 0x4020);
	assert_int_equal(f->sent[3].data, 0x4022);
	assert_int_equal(f->msix.messages, 4);
}

static void test_intx_is_silent_while_enabled(void **state)
{
	struct fixture *f = *state;

	pci_set_irq(&f->fn, true);
	assert_true(f->intx);
	driver_enable(f);
	assert_false(f->intx);
	/* The status bit still shows the device's wish. */
	assert_true(cf8_read(f->bus, DEV, 0, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	pci_set_irq(&f->fn, false);
	pci_set_irq(&f->fn, true);
	assert_false(f->intx);
	/* Disabling MSI-X hands the line back. */
	cf8_write(f->bus, DEV, 0, f->cap + PCI_MSIX_FLAGS, 2, 0);
	assert_true(f->intx);
}

static void test_reset_masks_everything(void **state)
{
	struct fixture *f = *state;

	driver_enable(f);
	mmio_write(f->bus, TABLE + 12, 4, 1);
	pci_msix_notify(&f->msix, 0);
	assert_true(pci_msix_is_pending(&f->msix, 0));
	pci_host_reset(f->host);
	assert_false(pci_msix_enabled(&f->msix));
	assert_false(pci_msix_is_pending(&f->msix, 0));
	assert_int_equal(cf8_read(f->bus, DEV, 0, f->cap + PCI_MSIX_FLAGS, 2), 2);
	for (unsigned v = 0; v < 3; v++)
		assert_int_equal(f->msix.table[v].control, 1);
	assert_int_equal(f->msix.table[1].address_lo, 0);
}

static void test_no_handler_drops_and_reports_once(void **state)
{
	struct fixture *f = *state;

	pci_host_set_msi_handler(f->host, NULL, NULL);
	driver_enable(f);
	host_console_clear();
	pci_msix_notify(&f->msix, 0);
	pci_msix_notify(&f->msix, 1);
	assert_true(host_console_contains("msixdev sent an MSI (0xfee00000 <- 0x4020)"));
	assert_false(host_console_contains("0x4021"));
	assert_int_equal(f->count, 0);
	/* A detached function sends nothing at all. */
	pci_host_detach(f->host, &f->fn);
	pci_send_msi(&f->fn, 0xFEE00000u, 1);
	assert_int_equal(f->count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_capability_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_after_reset_and_access_widths, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_messages_masking_and_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intx_is_silent_while_enabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_masks_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_handler_drops_and_reports_once, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
