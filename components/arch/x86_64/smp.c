/* SPDX-License-Identifier: MIT */
/*
 * Secondary CPUs: INIT-SIPI-SIPI through the local APIC, one CPU at a
 * time, with the real-mode trampoline copied below 1 MiB.
 */
#include <stdint.h>
#include <string.h>
#include <core/arch.h>
#include <core/bootinfo.h>
#include <core/log.h>
#include <core/mm.h>
#include <core/percpu.h>
#include <x86_64/cpu.h>
#include <x86_64/x86.h>

#define APIC_BASE_X2APIC (1ULL << 10)
#define APIC_BASE_ENABLE (1ULL << 11)

#define LAPIC_ID 0x020
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310

#define ICR_INIT 0x00000500
#define ICR_STARTUP 0x00000600
#define ICR_LEVEL_ASSERT 0x00004000
#define ICR_DELIVERY_PENDING 0x00001000

#define SPURIOUS_VECTOR 0xff
#define AP_STACK_PAGES 4

static bool lapic_is_x2apic(void)
{
	return rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_X2APIC;
}

static volatile uint32_t *lapic_mmio(uint32_t reg)
{
	uintptr_t base = rdmsr(MSR_IA32_APIC_BASE) & 0xffffff000ULL;

	return (volatile uint32_t *)(base + reg);
}

uint32_t x86_lapic_read(uint32_t reg)
{
	if (lapic_is_x2apic())
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return *lapic_mmio(reg);
}

void x86_lapic_write(uint32_t reg, uint32_t value)
{
	if (lapic_is_x2apic())
		wrmsr(0x800 + (reg >> 4), value);
	else
		*lapic_mmio(reg) = value;
}

uint32_t lapic_id(void)
{
	if (lapic_is_x2apic())
		return (uint32_t)rdmsr(0x802);
	return cpuid(1, 0).ebx >> 24;
}

void lapic_enable(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
	x86_lapic_write(LAPIC_SVR, 0x100 | SPURIOUS_VECTOR);
}

void lapic_eoi(void)
{
	x86_lapic_write(LAPIC_EOI, 0);
}

void x86_lapic_send_ipi(uint32_t apic_id, uint32_t command)
{
	if (lapic_is_x2apic()) {
		wrmsr(0x830, ((uint64_t)apic_id << 32) | command);
		return;
	}
	x86_lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
	x86_lapic_write(LAPIC_ICR_LOW, command);
	for (int i = 0; i < 100000 && (x86_lapic_read(LAPIC_ICR_LOW) & ICR_DELIVERY_PENDING); i++)
		arch_cpu_relax();
}

void x86_ap_main(struct percpu *cpu);

/* First C code of a secondary CPU, on its own stack (from ap_entry64). */
void x86_ap_main(struct percpu *cpu)
{
	x86_cpu_init(cpu);
	lapic_enable();
	log_info("CPU%u: APIC id %u online", cpu->id, lapic_id());
	kernel_secondary_main();
}

static bool wait_online(struct percpu *cpu, uint64_t timeout_ns)
{
	uint64_t end = arch_timer_ns() + timeout_ns;

	while (!cpu->online)
		if (arch_timer_ns() > end)
			return false;
		else
			arch_cpu_relax();
	return true;
}

static bool start_cpu(struct percpu *cpu)
{
	volatile uint64_t *cr3 = (volatile uint64_t *)(TRAMPOLINE_BASE + (trampoline_cr3 - trampoline_start));
	volatile uint64_t *stack = (volatile uint64_t *)(TRAMPOLINE_BASE + (trampoline_stack - trampoline_start));
	volatile uint64_t *percpu = (volatile uint64_t *)(TRAMPOLINE_BASE + (trampoline_percpu - trampoline_start));
	volatile uint64_t *entry = (volatile uint64_t *)(TRAMPOLINE_BASE + (trampoline_entry - trampoline_start));
	uint32_t apic_id = (uint32_t)cpu->hw_id;
	void *stack_mem = page_alloc(AP_STACK_PAGES);

	if (!stack_mem) {
		log_error("smp: no memory for the stack of CPU%u", cpu->id);
		return false;
	}
	cpu->stack_top = (uintptr_t)stack_mem + AP_STACK_PAGES * PAGE_SIZE;
	*cr3 = read_cr3();
	*stack = cpu->stack_top;
	*percpu = (uintptr_t)cpu;
	*entry = (uintptr_t)ap_entry64;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	x86_lapic_send_ipi(apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
	udelay(10000);
	for (int i = 0; i < 2; i++) {
		x86_lapic_send_ipi(apic_id, ICR_STARTUP | (TRAMPOLINE_BASE >> 12));
		udelay(200);
		if (cpu->online)
			return true;
	}
	return wait_online(cpu, (uint64_t)CONFIG_X86_SMP_TIMEOUT_MS * 1000000);
}

void arch_smp_boot(void)
{
	unsigned int count = cpu_possible_count();

	if (count <= 1)
		return;
	memcpy((void *)TRAMPOLINE_BASE, trampoline_start,
	       trampoline_end - trampoline_start);
	for (unsigned int i = 1; i < count; i++) {
		struct percpu *cpu = percpu_get(i);

		if (!start_cpu(cpu))
			log_warn("smp: CPU%u (APIC id %llu) did not come online; continuing without it",
				 i, (unsigned long long)cpu->hw_id);
	}
}
