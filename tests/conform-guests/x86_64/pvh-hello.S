/* SPDX-License-Identifier: MIT */
/*
 * The smallest PVH kernel: an ELF32 file with the Xen note
 * XEN_ELFNOTE_PHYS32_ENTRY (18) naming its 32-bit entry, where the loader
 * enters it in protected mode with EBX = the hvm_start_info (Xen's
 * public/arch-x86/hvm/start_info.h: magic 0x336EC578 at 0, the command
 * line's address at 24, the RSDP's at 32, the memory map's entry count at
 * 48).  It prints what it got on COM1 and powers off through ACPI S5.
 */
#define COM1      0x3f8
#define PM1A_CNT  0x604
#define SLP_EN    0x2000
#define HVM_START_MAGIC 0x336ec578

	.section .note.Xen, "a", @note
	.align	4
	.long	4                            /* name size: "Xen\0" */
	.long	4                            /* descriptor size */
	.long	18                           /* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz	"Xen"
	.long	pvh_start

	.text
	.code32
	.long	0                            /* the entry is not the first byte */
	.globl	_start
_start:
pvh_start:
	mov	$stack_top, %esp
	mov	%ebx, %edi
	mov	$msg_magic, %eax
	call	puts
	mov	(%edi), %eax
	call	puthex
	cmpl	$HVM_START_MAGIC, (%edi)
	jne	bad
	mov	$msg_cmdline, %eax
	call	puts
	mov	24(%edi), %eax               /* cmdline_paddr (below 4 GiB) */
	test	%eax, %eax
	jz	bad
	call	puts
	mov	$msg_memmap, %eax
	call	puts
	mov	48(%edi), %eax               /* memmap_entries */
	test	%eax, %eax
	jz	bad
	call	puthex
	mov	$msg_rsdp, %eax
	call	puts
	mov	32(%edi), %eax               /* rsdp_paddr: SeaBIOS's ACPI tables */
	call	puthex
	mov	$msg_done, %eax
	call	puts
	mov	$PM1A_CNT, %dx
	mov	$SLP_EN, %ax
	outw	%ax, %dx
1:	hlt
	jmp	1b
bad:
	mov	$msg_bad, %eax
	call	puts
	jmp	1b

puts:
	push	%esi
	mov	%eax, %esi
2:	lodsb
	test	%al, %al
	jz	3f
	cmp	$'\n', %al
	jne	4f
	push	%eax
	mov	$'\r', %al
	call	putc
	pop	%eax
4:	call	putc
	jmp	2b
3:	pop	%esi
	ret

putc:
	push	%edx
	push	%eax
	mov	$COM1 + 5, %dx
5:	inb	%dx, %al
	test	$0x20, %al
	jz	5b
	pop	%eax
	mov	$COM1, %dx
	outb	%al, %dx
	pop	%edx
	ret

puthex:
	push	%ebx
	push	%ecx
	mov	%eax, %ebx
	mov	$'0', %al
	call	putc
	mov	$'x', %al
	call	putc
	mov	$8, %ecx
6:	rol	$4, %ebx
	mov	%bl, %al
	and	$0xf, %al
	add	$'0', %al
	cmp	$'9', %al
	jbe	7f
	add	$('a' - '9' - 1), %al
7:	call	putc
	loop	6b
	pop	%ecx
	pop	%ebx
	ret

	.section .rodata
msg_magic:	.asciz	"pvh-hello: start info magic "
msg_cmdline:	.asciz	", command line '"
msg_memmap:	.asciz	"', memory map entries "
msg_rsdp:	.asciz	", RSDP at "
msg_done:	.asciz	"\npvh-hello: done, powering off\n"
msg_bad:	.asciz	"\npvh-hello: FAIL: not the machine state PVH promises\n"
