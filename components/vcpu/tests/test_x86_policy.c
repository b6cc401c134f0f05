/* SPDX-License-Identifier: MIT */
/*
 * The vendor-neutral x86 policy (arch/x86_64/x86_vcpu.h) on the host:
 * CPUID, MSRs, control registers, XSETBV and VMCALL, as pure functions
 * and through their handlers on a fake vCPU.  Regression tests: XSETBV
 * takes only whitelisted XCR0 states (half an AMX or MPX pair is #GP, not
 * a #GP of the hypervisor's own XSETBV); VMCALL at CPL 3 is #UD and an
 * unknown hypercall at CPL 0 answers -1000 instead of stopping the VM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <host/support.h>

#include "x86_sources.h"

static struct vcpu vcpu;
static struct vcpu_exit exit_info;

static int reset(void **state)
{
	(void)state;
	memset(&vcpu, 0, sizeof(vcpu));
	memset(&exit_info, 0, sizeof(exit_info));
	vcpu.insn_len = 3;
	vcpu.count = 1;
	fake_flat_segments(&vcpu, false, 0);
	vcpu.cr0 = X86_CR0_PE | 0x10;
	x86_msr_reset(&vcpu.msr);
	fake_caps.xcr0_supported = 0x7;
	fake_caps.max_leaf = 0;
	return 0;
}

/* ---- XSETBV ---- */

#define XCR0_ALL 0x602ffull      /* x87..Hi16_ZMM, PKRU, XTILECFG, XTILEDATA */

static void test_xsetbv_whitelist(void **state)
{
	(void)state;
	/* Valid states. */
	assert_int_equal(x86_xsetbv_policy(0, 0x1, XCR0_ALL, true, 0), X86_XSETBV_OK);
	assert_int_equal(x86_xsetbv_policy(0, 0x7, XCR0_ALL, true, 0), X86_XSETBV_OK);
	assert_int_equal(x86_xsetbv_policy(0, 0xe7, XCR0_ALL, true, 0), X86_XSETBV_OK);
	assert_int_equal(x86_xsetbv_policy(0, 0x1f, XCR0_ALL, true, 0), X86_XSETBV_OK);
	assert_int_equal(x86_xsetbv_policy(0, 0x207, XCR0_ALL, true, 0), X86_XSETBV_OK);
	assert_int_equal(x86_xsetbv_policy(0, 0x602e7, XCR0_ALL, true, 0), X86_XSETBV_OK);
	/* The AMX pair: XTILECFG without XTILEDATA and the other way round. */
	assert_int_equal(x86_xsetbv_policy(0, 0x20007, XCR0_ALL, true, 0), X86_XSETBV_GP);
	assert_int_equal(x86_xsetbv_policy(0, 0x40007, XCR0_ALL, true, 0), X86_XSETBV_GP);
	/* The MPX pair: BNDREGS without BNDCSR and the other way round. */
	assert_int_equal(x86_xsetbv_policy(0, 0xb, XCR0_ALL, true, 0), X86_XSETBV_GP);
	assert_int_equal(x86_xsetbv_policy(0, 0x13, XCR0_ALL, true, 0), X86_XSETBV_GP);
	/* The older rules. */
	assert_int_equal(x86_xsetbv_policy(0, 0x6, XCR0_ALL, true, 0), X86_XSETBV_GP);   /* no x87 */
	assert_int_equal(x86_xsetbv_policy(0, 0x5, XCR0_ALL, true, 0), X86_XSETBV_GP);   /* AVX, no SSE */
	assert_int_equal(x86_xsetbv_policy(0, 0x67, XCR0_ALL, true, 0), X86_XSETBV_GP);  /* half AVX-512 */
	assert_int_equal(x86_xsetbv_policy(0, 0xe3, XCR0_ALL, true, 0), X86_XSETBV_GP);  /* AVX-512, no AVX */
	/* Supervisor and reserved components, and what the host lacks. */
	assert_int_equal(x86_xsetbv_policy(0, 0x107, ~0ull, true, 0), X86_XSETBV_GP);   /* PT   */
	assert_int_equal(x86_xsetbv_policy(0, 0x807, ~0ull, true, 0), X86_XSETBV_GP);   /* CET  */
	assert_int_equal(x86_xsetbv_policy(0, 0x80007, ~0ull, true, 0), X86_XSETBV_GP);
	assert_int_equal(x86_xsetbv_policy(0, 0x60007, 0x7, true, 0), X86_XSETBV_GP);
	/* Not XCR0, not CPL 0, no CR4.OSXSAVE. */
	assert_int_equal(x86_xsetbv_policy(1, 0x1, XCR0_ALL, true, 0), X86_XSETBV_GP);
	assert_int_equal(x86_xsetbv_policy(0, 0x7, XCR0_ALL, true, 3), X86_XSETBV_GP);
	assert_int_equal(x86_xsetbv_policy(0, 0x7, XCR0_ALL, false, 0), X86_XSETBV_UD);
}

/* Through the handler: a bad XCR0 is the guest's #GP and never reaches the hardware. */
static void test_xsetbv_handler(void **state)
{
	(void)state;
	fake_caps.xcr0_supported = XCR0_ALL;
	vcpu.cr4 = X86_CR4_OSXSAVE;
	vcpu.xcr0 = 1;
	vcpu.gpr[X86_RAX] = 0x20007;             /* XTILECFG without XTILEDATA */
	vcpu.rip = 0x1000;
	assert_int_equal(x86_handle_xsetbv(&vcpu), X86_RESUME);
	assert_true(vcpu.injected.valid);
	assert_int_equal(vcpu.injected.vector, X86_VECTOR_GP);
	assert_int_equal(vcpu.xcr0, 1);
	assert_int_equal(vcpu.rip, 0x1000);
	vcpu.injected.valid = false;
	vcpu.gpr[X86_RAX] = 0x60007;
	assert_int_equal(x86_handle_xsetbv(&vcpu), X86_RESUME);
	assert_false(vcpu.injected.valid);
	assert_int_equal(vcpu.xcr0, 0x60007);
	assert_int_equal(vcpu.rip, 0x1003);
}

/* ---- VMCALL ---- */

static void test_vmcall_from_user_mode_is_ud(void **state)
{
	(void)state;
	fake_flat_segments(&vcpu, false, 3);
	vcpu.rip = 0x8048000;
	vcpu.gpr[X86_RAX] = 0x1234;
	assert_int_equal(x86_handle_vmcall(&vcpu, &exit_info), X86_RESUME);
	assert_int_not_equal(exit_info.reason, VCPU_EXIT_HYPERCALL);
	assert_true(vcpu.injected.valid);
	assert_int_equal(vcpu.injected.vector, X86_VECTOR_UD);
	assert_int_equal(vcpu.rip, 0x8048000);
	assert_int_equal(vcpu.gpr[X86_RAX], 0x1234);
	assert_int_equal(x86_vmcall_policy(3), X86_VMCALL_UD);
	assert_int_equal(x86_vmcall_policy(0), X86_VMCALL_TO_VM);
}

static void test_vmcall_from_kernel_reaches_the_vm(void **state)
{
	(void)state;
	vcpu.rip = 0x100000;
	vcpu.gpr[X86_RAX] = 9;
	vcpu.gpr[X86_RBX] = 0x11;
	vcpu.gpr[X86_R8] = 0x88;
	assert_int_equal(x86_handle_vmcall(&vcpu, &exit_info), X86_TO_VM);
	assert_int_equal(exit_info.reason, VCPU_EXIT_HYPERCALL);
	assert_int_equal(exit_info.hypercall.function, 9);
	assert_int_equal(exit_info.hypercall.args[0], 0x11);
	assert_int_equal(exit_info.hypercall.args[5], 0x88);
	assert_int_equal(exit_info.pc, 0x100000);
	/* Unanswered, it is unknown: -KVM_ENOSYS. */
	assert_int_equal(vcpu.gpr[X86_RAX], (uint64_t)-1000);
	assert_int_equal(vcpu.rip, 0x100003);
	assert_false(vcpu.injected.valid);
}

/* ---- CPUID ---- */

/* Leaf 0xD of a CPU with AVX and AVX-512 (offsets and sizes of the SDM's
 * standard layout; MPX between AVX and AVX-512 but not enabled). */
static struct x86_cpuid_regs xsave_host(uint32_t leaf, uint32_t subleaf)
{
	struct x86_cpuid_regs r = { 0, 0, 0, 0 };

	(void)leaf;
	switch (subleaf) {
	case 2: r.eax = 256; r.ebx = 576; break;           /* AVX */
	case 3: r.eax = 64; r.ebx = 960; break;            /* BNDREGS */
	case 4: r.eax = 64; r.ebx = 1024; break;           /* BNDCSR */
	case 5: r.eax = 64; r.ebx = 1088; break;           /* opmask */
	case 6: r.eax = 512; r.ebx = 1152; break;          /* ZMM_Hi256 */
	case 7: r.eax = 1024; r.ebx = 1664; break;         /* Hi16_ZMM */
	case 9: r.eax = 8; r.ebx = 2688; r.ecx = 2; break; /* PKRU, 64-byte aligned */
	}
	return r;
}

static void test_cpuid_xsave_sizes(void **state)
{
	struct x86_cpuid_env env = { .vcpu_count = 1, .caps = &fake_caps,
				     .host_cpuid = xsave_host };
	struct x86_cpuid_regs host = { 0x2e7, 9999, 2696, 0 }, r;

	(void)state;
	fake_caps.xsaves = true;
	/* x87, SSE, AVX, AVX-512: standard 2688, compacted without MPX's 256 bytes. */
	env.xcr0 = 0xe7;
	r = x86_cpuid_policy(&env, 0xd, 0, host);
	assert_int_equal(r.ebx, 2688);
	assert_int_equal(r.ecx, 2696);                    /* all supported: the host's */
	r = x86_cpuid_policy(&env, 0xd, 1, host);
	assert_int_equal(r.ebx, 2432);
	/* With PKRU: aligned to 64 when compacted. */
	env.xcr0 = 0x2e7;
	assert_int_equal(x86_cpuid_policy(&env, 0xd, 0, host).ebx, 2696);
	assert_int_equal(x86_cpuid_policy(&env, 0xd, 1, host).ebx, 2440);
	/* x87 and SSE only. */
	env.xcr0 = 0x3;
	assert_int_equal(x86_cpuid_policy(&env, 0xd, 0, host).ebx, 576);
	assert_int_equal(x86_cpuid_policy(&env, 0xd, 1, host).ebx, 576);
	fake_caps.xsaves = false;
}

