/* SPDX-License-Identifier: MIT */
/*
 * Device classes and instances: reading device lines, creating models on
 * a bus with their interrupts connected, reset and destroy, and the
 * guest's description (device-tree node, ACPI device) written from the
 * same instance.  The classes are the test's own.
 */
#define _GNU_SOURCE   /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <bus/bus.h>
#include <bus/device.h>
#include <host/support.h>
#include <lib/aml_writer.h>
#include <lib/fdt_writer.h>

/* ---- a test device: a register that counts writes, an interrupt ---- */

struct counter {
	struct irq_line irq;
	uint64_t writes;
	unsigned int resets;
	uint64_t start;
};

static unsigned int destroyed;

static uint64_t counter_read(void *opaque, uint64_t offset, unsigned width)
{
	struct counter *c = opaque;

	(void)offset;
	(void)width;
	return c->writes;
}

static void counter_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct counter *c = opaque;

	(void)offset;
	(void)width;
	c->writes++;
	irq_line_set(&c->irq, value != 0);
}

static const struct bus_ops counter_ops = { counter_read, counter_write };

static int counter_create(struct device *dev)
{
	struct counter *c = test_calloc(1, sizeof(*c));
	int ret;

	irq_line_init(&c->irq, dev->name);
	c->start = device_prop_u64(dev, "start");
	ret = bus_register_mmio(dev->env->bus, dev->name, dev->base[0], dev->cls->ranges[0].size,
				&counter_ops, c, NULL);
	if (ret) {
		test_free(c);
		return ret;
	}
	dev->state = c;
	dev->irq_out[0] = &c->irq;
	return 0;
}

static void counter_reset(struct device *dev)
{
	struct counter *c = dev->state;

	c->resets++;
	c->writes = c->start;
}

static void counter_destroy(struct device *dev)
{
	bus_unregister(dev->env->bus, BUS_SPACE_MMIO, dev->base[0]);
	test_free(dev->state);
	destroyed++;
}

static void counter_fdt_extra(const struct device *dev, struct fdt_writer *w,
			      const struct device_fdt_env *fe)
{
	(void)fe;
	fdt_writer_property_u32(w, "start", (uint32_t)device_prop_u64(dev, "start"));
}

static const struct device_prop counter_props[] = {
	{ "start", DEVICE_PROP_U64, "7", 0, 100, "the count at reset" },
	{ "label", DEVICE_PROP_STRING, "none", 0, 0, "a name" },
};

DEVICE_CLASS(counter_class) = {
	.name = "counter",
	.description = "counts writes",
	.ranges = { DEVICE_MMIO(0x1000) },
	.range_count = 1,
	.irq_count = 1,
	.props = counter_props,
	.prop_count = 2,
	.create = counter_create,
	.reset = counter_reset,
	.destroy = counter_destroy,
	.fdt_name = "counter",
	.fdt_compatible = { "tessera,counter", "tessera,test" },
	.fdt_extra = counter_fdt_extra,
	.acpi_hid = "TSR0001",
	.acpi_name = "CNT",
	.acpi_first_uid = 1,
};

static int failing_create(struct device *dev)
{
	(void)dev;
	return -ENOMEM;
}

DEVICE_CLASS(failing_class) = {
	.name = "failing",
	.description = "never creates",
	.ranges = { DEVICE_PIO(4) },
	.range_count = 1,
	.create = failing_create,
	.acpi_hid = "PNP0C02",
	.acpi_name = "RES",
};

/* ---- the board side ---- */

static unsigned int sink_pin;
static bool sink_level;
static unsigned int sink_calls;

static void board_irq(void *ctx, unsigned int pin, bool level)
{
	(void)ctx;
	sink_pin = pin;
	sink_level = level;
	sink_calls++;
}

static struct device make(const char *line)
{
	struct device dev;
	struct device_error err;

	if (device_parse_line(&dev, line, strlen(line), &err) || device_finish(&dev, &err))
		fail_msg("%s: %s", line, err.text);
	if (!dev.name[0])
		device_default_name(&dev, NULL, 0);
	return dev;
}

static void test_lines_and_values(void **state)
{
	struct device dev = make("counter base=0x9050000 irq=5 label=bell");
	const char *words = " start=0x20   name=bell2 ";
	struct device_error err;

	(void)state;
	assert_ptr_equal(dev.cls, &counter_class);
	assert_string_equal(dev.name, "counter0");
	assert_int_equal(dev.base[0], 0x9050000);
	assert_int_equal(dev.irq[0], 5);
	assert_int_equal(device_prop_u64(&dev, "start"), 7);       /* the default */
	assert_string_equal(device_prop_text(&dev, "label"), "bell");
	assert_ptr_equal(device_class_find("counter"), &counter_class);
	assert_null(device_class_find("count"));

	assert_int_equal(device_apply_words(&dev, "start=64K", 9, &err), -EINVAL);
	assert_string_equal(err.text, "start 64K is out of range (0 to 100)");
	assert_int_equal(device_apply_words(&dev, words, strlen(words), &err), 0);
	assert_int_equal(device_prop_u64(&dev, "start"), 32);
	assert_string_equal(dev.name, "bell2");

	assert_int_equal(device_parse_line(&dev, "counter base=0x1000 irq=1 name=0123456789abcdef",
					   47, &err), -EINVAL);
	assert_string_equal(err.text, "name '0123456789abcdef' must have 1 to 15 characters");
	assert_int_equal(device_parse_line(&dev, "", 0, &err), -EINVAL);
	assert_string_equal(err.text, "the device line names no class");
}

static void test_class_listings(void **state)
{
	char buf[256];

	(void)state;
	device_class_names(buf, sizeof(buf));
	assert_string_equal(buf, "counter failing");
	device_class_usage(&counter_class, buf, sizeof(buf));
	assert_string_equal(buf, "name= base=<1 MMIO address> irq=<1 number> "
			    "start=<number 0..100, default 7> label=<text, default none>");
	device_class_usage(&failing_class, buf, sizeof(buf));
	assert_string_equal(buf, "name= port=<1 port>");
	/* Short buffers are cut, never overrun. */
	memset(buf, 'x', sizeof(buf));
	device_class_names(buf, 5);
	assert_string_equal(buf, "coun");
	assert_int_equal(buf[5], 'x');
}

static void test_default_names(void **state)
{
	struct device list[3];

	(void)state;
	list[0] = make("counter base=0x1000 irq=1");
	device_default_name(&list[0], list, 0);
	assert_string_equal(list[0].name, "counter0");
	list[1] = make("counter base=0x2000 irq=2");
	device_default_name(&list[1], list, 1);
	assert_string_equal(list[1].name, "counter1");
	list[2] = make("counter base=0x3000 irq=3 name=counter2");
	list[0].name[7] = '5';                    /* counter5: counter0 is free again */
	device_default_name(&list[1], list, 3);
	assert_string_equal(list[1].name, "counter0");
}

static void test_create_reset_destroy(void **state)
{
	struct bus *bus = bus_create("test");
	struct device dev = make("counter name=bell base=0x9050000 irq=5 start=3");
	const struct device_env env = {
		.bus = bus, .vm_name = "t", .irq_sink = board_irq, .irq_limit = 64,
	};
	struct bus_access a = { .space = BUS_SPACE_MMIO, .dir = BUS_WRITE, .addr = 0x9050000,
				.width = 4, .data = 1 };
	const struct bus_region *r;

	(void)state;
	sink_calls = 0;
	destroyed = 0;
	assert_int_equal(device_create(&dev, &env), 0);
	assert_true(dev.created);
	r = bus_find(bus, BUS_SPACE_MMIO, 0x9050800);
	assert_non_null(r);
	assert_string_equal(r->name, "bell");
	/* The interrupt goes to the board's input the instance names. */
	assert_int_equal(bus_dispatch(bus, &a), BUS_OK);
	assert_int_equal(sink_calls, 1);
	assert_int_equal(sink_pin, 5);
	assert_true(sink_level);
	device_reset(&dev);
	assert_int_equal(((struct counter *)dev.state)->resets, 1);
	a.dir = BUS_READ;
	assert_int_equal(bus_dispatch(bus, &a), BUS_OK);
	assert_int_equal(a.data, 3);
	/* Gone from the bus and disconnected. */
	device_destroy(&dev);
	assert_false(dev.created);
	assert_int_equal(destroyed, 1);
	assert_null(bus_find(bus, BUS_SPACE_MMIO, 0x9050000));
	device_destroy(&dev);                      /* twice is harmless */
	assert_int_equal(destroyed, 1);
	bus_destroy(bus);
}

static void test_create_refusals(void **state)
{
	struct bus *bus = bus_create("test");
	struct device a = make("counter base=0x1000 irq=5");
	struct device b = make("counter base=0x1800 irq=6");
	struct device far = make("counter base=0x4000 irq=64");
	struct device fails = make("failing port=0x300");
	const struct device_env env = {
		.bus = bus, .vm_name = "t", .irq_sink = board_irq, .irq_limit = 64,
	};

	(void)state;
	assert_int_equal(device_create(&a, &env), 0);
	host_console_clear();
	assert_int_equal(device_create(&b, &env), -EBUSY);        /* overlaps a */
	assert_false(b.created);
	assert_non_null(strstr(host_console_text(), "counter0"));
	host_console_clear();
	assert_int_equal(device_create(&far, &env), -EINVAL);
	assert_string_equal(host_console_text(),
			    "[cpu0] error: VM t: counter0: irq 64 does not exist on this board "
			    "(0 to 63)\n");
	assert_int_equal(device_create(&fails, &env), -ENOMEM);
	assert_false(fails.created);
	device_destroy(&fails);
	device_destroy(&a);
	bus_destroy(bus);
}

