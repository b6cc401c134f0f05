/* SPDX-License-Identifier: MIT */
/*
 * ARM PrimeCell PL011 UART, revision r1p5 (32-entry FIFOs), on a 4 KiB
 * MMIO window (0x09000000 on the virt machine).
 *
 * Access rules.  Registers sit on 32-bit boundaries.  Reads of 8, 16 or
 * 32 bits are allowed at any naturally aligned address inside a register
 * and return the matching bytes of it (EDK2 reads DR with 8-bit loads,
 * Linux's earlycon uses 8- or 32-bit ones).  Writes of 8, 16 or 32 bits
 * are allowed at the register's own address and are zero-extended to
 * the whole register, as on an APB bus without byte strobes; writes to
 * the upper bytes of a register and 64-bit accesses are refused and
 * reported.  Reads of undefined offsets return 0.
 *
 * Transmission is instantaneous: the TX FIFO is always empty (FR.TXFE=1,
 * TXFF=0, BUSY=0) and every write to DR raises the TX interrupt, since
 * the FIFO has just drained below its trigger level.  Bytes are sent even
 * while CR.UARTEN or CR.TXE are clear (reported once), because early boot
 * code commonly prints before enabling the UART.
 *
 * Input is pushed with pl011_receive(), which takes only what fits (32
 * bytes with LCR_H.FEN, 1 without) and nothing while UARTEN or RXE are
 * clear.  The receive-timeout interrupt is raised at the end of each input
 * burst, or after a DR read, while the FIFO holds data below the trigger
 * level (the 32-bit-period idle time of the real part is not modelled).
 *
 * The interrupt line is level: high while any bit of MIS is set.
 */
#ifndef PL011_PL011_H
#define PL011_PL011_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bus/bus.h>
#include <bus/chardev.h>
#include <bus/irq.h>

#define PL011_VIRT_BASE 0x09000000ULL
#define PL011_MMIO_SIZE 0x1000
#define PL011_FIFO_SIZE 32

/* Register offsets. */
#define PL011_DR     0x000
#define PL011_RSR    0x004 /* read: receive status; write: ECR, clears */
#define PL011_FR     0x018
#define PL011_ILPR   0x020
#define PL011_IBRD   0x024
#define PL011_FBRD   0x028
#define PL011_LCR_H  0x02C
#define PL011_CR     0x030
#define PL011_IFLS   0x034
#define PL011_IMSC   0x038
#define PL011_RIS    0x03C
#define PL011_MIS    0x040
#define PL011_ICR    0x044
#define PL011_DMACR  0x048
#define PL011_PERIPHID0 0xFE0
#define PL011_CELLID0   0xFF0

#define PL011_DR_OE  0x800
#define PL011_RSR_OE 0x08

#define PL011_FR_CTS  0x001
#define PL011_FR_DSR  0x002
#define PL011_FR_DCD  0x004
#define PL011_FR_BUSY 0x008
#define PL011_FR_RXFE 0x010
#define PL011_FR_TXFF 0x020
#define PL011_FR_RXFF 0x040
#define PL011_FR_TXFE 0x080
#define PL011_FR_RI   0x100

#define PL011_LCR_H_FEN  0x10
#define PL011_LCR_H_WLEN_8 0x60

#define PL011_CR_UARTEN 0x0001
#define PL011_CR_LBE    0x0080
#define PL011_CR_TXE    0x0100
#define PL011_CR_RXE    0x0200
#define PL011_CR_DTR    0x0400
#define PL011_CR_RTS    0x0800

/* Interrupt bits of IMSC, RIS, MIS and ICR. */
#define PL011_INT_RI  0x001
#define PL011_INT_CTS 0x002
#define PL011_INT_DCD 0x004
#define PL011_INT_DSR 0x008
#define PL011_INT_RX  0x010
#define PL011_INT_TX  0x020
#define PL011_INT_RT  0x040
#define PL011_INT_FE  0x080
#define PL011_INT_PE  0x100
#define PL011_INT_BE  0x200
#define PL011_INT_OE  0x400
#define PL011_INT_ALL 0x7FF

struct pl011;

/*
 * Creates a PL011 and registers its 4 KiB window at base on bus.  out
 * receives the transmitted bytes (copied; NULL discards).  NULL if out of
 * memory or the range is taken.
 */
struct pl011 *pl011_create(struct bus *bus, const char *name, uint64_t base,
			   const struct chardev *out);
/* Unregisters the window and frees the device. */
void pl011_destroy(struct pl011 *uart);
/* Reset values: CR = TXE|RXE, IFLS = 1/2, everything else 0, FIFOs empty. */
void pl011_reset(struct pl011 *uart);

/* Pushes input; returns how many bytes the receive FIFO accepted. */
size_t pl011_receive(struct pl011 *uart, const uint8_t *buf, size_t len);

/* The interrupt output (UARTINTR); connect it with irq_line_connect(). */
struct irq_line *pl011_irq(struct pl011 *uart);

#endif