static void test_cpuid(void **state)
{
	struct x86_cpuid_env env = { .vcpu_index = 1, .vcpu_count = 2, .osxsave = false,
				     .caps = &fake_caps };
	struct x86_cpuid_regs all = { ~0u, ~0u, ~0u, ~0u }, r;
	char signature[13] = { 0 };

	(void)state;
	r = x86_cpuid_policy(&env, 1, 0, all);
	assert_int_equal(r.ebx >> 24, 1);                  /* APIC id */
	assert_int_equal((r.ebx >> 16) & 0xff, 2);         /* logical processors */
	assert_int_equal(r.ecx & (1u << 5), 0);            /* VMX hidden */
	assert_int_equal(r.ecx & (1u << 21), 0);           /* x2APIC hidden */
	assert_int_equal(r.ecx & (1u << 27), 0);           /* OSXSAVE from CR4 */
	assert_int_not_equal(r.ecx & (1u << 31), 0);       /* hypervisor */
	assert_int_not_equal(r.edx & (1u << 28), 0);       /* HTT with 2 vCPUs */
	env.osxsave = true;
	env.vcpu_count = 1;
	r = x86_cpuid_policy(&env, 1, 0, all);
	assert_int_not_equal(r.ecx & (1u << 27), 0);
	assert_int_equal(r.edx & (1u << 28), 0);
	r = x86_cpuid_policy(&env, 0x40000000, 0, all);
	memcpy(signature, &r.ebx, 4);
	memcpy(signature + 4, &r.ecx, 4);
	memcpy(signature + 8, &r.edx, 4);
	assert_string_equal(signature, "TesseraTSRA");
	assert_int_equal(r.eax, 0x40000000);
	r = x86_cpuid_policy(&env, 0x40000001, 0, all);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = x86_cpuid_policy(&env, 7, 0, all);
	assert_int_equal(r.ebx & (1u << 14), 0);           /* MPX hidden */
	assert_int_equal(r.ecx & (1u << 5), 0);            /* WAITPKG hidden */
	fake_caps.rdtscp = false;
	r = x86_cpuid_policy(&env, 0x80000001, 0, all);
	assert_int_equal(r.edx & (1u << 27), 0);
	fake_caps.rdtscp = true;
	r = x86_cpuid_policy(&env, 0xa, 0, all);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	/* Leaf 0xD: XSAVES with the secondary control, never supervisor state. */
	fake_caps.xsaves = true;
	r = x86_cpuid_policy(&env, 0xd, 1, all);
	assert_int_not_equal(r.eax & (1u << 3), 0);
	assert_int_equal(r.ecx | r.edx, 0);
	fake_caps.xsaves = false;
	r = x86_cpuid_policy(&env, 0xd, 1, all);
	assert_int_equal(r.eax & (1u << 3), 0);
	r = x86_cpuid_policy(&env, 0xd, 8, all);          /* PT state: not offered */
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = x86_cpuid_policy(&env, 0xd, 0, all);
	assert_int_equal(r.eax, ~0u);                     /* user state: the host's */
	/*
	 * The clocks: no crystal or TSC/crystal ratio (an OS would trust them
	 * for its TSC and LAPIC timer), the base frequency is the TSC's
	 * measured rate in MHz, rounded (Bochs' own leaf says 3500 MHz for a
	 * TSC that counts 50 million instructions a second).
	 */
	r = x86_cpuid_policy(&env, 0x15, 0, (struct x86_cpuid_regs){ 2, 0x124, 0, 0 });
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = x86_cpuid_policy(&env, 0x16, 0, (struct x86_cpuid_regs){ 0xdac, 0xfa0, 0x64, 0 });
	assert_int_equal(r.eax, 50);
	assert_int_equal(r.ebx, 50);
	assert_int_equal(r.ecx | r.edx, 0);
	fake_caps.tsc_hz = 2893500000ull;
	r = x86_cpuid_policy(&env, 0x16, 0, all);
	assert_int_equal(r.eax, 2894);
	fake_caps.tsc_hz = 0;                              /* unknown: no frequencies */
	r = x86_cpuid_policy(&env, 0x16, 0, all);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	fake_caps.tsc_hz = 49997016;
	/* Through the handler: registers and RIP. */
	vcpu.index = 0;
	vcpu.gpr[X86_RAX] = 0x40000000;
	vcpu.rip = 0x500;
	assert_int_equal(x86_handle_cpuid(&vcpu), X86_RESUME);
	assert_int_equal(vcpu.gpr[X86_RAX], 0x40000000);
	assert_int_equal(vcpu.rip, 0x503);
}

/*
 * A CPU whose last basic leaf is below 0x16 (Bochs' Broadwell: 0x14) still
 * tells the guest its TSC rate: leaf 0 says 0x16, the leaves past the
 * CPU's own read 0 (the CPU answers them with its last leaf's values),
 * leaf 0x16 is the measured rate.  Unknown rate or unknown last leaf:
 * the CPU's answers as they are.
 */
static void test_cpuid_frequency_leaf_past_the_last(void **state)
{
	struct x86_cpuid_env env = { .vcpu_count = 1, .caps = &fake_caps };
	struct x86_cpuid_regs leaf0 = { 0x14, 0x756e6547, 0x6c65746e, 0x49656e69 };
	struct x86_cpuid_regs last = { 0x11, 0x22, 0x33, 0x44 }, r;

	(void)state;
	fake_caps.tsc_hz = 49997016;
	fake_caps.max_leaf = 0x14;
	r = x86_cpuid_policy(&env, 0, 0, leaf0);
	assert_int_equal(r.eax, 0x16);
	assert_int_equal(r.ebx, 0x756e6547);               /* vendor untouched */
	r = x86_cpuid_policy(&env, 0x14, 0, last);         /* the CPU's own leaf */
	assert_int_equal(r.eax, 0x11);
	r = x86_cpuid_policy(&env, 0x15, 0, last);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = x86_cpuid_policy(&env, 0x16, 0, last);
	assert_int_equal(r.eax, 50);
	assert_int_equal(r.ebx, 50);
	assert_int_equal(r.ecx | r.edx, 0);
	/* A CPU with leaf 0x16 keeps its last leaf. */
	fake_caps.max_leaf = 0x1f;
	leaf0.eax = 0x1f;
	r = x86_cpuid_policy(&env, 0, 0, leaf0);
	assert_int_equal(r.eax, 0x1f);
	/* Without a measured rate there is nothing to offer. */
	fake_caps.max_leaf = 0x14;
	fake_caps.tsc_hz = 0;
	leaf0.eax = 0x14;
	r = x86_cpuid_policy(&env, 0, 0, leaf0);
	assert_int_equal(r.eax, 0x14);
	fake_caps.tsc_hz = 49997016;
	fake_caps.max_leaf = 0;                            /* unknown: as before */
	r = x86_cpuid_policy(&env, 0, 0, leaf0);
	assert_int_equal(r.eax, 0x14);
}

/* ---- MSRs ---- */

