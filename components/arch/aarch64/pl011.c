/* SPDX-License-Identifier: MIT */
/*
 * PL011 UART console.  The loader (QEMU, U-Boot, firmware) has already set
 * the baud rate; the driver only makes sure the UART transmits and
 * receives, and polls it.
 */
#include "aarch64_internal.h"

#include <core/console.h>

#define UARTDR    0x00
#define UARTFR    0x18
#define UARTLCR_H 0x2c
#define UARTCR    0x30
#define UARTIMSC  0x38

#define UARTFR_RXFE (1u << 4)
#define UARTFR_TXFF (1u << 5)
#define UARTLCR_H_FEN  (1u << 4)
#define UARTLCR_H_WLEN8 (3u << 5)
#define UARTCR_UARTEN (1u << 0)
#define UARTCR_TXE    (1u << 8)
#define UARTCR_RXE    (1u << 9)

static uintptr_t pl011_base;

static uint32_t pl011_read(unsigned int reg)
{
	return *(volatile uint32_t *)(pl011_base + reg);
}

static void pl011_write_reg(unsigned int reg, uint32_t value)
{
	*(volatile uint32_t *)(pl011_base + reg) = value;
}

void pl011_early_init(uint64_t base)
{
	pl011_base = (uintptr_t)base;
	pl011_write_reg(UARTIMSC, 0);
	if (!(pl011_read(UARTCR) & UARTCR_UARTEN)) {
		pl011_write_reg(UARTLCR_H, UARTLCR_H_FEN | UARTLCR_H_WLEN8);
		pl011_write_reg(UARTCR, UARTCR_UARTEN | UARTCR_TXE | UARTCR_RXE);
	}
}

static void pl011_putc(char c)
{
	while (pl011_read(UARTFR) & UARTFR_TXFF)
		;
	pl011_write_reg(UARTDR, (uint8_t)c);
}

/* console_write() already turned "\n" into "\r\n". */
static void pl011_console_write(const char *buf, size_t len)
{
	while (len--)
		pl011_putc(*buf++);
}

static int pl011_console_getc(void)
{
	if (pl011_read(UARTFR) & UARTFR_RXFE)
		return -1;
	return (int)(pl011_read(UARTDR) & 0xff);
}

void pl011_emergency_write(const char *s, size_t len)
{
	if (!pl011_base)
		return;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			pl011_putc('\r');
		pl011_putc(s[i]);
	}
}

void pl011_emergency_puts(const char *s)
{
	size_t len = 0;

	while (s[len])
		len++;
	pl011_emergency_write(s, len);
}

static struct console_driver pl011_console = {
	.name = "pl011",
	.write = pl011_console_write,
	.getc = pl011_console_getc,
};

void pl011_register_console(void)
{
	if (pl011_base)
		console_register(&pl011_console);
}
