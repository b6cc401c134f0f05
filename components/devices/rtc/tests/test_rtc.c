/* SPDX-License-Identifier: MIT */
/*
 * MC146818 RTC through the bus, with the access sequences SeaBIOS, EDK2
 * and Linux use.  Time is a manual clock the tests advance.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <bus/bus.h>
#include <bus/irq.h>
#include <bus/vclock.h>
#include <host/support.h>
#include <rtc/rtc.h>

#define NS_PER_SEC 1000000000ull
#define NS_PER_MS 1000000ull
#define NS_PER_US 1000ull

/* 2024-02-29 13:45:56 UTC, a Thursday */
#define LEAP_DAY_AFTERNOON 1709214356ull

struct fixture {
	struct bus *bus;
	struct vclock clock;
	uint64_t now;
	struct rtc *rtc;
	unsigned edges;
	bool level;
};

static uint64_t manual_now(void *ctx)
{
	return *(uint64_t *)ctx;
}

static void count_edges(void *sink, unsigned pin, bool level)
{
	struct fixture *f = sink;

	assert_int_equal(pin, RTC_ISA_IRQ);
	if (level && !f->level)
		f->edges++;
	f->level = level;
}

static struct fixture *make_fixture(uint64_t unix_seconds)
{
	struct fixture *f = test_calloc(1, sizeof(*f));

	f->bus = bus_create("test");
	assert_non_null(f->bus);
	vclock_init(&f->clock, manual_now, &f->now);
	f->rtc = rtc_create(f->bus, &f->clock, unix_seconds);
	assert_non_null(f->rtc);
	irq_line_connect(rtc_irq_line(f->rtc), count_edges, f, RTC_ISA_IRQ);
	host_console_clear();
	return f;
}

static int setup(void **state)
{
	*state = make_fixture(LEAP_DAY_AFTERNOON);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rtc_destroy(f->rtc);
	bus_destroy(f->bus);
	test_free(f);
	return 0;
}

static void outb(struct fixture *f, uint16_t port, uint8_t value)
{
	struct bus_access acc = { BUS_SPACE_PIO, BUS_WRITE, port, 1, value };

	assert_int_equal(bus_dispatch(f->bus, &acc), BUS_OK);
}

static uint8_t inb(struct fixture *f, uint16_t port)
{
	struct bus_access acc = { BUS_SPACE_PIO, BUS_READ, port, 1, 0 };

	assert_int_equal(bus_dispatch(f->bus, &acc), BUS_OK);
	return (uint8_t)acc.data;
}

/* SeaBIOS's rtc_read/rtc_write: NMI disabled on every index write. */
static uint8_t cmos_read(struct fixture *f, uint8_t index)
{
	outb(f, RTC_PORT_INDEX, index | RTC_INDEX_NMI_MASK);
	return inb(f, RTC_PORT_DATA);
}

static void cmos_write(struct fixture *f, uint8_t index, uint8_t value)
{
	outb(f, RTC_PORT_INDEX, index | RTC_INDEX_NMI_MASK);
	outb(f, RTC_PORT_DATA, value);
}

/* Moves time to t, running every timer due on the way, in deadline order. */
static void advance_to(struct fixture *f, uint64_t t)
{
	for (;;) {
		uint64_t next = vclock_next_deadline(&f->clock);

		if (next > t)
			break;
		f->now = next;
		vclock_run_expired(&f->clock);
	}
	f->now = t;
	vclock_run_expired(&f->clock);
}

/*
 * A guest interrupt handler: runs until t, and each time IRQ 8 is high
 * reads C (as Linux's rtc_handler does) and records what it saw.
 */
static unsigned run_handler_until(struct fixture *f, uint64_t t, uint8_t *last_c)
{
	unsigned handled = 0;

	for (;;) {
		uint64_t next = vclock_next_deadline(&f->clock);

		if (next > t)
			break;
		f->now = next;
		vclock_run_expired(&f->clock);
		if (f->level) {
			uint8_t c = cmos_read(f, RTC_REG_C);

			assert_true(c & RTC_C_IRQF);
			assert_false(f->level);
			if (last_c)
				*last_c = c;
			handled++;
		}
	}
	f->now = t;
	return handled;
}

