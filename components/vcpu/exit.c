/* SPDX-License-Identifier: MIT */
/* Naming and describing vCPU exits: the same on every architecture. */
#include <stdio.h>

#include <vcpu/vcpu.h>

static const char *const reason_names[VCPU_EXIT_REASON_COUNT] = {
	[VCPU_EXIT_NONE] = "NONE",
	[VCPU_EXIT_MMIO] = "MMIO",
	[VCPU_EXIT_PIO] = "PIO",
	[VCPU_EXIT_HYPERCALL] = "HYPERCALL",
	[VCPU_EXIT_WFI] = "WFI",
	[VCPU_EXIT_SYSREG] = "SYSREG",
	[VCPU_EXIT_IRQ] = "IRQ",
	[VCPU_EXIT_KICK] = "KICK",
	[VCPU_EXIT_SHUTDOWN] = "SHUTDOWN",
	[VCPU_EXIT_RESET] = "RESET",
	[VCPU_EXIT_CPU_ON] = "CPU_ON",
	[VCPU_EXIT_FAILED] = "FAILED",
};

const char *vcpu_exit_reason_name(enum vcpu_exit_reason reason)
{
	if ((unsigned int)reason >= VCPU_EXIT_REASON_COUNT)
		return "INVALID";
	return reason_names[reason];
}

int vcpu_exit_describe(const struct vcpu_exit *e, char *buf, size_t len)
{
	const char *name = vcpu_exit_reason_name(e->reason);
	unsigned long long pc = (unsigned long long)e->pc;

	switch (e->reason) {
	case VCPU_EXIT_MMIO:
	case VCPU_EXIT_PIO:
		if (e->access.dir == BUS_WRITE)
			return snprintf(buf, len, "%s write 0x%llx width %u data 0x%llx at pc 0x%llx",
					name, (unsigned long long)e->access.addr, e->access.width,
					(unsigned long long)e->access.data, pc);
		return snprintf(buf, len, "%s read 0x%llx width %u at pc 0x%llx", name,
				(unsigned long long)e->access.addr, e->access.width, pc);
	case VCPU_EXIT_HYPERCALL:
		return snprintf(buf, len, "%s %s #%u function 0x%llx args 0x%llx 0x%llx 0x%llx at pc 0x%llx",
				name, e->hypercall.is_smc ? "SMC" : "HVC", e->hypercall.imm,
				(unsigned long long)e->hypercall.function,
				(unsigned long long)e->hypercall.args[0],
				(unsigned long long)e->hypercall.args[1],
				(unsigned long long)e->hypercall.args[2], pc);
	case VCPU_EXIT_WFI:
		return snprintf(buf, len, "%s (%s) at pc 0x%llx", name,
				e->wfi.is_wfe ? "WFE" : "WFI", pc);
	case VCPU_EXIT_SYSREG:
		if (e->sysreg.is_write)
			return snprintf(buf, len, "%s write id 0x%x value 0x%llx at pc 0x%llx", name,
					e->sysreg.id, (unsigned long long)e->sysreg.value, pc);
		return snprintf(buf, len, "%s read id 0x%x at pc 0x%llx", name, e->sysreg.id, pc);
	case VCPU_EXIT_CPU_ON:
		return snprintf(buf, len, "%s target 0x%llx entry 0x%llx context 0x%llx", name,
				(unsigned long long)e->cpu_on.target,
				(unsigned long long)e->cpu_on.entry,
				(unsigned long long)e->cpu_on.context);
	case VCPU_EXIT_FAILED:
		return snprintf(buf, len, "%s: %s", name, e->failed.reason);
	default:
		return snprintf(buf, len, "%s at pc 0x%llx", name, pc);
	}
}
