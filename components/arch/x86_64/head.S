/* SPDX-License-Identifier: MIT */
/*
 * First instructions of the image.  Two loaders can start it:
 *
 *  - a Multiboot2 loader (GRUB): the header below; EAX holds the
 *    Multiboot2 magic, EBX the boot information;
 *  - QEMU "-kernel" through the PVH ELF note (XEN_ELFNOTE_PHYS32_ENTRY):
 *    EBX holds struct hvm_start_info.
 *
 * Both enter in 32-bit protected mode with paging off.  We build an
 * identity map of the first 4 GiB with 2 MiB pages, switch to long mode
 * and call x86_boot_main(protocol, info) on the boot stack.
 */

#define MB2_MAGIC 0xe85250d6
#define MB2_BOOTLOADER_MAGIC 0x36d76289
#define BOOT_PROTO_MULTIBOOT2 1
#define BOOT_PROTO_PVH 2
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define BOOT_STACK_SIZE 16384

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long 0                         /* i386 protected mode */
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + 0 + (mb2_header_end - mb2_header))
	/* end tag */
	.word 0, 0
	.long 8
mb2_header_end:

	/* The PVH note: QEMU pads a note's name by the segment's alignment,
	 * so the section stays 4-byte aligned. */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4                         /* namesz */
	.long 4                         /* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.long pvh_start

	.section .text.boot, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	cmpl $MB2_BOOTLOADER_MAGIC, %eax
	jne no_loader
	movl $BOOT_PROTO_MULTIBOOT2, %edi
	movl %ebx, %esi
	jmp start32

	.globl pvh_start
pvh_start:
	cli
	cld
	movl $BOOT_PROTO_PVH, %edi
	movl %ebx, %esi

start32:
	/* The loaders zero .bss, but a stale one would corrupt the tables. */
	movl %edi, %ebp
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl
	movl %ebp, %edi

	movl $boot_stack_top, %esp
	lgdt boot_gdt_desc
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss

	/* Long mode is a hard requirement. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages. */
	movl $boot_pdpt, %eax
	orl $0x3, %eax
	movl %eax, boot_pml4
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $boot_pd, %eax
	orl $0x3, %eax
	movl %eax, boot_pdpt(, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jne 1b
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax                 /* present, writable, 2 MiB */
	movl %eax, boot_pd(, %ecx, 8)   /* high half stays 0: below 4 GiB */
	incl %ecx
	cmpl $2048, %ecx
	jne 2b

	movl %cr4, %eax
	orl $0x20, %eax                 /* PAE */
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx          /* EFER.LME */
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000021, %eax           /* PG, NE, PE */
	movl %eax, %cr0
	ljmp $0x08, $start64

no_loader:
no_long_mode:
	/* Nothing can be reported reliably yet: the serial port is not set
	 * up and the loader's state is unknown.  Halt visibly in a debugger. */
	hlt
	jmp no_long_mode

	.code64
start64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl %edi, %edi
	movl %esi, %esi
	call x86_boot_main
3:	hlt
	jmp 3b

	.section .rodata
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
	.quad 0x00cf9a000000ffff        /* 0x18: 32-bit code */
boot_gdt_end:
	.balign 8
	.word 0
boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.section .bss
	.balign 4096
	.globl boot_pml4, boot_pdpt
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.balign 16
	.globl boot_stack_top
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:

	/* A secondary CPU arrives here from the trampoline: RSP is its own
	 * stack, RDI its struct percpu. */
	.text
	.code64
	.globl ap_entry64
ap_entry64:
	call x86_ap_main
4:	hlt
	jmp 4b
