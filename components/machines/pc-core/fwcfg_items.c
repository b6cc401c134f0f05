/* SPDX-License-Identifier: MIT */
/*
 * What a PC board tells the firmware through fw_cfg, the way QEMU's pc
 * board does (QEMU docs/specs/fw_cfg.rst, hw/i386/fw_cfg.c; docs/machines.md):
 *
 *   RAM_SIZE (u64), NB_CPUS and MAX_CPUS (u16; MAX_CPUS is the APIC-id
 *   limit), NOGRAPHIC = 1 (SeaBIOS then mirrors its screen to COM1),
 *   IRQ0_OVERRIDE = 1, etc/e820 (layout.c), etc/boot-fail-wait,
 *   bootorder (the Linux option ROM first when there is a kernel), the
 *   SMBIOS tables and entry point (components/smbios) and the ACPI tables
 *   with their loader script (components/acpi).
 *
 * The device itself is the VM's fw-cfg-io instance; it counts the keys
 * the guest selects, and pc_fwcfg_report() logs them at power-off and
 * reset.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bus/guest_mem.h>
#include <core/log.h>
#include <core/mm.h>
#include <fwcfg/fwcfg.h>
#include <smbios/smbios.h>
#include <vm/machine.h>

#include <pc/board.h>

/* Long enough for "No bootable device" to show, short enough for a test. */
#define PC_BOOT_FAIL_WAIT_MS 5000u

void pc_fwcfg_report(struct pc_board *m)
{
	/* QEMU's x86 arch-local keys (hw/i386/fw_cfg.h). */
	static const char *const arch_names[] = { "acpi_tables", "smbios_entries",
						  "irq0_override", "e820_table", "hpet" };

	if (m->fwcfg)
		fwcfg_log_selections(m->fwcfg, m->vm->name, arch_names,
				     sizeof(arch_names) / sizeof(arch_names[0]));
}

/* CPUID leaf 1 as the guest sees its signature and features (cpuid.c passes them through). */
static void host_cpuid1(uint32_t *eax, uint32_t *edx)
{
	uint32_t ebx, ecx;

	__asm__ volatile("cpuid" : "=a"(*eax), "=b"(ebx), "=c"(ecx), "=d"(*edx) : "a"(1), "c"(0));
}

/*
 * SMBIOS as QEMU hands it over (hw/smbios/smbios.c, hw/i386/fw_cfg.c
 * fw_cfg_build_smbios): SeaBIOS and OVMF install the structures and write
 * the entry point where the OS finds it (SeaBIOS src/fw/biostables.c
 * smbios_romfile_setup; EDK2 OvmfPkg/SmbiosPlatformDxe/Qemu.c).
 */
static int add_smbios(struct pc_board *m)
{
	struct vm *vm = m->vm;
	struct smbios_config c = {
		.manufacturer = "Tessera",
		.product = vm->machine->name,
		.version = TESSERA_VERSION,
		.bios_vendor = "Tessera",
		.bios_version = TESSERA_VERSION,
		.bios_date = "01/01/2024",
		.cpu_count = vm->vcpu_count,
		.memory = m->layout.below_4g + m->layout.above_4g,
	};
	struct smbios_tables t;
	size_t size = 1024 + (size_t)vm->vcpu_count * 128;
	uint8_t *buf = kmalloc(size);
	int ret;

	if (!buf)
		return -ENOMEM;
	smbios_uuid_from_name(vm->name, c.uuid);
	host_cpuid1(&c.cpuid_signature, &c.cpuid_features);
	c.ram[c.ram_count++] = (struct smbios_ram_region){ 0, m->layout.below_4g };
	if (m->layout.above_4g)
		c.ram[c.ram_count++] = (struct smbios_ram_region){ PC_4G, m->layout.above_4g };
	ret = smbios_build(&c, buf, size, &t);
	if (!ret)
		ret = fwcfg_add_file(m->fwcfg, SMBIOS_TABLES_FILE, buf, t.tables_len);
	if (!ret)
		ret = fwcfg_add_file(m->fwcfg, SMBIOS_ANCHOR_FILE, t.anchor, sizeof(t.anchor));
	kfree(buf);
	return ret;
}

/*
 * boot = ...: fw_cfg "bootorder", the devices' OpenFirmware paths one per
 * line (QEMU docs/specs/fw_cfg.rst); SeaBIOS (src/boot.c) and OVMF
 * (OvmfPkg/Library/QemuBootOrderLib) order their boot entries by it.
 */
static int add_boot_order(struct pc_board *m)
{
	const struct vm_config *c = &m->vm->config;
	char order[VM_BOOT_MAX * 64];
	size_t len;

	if (!c->boot_count)
		return 0;
	len = vm_boot_order(m->vm, order, sizeof(order));
	if (!len || fwcfg_add_file(m->fwcfg, "bootorder", order, len)) {
		log_error("%s:%u: boot: the boot order cannot be given to the firmware", c->source,
			  c->boot_line);
		return -EINVAL;
	}
	log_info("VM %s: boot order: %s", m->vm->name, order);
	return 0;
}

int pc_fwcfg_build(struct pc_board *m)
{
	struct vm *vm = m->vm;
	uint8_t e820[PC_E820_MAX * PC_E820_ENTRY_SIZE];
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
	if (!ret)
		ret = add_smbios(m);
	if (!ret)
		ret = add_boot_order(m);
	if (ret) {
		log_error("VM %s: cannot fill fw_cfg (%d)", vm->name, ret);
		return ret;
	}
	ret = m->ops->install_acpi ? m->ops->install_acpi(m, m->fwcfg) : 0;
	if (ret)
		log_error("VM %s: cannot build its ACPI tables (%d)", vm->name, ret);
	return ret;
}
