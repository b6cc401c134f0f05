/* SPDX-License-Identifier: MIT */
/*
 * The guest of the interrupt self-test (selftest_irq.c), at EL1 with the
 * MMU off, loaded at the start of guest RAM; its vector table is the
 * second 2 KiB of the blob.  It talks to a vGIC (distributor at
 * 0x08000000, its redistributor at 0x080a0000) and to the hardware's
 * virtual CPU interface, the way an OS does:
 *
 *   GICD_CTLR = ARE | EnableGrp1; GICR_WAKER.ProcessorSleep = 0;
 *   GICR_ISENABLER0 = PPI 27 (virtual timer) and SGI 3   MMIO exits
 *   ICC_PMR_EL1 = 0xff, ICC_IGRPEN1_EL1 = 1              no exits (ICH_VMCR)
 *   CNTV_CVAL_EL0 = now + CNTFRQ/50, CNTV_CTL_EL0 = 1   no exits
 *   ticks 1-2: spinning with IRQs unmasked: only the physical timer
 *              interrupt at EL2 can bring the guest out so that the
 *              virtual one gets injected
 *   ticks 3-5: in WFI (an exit; the host sleeps until the deadline)
 *   ICC_SGI1R_EL1 = SGI 3 to itself (Aff0 0)             SYSREG exit
 *   waits in WFI for the SGI
 *   hvc #2: x0 ticks, x1 SGIs taken, x2 CNTVCT at the start, x3 CNTFRQ,
 *           x4 CNTVCT after the fifth tick
 *   PSCI SYSTEM_OFF
 *
 * The IRQ handler acknowledges with ICC_IAR1_EL1, counts the timer
 * (setting the next deadline one period from now, so that a late tick
 * does not make the next one due at once, or switching the timer off
 * after the fifth) or the SGI, and ends it with ICC_EOIR1_EL1.  Any other
 * exception, or another interrupt, is reported with hvc #1 (x0: 100 +
 * vector number, or 6).  Registers: x20 ticks, x21 SGIs, x22 tick period,
 * x23 start time; the handler uses x10-x12 only.
 */
#define TICKS          5
#define BUSY_TICKS     2
#define TICKS_PER_SEC  50
#define SGI_NUMBER     3

	.section .rodata.vcpu_selftest_irq_guest, "a"
	.balign	2048
	.globl	vcpu_selftest_irq_guest_start, vcpu_selftest_irq_guest_end
vcpu_selftest_irq_guest_start:
	adr	x9, vectors
	msr	vbar_el1, x9
	isb
	mrs	x23, cntvct_el0             /* the VM's time: near zero */
	mrs	x22, cntfrq_el0
	mov	x9, #TICKS_PER_SEC
	udiv	x22, x22, x9

	movz	x24, #0x0800, lsl #16       /* GICD at 0x08000000 */
	mov	w9, #0x12                   /* ARE | EnableGrp1 (DS = 1 layout) */
	str	w9, [x24]                   /* GICD_CTLR */
	movz	x25, #0x080a, lsl #16       /* GICR of vCPU 0 at 0x080a0000 */
	ldr	w9, [x25, #0x14]            /* GICR_WAKER */
	and	w9, w9, #0xfffffffd         /* ProcessorSleep = 0 */
	str	w9, [x25, #0x14]
	add	x26, x25, #0x10000          /* SGI_base */
	movz	w9, #0x0800, lsl #16        /* PPI 27 */
	orr	w9, w9, #(1 << SGI_NUMBER)
	str	w9, [x26, #0x100]           /* GICR_ISENABLER0 */

	mov	x9, #0xff
	msr	icc_pmr_el1, x9             /* every priority gets through */
	mov	x9, #1
	msr	icc_igrpen1_el1, x9         /* Group 1 interrupts on */
	isb

	mov	x20, #0
	mov	x21, #0
	mrs	x9, cntvct_el0
	add	x9, x9, x22
	msr	cntv_cval_el0, x9
	mov	x9, #1                      /* ENABLE, IMASK clear */
	msr	cntv_ctl_el0, x9
	isb
	msr	daifclr, #2                 /* IRQs on */

1:	cmp	x20, #BUSY_TICKS            /* spin: no exit of our own */
	b.lo	1b
2:	wfi                                 /* sleep: a WFI exit */
	cmp	x20, #TICKS
	b.lo	2b
	mrs	x27, cntvct_el0

	movz	x9, #(SGI_NUMBER << 8), lsl #16  /* INTID in bits 27:24 */
	orr	x9, x9, #1                  /* TargetList: Aff0 0, ourselves */
	msr	icc_sgi1r_el1, x9           /* SYSREG exit */
	isb
3:	cbnz	x21, 4f
	wfi
	b	3b

4:	msr	daifset, #2
	mov	x0, x20
	mov	x1, x21
	mov	x2, x23
	mrs	x3, cntfrq_el0
	mov	x4, x27
	hvc	#2                          /* the report */
	movz	w0, #0x8400, lsl #16
	movk	w0, #0x0008                 /* PSCI_SYSTEM_OFF */
	hvc	#0
	mov	x0, #9                      /* SYSTEM_OFF must not return */
fail:	hvc	#1
	b	fail

irq:	mrs	x10, icc_iar1_el1
	and	w11, w10, #0xffffff
	cmp	w11, #27
	b.ne	5f
	add	x20, x20, #1
	cmp	x20, #TICKS
	b.hs	6f
	mrs	x12, cntvct_el0             /* the next tick, one period from now */
	add	x12, x12, x22
	msr	cntv_cval_el0, x12
	b	7f
6:	msr	cntv_ctl_el0, xzr           /* enough ticks: timer off */
	b	7f
5:	cmp	w11, #SGI_NUMBER
	b.ne	8f
	add	x21, x21, #1
	b	7f
8:	mov	w12, #1023                  /* spurious: nothing to end */
	cmp	w11, w12
	b.eq	9f
	mov	x0, #6
	b	fail
7:	isb
	msr	icc_eoir1_el1, x10
	isb
9:	eret

	.balign	2048
vectors:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.balign	0x80
	.if	\n == 5                     /* IRQ, current EL with SP_EL1 */
	b	irq
	.else
	mov	x0, #(100 + \n)
	b	fail
	.endif
	.endr
vcpu_selftest_irq_guest_end:
