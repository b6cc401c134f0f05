/* SPDX-License-Identifier: MIT */
/*
 * CPUID as the guest sees it: the host's answer with what the VM does not
 * offer hidden and its own topology (APIC id = vCPU index, one thread per
 * core, as many cores as vCPUs), the hypervisor bit and Tessera's leaf
 * 0x40000000, and the clock leaves describing the TSC the guest really
 * has.  x86_cpuid_policy() is pure: the host's registers for the leaf in,
 * the guest's out.
 */
#include <string.h>

#include "x86_vcpu.h"

#define CPUID_HYPERVISOR_BASE 0x40000000u
/* Tessera's own signature, in EBX, ECX, EDX of leaf 0x40000000 (not KVM's:
 * SeaBIOS would then look for kvmclock). */
static const char hypervisor_signature[12] = "TesseraTSRA";

/* Leaf 1 ECX: hidden are VMX/SMX, the monitor/thermal/debug-store features
 * nobody emulates, x2APIC (the LAPIC model is xAPIC only), and PDCM (no
 * perf capabilities MSR). */
#define CPUID1_ECX_HIDDEN ((1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | \
			   (1u << 7) | (1u << 8) | (1u << 15) | (1u << 21))
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
/* Leaf 1 EDX: no MCE/MCA banks, debug store, thermal, ACPI clock control, PBE. */
#define CPUID1_EDX_HIDDEN ((1u << 7) | (1u << 14) | (1u << 21) | (1u << 22) | (1u << 29) | \
			   (1u << 31))
#define CPUID1_EDX_HTT (1u << 28)
/* Leaf 7 EBX: TSC_ADJUST, SGX, RDT monitoring/allocation, MPX, processor trace. */
#define CPUID7_EBX_HIDDEN ((1u << 1) | (1u << 2) | (1u << 12) | (1u << 14) | (1u << 15) | \
			   (1u << 25))
#define CPUID7_EBX_INVPCID (1u << 10)
/* Leaf 7 ECX: WAITPKG, SGX launch control. Leaf 7 EDX: speculation-control MSRs. */
#define CPUID7_ECX_HIDDEN ((1u << 5) | (1u << 30))
#define CPUID7_EDX_HIDDEN ((1u << 26) | (1u << 27) | (1u << 28) | (1u << 29) | (1u << 31))
#define CPUID_XSAVE_XSAVES (1u << 3)
#define CPUID_FREQ_LEAF 0x16u              /* base/max frequency: the TSC's rate */
#define CPUID_EXT1_EDX_RDTSCP (1u << 27)

#define XSAVE_LEGACY_AND_HEADER 576u       /* x87/SSE area + XSAVE header */
#define CPUID_XSAVE_ALIGNED64 (1u << 1)    /* leaf 0xD.i ECX: 64-byte aligned when compacted */

/*
 * The XSAVE area size for the guest's XCR0 (XSS is always 0): standard
 * format (leaf 0xD.0 EBX) or compacted (0xD.1 EBX), from the host's
 * offsets and sizes of each component, as the SDM (vol. 1, 13.4.3) and
 * Linux (arch/x86/kernel/fpu/xstate.c xstate_calculate_size) compute it.
 * The hardware's own answer would count whatever XCR0 and XSS it holds
 * when the hypervisor runs CPUID.
 */
static uint32_t xsave_size(const struct x86_cpuid_env *env, bool compacted)
{
	uint32_t size = XSAVE_LEGACY_AND_HEADER;

	for (unsigned int i = 2; i < 64; i++) {
		struct x86_cpuid_regs c;

		if (!((env->xcr0 >> i) & 1))
			continue;
		c = env->host_cpuid(0xd, i);
		if (compacted) {
			if (c.ecx & CPUID_XSAVE_ALIGNED64)
				size = (size + 63) & ~63u;
			size += c.eax;
		} else if (c.ebx + c.eax > size) {
			size = c.ebx + c.eax;
		}
	}
	return size;
}

static unsigned int bits_for(unsigned int count)
{
	unsigned int bits = 0;

	while (bits < 31 && (1u << bits) < count)
		bits++;
	return bits;
}

