/* SPDX-License-Identifier: MIT */
/*
 * x86_64 register numbers for vcpu_get_reg()/vcpu_set_reg(), beyond the
 * generic enum vcpu_reg, and the x86 parts of the vCPU interface the VM's
 * interrupt controller model (the LAPIC, the 8259 through ExtINT) and its
 * INIT/SIPI handling call.  Only x86-specific code includes this.
 *
 * Generic registers on x86: VCPU_REG_PC = RIP, VCPU_REG_SP = RSP,
 * VCPU_REG_ARG0..3 = RSI, RDI, RBX, RDX (Linux boot protocol: RSI points
 * at boot_params; PVH: RBX at the start info).
 */
#ifndef VCPU_X86_REGS_H
#define VCPU_X86_REGS_H

#include <stdbool.h>
#include <stdint.h>
#include <vcpu/vcpu.h>

/* RAX..R15 as the instruction encoding numbers them: VCPU_REG_X86_GPR(n). */
#define VCPU_REG_X86_GPR(n)     (VCPU_REG_ARCH_BASE + (unsigned int)(n))
#define VCPU_REG_X86_RFLAGS     (VCPU_REG_ARCH_BASE + 16)
#define VCPU_REG_X86_CR0        (VCPU_REG_ARCH_BASE + 17)  /* as the guest reads it */
#define VCPU_REG_X86_CR2        (VCPU_REG_ARCH_BASE + 18)
#define VCPU_REG_X86_CR3        (VCPU_REG_ARCH_BASE + 19)
#define VCPU_REG_X86_CR4        (VCPU_REG_ARCH_BASE + 20)  /* as the guest reads it */
#define VCPU_REG_X86_CR8        (VCPU_REG_ARCH_BASE + 21)  /* the task priority of MOV CR8 */
#define VCPU_REG_X86_EFER       (VCPU_REG_ARCH_BASE + 22)
#define VCPU_REG_X86_XCR0       (VCPU_REG_ARCH_BASE + 23)
#define VCPU_REG_X86_TSC_OFFSET (VCPU_REG_ARCH_BASE + 24)  /* guest TSC = host TSC + this */

/* The architectural reset vector (CS base 0xFFFF0000, IP 0xFFF0). */
#define X86_RESET_VECTOR 0xFFFFFFF0ull

/*
 * MSRs that belong to a device model rather than to the CPU: their
 * RDMSR/WRMSR leave vcpu_run() as SYSREG exits (id = the MSR number) and
 * the VM answers from its LAPIC (lapic_get_apic_base(), lapic_set_apic_base(),
 * lapic_get_tsc_deadline()...).  Every other MSR is the backend's: it
 * emulates it, or injects #GP for one it does not know.
 */
#define X86_MSR_APIC_BASE    0x01bu
#define X86_MSR_TSC_DEADLINE 0x6e0u

/*
 * Interrupt injection, for the fill() hook of struct vcpu_irq_ops (it runs
 * right before VM entry with host interrupts masked):
 *
 *     if (vcpu_x86_can_inject_interrupt(v)) {
 *             int vec = lapic_pending_vector(l);     // or the 8259's via ExtINT
 *             if (vec >= 0) { lapic_accept(l, vec); vcpu_x86_inject_interrupt(v, vec); }
 *     } else if (lapic has something) {
 *             vcpu_x86_request_interrupt_window(v);  // exit as soon as IF=1 and no shadow
 *     }
 *
 * An injected event the guest could not take (the delivery itself caused
 * an exit, e.g. an EPT violation on the IDT) is injected again by the
 * backend at the next entry; meanwhile can_inject says false.
 */
bool vcpu_x86_can_inject_interrupt(const struct vcpu *v);
/* Any vector 0-255 (real-mode firmware has the 8259 at vectors 8-15); -EBUSY if it cannot. */
int vcpu_x86_inject_interrupt(struct vcpu *v, uint8_t vector);
void vcpu_x86_request_interrupt_window(struct vcpu *v);
bool vcpu_x86_can_inject_nmi(const struct vcpu *v);
int vcpu_x86_inject_nmi(struct vcpu *v);
void vcpu_x86_request_nmi_window(struct vcpu *v);

/*
 * Device timers: the VM's models (PIT, LAPIC timer, RTC) run on VM time and
 * need the guest to leave vcpu_run() when their next deadline is due, even
 * if it never exits by itself.  fill() calls vcpu_x86_set_run_limit(v, ns):
 * the guest's run that follows ends with an IRQ exit after at most ns
 * nanoseconds (the smallest limit of the calls wins; it holds for one
 * entry).  The backend uses the VMX-preemption timer; a CPU without it
 * ignores the limit and the guest runs until its next exit.  Called from
 * has_pending() in vcpu_wait_for_interrupt(), it is how long the halted
 * vCPU's CPU may sleep before it asks again.
 */
#define VCPU_X86_NO_RUN_LIMIT UINT64_MAX
void vcpu_x86_set_run_limit(struct vcpu *v, uint64_t ns);

/*
 * INIT and SIPI, from the VM's ICR handling (like PSCI CPU_ON on arm).
 * vcpu_x86_init() puts the vCPU in the INIT state and makes it wait for a
 * SIPI; vcpu_x86_sipi() starts a waiting vCPU in real mode at
 * vector * 0x1000 (CS = vector << 8, IP = 0) and is ignored otherwise.
 * vCPUs with index > 0 are created waiting for a SIPI; vcpu_run() of a
 * waiting vCPU returns a WFI exit without entering the guest.  Call both
 * from the thread that runs the vCPU (the VM queues them for it).
 */
void vcpu_x86_init(struct vcpu *v);
void vcpu_x86_sipi(struct vcpu *v, uint8_t vector);
bool vcpu_x86_waiting_for_sipi(const struct vcpu *v);

#endif
