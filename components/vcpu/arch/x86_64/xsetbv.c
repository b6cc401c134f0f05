/* SPDX-License-Identifier: MIT */
/*
 * XSETBV: the guest's XCR0, which the hypervisor then loads into the
 * hardware (it executes XSETBV in VMX root, where a #GP would be the
 * host's).  So only an explicit whitelist of states passes, each
 * component only with the ones the SDM (vol. 1, 13.3 "Enabling the
 * XSAVE feature set and XSAVE-enabled features") says it needs:
 *
 *   x87 always; AVX needs SSE; MPX: BNDREGS and BNDCSR together;
 *   AVX-512: opmask, ZMM_Hi256 and Hi16_ZMM together, and with AVX;
 *   AMX: XTILECFG and XTILEDATA together; PKRU alone
 *
 * and nothing the host's CPUID.(EAX=0xD,ECX=0) does not list.  Anything
 * else (reserved or supervisor-state bits, half pairs, ECX != 0, CPL > 0)
 * is #GP for the guest; without CR4.OSXSAVE the instruction is #UD.
 */
#include "x86_vcpu.h"

#define XCR0_AVX512 (X86_XCR0_OPMASK | X86_XCR0_ZMM_HI256 | X86_XCR0_HI16_ZMM)
#define XCR0_MPX    (X86_XCR0_BNDREGS | X86_XCR0_BNDCSR)
#define XCR0_AMX    (X86_XCR0_XTILECFG | X86_XCR0_XTILEDATA)
#define XCR0_KNOWN  (X86_XCR0_X87 | X86_XCR0_SSE | X86_XCR0_AVX | XCR0_MPX | XCR0_AVX512 | \
		     X86_XCR0_PKRU | XCR0_AMX)

/* A group of bits that must be all set or all clear. */
static bool all_or_none(uint64_t value, uint64_t group)
{
	return (value & group) == 0 || (value & group) == group;
}

enum x86_xsetbv_result x86_xsetbv_policy(uint32_t index, uint64_t value, uint64_t supported,
					 bool osxsave, unsigned int cpl)
{
	if (!osxsave)
		return X86_XSETBV_UD;
	if (cpl != 0 || index != 0)
		return X86_XSETBV_GP;
	if (value & ~(XCR0_KNOWN & supported))
		return X86_XSETBV_GP;
	if (!(value & X86_XCR0_X87))
		return X86_XSETBV_GP;
	if ((value & X86_XCR0_AVX) && !(value & X86_XCR0_SSE))
		return X86_XSETBV_GP;
	if (!all_or_none(value, XCR0_MPX) || !all_or_none(value, XCR0_AVX512) ||
	    !all_or_none(value, XCR0_AMX))
		return X86_XSETBV_GP;
	if ((value & XCR0_AVX512) && !(value & X86_XCR0_AVX))
		return X86_XSETBV_GP;
	return X86_XSETBV_OK;
}

enum x86_action x86_handle_xsetbv(struct vcpu *v)
{
	uint64_t *gpr = x86_gprs(v);
	uint64_t value = (gpr[X86_RAX] & 0xffffffffull) | (gpr[X86_RDX] << 32);

	switch (x86_xsetbv_policy((uint32_t)gpr[X86_RCX], value, x86_host_caps()->xcr0_supported,
				  x86_get_cr4(v) & X86_CR4_OSXSAVE, x86_get_cpl(v))) {
	case X86_XSETBV_UD:
		x86_inject_exception(v, X86_VECTOR_UD, false, 0);
		return X86_RESUME;
	case X86_XSETBV_GP:
		x86_inject_exception(v, X86_VECTOR_GP, true, 0);
		return X86_RESUME;
	default:
		x86_set_xcr0(v, value);
		x86_skip_instruction(v);
		return X86_RESUME;
	}
}
