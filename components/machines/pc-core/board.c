/* SPDX-License-Identifier: MIT */
/*
 * The machine hooks every PC board shares (<pc/board.h>): a board
 * component calls pc_board_build() from its build() and adds its chipset;
 * the other hooks it can use as they are.
 *
 *   build            images, RAM and BIOS, LAPICs, 8259 + IOAPIC, the LAPIC
 *                    page; device instance irq n = ISA IRQ n
 *   devices_ready    fw_cfg items (memory map, CPUs, ACPI), the kernel
 *   reset            BIOS and PAM, CMOS contents, LAPICs, vCPU 0 at the
 *                    reset vector; the other vCPUs wait for INIT/SIPI
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <core/log.h>
#include <core/mm.h>
#include <fwcfg/fwcfg.h>
#include <lib/aml_writer.h>
#include <port80/port80.h>
#include <rtc/rtc.h>
#include <vcpu/x86_regs.h>
#include <vm/machine.h>

#include <pc/board.h>

static int find_images(struct pc_board *m)
{
	struct vm *vm = m->vm;
	const struct vm_config *c = &vm->config;

	if (!c->firmware[0]) {
		log_error("%s: the %s machine starts every VM in its BIOS: add firmware = "
			  "guests/bios-256k.bin (SeaBIOS loads the kernel)", c->source,
			  vm->machine->name);
		return -EINVAL;
	}
	if (vm_config_is_host_path(c->firmware_vars)) {
		log_error("%s:%u: firmware-vars = %s: the %s machine keeps its variable store in "
			  "memory for now; a store on the host disk needs the virt machine "
			  "(docs/persistence.md)", c->source, c->firmware_vars_line, c->firmware_vars,
			  vm->machine->name);
		return -EINVAL;
	}
	m->firmware = vm_archive_file(vm, "firmware", c->firmware);
	m->kernel = vm_archive_file(vm, "kernel", c->kernel);
	m->initrd = vm_archive_file(vm, "initrd", c->initrd);
	m->vars_image = vm_archive_file(vm, "firmware-vars", c->firmware_vars);
	if (!m->firmware || (c->kernel[0] && !m->kernel) || (c->initrd[0] && !m->initrd) ||
	    (c->firmware_vars[0] && !m->vars_image))
		return -ENOENT;
	/* power.c: SeaBIOS without a kernel or a disk resets for ever; OVMF with
	 * its variable store has its Shell. */
	m->nothing_to_boot = !m->kernel && !m->vars_image;
	for (unsigned int i = 0; i < vm->device_count; i++)
		if (vm->devices[i].cls->boot_device)
			m->nothing_to_boot = false;
	return 0;
}

int pc_board_build(struct pc_board *m, struct vm *vm, const struct pc_board_ops *ops)
{
	int ret;

	vm->machine_data = m;
	m->vm = vm;
	m->ops = ops;
	vm->device_env.request_reset = pc_env_request_reset;
	/* Empty MMIO reads all-ones on a PC; OVMF probes the TPM's 0xFED40000 on every boot. */
	bus_set_unassigned_mmio_level(vm->bus, LOG_INFO);
	ret = find_images(m);
	if (!ret)
		ret = pc_memory_build(m);
	if (!ret)
		ret = pc_cpus_build(m);
	if (!ret)
		ret = pc_interrupts_build(m);
	if (!ret)
		ret = pc_lapic_mmio_register(m);
	return ret;
}

/* What the CMOS says about the machine (SeaBIOS reads memory sizes there). */
static void fill_cmos(struct pc_board *m)
{
	struct rtc_cmos_config cmos = {
		.ram_below_4g = m->layout.below_4g,
		.ram_above_4g = m->layout.above_4g,
		.cpu_count = m->vm->vcpu_count,
		/* QEMU's default boot order "cad": the firmware then tries BEVs (our kernel). */
		.boot_order = { RTC_BOOT_CDROM, RTC_BOOT_DISK, RTC_BOOT_NETWORK },
		.floppy_signature_check = false,
	};

	if (m->rtc)
		rtc_cmos_fill(m->rtc, &cmos);
}

int pc_board_devices_ready(struct vm *vm)
{
	struct pc_board *m = pc_of(vm);
	struct device *fw = vm_device_of_class(vm, "fw-cfg-io");
	struct device *rtc = vm_device_of_class(vm, "rtc");
	int ret;

	m->fwcfg = fw ? fw->state : NULL;
	m->rtc = rtc ? rtc->state : NULL;
	if (!m->fwcfg) {
		log_error("%s: the %s machine needs its fw-cfg-io device (the BIOS reads the "
			  "memory map from it)", vm->config.source, vm->machine->name);
		return -EINVAL;
	}
	ret = pc_fwcfg_build(m);
	if (!ret)
		ret = pc_kernel_prepare(m);
	if (!ret)
		log_info("VM %s: firmware '%s' (%llu KiB) at 0x%llx%s%s%s, RAM %llu MiB below 4 GiB%s%s",
			 vm->name, vm->config.firmware,
			 (unsigned long long)(m->layout.bios_size >> 10),
			 (unsigned long long)m->layout.bios_base,
			 m->vars_image ? ", variables '" : "",
			 m->vars_image ? vm->config.firmware_vars : "",
			 m->vars_image ? "' below it" : "",
			 (unsigned long long)(m->layout.below_4g >> 20),
			 m->layout.above_4g ? " and above" : "",
			 m->kernel ? ", kernel through fw_cfg" : "");
	return ret;
}

