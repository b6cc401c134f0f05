/* SPDX-License-Identifier: MIT */
/*
 * PL011 model driven through the bus with the accesses of EDK2's
 * PL011UartLib, Linux's AMBA bus probe and its amba-pl011 driver.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <bus/bus.h>
#include <host/support.h>
#include <pl011/pl011.h>

#define BASE PL011_VIRT_BASE

struct capture {
	uint8_t bytes[256];
	size_t len;
};

static struct {
	struct bus *bus;
	struct pl011 *uart;
	struct capture out;
	bool irq_level;
	unsigned irq_edges;
} fx;

static void capture_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct capture *c = ctx;

	assert_true(c->len + len <= sizeof(c->bytes));
	memcpy(c->bytes + c->len, buf, len);
	c->len += len;
}

static void irq_sink(void *sink, unsigned pin, bool level)
{
	(void)sink;
	assert_int_equal(pin, 33);
	if (level && !fx.irq_level)
		fx.irq_edges++;
	fx.irq_level = level;
}

static uint64_t mmio_read(uint64_t off, unsigned width)
{
	struct bus_access a = { .space = BUS_SPACE_MMIO, .dir = BUS_READ, .addr = BASE + off, .width = width };

	assert_int_equal(bus_dispatch(fx.bus, &a), BUS_OK);
	return a.data;
}

static void mmio_write(uint64_t off, unsigned width, uint64_t value)
{
	struct bus_access a = { .space = BUS_SPACE_MMIO, .dir = BUS_WRITE, .addr = BASE + off, .width = width, .data = value };

	assert_int_equal(bus_dispatch(fx.bus, &a), BUS_OK);
}

static uint32_t readl(uint64_t off) { return (uint32_t)mmio_read(off, 4); }
static uint8_t readb(uint64_t off) { return (uint8_t)mmio_read(off, 1); }
static void writel(uint64_t off, uint32_t v) { mmio_write(off, 4, v); }
static void writeb(uint64_t off, uint8_t v) { mmio_write(off, 1, v); }

static int setup(void **state)
{
	struct chardev out = { .write = capture_write, .ctx = &fx.out };

	(void)state;
	memset(&fx, 0, sizeof(fx));
	host_console_clear();
	fx.bus = bus_create("test");
	assert_non_null(fx.bus);
	fx.uart = pl011_create(fx.bus, "uart0", BASE, &out);
	assert_non_null(fx.uart);
	irq_line_connect(pl011_irq(fx.uart), irq_sink, NULL, 33);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pl011_destroy(fx.uart);
	bus_destroy(fx.bus);
	return 0;
}

/* PL011UartInitializePort() for 115200 8N1 with a 24 MHz UARTCLK. */
static bool edk2_initialize_port(void)
{
	uint32_t line_control = PL011_LCR_H_WLEN_8;
	uint32_t divisor = (24000000u * 4) / 115200;
	uint32_t integer = divisor >> 6, fractional = divisor & 0x3F;
	unsigned fifo_depth;

	/* FIFO depth from the revision in PeriphID2: above r1p4 (2) it is 32. */
	line_control |= PL011_LCR_H_FEN;
	fifo_depth = (readl(0xFE8) >> 4) > 2 ? 32 : 16;
	assert_int_equal(fifo_depth, 32);

	if ((readl(PL011_CR) & PL011_CR_UARTEN) && readl(PL011_LCR_H) == line_control &&
	    readl(PL011_IBRD) == integer && readl(PL011_FBRD) == fractional)
		return false; /* already configured */
	while (!(readl(PL011_FR) & PL011_FR_TXFE))
		;
	writel(PL011_CR, 0);
	writel(PL011_IBRD, integer);
	writel(PL011_FBRD, fractional);
	writel(PL011_LCR_H, line_control);
	writel(PL011_RSR, 0);
	writel(PL011_CR, PL011_CR_RXE | PL011_CR_TXE | PL011_CR_UARTEN);
	return true;
}

static void edk2_write(const char *s)
{
	for (; *s; s++) {
		while (readl(PL011_FR) & PL011_FR_TXFF)
			;
		writeb(PL011_DR, (uint8_t)*s);
	}
}

