/* SPDX-License-Identifier: MIT */
/*
 * The virt machine's guest tree, board nodes and the nodes its device
 * instances' classes write.  Every tree is decompiled with dtc (Debian device-tree-compiler, installed by
 * scripts/setup.sh), which must accept it without a warning; the dts text
 * is then checked for the nodes and values QEMU's virt machine has.
 */
#define _GNU_SOURCE   /* mkdtemp, memmem */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bus/device.h>
#include <host/support.h>
#include <lib/fdt_writer.h>
#include <virt/fdt.h>

static uint8_t blob[64 * 1024];

/* The virt machine's three instances, one UART alone, fw_cfg alone. */
static struct device all_devices[3], uart_only[1], fwcfg_only[1];

static void make_devices(struct device *out, const char *const *lines, unsigned int n)
{
	struct device_error err;

	for (unsigned int i = 0; i < n; i++) {
		if (device_parse_line(&out[i], lines[i], strlen(lines[i]), &err) ||
		    device_finish(&out[i], &err))
			fail_msg("%s: %s", lines[i], err.text);
	}
}

static int make_all(void **state)
{
	static const char *const all[] = {
		"pl011 name=uart0 base=0x09000000 irq=1",
		"pl031 name=rtc0 base=0x09010000 irq=2",
		"fw-cfg-mmio name=fw-cfg base=0x09020000",
	};

	(void)state;
	make_devices(all_devices, all, 3);
	make_devices(uart_only, all, 1);
	make_devices(fwcfg_only, all + 2, 1);
	return 0;
}
static char dts[64 * 1024];

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Decompiles blob[0..len) into dts[]; dtc must succeed and say nothing. */
static void decompile(size_t len)
{
	if (host_dtc_decompile(blob, len, dts, sizeof(dts)) != 0)
		fail_msg("dtc: %s", dts);
}

static void expect_dts(const char *text)
{
	if (!strstr(dts, text))
		fail_msg("'%s' is not in the tree:\n%s", text, dts);
}

static void expect_not_dts(const char *text)
{
	if (strstr(dts, text))
		fail_msg("'%s' should not be in the tree:\n%s", text, dts);
}

static long build(const struct virt_fdt_desc *d)
{
	long len = virt_fdt_build(blob, sizeof(blob), d);

	assert_true(len > 0);
	assert_int_equal(be32(blob + 4), (uint32_t)len);
	decompile((size_t)len);
	return len;
}

/* What every virt tree has, whatever the devices. */
static void expect_common_nodes(void)
{
	expect_dts("\tcompatible = \"linux,dummy-virt\";\n"
		   "\t#address-cells = <0x02>;\n"
		   "\t#size-cells = <0x02>;\n"
		   "\tinterrupt-parent = <0x01>;\n");
	expect_dts("\tpsci {\n"
		   "\t\tcompatible = \"arm,psci-1.0\\0arm,psci-0.2\\0arm,psci\";\n"
		   "\t\tmethod = \"hvc\";\n");
	expect_dts("\tintc@8000000 {\n"
		   "\t\tcompatible = \"arm,gic-v3\";\n"
		   "\t\t#interrupt-cells = <0x03>;\n"
		   "\t\tinterrupt-controller;\n");
	expect_dts("\t\tphandle = <0x01>;\n");
	expect_dts("\ttimer {\n"
		   "\t\tcompatible = \"arm,armv8-timer\\0arm,armv7-timer\";\n"
		   "\t\talways-on;\n"
		   "\t\tinterrupts = <0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04 0x01 0x0a 0x04>;\n");
	expect_dts("\tcpus {\n"
		   "\t\t#address-cells = <0x01>;\n"
		   "\t\t#size-cells = <0x00>;\n");
	expect_dts("\t\tcpu@0 {\n"
		   "\t\t\tdevice_type = \"cpu\";\n"
		   "\t\t\tcompatible = \"arm,arm-v8\";\n"
		   "\t\t\tenable-method = \"psci\";\n"
		   "\t\t\treg = <0x00>;\n");
	expect_dts("\tchosen {\n");
}

static void test_two_cpus_with_firmware(void **state)
{
	const struct virt_fdt_desc d = {
		.cpus = 2, .memory_size = 1ULL << 30,
		.devices = all_devices, .device_count = 3, .console = &all_devices[0], .flash = true,
	};

	(void)state;
	build(&d);
	expect_common_nodes();
	expect_dts("\tmemory@40000000 {\n"
		   "\t\tdevice_type = \"memory\";\n"
		   "\t\treg = <0x00 0x40000000 0x00 0x40000000>;\n");
	expect_dts("\t\tcpu@1 {\n"
		   "\t\t\tdevice_type = \"cpu\";\n"
		   "\t\t\tcompatible = \"arm,arm-v8\";\n"
		   "\t\t\tenable-method = \"psci\";\n"
		   "\t\t\treg = <0x01>;\n");
	expect_not_dts("cpu@2");
	/* Distributor 64 KiB, redistributors 2 x 128 KiB. */
	expect_dts("\t\treg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x40000>;\n");
	expect_dts("\tapb-pclk {\n"
		   "\t\tcompatible = \"fixed-clock\";\n"
		   "\t\t#clock-cells = <0x00>;\n"
		   "\t\tclock-frequency = <0x16e3600>;\n"
		   "\t\tclock-output-names = \"clk24mhz\";\n"
		   "\t\tphandle = <0x02>;\n");
	expect_dts("\tpl011@9000000 {\n"
		   "\t\tcompatible = \"arm,pl011\\0arm,primecell\";\n"
		   "\t\treg = <0x00 0x9000000 0x00 0x1000>;\n"
		   "\t\tinterrupts = <0x00 0x01 0x04>;\n"
		   "\t\tclocks = <0x02 0x02>;\n"
		   "\t\tclock-names = \"uartclk\\0apb_pclk\";\n");
	expect_dts("\tpl031@9010000 {\n"
		   "\t\tcompatible = \"arm,pl031\\0arm,primecell\";\n"
		   "\t\treg = <0x00 0x9010000 0x00 0x1000>;\n"
		   "\t\tinterrupts = <0x00 0x02 0x04>;\n"
		   "\t\tclocks = <0x02>;\n"
		   "\t\tclock-names = \"apb_pclk\";\n");
	expect_dts("\tfw-cfg@9020000 {\n"
		   "\t\tcompatible = \"qemu,fw-cfg-mmio\";\n"
		   "\t\treg = <0x00 0x9020000 0x00 0x18>;\n"
		   "\t\tdma-coherent;\n");
	expect_dts("\tflash@0 {\n"
		   "\t\tcompatible = \"cfi-flash\";\n"
		   "\t\treg = <0x00 0x00 0x00 0x4000000 0x00 0x4000000 0x00 0x4000000>;\n"
		   "\t\tbank-width = <0x04>;\n");
	expect_dts("\tchosen {\n"
		   "\t\tstdout-path = \"/pl011@9000000\";\n"
		   "\t};\n");
	expect_not_dts("bootargs");
	expect_not_dts("linux,initrd");
}

/* The PCI Express host node: QEMU's gpex with the low ECAM. */
static void test_pcie_host(void **state)
{
	const struct virt_fdt_desc d = {
		.cpus = 1, .memory_size = 256ULL << 20,
		.devices = uart_only, .device_count = 1, .console = &uart_only[0], .pcie = true,
	};

	(void)state;
	build(&d);
	expect_dts("\tpcie@10000000 {\n"
		   "\t\tcompatible = \"pci-host-ecam-generic\";\n"
		   "\t\tdevice_type = \"pci\";\n"
		   "\t\t#address-cells = <0x03>;\n"
		   "\t\t#size-cells = <0x02>;\n"
		   "\t\tlinux,pci-domain = <0x00>;\n"
		   "\t\tbus-range = <0x00 0x0f>;\n"
		   "\t\tdma-coherent;\n"
		   "\t\treg = <0x00 0x3f000000 0x00 0x1000000>;\n"
		   "\t\tranges = <0x1000000 0x00 0x00 0x00 0x3eff0000 0x00 0x10000 "
		   "0x2000000 0x00 0x10000000 0x00 0x10000000 0x00 0x2eff0000>;\n"
		   "\t\t#interrupt-cells = <0x01>;\n");
	/* Slot 0: INTA..D on SPI 3..6; slot 1 INTA on SPI 4; slot 3 INTD on SPI 5. */
	expect_dts("interrupt-map = <0x00 0x00 0x00 0x01 0x01 0x00 0x00 0x00 0x03 0x04 "
		   "0x00 0x00 0x00 0x02 0x01 0x00 0x00 0x00 0x04 0x04 "
		   "0x00 0x00 0x00 0x03 0x01 0x00 0x00 0x00 0x05 0x04 "
		   "0x00 0x00 0x00 0x04 0x01 0x00 0x00 0x00 0x06 0x04 "
		   "0x800 0x00 0x00 0x01 0x01 0x00 0x00 0x00 0x04 0x04 ");
	expect_dts("0x1800 0x00 0x00 0x04 0x01 0x00 0x00 0x00 0x05 0x04>;\n");
	expect_dts("\t\tinterrupt-map-mask = <0x1800 0x00 0x00 0x07>;\n");

	/* Without it (host tests of other boards, older descriptions): no node. */
	const struct virt_fdt_desc none = {
		.cpus = 1, .memory_size = 256ULL << 20,
		.devices = uart_only, .device_count = 1, .console = &uart_only[0],
	};
	build(&none);
	expect_not_dts("pcie@");
}

