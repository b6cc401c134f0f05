/* SPDX-License-Identifier: MIT */
/*
 * The Q35 MCH and ICH9 LPC functions, driven with the accesses SeaBIOS,
 * OVMF and Linux make on QEMU's "q35" machine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bus/bus.h>
#include <bus/vclock.h>
#include <host/support.h>
#include <pci/ich9.h>
#include <pci/q35.h>
#include "pci_test_access.h"

#define PM_BASE 0x600
#define RAM_BELOW_4G 0x80000000ull
#define LPC PCI_ICH9_LPC_DEVICE

struct pam_call {
	uint32_t base, size;
	enum pci_pam_mode mode;
};

struct fixture {
	struct bus *bus;
	struct pci_host *host;
	struct pci_q35_mch *mch;
	struct pci_ich9_lpc *lpc;
	struct vclock clock;
	uint64_t now_ns;
	struct pam_call pam[64];
	unsigned pam_calls;
	uint8_t reset_rcr[4];
	unsigned resets;
	unsigned sleep_types[4];
	unsigned sleeps;
	bool sci;
	unsigned sci_changes;
};

static uint64_t manual_time(void *ctx)
{
	struct fixture *f = ctx;
	return f->now_ns;
}

static void record_pam(void *opaque, uint32_t base, uint32_t size, enum pci_pam_mode mode)
{
	struct fixture *f = opaque;
	if (f->pam_calls < 64)
		f->pam[f->pam_calls] = (struct pam_call){ base, size, mode };
	f->pam_calls++;
}

static void record_reset(void *opaque, uint8_t rcr)
{
	struct fixture *f = opaque;
	if (f->resets < 4)
		f->reset_rcr[f->resets] = rcr;
	f->resets++;
}

static void record_sleep(void *opaque, unsigned slp_typ)
{
	struct fixture *f = opaque;
	if (f->sleeps < 4)
		f->sleep_types[f->sleeps] = slp_typ;
	f->sleeps++;
}

static void record_sci(void *sink, unsigned pin, bool level)
{
	struct fixture *f = sink;
	assert_int_equal(pin, 9);
	f->sci = level;
	f->sci_changes++;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->now_ns = 5000000000ull;   /* VM time starts at 0 regardless */
	vclock_init(&f->clock, manual_time, f);
	f->bus = bus_create("q35");
	f->host = pci_host_create(f->bus, "pcie0");
	assert_int_equal(pci_host_register_cf8(f->host), 0);
	f->mch = pci_q35_mch_create(f->host, RAM_BELOW_4G, record_pam, f);
	f->lpc = pci_ich9_lpc_create(f->host, &f->clock, record_reset, record_sleep, f);
	assert_non_null(f->mch);
	assert_non_null(f->lpc);
	irq_line_connect(pci_ich9_lpc_sci(f->lpc), record_sci, f, 9);
	host_console_clear();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	pci_ich9_lpc_destroy(f->lpc);
	pci_q35_mch_destroy(f->mch);
	pci_host_destroy(f->host);
	bus_destroy(f->bus);
	free(f);
	return 0;
}

static void advance(struct fixture *f, uint64_t ns)
{
	f->now_ns += ns;
	vclock_run_expired(&f->clock);
}

static enum bus_result mmio_result(struct bus *bus, uint64_t gpa)
{
	enum bus_result r;
	guest_access(bus, BUS_SPACE_MMIO, BUS_READ, gpa, 4, 0, &r);
	return r;
}

static void set_pciexbar(struct fixture *f, uint32_t high, uint32_t low)
{
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_PCIEXBAR + 4, 4, high);
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_PCIEXBAR, 4, low);
}

/* The ECAM region as the bus sees it: base and size. */
static void assert_ecam_region(struct fixture *f, uint64_t base, uint64_t size)
{
	const struct bus_region *r = bus_find(f->bus, BUS_SPACE_MMIO, base);
	assert_non_null(r);
	assert_int_equal(r->base, base);
	assert_int_equal(r->size, size);
	assert_string_equal(r->name, "pci-ecam");
	assert_int_equal(pci_q35_mch_ecam_base(f->mch), base);
	assert_int_equal(pci_q35_mch_ecam_buses(f->mch), size >> 20);
}

/* SeaBIOS pci_probe_devices / qemu_detect and OVMF's Q35 checks. */
static void test_identity(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_VENDOR_ID, 4), 0x29C08086u);
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_CLASS_DEVICE, 2), 0x0600);
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_REVISION_ID, 4), 0x06000000u);
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001AF4u);
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_VENDOR_ID, 4), 0x29188086u);
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_REVISION_ID, 4), 0x06010002u);
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_HEADER_TYPE, 1), 0x80);
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_COMMAND, 2), 0x0007);
	assert_ptr_equal(pci_host_function(f->host, 0, 0), pci_q35_mch_function(f->mch));
	assert_ptr_equal(pci_host_function(f->host, LPC, 0), pci_ich9_lpc_function(f->lpc));
	/* Nothing else on the bus. */
	for (unsigned dev = 1; dev < 32; dev++)
		if (dev != LPC)
			assert_int_equal(cf8_read(f->bus, dev, 0, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);

	/* TOLUD: 2 GiB = address bits 31:20 0x800 in bits 15:4; read-only. */
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_Q35_MCH_TOLUD, 2), 0x8000);
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_TOLUD, 2, 0x1230);
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_Q35_MCH_TOLUD, 2), 0x8000);
	/* No extended TSEG, no graphics: both read 0 and stay so. */
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_Q35_MCH_EXT_TSEG_MBYTES, 4), 0);
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_EXT_TSEG_MBYTES, 2, 0xFFFF);
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_GGC, 2, 0xFFFF);
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_Q35_MCH_EXT_TSEG_MBYTES, 4), 0);

	/* SMRAM and ESMRAMC: QEMU's reset values; only the defined bits stick. */
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_Q35_MCH_SMRAM, 1), 0x02);
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_Q35_MCH_ESMRAMC, 1), 0x38);
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_SMRAM, 1, 0xFF);
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_ESMRAMC, 1, 0xFF);
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_Q35_MCH_SMRAM, 1), 0x7A);
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_Q35_MCH_ESMRAMC, 1), 0xBF);
	pci_host_config_write(f->host, 0, 0, 0, PCI_Q35_MCH_SMRAM, 2, 0);
	assert_int_equal(pci_host_config_read(f->host, 0, 0, 0, PCI_Q35_MCH_SMRAM, 2), 0x3802);
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_SMRAM, 1, 0x48);
	pci_host_reset(f->host);
	assert_int_equal(pci_host_config_read(f->host, 0, 0, 0, PCI_Q35_MCH_SMRAM, 2), 0x3802);
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_Q35_MCH_TOLUD, 2), 0x8000);
}

static void test_pciexbar_moves_ecam(void **state)
{
	struct fixture *f = *state;

	/* Disabled at reset: no window anywhere. */
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_Q35_MCH_PCIEXBAR, 4), 0);
	assert_int_equal(pci_q35_mch_ecam_buses(f->mch), 0);
	assert_int_equal(pci_q35_mch_ecam_base(f->mch), 0);
	assert_int_equal(mmio_result(f->bus, 0xB0000000), BUS_UNASSIGNED);

	/* SeaBIOS mch_mmconfig_setup: upper half, then base | enable. */
	set_pciexbar(f, 0, 0xB0000001u);
	assert_ecam_region(f, 0xB0000000, 0x10000000);
	assert_int_equal(mmio_read(f->bus, 0xB0000000, 4), 0x29C08086u);
	assert_int_equal(mmio_read(f->bus, 0xB0000000 + (LPC << 15), 4), 0x29188086u);
	assert_int_equal(mmio_read(f->bus, 0xB0000000 + 0x60, 4), 0xB0000001u);
	assert_int_equal(mmio_read(f->bus, 0xBFF00000, 4), 0xFFFFFFFFu);   /* bus 255 */
	assert_int_equal(mmio_result(f->bus, 0xBFFFFFFC), BUS_OK);
	assert_int_equal(mmio_result(f->bus, 0xC0000000), BUS_UNASSIGNED);

	/* Moved: the old place is empty, the new one works. */
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_PCIEXBAR, 4, 0xE0000001u);
	assert_ecam_region(f, 0xE0000000, 0x10000000);
	assert_int_equal(mmio_result(f->bus, 0xB0000000), BUS_UNASSIGNED);
	assert_int_equal(mmio_read(f->bus, 0xE0000000, 4), 0x29C08086u);

	/* Length 1: 128 buses, 128 MiB. */
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_PCIEXBAR, 4, 0xE0000003u);
	assert_ecam_region(f, 0xE0000000, 0x08000000);
	assert_int_equal(mmio_result(f->bus, 0xE7FFFFFC), BUS_OK);
	assert_int_equal(mmio_result(f->bus, 0xE8000000), BUS_UNASSIGNED);
	/* A base bit below the length's alignment is ignored (read back as written). */
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_PCIEXBAR, 4, 0xEC000003u);
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_Q35_MCH_PCIEXBAR, 4), 0xEC000003u);
	assert_ecam_region(f, 0xE8000000, 0x08000000);
	/* Length 2: 64 buses, 64 MiB, and bit 26 counts. */
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_PCIEXBAR, 4, 0xEC000005u);
	assert_ecam_region(f, 0xEC000000, 0x04000000);
	assert_int_equal(mmio_read(f->bus, 0xEC000000, 4), 0x29C08086u);
	/* Bits 25:3 are not writable. */
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_PCIEXBAR, 4, 0xB3FFFFF9u);
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_Q35_MCH_PCIEXBAR, 4), 0xB0000001u);
	assert_ecam_region(f, 0xB0000000, 0x10000000);

	/* Above 4 GiB through the upper dword: 0x8_0000_0000. */
	set_pciexbar(f, 0xFFFFFFF8u, 0x00000001u);
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_Q35_MCH_PCIEXBAR + 4, 4), 0x8);
	assert_ecam_region(f, 0x800000000ull, 0x10000000);
	assert_int_equal(mmio_read(f->bus, 0x800000000ull + (LPC << 15), 4), 0x29188086u);
	assert_int_equal(mmio_result(f->bus, 0x00000000), BUS_UNASSIGNED);

	/* Disabled: gone. */
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_PCIEXBAR, 4, 0x00000000u);
	assert_int_equal(pci_q35_mch_ecam_buses(f->mch), 0);
	assert_int_equal(pci_q35_mch_ecam_base(f->mch), 0);
	assert_int_equal(mmio_result(f->bus, 0x800000000ull), BUS_UNASSIGNED);

	/* The reserved length leaves it off, reported once. */
	set_pciexbar(f, 0, 0xB0000007u);
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_PCIEXBAR, 4, 0xC0000007u);
	assert_int_equal(pci_q35_mch_ecam_buses(f->mch), 0);
	assert_int_equal(host_console_lines("reserved length"), 1);

	/* Through ECAM itself: the write that moves the window it came through. */
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_PCIEXBAR, 4, 0xB0000001u);
	mmio_write(f->bus, 0xB0000000 + PCI_Q35_MCH_PCIEXBAR, 4, 0xC0000001u);
	assert_ecam_region(f, 0xC0000000, 0x10000000);
	assert_int_equal(mmio_result(f->bus, 0xB0000000), BUS_UNASSIGNED);
	assert_int_equal(mmio_read(f->bus, 0xC0000000 + PCI_Q35_MCH_PCIEXBAR, 4), 0xC0000001u);

	/* A reset disables it. */
	pci_host_reset(f->host);
	assert_int_equal(pci_q35_mch_ecam_buses(f->mch), 0);
	assert_int_equal(mmio_result(f->bus, 0xC0000000), BUS_UNASSIGNED);
}

static uint64_t dummy_read(void *opaque, uint64_t offset, unsigned width)
{
	(void)opaque;
	(void)offset;
	(void)width;
	return 0x5A;
}

static void dummy_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	(void)opaque;
	(void)offset;
	(void)width;
	(void)value;
}

static const struct bus_ops dummy_ops = { .read = dummy_read, .write = dummy_write };

static void test_pciexbar_clash_is_contained(void **state)
{
	struct fixture *f = *state;
	/* Something (an IOAPIC-like device) at 0xFEC00000. */
	assert_int_equal(bus_register_mmio(f->bus, "dummy", 0xFEC00000, 0x1000, &dummy_ops, NULL,
					   NULL), 0);
	set_pciexbar(f, 0, 0xB0000001u);
	assert_ecam_region(f, 0xB0000000, 0x10000000);
	host_console_clear();
	/* 0xF0000000 + 256 MiB covers 0xFEC00000: refused, reported, ECAM off. */
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_PCIEXBAR, 4, 0xF0000001u);
	assert_int_equal(pci_q35_mch_ecam_buses(f->mch), 0);
	assert_true(host_console_contains("q35-mch"));
	assert_true(host_console_contains("dummy"));
	assert_int_equal(mmio_read(f->bus, 0xFEC00000, 4), 0x5A);
	assert_int_equal(mmio_result(f->bus, 0xB0000000), BUS_UNASSIGNED);
	/* 64 MiB at 0xF0000000 fits below it. */
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_PCIEXBAR, 4, 0xF0000005u);
	assert_ecam_region(f, 0xF0000000, 0x04000000);
	/* A guest rewriting it later gets it back. */
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_PCIEXBAR, 4, 0xB0000001u);
	assert_ecam_region(f, 0xB0000000, 0x10000000);
	/* A clash found through ECAM itself does not crash either. */
	for (unsigned i = 0; i < 100; i++) {
		mmio_write(f->bus, 0xB0000000 + PCI_Q35_MCH_PCIEXBAR, 4, 0xF0000001u);
		cf8_write(f->bus, 0, 0, PCI_Q35_MCH_PCIEXBAR, 4, 0xB0000001u);
	}
	assert_ecam_region(f, 0xB0000000, 0x10000000);
	/* Reports are limited per host. */
	assert_true(host_console_lines("q35-mch") < 40);
	bus_unregister(f->bus, BUS_SPACE_MMIO, 0xFEC00000);
}

static void assert_pam(const struct fixture *f, unsigned i, uint32_t base, uint32_t size,
		       enum pci_pam_mode mode)
{
	assert_true(i < f->pam_calls);
	assert_int_equal(f->pam[i].base, base);
	assert_int_equal(f->pam[i].size, size);
	assert_int_equal(f->pam[i].mode, mode);
}

/* SeaBIOS make_bios_writable_intel(PAM0 = 0x90) and back. */
static void test_pam(void **state)
{
	struct fixture *f = *state;
	for (unsigned i = 1; i < 7; i++)
		cf8_write(f->bus, 0, 0, PCI_Q35_MCH_PAM0 + i, 1, 0x33);
	assert_int_equal(f->pam_calls, 12);
	for (unsigned i = 0; i < 12; i++)
		assert_pam(f, i, 0xC0000 + i * 0x4000, 0x4000, PCI_PAM_READ_WRITE);
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_PAM0, 1, 0xFF);
	assert_int_equal(f->pam_calls, 13);
	assert_pam(f, 12, 0xF0000, 0x10000, PCI_PAM_READ_WRITE);
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_Q35_MCH_PAM0, 4), 0x33333330u);
	assert_int_equal(pci_q35_mch_pam_mode(f->mch, 0xFFFF0), PCI_PAM_READ_WRITE);

	f->pam_calls = 0;
	cf8_write(f->bus, 0, 0, PCI_Q35_MCH_PAM0 + 2, 1, 0x12);
	assert_int_equal(f->pam_calls, 2);
	assert_pam(f, 0, 0xC8000, 0x4000, PCI_PAM_WRITE_ONLY);
	assert_pam(f, 1, 0xCC000, 0x4000, PCI_PAM_READ_ONLY);
	assert_int_equal(pci_q35_mch_pam_mode(f->mch, 0xC8000), PCI_PAM_WRITE_ONLY);
	assert_int_equal(pci_q35_mch_pam_mode(f->mch, 0xCFFFF), PCI_PAM_READ_ONLY);
	assert_int_equal(pci_q35_mch_pam_mode(f->mch, 0xA0000), PCI_PAM_PCI);

	/* The i440FX's PAM offsets are nothing here. */
	f->pam_calls = 0;
	cf8_write(f->bus, 0, 0, 0x59, 1, 0x30);
	assert_int_equal(f->pam_calls, 0);
	assert_int_equal(cf8_read(f->bus, 0, 0, 0x59, 1), 0);

	/* Reset: 13 pieces back to PCI. */
	pci_host_reset(f->host);
	assert_int_equal(f->pam_calls, 13);
	for (unsigned i = 0; i < 13; i++)
		assert_int_equal(f->pam[i].mode, PCI_PAM_PCI);
}

