/* SPDX-License-Identifier: MIT */
/*
 * Addresses with nothing behind them: the guest loads from one and jumps
 * to another, past its RAM, and must receive a synchronous external abort
 * for each (as on the hardware, QEMU and KVM), with the syndrome the
 * architecture gives:
 *
 *   load   ESR_EL1 0x96000010 (data abort from EL1, IL, FSC 0x10), FAR = address
 *          (also for a load pair, which gives the hypervisor no syndrome)
 *   fetch  ESR_EL1 0x86000010 (instruction abort from EL1), FAR = ELR = address
 *
 * The handler records ESR, FAR and ELR and returns to the address in x28.
 */
#include "guest.h"

#define NOTHING_DATA  0x60000000        /* past the VM's RAM, no device */
#define NOTHING_CODE  0x60001000
#define NOTHING_PAIR  0x60002000

	.section .text.head, "ax"
	.globl	_start
_start:
	ldr	x0, =stack_top
	mov	sp, x0
	adr	x0, vectors
	msr	vbar_el1, x0
	isb
	bl	uart_init

	/* A load. */
	adr	x28, 1f
	ldr	x1, =NOTHING_DATA
	ldr	w2, [x1]
	PUTS	"abort-injection: FAIL: the load returned\n"
	b	poweroff
1:	PUTS	"abort-injection: data abort ESR "
	bl	report
	ldr	x0, =0x96000010
	ldr	x1, =NOTHING_DATA
	bl	check
	cbz	x0, fail

	/* A load pair: no syndrome for the hypervisor (ISV=0), the same abort. */
	adr	x28, 3f
	ldr	x1, =NOTHING_PAIR
	ldp	x2, x3, [x1]
	PUTS	"abort-injection: FAIL: the load pair returned\n"
	b	poweroff
3:	PUTS	"abort-injection: data abort (load pair) ESR "
	bl	report
	ldr	x0, =0x96000010
	ldr	x1, =NOTHING_PAIR
	bl	check
	cbz	x0, fail

	/* A fetch: blr to nothing; the handler returns to the link address. */
	adr	x28, 2f
	ldr	x1, =NOTHING_CODE
	blr	x1
2:	PUTS	"abort-injection: prefetch abort ESR "
	bl	report
	ldr	x0, =0x86000010
	ldr	x1, =NOTHING_CODE
	bl	check
	cbz	x0, fail
	ldr	x0, =seen_elr
	ldr	x0, [x0]
	ldr	x1, =NOTHING_CODE
	cmp	x0, x1
	b.ne	fail
	PUTS	"abort-injection: OK\n"
	b	poweroff
fail:
	PUTS	"abort-injection: FAIL: not the syndrome the architecture gives\n"
	b	poweroff

/* Prints the recorded ESR, FAR and ELR. */
report:
	mov	x27, x30
	ldr	x0, =seen_esr
	ldr	x0, [x0]
	bl	puthex
	PUTS	" FAR "
	ldr	x0, =seen_far
	ldr	x0, [x0]
	bl	puthex
	PUTS	" ELR "
	ldr	x0, =seen_elr
	ldr	x0, [x0]
	bl	puthex
	PUTS	"\n"
	ret	x27

/* x0 = 1 when the recorded ESR is x0 and FAR is x1. */
check:
	ldr	x2, =seen_esr
	ldr	x2, [x2]
	ldr	x3, =seen_far
	ldr	x3, [x3]
	cmp	x2, x0
	ccmp	x3, x1, #0, eq
	cset	x0, eq
	ret

sync_handler:
	mrs	x0, esr_el1
	ldr	x1, =seen_esr
	str	x0, [x1]
	mrs	x0, far_el1
	ldr	x1, =seen_far
	str	x0, [x1]
	mrs	x0, elr_el1
	ldr	x1, =seen_elr
	str	x0, [x1]
	msr	elr_el1, x28
	eret

unexpected:
	PUTS	"abort-injection: FAIL: unexpected exception\n"
	b	poweroff

	.balign	2048
vectors:
	.rept	4                        /* current EL with SP_EL0 */
	b	unexpected
	.balign	128
	.endr
	b	sync_handler             /* current EL with SP_ELx: synchronous */
	.balign	128
	.rept	11
	b	unexpected
	.balign	128
	.endr

	.data
	.balign	8
seen_esr:	.quad	0
seen_far:	.quad	0
seen_elr:	.quad	0
