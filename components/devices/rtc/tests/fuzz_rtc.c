/* SPDX-License-Identifier: MIT */
/*
 * Arbitrary port traffic and passing time against the MC146818 model.
 * Each step: opcode byte (low 3 bits), then operands:
 *   0: write index port (1 byte)        1: write data port (1 byte)
 *   2: read data port                   3: advance time (3 bytes, in us)
 *   4: access of any width at 0x70/0x71 (1 byte selector, 2 bytes value)
 *   5: reset pin                        6: fill CMOS from a configuration (8 bytes)
 *   7: read C as an interrupt handler would, checking the line
 * After every step register D must read VRT, and a high line must be
 * backed by IRQF in C.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bus/bus.h>
#include <bus/irq.h>
#include <bus/vclock.h>
#include <rtc/rtc.h>

static uint64_t fuzz_now(void *ctx)
{
	return *(uint64_t *)ctx;
}

static uint8_t port_io(struct bus *bus, enum bus_dir dir, uint16_t port, uint8_t value)
{
	struct bus_access a = { BUS_SPACE_PIO, dir, port, 1, value };

	if (bus_dispatch(bus, &a) != BUS_OK)
		abort();
	return (uint8_t)a.data;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned widths[4] = { 1, 2, 4, 8 };
	uint64_t now = 0;
	struct vclock clock;
	struct bus *bus = bus_create("fuzz");
	struct rtc *rtc;
	uint8_t index = 0;
	size_t i = 0;

	if (!bus)
		return 0;
	vclock_init(&clock, fuzz_now, &now);
	rtc = rtc_create(bus, &clock, 1709214356);
	if (!rtc) {
		bus_destroy(bus);
		return 0;
	}
	while (i < size) {
		uint8_t op = data[i++] & 7;
		struct bus_access a = { .space = BUS_SPACE_PIO };
		struct rtc_cmos_config cfg;

		switch (op) {
		case 0:
		case 1:
			if (i >= size)
				goto out;
			if (op == 0)
				index = data[i];
			port_io(bus, BUS_WRITE, RTC_PORT_INDEX + op, data[i++]);
			break;
		case 2:
			port_io(bus, BUS_READ, RTC_PORT_DATA, 0);
			break;
		case 3:
			if (i + 3 > size)
				goto out;
			now += (uint64_t)(data[i] | data[i + 1] << 8 | data[i + 2] << 16) * 1000;
			i += 3;
			vclock_run_expired(&clock);
			break;
		case 4:
			if (i + 3 > size)
				goto out;
			a.dir = data[i] & 1 ? BUS_WRITE : BUS_READ;
			a.addr = RTC_PORT_INDEX + ((data[i] >> 1) & 1);
			a.width = widths[(data[i] >> 2) & 3];
			a.data = (uint64_t)data[i + 1] | (uint64_t)data[i + 2] << 8;
			i += 3;
			bus_dispatch(bus, &a);
			if (a.dir == BUS_WRITE && a.addr == RTC_PORT_INDEX && a.width > 1)
				index = (uint8_t)a.data;
			break;
		case 5:
			rtc_reset(rtc);
			break;
		case 6:
			if (i + 8 > size)
				goto out;
			cfg.ram_below_4g = (uint64_t)(data[i] | data[i + 1] << 8) << 20;
			cfg.ram_above_4g = (uint64_t)(data[i + 2] | data[i + 3] << 8) << 24;
			cfg.cpu_count = data[i + 4];
			cfg.boot_order[0] = (enum rtc_boot_device)(data[i + 5] & 0xF);
			cfg.boot_order[1] = (enum rtc_boot_device)(data[i + 6] & 0xF);
			cfg.boot_order[2] = (enum rtc_boot_device)(data[i + 7] & 0xF);
			cfg.floppy_signature_check = data[i + 7] & 0x80;
			i += 8;
			rtc_cmos_fill(rtc, &cfg);
			break;
		default: {
			bool was_high = rtc_irq_line(rtc)->level;
			uint8_t c;

			port_io(bus, BUS_WRITE, RTC_PORT_INDEX, RTC_REG_C);
			c = port_io(bus, BUS_READ, RTC_PORT_DATA, 0);
			if (was_high && !(c & RTC_C_IRQF))
				abort();
			if (rtc_irq_line(rtc)->level)
				abort();
			port_io(bus, BUS_WRITE, RTC_PORT_INDEX, index);
			break;
		}
		}
		/* D always reads VRT; then the guest's index is put back. */
		port_io(bus, BUS_WRITE, RTC_PORT_INDEX, RTC_REG_D);
		if (port_io(bus, BUS_READ, RTC_PORT_DATA, 0) != RTC_D_VRT)
			abort();
		port_io(bus, BUS_WRITE, RTC_PORT_INDEX, index);
		if (rtc_nmi_masked(rtc) != !!(index & RTC_INDEX_NMI_MASK))
			abort();
		(void)rtc_unix_time(rtc);
	}
out:
	rtc_destroy(rtc);
	bus_destroy(bus);
	return 0;
}
