/* SPDX-License-Identifier: MIT */
/*
 * The VM configuration parser: every key, every message word for word,
 * and the edge cases of text that comes from an archive (no final
 * newline, CRLF, NUL bytes, huge lines, an empty file).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <host/support.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vm/config.h>

#include "test_machines.h"

static struct vm_config cfg;

static bool in_archive(const char *name)
{
	static const char *const files[] = {
		"guests/Image", "guests/initrd.cpio.gz", "guests/AAVMF_CODE.fd",
		"guests/AAVMF_VARS.fd", "guests/bios.bin", "guests/my Image", "guests/disk.img",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (strcmp(name, files[i]) == 0)
			return true;
	}
	return false;
}

/* Parses from a heap copy of exactly len bytes, so that reading past the
 * end is caught by the sanitizers and valgrind. */
static int parse_bytes(const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, text, len);
	host_console_clear();
	rc = vm_config_parse(&cfg, TEST_ARCH, "vms/t.vm", copy, len, in_archive);
	free(copy);
	return rc;
}

static int parse(const char *text)
{
	return parse_bytes(text, strlen(text));
}

static void expect_error_bytes(const char *text, size_t len, const char *message)
{
	char want[1024];

	assert_int_equal(parse_bytes(text, len), -EINVAL);
	snprintf(want, sizeof(want), "[cpu0] error: %s\n", message);
	assert_string_equal(host_console_text(), want);
}

static void expect_error(const char *text, const char *message)
{
	expect_error_bytes(text, strlen(text), message);
}

static void expect_ok(const char *text)
{
	int rc = parse(text);

	if (rc != 0)
		fail_msg("unexpected errors: %s", host_console_text());
	assert_string_equal(host_console_text(), "");
}

/* Three lines every good file needs; the line under test is line 4. */
#define BASE "name = t\nmemory = 64M\nkernel = guests/Image\n"

static void test_the_documented_example(void **state)
{
	(void)state;
	expect_ok("# A Debian arm64 kernel booted directly\n"
		  "name     = linux\n"
		  "cpus     = 2\n"
		  "memory   = 512M\n"
		  "kernel   = guests/Image          # paths inside the boot archive\n"
		  "initrd   = guests/initrd.cpio.gz\n"
		  "cmdline  = \"console=ttyAMA0 earlycon\"\n"
		  "firmware = guests/AAVMF_CODE.fd  # optional\n"
		  "firmware-vars = guests/AAVMF_VARS.fd   # optional\n"
		  "machine  = alpha                 # optional\n"
		  "device   = tclock base=0x3000 irq=3 zone=cet   # optional\n"
		  "cpu-affinity = 1                 # optional\n");
	assert_string_equal(cfg.source, "vms/t.vm");
	assert_string_equal(cfg.name, "linux");
	assert_int_equal(cfg.name_line, 2);
	assert_int_equal(cfg.cpus, 2);
	assert_int_equal(cfg.memory, 512ULL << 20);
	assert_string_equal(cfg.kernel, "guests/Image");
	assert_string_equal(cfg.initrd, "guests/initrd.cpio.gz");
	assert_string_equal(cfg.cmdline, "console=ttyAMA0 earlycon");
	assert_string_equal(cfg.firmware, "guests/AAVMF_CODE.fd");
	assert_string_equal(cfg.firmware_vars, "guests/AAVMF_VARS.fd");
	assert_string_equal(cfg.machine, "alpha");
	assert_int_equal(cfg.machine_line, 10);
	assert_int_equal(cfg.device_count, 3);
	assert_string_equal(cfg.devices[0].name, "uart0");
	assert_string_equal(cfg.devices[1].name, "clock0");
	assert_string_equal(cfg.devices[2].name, "tclock0");
	assert_int_equal(cfg.devices[2].line, 11);
	assert_int_equal(cfg.devices[2].base[0], 0x3000);
	assert_string_equal(device_prop_text(&cfg.devices[2], "zone"), "cet");
	assert_non_null(vm_config_device(&cfg, "clock0"));
	assert_null(vm_config_device(&cfg, "rtc"));
	assert_int_equal(cfg.cpu_affinity_count, 1);
	assert_int_equal(cfg.cpu_affinity[0], 1);
}

static void test_defaults(void **state)
{
	(void)state;
	expect_ok(BASE);
	assert_int_equal(cfg.cpus, 1);
	assert_string_equal(cfg.initrd, "");
	assert_string_equal(cfg.cmdline, "");
	assert_string_equal(cfg.firmware, "");
	assert_string_equal(cfg.firmware_vars, "");
	assert_string_equal(cfg.machine, "alpha");        /* the architecture's default */
	assert_int_equal(cfg.device_count, 2);              /* and its devices */
	assert_int_equal(cfg.devices[1].line, 0);
	assert_int_equal(device_prop_u64(&cfg.devices[1], "epoch"), 5);
	assert_string_equal(device_prop_text(&cfg.devices[1], "zone"), "utc");
	assert_int_equal(cfg.cpu_affinity_count, 0);
}

static void test_firmware_alone_boots(void **state)
{
	(void)state;
	expect_ok("name = uefi\nmemory = 1G\nfirmware = guests/AAVMF_CODE.fd\n"
		  "firmware-vars = guests/AAVMF_VARS.fd\n");
	assert_string_equal(cfg.kernel, "");
	assert_string_equal(cfg.firmware, "guests/AAVMF_CODE.fd");
}

