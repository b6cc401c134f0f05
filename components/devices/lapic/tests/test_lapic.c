/* SPDX-License-Identifier: MIT */
/*
 * The local APIC driven through its MMIO page with the register sequences
 * SeaBIOS and Linux use, on a VM clock the test moves by hand.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <bus/bus.h>
#include <bus/vclock.h>
#include <host/support.h>
#include <lapic/lapic.h>

#define MAX_IPIS 8
#define MAX_EOIS 8

struct fixture {
	uint64_t now;
	struct vclock clock;
	struct lapic lapic;
	struct lapic_ipi ipi[MAX_IPIS];
	unsigned ipis;
	uint8_t eoi[MAX_EOIS];
	unsigned eois;
	unsigned kicks;
};

static uint64_t manual_clock(void *ctx)
{
	return *(uint64_t *)ctx;
}

static void record_ipi(void *ctx, const struct lapic_ipi *ipi)
{
	struct fixture *f = ctx;

	assert_true(f->ipis < MAX_IPIS);
	f->ipi[f->ipis++] = *ipi;
}

static void record_eoi(void *ctx, uint8_t vector)
{
	struct fixture *f = ctx;

	assert_true(f->eois < MAX_EOIS);
	f->eoi[f->eois++] = vector;
}

static void count_kick(void *ctx)
{
	((struct fixture *)ctx)->kicks++;
}

static const struct lapic_ops ops = {
	.send_ipi = record_ipi,
	.eoi_broadcast = record_eoi,
	.kick = count_kick,
};

static struct fixture *setup_with(uint8_t apic_id, bool bsp, uint64_t timer_hz, uint64_t tsc_hz)
{
	static struct fixture f;
	struct lapic_config config = { .apic_id = apic_id, .bsp = bsp, .timer_hz = timer_hz, .tsc_hz = tsc_hz };

	memset(&f, 0, sizeof(f));
	vclock_init(&f.clock, manual_clock, &f.now);
	lapic_init(&f.lapic, &f.clock, &config, &ops, &f);
	host_console_clear();
	return &f;
}

static struct fixture *setup(void)
{
	return setup_with(0, true, 0, 0);
}

static void mmio_write(struct fixture *f, uint32_t offset, uint32_t value)
{
	struct bus_access acc = { BUS_SPACE_MMIO, BUS_WRITE, LAPIC_DEFAULT_BASE + offset, 4, value };

	assert_int_equal(lapic_mmio_access(&f->lapic, &acc), BUS_OK);
}

static uint32_t mmio_read(struct fixture *f, uint32_t offset)
{
	struct bus_access acc = { BUS_SPACE_MMIO, BUS_READ, LAPIC_DEFAULT_BASE + offset, 4, 0 };

	assert_int_equal(lapic_mmio_access(&f->lapic, &acc), BUS_OK);
	return (uint32_t)acc.data;
}

/* Moves VM time to ns, running every timer at its own deadline on the way. */
static void run_until(struct fixture *f, uint64_t ns)
{
	for (;;) {
		uint64_t next = vclock_next_deadline(&f->clock);

		if (next > ns)
			break;
		if (next > f->now)
			f->now = next;
		vclock_run_expired(&f->clock);
	}
	f->now = ns;
	vclock_run_expired(&f->clock);
}

/* The vCPU takes every deliverable interrupt; returns how many. */
static unsigned take_and_eoi_all(struct fixture *f, uint8_t vector)
{
	unsigned n = 0;

	while (lapic_pending_vector(&f->lapic) == vector) {
		assert_int_equal(lapic_accept(&f->lapic, vector), vector);
		mmio_write(f, LAPIC_REG_EOI, 0);
		n++;
	}
	return n;
}

static void reset_state_follows_the_sdm(void **state)
{
	struct fixture *f = setup_with(3, false, 0, 0);

	(void)state;
	assert_int_equal(mmio_read(f, LAPIC_REG_ID), 0x03000000);
	assert_int_equal(mmio_read(f, LAPIC_REG_VERSION), 0x00050014);
	assert_int_equal(mmio_read(f, LAPIC_REG_TPR), 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_APR), 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_PPR), 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_LDR), 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_DFR), 0xFFFFFFFF);
	assert_int_equal(mmio_read(f, LAPIC_REG_SVR), 0xFF);
	for (uint32_t off = LAPIC_REG_LVT_TIMER; off <= LAPIC_REG_LVT_ERROR; off += 16)
		assert_int_equal(mmio_read(f, off), 0x00010000);
	assert_int_equal(mmio_read(f, LAPIC_REG_LVT_CMCI), 0x00010000);
	assert_int_equal(mmio_read(f, LAPIC_REG_TIMER_INITIAL), 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_TIMER_CURRENT), 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_TIMER_DIVIDE), 0);
	assert_int_equal(lapic_get_apic_base(&f->lapic), 0xFEE00800);
	assert_int_equal(lapic_get_apic_base(&setup_with(0, true, 0, 0)->lapic), 0xFEE00900);
}

/* seabios:src/fw/smp.c: enable the APIC, wire LINT0/LINT1, INIT-SIPI all APs. */
static void seabios_smp_init(void **state)
{
	struct fixture *f = setup();
	uint32_t svr;

	(void)state;
	svr = mmio_read(f, LAPIC_REG_SVR);
	mmio_write(f, LAPIC_REG_SVR, svr | LAPIC_SVR_ENABLE);
	assert_int_equal(mmio_read(f, LAPIC_REG_SVR), 0x1FF);
	mmio_write(f, LAPIC_REG_LVT_LINT0, 0x8700);
	mmio_write(f, LAPIC_REG_LVT_LINT1, 0x8400);
	assert_int_equal(mmio_read(f, LAPIC_REG_LVT_LINT0), 0x8700);
	assert_int_equal(mmio_read(f, LAPIC_REG_LVT_LINT1), 0x8400);

	mmio_write(f, LAPIC_REG_ICR_LOW, 0x000C4500);
	mmio_write(f, LAPIC_REG_ICR_LOW, 0x000C4600 | 0x10);
	assert_int_equal(f->ipis, 2);
	assert_int_equal(f->ipi[0].source_id, 0);
	assert_int_equal(f->ipi[0].shorthand, LAPIC_SHORTHAND_ALL_EXCLUDING_SELF);
	assert_int_equal(f->ipi[0].delivery, LAPIC_DELIVERY_INIT);
	assert_int_equal(f->ipi[0].vector, 0);
	assert_false(f->ipi[0].level_triggered);
	assert_int_equal(f->ipi[1].shorthand, LAPIC_SHORTHAND_ALL_EXCLUDING_SELF);
	assert_int_equal(f->ipi[1].delivery, LAPIC_DELIVERY_STARTUP);
	assert_int_equal(f->ipi[1].vector, 0x10);   /* trampoline 0x10000 */
	/* Delivery status reads idle: SeaBIOS polls bit 12 before the next send. */
	assert_int_equal(mmio_read(f, LAPIC_REG_ICR_LOW) & (1u << 12), 0);

	/* The receiving side: an AP gets INIT then SIPI. */
	struct lapic ap;
	struct lapic_config apc = { .apic_id = 1 };
	uint8_t sipi = 0;

	lapic_init(&ap, &f->clock, &apc, &ops, f);
	assert_true(lapic_ipi_targets(&ap, &f->ipi[0]));
	assert_false(lapic_ipi_targets(&f->lapic, &f->ipi[0]));
	lapic_deliver(&ap, f->ipi[0].delivery, f->ipi[0].vector, false);
	lapic_deliver(&ap, f->ipi[1].delivery, f->ipi[1].vector, false);
	assert_true(lapic_take_init(&ap));
	assert_false(lapic_take_init(&ap));
	assert_true(lapic_take_sipi(&ap, &sipi));
	assert_int_equal(sipi, 0x10);
	assert_false(lapic_take_sipi(&ap, &sipi));

	/* The 8259's INTR reaches the BSP through LINT0 (ExtINT)... */
	assert_false(lapic_extint_pending(&f->lapic));
	lapic_lint_sink(&f->lapic, 0, true);
	assert_true(lapic_extint_pending(&f->lapic));
	lapic_lint_sink(&f->lapic, 0, false);
	assert_false(lapic_extint_pending(&f->lapic));
	/* ...and LINT1 is the NMI pin, on its rising edge. */
	lapic_lint_sink(&f->lapic, 1, true);
	lapic_lint_sink(&f->lapic, 1, true);
	assert_true(lapic_take_nmi(&f->lapic));
	assert_false(lapic_take_nmi(&f->lapic));
	assert_int_equal(lapic_pending_vector(&f->lapic), -1);
}

/* arch/x86/kernel/apic/apic.c setup_local_APIC() on the BSP, flat mode. */
static void linux_setup_local_apic(void **state)
{
	struct fixture *f = setup();
	uint32_t value;

	(void)state;
	assert_int_equal(mmio_read(f, LAPIC_REG_VERSION) >> 16 & 0xFF, 5);   /* maxlvt */
	/* Pending interrupts left by the firmware are acknowledged first. */
	lapic_set_irq(&f->lapic, 0x30, false);
	mmio_write(f, LAPIC_REG_SVR, 0x1FF);
	assert_int_equal(lapic_accept(&f->lapic, 0x30), 0x30);
	assert_int_equal(mmio_read(f, LAPIC_REG_ISR + 0x10), 1u << 16);
	mmio_write(f, LAPIC_REG_EOI, 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_ISR + 0x10), 0);

	/* init_apic_ldr (flat): DFR flat, LDR = 1 << cpu. */
	mmio_write(f, LAPIC_REG_DFR, 0xFFFFFFFF);
	mmio_write(f, LAPIC_REG_LDR, 0x01000000);
	assert_int_equal(mmio_read(f, LAPIC_REG_LDR), 0x01000000);
	value = mmio_read(f, LAPIC_REG_TPR);
	mmio_write(f, LAPIC_REG_TPR, value & ~0xFFu);
	/* Spurious vector 0xFF, enabled, focus checking off. */
	value = mmio_read(f, LAPIC_REG_SVR);
	mmio_write(f, LAPIC_REG_SVR, (value & ~0xFFu) | 0x100 | 0x200 | 0xFF);
	assert_int_equal(mmio_read(f, LAPIC_REG_SVR), 0x3FF);
	mmio_write(f, LAPIC_REG_LVT_LINT0, 0x700);
	mmio_write(f, LAPIC_REG_LVT_LINT1, 0x400);
	assert_int_equal(mmio_read(f, LAPIC_REG_LVT_LINT0), 0x700);
	/* lapic_setup_esr: clear, vector 0xFE, clear, read. */
	mmio_write(f, LAPIC_REG_ESR, 0);
	mmio_write(f, LAPIC_REG_LVT_ERROR, 0xFE);
	mmio_write(f, LAPIC_REG_ESR, 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_ESR), 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_LVT_ERROR), 0xFE);

	/* Flat logical destination 0x01 reaches this CPU; 0x02 does not. */
	assert_true(lapic_matches_destination(&f->lapic, 0x01, true));
	assert_true(lapic_matches_destination(&f->lapic, 0x03, true));
	assert_false(lapic_matches_destination(&f->lapic, 0x02, true));
	assert_true(lapic_matches_destination(&f->lapic, 0xFF, true));
	assert_true(lapic_matches_destination(&f->lapic, 0x00, false));
	assert_true(lapic_matches_destination(&f->lapic, 0xFF, false));
	assert_false(lapic_matches_destination(&f->lapic, 0x01, false));
	/* Cluster model: cluster 1, member bit 2. */
	mmio_write(f, LAPIC_REG_DFR, 0x0FFFFFFF);
	mmio_write(f, LAPIC_REG_LDR, 0x14000000);
	assert_int_equal(mmio_read(f, LAPIC_REG_DFR), 0x0FFFFFFF);
	assert_true(lapic_matches_destination(&f->lapic, 0x1C, true));
	assert_false(lapic_matches_destination(&f->lapic, 0x2C, true));
	assert_false(lapic_matches_destination(&f->lapic, 0x13, true));

	/* A fixed IPI to CPU 1 by physical ID, as smp_call_function does. */
	mmio_write(f, LAPIC_REG_ICR_HIGH, 0x01000000);
	mmio_write(f, LAPIC_REG_ICR_LOW, 0x000000FB);
	assert_int_equal(f->ipis, 1);
	assert_int_equal(f->ipi[0].shorthand, LAPIC_SHORTHAND_NONE);
	assert_int_equal(f->ipi[0].destination, 1);
	assert_false(f->ipi[0].logical);
	assert_int_equal(f->ipi[0].delivery, LAPIC_DELIVERY_FIXED);
	assert_int_equal(f->ipi[0].vector, 0xFB);
	assert_int_equal(mmio_read(f, LAPIC_REG_ICR_HIGH), 0x01000000);
	/* A self IPI goes through the machine too, and targets only us. */
	mmio_write(f, LAPIC_REG_ICR_LOW, 0x000408F0);
	assert_int_equal(f->ipis, 2);
	assert_int_equal(f->ipi[1].shorthand, LAPIC_SHORTHAND_SELF);
	assert_true(f->ipi[1].logical);
	assert_true(lapic_ipi_targets(&f->lapic, &f->ipi[1]));
	/* All including self, lowest priority, logical. */
	mmio_write(f, LAPIC_REG_ICR_LOW, 0x00080941);
	assert_int_equal(f->ipi[2].shorthand, LAPIC_SHORTHAND_ALL_INCLUDING_SELF);
	assert_int_equal(f->ipi[2].delivery, LAPIC_DELIVERY_LOWEST);
	assert_true(lapic_ipi_targets(&f->lapic, &f->ipi[2]));
	/* NMI IPI and the INIT level de-assert (nothing is sent for that). */
	mmio_write(f, LAPIC_REG_ICR_LOW, 0x00000400);
	assert_int_equal(f->ipi[3].delivery, LAPIC_DELIVERY_NMI);
	mmio_write(f, LAPIC_REG_ICR_LOW, 0x00008500);
	assert_int_equal(f->ipis, 4);
}

/*
 * calibrate_APIC_clock(): __setup_APIC_LVTT(0xffffffff, 0, 0) = periodic,
 * masked, divide by 16, initial count 0xffffffff / 16; the count is read
 * at two PIT/HPET ticks 100 ms apart.  Then lapic_next_event() programs
 * one-shot deltas.
 */
static void linux_timer_calibration(void **state)
{
	struct fixture *f = setup();
	uint32_t t1, t2, tdcr;

	(void)state;
	mmio_write(f, LAPIC_REG_SVR, 0x1FF);
	mmio_write(f, LAPIC_REG_LVT_TIMER, 0x000200EC | 0x10000);
	tdcr = mmio_read(f, LAPIC_REG_TIMER_DIVIDE);
	mmio_write(f, LAPIC_REG_TIMER_DIVIDE, (tdcr & ~0xBu) | 0x3);
	mmio_write(f, LAPIC_REG_TIMER_INITIAL, 0xFFFFFFFFu / 16);
	assert_int_equal(mmio_read(f, LAPIC_REG_TIMER_INITIAL), 0x0FFFFFFF);

	run_until(f, 4000000);           /* first PIT tick after 4 ms */
	t1 = mmio_read(f, LAPIC_REG_TIMER_CURRENT);
	assert_int_equal(t1, 0x0FFFFFFF - 4000000 / 16);
	run_until(f, 104000000);         /* 100 ms later */
	t2 = mmio_read(f, LAPIC_REG_TIMER_CURRENT);
	/* delta * 16 / 0.1 s = 1 GHz: what OVMF's PcdFSBClock promises. */
	assert_int_equal(t1 - t2, 6250000);
	assert_int_equal((uint64_t)(t1 - t2) * 16 * 10, 1000000000ull);
	assert_int_equal(f->lapic.timer_fired, 0);          /* no wrap in 104 ms */
	assert_int_equal(lapic_pending_vector(&f->lapic), -1);

	/* lapic_next_event: one-shot, unmasked, divide 16, 1 ms ahead. */
	mmio_write(f, LAPIC_REG_LVT_TIMER, 0xEC);
	mmio_write(f, LAPIC_REG_TIMER_INITIAL, 62500);
	run_until(f, 104000000 + 999999);
	assert_int_equal(lapic_pending_vector(&f->lapic), -1);
	assert_int_equal(mmio_read(f, LAPIC_REG_TIMER_CURRENT), 1);
	run_until(f, 105000000);
	assert_int_equal(lapic_pending_vector(&f->lapic), 0xEC);
	assert_int_equal(mmio_read(f, LAPIC_REG_TIMER_CURRENT), 0);
	assert_int_equal(take_and_eoi_all(f, 0xEC), 1);
	run_until(f, 200000000);
	assert_int_equal(f->lapic.timer_fired, 1);       /* one-shot stays at 0 */
	assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
}

static void periodic_timer_counts_interrupts(void **state)
{
	struct fixture *f = setup();
	unsigned taken = 0;

	(void)state;
	mmio_write(f, LAPIC_REG_SVR, 0x1FF);
	/* 1 kHz: divide by 1, 1,000,000 ticks of the 1 GHz clock. */
	mmio_write(f, LAPIC_REG_TIMER_DIVIDE, 0xB);
	mmio_write(f, LAPIC_REG_LVT_TIMER, 0x00020030);
	mmio_write(f, LAPIC_REG_TIMER_INITIAL, 1000000);
	for (uint64_t t = 500000; t <= 1000000000; t += 500000) {
		run_until(f, t);
		taken += take_and_eoi_all(f, 0x30);
	}
	assert_int_equal(taken, 1000);
	assert_int_equal(f->lapic.timer_fired, 1000);
	/* Mid-period the count is half way down. */
	run_until(f, 1000500000);
	assert_int_equal(mmio_read(f, LAPIC_REG_TIMER_CURRENT), 500000);

	/* Masked: the count keeps running, no interrupt is accepted. */
	mmio_write(f, LAPIC_REG_LVT_TIMER, 0x00030030);
	run_until(f, 1010500000);
	assert_int_equal(lapic_pending_vector(&f->lapic), -1);
	assert_int_equal(mmio_read(f, LAPIC_REG_TIMER_CURRENT), 500000);

	/* A late run loop coalesces missed periods into one interrupt. */
	mmio_write(f, LAPIC_REG_LVT_TIMER, 0x00020030);
	f->now = 1020000000;
	vclock_run_expired(&f->clock);
	assert_int_equal(take_and_eoi_all(f, 0x30), 1);

	/* Changing the divider keeps the current count and slows the rate. */
	run_until(f, 1020250000);
	assert_int_equal(mmio_read(f, LAPIC_REG_TIMER_CURRENT), 750000);
	mmio_write(f, LAPIC_REG_TIMER_DIVIDE, 0x0);     /* divide by 2 */
	assert_int_equal(mmio_read(f, LAPIC_REG_TIMER_DIVIDE), 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_TIMER_CURRENT), 750000);
	run_until(f, 1020250000 + 1000000);
	assert_int_equal(mmio_read(f, LAPIC_REG_TIMER_CURRENT), 250000);

	/* Initial count 0 stops the timer. */
	mmio_write(f, LAPIC_REG_TIMER_INITIAL, 0);
	assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
	assert_int_equal(mmio_read(f, LAPIC_REG_TIMER_CURRENT), 0);
}

static void divide_values(void **state)
{
	static const struct {
		uint32_t tdcr, divisor;
	} table[] = { { 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		      { 0x8, 32 }, { 0x9, 64 }, { 0xA, 128 }, { 0xB, 1 } };
	struct fixture *f = setup();

	(void)state;
	mmio_write(f, LAPIC_REG_SVR, 0x1FF);
	for (unsigned i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		mmio_write(f, LAPIC_REG_TIMER_DIVIDE, table[i].tdcr | 0xF0);
		assert_int_equal(mmio_read(f, LAPIC_REG_TIMER_DIVIDE), table[i].tdcr);
		mmio_write(f, LAPIC_REG_TIMER_INITIAL, 1000000);
		f->now += 128000;
		assert_int_equal(mmio_read(f, LAPIC_REG_TIMER_CURRENT), 1000000 - 128000 / table[i].divisor);
	}
}

static void timer_input_frequency_is_configurable(void **state)
{
	/* A 100 MHz bus clock: 10 ns per tick. */
	struct fixture *f = setup_with(0, true, 100000000, 0);

	(void)state;
	mmio_write(f, LAPIC_REG_SVR, 0x1FF);
	mmio_write(f, LAPIC_REG_TIMER_DIVIDE, 0xB);
	mmio_write(f, LAPIC_REG_LVT_TIMER, 0x40);
	mmio_write(f, LAPIC_REG_TIMER_INITIAL, 1000);
	run_until(f, 9999);
	assert_int_equal(lapic_pending_vector(&f->lapic), -1);
	assert_int_equal(mmio_read(f, LAPIC_REG_TIMER_CURRENT), 1);
	run_until(f, 10000);
	assert_int_equal(lapic_pending_vector(&f->lapic), 0x40);
}

static void tsc_deadline_mode(void **state)
{
	/* TSC at 2 GHz, the timer clock at the 1 GHz default. */
	struct fixture *f = setup_with(0, true, 0, 2000000000);

	(void)state;
	mmio_write(f, LAPIC_REG_SVR, 0x1FF);
	/* Outside TSC-deadline mode the MSR is ignored and reads 0. */
	lapic_set_tsc_deadline(&f->lapic, 1000);
	assert_int_equal(lapic_get_tsc_deadline(&f->lapic), 0);
	mmio_write(f, LAPIC_REG_LVT_TIMER, 0x000400EC);
	assert_int_equal(mmio_read(f, LAPIC_REG_LVT_TIMER), 0x000400EC);
	/* The initial count is ignored in this mode; current count reads 0. */
	mmio_write(f, LAPIC_REG_TIMER_INITIAL, 5000);
	assert_int_equal(mmio_read(f, LAPIC_REG_TIMER_INITIAL), 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_TIMER_CURRENT), 0);

	f->now = 1000000;                            /* TSC = 2,000,000 */
	assert_int_equal(lapic_guest_tsc(&f->lapic), 2000000);
	lapic_set_tsc_deadline(&f->lapic, 2000000 + 2000000);   /* 1 ms ahead */
	assert_int_equal(lapic_get_tsc_deadline(&f->lapic), 4000000);
	run_until(f, 1999999);
	assert_int_equal(lapic_pending_vector(&f->lapic), -1);
	run_until(f, 2000000);
	assert_int_equal(lapic_pending_vector(&f->lapic), 0xEC);
	assert_int_equal(lapic_get_tsc_deadline(&f->lapic), 0);  /* fired: cleared */
	assert_int_equal(take_and_eoi_all(f, 0xEC), 1);

	/* A deadline in the past fires at once; 0 disarms. */
	lapic_set_tsc_deadline(&f->lapic, 1);
	vclock_run_expired(&f->clock);
	assert_int_equal(take_and_eoi_all(f, 0xEC), 1);
	lapic_set_tsc_deadline(&f->lapic, 10000000);
	lapic_set_tsc_deadline(&f->lapic, 0);
	run_until(f, 100000000);
	assert_int_equal(lapic_pending_vector(&f->lapic), -1);
	assert_int_equal(f->lapic.timer_fired, 2);

	/* Leaving TSC-deadline mode disarms a pending deadline. */
	lapic_set_tsc_deadline(&f->lapic, lapic_guest_tsc(&f->lapic) + 1000);
	mmio_write(f, LAPIC_REG_LVT_TIMER, 0xEC);
	assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
	/* Mode 3 is reserved: the mode is kept. */
	mmio_write(f, LAPIC_REG_LVT_TIMER, 0x000600EC);
	assert_int_equal(mmio_read(f, LAPIC_REG_LVT_TIMER), 0xEC);
}

static void task_priority_masks_and_ppr(void **state)
{
	struct fixture *f = setup();

	(void)state;
	mmio_write(f, LAPIC_REG_SVR, 0x1FF);
	lapic_set_irq(&f->lapic, 0x45, false);
	assert_true(f->kicks > 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_IRR + 0x20), 1u << 5);
	/* TPR class 4 blocks vector class 4 (0x45), not class 5. */
	mmio_write(f, LAPIC_REG_TPR, 0x40);
	assert_int_equal(mmio_read(f, LAPIC_REG_PPR), 0x40);
	assert_int_equal(lapic_pending_vector(&f->lapic), -1);
	mmio_write(f, LAPIC_REG_TPR, 0x3F);
	assert_int_equal(lapic_pending_vector(&f->lapic), 0x45);
	mmio_write(f, LAPIC_REG_TPR, 0x4F);
	assert_int_equal(lapic_pending_vector(&f->lapic), -1);
	lapic_set_irq(&f->lapic, 0x51, false);
	assert_int_equal(lapic_pending_vector(&f->lapic), 0x51);
	/* PPR = ISR class when it is above TPR. */
	assert_int_equal(lapic_accept(&f->lapic, 0x51), 0x51);
	assert_int_equal(mmio_read(f, LAPIC_REG_PPR), 0x50);
	mmio_write(f, LAPIC_REG_EOI, 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_PPR), 0x4F);
	/* Lowering TPR to 0 releases 0x45 and kicks the vCPU. */
	f->kicks = 0;
	mmio_write(f, LAPIC_REG_TPR, 0);
	assert_int_equal(f->kicks, 1);
	assert_int_equal(lapic_pending_vector(&f->lapic), 0x45);
	/* TPR only keeps 8 bits. */
	mmio_write(f, LAPIC_REG_TPR, 0x12345678);
	assert_int_equal(mmio_read(f, LAPIC_REG_TPR), 0x78);
}

static void nested_interrupts_and_eoi_order(void **state)
{
	struct fixture *f = setup();

	(void)state;
	mmio_write(f, LAPIC_REG_SVR, 0x1FF);
	lapic_set_irq(&f->lapic, 0x31, false);
	assert_int_equal(lapic_accept(&f->lapic, 0x31), 0x31);
	/* Same class cannot nest, a higher class can. */
	lapic_set_irq(&f->lapic, 0x32, false);
	assert_int_equal(lapic_pending_vector(&f->lapic), -1);
	lapic_set_irq(&f->lapic, 0x61, false);
	assert_int_equal(lapic_pending_vector(&f->lapic), 0x61);
	assert_int_equal(lapic_accept(&f->lapic, 0x61), 0x61);
	assert_int_equal(mmio_read(f, LAPIC_REG_ISR + 0x10), 1u << 17);
	assert_int_equal(mmio_read(f, LAPIC_REG_ISR + 0x30), 1u << 1);
	assert_int_equal(mmio_read(f, LAPIC_REG_PPR), 0x60);
	/* EOI ends the highest in service first: 0x61, then 0x31. */
	mmio_write(f, LAPIC_REG_EOI, 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_ISR + 0x30), 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_ISR + 0x10), 1u << 17);
	assert_int_equal(lapic_pending_vector(&f->lapic), -1);
	mmio_write(f, LAPIC_REG_EOI, 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_ISR + 0x10), 0);
	assert_int_equal(lapic_pending_vector(&f->lapic), 0x32);
	assert_int_equal(f->eois, 0);   /* all edge-triggered */
	/* An EOI with nothing in service changes nothing. */
	assert_int_equal(lapic_accept(&f->lapic, 0x32), 0x32);
	mmio_write(f, LAPIC_REG_EOI, 0);
	mmio_write(f, LAPIC_REG_EOI, 0);
	assert_int_equal(lapic_ppr(&f->lapic), 0);
}

static void level_triggered_eoi_broadcast(void **state)
{
	struct fixture *f = setup();

	(void)state;
	mmio_write(f, LAPIC_REG_SVR, 0x1FF);
	lapic_deliver(&f->lapic, LAPIC_DELIVERY_FIXED, 0x39, true);
	lapic_deliver(&f->lapic, LAPIC_DELIVERY_LOWEST, 0x3A, false);
	assert_int_equal(mmio_read(f, LAPIC_REG_TMR + 0x10), 1u << 25);
	assert_int_equal(lapic_accept(&f->lapic, 0x3A), 0x3A);
	mmio_write(f, LAPIC_REG_EOI, 0);
	assert_int_equal(f->eois, 0);
	assert_int_equal(lapic_accept(&f->lapic, 0x39), 0x39);
	mmio_write(f, LAPIC_REG_EOI, 0);
	assert_int_equal(f->eois, 1);
	assert_int_equal(f->eoi[0], 0x39);
	/* The same vector later edge-triggered clears TMR: no broadcast. */
	lapic_set_irq(&f->lapic, 0x39, false);
	assert_int_equal(mmio_read(f, LAPIC_REG_TMR + 0x10), 0);
	assert_int_equal(lapic_accept(&f->lapic, 0x39), 0x39);
	mmio_write(f, LAPIC_REG_EOI, 0);
	assert_int_equal(f->eois, 1);

	/* A level-triggered fixed LINT0 interrupt sets TMR too. */
	mmio_write(f, LAPIC_REG_LVT_LINT0, 0x8041);
	lapic_lint_sink(&f->lapic, 0, true);
	assert_int_equal(lapic_accept(&f->lapic, 0x41), 0x41);
	mmio_write(f, LAPIC_REG_EOI, 0);
	assert_int_equal(f->eoi[1], 0x41);
}

static void spurious_vector_and_software_disable(void **state)
{
	struct fixture *f = setup();

	(void)state;
	/* Software-disabled: IRR holds requests, nothing is delivered, LVT
	 * entries cannot be unmasked. */
	lapic_set_irq(&f->lapic, 0x50, false);
	assert_int_equal(lapic_pending_vector(&f->lapic), -1);
	mmio_write(f, LAPIC_REG_LVT_TIMER, 0x30);
	assert_int_equal(mmio_read(f, LAPIC_REG_LVT_TIMER), 0x10030);
	f->kicks = 0;
	mmio_write(f, LAPIC_REG_SVR, 0x1EF);
	assert_int_equal(f->kicks, 1);
	assert_int_equal(lapic_pending_vector(&f->lapic), 0x50);
	/* TPR raised between the signal and the INTA cycle: the CPU gets
	 * the spurious vector, IRR and ISR do not change. */
	mmio_write(f, LAPIC_REG_TPR, 0x50);
	assert_int_equal(lapic_accept(&f->lapic, 0x50), 0xEF);
	assert_int_equal(mmio_read(f, LAPIC_REG_IRR + 0x20), 1u << 16);
	assert_int_equal(mmio_read(f, LAPIC_REG_ISR + 0x20), 0);
	/* Disabling again masks every LVT entry. */
	mmio_write(f, LAPIC_REG_SVR, 0x1FF);
	mmio_write(f, LAPIC_REG_LVT_PERF, 0x4F0);
	mmio_write(f, LAPIC_REG_LVT_THERMAL, 0x2F1);
	assert_int_equal(mmio_read(f, LAPIC_REG_LVT_PERF), 0x4F0);
	mmio_write(f, LAPIC_REG_SVR, 0x0FF);
	assert_int_equal(mmio_read(f, LAPIC_REG_LVT_PERF), 0x104F0);
	assert_int_equal(mmio_read(f, LAPIC_REG_LVT_THERMAL), 0x102F1);
	assert_int_equal(mmio_read(f, LAPIC_REG_LVT_CMCI), 0x10000);
}

static void illegal_vectors_set_esr(void **state)
{
	struct fixture *f = setup();

	(void)state;
	mmio_write(f, LAPIC_REG_SVR, 0x1FF);
	mmio_write(f, LAPIC_REG_LVT_ERROR, 0xFE);
	/* Receiving vector 5 is illegal: ESR bit 6 and the error interrupt. */
	lapic_set_irq(&f->lapic, 5, false);
	assert_int_equal(mmio_read(f, LAPIC_REG_ESR), 0);      /* not latched yet */
	mmio_write(f, LAPIC_REG_ESR, 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_ESR), LAPIC_ESR_RECEIVE_ILLEGAL_VECTOR);
	assert_int_equal(lapic_pending_vector(&f->lapic), 0xFE);
	/* Sending vector 2 as a fixed IPI: ESR bit 5, nothing sent. */
	mmio_write(f, LAPIC_REG_ICR_LOW, 0x00000002);
	assert_int_equal(f->ipis, 0);
	mmio_write(f, LAPIC_REG_ESR, 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_ESR), LAPIC_ESR_SEND_ILLEGAL_VECTOR);
	mmio_write(f, LAPIC_REG_ESR, 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_ESR), 0);
	/* Reserved ICR modes and self-INIT are dropped and reported. */
	mmio_write(f, LAPIC_REG_ICR_LOW, 0x00000730);
	mmio_write(f, LAPIC_REG_ICR_LOW, 0x00044500);
	assert_int_equal(f->ipis, 0);
	assert_true(host_console_contains("reserved"));
	assert_true(host_console_contains("self IPI"));
	/* An SMI IPI reaches the machine (it decides what to do with it). */
	mmio_write(f, LAPIC_REG_ICR_LOW, 0x00000200);
	assert_int_equal(f->ipis, 1);
	assert_int_equal(f->ipi[0].delivery, LAPIC_DELIVERY_SMI);
}

static void bad_accesses_are_rejected(void **state)
{
	struct fixture *f = setup();
	struct bus_access byte = { BUS_SPACE_MMIO, BUS_READ, LAPIC_DEFAULT_BASE + LAPIC_REG_TPR, 1, 0 };
	struct bus_access quad = { BUS_SPACE_MMIO, BUS_WRITE, LAPIC_DEFAULT_BASE + LAPIC_REG_TPR, 8, 0x20 };
	struct bus_access wide = { BUS_SPACE_MMIO, BUS_READ, LAPIC_DEFAULT_BASE + LAPIC_REG_TPR, 8, 0 };
	struct bus_access inside = { BUS_SPACE_MMIO, BUS_WRITE, LAPIC_DEFAULT_BASE + LAPIC_REG_TPR + 4, 4, 0x20 };
	struct bus_access outside = { BUS_SPACE_MMIO, BUS_READ, LAPIC_DEFAULT_BASE + LAPIC_PAGE_SIZE, 4, 0 };

	(void)state;
	assert_int_equal(lapic_mmio_access(&f->lapic, &byte), BUS_REJECTED);
	assert_int_equal(byte.data, 0xFF);
	assert_int_equal(lapic_mmio_access(&f->lapic, &quad), BUS_REJECTED);
	assert_int_equal(lapic_mmio_access(&f->lapic, &wide), BUS_REJECTED);
	assert_int_equal(wide.data, UINT64_MAX);
	assert_int_equal(lapic_mmio_access(&f->lapic, &inside), BUS_REJECTED);
	assert_int_equal(mmio_read(f, LAPIC_REG_TPR), 0);
	assert_int_equal(lapic_mmio_access(&f->lapic, &outside), BUS_UNASSIGNED);
	assert_true(host_console_contains("aligned 32-bit only"));

	/* Reserved slots read 0 and set the illegal-register ESR bit. */
	assert_int_equal(mmio_read(f, 0x000), 0);
	mmio_write(f, 0x3F0, 1);
	mmio_write(f, LAPIC_REG_ESR, 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_ESR), LAPIC_ESR_ILLEGAL_REGISTER);
	/* Read-only registers ignore writes. */
	mmio_write(f, LAPIC_REG_VERSION, 0);
	mmio_write(f, LAPIC_REG_PPR, 0xFF);
	mmio_write(f, LAPIC_REG_IRR, 0xFFFFFFFF);
	mmio_write(f, LAPIC_REG_TIMER_CURRENT, 7);
	assert_int_equal(mmio_read(f, LAPIC_REG_VERSION), 0x00050014);
	assert_int_equal(mmio_read(f, LAPIC_REG_IRR), 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_RRD), 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_EOI), 0);
	assert_true(host_console_contains("read-only register 0x30"));
	/* Reports stop after a while: a guest cannot flood the console. */
	for (int i = 0; i < 100; i++)
		mmio_write(f, LAPIC_REG_APR, 1);
	assert_true(host_console_contains("further guest errors are not reported"));
	host_console_clear();
	mmio_write(f, LAPIC_REG_APR, 1);
	assert_int_equal(host_console_length(), 0);
	/* LINT2 does not exist. */
	lapic_lint_sink(&f->lapic, 2, true);
}

static void apic_base_msr(void **state)
{
	struct fixture *f = setup();
	struct bus_access moved = { BUS_SPACE_MMIO, BUS_READ, 0xFED00000 + LAPIC_REG_VERSION, 4, 0 };

	(void)state;
	mmio_write(f, LAPIC_REG_SVR, 0x1FF);
	mmio_write(f, LAPIC_REG_ID, 0x07FFFFFF);
	assert_int_equal(mmio_read(f, LAPIC_REG_ID), 0x07000000);
	/* Reserved bits and x2APIC are refused. */
	assert_int_equal(lapic_set_apic_base(&f->lapic, 0xFEE00C00), -EINVAL);
	assert_int_equal(lapic_set_apic_base(&f->lapic, 0xFEE00801), -EINVAL);
	assert_int_equal(lapic_set_apic_base(&f->lapic, 1ull << 63 | 0xFEE00800), -EINVAL);
	/* Moving the page: the old address is no longer the APIC's. */
	assert_int_equal(lapic_set_apic_base(&f->lapic, 0xFED00800), 0);
	assert_int_equal(lapic_get_apic_base(&f->lapic), 0xFED00900);  /* BSP kept */
	assert_false(lapic_mmio_claims(&f->lapic, LAPIC_DEFAULT_BASE));
	assert_int_equal(lapic_mmio_access(&f->lapic, &moved), BUS_OK);
	assert_int_equal(moved.data, 0x00050014);
	/* Hardware disable: the page is gone, state is lost, the 8259 goes
	 * straight to the CPU, messages are not accepted. */
	lapic_set_irq(&f->lapic, 0x40, false);
	assert_int_equal(lapic_set_apic_base(&f->lapic, 0xFEE00000), 0);
	assert_false(lapic_mmio_claims(&f->lapic, LAPIC_DEFAULT_BASE));
	assert_int_equal(f->lapic.irr[2], 0);
	assert_int_equal(f->lapic.id, 0);   /* the ID comes back from power-up */
	lapic_set_irq(&f->lapic, 0x40, false);
	lapic_deliver(&f->lapic, LAPIC_DELIVERY_NMI, 0, false);
	assert_int_equal(f->lapic.irr[2], 0);
	assert_false(lapic_take_nmi(&f->lapic));
	lapic_lint_sink(&f->lapic, 0, true);
	assert_true(lapic_extint_pending(&f->lapic));
	assert_int_equal(lapic_set_apic_base(&f->lapic, 0xFEE00800), 0);
	assert_false(lapic_extint_pending(&f->lapic));   /* LINT0 masked again */
	assert_int_equal(mmio_read(f, LAPIC_REG_SVR), 0xFF);
}

