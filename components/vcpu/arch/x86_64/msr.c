/* SPDX-License-Identifier: MIT */
/*
 * RDMSR/WRMSR: the MSRs a firmware and Linux touch that are not passed
 * through (the MSR bitmap passes FS/GS base, SYSENTER_*, the SYSCALL MSRs
 * and TSC_AUX).  Emulated here: TSC (an offset), IA32_FEATURE_CONTROL
 * (locked, VMX off), BIOS_SIGN_ID, MTRRcap (8 variable ranges, fixed
 * ranges, WC) with MTRRdefType, the fixed and variable MTRRs with their
 * reserved-bit checks, PAT, EFER (LME frozen while paging is on),
 * MISC_ENABLE (fast strings), DEBUGCTL (reads 0), PLATFORM_ID (reads 0:
 * no platform bits, so no microcode patch matches; EDK2's CpuMpPei and
 * MicrocodeLib read it on every Intel CPU), XSS (0 only: CPUID leaf 0xD
 * offers no supervisor state, and the hardware keeps the host's 0 while
 * the guest's XSAVES runs).  IA32_APIC_BASE and
 * TSC_DEADLINE belong to the VM's LAPIC: a SYSREG exit.  Anything else
 * is #GP, reported once.
 *
 * x86_msr_read()/x86_msr_write() are pure: the state and the inputs in,
 * the answer or the new state out.
 */
#include "x86_vcpu.h"
#include <vcpu/x86_regs.h>

#define MTRR_CAP_VALUE (0x500u | X86_GUEST_VARIABLE_MTRRS)   /* WC, fixed ranges, VCNT */
#define MISC_ENABLE_FAST_STRINGS 1ull
#define MISC_ENABLE_RO_BITS ((1ull << 11) | (1ull << 12))  /* BTS, PEBS unavailable */
#define EFER_LMA (1ull << 10)
#define CR0_PG (1ull << 31)

void x86_msr_reset(struct x86_msr_state *s)
{
	for (unsigned int i = 0; i < X86_GUEST_FIXED_MTRRS; i++)
		s->mtrr_fixed[i] = 0;
	for (unsigned int i = 0; i < 2 * X86_GUEST_VARIABLE_MTRRS; i++)
		s->mtrr_var[i] = 0;
	s->mtrr_def_type = 0;
	s->pat = X86_PAT_RESET;
	s->misc_enable = MISC_ENABLE_FAST_STRINGS;
	s->efer = 0;
}

static bool mtrr_type_ok(uint64_t type)
{
	return type == 0 || type == 1 || type == 4 || type == 5 || type == 6;
}

static int fixed_mtrr_index(uint32_t msr)
{
	if (msr == X86_MSR_MTRR_FIX_64K)
		return 0;
	if (msr == X86_MSR_MTRR_FIX_16K_80000)
		return 1;
	if (msr == X86_MSR_MTRR_FIX_16K_A0000)
		return 2;
	if (msr >= X86_MSR_MTRR_FIX_4K_C0000 && msr <= X86_MSR_MTRR_FIX_4K_C0000 + 7)
		return 3 + (int)(msr - X86_MSR_MTRR_FIX_4K_C0000);
	return -1;
}

static bool is_variable_mtrr(uint32_t msr)
{
	return msr >= X86_MSR_MTRR_PHYS_BASE0 &&
	       msr < X86_MSR_MTRR_PHYS_BASE0 + 2 * X86_GUEST_VARIABLE_MTRRS;
}

static uint64_t physical_address_mask(const struct x86_host_caps *caps)
{
	unsigned int bits = caps->phys_bits ? caps->phys_bits : 36;

	if (bits > 52)
		bits = 52;
	return ((1ull << bits) - 1) & ~0xfffull;
}

static bool pat_ok(uint64_t pat)
{
	for (int i = 0; i < 8; i++) {
		uint64_t type = (pat >> (8 * i)) & 0xff;

		if (type == 2 || type == 3 || type > 7)
			return false;
	}
	return true;
}