static void test_sizes(void **state)
{
	static const struct { const char *text; uint64_t bytes; } sizes[] = {
		{ "16M", 16ULL << 20 }, { "64m", 64ULL << 20 }, { "65536K", 64ULL << 20 },
		{ "65536k", 64ULL << 20 }, { "2G", 2ULL << 30 }, { "1g", 1ULL << 30 },
		{ "67108864", 64ULL << 20 }, { "255G", 255ULL << 30 }, { "0000032M", 32ULL << 20 },
	};
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(text, sizeof(text), "name = t\nkernel = guests/Image\nmemory = %s\n",
			 sizes[i].text);
		expect_ok(text);
		assert_int_equal(cfg.memory, sizes[i].bytes);
	}
}

static void test_memory_errors(void **state)
{
	(void)state;
	expect_error("name = t\nkernel = guests/Image\nmemory = 12Q\n",
		     "vms/t.vm:3: memory '12Q' is not a size like 512M or 1G");
	expect_error("name = t\nkernel = guests/Image\nmemory = M\n",
		     "vms/t.vm:3: memory 'M' is not a size like 512M or 1G");
	expect_error("name = t\nkernel = guests/Image\nmemory = 512 M\n",
		     "vms/t.vm:3: memory '512 M' is not a size like 512M or 1G");
	expect_error("name = t\nkernel = guests/Image\nmemory = -1G\n",
		     "vms/t.vm:3: memory '-1G' is not a size like 512M or 1G");
	expect_error("name = t\nkernel = guests/Image\nmemory = 0x1000000\n",
		     "vms/t.vm:3: memory '0x1000000' is not a size like 512M or 1G");
	/* 2^64 bytes and beyond wrap in a careless parser. */
	expect_error("name = t\nkernel = guests/Image\nmemory = 18446744073709551616\n",
		     "vms/t.vm:3: memory '18446744073709551616' is not a size like 512M or 1G");
	expect_error("name = t\nkernel = guests/Image\nmemory = 16777216T\n",
		     "vms/t.vm:3: memory '16777216T' is not a size like 512M or 1G");
	expect_error("name = t\nkernel = guests/Image\nmemory = 8M\n",
		     "vms/t.vm:3: memory 8M is less than the minimum of 16M");
	expect_error("name = t\nkernel = guests/Image\nmemory = 256G\n",
		     "vms/t.vm:3: memory 256G is more than the maximum of 255G");
	expect_error("name = t\nkernel = guests/Image\nmemory = 17M\n",
		     "vms/t.vm:3: memory 17M is not a multiple of 2M");
}

/* ram-below-4g: the split of a board that has one (QEMU's max-ram-below-4g). */
static void test_ram_below_4g(void **state)
{
	(void)state;
	expect_ok(BASE "ram-below-4g = 1G\n");
	assert_int_equal(cfg.ram_below_4g, 1ULL << 30);
	expect_ok(BASE "ram-below-4g = 3584M\n");
	assert_int_equal(cfg.ram_below_4g, 0xE0000000ull);
	expect_ok(BASE);
	assert_int_equal(cfg.ram_below_4g, 0);
	expect_error(BASE "ram-below-4g = 3586M\n",
		     "vms/t.vm:4: ram-below-4g is more than the 3584M the alpha machine can have "
		     "below 4 GiB");
	expect_error(BASE "ram-below-4g = 1x\n",
		     "vms/t.vm:4: ram-below-4g '1x' is not a size like 512M or 1G");
	expect_error(BASE "ram-below-4g = 8M\n",
		     "vms/t.vm:4: ram-below-4g 8M is less than the minimum of 16M");
	expect_error(BASE "ram-below-4g = 513M\n",
		     "vms/t.vm:4: ram-below-4g 513M is not a multiple of 2M");
	expect_error(BASE "machine = beta\nram-below-4g = 1G\n",
		     "vms/t.vm:5: ram-below-4g: the beta machine does not split its RAM at 4 GiB "
		     "(it is a setting of x86's pc machine)");
}

static void test_cpus(void **state)
{
	char text[128];

	(void)state;
	expect_ok(BASE "cpus = 1\n");
	assert_int_equal(cfg.cpus, 1);
	snprintf(text, sizeof(text), BASE "cpus = %u\n", (unsigned int)CONFIG_MAX_CPUS);
	expect_ok(text);
	assert_int_equal(cfg.cpus, CONFIG_MAX_CPUS);

	snprintf(text, sizeof(text), "vms/t.vm:4: cpus 0 is out of range (1 to %u)",
		 (unsigned int)CONFIG_MAX_CPUS);
	expect_error(BASE "cpus = 0\n", text);
	snprintf(text, sizeof(text), BASE "cpus = %u\n", (unsigned int)CONFIG_MAX_CPUS + 1);
	parse(text);
	snprintf(text, sizeof(text), "[cpu0] error: vms/t.vm:4: cpus %u is out of range (1 to %u)\n",
		 (unsigned int)CONFIG_MAX_CPUS + 1, (unsigned int)CONFIG_MAX_CPUS);
	assert_string_equal(host_console_text(), text);
	expect_error(BASE "cpus = 99999999999999999999999\n",
		     "vms/t.vm:4: cpus '99999999999999999999999' is not a number");
	expect_error(BASE "cpus = two\n", "vms/t.vm:4: cpus 'two' is not a number");
	expect_error(BASE "cpus = 2 4\n", "vms/t.vm:4: cpus '2 4' is not a number");
	expect_error(BASE "cpus = +2\n", "vms/t.vm:4: cpus '+2' is not a number");
}

static void test_name(void **state)
{
	(void)state;
	expect_ok("name = Web-server_2\nmemory = 64M\nkernel = guests/Image\n");
	assert_string_equal(cfg.name, "Web-server_2");
	expect_ok("name = \"quoted\"\nmemory = 64M\nkernel = guests/Image\n");
	assert_string_equal(cfg.name, "quoted");
	expect_ok("name = abcdefghijklmnopqrstuvwxyz01234\nmemory = 64M\nkernel = guests/Image\n");
	assert_int_equal(strlen(cfg.name), VM_NAME_MAX - 1);

	expect_error("name = abcdefghijklmnopqrstuvwxyz012345\nmemory = 64M\nkernel = guests/Image\n",
		     "vms/t.vm:1: name is longer than 31 characters");
	expect_error("name = my.vm\nmemory = 64M\nkernel = guests/Image\n",
		     "vms/t.vm:1: name 'my.vm' may only contain letters, digits, '-' and '_'");
	expect_error("name = \"two words\"\nmemory = 64M\nkernel = guests/Image\n",
		     "vms/t.vm:1: name 'two words' may only contain letters, digits, '-' and '_'");
	expect_error("name = caf\xc3\xa9\nmemory = 64M\nkernel = guests/Image\n",
		     "vms/t.vm:1: name 'caf\xc3\xa9' may only contain letters, digits, '-' and '_'");
}

static void test_paths(void **state)
{
	(void)state;
	expect_ok("name = t\nmemory = 64M\nkernel = \"guests/my Image\"\n");
	assert_string_equal(cfg.kernel, "guests/my Image");

	expect_error("name = t\nmemory = 64M\nkernel = guests/vmlinuz\n",
		     "vms/t.vm:3: kernel 'guests/vmlinuz' is not in the boot archive");
	expect_error(BASE "initrd = guests/missing.cpio\n",
		     "vms/t.vm:4: initrd 'guests/missing.cpio' is not in the boot archive");
	expect_error(BASE "firmware = QEMU_EFI.fd\n",
		     "vms/t.vm:4: firmware 'QEMU_EFI.fd' is not in the boot archive");
	expect_error(BASE "firmware = guests/bios.bin\nfirmware-vars = vars.fd\n",
		     "vms/t.vm:5: firmware-vars 'vars.fd' is not in the boot archive");
	expect_error("name = t\nmemory = 64M\nkernel = guests/my Image\n",
		     "vms/t.vm:3: kernel must be one path (put it in quotes if it contains spaces)");
	expect_error("name = t\nmemory = 64M\nkernel = /guests/Image\n",
		     "vms/t.vm:3: kernel '/guests/Image' must be a path inside the boot archive, "
		     "without a leading '/'");

	/* Without a callback, nothing is looked up. */
	host_console_clear();
	assert_int_equal(vm_config_parse(&cfg, TEST_ARCH, "vms/t.vm", "name=t\nmemory=64M\nkernel=x\n",
					 strlen("name=t\nmemory=64M\nkernel=x\n"), NULL), 0);
	assert_string_equal(cfg.kernel, "x");
}

static void test_long_values(void **state)
{
	char text[4096];
	char path[VM_PATH_MAX + 1];

	(void)state;
	memset(path, 'p', sizeof(path) - 1);
	path[VM_PATH_MAX - 1] = '\0';   /* 127 characters: the longest path */
	snprintf(text, sizeof(text), "name = t\nmemory = 64M\nkernel = %s\n", path);
	host_console_clear();
	assert_int_equal(vm_config_parse(&cfg, TEST_ARCH, "vms/t.vm", text, strlen(text), NULL), 0);
	assert_int_equal(strlen(cfg.kernel), VM_PATH_MAX - 1);

	path[VM_PATH_MAX - 1] = 'p';
	path[VM_PATH_MAX] = '\0';       /* 128 */
	snprintf(text, sizeof(text), "name = t\nmemory = 64M\nkernel = %s\n", path);
	expect_error(text, "vms/t.vm:3: kernel is longer than 127 characters");

	/* 1023 characters of command line fit, 1024 do not. */
	memcpy(text, BASE "cmdline = ", strlen(BASE "cmdline = "));
	{
		size_t at = strlen(BASE "cmdline = ");

		memset(text + at, 'c', 1023);
		strcpy(text + at + 1023, "\n");
		expect_ok(text);
		assert_int_equal(strlen(cfg.cmdline), 1023);
		memset(text + at, 'c', 1024);
		strcpy(text + at + 1024, "\n");
		expect_error(text, "vms/t.vm:4: cmdline is longer than 1023 characters");
		/* Escapes count once they are decoded: 1023 of them still fit. */
		text[at] = '"';
		for (size_t i = 0; i < 1023; i++)
			memcpy(text + at + 1 + 2 * i, "\\t", 2);
		strcpy(text + at + 1 + 2 * 1023, "\"\n");
		expect_ok(text);
		assert_int_equal(strlen(cfg.cmdline), 1023);
		assert_int_equal(cfg.cmdline[1022], '\t');
	}
}

static void test_very_long_line(void **state)
{
	size_t len = 1 << 20;
	char *text = malloc(len + 64);

	(void)state;
	strcpy(text, BASE "cmdline = \"");
	memset(text + strlen(text), 'x', len);
	strcpy(text + strlen(BASE "cmdline = \"") + len, "\"\n");
	expect_error(text, "vms/t.vm:4: cmdline is longer than 1023 characters");
	free(text);
}

static void test_quoted_strings(void **state)
{
	(void)state;
	expect_ok(BASE "cmdline = \"a \\\"b\\\" c\\\\d\\te\\nf # not a comment\"  # a comment\n");
	assert_string_equal(cfg.cmdline, "a \"b\" c\\d\te\nf # not a comment");
	expect_ok(BASE "cmdline = \"\tkeeps\ttabs \"\n");
	assert_string_equal(cfg.cmdline, "\tkeeps\ttabs ");

	expect_error(BASE "cmdline = \"console=ttyS0\n",
		     "vms/t.vm:4: cmdline has no closing quote");
	expect_error(BASE "cmdline = \"ends with a backslash\\",
		     "vms/t.vm:4: cmdline has no closing quote");
	expect_error(BASE "cmdline = \"a\\qb\"\n",
		     "vms/t.vm:4: cmdline has an unknown escape '\\q' (use \\\\, \\\", \\n or \\t)");
	expect_error(BASE "cmdline = \"a\" b\n",
		     "vms/t.vm:4: unexpected text after the closing quote of cmdline");
	expect_error(BASE "cmdline = root=\"x\"\n",
		     "vms/t.vm:4: cmdline has a quote inside its value (put the whole value in quotes)");
	/* rtc = host | a UTC time; acpi = on | off (default on). */
	expect_ok(BASE);
	assert_int_equal(cfg.rtc_start, 0);
	assert_true(cfg.acpi);
	expect_ok(BASE "rtc = 2024-01-01T00:00:00\nacpi = off\n");
	assert_int_equal(cfg.rtc_start, 1704067200);
	assert_false(cfg.acpi);
	expect_ok(BASE "rtc = host\n");
	assert_int_equal(cfg.rtc_start, 0);
	expect_error(BASE "rtc = yesterday\n",
		     "vms/t.vm:4: rtc 'yesterday' is not 'host' or a time like 2024-01-01T00:00:00 (UTC)");
	expect_error(BASE "rtc = 2023-02-29T00:00:00\n",
		     "vms/t.vm:4: rtc '2023-02-29T00:00:00' is not 'host' or a time like "
		     "2024-01-01T00:00:00 (UTC)");
	expect_error(BASE "acpi = yes\n", "vms/t.vm:4: acpi 'yes' is not on or off");
	/* A quoted "" is an empty command line; a bare "cmdline =" is a slip. */
	expect_error(BASE "cmdline =\n", "vms/t.vm:4: cmdline has no value");
	expect_ok(BASE "cmdline = \"\"   # none at all\n");
	assert_string_equal(cfg.cmdline, "");
	expect_error(BASE "initrd = \"\"\n", "vms/t.vm:4: initrd has no value");
}

static void test_unquoted_values(void **state)
{
	(void)state;
	/* Up to the comment, blanks at the end dropped, tabs become spaces. */
	expect_ok(BASE "cmdline = console=ttyS0\tquiet   # comment\n");
	assert_string_equal(cfg.cmdline, "console=ttyS0 quiet");
	expect_ok("name=t\nmemory=64M\nkernel=guests/Image\ncmdline=a=b\n");
	assert_string_equal(cfg.cmdline, "a=b");
	expect_ok("\t name\t=\tt \t\n  memory =64M\nkernel= guests/Image#c\n");
	assert_string_equal(cfg.name, "t");
	assert_string_equal(cfg.kernel, "guests/Image");
}

static void test_machines(void **state)
{
	(void)state;
	expect_ok(BASE "machine = beta\n");
	assert_string_equal(cfg.machine, "beta");
	assert_int_equal(cfg.device_count, 0);
	expect_error(BASE "machine = nonsense\n",
		     "vms/t.vm:4: unknown machine 'nonsense' (this image has alpha, beta, gamma for testarch)");
	expect_error(BASE "machine = alpha\nmachine = beta\n",
		     "vms/t.vm:5: machine is already set on line 4");
}

static void test_device_lines(void **state)
{
	const struct device *d;

	(void)state;
	/* Added, named, several ranges and interrupts, every property type. */
	expect_ok(BASE "device = tdisk name=disk1 base=0x4000 port=0x300 irq=5,6 image=guests/disk.img "
		  "readonly=on\n"
		  "device = tclock base=0x5000 irq=7 frozen=yes epoch=0x3e8\n"
		  "device = tport\n");
	assert_int_equal(cfg.device_count, 5);
	d = vm_config_device(&cfg, "disk1");
	assert_non_null(d);
	assert_int_equal(d->base[0], 0x4000);
	assert_int_equal(d->base[1], 0x300);
	assert_int_equal(d->irq[0], 5);
	assert_int_equal(d->irq[1], 6);
	assert_string_equal(device_prop_text(d, "image"), "guests/disk.img");
	assert_true(device_prop_bool(d, "readonly"));
	d = vm_config_device(&cfg, "tclock0");
	assert_non_null(d);
	assert_int_equal(device_prop_u64(d, "epoch"), 1000);
	assert_true(device_prop_bool(d, "frozen"));
	d = vm_config_device(&cfg, "tport0");
	assert_non_null(d);
	assert_int_equal(d->base[0], 0x60);              /* its fixed port */
	/* ACPI uids count per class. */
	assert_int_equal(vm_config_device(&cfg, "clock0")->uid, 0);
	assert_int_equal(vm_config_device(&cfg, "tclock0")->uid, 1);

	/* Changing and removing the machine's instances. */
	expect_ok(BASE "device-set = clock0 epoch=9 zone=jst\ndevice-remove = uart0\n");
	assert_int_equal(cfg.device_count, 1);
	assert_string_equal(cfg.devices[0].name, "clock0");
	assert_int_equal(device_prop_u64(&cfg.devices[0], "epoch"), 9);
	expect_ok(BASE "device-remove = uart0 clock0\ndevice = tuart name=uart0 base=0x9000 irq=1\n");
	assert_int_equal(cfg.device_count, 1);
	assert_int_equal(cfg.devices[0].base[0], 0x9000);
}