static void test_seabios_cmos_memory_size(void **state)
{
	struct fixture *f = *state;
	const struct rtc_cmos_config cfg = {
		.ram_below_4g = 2ull << 30,
		.ram_above_4g = 6ull << 30,
		.cpu_count = 4,
		.boot_order = { RTC_BOOT_CDROM, RTC_BOOT_DISK, RTC_BOOT_NETWORK },
		.floppy_signature_check = false,
	};
	uint32_t rs;
	uint64_t high;

	rtc_cmos_fill(f->rtc, &cfg);

	/* seabios:src/fw/paravirt.c qemu_preinit, 16 MiB + 64 KiB units */
	rs = ((uint32_t)cmos_read(f, 0x34) | ((uint32_t)cmos_read(f, 0x35) << 8)) << 16;
	assert_true(rtc_nmi_masked(f->rtc));
	assert_int_equal(rs + (16u << 20), 2u << 30);
	high = ((uint64_t)cmos_read(f, 0x5B) << 16 | (uint64_t)cmos_read(f, 0x5C) << 24 |
		(uint64_t)cmos_read(f, 0x5D) << 32);
	assert_int_equal(high, 6ull << 30);
	assert_int_equal(cmos_read(f, 0x5F), 3);

	assert_int_equal(cmos_read(f, 0x15) | cmos_read(f, 0x16) << 8, 640);
	/* 2 GiB - 1 MiB in KiB does not fit: capped */
	assert_int_equal(cmos_read(f, 0x17) | cmos_read(f, 0x18) << 8, 0xFFFF);
	assert_int_equal(cmos_read(f, 0x30) | cmos_read(f, 0x31) << 8, 0xFFFF);
	assert_int_equal(cmos_read(f, 0x10), 0);
	assert_int_equal(cmos_read(f, 0x14), 0x06);
	assert_int_equal(cmos_read(f, 0x0F), 0);
	assert_int_equal(cmos_read(f, 0x3D), 0x23);
	assert_int_equal(cmos_read(f, 0x38), 0x41);
	assert_int_equal(cmos_read(f, RTC_CENTURY), 0x20);

	/* without the NMI bit the mask is reported clear */
	outb(f, RTC_PORT_INDEX, 0x34);
	assert_int_equal(inb(f, RTC_PORT_DATA), 0x00);
	assert_false(rtc_nmi_masked(f->rtc));
	assert_int_equal(inb(f, RTC_PORT_DATA), 0x00);
}

static void test_cmos_small_vm_and_caps(void **state)
{
	struct fixture *f = *state;
	struct rtc_cmos_config cfg = {
		.ram_below_4g = 12ull << 20,
		.cpu_count = 0,
		.floppy_signature_check = true,
	};

	rtc_cmos_fill(f->rtc, &cfg);
	assert_int_equal(cmos_read(f, 0x17) | cmos_read(f, 0x18) << 8, 11 * 1024);
	assert_int_equal(cmos_read(f, 0x34) | cmos_read(f, 0x35) << 8, 0);
	assert_int_equal(cmos_read(f, 0x5B) | cmos_read(f, 0x5C) | cmos_read(f, 0x5D), 0);
	assert_int_equal(cmos_read(f, 0x5F), 0);
	assert_int_equal(cmos_read(f, 0x38), 0x00);
	assert_int_equal(cmos_read(f, 0x3D), 0x00);

	/* 64 MiB: 63 MiB extended, 48 MiB above 16 MiB */
	cfg.ram_below_4g = 64ull << 20;
	cfg.ram_above_4g = 1ull << 50;  /* more than 24 bits of 64 KiB units */
	cfg.cpu_count = 1000;
	rtc_cmos_fill(f->rtc, &cfg);
	assert_int_equal(cmos_read(f, 0x30) | cmos_read(f, 0x31) << 8, 63 * 1024);
	assert_int_equal(cmos_read(f, 0x34) | cmos_read(f, 0x35) << 8, 48 * 16);
	assert_int_equal(cmos_read(f, 0x5B), 0xFF);
	assert_int_equal(cmos_read(f, 0x5C), 0xFF);
	assert_int_equal(cmos_read(f, 0x5D), 0xFF);
	assert_int_equal(cmos_read(f, 0x5F), 0xFF);

	/* 4 GiB below (impossible, but the 16-bit field must cap) */
	cfg.ram_below_4g = 4ull << 30;
	rtc_cmos_fill(f->rtc, &cfg);
	assert_int_equal(cmos_read(f, 0x34) | cmos_read(f, 0x35) << 8, 0xFF00);
	cfg.ram_below_4g = 8ull << 30;
	rtc_cmos_fill(f->rtc, &cfg);
	assert_int_equal(cmos_read(f, 0x34) | cmos_read(f, 0x35) << 8, 0xFFFF);

	/* the VM builder's raw access covers RAM only */
	rtc_cmos_set(f->rtc, 0x70, 0x5A);
	assert_int_equal(rtc_cmos_get(f->rtc, 0x70), 0x5A);
	assert_int_equal(cmos_read(f, 0x70), 0x5A);
	assert_int_equal(rtc_cmos_get(f->rtc, RTC_SECONDS), 0xFF);
	assert_int_equal(rtc_cmos_get(f->rtc, RTC_CENTURY), 0xFF);
	assert_int_equal(rtc_cmos_get(f->rtc, 0x80), 0xFF);
	rtc_cmos_set(f->rtc, RTC_REG_B, 0xFF);
	assert_non_null(strstr(host_console_text(), "not RAM"));
	assert_int_equal(cmos_read(f, RTC_REG_B), RTC_B_24H);
}

