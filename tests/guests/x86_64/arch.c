/* SPDX-License-Identifier: MIT */
/*
 * <guest.h> on x86_64, for the pc machine (Tessera's, QEMU's and Bochs'
 * PC: the same addresses).  start.S has put the CPU in long mode with the
 * first 4 GiB identity-mapped.
 *
 *   0x3F8       COM1 (16550)                  0xFEE00000  the LAPIC (xAPIC, MMIO)
 *   0xCF8/CFC   PCI configuration             00:01.3     PIIX4 PM: ACPI S5 powers off
 *   0x8000      where the AP trampoline is copied (SIPI vector 0x08)
 */
#include <guest.h>

#include "x86.h"

#define COM1            0x3F8
#define COM_LCR         3
#define COM_LSR         5
#define COM_LSR_THRE    0x20

#define ICR_FIXED       0x00000
#define ICR_INIT        0x00500
#define ICR_STARTUP     0x00600
#define ICR_ASSERT      0x04000
#define ICR_PENDING     0x01000          /* delivery status: send pending */
#define SPURIOUS_VECTOR 0xFF
#define IPI_VECTOR_BASE 0x40

#define TRAMPOLINE      0x8000ul
#define SIPI_VECTOR     (TRAMPOLINE >> 12)
#define SEL_CODE64      0x18
#define STACK_SIZE      (16u * 1024)     /* start.S: STACK_SHIFT */

uint8_t guest_stacks[GUEST_MAX_CPUS][STACK_SIZE] __attribute__((aligned(16)));
/* Page tables start.S fills (CPU 0) and loads (every CPU). */
uint64_t guest_pml4[512] __attribute__((aligned(4096)));
uint64_t guest_pdpt[512] __attribute__((aligned(4096)));
uint64_t guest_pd[4][512] __attribute__((aligned(4096)));

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;                    /* 0x8E: present, DPL 0, interrupt gate */
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};
static struct idt_gate idt[256] __attribute__((aligned(16)));

static void (*volatile start_fn[GUEST_MAX_CPUS])(unsigned int cpu);
static volatile bool cpu_running[GUEST_MAX_CPUS];
static guest_irq_handler irq_handler[GUEST_MAX_CPUS];

extern const char guest_isr_stubs[];
extern const uint64_t guest_ap_trampoline_address, guest_ap_trampoline_size;

void guest_putc(char c)
{
	while (!(inb(COM1 + COM_LSR) & COM_LSR_THRE))
		;
	outb(COM1, (uint8_t)c);
}

/* ACPI S5 through the PIIX4's PM block, placed where the firmware would put it. */
void guest_poweroff(void)
{
	piix4_pm_enable();
	outw(PM_BASE + PM1_CNT, PM1_CNT_SLP_EN);
	for (;;)
		__asm__ volatile("cli; hlt");
}

unsigned int guest_cpu_id(void)
{
	return cpuid(1, 0).ebx >> 24;         /* the initial APIC id */
}

void guest_cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static void idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++) {
		uint64_t handler = (uint64_t)(uintptr_t)(guest_isr_stubs + 16 * v);

		idt[v] = (struct idt_gate){
			.offset_low = (uint16_t)handler,
			.selector = SEL_CODE64,
			.type = 0x8E,
			.offset_mid = (uint16_t)(handler >> 16),
			.offset_high = (uint32_t)(handler >> 32),
		};
	}
}

static void idt_load(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} desc = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(desc));
}

/* start.S, on every CPU in long mode with a stack: CPU 0 runs the test. */
__attribute__((noreturn)) void guest_cpu_start(unsigned int cpu)
{
	if (cpu == 0)
		idt_init();
	idt_load();
	if (cpu == 0) {
		/* COM1: 8 data bits, no parity, one stop bit; no interrupts. */
		outb(COM1 + COM_LCR, 0x03);
		outb(COM1 + 1, 0);
		guest_main();
		guest_poweroff();
	}
	if (cpu >= GUEST_MAX_CPUS || !start_fn[cpu])
		guest_fail("CPU with APIC id %u started, but nobody asked for it", cpu);
	cpu_running[cpu] = true;
	start_fn[cpu](cpu);
	guest_fail("CPU %u: its function returned", cpu);
}

static void send_ipi(unsigned int apic_id, uint32_t icr_low)
{
	lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
	lapic_write(LAPIC_ICR_LOW, icr_low);
	while (lapic_read(LAPIC_ICR_LOW) & ICR_PENDING)
		guest_cpu_relax();
}

bool guest_start_cpu(unsigned int cpu, void (*fn)(unsigned int cpu))
{
	volatile uint8_t *to = (volatile uint8_t *)TRAMPOLINE;
	const uint8_t *from = (const uint8_t *)(uintptr_t)guest_ap_trampoline_address;

	if (cpu == 0 || cpu >= GUEST_MAX_CPUS)
		return false;
	for (uint64_t i = 0; i < guest_ap_trampoline_size; i++)
		to[i] = from[i];
	start_fn[cpu] = fn;
	cpu_running[cpu] = false;
	/* The APIC id of CPU n is n.  INIT, then STARTUP at the trampoline (again if it is slow). */
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | SPURIOUS_VECTOR);
	send_ipi(cpu, ICR_INIT | ICR_ASSERT);
	for (unsigned int attempt = 0; attempt < 2; attempt++) {
		send_ipi(cpu, ICR_STARTUP | ICR_ASSERT | SIPI_VECTOR);
		for (uint64_t spins = 0; spins < (1ull << 24); spins++) {
			if (cpu_running[cpu])
				return true;
			guest_cpu_relax();
		}
	}
	return false;
}