static void test_disks(void **state)
{
	const struct device *d;

	(void)state;
	expect_ok(BASE "disk = guests/disk.img\ndisk = guests/Image readonly transport=fast\n");
	assert_int_equal(cfg.device_count, 4);
	d = vm_config_device(&cfg, "disk0");
	assert_non_null(d);
	assert_int_equal(d->line, 4);
	assert_int_equal(d->base[0], 0x10000);
	assert_string_equal(device_prop_text(d, "image"), "guests/disk.img");
	assert_false(device_prop_bool(d, "readonly"));
	d = vm_config_device(&cfg, "disk1");
	assert_non_null(d);
	assert_int_equal(d->base[0], 0x11000);
	assert_int_equal(d->irq[1], 23);
	assert_true(device_prop_bool(d, "readonly"));
	expect_error(BASE "disk = guests/nope.img\n",
		     "vms/t.vm:4: tdisk disk0: image 'guests/nope.img' is not in the boot archive");
	expect_error(BASE "disk = guests/disk.img transport=slow\n",
		     "vms/t.vm:4: disk: the alpha machine has transport=fast only, not 'slow'");
	expect_error(BASE "disk = guests/disk.img rw\n",
		     "vms/t.vm:4: disk: 'rw' is neither readonly nor transport=<name>");
	expect_error(BASE "machine = beta\ndisk = guests/disk.img\n",
		     "vms/t.vm:5: the beta machine takes no disks");

	/* A board whose disk needs an instance of its own first (q35's root port). */
	expect_ok(BASE "machine = gamma\ndisk = guests/disk.img\ndisk = guests/Image\n");
	assert_int_equal(cfg.device_count, 4);
	assert_string_equal(cfg.devices[0].name, "hub0");
	assert_string_equal(cfg.devices[1].name, "disk0");
	assert_string_equal(cfg.devices[2].name, "hub1");
	assert_string_equal(cfg.devices[3].name, "disk1");
	assert_int_equal(cfg.devices[0].line, 5);
	assert_int_equal(cfg.devices[0].base[0], 0x30000);
	assert_int_equal(cfg.devices[2].irq[0], 41);
	assert_string_equal(device_prop_text(&cfg.devices[1], "image"), "guests/disk.img");
	assert_string_equal(device_prop_text(&cfg.devices[3], "image"), "guests/Image");
}

static void test_boot_order(void **state)
{
	(void)state;
	expect_ok(BASE "disk = guests/disk.img\ndisk = guests/Image\nboot = disk1 disk0\n");
	assert_int_equal(cfg.boot_count, 2);
	assert_string_equal(cfg.boot[0], "disk1");
	assert_string_equal(cfg.boot[1], "disk0");
	assert_int_equal(cfg.boot_line, 6);
	expect_ok(BASE "disk = guests/disk.img\n");
	assert_int_equal(cfg.boot_count, 0);
	expect_error(BASE "disk = guests/disk.img\nboot = disk3\n",
		     "vms/t.vm:5: boot: 'disk3' is not a device this VM can boot from (it has: disk0)");
	expect_error(BASE "disk = guests/disk.img\nboot = uart0\n",
		     "vms/t.vm:5: boot: 'uart0' is not a device this VM can boot from (it has: disk0)");
	expect_error(BASE "boot = disk0\n",
		     "vms/t.vm:4: boot: 'disk0' is not a device this VM can boot from (it has none)");
	expect_error(BASE "disk = guests/disk.img\nboot = disk0 disk0\n",
		     "vms/t.vm:5: boot names 'disk0' twice");
}

/* A host disk with partitions web-root and web-vars. */
static bool two_partitions(const char *name, char *names, size_t len)
{
	if (strcmp(name, "web-root") == 0 || strcmp(name, "web-vars") == 0)
		return true;
	snprintf(names, len, "it has: web-root, web-vars");
	return false;
}

static bool no_host_disk(const char *name, char *names, size_t len)
{
	(void)name;
	snprintf(names, len, "no host disk was found");
	return false;
}

static void test_host_storage(void **state)
{
	const struct device *d;

	(void)state;
	vm_config_set_host_storage(two_partitions);
	expect_ok("name = t\nmemory = 64M\nfirmware = guests/AAVMF_CODE.fd\n"
		  "firmware-vars = host:web-vars from=guests/vars.fd\n"
		  "disk = host:web-root from=guests/disk.img\ndisk = host:web-root size=1G readonly\n");
	assert_string_equal(cfg.firmware_vars, "host:web-vars");
	assert_int_equal(cfg.firmware_vars_line, 4);
	d = vm_config_device(&cfg, "disk0");
	assert_string_equal(device_prop_text(d, "image"), "host:web-root");
	d = vm_config_device(&cfg, "disk1");
	assert_true(device_prop_bool(d, "readonly"));
	expect_error(BASE "disk = host:web-data\n",
		     "vms/t.vm:4: tdisk disk0: image 'host:web-data': the host disk has no partition "
		     "'web-data' (it has: web-root, web-vars)");
	expect_error("name = t\nmemory = 64M\nfirmware = guests/AAVMF_CODE.fd\nfirmware-vars = host:vars\n",
		     "vms/t.vm:4: firmware-vars 'host:vars': the host disk has no partition 'vars' "
		     "(it has: web-root, web-vars)");
	expect_error("name = t\nmemory = 64M\nfirmware = guests/AAVMF_CODE.fd\n"
		     "firmware-vars = host:web-vars colour=red\n",
		     "vms/t.vm:4: firmware-vars: 'colour=red' is neither from=<file> nor size=<size> "
		     "(what 'make hostdisk' fills a new partition with)");
	expect_error("name = t\nmemory = 64M\nfirmware = host:web-vars\n",
		     "vms/t.vm:3: firmware 'host:web-vars': only firmware-vars and disks may be on "
		     "the host disk");
	expect_error(BASE "disk = host:web-root rw\n",
		     "vms/t.vm:4: disk: 'rw' is neither readonly nor transport=<name> (nor "
		     "from=<file> or size=<size> for a host: partition)");
	expect_error(BASE "disk = guests/disk.img from=guests/x.img\n",
		     "vms/t.vm:4: disk: 'from=guests/x.img' is neither readonly nor transport=<name>");
	vm_config_set_host_storage(no_host_disk);
	expect_error(BASE "disk = host:web-root\n",
		     "vms/t.vm:4: tdisk disk0: image 'host:web-root': the host disk has no partition "
		     "'web-root' (no host disk was found)");
	vm_config_set_host_storage(NULL);
	expect_error(BASE "disk = host:web-root\n",
		     "vms/t.vm:4: tdisk disk0: image 'host:web-root' names a host disk partition, but "
		     "this image has no host disk support (HOSTDISK)");
}

static void test_device_line_errors(void **state)
{
	(void)state;
	expect_error(BASE "device = virtio-net base=0x1\n",
		     "vms/t.vm:4: unknown device class 'virtio-net' (this image has: tclock tdisk "
		     "tport tuart)");
	expect_error(BASE "device = tclock base=0x3000 irq=3 colour=red\n",
		     "vms/t.vm:4: tclock has no property 'colour' (it accepts name= base=<1 MMIO "
		     "address> irq=<1 number> epoch=<number 0..1000, default 0> zone=<text, "
		     "default utc> frozen=<on|off, default off>)");
	expect_error(BASE "device = tclock base=0x3000 irq=3 epoch=1001\n",
		     "vms/t.vm:4: epoch 1001 is out of range (0 to 1000)");
	expect_error(BASE "device = tclock base=0x3000 irq=3 epoch=ten\n",
		     "vms/t.vm:4: epoch 'ten' is not a number (decimal, 0x hex, or with K, M, G)");
	expect_error(BASE "device = tclock base=0x3000 irq=3 frozen=maybe\n",
		     "vms/t.vm:4: frozen must be on or off, not 'maybe'");
	expect_error(BASE "device = tclock base=0x3000 irq=3 zone=a;b\n",
		     "vms/t.vm:4: zone 'a;b' has the character ';' (allowed: letters, digits and - "
		     "_ . : , /)");
	expect_error(BASE "device = tclock irq=3\n",
		     "vms/t.vm:4: tclock tclock0 needs base= (MMIO range 0 of 0x1000 bytes)");
	expect_error(BASE "device = tclock base=0x3000\n",
		     "vms/t.vm:4: tclock tclock0 needs irq= with 1 interrupt number");
	expect_error(BASE "device = tclock base=0x3000 irq=3,4\n",
		     "vms/t.vm:4: tclock has 1 interrupt, irq= names more");
	expect_error(BASE "device = tclock base=0x3000 port=0x60 irq=3\n",
		     "vms/t.vm:4: tclock takes no port= (it has no port range)");
	expect_error(BASE "device = tclock base=0x3000,0x4000 irq=3\n",
		     "vms/t.vm:4: base= has more values than tclock has MMIO ranges (1)");
	expect_error(BASE "device = tclock base=zero irq=3\n",
		     "vms/t.vm:4: base 'zero' is not an address (decimal or 0x hex)");
	expect_error(BASE "device = tclock base=0xfffffffffffffff0 irq=3\n",
		     "vms/t.vm:4: base 0xfffffffffffffff0: the range of 0x1000 bytes does not fit "
		     "the address space");
	expect_error(BASE "device = tport port=0x64\n", "vms/t.vm:4: tport sits at port 0x60 only");
	expect_error(BASE "device = tdisk base=0x4000 port=0xfffc irq=5,6 image=guests/disk.img\n",
		     "vms/t.vm:4: port 0xfffc: the range of 0x8 bytes does not fit the port space");
	expect_error(BASE "device = tdisk base=0x4000 port=0x300 irq=5,6\n",
		     "vms/t.vm:4: tdisk tdisk0 needs image= (the disk image in the boot archive)");
	expect_error(BASE "device = tdisk base=0x4000 port=0x300 irq=5,6 image=guests/nope.img\n",
		     "vms/t.vm:4: tdisk tdisk0: image 'guests/nope.img' is not in the boot archive");
	expect_error(BASE "device = tdisk base=0x4000 port=0x300 irq=5,6 image=/disk.img\n",
		     "vms/t.vm:4: image '/disk.img' must be a path inside the boot archive, without "
		     "a leading '/'");
	expect_error(BASE "device = tuart name=uart0 base=0x3000 irq=3\n",
		     "vms/t.vm:4: the alpha machine has a device named uart0 already");
	expect_error(BASE "device = tuart name=u base=0x3000 irq=3\ndevice = tuart name=u base=0x4000 irq=4\n",
		     "vms/t.vm:5: a device named u was added on line 4");
	expect_error(BASE "device = tuart name=a.b base=0x3000 irq=3\n",
		     "vms/t.vm:4: name 'a.b' may only contain letters, digits, '-' and '_'");
	expect_error(BASE "device = tuart base\n", "vms/t.vm:4: 'base' is not key=value");
	expect_error(BASE "device = tuart base=\n", "vms/t.vm:4: base= has no value");
	expect_error(BASE "device = name=x\n",
		     "vms/t.vm:4: a device line starts with a class (known classes: tclock tdisk "
		     "tport tuart)");
	expect_error(BASE "device-set = clock9 epoch=1\n",
		     "vms/t.vm:4: device-set: the VM has no device 'clock9' (it has: uart0 clock0)");
	expect_error(BASE "device-set = clock0 epoch=2000\n",
		     "vms/t.vm:4: epoch 2000 is out of range (0 to 1000)");
	expect_error(BASE "device-remove = uart0 uart0\n",
		     "vms/t.vm:4: device-remove: the VM has no device 'uart0' (it has: clock0)");
	expect_error(BASE "machine = beta\ndevice = tport\n",
		     "vms/t.vm:5: tport needs I/O ports, which the beta machine does not have");
	expect_error(BASE "machine = beta\ndevice-remove = uart0\n",
		     "vms/t.vm:5: device-remove: the VM has no device 'uart0' (it has: none)");
}

static void test_cpu_affinity(void **state)
{
	char text[128];

	(void)state;
	expect_ok(BASE "cpu-affinity = 3 1-2, 0\n");
	assert_int_equal(cfg.cpu_affinity_count, 4);
	assert_int_equal(cfg.cpu_affinity[0], 3);
	assert_int_equal(cfg.cpu_affinity[1], 1);
	assert_int_equal(cfg.cpu_affinity[2], 2);
	assert_int_equal(cfg.cpu_affinity[3], 0);

	expect_error(BASE "cpu-affinity = 2-1\n",
		     "vms/t.vm:4: cpu-affinity '2-1' is not a CPU number or a range like 2-3");
	expect_error(BASE "cpu-affinity = x\n",
		     "vms/t.vm:4: cpu-affinity 'x' is not a CPU number or a range like 2-3");
	expect_error(BASE "cpu-affinity = 1-\n",
		     "vms/t.vm:4: cpu-affinity '1-' is not a CPU number or a range like 2-3");
	expect_error(BASE "cpu-affinity = 1 1\n", "vms/t.vm:4: cpu-affinity lists CPU 1 twice");
	snprintf(text, sizeof(text), BASE "cpu-affinity = 0-%u\n", (unsigned int)CONFIG_MAX_CPUS);
	parse(text);
	snprintf(text, sizeof(text),
		 "[cpu0] error: vms/t.vm:4: cpu-affinity '0-%u' names a CPU out of range (0 to %u)\n",
		 (unsigned int)CONFIG_MAX_CPUS, (unsigned int)CONFIG_MAX_CPUS - 1);
	assert_string_equal(host_console_text(), text);
}

static void test_line_syntax_errors(void **state)
{
	(void)state;
	expect_error(BASE "colour = blue\n", "vms/t.vm:4: unknown key 'colour'");
	expect_error(BASE "Name = x\n", "vms/t.vm:4: unknown key 'Name'");
	expect_error(BASE "= 3\n", "vms/t.vm:4: expected 'key = value'");
	expect_error(BASE "\"cpus\" = 3\n", "vms/t.vm:4: expected 'key = value'");
	expect_error(BASE "cpus 3\n", "vms/t.vm:4: expected '=' after cpus");
	expect_error(BASE "cpus\n", "vms/t.vm:4: expected '=' after cpus");
	expect_error(BASE "cpus =\n", "vms/t.vm:4: cpus has no value");
	expect_error(BASE "cpus =   # later\n", "vms/t.vm:4: cpus has no value");
	expect_error(BASE "memory = 128M\n", "vms/t.vm:4: memory is already set on line 2");
	expect_error(BASE "\n\nkernel = guests/Image\n", "vms/t.vm:6: kernel is already set on line 3");
}

