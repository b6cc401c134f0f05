/* SPDX-License-Identifier: MIT */
/*
 * The VM configuration parser.  A file is a list of lines; each is blank,
 * a comment, or "key = value" with an optional trailing comment.  The
 * parser walks the buffer line by line with explicit lengths (the buffer
 * is not NUL-terminated and may contain anything), copies each value into
 * a bounded scratch buffer, and hands it to the key's handler.  Problems
 * are counted and reported, and parsing continues so that a person
 * fixing a file sees every mistake in one boot.
 */
#include <vm/config.h>

#include <core/log.h>
#include <vm/machine.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <lib/civil_time.h>

enum key_id {
	KEY_NAME,
	KEY_CPUS,
	KEY_MEMORY,
	KEY_KERNEL,
	KEY_INITRD,
	KEY_CMDLINE,
	KEY_FIRMWARE,
	KEY_FIRMWARE_VARS,
	KEY_MACHINE,
	KEY_DEVICE,
	KEY_DEVICE_SET,
	KEY_DEVICE_REMOVE,
	KEY_DISK,
	KEY_CPU_AFFINITY,
	KEY_RTC,
	KEY_ACPI,
	KEY_BOOT,
	KEY_RAM_BELOW_4G,
	KEY_COUNT
};

/* Device lines are applied once the machine is known: kept until then. */
#define DEVICE_LINES_MAX 16

/* Values longer than this are cut when quoted back in a message. */
#define SHOWN_MAX 40

struct parser;

struct key {
	const char *name;
	void (*apply)(struct parser *p, const struct key *key);
	size_t max_chars;      /* longest accepted value                  */
	size_t field;          /* offsetof() the string field, for paths  */
	bool repeatable;       /* may appear on several lines             */
	bool may_be_empty;     /* "" is a value (an empty command line)   */
};

static const struct key keys[KEY_COUNT];

struct device_line {
	enum key_id key;
	unsigned int line;
	char text[DEVICE_LINE_MAX + 1];
};

struct parser {
	struct vm_config *config;
	const char *source;
	vm_file_exists_fn exists;
	unsigned int line;
	unsigned int errors;
	unsigned int key_line[KEY_COUNT];   /* 0: not set (the first, for repeatable keys) */
	const char *arch;
	unsigned int device_line_count;
	struct device_line device_lines[DEVICE_LINES_MAX];
	bool value_quoted;
	size_t value_len;
	char value[VM_CMDLINE_MAX];         /* the current value, unescaped */
};

static void report(struct parser *p, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(struct parser *p, unsigned int line, const char *fmt, ...)
{
	char what[160 + VM_PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_error("%s:%u: %s", p->source, line, what);
	p->errors++;
}

/* Text from the file as it may appear in a message: at most SHOWN_MAX
 * characters, "..." when cut.  Lines with control characters never get
 * this far. */
static const char *shown(char out[SHOWN_MAX + 4], const char *s, size_t len)
{
	size_t n = len > SHOWN_MAX ? SHOWN_MAX : len;

	memcpy(out, s, n);
	if (len > SHOWN_MAX)
		memcpy(out + n, "...", 3), n += 3;
	out[n] = '\0';
	return out;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
	       c == '-' || c == '_';
}

/* Decimal number of the whole span; false if empty, not digits or
 * larger than limit. */
static bool parse_decimal(const char *s, size_t len, uint64_t limit, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return false;
		if (v > (limit - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* "512M", "1G", "65536", "4k": bytes, or false. */
static bool parse_size(const char *s, size_t len, uint64_t *out)
{
	unsigned int shift = 0;
	uint64_t v;

	if (len > 0 && !is_digit(s[len - 1])) {
		switch (s[len - 1]) {
		case 'K': case 'k': shift = 10; break;
		case 'M': case 'm': shift = 20; break;
		case 'G': case 'g': shift = 30; break;
		case 'T': case 't': shift = 40; break;
		default: return false;
		}
		len--;
	}
	if (!parse_decimal(s, len, UINT64_MAX >> shift, &v))
		return false;
	*out = v << shift;
	return true;
}

/* Splits the value into words separated by blanks or commas. */
static bool next_word(const char *s, size_t len, size_t *pos, const char **word,
		      size_t *word_len)
{
	size_t i = *pos;

	while (i < len && (is_blank(s[i]) || s[i] == ','))
		i++;
	if (i == len)
		return false;
	*word = s + i;
	while (i < len && !is_blank(s[i]) && s[i] != ',')
		i++;
	*word_len = (size_t)(s + i - *word);
	*pos = i;
	return true;
}

static void apply_name(struct parser *p, const struct key *key)
{
	char buf[SHOWN_MAX + 4];

	(void)key;
	for (size_t i = 0; i < p->value_len; i++) {
		if (!is_name_char(p->value[i])) {
			report(p, p->line, "name '%s' may only contain letters, digits, '-' and '_'",
			       shown(buf, p->value, p->value_len));
			return;
		}
	}
	memcpy(p->config->name, p->value, p->value_len + 1);
	p->config->name_line = p->line;
}

static void apply_cpus(struct parser *p, const struct key *key)
{
	char buf[SHOWN_MAX + 4];
	uint64_t cpus;

	(void)key;
	if (!parse_decimal(p->value, p->value_len, UINT64_MAX, &cpus)) {
		report(p, p->line, "cpus '%s' is not a number",
		       shown(buf, p->value, p->value_len));
		return;
	}
	if (cpus < 1 || cpus > CONFIG_MAX_CPUS) {
		report(p, p->line, "cpus %s is out of range (1 to %u)",
		       shown(buf, p->value, p->value_len), (unsigned int)CONFIG_MAX_CPUS);
		return;
	}
	p->config->cpus = (unsigned int)cpus;
}

/*
 * A size value of key: at least VM_MEMORY_MIN, at most max (0: no limit
 * here), a multiple of VM_MEMORY_ALIGN.  False after reporting why not.
 */
static bool size_value(struct parser *p, const char *key, uint64_t max, uint64_t *bytes)
{
	char buf[SHOWN_MAX + 4];

	shown(buf, p->value, p->value_len);
	if (!parse_size(p->value, p->value_len, bytes))
		report(p, p->line, "%s '%s' is not a size like 512M or 1G", key, buf);
	else if (*bytes < VM_MEMORY_MIN)
		report(p, p->line, "%s %s is less than the minimum of %lluM", key, buf,
		       VM_MEMORY_MIN >> 20);
	else if (max && *bytes > max)
		report(p, p->line, "%s %s is more than the maximum of %lluG", key, buf,
		       (unsigned long long)(max >> 30));
	else if (*bytes % VM_MEMORY_ALIGN)
		report(p, p->line, "%s %s is not a multiple of %lluM", key, buf,
		       VM_MEMORY_ALIGN >> 20);
	else
		return true;
	return false;
}

static void apply_memory(struct parser *p, const struct key *key)
{
	uint64_t bytes;

	if (size_value(p, key->name, VM_MEMORY_MAX, &bytes))
		p->config->memory = bytes;
}

/* The host disk's answer to "is there a partition of that name?". */
static vm_host_storage_fn host_storage;

void vm_config_set_host_storage(vm_host_storage_fn fn)
{
	host_storage = fn;
}

bool vm_config_is_host_path(const char *path)
{
	return strncmp(path, VM_HOST_PREFIX, sizeof(VM_HOST_PREFIX) - 1) == 0;
}

/*
 * A "host:<partition>" value: the partition must exist on the host disk
 * (reported with the partitions there are).  Only storage the VM writes
 * may live there: a firmware-vars store or a disk.
 */
static bool check_host_path(struct parser *p, unsigned int line, const char *what,
			    const char *value)
{
	const char *name = value + sizeof(VM_HOST_PREFIX) - 1;
	char names[200];

	if (!name[0]) {
		report(p, line, "%s '%s' names no partition (host:<GPT partition name>)", what,
		       value);
		return false;
	}
	if (!host_storage) {
		report(p, line, "%s '%s' names a host disk partition, but this image has no host "
		       "disk support (HOSTDISK)", what, value);
		return false;
	}
	if (!host_storage(name, names, sizeof(names))) {
		report(p, line, "%s '%s': the host disk has no partition '%s' (%s)", what, value,
		       name, names);
		return false;
	}
	return true;
}

/*
 * The words after host:<partition> are for 'make hostdisk', which makes a
 * missing partition: from=<file> (its first contents) and size=<size>.
 * The hypervisor only checks that nothing else is there.
 */
static bool host_words_ok(struct parser *p, const char *what, const char *words, size_t len)
{
	size_t pos = 0, wlen;
	const char *word;
	char buf[SHOWN_MAX + 4];

	while (next_word(words, len, &pos, &word, &wlen)) {
		if ((wlen > 5 && memcmp(word, "from=", 5) == 0) ||
		    (wlen > 5 && memcmp(word, "size=", 5) == 0))
			continue;
		report(p, p->line, "%s: '%s' is neither from=<file> nor size=<size> (what 'make "
		       "hostdisk' fills a new partition with)", what, shown(buf, word, wlen));
		return false;
	}
	return true;
}

static void apply_path(struct parser *p, const struct key *key)
{
	char buf[SHOWN_MAX + 4];

	if (vm_config_is_host_path(p->value) && memchr(p->value, ' ', p->value_len)) {
		size_t first = (size_t)((char *)memchr(p->value, ' ', p->value_len) - p->value);

		if (!host_words_ok(p, key->name, p->value + first, p->value_len - first))
			return;
		p->value[first] = '\0';
		p->value_len = first;
	}
	shown(buf, p->value, p->value_len);
	if (!p->value_quoted && memchr(p->value, ' ', p->value_len)) {
		report(p, p->line, "%s must be one path (put it in quotes if it contains spaces)",
		       key->name);
		return;
	}
	if (p->value[0] == '/') {
		report(p, p->line, "%s '%s' must be a path inside the boot archive, without a leading '/'",
		       key->name, buf);
		return;
	}
	if (vm_config_is_host_path(p->value)) {
		if (key->field != offsetof(struct vm_config, firmware_vars)) {
			report(p, p->line, "%s '%s': only firmware-vars and disks may be on the host "
			       "disk", key->name, buf);
			return;
		}
		if (!check_host_path(p, p->line, key->name, p->value))
			return;
		p->config->firmware_vars_line = p->line;
	} else if (p->exists && !p->exists(p->value)) {
		report(p, p->line, "%s '%s' is not in the boot archive", key->name, buf);
		return;
	}
	memcpy((char *)p->config + key->field, p->value, p->value_len + 1);
}

static void apply_cmdline(struct parser *p, const struct key *key)
{
	(void)key;
	memcpy(p->config->cmdline, p->value, p->value_len + 1);
}

static void apply_machine(struct parser *p, const struct key *key)
{
	char buf[SHOWN_MAX + 4];

	(void)key;
	if (p->value_len >= VM_MACHINE_NAME_MAX) {
		report(p, p->line, "machine '%s' is not a machine's name",
		       shown(buf, p->value, p->value_len));
		return;
	}
	memcpy(p->config->machine, p->value, p->value_len + 1);
	p->config->machine_line = p->line;
}

/* rtc = host | YYYY-MM-DDTHH:MM:SS (UTC): where the VM's clock starts. */
static void apply_rtc(struct parser *p, const struct key *key)
{
	char buf[SHOWN_MAX + 4];

	(void)key;
	if (p->value_len == 4 && memcmp(p->value, "host", 4) == 0) {
		p->config->rtc_start = 0;
		return;
	}
	if (!civil_parse(p->value, p->value_len, &p->config->rtc_start) ||
	    p->config->rtc_start == 0)
		report(p, p->line, "rtc '%s' is not 'host' or a time like 2024-01-01T00:00:00 (UTC)",
		       shown(buf, p->value, p->value_len));
}

/* acpi = on | off */
static void apply_acpi(struct parser *p, const struct key *key)
{
	char buf[SHOWN_MAX + 4];

	(void)key;
	if (p->value_len == 2 && memcmp(p->value, "on", 2) == 0)
		p->config->acpi = true;
	else if (p->value_len == 3 && memcmp(p->value, "off", 3) == 0)
		p->config->acpi = false;
	else
		report(p, p->line, "acpi '%s' is not on or off", shown(buf, p->value, p->value_len));
}

/* device, device-set, device-remove: kept for check_complete(). */
static void apply_device_line(struct parser *p, const struct key *key)
{
	struct device_line *d;

	if (p->device_line_count == DEVICE_LINES_MAX) {
		report(p, p->line, "more than %u device, device-set and device-remove lines",
		       DEVICE_LINES_MAX);
		return;
	}
	d = &p->device_lines[p->device_line_count++];
	d->key = (enum key_id)(key - keys);
	d->line = p->line;
	memcpy(d->text, p->value, p->value_len + 1);
}

static bool affinity_has(const struct vm_config *c, unsigned int cpu)
{
	for (unsigned int i = 0; i < c->cpu_affinity_count; i++) {
		if (c->cpu_affinity[i] == cpu)
			return true;
	}
	return false;
}

static void apply_cpu_affinity(struct parser *p, const struct key *key)
{
	struct vm_config *c = p->config;
	char buf[SHOWN_MAX + 4];
	const char *word, *dash;
	size_t len, pos = 0;
	uint64_t first, last;

	(void)key;
	if (!next_word(p->value, p->value_len, &pos, &word, &len))
		report(p, p->line, "cpu-affinity has no value");
	pos = 0;
	while (next_word(p->value, p->value_len, &pos, &word, &len)) {
		shown(buf, word, len);
		dash = memchr(word, '-', len);
		if (dash ? !parse_decimal(word, (size_t)(dash - word), UINT64_MAX, &first) ||
			   !parse_decimal(dash + 1, len - (size_t)(dash + 1 - word), UINT64_MAX, &last) ||
			   last < first
			 : !parse_decimal(word, len, UINT64_MAX, &first)) {
			report(p, p->line, "cpu-affinity '%s' is not a CPU number or a range like 2-3", buf);
			continue;
		}
		if (!dash)
			last = first;
		if (last >= CONFIG_MAX_CPUS) {
			report(p, p->line, "cpu-affinity '%s' names a CPU out of range (0 to %u)", buf,
			       (unsigned int)CONFIG_MAX_CPUS - 1);
			continue;
		}
		for (uint64_t cpu = first; cpu <= last; cpu++) {
			if (affinity_has(c, (unsigned int)cpu)) {
				report(p, p->line, "cpu-affinity lists CPU %u twice", (unsigned int)cpu);
				continue;
			}
			c->cpu_affinity[c->cpu_affinity_count++] = (unsigned int)cpu;
		}
	}
}

/* boot = disk1 disk0: names, checked once the devices are known. */
/* ram-below-4g = <size>: checked against the machine once it is known. */
static void apply_ram_below_4g(struct parser *p, const struct key *key)
{
	uint64_t bytes;

	if (size_value(p, key->name, 0, &bytes))
		p->config->ram_below_4g = bytes;
}

static void apply_boot(struct parser *p, const struct key *key)
{
	struct vm_config *c = p->config;
	char buf[SHOWN_MAX + 4];
	const char *word;
	size_t len, pos = 0;

	(void)key;
	c->boot_line = p->line;
	while (next_word(p->value, p->value_len, &pos, &word, &len)) {
		if (c->boot_count == VM_BOOT_MAX) {
			report(p, p->line, "boot names more than %u devices", VM_BOOT_MAX);
			return;
		}
		if (len >= DEVICE_NAME_MAX) {
			report(p, p->line, "boot: '%s' is not a device name", shown(buf, word, len));
			continue;
		}
		memcpy(c->boot[c->boot_count], word, len);
		c->boot[c->boot_count][len] = '\0';
		c->boot_count++;
	}
	if (!c->boot_count)
		report(p, p->line, "boot has no value (it names devices: boot = disk1 disk0)");
}

/* Every boot entry must be a bootable device of the VM, named once. */
static void check_boot(struct parser *p)
{
	struct vm_config *c = p->config;
	char names[200];
	size_t used = 0;

	names[0] = '\0';
	for (unsigned int i = 0; i < c->device_count && used + 1 < sizeof(names); i++) {
		if (!c->devices[i].cls->boot_device)
			continue;
		int n = snprintf(names + used, sizeof(names) - used, "%s%s", used ? " " : "",
				 c->devices[i].name);
		if (n > 0)
			used += (size_t)n;
	}
	for (unsigned int i = 0; i < c->boot_count; i++) {
		const struct device *dev = vm_config_device(c, c->boot[i]);

		if (!dev || !dev->cls->boot_device) {
			report(p, c->boot_line, "boot: '%s' is not a device this VM can boot from "
			       "(%s%s)", c->boot[i], names[0] ? "it has: " : "it has none", names);
			continue;
		}
		for (unsigned int j = 0; j < i; j++)
			if (strcmp(c->boot[i], c->boot[j]) == 0)
				report(p, c->boot_line, "boot names '%s' twice", c->boot[i]);
	}
}

#define PATH_KEY(key_name, member) \
	{ key_name, apply_path, VM_PATH_MAX - 1, offsetof(struct vm_config, member), false, false }

static const struct key keys[KEY_COUNT] = {
	[KEY_NAME]          = { "name", apply_name, VM_NAME_MAX - 1, 0, false, false },
	[KEY_CPUS]          = { "cpus", apply_cpus, VM_CMDLINE_MAX - 1, 0, false, false },
	[KEY_MEMORY]        = { "memory", apply_memory, VM_CMDLINE_MAX - 1, 0, false, false },
	[KEY_KERNEL]        = PATH_KEY("kernel", kernel),
	[KEY_INITRD]        = PATH_KEY("initrd", initrd),
	[KEY_CMDLINE]       = { "cmdline", apply_cmdline, VM_CMDLINE_MAX - 1, 0, false, true },
	[KEY_FIRMWARE]      = PATH_KEY("firmware", firmware),
	[KEY_FIRMWARE_VARS] = PATH_KEY("firmware-vars", firmware_vars),
	[KEY_MACHINE]       = { "machine", apply_machine, VM_CMDLINE_MAX - 1, 0, false, false },
	[KEY_DEVICE]        = { "device", apply_device_line, DEVICE_LINE_MAX, 0, true, false },
	[KEY_DEVICE_SET]    = { "device-set", apply_device_line, DEVICE_LINE_MAX, 0, true, false },
	[KEY_DEVICE_REMOVE] = { "device-remove", apply_device_line, DEVICE_LINE_MAX, 0, true, false },
	[KEY_DISK]          = { "disk", apply_device_line, DEVICE_LINE_MAX, 0, true, false },
	[KEY_CPU_AFFINITY]  = { "cpu-affinity", apply_cpu_affinity, VM_CMDLINE_MAX - 1, 0, false, false },
	[KEY_RTC]           = { "rtc", apply_rtc, VM_CMDLINE_MAX - 1, 0, false, false },
	[KEY_ACPI]          = { "acpi", apply_acpi, VM_CMDLINE_MAX - 1, 0, false, false },
	[KEY_BOOT]          = { "boot", apply_boot, VM_CMDLINE_MAX - 1, 0, false, false },
	[KEY_RAM_BELOW_4G]  = { "ram-below-4g", apply_ram_below_4g, VM_CMDLINE_MAX - 1, 0, false,
				false },
};

static const struct key *find_key(const char *s, size_t len)
{
	for (unsigned int i = 0; i < KEY_COUNT; i++) {
		if (strlen(keys[i].name) == len && memcmp(keys[i].name, s, len) == 0)
			return &keys[i];
	}
	return NULL;
}

/* Appends one value character; false once the scratch buffer is full
 * (the caller then reports the value as too long). */
static bool value_put(struct parser *p, char c)
{
	if (p->value_len + 1 >= sizeof(p->value))
		return false;
	p->value[p->value_len++] = c;
	return true;
}

/*
 * Reads a value starting at s[0] (not blank) into p->value.  Returns
 * false after reporting what is wrong with it.
 */
static bool read_value(struct parser *p, const struct key *key, const char *s, size_t len)
{
	bool fits = true;
	size_t i;

	p->value_len = 0;
	p->value_quoted = len > 0 && s[0] == '"';
	if (p->value_quoted) {
		for (i = 1; i < len && s[i] != '"'; i++) {
			char c = s[i];

			if (c == '\\') {
				if (++i == len)
					break;
				switch (s[i]) {
				case '\\': c = '\\'; break;
				case '"':  c = '"'; break;
				case 'n':  c = '\n'; break;
				case 't':  c = '\t'; break;
				default:
					report(p, p->line, "%s has an unknown escape '\\%c' (use \\\\, \\\", \\n or \\t)",
					       key->name, s[i]);
					return false;
				}
			}
			fits = fits && value_put(p, c);
		}
		if (i >= len) {
			report(p, p->line, "%s has no closing quote", key->name);
			return false;
		}
		for (i++; i < len && is_blank(s[i]); i++)
			;
		if (i < len && s[i] != '#') {
			report(p, p->line, "unexpected text after the closing quote of %s", key->name);
			return false;
		}
	} else {
		for (i = 0; i < len && s[i] != '#'; i++)
			;
		while (i > 0 && is_blank(s[i - 1]))
			i--;
		if (memchr(s, '"', i)) {
			report(p, p->line, "%s has a quote inside its value (put the whole value in quotes)",
			       key->name);
			return false;
		}
		for (size_t j = 0; j < i && fits; j++)
			fits = value_put(p, s[j] == '\t' ? ' ' : s[j]);
	}
	p->value[p->value_len] = '\0';
	if (!fits || p->value_len > key->max_chars) {
		report(p, p->line, "%s is longer than %zu characters", key->name, key->max_chars);
		return false;
	}
	/* Only a quoted "" says "empty" on purpose; a bare "key =" is a slip. */
	if (p->value_len == 0 && !(p->value_quoted && key->may_be_empty)) {
		report(p, p->line, "%s has no value", key->name);
		return false;
	}
	return true;
}

static void parse_line(struct parser *p, const char *s, size_t len)
{
	const struct key *key;
	size_t i = 0, key_start;
	char buf[SHOWN_MAX + 4];

	for (size_t j = 0; j < len; j++) {
		unsigned char c = (unsigned char)s[j];

		if (c == 0) {
			report(p, p->line, "line contains a NUL byte");
			return;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			report(p, p->line, "line contains the control character 0x%02x", c);
			return;
		}
	}

	while (i < len && is_blank(s[i]))
		i++;
	if (i == len || s[i] == '#')
		return;

	key_start = i;
	while (i < len && is_name_char(s[i]))
		i++;
	if (i == key_start) {
		report(p, p->line, "expected 'key = value'");
		return;
	}
	key = find_key(s + key_start, i - key_start);
	if (!key) {
		report(p, p->line, "unknown key '%s'", shown(buf, s + key_start, i - key_start));
		return;
	}
	while (i < len && is_blank(s[i]))
		i++;
	if (i == len || s[i] != '=') {
		report(p, p->line, "expected '=' after %s", key->name);
		return;
	}
	for (i++; i < len && is_blank(s[i]); i++)
		;

	if (p->key_line[key - keys] && !key->repeatable) {
		report(p, p->line, "%s is already set on line %u", key->name, p->key_line[key - keys]);
		return;
	}
	if (!p->key_line[key - keys])
		p->key_line[key - keys] = p->line;
	if (read_value(p, key, s + i, len - i))
		key->apply(p, key);
}

/* ---- devices: the machine's table changed by the VM's lines ---- */

static struct device *find_device(struct vm_config *c, const char *name, size_t len)
{
	for (unsigned int i = 0; i < c->device_count; i++)
		if (strlen(c->devices[i].name) == len && memcmp(c->devices[i].name, name, len) == 0)
			return &c->devices[i];
	return NULL;
}

const struct device *vm_config_device(const struct vm_config *config, const char *name)
{
	return find_device((struct vm_config *)config, name, strlen(name));
}

/* "uart0 rtc0 fwcfg0": the instances, for messages. */
static const char *device_names(const struct vm_config *c, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < c->device_count && len + 1 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "",
					c->devices[i].name);
	if (!c->device_count)
		snprintf(buf, size, "none");
	return buf;
}

static bool next_name(const char *s, size_t *pos, const char **word, size_t *len)
{
	size_t i = *pos;

	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (!s[i])
		return false;
	*word = s + i;
	while (s[i] && s[i] != ' ' && s[i] != '\t')
		i++;
	*len = (size_t)(s + i - *word);
	*pos = i;
	return true;
}

static void add_device(struct parser *p, const struct device_line *d)
{
	struct vm_config *c = p->config;
	struct device *dev = &c->devices[c->device_count];
	struct device_error err;

	if (c->device_count == VM_DEVICES_MAX) {
		report(p, d->line, "the VM has more than %u devices", VM_DEVICES_MAX);
		return;
	}
	if (device_parse_line(dev, d->text, strlen(d->text), &err)) {
		report(p, d->line, "%s", err.text);
		return;
	}
	if (dev->name[0] && find_device(c, dev->name, strlen(dev->name))) {
		const struct device *other = find_device(c, dev->name, strlen(dev->name));

		if (other->line)
			report(p, d->line, "a device named %s was added on line %u", dev->name,
			       other->line);
		else
			report(p, d->line, "the %s machine has a device named %s already", c->machine,
			       dev->name);
		return;
	}
	dev->line = d->line;
	if (!dev->name[0])
		device_default_name(dev, c->devices, c->device_count);
	c->device_count++;
}

static void set_device(struct parser *p, const struct device_line *d)
{
	struct vm_config *c = p->config;
	struct device_error err;
	struct device *dev;
	const char *word;
	size_t len, pos = 0;
	char names[200];

	if (!next_name(d->text, &pos, &word, &len)) {
		report(p, d->line, "device-set names no device");
		return;
	}
	dev = find_device(c, word, len);
	if (!dev) {
		report(p, d->line, "device-set: the VM has no device '%.*s' (it has: %s)",
		       (int)(len > 30 ? 30 : len), word, device_names(c, names, sizeof(names)));
		return;
	}
	if (device_apply_words(dev, d->text + pos, strlen(d->text + pos), &err))
		report(p, d->line, "%s", err.text);
}

static void remove_devices(struct parser *p, const struct device_line *d)
{
	struct vm_config *c = p->config;
	const char *word;
	size_t len, pos = 0;
	char names[200];

	while (next_name(d->text, &pos, &word, &len)) {
		struct device *dev = find_device(c, word, len);
		unsigned int i;

		if (!dev) {
			report(p, d->line, "device-remove: the VM has no device '%.*s' (it has: %s)",
			       (int)(len > 30 ? 30 : len), word,
			       device_names(c, names, sizeof(names)));
			continue;
		}
		i = (unsigned int)(dev - c->devices);
		memmove(dev, dev + 1, (c->device_count - i - 1) * sizeof(*dev));
		c->device_count--;
	}
}

/*
 * disk = <file> [readonly] [transport=<name>]: the machine's disk class in
 * its next slot, with the file as its image.
 */
static void add_disk(struct parser *p, const struct machine_ops *m, const struct device_line *d,
		     unsigned int n)
{
	struct device_line line = { .key = KEY_DEVICE, .line = d->line };
	const char *word, *path = NULL, *transport = "";
	size_t len, pos = 0, path_len = 0;
	char transport_buf[16] = "";
	bool read_only = false;
	char buf[SHOWN_MAX + 4];

	while (next_name(d->text, &pos, &word, &len)) {
		if (!path) {
			path = word;
			path_len = len;
		} else if (len == 8 && memcmp(word, "readonly", 8) == 0) {
			read_only = true;
		} else if (len > 5 && (memcmp(word, "from=", 5) == 0 || memcmp(word, "size=", 5) == 0) &&
			   path_len > 5 && memcmp(path, VM_HOST_PREFIX, 5) == 0) {
			continue;       /* for 'make hostdisk': how to make the partition */
		} else if (len > 10 && len < 10 + sizeof(transport_buf) &&
			   memcmp(word, "transport=", 10) == 0) {
			memcpy(transport_buf, word + 10, len - 10);
			transport_buf[len - 10] = '\0';
			transport = transport_buf;
		} else {
			report(p, d->line, "disk: '%s' is neither readonly nor transport=<name>%s",
			       shown(buf, word, len),
			       path_len > 5 && memcmp(path, VM_HOST_PREFIX, 5) == 0
				       ? " (nor from=<file> or size=<size> for a host: partition)" : "");
			return;
		}
	}
	if (!path) {
		report(p, d->line, "disk names no image file");
		return;
	}
	if (!m->disk_device) {
		report(p, d->line, "the %s machine takes no disks", m->name);
		return;
	}
	if (m->disk_device(n, transport, line.text, sizeof(line.text)) != 0) {
		report(p, d->line, "disk: %s", line.text);
		return;
	}
	/* Lines before the last are what the disk sits on (a q35 root port). */
	char *last;
	while ((last = strchr(line.text, '\n')) != NULL) {
		struct device_line before = { .key = KEY_DEVICE, .line = d->line };

		snprintf(before.text, sizeof(before.text), "%.*s", (int)(last - line.text),
			 line.text);
		add_device(p, &before);
		memmove(line.text, last + 1, strlen(last + 1) + 1);
	}
	snprintf(line.text + strlen(line.text), sizeof(line.text) - strlen(line.text),
		 " image=%.*s%s", (int)path_len, path, read_only ? " readonly=on" : "");
	add_device(p, &line);
}

static const struct machine_ops *resolve_machine(struct parser *p)
{
	struct vm_config *c = p->config;
	const struct machine_ops *m;
	char names[120];

	if (c->machine[0]) {
		m = machine_find(p->arch, c->machine);
		if (!m) {
			machine_names(p->arch, names, sizeof(names));
			report(p, c->machine_line, "unknown machine '%s' (this image has %s for %s)",
			       c->machine, names[0] ? names : "no machine", p->arch);
		}
		return m;
	}
	m = machine_default(p->arch);
	if (m)
		snprintf(c->machine, sizeof(c->machine), "%s", m->name);
	return m;
}

/* ACPI uids: the class's first uid, counting up per class in device order. */
static void number_devices(struct vm_config *c)
{
	for (unsigned int i = 0; i < c->device_count; i++) {
		unsigned int n = 0;

		for (unsigned int j = 0; j < i; j++)
			if (c->devices[j].cls == c->devices[i].cls)
				n++;
		c->devices[i].uid = c->devices[i].cls->acpi_first_uid + n;
	}
}

/* A class with port ranges needs a board with an I/O port space. */
static bool needs_ports(const struct device_class *cls)
{
	for (unsigned int i = 0; i < cls->range_count; i++)
		if (cls->ranges[i].space == BUS_SPACE_PIO)
			return true;
	return false;
}

static void build_devices(struct parser *p)
{
	struct vm_config *c = p->config;
	const struct machine_ops *m = resolve_machine(p);
	unsigned int last = p->line ? p->line : 1;

	if (!m)
		return;
	if (c->ram_below_4g && !m->ram_below_4g_max)
		report(p, p->key_line[KEY_RAM_BELOW_4G], "ram-below-4g: the %s machine does not "
		       "split its RAM at 4 GiB (it is a setting of x86's pc machine)", m->name);
	else if (c->ram_below_4g > m->ram_below_4g_max)
		report(p, p->key_line[KEY_RAM_BELOW_4G], "ram-below-4g is more than the %lluM the %s "
		       "machine can have below 4 GiB", (unsigned long long)(m->ram_below_4g_max >> 20),
		       m->name);
	for (unsigned int i = 0; i < m->device_count; i++) {
		struct device_line board = { .key = KEY_DEVICE, .line = 0 };

		snprintf(board.text, sizeof(board.text), "%s", m->devices[i]);
		add_device(p, &board);
	}
	for (unsigned int i = 0, disks = 0; i < p->device_line_count; i++) {
		const struct device_line *d = &p->device_lines[i];

		if (d->key == KEY_DISK)
			add_disk(p, m, d, disks++);
		else if (d->key == KEY_DEVICE)
			add_device(p, d);
		else if (d->key == KEY_DEVICE_SET)
			set_device(p, d);
		else
			remove_devices(p, d);
	}
	for (unsigned int i = 0; i < c->device_count; i++) {
		struct device *dev = &c->devices[i];
		struct device_error err;

		if (needs_ports(dev->cls) && !m->has_ports) {
			report(p, dev->line ? dev->line : last, "%s needs I/O ports, which the %s machine "
			       "does not have", dev->cls->name, m->name);
			continue;
		}
		if (device_finish(dev, &err)) {
			report(p, dev->line ? dev->line : last, "%s", err.text);
			continue;
		}
		for (unsigned int k = 0; k < dev->cls->prop_count; k++) {
			char buf[SHOWN_MAX + 4];

			if (dev->cls->props[k].type != DEVICE_PROP_FILE || !dev->value[k].text[0])
				continue;
			if (vm_config_is_host_path(dev->value[k].text)) {
				char what[48];

				snprintf(what, sizeof(what), "%s %s: %s", dev->cls->name, dev->name,
					 dev->cls->props[k].name);
				check_host_path(p, dev->line ? dev->line : last, what,
						dev->value[k].text);
				continue;
			}
			if (!p->exists || p->exists(dev->value[k].text))
				continue;
			report(p, dev->line ? dev->line : last, "%s %s: %s '%s' is not in the boot archive",
			       dev->cls->name, dev->name, dev->cls->props[k].name,
			       shown(buf, dev->value[k].text, strlen(dev->value[k].text)));
		}
	}
	number_devices(c);
	check_boot(p);
}

/* Checks that need the whole file: required keys, keys that need others. */
static void check_complete(struct parser *p)
{
	unsigned int last = p->line ? p->line : 1;

	if (!p->key_line[KEY_NAME])
		report(p, last, "name is missing");
	if (!p->key_line[KEY_MEMORY])
		report(p, last, "memory is missing");
	if (!p->key_line[KEY_KERNEL] && !p->key_line[KEY_FIRMWARE])
		report(p, last, "kernel or firmware is missing (the VM has nothing to boot)");
	if (p->key_line[KEY_INITRD] && !p->key_line[KEY_KERNEL])
		report(p, p->key_line[KEY_INITRD], "initrd needs a kernel");
	if (p->key_line[KEY_CMDLINE] && !p->key_line[KEY_KERNEL])
		report(p, p->key_line[KEY_CMDLINE], "cmdline needs a kernel");
	if (p->key_line[KEY_FIRMWARE_VARS] && !p->key_line[KEY_FIRMWARE])
		report(p, p->key_line[KEY_FIRMWARE_VARS], "firmware-vars needs a firmware");
	build_devices(p);
}

int vm_config_parse(struct vm_config *config, const char *arch, const char *source,
		    const void *text, size_t size, vm_file_exists_fn exists)
{
	/* Large (the kept device lines): not on the stack. */
	static struct parser p;

	p = (struct parser){
		.config = config,
		.source = source ? source : "(unnamed)",
		.exists = exists,
		.arch = arch,
	};
	const char *s = text, *end = s + size;

	memset(config, 0, sizeof(*config));
	snprintf(config->source, sizeof(config->source), "%s", p.source);
	config->cpus = 1;
	config->acpi = true;

	while (s < end) {
		const char *newline = memchr(s, '\n', (size_t)(end - s));
		size_t len = (size_t)((newline ? newline : end) - s);

		p.line++;
		/* CRLF files: the CR belongs to the line ending. */
		if (len > 0 && s[len - 1] == '\r')
			len--;
		parse_line(&p, s, len);
		s = newline ? newline + 1 : end;
	}
	check_complete(&p);
	return p.errors ? -EINVAL : 0;
}
