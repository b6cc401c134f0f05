/* SPDX-License-Identifier: MIT */
/*
 * The i440FX / PIIX3 / PIIX4 PM functions, driven with the port
 * sequences SeaBIOS, OVMF and Linux use.
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
#include <pci/i440fx.h>
#include <pci/piix.h>
#include "pci_test_access.h"

#define PM_BASE 0xB000

struct pam_call {
	uint32_t base, size;
	enum pci_pam_mode mode;
};

struct fixture {
	struct bus *bus;
	struct pci_host *host;
	struct pci_i440fx *i440fx;
	struct pci_piix3 *piix3;
	struct pci_piix4_pm *pm;
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
	assert_int_equal(pin, PCI_PIIX4_PM_SCI_IRQ);
	f->sci = level;
	f->sci_changes++;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->now_ns = 5000000000ull;   /* VM time starts at 0 regardless */
	vclock_init(&f->clock, manual_time, f);
	f->bus = bus_create("pc");
	f->host = pci_host_create(f->bus, "pci0");
	assert_int_equal(pci_host_register_cf8(f->host), 0);
	f->i440fx = pci_i440fx_create(f->host, record_pam, f);
	f->piix3 = pci_piix3_create(f->host, record_reset, f);
	f->pm = pci_piix4_pm_create(f->host, &f->clock, record_sleep, f);
	assert_non_null(f->i440fx);
	assert_non_null(f->piix3);
	assert_non_null(f->pm);
	irq_line_connect(pci_piix4_pm_sci(f->pm), record_sci, f, PCI_PIIX4_PM_SCI_IRQ);
	host_console_clear();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	pci_piix4_pm_destroy(f->pm);
	pci_piix3_destroy(f->piix3);
	pci_i440fx_destroy(f->i440fx);
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

/* SeaBIOS pci_probe_devices + the platform/device tables. */
static void test_seabios_bus_scan(void **state)
{
	struct fixture *f = *state;
	unsigned present = 0;

	pio_out(f->bus, 0xCF8, 4, 0x80000000u);
	assert_int_equal(pio_in(f->bus, 0xCF8, 4), 0x80000000u);
	for (unsigned dev = 0; dev < 32; dev++) {
		for (unsigned fn = 0; fn < 8; fn++) {
			uint32_t id = cf8_read(f->bus, dev, fn, PCI_VENDOR_ID, 4);
			if (id == 0xFFFFFFFFu) {
				assert_false(dev == 0 && fn == 0);
				continue;
			}
			present++;
			uint32_t class = cf8_read(f->bus, dev, fn, PCI_CLASS_DEVICE, 2);
			if (dev == 0 && fn == 0) {
				assert_int_equal(id, 0x12378086u);
				assert_int_equal(class, 0x0600);
				assert_int_equal(cf8_read(f->bus, 0, 0, PCI_REVISION_ID, 1), 0x02);
			} else if (dev == 1 && fn == 0) {
				assert_int_equal(id, 0x70008086u);
				assert_int_equal(class, 0x0601);
			} else if (dev == 1 && fn == 3) {
				assert_int_equal(id, 0x71138086u);
				assert_int_equal(class, 0x0680);
				assert_int_equal(cf8_read(f->bus, 1, 3, PCI_REVISION_ID, 1), 0x03);
			} else {
				fail_msg("unexpected function %02x.%u", dev, fn);
			}
			/* Without the multi-function bit, functions 1..7 are not probed. */
			if (fn == 0 && !(cf8_read(f->bus, dev, 0, PCI_HEADER_TYPE, 1) & 0x80))
				break;
		}
	}
	assert_int_equal(present, 3);
	/* qemu_detect: subsystem 1AF4:1100 at 00:00.0. */
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1AF4);
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_SUBSYSTEM_ID, 2), 0x1100);
	assert_int_equal(cf8_read(f->bus, 1, 3, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001AF4u);
	assert_int_equal(cf8_read(f->bus, 1, 0, PCI_HEADER_TYPE, 1), 0x80);
	/* The PM function: pin A, line 9 as QEMU/SeaBIOS leave it. */
	assert_int_equal(cf8_read(f->bus, 1, 3, PCI_INTERRUPT_LINE, 2), 0x0109);
	/* The ISA bridge decodes from reset. */
	assert_int_equal(cf8_read(f->bus, 1, 0, PCI_COMMAND, 2), 0x0007);
}

static void assert_pam(const struct fixture *f, unsigned i, uint32_t base, uint32_t size,
		       enum pci_pam_mode mode)
{
	assert_true(i < f->pam_calls);
	assert_int_equal(f->pam[i].base, base);
	assert_int_equal(f->pam[i].size, size);
	assert_int_equal(f->pam[i].mode, mode);
}

/* SeaBIOS make_bios_writable_intel / make_bios_readonly_intel. */
static void test_pam_shadow_sequence(void **state)
{
	struct fixture *f = *state;

	for (unsigned i = 1; i < 7; i++)
		cf8_write(f->bus, 0, 0, PCI_I440FX_PAM0 + i, 1, 0x33);
	assert_int_equal(f->pam_calls, 12);
	for (unsigned i = 0; i < 12; i++)
		assert_pam(f, i, 0xC0000 + i * 0x4000, 0x4000, PCI_PAM_READ_WRITE);
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_I440FX_PAM0, 1) & 0x10, 0);
	cf8_write(f->bus, 0, 0, PCI_I440FX_PAM0, 1, 0x30);
	assert_int_equal(f->pam_calls, 13);
	assert_pam(f, 12, 0xF0000, 0x10000, PCI_PAM_READ_WRITE);
	assert_int_equal(pci_i440fx_pam_mode(f->i440fx, 0xFFFF0), PCI_PAM_READ_WRITE);
	assert_int_equal(pci_i440fx_pam_mode(f->i440fx, 0xD7FFF), PCI_PAM_READ_WRITE);

	/* Closing: option ROM areas read-only, then the BIOS segment. */
	f->pam_calls = 0;
	for (unsigned i = 1; i < 7; i++)
		cf8_write(f->bus, 0, 0, PCI_I440FX_PAM0 + i, 1, 0x11);
	cf8_write(f->bus, 0, 0, PCI_I440FX_PAM0, 1, 0x10);
	assert_int_equal(f->pam_calls, 13);
	for (unsigned i = 0; i < 12; i++)
		assert_pam(f, i, 0xC0000 + i * 0x4000, 0x4000, PCI_PAM_READ_ONLY);
	assert_pam(f, 12, 0xF0000, 0x10000, PCI_PAM_READ_ONLY);
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_I440FX_PAM0, 4), 0x11111000u);

	/* Mixed nibbles; reserved bits stay clear. */
	f->pam_calls = 0;
	cf8_write(f->bus, 0, 0, PCI_I440FX_PAM0 + 2, 1, 0xF2);
	assert_int_equal(f->pam_calls, 2);
	assert_pam(f, 0, 0xC8000, 0x4000, PCI_PAM_WRITE_ONLY);
	assert_pam(f, 1, 0xCC000, 0x4000, PCI_PAM_READ_WRITE);
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_I440FX_PAM0 + 2, 1), 0x32);
	assert_int_equal(pci_i440fx_pam_mode(f->i440fx, 0xC8000), PCI_PAM_WRITE_ONLY);
	assert_int_equal(pci_i440fx_pam_mode(f->i440fx, 0xCFFFF), PCI_PAM_READ_WRITE);
	cf8_write(f->bus, 0, 0, PCI_I440FX_PAM0, 1, 0xFF);
	assert_int_equal(cf8_read(f->bus, 0, 0, PCI_I440FX_PAM0, 1), 0x30);

	/* A dword write at 0x58 covers PAM0..PAM2: three registers, five pieces. */
	f->pam_calls = 0;
	cf8_write(f->bus, 0, 0, 0x58, 4, 0x00300000u);
	assert_int_equal(f->pam_calls, 5);
	assert_pam(f, 0, 0xF0000, 0x10000, PCI_PAM_PCI);
	assert_pam(f, 1, 0xC0000, 0x4000, PCI_PAM_PCI);
	assert_pam(f, 2, 0xC4000, 0x4000, PCI_PAM_READ_WRITE);
	assert_pam(f, 3, 0xC8000, 0x4000, PCI_PAM_PCI);
	assert_pam(f, 4, 0xCC000, 0x4000, PCI_PAM_PCI);
	assert_int_equal(pci_i440fx_pam_mode(f->i440fx, 0xA0000), PCI_PAM_PCI);
	assert_int_equal(pci_i440fx_pam_mode(f->i440fx, 0x100000), PCI_PAM_PCI);

	/* A write elsewhere does not call back. */
	f->pam_calls = 0;
	cf8_write(f->bus, 0, 0, PCI_COMMAND, 2, 0x0006);
	assert_int_equal(f->pam_calls, 0);
	assert_ptr_equal(pci_function_bus(pci_i440fx_function(f->i440fx)), f->bus);
}

static void test_piix3_pirq_routing(void **state)
{
	struct fixture *f = *state;
	for (unsigned pirq = 0; pirq < 4; pirq++) {
		assert_int_equal(cf8_read(f->bus, 1, 0, PCI_PIIX3_PIRQ_ROUTE + pirq, 1), 0x80);
		assert_int_equal(pci_piix3_pirq_route(f->piix3, pirq), -1);
	}
	/* SeaBIOS piix_isa_bridge_setup: 10, 10, 11, 11, byte by byte. */
	static const uint8_t irqs[4] = { 10, 10, 11, 11 };
	for (unsigned pirq = 0; pirq < 4; pirq++)
		cf8_write(f->bus, 1, 0, PCI_PIIX3_PIRQ_ROUTE + pirq, 1, irqs[pirq]);
	assert_int_equal(cf8_read(f->bus, 1, 0, PCI_PIIX3_PIRQ_ROUTE, 4), 0x0B0B0A0Au);
	for (unsigned pirq = 0; pirq < 4; pirq++)
		assert_int_equal(pci_piix3_pirq_route(f->piix3, pirq), irqs[pirq]);
	assert_int_equal(pci_piix3_pirq_route(f->piix3, 4), -1);
	/* One dword; reserved bits masked; IRQ 2 and 13 are not routable. */
	cf8_write(f->bus, 1, 0, PCI_PIIX3_PIRQ_ROUTE, 4, 0xF58D0205u);
	assert_int_equal(cf8_read(f->bus, 1, 0, PCI_PIIX3_PIRQ_ROUTE, 4), 0x858D0205u);
	assert_int_equal(pci_piix3_pirq_route(f->piix3, 0), 5);
	assert_int_equal(pci_piix3_pirq_route(f->piix3, 1), -1);
	assert_int_equal(pci_piix3_pirq_route(f->piix3, 2), -1);
	assert_int_equal(pci_piix3_pirq_route(f->piix3, 3), -1);
	/* QEMU's slot swizzle: slot 1 pin A = PIRQA, slot 3 pin A = PIRQC. */
	assert_int_equal(pci_piix_slot_pirq(1, 1), 0);
	assert_int_equal(pci_piix_slot_pirq(3, 1), 2);
	assert_int_equal(pci_piix_slot_pirq(3, 4), 1);
	assert_ptr_equal(pci_host_function(f->host, 1, 0), pci_piix3_function(f->piix3));
}

static void test_piix3_elcr(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(pio_in(f->bus, 0x4D0, 1), 0);
	assert_int_equal(pio_in(f->bus, 0x4D1, 1), 0);
	pio_out(f->bus, 0x4D0, 1, 0xFF);
	pio_out(f->bus, 0x4D1, 1, 0xFF);
	assert_int_equal(pio_in(f->bus, 0x4D0, 1), 0xF8);
	assert_int_equal(pio_in(f->bus, 0x4D1, 1), 0xDE);
	assert_int_equal(pci_piix3_elcr(f->piix3), 0xDEF8);
	/* Level for IRQ 10 and 11 only, written as one word. */
	pio_out(f->bus, 0x4D0, 2, 0x0C00);
	assert_int_equal(pio_in(f->bus, 0x4D0, 2), 0x0C00);
	assert_int_equal(pci_piix3_elcr(f->piix3), 0x0C00);
}

static void test_reset_control_register(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(pio_in(f->bus, 0xCF9, 1), 0);
	/* Linux's reboot=pci: 0x02, then 0x06. */
	pio_out(f->bus, 0xCF9, 1, 0x02);
	assert_int_equal(f->resets, 0);
	assert_int_equal(pio_in(f->bus, 0xCF9, 1), 0x02);
	pio_out(f->bus, 0xCF9, 1, 0x06);
	assert_int_equal(f->resets, 1);
	assert_int_equal(f->reset_rcr[0], 0x06);
	assert_int_equal(pio_in(f->bus, 0xCF9, 1), 0x06);
	/* Unused bits are not kept; the 0xCF8 latch is separate. */
	pio_out(f->bus, 0xCF9, 1, 0xF0);
	assert_int_equal(pio_in(f->bus, 0xCF9, 1), 0x00);
	pio_out(f->bus, 0xCF8, 4, 0x80000800u);
	assert_int_equal(pio_in(f->bus, 0xCF9, 1), 0x00);
	assert_int_equal(pio_in(f->bus, 0xCF8, 4), 0x80000800u);
	assert_int_equal(f->resets, 1);
	pio_out(f->bus, 0xCF9, 1, 0x0E);
	assert_int_equal(f->resets, 2);
	assert_int_equal(f->reset_rcr[1], 0x0E);
	pci_host_reset(f->host);
	assert_int_equal(pio_in(f->bus, 0xCF9, 1), 0x00);
}

static void test_smm_already_initialised(void **state)
{
	struct fixture *f = *state;
	/* SeaBIOS piix4_apmc_smm_setup reads dword 0x58 and checks bit 25. */
	assert_true(cf8_read(f->bus, 1, 3, PCI_PIIX4_PM_DEVACTB, 4) & (1u << 25));
	assert_int_equal(cf8_read(f->bus, 1, 3, 0x5B, 1), 0x02);
	/* APM: status is scratch, the command port raises nothing. */
	pio_out(f->bus, APM_STS_PORT, 1, 0x55);
	pio_out(f->bus, APM_CNT_PORT, 1, 0x00);
	assert_int_equal(pio_in(f->bus, APM_STS_PORT, 1), 0x55);
	assert_int_equal(pio_in(f->bus, APM_CNT_PORT, 1), 0x00);
	pio_out(f->bus, APM_CNT_PORT, 2, 0x0042);
	assert_int_equal(pio_in(f->bus, APM_STS_PORT, 1), 0x00);
	/* Even after the guest clears it, a reset presets it again. */
	cf8_write(f->bus, 1, 3, 0x5B, 1, 0);
	assert_int_equal(cf8_read(f->bus, 1, 3, 0x5B, 1), 0);
	pci_host_reset(f->host);
	assert_int_equal(cf8_read(f->bus, 1, 3, 0x5B, 1), 0x02);
	assert_int_equal(cf8_read(f->bus, 1, 3, PCI_INTERRUPT_LINE, 1), 9);
}

static void enable_pm_block(struct fixture *f, uint16_t base)
{
	cf8_write(f->bus, 1, 3, PCI_PIIX4_PM_PMBASE, 4, base | 1u);
	cf8_write(f->bus, 1, 3, PCI_PIIX4_PM_PMREGMISC, 1, 0x01);
}

static void test_pmbase_programming(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(cf8_read(f->bus, 1, 3, PCI_PIIX4_PM_PMBASE, 4), 0x00000001u);
	/* Base alone does not decode; SeaBIOS then sets PMREGMISC. */
	cf8_write(f->bus, 1, 3, PCI_PIIX4_PM_PMBASE, 4, PM_BASE | 1);
	assert_int_equal(cf8_read(f->bus, 1, 3, PCI_PIIX4_PM_PMBASE, 4), PM_BASE | 1);
	assert_int_equal(pci_piix4_pm_io_base(f->pm), 0);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 4), 0xFFFFFFFFu);
	cf8_write(f->bus, 1, 3, PCI_PIIX4_PM_PMREGMISC, 1, 0xFF);
	assert_int_equal(cf8_read(f->bus, 1, 3, PCI_PIIX4_PM_PMREGMISC, 1), 0x01);
	assert_int_equal(pci_piix4_pm_io_base(f->pm), PM_BASE);
	/* 64-byte alignment, bit 0 read-only, high half reserved. */
	cf8_write(f->bus, 1, 3, PCI_PIIX4_PM_PMBASE, 4, 0xFFFF0620u);
	assert_int_equal(cf8_read(f->bus, 1, 3, PCI_PIIX4_PM_PMBASE, 4), 0x00000601u);
	assert_int_equal(pci_piix4_pm_io_base(f->pm), 0x600);
	enum bus_result r;
	guest_access(f->bus, BUS_SPACE_PIO, BUS_READ, PM_BASE + ACPI_PM_TMR, 4, 0, &r);
	assert_int_equal(r, BUS_UNASSIGNED);
	guest_access(f->bus, BUS_SPACE_PIO, BUS_READ, 0x600 + ACPI_PM_TMR, 4, 0, &r);
	assert_int_equal(r, BUS_OK);
	/* Moving it over another device fails cleanly and is reported. */
	host_console_clear();
	cf8_write(f->bus, 1, 3, PCI_PIIX4_PM_PMBASE, 2, 0x04C1);
	assert_int_equal(pci_piix4_pm_io_base(f->pm), 0);
	assert_non_null(strstr(host_console_text(), "piix4-pm"));
	/* I/O enable off: gone. */
	cf8_write(f->bus, 1, 3, PCI_PIIX4_PM_PMBASE, 2, PM_BASE);
	assert_int_equal(pci_piix4_pm_io_base(f->pm), PM_BASE);
	cf8_write(f->bus, 1, 3, PCI_PIIX4_PM_PMREGMISC, 1, 0);
	assert_int_equal(pci_piix4_pm_io_base(f->pm), 0);
	/* SMBus registers SeaBIOS programs keep their values. */
	cf8_write(f->bus, 1, 3, PCI_PIIX4_PM_SMBBA, 4, 0xB100);
	cf8_write(f->bus, 1, 3, PCI_PIIX4_PM_SMBHSTCFG, 1, 0x09);
	assert_int_equal(cf8_read(f->bus, 1, 3, PCI_PIIX4_PM_SMBBA, 4), 0xB101);
	assert_int_equal(cf8_read(f->bus, 1, 3, PCI_PIIX4_PM_SMBHSTCFG, 1), 0x09);
}

static void test_pm_timer_rate(void **state)
{
	struct fixture *f = *state;
	enable_pm_block(f, PM_BASE);

	uint32_t t0 = pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 4);
	assert_int_equal(t0, 0);   /* VM time 0 */
	advance(f, 1000000000ull);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 4), 3579545u);
	advance(f, 1000000);   /* 1 ms: 3579.545 ticks */
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 4), 3579545u + 3579u);
	advance(f, 127);       /* the next tick is at 1.001000128 s */
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 4), 3579545u + 3579u);
	advance(f, 1);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 4), 3579545u + 3580u);
	/* 24 bits wrap: 10 s = 35795450 ticks = 0x2231FA mod 2^24. */
	f->now_ns = 5000000000ull + 10000000000ull;
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 4), 35795450u & 0xFFFFFF);
	assert_int_equal(pci_piix4_pm_timer(f->pm), 35795450u & 0xFFFFFF);
	/* Byte and word reads see the same counter. */
	uint32_t full = pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 4);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 2), full & 0xFFFF);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR + 2, 1), (full >> 16) & 0xFF);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR + 3, 1), 0);
	/* Writes do nothing to it. */
	pio_out(f->bus, PM_BASE + ACPI_PM_TMR, 4, 0);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 4), full);
	/* Hours of VM time do not overflow the conversion. */
	f->now_ns = 5000000000ull + 36000ull * 1000000000ull;
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM_TMR, 4),
			 (uint32_t)(36000ull * 3579545u) & 0xFFFFFF);
}

static void test_pm1_control_sleep(void **state)
{
	struct fixture *f = *state;
	enable_pm_block(f, PM_BASE);

	/* ACPI enable through the SMI command port, as Linux does with QEMU's FADT. */
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_CNT, 2) & ACPI_PM1_CNT_SCI_EN, 0);
	pio_out(f->bus, APM_CNT_PORT, 1, APM_ACPI_ENABLE);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_CNT, 2), ACPI_PM1_CNT_SCI_EN);
	/* S5 with QEMU's _S5 package: SLP_TYP 0 | SLP_EN. */
	pio_out(f->bus, PM_BASE + ACPI_PM1_CNT, 2, ACPI_PM1_CNT_SLP_EN | ACPI_PM1_CNT_SCI_EN);
	assert_int_equal(f->sleeps, 1);
	assert_int_equal(f->sleep_types[0], 0);
	/* SLP_EN is write-only. */
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_CNT, 2), ACPI_PM1_CNT_SCI_EN);
	/* SLP_TYP stored; a byte write to the high half with SLP_EN sleeps too. */
	pio_out(f->bus, PM_BASE + ACPI_PM1_CNT, 2, 5u << ACPI_PM1_CNT_SLP_TYP_SHIFT | 1);
	assert_int_equal(f->sleeps, 1);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_CNT + 1, 1), 0x14);
	pio_out(f->bus, PM_BASE + ACPI_PM1_CNT + 1, 1, 0x20 | 0x14);
	assert_int_equal(f->sleeps, 2);
	assert_int_equal(f->sleep_types[1], 5);
	pio_out(f->bus, APM_CNT_PORT, 1, APM_ACPI_DISABLE);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_CNT, 2), 5u << 10);
	/* Unmodelled registers read 0. */
	assert_int_equal(pio_in(f->bus, PM_BASE + 0x0C, 4), 0);
	assert_int_equal(pio_in(f->bus, PM_BASE + 0x3F, 1), 0);
	assert_ptr_equal(pci_host_function(f->host, 1, 3), pci_piix4_pm_function(f->pm));
}

static void test_pm1_events_and_sci(void **state)
{
	struct fixture *f = *state;
	enable_pm_block(f, PM_BASE);

	pci_piix4_pm_power_button(f->pm);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_STS, 2), ACPI_PM1_PWRBTN_STS);
	assert_false(f->sci);
	/* STS and EN with one dword write, EN bits only where defined. */
	pio_out(f->bus, PM_BASE + ACPI_PM1_STS, 4, 0xFFFF0000u);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_EN, 2), 0x0521);
	assert_true(f->sci);
	/* Writing 0 leaves status; writing the bit clears it and the SCI. */
	pio_out(f->bus, PM_BASE + ACPI_PM1_STS, 2, 0);
	assert_true(f->sci);
	pio_out(f->bus, PM_BASE + ACPI_PM1_STS + 1, 1, 0x01);
	assert_false(f->sci);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_STS, 2), 0);
	/* Misaligned word covering STS high byte and EN low byte. */
	pio_out(f->bus, PM_BASE + ACPI_PM1_EN, 2, 0);
	pio_out(f->bus, PM_BASE + 1, 2, 0x0001);   /* EN low byte = 0x00, STS high 0x01 */
	assert_int_equal(pio_in(f->bus, PM_BASE + 1, 2), 0x0000);
	pio_out(f->bus, PM_BASE + 1, 2, 0x2100);   /* EN low byte = 0x21 */
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_EN, 2), 0x0021);
	assert_int_equal(f->sci_changes, 2);
}

static void test_pm_timer_overflow_status(void **state)
{
	struct fixture *f = *state;
	enable_pm_block(f, PM_BASE);
	/* Bit 23 toggles every 2^23 ticks = 2.343 s. */
	const uint64_t toggle_ns = 2343484438ull;   /* ceil(2^23 * 1e9 / 3579545) */

	advance(f, toggle_ns - 1);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_STS, 2) & ACPI_PM1_TMR_STS, 0);
	advance(f, 1);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_STS, 2) & ACPI_PM1_TMR_STS,
			 ACPI_PM1_TMR_STS);
	pio_out(f->bus, PM_BASE + ACPI_PM1_STS, 2, ACPI_PM1_TMR_STS);
	assert_int_equal(pio_in(f->bus, PM_BASE + ACPI_PM1_STS, 2), 0);

	/* With TMR_EN the SCI comes from the armed timer, without any read. */
	pio_out(f->bus, PM_BASE + ACPI_PM1_EN, 2, ACPI_PM1_TMR_STS);
	assert_int_equal(vclock_next_deadline(&f->clock), 4686968875ull);
	advance(f, 4686968875ull - toggle_ns - 1);
	assert_false(f->sci);
	advance(f, 1);
	assert_true(f->sci);
	pio_out(f->bus, PM_BASE + ACPI_PM1_STS, 2, ACPI_PM1_TMR_STS);
	assert_false(f->sci);
	assert_int_equal(vclock_next_deadline(&f->clock), 7030453312ull);
	pio_out(f->bus, PM_BASE + ACPI_PM1_EN, 2, 0);
	assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
}

