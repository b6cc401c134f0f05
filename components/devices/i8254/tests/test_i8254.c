/* SPDX-License-Identifier: MIT */
/*
 * The PIT and port 0x61 driven through the bus with the sequences
 * SeaBIOS and Linux use, on a VM clock the test moves by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bus/bus.h>
#include <bus/irq.h>
#include <bus/vclock.h>
#include <host/support.h>
#include <i8254/i8254.h>

struct irq_counter {
	unsigned rising;
	bool level;
	uint64_t last_rise_ns;
};

struct fixture {
	uint64_t now;            /* the clock source, ns */
	struct vclock clock;
	struct bus *bus;
	struct i8254 *pit;
	struct irq_counter irq0;
};

static struct fixture *current;

static uint64_t manual_clock(void *ctx)
{
	return *(uint64_t *)ctx;
}

static void irq_sink(void *ctx, unsigned pin, bool level)
{
	struct irq_counter *c = ctx;

	assert_int_equal(pin, 0);
	if (level && !c->level) {
		c->rising++;
		c->last_rise_ns = vclock_now(&current->clock);
	}
	c->level = level;
}

static void outb(struct fixture *f, uint16_t port, uint8_t value)
{
	struct bus_access acc = {
		.space = BUS_SPACE_PIO, .dir = BUS_WRITE, .addr = port, .width = 1, .data = value,
	};

	assert_int_equal(bus_dispatch(f->bus, &acc), BUS_OK);
}

static uint8_t inb(struct fixture *f, uint16_t port)
{
	struct bus_access acc = {
		.space = BUS_SPACE_PIO, .dir = BUS_READ, .addr = port, .width = 1,
	};

	assert_int_equal(bus_dispatch(f->bus, &acc), BUS_OK);
	return (uint8_t)acc.data;
}

/* Moves VM time to ns, running every timer at its own deadline on the way. */
static void run_until(struct fixture *f, uint64_t ns)
{
	for (;;) {
		uint64_t next = vclock_next_deadline(&f->clock);

		if (next > ns)
			break;
		assert_true(next >= f->now);
		f->now = next;
		vclock_run_expired(&f->clock);
	}
	f->now = ns;
	vclock_run_expired(&f->clock);
}

/* VM time of PIT tick t. */
static uint64_t tick_ns(uint64_t t)
{
	return i8254_ticks_to_ns(t);
}

static uint64_t now_tick(struct fixture *f)
{
	return i8254_ns_to_ticks(f->now);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	current = f;
	f->now = 0;
	vclock_init(&f->clock, manual_clock, &f->now);
	f->bus = bus_create("test");
	assert_non_null(f->bus);
	f->pit = i8254_create(f->bus, &f->clock);
	assert_non_null(f->pit);
	irq_line_connect(&f->pit->irq, irq_sink, &f->irq0, 0);
	f->irq0.level = f->pit->irq.level;
	/* start at an odd moment so nothing lines up with tick 0 by chance */
	run_until(f, 1234567);
	host_console_clear();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	i8254_destroy(f->pit);
	assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
	bus_destroy(f->bus);
	free(f);
	return 0;
}

static bool out2(struct fixture *f)
{
	return inb(f, 0x61) & 0x20;
}

/* Two reads of a counter port: LSB first, then MSB. */
static uint16_t read_lsb_msb(struct fixture *f, uint16_t port)
{
	uint16_t lo = inb(f, port);
	uint16_t hi = inb(f, port);

	return (uint16_t)(lo | hi << 8);
}

/* Reads channel 2 with the counter latch command (LSB then MSB). */
static uint16_t latch_ch2(struct fixture *f)
{
	uint16_t lo, hi;

	outb(f, 0x43, 0x80);
	lo = inb(f, 0x42);
	hi = inb(f, 0x42);
	return (uint16_t)(lo | hi << 8);
}

static void test_tick_conversion(void **state)
{
	(void)state;
	assert_int_equal(i8254_ns_to_ticks(1000000000ull), I8254_HZ);
	assert_int_equal(i8254_ticks_to_ns(I8254_HZ), 1000000000ull);
	assert_int_equal(i8254_ns_to_ticks(838), 0);
	assert_int_equal(i8254_ns_to_ticks(839), 1);
	assert_int_equal(i8254_ticks_to_ns(1), 839);
	for (uint64_t t = 0; t < 5000; t += 7)
		assert_int_equal(i8254_ns_to_ticks(i8254_ticks_to_ns(t)), t);
	/* a year of VM time does not overflow */
	assert_int_equal(i8254_ns_to_ticks(31536000ull * 1000000000ull), 31536000ull * I8254_HZ);
	assert_int_equal(i8254_ticks_to_ns(UINT64_MAX), UINT64_MAX);
}

/* seabios:src/hw/timer.c tsctimer_setup: count 0x800 on channel 2, poll 0x61 bit 5 */
static void test_seabios_tsc_calibration(void **state)
{
	struct fixture *f = *state;
	uint8_t orig = inb(f, 0x61);
	uint64_t start, terminal_ns;
	unsigned polls = 0;

	outb(f, 0x61, (uint8_t)((orig & ~0x02) | 0x01));
	outb(f, 0x43, 0xB0);
	outb(f, 0x42, 0x800 & 0xFF);
	outb(f, 0x42, 0x800 >> 8);
	start = now_tick(f);
	terminal_ns = tick_ns(start + 0x800);

	assert_false(out2(f));
	run_until(f, terminal_ns - 1);
	assert_false(out2(f));
	assert_int_equal(latch_ch2(f), 1);
	run_until(f, terminal_ns);
	assert_true(out2(f));
	assert_int_equal(latch_ch2(f), 0);

	/* the same from the start as SeaBIOS's unbounded loop: it ends */
	outb(f, 0x43, 0xB0);
	outb(f, 0x42, 0x00);
	outb(f, 0x42, 0x08);
	start = f->now;
	while (!(inb(f, 0x61) & 0x20)) {
		run_until(f, f->now + 1000);
		assert_true(++polls < 10000);
	}
	/* 0x800 ticks of 1.193182 MHz are 1716.4 us */
	assert_true(f->now - start >= 1715000 && f->now - start <= 1718000);
	assert_int_equal(f->irq0.rising, 0);
}

/* linux:arch/x86/kernel/tsc.c pit_calibrate_tsc and quick_pit_calibrate */
static void test_linux_pit_calibration(void **state)
{
	struct fixture *f = *state;
	uint64_t start;
	uint16_t latch = (uint16_t)((I8254_HZ * 10 + 500) / 1000); /* 10 ms */

	outb(f, 0x61, (uint8_t)((inb(f, 0x61) & ~0x02) | 0x01));
	outb(f, 0x43, 0xB0);
	outb(f, 0x42, latch & 0xFF);
	outb(f, 0x42, latch >> 8);
	start = now_tick(f);
	run_until(f, tick_ns(start + latch) - 1);
	assert_false(inb(f, 0x61) & 0x20);
	run_until(f, tick_ns(start + latch));
	assert_true(inb(f, 0x61) & 0x20);

	/* quick calibration: count 0xFFFF, read LSB (ignored) then MSB */
	outb(f, 0x61, (uint8_t)((inb(f, 0x61) & ~0x02) | 0x01));
	outb(f, 0x43, 0xB0);
	outb(f, 0x42, 0xFF);
	outb(f, 0x42, 0xFF);
	start = now_tick(f);
	for (unsigned i = 0; i < 50; i++) {
		uint8_t lsb, msb;

		run_until(f, tick_ns(start + 256u * i + 17));
		lsb = inb(f, 0x42);
		msb = inb(f, 0x42);
		assert_int_equal(msb, 0xFF - i);
		assert_int_equal(lsb, (uint8_t)(0xFF - 17));
	}
}

