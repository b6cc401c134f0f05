/* SPDX-License-Identifier: MIT */
/*
 * ARM PL011 UART.  Access rules and timing assumptions are described in
 * include/pl011/pl011.h.
 */
#include <string.h>
#include <core/log.h>
#include <core/mm.h>
#include <pl011/pl011.h>
#include <bus/device.h>
#include <lib/fdt_writer.h>
#include <errno.h>

#define PL011_WARN_LIMIT 8

/*
 * PrimeCell identification: part 0x011, designer ARM (0x41), revision 3
 * (r1p5, whose FIFOs are 32 deep; EDK2 and Linux derive the FIFO depth
 * from this revision), and the PrimeCell component id B105F00D.
 */
static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };

/* Receive trigger levels of IFLS.RXIFLSEL in FIFO entries. */
static const unsigned pl011_rx_trigger[8] = { 4, 8, 16, 24, 28, 16, 16, 16 };

struct pl011 {
	const char *name;
	struct bus *bus;
	uint64_t base;
	struct chardev out;
	struct irq_line irq;

	uint16_t rx_fifo[PL011_FIFO_SIZE]; /* data byte | DR error bits */
	unsigned rx_head, rx_count;
	bool overrun_pending;              /* tag the next stored char  */

	uint32_t rsr, ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr, ilpr;
	unsigned warnings;
	bool warned_disabled_tx;
};

static void pl011_warn_guest(struct pl011 *uart, const char *what, uint64_t offset, uint64_t value)
{
	if (uart->warnings >= PL011_WARN_LIMIT)
		return;
	uart->warnings++;
	log_warn("%s: %s at offset 0x%llx (value 0x%llx)%s", uart->name, what,
		 (unsigned long long)offset, (unsigned long long)value,
		 uart->warnings == PL011_WARN_LIMIT ? "; further warnings suppressed" : "");
}

static bool fifo_enabled(const struct pl011 *uart)
{
	return uart->lcr_h & PL011_LCR_H_FEN;
}

static unsigned rx_capacity(const struct pl011 *uart)
{
	return fifo_enabled(uart) ? PL011_FIFO_SIZE : 1;
}

static unsigned rx_trigger(const struct pl011 *uart)
{
	return fifo_enabled(uart) ? pl011_rx_trigger[(uart->ifls >> 3) & 7] : 1;
}

static void update_irq(struct pl011 *uart)
{
	irq_line_set(&uart->irq, (uart->ris & uart->imsc) != 0);
}

static void rx_clear(struct pl011 *uart)
{
	uart->rx_head = 0;
	uart->rx_count = 0;
	uart->overrun_pending = false;
}

static void rx_push(struct pl011 *uart, uint8_t byte)
{
	if (uart->rx_count >= rx_capacity(uart)) {
		/* The FIFO keeps its contents; the new character is lost. */
		uart->rsr |= PL011_RSR_OE;
		uart->ris |= PL011_INT_OE;
		uart->overrun_pending = true;
		return;
	}
	uart->rx_fifo[(uart->rx_head + uart->rx_count) % PL011_FIFO_SIZE] =
		byte | (uart->overrun_pending ? PL011_DR_OE : 0);
	uart->overrun_pending = false;
	uart->rx_count++;
	/* The RX interrupt fires when the level reaches the trigger. */
	if (uart->rx_count == rx_trigger(uart))
		uart->ris |= PL011_INT_RX;
}

/* The line went idle with data below the trigger level. */
static void rx_idle(struct pl011 *uart)
{
	if (uart->rx_count > 0 && uart->rx_count < rx_trigger(uart))
		uart->ris |= PL011_INT_RT;
}

static uint32_t rx_pop(struct pl011 *uart)
{
	uint32_t entry;

	if (uart->rx_count == 0)
		return 0;
	entry = uart->rx_fifo[uart->rx_head];
	uart->rx_head = (uart->rx_head + 1) % PL011_FIFO_SIZE;
	uart->rx_count--;
	if (uart->rx_count < rx_trigger(uart))
		uart->ris &= ~(uint32_t)PL011_INT_RX;
	if (uart->rx_count == 0)
		uart->ris &= ~(uint32_t)PL011_INT_RT;
	else
		rx_idle(uart);
	return entry;
}

static void transmit(struct pl011 *uart, uint8_t byte)
{
	if ((uart->cr & (PL011_CR_UARTEN | PL011_CR_TXE)) != (PL011_CR_UARTEN | PL011_CR_TXE) &&
	    !uart->warned_disabled_tx) {
		uart->warned_disabled_tx = true;
		log_debug("%s: data written while the transmitter is disabled (CR 0x%x); sent anyway, "
			  "as QEMU does (said once)",
			  uart->name, uart->cr);
	}
	if (uart->cr & PL011_CR_LBE) {
		rx_push(uart, byte);
		rx_idle(uart);
	} else {
		chardev_write(&uart->out, &byte, 1);
	}
	/* The FIFO drained below its trigger level at once. */
	uart->ris |= PL011_INT_TX;
}

static uint32_t read_flags(const struct pl011 *uart)
{
	uint32_t fr = PL011_FR_TXFE;

	if (uart->rx_count == 0)
		fr |= PL011_FR_RXFE;
	if (uart->rx_count >= rx_capacity(uart))
		fr |= PL011_FR_RXFF;
	return fr;
}

static uint32_t read_register(struct pl011 *uart, uint64_t reg)
{
	switch (reg) {
	case PL011_DR:
		return rx_pop(uart);
	case PL011_RSR:
		return uart->rsr;
	case PL011_FR:
		return read_flags(uart);
	case PL011_ILPR:
		return uart->ilpr;
	case PL011_IBRD:
		return uart->ibrd;
	case PL011_FBRD:
		return uart->fbrd;
	case PL011_LCR_H:
		return uart->lcr_h;
	case PL011_CR:
		return uart->cr;
	case PL011_IFLS:
		return uart->ifls;
	case PL011_IMSC:
		return uart->imsc;
	case PL011_RIS:
		return uart->ris;
	case PL011_MIS:
		return uart->ris & uart->imsc;
	case PL011_DMACR:
		return uart->dmacr;
	default:
		if (reg >= PL011_PERIPHID0 && reg <= 0xFFC)
			return pl011_id[(reg - PL011_PERIPHID0) / 4];
		return 0;
	}
}

static void write_register(struct pl011 *uart, uint64_t reg, uint32_t value)
{
	switch (reg) {
	case PL011_DR:
		transmit(uart, (uint8_t)value);
		break;
	case PL011_RSR:
		uart->rsr = 0; /* ECR: any write clears the errors */
		break;
	case PL011_ILPR:
		uart->ilpr = value & 0xFF;
		break;
	case PL011_IBRD:
		uart->ibrd = value & 0xFFFF;
		break;
	case PL011_FBRD:
		uart->fbrd = value & 0x3F;
		break;
	case PL011_LCR_H:
		/* Switching between FIFO and character mode flushes the FIFO. */
		if ((uart->lcr_h ^ value) & PL011_LCR_H_FEN) {
			rx_clear(uart);
			uart->ris &= ~(uint32_t)(PL011_INT_RX | PL011_INT_RT);
		}
		uart->lcr_h = value & 0xFF;
		break;
	case PL011_CR:
		uart->cr = value & 0xFF87;
		break;
	case PL011_IFLS:
		uart->ifls = value & 0x3F;
		break;
	case PL011_IMSC:
		uart->imsc = value & PL011_INT_ALL;
		break;
	case PL011_ICR:
		uart->ris &= ~(value & PL011_INT_ALL);
		break;
	case PL011_DMACR:
		uart->dmacr = value & 0x7;
		break;
	default:
		pl011_warn_guest(uart, "write to a read-only or undefined register", reg, value);
		return;
	}
	update_irq(uart);
}

static uint64_t pl011_read(void *opaque, uint64_t offset, unsigned width)
{
	struct pl011 *uart = opaque;
	unsigned lane = offset & 3;
	uint32_t value;

	if (width == 8) {
		pl011_warn_guest(uart, "64-bit read refused", offset, 0);
		return ~0ULL;
	}
	value = read_register(uart, offset - lane) >> (lane * 8);
	update_irq(uart);
	return width == 4 ? value : value & ((1u << (width * 8)) - 1);
}

static void pl011_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct pl011 *uart = opaque;

	if (width == 8 || (offset & 3)) {
		pl011_warn_guest(uart, "write not at a register's address refused", offset, value);
		return;
	}
	write_register(uart, offset, (uint32_t)value);
}

static const struct bus_ops pl011_ops = {
	.read = pl011_read,
	.write = pl011_write,
};

void pl011_reset(struct pl011 *uart)
{
	rx_clear(uart);
	uart->rsr = 0;
	uart->ibrd = 0;
	uart->fbrd = 0;
	uart->lcr_h = 0;
	uart->cr = PL011_CR_TXE | PL011_CR_RXE;
	uart->ifls = 0x12;
	uart->imsc = 0;
	uart->ris = 0;
	uart->dmacr = 0;
	uart->ilpr = 0;
	update_irq(uart);
}

struct pl011 *pl011_create(struct bus *bus, const char *name, uint64_t base,
			   const struct chardev *out)
{
	static const struct bus_rules rules = {
		.min_width = 1,
		.max_width = 8, /* 64-bit accesses reach the device to be reported */
		.unaligned_ok = false,
		.oversize = BUS_OVERSIZE_REJECT,
		.undersize = BUS_UNDERSIZE_REJECT,
	};
	struct pl011 *uart = kzalloc(sizeof(*uart));

	if (!uart)
		return NULL;
	uart->name = name ? name : "pl011";
	uart->bus = bus;
	uart->base = base;
	if (out)
		uart->out = *out;
	irq_line_init(&uart->irq, uart->name);
	pl011_reset(uart);
	if (bus_register_mmio(bus, uart->name, base, PL011_MMIO_SIZE, &pl011_ops, uart, &rules) < 0) {
		kfree(uart);
		return NULL;
	}
	return uart;
}

void pl011_destroy(struct pl011 *uart)
{
	if (!uart)
		return;
	bus_unregister(uart->bus, BUS_SPACE_MMIO, uart->base);
	kfree(uart);
}

size_t pl011_receive(struct pl011 *uart, const uint8_t *buf, size_t len)
{
	size_t accepted = 0;

	if ((uart->cr & (PL011_CR_UARTEN | PL011_CR_RXE)) != (PL011_CR_UARTEN | PL011_CR_RXE) ||
	    (uart->cr & PL011_CR_LBE))
		return 0;
	while (accepted < len && uart->rx_count < rx_capacity(uart))
		rx_push(uart, buf[accepted++]);
	if (accepted) {
		rx_idle(uart);
		update_irq(uart);
	}
	return accepted;
}

struct irq_line *pl011_irq(struct pl011 *uart)
{
	return &uart->irq;
}

/* ---- the device class: how a VM gets a PL011 ---- */

static int pl011_dev_create(struct device *dev)
{
	struct pl011 *uart = pl011_create(dev->env->bus, dev->name, dev->base[0], dev->env->console);

	if (!uart)
		return -ENOMEM;
	dev->state = uart;
	dev->irq_out[0] = pl011_irq(uart);
	return 0;
}

static void pl011_dev_reset(struct device *dev)
{
	pl011_reset(dev->state);
}

static void pl011_dev_destroy(struct device *dev)
{
	pl011_destroy(dev->state);
}

static size_t pl011_dev_input(struct device *dev, const uint8_t *buf, size_t len)
{
	return pl011_receive(dev->state, buf, len);
}

/* Linux's amba-pl011 driver wants both clocks named (QEMU's virt tree does the same). */
static void pl011_fdt_extra(const struct device *dev, struct fdt_writer *w,
			    const struct device_fdt_env *fe)
{
	static const char *const clock_names[] = { "uartclk", "apb_pclk" };
	const uint32_t clocks[2] = { fe->apb_clock_phandle, fe->apb_clock_phandle };

	(void)dev;
	if (!fe->apb_clock_phandle)
		return;
	fdt_writer_property_cells(w, "clocks", clocks, 2);
	fdt_writer_property_strings(w, "clock-names", clock_names, 2);
}

DEVICE_CLASS(pl011_class) = {
	.name = "pl011",
	.description = "ARM PL011 UART: its output and input are the VM's console",
	.ranges = { DEVICE_MMIO(PL011_MMIO_SIZE) },
	.range_count = 1,
	.irq_count = 1,
	.create = pl011_dev_create,
	.reset = pl011_dev_reset,
	.destroy = pl011_dev_destroy,
	.console_input = pl011_dev_input,
	.fdt_name = "pl011",
	.fdt_compatible = { "arm,pl011", "arm,primecell" },
	.fdt_apb_clock = true,
	.fdt_extra = pl011_fdt_extra,
	/* As QEMU's virt DSDT names it (hw/arm/virt-acpi-build.c); Linux's
	 * sbsa-uart driver takes it (drivers/tty/serial/amba-pl011.c). */
	.acpi_hid = "ARMH0011",
	.acpi_name = "COM",
};
