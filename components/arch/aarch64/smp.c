/* SPDX-License-Identifier: MIT */
/*
 * Secondary CPUs are powered off until PSCI CPU_ON releases them at
 * aarch64_secondary_entry (head.S) with their struct percpu as context.
 * They come up at EL2 with the MMU off, load the boot CPU's page tables,
 * take their own stack, vectors and TPIDR_EL2, and call
 * kernel_secondary_main().
 */
#include "aarch64_internal.h"

#include <core/arch.h>
#include <core/log.h>
#include <core/mm.h>

#define SECONDARY_STACK_PAGES CONFIG_AARCH64_STACK_PAGES

static bool wait_online(struct percpu *cpu)
{
	uint64_t deadline = arch_timer_ns() + (uint64_t)CONFIG_AARCH64_SMP_TIMEOUT_MS * 1000000ULL;

	while (!__atomic_load_n(&cpu->online, __ATOMIC_ACQUIRE)) {
		if (arch_timer_ns() > deadline)
			return false;
		arch_cpu_relax();
	}
	return true;
}

static void start_cpu(unsigned int id, uint64_t mpidr)
{
	struct percpu *cpu = percpu_get(id);
	void *stack = page_alloc(SECONDARY_STACK_PAGES);
	int64_t ret;

	if (!cpu)
		return;
	if (!stack) {
		log_error("aarch64: no memory for the stack of CPU%u (MPIDR 0x%llx)", id,
			  (unsigned long long)mpidr);
		return;
	}
	cpu->self = cpu;
	cpu->id = id;
	cpu->hw_id = mpidr;
	cpu->stack_top = (uintptr_t)stack + SECONDARY_STACK_PAGES * PAGE_SIZE;
	/* The new CPU reads its record before its caches are on. */
	aarch64_dcache_clean_range(cpu, sizeof(*cpu));

	ret = psci_call(PSCI_CPU_ON_64, mpidr, (uintptr_t)aarch64_secondary_entry,
			(uintptr_t)cpu);
	if (ret != PSCI_SUCCESS) {
		log_warn("aarch64: PSCI CPU_ON for MPIDR 0x%llx failed: %s",
			 (unsigned long long)mpidr, psci_error_name(ret));
		page_free(stack, SECONDARY_STACK_PAGES);
		return;
	}
	if (!wait_online(cpu))
		log_warn("aarch64: CPU%u (MPIDR 0x%llx) did not come online within %u ms",
			 id, (unsigned long long)mpidr, CONFIG_AARCH64_SMP_TIMEOUT_MS);
}

void arch_smp_boot(void)
{
	const struct boot_info *bi = bootinfo();

	if (bi->cpu_count > 1 && aarch64_platform()->psci != PSCI_CONDUIT_SMC) {
		log_warn("aarch64: %u CPUs described but no usable PSCI (SMC) to start them",
			 bi->cpu_count);
		return;
	}
	for (unsigned int id = 1; id < bi->cpu_count && id < MAX_CPUS; id++)
		start_cpu(id, bi->cpu_hw_id[id]);
}
