/* SPDX-License-Identifier: MIT */
#include <core/arch.h>

const char *arch_name(void)
{
	return "x86_64";
}

void arch_cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

void arch_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

void arch_irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

void arch_wait_for_interrupt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}

void arch_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}