static void enable_pm_block(struct fixture *f, uint16_t base)
{
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_PMBASE, 4, base | 1u);
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_ACPI_CNTL, 1, PCI_ICH9_LPC_ACPI_CNTL_ACPI_EN);
}

/* SeaBIOS mch_isa_bridge_setup / OVMF PlatformPei: PMBASE 0x600, ACPI_EN. */
static void test_lpc_pmbase(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_ICH9_LPC_PMBASE, 4), 0x00000001u);
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_ICH9_LPC_ACPI_CNTL, 1), 0);
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_PMBASE, 4, PM_BASE | 1);
	assert_int_equal(pci_ich9_lpc_pm_base(f->lpc), 0);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 4), 0xFFFFFFFFu);
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_ACPI_CNTL, 1, 0x80);
	assert_int_equal(pci_ich9_lpc_pm_base(f->lpc), PM_BASE);
	const struct bus_region *r = bus_find(f->bus, BUS_SPACE_PIO, PM_BASE);
	assert_non_null(r);
	assert_int_equal(r->base, PM_BASE);
	assert_int_equal(r->size, 128);
	/* Bits 15:7 only; bit 0 reads 1. */
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_PMBASE, 4, 0xFFFF06C0u);
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_ICH9_LPC_PMBASE, 4), 0x00000681u);
	assert_int_equal(pci_ich9_lpc_pm_base(f->lpc), 0x680);
	enum bus_result res;
	guest_access(f->bus, BUS_SPACE_PIO, BUS_READ, PM_BASE + ACPI_PM_TMR, 4, 0, &res);
	assert_int_equal(res, BUS_UNASSIGNED);
	guest_access(f->bus, BUS_SPACE_PIO, BUS_READ, 0x680 + 0x7F, 1, 0, &res);
	assert_int_equal(res, BUS_OK);
	/* Over the ELCR: refused and reported; the block is off. */
	host_console_clear();
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_PMBASE, 2, 0x0481);
	assert_int_equal(pci_ich9_lpc_pm_base(f->lpc), 0);
	assert_true(host_console_contains("ich9-pm"));
	assert_int_equal(pio_in(f->bus, 0x4D0, 1), 0);
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_PMBASE, 2, PM_BASE);
	assert_int_equal(pci_ich9_lpc_pm_base(f->lpc), PM_BASE);
	/* ACPI_EN off: gone; other ACPI_CNTL bits do not matter. */
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_ACPI_CNTL, 1, 0x07);
	assert_int_equal(pci_ich9_lpc_pm_base(f->lpc), 0);
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_ICH9_LPC_ACPI_CNTL, 1), 0x07);
}

static void test_lpc_pm_timer(void **state)
{
	struct fixture *f = *state;
	enable_pm_block(f, PM_BASE);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 4), 0);   /* VM time 0 */
	advance(f, 1000000000ull);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 4), 3579545u);
	advance(f, 1000000);   /* 1 ms: 3579.545 ticks */
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 4), 3579545u + 3579u);
	advance(f, 127);       /* the next tick is at 1.001000128 s */
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 4), 3579545u + 3579u);
	advance(f, 1);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 4), 3579545u + 3580u);
	f->now_ns = 5000000000ull + 10000000000ull;
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 4), 35795450u & 0xFFFFFF);
	assert_int_equal(pci_ich9_lpc_pm_timer(f->lpc), 35795450u & 0xFFFFFF);
	pio_out(f->bus, PM_BASE + ACPI_PM_TMR, 4, 0);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 4), 35795450u & 0xFFFFFF);
	/* Counting does not depend on the block decoding. */
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_ACPI_CNTL, 1, 0);
	advance(f, 1000000000ull);
	assert_int_equal(pci_ich9_lpc_pm_timer(f->lpc), (35795450u + 3579545u) & 0xFFFFFF);
}

/* SeaBIOS ich9_lpc_apmc_smm_setup looks at SMI_EN.APMC_EN first. */
static void test_lpc_smi_and_apm(void **state)
{
	struct fixture *f = *state;
	enable_pm_block(f, PM_BASE);
	assert_int_equal(pio_in(f->bus, PM_BASE + PCI_ICH9_PM_SMI_EN, 4), 0x00000020u);
	assert_int_equal(pio_in(f->bus, PM_BASE + PCI_ICH9_PM_SMI_STS, 4), 0);
	pio_out(f->bus, PM_BASE + PCI_ICH9_PM_SMI_EN, 4, 0x12345678u);
	assert_int_equal(pio_in(f->bus, PM_BASE + PCI_ICH9_PM_SMI_EN, 4), 0x12345678u);
	pio_out(f->bus, PM_BASE + PCI_ICH9_PM_SMI_EN + 1, 1, 0xAB);
	assert_int_equal(pio_in(f->bus, PM_BASE + PCI_ICH9_PM_SMI_EN, 4), 0x1234AB78u);
	pio_out(f->bus, PM_BASE + PCI_ICH9_PM_SMI_STS, 4, 0xFFFFFFFFu);
	assert_int_equal(pio_in(f->bus, PM_BASE + PCI_ICH9_PM_SMI_STS, 4), 0);

	/* ACPI enable/disable through APM_CNT (QEMU's q35 FADT values). */
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_CNT, 2), 0);
	pio_out(f->bus, APM_CNT_PORT, 1, PCI_ICH9_APM_ACPI_ENABLE);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_CNT, 2), ACPI_PM1_CNT_SCI_EN);
	assert_int_equal(pio_in(f->bus, APM_CNT_PORT, 1), 0x02);
	pio_out(f->bus, APM_CNT_PORT, 1, 0xF1);   /* the PIIX value: only stored */
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_CNT, 2), ACPI_PM1_CNT_SCI_EN);
	assert_int_equal(pio_in(f->bus, APM_CNT_PORT, 1), 0xF1);
	pio_out(f->bus, APM_CNT_PORT, 1, PCI_ICH9_APM_ACPI_DISABLE);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_CNT, 2), 0);
	pio_out(f->bus, APM_STS_PORT, 1, 0x55);
	assert_int_equal(pio_in(f->bus, APM_STS_PORT, 1), 0x55);

	/* Unmodelled offsets read 0; the block is 128 bytes. */
	assert_int_equal(pio_in(f->bus, PM_BASE + 0x0C, 4), 0);
	assert_int_equal(pio_in(f->bus, PM_BASE + 0x10, 4), 0);
	assert_int_equal(pio_in(f->bus, PM_BASE + 0x38, 4), 0);
	pio_out(f->bus, PM_BASE + 0x40, 4, 0xFFFFFFFFu);
	assert_int_equal(pio_in(f->bus, PM_BASE + 0x40, 4), 0);
	assert_int_equal(pio_in(f->bus, PM_BASE + 0x7C, 4), 0);
	enum bus_result res;
	guest_access(f->bus, BUS_SPACE_PIO, BUS_READ, PM_BASE + 0x80, 1, 0, &res);
	assert_int_equal(res, BUS_UNASSIGNED);

	/* A reset presets APMC_EN again. */
	pci_host_reset(f->host);
	enable_pm_block(f, PM_BASE);
	assert_int_equal(pio_in(f->bus, PM_BASE + PCI_ICH9_PM_SMI_EN, 4), 0x00000020u);
	assert_int_equal(pio_in(f->bus, APM_STS_PORT, 1), 0);
}

static void test_lpc_sci(void **state)
{
	struct fixture *f = *state;
	enable_pm_block(f, PM_BASE);

	/* An enabled event without SCI_EN raises nothing. */
	pio_out(f->bus, PM_BASE + ACPI_PM1_EN, 2, ACPI_PM1_PWRBTN_STS);
	pci_ich9_lpc_power_button(f->lpc);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_STS, 2), ACPI_PM1_PWRBTN_STS);
	assert_false(f->sci);
	pio_out(f->bus, APM_CNT_PORT, 1, PCI_ICH9_APM_ACPI_ENABLE);
	assert_true(f->sci);
	pio_out(f->bus, PM_BASE + ACPI_PM1_STS, 2, ACPI_PM1_PWRBTN_STS);
	assert_false(f->sci);
	assert_int_equal(f->sci_changes, 2);
	/* EN bits only where defined. */
	pio_out(f->bus, PM_BASE + ACPI_PM1_EN, 2, 0xFFFF);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_EN, 2), 0x0521);

	/* GPE0: status from the machine, enable and write-1-to-clear from the guest. */
	pci_ich9_lpc_gpe_event(f->lpc, 1);
	assert_int_equal(pio_in(f->bus, PM_BASE + PCI_ICH9_PM_GPE0_STS, 4), 0x02);
	assert_false(f->sci);
	pio_out(f->bus, PM_BASE + PCI_ICH9_PM_GPE0_EN, 1, 0x02);
	assert_true(f->sci);
	pio_out(f->bus, PM_BASE + PCI_ICH9_PM_GPE0_STS, 1, 0x01);
	assert_true(f->sci);
	pio_out(f->bus, PM_BASE + PCI_ICH9_PM_GPE0_STS, 1, 0x02);
	assert_false(f->sci);
	pci_ich9_lpc_gpe_event(f->lpc, 63);
	pci_ich9_lpc_gpe_event(f->lpc, 64);   /* no such bit: ignored */
	assert_int_equal(pio_in(f->bus, PM_BASE + PCI_ICH9_PM_GPE0_STS + 4, 4), 0x80000000u);
	pio_out(f->bus, PM_BASE + PCI_ICH9_PM_GPE0_EN + 4, 4, 0x80000000u);
	assert_int_equal(pio_in(f->bus, PM_BASE + PCI_ICH9_PM_GPE0_EN, 4), 0x02);
	assert_true(f->sci);
	/* SCI_EN off lowers it with the event still pending. */
	pio_out(f->bus, PM_BASE + ACPI_PM1_CNT, 2, 0);
	assert_false(f->sci);
	pio_out(f->bus, PM_BASE + ACPI_PM1_CNT, 2, ACPI_PM1_CNT_SCI_EN);
	assert_true(f->sci);
	pci_host_reset(f->host);
	assert_false(f->sci);

	/* SCI_IRQ_SEL. */
	static const int irqs[8] = { 9, 10, 11, -1, 20, 21, 22, 23 };
	assert_int_equal(pci_ich9_lpc_sci_irq(f->lpc), 9);
	for (unsigned sel = 0; sel < 8; sel++) {
		cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_ACPI_CNTL, 1, 0x80 | sel);
		assert_int_equal(pci_ich9_lpc_sci_irq(f->lpc), irqs[sel]);
	}
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_ACPI_CNTL, 1, 0xFF);
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_ICH9_LPC_ACPI_CNTL, 1), 0x87);
}

/* TMR_STS from bit 23 of the counter, and its SCI with TMR_EN, as on the PIIX4. */
static void test_lpc_timer_overflow_sci(void **state)
{
	struct fixture *f = *state;
	enable_pm_block(f, PM_BASE);
	pio_out(f->bus, APM_CNT_PORT, 1, PCI_ICH9_APM_ACPI_ENABLE);
	pio_out(f->bus, PM_BASE + ACPI_PM1_EN, 2, ACPI_PM1_TMR_STS);
	assert_int_equal(vclock_next_deadline(&f->clock), 2343484438ull);
	advance(f, 2343484438ull - 1);
	assert_false(f->sci);
	advance(f, 1);
	assert_true(f->sci);
	pio_out(f->bus, PM_BASE + ACPI_PM1_STS, 2, ACPI_PM1_TMR_STS);
	assert_false(f->sci);
	assert_int_equal(vclock_next_deadline(&f->clock), 4686968875ull);
}

static void test_lpc_sleep(void **state)
{
	struct fixture *f = *state;
	enable_pm_block(f, PM_BASE);
	pio_out(f->bus, APM_CNT_PORT, 1, PCI_ICH9_APM_ACPI_ENABLE);
	/* S5 with QEMU's _S5 package: SLP_TYP 0 | SLP_EN. */
	pio_out(f->bus, PM_BASE + ACPI_PM1_CNT, 2, ACPI_PM1_CNT_SLP_EN | ACPI_PM1_CNT_SCI_EN);
	assert_int_equal(f->sleeps, 1);
	assert_int_equal(f->sleep_types[0], 0);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_CNT, 2), ACPI_PM1_CNT_SCI_EN);
	pio_out(f->bus, PM_BASE + ACPI_PM1_CNT + 1, 1, 0x20 | (5 << 2));
	assert_int_equal(f->sleeps, 2);
	assert_int_equal(f->sleep_types[1], 5);
	assert_true(host_console_contains("ich9-pm: sleep request, SLP_TYP 5"));
}

/* SeaBIOS mch_isa_bridge_setup: PIRQA..H = 10, 10, 11, 11, 10, 10, 11, 11. */
static void test_lpc_pirq_routing(void **state)
{
	struct fixture *f = *state;
	for (unsigned pirq = 0; pirq < 8; pirq++)
		assert_int_equal(pci_ich9_lpc_pirq_route(f->lpc, pirq), -1);
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_ICH9_LPC_PIRQA_ROUT, 4), 0x80808080u);
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_ICH9_LPC_PIRQE_ROUT, 4), 0x80808080u);
	assert_int_equal(cf8_read(f->bus, LPC, 0, 0x64, 4), 0);
	static const uint8_t irqs[8] = { 10, 10, 11, 11, 10, 10, 11, 11 };
	for (unsigned pirq = 0; pirq < 8; pirq++) {
		unsigned reg = pirq < 4 ? PCI_ICH9_LPC_PIRQA_ROUT + pirq
					: PCI_ICH9_LPC_PIRQE_ROUT + pirq - 4;
		cf8_write(f->bus, LPC, 0, reg, 1, irqs[pirq]);
	}
	for (unsigned pirq = 0; pirq < 8; pirq++)
		assert_int_equal(pci_ich9_lpc_pirq_route(f->lpc, pirq), irqs[pirq]);
	assert_int_equal(pci_ich9_lpc_pirq_route(f->lpc, 8), -1);
	/* Reserved bits masked; IRQ 2 and 13 are not routable; bit 7 disables. */
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_PIRQE_ROUT, 4, 0xF58D0205u);
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_ICH9_LPC_PIRQE_ROUT, 4), 0x858D0205u);
	assert_int_equal(pci_ich9_lpc_pirq_route(f->lpc, 4), 5);
	assert_int_equal(pci_ich9_lpc_pirq_route(f->lpc, 5), -1);
	assert_int_equal(pci_ich9_lpc_pirq_route(f->lpc, 6), -1);
	assert_int_equal(pci_ich9_lpc_pirq_route(f->lpc, 7), -1);
	assert_int_equal(pci_ich9_lpc_pirq_route(f->lpc, 0), 10);
	pci_host_reset(f->host);
	for (unsigned pirq = 0; pirq < 8; pirq++)
		assert_int_equal(pci_ich9_lpc_pirq_route(f->lpc, pirq), -1);
}

static void test_lpc_elcr_and_reset_control(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(pio_in(f->bus, 0x4D0, 2), 0);
	pio_out(f->bus, 0x4D0, 1, 0xFF);
	pio_out(f->bus, 0x4D1, 1, 0xFF);
	assert_int_equal(pci_ich9_lpc_elcr(f->lpc), 0xDEF8);
	pio_out(f->bus, 0x4D0, 2, 0x0E20);
	assert_int_equal(pio_in(f->bus, 0x4D0, 2), 0x0E20);
	assert_int_equal(pci_ich9_lpc_elcr(f->lpc), 0x0E20);

	/* Linux's reboot=pci: 0x02, then 0x06. */
	assert_int_equal(pio_in(f->bus, 0xCF9, 1), 0);
	pio_out(f->bus, 0xCF9, 1, 0x02);
	assert_int_equal(f->resets, 0);
	pio_out(f->bus, 0xCF9, 1, 0x06);
	assert_int_equal(f->resets, 1);
	assert_int_equal(f->reset_rcr[0], 0x06);
	assert_int_equal(pio_in(f->bus, 0xCF9, 1), 0x06);
	pio_out(f->bus, 0xCF9, 1, 0xFE);
	assert_int_equal(f->resets, 2);
	assert_int_equal(f->reset_rcr[1], 0x0E);
	assert_true(host_console_contains("ich9-lpc: reset requested through 0xCF9"));
	pci_host_reset(f->host);
	assert_int_equal(pio_in(f->bus, 0xCF9, 1), 0);
	assert_int_equal(pci_ich9_lpc_elcr(f->lpc), 0);
}

static void test_lpc_rcba(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_ICH9_LPC_RCBA, 4), 0);
	assert_int_equal(pci_ich9_lpc_rcba_base(f->lpc), 0);
	/* OVMF/coreboot's usual base. */
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_RCBA, 4, 0xFED1C001u);
	assert_int_equal(pci_ich9_lpc_rcba_base(f->lpc), 0xFED1C000u);
	const struct bus_region *r = bus_find(f->bus, BUS_SPACE_MMIO, 0xFED1C000);
	assert_non_null(r);
	assert_int_equal(r->size, 0x4000);
	assert_int_equal(mmio_read(f->bus, 0xFED1C000, 4), 0);
	mmio_write(f->bus, 0xFED1C000 + 0x3410, 4, 0x11223344u);
	assert_int_equal(mmio_read(f->bus, 0xFED1C000 + 0x3410, 4), 0x11223344u);
	assert_int_equal(mmio_read(f->bus, 0xFED1C000 + 0x3412, 2), 0x1122);
	assert_int_equal(mmio_read(f->bus, 0xFED1C000 + 0x3411, 1), 0x33);
	mmio_write(f->bus, 0xFED1C000 + 0x3FF8, 8, 0xAABBCCDDEEFF0011ull);   /* split in two */
	assert_int_equal(mmio_read(f->bus, 0xFED1FFF8, 4), 0xEEFF0011u);
	assert_int_equal(mmio_read(f->bus, 0xFED1FFFC, 4), 0xAABBCCDDu);
	enum bus_result res;
	guest_access(f->bus, BUS_SPACE_MMIO, BUS_READ, 0xFED1C001, 2, 0, &res);
	assert_int_equal(res, BUS_REJECTED);   /* unaligned */
	/* Reserved bits 13:1 stay 0. */
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_RCBA, 4, 0xFED1FFFFu);
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_ICH9_LPC_RCBA, 4), 0xFED1C001u);

	/* Moved: contents go along, the old place is empty. */
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_RCBA, 4, 0xFED20001u);
	assert_int_equal(pci_ich9_lpc_rcba_base(f->lpc), 0xFED20000u);
	assert_int_equal(mmio_result(f->bus, 0xFED1C000), BUS_UNASSIGNED);
	assert_int_equal(mmio_read(f->bus, 0xFED20000 + 0x3410, 4), 0x11223344u);
	/* Disabled: gone. */
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_RCBA, 4, 0xFED20000u);
	assert_int_equal(pci_ich9_lpc_rcba_base(f->lpc), 0);
	assert_int_equal(mmio_result(f->bus, 0xFED20000), BUS_UNASSIGNED);

	/* Over another device: reported, not mapped, the other untouched. */
	assert_int_equal(bus_register_mmio(f->bus, "dummy", 0xFEC00000, 0x1000, &dummy_ops, NULL,
					   NULL), 0);
	host_console_clear();
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_RCBA, 4, 0xFEC00001u);
	assert_int_equal(pci_ich9_lpc_rcba_base(f->lpc), 0);
	assert_true(host_console_contains("RCBA"));
	assert_int_equal(mmio_read(f->bus, 0xFEC00000, 4), 0x5A);
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_RCBA, 4, 0xFED1C001u);
	assert_int_equal(pci_ich9_lpc_rcba_base(f->lpc), 0xFED1C000u);
	bus_unregister(f->bus, BUS_SPACE_MMIO, 0xFEC00000);

	/* Reset: off and cleared. */
	pci_host_reset(f->host);
	assert_int_equal(pci_ich9_lpc_rcba_base(f->lpc), 0);
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_RCBA, 4, 0xFED1C001u);
	assert_int_equal(mmio_read(f->bus, 0xFED1C000 + 0x3410, 4), 0);
}

