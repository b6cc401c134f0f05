/* SPDX-License-Identifier: MIT */
/*
 * Plain MSI: the capability as a driver programs it, enable, masking and
 * the pending bit, exact messages, INTx while MSI is on, reset, and a
 * function with MSI behind a PCIe root port.
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
#include <pci/bridge.h>
#include <pci/msi.h>
#include <pci/pci.h>
#include <pci/pcie_root_port.h>
#include "pci_test_access.h"

#define DEV 4
#define CAP 0x40

struct message {
	uint64_t address;
	uint32_t data;
};

struct fixture {
	struct bus *bus;
	struct pci_host *host;
	struct pci_function fn;
	struct pci_msi msi;
	struct message sent[8];
	unsigned count;
	bool intx;
};

static void record_msi(void *opaque, uint64_t address, uint32_t data)
{
	struct fixture *f = opaque;
	if (f->count < 8)
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
	.name = "msidev",
	.vendor_id = 0x8086,
	.device_id = 0x10D3,
	.class_code = 0x020000,
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
	assert_int_equal(pci_msi_init(&f->msi, &f->fn), 0);
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

/* Linux's msi_capability_init() for one vector, masked until the end. */
static void driver_enable(struct fixture *f)
{
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_MASK_64, 4, 1);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_ADDRESS_LO, 4, 0xFEE01000u);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_ADDRESS_HI, 4, 0);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_DATA_64, 2, 0x4025);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT |
		  PCI_MSI_FLAGS_ENABLE);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_MASK_64, 4, 0);
}

static void test_capability_layout(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cf8_read(f->bus, DEV, 0, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST,
			 PCI_STATUS_CAP_LIST);
	assert_int_equal(cf8_read(f->bus, DEV, 0, PCI_CAPABILITY_LIST, 1), CAP);
	assert_int_equal(cf8_read(f->bus, DEV, 0, CAP, 4), 0x01800005u);   /* 64-bit, maskable */
	/* Only enable is writable in message control (one vector). */
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_FLAGS, 2, 0xFFFF);
	assert_int_equal(cf8_read(f->bus, DEV, 0, CAP + PCI_MSI_FLAGS, 2), 0x0181);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_FLAGS, 2, 0);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_ADDRESS_LO, 4, 0xFEE0100Fu);
	assert_int_equal(cf8_read(f->bus, DEV, 0, CAP + PCI_MSI_ADDRESS_LO, 4), 0xFEE0100Cu);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_ADDRESS_HI, 4, 0xFFFFFFFFu);
	assert_int_equal(cf8_read(f->bus, DEV, 0, CAP + PCI_MSI_ADDRESS_HI, 4), 0xFFFFFFFFu);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_DATA_64, 4, 0xFFFF4321u);
	assert_int_equal(cf8_read(f->bus, DEV, 0, CAP + PCI_MSI_DATA_64, 4), 0x4321);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_MASK_64, 4, 0xFFFFFFFFu);
	assert_int_equal(cf8_read(f->bus, DEV, 0, CAP + PCI_MSI_MASK_64, 4), 1);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_PENDING_64, 4, 0xFFFFFFFFu);
	assert_int_equal(cf8_read(f->bus, DEV, 0, CAP + PCI_MSI_PENDING_64, 4), 0);
	assert_int_equal(cf8_read(f->bus, DEV, 0, CAP + PCI_MSI_CAP_SIZE, 4), 0);
	/* One MSI capability per function. */
	struct pci_msi again;
	assert_int_equal(pci_msi_init(&again, &f->fn), -EINVAL);
	assert_int_equal(pci_msi_init(NULL, &f->fn), -EINVAL);
}