/* seabios:src/hw/timer.c pit_setup: mode 2, count 0 -> 18.2 Hz on IRQ 0 */
static void test_seabios_pit_setup_18hz(void **state)
{
	struct fixture *f = *state;
	uint64_t start_tick, start_ns;

	outb(f, 0x43, 0x34);
	outb(f, 0x40, 0x00);
	outb(f, 0x40, 0x00);
	start_tick = now_tick(f);
	start_ns = f->now;
	assert_int_equal(f->irq0.rising, 0);
	run_until(f, start_ns + 10ull * 1000000000ull);
	/* 10 s * 1193182 / 65536 = 182.06 periods */
	assert_int_equal(f->irq0.rising, 182);
	assert_int_equal(f->irq0.last_rise_ns, tick_ns(start_tick + 182ull * 65536));
	run_until(f, start_ns + 60ull * 1000000000ull);
	assert_int_equal(f->irq0.rising, (unsigned)(60ull * I8254_HZ / 65536));

	/* the counter in the middle of a period (latch command) */
	start_tick = now_tick(f) + 65536 - (now_tick(f) - start_tick) % 65536;
	run_until(f, tick_ns(start_tick + 1000));
	outb(f, 0x43, 0x00);
	assert_int_equal(read_lsb_msb(f, 0x40), 65536 - 1000);
}

/* linux:drivers/clocksource/i8253.c: periodic, one-shot, shutdown, read */
static void test_linux_clockevent(void **state)
{
	struct fixture *f = *state;
	const uint16_t pit_latch = (uint16_t)((I8254_HZ + 500) / 1000); /* HZ=1000 */
	uint64_t start_tick, start_ns;
	unsigned edges;
	uint16_t count;

	outb(f, 0x43, 0x34);
	outb(f, 0x40, pit_latch & 0xFF);
	outb(f, 0x40, pit_latch >> 8);
	start_tick = now_tick(f);
	start_ns = f->now;
	run_until(f, start_ns + 1000000000ull);
	assert_int_equal(f->irq0.rising, 1000);

	/* i8253_read: latch and read the count */
	run_until(f, tick_ns(start_tick + 1000ull * pit_latch + 300));
	outb(f, 0x43, 0x00);
	count = read_lsb_msb(f, 0x40);
	assert_int_equal(count, pit_latch - 300);

	/* one-shot: mode 4, then set_next_event writes the delta */
	outb(f, 0x43, 0x38);
	edges = f->irq0.rising;
	outb(f, 0x40, 1000 & 0xFF);
	outb(f, 0x40, 1000 >> 8);
	start_tick = now_tick(f);
	run_until(f, tick_ns(start_tick + 1000));
	assert_int_equal(f->irq0.rising, edges); /* OUT just went low */
	assert_false(i8254_out(f->pit, 0));
	run_until(f, tick_ns(start_tick + 1001));
	assert_int_equal(f->irq0.rising, edges + 1);
	run_until(f, tick_ns(start_tick + 200000));
	assert_int_equal(f->irq0.rising, edges + 1);

	/* a one-shot in mode 0: the edge comes at the terminal count */
	outb(f, 0x43, 0x30);
	assert_false(f->irq0.level);
	outb(f, 0x40, 500 & 0xFF);
	outb(f, 0x40, 500 >> 8);
	start_tick = now_tick(f);
	run_until(f, tick_ns(start_tick + 499));
	assert_int_equal(f->irq0.rising, edges + 1);
	run_until(f, tick_ns(start_tick + 500));
	assert_int_equal(f->irq0.rising, edges + 2);
	assert_int_equal(f->irq0.last_rise_ns, tick_ns(start_tick + 500));

	/* shutdown: mode 0 with count 0 still fires once after 65536 ticks */
	outb(f, 0x43, 0x30);
	outb(f, 0x40, 0);
	outb(f, 0x40, 0);
	start_tick = now_tick(f);
	run_until(f, tick_ns(start_tick + 65535));
	assert_int_equal(f->irq0.rising, edges + 2);
	run_until(f, tick_ns(start_tick + 3 * 65536));
	assert_int_equal(f->irq0.rising, edges + 3);
	assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
}

