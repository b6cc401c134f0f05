/* SPDX-License-Identifier: MIT */
/*
 * The 8042 keyboard controller: command byte, self-tests, an idle AT
 * keyboard, the output port (A20, reset) and the reset pulse 0xFE.
 * Commands complete at once, so IBF never shows; replies wait in a small
 * output queue, one byte visible at a time through OBF.
 */
#include <stddef.h>

#include <bus/bus.h>
#include <core/log.h>
#include <core/mm.h>
#include <i8042/i8042.h>
#include <errno.h>
#include <bus/device.h>

#define REPORT_LIMIT 10

/* Controller commands (port 0x64). */
#define CMD_READ_COMMAND_BYTE  0x20
#define CMD_WRITE_COMMAND_BYTE 0x60
#define CMD_AUX_DISABLE        0xA7
#define CMD_AUX_ENABLE         0xA8
#define CMD_AUX_TEST           0xA9
#define CMD_SELF_TEST          0xAA
#define CMD_KBD_TEST           0xAB
#define CMD_KBD_DISABLE        0xAD
#define CMD_KBD_ENABLE         0xAE
#define CMD_READ_INPUT_PORT    0xC0
#define CMD_READ_OUTPUT_PORT   0xD0
#define CMD_WRITE_OUTPUT_PORT  0xD1
#define CMD_WRITE_KBD_BUFFER   0xD2
#define CMD_WRITE_AUX_BUFFER   0xD3
#define CMD_WRITE_AUX          0xD4
#define CMD_A20_DISABLE        0xDD
#define CMD_A20_ENABLE         0xDF

/* Keyboard commands and answers (port 0x60). */
#define KBD_SET_LEDS     0xED
#define KBD_ECHO         0xEE
#define KBD_SCANCODE_SET 0xF0
#define KBD_IDENTIFY     0xF2
#define KBD_TYPEMATIC    0xF3
#define KBD_RESET        0xFF
#define KBD_ACK          0xFA
#define KBD_BAT_OK       0xAA
#define SELF_TEST_OK     0x55

/* Output port at power-on: reset line high, A20 on, the unused lines high (as QEMU). */
#define OUTPUT_PORT_POWER_ON 0xCF

static void update_irq(struct i8042 *kbc)
{
	irq_line_set(&kbc->irq, kbc->count && (kbc->command_byte & I8042_CTR_KBD_INT));
}

static void queue_byte(struct i8042 *kbc, uint8_t b)
{
	if (kbc->count == I8042_QUEUE_SIZE)
		return;     /* the guest stopped reading: newest bytes are lost, as on hardware */
	kbc->queue[(kbc->head + kbc->count) % I8042_QUEUE_SIZE] = b;
	kbc->count++;
	kbc->status |= I8042_STATUS_OBF;
	update_irq(kbc);
}

static void request_reset(struct i8042 *kbc)
{
	kbc->resets_requested++;
	log_limited(&kbc->reset_reports, LOG_INFO, "i8042: guest pulsed the reset line");
	if (kbc->cb.reset)
		kbc->cb.reset(kbc->cb.ctx);
}

static void write_output_port(struct i8042 *kbc, uint8_t value)
{
	uint8_t old = kbc->output_port;

	kbc->output_port = value;
	if ((old ^ value) & I8042_OUT_A20) {
		log_debug("i8042: A20 %s", value & I8042_OUT_A20 ? "enabled" : "masked");
		if (kbc->cb.a20_changed)
			kbc->cb.a20_changed(kbc->cb.ctx, value & I8042_OUT_A20);
	}
	if (!(value & I8042_OUT_RESET_HIGH)) {
		/* The line is only held low for the pulse; it reads high afterwards. */
		kbc->output_port |= I8042_OUT_RESET_HIGH;
		request_reset(kbc);
	}
}

static void warn(struct i8042 *kbc, const char *what, uint8_t value)
{
	if (kbc->warnings++ < REPORT_LIMIT)
		log_warn("i8042: %s 0x%02x ignored", what, value);
}

static void controller_command(struct i8042 *kbc, uint8_t cmd)
{
	switch (cmd) {
	case CMD_READ_COMMAND_BYTE:
		queue_byte(kbc, kbc->command_byte);
		return;
	case CMD_WRITE_COMMAND_BYTE:
	case CMD_WRITE_OUTPUT_PORT:
	case CMD_WRITE_KBD_BUFFER:
	case CMD_WRITE_AUX_BUFFER:
	case CMD_WRITE_AUX:
		kbc->pending_command = cmd;
		return;
	case CMD_AUX_DISABLE:
		kbc->command_byte |= I8042_CTR_AUX_DISABLE;
		return;
	case CMD_AUX_ENABLE:
		kbc->command_byte &= (uint8_t)~I8042_CTR_AUX_DISABLE;
		return;
	case CMD_AUX_TEST:
	case CMD_KBD_TEST:
		queue_byte(kbc, 0x00);          /* interface lines fine */
		return;
	case CMD_SELF_TEST:
		kbc->status |= I8042_STATUS_SYS;
		queue_byte(kbc, SELF_TEST_OK);
		return;
	case CMD_KBD_DISABLE:
		kbc->command_byte |= I8042_CTR_KBD_DISABLE;
		return;
	case CMD_KBD_ENABLE:
		kbc->command_byte &= (uint8_t)~I8042_CTR_KBD_DISABLE;
		return;
	case CMD_READ_INPUT_PORT:
		queue_byte(kbc, 0x80);          /* keyboard not inhibited */
		return;
	case CMD_READ_OUTPUT_PORT:
		queue_byte(kbc, kbc->output_port);
		return;
	case CMD_A20_DISABLE:
		write_output_port(kbc, kbc->output_port & (uint8_t)~I8042_OUT_A20);
		return;
	case CMD_A20_ENABLE:
		write_output_port(kbc, kbc->output_port | I8042_OUT_A20);
		return;
	default:
		break;
	}
	if (cmd >= 0xF0) {
		/* Pulse the output lines whose bit is 0 (bits 3:0); bit 0 is reset. */
		if (!(cmd & 0x01))
			request_reset(kbc);
		return;
	}
	warn(kbc, "controller command", cmd);
}

/* A byte for the keyboard: it answers like an idle AT keyboard. */
static void keyboard_byte(struct i8042 *kbc, uint8_t b)
{
	if (kbc->keyboard_command) {
		/* The argument of LEDs, typematic rate or scancode set (0: which set?). */
		bool ask_set = kbc->keyboard_command == KBD_SCANCODE_SET && b == 0;

		kbc->keyboard_command = 0;
		queue_byte(kbc, KBD_ACK);
		if (ask_set)
			queue_byte(kbc, 2);
		return;
	}
	switch (b) {
	case KBD_RESET:
		queue_byte(kbc, KBD_ACK);
		queue_byte(kbc, KBD_BAT_OK);
		return;
	case KBD_IDENTIFY:
		queue_byte(kbc, KBD_ACK);
		queue_byte(kbc, 0xAB);
		queue_byte(kbc, 0x83);
		return;
	case KBD_ECHO:
		queue_byte(kbc, KBD_ECHO);
		return;
	case KBD_SET_LEDS:
	case KBD_TYPEMATIC:
	case KBD_SCANCODE_SET:
		kbc->keyboard_command = b;
		queue_byte(kbc, KBD_ACK);
		return;
	default:
		queue_byte(kbc, KBD_ACK);
		return;
	}
}

static void data_write(struct i8042 *kbc, uint8_t b)
{
	uint8_t cmd = kbc->pending_command;

	kbc->pending_command = 0;
	switch (cmd) {
	case CMD_WRITE_COMMAND_BYTE:
		kbc->command_byte = b;
		kbc->status = (uint8_t)((kbc->status & ~I8042_STATUS_SYS) | (b & I8042_CTR_SYS));
		update_irq(kbc);
		return;
	case CMD_WRITE_OUTPUT_PORT:
		write_output_port(kbc, b);
		return;
	case CMD_WRITE_KBD_BUFFER:
	case CMD_WRITE_AUX_BUFFER:
		queue_byte(kbc, b);
		return;
	case CMD_WRITE_AUX:
		return;                         /* no mouse: nobody answers */
	default:
		keyboard_byte(kbc, b);
		return;
	}
}

static uint8_t data_read(struct i8042 *kbc)
{
	uint8_t b;

	if (!kbc->count)
		return kbc->queue[(kbc->head + I8042_QUEUE_SIZE - 1) % I8042_QUEUE_SIZE];
	b = kbc->queue[kbc->head];
	kbc->head = (kbc->head + 1) % I8042_QUEUE_SIZE;
	kbc->count--;
	if (!kbc->count)
		kbc->status &= (uint8_t)~I8042_STATUS_OBF;
	update_irq(kbc);
	return b;
}

/* Port 0x60. */
static uint64_t data_port_read(void *opaque, uint64_t offset, unsigned width)
{
	(void)offset;
	(void)width;
	return data_read(opaque);
}

static void data_port_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct i8042 *kbc = opaque;

	(void)offset;
	(void)width;
	kbc->status &= (uint8_t)~I8042_STATUS_CMD;
	data_write(kbc, (uint8_t)value);
}

/* Port 0x64. */
static uint64_t command_port_read(void *opaque, uint64_t offset, unsigned width)
{
	struct i8042 *kbc = opaque;

	(void)offset;
	(void)width;
	return kbc->status;
}

static void command_port_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct i8042 *kbc = opaque;

	(void)offset;
	(void)width;
	kbc->status |= I8042_STATUS_CMD;
	controller_command(kbc, (uint8_t)value);
}

static const struct bus_ops data_port_ops = {
	.read = data_port_read,
	.write = data_port_write,
};

static const struct bus_ops command_port_ops = {
	.read = command_port_read,
	.write = command_port_write,
};

static const struct bus_rules i8042_rules = {
	.min_width = 1,
	.max_width = 1,
	.unaligned_ok = true,
	.oversize = BUS_OVERSIZE_SPLIT,
	.undersize = BUS_UNDERSIZE_REJECT,
};

static void power_on(struct i8042 *kbc)
{
	kbc->status = I8042_STATUS_CMD | I8042_STATUS_UNLOCKED;
	kbc->command_byte = I8042_CTR_KBD_INT | I8042_CTR_AUX_INT;
	kbc->pending_command = 0;
	kbc->keyboard_command = 0;
	kbc->head = kbc->count = 0;
	update_irq(kbc);
}

struct i8042 *i8042_create(struct bus *bus, const struct i8042_callbacks *callbacks)
{
	struct i8042 *kbc = kzalloc(sizeof(*kbc));
	int err;

	if (!kbc) {
		log_error("i8042: out of memory");
		return NULL;
	}
	kbc->bus = bus;
	if (callbacks)
		kbc->cb = *callbacks;
	irq_line_init(&kbc->irq, "i8042");
	kbc->output_port = OUTPUT_PORT_POWER_ON;
	power_on(kbc);
	/* Two regions: 0x61 in between is the PIT's port B. */
	err = bus_register_pio(bus, "i8042", I8042_DATA_PORT, 1, &data_port_ops, kbc,
			       &i8042_rules);
	if (!err) {
		err = bus_register_pio(bus, "i8042", I8042_COMMAND_PORT, 1, &command_port_ops, kbc,
				       &i8042_rules);
		if (err)
			bus_unregister(bus, BUS_SPACE_PIO, I8042_DATA_PORT);
	}
	if (err) {
		log_error("i8042: cannot register ports 0x60/0x64 (%d)", err);
		kfree(kbc);
		return NULL;
	}
	return kbc;
}

void i8042_destroy(struct i8042 *kbc)
{
	if (!kbc)
		return;
	bus_unregister(kbc->bus, BUS_SPACE_PIO, I8042_DATA_PORT);
	bus_unregister(kbc->bus, BUS_SPACE_PIO, I8042_COMMAND_PORT);
	kfree(kbc);
}

void i8042_reset(struct i8042 *kbc)
{
	power_on(kbc);
}

struct irq_line *i8042_irq(struct i8042 *kbc)
{
	return &kbc->irq;
}

bool i8042_a20_enabled(const struct i8042 *kbc)
{
	return kbc->output_port & I8042_OUT_A20;
}

/* ---- the device class: how a VM gets an 8042 ---- */

static void kbc_reset_pulse(void *ctx)
{
	struct device *dev = ctx;

	dev->env->request_reset(dev->env->vm, "the keyboard controller");
}

/* Guest RAM never wraps at 1 MiB: firmware and kernels enable A20 first thing. */
static void kbc_a20_changed(void *ctx, bool enabled)
{
	struct device *dev = ctx;

	if (!enabled)
		log_debug("VM %s: %s: A20 masked (not emulated: addresses do not wrap)",
			  dev->env->vm_name, dev->name);
}

static int i8042_dev_create(struct device *dev)
{
	const struct i8042_callbacks cb = { kbc_reset_pulse, kbc_a20_changed, dev };
	struct i8042 *kbc = i8042_create(dev->env->bus, &cb);

	if (!kbc)
		return -ENOMEM;
	dev->state = kbc;
	dev->irq_out[0] = i8042_irq(kbc);
	return 0;
}

static void i8042_dev_reset(struct device *dev)
{
	i8042_reset(dev->state);
}

static void i8042_dev_destroy(struct device *dev)
{
	i8042_destroy(dev->state);
}

DEVICE_CLASS(i8042_class) = {
	.name = "i8042",
	.description = "8042 keyboard controller: self-tests, A20 and the reset pulse",
	.ranges = { DEVICE_PIO_FIXED(I8042_DATA_PORT, 1),
		    DEVICE_PIO_FIXED(I8042_COMMAND_PORT, 1) },
	.range_count = 2,
	.irq_count = 1,
	.create = i8042_dev_create,
	.reset = i8042_dev_reset,
	.destroy = i8042_dev_destroy,
};
