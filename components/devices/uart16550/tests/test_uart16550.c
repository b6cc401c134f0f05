/* SPDX-License-Identifier: MIT */
/*
 * 16550A model driven through the bus with the register sequences of
 * Linux's 8250 driver, SeaBIOS and EDK2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <bus/bus.h>
#include <host/support.h>
#include <uart16550/uart16550.h>

#define COM1 UART16550_COM1_PORT

struct capture {
	uint8_t bytes[256];
	size_t len;
};

struct irq_probe {
	bool level;
	unsigned edges;
};

struct fixture {
	struct bus *bus;
	struct uart16550 *uart;
	struct capture out;
	struct irq_probe irq;
};

static struct fixture fx;

static void capture_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct capture *c = ctx;

	assert_true(c->len + len <= sizeof(c->bytes));
	memcpy(c->bytes + c->len, buf, len);
	c->len += len;
}

static void irq_sink(void *sink, unsigned pin, bool level)
{
	struct irq_probe *p = sink;

	assert_int_equal(pin, 4);
	if (level && !p->level)
		p->edges++;
	p->level = level;
}

static void outb(uint16_t port, uint8_t value)
{
	struct bus_access a = { .space = BUS_SPACE_PIO, .dir = BUS_WRITE, .addr = port, .width = 1, .data = value };

	assert_int_equal(bus_dispatch(fx.bus, &a), BUS_OK);
}

static uint8_t inb(uint16_t port)
{
	struct bus_access a = { .space = BUS_SPACE_PIO, .dir = BUS_READ, .addr = port, .width = 1 };

	assert_int_equal(bus_dispatch(fx.bus, &a), BUS_OK);
	return (uint8_t)a.data;
}

static int setup_gated(bool out2_gates)
{
	struct chardev out = { .write = capture_write, .ctx = &fx.out };

	memset(&fx, 0, sizeof(fx));
	host_console_clear();
	fx.bus = bus_create("test");
	assert_non_null(fx.bus);
	fx.uart = uart16550_create(fx.bus, "com1", COM1, &out, out2_gates);
	assert_non_null(fx.uart);
	irq_line_connect(uart16550_irq(fx.uart), irq_sink, &fx.irq, 4);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return setup_gated(false);
}

static int setup_out2(void **state)
{
	(void)state;
	return setup_gated(true);
}

static int teardown(void **state)
{
	(void)state;
	uart16550_destroy(fx.uart);
	bus_destroy(fx.bus);
	return 0;
}

/* drivers/tty/serial/8250/8250_port.c autoconfig(), step by step. */
static void test_linux_autoconfig_identifies_16550a(void **state)
{
	uint8_t scratch, scratch2, scratch3, save_mcr, save_lcr, status1, status2, iersave;

	(void)state;
	/* Existence test through IER. */
	scratch = inb(COM1 + 1);
	outb(COM1 + 1, 0);
	scratch2 = inb(COM1 + 1) & 0x0F;
	outb(COM1 + 1, 0x0F);
	scratch3 = inb(COM1 + 1) & 0x0F;
	outb(COM1 + 1, scratch);
	assert_int_equal(scratch2, 0);
	assert_int_equal(scratch3, 0x0F);

	save_mcr = inb(COM1 + 4);
	save_lcr = inb(COM1 + 3);

	/* Loopback test: MCR = LOOP | OUT2 | RTS must show DCD | CTS. */
	outb(COM1 + 4, UART16550_MCR_LOOP | 0x0A);
	status1 = inb(COM1 + 6) & 0xF0;
	outb(COM1 + 4, save_mcr);
	assert_int_equal(status1, 0x90);

	/* EFR init through LCR 0xBF (on a 16550A this hits FCR). */
	outb(COM1 + 3, 0xBF);
	outb(COM1 + 2, 0);
	outb(COM1 + 3, 0);

	/* Older kernels: FCR 0xE7; newer: FCR 0x01.  Both must give 0xC0. */
	outb(COM1 + 2, 0xE7);
	assert_int_equal(inb(COM1 + 2) >> 6, 3);
	outb(COM1 + 2, 0x01);
	scratch = inb(COM1 + 2);
	assert_int_equal(scratch >> 6, 3); /* -> autoconfig_16550a() */

	/* autoconfig_16550a: no EFR with DLAB set (IIR shows instead). */
	outb(COM1 + 3, 0x80);
	assert_int_not_equal(inb(COM1 + 2), 0);
	/* ... nor with LCR 0xBF. */
	outb(COM1 + 3, 0xBF);
	assert_int_not_equal(inb(COM1 + 2), 0);

	/* National SuperIO test: EXCR1 (IIR here) must not follow MCR.LOOP. */
	outb(COM1 + 3, 0);
	status1 = inb(COM1 + 4);
	outb(COM1 + 3, 0xE0);
	status2 = inb(COM1 + 2);
	assert_int_equal((status2 ^ status1) & UART16550_MCR_LOOP, 0);
	outb(COM1 + 3, 0);
	outb(COM1 + 4, status1 ^ UART16550_MCR_LOOP);
	outb(COM1 + 3, 0xE0);
	status2 = inb(COM1 + 2);
	outb(COM1 + 3, 0);
	outb(COM1 + 4, status1);
	assert_int_equal((status2 ^ status1) & UART16550_MCR_LOOP, 0);

	/* TI16750 test: the 64-byte FIFO bit must not stick, with or without DLAB. */
	outb(COM1 + 3, 0);
	outb(COM1 + 2, 0x01 | 0x20);
	status1 = inb(COM1 + 2) & 0xE0;
	outb(COM1 + 2, 0x01);
	outb(COM1 + 3, 0x80);
	outb(COM1 + 2, 0x01 | 0x20);
	status2 = inb(COM1 + 2) & 0xE0;
	outb(COM1 + 2, 0x01);
	outb(COM1 + 3, 0);
	assert_int_equal(status1, 0xC0);
	assert_int_equal(status2, 0xC0);

	/* XScale UUE test: IER bit 6 must not stick. */
	iersave = inb(COM1 + 1);
	outb(COM1 + 1, iersave & ~0x40);
	assert_int_equal(inb(COM1 + 1) & 0x40, 0);
	outb(COM1 + 1, iersave | 0x40);
	assert_int_equal(inb(COM1 + 1) & 0x40, 0);
	outb(COM1 + 1, iersave);

	/* Restore and reset as the driver does. */
	outb(COM1 + 3, save_lcr);
	outb(COM1 + 4, save_mcr);
	outb(COM1 + 2, 0x01);
	outb(COM1 + 2, 0x07);
	outb(COM1 + 2, 0);
	(void)inb(COM1 + 0);
	outb(COM1 + 1, 0);
	assert_int_equal(inb(COM1 + 2), UART16550_IIR_NO_INT);
	assert_int_equal(fx.out.len, 0);
	assert_false(fx.irq.level);
}

/* serial8250_do_startup(): LSR sanity and the THRE re-assertion test. */
static void test_linux_startup_thre_reasserts(void **state)
{
	uint8_t iir1, iir, lsr;

	(void)state;
	outb(COM1 + 2, 0x07);
	outb(COM1 + 2, 0x01);
	(void)inb(COM1 + 5);
	(void)inb(COM1 + 0);
	(void)inb(COM1 + 2);
	(void)inb(COM1 + 6);
	assert_int_not_equal(inb(COM1 + 5), 0xFF);
	outb(COM1 + 3, 0x03);

	lsr = inb(COM1 + 5);
	assert_int_equal(lsr & 0x60, 0x60);
	outb(COM1 + 1, UART16550_IER_ETBEI);
	iir1 = inb(COM1 + 2);
	outb(COM1 + 1, 0);
	outb(COM1 + 1, UART16550_IER_ETBEI);
	iir = inb(COM1 + 2);
	outb(COM1 + 1, 0);
	assert_int_equal(iir1, 0xC2);
	assert_int_equal(iir, 0xC2);
	assert_int_equal(fx.irq.edges, 2);
	assert_false(fx.irq.level);
}

/* SeaBIOS detect_serial(): IER 0x02 must read back and IIR show THRE. */
static void test_seabios_detect_and_output(void **state)
{
	const char *msg = "SeaBIOS\r\n";

	(void)state;
	outb(COM1 + 1, 0x02);
	assert_int_equal(inb(COM1 + 1), 0x02);
	assert_int_equal(inb(COM1 + 2) & 0x3F, 0x02);
	outb(COM1 + 1, 0x00);

	/* Serial console setup: 115200 8N1. */
	outb(COM1 + 3, 0x83);
	outb(COM1 + 0, 0x01);
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);
	outb(COM1 + 2, 0x01);
	assert_int_equal(uart16550_divisor(fx.uart), 1);

	for (const char *p = msg; *p; p++) {
		assert_true(inb(COM1 + 5) & UART16550_LSR_THRE);
		outb(COM1, (uint8_t)*p);
	}
	assert_int_equal(fx.out.len, strlen(msg));
	assert_memory_equal(fx.out.bytes, msg, strlen(msg));
	assert_int_equal(fx.irq.edges, 1); /* only the detect's THRE */
}

