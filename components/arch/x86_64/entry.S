/* SPDX-License-Identifier: MIT */
/*
 * Interrupt and exception entry.  One stub per vector pushes a uniform
 * frame (struct trap_frame in cpu.c) and calls x86_trap().
 */

	.text
	.code64

trap_common:
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rbx
	pushq %rbp
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	/* Keep the ABI's 16-byte alignment at the call. */
	movq %rsp, %rbx
	andq $-16, %rsp
	cld
	call x86_trap
	movq %rbx, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rbp
	popq %rbx
	popq %rdx
	popq %rcx
	popq %rax
	addq $16, %rsp
	iretq

/*
 * 256 stubs of 16 bytes each: the IDT entry of vector v is
 * trap_stubs + 16 * v.
 */
	.balign 16
	.globl trap_stubs
trap_stubs:
.set vec, 0
.rept 256
	.balign 16
	/* Vectors where the CPU pushes an error code itself. */
	.if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp trap_common
	.set vec, vec + 1
.endr
	.balign 16
	.globl trap_stubs_end
trap_stubs_end:
