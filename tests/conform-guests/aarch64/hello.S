/* SPDX-License-Identifier: MIT */
/*
 * The smallest kernel: prints how it was entered and what x0 points to,
 * checks that x0 is the device tree (its magic 0xd00dfeed, big-endian),
 * powers off.  Built as hello.elf (an ELF executable: the loader must
 * follow its program headers and enter at e_entry, _start, which is not
 * the first byte) and hello.bin (a raw binary: the loader puts it at RAM
 * base + 0x80000 and enters at its first byte).
 */
#include "guest.h"

	.section .text.head, "ax"
	b	first_byte               /* a raw binary starts here */
	.globl	_start
_start:                                  /* e_entry of the ELF file */
	adr	x20, at_entry
	b	1f
first_byte:
	adr	x20, at_first_byte
1:	mov	x19, x0
	ldr	x0, =stack_top
	mov	sp, x0
	bl	uart_init
	PUTS	"hello: a small kernel entered at "
	mov	x0, x20
	bl	puts
	PUTS	", x0 = "
	mov	x0, x19
	bl	puthex
	ldr	w1, [x19]
	ldr	w2, =0xedfe0dd0          /* 0xd00dfeed read little-endian */
	cmp	w1, w2
	b.ne	1f
	PUTS	" (the device tree)\nhello: done, powering off\n"
	b	poweroff
1:	PUTS	" (no device tree there: FAIL)\n"
	b	poweroff

	.section .rodata
at_entry:	.asciz	"its ELF entry point"
at_first_byte:	.asciz	"its first byte"
