/* SPDX-License-Identifier: MIT */
/*
 * EL2 exception vectors.  Every entry saves the general registers,
 * ELR/SPSR/ESR/FAR_EL2 and the interrupted SP in a struct exception_frame
 * on the current stack and calls aarch64_exception_entry(frame, vector).
 * Exceptions from EL2 itself are reported there and do not return, except
 * IRQs (the GIC driver handles them); those and the ones from a lower EL
 * (a guest) return here and resume with the frame's (possibly updated)
 * registers.
 */
#include "aarch64_internal.h"

.macro vector_entry index
	.balign	0x80
	sub	sp, sp, #EXCEPTION_FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #\index
	b	exception_common
.endm

	.section .text.vectors, "ax"
	.balign	0x800
	.globl	aarch64_el2_vectors
aarch64_el2_vectors:
	/* current EL with SP_EL0 */
	vector_entry 0
	vector_entry 1
	vector_entry 2
	vector_entry 3
	/* current EL with SP_EL2 */
	vector_entry 4
	vector_entry 5
	vector_entry 6
	vector_entry 7
	/* lower EL, AArch64 */
	vector_entry 8
	vector_entry 9
	vector_entry 10
	vector_entry 11
	/* lower EL, AArch32 */
	vector_entry 12
	vector_entry 13
	vector_entry 14
	vector_entry 15

exception_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	/* SP: EL2's own before the exception, or the guest's SP_EL1. */
	add	x2, sp, #EXCEPTION_FRAME_SIZE
	cmp	x1, #8
	b.lo	1f
	mrs	x2, sp_el1
1:	stp	x30, x2, [sp, #240]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [sp, #256]
	mrs	x2, esr_el2
	mrs	x3, far_el2
	stp	x2, x3, [sp, #272]
	mov	x0, sp
	mov	x19, x1                 /* the vector, kept across the call */
	bl	aarch64_exception_entry

	/* Back with the frame as the handler left it: a lower EL or an IRQ at EL2. */
	ldp	x2, x3, [sp, #256]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	cmp	x19, #8                 /* SP_EL1 only belongs to a lower EL's frame */
	b.lo	2f
	ldr	x2, [sp, #248]
	msr	sp_el1, x2
2:
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	add	sp, sp, #EXCEPTION_FRAME_SIZE
	eret
