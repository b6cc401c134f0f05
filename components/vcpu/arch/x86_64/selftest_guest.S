/* SPDX-License-Identifier: MIT */
/*
 * The x86 guest of the vCPU self-test (selftest_x86.c loads it).
 *
 * The guest's ROM page at 0xFFFFF000 holds only the reset vector: a far
 * jump to 0000:1000, where this program lies in the guest's RAM (it is
 * linked for guest address GUEST_BASE: G(label) is a label's guest
 * address).  It walks through the modes an x86 firmware walks through:
 *
 *   real mode   "Hello from real mode\n" to the UART at port 0x3F8: five
 *               OUT DX, AL, then REP OUTSB for the rest; a 32-bit MMIO
 *               write and read at 0xD0010/0xD0014 (ES = 0xD000; the read
 *               must give 0xCAFEF00D); CPUID: the hypervisor bit, VMX
 *               hidden, Tessera's signature at 0x40000000; STI; HLT, and
 *               the interrupt the self-test injects (vector 0x20) writes
 *               0x20 to port 0x80 from its handler
 *   protected   its own GDT, CR0.PE, a far jump to 32-bit code; an MMIO
 *   mode        write of 0xABCD0001 to 0xD0020
 *   long mode   identity-mapping page tables (one 2 MiB page), CR4.PAE,
 *               EFER.LME (WRMSR), CR0.PG together with NE (that write
 *               exits: the backend performs the switch to IA-32e mode),
 *               a far jump to 64-bit code; a 64-bit MMIO write of
 *               0x1122334455667788 to 0xD0028, a 32-bit read at 0xD0014
 *
 * Then HLT (with interrupts off) and 0 to the exit port 0xF4.  A failed
 * check writes its number (1..) to the exit port instead.
 */

#define GUEST_BASE 0x1000
#define G(label) ((label) - vcpu_x86_selftest_guest_start + GUEST_BASE)

#define UART_PORT 0x3f8
#define POST_PORT 0x80
#define EXIT_PORT 0xf4
#define STACK_TOP 0x8000
#define PML4 0x9000
#define PDPT 0xa000
#define PD   0xb000

/* Reports check n and stops (same bytes in 16-, 32- and 64-bit code). */
.macro fail_unless_equal n
	je 9f
	movb $\n, %al
	outb %al, $EXIT_PORT
8:	hlt
	jmp 8b
9:
.endm

	.section .rodata
	.globl vcpu_x86_selftest_guest_start, vcpu_x86_selftest_guest_end
	.balign 16
vcpu_x86_selftest_guest_start:
	.code16
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $STACK_TOP, %sp
	cld

	/* PIO: byte by byte, then the rest as one string instruction. */
	movw $UART_PORT, %dx
	movw $G(hello), %si
	movw $5, %cx
1:	lodsb
	outb %al, %dx
	loop 1b
	movw $(hello_end - hello - 5), %cx
	rep outsb

	/* MMIO in real mode: ES:0x10 = 0xD0010. */
	movw $0xd000, %ax
	movw %ax, %es
	movl $0x12345678, %es:0x10
	movl %es:0x14, %eax
	cmpl $0xcafef00d, %eax
	fail_unless_equal 1
	xorw %ax, %ax
	movw %ax, %es

	/* CPUID: hypervisor bit set, VMX clear, our signature. */
	movl $1, %eax
	cpuid
	movl %ecx, %eax
	andl $0x80000020, %eax
	cmpl $0x80000000, %eax
	fail_unless_equal 2
	movl $0x40000000, %eax
	cpuid
	cmpl $0x40000000, %eax
	fail_unless_equal 3
	cmpl $0x73736554, %ebx           /* "Tess" */
	fail_unless_equal 4
	cmpl $0x54617265, %ecx           /* "eraT" */
	fail_unless_equal 5
	cmpl $0x00415253, %edx           /* "SRA\0" */
	fail_unless_equal 6

	/* An interrupt: IVT[0x20] -> irq_handler; it arrives after HLT. */
	movw $G(irq_handler), 0x20 * 4
	movw $0, 0x20 * 4 + 2
	sti
	hlt
	cli
	cmpb $1, G(irq_seen)
	fail_unless_equal 7

	/* Protected mode. */
	lgdtl G(gdt_pointer)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $G(protected_mode)

irq_handler:
	pushw %ax
	movb $0x20, %al
	outb %al, $POST_PORT
	movb $1, G(irq_seen)
	popw %ax
	iret

	.code32
protected_mode:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl $STACK_TOP, %esp
	movl $0xabcd0001, 0xd0020

	/* Page tables: PML4 -> PDPT -> PD with one 2 MiB page at 0. */
	movl $PML4, %edi
	xorl %eax, %eax
	movl $(3 * 1024), %ecx
	rep stosl
	movl $(PDPT | 3), PML4
	movl $(PD | 3), PDPT
	movl $0x83, PD
	movl $PML4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $0x20, %eax                  /* PAE */
	movl %eax, %cr4
	movl $0xc0000080, %ecx           /* EFER.LME */
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000020, %eax            /* PG and NE */
	movl %eax, %cr0
	ljmpl $0x18, $G(long_mode)

	.code64
long_mode:
	movabsq $0x1122334455667788, %rax
	movq %rax, 0xd0028
	movl 0xd0014, %ebx
	cmpl $0xcafef00d, %ebx
	fail_unless_equal 8
	movl $0xc0000080, %ecx           /* EFER.LMA must be set now */
	rdmsr
	andl $0x500, %eax
	cmpl $0x500, %eax
	fail_unless_equal 9
	hlt
	movb $0, %al
	outb %al, $EXIT_PORT
1:	hlt
	jmp 1b

	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff         /* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff         /* 0x10: data        */
	.quad 0x00af9a000000ffff         /* 0x18: 64-bit code */
gdt_end:
gdt_pointer:
	.word gdt_end - gdt - 1
	.long G(gdt)
irq_seen:
	.byte 0
hello:
	.ascii "Hello from real mode\n"
hello_end:
	.balign 16
vcpu_x86_selftest_guest_end:

	.section .note.GNU-stack, "", @progbits
