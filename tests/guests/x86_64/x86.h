/* SPDX-License-Identifier: MIT */
/*
 * x86_64 test guests: the instructions and registers the runtime (arch.c)
 * and the x86-only guests (tests/guests/x86_64/<name>.c) both use.  Only
 * what runs at CPL 0 on the pc machine: port I/O, MSRs, CPUID, the TSC,
 * the xAPIC's registers and PCI configuration mechanism #1.
 */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdint.h>

/* ---- the local APIC (xAPIC, MMIO at its reset base) ---- */
#define LAPIC_BASE          0xFEE00000ul
#define LAPIC_TPR           0x080
#define LAPIC_EOI           0x0B0
#define LAPIC_SVR           0x0F0
#define LAPIC_SVR_ENABLE    0x100
#define LAPIC_ICR_LOW       0x300
#define LAPIC_ICR_HIGH      0x310
#define LAPIC_LVT_TIMER     0x320
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE  0x3E0
#define LAPIC_DIVIDE_BY_1   0xB
#define LVT_MASKED          (1u << 16)
#define LVT_ONE_SHOT        (0u << 17)
#define LVT_TSC_DEADLINE    (2u << 17)

/* ---- MSRs ---- */
#define MSR_TSC_DEADLINE    0x6E0

/* ---- PCI configuration mechanism #1 ---- */
#define PCI_CONFIG_ADDRESS  0xCF8
#define PCI_CONFIG_DATA     0xCFC

/* ---- the PIIX4's ACPI PM block (00:01.3), placed where SeaBIOS and QEMU put it ---- */
#define PIIX4_PM            (1u << 11 | 3u << 8)    /* bus 0, device 1, function 3 */
#define PIIX4_PMBA          0x40
#define PIIX4_PMREGMISC     0x80
#define PM_BASE             0x600
#define PM1_CNT             0x04
#define PM1_CNT_SLP_EN      (1u << 13)              /* SLP_TYP 0: S5 on these boards */
#define PM_TMR              0x08                    /* 24-bit, 3.579545 MHz */
#define PM_TIMER_HZ         3579545u

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
			 : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint32_t lapic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(LAPIC_BASE + reg);
}

static inline void lapic_write(uint32_t reg, uint32_t value)
{
	*(volatile uint32_t *)(LAPIC_BASE + reg) = value;
}

/* devfn: bus << 16 | device << 11 | function << 8. */
static inline void pci_config_write32(uint32_t devfn, uint8_t reg, uint32_t value)
{
	outl(PCI_CONFIG_ADDRESS, 0x80000000u | devfn | (reg & 0xFC));
	outl(PCI_CONFIG_DATA, value);
}

/* The PM block's I/O space on at PM_BASE (the ACPI PM timer, PM1 control). */
static inline void piix4_pm_enable(void)
{
	pci_config_write32(PIIX4_PM, PIIX4_PMBA, PM_BASE | 1);
	pci_config_write32(PIIX4_PM, PIIX4_PMREGMISC, 1);
}

#endif