static void test_edk2_init_output_and_polled_input(void **state)
{
	uint8_t in[3] = { 'a', 'b', 'c' };
	char got[4] = { 0 };
	unsigned n = 0;

	(void)state;
	assert_int_equal(readl(PL011_CR), PL011_CR_TXE | PL011_CR_RXE);
	assert_int_equal(readl(PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE);
	assert_int_equal(pl011_receive(fx.uart, in, 3), 0); /* not enabled yet */

	assert_true(edk2_initialize_port());
	assert_int_equal(readl(PL011_IBRD), 13);
	assert_int_equal(readl(PL011_FBRD), 1);
	assert_int_equal(readl(PL011_LCR_H), 0x70);
	assert_false(edk2_initialize_port()); /* second call keeps the set-up */

	edk2_write("UEFI\r\n");
	assert_int_equal(fx.out.len, 6);
	assert_memory_equal(fx.out.bytes, "UEFI\r\n", 6);

	assert_int_equal(pl011_receive(fx.uart, in, 3), 3);
	while (!(readl(PL011_FR) & PL011_FR_RXFE))
		got[n++] = (char)readb(PL011_DR);
	assert_string_equal(got, "abc");
	assert_false(fx.irq_level); /* polled: nothing unmasked */
	assert_null(strstr(host_console_text(), "disabled"));
}

/* drivers/amba/bus.c: low bytes of the last 8 words give the ids. */
static void test_linux_amba_probe_ids(void **state)
{
	uint32_t pid = 0, cid = 0;
	static const uint8_t expect[8] = { 0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };

	(void)state;
	for (unsigned i = 0; i < 4; i++)
		pid |= (readl(PL011_MMIO_SIZE - 0x20 + 4 * i) & 255) << (i * 8);
	for (unsigned i = 0; i < 4; i++)
		cid |= (readl(PL011_MMIO_SIZE - 0x10 + 4 * i) & 255) << (i * 8);
	assert_int_equal(cid, 0xB105F00D);
	assert_int_equal(pid, 0x00341011);
	assert_int_equal(pid & 0x000FFFFF, 0x00041011); /* amba-pl011 match */
	assert_int_equal((pid >> 20) & 0xF, 3);         /* rev >= 3: 32-deep FIFO */
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(readb(0xFE0 + 4 * i), expect[i]);
	/* Writes to the id registers are refused and reported. */
	writel(0xFE0, 0);
	assert_int_equal(readl(0xFE0), 0x11);
	assert_non_null(strstr(host_console_text(), "offset 0xfe0"));
}

/* amba-pl011 startup: IFLS 1/2, RX and RT unmasked; interrupt-driven RX. */
static void test_linux_rx_interrupts(void **state)
{
	uint8_t in[40];
	unsigned n;

	(void)state;
	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(0x30 + i);
	writel(PL011_CR, 0);
	writel(PL011_IBRD, 13);
	writel(PL011_FBRD, 1);
	writel(PL011_LCR_H, PL011_LCR_H_WLEN_8 | PL011_LCR_H_FEN);
	writel(PL011_IFLS, 0x12);
	writel(PL011_ICR, PL011_INT_ALL);
	writel(PL011_CR, PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE);
	writel(PL011_IMSC, PL011_INT_RX | PL011_INT_RT);
	assert_false(fx.irq_level);

	/* A short burst: receive timeout. */
	assert_int_equal(pl011_receive(fx.uart, in, 3), 3);
	assert_true(fx.irq_level);
	assert_int_equal(readl(PL011_MIS), PL011_INT_RT);
	n = 0;
	while (!(readl(PL011_FR) & PL011_FR_RXFE)) {
		assert_int_equal(readl(PL011_DR), in[n]);
		n++;
	}
	assert_int_equal(n, 3);
	assert_false(fx.irq_level);
	assert_int_equal(readl(PL011_RIS), 0);

	/* A long burst: the FIFO takes 32, RX fires at 16. */
	assert_int_equal(pl011_receive(fx.uart, in, 40), 32);
	assert_int_equal(readl(PL011_FR), PL011_FR_TXFE | PL011_FR_RXFF);
	assert_int_equal(readl(PL011_MIS), PL011_INT_RX);
	assert_int_equal(pl011_receive(fx.uart, in + 32, 8), 0);
	for (n = 0; n < 17; n++)
		assert_int_equal(readl(PL011_DR), in[n]);
	/* 15 left: RX dropped, timeout takes over. */
	assert_int_equal(readl(PL011_MIS), PL011_INT_RT);
	writel(PL011_ICR, PL011_INT_RT);
	assert_false(fx.irq_level);
	while (!(readl(PL011_FR) & PL011_FR_RXFE))
		n++, (void)readl(PL011_DR);
	assert_int_equal(n, 32);
	assert_int_equal(readl(PL011_RIS), 0);
	assert_int_equal(readl(PL011_DR), 0); /* empty FIFO */

	/* Other trigger levels: 1/8 = 4 entries, 7/8 = 28. */
	writel(PL011_IFLS, 0 << 3);
	assert_int_equal(pl011_receive(fx.uart, in, 4), 4);
	assert_int_equal(readl(PL011_MIS), PL011_INT_RX);
	writel(PL011_ICR, PL011_INT_RX);
	assert_int_equal(readl(PL011_RIS), 0);
	while (!(readl(PL011_FR) & PL011_FR_RXFE))
		(void)readl(PL011_DR);
	writel(PL011_IFLS, 4 << 3);
	assert_int_equal(pl011_receive(fx.uart, in, 27), 27);
	assert_int_equal(readl(PL011_MIS), PL011_INT_RT);
	assert_int_equal(pl011_receive(fx.uart, in, 1), 1);
	assert_int_equal(readl(PL011_MIS), PL011_INT_RX | PL011_INT_RT);
	assert_int_equal(readl(PL011_IFLS), 0x20);
}

static void test_tx_interrupt_and_character_mode(void **state)
{
	uint8_t in[2] = { 'x', 'y' };

	(void)state;
	writel(PL011_CR, PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE);
	writel(PL011_IMSC, PL011_INT_TX | PL011_INT_RX);
	assert_false(fx.irq_level);
	writel(PL011_DR, 'A');
	assert_true(fx.irq_level);
	assert_int_equal(readl(PL011_MIS), PL011_INT_TX);
	writel(PL011_ICR, PL011_INT_TX);
	assert_false(fx.irq_level);
	assert_int_equal(fx.out.len, 1);

	/* FEN clear: a one-entry holding register, RX on every character. */
	assert_int_equal(pl011_receive(fx.uart, in, 2), 1);
	assert_int_equal(readl(PL011_FR), PL011_FR_TXFE | PL011_FR_RXFF);
	assert_int_equal(readl(PL011_MIS), PL011_INT_RX);
	assert_int_equal(readl(PL011_DR), 'x');
	assert_false(fx.irq_level);
	assert_int_equal(readl(PL011_RIS), 0);

	/* Switching to FIFO mode flushes what is held. */
	assert_int_equal(pl011_receive(fx.uart, in + 1, 1), 1);
	writel(PL011_LCR_H, PL011_LCR_H_FEN);
	assert_int_equal(readl(PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE);
	assert_int_equal(readl(PL011_RIS), 0);
}

static void test_loopback_overrun(void **state)
{
	(void)state;
	writel(PL011_LCR_H, PL011_LCR_H_FEN | PL011_LCR_H_WLEN_8);
	writel(PL011_CR, PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE | PL011_CR_LBE);
	writel(PL011_IMSC, PL011_INT_OE);
	for (unsigned i = 0; i < 32; i++)
		writel(PL011_DR, i);
	assert_false(fx.irq_level);
	assert_int_equal(readl(PL011_FR) & PL011_FR_RXFF, PL011_FR_RXFF);
	writel(PL011_DR, 0xEE); /* lost */
	assert_true(fx.irq_level);
	assert_int_equal(readl(PL011_RSR), PL011_RSR_OE);
	assert_int_equal(readl(PL011_DR), 0);
	writel(PL011_DR, 0x55); /* stored, carries the overrun mark */
	for (unsigned i = 1; i < 32; i++)
		assert_int_equal(readl(PL011_DR), i);
	assert_int_equal(readl(PL011_DR), PL011_DR_OE | 0x55);
	writel(PL011_RSR, 0x1234);
	assert_int_equal(readl(PL011_RSR), 0);
	writel(PL011_ICR, PL011_INT_OE);
	assert_false(fx.irq_level);
	assert_int_equal(fx.out.len, 0);
	assert_int_equal(pl011_receive(fx.uart, (const uint8_t *)"z", 1), 0);
}

static void test_access_rules(void **state)
{
	struct bus_access a = { .space = BUS_SPACE_MMIO, .dir = BUS_READ, .addr = BASE, .width = 8 };

	(void)state;
	writel(PL011_CR, 0xFFFF);
	assert_int_equal(readl(PL011_CR), 0xFF87);
	assert_int_equal(mmio_read(PL011_CR, 2), 0xFF87);
	assert_int_equal(mmio_read(PL011_CR + 1, 1), 0xFF);
	assert_int_equal(mmio_read(PL011_CR + 2, 2), 0);
	/* A byte write zero-extends over the whole register. */
	writeb(PL011_CR, 0x01);
	assert_int_equal(readl(PL011_CR), 0x0001);
	mmio_write(PL011_IBRD, 2, 0x1234);
	assert_int_equal(readl(PL011_IBRD), 0x1234);
	/* Upper-lane writes and 64-bit accesses are refused. */
	writeb(PL011_IBRD + 1, 0x56);
	assert_int_equal(readl(PL011_IBRD), 0x1234);
	assert_non_null(strstr(host_console_text(), "write not at a register's address refused at offset 0x25"));
	assert_int_equal(bus_dispatch(fx.bus, &a), BUS_OK);
	assert_int_equal(a.data, ~0ULL);
	a.dir = BUS_WRITE;
	assert_int_equal(bus_dispatch(fx.bus, &a), BUS_OK);
	assert_non_null(strstr(host_console_text(), "64-bit read refused"));
	/* Unaligned accesses never reach the device. */
	a.dir = BUS_READ;
	a.width = 4;
	a.addr = BASE + 2;
	assert_int_equal(bus_dispatch(fx.bus, &a), BUS_REJECTED);
	/* Read-only and undefined registers. */
	writel(PL011_FR, 0);
	writel(PL011_MIS, 0);
	writel(0x100, 0);
	assert_int_equal(readl(0x100), 0);
	for (unsigned i = 0; i < 10; i++)
		writel(PL011_RIS, 0xFF);
	assert_non_null(strstr(host_console_text(), "further warnings suppressed"));
	assert_int_equal(readl(PL011_RIS), 0);
	/* Remaining plain registers keep their widths. */
	writel(PL011_ILPR, 0x1FF);
	writel(PL011_FBRD, 0xFF);
	writel(PL011_DMACR, 0xFF);
	writel(PL011_IFLS, 0xFF);
	writel(PL011_IMSC, 0xFFFFFFFF);
	assert_int_equal(readl(PL011_ILPR), 0xFF);
	assert_int_equal(readl(PL011_FBRD), 0x3F);
	assert_int_equal(readl(PL011_DMACR), 0x7);
	assert_int_equal(readl(PL011_IFLS), 0x3F);
	assert_int_equal(readl(PL011_IMSC), PL011_INT_ALL);
}

static void test_disabled_transmitter_and_reset(void **state)
{
	struct pl011 *dup, *quiet;

	(void)state;
	/* Reset CR has TXE but not UARTEN: sent anyway, as QEMU does; only a
	 * debug line says so (firmware does this), no warning. */
	writel(PL011_DR, 'e');
	writel(PL011_DR, 'f');
	assert_int_equal(fx.out.len, 2);
	assert_null(strstr(host_console_text(), "warning"));
	host_console_clear();
	writel(PL011_DR, 'g');
	assert_null(strstr(host_console_text(), "disabled"));

	writel(PL011_IMSC, PL011_INT_TX);
	assert_true(fx.irq_level);
	pl011_reset(fx.uart);
	assert_false(fx.irq_level);
	assert_int_equal(readl(PL011_IFLS), 0x12);
	assert_int_equal(readl(PL011_CR), 0x300);

	dup = pl011_create(fx.bus, "dup", BASE + 0x800, NULL);
	assert_null(dup);
	quiet = pl011_create(fx.bus, NULL, BASE + 0x1000, NULL);
	assert_non_null(quiet);
	mmio_write(0x1000 + PL011_DR, 4, 'h');
	pl011_destroy(quiet);
	pl011_destroy(NULL);
	assert_int_equal(fx.out.len, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_edk2_init_output_and_polled_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linux_amba_probe_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linux_rx_interrupts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_interrupt_and_character_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loopback_overrun, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_transmitter_and_reset, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
