/* SPDX-License-Identifier: MIT */
/*
 * The first instructions of an aarch64 test guest.
 *
 * The file is an arm64 Linux Image: a 64-byte header whose text_offset
 * (2 MiB) makes both the virt machine (`kernel =`, RAM base + text_offset)
 * and QEMU's -kernel load it at 0x40200000, where guest.ld links it.  It
 * is entered at EL1h with the MMU and caches off, interrupts masked and
 * x0 = the device tree (not used).  The same file also works as the
 * virt machine's firmware (`firmware =`, flash bank 0 at 0x0, entered at
 * 0x0): boot_entry then first copies the image to where it is linked and
 * continues there (relocate below).
 *
 *   boot_entry             CPU 0: clear .bss, stack, vectors, guest_boot()
 *   guest_secondary_entry  PSCI CPU_ON's entry for the others, x0 = the
 *                          context id guest_start_cpu() passed: the CPU
 *                          number, which picks its stack
 *   guest_vectors          VBAR_EL1: every exception saves the registers a
 *                          C call may change and calls guest_vector(slot)
 */
#define STACK_SHIFT 14                  /* 16 KiB per CPU, arch.c agrees */
#define FRAME_SIZE (22 * 8)             /* x0-x18, x29, x30, padding      */

	.section .text.head, "ax"
	.global _head
_head:
	b	boot_entry                  /* code0                          */
	.long	0                           /* code1                          */
	.quad	0x200000                    /* text_offset                    */
	.quad	_image_size                 /* image_size, .bss included      */
	.quad	0x2                         /* flags: LE, 4 KiB pages         */
	.quad	0, 0, 0                     /* res2-res4                      */
	.ascii	"ARM\x64"                   /* magic                          */
	.long	0                           /* res5                           */

	.text
boot_entry:
	/* Running where linked?  If not (firmware in flash), copy and go there. */
	adr	x1, _head
	ldr	x2, =_head_address
	cmp	x1, x2
	b.ne	relocate
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, #0
	b	cpu_entry

/* x1 = where the image is, x2 = where it is linked: copy _file_size bytes, jump. */
relocate:
	ldr	x3, =_file_size
	mov	x4, x2
1:	ldr	x5, [x1], #8
	str	x5, [x4], #8
	subs	x3, x3, #8
	b.hi	1b
	dsb	sy
	ic	iallu
	dsb	sy
	isb
	ldr	x1, =boot_entry
	br	x1

	.global guest_secondary_entry
guest_secondary_entry:
	/* x0 = CPU number */
cpu_entry:
	ldr	x1, =guest_stacks
	add	x2, x0, #1
	add	x1, x1, x2, lsl #STACK_SHIFT
	mov	sp, x1
	ldr	x1, =guest_vectors
	msr	vbar_el1, x1
	isb
	bl	guest_cpu_start             /* arch.c; does not return */
3:	wfi
	b	3b

/* One vector slot: save x0/x1, say which slot, go to the common part. */
.macro vector slot
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\slot
	b	vector_common
.endm

	.balign	2048
	.global guest_vectors
guest_vectors:
	vector 0
	vector 1
	vector 2
	vector 3
	vector 4
	vector 5
	vector 6
	vector 7
	vector 8
	vector 9
	vector 10
	vector 11
	vector 12
	vector 13
	vector 14
	vector 15

vector_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x29, [sp, #144]
	str	x30, [sp, #160]
	bl	guest_vector                /* returns for interrupts only */
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x29, [sp, #144]
	ldr	x30, [sp, #160]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #FRAME_SIZE
	eret
