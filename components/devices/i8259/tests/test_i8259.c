/* SPDX-License-Identifier: MIT */
/*
 * The PIC pair driven through the bus with the sequences SeaBIOS and
 * Linux use, and the INTA cycle as the vCPU's ExtINT path runs it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bus/bus.h>
#include <bus/irq.h>
#include <host/support.h>
#include <i8259/i8259.h>

struct cpu_pin {
	unsigned rising;
	bool level;
};

struct fixture {
	struct bus *bus;
	struct i8259 *pic;
	struct cpu_pin cpu;
	struct irq_line line[I8259_INPUTS];
};

static void cpu_sink(void *ctx, unsigned pin, bool level)
{
	struct cpu_pin *cpu = ctx;

	assert_int_equal(pin, 0);
	if (level && !cpu->level)
		cpu->rising++;
	cpu->level = level;
}

static struct fixture *fx(void **state)
{
	return *state;
}

static void outb(struct fixture *f, uint16_t port, uint8_t value)
{
	struct bus_access acc = {
		.space = BUS_SPACE_PIO, .dir = BUS_WRITE, .addr = port, .width = 1, .data = value,
	};

	assert_int_equal(bus_dispatch(f->bus, &acc), BUS_OK);
}

static uint8_t inb(struct fixture *f, uint16_t port)
{
	struct bus_access acc = {
		.space = BUS_SPACE_PIO, .dir = BUS_READ, .addr = port, .width = 1,
	};

	assert_int_equal(bus_dispatch(f->bus, &acc), BUS_OK);
	return (uint8_t)acc.data;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->bus = bus_create("test");
	assert_non_null(f->bus);
	f->pic = i8259_create(f->bus);
	assert_non_null(f->pic);
	irq_line_connect(&f->pic->intr, cpu_sink, &f->cpu, 0);
	for (unsigned pin = 0; pin < I8259_INPUTS; pin++) {
		irq_line_init(&f->line[pin], "test-irq");
		if (pin != I8259_CASCADE_PIN)
			irq_line_connect(&f->line[pin], i8259_input_sink, f->pic, pin);
	}
	host_console_clear();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	i8259_destroy(f->pic);
	bus_destroy(f->bus);
	free(f);
	return 0;
}

/* seabios:src/hw/pic.c pic_setup: vectors 0x08/0x70, all masked but IR2. */
static void seabios_pic_setup(struct fixture *f)
{
	outb(f, 0x20, 0x11);
	outb(f, 0xA0, 0x11);
	outb(f, 0x21, 0x08);
	outb(f, 0xA1, 0x70);
	outb(f, 0x21, 0x04);
	outb(f, 0xA1, 0x02);
	outb(f, 0x21, 0x01);
	outb(f, 0xA1, 0x01);
	outb(f, 0x21, 0xFB);
	outb(f, 0xA1, 0xFF);
}

static uint8_t read_isr(struct fixture *f, uint16_t cmd_port)
{
	uint8_t isr;

	outb(f, cmd_port, 0x0B);
	isr = inb(f, cmd_port);
	outb(f, cmd_port, 0x0A);
	return isr;
}

static void test_seabios_pic_setup(void **state)
{
	struct fixture *f = fx(state);

	seabios_pic_setup(f);
	assert_int_equal(f->pic->chip[0].vector_base, 0x08);
	assert_int_equal(f->pic->chip[1].vector_base, 0x70);
	assert_int_equal(f->pic->chip[0].init_step, I8259_READY);
	assert_int_equal(f->pic->chip[1].init_step, I8259_READY);
	assert_true(f->pic->chip[0].mode_8086);
	assert_false(f->pic->chip[0].auto_eoi);
	assert_int_equal(inb(f, 0x21), 0xFB);
	assert_int_equal(inb(f, 0xA1), 0xFF);
	assert_int_equal(inb(f, 0x20), 0x00);
	assert_int_equal(inb(f, 0xA0), 0x00);
	assert_false(i8259_has_interrupt(f->pic));
	assert_string_equal(host_console_text(), "");
}

/* linux:arch/x86/kernel/i8259.c probe_8259A, init_8259A, mask_and_ack_8259A */
static void test_linux_init_8259A(void **state)
{
	struct fixture *f = fx(state);

	/* probe: the master IMR must read back what was written */
	outb(f, 0xA1, 0xFF);
	outb(f, 0x21, 0xFB);
	assert_int_equal(inb(f, 0x21), 0xFB);

	outb(f, 0x21, 0xFF);
	outb(f, 0x20, 0x11);
	outb(f, 0x21, 0x30);
	outb(f, 0x21, 1u << 2);
	outb(f, 0x21, 0x01);
	outb(f, 0xA0, 0x11);
	outb(f, 0xA1, 0x38);
	outb(f, 0xA1, 2);
	outb(f, 0xA1, 0x01);
	/* ICW1 cleared the masks; Linux restores its cached ones */
	assert_int_equal(inb(f, 0x21), 0x00);
	outb(f, 0x21, 0xFB);
	outb(f, 0xA1, 0xFF);
	assert_string_equal(host_console_text(), "");

	/* keyboard IRQ 1 enabled, a key press */
	outb(f, 0x21, 0xF9);
	irq_line_pulse(&f->line[1]);
	assert_true(f->cpu.level);
	assert_int_equal(i8259_acknowledge(f->pic), 0x31);
	assert_false(f->cpu.level);
	assert_int_equal(read_isr(f, 0x20), 0x02);
	/* mask_and_ack: mask, then specific EOI 0x60 + irq */
	(void)inb(f, 0x21);
	outb(f, 0x21, 0xFB);
	outb(f, 0x20, 0x60 + 1);
	assert_int_equal(read_isr(f, 0x20), 0x00);

	/* RTC IRQ 8 through the cascade: slave EOI, then master EOI on IR2 */
	outb(f, 0xA1, 0xFE);
	irq_line_pulse(&f->line[8]);
	assert_true(i8259_has_interrupt(f->pic));
	assert_int_equal(i8259_acknowledge(f->pic), 0x38);
	assert_int_equal(read_isr(f, 0xA0), 0x01);
	assert_int_equal(read_isr(f, 0x20), 0x04);
	(void)inb(f, 0xA1);
	outb(f, 0xA1, 0xFF);
	outb(f, 0xA0, 0x60 + 0);
	outb(f, 0x20, 0x60 + 2);
	assert_int_equal(read_isr(f, 0xA0), 0x00);
	assert_int_equal(read_isr(f, 0x20), 0x00);
}

static void test_edge_irq0_vector_08(void **state)
{
	struct fixture *f = fx(state);

	seabios_pic_setup(f);
	outb(f, 0x21, 0xFA);
	assert_false(f->cpu.level);
	irq_line_pulse(&f->line[0]);
	assert_true(f->cpu.level);
	assert_int_equal(f->cpu.rising, 1);
	assert_true(i8259_has_interrupt(f->pic));
	assert_int_equal(inb(f, 0x20), 0x01); /* IRR */

	assert_int_equal(i8259_acknowledge(f->pic), 0x08);
	assert_false(f->cpu.level);
	assert_int_equal(inb(f, 0x20), 0x00);
	assert_int_equal(read_isr(f, 0x20), 0x01);

	/* the next tick while IRQ 0 is in service waits for the EOI */
	irq_line_pulse(&f->line[0]);
	assert_int_equal(inb(f, 0x20), 0x01);
	assert_false(f->cpu.level);
	outb(f, 0x20, 0x20); /* non-specific EOI */
	assert_int_equal(read_isr(f, 0x20), 0x00);
	assert_true(f->cpu.level);
	assert_int_equal(f->cpu.rising, 2);
	assert_int_equal(i8259_acknowledge(f->pic), 0x08);
	outb(f, 0x20, 0x20);
	assert_false(i8259_has_interrupt(f->pic));
	assert_int_equal(f->pic->spurious, 0);
}

static void test_edge_needs_new_rising_edge(void **state)
{
	struct fixture *f = fx(state);

	seabios_pic_setup(f);
	outb(f, 0x21, 0xF8);
	irq_line_raise(&f->line[1]);
	assert_int_equal(i8259_acknowledge(f->pic), 0x09);
	outb(f, 0x20, 0x20);
	/* still high: no new request */
	assert_false(f->cpu.level);
	irq_line_lower(&f->line[1]);
	assert_false(f->cpu.level);
	irq_line_raise(&f->line[1]);
	assert_true(f->cpu.level);
	assert_int_equal(i8259_acknowledge(f->pic), 0x09);

	/* ICW1 resets the edge latches: a high input must rise again */
	outb(f, 0x20, 0x20);
	irq_line_lower(&f->line[1]);
	irq_line_pulse(&f->line[0]);
	irq_line_raise(&f->line[1]);
	outb(f, 0x20, 0x11);
	outb(f, 0x21, 0x08);
	outb(f, 0x21, 0x04);
	outb(f, 0x21, 0x01);
	assert_int_equal(inb(f, 0x20), 0x00);
	assert_false(f->cpu.level);
	irq_line_lower(&f->line[1]);
	irq_line_raise(&f->line[1]);
	assert_int_equal(inb(f, 0x20), 0x02);
	assert_int_equal(i8259_acknowledge(f->pic), 0x09);
}

static void test_priority_between_two_pending(void **state)
{
	struct fixture *f = fx(state);

	seabios_pic_setup(f);
	outb(f, 0x21, 0x00);
	irq_line_pulse(&f->line[3]);
	irq_line_pulse(&f->line[1]);
	assert_int_equal(inb(f, 0x20), 0x0A);
	assert_int_equal(i8259_acknowledge(f->pic), 0x09);
	/* IRQ 3 has lower priority than IRQ 1 in service */
	assert_false(f->cpu.level);
	outb(f, 0x20, 0x20);
	assert_true(f->cpu.level);
	assert_int_equal(i8259_acknowledge(f->pic), 0x0B);
	assert_int_equal(read_isr(f, 0x20), 0x08);

	/* a higher-priority request nests inside IRQ 3 */
	irq_line_pulse(&f->line[0]);
	assert_true(f->cpu.level);
	assert_int_equal(i8259_acknowledge(f->pic), 0x08);
	assert_int_equal(read_isr(f, 0x20), 0x09);
	/* a non-specific EOI ends the highest level in service first */
	outb(f, 0x20, 0x20);
	assert_int_equal(read_isr(f, 0x20), 0x08);
	outb(f, 0x20, 0x20);
	assert_int_equal(read_isr(f, 0x20), 0x00);
	/* an EOI with nothing in service changes nothing */
	outb(f, 0x20, 0x20);
	assert_int_equal(read_isr(f, 0x20), 0x00);
}

static void test_slave_irq8_through_cascade(void **state)
{
	struct fixture *f = fx(state);

	seabios_pic_setup(f);
	outb(f, 0xA1, 0xFE);
	irq_line_pulse(&f->line[8]);
	assert_true(f->cpu.level);
	assert_int_equal(inb(f, 0xA0), 0x01);
	assert_int_equal(inb(f, 0x20), 0x04);
	assert_int_equal(i8259_acknowledge(f->pic), 0x70);
	assert_false(f->cpu.level);
	assert_int_equal(read_isr(f, 0xA0), 0x01);
	assert_int_equal(read_isr(f, 0x20), 0x04);
	assert_int_equal(inb(f, 0xA0), 0x00);

	/* a second slave request waits for both EOIs */
	outb(f, 0xA1, 0xF6);
	irq_line_pulse(&f->line[11]);
	assert_false(f->cpu.level);
	outb(f, 0xA0, 0x20);
	assert_false(f->cpu.level); /* master IR2 still in service */
	outb(f, 0x20, 0x20);
	assert_true(f->cpu.level);
	assert_int_equal(i8259_acknowledge(f->pic), 0x73);
	outb(f, 0xA0, 0x20);
	outb(f, 0x20, 0x20);

	/* a masked slave input does not reach the master */
	outb(f, 0xA1, 0xFF);
	irq_line_pulse(&f->line[9]);
	assert_false(f->cpu.level);
	assert_int_equal(inb(f, 0xA0), 0x02);
	outb(f, 0xA1, 0xFD);
	assert_true(f->cpu.level);
	assert_int_equal(i8259_acknowledge(f->pic), 0x71);
}

static void test_level_triggered_with_elcr(void **state)
{
	struct fixture *f = fx(state);

	seabios_pic_setup(f);
	/* PCI INTx on IRQ 11 and IRQ 5, as SeaBIOS programs the PIIX ELCR */
	i8259_set_elcr(f->pic, (1u << 11) | (1u << 5));
	outb(f, 0x21, 0xDB);
	outb(f, 0xA1, 0xF7);

	irq_line_raise(&f->line[11]);
	assert_true(f->cpu.level);
	assert_int_equal(i8259_acknowledge(f->pic), 0x73);
	/* the request stays in IRR while the line is high */
	assert_int_equal(inb(f, 0xA0), 0x08);
	outb(f, 0xA0, 0x20);
	outb(f, 0x20, 0x20);
	/* the device was not serviced: the same interrupt again */
	assert_true(f->cpu.level);
	assert_int_equal(i8259_acknowledge(f->pic), 0x73);
	irq_line_lower(&f->line[11]);
	assert_int_equal(inb(f, 0xA0), 0x00);
	outb(f, 0xA0, 0x20);
	outb(f, 0x20, 0x20);
	assert_false(f->cpu.level);

	/* the request disappears before INTA: spurious IRQ 7 */
	irq_line_raise(&f->line[5]);
	assert_true(f->cpu.level);
	irq_line_lower(&f->line[5]);
	assert_false(f->cpu.level);
	assert_int_equal(i8259_acknowledge(f->pic), 0x0F);
	assert_int_equal(f->pic->spurious, 1);
	assert_int_equal(read_isr(f, 0x20), 0x00);

	/* switching an input to level-triggered drops a stale edge latch */
	outb(f, 0xA1, 0xFF);
	irq_line_pulse(&f->line[10]);
	assert_int_equal(inb(f, 0xA0), 0x04);
	i8259_set_elcr(f->pic, 1u << 10);
	assert_int_equal(inb(f, 0xA0), 0x00);
	irq_line_raise(&f->line[10]);
	assert_int_equal(inb(f, 0xA0), 0x04);
	irq_line_lower(&f->line[10]);
	assert_int_equal(inb(f, 0xA0), 0x00);
	/* the cascade input cannot be made level-triggered */
	i8259_set_elcr(f->pic, 0xFFFF);
	assert_int_equal(f->pic->chip[0].elcr, 0xFB);
	assert_int_equal(f->pic->chip[1].elcr, 0xFF);
}

static void test_level_triggered_by_icw1_ltim(void **state)
{
	struct fixture *f = fx(state);

	irq_line_raise(&f->line[4]);
	outb(f, 0x20, 0x19); /* LTIM, cascade, ICW4 */
	outb(f, 0x21, 0x20);
	outb(f, 0x21, 0x04);
	outb(f, 0x21, 0x01);
	assert_true(f->pic->chip[0].level_all);
	/* a level input still asserted keeps requesting through ICW1 */
	assert_int_equal(inb(f, 0x20), 0x10);
	assert_int_equal(i8259_acknowledge(f->pic), 0x24);
	outb(f, 0x20, 0x20);
	assert_true(f->cpu.level);
	irq_line_lower(&f->line[4]);
	assert_false(f->cpu.level);
}

