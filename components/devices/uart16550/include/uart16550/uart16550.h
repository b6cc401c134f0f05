/* SPDX-License-Identifier: MIT */
/*
 * NS16550A UART on eight consecutive I/O ports (COM1 = 0x3F8).
 *
 * Transmission is instantaneous: a byte written to THR leaves at once
 * through the chardev (or, in loopback mode, lands in the receive FIFO),
 * so THRE and TEMT are always set and the THR-empty interrupt re-arms
 * right after each write, as a real UART does once its shifter drains.
 *
 * Input is pushed with uart16550_receive(), which takes only what fits
 * in the receive FIFO (16 bytes with FIFOs on, 1 without): the host side
 * is flow-controlled, so input is never lost to an overrun.  Because input
 * arrives in bursts, the FIFO character timeout is signalled as soon as a
 * burst leaves fewer bytes than the trigger level (a real chip would wait
 * four character times first).
 *
 * The interrupt line is level-triggered: high while an interrupt enabled
 * in IER is pending.  With out2_gates_irq the line is additionally gated
 * by MCR.OUT2 and forced low in loopback mode, like the tri-state buffer
 * in front of the IRQ pin on PC serial cards; without it (the default for
 * virtual machines, as in QEMU) OUT2 is only a register bit.
 */
#ifndef UART16550_UART16550_H
#define UART16550_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bus/bus.h>
#include <bus/chardev.h>
#include <bus/irq.h>

#define UART16550_COM1_PORT 0x3F8
#define UART16550_COM2_PORT 0x2F8
#define UART16550_REG_COUNT 8
#define UART16550_FIFO_SIZE 16

/* Register offsets from the base port. */
#define UART16550_RBR 0 /* read, DLAB=0: receive buffer        */
#define UART16550_THR 0 /* write, DLAB=0: transmit holding     */
#define UART16550_DLL 0 /* DLAB=1: divisor latch low           */
#define UART16550_IER 1 /* DLAB=0: interrupt enable            */
#define UART16550_DLM 1 /* DLAB=1: divisor latch high          */
#define UART16550_IIR 2 /* read: interrupt identification      */
#define UART16550_FCR 2 /* write: FIFO control                 */
#define UART16550_LCR 3
#define UART16550_MCR 4
#define UART16550_LSR 5
#define UART16550_MSR 6
#define UART16550_SCR 7

#define UART16550_IER_ERBFI 0x01 /* received data available       */
#define UART16550_IER_ETBEI 0x02 /* transmit holding empty        */
#define UART16550_IER_ELSI  0x04 /* receiver line status          */
#define UART16550_IER_EDSSI 0x08 /* modem status                  */

#define UART16550_IIR_NO_INT     0x01
#define UART16550_IIR_MSR        0x00
#define UART16550_IIR_THRE       0x02
#define UART16550_IIR_RDA        0x04
#define UART16550_IIR_LSR        0x06
#define UART16550_IIR_TIMEOUT    0x0C
#define UART16550_IIR_FIFO_ON    0xC0

#define UART16550_FCR_ENABLE     0x01
#define UART16550_FCR_CLEAR_RX   0x02
#define UART16550_FCR_CLEAR_TX   0x04
#define UART16550_FCR_DMA_MODE   0x08
#define UART16550_FCR_TRIGGER    0xC0

#define UART16550_LCR_DLAB 0x80

#define UART16550_MCR_DTR  0x01
#define UART16550_MCR_RTS  0x02
#define UART16550_MCR_OUT1 0x04
#define UART16550_MCR_OUT2 0x08
#define UART16550_MCR_LOOP 0x10

#define UART16550_LSR_DR   0x01
#define UART16550_LSR_OE   0x02
#define UART16550_LSR_PE   0x04
#define UART16550_LSR_FE   0x08
#define UART16550_LSR_BI   0x10
#define UART16550_LSR_THRE 0x20
#define UART16550_LSR_TEMT 0x40
#define UART16550_LSR_FIFO_ERR 0x80

#define UART16550_MSR_DCTS 0x01
#define UART16550_MSR_DDSR 0x02
#define UART16550_MSR_TERI 0x04
#define UART16550_MSR_DDCD 0x08
#define UART16550_MSR_CTS  0x10
#define UART16550_MSR_DSR  0x20
#define UART16550_MSR_RI   0x40
#define UART16550_MSR_DCD  0x80

struct uart16550;

/*
 * Creates a UART and registers its eight ports at port on bus (byte
 * accesses; wider port accesses are split by the bus).  out receives
 * the transmitted bytes (copied; may be NULL to discard).  NULL if out
 * of memory or the ports are taken (the bus reports which).
 */
struct uart16550 *uart16550_create(struct bus *bus, const char *name, uint16_t port,
				   const struct chardev *out, bool out2_gates_irq);
/* Unregisters the ports and frees the device. */
void uart16550_destroy(struct uart16550 *uart);

/* Power-on state: FIFOs off and empty, all interrupts off, 8N1 unset. */
void uart16550_reset(struct uart16550 *uart);

/*
 * Pushes input bytes into the receive FIFO.  Returns how many were
 * accepted (0 when the FIFO is full, in loopback mode, or len is 0).
 */
size_t uart16550_receive(struct uart16550 *uart, const uint8_t *buf, size_t len);

/* The interrupt output; connect it with irq_line_connect(). */
struct irq_line *uart16550_irq(struct uart16550 *uart);

/* The divisor latch (DLM:DLL) the guest programmed; 0 if never set. */
uint16_t uart16550_divisor(const struct uart16550 *uart);

/*
 * Modem input lines (CTS, DSR, RI, DCD as UART16550_MSR_* status bits)
 * seen outside loopback mode.  Changes set the delta bits.  The default
 * is CTS | DSR | DCD: a terminal is attached and ready.
 */
void uart16550_set_modem_inputs(struct uart16550 *uart, uint8_t msr_status_bits);

#endif
