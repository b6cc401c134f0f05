/* SPDX-License-Identifier: MIT */
/*
 * The smallest Multiboot (version 1) kernel, an ELF32 file: entered in
 * 32-bit protected mode with EAX = 0x2BADB002 and EBX = the Multiboot
 * information, it prints the magic, its command line, the boot loader's
 * name and the memory the MBI reports on COM1 (port 0x3F8), then powers
 * off through ACPI S5 (PM1a control at 0x604, where SeaBIOS puts the
 * PIIX4 PM block: SLP_TYP 0, SLP_EN).
 */
#define COM1      0x3f8
#define PM1A_CNT  0x604
#define SLP_EN    0x2000
#define MB_MAGIC  0x1badb002
#define MB_FLAGS  0x00000003        /* modules page-aligned, memory info wanted */

	.section .multiboot, "a"
	.align	4
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)

	.text
	.code32
	.globl	_start
_start:
	mov	$stack_top, %esp
	mov	%eax, %esi                   /* the magic */
	mov	%ebx, %edi                   /* the MBI */
	mov	$msg_magic, %eax
	call	puts
	mov	%esi, %eax
	call	puthex
	cmp	$0x2badb002, %esi
	jne	bad
	mov	$msg_cmdline, %eax
	call	puts
	testl	$4, (%edi)                   /* MBI flags: cmdline valid */
	jz	bad
	mov	16(%edi), %eax
	call	puts
	mov	$msg_loader, %eax
	call	puts
	testl	$0x200, (%edi)               /* boot loader name valid */
	jz	bad
	mov	64(%edi), %eax
	call	puts
	mov	$msg_mem, %eax
	call	puts
	testl	$1, (%edi)                   /* mem_lower/mem_upper valid */
	jz	bad
	mov	8(%edi), %eax                /* mem_upper, KiB above 1 MiB */
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

/* %eax: a NUL-terminated string to COM1 (LF as CR LF). */
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

/* %al to COM1 once its transmitter holding register is empty. */
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

/* %eax as 0x and 8 hex digits. */
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
msg_magic:	.asciz	"multiboot-hello: entered with magic "
msg_cmdline:	.asciz	", command line '"
msg_loader:	.asciz	"', boot loader '"
msg_mem:	.asciz	"', mem_upper "
msg_done:	.asciz	" KiB\nmultiboot-hello: done, powering off\n"
msg_bad:	.asciz	"\nmultiboot-hello: FAIL: not the machine state Multiboot promises\n"