static void test_read_irr_isr_via_ocw3(void **state)
{
	struct fixture *f = fx(state);

	seabios_pic_setup(f);
	outb(f, 0x21, 0xF0);
	irq_line_pulse(&f->line[1]);
	irq_line_pulse(&f->line[3]);
	assert_int_equal(i8259_acknowledge(f->pic), 0x09);
	/* IRR is selected after initialization */
	assert_int_equal(inb(f, 0x20), 0x08);
	outb(f, 0x20, 0x0B);
	assert_int_equal(inb(f, 0x20), 0x02);
	/* the selection sticks until changed; OCW3 without RR keeps it */
	assert_int_equal(inb(f, 0x20), 0x02);
	outb(f, 0x20, 0x08);
	assert_int_equal(inb(f, 0x20), 0x02);
	outb(f, 0x20, 0x0A);
	assert_int_equal(inb(f, 0x20), 0x08);
	/* the data port reads IMR regardless */
	assert_int_equal(inb(f, 0x21), 0xF0);
}

static void test_masking(void **state)
{
	struct fixture *f = fx(state);

	seabios_pic_setup(f);
	irq_line_pulse(&f->line[1]);
	/* latched but masked */
	assert_int_equal(inb(f, 0x20), 0x02);
	assert_false(f->cpu.level);
	outb(f, 0x21, 0xF9);
	assert_true(f->cpu.level);
	/* masked again between INT and INTA: spurious IRQ 7, ISR bit 7 clear */
	outb(f, 0x21, 0xFB);
	assert_false(f->cpu.level);
	assert_int_equal(i8259_acknowledge(f->pic), 0x0F);
	assert_int_equal(read_isr(f, 0x20), 0x00);
	assert_int_equal(f->pic->spurious, 1);
	/* the request survived and is delivered when unmasked */
	outb(f, 0x21, 0xF9);
	assert_int_equal(i8259_acknowledge(f->pic), 0x09);
}

static void test_spurious_irq15(void **state)
{
	struct fixture *f = fx(state);

	seabios_pic_setup(f);
	i8259_set_elcr(f->pic, 1u << 14);
	outb(f, 0xA1, 0xBF);
	irq_line_raise(&f->line[14]);
	assert_true(f->cpu.level);
	/* the master has latched the slave's INT edge; the slave request goes */
	irq_line_lower(&f->line[14]);
	assert_int_equal(inb(f, 0x20), 0x04);
	assert_int_equal(i8259_acknowledge(f->pic), 0x77);
	assert_int_equal(f->pic->spurious, 1);
	assert_int_equal(read_isr(f, 0xA0), 0x00);
	/* the master did acknowledge IR2: the guest must EOI the master */
	assert_int_equal(read_isr(f, 0x20), 0x04);
	outb(f, 0x20, 0x62);
	assert_int_equal(read_isr(f, 0x20), 0x00);
}

static void test_auto_eoi(void **state)
{
	struct fixture *f = fx(state);

	/* Linux init_8259A(auto_eoi = 1): master ICW4 = 0x03 */
	outb(f, 0x20, 0x11);
	outb(f, 0x21, 0x30);
	outb(f, 0x21, 0x04);
	outb(f, 0x21, 0x03);
	assert_true(f->pic->chip[0].auto_eoi);
	outb(f, 0x21, 0xEA);
	irq_line_pulse(&f->line[0]);
	assert_int_equal(i8259_acknowledge(f->pic), 0x30);
	assert_int_equal(read_isr(f, 0x20), 0x00);
	/* no EOI needed for the next tick */
	irq_line_pulse(&f->line[0]);
	assert_true(f->cpu.level);
	assert_int_equal(i8259_acknowledge(f->pic), 0x30);

	/* rotate in auto-EOI mode: a serviced input becomes lowest priority */
	outb(f, 0x20, 0x80);
	irq_line_pulse(&f->line[0]);
	irq_line_pulse(&f->line[4]);
	assert_int_equal(i8259_acknowledge(f->pic), 0x30);
	irq_line_pulse(&f->line[0]);
	assert_int_equal(i8259_acknowledge(f->pic), 0x34);
	assert_int_equal(i8259_acknowledge(f->pic), 0x30);
	/* clear rotate in auto-EOI mode: IRQ 0 stays lowest, 4 keeps its rank */
	outb(f, 0x20, 0x00);
	outb(f, 0x21, 0xCA);
	irq_line_pulse(&f->line[4]);
	assert_int_equal(i8259_acknowledge(f->pic), 0x34);
	irq_line_pulse(&f->line[5]);
	irq_line_pulse(&f->line[4]);
	assert_int_equal(i8259_acknowledge(f->pic), 0x34);
	assert_int_equal(i8259_acknowledge(f->pic), 0x35);
	assert_int_equal(read_isr(f, 0x20), 0x00);
}

