/* SPDX-License-Identifier: MIT */
/* The hypervisor's console: a 16550 UART on an I/O port (COM1 by default). */
#include <stddef.h>
#include <stdint.h>
#include <core/console.h>
#include <x86_64/cpu.h>
#include <x86_64/x86.h>

#define UART_BASE CONFIG_X86_UART_BASE
#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7

#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define LSR_TX_IDLE 0x40
#define LCR_DLAB 0x80
#define LCR_8N1 0x03

/* Bounded so that a missing UART does not hang the machine. */
#define UART_TX_SPINS 100000

static void uart_putc(char c)
{
	for (unsigned int i = 0; i < UART_TX_SPINS; i++)
		if (inb(UART_BASE + UART_LSR) & LSR_THR_EMPTY)
			break;
	outb(UART_BASE + UART_DATA, (uint8_t)c);
}

void uart_write_raw(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		uart_putc(buf[i]);
}

/*
 * Waits until the last character has left the shift register: an
 * emulator that ends the machine right after would drop it otherwise.
 */
void uart_flush(void)
{
	for (unsigned int i = 0; i < UART_TX_SPINS; i++)
		if (inb(UART_BASE + UART_LSR) & LSR_TX_IDLE)
			return;
}

static int uart_getc(void)
{
	if (!(inb(UART_BASE + UART_LSR) & LSR_DATA_READY))
		return -1;
	return inb(UART_BASE + UART_DATA);
}

static struct console_driver uart_console = {
	.name = "16550",
	.write = uart_write_raw,
	.getc = uart_getc,
};

void uart_init(void)
{
	outb(UART_BASE + UART_IER, 0);          /* polled, no interrupts */
	outb(UART_BASE + UART_LCR, LCR_DLAB);
	outb(UART_BASE + UART_DATA, 1);         /* 115200 baud */
	outb(UART_BASE + UART_IER, 0);
	outb(UART_BASE + UART_LCR, LCR_8N1);
	outb(UART_BASE + UART_FCR, 0x07);       /* FIFOs on and cleared */
	outb(UART_BASE + UART_MCR, 0x03);       /* DTR, RTS */
	console_register(&uart_console);
}
