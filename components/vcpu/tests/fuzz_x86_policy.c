/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the pure x86 policy functions with guest-chosen values: XSETBV,
 * CR0/CR4 writes, MSR reads and writes, CPUID.  Besides not crashing,
 * each decision must keep the invariants the hypervisor relies on: an
 * accepted XCR0 is one the hardware takes (x87 set, only known and
 * supported bits, pairs complete), an accepted CR0 has no PG without PE,
 * an accepted CR4 only allowed bits, MSR state only valid memory types.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "x86_sources.h"

static uint64_t take64(const uint8_t **data, size_t *size)
{
	uint64_t v = 0;
	size_t n = *size < 8 ? *size : 8;

	memcpy(&v, *data, n);
	*data += n;
	*size -= n;
	return v;
}

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t a = take64(&data, &size), b = take64(&data, &size), c = take64(&data, &size);
	uint64_t d = take64(&data, &size);
	struct x86_host_caps caps = fake_caps;
	struct x86_msr_state s;
	struct x86_msr_env env = { .cr0 = c, .host_tsc = d, .caps = &caps };
	struct x86_cpuid_env cenv = { .vcpu_index = (unsigned int)(a & 0xff),
				      .vcpu_count = (unsigned int)((b & 0xff) + 1),
				      .osxsave = c & 1, .caps = &caps };
	uint64_t efer = d, value;

	/* XSETBV */
	if (x86_xsetbv_policy((uint32_t)(c >> 32), a, b, d & 1, (unsigned int)(d >> 1) & 3) ==
	    X86_XSETBV_OK) {
		check((a & 1) && !(a & ~b) && !(a & ~XCR0_KNOWN));
		check(all_or_none(a, XCR0_MPX) && all_or_none(a, XCR0_AMX) &&
		      all_or_none(a, XCR0_AVX512));
		check(!(a & X86_XCR0_AVX) || (a & X86_XCR0_SSE));
	}
	/* CR0, CR4 */
	if (x86_cr0_policy(c, a, b, &efer, d & 2))
		check(!(a >> 32) && (!(a & (1ull << 31)) || (a & 1)));
	if (x86_cr4_policy(a, d, b))
		check(!(a & ~b));
	/* MSRs: writes then reads of the same state. */
	x86_msr_reset(&s);
	s.efer = d & 0xd01;
	caps.phys_bits = (unsigned int)(d >> 8) & 0x3f;
	if (x86_msr_write(&s, &env, (uint32_t)b, a) == X86_MSR_DONE) {
		for (int i = 0; i < 8; i++) {
			uint64_t t = (s.pat >> (8 * i)) & 0xff;

			check(t != 2 && t != 3 && t <= 7);
		}
		check(!(s.efer & ~0xd01ull));
	}
	x86_msr_read(&s, &env, (uint32_t)(b >> 32), &value);
	/* CPUID never reports VMX or x2APIC and always the hypervisor bit. */
	if ((uint32_t)a == 1) {
		struct x86_cpuid_regs r = x86_cpuid_policy(&cenv, 1, 0,
			(struct x86_cpuid_regs){ (uint32_t)b, (uint32_t)(b >> 32), (uint32_t)c,
						 (uint32_t)(c >> 32) });

		check(!(r.ecx & (1u << 5)) && !(r.ecx & (1u << 21)) && (r.ecx & (1u << 31)));
	} else {
		struct x86_cpuid_regs r;

		/* Leaf 0x16 says the TSC's rate, whatever the host's leaf says; 0x15 nothing. */
		caps.tsc_hz = d >> 24;
		r = x86_cpuid_policy(&cenv, (uint32_t)a, (uint32_t)(a >> 32),
				     (struct x86_cpuid_regs){ (uint32_t)b, (uint32_t)(b >> 32),
							      (uint32_t)c, (uint32_t)(c >> 32) });
		if ((uint32_t)a == 0x15)
			check(!(r.eax | r.ebx | r.ecx | r.edx));
		if ((uint32_t)a == 0x16)
			check(r.eax == (uint32_t)((caps.tsc_hz + 500000) / 1000000) &&
			      r.ebx == r.eax && !r.ecx && !r.edx);
	}
	return 0;
}