static void test_seabios_rtc_setup(void **state)
{
	struct fixture *f = *state;
	uint8_t b;

	/* seabios:src/hw/rtc.c rtc_setup */
	cmos_write(f, RTC_REG_A, 0x26);
	b = cmos_read(f, RTC_REG_B);
	cmos_write(f, RTC_REG_B, (uint8_t)((b & ~RTC_B_DSE) | RTC_B_24H));
	assert_int_equal(cmos_read(f, RTC_REG_C), 0);
	assert_int_equal(cmos_read(f, RTC_REG_D), RTC_D_VRT);

	assert_int_equal(cmos_read(f, RTC_REG_A), 0x26);
	assert_int_equal(cmos_read(f, RTC_REG_B), 0x02);
	/* "RTC present" check of seabios:src/clock.c */
	assert_int_not_equal(cmos_read(f, RTC_MONTH), 0xFF);
	assert_int_equal(f->edges, 0);
	assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
}

static void test_time_bcd(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cmos_read(f, RTC_SECONDS), 0x56);
	assert_int_equal(cmos_read(f, RTC_MINUTES), 0x45);
	assert_int_equal(cmos_read(f, RTC_HOURS), 0x13);
	assert_int_equal(cmos_read(f, RTC_DAY_OF_WEEK), 5);
	assert_int_equal(cmos_read(f, RTC_DAY_OF_MONTH), 0x29);
	assert_int_equal(cmos_read(f, RTC_MONTH), 0x02);
	assert_int_equal(cmos_read(f, RTC_YEAR), 0x24);
	assert_int_equal(cmos_read(f, RTC_CENTURY), 0x20);

	/* the clock follows the vclock: 4.5 s later it is 13:46:00 */
	f->now = 4 * NS_PER_SEC + 500 * NS_PER_MS;
	assert_int_equal(cmos_read(f, RTC_SECONDS), 0x00);
	assert_int_equal(cmos_read(f, RTC_MINUTES), 0x46);
	assert_int_equal(rtc_unix_time(f->rtc), LEAP_DAY_AFTERNOON + 4);
	f->now = NS_PER_SEC * 3600 * 11;
	assert_int_equal(cmos_read(f, RTC_DAY_OF_MONTH), 0x01);
	assert_int_equal(cmos_read(f, RTC_MONTH), 0x03);
	assert_int_equal(cmos_read(f, RTC_HOURS), 0x00);
	assert_int_equal(cmos_read(f, RTC_DAY_OF_WEEK), 6);
}

static void test_time_binary(void **state)
{
	struct fixture *f = *state;

	cmos_write(f, RTC_REG_B, RTC_B_24H | RTC_B_DM_BINARY);
	assert_int_equal(cmos_read(f, RTC_SECONDS), 56);
	assert_int_equal(cmos_read(f, RTC_MINUTES), 45);
	assert_int_equal(cmos_read(f, RTC_HOURS), 13);
	assert_int_equal(cmos_read(f, RTC_DAY_OF_MONTH), 29);
	assert_int_equal(cmos_read(f, RTC_MONTH), 2);
	assert_int_equal(cmos_read(f, RTC_YEAR), 24);
	assert_int_equal(cmos_read(f, RTC_CENTURY), 20);
}