static unsigned int spi_cells(const struct device_fdt_env *fe, unsigned int irq, uint32_t *cells)
{
	(void)fe;
	cells[0] = 0;
	cells[1] = irq;
	cells[2] = 4;
	return 3;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The node as bytes: begin, name, then the properties in order. */
static void test_fdt_node(void **state)
{
	struct device dev = make("counter name=bell base=0x9050000 irq=5 start=3");
	const struct device_fdt_env fe = { .irq_cells = spi_cells };
	static uint8_t blob[4096];
	struct fdt_writer w;
	long len;
	const uint8_t *s;
	const char *strings;

	(void)state;
	fdt_writer_init(&w, blob, sizeof(blob));
	fdt_writer_begin_node(&w, "");
	device_write_fdt(&dev, &w, &fe);
	fdt_writer_end_node(&w);
	len = fdt_writer_finish(&w);
	assert_true(len > 0);
	s = blob + be32(blob + 8) + 8;                     /* past the root's begin */
	strings = (const char *)blob + be32(blob + 12);
	assert_int_equal(be32(s), 1);                      /* FDT_BEGIN_NODE */
	assert_string_equal((const char *)s + 4, "counter@9050000");
	s += 4 + 16;
	assert_int_equal(be32(s), 3);                      /* compatible */
	assert_int_equal(be32(s + 4), 29);
	assert_string_equal(strings + be32(s + 8), "compatible");
	assert_memory_equal(s + 12, "tessera,counter\0tessera,test\0", 29);
	s += 12 + 32;
	assert_string_equal(strings + be32(s + 8), "reg");
	assert_int_equal(be32(s + 4), 16);
	assert_int_equal(be32(s + 12), 0);
	assert_int_equal(be32(s + 16), 0x9050000);
	assert_int_equal(be32(s + 20), 0);
	assert_int_equal(be32(s + 24), 0x1000);
	s += 12 + 16;
	assert_string_equal(strings + be32(s + 8), "interrupts");
	assert_int_equal(be32(s + 4), 12);
	assert_int_equal(be32(s + 12), 0);
	assert_int_equal(be32(s + 16), 5);
	assert_int_equal(be32(s + 20), 4);
	s += 12 + 12;
	assert_string_equal(strings + be32(s + 8), "start");
	assert_int_equal(be32(s + 12), 3);
	s += 12 + 4;
	assert_int_equal(be32(s), 2);                      /* FDT_END_NODE */
}

/* Device (CNT1) { _HID TSR0001, _UID 1, _CRS { Memory32Fixed, Interrupt } } */
static void test_aml_device(void **state)
{
	struct device dev = make("counter base=0x9050000 irq=21");
	struct device port = make("failing port=0x300");
	const struct device_acpi_env gsi = { .isa_irqs = false };
	static const uint8_t want[] = {
		0x5b, 0x82, 0x35, 'C', 'N', 'T', '1',
		0x08, '_', 'H', 'I', 'D', 0x0c, 0x52, 0x72, 0x00, 0x01,
		0x08, '_', 'U', 'I', 'D', 0x01,
		0x08, '_', 'C', 'R', 'S', 0x11, 0x1a, 0x0a, 0x17,
		0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x05, 0x09, 0x00, 0x10, 0x00, 0x00,
		0x89, 0x06, 0x00, 0x01, 0x01, 0x15, 0x00, 0x00, 0x00,
		0x79, 0x00,
	};
	uint8_t aml[256];
	struct aml_writer a;

	(void)state;
	dev.uid = 1;
	aml_init(&a, aml, sizeof(aml));
	device_write_aml(&dev, &a, &gsi);
	assert_int_equal(aml_finish(&a), sizeof(want));
	assert_memory_equal(aml, want, sizeof(want));
	/* A port range becomes IO (Decode16, ...). */
	aml_init(&a, aml, sizeof(aml));
	device_write_aml(&port, &a, &gsi);
	assert_true(aml_finish(&a) > 0);
	assert_non_null(memmem(aml, sizeof(aml), "\x47\x01\x00\x03\x00\x03\x01\x04", 8));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_and_values),
		cmocka_unit_test(test_class_listings),
		cmocka_unit_test(test_default_names),
		cmocka_unit_test(test_create_reset_destroy),
		cmocka_unit_test(test_create_refusals),
		cmocka_unit_test(test_fdt_node),
		cmocka_unit_test(test_aml_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