enum x86_msr_result x86_msr_read(const struct x86_msr_state *s, const struct x86_msr_env *env,
				 uint32_t msr, uint64_t *value)
{
	int fixed = fixed_mtrr_index(msr);

	if (fixed >= 0) {
		*value = s->mtrr_fixed[fixed];
		return X86_MSR_DONE;
	}
	if (is_variable_mtrr(msr)) {
		*value = s->mtrr_var[msr - X86_MSR_MTRR_PHYS_BASE0];
		return X86_MSR_DONE;
	}
	switch (msr) {
	case X86_MSR_APIC_BASE:
	case X86_MSR_TSC_DEADLINE:
		return X86_MSR_TO_VM;
	case X86_MSR_TSC: *value = env->host_tsc + s->tsc_offset; return X86_MSR_DONE;
	case X86_MSR_FEATURE_CONTROL: *value = 1; return X86_MSR_DONE;   /* locked, VMX off */
	case X86_MSR_BIOS_SIGN_ID: *value = 0; return X86_MSR_DONE;
	case X86_MSR_PLATFORM_ID: *value = 0; return X86_MSR_DONE;
	case X86_MSR_XSS:
		if (!env->caps->xsaves)
			return X86_MSR_FAULT;
		*value = 0;
		return X86_MSR_DONE;
	case X86_MSR_MTRR_CAP: *value = MTRR_CAP_VALUE; return X86_MSR_DONE;
	case X86_MSR_MTRR_DEF_TYPE: *value = s->mtrr_def_type; return X86_MSR_DONE;
	case X86_MSR_PAT: *value = s->pat; return X86_MSR_DONE;
	case X86_MSR_EFER: *value = s->efer; return X86_MSR_DONE;
	case X86_MSR_MISC_ENABLE: *value = s->misc_enable | MISC_ENABLE_RO_BITS; return X86_MSR_DONE;
	case X86_MSR_DEBUGCTL: *value = 0; return X86_MSR_DONE;
	default: return X86_MSR_FAULT;
	}
}

static enum x86_msr_result write_efer(struct x86_msr_state *s, const struct x86_msr_env *env,
				      uint64_t value)
{
	uint64_t allowed = X86_EFER_SCE | X86_EFER_LME | EFER_LMA;

	if (env->caps->nx)
		allowed |= X86_EFER_NXE;
	if (value & ~allowed)
		return X86_MSR_FAULT;
	/* LME may not change while paging is on; LMA is the processor's. */
	if ((env->cr0 & CR0_PG) && ((value ^ s->efer) & X86_EFER_LME))
		return X86_MSR_FAULT;
	s->efer = (value & ~EFER_LMA) | (s->efer & EFER_LMA);
	return X86_MSR_DONE;
}