static void test_lpc_gen_pmcon(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_ICH9_LPC_GEN_PMCON_1, 4), 0);
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_ICH9_LPC_GEN_PMCON_3, 4), 0);
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_GEN_PMCON_1, 4, 0xFFFFFFFFu);
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_GEN_PMCON_3, 4, 0xFFFFFFFFu);
	/* 0xA3 and 0xA6/0xA7 are not registers. */
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_ICH9_LPC_GEN_PMCON_1, 4), 0x00FFFFFFu);
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_ICH9_LPC_GEN_PMCON_3, 4), 0x0000FFFFu);
	cf8_write(f->bus, LPC, 0, PCI_ICH9_LPC_GEN_PMCON_2, 1, 0x5A);
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_ICH9_LPC_GEN_PMCON_2, 1), 0x5A);
	pci_host_reset(f->host);
	assert_int_equal(cf8_read(f->bus, LPC, 0, PCI_ICH9_LPC_GEN_PMCON_1, 4), 0);
}

static void test_creation_and_cleanup(void **state)
{
	struct fixture *f = *state;
	host_console_clear();
	/* Slots taken. */
	assert_null(pci_q35_mch_create(f->host, RAM_BELOW_4G, NULL, NULL));
	assert_null(pci_ich9_lpc_create(f->host, &f->clock, NULL, NULL, NULL));
	assert_null(pci_ich9_lpc_create(f->host, NULL, NULL, NULL, NULL));
	pci_q35_mch_destroy(NULL);
	pci_ich9_lpc_destroy(NULL);

	struct bus *bus = bus_create("bare");
	struct pci_host *host = pci_host_create(bus, "bare");
	assert_int_equal(pci_host_register_cf8(host), 0);
	assert_null(pci_q35_mch_create(host, 0x100000000ull, NULL, NULL));
	/* TOLUD rounds down to 1 MiB: 0xBFF80000 -> 0xBFF. */
	struct pci_q35_mch *mch = pci_q35_mch_create(host, 0xBFF80000ull, NULL, NULL);
	assert_non_null(mch);
	assert_int_equal(cf8_read(bus, 0, 0, PCI_Q35_MCH_TOLUD, 2), 0xBFF0);
	/* A window mapped before the MCH is the MCH's to decide: removed. */
	pci_q35_mch_destroy(mch);
	assert_int_equal(pci_host_map_ecam(host, 0xB0000000, 16), 0);
	mch = pci_q35_mch_create(host, 0x7FF00000ull, NULL, NULL);
	assert_int_equal(mmio_result(bus, 0xB0000000), BUS_UNASSIGNED);
	assert_int_equal(cf8_read(bus, 0, 0, PCI_Q35_MCH_TOLUD, 2), 0x7FF0);

	/* Without callbacks: PAM, reset and sleep only act on the registers. */
	struct vclock clock;
	uint64_t now = 0;
	vclock_init(&clock, manual_time, &now);
	struct pci_ich9_lpc *lpc = pci_ich9_lpc_create(host, &clock, NULL, NULL, NULL);
	assert_non_null(lpc);
	cf8_write(bus, 0, 0, PCI_Q35_MCH_PAM0, 1, 0x30);
	assert_int_equal(pci_q35_mch_pam_mode(mch, 0xF0000), PCI_PAM_READ_WRITE);
	pio_out(bus, 0xCF9, 1, 0x06);
	cf8_write(bus, LPC, 0, PCI_ICH9_LPC_PMBASE, 4, PM_BASE);
	cf8_write(bus, LPC, 0, PCI_ICH9_LPC_ACPI_CNTL, 1, 0x80);
	pio_out(bus, PM_BASE + ACPI_PM1_CNT, 2, ACPI_PM1_CNT_SLP_EN);
	cf8_write(bus, LPC, 0, PCI_ICH9_LPC_RCBA, 4, 0xFED1C001u);
	set_pciexbar(&(struct fixture){ .bus = bus }, 0, 0xB0000001u);
	assert_int_equal(mmio_read(bus, 0xB0000000 + (LPC << 15), 4), 0x29188086u);

	/* Everything they registered goes with them. */
	pci_ich9_lpc_destroy(lpc);
	pci_q35_mch_destroy(mch);
	static const uint16_t ports[] = { 0xB2, 0xB3, 0x4D0, 0x4D1, PM_BASE };
	for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		assert_null(bus_find(bus, BUS_SPACE_PIO, ports[i]));
	assert_null(bus_find(bus, BUS_SPACE_MMIO, 0xFED1C000));
	assert_null(bus_find(bus, BUS_SPACE_MMIO, 0xB0000000));
	assert_int_equal(pio_in(bus, 0xCF9, 1), 0xFF);
	assert_int_equal(cf8_read(bus, 0, 0, PCI_VENDOR_ID, 4), 0xFFFFFFFFu);
	pci_host_destroy(host);
	bus_destroy(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pciexbar_moves_ecam, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pciexbar_clash_is_contained, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pam, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lpc_pmbase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lpc_pm_timer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lpc_smi_and_apm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lpc_sci, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lpc_timer_overflow_sci, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lpc_sleep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lpc_pirq_routing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lpc_elcr_and_reset_control, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lpc_rcba, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lpc_gen_pmcon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_creation_and_cleanup, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
