/* SPDX-License-Identifier: MIT */
/*
 * Finding and parsing the VMs of the boot archive.  The archive is a
 * table of files standing in for core/bootfs.c (image-only), with the
 * same interface and name rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <core/bootfs.h>
#include <host/support.h>
#include <string.h>
#include <vm/config.h>
#include <vm/machine.h>

#include "../config_archive.c"

/* The host's architecture is "host": one machine with one device. */
static const char *const hostboard_devices[] = { "hostuart base=0x1000" };

DEVICE_CLASS(hostuart_class) = {
	.name = "hostuart", .description = "a test UART",
	.ranges = { DEVICE_MMIO(0x100) }, .range_count = 1,
};

MACHINE(hostboard_machine) = {
	.name = "hostboard", .arch = "host", .is_default = true,
	.devices = hostboard_devices, .device_count = 1,
};

#define FILE_TEXT(n, t) { .name = (n), .data = (t), .size = sizeof(t) - 1 }

static const struct bootfs_file *archive;
static unsigned int archive_files;

unsigned int bootfs_count(void)
{
	return archive_files;
}

const struct bootfs_file *bootfs_get(unsigned int index)
{
	return index < archive_files ? &archive[index] : NULL;
}

const struct bootfs_file *bootfs_find(const char *name)
{
	for (unsigned int i = 0; i < archive_files; i++) {
		if (strcmp(archive[i].name, name) == 0)
			return &archive[i];
	}
	return NULL;
}

static const struct bootfs_file files[] = {
	FILE_TEXT("guests/Image", "kernel"),
	FILE_TEXT("vms/linux.vm", "name = linux\ncpus = 2\nmemory = 512M\nkernel = guests/Image\n"),
	FILE_TEXT("vms/README", "not a VM\n"),
	FILE_TEXT("vms/bad.vm", "name = bad\nmemory = 12Q\nkernel = guests/Image\n"),
	FILE_TEXT("vms/old/linux.vm", "name = nested\nmemory = 64M\nkernel = guests/Image\n"),
	FILE_TEXT("vms/missing.vm", "name = missing\nmemory = 64M\nkernel = guests/zImage\n"),
	FILE_TEXT("other/x.vm", "name = other\nmemory = 64M\nkernel = guests/Image\n"),
	FILE_TEXT("vms/uefi.vm", "name = uefi\nmemory = 1G\nfirmware = guests/Image\n"),
	FILE_TEXT("vms/again.vm", "# same name\nname = linux\nmemory = 64M\nkernel = guests/Image\n"),
	FILE_TEXT("vms/.vm", "name = hidden\nmemory = 64M\nkernel = guests/Image\n"),
};

static void test_good_vms_are_kept_and_bad_ones_skipped(void **state)
{
	struct vm_config configs[4];
	unsigned int skipped = 99;

	(void)state;
	archive = files;
	archive_files = sizeof(files) / sizeof(files[0]);
	host_console_clear();
	assert_int_equal(vm_config_load_archive(configs, 4, &skipped), 2);
	assert_int_equal(skipped, 3);
	assert_string_equal(configs[0].name, "linux");
	assert_string_equal(configs[0].source, "vms/linux.vm");
	assert_int_equal(configs[0].cpus, 2);
	assert_string_equal(configs[1].name, "uefi");
	assert_string_equal(host_console_text(),
			    "[cpu0] vm: vms/linux.vm: 'linux', hostboard machine, 2 vCPUs, 512M, 1 device\n"
			    "[cpu0] error: vms/bad.vm:2: memory '12Q' is not a size like 512M or 1G\n"
			    "[cpu0] warning: vm: vms/bad.vm is skipped (see the errors above)\n"
			    "[cpu0] error: vms/missing.vm:3: kernel 'guests/zImage' is not in the boot archive\n"
			    "[cpu0] warning: vm: vms/missing.vm is skipped (see the errors above)\n"
			    "[cpu0] vm: vms/uefi.vm: 'uefi', hostboard machine, 1 vCPU, 1024M, 1 device\n"
			    "[cpu0] error: vms/again.vm:2: name 'linux' is already used by vms/linux.vm; "
			    "this VM is skipped\n");
}

static void test_too_many_vms(void **state)
{
	struct vm_config configs[1];
	unsigned int skipped;

	(void)state;
	archive = files;
	archive_files = 2;
	host_console_clear();
	assert_int_equal(vm_config_load_archive(configs, 0, &skipped), 0);
	assert_int_equal(skipped, 1);
	assert_string_equal(host_console_text(),
			    "[cpu0] error: vms/linux.vm:1: too many VMs (at most 0); this one is skipped\n");
	assert_int_equal(vm_config_load_archive(configs, 1, NULL), 1);
}

static void test_no_archive(void **state)
{
	struct vm_config configs[1];
	unsigned int skipped = 5;

	(void)state;
	archive_files = 0;
	host_console_clear();
	assert_int_equal(vm_config_load_archive(configs, 1, &skipped), 0);
	assert_int_equal(skipped, 0);
	assert_string_equal(host_console_text(), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_vms_are_kept_and_bad_ones_skipped),
		cmocka_unit_test(test_too_many_vms),
		cmocka_unit_test(test_no_archive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
