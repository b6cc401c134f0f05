/* SPDX-License-Identifier: MIT */
/*
 * The first instructions of an x86_64 test guest, booted as the pc
 * machine's firmware: the image is 64 KiB, mapped just below 4 GiB, and
 * the CPU starts in real mode at 0xFFFFFFF0 (CS base 0xFFFF0000, IP
 * 0xFFF0), its last 16 bytes.
 *
 *   0xFFFF0000  the payload: 64-bit code and data, linked at 1 MiB
 *               (0x100000), copied there from the ROM
 *   0xFFFFF000  .rom, 4 KiB: the reset path, the GDT, the AP trampoline
 *   0xFFFFFFF0  the reset vector: a jump to reset16
 *
 * CPU 0: real mode -> 32-bit protected mode (flat GDT) -> copy the payload
 * to 1 MiB, clear .bss, build page tables mapping the first 4 GiB with
 * 2 MiB pages (the last GiB, where the LAPIC and the ROM are, uncached)
 * -> long mode -> guest_cpu_start(0) in C.
 * Other CPUs (INIT + SIPI with vector 0x08, guest_start_cpu()): the AP
 * trampoline, copied to 0x8000, does the same steps with CPU 0's page
 * tables and calls guest_cpu_start(APIC id).
 */
#define ROM_BASE        0xFFFFF000
#define ROM_CS_OFFSET   0xF000          /* .rom inside the reset CS segment 0xFFFF0000 */
#define SEL_CODE32      0x08
#define SEL_DATA        0x10
#define SEL_CODE64      0x18
#define CR0_PE          0x00000001
#define CR0_PG          0x80000000
#define CR4_PAE         0x00000020
#define MSR_EFER        0xC0000080
#define EFER_LME        0x00000100
#define PTE_PRESENT_RW  0x003
#define PDE_2M          0x083           /* present, writable, 2 MiB page */
#define PDE_UNCACHED    0x018           /* PWT, PCD */
#define STACK_SHIFT     14              /* 16 KiB per CPU, arch.c agrees */

/* ---- the ROM: 16- and 32-bit code, at 0xFFFFF000 --------------------------- */
	.section .rom, "ax"
	.code16
rom_start:
reset16:
	cli
	cld
	/* The descriptor is reached through CS (base 0xFFFF0000): DS still has base 0. */
	lgdtl	%cs:(ROM_CS_OFFSET + gdt_descriptor - rom_start)
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$SEL_CODE32, $boot32

	.code32
boot32:
	movw	$SEL_DATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	/* The payload to where it is linked, then .bss cleared. */
	movl	$_payload_lma, %esi
	movl	$_payload_start, %edi
	movl	$_payload_end, %ecx
	subl	%edi, %ecx
	rep movsb
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb
	/* PML4[0] -> PDPT; PDPT[0..3] -> the four page directories. */
	movl	$guest_pdpt + PTE_PRESENT_RW, guest_pml4
	movl	$guest_pd + PTE_PRESENT_RW, %eax
	movl	$guest_pdpt, %edi
	movl	$4, %ecx
1:	movl	%eax, (%edi)
	addl	$4096, %eax
	addl	$8, %edi
	loop	1b
	/* 2048 entries of 2 MiB: physical = index << 21; the 4th GiB uncached. */
	movl	$guest_pd, %edi
	xorl	%ebx, %ebx
2:	movl	%ebx, %eax
	shll	$21, %eax
	orl	$PDE_2M, %eax
	cmpl	$3 * 512, %ebx
	jb	3f
	orl	$PDE_UNCACHED, %eax
3:	movl	%eax, (%edi,%ebx,8)
	incl	%ebx
	cmpl	$4 * 512, %ebx
	jb	2b
	movl	$boot64, %ebp
	jmp	enter_long_mode

/* Every CPU: CR3, PAE, EFER.LME, paging on; then to the 64-bit address in %ebp. */
enter_long_mode:
	movl	$guest_pml4, %eax
	movl	%eax, %cr3
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$CR0_PG, %eax
	movl	%eax, %cr0
	ljmpl	$SEL_CODE64, $long_mode_trampoline

ap32:
	movw	$SEL_DATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movl	$ap64, %ebp
	jmp	enter_long_mode

	.code64
long_mode_trampoline:
	movl	%ebp, %ebp              /* the upper half is undefined after the switch */
	jmp	*%rbp

/*
 * The AP trampoline: guest_start_cpu() copies it to 0x8000 (SIPI vector
 * 0x08: the AP starts in real mode at CS 0x0800, IP 0).  Position
 * independent inside its segment; the rest is in the ROM.
 */
	.code16
guest_ap_trampoline:
	cli
	cld
	lgdtl	%cs:(ap_gdt_descriptor - guest_ap_trampoline)
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$SEL_CODE32, $ap32
ap_gdt_descriptor:
	.word	gdt_end - gdt - 1
	.long	gdt
guest_ap_trampoline_end:

/* Flat segments; the accessed bits are set, so the CPU never writes to the ROM. */
	.balign	16
gdt:
	.quad	0
	.quad	0x00CF9B000000FFFF      /* 0x08: code, 32-bit, 4 GiB */
	.quad	0x00CF93000000FFFF      /* 0x10: data, 4 GiB         */
	.quad	0x00AF9B000000FFFF      /* 0x18: code, 64-bit        */
gdt_end:
gdt_descriptor:
	.word	gdt_end - gdt - 1
	.long	gdt

	/* The reset vector: the last 16 bytes below 4 GiB. */
	.org	0xFF0
	.code16
	.global reset_vector
reset_vector:
	jmp	reset16
	.org	0x1000

/* ---- 64-bit entries, in the payload ---------------------------------------- */
	/* Where the AP trampoline is: the ROM is above 2 GiB, out of reach of the C code model. */
	.section .rodata
	.balign	8
	.global guest_ap_trampoline_address, guest_ap_trampoline_size
guest_ap_trampoline_address:
	.quad	guest_ap_trampoline
guest_ap_trampoline_size:
	.quad	guest_ap_trampoline_end - guest_ap_trampoline


	.text
	.code64
boot64:
	xorl	%edi, %edi
	jmp	cpu64
ap64:
	/* Which CPU: the initial APIC id, CPUID.1:EBX[31:24]. */
	movl	$1, %eax
	cpuid
	shrl	$24, %ebx
	movl	%ebx, %edi
cpu64:
	movl	$SEL_DATA, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movq	%rdi, %rax
	incq	%rax
	shlq	$STACK_SHIFT, %rax
	leaq	guest_stacks(%rax), %rsp
	call	guest_cpu_start          /* arch.c; does not return */
4:	hlt
	jmp	4b

/*
 * Interrupt and exception entries: one 16-byte stub per vector pushes the
 * vector number; the common part saves the registers a C call may change
 * and calls guest_x86_interrupt(vector, frame).  Exceptions never return
 * (the frame of those with an error code is not unwound).
 */
	.balign	16
	.global guest_isr_stubs
guest_isr_stubs:
	.set	vec, 0
	.rept	256
	.balign	16
	pushq	$vec
	jmp	isr_common
	.set	vec, vec + 1
	.endr

isr_common:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	movq	72(%rsp), %rdi          /* the vector       */
	leaq	80(%rsp), %rsi          /* the CPU's frame  */
	subq	$8, %rsp                /* 16-byte aligned for the call */
	call	guest_x86_interrupt
	addq	$8, %rsp
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	addq	$8, %rsp                /* the vector */
	iretq
