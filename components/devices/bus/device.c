/* SPDX-License-Identifier: MIT */
/*
 * Device classes and instances (<bus/device.h>): finding a class, reading
 * device lines into instances, creating, resetting and destroying their
 * models, and describing them to the guest.
 *
 * Device lines are words separated by blanks: the class name first, then
 * key=value words.  The keys every class has:
 *
 *   name=uart0           the instance's name (letters, digits, - and _)
 *   base=A[,B...]        bases of the class's MMIO ranges, in class order
 *   port=P[,Q...]        bases of its port ranges
 *   irq=N[,M...]         the board's interrupt inputs its outputs go to
 *
 * and then the class's own properties.  Every mistake gives one sentence
 * that names what is accepted; the callers add "file:line: ".
 */
#include <bus/device.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <core/log.h>
#include <lib/aml_writer.h>
#include <lib/fdt_writer.h>

/* ---- classes ---- */

const struct device_class *device_class_find(const char *name)
{
	for_each_device_class(c)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* Appends to buf[0..size) at *len, keeping it NUL-terminated. */
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < size - *len ? (size_t)n : size - *len - 1;
}

size_t device_class_names(char *buf, size_t size)
{
	size_t len = 0;
	const struct device_class *done = NULL;

	if (size)
		buf[0] = '\0';
	/* In name order, so messages do not depend on link order. */
	for (;;) {
		const struct device_class *next = NULL;

		for_each_device_class(c)
			if ((!done || strcmp(c->name, done->name) > 0) &&
			    (!next || strcmp(c->name, next->name) < 0))
				next = c;
		if (!next)
			return len;
		append(buf, size, &len, "%s%s", len ? " " : "", next->name);
		done = next;
	}
}

static const char *type_word(enum device_prop_type type)
{
	switch (type) {
	case DEVICE_PROP_BOOL:   return "on|off";
	case DEVICE_PROP_U64:    return "number";
	case DEVICE_PROP_STRING: return "text";
	case DEVICE_PROP_FILE:   return "file";
	}
	return "?";
}

size_t device_class_usage(const struct device_class *cls, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int mmio = 0, pio = 0;

	if (size)
		buf[0] = '\0';
	append(buf, size, &len, "name=");
	for (unsigned int i = 0; i < cls->range_count; i++)
		cls->ranges[i].space == BUS_SPACE_MMIO ? mmio++ : pio++;
	if (mmio)
		append(buf, size, &len, " base=<%u MMIO address%s>", mmio, mmio > 1 ? "es" : "");
	if (pio)
		append(buf, size, &len, " port=<%u port%s>", pio, pio > 1 ? "s" : "");
	if (cls->irq_count)
		append(buf, size, &len, " irq=<%u number%s>", cls->irq_count,
		       cls->irq_count > 1 ? "s" : "");
	for (unsigned int i = 0; i < cls->prop_count; i++) {
		const struct device_prop *p = &cls->props[i];

		append(buf, size, &len, " %s=<%s", p->name, type_word(p->type));
		if (p->type == DEVICE_PROP_U64 && p->max)
			append(buf, size, &len, " %llu..%llu", (unsigned long long)p->min,
			       (unsigned long long)p->max);
		if (p->default_value)
			append(buf, size, &len, ", default %s>", p->default_value);
		else
			append(buf, size, &len, ", required>");
	}
	return len;
}

/* ---- values ---- */

static void fail(struct device_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail(struct device_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_digit(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "0x9000000", "4096", "64K", "16M", "1G": false when it is none of them
 * or does not fit 64 bits. */
static bool parse_number(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int shift = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (len > 18)
			return false;
		for (size_t i = 2; i < len; i++) {
			int d = hex_digit(s[i]);

			if (d < 0)
				return false;
			v = v << 4 | (uint64_t)d;
		}
		*out = v;
		return true;
	}
	if (len > 1) {
		switch (s[len - 1]) {
		case 'K': case 'k': shift = 10; break;
		case 'M': case 'm': shift = 20; break;
		case 'G': case 'g': shift = 30; break;
		}
		if (shift)
			len--;
	}
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]) || v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	*out = v << shift;
	return true;
}

static bool word_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

static bool text_char_ok(char c, bool file)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c))
		return true;
	return c == '-' || c == '_' || c == '.' || c == ':' || c == ',' || (file && c == '/') ||
	       (!file && c == '/');
}

static int parse_value(const struct device_prop *p, const char *s, size_t len,
		       struct device_value *v, struct device_error *err)
{
	switch (p->type) {
	case DEVICE_PROP_BOOL:
		if (word_is(s, len, "on") || word_is(s, len, "yes") || word_is(s, len, "true") ||
		    word_is(s, len, "1"))
			v->num = 1;
		else if (word_is(s, len, "off") || word_is(s, len, "no") ||
			 word_is(s, len, "false") || word_is(s, len, "0"))
			v->num = 0;
		else {
			fail(err, "%s must be on or off, not '%.*s'", p->name, (int)len, s);
			return -EINVAL;
		}
		break;
	case DEVICE_PROP_U64:
		if (!parse_number(s, len, &v->num)) {
			fail(err, "%s '%.*s' is not a number (decimal, 0x hex, or with K, M, G)",
			     p->name, (int)(len > 40 ? 40 : len), s);
			return -EINVAL;
		}
		if (p->max && (v->num < p->min || v->num > p->max)) {
			fail(err, "%s %.*s is out of range (%llu to %llu)", p->name, (int)len, s,
			     (unsigned long long)p->min, (unsigned long long)p->max);
			return -EINVAL;
		}
		break;
	case DEVICE_PROP_STRING:
	case DEVICE_PROP_FILE:
		if (len >= DEVICE_VALUE_MAX) {
			fail(err, "%s is longer than %u characters", p->name, DEVICE_VALUE_MAX - 1);
			return -EINVAL;
		}
		for (size_t i = 0; i < len; i++) {
			if (!text_char_ok(s[i], p->type == DEVICE_PROP_FILE)) {
				fail(err, "%s '%.*s' has the character '%c' (allowed: letters, digits "
				     "and - _ . : , /)", p->name, (int)(len > 40 ? 40 : len), s, s[i]);
				return -EINVAL;
			}
		}
		if (p->type == DEVICE_PROP_FILE && len && s[0] == '/') {
			fail(err, "%s '%.*s' must be a path inside the boot archive, without a "
			     "leading '/'", p->name, (int)(len > 40 ? 40 : len), s);
			return -EINVAL;
		}
		memcpy(v->text, s, len);
		v->text[len] = '\0';
		break;
	}
	v->set = true;
	return 0;
}

/* ---- lines ---- */

/* The next blank-separated word of s[0..len) from *pos. */
static bool next_word(const char *s, size_t len, size_t *pos, const char **word, size_t *wlen)
{
	size_t i = *pos;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == len)
		return false;
	*word = s + i;
	while (i < len && s[i] != ' ' && s[i] != '\t')
		i++;
	*wlen = (size_t)(s + i - *word);
	*pos = i;
	return true;
}

/* "0x1000,0x2000" into the bases of the class's ranges of one space. */
static int apply_bases(struct device *dev, enum bus_space space, const char *key,
		       const char *s, size_t len, struct device_error *err)
{
	const struct device_class *cls = dev->cls;
	const char *kind = space == BUS_SPACE_MMIO ? "MMIO" : "port";
	unsigned int range = 0, found = 0;
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		uint64_t base;

		if (i < len && s[i] != ',')
			continue;
		while (range < cls->range_count && cls->ranges[range].space != space)
			range++;
		if (range == cls->range_count) {
			if (!found)
				fail(err, "%s takes no %s= (it has no %s range)", cls->name, key, kind);
			else
				fail(err, "%s= has more values than %s has %s ranges (%u)", key,
				     cls->name, kind, found);
			return -EINVAL;
		}
		if (!parse_number(s + start, i - start, &base)) {
			fail(err, "%s '%.*s' is not an address (decimal or 0x hex)", key,
			     (int)(i - start > 40 ? 40 : i - start), s + start);
			return -EINVAL;
		}
		if ((space == BUS_SPACE_PIO && base + cls->ranges[range].size > 0x10000) ||
		    base + cls->ranges[range].size < base) {
			fail(err, "%s 0x%llx: the range of 0x%llx bytes does not fit the %s space",
			     key, (unsigned long long)base,
			     (unsigned long long)cls->ranges[range].size,
			     space == BUS_SPACE_PIO ? "port" : "address");
			return -EINVAL;
		}
		if (cls->ranges[range].fixed && base != cls->ranges[range].fixed_base) {
			fail(err, "%s sits at %s 0x%llx only", cls->name, key,
			     (unsigned long long)cls->ranges[range].fixed_base);
			return -EINVAL;
		}
		dev->base[range] = base;
		dev->base_set[range] = true;
		range++;
		found++;
		start = i + 1;
	}
	return 0;
}

