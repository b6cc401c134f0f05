/* SPDX-License-Identifier: MIT */
/*
 * The PC's real-time clock, the MC146818-compatible CMOS clock at ports
 * 0x70 (index) and 0x71 (data) that QEMU's x86 machines and PCs have:
 * read once at boot as the host's wall clock (arch_read_wall_clock()).
 *
 * Registers: 0x00 seconds, 0x02 minutes, 0x04 hours, 0x07 day, 0x08
 * month, 0x09 year, 0x32 century (QEMU's hw/rtc/mc146818rtc.c; ACPI's FADT
 * "CENTURY" names it); status A bit 7 (UIP) is set while the clock updates
 * its registers, status B bit 2 says binary rather than BCD, bit 1 24-hour
 * mode (else bit 7 of the hours is PM).
 */
#include <errno.h>

#include <core/arch.h>
#include <lib/civil_time.h>
#include <x86_64/cpu.h>

#define CMOS_INDEX  0x70
#define CMOS_DATA   0x71
#define CMOS_STATUS_A 0x0a
#define CMOS_STATUS_B 0x0b
#define STATUS_A_UIP  0x80
#define STATUS_B_BINARY 0x04
#define STATUS_B_24H    0x02

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static unsigned int from_bcd(uint8_t v, bool binary)
{
	return binary ? v : (unsigned int)(v >> 4) * 10 + (v & 0xf);
}

struct cmos_time {
	uint8_t sec, min, hour, day, month, year, century;
};

static void read_fields(struct cmos_time *t)
{
	/* Outside an update, so that the fields belong to one second. */
	for (unsigned int i = 0; i < 1000000 && (cmos_read(CMOS_STATUS_A) & STATUS_A_UIP); i++)
		arch_cpu_relax();
	t->sec = cmos_read(0x00);
	t->min = cmos_read(0x02);
	t->hour = cmos_read(0x04);
	t->day = cmos_read(0x07);
	t->month = cmos_read(0x08);
	t->year = cmos_read(0x09);
	t->century = cmos_read(0x32);
}

int arch_read_wall_clock(uint64_t *seconds)
{
	struct cmos_time a, b;
	struct civil_time c;
	uint8_t status_b;
	bool binary, pm;

	/* Twice the same: no update came between the reads of one pass. */
	read_fields(&a);
	for (unsigned int tries = 0; tries < 10; tries++) {
		read_fields(&b);
		if (__builtin_memcmp(&a, &b, sizeof(a)) == 0)
			break;
		a = b;
	}
	status_b = cmos_read(CMOS_STATUS_B);
	binary = status_b & STATUS_B_BINARY;
	pm = !(status_b & STATUS_B_24H) && (a.hour & 0x80);
	c.second = from_bcd(a.sec, binary);
	c.minute = from_bcd(a.min, binary);
	c.hour = from_bcd(a.hour & 0x7f, binary);
	if (!(status_b & STATUS_B_24H))
		c.hour = c.hour % 12 + (pm ? 12 : 0);
	c.day = from_bcd(a.day, binary);
	c.month = from_bcd(a.month, binary);
	c.year = from_bcd(a.year, binary);
	/* No century register (it reads 0 or 0xff): the 2000s. */
	if (a.century && a.century != 0xff)
		c.year += from_bcd(a.century, binary) * 100;
	else
		c.year += 2000;
	return civil_to_unix(&c, seconds) ? 0 : -ENODEV;
}
