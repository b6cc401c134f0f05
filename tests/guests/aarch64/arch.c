/* SPDX-License-Identifier: MIT */
/*
 * <guest.h> on aarch64, for the virt machine (Tessera's and QEMU's: the
 * same memory map).  The guest runs at EL1 with the MMU off, so every
 * data access is Device memory: nothing is cached, and shared variables
 * between CPUs need only `volatile` and the barriers below.
 *
 *   0x08000000  GICv3 distributor      0x080A0000  redistributors, 128 KiB each
 *   0x09000000  PL011 UART             PSCI over HVC (CPU_ON, SYSTEM_OFF)
 */
#include <guest.h>

#define UART_BASE       0x09000000ul
#define UART_DR         0x000
#define UART_FR         0x018
#define UART_FR_TXFF    (1u << 5)
#define UART_LCR_H      0x02C
#define UART_LCR_H_8BIT (3u << 5)
#define UART_CR         0x030
#define UART_CR_ON      0x301           /* UARTEN, TXE, RXE */

#define GICD_BASE       0x08000000ul
#define GICD_CTLR       0x0000
#define GICD_CTLR_GRP1  (1u << 1)       /* EnableGrp1 (one security state) */
#define GICD_CTLR_ARE   (1u << 4)
#define GICD_CTLR_RWP   (1u << 31)
#define GICR_BASE       0x080A0000ul
#define GICR_STRIDE     0x20000ul
#define GICR_WAKER      0x0014
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_SGI        0x10000ul       /* the SGI_base frame          */
#define GICR_IGROUPR0   0x0080
#define GICR_ISENABLER0 0x0100
#define GIC_SPURIOUS    1020

#define PSCI_CPU_ON     0xC4000003ul
#define PSCI_SYSTEM_OFF 0x84000008ul

/* Vector slots (VBAR_EL1 + 0x80 * slot) that are IRQs at EL1. */
#define SLOT_IRQ_SP0    1
#define SLOT_IRQ_SPX    5

#define STACK_SIZE      (16u * 1024)    /* start.S: STACK_SHIFT */

uint8_t guest_stacks[GUEST_MAX_CPUS][STACK_SIZE] __attribute__((aligned(16)));

static void (*volatile start_fn[GUEST_MAX_CPUS])(unsigned int cpu);
static volatile bool cpu_running[GUEST_MAX_CPUS];
static guest_irq_handler irq_handler[GUEST_MAX_CPUS];
static volatile bool distributor_on;

extern char guest_secondary_entry[];

#define read_sysreg(r) ({ uint64_t _v; __asm__ volatile("mrs %0, " #r : "=r"(_v)); _v; })
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")

static inline uint32_t mmio_read32(uintptr_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uintptr_t addr, uint32_t value)
{
	*(volatile uint32_t *)addr = value;
}

/* SMCCC over HVC: x0 = function, x1-x3 arguments, result in x0. */
static int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (int64_t)x0;
}

void guest_putc(char c)
{
	while (mmio_read32(UART_BASE + UART_FR) & UART_FR_TXFF)
		;
	mmio_write32(UART_BASE + UART_DR, (uint8_t)c);
}

void guest_poweroff(void)
{
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

unsigned int guest_cpu_id(void)
{
	return (unsigned int)(read_sysreg(mpidr_el1) & 0xff);
}

void guest_cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

/* start.S, on every CPU once it has a stack: CPU 0 runs the test. */
__attribute__((noreturn)) void guest_cpu_start(unsigned int cpu)
{
	if (cpu == 0) {
		mmio_write32(UART_BASE + UART_LCR_H, UART_LCR_H_8BIT);
		mmio_write32(UART_BASE + UART_CR, UART_CR_ON);
		guest_main();
		guest_poweroff();
	}
	cpu_running[cpu] = true;
	start_fn[cpu](cpu);
	guest_fail("CPU %u: its function returned", cpu);
}

bool guest_start_cpu(unsigned int cpu, void (*fn)(unsigned int cpu))
{
	int64_t ret;

	if (cpu == 0 || cpu >= GUEST_MAX_CPUS)
		return false;
	start_fn[cpu] = fn;
	cpu_running[cpu] = false;
	/* The virt machine's CPU n has MPIDR Aff0 = n; the context id is the CPU number. */
	ret = psci_call(PSCI_CPU_ON, cpu, (uint64_t)(uintptr_t)guest_secondary_entry, cpu);
	if (ret != 0) {
		guest_printf("PSCI CPU_ON of CPU %u: error %lld\n", cpu, (long long)ret);
		return false;
	}
	for (uint64_t spins = 0; !cpu_running[cpu]; spins++) {
		if (spins == (1ull << 28))
			return false;
		guest_cpu_relax();
	}
	return true;
}

uint64_t guest_counter(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

const char *guest_counter_name(void)
{
	return "CNTVCT";
}

uint64_t guest_counter_hz(void)
{
	return read_sysreg(cntfrq_el0);
}

/* ---- the GICv3 ---- */

static uintptr_t this_redistributor(void)
{
	return GICR_BASE + guest_cpu_id() * GICR_STRIDE;
}

void guest_irq_init_cpu(guest_irq_handler handler)
{
	uintptr_t rd = this_redistributor();

	irq_handler[guest_cpu_id()] = handler;
	if (!distributor_on) {
		mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1);
		while (mmio_read32(GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP)
			;
		distributor_on = true;
	}
	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
	while (mmio_read32(rd + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP)
		;
	/* SGIs and PPIs in Group 1 (the only group ICC_SGI1R_EL1 and ICC_IAR1_EL1 deal with). */
	mmio_write32(rd + GICR_SGI + GICR_IGROUPR0, 0xffffffffu);
	/* The CPU interface: system registers, every priority, Group 1 on. */
	write_sysreg(S3_0_C12_C12_5, read_sysreg(S3_0_C12_C12_5) | 1);   /* ICC_SRE_EL1.SRE */
	isb();
	write_sysreg(S3_0_C4_C6_0, 0xff);                                   /* ICC_PMR_EL1 */
	write_sysreg(S3_0_C12_C12_3, 0);                                    /* ICC_BPR1_EL1 */
	write_sysreg(S3_0_C12_C12_7, 1);                                    /* ICC_IGRPEN1_EL1 */
	isb();
}

void guest_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

void guest_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

void guest_wait_for_interrupt(void)
{
	__asm__ volatile("dsb sy; wfi" ::: "memory");
}

unsigned int guest_ipi_irq(unsigned int n)
{
	return n;            /* SGI n is INTID n */
}

void guest_ipi_enable(unsigned int n)
{
	mmio_write32(this_redistributor() + GICR_SGI + GICR_ISENABLER0, 1u << n);
}

void guest_ipi_send(unsigned int cpu, unsigned int n)
{
	/* ICC_SGI1R_EL1: INTID in 27:24, Aff3-Aff1 = 0, target list bit = Aff0. */
	uint64_t sgi1r = (uint64_t)(n & 0xf) << 24 | 1u << (cpu & 0xf);

	/* What this CPU wrote before is visible to the target before it takes the SGI. */
	__asm__ volatile("dsb sy" ::: "memory");
	write_sysreg(S3_0_C12_C11_5, sgi1r);                                /* ICC_SGI1R_EL1 */
	isb();
}

uint64_t guest_mmio_read(uintptr_t addr, unsigned int width)
{
	uint64_t v;

	switch (width) {
	case 1: __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(addr) : "memory"); break;
	case 2: __asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(addr) : "memory"); break;
	case 4: __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory"); break;
	default: __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory"); break;
	}
	return v;
}

void guest_mmio_write(uintptr_t addr, unsigned int width, uint64_t value)
{
	switch (width) {
	case 1: __asm__ volatile("strb %w0, [%1]" : : "r"(value), "r"(addr) : "memory"); break;
	case 2: __asm__ volatile("strh %w0, [%1]" : : "r"(value), "r"(addr) : "memory"); break;
	case 4: __asm__ volatile("str %w0, [%1]" : : "r"(value), "r"(addr) : "memory"); break;
	default: __asm__ volatile("str %0, [%1]" : : "r"(value), "r"(addr) : "memory"); break;
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
	 * __builtin_setjmp: the compiler saves what it needs (frame, stack,
	 * the resume address); guest_vector() jumps back with
	 * __builtin_longjmp, from the exception's own stack frame, which is
	 * simply dropped (it is below ours on SP_EL1).
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

/* IRQ slots: from EL1 (SP0, SPx) and from EL0 (AArch64, AArch32). */
static bool slot_is_irq(unsigned int slot)
{
	return slot == SLOT_IRQ_SP0 || slot == SLOT_IRQ_SPX || slot == 9 || slot == 13;
}

/* start.S: every exception.  Interrupts are acknowledged, handled and ended; the rest is fatal. */
void guest_vector(unsigned int slot)
{
	unsigned int cpu = guest_cpu_id();
	uint64_t iar;
	uint32_t intid;

	if (!slot_is_irq(slot) && trying[cpu % GUEST_MAX_CPUS]) {
		struct guest_fault *f = &caught[cpu % GUEST_MAX_CPUS];

		f->syndrome = read_sysreg(esr_el1);
		f->code = (unsigned int)(f->syndrome >> 26) & 0x3f;
		f->address = read_sysreg(far_el1);
		f->pc = read_sysreg(elr_el1);
		__builtin_longjmp(try_jump[cpu % GUEST_MAX_CPUS], 1);
	}
	if (!slot_is_irq(slot))
		guest_fail("CPU %u: exception (vector slot %u) ESR_EL1 0x%llx ELR_EL1 0x%llx "
			   "FAR_EL1 0x%llx", cpu, slot, (unsigned long long)read_sysreg(esr_el1),
			   (unsigned long long)read_sysreg(elr_el1),
			   (unsigned long long)read_sysreg(far_el1));
	iar = read_sysreg(S3_0_C12_C12_0);                                  /* ICC_IAR1_EL1 */
	intid = (uint32_t)iar & 0xffffff;
	if (intid >= GIC_SPURIOUS && intid <= 1023)
		return;
	if (irq_handler[cpu])
		irq_handler[cpu](intid);
	write_sysreg(S3_0_C12_C12_1, iar);                                  /* ICC_EOIR1_EL1 */
	isb();
}
