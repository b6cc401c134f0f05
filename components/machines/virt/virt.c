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
 *   0x10000000  PCI Express: 32-bit memory window, I/O space at
 *               0x3EFF0000, ECAM (16 buses) at 0x3F000000, INTx on
 *               SPI 3..6                                            (board)
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
#include <pci/pci.h>
#include <vcpu/aarch64_gic.h>
#include <vcpu/aarch64_regs.h>
#include <vcpu/gspace.h>
#include <vgic3/vgic3.h>
#include <virt/fdt.h>
#include <vm/flash.h>
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

/* Bank 0 holds the firmware (read-only), bank 1 the VM's copy of the
 * variable store; AAVMF's doubled 16-bit chips (<pflash/pflash.h>). */
static int flash_create(struct virt_machine *m, unsigned int bank, const char *name,
			const struct bootfs_file *image, bool read_only, const char *host_store)
{
	struct vm *vm = m->vm;
	struct vm_flash_config cfg = {
		.name = name,
		.gpa = VIRT_FLASH_BASE + bank * VIRT_FLASH_BANK_SIZE,
		.size = VIRT_FLASH_BANK_SIZE,
		.block_size = VIRT_FLASH_BLOCK,
		.bank_width = 4,
		.device_width = 2,
		.read_only = read_only,
		.image = image ? image->data : NULL,
		.image_size = image ? image->size : 0,
		.host_store = host_store,
	};

	if (image && image->size > VIRT_FLASH_BANK_SIZE) {
		log_error("VM %s: %s is %zu bytes, larger than the 64 MiB flash bank", vm->name,
			  image->name, image->size);
		return -EINVAL;
	}
	return vm_flash_create(&m->flash[bank], vm, &cfg);
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
 * How long the guest may run, or its sleeping vCPU sleep, before the VM
 * must run its device timers: until the next vclock deadline, and at
 * least VIRT_MIN_SLICE_NS (a device timer that is always due would
 * otherwise end every run before the guest's first instruction).  A
 * device that continues its work later (fw_cfg's DMA in steps) relies on
 * it: a guest polling memory never exits by itself.
 */
#define VIRT_MIN_SLICE_NS 100000ull

static void set_run_limit(struct virt_machine *m, struct vcpu *v)
{
	struct vclock *clock = &m->vm->clock;
	uint64_t now, next, limit;

	spin_lock(&m->vm->device_lock);
	next = vclock_next_deadline(clock);
	/* No device timer: no limit, and no need to read the clock. */
	now = next == UINT64_MAX ? 0 : vclock_now(clock);
	spin_unlock(&m->vm->device_lock);
	if (next == UINT64_MAX)
		return;
	limit = next > now ? next - now : 0;
	vcpu_aarch64_set_run_limit(v, limit < VIRT_MIN_SLICE_NS ? VIRT_MIN_SLICE_NS : limit);
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

	set_run_limit(m, v);

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

/* The guest's physical timer (emulated by the backend) is its PPI 30. */
static void irq_phys_timer(struct vcpu *v, void *opaque, bool level)
{
	struct virt_machine *m = opaque;

	vgic3_set_ppi(m->gic, vcpu_index(v), VCPU_AARCH64_PTIMER_INTID, level);
}

static const struct vcpu_irq_ops virt_irq_ops = {
	.fill = irq_fill,
	.sync = irq_sync,
	.timer = irq_timer,
	.phys_timer = irq_phys_timer,
};

/*
 * INTx of the PCI Express host (device instances: pin slot * 4 +
 * INTA..INTD): pin P of slot S reaches SPI 3 + (S + P) mod 4, QEMU virt's
 * swizzle (the device tree's interrupt-map says the same).  An SPI is the
 * OR of the pins sharing it.
 */
static void virt_pci_intx(void *ctx, unsigned int slot_pin, bool level)
{
	struct virt_machine *m = ctx;
	unsigned int line = (slot_pin / 4 + slot_pin % 4) % 4;

	if (pci_intx_line_set(&m->pci_intx[line], slot_pin, level))
		vgic3_spi_sink(m->gic, VIRT_PCIE_SPI + line, pci_intx_line_level(&m->pci_intx[line]));
}

static int virt_pcie_build(struct virt_machine *m)
{
	struct vm *vm = m->vm;

	m->pci = pci_host_create(vm->bus, "pcie");
	if (!m->pci ||
	    pci_host_map_ecam(m->pci, VIRT_PCIE_ECAM_BASE, VIRT_PCIE_ECAM_BUSES)) {
		log_error("VM %s: cannot create its PCI Express host", vm->name);
		return -ENOMEM;
	}
	pci_host_set_io_window(m->pci, BUS_SPACE_MMIO, VIRT_PCIE_PIO_BASE);
	vm->device_env.pci = m->pci;
	vm->device_env.pci_intx_sink = virt_pci_intx;
	vm->device_env.pci_intx_ctx = m;
	return 0;
}

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
	return virt_pcie_build(m);
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
	pci_host_reset(m->pci);
	for (unsigned int i = 0; i < 4; i++)
		pci_intx_line_reset(&m->pci_intx[i]);
	for (unsigned int i = 0; i < VIRT_FLASH_BANKS; i++)
		vm_flash_reset(&m->flash[i]);
	return virt_boot_load(m);
}

static void virt_destroy(struct vm *vm)
{
	struct virt_machine *m = virt_of(vm);

	if (!m)
		return;
	for (unsigned int i = 0; i < VIRT_FLASH_BANKS; i++)
		vm_flash_destroy(&m->flash[i]);
	if (m->pci)
		pci_host_destroy(m->pci);
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

/*
 * Asked while the vCPU sleeps in WFI, after each wake-up: the device
 * timers that are due run here, and the next one's deadline bounds the
 * sleep (a device interrupt they raise kicks the vCPU awake).
 */
static bool virt_irq_pending(struct vm *vm, struct vm_vcpu *vc)
{
	struct virt_machine *m = virt_of(vm);
	struct vclock *clock = &vm->clock;
	bool due;

	spin_lock(&vm->device_lock);
	due = vclock_next_deadline(clock) <= vclock_now(clock);
	if (due)
		vclock_run_expired(clock);
	spin_unlock(&vm->device_lock);
	if (vgic3_has_pending(m->gic, vc->index))
		return true;
	set_run_limit(m, vc->vcpu);
	return false;
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
