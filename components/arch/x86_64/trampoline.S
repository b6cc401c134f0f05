/* SPDX-License-Identifier: MIT */
/*
 * Real-mode start of a secondary CPU.  smp.c copies this block to
 * TRAMPOLINE_BASE (below 1 MiB, page aligned), fills in the parameters at
 * its end and sends INIT-SIPI-SIPI with vector TRAMPOLINE_BASE >> 12.
 * The CPU starts at CS:IP = (TRAMPOLINE_BASE >> 4):0 in real mode,
 * switches to protected mode, then long mode on the boot CPU's page
 * tables, and jumps to ap_entry64 with its own stack and per-CPU pointer.
 *
 * The code runs at a different address than it is linked at, so every
 * address is written as TRAMPOLINE_BASE + (label - trampoline_start).
 */

#define TRAMPOLINE_BASE 0x8000
#define REL(label) ((label) - trampoline_start)
#define ABS(label) (TRAMPOLINE_BASE + REL(label))

	.section .rodata
	.balign 16
	.globl trampoline_start, trampoline_end
	.globl trampoline_cr3, trampoline_stack, trampoline_percpu, trampoline_entry
	.code16
trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl REL(tramp_gdt_desc)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x18, $ABS(tramp32)

	.code32
tramp32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $0x20, %eax                 /* PAE */
	movl %eax, %cr4
	movl ABS(trampoline_cr3), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx          /* EFER.LME */
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000021, %eax           /* PG, NE, PE */
	movl %eax, %cr0
	ljmp $0x08, $ABS(tramp64)

	.code64
tramp64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq ABS(trampoline_stack), %rsp
	movq ABS(trampoline_percpu), %rdi
	movq ABS(trampoline_entry), %rax
	xorl %ebp, %ebp
	jmp *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
	.quad 0x00cf9a000000ffff        /* 0x18: 32-bit code */
tramp_gdt_end:
	.balign 8
	.word 0
tramp_gdt_desc:
	.word tramp_gdt_end - tramp_gdt - 1
	.long ABS(tramp_gdt)

	.balign 8
trampoline_cr3:
	.quad 0
trampoline_stack:
	.quad 0
trampoline_percpu:
	.quad 0
trampoline_entry:
	.quad 0
trampoline_end:
