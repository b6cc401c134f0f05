/* SPDX-License-Identifier: MIT */
/* The small per-CPU services of <core/arch.h> and <core/percpu.h>. */
#include "aarch64_internal.h"

#include <aarch64/sysreg.h>
#include <core/arch.h>
#include <core/log.h>

const char *arch_name(void)
{
	return "aarch64";
}

void arch_cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

void arch_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

void arch_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

void arch_wait_for_interrupt(void)
{
	__asm__ volatile("dsb sy\n\twfi" ::: "memory");
}

void arch_halt(void)
{
	for (;;)
		__asm__ volatile("msr daifset, #0xf\n\twfi" ::: "memory");
}

/* TPIDR_EL2 holds this CPU's struct percpu (0 until it is set). */
struct percpu *this_cpu(void)
{
	return (struct percpu *)read_sysreg(tpidr_el2);
}

void arch_poweroff(void)
{
	int64_t ret = psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);

	log_error("aarch64: PSCI SYSTEM_OFF failed (%s); halting instead",
		  psci_error_name(ret));
	arch_halt();
}

void arch_reset(void)
{
	int64_t ret = psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);

	log_error("aarch64: PSCI SYSTEM_RESET failed (%s); halting instead",
		  psci_error_name(ret));
	arch_halt();
}

void aarch64_dcache_clean_range(const void *addr, size_t size)
{
	uint64_t line = 4ULL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	uintptr_t p = (uintptr_t)addr & ~(line - 1);
	uintptr_t end = (uintptr_t)addr + size;

	for (; p < end; p += line)
		__asm__ volatile("dc cvac, %0" : : "r"(p) : "memory");
	dsb(sy);
}
