/* SPDX-License-Identifier: MIT */
#include <core/panic.h>

#include <core/arch.h>
#include <core/log.h>
#include <core/percpu.h>
#include <stdio.h>
#include "core_internal.h"

static int panic_in_progress;

void panic(const char *fmt, ...)
{
	char msg[256];
	const struct percpu *cpu = this_cpu();
	va_list ap;

	arch_irq_disable();
	/* A second CPU panicking at the same time only stops. */
	if (__atomic_exchange_n(&panic_in_progress, 1, __ATOMIC_ACQ_REL))
		arch_halt();

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("\n[cpu%u] PANIC: %s\n", cpu ? cpu->id : 0u, msg);

	smp_stop_others();
	if (kernel_poweroff_requested()) {
		printk("Stopped by a panic; powering off.\n");
		arch_poweroff();
	}
	printk("Stopped by a panic; all CPUs halted.\n");
	arch_halt();
}