/* BaseSerialPortLib16550 SerialPortInitialize() + SerialPortWrite(). */
static void test_edk2_init_and_output(void **state)
{
	uint32_t divisor;
	const char *msg = "UEFI firmware\n";
	size_t i = 0, len = strlen(msg);

	(void)state;
	/* "Already initialized?" check reads LCR and the divisor. */
	assert_int_not_equal(inb(COM1 + 3) & 0x3F, 0x03);
	outb(COM1 + 3, inb(COM1 + 3) | 0x80);
	divisor = (uint32_t)inb(COM1 + 1) << 8;
	divisor |= inb(COM1 + 0);
	outb(COM1 + 3, inb(COM1 + 3) & 0x7F);
	assert_int_equal(divisor, 0);

	while ((inb(COM1 + 5) & 0x60) != 0x60)
		;
	outb(COM1 + 3, 0x80);
	outb(COM1 + 1, 0);
	outb(COM1 + 0, 1);
	outb(COM1 + 3, 0x03);
	outb(COM1 + 2, 0x00);
	outb(COM1 + 2, 0x07 & 0x21);
	outb(COM1 + 1, 0x00);
	outb(COM1 + 4, 0x00);

	/* Second initialization sees the port configured. */
	assert_int_equal(inb(COM1 + 3) & 0x3F, 0x03);
	outb(COM1 + 3, inb(COM1 + 3) | 0x80);
	divisor = (uint32_t)inb(COM1 + 1) << 8 | inb(COM1 + 0);
	outb(COM1 + 3, inb(COM1 + 3) & 0x7F);
	assert_int_equal(divisor, 1);
	assert_int_equal(inb(COM1 + 2), 0xC1);

	/* Write in FIFO-sized chunks after waiting for TEMT. */
	while (i < len) {
		while (!(inb(COM1 + 5) & UART16550_LSR_TEMT))
			;
		for (unsigned n = 0; n < UART16550_FIFO_SIZE && i < len; n++)
			outb(COM1, (uint8_t)msg[i++]);
	}
	assert_int_equal(fx.out.len, len);
	assert_memory_equal(fx.out.bytes, msg, len);
	assert_false(fx.irq.level);
}