static void test_latch_command(void **state)
{
	struct fixture *f = *state;
	uint64_t start;

	outb(f, 0x61, 0x01);
	outb(f, 0x43, 0xB4); /* channel 2, mode 2 */
	outb(f, 0x42, 0x10);
	outb(f, 0x42, 0x27); /* 10000 */
	start = now_tick(f);
	run_until(f, tick_ns(start + 1234));
	outb(f, 0x43, 0x80);
	run_until(f, tick_ns(start + 2000));
	/* a second latch before the read does not replace the first */
	outb(f, 0x43, 0x80);
	assert_int_equal(inb(f, 0x42), (10000 - 1234) & 0xFF);
	run_until(f, tick_ns(start + 3000));
	assert_int_equal(inb(f, 0x42), (10000 - 1234) >> 8);
	/* the latch is gone: live count, LSB then MSB */
	assert_int_equal(read_lsb_msb(f, 0x42), 10000 - 3000);
	/* latched byte-wise in LSB-only and MSB-only access */
	outb(f, 0x43, 0x94); /* channel 2, LSB only, mode 2 */
	outb(f, 0x42, 200);
	start = now_tick(f);
	run_until(f, tick_ns(start + 50));
	outb(f, 0x43, 0x80);
	assert_int_equal(inb(f, 0x42), 150);
	assert_int_equal(inb(f, 0x42), 150); /* live again, same moment */
	outb(f, 0x43, 0xA4); /* MSB only */
	outb(f, 0x42, 0x02);
	start = now_tick(f);
	run_until(f, tick_ns(start + 0x100));
	outb(f, 0x43, 0x80);
	assert_int_equal(inb(f, 0x42), 0x01);
	assert_int_equal(inb(f, 0x42), 0x01);
}

static void test_read_back_command(void **state)
{
	struct fixture *f = *state;
	uint64_t start;

	/* power-on: mode 3 LSB/MSB, no count yet: OUT high, null count */
	outb(f, 0x43, 0xE2); /* status of channel 0 */
	assert_int_equal(inb(f, 0x40), 0xC0 | 0x36);

	outb(f, 0x61, 0x01);
	outb(f, 0x43, 0xB0);
	outb(f, 0x43, 0xE8); /* status of channel 2 */
	assert_int_equal(inb(f, 0x42), 0x40 | 0x30); /* OUT low, null count */
	outb(f, 0x42, 0x00);
	outb(f, 0x42, 0x01); /* 256 */
	start = now_tick(f);
	outb(f, 0x43, 0xE8);
	assert_int_equal(inb(f, 0x42), 0x30); /* loaded: null count clear */

	/* count and status of channels 0 and 2 together: status first */
	outb(f, 0x43, 0x34);
	outb(f, 0x40, 100);
	outb(f, 0x40, 0);
	run_until(f, tick_ns(start + 256));
	outb(f, 0x43, 0xCA);
	assert_int_equal(inb(f, 0x42), 0x80 | 0x30);
	assert_int_equal(inb(f, 0x42), 0x00);
	assert_int_equal(inb(f, 0x42), 0x00);
	/* channel 0, mode 2, count 100, 256 ticks in: OUT high, 44 left */
	assert_int_equal(inb(f, 0x40), 0x80 | 0x34);
	assert_int_equal(read_lsb_msb(f, 0x40), 44);
	/* a count-only read-back of channel 1 (never programmed) */
	outb(f, 0x43, 0xD4);
	assert_int_equal(read_lsb_msb(f, 0x41), 0);
	/* the control port is write-only */
	assert_int_equal(inb(f, 0x43), 0xFF);
}

static void test_mode0_waveform(void **state)
{
	struct fixture *f = *state;
	uint64_t s;

	outb(f, 0x61, 0x01);
	outb(f, 0x43, 0xB0);
	assert_false(out2(f));
	outb(f, 0x42, 100);
	outb(f, 0x42, 0);
	s = now_tick(f);
	assert_int_equal(latch_ch2(f), 100);
	run_until(f, tick_ns(s + 99));
	assert_false(out2(f));
	assert_int_equal(latch_ch2(f), 1);
	run_until(f, tick_ns(s + 100));
	assert_true(out2(f));
	run_until(f, tick_ns(s + 101));
	assert_true(out2(f));
	assert_int_equal(latch_ch2(f), 0xFFFF); /* wraps, OUT stays high */

	/* gate low pauses the count */
	outb(f, 0x42, 100);
	outb(f, 0x42, 0);
	s = now_tick(f);
	run_until(f, tick_ns(s + 40));
	outb(f, 0x61, 0x00);
	run_until(f, tick_ns(s + 1000));
	assert_int_equal(latch_ch2(f), 60);
	assert_false(out2(f));
	outb(f, 0x61, 0x01);
	s = now_tick(f);
	run_until(f, tick_ns(s + 59));
	assert_false(out2(f));
	run_until(f, tick_ns(s + 60));
	assert_true(out2(f));

	/* the first byte of a new LSB/MSB count stops it and drops OUT */
	outb(f, 0x42, 0x10);
	assert_false(out2(f));
	s = now_tick(f);
	run_until(f, tick_ns(s + 500));
	assert_false(out2(f));
	outb(f, 0x42, 0x00);
	s = now_tick(f);
	run_until(f, tick_ns(s + 16));
	assert_true(out2(f));
}

static void test_mode1_waveform(void **state)
{
	struct fixture *f = *state;
	uint64_t s;

	outb(f, 0x61, 0x00);
	outb(f, 0x43, 0xB2);
	outb(f, 0x42, 100);
	outb(f, 0x42, 0);
	run_until(f, f->now + 1000000);
	assert_true(out2(f)); /* waits for the gate */
	outb(f, 0x43, 0xE8);
	assert_int_equal(inb(f, 0x42), 0x80 | 0x40 | 0x32);
	outb(f, 0x61, 0x01);
	s = now_tick(f);
	assert_false(out2(f));
	run_until(f, tick_ns(s + 99));
	assert_false(out2(f));
	/* the gate falling does not stop a one-shot */
	outb(f, 0x61, 0x00);
	run_until(f, tick_ns(s + 100));
	assert_true(out2(f));
	/* retrigger in the middle of a pulse restarts it */
	outb(f, 0x61, 0x01);
	s = now_tick(f);
	run_until(f, tick_ns(s + 60));
	outb(f, 0x61, 0x00);
	outb(f, 0x61, 0x01);
	s = now_tick(f);
	run_until(f, tick_ns(s + 99));
	assert_false(out2(f));
	assert_int_equal(latch_ch2(f), 1);
	run_until(f, tick_ns(s + 100));
	assert_true(out2(f));
}

static void test_mode2_waveform(void **state)
{
	struct fixture *f = *state;
	uint64_t s;

	outb(f, 0x61, 0x01);
	outb(f, 0x43, 0xB4);
	outb(f, 0x42, 10);
	outb(f, 0x42, 0);
	s = now_tick(f);
	for (unsigned d = 0; d < 35; d++) {
		run_until(f, tick_ns(s + d));
		assert_int_equal(out2(f), d % 10 != 9);
		assert_int_equal(latch_ch2(f), 10 - d % 10);
	}
	/* a new count takes effect at the end of the current period */
	run_until(f, tick_ns(s + 42));
	outb(f, 0x42, 4);
	outb(f, 0x42, 0);
	outb(f, 0x43, 0xE8);
	assert_int_equal(inb(f, 0x42) & 0x40, 0x40);
	run_until(f, tick_ns(s + 49));
	assert_false(out2(f));
	assert_int_equal(latch_ch2(f), 1);
	run_until(f, tick_ns(s + 50));
	assert_int_equal(latch_ch2(f), 4);
	run_until(f, tick_ns(s + 53));
	assert_false(out2(f));
	run_until(f, tick_ns(s + 54));
	assert_true(out2(f));
	outb(f, 0x43, 0xE8);
	assert_int_equal(inb(f, 0x42) & 0x40, 0x00);

	/* gate low forces OUT high and stops; gate high restarts the count */
	run_until(f, tick_ns(s + 57));
	outb(f, 0x61, 0x00);
	assert_true(out2(f));
	run_until(f, tick_ns(s + 500));
	assert_true(out2(f));
	assert_int_equal(latch_ch2(f), 1);
	outb(f, 0x61, 0x01);
	s = now_tick(f);
	assert_int_equal(latch_ch2(f), 4);
	run_until(f, tick_ns(s + 3));
	assert_false(out2(f));
}