static void test_one_cpu_direct_boot(void **state)
{
	const struct virt_fdt_desc d = {
		.cpus = 1, .memory_size = 512ULL << 20,
		.devices = uart_only, .device_count = 1, .console = uart_only,
		.bootargs = "console=ttyAMA0 earlycon root=/dev/ram0",
		.initrd_start = 0x48000000, .initrd_end = 0x48123456,
	};

	(void)state;
	build(&d);
	expect_common_nodes();
	expect_dts("\t\treg = <0x00 0x40000000 0x00 0x20000000>;\n");
	expect_not_dts("cpu@1");
	expect_dts("\t\treg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x20000>;\n");
	expect_dts("\tpl011@9000000 {\n");
	expect_dts("\tapb-pclk {\n");
	expect_not_dts("pl031");
	expect_not_dts("fw-cfg");
	expect_not_dts("cfi-flash");
	expect_dts("\tchosen {\n"
		   "\t\tbootargs = \"console=ttyAMA0 earlycon root=/dev/ram0\";\n"
		   "\t\tlinux,initrd-start = <0x00 0x48000000>;\n"
		   "\t\tlinux,initrd-end = <0x00 0x48123456>;\n"
		   "\t\tstdout-path = \"/pl011@9000000\";\n"
		   "\t};\n");
}

static void test_one_cpu_with_firmware_and_no_console(void **state)
{
	const struct virt_fdt_desc d = {
		.cpus = 1, .memory_size = 128ULL << 20, .flash = true,
		.devices = fwcfg_only, .device_count = 1,
	};

	(void)state;
	build(&d);
	expect_common_nodes();
	expect_dts("\tflash@0 {\n");
	expect_dts("\tfw-cfg@9020000 {\n");
	expect_not_dts("apb-pclk");
	expect_not_dts("pl011");
	expect_not_dts("stdout-path");
	expect_dts("\tchosen {\n\t};\n");
}

static void test_largest_machine(void **state)
{
	const struct virt_fdt_desc d = {
		.cpus = 123, .memory_size = 255ULL << 30,
		.devices = uart_only, .device_count = 1, .console = uart_only,
	};

	(void)state;
	build(&d);
	expect_dts("\t\treg = <0x00 0x40000000 0x3f 0xc0000000>;\n");
	/* 123 redistributors end exactly where the UART starts. */
	expect_dts("\t\treg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0xf60000>;\n");
	expect_dts("\t\tcpu@f {\n");
	expect_dts("\t\tcpu@100 {\n");
	expect_dts("\t\tcpu@70a {\n"
		   "\t\t\tdevice_type = \"cpu\";\n"
		   "\t\t\tcompatible = \"arm,arm-v8\";\n"
		   "\t\t\tenable-method = \"psci\";\n"
		   "\t\t\treg = <0x70a>;\n");
	expect_not_dts("cpu@70b");
	expect_not_dts("cpu@10 ");
}

static void test_cpu_affinity_numbering(void **state)
{
	(void)state;
	assert_int_equal(virt_fdt_cpu_mpidr(0), 0);
	assert_int_equal(virt_fdt_cpu_mpidr(1), 1);
	assert_int_equal(virt_fdt_cpu_mpidr(15), 15);
	assert_int_equal(virt_fdt_cpu_mpidr(16), 0x100);
	assert_int_equal(virt_fdt_cpu_mpidr(33), 0x201);
}

