/* SPDX-License-Identifier: MIT */
/*
 * Booting a virt VM, the three ways QEMU's virt machine does:
 *
 *   firmware              vCPU 0 starts at 0x0 (flash bank 0) at EL1h, MMU
 *                         off, x0-x3 = 0; the device tree is at the base
 *                         of RAM (0x40000000), where AAVMF looks for it.
 *   firmware + kernel     the same; the kernel, initrd and command line
 *                         are fw_cfg items (KERNEL_SIZE/DATA, INITRD_SIZE/
 *                         DATA, CMDLINE_SIZE/DATA), which AAVMF loads and
 *                         starts through the kernel's EFI stub.
 *   kernel                an arm64 Image at RAM base + text_offset, an ELF
 *                         executable by its program headers, or a raw
 *                         binary at RAM base + 0x80000; the initrd and
 *                         device tree after it (boot_layout.c), vCPU 0 at
 *                         the entry with x0 = the device tree.
 *
 * A gzip-compressed kernel is unpacked first (kernel_image.c), for both
 * ways of booting it, as QEMU does.  The files stay in the boot archive;
 * build() checks and plans, and every reset copies them (the unpacked
 * kernel) into the cleared RAM again.
 */
#include <errno.h>
#include <string.h>

#include <core/arch.h>
#include <core/bootfs.h>
#include <core/log.h>
#include <core/mm.h>
#include <acpi/arm_virt.h>
#include <fwcfg/fwcfg.h>
#include <lib/aml_writer.h>
#include <virt/fdt.h>
#include <vm/config.h>
#include <vm/vm.h>

#include "virt_internal.h"

/* The kernel, initrd and command line for the firmware (QEMU's -kernel with -bios). */
static int publish_kernel(struct virt_machine *m)
{
	const struct vm_config *c = &m->vm->config;
	int ret;

	ret = fwcfg_add_item_u32(m->fwcfg, FWCFG_KERNEL_SIZE, (uint32_t)m->kernel_image.size);
	if (!ret)
		ret = fwcfg_add_item(m->fwcfg, FWCFG_KERNEL_DATA, m->kernel_image.data,
				     m->kernel_image.size);
	if (!ret && m->initrd) {
		ret = fwcfg_add_item_u32(m->fwcfg, FWCFG_INITRD_SIZE, (uint32_t)m->initrd->size);
		if (!ret)
			ret = fwcfg_add_item(m->fwcfg, FWCFG_INITRD_DATA, m->initrd->data,
					     m->initrd->size);
	}
	if (!ret && c->cmdline[0]) {
		size_t len = strlen(c->cmdline) + 1;   /* the size counts the NUL */

		ret = fwcfg_add_item_u32(m->fwcfg, FWCFG_CMDLINE_SIZE, (uint32_t)len);
		if (!ret)
			ret = fwcfg_add_item(m->fwcfg, FWCFG_CMDLINE_DATA, c->cmdline, len);
	}
	if (ret)
		log_error("VM %s: cannot put the kernel into fw_cfg (%d)", m->vm->name, ret);
	return ret;
}

/* The DSDT's devices: every instance with an ACPI id, its SPIs as GIC ids. */
static void write_devices_aml(struct aml_writer *a, void *ctx)
{
	const struct device_acpi_env ae = { .isa_irqs = false, .irq_base = 32 };

	vm_devices_write_aml(ctx, a, &ae);
}

#define VIRT_DSDT_MAX (16u * 1024)

/*
 * ACPI for the firmware (acpi = on, the default, with firmware): the
 * tables of <acpi/arm_virt.h> in fw_cfg, as QEMU's virt board hands them
 * to AAVMF, which then boots the OS with ACPI instead of the device tree.
 */
static int publish_acpi(struct virt_machine *m)
{
	struct vm *vm = m->vm;
	uint64_t mpidr[VM_MAX_VCPUS];
	struct acpi_arm_config cfg = { 0 };
	uint8_t *dsdt;
	long len;
	int ret;

	if (!vm->console_device || strcmp(vm->console_device->cls->name, "pl011") != 0) {
		log_error("VM %s: ACPI needs the console PL011 for its SPCR (or say acpi = off)",
			  vm->name);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		mpidr[i] = virt_fdt_cpu_mpidr(i);
	dsdt = kmalloc(VIRT_DSDT_MAX);
	if (!dsdt)
		return -ENOMEM;
	len = acpi_arm_dsdt_body(vm->vcpu_count, write_devices_aml, vm, dsdt, VIRT_DSDT_MAX);
	if (len < 0) {
		log_error("VM %s: cannot write its DSDT (%ld)", vm->name, len);
		kfree(dsdt);
		return (int)len;
	}
	cfg.cpu_count = vm->vcpu_count;
	cfg.mpidr = mpidr;
	cfg.gicd_base = VIRT_GIC_DIST_BASE;
	cfg.gicr_base = VIRT_GIC_REDIST_BASE;
	cfg.gicr_size = VIRT_GIC_REDIST_STRIDE * vm->vcpu_count;
	cfg.uart_base = vm->console_device->base[0];
	cfg.uart_gsi = 32 + vm->console_device->irq[0];
	cfg.dsdt_body = dsdt;
	cfg.dsdt_body_len = (uint32_t)len;
	ret = acpi_arm_install(m->fwcfg, &cfg);
	kfree(dsdt);
	return ret;
}

int virt_boot_prepare(struct virt_machine *m)
{
	struct vm *vm = m->vm;
	const struct vm_config *c = &vm->config;
	struct virt_fdt_desc desc = { 0 };
	char err[160];

	m->kernel = vm_archive_file(vm, "kernel", c->kernel);
	m->initrd = vm_archive_file(vm, "initrd", c->initrd);
	m->firmware = vm_archive_file(vm, "firmware", c->firmware);
	/* A store on the host disk is loaded by the flash bank itself (virt.c). */
	if (!vm_config_is_host_path(c->firmware_vars))
		m->vars = vm_archive_file(vm, "firmware-vars", c->firmware_vars);
	if ((c->kernel[0] && !m->kernel) || (c->initrd[0] && !m->initrd) ||
	    (c->firmware[0] && !m->firmware) ||
	    (c->firmware_vars[0] && !m->vars && !vm_config_is_host_path(c->firmware_vars)))
		return -ENOENT;
	m->direct_boot = m->kernel && !m->firmware;

	if (m->kernel) {
		uint64_t start_ns = arch_timer_ns();
		int ret = virt_kernel_image_prepare(m->kernel->data, m->kernel->size, c->memory,
						    &m->kernel_image, err, sizeof(err));

		if (ret) {
			log_error("VM %s: kernel '%s' %s", vm->name, c->kernel, err);
			return ret;
		}
		if (m->kernel_image.copy)
			log_info("VM %s: kernel '%s' gunzipped: %zu bytes from %zu in %llu ms",
				 vm->name, c->kernel, m->kernel_image.size, m->kernel_image.file_size,
				 (unsigned long long)((arch_timer_ns() - start_ns) / 1000000));
	}
	if (m->firmware && m->kernel) {
		if (!m->fwcfg) {
			log_error("%s: the firmware can only load the kernel through fw_cfg; the VM "
				  "has no fw-cfg-mmio device", c->source);
			return -EINVAL;
		}
		if (publish_kernel(m))
			return -EINVAL;
		/* fw_cfg keeps its own copy. */
		virt_kernel_image_release(&m->kernel_image);
	}

	if (m->firmware && c->acpi && m->fwcfg && publish_acpi(m))
		return -EINVAL;
	if (c->boot_count) {
		/* boot = ...: AAVMF orders its boot options by fw_cfg "bootorder"
		 * (EDK2 OvmfPkg/Library/QemuBootOrderLib). */
		char order[VM_BOOT_MAX * 64];
		size_t len = vm_boot_order(vm, order, sizeof(order));

		if (!len || !m->fwcfg || fwcfg_add_file(m->fwcfg, "bootorder", order, len)) {
			log_error("%s:%u: boot: the boot order cannot be given to the firmware%s",
				  c->source, c->boot_line, m->fwcfg ? "" : " (no fw-cfg-mmio device)");
			return -EINVAL;
		}
		log_info("VM %s: boot order: %s", vm->name, order);
	}

	desc.cpus = vm->vcpu_count;
	desc.memory_size = c->memory;
	desc.flash = m->firmware != NULL;
	desc.pcie = m->pci != NULL;
	desc.devices = vm->devices;
	desc.device_count = vm->device_count;
	desc.console = vm->console_device;
	if (m->direct_boot) {
		desc.bootargs = c->cmdline[0] ? c->cmdline : NULL;
		if (virt_plan_direct_boot(VIRT_RAM_BASE, c->memory, m->kernel_image.data,
					  m->kernel_image.size, m->initrd ? m->initrd->size : 0,
					  VIRT_DTB_MAX, &m->layout, err, sizeof(err))) {
			log_error("VM %s: kernel '%s' %s", vm->name, c->kernel, err);
			return -EINVAL;
		}
		desc.initrd_start = m->layout.initrd_gpa;
		desc.initrd_end = m->layout.initrd_end;
	}
	m->dtb = kmalloc(VIRT_DTB_MAX);
	if (!m->dtb)
		return -ENOMEM;
	m->dtb_size = virt_fdt_build(m->dtb, VIRT_DTB_MAX, &desc);
	if (m->dtb_size < 0) {
		log_error("VM %s: cannot build its device tree (%ld)", vm->name, m->dtb_size);
		return (int)m->dtb_size;
	}
	if (m->direct_boot && m->layout.format != VIRT_KERNEL_IMAGE)
		log_info("VM %s: %s kernel at 0x%llx-0x%llx, entry 0x%llx%s, device tree at 0x%llx",
			 vm->name, virt_kernel_format_name(m->layout.format),
			 (unsigned long long)m->layout.kernel_gpa,
			 (unsigned long long)m->layout.kernel_end, (unsigned long long)m->layout.entry,
			 m->initrd ? ", initrd after it" : "", (unsigned long long)m->layout.dtb_gpa);
	else if (m->direct_boot)
		log_info("VM %s: kernel at 0x%llx, initrd at 0x%llx (%zu bytes), device tree at "
			 "0x%llx (%ld bytes)", vm->name, (unsigned long long)m->layout.kernel_gpa,
			 (unsigned long long)m->layout.initrd_gpa, m->initrd ? m->initrd->size : 0,
			 (unsigned long long)m->layout.dtb_gpa, m->dtb_size);
	else
		log_info("VM %s: firmware '%s' in flash at 0x0, device tree at 0x%llx (%ld bytes)%s%s",
			 vm->name, c->firmware, (unsigned long long)VIRT_RAM_BASE, m->dtb_size,
			 m->kernel ? ", kernel through fw_cfg" : "",
			 c->acpi && m->fwcfg ? ", ACPI tables through fw_cfg" : "");
	return 0;
}

int virt_boot_load(struct virt_machine *m)
{
	struct vm *vm = m->vm;
	int ret;

	if (!m->direct_boot) {
		/* Firmware: x0-x3 = 0 (x1 must not look like a TransferList handoff). */
		ret = vm_write_guest(vm, VIRT_RAM_BASE, m->dtb, (size_t)m->dtb_size);
		return ret ? ret : vm_vcpu_start(vm, 0, VIRT_FLASH_BASE, NULL, 0);
	}
	if (m->layout.format == VIRT_KERNEL_ELF) {
		ret = 0;
		for (unsigned int i = 0; i < m->layout.segment_count && !ret; i++) {
			const struct virt_boot_segment *s = &m->layout.segments[i];

			ret = vm_write_guest(vm, s->gpa, (const uint8_t *)m->kernel_image.data + s->offset,
					     (size_t)s->size);
		}
	} else {
		ret = vm_write_guest(vm, m->layout.kernel_gpa, m->kernel_image.data,
				     m->kernel_image.size);
	}
	if (!ret && m->initrd)
		ret = vm_write_guest(vm, m->layout.initrd_gpa, m->initrd->data, m->initrd->size);
	if (!ret)
		ret = vm_write_guest(vm, m->layout.dtb_gpa, m->dtb, (size_t)m->dtb_size);
	if (!ret) {
		uint64_t args[4] = { m->layout.dtb_gpa, 0, 0, 0 };

		ret = vm_vcpu_start(vm, 0, m->layout.entry, args, 4);
	}
	return ret;
}

void virt_boot_free(struct virt_machine *m)
{
	kfree(m->dtb);
	m->dtb = NULL;
	virt_kernel_image_release(&m->kernel_image);
}