int pc_board_reset(struct vm *vm)
{
	struct pc_board *m = pc_of(vm);

	if (m->ops->reset)
		m->ops->reset(m);
	pc_memory_reset(m);
	pc_interrupts_reset(m);
	fill_cmos(m);
	pc_cpus_reset(m);
	if (pc_kernel_reset(m))
		return -EINVAL;
	return vm_vcpu_start(vm, 0, X86_RESET_VECTOR, NULL, 0);
}

void pc_board_destroy(struct pc_board *m)
{
	pc_interrupts_destroy(m);
	pc_cpus_destroy(m);
	pc_memory_destroy(m);
	pc_linux_free(m);
	pc_kernel_free(m);
}

int pc_board_handle_exit(struct vm *vm, struct vm_vcpu *vc, struct vcpu_exit *exit)
{
	struct pc_board *m = pc_of(vm);

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
bool pc_board_irq_pending(struct vm *vm, struct vm_vcpu *vc)
{
	return pc_cpu_start_requests(pc_of(vm), vc) || pc_cpu_irq_pending(pc_of(vm), vc);
}

/* HLT with interrupts disabled: only an NMI, INIT or SIPI of another vCPU ends it. */
#define PC_RFLAGS_IF (1ull << 9)
bool pc_board_halt_is_final(struct vm *vm, struct vm_vcpu *vc)
{
	uint64_t rflags = PC_RFLAGS_IF;

	(void)vm;
	vcpu_get_reg(vc->vcpu, VCPU_REG_X86_RFLAGS, &rflags);
	return !(rflags & PC_RFLAGS_IF);
}

/* The last POST code (port 0x80), or a vCPU's registers: for failure reports. */
void pc_board_report(struct vm *vm, struct vm_vcpu *vc)
{
	static const struct { unsigned int reg; const char *name; } regs[] = {
		{ VCPU_REG_PC, "rip" }, { VCPU_REG_SP, "rsp" }, { VCPU_REG_X86_RFLAGS, "rflags" },
		{ VCPU_REG_X86_GPR(0), "rax" }, { VCPU_REG_X86_GPR(1), "rcx" },
		{ VCPU_REG_X86_GPR(2), "rdx" }, { VCPU_REG_X86_GPR(3), "rbx" },
		{ VCPU_REG_X86_GPR(5), "rbp" }, { VCPU_REG_X86_GPR(6), "rsi" },
		{ VCPU_REG_X86_GPR(7), "rdi" }, { VCPU_REG_X86_CR0, "cr0" },
		{ VCPU_REG_X86_CR2, "cr2" }, { VCPU_REG_X86_CR3, "cr3" },
		{ VCPU_REG_X86_CR4, "cr4" }, { VCPU_REG_X86_EFER, "efer" },
	};
	struct device *post = vm_device_of_class(vm, "port80");
	char line[160];
	int len = 0;

	if (!vc) {
		if (post && port80_write_count(post->state))
			log_error("VM %s: last POST code 0x%02x (port 0x80, %llu writes)", vm->name,
				  port80_last_code(post->state),
				  (unsigned long long)port80_write_count(post->state));
		else
			log_error("VM %s: no POST code was written to port 0x80", vm->name);
		return;
	}
	for (unsigned int i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		uint64_t value = 0;

		if (len > 100) {
			log_error("VM %s vCPU%u:%s", vm->name, vc->index, line);
			len = 0;
		}
		vcpu_get_reg(vc->vcpu, regs[i].reg, &value);
		len += snprintf(line + len, sizeof(line) - (size_t)len, " %s=0x%llx", regs[i].name,
				(unsigned long long)value);
	}
	if (len)
		log_error("VM %s vCPU%u:%s", vm->name, vc->index, line);
}

long pc_board_devices_aml(struct pc_board *m, const char *scope, void *buf, size_t size)
{
	const struct device_acpi_env ae = { .isa_irqs = true };
	struct aml_writer a;

	aml_init(&a, buf, size);
	aml_scope_begin(&a, scope);
	vm_devices_write_aml(m->vm, &a, &ae);
	aml_end(&a);
	return aml_finish(&a);
}
