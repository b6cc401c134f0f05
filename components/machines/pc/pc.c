/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 "pc" machine: QEMU's i440FX board as far as SeaBIOS and
 * Linux need it (platform facts B, E.2-E.4).
 *
 *   0x00000000  RAM (0xA0000..0xFFFFF: VGA window, PAM pieces)   memory.c
 *   0xFEC00000  IOAPIC                                            devices.c
 *   0xFEE00000  the calling vCPU's LAPIC                          cpu.c
 *   4 GiB - n   the BIOS image (last 128 KiB also at 0xE0000)     memory.c
 *   4 GiB       RAM above the PCI hole                            memory.c
 *   ports       PCI 0xCF8/0xCFC, 8259, 8254, RTC, COM1, i8042, fw_cfg...
 *
 * What the firmware reads from fw_cfg is fwcfg_items.c, the Linux kernel
 * through fw_cfg linux_boot.c, power-off and reset power.c.  vCPU n has
 * APIC id n; vCPU 0 starts at the reset vector, the others wait for
 * SeaBIOS's INIT/SIPI.
 */
#include <errno.h>
#include <string.h>

#include <core/init.h>
#include <core/log.h>
#include <core/mm.h>
#include <uart16550/uart16550.h>
#include <vcpu/x86_regs.h>
#include <vm/machine.h>

#include "pc_internal.h"

static const struct bootfs_file *archive_file(struct vm *vm, const char *key, const char *path)
{
	const struct bootfs_file *f;

	if (!path[0])
		return NULL;
	f = bootfs_find(path);
	if (!f)
		log_error("VM %s: %s '%s' is not in the boot archive", vm->name, key, path);
	return f;
}

static int find_images(struct pc_machine *m)
{
	struct vm *vm = m->vm;
	const struct vm_config *c = &vm->config;

	if (!c->firmware[0]) {
		log_error("%s: the pc machine starts every VM in its BIOS: add firmware = "
			  "guests/bios-256k.bin (SeaBIOS loads the kernel)", c->source);
		return -EINVAL;
	}
	m->firmware = archive_file(vm, "firmware", c->firmware);
	m->kernel = archive_file(vm, "kernel", c->kernel);
	m->initrd = archive_file(vm, "initrd", c->initrd);
	if (!m->firmware || (c->kernel[0] && !m->kernel) || (c->initrd[0] && !m->initrd))
		return -ENOENT;
	m->nothing_to_boot = !m->kernel;
	if (c->devices_set)
		log_warn("%s: the pc machine always has its whole device set; 'devices' is ignored",
			 c->source);
	return 0;
}

static int pc_build(struct vm *vm)
{
	struct pc_machine *m = kzalloc(sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	vm->machine_data = m;
	m->vm = vm;
	ret = find_images(m);
	if (!ret)
		ret = pc_memory_build(m);
	if (!ret)
		ret = pc_cpus_build(m);
	if (!ret)
		ret = pc_devices_build(m);
	if (!ret)
		ret = pc_lapic_mmio_register(m);
	if (!ret)
		ret = pc_fwcfg_create(m);
	if (!ret)
		ret = pc_fwcfg_build(m);
	if (!ret)
		ret = pc_linux_prepare(m);
	if (!ret)
		log_info("VM %s: BIOS '%s' (%llu KiB) at 0x%llx, RAM %llu MiB below 4 GiB%s%s",
			 vm->name, vm->config.firmware,
			 (unsigned long long)(m->layout.bios_size >> 10),
			 (unsigned long long)m->layout.bios_base,
			 (unsigned long long)(m->layout.below_4g >> 20),
			 m->layout.above_4g ? " and above" : "",
			 m->kernel ? ", kernel through fw_cfg" : "");
	return ret;
}

static int pc_reset(struct vm *vm)
{
	struct pc_machine *m = pc_of(vm);

	pc_memory_reset(m);
	pc_devices_reset(m);
	pc_cpus_reset(m);
	return vm_vcpu_start(vm, 0, X86_RESET_VECTOR, NULL, 0);
}

static void pc_destroy(struct vm *vm)
{
	struct pc_machine *m = pc_of(vm);

	if (!m)
		return;
	pc_fwcfg_destroy(m);
	pc_devices_destroy(m);
	pc_cpus_destroy(m);
	pc_memory_destroy(m);
	pc_linux_free(m);
	kfree(m);
	vm->machine_data = NULL;
}

static int pc_handle_exit(struct vm *vm, struct vm_vcpu *vc, struct vcpu_exit *exit)
{
	struct pc_machine *m = pc_of(vm);

	switch (exit->reason) {
	case VCPU_EXIT_SYSREG:
		return pc_cpu_sysreg(m, vc, exit);
	case VCPU_EXIT_RESET:
		pc_guest_reset(m, "a triple fault");
		return 0;
	case VCPU_EXIT_SHUTDOWN:
		vm_request_off(vm);
		return 0;
	default:
		return -ENOSYS;
	}
}

/* On the vCPU's own CPU while it halts: INIT/SIPI are applied here too. */
static bool pc_irq_pending(struct vm *vm, struct vm_vcpu *vc)
{
	return pc_cpu_start_requests(pc_of(vm), vc) || pc_cpu_irq_pending(pc_of(vm), vc);
}

static size_t pc_console_input(struct vm *vm, const uint8_t *buf, size_t len)
{
	return uart16550_receive(pc_of(vm)->com1, buf, len);
}

static const struct machine_ops pc_machine = {
	.name = "pc",
	.arch = "x86_64",
	.build = pc_build,
	.reset = pc_reset,
	.handle_exit = pc_handle_exit,
	.irq_pending = pc_irq_pending,
	.console_input = pc_console_input,
	.destroy = pc_destroy,
};

static int pc_register(void)
{
	return machine_register(&pc_machine);
}
INIT_CALL(pc_register, INIT_DEVICE);