static void test_mode3_waveform(void **state)
{
	struct fixture *f = *state;
	uint64_t s;

	outb(f, 0x61, 0x01);
	outb(f, 0x43, 0xB6);
	outb(f, 0x42, 10);
	outb(f, 0x42, 0);
	s = now_tick(f);
	for (unsigned d = 0; d < 30; d++) {
		run_until(f, tick_ns(s + d));
		assert_int_equal(out2(f), d % 10 < 5);
		assert_int_equal(latch_ch2(f), 10 - 2 * (d % 5));
	}
	/* odd count: high one clock longer than low */
	outb(f, 0x43, 0xB6);
	outb(f, 0x42, 5);
	outb(f, 0x42, 0);
	s = now_tick(f);
	for (unsigned d = 0; d < 15; d++) {
		run_until(f, tick_ns(s + d));
		assert_int_equal(out2(f), d % 5 < 3);
	}
	/* gate low: OUT high at once */
	run_until(f, tick_ns(s + 18));
	assert_false(out2(f));
	outb(f, 0x61, 0x00);
	assert_true(out2(f));
	/* channel 0 in mode 3: one IRQ edge per period */
	outb(f, 0x43, 0x36);
	outb(f, 0x40, 100);
	outb(f, 0x40, 0);
	s = now_tick(f);
	run_until(f, tick_ns(s + 1050));
	assert_int_equal(f->irq0.rising, 10);
	assert_int_equal(f->irq0.last_rise_ns, tick_ns(s + 1000));
	assert_false(i8254_out(f->pit, 0));
}

static void test_mode4_and_mode5_waveforms(void **state)
{
	struct fixture *f = *state;
	uint64_t s;

	outb(f, 0x61, 0x01);
	outb(f, 0x43, 0xB8);
	outb(f, 0x42, 10);
	outb(f, 0x42, 0);
	s = now_tick(f);
	run_until(f, tick_ns(s + 9));
	assert_true(out2(f));
	run_until(f, tick_ns(s + 10));
	assert_false(out2(f));
	assert_int_equal(latch_ch2(f), 0);
	run_until(f, tick_ns(s + 11));
	assert_true(out2(f));
	assert_int_equal(latch_ch2(f), 0xFFFF);
	/* the gate pauses a software strobe */
	outb(f, 0x42, 10);
	outb(f, 0x42, 0);
	s = now_tick(f);
	run_until(f, tick_ns(s + 5));
	outb(f, 0x61, 0x00);
	run_until(f, tick_ns(s + 100));
	assert_true(out2(f));
	assert_int_equal(latch_ch2(f), 5);
	outb(f, 0x61, 0x01);
	s = now_tick(f);
	run_until(f, tick_ns(s + 5));
	assert_false(out2(f));

	/* mode 5: the strobe counts from the gate's rising edge */
	outb(f, 0x61, 0x00);
	outb(f, 0x43, 0xBA);
	outb(f, 0x42, 10);
	outb(f, 0x42, 0);
	run_until(f, f->now + 100000);
	assert_true(out2(f));
	outb(f, 0x61, 0x01);
	s = now_tick(f);
	run_until(f, tick_ns(s + 9));
	assert_true(out2(f));
	run_until(f, tick_ns(s + 10));
	assert_false(out2(f));
	run_until(f, tick_ns(s + 11));
	assert_true(out2(f));

	/* channel 0 strobe edges */
	outb(f, 0x43, 0x3A);
	outb(f, 0x40, 10);
	outb(f, 0x40, 0);
	run_until(f, f->now + 100000);
	assert_int_equal(f->irq0.rising, 0); /* gate 0 is tied high: no trigger edge */
	i8254_set_gate(f->pit, 0, false);
	i8254_set_gate(f->pit, 0, true);
	s = now_tick(f);
	run_until(f, tick_ns(s + 10));
	assert_int_equal(f->irq0.rising, 0);
	assert_false(i8254_out(f->pit, 0));
	run_until(f, tick_ns(s + 11));
	assert_int_equal(f->irq0.rising, 1);
}

