/* SPDX-License-Identifier: MIT */
/*
 * 8259A PIC pair.  Priorities are handled relative to lowest_priority:
 * the input after it has the highest priority, so rotation only moves
 * that one number.
 */
#include <stdarg.h>
#include <string.h>
#include <core/log.h>
#include <core/mm.h>
#include <i8259/i8259.h>

#define MASTER 0
#define SLAVE 1
#define NO_IRQ (-1)

/* Guest mistakes are reported this often, then silenced. */
#define I8259_MAX_WARNINGS 16

static void __attribute__((format(printf, 2, 3)))
pic_warn(struct i8259 *pic, const char *fmt, ...)
{
	va_list ap;

	if (pic->warnings >= I8259_MAX_WARNINGS)
		return;
	pic->warnings++;
	va_start(ap, fmt);
	log_vprintf(LOG_WARN, fmt, ap);
	va_end(ap);
	if (pic->warnings == I8259_MAX_WARNINGS)
		log_warn("i8259: further guest errors are not reported");
}

static bool pin_is_level(const struct i8259_chip *c, unsigned pin)
{
	return c->level_all || (c->elcr & (1u << pin));
}

/* Priority rank (0 = highest) of the best input in mask; 8 if none. */
static unsigned best_rank(const struct i8259_chip *c, uint8_t mask)
{
	unsigned first = (c->lowest_priority + 1u) & 7u;

	for (unsigned rank = 0; rank < 8; rank++)
		if (mask & (1u << ((first + rank) & 7u)))
			return rank;
	return 8;
}

static unsigned rank_to_pin(const struct i8259_chip *c, unsigned rank)
{
	return (c->lowest_priority + 1u + rank) & 7u;
}

/* The input this chip would deliver now, or NO_IRQ. */
static int chip_pending(const struct i8259_chip *c, bool is_master)
{
	unsigned request = best_rank(c, c->irr & (uint8_t)~c->imr);
	uint8_t blocking = c->isr;

	if (request == 8)
		return NO_IRQ;
	/* Special mask mode lets masked in-service levels stop blocking. */
	if (c->special_mask)
		blocking &= (uint8_t)~c->imr;
	/* SFNM: a slave request may nest inside another slave request. */
	if (is_master && c->special_fully_nested)
		blocking &= (uint8_t)~(1u << I8259_CASCADE_PIN);
	if (request < best_rank(c, blocking))
		return (int)rank_to_pin(c, request);
	return NO_IRQ;
}

static void chip_set_pin(struct i8259_chip *c, unsigned pin, bool level)
{
	uint8_t mask = (uint8_t)(1u << pin);

	if (pin_is_level(c, pin)) {
		if (level)
			c->irr |= mask;
		else
			c->irr &= (uint8_t)~mask;
	} else if (level && !(c->pin_level & mask)) {
		c->irr |= mask;
	}
	if (level)
		c->pin_level |= mask;
	else
		c->pin_level &= (uint8_t)~mask;
}

/* Recomputes the slave's INT (master IR2) and the master's INT. */
static void pic_update(struct i8259 *pic)
{
	bool slave_int = chip_pending(&pic->chip[SLAVE], false) != NO_IRQ;

	chip_set_pin(&pic->chip[MASTER], I8259_CASCADE_PIN, slave_int);
	irq_line_set(&pic->intr, chip_pending(&pic->chip[MASTER], true) != NO_IRQ);
}

/* The chip side of INTA (also the poll command). */
static void chip_acknowledge(struct i8259_chip *c, unsigned pin)
{
	uint8_t mask = (uint8_t)(1u << pin);

	/* A level input keeps requesting for as long as it is high. */
	if (!pin_is_level(c, pin))
		c->irr &= (uint8_t)~mask;
	if (c->auto_eoi) {
		if (c->rotate_on_auto_eoi)
			c->lowest_priority = (uint8_t)pin;
	} else {
		c->isr |= mask;
	}
}

static void chip_reset(struct i8259_chip *c)
{
	uint8_t level_mask = c->elcr;

	c->irr = c->pin_level & level_mask;
	c->isr = 0;
	c->imr = 0;
	c->vector_base = 0;
	c->icw3 = 0;
	c->lowest_priority = 7;
	c->init_step = I8259_READY;
	c->icw4_needed = false;
	c->single = false;
	c->level_all = false;
	c->mode_8086 = true;
	c->auto_eoi = false;
	c->special_fully_nested = false;
	c->rotate_on_auto_eoi = false;
	c->special_mask = false;
	c->read_isr = false;
	c->poll = false;
}

static void write_icw1(struct i8259 *pic, struct i8259_chip *c, uint8_t value)
{
	c->icw4_needed = value & 0x01;
	c->single = value & 0x02;
	c->level_all = value & 0x08;
	c->isr = 0;
	c->imr = 0;
	c->lowest_priority = 7;
	c->special_mask = false;
	c->read_isr = false;
	c->poll = false;
	c->rotate_on_auto_eoi = false;
	/* Without ICW4 its functions are all zero. */
	c->mode_8086 = false;
	c->auto_eoi = false;
	c->special_fully_nested = false;
	/*
	 * The edge sense latches are reset: an edge input must rise again
	 * after initialization, a level input still asserted keeps requesting.
	 */
	c->irr = 0;
	for (unsigned pin = 0; pin < 8; pin++)
		if (pin_is_level(c, pin) && (c->pin_level & (1u << pin)))
			c->irr |= (uint8_t)(1u << pin);
	c->init_step = I8259_WAIT_ICW2;
	if (!c->icw4_needed)
		pic_warn(pic, "i8259: %s initialized without ICW4 (MCS-80 mode), vectors follow 8086 rules",
			 c == &pic->chip[MASTER] ? "master" : "slave");
}

static void write_ocw2(struct i8259_chip *c, uint8_t value)
{
	unsigned pin = value & 7u;
	unsigned rank;

	switch (value >> 5) {
	case 0: /* clear rotate in auto-EOI mode */
		c->rotate_on_auto_eoi = false;
		break;
	case 4: /* set rotate in auto-EOI mode */
		c->rotate_on_auto_eoi = true;
		break;
	case 1: /* non-specific EOI */
	case 5: /* rotate on non-specific EOI */
		rank = best_rank(c, c->isr);
		if (rank == 8)
			break; /* nothing in service: an extra EOI is harmless */
		pin = rank_to_pin(c, rank);
		c->isr &= (uint8_t)~(1u << pin);
		if (value >> 5 == 5)
			c->lowest_priority = (uint8_t)pin;
		break;
	case 3: /* specific EOI */
		c->isr &= (uint8_t)~(1u << pin);
		break;
	case 7: /* rotate on specific EOI */
		c->isr &= (uint8_t)~(1u << pin);
		c->lowest_priority = (uint8_t)pin;
		break;
	case 6: /* set priority */
		c->lowest_priority = (uint8_t)pin;
		break;
	default: /* 2: no operation */
		break;
	}
}

static void write_ocw3(struct i8259_chip *c, uint8_t value)
{
	if (value & 0x04)
		c->poll = true;
	if (value & 0x02)
		c->read_isr = value & 0x01;
	if (value & 0x40)
		c->special_mask = value & 0x20;
}

static void write_data(struct i8259 *pic, struct i8259_chip *c, bool is_master, uint8_t value)
{
	switch (c->init_step) {
	case I8259_WAIT_ICW2:
		c->vector_base = value & 0xF8;
		if (!c->single)
			c->init_step = I8259_WAIT_ICW3;
		else
			c->init_step = c->icw4_needed ? I8259_WAIT_ICW4 : I8259_READY;
		break;
	case I8259_WAIT_ICW3:
		c->icw3 = value;
		/* The wiring is fixed; a different ICW3 only means a confused guest. */
		if (is_master ? !(value & (1u << I8259_CASCADE_PIN)) : (value & 7u) != I8259_CASCADE_PIN)
			pic_warn(pic, "i8259: %s ICW3 %#x does not match the slave on IR2",
				 is_master ? "master" : "slave", value);
		c->init_step = c->icw4_needed ? I8259_WAIT_ICW4 : I8259_READY;
		break;
	case I8259_WAIT_ICW4:
		c->mode_8086 = value & 0x01;
		c->auto_eoi = value & 0x02;
		c->special_fully_nested = value & 0x10;
		c->init_step = I8259_READY;
		if (!c->mode_8086)
			pic_warn(pic, "i8259: %s ICW4 %#x selects MCS-80 mode, vectors follow 8086 rules",
				 is_master ? "master" : "slave", value);
		break;
	default:
		c->imr = value;
		break;
	}
}

static uint8_t chip_poll(struct i8259 *pic, struct i8259_chip *c, bool is_master)
{
	int pin = chip_pending(c, is_master);

	c->poll = false;
	if (pin == NO_IRQ)
		return 0x00;
	chip_acknowledge(c, (unsigned)pin);
	pic_update(pic);
	return (uint8_t)(0x80u | (unsigned)pin);
}

static uint64_t pic_read(struct i8259 *pic, unsigned index, uint64_t offset)
{
	struct i8259_chip *c = &pic->chip[index];

	if (c->poll)
		return chip_poll(pic, c, index == MASTER);
	if (offset == 0)
		return c->read_isr ? c->isr : c->irr;
	return c->imr;
}

static void pic_write(struct i8259 *pic, unsigned index, uint64_t offset, uint64_t value)
{
	struct i8259_chip *c = &pic->chip[index];
	uint8_t byte = (uint8_t)value;

	if (offset != 0)
		write_data(pic, c, index == MASTER, byte);
	else if (byte & 0x10)
		write_icw1(pic, c, byte);
	else if (byte & 0x08)
		write_ocw3(c, byte);
	else
		write_ocw2(c, byte);
	pic_update(pic);
}

static uint64_t master_read(void *opaque, uint64_t offset, unsigned width)
{
	(void)width;
	return pic_read(opaque, MASTER, offset);
}

static void master_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	(void)width;
	pic_write(opaque, MASTER, offset, value);
}

