/* SPDX-License-Identifier: MIT */
/*
 * The EL1 physical timer (CNTP_*) and its interrupt, PPI 14 = INTID 30,
 * through the virt board's GICv3: the guest arms the timer 10 ms ahead
 * with CNTP_TVAL_EL0 and takes the interrupt twice, once while it
 * busy-waits with interrupts unmasked and once sleeping in WFI.  The
 * handler checks ISTATUS, masks the timer (IMASK: the level drops) and
 * ends the interrupt.  Each wait gives up after 2 s and says FAIL.
 */
#include "guest.h"

#define GICD_BASE      0x08000000
#define GICR_BASE      0x080A0000      /* vCPU 0's redistributor           */
#define GICR_WAKER     0x0014
#define GICR_SGI       0x10000         /* its SGI/PPI frame                */
#define GICR_IGROUPR0  0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_IPRIORITYR 0x0400
#define PTIMER_INTID   30

	.section .text.head, "ax"
	.globl	_start
_start:
	ldr	x0, =stack_top
	mov	sp, x0
	adr	x0, vectors
	msr	vbar_el1, x0
	isb
	bl	uart_init
	bl	gic_init

	/* 1: busy-waiting with IRQs unmasked. */
	bl	arm_timer
	msr	daifclr, #2
	mrs	x21, cntpct_el0
1:	ldr	x0, =irq_count
	ldr	w1, [x0]
	cbnz	w1, 2f
	bl	timed_out
	cbz	x0, 1b
	PUTS	"ptimer: FAIL: no interrupt while busy-waiting\n"
	b	poweroff
2:	PUTS	"ptimer: interrupt 30 taken while busy-waiting\n"

	/* 2: in WFI (IRQs masked around the check, so none is lost). */
	msr	daifset, #2
	bl	arm_timer
	mrs	x21, cntpct_el0
3:	ldr	x0, =irq_count
	ldr	w1, [x0]
	cmp	w1, #2
	b.ge	4f
	wfi
	msr	daifclr, #2              /* take it */
	isb
	msr	daifset, #2
	bl	timed_out
	cbz	x0, 3b
	PUTS	"ptimer: FAIL: no interrupt in WFI\n"
	b	poweroff
4:	ldr	x0, =bad_count
	ldr	w1, [x0]
	cbnz	w1, 5f
	PUTS	"ptimer: interrupt 30 taken in WFI\nptimer: OK\n"
	b	poweroff
5:	PUTS	"ptimer: FAIL: an interrupt that was not the timer's, or ISTATUS clear\n"
	b	poweroff

/* CNTP_TVAL = CNTFRQ / 100 (10 ms), then ENABLE with IMASK clear. */
arm_timer:
	mrs	x0, cntfrq_el0
	mov	x1, #100
	udiv	x0, x0, x1
	msr	cntp_tval_el0, x0
	mov	x0, #1
	msr	cntp_ctl_el0, x0
	isb
	ret

/* x0 = 1 when 2 s have passed since x21 (a CNTPCT value). */
timed_out:
	mrs	x0, cntpct_el0
	sub	x0, x0, x21
	mrs	x1, cntfrq_el0
	lsl	x1, x1, #1
	cmp	x0, x1
	cset	x0, hs
	ret

gic_init:
	/* Distributor: affinity routing, group 1 on. */
	mov	x0, #GICD_BASE
	mov	w1, #0x12                /* ARE, EnableGrp1 */
	str	w1, [x0]
	/* Redistributor awake, INTID 30 in group 1, priority 0x80, enabled. */
	ldr	x0, =GICR_BASE
	ldr	w1, [x0, #GICR_WAKER]
	and	w1, w1, #~2
	str	w1, [x0, #GICR_WAKER]
	add	x0, x0, #GICR_SGI
	mov	w1, #(1 << PTIMER_INTID)
	str	w1, [x0, #GICR_IGROUPR0]
	mov	w1, #0x80
	strb	w1, [x0, #(GICR_IPRIORITYR + PTIMER_INTID)]
	mov	w1, #(1 << PTIMER_INTID)
	str	w1, [x0, #GICR_ISENABLER0]
	/* CPU interface: system registers, every priority, group 1 on. */
	mov	x1, #7
	msr	icc_sre_el1, x1
	isb
	mov	x1, #0xff
	msr	icc_pmr_el1, x1
	mov	x1, #1
	msr	icc_igrpen1_el1, x1
	isb
	ret

/* IRQ: acknowledge, check it is the timer with ISTATUS set, mask it, end it. */
irq_handler:
	stp	x0, x1, [sp, #-32]!
	stp	x2, x3, [sp, #16]
	mrs	x0, icc_iar1_el1
	cmp	x0, #PTIMER_INTID
	b.ne	1f
	mrs	x1, cntp_ctl_el0
	tbz	x1, #2, 1f               /* ISTATUS must be set */
	mov	x1, #3                   /* ENABLE | IMASK: the output goes low */
	msr	cntp_ctl_el0, x1
	isb
	ldr	x2, =irq_count
	ldr	w3, [x2]
	add	w3, w3, #1
	str	w3, [x2]
	b	2f
1:	ldr	x2, =bad_count
	ldr	w3, [x2]
	add	w3, w3, #1
	str	w3, [x2]
	mov	x1, #0                   /* whatever it was: stop the timer */
	msr	cntp_ctl_el0, x1
2:	cmp	x0, #1020
	b.hs	3f                       /* spurious: nothing to end */
	msr	icc_eoir1_el1, x0
3:	ldp	x2, x3, [sp, #16]
	ldp	x0, x1, [sp], #32
	eret

unexpected:
	PUTS	"ptimer: FAIL: unexpected exception\n"
	b	poweroff

	.balign	2048
vectors:
	.rept	5                        /* current EL with SP_EL0: sync, IRQ, FIQ, SError; SP_ELx: sync */
	b	unexpected
	.balign	128
	.endr
	b	irq_handler              /* current EL with SP_ELx: IRQ */
	.balign	128
	.rept	10
	b	unexpected
	.balign	128
	.endr

	.data
	.balign	4
irq_count:	.word	0
bad_count:	.word	0