static void test_bcd_mode(void **state)
{
	struct fixture *f = *state;
	uint64_t s;

	outb(f, 0x61, 0x01);
	outb(f, 0x43, 0xB1); /* mode 0, BCD */
	outb(f, 0x42, 0x00);
	outb(f, 0x42, 0x10); /* 1000 decimal */
	s = now_tick(f);
	run_until(f, tick_ns(s + 1));
	assert_int_equal(latch_ch2(f), 0x0999);
	run_until(f, tick_ns(s + 999));
	assert_int_equal(latch_ch2(f), 0x0001);
	assert_false(out2(f));
	run_until(f, tick_ns(s + 1000));
	assert_true(out2(f));
	run_until(f, tick_ns(s + 1001));
	assert_int_equal(latch_ch2(f), 0x9999);

	/* count 0 is 10000 in BCD */
	outb(f, 0x42, 0x00);
	outb(f, 0x42, 0x00);
	s = now_tick(f);
	run_until(f, tick_ns(s + 9999));
	assert_false(out2(f));
	assert_int_equal(latch_ch2(f), 0x0001);
	run_until(f, tick_ns(s + 10000));
	assert_true(out2(f));

	/* a periodic BCD count on channel 0 */
	outb(f, 0x43, 0x35);
	outb(f, 0x40, 0x32);
	outb(f, 0x40, 0x19); /* 1932 decimal */
	s = now_tick(f);
	run_until(f, tick_ns(s + 1932 * 5));
	assert_int_equal(f->irq0.rising, 5);
	/* digits above 9 stay inside the decimal range */
	outb(f, 0x43, 0xB1);
	outb(f, 0x42, 0xFF);
	outb(f, 0x42, 0xFF);
	assert_true(latch_ch2(f) <= 0x9999);
}

static void test_port_b(void **state)
{
	struct fixture *f = *state;
	uint64_t s = now_tick(f);
	uint8_t first, second;

	outb(f, 0x61, 0xFF);
	/* only bits 3:0 are kept; 7:6 read as zero */
	assert_int_equal(inb(f, 0x61) & 0xCF, 0x0F);
	outb(f, 0x61, 0x02);
	assert_int_equal(inb(f, 0x61) & 0x0F, 0x02);
	assert_false(f->pit->ch[2].gate);

	/* the refresh bit flips every 18 clocks */
	s = s - s % 18 + 36;
	run_until(f, tick_ns(s));
	first = inb(f, 0x61) & 0x10;
	run_until(f, tick_ns(s + 17));
	assert_int_equal(inb(f, 0x61) & 0x10, first);
	run_until(f, tick_ns(s + 18));
	second = inb(f, 0x61) & 0x10;
	assert_int_not_equal(first, second);
	run_until(f, tick_ns(s + 36));
	assert_int_equal(inb(f, 0x61) & 0x10, first);

	/* power-on: channel 2 not counting, mode 3: OUT high */
	assert_true(inb(f, 0x61) & 0x20);
	/* channel 2 does not interrupt */
	outb(f, 0x61, 0x01);
	outb(f, 0x43, 0xB4);
	outb(f, 0x42, 10);
	outb(f, 0x42, 0);
	run_until(f, f->now + 1000000);
	assert_int_equal(f->irq0.rising, 0);
}

static void test_gate_channel0_and_late_run_loop(void **state)
{
	struct fixture *f = *state;
	uint64_t s;

	outb(f, 0x43, 0x34);
	outb(f, 0x40, 100);
	outb(f, 0x40, 0);
	s = now_tick(f);
	/* gate low on channel 0 stops the interrupts */
	run_until(f, tick_ns(s + 250));
	assert_int_equal(f->irq0.rising, 2);
	i8254_set_gate(f->pit, 0, false);
	assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
	run_until(f, tick_ns(s + 1000));
	assert_int_equal(f->irq0.rising, 2);
	i8254_set_gate(f->pit, 0, true);
	s = now_tick(f);
	run_until(f, tick_ns(s + 100));
	assert_int_equal(f->irq0.rising, 3);

	/* the run loop is late: an edge that is due is delivered before a
	   write reprograms channel 0 */
	f->now = tick_ns(s + 250);
	outb(f, 0x43, 0x30);
	assert_int_equal(f->irq0.rising, 4);
	assert_false(f->irq0.level); /* mode 0: OUT low */
	/* back to mode 2: OUT rises with the control word, a real edge */
	outb(f, 0x43, 0x34);
	assert_int_equal(f->irq0.rising, 5);
	outb(f, 0x40, 100);
	outb(f, 0x40, 0);
	s = now_tick(f);
	/* several missed periods become one edge when the loop catches up */
	f->now = tick_ns(s + 1050);
	vclock_run_expired(&f->clock);
	assert_int_equal(f->irq0.rising, 6);
	assert_int_equal(vclock_next_deadline(&f->clock), tick_ns(s + 1100));
	run_until(f, tick_ns(s + 1100));
	assert_int_equal(f->irq0.rising, 7);
	/* the gate is ignored on a channel that does not exist */
	i8254_set_gate(f->pit, 3, true);
	assert_true(host_console_contains("no gate for channel 3"));
	assert_false(i8254_out(f->pit, 7));
}

static void test_word_access_and_reset(void **state)
{
	struct fixture *f = *state;
	struct bus_access acc = {
		.space = BUS_SPACE_PIO, .dir = BUS_WRITE, .addr = 0x42, .width = 2, .data = 0xB0FF,
	};

	outb(f, 0x61, 0x01);
	outb(f, 0x43, 0x90); /* channel 2, LSB only, mode 0 */
	/* a word write at 0x42 is a byte to 0x42 and one to 0x43 */
	assert_int_equal(bus_dispatch(f->bus, &acc), BUS_OK);
	assert_int_equal(f->pit->ch[2].mode, 0);
	assert_int_equal(f->pit->ch[2].access, I8254_ACCESS_LSB_MSB);
	/* modes 6 and 7 are 2 and 3 */
	outb(f, 0x43, 0x8C | 0x30);
	assert_int_equal(f->pit->ch[2].mode, 2);
	outb(f, 0x43, 0x8E | 0x30);
	assert_int_equal(f->pit->ch[2].mode, 3);

	outb(f, 0x43, 0x34);
	outb(f, 0x40, 100);
	outb(f, 0x40, 0);
	i8254_reset(f->pit);
	assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
	assert_true(f->pit->irq.level);
	assert_int_equal(inb(f, 0x61) & 0x0F, 0);
}

static void test_create_conflict_and_in_place(void **state)
{
	struct fixture *f = *state;
	struct i8254 local;

	assert_null(i8254_create(f->bus, &f->clock));
	assert_true(host_console_contains("cannot register"));
	assert_int_equal(i8254_init(&local, NULL, &f->clock), 0);
	assert_true(i8254_out(&local, 1));
	i8254_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tick_conversion),
		cmocka_unit_test_setup_teardown(test_seabios_tsc_calibration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linux_pit_calibration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seabios_pit_setup_18hz, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linux_clockevent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latch_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_back_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode0_waveform, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode1_waveform, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode2_waveform, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode3_waveform, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode4_and_mode5_waveforms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bcd_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_b, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gate_channel0_and_late_run_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_word_access_and_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_conflict_and_in_place, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
