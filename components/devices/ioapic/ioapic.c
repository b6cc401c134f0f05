/* SPDX-License-Identifier: MIT */
/*
 * I/O APIC, after the Intel 82093AA datasheet (register window, the
 * redirection table and the edge/level rules) with the EOI register of
 * the version 0x20 parts that Linux uses when present.
 */
#include <stdarg.h>
#include <string.h>
#include <core/log.h>
#include <core/mm.h>
#include <ioapic/ioapic.h>

#define IOAPIC_MAX_WARNINGS 16
#define ID_WRITABLE 0x0F000000u
/* Low word bits the guest may write: everything but delivery status and
 * remote IRR. */
#define RTE_LOW_WRITABLE 0x0001AFFFull
#define RTE_HIGH_WRITABLE 0xFF000000ull

#define DELIVERY_FIXED 0u
#define DELIVERY_LOWEST 1u

static void __attribute__((format(printf, 2, 3)))
ioapic_warn(struct ioapic *io, const char *fmt, ...)
{
	va_list ap;

	if (io->warnings >= IOAPIC_MAX_WARNINGS)
		return;
	io->warnings++;
	va_start(ap, fmt);
	log_vprintf(LOG_WARN, fmt, ap);
	va_end(ap);
	if (io->warnings == IOAPIC_MAX_WARNINGS)
		log_warn("ioapic: further guest errors are not reported");
}

static bool pin_asserted(const struct ioapic *io, unsigned pin)
{
	bool electrical = io->pin_level & (1u << pin);
	bool active_low = io->redirection[pin] & IOAPIC_RTE_ACTIVE_LOW;

	return electrical != active_low;
}

static unsigned rte_delivery(uint64_t rte)
{
	return (unsigned)(rte >> IOAPIC_RTE_DELIVERY_SHIFT) & 7u;
}

/* Only fixed and lowest-priority messages are answered by an EOI. */
static bool rte_waits_for_eoi(uint64_t rte)
{
	return (rte & IOAPIC_RTE_LEVEL) &&
	       (rte_delivery(rte) == DELIVERY_FIXED || rte_delivery(rte) == DELIVERY_LOWEST);
}

/* Sends the pin's message now (the caller checked mask and remote IRR). */
static void deliver_pin(struct ioapic *io, unsigned pin)
{
	uint64_t *rte = &io->redirection[pin];
	unsigned delivery = rte_delivery(*rte);
	bool level = rte_waits_for_eoi(*rte);

	if (delivery == 3 || delivery == 6) {
		ioapic_warn(io, "ioapic: pin %u uses reserved delivery mode %u, interrupt dropped", pin,
			    delivery);
		return;
	}
	if (level)
		*rte |= IOAPIC_RTE_REMOTE_IRR;
	io->delivered++;
	if (io->ops && io->ops->deliver)
		io->ops->deliver(io->ctx, (uint8_t)(*rte >> IOAPIC_RTE_DEST_SHIFT), *rte & IOAPIC_RTE_LOGICAL,
				 (uint8_t)(*rte & IOAPIC_RTE_VECTOR_MASK), delivery, level);
}

/* A level-triggered pin delivers whenever it can. */
static void service_level_pin(struct ioapic *io, unsigned pin)
{
	uint64_t rte = io->redirection[pin];

	if (!(rte & IOAPIC_RTE_LEVEL) || (rte & (IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR)))
		return;
	if (pin_asserted(io, pin))
		deliver_pin(io, pin);
}

void ioapic_set_input(struct ioapic *io, unsigned pin, bool level)
{
	bool was_asserted;

	if (pin >= IOAPIC_PINS) {
		ioapic_warn(io, "ioapic: no input pin %u", pin);
		return;
	}
	was_asserted = pin_asserted(io, pin);
	if (level != ((io->inverted >> pin) & 1u))
		io->pin_level |= 1u << pin;
	else
		io->pin_level &= ~(1u << pin);
	if (io->redirection[pin] & IOAPIC_RTE_LEVEL) {
		service_level_pin(io, pin);
	} else if (!was_asserted && pin_asserted(io, pin) && !(io->redirection[pin] & IOAPIC_RTE_MASKED)) {
		deliver_pin(io, pin);  /* an edge on a masked pin is lost */
	}
}

void ioapic_input_sink(void *io, unsigned pin, bool level)
{
	ioapic_set_input(io, pin, level);
}

void ioapic_wire_inverted(struct ioapic *io, unsigned pin)
{
	if (pin >= IOAPIC_PINS || (io->inverted & (1u << pin)))
		return;
	io->inverted |= 1u << pin;
	io->pin_level ^= 1u << pin;   /* the source is idle: the pin rests high */
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t *rte = &io->redirection[pin];

		if ((*rte & IOAPIC_RTE_VECTOR_MASK) != vector || !(*rte & IOAPIC_RTE_REMOTE_IRR))
			continue;
		*rte &= ~IOAPIC_RTE_REMOTE_IRR;
		service_level_pin(io, pin);
	}
}