enum x86_msr_result x86_msr_write(struct x86_msr_state *s, const struct x86_msr_env *env,
				  uint32_t msr, uint64_t value)
{
	int fixed = fixed_mtrr_index(msr);

	if (fixed >= 0) {
		for (int i = 0; i < 8; i++)
			if (!mtrr_type_ok((value >> (8 * i)) & 0xff))
				return X86_MSR_FAULT;
		s->mtrr_fixed[fixed] = value;
		return X86_MSR_DONE;
	}
	if (is_variable_mtrr(msr)) {
		bool is_mask = (msr - X86_MSR_MTRR_PHYS_BASE0) & 1;
		uint64_t addr = physical_address_mask(env->caps);
		uint64_t reserved = is_mask ? ~(addr | (1ull << 11)) : ~(addr | 0xffull);

		if ((value & reserved) || (!is_mask && !mtrr_type_ok(value & 0xff)))
			return X86_MSR_FAULT;
		s->mtrr_var[msr - X86_MSR_MTRR_PHYS_BASE0] = value;
		return X86_MSR_DONE;
	}
	switch (msr) {
	case X86_MSR_APIC_BASE:
	case X86_MSR_TSC_DEADLINE:
		return X86_MSR_TO_VM;
	case X86_MSR_TSC:
		s->tsc_offset = value - env->host_tsc;
		return X86_MSR_DONE;
	case X86_MSR_BIOS_SIGN_ID:
	case X86_MSR_BIOS_UPDATE_TRIG:
		return X86_MSR_DONE;                 /* no microcode to load */
	case X86_MSR_MTRR_DEF_TYPE:
		if ((value & ~0xcffull) || !mtrr_type_ok(value & 0xff))
			return X86_MSR_FAULT;
		s->mtrr_def_type = value;
		return X86_MSR_DONE;
	case X86_MSR_PAT:
		if (!pat_ok(value))
			return X86_MSR_FAULT;
		s->pat = value;
		return X86_MSR_DONE;
	case X86_MSR_EFER:
		return write_efer(s, env, value);
	case X86_MSR_MISC_ENABLE:
		s->misc_enable = value & MISC_ENABLE_FAST_STRINGS;
		return X86_MSR_DONE;
	case X86_MSR_DEBUGCTL:
		/* No branch tracing for guests: accepted, nothing happens. */
		return X86_MSR_DONE;
	case X86_MSR_XSS:
		/* No supervisor state is offered (CPUID 0xD.1 ECX/EDX = 0). */
		return env->caps->xsaves && value == 0 ? X86_MSR_DONE : X86_MSR_FAULT;
	default:
		return X86_MSR_FAULT;
	}
}

enum x86_action x86_handle_msr(struct vcpu *v, struct vcpu_exit *exit, bool is_write)
{
	uint64_t *gpr = x86_gprs(v);
	uint32_t msr = (uint32_t)gpr[X86_RCX];
	uint64_t value = (gpr[X86_RAX] & 0xffffffffull) | (gpr[X86_RDX] << 32);
	struct x86_msr_state *s = x86_msr_state(v);
	struct x86_msr_env env = {
		.cr0 = x86_get_cr0(v), .host_tsc = x86_host_tsc(), .caps = x86_host_caps(),
	};
	enum x86_msr_result result;

	/* EFER and the TSC offset live with the vendor (VMCS fields): fresh copies in. */
	s->efer = x86_get_efer(v);
	s->tsc_offset = x86_get_tsc_offset(v);
	result = is_write ? x86_msr_write(s, &env, msr, value) : x86_msr_read(s, &env, msr, &value);
	switch (result) {
	case X86_MSR_DONE:
		if (is_write && msr == X86_MSR_EFER)
			x86_set_efer(v, s->efer);
		else if (is_write && msr == X86_MSR_TSC)
			x86_set_tsc_offset(v, s->tsc_offset);
		else if (is_write && msr == X86_MSR_PAT)
			x86_set_pat(v, s->pat);
		if (!is_write) {
			gpr[X86_RAX] = (uint32_t)value;
			gpr[X86_RDX] = value >> 32;
		}
		x86_skip_instruction(v);
		return X86_RESUME;
	case X86_MSR_TO_VM:
		exit->reason = VCPU_EXIT_SYSREG;
		exit->pc = x86_get_rip(v);
		exit->sysreg.id = msr;
		exit->sysreg.is_write = is_write;
		if (is_write) {
			exit->sysreg.value = value;
			x86_skip_instruction(v);
		}
		return X86_TO_VM;
	default:
		/*
		 * The architectural answer, and what operating systems expect:
		 * Linux probes MSRs of other models with rdmsr_safe() on every
		 * boot.  So an information, not a warning (loglevel=info).
		 */
		x86_report_once(msr ^ (is_write ? 0x80000000u : 0), LOG_INFO,
				is_write ? "vcpu: WRMSR 0x%llx (not emulated, or a bad value) at pc 0x%llx: #GP injected, as a CPU without it does (reported once)"
					 : "vcpu: RDMSR 0x%llx (not emulated) at pc 0x%llx: #GP injected, as a CPU without it does (reported once)",
				(unsigned long long)msr, (unsigned long long)x86_get_rip(v));
		x86_inject_exception(v, X86_VECTOR_GP, true, 0);
		return X86_RESUME;
	}
}
