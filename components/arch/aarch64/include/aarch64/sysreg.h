/* SPDX-License-Identifier: MIT */
/* System register access and the register bits the EL2 code uses. */
#ifndef AARCH64_SYSREG_H
#define AARCH64_SYSREG_H

#include <stdint.h>

#define read_sysreg(reg) ({                                              \
	uint64_t value_;                                                 \
	__asm__ volatile("mrs %0, " #reg : "=r"(value_));                \
	value_;                                                          \
})

#define write_sysreg(reg, value) \
	__asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(value)) : "memory")

#define isb() __asm__ volatile("isb" : : : "memory")
#define dsb(option) __asm__ volatile("dsb " #option : : : "memory")

static inline unsigned int current_el(void)
{
	return (unsigned int)(read_sysreg(CurrentEL) >> 2) & 3;
}

/* MPIDR affinity fields Aff3..Aff0, the id PSCI and the DTB use. */
#define MPIDR_AFFINITY_MASK 0xff00ffffffULL

static inline uint64_t this_cpu_mpidr(void)
{
	return read_sysreg(mpidr_el1) & MPIDR_AFFINITY_MASK;
}

/* HCR_EL2 */
#define HCR_EL2_RW  (1ULL << 31)   /* EL1 is AArch64 */
#define HCR_EL2_E2H (1ULL << 34)
#define HCR_EL2_TGE (1ULL << 27)

/* SCTLR_EL2 (E2H = 0) */
#define SCTLR_EL2_M   (1ULL << 0)
#define SCTLR_EL2_A   (1ULL << 1)
#define SCTLR_EL2_C   (1ULL << 2)
#define SCTLR_EL2_SA  (1ULL << 3)
#define SCTLR_EL2_I   (1ULL << 12)
#define SCTLR_EL2_RES1 0x30c50830ULL

/* TCR_EL2 (E2H = 0) */
#define TCR_EL2_RES1        ((1ULL << 31) | (1ULL << 23))
#define TCR_EL2_T0SZ(bits)  ((uint64_t)(64 - (bits)))
#define TCR_EL2_IRGN0_WBWA  (1ULL << 8)
#define TCR_EL2_ORGN0_WBWA  (1ULL << 10)
#define TCR_EL2_SH0_INNER   (3ULL << 12)
#define TCR_EL2_TG0_4K      (0ULL << 14)
#define TCR_EL2_PS_SHIFT    16

/* CPTR_EL2 (E2H = 0): bits 13:12, 9 and 7:0 are RES1; nothing trapped. */
#define CPTR_EL2_RES1 0x32ffULL

/* CNTHCTL_EL2 (E2H = 0): EL1 may use the physical counter and timer. */
#define CNTHCTL_EL2_EL1PCTEN (1ULL << 0)
#define CNTHCTL_EL2_EL1PCEN  (1ULL << 1)

/* ESR_ELx */
#define ESR_EC_SHIFT 26
#define ESR_EC(esr) (((esr) >> ESR_EC_SHIFT) & 0x3f)
#define ESR_ISS(esr) ((esr) & 0x1ffffff)

#endif
