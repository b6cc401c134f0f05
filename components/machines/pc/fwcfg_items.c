/* SPDX-License-Identifier: MIT */
/*
 * What the pc machine tells the firmware through fw_cfg (platform facts
 * A.3-A.5), the way QEMU's pc board does:
 *
 *   RAM_SIZE (u64), NB_CPUS and MAX_CPUS (u16; MAX_CPUS is the APIC-id
 *   limit), NOGRAPHIC = 1 (SeaBIOS then mirrors its screen to COM1),
 *   IRQ0_OVERRIDE = 1, etc/e820 (layout.c), etc/boot-fail-wait,
 *   bootorder (the Linux option ROM first when there is a kernel), and
 *   the ACPI tables with their loader script (components/acpi).
 *
 * The device is reached through a small window on the VM's bus that
 * counts the items the guest selects (the selector port 0x510 and the
 * SELECT bit of DMA descriptors) before passing every access on to the
 * fw_cfg model on a private bus; pc_fwcfg_report() logs them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <acpi/acpi.h>
#include <bus/guest_mem.h>
#include <core/log.h>
#include <fwcfg/fwcfg.h>

#include "pc_internal.h"

/* Long enough for "No bootable device" to show, short enough for a test. */
#define PC_BOOT_FAIL_WAIT_MS 5000u

#define FWCFG_WINDOW_SIZE 12              /* 0x510..0x51B: selector, data, DMA */

/* The files this machine publishes, to name keys in the report. */
static const char *const published_files[] = {
	"bootorder", "etc/acpi/rsdp", "etc/acpi/tables", "etc/boot-fail-wait", "etc/e820",
	"etc/table-loader", "genroms/linuxboot_dma.bin",
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t swap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

static void count_select(struct pc_machine *m, uint16_t key)
{
	key &= 0xBFFF;                                 /* bit 14: the old write channel */
	if (key & FWCFG_ARCH_LOCAL) {
		if ((key & 0x3FFF) < PC_FWCFG_ARCH_KEYS)
			m->fwcfg_arch_selects[key & 0x3FFF]++;
	} else if (key < PC_FWCFG_KEYS) {
		m->fwcfg_selects[key]++;
	}
}

static uint64_t window_read(void *opaque, uint64_t offset, unsigned width)
{
	struct pc_machine *m = opaque;
	struct bus_access a = { .space = BUS_SPACE_PIO, .dir = BUS_READ,
				.addr = FWCFG_PIO_BASE + offset, .width = width };

	bus_dispatch(m->fwcfg_bus, &a);
	return a.data;
}

static void window_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct pc_machine *m = opaque;
	struct bus_access a = { .space = BUS_SPACE_PIO, .dir = BUS_WRITE,
				.addr = FWCFG_PIO_BASE + offset, .width = width, .data = value };

	if (offset == 0 && width == 2) {
		count_select(m, (uint16_t)value);
	} else if (offset == 4 && width == 4) {
		m->fwcfg_dma_high = swap32((uint32_t)value);
	} else if (offset == 8 && width == 4) {
		/* The guest starts a DMA transfer: look at its descriptor first. */
		uint64_t gpa = (uint64_t)m->fwcfg_dma_high << 32 | swap32((uint32_t)value);
		uint8_t desc[16];

		if (guest_mem_read(&m->vm->mem, gpa, desc, sizeof(desc)) == 0 &&
		    (be32(desc) & FWCFG_DMA_CTL_SELECT))
			count_select(m, (uint16_t)(be32(desc) >> 16));
	}
	bus_dispatch(m->fwcfg_bus, &a);
}

static const struct bus_ops window_ops = {
	.read = window_read,
	.write = window_write,
};

/* Every width at every offset: the fw_cfg model applies its own rules behind. */
static const struct bus_rules window_rules = {
	.min_width = 1,
	.max_width = 4,
	.unaligned_ok = true,
	.oversize = BUS_OVERSIZE_SPLIT,
	.undersize = BUS_UNDERSIZE_EXTEND,
};

static const char *key_name(struct pc_machine *m, unsigned int key)
{
	static const char *const numbered[0x20] = {
		[0x00] = "signature", [0x01] = "id", [0x02] = "uuid", [0x03] = "ram_size",
		[0x04] = "nographic", [0x05] = "nb_cpus", [0x06] = "machine_id",
		[0x07] = "kernel_addr", [0x08] = "kernel_size", [0x09] = "kernel_cmdline",
		[0x0A] = "initrd_addr", [0x0B] = "initrd_size", [0x0C] = "boot_device",
		[0x0D] = "numa", [0x0E] = "boot_menu", [0x0F] = "max_cpus",
		[0x10] = "kernel_entry", [0x11] = "kernel_data", [0x12] = "initrd_data",
		[0x13] = "cmdline_addr", [0x14] = "cmdline_size", [0x15] = "cmdline_data",
		[0x16] = "setup_addr", [0x17] = "setup_size", [0x18] = "setup_data",
		[0x19] = "file_dir",
	};

	if (key < 0x20)
		return numbered[key] ? numbered[key] : "?";
	for (unsigned int i = 0; i < sizeof(published_files) / sizeof(published_files[0]); i++)
		if (fwcfg_file_key(m->fwcfg, published_files[i]) == (int)key)
			return published_files[i];
	return "(no such file)";
}

void pc_fwcfg_report(struct pc_machine *m)
{
	static const char *const arch_names[] = { "acpi_tables", "smbios_entries",
						  "irq0_override", "e820_table", "hpet" };
	char line[160];
	int len = 0;

	if (!m->fwcfg)
		return;
	log_info("VM %s: fw_cfg items the guest selected (key name: times):", m->vm->name);
	for (unsigned int key = 0; key < PC_FWCFG_KEYS; key++) {
		if (!m->fwcfg_selects[key])
			continue;
		if (len > 100) {
			log_info("VM %s:  %s", m->vm->name, line);
			len = 0;
		}
		len += snprintf(line + len, sizeof(line) - (size_t)len, " 0x%02x %s: %u", key,
				key_name(m, key), m->fwcfg_selects[key]);
	}
	for (unsigned int key = 0; key < PC_FWCFG_ARCH_KEYS; key++) {
		if (!m->fwcfg_arch_selects[key])
			continue;
		if (len > 100) {
			log_info("VM %s:  %s", m->vm->name, line);
			len = 0;
		}
		len += snprintf(line + len, sizeof(line) - (size_t)len, " 0x%04x %s: %u",
				0x8000 + key, key < 5 ? arch_names[key] : "?",
				m->fwcfg_arch_selects[key]);
	}
	if (len)
		log_info("VM %s:  %s", m->vm->name, line);
}

int pc_fwcfg_build(struct pc_machine *m)
{
	struct vm *vm = m->vm;
	uint8_t e820[PC_E820_MAX * PC_E820_ENTRY_SIZE];
	struct acpi_pc_config acpi;
	unsigned int entries;
	uint32_t fail_wait = PC_BOOT_FAIL_WAIT_MS;
	int ret;

	ret = fwcfg_add_item_u64(m->fwcfg, FWCFG_RAM_SIZE, vm->config.memory);
	if (!ret)
		ret = fwcfg_add_item_u16(m->fwcfg, FWCFG_NOGRAPHIC, 1);
	if (!ret)
		ret = fwcfg_add_item_u16(m->fwcfg, FWCFG_NB_CPUS, (uint16_t)vm->vcpu_count);
	/* APIC ids are 0..n-1: the limit is n. */
	if (!ret)
		ret = fwcfg_add_item_u16(m->fwcfg, FWCFG_MAX_CPUS, (uint16_t)vm->vcpu_count);
	if (!ret)
		ret = fwcfg_add_item_u32(m->fwcfg, FWCFG_IRQ0_OVERRIDE, 1);
	entries = pc_build_e820(&m->layout, e820, PC_E820_MAX);
	if (!ret)
		ret = fwcfg_add_file(m->fwcfg, "etc/e820", e820, entries * PC_E820_ENTRY_SIZE);
	if (!ret)
		ret = fwcfg_add_file(m->fwcfg, "etc/boot-fail-wait", &fail_wait, sizeof(fail_wait));
	if (ret) {
		log_error("VM %s: cannot fill fw_cfg (%d)", vm->name, ret);
		return ret;
	}
	acpi_pc_config_init(&acpi, vm->vcpu_count, (uint32_t)m->layout.below_4g);
	ret = acpi_install(m->fwcfg, &acpi);
	if (ret)
		log_error("VM %s: cannot build its ACPI tables (%d)", vm->name, ret);
	return ret;
}

int pc_fwcfg_create(struct pc_machine *m)
{
	struct vm *vm = m->vm;
	int ret;

	m->fwcfg_bus = bus_create("fwcfg");
	m->fwcfg = fwcfg_create(&vm->mem);
	if (!m->fwcfg_bus || !m->fwcfg)
		return -ENOMEM;
	ret = fwcfg_attach_pio(m->fwcfg, m->fwcfg_bus, FWCFG_PIO_BASE);
	if (!ret)
		ret = bus_register_pio(vm->bus, "fwcfg", FWCFG_PIO_BASE, FWCFG_WINDOW_SIZE,
				       &window_ops, m, &window_rules);
	return ret;
}

void pc_fwcfg_destroy(struct pc_machine *m)
{
	if (m->fwcfg) {
		bus_unregister(m->vm->bus, BUS_SPACE_PIO, FWCFG_PIO_BASE);
		fwcfg_destroy(m->fwcfg);
		m->fwcfg = NULL;
	}
	if (m->fwcfg_bus) {
		bus_destroy(m->fwcfg_bus);
		m->fwcfg_bus = NULL;
	}
}