static int apply_irqs(struct device *dev, const char *s, size_t len, struct device_error *err)
{
	unsigned int n = 0;
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		uint64_t irq;

		if (i < len && s[i] != ',')
			continue;
		if (n == dev->cls->irq_count) {
			fail(err, dev->cls->irq_count ? "%s has %u interrupt%s, irq= names more"
						      : "%s has no interrupt: irq= is not accepted",
			     dev->cls->name, dev->cls->irq_count,
			     dev->cls->irq_count == 1 ? "" : "s");
			return -EINVAL;
		}
		if (!parse_number(s + start, i - start, &irq) || irq > 0xffff) {
			fail(err, "irq '%.*s' is not an interrupt number",
			     (int)(i - start > 20 ? 20 : i - start), s + start);
			return -EINVAL;
		}
		dev->irq[n++] = (unsigned int)irq;
		start = i + 1;
	}
	dev->irq_set = n;
	return 0;
}

static int apply_name(struct device *dev, const char *s, size_t len, struct device_error *err)
{
	if (!len || len >= DEVICE_NAME_MAX) {
		fail(err, "name '%.*s' must have 1 to %u characters", (int)(len > 40 ? 40 : len), s,
		     DEVICE_NAME_MAX - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
		      c == '-' || c == '_')) {
			fail(err, "name '%.*s' may only contain letters, digits, '-' and '_'",
			     (int)len, s);
			return -EINVAL;
		}
	}
	memcpy(dev->name, s, len);
	dev->name[len] = '\0';
	return 0;
}

static int apply_word(struct device *dev, const char *w, size_t len, struct device_error *err)
{
	const struct device_class *cls = dev->cls;
	const char *eq = memchr(w, '=', len);
	size_t klen, vlen;
	const char *v;
	char usage[200];

	if (!eq) {
		fail(err, "'%.*s' is not key=value", (int)(len > 40 ? 40 : len), w);
		return -EINVAL;
	}
	klen = (size_t)(eq - w);
	v = eq + 1;
	vlen = len - klen - 1;
	if (!vlen) {
		fail(err, "%.*s= has no value", (int)klen, w);
		return -EINVAL;
	}
	if (word_is(w, klen, "name"))
		return apply_name(dev, v, vlen, err);
	if (word_is(w, klen, "base"))
		return apply_bases(dev, BUS_SPACE_MMIO, "base", v, vlen, err);
	if (word_is(w, klen, "port"))
		return apply_bases(dev, BUS_SPACE_PIO, "port", v, vlen, err);
	if (word_is(w, klen, "irq"))
		return apply_irqs(dev, v, vlen, err);
	for (unsigned int i = 0; i < cls->prop_count; i++)
		if (word_is(w, klen, cls->props[i].name))
			return parse_value(&cls->props[i], v, vlen, &dev->value[i], err);
	device_class_usage(cls, usage, sizeof(usage));
	fail(err, "%s has no property '%.*s' (it accepts %s)", cls->name,
	     (int)(klen > 30 ? 30 : klen), w, usage);
	return -EINVAL;
}

int device_apply_words(struct device *dev, const char *words, size_t len,
		       struct device_error *err)
{
	const char *w;
	size_t wlen, pos = 0;
	int ret;

	while (next_word(words, len, &pos, &w, &wlen))
		if ((ret = apply_word(dev, w, wlen, err)) != 0)
			return ret;
	return 0;
}

int device_parse_line(struct device *dev, const char *line, size_t len,
		      struct device_error *err)
{
	const char *w;
	size_t wlen, pos = 0;
	char name[DEVICE_NAME_MAX + 1];
	char names[240];

	memset(dev, 0, sizeof(*dev));
	if (len > DEVICE_LINE_MAX) {
		fail(err, "the device line is longer than %u characters", DEVICE_LINE_MAX);
		return -EINVAL;
	}
	if (!next_word(line, len, &pos, &w, &wlen)) {
		fail(err, "the device line names no class");
		return -EINVAL;
	}
	if (wlen >= sizeof(name) || memchr(w, '=', wlen)) {
		device_class_names(names, sizeof(names));
		fail(err, "a device line starts with a class (known classes: %s)", names);
		return -EINVAL;
	}
	memcpy(name, w, wlen);
	name[wlen] = '\0';
	dev->cls = device_class_find(name);
	if (!dev->cls) {
		device_class_names(names, sizeof(names));
		fail(err, "unknown device class '%s' (this image has: %s)", name, names);
		return -EINVAL;
	}
	return device_apply_words(dev, line + pos, len - pos, err);
}

int device_finish(struct device *dev, struct device_error *err)
{
	const struct device_class *cls = dev->cls;

	for (unsigned int i = 0; i < cls->range_count; i++) {
		const struct device_range *r = &cls->ranges[i];

		if (dev->base_set[i])
			continue;
		if (r->fixed) {
			dev->base[i] = r->fixed_base;
			dev->base_set[i] = true;
			continue;
		}
		fail(err, "%s %s needs %s= (%s range %u of 0x%llx bytes)", cls->name, dev->name,
		     r->space == BUS_SPACE_MMIO ? "base" : "port",
		     r->space == BUS_SPACE_MMIO ? "MMIO" : "port", i,
		     (unsigned long long)r->size);
		return -EINVAL;
	}
	if (dev->irq_set != cls->irq_count) {
		fail(err, "%s %s needs irq= with %u interrupt number%s", cls->name, dev->name,
		     cls->irq_count, cls->irq_count == 1 ? "" : "s");
		return -EINVAL;
	}
	for (unsigned int i = 0; i < cls->prop_count; i++) {
		const struct device_prop *p = &cls->props[i];
		struct device_error ignored;

		if (dev->value[i].set)
			continue;
		if (!p->default_value) {
			fail(err, "%s %s needs %s= (%s)", cls->name, dev->name, p->name, p->help);
			return -EINVAL;
		}
		if (parse_value(p, p->default_value, strlen(p->default_value), &dev->value[i],
				&ignored)) {
			fail(err, "%s: the default of %s does not parse: %s", cls->name, p->name,
			     ignored.text);
			return -EINVAL;
		}
	}
	return 0;
}

void device_default_name(struct device *dev, const struct device *list, unsigned int count)
{
	char candidate[DEVICE_NAME_MAX + 12];
	size_t base_len = strlen(dev->cls->name);

	if (base_len > DEVICE_NAME_MAX - 4)
		base_len = DEVICE_NAME_MAX - 4;
	for (unsigned int n = 0; n < 1000; n++) {
		bool taken = false;

		snprintf(candidate, sizeof(candidate), "%.*s%u", (int)base_len, dev->cls->name, n);
		for (unsigned int i = 0; i < count; i++)
			if (&list[i] != dev && strcmp(list[i].name, candidate) == 0)
				taken = true;
		if (!taken) {
			memcpy(dev->name, candidate, strlen(candidate) + 1);
			return;
		}
	}
}

static const struct device_value *value_of(const struct device *dev, const char *name)
{
	for (unsigned int i = 0; i < dev->cls->prop_count; i++)
		if (strcmp(dev->cls->props[i].name, name) == 0)
			return &dev->value[i];
	log_error("device %s: class %s has no property %s", dev->name, dev->cls->name, name);
	return NULL;
}

uint64_t device_prop_u64(const struct device *dev, const char *name)
{
	const struct device_value *v = value_of(dev, name);

	return v ? v->num : 0;
}

bool device_prop_bool(const struct device *dev, const char *name)
{
	const struct device_value *v = value_of(dev, name);

	return v && v->num;
}

const char *device_prop_text(const struct device *dev, const char *name)
{
	const struct device_value *v = value_of(dev, name);

	return v ? v->text : "";
}

/* ---- models ---- */

int device_create(struct device *dev, const struct device_env *env)
{
	const struct device_class *cls = dev->cls;
	int ret;

	for (unsigned int i = 0; i < cls->irq_count; i++) {
		if (dev->irq[i] >= env->irq_limit) {
			log_error("VM %s: %s: irq %u does not exist on this board (0 to %u)",
				  env->vm_name, dev->name, dev->irq[i], env->irq_limit - 1);
			return -EINVAL;
		}
	}
	dev->env = env;
	memset(dev->irq_out, 0, sizeof(dev->irq_out));
	ret = cls->create(dev);
	if (ret) {
		dev->state = NULL;
		return ret;
	}
	dev->created = true;
	for (unsigned int i = 0; i < cls->irq_count; i++)
		if (dev->irq_out[i])
			irq_line_connect(dev->irq_out[i], env->irq_sink, env->irq_ctx, dev->irq[i]);
	return 0;
}

void device_reset(struct device *dev)
{
	if (dev->created && dev->cls->reset)
		dev->cls->reset(dev);
}

void device_destroy(struct device *dev)
{
	if (!dev->created)
		return;
	/* Nothing may reach the interrupt controller once the model is gone. */
	for (unsigned int i = 0; i < dev->cls->irq_count; i++)
		if (dev->irq_out[i])
			irq_line_connect(dev->irq_out[i], NULL, NULL, 0);
	if (dev->cls->destroy)
		dev->cls->destroy(dev);
	dev->state = NULL;
	dev->created = false;
}

/* ---- describing ---- */

void device_write_fdt(const struct device *dev, struct fdt_writer *w,
		      const struct device_fdt_env *fe)
{
	const struct device_class *cls = dev->cls;
	uint32_t reg[4 * DEVICE_MAX_RANGES];
	uint32_t irqs[4 * DEVICE_MAX_IRQS];
	unsigned int nreg = 0, nirq = 0, ncompat = 0;
	uint64_t first = 0;
	bool have_first = false;
	char node[DEVICE_NAME_MAX + 32];

	if (!cls->fdt_name)
		return;
	for (unsigned int i = 0; i < cls->range_count; i++) {
		if (cls->ranges[i].space != BUS_SPACE_MMIO)
			continue;
		if (!have_first) {
			first = dev->base[i];
			have_first = true;
		}
		reg[nreg++] = (uint32_t)(dev->base[i] >> 32);
		reg[nreg++] = (uint32_t)dev->base[i];
		reg[nreg++] = (uint32_t)(cls->ranges[i].size >> 32);
		reg[nreg++] = (uint32_t)cls->ranges[i].size;
	}
	for (unsigned int i = 0; i < cls->irq_count && fe->irq_cells; i++) {
		uint32_t cells[4];
		unsigned int n = fe->irq_cells(fe, dev->irq[i], cells);

		for (unsigned int j = 0; j < n && j < 4; j++)
			irqs[nirq++] = cells[j];
	}
	if (have_first)
		snprintf(node, sizeof(node), "%s@%llx", cls->fdt_name, (unsigned long long)first);
	else
		snprintf(node, sizeof(node), "%s", cls->fdt_name);
	while (ncompat < 4 && cls->fdt_compatible[ncompat])
		ncompat++;
	fdt_writer_begin_node(w, node);
	if (ncompat)
		fdt_writer_property_strings(w, "compatible", cls->fdt_compatible, ncompat);
	if (nreg)
		fdt_writer_property_cells(w, "reg", reg, nreg);
	if (nirq)
		fdt_writer_property_cells(w, "interrupts", irqs, nirq);
	if (cls->fdt_extra)
		cls->fdt_extra(dev, w, fe);
	fdt_writer_end_node(w);
}

void device_write_aml(const struct device *dev, struct aml_writer *a,
		      const struct device_acpi_env *ae)
{
	const struct device_class *cls = dev->cls;
	char name[5];

	if (!cls->acpi_hid)
		return;
	if (cls->acpi_name && strlen(cls->acpi_name) == 2)
		snprintf(name, sizeof(name), "%.2s%02u", cls->acpi_name, dev->uid % 100);
	else
		snprintf(name, sizeof(name), "%.3s%c", cls->acpi_name ? cls->acpi_name : "DEV",
			 (char)('0' + dev->uid % 10));
	aml_device_begin(a, name);
	if (aml_is_eisa_id(cls->acpi_hid))
		aml_name_eisa_id(a, "_HID", cls->acpi_hid);
	else
		aml_name_string(a, "_HID", cls->acpi_hid);
	aml_name_integer(a, "_UID", dev->uid);
	if (cls->acpi_sta)
		aml_name_integer(a, "_STA", cls->acpi_sta);
	if (cls->acpi_cca)
		aml_name_integer(a, "_CCA", 1);
	aml_resources_begin(a, "_CRS");
	for (unsigned int i = 0; i < cls->range_count; i++) {
		if (cls->ranges[i].space == BUS_SPACE_PIO)
			aml_resource_io(a, (uint16_t)dev->base[i], (uint8_t)cls->ranges[i].size);
		else
			aml_resource_memory32_fixed(a, (uint32_t)dev->base[i],
						    (uint32_t)cls->ranges[i].size);
	}
	for (unsigned int i = 0; i < cls->irq_count; i++) {
		if (ae->isa_irqs)
			aml_resource_irq_noflags(a, dev->irq[i]);
		else
			aml_resource_interrupt(a, ae->irq_base + dev->irq[i], true, true, false);
	}
	aml_resources_end(a);
	aml_end(a);
}
