/* SPDX-License-Identifier: MIT */
/*
 * VM entry and VM exit.
 *
 * int vmx_enter_guest(struct vmx_guest_regs *regs, int launched)
 *
 * Saves the host's callee-saved registers on its stack, points the VMCS
 * host RSP at that stack, loads the guest's GPRs and CR2 and executes
 * VMLAUNCH (first entry of this VMCS) or VMRESUME.  Everything else of
 * the guest (RSP, RIP, RFLAGS, segments, control registers, EFER, PAT)
 * is loaded by the processor from the VMCS.
 *
 * A VM exit lands in vmx_exit_stub (the VMCS host RIP) with the host RSP
 * and RFLAGS = 0x2: it stores the guest's GPRs and CR2 and returns 0 from
 * vmx_enter_guest().  If VMLAUNCH/VMRESUME itself fails, execution falls
 * through with CF set (VMfailInvalid: no current VMCS, returns 1) or ZF
 * set (VMfailValid: the VM-instruction error field says why, returns 2).
 */
/* struct vmx_guest_regs (vmx_internal.h checks these against the C struct) */
#define REGS_GPR 0
#define REGS_CR2 128

#define VMCS_HOST_RSP_FIELD 0x6c14

	.text
	.code64

	.globl vmx_enter_guest
	.type vmx_enter_guest, @function
vmx_enter_guest:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi                      /* the register block, for the exit */

	movq $VMCS_HOST_RSP_FIELD, %rax
	vmwrite %rsp, %rax

	movq REGS_CR2(%rdi), %rax
	movq %rax, %cr2

	/* Flags decide VMLAUNCH/VMRESUME; the MOVs below keep them. */
	cmpl $0, %esi
	movq REGS_GPR + 0x00(%rdi), %rax
	movq REGS_GPR + 0x08(%rdi), %rcx
	movq REGS_GPR + 0x10(%rdi), %rdx
	movq REGS_GPR + 0x18(%rdi), %rbx
	movq REGS_GPR + 0x28(%rdi), %rbp
	movq REGS_GPR + 0x30(%rdi), %rsi
	movq REGS_GPR + 0x40(%rdi), %r8
	movq REGS_GPR + 0x48(%rdi), %r9
	movq REGS_GPR + 0x50(%rdi), %r10
	movq REGS_GPR + 0x58(%rdi), %r11
	movq REGS_GPR + 0x60(%rdi), %r12
	movq REGS_GPR + 0x68(%rdi), %r13
	movq REGS_GPR + 0x70(%rdi), %r14
	movq REGS_GPR + 0x78(%rdi), %r15
	movq REGS_GPR + 0x38(%rdi), %rdi
	jne 1f
	vmlaunch
	jmp 2f
1:	vmresume
2:
	/* Only reached when the instruction failed: CF or ZF tells how. */
	movl $1, %eax
	jc 3f
	movl $2, %eax
3:	popq %rdi
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size vmx_enter_guest, . - vmx_enter_guest

	.globl vmx_exit_stub
	.type vmx_exit_stub, @function
vmx_exit_stub:
	pushq %rdi                      /* the guest's RDI */
	movq 8(%rsp), %rdi              /* the register block */
	movq %rax, REGS_GPR + 0x00(%rdi)
	movq %rcx, REGS_GPR + 0x08(%rdi)
	movq %rdx, REGS_GPR + 0x10(%rdi)
	movq %rbx, REGS_GPR + 0x18(%rdi)
	movq %rbp, REGS_GPR + 0x28(%rdi)
	movq %rsi, REGS_GPR + 0x30(%rdi)
	movq %r8,  REGS_GPR + 0x40(%rdi)
	movq %r9,  REGS_GPR + 0x48(%rdi)
	movq %r10, REGS_GPR + 0x50(%rdi)
	movq %r11, REGS_GPR + 0x58(%rdi)
	movq %r12, REGS_GPR + 0x60(%rdi)
	movq %r13, REGS_GPR + 0x68(%rdi)
	movq %r14, REGS_GPR + 0x70(%rdi)
	movq %r15, REGS_GPR + 0x78(%rdi)
	popq %rax
	movq %rax, REGS_GPR + 0x38(%rdi)
	movq %cr2, %rax
	movq %rax, REGS_CR2(%rdi)
	popq %rdi
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	xorl %eax, %eax
	ret
	.size vmx_exit_stub, . - vmx_exit_stub

	.section .note.GNU-stack, "", @progbits
