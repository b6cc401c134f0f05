/* SPDX-License-Identifier: MIT */
/*
 * Kicks and timed halts: a fixed-vector IPI to another CPU and a HLT that
 * ends at the next interrupt or at a deadline of the host LAPIC timer.
 *
 * The LAPIC timer's input clock differs between machines (bus clock,
 * crystal, an emulator's own rate), so its rate is measured once against
 * the TSC, which timer.c has already calibrated against the PIT.
 */
#include <stdint.h>
#include <core/arch.h>
#include <core/log.h>
#include <core/percpu.h>
#include <x86_64/cpu.h>
#include <x86_64/wait.h>
#include <x86_64/x86.h>

#define LAPIC_ICR_FIXED_ASSERT 0x00004000   /* fixed delivery, level assert, physical */
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE 0x3e0
#define LVT_MASKED (1u << 16)               /* one-shot mode is bits 18:17 = 0 */
#define DIVIDE_BY_1 0xb
#define CALIBRATION_US 2000

static uint64_t lapic_timer_hz;

void lapic_timer_calibrate(void)
{
	uint32_t left;

	x86_lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_1);
	x86_lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | X86_TIMER_VECTOR);
	x86_lapic_write(LAPIC_TIMER_INITIAL, 0xffffffffu);
	udelay(CALIBRATION_US);
	left = x86_lapic_read(LAPIC_TIMER_CURRENT);
	x86_lapic_write(LAPIC_TIMER_INITIAL, 0);
	lapic_timer_hz = (0xffffffffull - left) * (1000000 / CALIBRATION_US);
	if (!lapic_timer_hz)
		log_warn("timer: the LAPIC timer does not count; halted vCPUs poll");
	else
		log_debug("timer: LAPIC timer %llu kHz", (unsigned long long)(lapic_timer_hz / 1000));
}

void arch_kick_cpu(unsigned int cpu)
{
	struct percpu *target = percpu_get(cpu);

	if (!target || !target->online)
		return;
	x86_lapic_send_ipi((uint32_t)target->hw_id, LAPIC_ICR_FIXED_ASSERT | X86_KICK_VECTOR);
}

void x86_halt_until(uint64_t deadline_ns)
{
	uint64_t now = arch_timer_ns();
	uint64_t ns, ticks;

	if (deadline_ns <= now)
		return;
	if (!lapic_timer_hz) {
		/* No timer to end the HLT: the caller polls. */
		arch_cpu_relax();
		return;
	}
	/* At most a second: with kHz the product stays far below 2^64. */
	ns = deadline_ns - now < 1000000000u ? deadline_ns - now : 1000000000u;
	ticks = ns * (lapic_timer_hz / 1000) / 1000000u;
	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffffffffu)
		ticks = 0xffffffffu;
	/* Per CPU: each CPU has its own LAPIC timer. */
	x86_lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_1);
	x86_lapic_write(LAPIC_LVT_TIMER, X86_TIMER_VECTOR);
	x86_lapic_write(LAPIC_TIMER_INITIAL, (uint32_t)ticks);
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	x86_lapic_write(LAPIC_TIMER_INITIAL, 0);
}

void arch_cpu_idle(uint64_t deadline_ns)
{
	bool irqs_were_on = read_rflags() & X86_RFLAGS_IF;

	if (deadline_ns) {
		__asm__ volatile("cli" ::: "memory");
		x86_halt_until(deadline_ns);
	} else {
		/* STI's shadow: an interrupt pending now ends the HLT, it is not taken before it. */
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	if (irqs_were_on)
		__asm__ volatile("sti" ::: "memory");
}

void x86_take_pending_interrupts(void)
{
	__asm__ volatile("sti; nop; cli" ::: "memory");
}
