/* SPDX-License-Identifier: MIT */
/*
 * The aarch64 "virt" machine: QEMU's virt board as far as AAVMF and Linux
 * need it (QEMU hw/arm/virt.c; docs/machines.md).
 *
 *   0x00000000  flash bank 0, 64 MiB: firmware code, read-only   (board)
 *   0x04000000  flash bank 1, 64 MiB: this VM's variable store   (board)
 *   0x08000000  GICv3 distributor, 0x080A0000 redistributors      (board)
 *   0x09000000  uart0: PL011, SPI 1, the VM's console              (table)
 *   0x09010000  rtc0: PL031, SPI 2                                 (table)
 *   0x09020000  fw-cfg: fw_cfg with DMA over the VM's RAM          (table)
 *   0x40000000  RAM                                                (board)
 *
 * The devices of the table are instances of device classes; a VM adds,
 * changes or removes them with device lines, and instance irq n is the
 * GIC's SPI n.  vCPU n has MPIDR affinity virt_fdt_cpu_mpidr(n), the value
 * the device tree lists.  PSCI is psci.c, images and the device tree
 * boot.c and fdt.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bus/irq.h>
#include <core/log.h>
#include <core/mm.h>
#include <pflash/pflash.h>
#ifdef CONFIG_HOSTDISK
#include <hostdisk/hostdisk.h>
#endif
#include <vcpu/aarch64_gic.h>
#include <vcpu/aarch64_regs.h>
#include <vcpu/gspace.h>
#include <vgic3/vgic3.h>
#include <virt/fdt.h>
#include <vm/config.h>
#include <vm/machine.h>
#include <vm/vm.h>

#include "virt_internal.h"

#define VIRT_REPORT_LIMIT 20


static struct virt_machine *virt_of(struct vm *vm)
{
	return vm->machine_data;
}

/* ---- flash ---- */

static void flash_map(struct virt_flash *f, bool array_mode)
{
	struct vm *vm = f->machine->vm;
	int ret;

	if (array_mode == f->mapped)
		return;
	if (array_mode)
		ret = gspace_map(vm->gs, f->gpa, (uintptr_t)f->mem, VIRT_FLASH_BANK_SIZE,
				 GSPACE_READ | GSPACE_EXEC, GSPACE_MEM_NORMAL);
	else
		ret = gspace_unmap(vm->gs, f->gpa, VIRT_FLASH_BANK_SIZE);
	if (ret) {
		log_error("VM %s: cannot %s flash bank %s (%d)", vm->name,
			  array_mode ? "map" : "unmap", f->name, ret);
		return;
	}
	f->mapped = array_mode;
	f->mode_switches++;
}

/* pflash: the bank entered or left read-array mode. */
static void flash_mode_changed(void *ctx, bool array_mode)
{
	flash_map(ctx, array_mode);
}

/*
 * The variable store kept in a host disk partition (firmware-vars =
 * host:<name>): its contents become the bank's, and every program and
 * erase goes back to it before the chip is ready again (pflash).  The
 * bank's memory is written through the guest mapping, so a guest that
 * starts with its caches off sees it.
 */
static int flash_load_host_store(struct virt_flash *f, const char *value)
{
	struct vm *vm = f->machine->vm;
	char owner[40], why[200];
	uint8_t *chunk;
	int ret = 0;

#ifdef CONFIG_HOSTDISK
	snprintf(owner, sizeof(owner), "VM %s", vm->name);
	f->store = hostdisk_open_flash_store(value + 5, owner, &vm->device_lock, f->mem,
					     VIRT_FLASH_BANK_SIZE, why, sizeof(why));
	if (!f->store) {
		log_error("VM %s: firmware-vars '%s': %s", vm->name, value, why);
		return -ENOENT;
	}
#else
	(void)owner;
	log_error("VM %s: firmware-vars '%s' is on the host disk, and this image has no host disk "
		  "support", vm->name, value);
	(void)why;
	return -ENOENT;
#endif
	chunk = page_alloc((1u << 20) / PAGE_SIZE);
	if (!chunk)
		return -ENOMEM;
	for (uint64_t off = 0; off < f->store->size && !ret; off += 1u << 20) {
		size_t n = f->store->size - off < (1u << 20) ? f->store->size - off : (1u << 20);

		memcpy(chunk, f->mem + off, n);
		ret = vm_write_guest(vm, f->gpa + off, chunk, n);
	}
	page_free(chunk, (1u << 20) / PAGE_SIZE);
	log_info("VM %s: variable store on host partition '%s' (%llu KiB): changes are kept",
		 vm->name, value + 5, (unsigned long long)(f->store->size >> 10));
	return ret;
}

static int flash_create(struct virt_machine *m, unsigned int bank, const char *name,
			const struct bootfs_file *image, bool read_only, const char *host_store)
{
	struct virt_flash *f = &m->flash[bank];
	struct vm *vm = m->vm;
	struct pflash_config cfg;

	f->machine = m;
	f->name = name;
	f->gpa = VIRT_FLASH_BASE + bank * VIRT_FLASH_BANK_SIZE;
	if (image && image->size > VIRT_FLASH_BANK_SIZE) {
		log_error("VM %s: %s is %zu bytes, larger than the 64 MiB flash bank", vm->name,
			  image->name, image->size);
		return -EINVAL;
	}
	f->mem = page_alloc_aligned(VIRT_FLASH_BANK_SIZE / PAGE_SIZE, (2UL << 20) / PAGE_SIZE);
	if (!f->mem) {
		log_error("VM %s: no memory for flash bank %s (64 MiB)", vm->name, name);
		return -ENOMEM;
	}
	/* What the image does not cover is erased flash. */
	if (!image || image->size < VIRT_FLASH_BANK_SIZE) {
		size_t covered = image ? image->size : 0;

		memset(f->mem + covered, 0xff, VIRT_FLASH_BANK_SIZE - covered);
	}
	if (host_store) {
		/* Mapped first: the loaded store is written through the guest mapping. */
		flash_map(f, true);
		if (!f->mapped)
			return -ENOMEM;
		int ret = flash_load_host_store(f, host_store);

		if (ret)
			return ret;
		flash_map(f, false);
	}
	cfg = (struct pflash_config){
		.name = name,
		.base = f->gpa,
		.mem = f->mem,
		.size = VIRT_FLASH_BANK_SIZE,
		.block_size = VIRT_FLASH_BLOCK,
		.bank_width = 4,
		.device_width = 2,
		.read_only = read_only,
		.store = f->store,
		.mode_changed = flash_mode_changed,
		.ctx = f,
	};
	f->flash = pflash_create(vm->bus, &cfg);
	if (!f->flash)
		return -ENOMEM;
	flash_map(f, true);
	if (!f->mapped)
		return -ENOMEM;
	/* Through the guest mapping: cleaned to the point of coherency for a guest
	 * that starts with its MMU and caches off. */
	if (image && image->size)
		return vm_write_guest(vm, f->gpa, image->data, image->size);
	return 0;
}

static void flash_destroy(struct virt_flash *f)
{
	/* First: waits for the store's writes, whose completions reach the bank. */
	if (f->store)
		blockdev_destroy(f->store);
	if (f->flash)
		pflash_destroy(f->flash);
	if (f->mapped)
		gspace_unmap(f->machine->vm->gs, f->gpa, VIRT_FLASH_BANK_SIZE);
	if (f->mem)
		page_free(f->mem, VIRT_FLASH_BANK_SIZE / PAGE_SIZE);
	memset(f, 0, sizeof(*f));
}

/* ---- devices ---- */

/*
 * The board's device instances (QEMU virt's memmap[] and irqmap[]).  The
 * RTC starts at 2024-01-01 00:00:00 UTC (its class's default).
 */
static const char *const virt_devices[] = {
	"pl011 name=uart0 base=0x09000000 irq=1",
	"pl031 name=rtc0 base=0x09010000 irq=2",
	"fw-cfg-mmio name=fw-cfg base=0x09020000",
};

/* QEMU virt's virtio-mmio windows: 32 slots of 0x200 bytes from 0x0A000000, SPI 16 up. */
#define VIRT_VIRTIO_BASE  0x0a000000ULL
#define VIRT_VIRTIO_SIZE  0x200
#define VIRT_VIRTIO_SPI   16
#define VIRT_VIRTIO_SLOTS 32

/* disk = ...: a virtio-blk on the next virtio-mmio slot. */
static int virt_disk_device(unsigned int n, const char *transport, char *line, size_t size)
{
	if (transport[0] && strcmp(transport, "mmio") != 0) {
		snprintf(line, size, "the virt machine has transport=mmio only, not '%s'", transport);
		return -EINVAL;
	}
	if (n >= VIRT_VIRTIO_SLOTS) {
		snprintf(line, size, "the virt machine has %u virtio-mmio slots", VIRT_VIRTIO_SLOTS);
		return -EINVAL;
	}
	snprintf(line, size, "virtio-blk-mmio name=disk%u base=0x%llx irq=%u", n,
		 VIRT_VIRTIO_BASE + (unsigned long long)n * VIRT_VIRTIO_SIZE, VIRT_VIRTIO_SPI + n);
	return 0;
}

static void virt_kick(void *ctx, unsigned int vcpu)
{
	vm_vcpu_kick(ctx, vcpu);
}

/*
 * Interrupt injection (<vcpu/aarch64_gic.h>): the EL2 backend calls these
 * on the vCPU's CPU around every entry.  The vGIC decides what is pending;
 * the backend owns the list registers.
 */
static void irq_fill(struct vcpu *v, void *opaque)
{
	struct virt_machine *m = opaque;
	struct vgic3_lr lr[VCPU_AARCH64_MAX_LRS];
	uint64_t values[VCPU_AARCH64_MAX_LRS];
	unsigned int max = vcpu_aarch64_lr_count();
	unsigned int n;

	if (max > VCPU_AARCH64_MAX_LRS)
		max = VCPU_AARCH64_MAX_LRS;
	n = vgic3_pending_for(m->gic, vcpu_index(v), lr, max);
	for (unsigned int i = 0; i < n; i++)
		values[i] = vgic3_lr_to_ich_lr(&lr[i]);
	vcpu_aarch64_load_lrs(v, values, n, n == max && vgic3_has_pending(m->gic, vcpu_index(v)));
}

static void irq_sync(struct vcpu *v, void *opaque)
{
	struct virt_machine *m = opaque;
	uint64_t values[VCPU_AARCH64_MAX_LRS];
	unsigned int n = vcpu_aarch64_saved_lrs(v, values, VCPU_AARCH64_MAX_LRS);

	for (unsigned int i = 0; i < n; i++)
		vgic3_sync_lr(m->gic, vcpu_index(v), vgic3_ich_lr_intid(values[i]),
			      vgic3_ich_lr_state(values[i]));
}

/* The guest's virtual timer output is its PPI 27. */
static void irq_timer(struct vcpu *v, void *opaque, bool level)
{
	struct virt_machine *m = opaque;

	vgic3_set_ppi(m->gic, vcpu_index(v), VCPU_AARCH64_VTIMER_INTID, level);
}

static const struct vcpu_irq_ops virt_irq_ops = {
	.fill = irq_fill,
	.sync = irq_sync,
	.timer = irq_timer,
};

static int virt_build(struct vm *vm)
{
	struct virt_machine *m = kzalloc(sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	vm->machine_data = m;
	m->vm = vm;

	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		uint64_t mpidr = 0;

		vcpu_get_reg(vm->vcpus[i].vcpu, VCPU_REG_AARCH64_MPIDR, &mpidr);
		vm->vcpus[i].hw_id = mpidr & 0xff00ffffffULL;
		if (vm->vcpus[i].hw_id != virt_fdt_cpu_mpidr(i)) {
			log_error("VM %s: vCPU %u has MPIDR 0x%llx, the device tree says 0x%llx",
				  vm->name, i, (unsigned long long)mpidr,
				  (unsigned long long)virt_fdt_cpu_mpidr(i));
			return -EINVAL;
		}
	}

	ret = vm_add_ram(vm, VIRT_RAM_BASE, vm->config.memory);
	if (ret)
		return ret;

	m->gic = vgic3_create(vm->bus, VIRT_GIC_DIST_BASE, VIRT_GIC_REDIST_BASE,
			      vm->vcpu_count, VIRT_NR_SPIS);
	if (!m->gic) {
		log_error("VM %s: cannot create its GICv3 (%u vCPUs)", vm->name, vm->vcpu_count);
		return -EINVAL;
	}
	vgic3_set_kick(m->gic, virt_kick, vm);
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		vcpu_set_irq_ops(vm->vcpus[i].vcpu, &virt_irq_ops, m);
	/* Device instance irq n is SPI n. */
	vm->device_env.irq_sink = vgic3_spi_sink;
	vm->device_env.irq_ctx = m->gic;
	vm->device_env.irq_limit = VIRT_NR_SPIS;
	return 0;
}

/* The devices exist: images, fw_cfg items, the device tree, the flash banks. */
static int virt_devices_ready(struct vm *vm)
{
	struct virt_machine *m = virt_of(vm);
	struct device *fw = vm_device_of_class(vm, "fw-cfg-mmio");
	int ret;

	m->fwcfg = fw ? fw->state : NULL;
	ret = virt_boot_prepare(m);
	if (ret)
		return ret;
	if (m->firmware) {
		const char *vars = vm->config.firmware_vars;

		ret = flash_create(m, 0, "flash0-code", m->firmware, true, NULL);
		if (!ret)
			ret = flash_create(m, 1, "flash1-vars", m->vars, false,
					   vm_config_is_host_path(vars) ? vars : NULL);
	}
	return ret;
}

static int virt_reset(struct vm *vm)
{
	struct virt_machine *m = virt_of(vm);

	vgic3_reset(m->gic);
	for (unsigned int i = 0; i < VIRT_FLASH_BANKS; i++) {
		if (!m->flash[i].flash)
			continue;
		pflash_reset(m->flash[i].flash);
		flash_map(&m->flash[i], true);
	}
	return virt_boot_load(m);
}

static void virt_destroy(struct vm *vm)
{
	struct virt_machine *m = virt_of(vm);

	if (!m)
		return;
	for (unsigned int i = 0; i < VIRT_FLASH_BANKS; i++)
		if (m->flash[i].machine)
			flash_destroy(&m->flash[i]);
	if (m->gic)
		vgic3_destroy(m->gic);
	virt_boot_free(m);
	kfree(m);
	vm->machine_data = NULL;
}

/* ---- exits ---- */

static int handle_sysreg(struct virt_machine *m, struct vm_vcpu *vc, struct vcpu_exit *exit)
{
	const struct vcpu_sysreg_access *s = &exit->sysreg;

	if (s->is_write && s->id == VCPU_SYSREG_ICC_SGI1R_EL1) {
		vgic3_write_sgi1r(m->gic, vc->index, s->value);
		return 0;
	}
	/* DC ISW/CSW/CISW (HCR_EL2.TSW): set/way maintenance means nothing in a VM. */
	if (VCPU_SYSREG_OP0(s->id) == 1)
		return 0;
	if (m->sysreg_reports++ < VIRT_REPORT_LIMIT)
		log_warn("VM %s: vCPU %u: %s of system register S%u_%u_C%u_C%u_%u at pc 0x%llx "
			 "%s", m->vm->name, vc->index, s->is_write ? "write" : "read",
			 VCPU_SYSREG_OP0(s->id), VCPU_SYSREG_OP1(s->id), VCPU_SYSREG_CRN(s->id),
			 VCPU_SYSREG_CRM(s->id), VCPU_SYSREG_OP2(s->id),
			 (unsigned long long)exit->pc,
			 s->is_write ? "ignored" : "reads as zero");
	if (!s->is_write)
		vcpu_complete_read(vc->vcpu, 0);
	return 0;
}

static int virt_handle_exit(struct vm *vm, struct vm_vcpu *vc, struct vcpu_exit *exit)
{
	struct virt_machine *m = virt_of(vm);
	uint64_t result[4];

	switch (exit->reason) {
	case VCPU_EXIT_HYPERCALL:
		virt_psci_call(m, vc, &exit->hypercall, result);
		vcpu_complete_hypercall(vc->vcpu, result, 1);
		return 0;
	case VCPU_EXIT_SYSREG:
		return handle_sysreg(m, vc, exit);
	case VCPU_EXIT_SHUTDOWN:
		vm_request_off(vm);
		return 0;
	case VCPU_EXIT_RESET:
		vm_request_reset(vm);
		return 0;
	default:
		return -ENOSYS;
	}
}

static bool virt_irq_pending(struct vm *vm, struct vm_vcpu *vc)
{
	return vgic3_has_pending(virt_of(vm)->gic, vc->index);
}

MACHINE(virt_machine) = {
	.name = "virt",
	.arch = "aarch64",
	.description = "QEMU's arm virt board: GICv3, PL011, PL031, fw_cfg, two flash banks, PSCI",
	.is_default = true,
	.devices = virt_devices,
	.device_count = sizeof(virt_devices) / sizeof(virt_devices[0]),
	.console = "uart0",
	.disk_device = virt_disk_device,
	.build = virt_build,
	.devices_ready = virt_devices_ready,
	.reset = virt_reset,
	.handle_exit = virt_handle_exit,
	.irq_pending = virt_irq_pending,
	.destroy = virt_destroy,
};
