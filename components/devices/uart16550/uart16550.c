/* SPDX-License-Identifier: MIT */
/*
 * NS16550A UART.  See include/uart16550/uart16550.h for the model's
 * timing assumptions and the interrupt wiring.
 */
#include <string.h>
#include <core/log.h>
#include <core/mm.h>
#include <uart16550/uart16550.h>
#include <errno.h>
#include <bus/device.h>

/* Warnings the guest can trigger are capped per device. */
#define UART16550_WARN_LIMIT 8

#define MSR_STATUS_BITS 0xF0
#define MSR_DELTA_BITS  0x0F

struct uart16550 {
	const char *name;
	struct bus *bus;
	uint16_t port;
	struct chardev out;
	struct irq_line irq;
	bool out2_gates_irq;

	uint8_t rx_fifo[UART16550_FIFO_SIZE];
	unsigned rx_head, rx_count;

	uint8_t ier, lcr, mcr, lsr_errors, msr, scr, fcr;
	uint8_t dll, dlm;
	uint8_t modem_inputs;    /* status bits outside loopback        */
	bool thre_pending;       /* THR-empty interrupt armed           */
	bool divisor_set;
	unsigned warnings;
};

static void uart16550_warn_guest(struct uart16550 *uart, const char *what, unsigned value)
{
	if (uart->warnings >= UART16550_WARN_LIMIT)
		return;
	uart->warnings++;
	log_warn("%s: %s (0x%x)%s", uart->name, what, value,
		 uart->warnings == UART16550_WARN_LIMIT ? "; further warnings suppressed" : "");
}

static bool fifo_enabled(const struct uart16550 *uart)
{
	return uart->fcr & UART16550_FCR_ENABLE;
}

static unsigned rx_capacity(const struct uart16550 *uart)
{
	return fifo_enabled(uart) ? UART16550_FIFO_SIZE : 1;
}

static unsigned rx_trigger_level(const struct uart16550 *uart)
{
	static const unsigned levels[4] = { 1, 4, 8, 14 };

	return levels[(uart->fcr & UART16550_FCR_TRIGGER) >> 6];
}

static bool loopback(const struct uart16550 *uart)
{
	return uart->mcr & UART16550_MCR_LOOP;
}

/* Modem status bits as the receiver pins see them. */
static uint8_t modem_status_now(const struct uart16550 *uart)
{
	uint8_t bits = 0;

	if (!loopback(uart))
		return uart->modem_inputs & MSR_STATUS_BITS;
	/* Loopback wires RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD. */
	if (uart->mcr & UART16550_MCR_RTS)
		bits |= UART16550_MSR_CTS;
	if (uart->mcr & UART16550_MCR_DTR)
		bits |= UART16550_MSR_DSR;
	if (uart->mcr & UART16550_MCR_OUT1)
		bits |= UART16550_MSR_RI;
	if (uart->mcr & UART16550_MCR_OUT2)
		bits |= UART16550_MSR_DCD;
	return bits;
}

/* Latches new modem status bits and the delta bits of what changed. */
static void update_modem_status(struct uart16550 *uart)
{
	uint8_t old = uart->msr & MSR_STATUS_BITS;
	uint8_t now = modem_status_now(uart);
	uint8_t changed = old ^ now;
	uint8_t delta = 0;

	if (changed & UART16550_MSR_CTS)
		delta |= UART16550_MSR_DCTS;
	if (changed & UART16550_MSR_DSR)
		delta |= UART16550_MSR_DDSR;
	if ((old & UART16550_MSR_RI) && !(now & UART16550_MSR_RI))
		delta |= UART16550_MSR_TERI; /* trailing edge only */
	if (changed & UART16550_MSR_DCD)
		delta |= UART16550_MSR_DDCD;
	uart->msr = now | (uart->msr & MSR_DELTA_BITS) | delta;
}

static bool rx_timeout_pending(const struct uart16550 *uart)
{
	return fifo_enabled(uart) && uart->rx_count > 0 && uart->rx_count < rx_trigger_level(uart);
}

static bool rx_data_pending(const struct uart16550 *uart)
{
	if (fifo_enabled(uart))
		return uart->rx_count >= rx_trigger_level(uart);
	return uart->rx_count > 0;
}

/* The IIR identification code of the highest-priority pending interrupt. */
static uint8_t pending_interrupt(const struct uart16550 *uart)
{
	if ((uart->ier & UART16550_IER_ELSI) && (uart->lsr_errors & UART16550_LSR_OE))
		return UART16550_IIR_LSR;
	if (uart->ier & UART16550_IER_ERBFI) {
		if (rx_data_pending(uart))
			return UART16550_IIR_RDA;
		if (rx_timeout_pending(uart))
			return UART16550_IIR_TIMEOUT;
	}
	if ((uart->ier & UART16550_IER_ETBEI) && uart->thre_pending)
		return UART16550_IIR_THRE;
	if ((uart->ier & UART16550_IER_EDSSI) && (uart->msr & MSR_DELTA_BITS))
		return UART16550_IIR_MSR;
	return UART16550_IIR_NO_INT;
}

static void update_irq(struct uart16550 *uart)
{
	bool level = pending_interrupt(uart) != UART16550_IIR_NO_INT;

	if (uart->out2_gates_irq && (!(uart->mcr & UART16550_MCR_OUT2) || loopback(uart)))
		level = false;
	irq_line_set(&uart->irq, level);
}

static void rx_clear(struct uart16550 *uart)
{
	uart->rx_head = 0;
	uart->rx_count = 0;
}

/* One character arriving at the receiver; false if it overran. */
static bool rx_push(struct uart16550 *uart, uint8_t byte)
{
	if (uart->rx_count >= rx_capacity(uart)) {
		uart->lsr_errors |= UART16550_LSR_OE;
		/* Without FIFOs the new character replaces the unread one. */
		if (!fifo_enabled(uart))
			uart->rx_fifo[uart->rx_head] = byte;
		return false;
	}
	uart->rx_fifo[(uart->rx_head + uart->rx_count) % UART16550_FIFO_SIZE] = byte;
	uart->rx_count++;
	return true;
}

static uint8_t rx_pop(struct uart16550 *uart)
{
	uint8_t byte;

	if (uart->rx_count == 0)
		return 0;
	byte = uart->rx_fifo[uart->rx_head];
	uart->rx_head = (uart->rx_head + 1) % UART16550_FIFO_SIZE;
	uart->rx_count--;
	return byte;
}

static void transmit(struct uart16550 *uart, uint8_t byte)
{
	if (loopback(uart))
		rx_push(uart, byte);
	else
		chardev_write(&uart->out, &byte, 1);
	/* The shifter drains at once: THR is empty again. */
	uart->thre_pending = true;
}

static uint8_t read_lsr(struct uart16550 *uart)
{
	uint8_t lsr = UART16550_LSR_THRE | UART16550_LSR_TEMT | uart->lsr_errors;

	if (uart->rx_count > 0)
		lsr |= UART16550_LSR_DR;
	uart->lsr_errors = 0;
	return lsr;
}

static uint8_t read_iir(struct uart16550 *uart)
{
	uint8_t id = pending_interrupt(uart);

	if (id == UART16550_IIR_THRE)
		uart->thre_pending = false;
	return id | (fifo_enabled(uart) ? UART16550_IIR_FIFO_ON : 0);
}

static void write_ier(struct uart16550 *uart, uint8_t value)
{
	uint8_t old = uart->ier;

	uart->ier = value & 0x0F;
	/* Enabling ETBEI with an empty THR raises the interrupt at once. */
	if ((uart->ier & UART16550_IER_ETBEI) && !(old & UART16550_IER_ETBEI))
		uart->thre_pending = true;
	if (!(uart->ier & UART16550_IER_ETBEI))
		uart->thre_pending = false;
}

static void write_fcr(struct uart16550 *uart, uint8_t value)
{
	bool was_enabled = fifo_enabled(uart);

	if (!(value & UART16550_FCR_ENABLE)) {
		/* The other bits are only programmed together with FCR0. */
		uart->fcr = 0;
		if (was_enabled)
			rx_clear(uart);
		return;
	}
	uart->fcr = value & (UART16550_FCR_ENABLE | UART16550_FCR_DMA_MODE | UART16550_FCR_TRIGGER);
	if (!was_enabled || (value & UART16550_FCR_CLEAR_RX))
		rx_clear(uart);
	/* The transmit FIFO is always empty, so its clear bit has no effect. */
}

static void write_mcr(struct uart16550 *uart, uint8_t value)
{
	uart->mcr = value & 0x1F;
	update_modem_status(uart);
}

static uint64_t uart16550_read(void *opaque, uint64_t offset, unsigned width)
{
	struct uart16550 *uart = opaque;
	bool dlab = uart->lcr & UART16550_LCR_DLAB;
	uint8_t value;

	(void)width;
	switch (offset) {
	case UART16550_RBR:
		value = dlab ? uart->dll : rx_pop(uart);
		break;
	case UART16550_IER:
		value = dlab ? uart->dlm : uart->ier;
		break;
	case UART16550_IIR:
		value = read_iir(uart);
		break;
	case UART16550_LCR:
		value = uart->lcr;
		break;
	case UART16550_MCR:
		value = uart->mcr;
		break;
	case UART16550_LSR:
		value = read_lsr(uart);
		break;
	case UART16550_MSR:
		value = uart->msr;
		uart->msr &= MSR_STATUS_BITS;
		break;
	case UART16550_SCR:
		value = uart->scr;
		break;
	default:
		return 0xFF; /* the bus never passes other offsets */
	}
	update_irq(uart);
	return value;
}

static void uart16550_write(void *opaque, uint64_t offset, unsigned width, uint64_t data)
{
	struct uart16550 *uart = opaque;
	bool dlab = uart->lcr & UART16550_LCR_DLAB;
	uint8_t value = (uint8_t)data;

	(void)width;
	switch (offset) {
	case UART16550_THR:
		if (dlab) {
			uart->dll = value;
			uart->divisor_set = true;
		} else {
			transmit(uart, value);
		}
		break;
	case UART16550_IER:
		if (dlab) {
			uart->dlm = value;
			uart->divisor_set = true;
		} else {
			write_ier(uart, value);
		}
		break;
	case UART16550_FCR:
		write_fcr(uart, value);
		break;
	case UART16550_LCR:
		uart->lcr = value;
		break;
	case UART16550_MCR:
		write_mcr(uart, value);
		break;
	case UART16550_LSR:
		/* Factory test register on the real part; writes do nothing. */
		uart16550_warn_guest(uart, "write to read-only LSR ignored", value);
		break;
	case UART16550_MSR:
		uart16550_warn_guest(uart, "write to read-only MSR ignored", value);
		break;
	case UART16550_SCR:
		uart->scr = value;
		break;
	default:
		return;
	}
	update_irq(uart);
}

static const struct bus_ops uart16550_ops = {
	.read = uart16550_read,
	.write = uart16550_write,
};

void uart16550_reset(struct uart16550 *uart)
{
	rx_clear(uart);
	uart->ier = 0;
	uart->lcr = 0;
	uart->mcr = 0;
	uart->lsr_errors = 0;
	uart->scr = 0;
	uart->fcr = 0;
	uart->dll = 0;
	uart->dlm = 0;
	uart->divisor_set = false;
	uart->thre_pending = false;
	uart->msr = modem_status_now(uart);
	update_irq(uart);
}

struct uart16550 *uart16550_create(struct bus *bus, const char *name, uint16_t port,
				   const struct chardev *out, bool out2_gates_irq)
{
	static const struct bus_rules rules = {
		.min_width = 1,
		.max_width = 1,
		.oversize = BUS_OVERSIZE_SPLIT,
		.undersize = BUS_UNDERSIZE_REJECT,
	};
	struct uart16550 *uart = kzalloc(sizeof(*uart));

	if (!uart)
		return NULL;
	uart->name = name ? name : "uart16550";
	uart->bus = bus;
	uart->port = port;
	if (out)
		uart->out = *out;
	uart->out2_gates_irq = out2_gates_irq;
	uart->modem_inputs = UART16550_MSR_CTS | UART16550_MSR_DSR | UART16550_MSR_DCD;
	irq_line_init(&uart->irq, uart->name);
	uart16550_reset(uart);
	if (bus_register_pio(bus, uart->name, port, UART16550_REG_COUNT, &uart16550_ops, uart,
			     &rules) < 0) {
		kfree(uart);
		return NULL;
	}
	return uart;
}

void uart16550_destroy(struct uart16550 *uart)
{
	if (!uart)
		return;
	bus_unregister(uart->bus, BUS_SPACE_PIO, uart->port);
	kfree(uart);
}

size_t uart16550_receive(struct uart16550 *uart, const uint8_t *buf, size_t len)
{
	size_t accepted = 0;

	/* In loopback the receiver is disconnected from the line. */
	if (loopback(uart))
		return 0;
	while (accepted < len && uart->rx_count < rx_capacity(uart))
		rx_push(uart, buf[accepted++]);
	if (accepted)
		update_irq(uart);
	return accepted;
}

struct irq_line *uart16550_irq(struct uart16550 *uart)
{
	return &uart->irq;
}

uint16_t uart16550_divisor(const struct uart16550 *uart)
{
	return uart->divisor_set ? (uint16_t)(uart->dll | (uart->dlm << 8)) : 0;
}

void uart16550_set_modem_inputs(struct uart16550 *uart, uint8_t msr_status_bits)
{
	uart->modem_inputs = msr_status_bits & MSR_STATUS_BITS;
	update_modem_status(uart);
	update_irq(uart);
}

/* ---- the device class: how a VM gets a 16550 ---- */

static int uart16550_dev_create(struct device *dev)
{
	struct uart16550 *uart = uart16550_create(dev->env->bus, dev->name, (uint16_t)dev->base[0],
						  dev->env->console, false);

	if (!uart)
		return -ENOMEM;
	dev->state = uart;
	dev->irq_out[0] = uart16550_irq(uart);
	return 0;
}

static void uart16550_dev_reset(struct device *dev)
{
	uart16550_reset(dev->state);
}

static void uart16550_dev_destroy(struct device *dev)
{
	uart16550_destroy(dev->state);
}

static size_t uart16550_dev_input(struct device *dev, const uint8_t *buf, size_t len)
{
	return uart16550_receive(dev->state, buf, len);
}

DEVICE_CLASS(uart16550_class) = {
	.name = "uart16550",
	.description = "16550A UART (PC serial port): its output and input are the VM's console",
	.ranges = { DEVICE_PIO(8) },
	.range_count = 1,
	.irq_count = 1,
	.create = uart16550_dev_create,
	.reset = uart16550_dev_reset,
	.destroy = uart16550_dev_destroy,
	.console_input = uart16550_dev_input,
	.acpi_hid = "PNP0501",
	.acpi_name = "COM",
	.acpi_first_uid = 1,
};