static void test_msr_policy(void **state)
{
	struct x86_msr_state s;
	struct x86_msr_env env = { .cr0 = 0, .host_tsc = 5000, .caps = &fake_caps };
	uint64_t value;

	(void)state;
	x86_msr_reset(&s);
	s.tsc_offset = 0;
	assert_int_equal(x86_msr_read(&s, &env, X86_MSR_PAT, &value), X86_MSR_DONE);
	assert_int_equal(value, X86_PAT_RESET);
	assert_int_equal(x86_msr_write(&s, &env, X86_MSR_PAT, 0x0200000000000000ull), X86_MSR_FAULT);
	assert_int_equal(x86_msr_write(&s, &env, X86_MSR_PAT, 0x0007010600070106ull), X86_MSR_DONE);
	/* MTRRs: types 2 and 3 are reserved; the mask has reserved high bits. */
	assert_int_equal(x86_msr_write(&s, &env, X86_MSR_MTRR_DEF_TYPE, 0xc02), X86_MSR_FAULT);
	assert_int_equal(x86_msr_write(&s, &env, X86_MSR_MTRR_DEF_TYPE, 0xc06), X86_MSR_DONE);
	assert_int_equal(x86_msr_write(&s, &env, X86_MSR_MTRR_PHYS_BASE0 + 1, 1ull << 40), X86_MSR_FAULT);
	assert_int_equal(x86_msr_write(&s, &env, X86_MSR_MTRR_PHYS_BASE0 + 1, 0x7fc0000800ull), X86_MSR_DONE);
	assert_int_equal(x86_msr_write(&s, &env, X86_MSR_MTRR_FIX_64K, 0x0606060606060603ull), X86_MSR_FAULT);
	assert_int_equal(x86_msr_read(&s, &env, X86_MSR_MTRR_CAP, &value), X86_MSR_DONE);
	assert_int_equal(value, 0x508);
	/* TSC: an offset from the host's. */
	assert_int_equal(x86_msr_write(&s, &env, X86_MSR_TSC, 12000), X86_MSR_DONE);
	env.host_tsc = 6000;
	assert_int_equal(x86_msr_read(&s, &env, X86_MSR_TSC, &value), X86_MSR_DONE);
	assert_int_equal(value, 13000);
	/* EFER: LME frozen while paging is on; unknown bits fault. */
	assert_int_equal(x86_msr_write(&s, &env, X86_MSR_EFER, X86_EFER_LME), X86_MSR_DONE);
	env.cr0 = 0x80000011;
	assert_int_equal(x86_msr_write(&s, &env, X86_MSR_EFER, 0), X86_MSR_FAULT);
	assert_int_equal(x86_msr_write(&s, &env, X86_MSR_EFER, X86_EFER_LME | X86_EFER_NXE), X86_MSR_DONE);
	assert_int_equal(x86_msr_write(&s, &env, X86_MSR_EFER, X86_EFER_LME | (1ull << 15)), X86_MSR_FAULT);
	/* The LAPIC's MSRs are the VM's; unknown ones fault. */
	assert_int_equal(x86_msr_read(&s, &env, X86_MSR_APIC_BASE, &value), X86_MSR_TO_VM);
	assert_int_equal(x86_msr_write(&s, &env, X86_MSR_TSC_DEADLINE, 1), X86_MSR_TO_VM);
	assert_int_equal(x86_msr_read(&s, &env, 0x12345678, &value), X86_MSR_FAULT);
	assert_int_equal(x86_msr_read(&s, &env, X86_MSR_MISC_ENABLE, &value), X86_MSR_DONE);
	assert_int_equal(value, 0x1801);
	/* IA32_PLATFORM_ID: read by OVMF's CpuMpPei on Intel CPUs; no platform bits. */
	value = 1;
	assert_int_equal(x86_msr_read(&s, &env, X86_MSR_PLATFORM_ID, &value), X86_MSR_DONE);
	assert_int_equal(value, 0);
	/* IA32_XSS: only with XSAVES, and only 0. */
	fake_caps.xsaves = true;
	value = 1;
	assert_int_equal(x86_msr_read(&s, &env, X86_MSR_XSS, &value), X86_MSR_DONE);
	assert_int_equal(value, 0);
	assert_int_equal(x86_msr_write(&s, &env, X86_MSR_XSS, 0), X86_MSR_DONE);
	assert_int_equal(x86_msr_write(&s, &env, X86_MSR_XSS, 1ull << 8), X86_MSR_FAULT);
	fake_caps.xsaves = false;
	assert_int_equal(x86_msr_read(&s, &env, X86_MSR_XSS, &value), X86_MSR_FAULT);
	assert_int_equal(x86_msr_write(&s, &env, X86_MSR_XSS, 0), X86_MSR_FAULT);
}

static void test_msr_handler(void **state)
{
	(void)state;
	vcpu.rip = 0x2000;
	vcpu.gpr[X86_RCX] = X86_MSR_PAT;
	assert_int_equal(x86_handle_msr(&vcpu, &exit_info, false), X86_RESUME);
	assert_int_equal(vcpu.gpr[X86_RAX], 0x00070406);
	assert_int_equal(vcpu.gpr[X86_RDX], 0x00070406);
	assert_int_equal(vcpu.rip, 0x2003);
	vcpu.gpr[X86_RCX] = 0xdeadbeef;
	assert_int_equal(x86_handle_msr(&vcpu, &exit_info, true), X86_RESUME);
	assert_int_equal(vcpu.injected.vector, X86_VECTOR_GP);
	assert_int_equal(vcpu.rip, 0x2003);
	vcpu.gpr[X86_RCX] = X86_MSR_APIC_BASE;
	assert_int_equal(x86_handle_msr(&vcpu, &exit_info, false), X86_TO_VM);
	assert_int_equal(exit_info.reason, VCPU_EXIT_SYSREG);
	assert_int_equal(exit_info.sysreg.id, X86_MSR_APIC_BASE);
	assert_int_equal(vcpu.rip, 0x2003);     /* the VM completes the read */
}

/* ---- control registers ---- */