static void test_receive_fifo_trigger_and_timeout(void **state)
{
	uint8_t in[20];

	(void)state;
	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)('a' + i);
	/* FIFO on, trigger level 4. */
	outb(COM1 + 2, 0x41);
	outb(COM1 + 1, UART16550_IER_ERBFI);
	assert_false(fx.irq.level);

	assert_int_equal(uart16550_receive(fx.uart, in, 2), 2);
	assert_true(fx.irq.level);
	assert_int_equal(inb(COM1 + 2), 0xCC); /* timeout: below trigger */
	assert_int_equal(uart16550_receive(fx.uart, in + 2, 18), 14); /* FIFO holds 16 */
	assert_int_equal(inb(COM1 + 2), 0xC4);
	assert_int_equal(inb(COM1 + 5) & UART16550_LSR_DR, UART16550_LSR_DR);

	for (unsigned i = 0; i < 12; i++)
		assert_int_equal(inb(COM1), in[i]);
	assert_int_equal(inb(COM1 + 2), 0xC4); /* 4 left = trigger */
	assert_int_equal(inb(COM1), in[12]);
	assert_int_equal(inb(COM1 + 2), 0xCC);
	for (unsigned i = 13; i < 16; i++)
		assert_int_equal(inb(COM1), in[i]);
	assert_int_equal(inb(COM1 + 2), 0xC1);
	assert_false(fx.irq.level);
	assert_int_equal(inb(COM1 + 5) & UART16550_LSR_DR, 0);
	assert_int_equal(inb(COM1), 0); /* empty FIFO reads 0 */

	/* Trigger levels 8 and 14. */
	outb(COM1 + 2, 0x81);
	assert_int_equal(uart16550_receive(fx.uart, in, 7), 7);
	assert_int_equal(inb(COM1 + 2), 0xCC);
	assert_int_equal(uart16550_receive(fx.uart, in, 1), 1);
	assert_int_equal(inb(COM1 + 2), 0xC4);
	outb(COM1 + 2, 0xC3); /* 14, clear RX */
	assert_int_equal(inb(COM1 + 5) & UART16550_LSR_DR, 0);
	assert_int_equal(uart16550_receive(fx.uart, in, 13), 13);
	assert_int_equal(inb(COM1 + 2), 0xCC);
	assert_int_equal(uart16550_receive(fx.uart, in, 1), 1);
	assert_int_equal(inb(COM1 + 2), 0xC4);

	/* Turning FIFOs off empties them; then one byte at a time. */
	outb(COM1 + 2, 0x00);
	assert_int_equal(inb(COM1 + 2), 0x01);
	assert_int_equal(inb(COM1 + 5) & UART16550_LSR_DR, 0);
	assert_int_equal(uart16550_receive(fx.uart, in, 3), 1);
	assert_int_equal(inb(COM1 + 2), 0x04);
	assert_int_equal(uart16550_receive(fx.uart, in, 3), 0);
	assert_int_equal(inb(COM1), 'a');
	assert_int_equal(inb(COM1 + 2), 0x01);
	assert_int_equal(uart16550_receive(fx.uart, in, 0), 0);
}

static void test_interrupt_priorities(void **state)
{
	uint8_t in[16] = { 0 };

	(void)state;
	outb(COM1 + 2, 0x01); /* FIFO, trigger 1 */
	outb(COM1 + 4, UART16550_MCR_LOOP);
	/* Loopback disconnects the terminal's CTS, DSR and DCD. */
	assert_int_equal(inb(COM1 + 6), UART16550_MSR_DCTS | UART16550_MSR_DDSR | UART16550_MSR_DDCD);
	outb(COM1 + 1, 0x0F);
	/* Enabling ETBEI: THRE interrupt. */
	assert_int_equal(inb(COM1 + 2), 0xC2);
	assert_int_equal(inb(COM1 + 2), 0xC1); /* reading IIR cleared THRE */

	/* Modem status: loopback RTS -> CTS makes DCTS. */
	outb(COM1 + 4, UART16550_MCR_LOOP | UART16550_MCR_RTS);
	assert_int_equal(inb(COM1 + 2), 0xC0);

	/* Fill the FIFO via loopback then overrun it: line status wins. */
	for (unsigned i = 0; i < 17; i++)
		outb(COM1, (uint8_t)i);
	assert_int_equal(inb(COM1 + 2), 0xC6);
	assert_int_equal(inb(COM1 + 5), UART16550_LSR_DR | UART16550_LSR_OE | 0x60);
	/* LSR read cleared OE: RX data next, then THRE, then modem status. */
	assert_int_equal(inb(COM1 + 2), 0xC4);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(inb(COM1), i); /* byte 16 was lost */
	assert_int_equal(inb(COM1 + 2), 0xC2);
	assert_int_equal(inb(COM1 + 2), 0xC0);
	assert_int_equal(inb(COM1 + 6), UART16550_MSR_CTS | UART16550_MSR_DCTS);
	assert_int_equal(inb(COM1 + 6), UART16550_MSR_CTS);
	assert_int_equal(inb(COM1 + 2), 0xC1);
	assert_false(fx.irq.level);
	assert_int_equal(fx.out.len, 0); /* loopback sends nothing out */

	/* Non-FIFO overrun replaces the unread byte. */
	outb(COM1 + 2, 0x00);
	outb(COM1, 0x11);
	outb(COM1, 0x22);
	assert_int_equal(inb(COM1 + 2), 0x06);
	assert_int_equal(inb(COM1 + 5) & UART16550_LSR_OE, UART16550_LSR_OE);
	assert_int_equal(inb(COM1), 0x22);
	/* Input from the line is refused in loopback. */
	assert_int_equal(uart16550_receive(fx.uart, in, 1), 0);
}

static void test_thre_cleared_by_iir_and_rearmed_by_thr(void **state)
{
	(void)state;
	outb(COM1 + 1, UART16550_IER_ETBEI);
	assert_true(fx.irq.level);
	assert_int_equal(inb(COM1 + 2), 0x02);
	assert_false(fx.irq.level);
	/* A THR write is sent at once; THR is empty again and re-raises. */
	outb(COM1, 'x');
	assert_true(fx.irq.level);
	assert_int_equal(fx.irq.edges, 2);
	outb(COM1 + 1, 0);
	assert_false(fx.irq.level);
	assert_int_equal(fx.out.len, 1);
	assert_int_equal(fx.out.bytes[0], 'x');
}

static void test_modem_status_loopback_deltas(void **state)
{
	(void)state;
	/* Outside loopback a terminal is attached: CTS, DSR, DCD. */
	assert_int_equal(inb(COM1 + 6), 0xB0);
	outb(COM1 + 1, UART16550_IER_EDSSI);
	outb(COM1 + 4, UART16550_MCR_LOOP | 0x0F);
	/* All four inputs now follow MCR; RI rose, which is no delta. */
	assert_int_equal(inb(COM1 + 2), UART16550_IIR_NO_INT);
	assert_int_equal(inb(COM1 + 6), 0xF0);
	/* RI falling edge sets TERI; rising edge does not. */
	outb(COM1 + 4, UART16550_MCR_LOOP | 0x0B);
	assert_int_equal(inb(COM1 + 2), 0x00);
	assert_int_equal(inb(COM1 + 6), 0xB0 | UART16550_MSR_TERI);
	outb(COM1 + 4, UART16550_MCR_LOOP | 0x0F);
	assert_int_equal(inb(COM1 + 6), 0xF0);
	/* DTR off -> DSR off; OUT2 off -> DCD off. */
	outb(COM1 + 4, UART16550_MCR_LOOP | 0x06);
	assert_int_equal(inb(COM1 + 6), 0x50 | UART16550_MSR_DDSR | UART16550_MSR_DDCD);
	assert_int_equal(inb(COM1 + 4), UART16550_MCR_LOOP | 0x06);
	outb(COM1 + 4, 0xFF);
	assert_int_equal(inb(COM1 + 4), 0x1F); /* bits 7:5 read as 0 */

	/* External lines change: deltas and interrupt. */
	outb(COM1 + 4, 0);
	(void)inb(COM1 + 6);
	uart16550_set_modem_inputs(fx.uart, UART16550_MSR_CTS);
	assert_true(fx.irq.level);
	assert_int_equal(inb(COM1 + 6), UART16550_MSR_CTS | UART16550_MSR_DDSR | UART16550_MSR_DDCD);
	assert_false(fx.irq.level);
}

static void test_scratch_and_dlab_registers(void **state)
{
	(void)state;
	outb(COM1 + 7, 0xA5);
	assert_int_equal(inb(COM1 + 7), 0xA5);
	outb(COM1 + 7, 0x5A);
	assert_int_equal(inb(COM1 + 7), 0x5A);

	outb(COM1 + 1, 0x05);
	outb(COM1 + 3, 0x83);
	outb(COM1 + 0, 0x0C);
	outb(COM1 + 1, 0x00);
	assert_int_equal(inb(COM1 + 0), 0x0C);
	assert_int_equal(inb(COM1 + 1), 0x00);
	assert_int_equal(inb(COM1 + 3), 0x83);
	outb(COM1 + 3, 0x03);
	assert_int_equal(inb(COM1 + 1), 0x05); /* IER intact */
	assert_int_equal(uart16550_divisor(fx.uart), 12);
	assert_int_equal(fx.out.len, 0);
}

static void test_bus_widths_and_bad_writes(void **state)
{
	struct bus_access a = { .space = BUS_SPACE_PIO, .dir = BUS_WRITE, .addr = COM1 + 7, .width = 1, .data = 0 };
	struct uart16550 *dup;

	(void)state;
	/* A 16-bit access is split into bytes: SCR, then beyond the UART. */
	a.dir = BUS_WRITE;
	a.addr = COM1 + 6;
	a.width = 2;
	a.data = 0x3344;
	bus_dispatch(fx.bus, &a);
	assert_int_equal(inb(COM1 + 7), 0x33);
	assert_non_null(strstr(host_console_text(), "write to read-only MSR ignored (0x44)"));
	host_console_clear();

	for (unsigned i = 0; i < 20; i++)
		outb(COM1 + 5, 0xFF);
	outb(COM1 + 6, 0xFF);
	assert_non_null(strstr(host_console_text(), "write to read-only LSR ignored"));
	assert_non_null(strstr(host_console_text(), "further warnings suppressed"));
	assert_null(strstr(host_console_text(), "read-only MSR"));
	assert_int_equal(inb(COM1 + 5), 0x60);

	dup = uart16550_create(fx.bus, "dup", COM1 + 4, NULL, false);
	assert_null(dup);
}

static void test_out2_gates_irq(void **state)
{
	(void)state;
	outb(COM1 + 1, UART16550_IER_ETBEI);
	assert_false(fx.irq.level);
	outb(COM1 + 4, UART16550_MCR_OUT2);
	assert_true(fx.irq.level);
	outb(COM1 + 4, UART16550_MCR_OUT2 | UART16550_MCR_LOOP);
	assert_false(fx.irq.level);
	outb(COM1 + 4, UART16550_MCR_OUT2);
	assert_true(fx.irq.level);
	assert_int_equal(inb(COM1 + 2), 0x02);
	assert_false(fx.irq.level);
}

static void test_reset_and_null_output(void **state)
{
	struct uart16550 *u2;
	uint8_t b = 'z';

	(void)state;
	outb(COM1 + 2, 0x01);
	outb(COM1 + 1, 0x01);
	assert_int_equal(uart16550_receive(fx.uart, &b, 1), 1);
	assert_true(fx.irq.level);
	uart16550_reset(fx.uart);
	assert_false(fx.irq.level);
	assert_int_equal(inb(COM1 + 2), 0x01);
	assert_int_equal(inb(COM1 + 5), 0x60);
	assert_int_equal(uart16550_divisor(fx.uart), 0);

	/* A UART without an output discards what it sends. */
	u2 = uart16550_create(fx.bus, NULL, UART16550_COM2_PORT, NULL, false);
	assert_non_null(u2);
	outb(UART16550_COM2_PORT, 'q');
	assert_int_equal(inb(UART16550_COM2_PORT + 5), 0x60);
	uart16550_destroy(u2);
	uart16550_destroy(NULL);
	{
		struct bus_access a = { .space = BUS_SPACE_PIO, .dir = BUS_READ, .addr = UART16550_COM2_PORT + 5, .width = 1 };
		assert_int_equal(bus_dispatch(fx.bus, &a), BUS_UNASSIGNED);
	}
	assert_int_equal(fx.out.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_linux_autoconfig_identifies_16550a, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linux_startup_thre_reasserts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seabios_detect_and_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edk2_init_and_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receive_fifo_trigger_and_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_priorities, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thre_cleared_by_iir_and_rearmed_by_thr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modem_status_loopback_deltas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scratch_and_dlab_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bus_widths_and_bad_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out2_gates_irq, setup_out2, teardown),
		cmocka_unit_test_setup_teardown(test_reset_and_null_output, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