static uint64_t slave_read(void *opaque, uint64_t offset, unsigned width)
{
	(void)width;
	return pic_read(opaque, SLAVE, offset);
}

static void slave_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	(void)width;
	pic_write(opaque, SLAVE, offset, value);
}

static const struct bus_ops master_ops = { .read = master_read, .write = master_write };
static const struct bus_ops slave_ops = { .read = slave_read, .write = slave_write };

/* Byte registers; a wider access is split into byte accesses, like on ISA. */
static const struct bus_rules pic_rules = {
	.min_width = 1,
	.max_width = 1,
	.unaligned_ok = true,
	.oversize = BUS_OVERSIZE_SPLIT,
	.undersize = BUS_UNDERSIZE_EXTEND,
};

void i8259_reset(struct i8259 *pic)
{
	chip_reset(&pic->chip[MASTER]);
	chip_reset(&pic->chip[SLAVE]);
	pic_update(pic);
}

int i8259_init(struct i8259 *pic, struct bus *bus)
{
	int err;

	memset(pic, 0, sizeof(*pic));
	irq_line_init(&pic->intr, "i8259-int");
	i8259_reset(pic);
	if (!bus)
		return 0;
	err = bus_register_pio(bus, "i8259-master", I8259_MASTER_PORT, 2, &master_ops, pic, &pic_rules);
	if (err)
		return err;
	err = bus_register_pio(bus, "i8259-slave", I8259_SLAVE_PORT, 2, &slave_ops, pic, &pic_rules);
	if (err) {
		bus_unregister(bus, BUS_SPACE_PIO, I8259_MASTER_PORT);
		return err;
	}
	pic->bus = bus;
	return 0;
}

struct i8259 *i8259_create(struct bus *bus)
{
	struct i8259 *pic = kzalloc(sizeof(*pic));
	int err;

	if (!pic) {
		log_error("i8259: out of memory");
		return NULL;
	}
	err = i8259_init(pic, bus);
	if (err) {
		log_error("i8259: cannot register its ports (%d)", err);
		kfree(pic);
		return NULL;
	}
	return pic;
}

void i8259_destroy(struct i8259 *pic)
{
	if (!pic)
		return;
	if (pic->bus) {
		bus_unregister(pic->bus, BUS_SPACE_PIO, I8259_MASTER_PORT);
		bus_unregister(pic->bus, BUS_SPACE_PIO, I8259_SLAVE_PORT);
	}
	kfree(pic);
}

void i8259_set_input(struct i8259 *pic, unsigned pin, bool level)
{
	if (pin >= I8259_INPUTS || pin == I8259_CASCADE_PIN) {
		pic_warn(pic, "i8259: input %u cannot be driven by a device", pin);
		return;
	}
	chip_set_pin(&pic->chip[pin / 8], pin % 8, level);
	pic_update(pic);
}

void i8259_input_sink(void *pic, unsigned pin, bool level)
{
	i8259_set_input(pic, pin, level);
}

void i8259_set_elcr(struct i8259 *pic, uint16_t mask)
{
	mask &= (uint16_t)~(1u << I8259_CASCADE_PIN);
	for (unsigned index = 0; index < 2; index++) {
		struct i8259_chip *c = &pic->chip[index];

		c->elcr = (uint8_t)(mask >> (8 * index));
		/* A pin turned level-triggered requests exactly while high. */
		for (unsigned pin = 0; pin < 8; pin++)
			if (pin_is_level(c, pin))
				chip_set_pin(c, pin, c->pin_level & (1u << pin));
	}
	pic_update(pic);
}

bool i8259_has_interrupt(const struct i8259 *pic)
{
	return chip_pending(&pic->chip[MASTER], true) != NO_IRQ;
}

uint8_t i8259_acknowledge(struct i8259 *pic)
{
	struct i8259_chip *master = &pic->chip[MASTER];
	struct i8259_chip *slave = &pic->chip[SLAVE];
	int pin = chip_pending(master, true);
	uint8_t vector;

	if (pin == NO_IRQ) {
		/* The request went away between INT and INTA. */
		pic->spurious++;
		vector = (uint8_t)(master->vector_base + 7);
	} else if (pin == I8259_CASCADE_PIN && !master->single) {
		chip_acknowledge(master, I8259_CASCADE_PIN);
		pin = chip_pending(slave, false);
		if (pin == NO_IRQ) {
			pic->spurious++;
			vector = (uint8_t)(slave->vector_base + 7);
		} else {
			chip_acknowledge(slave, (unsigned)pin);
			vector = (uint8_t)(slave->vector_base + (unsigned)pin);
		}
		/*
		 * The slave's INT is seen afresh after INTA, so a request still
		 * pending there (auto-EOI, special mask) raises IR2 again.
		 */
		master->pin_level &= (uint8_t)~(1u << I8259_CASCADE_PIN);
	} else {
		chip_acknowledge(master, (unsigned)pin);
		vector = (uint8_t)(master->vector_base + (unsigned)pin);
	}
	pic_update(pic);
	return vector;
}