static void test_cr_policy(void **state)
{
	uint64_t efer;

	(void)state;
	efer = 0;
	assert_false(x86_cr0_policy(0x11, 0x80000010, 0, &efer, false));      /* PG without PE */
	assert_false(x86_cr0_policy(0x11, 0x20000011, 0, &efer, false));      /* NW without CD */
	assert_false(x86_cr0_policy(0x11, 1ull << 32, 0, &efer, false));
	assert_true(x86_cr0_policy(0x11, 0x60000011, 0, &efer, false));
	/* Paging with LME: PAE needed, then IA-32e mode (LMA). */
	efer = X86_EFER_LME;
	assert_false(x86_cr0_policy(0x11, 0x80000011, 0, &efer, false));
	assert_true(x86_cr0_policy(0x11, 0x80000011, X86_CR4_PAE, &efer, false));
	assert_int_equal(efer, X86_EFER_LME | (1ull << 10));
	/* Leaving paging from 64-bit code is #GP; from compatibility mode it leaves IA-32e. */
	assert_false(x86_cr0_policy(0x80000011, 0x11, X86_CR4_PAE, &efer, true));
	assert_true(x86_cr0_policy(0x80000011, 0x11, X86_CR4_PAE, &efer, false));
	assert_int_equal(efer, X86_EFER_LME);
	/* CR4: only allowed bits; PAE stays on in IA-32e mode. */
	assert_true(x86_cr4_policy(X86_CR4_PAE | X86_CR4_OSXSAVE, 0, 0x3727ff));
	assert_false(x86_cr4_policy(1ull << 13, 0, 0x3727ff & ~(1ull << 13)));
	assert_false(x86_cr4_policy(0, 1ull << 10, 0x3727ff));
}

static void test_cr_handler(void **state)
{
	uint64_t cr8 = 0;

	(void)state;
	vcpu.rip = 0x3000;
	vcpu.cr0 = 0x8000003b;                  /* PG, NE, ET, TS, MP, PE */
	assert_int_equal(x86_handle_cr_write(&vcpu, X86_CR_CLTS, 0, 0, &cr8), X86_RESUME);
	assert_int_equal(vcpu.cr0, 0x80000033);
	assert_int_equal(vcpu.paging_changes, 0);
	/* LMSW cannot clear PE. */
	assert_int_equal(x86_handle_cr_write(&vcpu, X86_CR_LMSW, 0, 0x0, &cr8), X86_RESUME);
	assert_int_equal(vcpu.cr0 & 1, 1);
	assert_int_equal(x86_handle_cr_write(&vcpu, X86_CR_MOV_TO, 8, 5, &cr8), X86_RESUME);
	assert_int_equal(cr8, 5);
	vcpu.injected.valid = false;
	assert_int_equal(x86_handle_cr_write(&vcpu, X86_CR_MOV_TO, 8, 16, &cr8), X86_RESUME);
	assert_true(vcpu.injected.valid);
	assert_int_equal(vcpu.injected.vector, X86_VECTOR_GP);
	/* Paging off: the guest's translations go. */
	assert_int_equal(x86_handle_cr_write(&vcpu, X86_CR_MOV_TO, 0, 0x11, &cr8), X86_RESUME);
	assert_int_equal(vcpu.paging_changes, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_xsetbv_whitelist, reset),
		cmocka_unit_test_setup(test_xsetbv_handler, reset),
		cmocka_unit_test_setup(test_vmcall_from_user_mode_is_ud, reset),
		cmocka_unit_test_setup(test_vmcall_from_kernel_reaches_the_vm, reset),
		cmocka_unit_test_setup(test_cpuid, reset),
		cmocka_unit_test_setup(test_cpuid_xsave_sizes, reset),
		cmocka_unit_test_setup(test_cpuid_frequency_leaf_past_the_last, reset),
		cmocka_unit_test_setup(test_msr_policy, reset),
		cmocka_unit_test_setup(test_msr_handler, reset),
		cmocka_unit_test_setup(test_cr_policy, reset),
		cmocka_unit_test_setup(test_cr_handler, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
