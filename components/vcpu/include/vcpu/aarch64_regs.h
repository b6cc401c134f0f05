/* SPDX-License-Identifier: MIT */
/*
 * aarch64 register numbers for vcpu_get_reg()/vcpu_set_reg(), beyond the
 * generic enum vcpu_reg, and the encoding of trapped system registers in
 * struct vcpu_sysreg_access.  Only aarch64-specific code (board set-up,
 * the vGIC, PSCI) includes this.
 */
#ifndef VCPU_AARCH64_REGS_H
#define VCPU_AARCH64_REGS_H

#include <vcpu/vcpu.h>

/* x0..x30: VCPU_REG_AARCH64_X(n). */
#define VCPU_REG_AARCH64_X(n)       (VCPU_REG_ARCH_BASE + (unsigned int)(n))
#define VCPU_REG_AARCH64_PSTATE     (VCPU_REG_ARCH_BASE + 31)  /* SPSR_EL2 of the guest */
#define VCPU_REG_AARCH64_SP_EL0     (VCPU_REG_ARCH_BASE + 32)
#define VCPU_REG_AARCH64_SCTLR_EL1  (VCPU_REG_ARCH_BASE + 33)
#define VCPU_REG_AARCH64_VBAR_EL1   (VCPU_REG_ARCH_BASE + 34)
#define VCPU_REG_AARCH64_MPIDR      (VCPU_REG_ARCH_BASE + 35)  /* VMPIDR_EL2, read-only */

/* PSTATE values: EL1 with SP_EL1, D, A, I, F masked (the reset state). */
#define AARCH64_PSTATE_EL1H     0x5u
#define AARCH64_PSTATE_DAIF     0x3c0u

/*
 * struct vcpu_sysreg_access.id on aarch64: the MRS/MSR operands as in
 * ESR_EL2.ISS of exception class 0x18 (Op0, Op1, CRn, CRm, Op2).
 */
#define VCPU_SYSREG_ID(op0, op1, crn, crm, op2)                                   \
	((uint32_t)(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2)))
#define VCPU_SYSREG_OP0(id) (((id) >> 14) & 3)
#define VCPU_SYSREG_OP1(id) (((id) >> 11) & 7)
#define VCPU_SYSREG_CRN(id) (((id) >> 7) & 15)
#define VCPU_SYSREG_CRM(id) (((id) >> 3) & 15)
#define VCPU_SYSREG_OP2(id) ((id) & 7)

/*
 * The virtual MPIDR of vCPU index (what the guest reads as MPIDR_EL1):
 * Aff0 = index bits 3:0, Aff1 = bits 11:4, Aff2 = bits 19:12, as GICv3
 * redistributors expect 16 CPUs per Aff0 group.  Bit 31 is RES1.
 */
static inline uint64_t vcpu_aarch64_mpidr_of_index(unsigned int index)
{
	return (1ULL << 31) | (uint64_t)(index & 0xf) | ((uint64_t)((index >> 4) & 0xff) << 8) |
	       ((uint64_t)((index >> 12) & 0xff) << 16);
}

#endif
