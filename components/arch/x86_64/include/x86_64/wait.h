/* SPDX-License-Identifier: MIT */
/*
 * Waking another CPU and sleeping until an interrupt or a deadline, for
 * the VMX backend's HLT wait and kicks (components/arch/x86_64/wait.c).
 *
 * The hypervisor runs with interrupts disabled.  The two vectors below
 * are the only interrupts it arranges for itself; their handler only
 * sends the EOI, since their whole purpose is to end a HLT or to make
 * the guest exit (external-interrupt exiting).
 */
#ifndef X86_64_WAIT_H
#define X86_64_WAIT_H

#include <stdint.h>

#define X86_KICK_VECTOR  0xf0   /* arch_kick_cpu(): "leave the guest / wake up" */
#define X86_TIMER_VECTOR 0xef   /* the host LAPIC timer of x86_halt_until()     */

/* Sends X86_KICK_VECTOR to CPU cpu (a percpu id) through the local APIC. */
void arch_kick_cpu(unsigned int cpu);

/*
 * Halts this CPU until an interrupt arrives or arch_timer_ns() reaches
 * deadline_ns (the host LAPIC timer, one-shot).  Call it with interrupts
 * disabled after checking the wake-up condition: STI; HLT opens the
 * interrupt window only once the CPU halts, so an interrupt sent after the
 * check ends the HLT instead of being lost.  Returns with interrupts
 * disabled and whatever arrived handled; may return early.
 */
void x86_halt_until(uint64_t deadline_ns);

/*
 * Lets the interrupts pending at this CPU's local APIC in for a moment
 * (STI; NOP; CLI), e.g. the one that caused an external-interrupt VM exit
 * while interrupts are disabled: left pending it would end the next guest
 * entry at once.
 */
void x86_take_pending_interrupts(void);

#endif