static void test_chipset_reset(void **state)
{
	struct fixture *f = *state;
	enable_pm_block(f, PM_BASE);
	cf8_write(f->bus, 0, 0, PCI_I440FX_PAM0, 1, 0x30);
	cf8_write(f->bus, 1, 0, PCI_PIIX3_PIRQ_ROUTE, 4, 0x0B0B0A0A);
	pio_out(f->bus, 0x4D1, 1, 0x0C);
	pio_out(f->bus, PM_BASE + ACPI_PM1_EN, 2, ACPI_PM1_PWRBTN_STS);
	pci_piix4_pm_power_button(f->pm);
	assert_true(f->sci);
	f->pam_calls = 0;

	pci_host_reset(f->host);
	assert_int_equal(f->pam_calls, 13);
	for (unsigned i = 0; i < 13; i++)
		assert_int_equal(f->pam[i].mode, PCI_PAM_PCI);
	assert_int_equal(pci_piix3_pirq_route(f->piix3, 0), -1);
	assert_int_equal(pci_piix3_elcr(f->piix3), 0);
	assert_int_equal(pci_piix4_pm_io_base(f->pm), 0);
	assert_false(f->sci);
	assert_int_equal(cf8_read(f->bus, 1, 3, PCI_PIIX4_PM_PMBASE, 4), 1);
	assert_int_equal(cf8_read(f->bus, 1, 0, PCI_COMMAND, 2), 0x0007);
}

static void test_creation_conflicts(void **state)
{
	struct fixture *f = *state;
	host_console_clear();
	assert_null(pci_i440fx_create(f->host, NULL, NULL));
	assert_null(pci_piix3_create(f->host, NULL, NULL));
	assert_null(pci_piix4_pm_create(f->host, &f->clock, NULL, NULL));
	assert_null(pci_piix4_pm_create(f->host, NULL, NULL, NULL));
	/* A second host on the same bus cannot take the chipset's ports. */
	struct pci_host *other = pci_host_create(f->bus, "pci1");
	assert_int_not_equal(pci_host_register_cf8(other), 0);
	assert_null(pci_piix3_create(other, NULL, NULL));
	assert_null(pci_piix4_pm_create(other, &f->clock, NULL, NULL));
	pci_host_destroy(other);
	pci_i440fx_destroy(NULL);
	pci_piix3_destroy(NULL);
	pci_piix4_pm_destroy(NULL);
	pci_host_destroy(NULL);
	/* Without a callback, a reset request is only logged. */
	struct bus *bus = bus_create("bare");
	struct pci_host *host = pci_host_create(bus, "bare");
	assert_int_equal(pci_host_register_cf8(host), 0);
	struct pci_piix3 *piix3 = pci_piix3_create(host, NULL, NULL);
	struct pci_i440fx *bridge = pci_i440fx_create(host, NULL, NULL);
	pio_out(bus, 0xCF9, 1, 0x06);
	cf8_write(bus, 0, 0, PCI_I440FX_PAM0, 1, 0x30);
	assert_int_equal(pci_i440fx_pam_mode(bridge, 0xF0000), PCI_PAM_READ_WRITE);
	pci_i440fx_destroy(bridge);
	pci_piix3_destroy(piix3);
	pci_host_destroy(host);
	bus_destroy(bus);
}

/*
 * Regression: a guest writing PM1_CNT with SLP_EN in a loop printed one
 * line per write.  Sleep requests and 0xCF9 resets are the guest's to
 * make as often as it likes; their messages are limited (<core/log.h>).
 */
static void test_guest_messages_are_limited(void **state)
{
	struct fixture *f = *state;

	enable_pm_block(f, PM_BASE);
	host_console_clear();
	for (unsigned i = 0; i < 100000; i++)
		pio_out(f->bus, PM_BASE + ACPI_PM1_CNT, 2,
			1u << ACPI_PM1_CNT_SLP_TYP_SHIFT | ACPI_PM1_CNT_SLP_EN);
	assert_int_equal(f->sleeps, 100000);
	/* The first 10, then at 16, 32, ..., 65536. */
	assert_int_equal(host_console_lines("sleep request"), 10 + 13);
	for (unsigned i = 0; i < 100000; i++)
		pio_out(f->bus, 0xCF9, 1, 0x06);
	assert_int_equal(f->resets, 100000);
	assert_int_equal(host_console_lines("0xCF9"), 10 + 13);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seabios_bus_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pam_shadow_sequence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_piix3_pirq_routing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_piix3_elcr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_control_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_smm_already_initialised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pmbase_programming, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pm_timer_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pm1_control_sleep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_messages_are_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pm1_events_and_sci, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pm_timer_overflow_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chipset_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_creation_conflicts, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