static void test_required_and_related_keys(void **state)
{
	(void)state;
	expect_error("memory = 64M\nkernel = guests/Image\n", "vms/t.vm:2: name is missing");
	expect_error("name = t\nkernel = guests/Image\n\n# end\n", "vms/t.vm:4: memory is missing");
	expect_error("name = t\nmemory = 64M\n",
		     "vms/t.vm:2: kernel or firmware is missing (the VM has nothing to boot)");
	expect_error("name = t\nmemory = 64M\nfirmware = guests/bios.bin\ninitrd = guests/initrd.cpio.gz\n",
		     "vms/t.vm:4: initrd needs a kernel");
	expect_error("name = t\nmemory = 64M\nfirmware = guests/bios.bin\ncmdline = quiet\n",
		     "vms/t.vm:4: cmdline needs a kernel");
	expect_error(BASE "firmware-vars = guests/AAVMF_VARS.fd\n",
		     "vms/t.vm:4: firmware-vars needs a firmware");
}

static void test_every_problem_is_reported(void **state)
{
	(void)state;
	assert_int_equal(parse("name = a.b\ncpus = 0x2\nmemory = 12Q\nkernel = guests/Image\n"
			       "bogus = 1\ninitrd = nope\n"), -EINVAL);
	assert_string_equal(host_console_text(),
			    "[cpu0] error: vms/t.vm:1: name 'a.b' may only contain letters, digits, '-' and '_'\n"
			    "[cpu0] error: vms/t.vm:2: cpus '0x2' is not a number\n"
			    "[cpu0] error: vms/t.vm:3: memory '12Q' is not a size like 512M or 1G\n"
			    "[cpu0] error: vms/t.vm:5: unknown key 'bogus'\n"
			    "[cpu0] error: vms/t.vm:6: initrd 'nope' is not in the boot archive\n");
}

static void test_empty_and_comment_only_files(void **state)
{
	(void)state;
	assert_int_equal(parse(""), -EINVAL);
	assert_string_equal(host_console_text(),
			    "[cpu0] error: vms/t.vm:1: name is missing\n"
			    "[cpu0] error: vms/t.vm:1: memory is missing\n"
			    "[cpu0] error: vms/t.vm:1: kernel or firmware is missing (the VM has nothing to boot)\n");
	assert_int_equal(parse("# nothing\n\n   \n\t# here\n"), -EINVAL);
	assert_true(host_console_contains("[cpu0] error: vms/t.vm:4: name is missing\n"));
}

static void test_line_endings(void **state)
{
	(void)state;
	/* No newline after the last line. */
	expect_ok("name = t\nmemory = 64M\nkernel = guests/Image");
	assert_string_equal(cfg.kernel, "guests/Image");
	/* CRLF. */
	expect_ok("name = t\r\nmemory = 64M\r\nkernel = guests/Image\r\ncmdline = \"a b\"\r\n");
	assert_string_equal(cfg.name, "t");
	assert_string_equal(cfg.kernel, "guests/Image");
	assert_string_equal(cfg.cmdline, "a b");
	/* A lone CR is not a line ending. */
	expect_error(BASE "cpus = 1\r2\n", "vms/t.vm:4: line contains the control character 0x0d");
	expect_error(BASE "cmdline = \"a\x1b[0m\"\n",
		     "vms/t.vm:4: line contains the control character 0x1b");
	expect_error(BASE "cmdline = \"a\x7f\"\n",
		     "vms/t.vm:4: line contains the control character 0x7f");
}

static void test_nul_bytes(void **state)
{
	static const char text[] = BASE "cpus = 2\0 junk\nname = x\n";

	(void)state;
	assert_int_equal(parse_bytes(text, sizeof(text) - 1), -EINVAL);
	assert_string_equal(host_console_text(),
			    "[cpu0] error: vms/t.vm:4: line contains a NUL byte\n"
			    "[cpu0] error: vms/t.vm:5: name is already set on line 1\n");
	/* A NUL in a comment is still a NUL: binary files are not configs. */
	expect_error_bytes(BASE "# \0\n", strlen(BASE) + 4, "vms/t.vm:4: line contains a NUL byte");
	/* The buffer ends where size says, even without a NUL or newline. */
	expect_ok("name = t\nmemory = 64M\nkernel = guests/Image\ncpus = 3");
	assert_int_equal(parse_bytes(BASE "cpus = 34", strlen(BASE "cpus = 34") - 1), 0);
	assert_int_equal(cfg.cpus, 3);
	assert_int_equal(parse_bytes(BASE "cpus = 3", strlen(BASE "cpus = 3") - 1), -EINVAL);
	assert_string_equal(host_console_text(), "[cpu0] error: vms/t.vm:4: cpus has no value\n");
}

static void test_long_values_are_cut_in_messages(void **state)
{
	(void)state;
	expect_error(BASE "cpus = 1234567890123456789012345678901234567890x\n",
		     "vms/t.vm:4: cpus '1234567890123456789012345678901234567890...' is not a number");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_documented_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_firmware_alone_boots),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_memory_errors),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_long_values),
		cmocka_unit_test(test_very_long_line),
		cmocka_unit_test(test_quoted_strings),
		cmocka_unit_test(test_unquoted_values),
		cmocka_unit_test(test_machines),
		cmocka_unit_test(test_device_lines),
		cmocka_unit_test(test_device_line_errors),
		cmocka_unit_test(test_disks),
		cmocka_unit_test(test_boot_order),
		cmocka_unit_test(test_host_storage),
		cmocka_unit_test(test_cpu_affinity),
		cmocka_unit_test(test_line_syntax_errors),
		cmocka_unit_test(test_required_and_related_keys),
		cmocka_unit_test(test_ram_below_4g),
		cmocka_unit_test(test_every_problem_is_reported),
		cmocka_unit_test(test_empty_and_comment_only_files),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_long_values_are_cut_in_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
