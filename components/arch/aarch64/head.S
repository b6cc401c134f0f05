/* SPDX-License-Identifier: MIT */
/*
 * Entry of the image.  It starts with an arm64 Linux "Image" header, so
 * QEMU -kernel and U-Boot booti load it; they enter it at offset 0 with the
 * MMU off and x0 = the physical address of the device tree.
 *
 * The image is linked at 0 as a position-independent executable: before
 * any C code runs, the R_AARCH64_RELATIVE relocations are applied for the
 * address it was actually loaded at.  Only PC-relative addressing is used
 * until then.
 */
#include "aarch64_internal.h"

#define R_AARCH64_RELATIVE 1027

/* SCR_EL3: lower levels non-secure, EL2 AArch64, HVC enabled. */
#define SCR_EL3_FOR_EL2 ((1 << 0) | (3 << 4) | (1 << 8) | (1 << 10))
/* SPSR: EL2h with D, A, I and F masked. */
#define SPSR_EL2H_MASKED 0x3c9
#define SCTLR_EL2_OFF 0x30c50830
#define HCR_EL2_RW (1 << 31)
#define CPTR_EL2_NOTRAP 0x32ff

.macro adr_l reg, sym
	adrp	\reg, \sym
	add	\reg, \reg, :lo12:\sym
.endm

	.section .head.text, "ax"
	.globl	_start
_start:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset: any 2 MiB-aligned base */
	.quad	__image_size		/* image_size, including .bss */
	.quad	0xa			/* flags: LE, 4 KiB pages, anywhere in RAM */
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5: no PE header */

primary_entry:
	mov	x19, x0			/* DTB */
	mov	x21, #0			/* 1 when we dropped from EL3 */
	mrs	x20, CurrentEL
	ubfx	x20, x20, #2, #2
	cmp	x20, #3
	b.eq	from_el3
	cmp	x20, #2
	b.eq	at_el2

	/* EL1: say that EL2 is needed, then stop (boot.c). */
	bl	early_setup
	mov	x0, x19
	mov	x1, x20
	bl	aarch64_boot_wrong_el
	b	park

from_el3:
	mov	x0, #SCR_EL3_FOR_EL2
	msr	scr_el3, x0
	mov	x0, #SPSR_EL2H_MASKED
	msr	spsr_el3, x0
	adr	x0, el2_from_el3
	msr	elr_el3, x0
	isb
	eret
el2_from_el3:
	mov	x21, #1

at_el2:
	bl	el2_known_state
	bl	early_setup
	adr_l	x0, aarch64_el2_vectors
	msr	vbar_el2, x0
	isb
	mov	x0, x19
	mov	x1, x21
	bl	aarch64_boot_primary
	b	park

/*
 * MMU and caches off, EL1 in AArch64 without VHE, FP/SIMD not trapped,
 * no per-CPU pointer yet.  Clobbers x0.
 */
el2_known_state:
	ldr	x0, =SCTLR_EL2_OFF
	msr	sctlr_el2, x0
	mov	x0, #HCR_EL2_RW
	msr	hcr_el2, x0
	mov	x0, #CPTR_EL2_NOTRAP
	msr	cptr_el2, x0
	msr	tpidr_el2, xzr
	isb
	ret

/*
 * Applies the relocations, clears .bss and sets the boot stack.  Runs with
 * the MMU off, where every access must be aligned: all of these are.
 */
early_setup:
	adr_l	x0, _start
	adr_l	x1, __rela_start
	adr_l	x2, __rela_end
1:	cmp	x1, x2
	b.hs	2f
	ldp	x3, x4, [x1], #16	/* r_offset, r_info */
	ldr	x5, [x1], #8		/* r_addend */
	cmp	w4, #R_AARCH64_RELATIVE
	b.ne	1b
	add	x5, x5, x0
	str	x5, [x0, x3]
	b	1b
2:	adr_l	x1, __bss_start
	adr_l	x2, __bss_end
3:	cmp	x1, x2
	b.hs	4f
	stp	xzr, xzr, [x1], #16
	b	3b
4:	adr_l	x1, aarch64_boot_stack_top
	mov	sp, x1
	ret

/*
 * Secondary CPUs start here from PSCI CPU_ON with the MMU off and
 * x0 = their struct percpu.  They turn the MMU on with the boot CPU's
 * tables before touching their stack.
 */
	.globl	aarch64_secondary_entry
aarch64_secondary_entry:
	mov	x19, x0
	mrs	x1, CurrentEL
	ubfx	x1, x1, #2, #2
	cmp	x1, #2
	b.ne	park
	bl	el2_known_state
	adr_l	x1, aarch64_mmu_config
	ldr	x2, [x1, #MMU_CONFIG_MAIR]
	msr	mair_el2, x2
	ldr	x2, [x1, #MMU_CONFIG_TCR]
	msr	tcr_el2, x2
	ldr	x2, [x1, #MMU_CONFIG_TTBR]
	msr	ttbr0_el2, x2
	isb
	tlbi	alle2
	ic	iallu
	dsb	nsh
	isb
	ldr	x2, [x1, #MMU_CONFIG_SCTLR]
	msr	sctlr_el2, x2
	isb
	ldr	x1, [x19, #PERCPU_STACK_TOP_OFFSET]
	mov	sp, x1
	adr_l	x1, aarch64_el2_vectors
	msr	vbar_el2, x1
	msr	tpidr_el2, x19
	isb
	mov	x0, x19
	bl	aarch64_secondary_main
	/* fall through: never returns */

park:
	msr	daifset, #0xf
1:	wfi
	b	1b

	.ltorg

	.section .bss.boot_stack, "aw", %nobits
	.balign	16
aarch64_boot_stack:
	.space	CONFIG_AARCH64_STACK_PAGES * 4096
	.globl	aarch64_boot_stack_top
aarch64_boot_stack_top:
