/* SPDX-License-Identifier: MIT */
/*
 * What every aarch64 conformance guest uses (assembly, included once per
 * guest): the virt board's PL011 for output, PSCI for power-off, a stack.
 * Register use: the routines below clobber x0-x7 and x30 only.
 */
#define UART_BASE   0x09000000
#define UART_DR     0x00
#define UART_FR     0x18
#define UART_FR_TXFF (1 << 5)
#define UART_CR     0x30
#define PSCI_SYSTEM_OFF 0x84000008

/* x0 = the start of a NUL-terminated string: printed, LF as CR LF. */
	.text
	.balign 4
puts:
	mov	x2, #UART_BASE
1:	ldrb	w1, [x0], #1
	cbz	w1, 3f
	cmp	w1, #'\n'
	b.ne	2f
	mov	w3, #'\r'
4:	ldr	w4, [x2, #UART_FR]
	tbnz	w4, #5, 4b
	str	w3, [x2, #UART_DR]
2:	ldr	w4, [x2, #UART_FR]
	tbnz	w4, #5, 2b
	str	w1, [x2, #UART_DR]
	b	1b
3:	ret

/* x0 = a value printed as 0x and 16 hex digits. */
puthex:
	mov	x2, #UART_BASE
	mov	x5, x0
	mov	w1, #'0'
	str	w1, [x2, #UART_DR]
	mov	w1, #'x'
	str	w1, [x2, #UART_DR]
	mov	x6, #60
1:	lsr	x1, x5, x6
	and	x1, x1, #0xf
	cmp	x1, #10
	b.lt	2f
	add	x1, x1, #('a' - 10 - '0')
2:	add	x1, x1, #'0'
3:	ldr	w4, [x2, #UART_FR]
	tbnz	w4, #5, 3b
	str	w1, [x2, #UART_DR]
	subs	x6, x6, #4
	b.ge	1b
	ret

/* The UART on (UARTEN, TXE, RXE), as firmware leaves it. */
uart_init:
	mov	x2, #UART_BASE
	mov	w1, #0x301
	str	w1, [x2, #UART_CR]
	ret

/* PSCI SYSTEM_OFF through HVC: the VM ends. */
poweroff:
	ldr	x0, =PSCI_SYSTEM_OFF
	hvc	#0
1:	wfi
	b	1b

/* PUTS "text": prints a string literal (clobbers x0-x7, x30). */
.macro PUTS text
	adr	x0, 9998f
	bl	puts
	.pushsection .rodata
9998:	.asciz	"\text"
	.popsection
.endm