static void test_time_12_hour(void **state)
{
	struct fixture *f = *state;

	/* 13:45 is 1 PM */
	cmos_write(f, RTC_REG_B, 0x00);
	assert_int_equal(cmos_read(f, RTC_HOURS), 0x81);
	cmos_write(f, RTC_REG_B, RTC_B_DM_BINARY);
	assert_int_equal(cmos_read(f, RTC_HOURS), 0x81);
	/* midnight -> 12 AM; 23:00 -> 11 PM; 12:15 -> 12 PM */
	f->now = NS_PER_SEC * (10 * 3600 + 14 * 60 + 4);
	cmos_write(f, RTC_REG_B, 0x00);
	assert_int_equal(cmos_read(f, RTC_HOURS), 0x12);
	assert_int_equal(cmos_read(f, RTC_MINUTES), 0x00);
	f->now = NS_PER_SEC * (9 * 3600 + 14 * 60 + 4);
	assert_int_equal(cmos_read(f, RTC_HOURS), 0x80 | 0x11);
	f->now = NS_PER_SEC * (22 * 3600 + 29 * 60 + 4);
	assert_int_equal(cmos_read(f, RTC_HOURS), 0x80 | 0x12);

	/* setting 9 PM in 12-hour binary mode */
	cmos_write(f, RTC_REG_B, RTC_B_DM_BINARY);
	cmos_write(f, RTC_HOURS, 0x80 | 9);
	cmos_write(f, RTC_REG_B, RTC_B_24H | RTC_B_DM_BINARY);
	assert_int_equal(cmos_read(f, RTC_HOURS), 21);
}

/* edk2:PcAtChipsetPkg/PcatRealTimeClockRuntimeDxe/PcRtc.c RtcWaitToUpdate */
static void test_edk2_wait_to_update(void **state)
{
	struct fixture *f = *state;
	unsigned polls = 0;

	/* just inside the update window */
	f->now = NS_PER_SEC - 200 * NS_PER_US;
	assert_true(cmos_read(f, RTC_REG_D) & RTC_D_VRT);
	while (cmos_read(f, RTC_REG_A) & RTC_A_UIP) {
		f->now += 10 * NS_PER_US;   /* MicroSecondDelay (10) */
		polls++;
		assert_true(polls < 10000); /* the driver gives up after 100 ms */
	}
	assert_int_equal(polls, 20);
	/* the update has happened: 13:45:57 */
	assert_int_equal(cmos_read(f, RTC_SECONDS), 0x57);

	/* outside the window UIP is clear at once */
	f->now = NS_PER_SEC + 500 * NS_PER_MS;
	assert_false(cmos_read(f, RTC_REG_A) & RTC_A_UIP);
	f->now = 2 * NS_PER_SEC - 244 * NS_PER_US;
	assert_true(cmos_read(f, RTC_REG_A) & RTC_A_UIP);
	f->now = 2 * NS_PER_SEC - 245 * NS_PER_US;
	assert_false(cmos_read(f, RTC_REG_A) & RTC_A_UIP);
	/* the guest cannot set UIP */
	cmos_write(f, RTC_REG_A, 0xA6);
	assert_int_equal(cmos_read(f, RTC_REG_A), 0x26);
}

/* Linux's mc146818_get_time: wait for UIP to rise, then for it to fall. */
static void test_linux_uip_edge(void **state)
{
	struct fixture *f = *state;
	unsigned polls = 0;

	f->now = 300 * NS_PER_MS;
	while (!(cmos_read(f, RTC_REG_A) & RTC_A_UIP)) {
		f->now += 50 * NS_PER_US;
		assert_true(++polls < 100000);
	}
	assert_in_range(f->now, NS_PER_SEC - 245 * NS_PER_US, NS_PER_SEC - 1);
	assert_int_equal(cmos_read(f, RTC_SECONDS), 0x56);
	while (cmos_read(f, RTC_REG_A) & RTC_A_UIP)
		f->now += 50 * NS_PER_US;
	assert_int_equal(cmos_read(f, RTC_SECONDS), 0x57);
	assert_in_range(f->now, NS_PER_SEC, NS_PER_SEC + 50 * NS_PER_US);
}

