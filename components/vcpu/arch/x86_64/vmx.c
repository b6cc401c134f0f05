/* SPDX-License-Identifier: MIT */
/*
 * Intel VMX: is it there, may we use it, and VMXON on each CPU.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <core/mm.h>
#include <core/percpu.h>
#include <vcpu/hwvirt.h>
#include <x86_64/cpu.h>

#define CPUID1_ECX_VMX (1U << 5)
#define CPUID1_ECX_XSAVE (1U << 26)
#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define CR4_OSXSAVE (1ULL << 18)

#define VMX_BASIC_REVISION_MASK 0x7fffffffULL
#define VMX_BASIC_TRUE_CTLS (1ULL << 55)
#define PROCBASED_SECONDARY_CONTROLS (1ULL << (32 + 31))
#define SECONDARY_EPT (1ULL << (32 + 1))
#define SECONDARY_VPID (1ULL << (32 + 5))
#define SECONDARY_UNRESTRICTED_GUEST (1ULL << (32 + 7))

/* The VMXON region of each CPU, kept while it is in VMX operation. */
static void *vmxon_region[MAX_CPUS];

static bool cpu_has_vmx(void)
{
	return cpuid(1, 0).ecx & CPUID1_ECX_VMX;
}

static const char no_vmx_message[] =
	"This CPU has no Intel VMX (VT-x): Tessera needs it to run guests; "
	"use an Intel CPU with VT-x enabled, or run under Bochs "
	"(make run ARCH=x86_64) or QEMU with KVM nested VMX.";

static const char vmx_locked_message[] =
	"VMX is disabled by the firmware (IA32_FEATURE_CONTROL is locked "
	"without VMX outside SMX): enable VT-x (Intel Virtualization "
	"Technology) in the firmware setup.";

/*
 * The firmware may leave IA32_FEATURE_CONTROL unlocked; then we enable
 * VMX outside SMX and lock it ourselves, as VMXON requires a locked MSR.
 */
static int feature_control_allow_vmx(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		fc |= FEATURE_CONTROL_VMX_OUTSIDE_SMX | FEATURE_CONTROL_LOCKED;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
		return 0;
	}
	return (fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX) ? 0 : -ENODEV;
}

int hwvirt_probe(char *info, size_t len)
{
	uint64_t basic, procbased, secondary = 0;

	if (!cpu_has_vmx()) {
		snprintf(info, len, "%s", no_vmx_message);
		return -ENODEV;
	}
	if (feature_control_allow_vmx() < 0) {
		snprintf(info, len, "%s", vmx_locked_message);
		return -ENODEV;
	}
	basic = rdmsr(MSR_IA32_VMX_BASIC);
	procbased = rdmsr((basic & VMX_BASIC_TRUE_CTLS) ?
				  MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				  MSR_IA32_VMX_PROCBASED_CTLS);
	if (procbased & PROCBASED_SECONDARY_CONTROLS)
		secondary = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
	snprintf(info, len, "Intel VMX%s%s%s (VMCS revision 0x%x)",
		 (secondary & SECONDARY_EPT) ? ", EPT" : ", no EPT",
		 (secondary & SECONDARY_VPID) ? ", VPID" : ", no VPID",
		 (secondary & SECONDARY_UNRESTRICTED_GUEST) ? ", unrestricted guest" : "",
		 (unsigned int)(basic & VMX_BASIC_REVISION_MASK));
	return 0;
}

static uint64_t apply_fixed_bits(uint64_t value, uint32_t fixed0_msr, uint32_t fixed1_msr)
{
	/* Bits set in FIXED0 must be 1; bits clear in FIXED1 must be 0. */
	return (value | rdmsr(fixed0_msr)) & rdmsr(fixed1_msr);
}

/*
 * FXSAVE/XSAVE of the guests' FPU and SSE state (vcpu_vmx.c) and XSETBV of
 * their XCR0 need OSFXSR and, when the CPU has XSAVE, OSXSAVE in the
 * host's CR4.  The hypervisor itself still never touches the FPU.
 */
static uint64_t host_fpu_cr4_bits(void)
{
	uint64_t bits = CR4_OSFXSR | CR4_OSXMMEXCPT;

	if (cpuid(1, 0).ecx & CPUID1_ECX_XSAVE)
		bits |= CR4_OSXSAVE;
	return bits;
}

int hwvirt_enable_cpu(char *desc, size_t len)
{
	unsigned int cpu = this_cpu()->id;
	uint32_t revision;
	uint64_t region_phys;
	uint8_t failed;
	uint32_t *region;

	if (!cpu_has_vmx()) {
		snprintf(desc, len, "%s", no_vmx_message);
		return -ENODEV;
	}
	if (feature_control_allow_vmx() < 0) {
		snprintf(desc, len, "%s", vmx_locked_message);
		return -ENODEV;
	}
	revision = rdmsr(MSR_IA32_VMX_BASIC) & VMX_BASIC_REVISION_MASK;
	if (vmxon_region[cpu]) {
		snprintf(desc, len, "already in VMX operation (VMCS revision 0x%x)", revision);
		return 0;
	}

	write_cr0(apply_fixed_bits(read_cr0(), MSR_IA32_VMX_CR0_FIXED0, MSR_IA32_VMX_CR0_FIXED1));
	write_cr4(apply_fixed_bits(read_cr4() | X86_CR4_VMXE | host_fpu_cr4_bits(),
				   MSR_IA32_VMX_CR4_FIXED0, MSR_IA32_VMX_CR4_FIXED1));

	region = page_alloc(1);
	if (!region) {
		snprintf(desc, len, "no memory for the VMXON region");
		return -ENOMEM;
	}
	region[0] = revision;
	region_phys = (uintptr_t)region;  /* identity-mapped */

	/* VMfailInvalid sets CF, VMfailValid sets ZF. */
	__asm__ volatile("vmxon %1\n\tsetbe %0"
			 : "=q"(failed)
			 : "m"(region_phys)
			 : "cc", "memory");
	if (failed) {
		page_free(region, 1);
		snprintf(desc, len, "VMXON failed (VMCS revision 0x%x, CR0 0x%llx, CR4 0x%llx)",
			 revision, (unsigned long long)read_cr0(),
			 (unsigned long long)read_cr4());
		return -EIO;
	}
	vmxon_region[cpu] = region;
	snprintf(desc, len, "VMXON ok (VMCS revision 0x%x)", revision);
	return 0;
}