static void extint_and_other_messages(void **state)
{
	struct fixture *f = setup();

	(void)state;
	mmio_write(f, LAPIC_REG_SVR, 0x1FF);
	/* ExtINT from the IOAPIC (virtual wire through pin 0). */
	lapic_deliver(&f->lapic, LAPIC_DELIVERY_EXTINT, 0, false);
	assert_true(lapic_extint_pending(&f->lapic));
	lapic_extint_taken(&f->lapic);
	assert_false(lapic_extint_pending(&f->lapic));
	/* NMI through LINT1 programmed as NMI, masked LINT1 does nothing. */
	mmio_write(f, LAPIC_REG_LVT_LINT1, 0x10400);
	lapic_lint_sink(&f->lapic, 1, true);
	lapic_lint_sink(&f->lapic, 1, false);
	assert_false(lapic_take_nmi(&f->lapic));
	mmio_write(f, LAPIC_REG_LVT_LINT1, 0x400);
	lapic_lint_sink(&f->lapic, 1, true);
	assert_true(lapic_take_nmi(&f->lapic));
	/* Programming LINT0 as ExtINT while INTR is already high kicks. */
	lapic_lint_sink(&f->lapic, 0, true);
	f->kicks = 0;
	mmio_write(f, LAPIC_REG_LVT_LINT0, 0x700);
	assert_int_equal(f->kicks, 1);
	assert_true(lapic_extint_pending(&f->lapic));
	/* Reserved delivery mode 3 is dropped and reported. */
	lapic_deliver(&f->lapic, (enum lapic_delivery)3, 0x40, false);
	assert_int_equal(lapic_pending_vector(&f->lapic), -1);
	assert_true(host_console_contains("delivery mode 3"));
	/* INIT reset keeps the ID and base, clears the rest. */
	mmio_write(f, LAPIC_REG_TPR, 0x20);
	lapic_init_reset(&f->lapic);
	assert_int_equal(mmio_read(f, LAPIC_REG_TPR), 0);
	assert_int_equal(mmio_read(f, LAPIC_REG_SVR), 0xFF);
	assert_int_equal(lapic_get_apic_base(&f->lapic), 0xFEE00900);
}

static void create_and_destroy(void **state)
{
	uint64_t now = 0;
	struct vclock clock;
	struct lapic_config config = { .apic_id = 2, .timer_hz = 100ull * LAPIC_MAX_CLOCK_HZ };
	struct lapic *l;

	(void)state;
	vclock_init(&clock, manual_clock, &now);
	l = lapic_create(&clock, &config, NULL, NULL);
	assert_non_null(l);
	assert_int_equal(l->timer_hz, LAPIC_MAX_CLOCK_HZ);
	assert_int_equal(l->tsc_hz, LAPIC_MAX_CLOCK_HZ);
	/* No callbacks: IPIs and EOIs go nowhere, nothing crashes. */
	lapic_write(l, LAPIC_REG_SVR, 0x1FF);
	lapic_write(l, LAPIC_REG_ICR_LOW, 0x000C4500);
	lapic_set_irq(l, 0x80, true);
	lapic_accept(l, 0x80);
	lapic_write(l, LAPIC_REG_EOI, 0);
	lapic_write(l, LAPIC_REG_LVT_TIMER, 0x20030);
	lapic_write(l, LAPIC_REG_TIMER_INITIAL, 1000);
	assert_int_not_equal(vclock_next_deadline(&clock), UINT64_MAX);
	lapic_destroy(l);
	assert_int_equal(vclock_next_deadline(&clock), UINT64_MAX);
	lapic_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reset_state_follows_the_sdm),
		cmocka_unit_test(seabios_smp_init),
		cmocka_unit_test(linux_setup_local_apic),
		cmocka_unit_test(linux_timer_calibration),
		cmocka_unit_test(periodic_timer_counts_interrupts),
		cmocka_unit_test(divide_values),
		cmocka_unit_test(timer_input_frequency_is_configurable),
		cmocka_unit_test(tsc_deadline_mode),
		cmocka_unit_test(task_priority_masks_and_ppr),
		cmocka_unit_test(nested_interrupts_and_eoi_order),
		cmocka_unit_test(level_triggered_eoi_broadcast),
		cmocka_unit_test(spurious_vector_and_software_disable),
		cmocka_unit_test(illegal_vectors_set_esr),
		cmocka_unit_test(bad_accesses_are_rejected),
		cmocka_unit_test(apic_base_msr),
		cmocka_unit_test(extint_and_other_messages),
		cmocka_unit_test(create_and_destroy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