struct x86_cpuid_regs x86_cpuid_policy(const struct x86_cpuid_env *env, uint32_t leaf,
				       uint32_t subleaf, struct x86_cpuid_regs r)
{
	unsigned int vcpus = env->vcpu_count ? env->vcpu_count : 1;

	if (leaf >= CPUID_HYPERVISOR_BASE && leaf <= CPUID_HYPERVISOR_BASE + 0xff) {
		memset(&r, 0, sizeof(r));
		if (leaf == CPUID_HYPERVISOR_BASE) {
			r.eax = CPUID_HYPERVISOR_BASE;     /* no further hypervisor leaves */
			memcpy(&r.ebx, hypervisor_signature, 4);
			memcpy(&r.ecx, hypervisor_signature + 4, 4);
			memcpy(&r.edx, hypervisor_signature + 8, 4);
		}
		return r;
	}
	/*
	 * Leaf 0x16 tells the guest its TSC's rate even on a CPU whose last
	 * basic leaf is below it (Intel before Skylake, Bochs' Broadwell):
	 * the guest then need not calibrate.  The leaves in between, which
	 * such a CPU answers with its last leaf's values, read 0.
	 */
	if (leaf == 0 && env->caps->max_leaf && env->caps->tsc_hz && r.eax < CPUID_FREQ_LEAF)
		r.eax = CPUID_FREQ_LEAF;
	else if (leaf > env->caps->max_leaf && leaf <= CPUID_FREQ_LEAF && env->caps->max_leaf &&
		 env->caps->tsc_hz)
		memset(&r, 0, sizeof(r));
	switch (leaf) {
	case 1:
		/* APIC id = vCPU index; logical processors per package = vCPUs. */
		r.ebx = (r.ebx & 0xffff) | ((vcpus & 0xff) << 16) | ((env->vcpu_index & 0xff) << 24);
		r.ecx &= ~(CPUID1_ECX_HIDDEN | CPUID1_ECX_OSXSAVE);
		if (env->osxsave)
			r.ecx |= CPUID1_ECX_OSXSAVE;
		r.ecx |= CPUID1_ECX_HYPERVISOR;
		r.edx &= ~(CPUID1_EDX_HIDDEN | CPUID1_EDX_HTT);
		if (vcpus > 1)
			r.edx |= CPUID1_EDX_HTT;
		break;
	case 4:
		/* Cores per package - 1 in 31:26; one core per cache level. */
		if (r.eax & 0x1f)
			r.eax = (r.eax & 0x3ff) | (((vcpus - 1) & 0x3f) << 26);
		break;
	case 5: case 6: case 0xa:
		/* MONITOR/MWAIT, thermal and power, performance monitoring: none. */
		memset(&r, 0, sizeof(r));
		break;
	case 7:
		if (subleaf == 0) {
			r.ebx &= ~CPUID7_EBX_HIDDEN;
			if (!env->caps->invpcid)
				r.ebx &= ~CPUID7_EBX_INVPCID;
			r.ecx &= ~CPUID7_ECX_HIDDEN;
			r.edx &= ~CPUID7_EDX_HIDDEN;
		}
		break;
	case 0xb:
	case 0x1f:
		/* Topology: one thread per core, vCPUs cores in one package. */
		r.edx = env->vcpu_index;
		r.ecx = subleaf & 0xff;
		if (subleaf == 0) {
			r.eax = 0;
			r.ebx = 1;
			r.ecx |= 1u << 8;                  /* SMT level */
		} else if (subleaf == 1) {
			r.eax = bits_for(vcpus);
			r.ebx = vcpus;
			r.ecx |= 2u << 8;                  /* core level */
		} else {
			r.eax = r.ebx = 0;
		}
		break;
	case 0x15:
		/*
		 * TSC/crystal ratio and crystal: not enumerated (EBX = 0).  An OS
		 * trusts these without measuring: Linux takes the TSC rate from
		 * them and the crystal as the LAPIC timer's clock.  The VM's LAPIC
		 * timer is the machine's model, not fed by the host's crystal, and
		 * an emulator may claim a rate its TSC does not run at (Bochs:
		 * 3.5 GHz, while its TSC counts instructions, 50 MHz by default).
		 * Without this leaf the guest measures its LAPIC timer itself.
		 */
		memset(&r, 0, sizeof(r));
		break;
	case 0x16:
		/*
		 * Base and maximum frequency: the TSC's measured rate in MHz, the
		 * rate an OS takes for its TSC when leaf 0x15 is empty (and then
		 * refines against a timer); no bus frequency.
		 */
		memset(&r, 0, sizeof(r));
		r.eax = r.ebx = (uint32_t)((env->caps->tsc_hz + 500000) / 1000000);
		break;
	case 0xd:
		/* XSAVES only where the vCPU may run it, and no supervisor state
		 * components (IA32_XSS stays 0: msr.c), so Linux sizes its XSAVE
		 * area from user state alone; their own subleaves read 0. */
		if ((subleaf == 0 || subleaf == 1) && env->host_cpuid && env->xcr0)
			r.ebx = xsave_size(env, subleaf == 1);
		if (subleaf == 1) {
			if (!env->caps->xsaves)
				r.eax &= ~CPUID_XSAVE_XSAVES;
			r.ecx = 0;
			r.edx = 0;
		} else if (subleaf >= 2 && subleaf < 64 && !((env->caps->xcr0_supported >> subleaf) & 1)) {
			memset(&r, 0, sizeof(r));
		}
		break;
	case 0x80000001:
		if (!env->caps->rdtscp)
			r.edx &= ~CPUID_EXT1_EDX_RDTSCP;
		break;
	default:
		break;
	}
	return r;
}

enum x86_action x86_handle_cpuid(struct vcpu *v)
{
	uint64_t *gpr = x86_gprs(v);
	uint32_t leaf = (uint32_t)gpr[X86_RAX], subleaf = (uint32_t)gpr[X86_RCX];
	struct x86_cpuid_env env = {
		.vcpu_index = x86_vcpu_index(v),
		.vcpu_count = x86_vcpu_count(v),
		.osxsave = x86_get_cr4(v) & X86_CR4_OSXSAVE,
		.caps = x86_host_caps(),
		.xcr0 = x86_get_xcr0(v),
		.host_cpuid = x86_host_cpuid,
	};
	struct x86_cpuid_regs r = x86_cpuid_policy(&env, leaf, subleaf, x86_host_cpuid(leaf, subleaf));

	gpr[X86_RAX] = r.eax;
	gpr[X86_RBX] = r.ebx;
	gpr[X86_RCX] = r.ecx;
	gpr[X86_RDX] = r.edx;
	x86_skip_instruction(v);
	return X86_RESUME;
}
