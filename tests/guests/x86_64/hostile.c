/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 hostile guest (docs/reliability.md, "The hostile-guest
 * suite"): the pc machine's firmware attacks the hypervisor, one named
 * case after the other, each with the architectural answer it expects
 * (#GP, #UD, #PF with its error code, all-ones, an error status).  It
 * builds a GDT with user segments and a TSS so that some cases run at
 * CPL 3.  The last case is a triple fault: the VM is reset, and since
 * it has no kernel and no disk the hypervisor ends it with a sentence.
 */
#include <guest.h>

#define VEC_UD 6
#define VEC_GP 13
#define VEC_PF 14

#define RAM_SIZE        (64ul << 20)
#define PAGE_2M         (2ul << 20)
#define PF_P            1u
#define PF_W            2u
#define PF_U            4u
#define PTE_U           4ull
#define PTE_RW          2ull
#define NOT_PRESENT_AT  (32ul << 20)     /* PD entries 16, 17, 18 */
#define READ_ONLY_AT    (34ul << 20)
#define SUPERVISOR_AT   (36ul << 20)
#define EMPTY_PORT      0xE0
#define LAPIC           0xFEE00000ul
#define IOAPIC          0xFEC00000ul
#define UNASSIGNED_MMIO 0xFED00000ul
#define DMA_DESC        (8ul << 20)
#define DMA_FILL        (40ul << 20)
#define DMA_ERROR       1u
#define DMA_READ        2u
#define DMA_SELECT      8u
#define PM_BASE         0x600

extern uint64_t guest_pml4[512], guest_pdpt[512], guest_pd[4][512];

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

static void flush_tlb(void)
{
	uint64_t cr3;

	__asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3) : : "memory");
}

/* ---- CPL 3: a GDT with user segments, a TSS, iretq ---- */

static uint64_t gdt[8] __attribute__((aligned(16))) = {
	0,
	0x00CF9B000000FFFFull,          /* 0x08 code, 32-bit (as the ROM's) */
	0x00CF93000000FFFFull,          /* 0x10 data                        */
	0x00AF9B000000FFFFull,          /* 0x18 code, 64-bit                */
	0x00CFF3000000FFFFull,          /* 0x20 user data (0x23)            */
	0x00AFFB000000FFFFull,          /* 0x28 user code, 64-bit (0x2B)    */
	0, 0,                           /* 0x30 the TSS, 16 bytes           */
};
static uint32_t tss[26] __attribute__((aligned(16)));      /* 104 bytes */
static uint8_t kernel_stack[8192] __attribute__((aligned(16)));
static uint8_t user_stack[4096] __attribute__((aligned(16)));
/* Read by the user-mode snippets below (RIP-relative): where they aim. */
uint64_t user_target;

static void user_mode_init(void)
{
	uint64_t base = (uint64_t)(uintptr_t)tss;
	uint64_t rsp0 = (uint64_t)(uintptr_t)(kernel_stack + sizeof(kernel_stack));
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} desc = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };

	tss[1] = (uint32_t)rsp0;                /* RSP0 */
	tss[2] = (uint32_t)(rsp0 >> 32);
	tss[25] = 104u << 16;                   /* I/O map base past the end: no bitmap */
	gdt[6] = 0x67 | (base & 0xFFFFFF) << 16 | 0x89ull << 40 | ((base >> 24) & 0xFF) << 56;
	gdt[7] = base >> 32;
	__asm__ volatile("lgdt %0; ltr %w1" : : "m"(desc), "r"(0x30) : "memory");
	/* User access to the first 2 MiB (code, data, stacks) through every level. */
	guest_pml4[0] |= PTE_U;
	guest_pdpt[0] |= PTE_U;
	guest_pd[0][0] |= PTE_U;
	flush_tlb();
}

/* guest_try() runs this: iretq to CPL 3 at arg, IOPL 3, interrupts off. */
static void to_user(void *entry)
{
	uint64_t rsp = (uint64_t)(uintptr_t)(user_stack + sizeof(user_stack));

	__asm__ volatile("pushq $0x23\n\tpushq %0\n\tpushq $0x3002\n\tpushq $0x2B\n\tpushq %1\n\tiretq"
			 : : "r"(rsp), "r"(entry) : "memory");
}

/* User-mode snippets: each ends with UD2, so a clean run is #UD at its end. */
extern char user_vmcall[], user_vmcall_end[], user_insb[], user_insb_end[], user_outsb[],
	user_outsb_end[], user_xsetbv[], user_xsetbv_end[];
__asm__(".pushsection .text\n"
	"user_vmcall:\n\tmovq $0x12345, %rax\n\tvmcall\nuser_vmcall_end:\n\tud2\n"
	"user_insb:\n\tmovw $" "0xE0" ", %dx\n\tmovq $16, %rcx\n\tmovq user_target(%rip), %rdi\n"
	"\tcld\n\trep insb\nuser_insb_end:\n\tud2\n"
	"user_outsb:\n\tmovw $0xE0, %dx\n\tmovq $16, %rcx\n\tmovq user_target(%rip), %rsi\n"
	"\tcld\n\trep outsb\nuser_outsb_end:\n\tud2\n"
	"user_xsetbv:\n\txorl %ecx, %ecx\n\tmovl $3, %eax\n\txorl %edx, %edx\n\txsetbv\n"
	"user_xsetbv_end:\n\tud2\n"
	".popsection\n");

/* Run a user snippet; the exception it ends with. */
static int user_run(char *entry, struct guest_fault *f)
{
	return guest_try(to_user, entry, f);
}

/* ---- the cases ---- */

static void vmcall_kernel(void *arg)
{
	uint64_t rax = 0x12345;

	__asm__ volatile("vmcall" : "+a"(rax) : : "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "memory");
	*(uint64_t *)arg = rax;
}

static void case_vmcall(void)
{
	struct guest_fault f;
	uint64_t rax = 0;
	int code;

	guest_case("vmcall", "at CPL 0 an unknown hypercall returns -1000 in RAX and the VM goes "
		   "on; at CPL 3 VMCALL is #UD and never reaches a hypercall handler");
	code = guest_try(vmcall_kernel, &rax, &f);
	guest_check(code < 0 && rax == (uint64_t)-1000, "CPL 0: exception %d, RAX 0x%llx", code,
		    (unsigned long long)rax);
	code = user_run(user_vmcall, &f);
	guest_check(code == VEC_UD && f.pc == (uintptr_t)user_vmcall + 7,
		    "CPL 3: exception %d at 0x%llx, expected #UD at the VMCALL 0x%llx", code,
		    (unsigned long long)f.pc, (unsigned long long)(uintptr_t)user_vmcall + 7);
	guest_case_done("CPL 0: RAX -1000; CPL 3: #UD at the VMCALL");
}

struct xsetbv_try {
	uint32_t index;
	uint64_t value;
};

static void do_xsetbv(void *arg)
{
	const struct xsetbv_try *t = arg;

	__asm__ volatile("xsetbv" : : "c"(t->index), "a"((uint32_t)t->value),
			 "d"((uint32_t)(t->value >> 32)));
}

static void case_xsetbv(void)
{
	static const struct xsetbv_try bad[] = {
		{ 0, 0 },                       /* no x87 */
		{ 0, 2 },                       /* SSE without x87 */
		{ 0, 5 },                       /* AVX without SSE */
		{ 0, 1 | 8 },                   /* BNDREGS without BNDCSR */
		{ 0, 1 | 16 },                  /* BNDCSR without BNDREGS */
		{ 0, 7 | 0x20 },                /* opmask alone */
		{ 0, 7 | 0x60 },                /* AVX-512 incomplete */
		{ 0, 3 | 0xE0 },                /* AVX-512 without AVX */
		{ 0, 3 | 1u << 17 },            /* AMX TILECFG without TILEDATA */
		{ 0, 3 | 1u << 18 },            /* AMX TILEDATA without TILECFG */
		{ 0, 3 | 1u << 8 },             /* PT: a supervisor state */
		{ 0, 3 | 1u << 10 },            /* reserved */
		{ 0, 3 | 1ull << 63 },          /* reserved */
		{ 1, 3 },                       /* XCR1 */
		{ 0xFFFFFFFF, 3 },
	};
	struct xsetbv_try good = { 0, 3 };
	struct guest_fault f;
	uint32_t r[4];
	unsigned int gp = 0;
	int code;

	guest_case("xsetbv-invalid", "#GP for every invalid XCR0 (half pairs, no x87, reserved "
		   "and supervisor bits, other XCRs, CPL 3); #UD without CR4.OSXSAVE; the valid "
		   "x87|SSE passes");
	cpuid(1, 0, r);
	if (!(r[2] & (1u << 26))) {
		code = guest_try(do_xsetbv, &good, &f);
		guest_check(code == VEC_UD, "no XSAVE: XSETBV gave %d, not #UD", code);
		guest_case_done("this CPU has no XSAVE: #UD");
		return;
	}
	write_cr4(read_cr4() & ~(1ull << 18));
	code = guest_try(do_xsetbv, &good, &f);
	guest_check(code == VEC_UD, "without OSXSAVE: %d, not #UD", code);
	write_cr4(read_cr4() | 1ull << 18);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		code = guest_try(do_xsetbv, (void *)&bad[i], &f);
		if (guest_check(code == VEC_GP, "XCR%u = 0x%llx: exception %d, not #GP", bad[i].index,
				(unsigned long long)bad[i].value, code))
			gp++;
	}
	code = guest_try(do_xsetbv, &good, &f);
	guest_check(code < 0, "XCR0 = 3: exception %d", code);
	code = user_run(user_xsetbv, &f);
	guest_check(code == VEC_GP, "XSETBV at CPL 3: %d, not #GP", code);
	guest_case_done("%u invalid values #GP, CPL 3 #GP, x87|SSE accepted", gp);
}

static void case_cpuid(void)
{
	uint32_t r[4], max, ext, calls = 0;
	static const uint32_t sub_leaves[] = { 4, 7, 0xB, 0xD, 0xF, 0x10, 0x12, 0x14, 0x1F };

	guest_case("cpuid-every-leaf", "every basic, hypervisor and extended leaf, every "
		   "sub-leaf of the indexed ones and nonsense leaves answer without a fault");
	cpuid(0, 0, r);
	max = r[0];
	cpuid(0x80000000u, 0, r);
	ext = r[0];
	for (uint32_t l = 0; l <= max && l < 0x40; l++, calls++)
		cpuid(l, 0, r);
	for (uint32_t l = 0x40000000u; l < 0x40000100u; l++, calls++)
		cpuid(l, 0, r);
	for (uint32_t l = 0x80000000u; l <= ext && l < 0x80000040u; l++, calls++)
		cpuid(l, 0, r);
	for (unsigned int i = 0; i < sizeof(sub_leaves) / sizeof(sub_leaves[0]); i++)
		for (uint32_t s = 0; s < 64; s++, calls++)
			cpuid(sub_leaves[i], s, r);
	for (uint32_t l = 0x12345678u; l < 0x12345678u + 16; l++, calls++)
		cpuid(l, 0xFFFFFFFFu, r);
	cpuid(0xFFFFFFFFu, 0, r);
	guest_case_done("%u leaves", calls);
}

struct msr_try {
	uint32_t index;
	uint64_t value;
};

static void do_rdmsr(void *arg)
{
	struct msr_try *t = arg;
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(t->index));
	t->value = (uint64_t)hi << 32 | lo;
}

static void do_wrmsr(void *arg)
{
	const struct msr_try *t = arg;

	__asm__ volatile("wrmsr" : : "c"(t->index), "a"((uint32_t)t->value),
			 "d"((uint32_t)(t->value >> 32)));
}

static void msr_range(uint32_t first, uint32_t last, uint32_t step, unsigned int *gp,
		      unsigned int *read, unsigned int *wrote)
{
	struct guest_fault f;

	for (uint64_t m = first; m <= last; m += step) {
		struct msr_try t = { (uint32_t)m, 0 };
		int code = guest_try(do_rdmsr, &t, &f);

		if (code == VEC_GP) {
			(*gp)++;
			/* Unknown for reading: writing it must be refused too, or ignored. */
			t.value = 0x5555555555555555ull;
			code = guest_try(do_wrmsr, &t, &f);
			guest_check(code == VEC_GP || code < 0, "WRMSR 0x%x: exception %d", t.index,
				    code);
			(*wrote)++;
		} else {
			guest_check(code < 0, "RDMSR 0x%x: exception %d", t.index, code);
			(*read)++;
		}
	}
}

static void case_msr_scan(void)
{
	unsigned int gp = 0, read = 0, wrote = 0;

	guest_case("msr-scan", "every MSR read gives a value or #GP; MSRs unknown for reading "
		   "refuse writes with #GP (or ignore them); nothing stops the VM");
	msr_range(0, 0x1FFF, 13, &gp, &read, &wrote);
	msr_range(0x40000000u, 0x400000FFu, 5, &gp, &read, &wrote);
	msr_range(0xC0000000u, 0xC0000FFFu, 29, &gp, &read, &wrote);
	msr_range(0xC0010000u, 0xC00100FFu, 3, &gp, &read, &wrote);
	msr_range(0xFFFFFF00u, 0xFFFFFFFFu, 17, &gp, &read, &wrote);
	guest_case_done("%u read, %u #GP (and %u writes to them refused)", read, gp, wrote);
}

static void cr0_write(void *arg) { write_cr0(*(uint64_t *)arg); }
static void cr4_write(void *arg) { write_cr4(*(uint64_t *)arg); }

static void case_cr_reserved(void)
{
	uint64_t cr0 = read_cr0(), cr4 = read_cr4();
	const uint64_t bad0[] = { cr0 | 1ull << 32, cr0 | 1ull << 63, cr0 & ~(1ull << 31),
				  (cr0 | 1ull << 29) & ~(1ull << 30), cr0 & ~1ull };
	const uint64_t bad4[] = { cr4 | 1ull << 63, cr4 | 1ull << 32, cr4 & ~(1ull << 5),
				  cr4 | 1ull << 13, cr4 | 1ull << 15, cr4 | 1ull << 26 };
	struct guest_fault f;
	unsigned int gp = 0;
	uint64_t v;
	int code;

	guest_case("cr-reserved-bits", "#GP for reserved CR0/CR4 bits, paging or PAE off in long "
		   "mode, NW without CD, PE off with PG, VMXE (no nested VMX) and the reserved "
		   "CR4 bits; the registers keep their values");
	for (unsigned int i = 0; i < sizeof(bad0) / sizeof(bad0[0]); i++) {
		v = bad0[i];
		code = guest_try(cr0_write, &v, &f);
		if (guest_check(code == VEC_GP, "CR0 = 0x%llx: exception %d", (unsigned long long)v,
				code))
			gp++;
	}
	for (unsigned int i = 0; i < sizeof(bad4) / sizeof(bad4[0]); i++) {
		v = bad4[i];
		code = guest_try(cr4_write, &v, &f);
		if (guest_check(code == VEC_GP, "CR4 = 0x%llx: exception %d", (unsigned long long)v,
				code))
			gp++;
	}
	guest_check(read_cr0() == cr0 && read_cr4() == cr4, "CR0/CR4 changed");
	guest_case_done("%u writes #GP", gp);
}

/* ---- emulated string I/O and MOVS against the guest's page tables ---- */

static void kernel_insb(void *arg)
{
	uint64_t dst = (uint64_t)(uintptr_t)arg, n = 16;

	__asm__ volatile("cld; rep insb" : "+D"(dst), "+c"(n) : "d"(EMPTY_PORT) : "memory");
}

static void kernel_movs_from_mmio(void *arg)
{
	uint64_t dst = (uint64_t)(uintptr_t)arg, src = UNASSIGNED_MMIO, n = 4;

	__asm__ volatile("cld; rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static void case_string_io_permissions(void)
{
	uint64_t *pd = guest_pd[0];
	uint64_t saved[3] = { pd[16], pd[17], pd[18] };
	struct guest_fault f;
	int code;

	guest_case("string-io-page-permissions", "emulated REP INSB/OUTSB and MOVS from MMIO "
		   "honour the guest's page tables: #PF with P/W/U as the SDM says, CR2 the "
		   "address, for a read-only page with CR0.WP, a page not present, a supervisor "
		   "page from CPL 3; never a write the page tables forbid");
	pd[16] = 0;                                              /* not present   */
	pd[17] = READ_ONLY_AT | 0x81;                            /* present, RO   */
	pd[18] = SUPERVISOR_AT | 0x83;                           /* RW, no U      */
	flush_tlb();
	write_cr0(read_cr0() | 1ull << 16);                      /* CR0.WP        */

	code = guest_try(kernel_insb, (void *)READ_ONLY_AT, &f);
	guest_check(code == VEC_PF && f.syndrome == (PF_P | PF_W) && f.address == READ_ONLY_AT,
		    "CPL 0 INSB to a read-only page: exception %d, error 0x%llx, CR2 0x%llx", code,
		    (unsigned long long)f.syndrome, (unsigned long long)f.address);
	code = guest_try(kernel_insb, (void *)NOT_PRESENT_AT, &f);
	guest_check(code == VEC_PF && f.syndrome == PF_W && f.address == NOT_PRESENT_AT,
		    "CPL 0 INSB to a page not present: exception %d, error 0x%llx, CR2 0x%llx",
		    code, (unsigned long long)f.syndrome, (unsigned long long)f.address);
	code = guest_try(kernel_movs_from_mmio, (void *)READ_ONLY_AT, &f);
	guest_check(code == VEC_PF && f.syndrome == (PF_P | PF_W) && f.address == READ_ONLY_AT,
		    "CPL 0 MOVS from MMIO to a read-only page: exception %d, error 0x%llx, CR2 "
		    "0x%llx", code, (unsigned long long)f.syndrome, (unsigned long long)f.address);
	user_target = SUPERVISOR_AT;
	code = user_run(user_insb, &f);
	guest_check(code == VEC_PF && f.syndrome == (PF_P | PF_W | PF_U) &&
		    f.address == SUPERVISOR_AT,
		    "CPL 3 INSB to a supervisor page: exception %d, error 0x%llx, CR2 0x%llx", code,
		    (unsigned long long)f.syndrome, (unsigned long long)f.address);
	code = user_run(user_outsb, &f);
	guest_check(code == VEC_PF && f.syndrome == (PF_P | PF_U) && f.address == SUPERVISOR_AT,
		    "CPL 3 OUTSB from a supervisor page: exception %d, error 0x%llx, CR2 0x%llx",
		    code, (unsigned long long)f.syndrome, (unsigned long long)f.address);
	/* Nothing was written through the read-only mapping. */
	pd[17] = READ_ONLY_AT | 0x83;
	flush_tlb();
	guest_check(*(volatile uint32_t *)READ_ONLY_AT != 0xFFFFFFFFu,
		    "the read-only page was written");
	pd[16] = saved[0];
	pd[17] = saved[1];
	pd[18] = saved[2];
	flush_tlb();
	guest_case_done("#PF with the right error code and CR2 five times");
}

/* ---- fw_cfg DMA through the ports ---- */

struct dma_desc {
	uint32_t control, length;
	uint64_t address;
};

static uint32_t dma(uint32_t control, uint32_t length, uint64_t address, uint64_t *polls)
{
	volatile struct dma_desc *d = (volatile struct dma_desc *)DMA_DESC;
	uint64_t n = 0;
	uint32_t c;

	d->control = __builtin_bswap32(control);
	d->length = __builtin_bswap32(length);
	d->address = __builtin_bswap64(address);
	guest_barrier();
	outl(0x514, 0);
	outl(0x518, __builtin_bswap32((uint32_t)DMA_DESC));
	/* Poll memory, as SeaBIOS does: no exits; the hypervisor's run limit continues it. */
	while ((c = __builtin_bswap32(d->control)) & ~DMA_ERROR) {
		if (++n == (1ull << 34))
			guest_fail("fw_cfg DMA never ended (control 0x%x)", c);
	}
	if (polls)
		*polls = n;
	return c;
}

static void case_fwcfg_dma(void)
{
	volatile uint64_t *fill = (volatile uint64_t *)DMA_FILL;
	uint64_t polls = 0;
	uint32_t c;

	guest_case("fwcfg-dma-4gib-and-outside-ram", "a 4 GiB READ of a missing item zero-fills "
		   "the rest of RAM in steps and ends with ERROR while the guest polls memory; "
		   "a 4 MiB one ends with 0; transfers outside RAM, wrapping, into the LAPIC or "
		   "the ROM end with ERROR");
	for (unsigned int i = 0; i < (4u << 20) / 8; i += 512)
		fill[i] = ~0ull;
	c = dma(0x3FFFu << 16 | DMA_SELECT | DMA_READ, 4u << 20, DMA_FILL, &polls);
	guest_check(c == 0, "4 MiB: control 0x%x", c);
	for (unsigned int i = 0; i < (4u << 20) / 8; i += 512)
		if (!guest_check(fill[i] == 0, "4 MiB: word %u not zero", i))
			break;
	c = dma(0x3FFFu << 16 | DMA_SELECT | DMA_READ, 0xFFFFFFFFu, DMA_FILL, NULL);
	guest_check(c == DMA_ERROR, "4 GiB: control 0x%x", c);
	guest_check(dma(DMA_READ, 64, RAM_SIZE - 8, NULL) == DMA_ERROR, "past RAM");
	guest_check(dma(DMA_READ, 0x2000, 0xFFFFFFFFFFFFF000ull, NULL) == DMA_ERROR, "wrapping");
	guest_check(dma(DMA_READ, 16, LAPIC, NULL) == DMA_ERROR, "into the LAPIC");
	guest_check(dma(DMA_READ, 16, 0xFFFF0000ull, NULL) == DMA_ERROR, "into the ROM");
	/* A descriptor outside RAM: nothing to see; the device works afterwards. */
	outl(0x514, 0);
	outl(0x518, __builtin_bswap32(0xFEE00000u));
	guest_check(dma(DMA_SELECT | DMA_READ, 4, DMA_FILL, NULL) == 0 &&
		    *(volatile uint32_t *)DMA_FILL == 0x554D4551u, "signature afterwards");
	guest_case_done("4 MiB: 0 (%llu polls), 4 GiB and outside RAM: ERROR",
			(unsigned long long)polls);
}

/* ---- the LAPIC, the IOAPIC, the PIT ---- */

static inline uint32_t lapic_read(uint32_t reg) { return *(volatile uint32_t *)(LAPIC + reg); }
static inline void lapic_write(uint32_t reg, uint32_t v) { *(volatile uint32_t *)(LAPIC + reg) = v; }

static void send_ipi(uint32_t dest, uint32_t low)
{
	lapic_write(0x310, dest << 24);
	lapic_write(0x300, low);
	for (unsigned int i = 0; i < 100000 && (lapic_read(0x300) & (1u << 12)); i++)
		guest_cpu_relax();
}

static void case_ipis(void)
{
	guest_case("ipi-absent-and-storm", "fixed, NMI, INIT and SIPI IPIs to absent APIC ids, "
		   "the broadcast id, all-but-self and illegal vectors, 100 of each: dropped "
		   "or an APIC error, never delivered elsewhere, the VM goes on");
	guest_irq_init_cpu(NULL);
	for (unsigned int i = 0; i < 100; i++) {
		send_ipi(5, 0x4000 | 0x40);                  /* fixed, absent id 5       */
		send_ipi(0xFE, 0x4000 | 0x41);               /* absent id 0xFE           */
		send_ipi(7, 0x4000 | 0x400);                 /* NMI to an absent id      */
		send_ipi(6, 0x4000 | 0x500);                 /* INIT to an absent id     */
		send_ipi(6, 0x4000 | 0x600 | 0x09);          /* SIPI to an absent id     */
		send_ipi(0, 0xC0000 | 0x4000 | 0x42);        /* all but self: nobody     */
		send_ipi(0, 0x40000 | 0x4000 | (i & 0xF));   /* self, illegal vector 0-15 */
	}
	lapic_write(0x280, 0);                               /* ESR: latch, then read    */
	guest_case_done("APIC error status 0x%x", lapic_read(0x280));
}

static volatile uint64_t timer_irqs, timer_until;

/* The storm may leave the interrupted loop no instruction: the handler ends it. */
static void count_irq(unsigned int vector)
{
	if (vector != 0x50)
		return;
	timer_irqs++;
	if (guest_counter() >= timer_until) {
		*(volatile uint32_t *)(LAPIC + 0x320) = 1u << 16;      /* masked */
		*(volatile uint32_t *)(LAPIC + 0x380) = 0;
	}
}

static void case_lapic_timer(void)
{
	uint64_t until;

	guest_case("lapic-timer-smallest-period", "the LAPIC timer periodic with count 1 and "
		   "divide by 1 for 5 million TSC ticks: the VM takes what is delivered, the "
		   "storm ends when it masks the timer");
	guest_irq_init_cpu(count_irq);
	until = guest_counter() + 5000000ull;
	timer_until = until;
	lapic_write(0x3E0, 0xB);                             /* divide by 1 */
	lapic_write(0x320, 1u << 17 | 0x50);                 /* periodic, vector 0x50 */
	lapic_write(0x380, 1);
	guest_irq_enable();
	while (guest_counter() < until || !(lapic_read(0x320) & (1u << 16)))
		guest_cpu_relax();
	guest_irq_disable();
	lapic_write(0x320, 1u << 16);                        /* masked */
	lapic_write(0x380, 0);
	guest_check(timer_irqs >= 1, "no timer interrupt");
	guest_case_done("%llu timer interrupts", (unsigned long long)timer_irqs);
}

static void ioapic_write(uint32_t index, uint32_t value)
{
	*(volatile uint32_t *)IOAPIC = index;
	*(volatile uint32_t *)(IOAPIC + 0x10) = value;
}

static uint32_t ioapic_read(uint32_t index)
{
	*(volatile uint32_t *)IOAPIC = index;
	return *(volatile uint32_t *)(IOAPIC + 0x10);
}

static void case_ioapic(void)
{
	uint32_t version = ioapic_read(1), pins = ((version >> 16) & 0xFF) + 1, beyond = 0;
	uint64_t until;

	guest_case("ioapic-bad-routes", "redirection entries to absent APIC ids, with illegal "
		   "vectors and reserved delivery modes, the PIT at its fastest behind them; "
		   "registers past the table read 0 or all-ones: nothing delivered to a CPU "
		   "that does not exist, the VM goes on");
	for (uint32_t pin = 0; pin < pins; pin++) {
		ioapic_write(0x11 + 2 * pin, (pin % 3 == 0 ? 0xFFu : 7u) << 24);
		ioapic_write(0x10 + 2 * pin, (pin & 0xF) | (pin % 4) << 8 | (pin & 1) << 11);
	}
	for (uint32_t index = 0x10 + 2 * pins; index < 0x100; index += 7) {
		uint32_t v = ioapic_read(index);

		ioapic_write(index, ~0u);
		beyond += v == 0 || v == ~0u;
	}
	outb(0x43, 0x34);                                    /* PIT channel 0, mode 2 */
	outb(0x40, 2);
	outb(0x40, 0);
	until = guest_counter() + 5000000ull;
	while (guest_counter() < until)
		guest_cpu_relax();
	outb(0x43, 0x30);                                    /* mode 0, stopped at 0 */
	outb(0x40, 0);
	outb(0x40, 0);
	for (uint32_t pin = 0; pin < pins; pin++)
		ioapic_write(0x10 + 2 * pin, 1u << 16);      /* masked */
	guest_case_done("%u pins, %u reads past the table gave 0 or all-ones", pins, beyond);
}

/* ---- ports and MMIO ---- */

static void pci_config_write32(uint32_t devfn, uint8_t reg, uint32_t value)
{
	outl(0xCF8, 0x80000000u | devfn | (reg & 0xFC));
	outl(0xCFC, value);
}

static void case_port_storm(void)
{
	guest_case("port-storm", "2000 POST codes, 1000 PM1_CNT sleep requests of type 1, 1000 "
		   "port 0x92 A20 toggles, 1000 0xCF9 writes without the reset bit: no reset, no "
		   "sleep, the hypervisor's messages about them limited");
	pci_config_write32(1u << 11 | 3u << 8, 0x40, PM_BASE | 1);   /* PIIX4 PM base */
	pci_config_write32(1u << 11 | 3u << 8, 0x80, 1);
	for (unsigned int i = 0; i < 2000; i++)
		outb(0x80, (uint8_t)i);
	for (unsigned int i = 0; i < 1000; i++)
		outw(PM_BASE + 4, 1u << 13 | 1u << 10);      /* SLP_EN, SLP_TYP 1 */
	for (unsigned int i = 0; i < 1000; i++)
		outb(0x92, (i & 1) ? 0x02 : 0x00);           /* A20 only, never bit 0 */
	outb(0x92, 0x02);
	for (unsigned int i = 0; i < 1000; i++)
		outb(0xCF9, 0x02);                           /* SYS_RST without RST_CPU */
	guest_case_done("the VM is still here");
}

static void case_port_scan(void)
{
	unsigned int ones = 0, reads = 0;

	guest_case("port-scan", "a byte read of every port below 0x400 and of every 64th above: "
		   "devices answer, unassigned ports read 0xFF, nothing stops the VM");
	for (uint32_t port = 0; port < 0x10000; port += port < 0x400 ? 1 : 64) {
		/* The serial port's data register would eat our own output's room: skip COM1. */
		if (port >= 0x3F8 && port < 0x400)
			continue;
		ones += inb((uint16_t)port) == 0xFF;
		reads++;
	}
	guest_case_done("%u ports read, %u gave 0xFF", reads, ones);
}

static void case_mmio_widths(void)
{
	static const uintptr_t bases[] = { LAPIC + 0x30, IOAPIC + 0x20, UNASSIGNED_MMIO,
					   0xFEBF0000ul, 0xFED40000ul };
	unsigned int accesses = 0;

	guest_case("mmio-every-width-and-alignment", "reads of 1, 2, 4 and 8 bytes at every "
		   "offset 0-15 (aligned or not) at the LAPIC, the IOAPIC and unassigned MMIO, an "
		   "8-byte read across the end of the LAPIC page, writes to unassigned MMIO: "
		   "values or all-ones, nothing stops the VM");
	for (unsigned int b = 0; b < sizeof(bases) / sizeof(bases[0]); b++)
		for (unsigned int off = 0; off < 16; off++)
			for (unsigned int w = 1; w <= 8; w *= 2, accesses++)
				(void)guest_mmio_read(bases[b] + off, w);
	(void)guest_mmio_read(LAPIC + 0xFFC, 8);
	for (unsigned int w = 1; w <= 8; w *= 2)
		for (unsigned int off = 0; off < 8; off++, accesses++)
			guest_mmio_write(UNASSIGNED_MMIO + 0x100 + off, w, ~0ull);
	guest_check(guest_mmio_read(UNASSIGNED_MMIO + 3, 4) == 0xFFFFFFFFu,
		    "unassigned unaligned read");
	guest_case_done("%u accesses", accesses + 1);
}

/* ---- the last case ---- */

static void case_triple_fault(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} empty = { 0, 0 };

	guest_case("triple-fault", "an empty IDT and an exception: a triple fault, which resets "
		   "the VM; with nothing to boot the hypervisor ends it with a sentence");
	guest_cases_end();
	guest_printf("hostile: now the triple fault\n");
	__asm__ volatile("lidt %0; int3" : : "m"(empty));
	guest_fail("still running after a triple fault");
}

void guest_main(void)
{
	guest_cases_begin("hostile");
	guest_printf("hostile: x86_64 attacker on the pc machine\n");
	user_mode_init();
	case_vmcall();
	case_xsetbv();
	case_cpuid();
	case_msr_scan();
	case_cr_reserved();
	case_string_io_permissions();
	case_fwcfg_dma();
	case_ipis();
	case_lapic_timer();
	case_ioapic();
	case_port_storm();
	case_port_scan();
	case_mmio_widths();
	case_triple_fault();
}