static void test_header_and_blocks(void **state)
{
	const struct virt_fdt_desc d = { .cpus = 2, .memory_size = 1ULL << 30, .devices = all_devices, .device_count = 3,
		.console = all_devices, .flash = true };
	long len;
	uint32_t off_struct, off_strings, size_strings, size_struct;
	const char *strings;

	(void)state;
	len = virt_fdt_build(blob, sizeof(blob), &d);
	assert_true(len > 0);
	assert_int_equal(be32(blob + 0), 0xd00dfeed);
	assert_int_equal(be32(blob + 4), (uint32_t)len);
	off_struct = be32(blob + 8);
	off_strings = be32(blob + 12);
	assert_int_equal(be32(blob + 16), 40);      /* reservations right after the header */
	assert_int_equal(be32(blob + 20), 17);
	assert_int_equal(be32(blob + 24), 16);
	assert_int_equal(be32(blob + 28), 0);
	size_strings = be32(blob + 32);
	size_struct = be32(blob + 36);
	/* An empty reservation list: one terminating zero entry. */
	assert_int_equal(off_struct, 56);
	for (unsigned int i = 40; i < 56; i++)
		assert_int_equal(blob[i], 0);
	assert_int_equal(off_struct % 8, 0);
	assert_int_equal(off_strings, off_struct + size_struct);
	assert_int_equal(off_strings + size_strings, (uint32_t)len);
	assert_int_equal(be32(blob + off_struct), 1);                       /* FDT_BEGIN_NODE */
	assert_int_equal(be32(blob + off_strings - 4), 9);                  /* FDT_END */

	/* Each property name is stored once. */
	strings = (const char *)blob + off_strings;
	for (const char *name = strings; name < strings + size_strings; name += strlen(name) + 1) {
		const char *again = name + strlen(name) + 1;

		for (; again < strings + size_strings; again += strlen(again) + 1)
			assert_string_not_equal(name, again);
	}
	assert_non_null(memmem(strings, size_strings, "compatible\0", 11));
}

static void test_every_short_buffer_fails_cleanly(void **state)
{
	const struct virt_fdt_desc d = {
		.cpus = 2, .memory_size = 1ULL << 30, .devices = all_devices, .device_count = 3,
		.console = all_devices, .flash = true,
		.bootargs = "console=ttyAMA0", .initrd_start = 0x48000000, .initrd_end = 0x49000000,
	};
	static uint8_t buf[8192];
	long full = virt_fdt_build(blob, sizeof(blob), &d);

	(void)state;
	assert_true(full > 0 && (size_t)full < sizeof(buf));
	for (long size = 0; size < full; size++) {
		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(virt_fdt_build(buf, (size_t)size, &d), -ENOSPC);
		for (size_t i = (size_t)size; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 0xa5);
	}
	assert_int_equal(virt_fdt_build(buf, (size_t)full, &d), full);
	assert_memory_equal(buf, blob, (size_t)full);
	assert_int_equal(virt_fdt_build(NULL, 0, &d), -ENOSPC);
}

static void test_bad_descriptions(void **state)
{
	struct virt_fdt_desc d = { .cpus = 1, .memory_size = 1ULL << 30 };

	(void)state;
	d.cpus = 0;
	assert_int_equal(virt_fdt_build(blob, sizeof(blob), &d), -EINVAL);
	d.cpus = 124;
	assert_int_equal(virt_fdt_build(blob, sizeof(blob), &d), -EINVAL);
	d.cpus = 1;
	d.memory_size = 0;
	assert_int_equal(virt_fdt_build(blob, sizeof(blob), &d), -EINVAL);
	d.memory_size = 256ULL << 30;
	assert_int_equal(virt_fdt_build(blob, sizeof(blob), &d), -EINVAL);
	d.memory_size = 1ULL << 30;
	d.initrd_start = 0x3ff00000;    /* below RAM */
	d.initrd_end = 0x40100000;
	assert_int_equal(virt_fdt_build(blob, sizeof(blob), &d), -EINVAL);
	d.initrd_start = 0x7ff00000;    /* past the end of 1 GiB of RAM */
	d.initrd_end = 0x80000001;
	assert_int_equal(virt_fdt_build(blob, sizeof(blob), &d), -EINVAL);
	d.initrd_start = 0x48000000;    /* empty */
	d.initrd_end = 0x48000000;
	assert_int_equal(virt_fdt_build(blob, sizeof(blob), &d), -EINVAL);
	d.initrd_end = 0x80000000;      /* up to the last byte of RAM is fine */
	assert_true(virt_fdt_build(blob, sizeof(blob), &d) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_cpus_with_firmware),
		cmocka_unit_test(test_one_cpu_direct_boot),
		cmocka_unit_test(test_pcie_host),
		cmocka_unit_test(test_one_cpu_with_firmware_and_no_console),
		cmocka_unit_test(test_largest_machine),
		cmocka_unit_test(test_cpu_affinity_numbering),
		cmocka_unit_test(test_header_and_blocks),
		cmocka_unit_test(test_every_short_buffer_fails_cleanly),
		cmocka_unit_test(test_bad_descriptions),
	};

	return cmocka_run_group_tests(tests, make_all, NULL);
}