static void test_periodic_interrupt_rate(void **state)
{
	struct fixture *f = *state;
	uint8_t c = 0;

	/* 1024 Hz, as Linux's rtc-cmos uses by default */
	cmos_write(f, RTC_REG_A, 0x26);
	cmos_write(f, RTC_REG_B, RTC_B_24H | RTC_B_PIE);
	assert_int_equal(run_handler_until(f, NS_PER_SEC - 1, &c), 1023);
	assert_int_equal(c, RTC_C_IRQF | RTC_C_PF);
	/* the 1024th coincides with the seconds update: UF is set too */
	assert_int_equal(run_handler_until(f, NS_PER_SEC, &c), 1);
	assert_int_equal(c, RTC_C_IRQF | RTC_C_PF | RTC_C_UF);
	assert_int_equal(f->edges, 1024);

	/* rate 15: 2 Hz */
	cmos_write(f, RTC_REG_A, 0x2F);
	assert_int_equal(run_handler_until(f, 3 * NS_PER_SEC, NULL), 4);

	/* rate 3: 8192 Hz over 10 ms */
	cmos_write(f, RTC_REG_A, 0x23);
	f->edges = 0;
	assert_in_range(run_handler_until(f, 3 * NS_PER_SEC + 10 * NS_PER_MS, NULL), 81, 82);

	/* rate 1 behaves as rate 8 (256 Hz) with a 32.768 kHz base */
	cmos_write(f, RTC_REG_A, 0x21);
	assert_int_equal(run_handler_until(f, 4 * NS_PER_SEC + 10 * NS_PER_MS, NULL), 256);

	/* rate 0 stops it */
	cmos_write(f, RTC_REG_A, 0x20);
	assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
	assert_int_equal(run_handler_until(f, 6 * NS_PER_SEC, NULL), 0);
}

static void test_periodic_flag_without_interrupt(void **state)
{
	struct fixture *f = *state;

	/* PF is set at the rate even with PIE clear; nothing is signalled */
	f->now = 10 * NS_PER_MS;
	assert_int_equal(cmos_read(f, RTC_REG_C), RTC_C_PF);
	f->now += 100 * NS_PER_US;
	assert_int_equal(cmos_read(f, RTC_REG_C), 0);
	f->now = 1200 * NS_PER_MS;
	assert_int_equal(cmos_read(f, RTC_REG_C), RTC_C_PF | RTC_C_UF);
	assert_int_equal(f->edges, 0);

	/* enabling PIE with PF pending raises the line at once */
	f->now += 5 * NS_PER_MS;
	cmos_write(f, RTC_REG_B, RTC_B_24H | RTC_B_PIE);
	assert_true(f->level);
	assert_int_equal(f->edges, 1);
	/* and disabling it drops IRQF and the line again */
	cmos_write(f, RTC_REG_B, RTC_B_24H);
	assert_false(f->level);
	assert_int_equal(cmos_read(f, RTC_REG_C), RTC_C_PF);
}

static void test_update_interrupt(void **state)
{
	struct fixture *f = *state;
	uint8_t c = 0;

	cmos_write(f, RTC_REG_A, 0x20);   /* no periodic flags */
	cmos_write(f, RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	assert_int_equal(vclock_next_deadline(&f->clock), NS_PER_SEC);
	assert_int_equal(run_handler_until(f, 5 * NS_PER_SEC + NS_PER_MS, &c), 5);
	assert_int_equal(c, RTC_C_IRQF | RTC_C_UF);
	assert_int_equal(cmos_read(f, RTC_SECONDS), 0x01);
}

static void test_alarm_interrupt(void **state)
{
	struct fixture *f = *state;
	uint8_t c;

	cmos_write(f, RTC_REG_A, 0x20);
	/* 13:46:10, BCD */
	cmos_write(f, RTC_SECONDS_ALARM, 0x10);
	cmos_write(f, RTC_MINUTES_ALARM, 0x46);
	cmos_write(f, RTC_HOURS_ALARM, 0x13);
	cmos_write(f, RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	assert_int_equal(vclock_next_deadline(&f->clock), 14 * NS_PER_SEC);

	advance_to(f, 14 * NS_PER_SEC - 1);
	assert_int_equal(f->edges, 0);
	advance_to(f, 14 * NS_PER_SEC);
	assert_int_equal(f->edges, 1);
	assert_true(f->level);
	c = cmos_read(f, RTC_REG_C);
	assert_int_equal(c, RTC_C_IRQF | RTC_C_AF | RTC_C_UF);
	assert_false(f->level);
	assert_int_equal(cmos_read(f, RTC_SECONDS), 0x10);
	/* next match is a day later */
	assert_int_equal(vclock_next_deadline(&f->clock), (14 + 86400) * NS_PER_SEC);
}

static void test_alarm_dont_care(void **state)
{
	struct fixture *f = *state;
	uint8_t c = 0;

	cmos_write(f, RTC_REG_A, 0x20);
	/* every second */
	cmos_write(f, RTC_SECONDS_ALARM, 0xC0);
	cmos_write(f, RTC_MINUTES_ALARM, 0xFF);
	cmos_write(f, RTC_HOURS_ALARM, 0xC5);
	cmos_write(f, RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	assert_int_equal(run_handler_until(f, 3 * NS_PER_SEC, &c), 3);
	assert_int_equal(c, RTC_C_IRQF | RTC_C_AF | RTC_C_UF);

	/* second 30 of every minute: 13:46:30, then 13:47:30 */
	cmos_write(f, RTC_SECONDS_ALARM, 0x30);
	assert_int_equal(run_handler_until(f, 100 * NS_PER_SEC, NULL), 2);
	assert_int_equal(vclock_next_deadline(&f->clock), (34 + 120) * NS_PER_SEC);

	/* hour 14 with any minute and second: first at 14:00:00 */
	cmos_write(f, RTC_SECONDS_ALARM, 0xC0);
	cmos_write(f, RTC_MINUTES_ALARM, 0xC0);
	cmos_write(f, RTC_HOURS_ALARM, 0x14);
	assert_int_equal(vclock_next_deadline(&f->clock), (4 + 14 * 60) * NS_PER_SEC);

	/* an alarm value that cannot match never fires */
	cmos_write(f, RTC_MINUTES_ALARM, 0x61);
	assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
	cmos_write(f, RTC_MINUTES_ALARM, 0x00);
	cmos_write(f, RTC_HOURS_ALARM, 0x24);
	assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
}

static void test_alarm_flag_without_interrupt(void **state)
{
	struct fixture *f = *state;

	cmos_write(f, RTC_REG_A, 0x20);
	cmos_write(f, RTC_SECONDS_ALARM, 0x58);
	cmos_write(f, RTC_MINUTES_ALARM, 0x45);
	cmos_write(f, RTC_HOURS_ALARM, 0x13);
	f->now = NS_PER_SEC + 10;
	assert_int_equal(cmos_read(f, RTC_REG_C), RTC_C_UF);
	f->now = 2 * NS_PER_SEC + 10;
	assert_int_equal(cmos_read(f, RTC_REG_C), RTC_C_UF | RTC_C_AF);
	f->now = 4 * NS_PER_SEC;
	assert_int_equal(cmos_read(f, RTC_REG_C), RTC_C_UF);
	assert_int_equal(f->edges, 0);
}

static void test_read_c_clears_and_lowers(void **state)
{
	struct fixture *f = *state;

	cmos_write(f, RTC_REG_A, 0x20);
	cmos_write(f, RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	advance_to(f, 3 * NS_PER_SEC + 1);
	/* no read in between: one edge, the line stays high, no timer runs */
	assert_int_equal(f->edges, 1);
	assert_true(f->level);
	assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
	assert_int_equal(cmos_read(f, RTC_REG_C), RTC_C_IRQF | RTC_C_UF);
	assert_false(f->level);
	assert_int_equal(cmos_read(f, RTC_REG_C), 0);
	assert_int_equal(vclock_next_deadline(&f->clock), 4 * NS_PER_SEC);
	/* writes to C and D change nothing */
	cmos_write(f, RTC_REG_C, 0xF0);
	cmos_write(f, RTC_REG_D, 0x00);
	assert_int_equal(cmos_read(f, RTC_REG_C), 0);
	assert_int_equal(cmos_read(f, RTC_REG_D), RTC_D_VRT);
	assert_false(f->level);
}

static void test_set_time_with_set_bit(void **state)
{
	struct fixture *f = *state;

	f->now = 300 * NS_PER_MS;
	cmos_write(f, RTC_REG_B, RTC_B_24H | RTC_B_SET | RTC_B_UIE);
	/* SET clears UIE */
	assert_int_equal(cmos_read(f, RTC_REG_B), RTC_B_24H | RTC_B_SET);
	cmos_write(f, RTC_SECONDS, 0x58);
	cmos_write(f, RTC_MINUTES, 0x59);
	cmos_write(f, RTC_HOURS, 0x23);
	cmos_write(f, RTC_DAY_OF_WEEK, 0x01);
	cmos_write(f, RTC_DAY_OF_MONTH, 0x31);
	cmos_write(f, RTC_MONTH, 0x12);
	cmos_write(f, RTC_YEAR, 0x23);
	/* stopped: no updates, no UIP, registers read as written */
	f->now = 5 * NS_PER_SEC - 100 * NS_PER_US;
	assert_false(cmos_read(f, RTC_REG_A) & RTC_A_UIP);
	assert_int_equal(cmos_read(f, RTC_SECONDS), 0x58);
	assert_int_equal(cmos_read(f, RTC_DAY_OF_WEEK), 0x01);
	assert_int_equal(rtc_unix_time(f->rtc), 1704067198ull);
	f->now = 5 * NS_PER_SEC + 300 * NS_PER_MS;
	assert_int_equal(cmos_read(f, RTC_REG_C) & RTC_C_UF, 0);

	/* clearing SET restarts from the written time on the divider's phase */
	cmos_write(f, RTC_REG_B, RTC_B_24H);
	assert_int_equal(cmos_read(f, RTC_SECONDS), 0x58);
	f->now = 6 * NS_PER_SEC;
	assert_int_equal(cmos_read(f, RTC_SECONDS), 0x59);
	f->now = 7 * NS_PER_SEC;
	assert_int_equal(cmos_read(f, RTC_SECONDS), 0x00);
	assert_int_equal(cmos_read(f, RTC_MINUTES), 0x00);
	assert_int_equal(cmos_read(f, RTC_HOURS), 0x00);
	assert_int_equal(cmos_read(f, RTC_DAY_OF_MONTH), 0x01);
	assert_int_equal(cmos_read(f, RTC_MONTH), 0x01);
	assert_int_equal(cmos_read(f, RTC_YEAR), 0x24);
	assert_int_equal(cmos_read(f, RTC_DAY_OF_WEEK), 2);
	assert_int_equal(cmos_read(f, RTC_CENTURY), 0x20);
}

static void test_set_time_while_running(void **state)
{
	struct fixture *f = *state;

	/* a write without SET takes effect at once and keeps the phase */
	f->now = 400 * NS_PER_MS;
	cmos_write(f, RTC_MINUTES, 0x10);
	assert_int_equal(cmos_read(f, RTC_MINUTES), 0x10);
	assert_int_equal(cmos_read(f, RTC_SECONDS), 0x56);
	f->now = NS_PER_SEC;
	assert_int_equal(cmos_read(f, RTC_SECONDS), 0x57);
	/* updates across the jump produce one UF, not 35 minutes of them */
	assert_int_equal(cmos_read(f, RTC_REG_C) & RTC_C_UF, RTC_C_UF);
	/* weekday and century follow the date while running */
	cmos_write(f, RTC_DAY_OF_WEEK, 0x03);
	cmos_write(f, RTC_CENTURY, 0x19);
	assert_int_equal(cmos_read(f, RTC_DAY_OF_WEEK), 5);
	assert_int_equal(cmos_read(f, RTC_CENTURY), 0x20);
	/* an invalid BCD value is clamped and reported */
	cmos_write(f, RTC_MONTH, 0x13);
	assert_int_equal(cmos_read(f, RTC_MONTH), 0x12);
	assert_non_null(strstr(host_console_text(), "invalid month"));
	cmos_write(f, RTC_DAY_OF_MONTH, 0x00);
	assert_int_equal(cmos_read(f, RTC_DAY_OF_MONTH), 0x01);
}

static void test_divider_reset(void **state)
{
	struct fixture *f = *state;

	/* DV = 110 holds the divider: time stops, no UIP, no periodic flag */
	f->now = 250 * NS_PER_MS;
	assert_int_equal(cmos_read(f, RTC_REG_C), RTC_C_PF);
	cmos_write(f, RTC_REG_A, 0x66);
	f->now = 3 * NS_PER_SEC - 100 * NS_PER_US;
	assert_false(cmos_read(f, RTC_REG_A) & RTC_A_UIP);
	assert_int_equal(cmos_read(f, RTC_SECONDS), 0x56);
	assert_int_equal(cmos_read(f, RTC_REG_C), 0);
	/* leaving reset: the first update comes 500 ms later */
	f->now = 3 * NS_PER_SEC;
	cmos_write(f, RTC_REG_A, 0x26);
	f->now = 3 * NS_PER_SEC + 499 * NS_PER_MS;
	assert_int_equal(cmos_read(f, RTC_SECONDS), 0x56);
	f->now = 3 * NS_PER_SEC + 500 * NS_PER_MS;
	assert_int_equal(cmos_read(f, RTC_SECONDS), 0x57);
}

static void test_index_port(void **state)
{
	struct fixture *f = *state;
	struct bus_access word = { BUS_SPACE_PIO, BUS_WRITE, RTC_PORT_INDEX, 2, 0xA5FF };

	/* bits 6:0 select the byte: 0xFF is 0x7F with NMI masked */
	outb(f, RTC_PORT_INDEX, 0xFF);
	assert_true(rtc_nmi_masked(f->rtc));
	outb(f, RTC_PORT_DATA, 0x42);
	assert_int_equal(rtc_cmos_get(f->rtc, 0x7F), 0x42);
	/* 0x8E is 0x0E */
	cmos_write(f, 0x0E, 0x11);
	outb(f, RTC_PORT_INDEX, 0x8E);
	assert_int_equal(inb(f, RTC_PORT_DATA), 0x11);
	/* the index register cannot be read back */
	assert_int_equal(inb(f, RTC_PORT_INDEX), 0xFF);
	/* outw 0x70 writes index and data */
	assert_int_equal(bus_dispatch(f->bus, &word), BUS_OK);
	assert_int_equal(rtc_cmos_get(f->rtc, 0x7F), 0xA5);
	/* a second device on the same ports is refused */
	assert_null(rtc_create(f->bus, &f->clock, 0));
}

static void test_reset_pin(void **state)
{
	struct fixture *f = *state;

	cmos_write(f, RTC_REG_B, RTC_B_24H | RTC_B_PIE | RTC_B_AIE | RTC_B_UIE | RTC_B_SQWE | RTC_B_DSE);
	advance_to(f, 10 * NS_PER_MS);
	assert_true(f->level);
	rtc_reset(f->rtc);
	assert_false(f->level);
	assert_int_equal(cmos_read(f, RTC_REG_B), RTC_B_24H | RTC_B_DSE);
	assert_int_equal(cmos_read(f, RTC_REG_C), 0);
	assert_int_equal(vclock_next_deadline(&f->clock), UINT64_MAX);
	assert_int_equal(cmos_read(f, RTC_SECONDS), 0x56);
}

static void test_clamped_creation_time(void **state)
{
	struct fixture *f = make_fixture(0);

	(void)state;
	assert_int_equal(rtc_unix_time(f->rtc), 946684800ull);
	assert_int_equal(cmos_read(f, RTC_YEAR), 0x00);
	assert_int_equal(cmos_read(f, RTC_DAY_OF_WEEK), 7);   /* a Saturday */
	teardown((void **)&f);

	f = make_fixture(UINT64_MAX);
	assert_int_equal(cmos_read(f, RTC_YEAR), 0x99);
	assert_int_equal(cmos_read(f, RTC_MONTH), 0x12);
	assert_int_equal(cmos_read(f, RTC_DAY_OF_MONTH), 0x31);
	assert_int_equal(cmos_read(f, RTC_SECONDS), 0x59);
	teardown((void **)&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seabios_cmos_memory_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmos_small_vm_and_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seabios_rtc_setup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_bcd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_binary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_12_hour, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edk2_wait_to_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linux_uip_edge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_periodic_interrupt_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_periodic_flag_without_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alarm_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alarm_dont_care, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alarm_flag_without_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_c_clears_and_lowers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_time_with_set_bit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_time_while_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_divider_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_pin, setup, teardown),
		cmocka_unit_test(test_clamped_creation_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
