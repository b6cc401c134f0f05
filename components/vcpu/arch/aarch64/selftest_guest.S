/* SPDX-License-Identifier: MIT */
/*
 * The guest of the vCPU self-test (selftest.c): a few EL1 instructions,
 * position independent, copied to guest RAM and entered with the MMU off.
 * Every step makes one kind of exit:
 *
 *   strb to the UART data register      MMIO write, width 1, per character
 *   ldrsb x4 / ldrsb w5 from offset 4    MMIO read, width 1, sign-extended
 *                                        to 64 / to 32 bits (checked here)
 *   mrs x7, actlr_el1                    SYSREG read (HCR_EL2.TACR)
 *   wfi                                  WFI (HCR_EL2.TWI)
 *   hvc #0, x0 = PSCI_VERSION            HYPERCALL; x0 must come back 1.0
 *   hvc #0, x0 = PSCI_SYSTEM_OFF         HYPERCALL; the end
 *
 * A failed check reports itself with hvc #1, x0 = the check's number.
 */
	.section .rodata.vcpu_selftest_guest, "a"
	.balign	4
	.globl	vcpu_selftest_guest_start, vcpu_selftest_guest_end
vcpu_selftest_guest_start:
	movz	x1, #0x0900, lsl #16        /* UART at guest-physical 0x09000000 */
	adr	x2, message
1:	ldrb	w3, [x2], #1                /* guest RAM: no exit */
	cbz	w3, 2f
	strb	w3, [x1]                    /* MMIO write exit */
	b	1b

2:	ldrsb	x4, [x1, #4]                /* the device answers 0xa5 */
	mov	x0, #1
	movn	x6, #0x5a                   /* 0xffffffffffffffa5 */
	cmp	x4, x6
	b.ne	fail
	ldrsb	w5, [x1, #4]
	mov	x0, #2
	mov	w6, #0xffffffa5             /* upper 32 bits of x5 must be 0 */
	cmp	x5, x6
	b.ne	fail

	mrs	x7, actlr_el1               /* SYSREG read exit: answered 0x5a */
	mov	x0, #3
	cmp	x7, #0x5a
	b.ne	fail

	wfi                                 /* WFI exit */

	movz	w0, #0x8400, lsl #16        /* PSCI_VERSION */
	hvc	#0
	mov	x6, x0
	mov	x0, #4
	cmp	x6, #0x10000                /* PSCI 1.0 */
	b.ne	fail

	movz	w0, #0x8400, lsl #16
	movk	w0, #0x0008                 /* PSCI_SYSTEM_OFF */
	hvc	#0
	mov	x0, #5                      /* SYSTEM_OFF must not return */

fail:	hvc	#1
	b	fail

message:
	.asciz	"Hello from EL1\n"
	.balign	4
vcpu_selftest_guest_end:
