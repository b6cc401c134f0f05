/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU descriptor tables (GDT with a TSS, one shared IDT), the GS base
 * that makes this_cpu() work, and the exception report.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <core/arch.h>
#include <core/compiler.h>
#include <core/percpu.h>
#include <x86_64/cpu.h>
#include <x86_64/x86.h>

#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_TSS 0x18

#define IST_DOUBLE_FAULT 1
#define IST_STACK_SIZE 4096

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __packed;

struct descriptor_pointer {
	uint16_t limit;
	uint64_t base;
} __packed;

struct x86_cpu_tables {
	uint64_t gdt[5];  /* null, code64, data, TSS (two slots) */
	struct tss tss;
	uint8_t double_fault_stack[IST_STACK_SIZE] __attribute__((aligned(16)));
};

/* Saved by entry.S: general registers, then what the stub and CPU pushed. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

static struct x86_cpu_tables cpu_tables[MAX_CPUS] __attribute__((aligned(16)));
static struct idt_gate idt[256] __attribute__((aligned(16)));
extern char trap_stubs[];

static const char *const exception_names[32] = {
	"divide error (#DE)", "debug (#DB)", "non-maskable interrupt (NMI)",
	"breakpoint (#BP)", "overflow (#OF)", "bound range exceeded (#BR)",
	"invalid opcode (#UD)", "device not available (#NM)",
	"double fault (#DF)", "coprocessor segment overrun",
	"invalid TSS (#TS)", "segment not present (#NP)",
	"stack-segment fault (#SS)", "general protection fault (#GP)",
	"page fault (#PF)", "reserved (15)", "x87 floating-point error (#MF)",
	"alignment check (#AC)", "machine check (#MC)",
	"SIMD floating-point exception (#XM)", "virtualization exception (#VE)",
	"control protection exception (#CP)", "reserved (22)", "reserved (23)",
	"reserved (24)", "reserved (25)", "reserved (26)", "reserved (27)",
	"hypervisor injection exception (#HV)",
	"VMM communication exception (#VC)", "security exception (#SX)",
	"reserved (31)",
};

static void set_gate(unsigned int vector, uintptr_t handler, uint8_t ist)
{
	struct idt_gate *g = &idt[vector];

	g->offset_low = handler & 0xffff;
	g->selector = SEL_CODE64;
	g->ist = ist;
	g->type_attr = 0x8e;  /* present, ring 0, 64-bit interrupt gate */
	g->offset_mid = (handler >> 16) & 0xffff;
	g->offset_high = handler >> 32;
	g->reserved = 0;
}

void x86_idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++)
		set_gate(v, (uintptr_t)trap_stubs + 16 * v,
			 v == 8 ? IST_DOUBLE_FAULT : 0);
}

void x86_cpu_init(struct percpu *cpu)
{
	struct x86_cpu_tables *t = &cpu_tables[cpu->id];
	uintptr_t tss = (uintptr_t)&t->tss;
	struct descriptor_pointer gdtp = { sizeof(t->gdt) - 1, (uintptr_t)t->gdt };
	struct descriptor_pointer idtp = { sizeof(idt) - 1, (uintptr_t)idt };

	t->gdt[0] = 0;
	t->gdt[1] = 0x00af9a000000ffffULL;
	t->gdt[2] = 0x00cf92000000ffffULL;
	t->gdt[3] = (sizeof(struct tss) - 1) | ((tss & 0xffffff) << 16) |
		    (0x89ULL << 40) | ((uint64_t)((tss >> 24) & 0xff) << 56);
	t->gdt[4] = tss >> 32;
	t->tss.ist[IST_DOUBLE_FAULT - 1] =
		(uintptr_t)t->double_fault_stack + sizeof(t->double_fault_stack);
	t->tss.iomap_base = sizeof(struct tss);

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%ss\n\t"
			 "movw %w3, %%fs\n\t"
			 "movw %w3, %%gs\n\t"
			 "ltr %w4\n\t"
			 "lidt %5"
			 :
			 : "m"(gdtp), "i"(SEL_CODE64), "r"(SEL_DATA), "r"(0),
			   "r"(SEL_TSS), "m"(idtp)
			 : "rax", "memory");

	/* Loading GS cleared its base; this_cpu() reads it from here on. */
	cpu->self = cpu;
	wrmsr(MSR_GS_BASE, (uintptr_t)cpu);
	cpu->arch = t;
}

struct percpu *this_cpu(void)
{
	struct percpu *self;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(self));
	return self;
}

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The exception report bypasses the console layer: the fault may have
 * happened while it held its lock.
 */
static void report(const char *fmt, ...)
{
	char line[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	uart_write_raw(line, n);
}

static unsigned int current_cpu_id(void)
{
	/* GS may not be set yet if we fault very early. */
	uint64_t gs = rdmsr(MSR_GS_BASE);

	return gs ? ((struct percpu *)gs)->id : 0;
}

void x86_trap(struct trap_frame *f);

void x86_trap(struct trap_frame *f)
{
	static int report_owner = -1;
	int cpu = (int)current_cpu_id();
	int expected;

	if (f->vector >= 32) {
		/*
		 * X86_KICK_VECTOR and X86_TIMER_VECTOR (<x86_64/wait.h>) only
		 * end a HLT or a guest's run: the EOI is all there is to do,
		 * as for a stray interrupt.  The spurious vector takes none.
		 */
		if (f->vector != 0xff)
			lapic_eoi();
		return;
	}

	/* One report at a time; a fault inside our own report just stops. */
	if (__atomic_load_n(&report_owner, __ATOMIC_RELAXED) == cpu)
		arch_halt();
	do {
		expected = -1;
	} while (!__atomic_compare_exchange_n(&report_owner, &expected, cpu, false,
					      __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));

	report("\r\nCPU%d: EXCEPTION %lu: %s, error code 0x%lx\r\n", cpu,
	       (unsigned long)f->vector, exception_names[f->vector],
	       (unsigned long)f->error_code);
	report("  RIP=%04lx:%016lx RFLAGS=%016lx RSP=%04lx:%016lx\r\n",
	       (unsigned long)f->cs, (unsigned long)f->rip,
	       (unsigned long)f->rflags, (unsigned long)f->ss,
	       (unsigned long)f->rsp);
	report("  RAX=%016lx RBX=%016lx RCX=%016lx RDX=%016lx\r\n",
	       (unsigned long)f->rax, (unsigned long)f->rbx,
	       (unsigned long)f->rcx, (unsigned long)f->rdx);
	report("  RSI=%016lx RDI=%016lx RBP=%016lx\r\n",
	       (unsigned long)f->rsi, (unsigned long)f->rdi,
	       (unsigned long)f->rbp);
	report("  R8 =%016lx R9 =%016lx R10=%016lx R11=%016lx\r\n",
	       (unsigned long)f->r8, (unsigned long)f->r9,
	       (unsigned long)f->r10, (unsigned long)f->r11);
	report("  R12=%016lx R13=%016lx R14=%016lx R15=%016lx\r\n",
	       (unsigned long)f->r12, (unsigned long)f->r13,
	       (unsigned long)f->r14, (unsigned long)f->r15);
	report("  CR0=%016lx CR2=%016lx CR3=%016lx CR4=%016lx\r\n",
	       (unsigned long)read_cr0(), (unsigned long)read_cr2(),
	       (unsigned long)read_cr3(), (unsigned long)read_cr4());
	if (f->vector == 14)
		report("  faulting address %016lx (%s, %s)\r\n",
		       (unsigned long)read_cr2(),
		       (f->error_code & 1) ? "protection violation" : "not present",
		       (f->error_code & 2) ? "write" : "read");
	report("CPU%d halted.\r\n", cpu);
	__atomic_store_n(&report_owner, -1, __ATOMIC_RELEASE);
	arch_halt();
}
