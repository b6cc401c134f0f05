/* SPDX-License-Identifier: MIT */
/*
 * The world switch between Tessera (EL2) and a guest (EL1/EL0).
 *
 *   el2_world_switch(ctx)        host -> guest
 *       saves the host's callee-saved registers, SP and DAIF in ctx,
 *       loads the guest's EL1 system registers, FP/SIMD registers,
 *       SP_EL1, ELR_EL2/SPSR_EL2 and x0-x30, and ERETs into the guest.
 *
 *   exception from the guest     guest -> host
 *       the arch component's vectors (components/arch/aarch64/vectors.S)
 *       save x0-x30, SP_EL1, ELR/SPSR/ESR/FAR_EL2 in an exception frame
 *       and call the lower-EL handler (el2.c), which copies the frame into
 *       ctx and calls
 *
 *   el2_world_switch_back(ctx, vector)
 *       saves the guest's EL1 system registers and FP/SIMD registers,
 *       reloads the host's registers and returns from el2_world_switch()
 *       with the vector number, on the host's stack as it was.
 *
 * The hypervisor is compiled without FP/SIMD (-mgeneral-regs-only) and
 * never touches the EL1 system registers, so the guest's values stay in
 * the hardware between the exception and el2_world_switch_back().
 */
#include "el2_internal.h"

/* Registers of the context in the order of the SYSREG_* indices. */
.macro save_sysreg_pair a, b, index
	mrs	x2, \a
	mrs	x3, \b
	stp	x2, x3, [x1, #(\index * 8)]
.endm
.macro load_sysreg_pair a, b, index
	ldp	x2, x3, [x1, #(\index * 8)]
	msr	\a, x2
	msr	\b, x3
.endm

.macro for_each_sysreg_pair op
	\op	sctlr_el1, ttbr0_el1, SYSREG_SCTLR_EL1
	\op	ttbr1_el1, tcr_el1, SYSREG_TTBR1_EL1
	\op	mair_el1, amair_el1, SYSREG_MAIR_EL1
	\op	vbar_el1, contextidr_el1, SYSREG_VBAR_EL1
	\op	tpidr_el1, tpidr_el0, SYSREG_TPIDR_EL1
	\op	tpidrro_el0, esr_el1, SYSREG_TPIDRRO_EL0
	\op	far_el1, afsr0_el1, SYSREG_FAR_EL1
	\op	afsr1_el1, par_el1, SYSREG_AFSR1_EL1
	\op	cpacr_el1, cntkctl_el1, SYSREG_CPACR_EL1
	\op	sp_el0, csselr_el1, SYSREG_SP_EL0
	\op	mdscr_el1, elr_el1, SYSREG_MDSCR_EL1
	\op	spsr_el1, cntv_ctl_el0, SYSREG_SPSR_EL1
	\op	cntv_cval_el0, actlr_el1, SYSREG_CNTV_CVAL_EL0
.endm

.macro for_each_q_pair op
	\op	q0, q1, [x1, #0]
	\op	q2, q3, [x1, #32]
	\op	q4, q5, [x1, #64]
	\op	q6, q7, [x1, #96]
	\op	q8, q9, [x1, #128]
	\op	q10, q11, [x1, #160]
	\op	q12, q13, [x1, #192]
	\op	q14, q15, [x1, #224]
	\op	q16, q17, [x1, #256]
	\op	q18, q19, [x1, #288]
	\op	q20, q21, [x1, #320]
	\op	q22, q23, [x1, #352]
	\op	q24, q25, [x1, #384]
	\op	q26, q27, [x1, #416]
	\op	q28, q29, [x1, #448]
	\op	q30, q31, [x1, #480]
.endm

	.text
	.balign	4
	.globl	el2_world_switch
	.type	el2_world_switch, %function
el2_world_switch:
	/* Host: callee-saved registers, SP, interrupt mask. */
	add	x1, x0, #CTX_HOST
	stp	x19, x20, [x1, #0]
	stp	x21, x22, [x1, #16]
	stp	x23, x24, [x1, #32]
	stp	x25, x26, [x1, #48]
	stp	x27, x28, [x1, #64]
	stp	x29, x30, [x1, #80]
	mov	x2, sp
	mrs	x3, daif
	stp	x2, x3, [x1, #96]
	/* Interrupts stay masked at EL2 until we are back. */
	msr	daifset, #0xf

	/* Guest: EL1 system registers. */
	add	x1, x0, #CTX_SYSREGS
	for_each_sysreg_pair load_sysreg_pair
	/* FP/SIMD. */
	ldp	x2, x3, [x0, #CTX_FPSR]
	msr	fpsr, x2
	msr	fpcr, x3
	add	x1, x0, #CTX_Q
	for_each_q_pair ldp
	/* Where the guest continues. */
	ldr	x2, [x0, #CTX_SP_EL1]
	msr	sp_el1, x2
	ldp	x2, x3, [x0, #CTX_ELR_EL2]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	isb
	/* General registers, x0 last. */
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	eret
	/* No speculation past the ERET. */
	dsb	nsh
	isb
	.size	el2_world_switch, . - el2_world_switch

	.globl	el2_world_switch_back
	.type	el2_world_switch_back, %function
el2_world_switch_back:
	/* x0 = ctx, x1 = vector.  The general registers are already in ctx. */
	str	x1, [x0, #CTX_VECTOR]
	add	x1, x0, #CTX_SYSREGS
	for_each_sysreg_pair save_sysreg_pair
	/* The guest's virtual timer must not fire while the host runs. */
	msr	cntv_ctl_el0, xzr
	mrs	x2, fpsr
	mrs	x3, fpcr
	stp	x2, x3, [x0, #CTX_FPSR]
	add	x1, x0, #CTX_Q
	for_each_q_pair stp

	/* Back on the host's stack, returning from el2_world_switch(). */
	add	x1, x0, #CTX_HOST
	ldp	x19, x20, [x1, #0]
	ldp	x21, x22, [x1, #16]
	ldp	x23, x24, [x1, #32]
	ldp	x25, x26, [x1, #48]
	ldp	x27, x28, [x1, #64]
	ldp	x29, x30, [x1, #80]
	ldp	x2, x3, [x1, #96]
	mov	sp, x2
	msr	daif, x3
	ldr	x0, [x0, #CTX_VECTOR]
	ret
	.size	el2_world_switch_back, . - el2_world_switch_back