static void test_auto_eoi_slave_keeps_cascade(void **state)
{
	struct fixture *f = fx(state);

	seabios_pic_setup(f);
	outb(f, 0xA0, 0x11);
	outb(f, 0xA1, 0x70);
	outb(f, 0xA1, 0x02);
	outb(f, 0xA1, 0x03);
	outb(f, 0x21, 0xFB);
	outb(f, 0xA1, 0xFC);
	irq_line_pulse(&f->line[8]);
	irq_line_pulse(&f->line[9]);
	assert_int_equal(i8259_acknowledge(f->pic), 0x70);
	outb(f, 0x20, 0x20);
	/* the slave still requests IRQ 9: IR2 is raised again */
	assert_true(f->cpu.level);
	assert_int_equal(i8259_acknowledge(f->pic), 0x71);
	outb(f, 0x20, 0x20);
	assert_false(f->cpu.level);
}

static void test_poll_mode(void **state)
{
	struct fixture *f = fx(state);

	seabios_pic_setup(f);
	outb(f, 0x21, 0xE3);
	outb(f, 0x20, 0x0C);
	assert_int_equal(inb(f, 0x20), 0x00); /* no request */
	irq_line_pulse(&f->line[4]);
	irq_line_pulse(&f->line[3]);
	outb(f, 0x20, 0x0C);
	assert_int_equal(inb(f, 0x20), 0x83);
	assert_int_equal(read_isr(f, 0x20), 0x08);
	/* the poll byte is read once; the next read is IRR again */
	assert_int_equal(inb(f, 0x20), 0x10);
	outb(f, 0x20, 0x20);
	/* polling through the data port works as well */
	outb(f, 0x20, 0x0C);
	assert_int_equal(inb(f, 0x21), 0x84);
	assert_int_equal(inb(f, 0x21), 0xE3);
	assert_int_equal(read_isr(f, 0x20), 0x10);
	/* the slave is polled on its own */
	outb(f, 0xA1, 0xFB);
	irq_line_pulse(&f->line[10]);
	outb(f, 0xA0, 0x0C);
	assert_int_equal(inb(f, 0xA0), 0x82);
	assert_int_equal(read_isr(f, 0xA0), 0x04);
}

static void test_rotation_commands(void **state)
{
	struct fixture *f = fx(state);

	seabios_pic_setup(f);
	outb(f, 0x21, 0x00);
	/* rotate on non-specific EOI: IRQ 1 becomes the lowest */
	irq_line_pulse(&f->line[1]);
	assert_int_equal(i8259_acknowledge(f->pic), 0x09);
	outb(f, 0x20, 0xA0);
	assert_int_equal(f->pic->chip[0].lowest_priority, 1);
	irq_line_pulse(&f->line[0]);
	irq_line_pulse(&f->line[5]);
	/* order is now 2..7, 0, 1 */
	assert_int_equal(i8259_acknowledge(f->pic), 0x0D);
	/* rotate on specific EOI for 5: order 6, 7, 0 .. 5 */
	outb(f, 0x20, 0xE5);
	assert_int_equal(read_isr(f, 0x20), 0x00);
	irq_line_pulse(&f->line[7]);
	assert_int_equal(i8259_acknowledge(f->pic), 0x0F);
	assert_int_equal(read_isr(f, 0x20), 0x80); /* a real IRQ 7, in service */
	outb(f, 0x20, 0x67);
	/* set priority: bottom = 3, so the order is 4 .. 7, 0 .. 3 */
	outb(f, 0x20, 0xC3);
	assert_int_equal(i8259_acknowledge(f->pic), 0x08);
	irq_line_pulse(&f->line[4]);
	assert_true(f->cpu.level);
	assert_int_equal(i8259_acknowledge(f->pic), 0x0C);
	assert_int_equal(read_isr(f, 0x20), 0x11);
	irq_line_pulse(&f->line[3]);
	/* non-specific EOI ends IRQ 4, the highest in service in this order */
	outb(f, 0x20, 0x20);
	assert_int_equal(read_isr(f, 0x20), 0x01);
	outb(f, 0x20, 0x40); /* no operation */
	assert_int_equal(read_isr(f, 0x20), 0x01);
	assert_false(f->cpu.level); /* IRQ 3 is the lowest now */
	outb(f, 0x20, 0x20);
	assert_true(f->cpu.level);
	assert_int_equal(i8259_acknowledge(f->pic), 0x0B);
}

static void test_special_mask_mode(void **state)
{
	struct fixture *f = fx(state);

	seabios_pic_setup(f);
	outb(f, 0x21, 0x00);
	irq_line_pulse(&f->line[3]);
	assert_int_equal(i8259_acknowledge(f->pic), 0x0B);
	irq_line_pulse(&f->line[5]);
	assert_false(f->cpu.level);
	/* the handler masks its own level and enables special mask mode */
	outb(f, 0x21, 0x08);
	outb(f, 0x20, 0x68);
	assert_true(f->pic->chip[0].special_mask);
	assert_true(f->cpu.level);
	assert_int_equal(i8259_acknowledge(f->pic), 0x0D);
	assert_int_equal(read_isr(f, 0x20), 0x28);
	outb(f, 0x20, 0x65);
	outb(f, 0x20, 0x48);
	assert_false(f->pic->chip[0].special_mask);
	/* SMM off: IRQ 3 in service blocks lower levels again */
	irq_line_pulse(&f->line[6]);
	assert_false(f->cpu.level);
	outb(f, 0x20, 0x63);
	assert_true(f->cpu.level);
}

static void test_special_fully_nested(void **state)
{
	struct fixture *f = fx(state);

	seabios_pic_setup(f);
	outb(f, 0x20, 0x11);
	outb(f, 0x21, 0x08);
	outb(f, 0x21, 0x04);
	outb(f, 0x21, 0x11); /* SFNM */
	outb(f, 0x21, 0xFB);
	outb(f, 0xA1, 0x00);
	irq_line_pulse(&f->line[12]);
	assert_int_equal(i8259_acknowledge(f->pic), 0x74);
	/* a higher slave request nests through the in-service cascade */
	irq_line_pulse(&f->line[8]);
	assert_true(f->cpu.level);
	assert_int_equal(i8259_acknowledge(f->pic), 0x70);
	assert_int_equal(read_isr(f, 0xA0), 0x11);

	/* without SFNM the same request waits for the master EOI */
	seabios_pic_setup(f);
	outb(f, 0xA1, 0x00);
	irq_line_pulse(&f->line[12]);
	assert_int_equal(i8259_acknowledge(f->pic), 0x74);
	irq_line_pulse(&f->line[8]);
	assert_false(f->cpu.level);
}

static void test_single_mode_and_mcs80_warn(void **state)
{
	struct fixture *f = fx(state);

	/* single, no ICW4: ICW2 completes the sequence */
	outb(f, 0x20, 0x12);
	outb(f, 0x21, 0x40);
	assert_int_equal(f->pic->chip[0].init_step, I8259_READY);
	assert_non_null(strstr(host_console_text(), "without ICW4"));
	outb(f, 0x21, 0xFB);
	assert_int_equal(inb(f, 0x21), 0xFB);
	/* in single mode IR2 is an ordinary input of this chip */
	outb(f, 0xA1, 0xFE);
	outb(f, 0x21, 0xFA);
	irq_line_pulse(&f->line[8]);
	assert_int_equal(i8259_acknowledge(f->pic), 0x42);

	/* single with ICW4 skips ICW3 */
	outb(f, 0x20, 0x13);
	outb(f, 0x21, 0x50);
	assert_int_equal(f->pic->chip[0].init_step, I8259_WAIT_ICW4);
	host_console_clear();
	outb(f, 0x21, 0x00);
	assert_non_null(strstr(host_console_text(), "MCS-80"));
	assert_int_equal(f->pic->chip[0].init_step, I8259_READY);

	/* cascade without ICW4 ends after ICW3 */
	outb(f, 0x20, 0x10);
	outb(f, 0x21, 0x08);
	outb(f, 0x21, 0x04);
	assert_int_equal(f->pic->chip[0].init_step, I8259_READY);
}

static void test_bad_icw3_and_inputs_reported(void **state)
{
	struct fixture *f = fx(state);

	outb(f, 0x20, 0x11);
	outb(f, 0x21, 0x08);
	outb(f, 0x21, 0x08);
	outb(f, 0x21, 0x01);
	assert_non_null(strstr(host_console_text(), "master ICW3 0x8"));
	outb(f, 0xA0, 0x11);
	outb(f, 0xA1, 0x70);
	outb(f, 0xA1, 0x03);
	outb(f, 0xA1, 0x01);
	assert_non_null(strstr(host_console_text(), "slave ICW3 0x3"));

	host_console_clear();
	i8259_set_input(f->pic, 2, true);
	i8259_set_input(f->pic, 16, true);
	assert_non_null(strstr(host_console_text(), "input 2 cannot"));
	assert_non_null(strstr(host_console_text(), "input 16 cannot"));
	assert_int_equal(f->pic->chip[0].irr, 0);
	/* reports stop after a while; the guest cannot flood the log */
	for (unsigned i = 0; i < 100; i++)
		i8259_set_input(f->pic, 99, true);
	assert_int_equal(f->pic->warnings, 16);
	assert_non_null(strstr(host_console_text(), "not reported"));
	host_console_clear();
	i8259_set_input(f->pic, 99, true);
	assert_string_equal(host_console_text(), "");
}

static void test_word_access_and_reset(void **state)
{
	struct fixture *f = fx(state);
	struct bus_access acc = {
		.space = BUS_SPACE_PIO, .dir = BUS_READ, .addr = 0x20, .width = 2,
	};

	seabios_pic_setup(f);
	irq_line_pulse(&f->line[1]);
	/* a word read at 0x20 is IRR then IMR */
	assert_int_equal(bus_dispatch(f->bus, &acc), BUS_OK);
	assert_int_equal(acc.data, 0xFB02);

	i8259_reset(f->pic);
	assert_int_equal(f->pic->chip[0].vector_base, 0);
	assert_int_equal(inb(f, 0x21), 0x00);
	assert_int_equal(inb(f, 0x20), 0x00);
	assert_false(f->cpu.level);
}

static void test_create_conflict_and_in_place(void **state)
{
	struct fixture *f = fx(state);
	struct i8259 local;

	/* the ports are taken by the fixture's PIC */
	assert_null(i8259_create(f->bus));
	assert_non_null(strstr(host_console_text(), "cannot register"));
	/* no bus: usable without ports */
	assert_int_equal(i8259_init(&local, NULL), 0);
	i8259_set_input(&local, 3, true);
	assert_true(i8259_has_interrupt(&local));
	assert_int_equal(i8259_acknowledge(&local), 3);
	i8259_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seabios_pic_setup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linux_init_8259A, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edge_irq0_vector_08, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edge_needs_new_rising_edge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_priority_between_two_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slave_irq8_through_cascade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_triggered_with_elcr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_triggered_by_icw1_ltim, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_irr_isr_via_ocw3, setup, teardown),
		cmocka_unit_test_setup_teardown(test_masking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spurious_irq15, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_eoi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_eoi_slave_keeps_cascade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_special_mask_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_special_fully_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_mode_and_mcs80_warn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_icw3_and_inputs_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_word_access_and_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_conflict_and_in_place, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