static void test_messages_masking_and_pending(void **state)
{
	struct fixture *f = *state;

	/* Disabled: nothing goes out, nothing is kept. */
	pci_msi_notify(&f->msi);
	assert_int_equal(f->count, 0);
	assert_false(pci_msi_is_pending(&f->msi));

	driver_enable(f);
	assert_true(pci_msi_enabled(&f->msi));
	pci_msi_notify(&f->msi);
	assert_int_equal(f->count, 1);
	assert_int_equal(f->sent[0].address, 0xFEE01000u);
	assert_int_equal(f->sent[0].data, 0x4025);
	/* A 64-bit address. */
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_ADDRESS_HI, 4, 0x1);
	pci_msi_notify(&f->msi);
	assert_int_equal(f->count, 2);
	assert_int_equal(f->sent[1].address, 0x1FEE01000ull);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_ADDRESS_HI, 4, 0);

	/* Masked: pending, then delivered once on unmask. */
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_MASK_64, 4, 1);
	assert_true(pci_msi_is_masked(&f->msi));
	pci_msi_notify(&f->msi);
	pci_msi_notify(&f->msi);
	assert_int_equal(f->count, 2);
	assert_true(pci_msi_is_pending(&f->msi));
	assert_int_equal(cf8_read(f->bus, DEV, 0, CAP + PCI_MSI_PENDING_64, 4), 1);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_DATA_64, 2, 0x4031);  /* reprogrammed while masked */
	assert_int_equal(f->count, 2);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_MASK_64, 4, 0);
	assert_int_equal(f->count, 3);
	assert_int_equal(f->sent[2].address, 0xFEE01000u);
	assert_int_equal(f->sent[2].data, 0x4031);
	assert_false(pci_msi_is_pending(&f->msi));
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_MASK_64, 4, 0);
	assert_int_equal(f->count, 3);

	/* Pending while disabled is kept until MSI is enabled again unmasked. */
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_MASK_64, 4, 1);
	pci_msi_notify(&f->msi);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_FLAGS, 2, 0);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_MASK_64, 4, 0);
	assert_int_equal(f->count, 3);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	assert_int_equal(f->count, 4);
	assert_int_equal(f->msi.messages, 4);
}

static void test_intx_is_silent_while_enabled(void **state)
{
	struct fixture *f = *state;

	pci_set_irq(&f->fn, true);
	assert_true(f->intx);
	driver_enable(f);
	assert_false(f->intx);
	assert_true(cf8_read(f->bus, DEV, 0, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	pci_set_irq(&f->fn, false);
	pci_set_irq(&f->fn, true);
	assert_false(f->intx);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_FLAGS, 2, 0);
	assert_true(f->intx);
}

static void test_reset_clears_everything(void **state)
{
	struct fixture *f = *state;

	driver_enable(f);
	cf8_write(f->bus, DEV, 0, CAP + PCI_MSI_MASK_64, 4, 1);
	pci_msi_notify(&f->msi);
	assert_true(pci_msi_is_pending(&f->msi));
	pci_host_reset(f->host);
	assert_false(pci_msi_enabled(&f->msi));
	assert_false(pci_msi_is_pending(&f->msi));
	assert_false(pci_msi_is_masked(&f->msi));
	assert_int_equal(cf8_read(f->bus, DEV, 0, CAP + PCI_MSI_FLAGS, 2), 0x0180);
	assert_int_equal(cf8_read(f->bus, DEV, 0, CAP + PCI_MSI_ADDRESS_LO, 4), 0);
	assert_int_equal(cf8_read(f->bus, DEV, 0, CAP + PCI_MSI_DATA_64, 4), 0);
}

/* A function behind a root port sends its messages through the host too. */
static void test_msi_behind_root_port(void **state)
{
	struct fixture *f = *state;
	struct pcie_root_port *rp = pcie_root_port_create(pci_host_root_bus(f->host), 1, 0, 0, 1);
	struct pci_function below;
	struct pci_msi msi;

	assert_non_null(rp);
	assert_int_equal(pci_function_init(&below, &info, NULL), 0);
	assert_int_equal(pci_msi_init(&msi, &below), 0);
	assert_int_equal(pci_bus_attach(pcie_root_port_secondary(rp), 0, 0, &below), 0);
	pci_host_config_write(f->host, 0, 1, 0, PCI_PRIMARY_BUS, 4, 0x00020200);
	pci_host_config_write(f->host, 2, 0, 0, CAP + PCI_MSI_ADDRESS_LO, 4, 0xFEE00000u);
	pci_host_config_write(f->host, 2, 0, 0, CAP + PCI_MSI_DATA_64, 2, 0x0041);
	pci_host_config_write(f->host, 2, 0, 0, CAP + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	pci_msi_notify(&msi);
	assert_int_equal(f->count, 1);
	assert_int_equal(f->sent[0].address, 0xFEE00000u);
	assert_int_equal(f->sent[0].data, 0x41);
	pcie_root_port_destroy(rp);
	pci_msi_notify(&msi);                   /* detached: nowhere to go */
	assert_int_equal(f->count, 1);
	pci_function_release(&below);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_capability_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_messages_masking_and_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intx_is_silent_while_enabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_clears_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msi_behind_root_port, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