uint64_t guest_counter(void)
{
	return rdtsc();
}

const char *guest_counter_name(void)
{
	return "TSC";
}

uint64_t guest_counter_hz(void)
{
	return 0;
}

/* ---- the LAPIC ---- */

void guest_irq_init_cpu(guest_irq_handler handler)
{
	irq_handler[guest_cpu_id() % GUEST_MAX_CPUS] = handler;
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | SPURIOUS_VECTOR);
}

void guest_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

void guest_irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

void guest_wait_for_interrupt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}

unsigned int guest_ipi_irq(unsigned int n)
{
	return IPI_VECTOR_BASE + n;
}

void guest_ipi_enable(unsigned int n)
{
	(void)n;              /* fixed vectors are always accepted */
}

void guest_ipi_send(unsigned int cpu, unsigned int n)
{
	send_ipi(cpu, ICR_FIXED | ICR_ASSERT | guest_ipi_irq(n));
}

uint64_t guest_mmio_read(uintptr_t addr, unsigned int width)
{
	uint64_t v = 0;

	switch (width) {
	case 1: __asm__ volatile("movb (%1), %b0" : "+q"(v) : "r"(addr) : "memory"); break;
	case 2: __asm__ volatile("movw (%1), %w0" : "+r"(v) : "r"(addr) : "memory"); break;
	case 4: __asm__ volatile("movl (%1), %k0" : "+r"(v) : "r"(addr) : "memory"); break;
	default: __asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(addr) : "memory"); break;
	}
	return v;
}

void guest_mmio_write(uintptr_t addr, unsigned int width, uint64_t value)
{
	switch (width) {
	case 1: __asm__ volatile("movb %b0, (%1)" : : "q"(value), "r"(addr) : "memory"); break;
	case 2: __asm__ volatile("movw %w0, (%1)" : : "r"(value), "r"(addr) : "memory"); break;
	case 4: __asm__ volatile("movl %k0, (%1)" : : "r"(value), "r"(addr) : "memory"); break;
	default: __asm__ volatile("movq %0, (%1)" : : "r"(value), "r"(addr) : "memory"); break;
	}
}

/* guest_try(): where to go back to on each CPU, and what it caught. */
static void *try_jump[GUEST_MAX_CPUS][5];
static volatile bool trying[GUEST_MAX_CPUS];
static struct guest_fault caught[GUEST_MAX_CPUS];

int guest_try(void (*fn)(void *arg), void *arg, struct guest_fault *fault)
{
	unsigned int cpu = guest_cpu_id() % GUEST_MAX_CPUS;

	/*
	 * __builtin_setjmp: the compiler saves frame, stack and resume
	 * address; guest_x86_interrupt() jumps back with __builtin_longjmp
	 * and the exception's frame (on this stack, or on the TSS's RSP0
	 * stack when the fault came from CPL 3) is dropped.  The interrupt
	 * gate cleared IF; tests run with interrupts off.
	 */
	if (__builtin_setjmp(try_jump[cpu])) {
		trying[cpu] = false;
		guest_barrier();
		if (fault)
			*fault = caught[cpu];
		return (int)caught[cpu].code;
	}
	trying[cpu] = true;
	guest_barrier();
	fn(arg);
	trying[cpu] = false;
	return -1;
}

/* Exceptions that push an error code (SDM vol. 3, table 6-1). */
static bool has_error_code(uint64_t vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 ||
	       vector == 29 || vector == 30;
}

/* start.S: every vector.  Interrupts are handled and ended at the LAPIC; exceptions are fatal. */
void guest_x86_interrupt(uint64_t vector, const uint64_t *frame)
{
	unsigned int cpu = guest_cpu_id() % GUEST_MAX_CPUS;

	if (vector < 32 && trying[cpu]) {
		struct guest_fault *f = &caught[cpu];
		bool ec = has_error_code(vector);
		uint64_t cr2;

		__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
		f->code = (unsigned int)vector;
		f->syndrome = ec ? frame[0] : 0;
		f->address = cr2;
		f->pc = frame[ec ? 1 : 0];
		__builtin_longjmp(try_jump[cpu], 1);
	}
	if (vector < 32)
		guest_fail("CPU %u: exception %llu, frame 0x%llx 0x%llx 0x%llx (RIP is the "
			   "first word, or the second after an error code)", cpu,
			   (unsigned long long)vector, (unsigned long long)frame[0],
			   (unsigned long long)frame[1], (unsigned long long)frame[2]);
	if (vector == SPURIOUS_VECTOR)
		return;          /* no EOI for the spurious vector */
	if (irq_handler[cpu])
		irq_handler[cpu]((unsigned int)vector);
	lapic_write(LAPIC_EOI, 0);
}