static void write_redirection(struct ioapic *io, unsigned pin, bool high, uint32_t value)
{
	uint64_t *rte = &io->redirection[pin];

	if (high) {
		*rte = (*rte & 0xFFFFFFFFull) | (((uint64_t)value << 32) & (RTE_HIGH_WRITABLE << 32));
		return;
	}
	*rte = (*rte & ~RTE_LOW_WRITABLE) | (value & RTE_LOW_WRITABLE);
	/* Remote IRR is only meaningful for level-triggered entries. */
	if (!(*rte & IOAPIC_RTE_LEVEL))
		*rte &= ~IOAPIC_RTE_REMOTE_IRR;
	/* Unmasking an asserted level pin delivers it now. */
	service_level_pin(io, pin);
}

uint32_t ioapic_read_register(struct ioapic *io, uint32_t index)
{
	unsigned pin;

	switch (index) {
	case IOAPIC_REG_ID:
		return io->id;
	case IOAPIC_REG_VERSION:
		return IOAPIC_VERSION_VALUE;
	case IOAPIC_REG_ARBITRATION:
		return io->id; /* loaded from the ID; no bus arbitration here */
	default:
		break;
	}
	if (index >= IOAPIC_REG_REDIRECTION && index < IOAPIC_REG_REDIRECTION + 2 * IOAPIC_PINS) {
		pin = (index - IOAPIC_REG_REDIRECTION) / 2;
		if (index & 1)
			return (uint32_t)(io->redirection[pin] >> 32);
		return (uint32_t)io->redirection[pin];
	}
	ioapic_warn(io, "ioapic: read of register index %#x that does not exist", index);
	return 0;
}

void ioapic_write_register(struct ioapic *io, uint32_t index, uint32_t value)
{
	switch (index) {
	case IOAPIC_REG_ID:
		io->id = value & ID_WRITABLE;
		return;
	case IOAPIC_REG_VERSION:
	case IOAPIC_REG_ARBITRATION:
		ioapic_warn(io, "ioapic: write %#x to read-only register %#x ignored", value, index);
		return;
	default:
		break;
	}
	if (index >= IOAPIC_REG_REDIRECTION && index < IOAPIC_REG_REDIRECTION + 2 * IOAPIC_PINS) {
		write_redirection(io, (index - IOAPIC_REG_REDIRECTION) / 2, index & 1, value);
		return;
	}
	ioapic_warn(io, "ioapic: write %#x to register index %#x that does not exist", value, index);
}

static uint64_t ioapic_mmio_read(void *opaque, uint64_t offset, unsigned width)
{
	struct ioapic *io = opaque;

	(void)width; /* 32-bit only, by the rules */
	switch (offset) {
	case IOAPIC_IOREGSEL:
		return io->ioregsel;
	case IOAPIC_IOWIN:
		return ioapic_read_register(io, io->ioregsel);
	case IOAPIC_EOI:
		return 0; /* write-only */
	default:
		ioapic_warn(io, "ioapic: read at offset %#llx outside its registers", (unsigned long long)offset);
		return 0;
	}
}

static void ioapic_mmio_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct ioapic *io = opaque;

	(void)width;
	switch (offset) {
	case IOAPIC_IOREGSEL:
		io->ioregsel = (uint32_t)value & 0xFFu;
		break;
	case IOAPIC_IOWIN:
		ioapic_write_register(io, io->ioregsel, (uint32_t)value);
		break;
	case IOAPIC_EOI:
		ioapic_eoi(io, (uint8_t)value);
		break;
	default:
		ioapic_warn(io, "ioapic: write %#llx at offset %#llx outside its registers",
			    (unsigned long long)value, (unsigned long long)offset);
		break;
	}
}

static const struct bus_ops ioapic_bus_ops = {
	.read = ioapic_mmio_read,
	.write = ioapic_mmio_write,
};

static const struct bus_rules ioapic_rules = {
	.min_width = 4,
	.max_width = 4,
	.unaligned_ok = false,
	.oversize = BUS_OVERSIZE_REJECT,
	.undersize = BUS_UNDERSIZE_REJECT,
};

void ioapic_reset(struct ioapic *io)
{
	io->ioregsel = 0;
	io->id = 0;
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
		io->redirection[pin] = IOAPIC_RTE_MASKED;
}

int ioapic_init(struct ioapic *io, struct bus *bus, uint64_t base, const struct ioapic_ops *ops, void *ctx)
{
	memset(io, 0, sizeof(*io));
	io->base = base;
	io->ops = ops;
	io->ctx = ctx;
	ioapic_reset(io);
	if (!bus)
		return 0;
	io->bus = bus;
	return bus_register_mmio(bus, "ioapic", base, IOAPIC_MMIO_SIZE, &ioapic_bus_ops, io, &ioapic_rules);
}

struct ioapic *ioapic_create(struct bus *bus, uint64_t base, const struct ioapic_ops *ops, void *ctx)
{
	struct ioapic *io = kzalloc(sizeof(*io));
	int err;

	if (!io) {
		log_error("ioapic: out of memory");
		return NULL;
	}
	err = ioapic_init(io, bus, base, ops, ctx);
	if (err) {
		log_error("ioapic: cannot register its registers at %#llx (%d)", (unsigned long long)base, err);
		kfree(io);
		return NULL;
	}
	return io;
}

void ioapic_destroy(struct ioapic *io)
{
	if (!io)
		return;
	if (io->bus)
		bus_unregister(io->bus, BUS_SPACE_MMIO, io->base);
	kfree(io);
}
