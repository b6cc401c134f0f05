/* SPDX-License-Identifier: MIT */
/*
 * <vcpu/vcpu.h> on Intel VMX: one VMCS per vCPU.
 *
 *   vcpu_create()  VMCLEAR + VMPTRLD on the calling CPU, then every VMCS
 *                  field: controls (vmx_caps_init: what we want, adjusted
 *                  by the capability MSRs), host state (this CPU's
 *                  descriptor tables, CR0/3/4, EFER, the exit stub),
 *                  guest state (the architectural reset state)
 *   vcpu_run()     interrupt fill() -> VMLAUNCH/VMRESUME (vmx_switch.S) ->
 *                  sync() -> vmx_handle_exit() (vmx_exit.c), in a loop
 *                  until an exit the VM must see
 *
 * A vCPU stays on the physical CPU that created it (its VMCS is active
 * there, and the host state in it is that CPU's); vcpu_run() elsewhere
 * gives a FAILED exit.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <core/arch.h>
#include <core/log.h>
#include <core/mm.h>
#include <core/percpu.h>
#include <core/spinlock.h>
#include <vcpu/gspace.h>
#include <vcpu/vcpu.h>
#include <vcpu/x86_regs.h>
#include <x86_64/cpu.h>
#include <x86_64/wait.h>
#include <x86_64/x86.h>

#include "vmx_internal.h"
#include "../../idpool.h"

_Static_assert(offsetof(struct vcpu, regs) == 0, "vmx_switch.S expects the registers first");
_Static_assert(offsetof(struct vmx_guest_regs, gpr) == REGS_GPR, "REGS_GPR");
_Static_assert(offsetof(struct vmx_guest_regs, cr2) == REGS_CR2, "REGS_CR2");
_Static_assert(sizeof(struct vmx_guest_regs) == REGS_SIZE, "REGS_SIZE");

#define MSR_VMX_BASIC            0x480
#define MSR_VMX_PINBASED_CTLS    0x481
#define MSR_VMX_PROCBASED_CTLS   0x482
#define MSR_VMX_EXIT_CTLS        0x483
#define MSR_VMX_ENTRY_CTLS       0x484
#define MSR_VMX_MISC             0x485
#define MSR_VMX_CR0_FIXED0       0x486
#define MSR_VMX_CR0_FIXED1       0x487
#define MSR_VMX_CR4_FIXED0       0x488
#define MSR_VMX_CR4_FIXED1       0x489
#define MSR_VMX_PROCBASED_CTLS2  0x48b
#define MSR_VMX_EPT_VPID_CAP     0x48c
#define MSR_VMX_TRUE_PINBASED    0x48d   /* the TRUE MSRs follow in this order */

#define VMX_BASIC_TRUE_CTLS      (1ull << 55)
#define VMX_BASIC_REVISION_MASK  0x7fffffffull
#define VMX_MISC_PREEMPTION_SHIFT 0x1full   /* the timer ticks every 2^n TSC ticks */

#define EPT_CAP_4LEVEL           (1ull << 6)
#define EPT_CAP_WB               (1ull << 14)
#define EPT_CAP_2M               (1ull << 16)
#define EPT_CAP_1G               (1ull << 17)
#define EPT_CAP_INVEPT           (1ull << 20)
#define EPT_CAP_INVEPT_SINGLE    (1ull << 25)
#define EPT_CAP_INVEPT_ALL       (1ull << 26)
#define VPID_CAP_INVVPID         (1ull << 32)
#define VPID_CAP_INVVPID_SINGLE  (1ull << 41)
#define VPID_CAP_INVVPID_ALL     (1ull << 42)

#define CPUID1_ECX_XSAVE         (1u << 26)
#define MAX_VPID                 65535

/* ---- capabilities -------------------------------------------------------- */

/* The controls every VMCS gets, decided once from the capability MSRs. */
static struct {
	spinlock_t lock;
	bool decided, usable;
	char why[120];
	uint64_t basic, ept_vpid;
	uint32_t pin, proc, proc2, exit, entry;
	unsigned int preemption_shift;   /* with PIN_PREEMPTION_TIMER offered */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t cr0_mask, cr4_mask;     /* the bits we own: the guest sees the read shadow */
	bool xsave;
	uint64_t xcr0_supported;
	size_t fpu_size;
	void *msr_bitmap;
	struct x86_host_caps host;       /* what the vendor-neutral policy may offer */
} caps;

uint32_t vmx_true_controls_msr(uint32_t plain_msr)
{
	/* IA32_VMX_TRUE_*_CTLS report which default-1 controls may be 0. */
	if (caps.basic & VMX_BASIC_TRUE_CTLS)
		return plain_msr - MSR_VMX_PINBASED_CTLS + MSR_VMX_TRUE_PINBASED;
	return plain_msr;
}

/*
 * Allowed-0 settings in bits 31:0 (1 = must be 1), allowed-1 in 63:32
 * (0 = must be 0).  Returns the control word, or sets *missing to the
 * wanted bits the CPU cannot set.
 */
static uint32_t adjust_controls(uint32_t msr, uint32_t required, uint32_t optional,
				uint32_t *missing)
{
	uint64_t allowed = rdmsr(msr);
	uint32_t may_be_one = (uint32_t)(allowed >> 32), must_be_one = (uint32_t)allowed;

	*missing = required & ~may_be_one;
	return ((required | optional) & may_be_one) | must_be_one;
}

/* An MSR the guest reads and writes directly (both bitmap bits clear). */
static void msr_pass_through(uint8_t *bitmap, uint32_t msr)
{
	unsigned int offset = (msr >= 0xc0000000u) ? 1024 : 0;
	uint32_t bit = msr & 0x1fff;

	bitmap[offset + bit / 8] &= (uint8_t)~(1u << (bit % 8));          /* read  */
	bitmap[2048 + offset + bit / 8] &= (uint8_t)~(1u << (bit % 8));   /* write */
}

static bool decide_controls(void)
{
	uint32_t missing;

	caps.basic = rdmsr(MSR_VMX_BASIC);
	/*
	 * Pin-based: physical interrupts and NMIs leave the guest (the host
	 * owns the hardware); virtual NMIs make NMI-window exits possible.
	 */
	caps.pin = adjust_controls(vmx_true_controls_msr(MSR_VMX_PINBASED_CTLS),
				   PIN_EXTERNAL_INTERRUPT | PIN_NMI_EXITING,
				   PIN_VIRTUAL_NMIS | PIN_PREEMPTION_TIMER, &missing);
	if (missing) {
		snprintf(caps.why, sizeof(caps.why), "pin-based controls 0x%x missing", missing);
		return false;
	}
	/*
	 * The VMX-preemption timer ends a guest's run when the VM's next device
	 * timer is due (vcpu_x86_set_run_limit()); it is switched on per entry.
	 */
	caps.preemption_shift = (unsigned int)(rdmsr(MSR_VMX_MISC) & VMX_MISC_PREEMPTION_SHIFT);
	/*
	 * Primary processor-based: HLT/MWAIT (the vCPU waits: WFI exit), every
	 * port access (the VM's bus owns all ports), MSR bitmaps, CR8 (the
	 * guest must not program the host's task priority), RDPMC (no PMU),
	 * TSC offsetting, MONITOR, and the secondary controls.  CR3 load and
	 * store exiting are default-1 without the TRUE MSRs; EPT makes them
	 * unnecessary, so they are left out whenever the CPU allows.
	 */
	caps.proc = adjust_controls(vmx_true_controls_msr(MSR_VMX_PROCBASED_CTLS),
				    PROC_HLT_EXITING | PROC_UNCONDITIONAL_IO | PROC_USE_MSR_BITMAPS |
					    PROC_SECONDARY_CONTROLS | PROC_TSC_OFFSETTING,
				    PROC_MWAIT_EXITING | PROC_MONITOR_EXITING | PROC_RDPMC_EXITING |
					    PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING,
				    &missing);
	if (missing) {
		snprintf(caps.why, sizeof(caps.why),
			 "processor-based controls 0x%x missing", missing);
		return false;
	}
	/*
	 * Secondary: EPT and unrestricted guest (the guest runs its own real
	 * and protected mode before paging), VPID (no TLB flush per exit),
	 * and the instructions a modern guest expects to work when CPUID
	 * says so: RDTSCP, INVPCID, XSAVES.
	 */
	caps.proc2 = adjust_controls(MSR_VMX_PROCBASED_CTLS2, PROC2_EPT | PROC2_UNRESTRICTED_GUEST,
				     PROC2_VPID | PROC2_RDTSCP | PROC2_INVPCID | PROC2_XSAVES,
				     &missing);
	if (missing) {
		snprintf(caps.why, sizeof(caps.why),
			 "no %s%s: guests need EPT with unrestricted guest",
			 (missing & PROC2_EPT) ? "EPT " : "",
			 (missing & PROC2_UNRESTRICTED_GUEST) ? "unrestricted guest" : "");
		return false;
	}
	/* Exit: 64-bit host; EFER and PAT switched by the processor. */
	caps.exit = adjust_controls(vmx_true_controls_msr(MSR_VMX_EXIT_CTLS),
				    EXIT_HOST_64BIT | EXIT_SAVE_EFER | EXIT_LOAD_EFER,
				    EXIT_SAVE_PAT | EXIT_LOAD_PAT, &missing);
	if (missing) {
		snprintf(caps.why, sizeof(caps.why), "VM-exit controls 0x%x missing", missing);
		return false;
	}
	caps.entry = adjust_controls(vmx_true_controls_msr(MSR_VMX_ENTRY_CTLS), ENTRY_LOAD_EFER,
				     ENTRY_LOAD_PAT, &missing);
	if (missing) {
		snprintf(caps.why, sizeof(caps.why), "VM-entry controls 0x%x missing", missing);
		return false;
	}
	/* PAT on both sides or on neither (these controls are never default-1). */
	if (!(caps.entry & ENTRY_LOAD_PAT) || !(caps.exit & EXIT_LOAD_PAT) ||
	    !(caps.exit & EXIT_SAVE_PAT)) {
		caps.entry &= ~ENTRY_LOAD_PAT;
		caps.exit &= ~(EXIT_LOAD_PAT | EXIT_SAVE_PAT);
	}
	caps.ept_vpid = rdmsr(MSR_VMX_EPT_VPID_CAP);
	if (!(caps.ept_vpid & EPT_CAP_4LEVEL) || !(caps.ept_vpid & EPT_CAP_WB)) {
		snprintf(caps.why, sizeof(caps.why), "EPT without 4-level write-back tables");
		return false;
	}
	if (!(caps.ept_vpid & VPID_CAP_INVVPID) ||
	    !(caps.ept_vpid & (VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL)))
		caps.proc2 &= ~PROC2_VPID;       /* VPIDs we could not flush */
	caps.cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	caps.cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	caps.cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	caps.cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	/*
	 * CR0: the guest owns every bit except those VMX fixes (NE, and PE/PG
	 * without unrestricted guest); a write that changes one of ours exits
	 * (vmx_exit.c).  CR4: VMXE and SMXE stay ours and hidden, as do the
	 * bits this CPU cannot set.
	 */
	caps.cr0_mask = (caps.cr0_fixed0 | ~caps.cr0_fixed1) & ~(CR0_PE | CR0_PG) & 0xffffffffull;
	caps.cr4_mask = (caps.cr4_fixed0 | ~caps.cr4_fixed1 | CR4_VMXE | CR4_SMXE) & 0xffffffffull;

	caps.xsave = (cpuid(1, 0).ecx & CPUID1_ECX_XSAVE) && (read_cr4() & CR4_OSXSAVE);
	if (caps.xsave) {
		struct cpuid_regs d = cpuid(0xd, 0);

		caps.xcr0_supported = d.eax | ((uint64_t)d.edx << 32);
		caps.fpu_size = d.ecx;
	} else {
		caps.xcr0_supported = 0x3;
		caps.fpu_size = 512;
	}

	caps.host = (struct x86_host_caps){
		.rdtscp = caps.proc2 & PROC2_RDTSCP,
		.invpcid = caps.proc2 & PROC2_INVPCID,
		.xsaves = caps.proc2 & PROC2_XSAVES,
		.nx = cpuid(0x80000001, 0).edx & (1u << 20),
		.phys_bits = cpuid(0x80000008, 0).eax & 0xff,
		.xcr0_supported = caps.xcr0_supported,
		.cr4_allowed = caps.cr4_fixed1 & ~(CR4_VMXE | CR4_SMXE),
		.tsc_hz = timer_tsc_hz(),
		.max_leaf = cpuid(0, 0).eax,
	};

	/* One MSR bitmap for every vCPU: everything exits but these. */
	caps.msr_bitmap = page_alloc(1);
	if (!caps.msr_bitmap) {
		snprintf(caps.why, sizeof(caps.why), "no memory for the MSR bitmap");
		return false;
	}
	memset(caps.msr_bitmap, 0xff, PAGE_SIZE);
	/* Saved in the VMCS at every exit, loaded at every entry. */
	msr_pass_through(caps.msr_bitmap, MSR_FS_BASE);
	msr_pass_through(caps.msr_bitmap, MSR_GS_BASE_MSR);
	msr_pass_through(caps.msr_bitmap, MSR_SYSENTER_CS);
	msr_pass_through(caps.msr_bitmap, MSR_SYSENTER_ESP);
	msr_pass_through(caps.msr_bitmap, MSR_SYSENTER_EIP);
	/* Only used by SYSCALL/SWAPGS/RDTSCP, which the host never runs. */
	msr_pass_through(caps.msr_bitmap, MSR_STAR);
	msr_pass_through(caps.msr_bitmap, MSR_LSTAR);
	msr_pass_through(caps.msr_bitmap, MSR_CSTAR);
	msr_pass_through(caps.msr_bitmap, MSR_SFMASK);
	msr_pass_through(caps.msr_bitmap, MSR_KERNEL_GS_BASE);
	if (caps.proc2 & PROC2_RDTSCP)
		msr_pass_through(caps.msr_bitmap, MSR_TSC_AUX);
	return true;
}

/* Decides the controls once; false (and caps.why) when guests cannot run. */
bool vmx_caps_init(void)
{
	bool in_vmx_operation = read_cr4() & CR4_VMXE;

	spin_lock(&caps.lock);
	/* Before VMXON (hwvirt_enable_cpu()) nothing is decided yet. */
	if (!caps.decided && in_vmx_operation) {
		caps.decided = true;
		caps.usable = decide_controls();
		if (!caps.usable)
			log_warn("vcpu: cannot run VMX guests: %s", caps.why);
	}
	spin_unlock(&caps.lock);
	return caps.usable;
}

bool vmx_has_secondary(uint32_t proc2_bit)
{
	return caps.proc2 & proc2_bit;
}

bool vmx_has_load_pat(void)
{
	return caps.entry & ENTRY_LOAD_PAT;
}

bool vmx_ept_has_2m(void)
{
	return caps.ept_vpid & EPT_CAP_2M;
}

bool vmx_ept_has_1g(void)
{
	return caps.ept_vpid & EPT_CAP_1G;
}

uint64_t vmx_host_xcr0_supported(void)
{
	return caps.xcr0_supported;
}

/* CR0 as the hardware must hold it: fixed bits forced, PE/PG free (unrestricted guest). */
uint64_t vmx_cr0_fixed(uint64_t cr0)
{
	uint64_t must_be_one = caps.cr0_fixed0 & ~(CR0_PE | CR0_PG);

	return (cr0 | must_be_one) & (caps.cr0_fixed1 | CR0_PE | CR0_PG);
}

uint64_t vmx_cr4_fixed(uint64_t cr4)
{
	return (cr4 | caps.cr4_fixed0) & caps.cr4_fixed1;
}

/* CR0 and CR4 as the guest reads them: its own bits from the VMCS, ours from the shadow. */
uint64_t vmx_guest_cr0(const struct vcpu *v)
{
	return (vmread(VMCS_GUEST_CR0) & ~caps.cr0_mask) | (v->cr0_shadow & caps.cr0_mask);
}

uint64_t vmx_guest_cr4(const struct vcpu *v)
{
	return (vmread(VMCS_GUEST_CR4) & ~caps.cr4_mask) | (v->cr4_shadow & caps.cr4_mask);
}

/* A CR4 value the guest may set: nothing the CPU lacks, no VMX/SMX. */
bool vmx_cr4_allowed(uint64_t cr4)
{
	return !(cr4 & ~caps.cr4_fixed1) && !(cr4 & (CR4_VMXE | CR4_SMXE));
}

/* ---- TLB invalidation -------------------------------------------------- */

struct invept_descriptor {
	uint64_t eptp, reserved;
};

struct invvpid_descriptor {
	uint64_t vpid, linear;
};

static void invept(uint64_t type, uint64_t eptp)
{
	struct invept_descriptor d = { eptp, 0 };

	__asm__ volatile("invept %0, %1" : : "m"(d), "r"(type) : "cc", "memory");
}

static void invvpid(uint64_t type, uint16_t vpid)
{
	struct invvpid_descriptor d = { vpid, 0 };

	__asm__ volatile("invvpid %0, %1" : : "m"(d), "r"(type) : "cc", "memory");
}

/* Drops this CPU's cached translations of gs (the walker's this_cpu()). */
void vmx_invept_gspace(struct gspace *gs)
{
	if ((caps.ept_vpid & EPT_CAP_INVEPT) && (caps.ept_vpid & EPT_CAP_INVEPT_SINGLE))
		invept(1, ept_pointer(gs));
	else if (caps.ept_vpid & EPT_CAP_INVEPT_ALL)
		invept(2, 0);
}

/* The walker's kick(): a CPU in the guest exits and catches up at its next entry. */
void vmx_kick_cpu(unsigned int cpu)
{
	if (cpu != this_cpu()->id)
		arch_kick_cpu(cpu);
}

static void flush_guest_tlb(struct vcpu *v)
{
	vmx_invept_gspace(v->gs);
	if (caps.proc2 & PROC2_VPID) {
		uint16_t vpid = (uint16_t)vmread(VMCS_VPID);

		if (caps.ept_vpid & VPID_CAP_INVVPID_SINGLE)
			invvpid(1, vpid);
		else
			invvpid(2, 0);
	}
}

/* ---- VPIDs --------------------------------------------------------------- */

/* 16 bits in the VMCS; VPID 0 is the host's. */
ID_POOL_DEFINE(vpids, 1, MAX_VPID);

/* ---- the current VMCS of each CPU, and the lazily switched state ---------- */

static void *current_vmcs[MAX_CPUS];
/* The vCPU whose FPU/XCR0/SYSCALL MSRs are in this CPU's registers. */
static struct vcpu *lazy_owner[MAX_CPUS];

static bool vmcs_make_current(struct vcpu *v)
{
	unsigned int cpu = this_cpu()->id;
	uint64_t phys = (uint64_t)(uintptr_t)v->vmcs;
	uint8_t failed;

	if (current_vmcs[cpu] == v->vmcs)
		return true;
	__asm__ volatile("vmptrld %1\n\tsetbe %0" : "=q"(failed) : "m"(phys) : "cc", "memory");
	if (failed)
		return false;
	current_vmcs[cpu] = v->vmcs;
	return true;
}

static inline void xsetbv(uint32_t index, uint64_t value)
{
	__asm__ volatile("xsetbv" : : "c"(index), "a"((uint32_t)value),
			 "d"((uint32_t)(value >> 32)) : "memory");
}

static inline uint64_t xgetbv(uint32_t index)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return ((uint64_t)hi << 32) | lo;
}

static void save_lazy_state(struct vcpu *v)
{
	v->star = rdmsr(MSR_STAR);
	v->lstar = rdmsr(MSR_LSTAR);
	v->cstar = rdmsr(MSR_CSTAR);
	v->sfmask = rdmsr(MSR_SFMASK);
	v->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	if (caps.proc2 & PROC2_RDTSCP)
		v->tsc_aux = rdmsr(MSR_TSC_AUX);
	if (caps.xsave)
		__asm__ volatile("xsave64 (%0)" : : "r"(v->fpu_area), "a"((uint32_t)v->xcr0),
				 "d"((uint32_t)(v->xcr0 >> 32)) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" : : "r"(v->fpu_area) : "memory");
}

static void load_lazy_state(struct vcpu *v)
{
	wrmsr(MSR_STAR, v->star);
	wrmsr(MSR_LSTAR, v->lstar);
	wrmsr(MSR_CSTAR, v->cstar);
	wrmsr(MSR_SFMASK, v->sfmask);
	wrmsr(MSR_KERNEL_GS_BASE, v->kernel_gs_base);
	if (caps.proc2 & PROC2_RDTSCP)
		wrmsr(MSR_TSC_AUX, v->tsc_aux);
	if (caps.xsave) {
		if (xgetbv(0) != v->xcr0)
			xsetbv(0, v->xcr0);
		__asm__ volatile("xrstor64 (%0)" : : "r"(v->fpu_area), "a"((uint32_t)v->xcr0),
				 "d"((uint32_t)(v->xcr0 >> 32)) : "memory");
	} else {
		__asm__ volatile("fxrstor64 (%0)" : : "r"(v->fpu_area) : "memory");
	}
}

/*
 * The hypervisor uses no FPU/SSE (-mgeneral-regs-only) and no SYSCALL, so
 * the guest's values may stay in the hardware after an exit; they move
 * only when another vCPU enters on this CPU.
 */
static void switch_lazy_state(struct vcpu *v)
{
	unsigned int cpu = this_cpu()->id;
	struct vcpu *old = lazy_owner[cpu];

	if (old == v)
		return;
	if (old)
		save_lazy_state(old);
	load_lazy_state(v);
	lazy_owner[cpu] = v;
}

/* ---- guest state ---------------------------------------------------------- */

static void write_segment(enum x86_seg seg, uint16_t selector, uint64_t base, uint32_t limit,
			  uint32_t ar)
{
	vmwrite(VMCS_GUEST_ES_SEL + 2 * seg, selector);
	vmwrite(VMCS_GUEST_ES_BASE + 2 * seg, base);
	vmwrite(VMCS_GUEST_ES_LIMIT + 2 * seg, limit);
	vmwrite(VMCS_GUEST_ES_AR + 2 * seg, ar);
}

uint64_t vmx_guest_efer(void)
{
	return vmread(VMCS_GUEST_EFER);
}

/* EFER as the guest writes it; LMA follows the entry control (IA-32e mode). */
void vmx_set_guest_efer(struct vcpu *v, uint64_t efer)
{
	/* The processor updates "IA-32e mode guest" itself at every exit. */
	v->entry_controls = (uint32_t)vmread(VMCS_ENTRY_CONTROLS);
	if (efer & EFER_LMA)
		v->entry_controls |= ENTRY_IA32E_GUEST;
	else
		v->entry_controls &= ~ENTRY_IA32E_GUEST;
	vmwrite(VMCS_GUEST_EFER, efer);
	vmwrite(VMCS_ENTRY_CONTROLS, v->entry_controls);
}

void vmx_set_proc_controls(struct vcpu *v, uint32_t controls)
{
	v->proc_controls = controls;
	vmwrite(VMCS_PROC_CONTROLS, controls);
}

static void reset_fpu_area(struct vcpu *v)
{
	uint8_t *area = v->fpu_area;

	memset(area, 0, v->fpu_area_pages * PAGE_SIZE);
	area[0] = 0x40;                       /* FCW after RESET               */
	*(uint32_t *)(area + 24) = 0x1f80;    /* MXCSR: every exception masked */
	/* XSAVE header (byte 512) all zero: XRSTOR puts every component in its init state. */
}

/* The state after RESET/INIT (SDM vol. 3, "Initialization overview"). */
static void reset_guest_state(struct vcpu *v)
{
	static const uint64_t pat_default = X86_PAT_RESET;

	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.gpr[X86_RDX] = cpuid(1, 0).eax;      /* family/model/stepping */
	v->rip = 0xfff0;
	v->rflags = 0x2;
	v->interruptibility = 0;
	v->entry_intr_info = 0;
	v->pending = PENDING_NONE;
	v->cr8 = 0;

	v->cr0_shadow = 0x60000010;                  /* CD, NW, ET */
	v->cr4_shadow = 0;
	vmwrite(VMCS_GUEST_CR0, vmx_cr0_fixed(v->cr0_shadow));
	vmwrite(VMCS_CR0_SHADOW, v->cr0_shadow);
	vmwrite(VMCS_GUEST_CR3, 0);
	vmwrite(VMCS_GUEST_CR4, vmx_cr4_fixed(v->cr4_shadow));
	vmwrite(VMCS_CR4_SHADOW, v->cr4_shadow);

	/* Real mode: CS F000 with base FFFF0000; accessed code/data, present. */
	write_segment(X86_CS, 0xf000, 0xffff0000ull, 0xffff, 0x9b);
	write_segment(X86_ES, 0, 0, 0xffff, 0x93);
	write_segment(X86_SS, 0, 0, 0xffff, 0x93);
	write_segment(X86_DS, 0, 0, 0xffff, 0x93);
	write_segment(X86_FS, 0, 0, 0xffff, 0x93);
	write_segment(X86_GS, 0, 0, 0xffff, 0x93);
	vmwrite(VMCS_GUEST_LDTR_SEL, 0);
	vmwrite(VMCS_GUEST_LDTR_BASE, 0);
	vmwrite(VMCS_GUEST_LDTR_LIMIT, 0xffff);
	vmwrite(VMCS_GUEST_LDTR_AR, 0x82);            /* present LDT        */
	vmwrite(VMCS_GUEST_TR_SEL, 0);
	vmwrite(VMCS_GUEST_TR_BASE, 0);
	vmwrite(VMCS_GUEST_TR_LIMIT, 0xffff);
	vmwrite(VMCS_GUEST_TR_AR, 0x8b);              /* present busy TSS   */
	vmwrite(VMCS_GUEST_GDTR_BASE, 0);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmwrite(VMCS_GUEST_IDTR_BASE, 0);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, 0xffff);

	vmwrite(VMCS_GUEST_DR7, 0x400);
	vmwrite(VMCS_GUEST_DEBUGCTL, 0);
	vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	vmwrite(VMCS_GUEST_ACTIVITY, ACTIVITY_ACTIVE);
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmwrite(VMCS_GUEST_SYSENTER_CS, 0);
	vmwrite(VMCS_GUEST_SYSENTER_ESP, 0);
	vmwrite(VMCS_GUEST_SYSENTER_EIP, 0);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	vmx_set_guest_efer(v, 0);
	x86_msr_reset(&v->msr);
	if (vmx_has_load_pat())
		vmwrite(VMCS_GUEST_PAT, pat_default);
	vmx_set_proc_controls(v, caps.proc);

	v->star = v->lstar = v->cstar = v->sfmask = v->kernel_gs_base = v->tsc_aux = 0;
	v->xcr0 = 1;                                  /* x87 only */
	reset_fpu_area(v);
	/* The lazily switched state must come from this vCPU again. */
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		if (lazy_owner[cpu] == v)
			lazy_owner[cpu] = NULL;
}

/* 32-bit flat protected mode, paging off: how Linux's 32-bit boot protocol and PVH start. */
static void enter_flat_protected_mode(struct vcpu *v, uint64_t pc)
{
	v->cr0_shadow = CR0_PE | 0x10;               /* PE, ET */
	vmwrite(VMCS_GUEST_CR0, vmx_cr0_fixed(v->cr0_shadow));
	vmwrite(VMCS_CR0_SHADOW, v->cr0_shadow);
	write_segment(X86_CS, 0x10, 0, 0xffffffff, 0xc09b);
	for (enum x86_seg s = X86_ES; s <= X86_GS; s++)
		if (s != X86_CS)
			write_segment(s, 0x18, 0, 0xffffffff, 0xc093);
	v->rip = pc;
}

static void write_host_state(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr, idtr;
	uint16_t cs, ss, ds, es, tr;
	uint64_t tss_low, tss_high, tr_base;
	const uint64_t *gdt;

	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	__asm__ volatile("sidt %0" : "=m"(idtr));
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	__asm__ volatile("mov %%ss, %0" : "=r"(ss));
	__asm__ volatile("mov %%ds, %0" : "=r"(ds));
	__asm__ volatile("mov %%es, %0" : "=r"(es));
	__asm__ volatile("str %0" : "=r"(tr));
	gdt = (const uint64_t *)(uintptr_t)gdtr.base;
	tss_low = gdt[tr >> 3];
	tss_high = gdt[(tr >> 3) + 1];
	tr_base = ((tss_low >> 16) & 0xffffff) | (((tss_low >> 56) & 0xff) << 24) | (tss_high << 32);

	vmwrite(VMCS_HOST_CR0, read_cr0());
	vmwrite(VMCS_HOST_CR3, read_cr3());
	vmwrite(VMCS_HOST_CR4, read_cr4());
	vmwrite(VMCS_HOST_CS_SEL, cs & 0xfff8);
	vmwrite(VMCS_HOST_SS_SEL, ss & 0xfff8);
	vmwrite(VMCS_HOST_DS_SEL, ds & 0xfff8);
	vmwrite(VMCS_HOST_ES_SEL, es & 0xfff8);
	vmwrite(VMCS_HOST_FS_SEL, 0);
	vmwrite(VMCS_HOST_GS_SEL, 0);
	vmwrite(VMCS_HOST_TR_SEL, tr & 0xfff8);
	vmwrite(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmwrite(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE_MSR));   /* this_cpu() */
	vmwrite(VMCS_HOST_TR_BASE, tr_base);
	vmwrite(VMCS_HOST_GDTR_BASE, gdtr.base);
	vmwrite(VMCS_HOST_IDTR_BASE, idtr.base);
	vmwrite(VMCS_HOST_SYSENTER_CS, rdmsr(MSR_SYSENTER_CS));
	vmwrite(VMCS_HOST_SYSENTER_ESP, rdmsr(MSR_SYSENTER_ESP));
	vmwrite(VMCS_HOST_SYSENTER_EIP, rdmsr(MSR_SYSENTER_EIP));
	vmwrite(VMCS_HOST_EFER, rdmsr(MSR_X86_EFER));
	if (vmx_has_load_pat())
		vmwrite(VMCS_HOST_PAT, rdmsr(MSR_PAT));
	vmwrite(VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_stub);
}

/*
 * The guest's TSC starts at 0 when its VM's first vCPU is created, and
 * every vCPU of the VM counts from that moment: one clock on all its
 * CPUs, as on a PC, whose CPUs leave reset together.  A vCPU created a
 * little later with its own zero would lag behind the others, and a
 * guest that reads the TSC on one CPU and then on another would see it
 * go back (Linux checks for that at CPU bring-up, check_tsc_warp(), and
 * stops using the TSC as a clock at the first step back).
 */
static uint64_t vm_tsc_origin(struct gspace *gs)
{
	uint64_t none = 0, now = rdtsc();

	__atomic_compare_exchange_n(&gs->tsc_origin, &none, now, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	return __atomic_load_n(&gs->tsc_origin, __ATOMIC_SEQ_CST);
}

static void write_controls(struct vcpu *v, uint16_t vpid)
{
	v->pin_controls = caps.pin & ~PIN_PREEMPTION_TIMER;
	vmwrite(VMCS_PIN_CONTROLS, v->pin_controls);
	vmx_set_proc_controls(v, caps.proc);
	vmwrite(VMCS_PROC_CONTROLS2, caps.proc2);
	vmwrite(VMCS_EXIT_CONTROLS, caps.exit);
	v->entry_controls = caps.entry;
	vmwrite(VMCS_ENTRY_CONTROLS, v->entry_controls);
	vmwrite(VMCS_EXCEPTION_BITMAP, 0);
	vmwrite(VMCS_CR3_TARGET_COUNT, 0);
	vmwrite(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmwrite(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmwrite(VMCS_MSR_BITMAP, (uint64_t)(uintptr_t)caps.msr_bitmap);
	vmwrite(VMCS_EPT_POINTER, ept_pointer(v->gs));
	if (caps.proc2 & PROC2_VPID)
		vmwrite(VMCS_VPID, vpid);
	vmwrite(VMCS_LINK_POINTER, ~0ull);
	vmwrite(VMCS_CR0_MASK, caps.cr0_mask);
	vmwrite(VMCS_CR4_MASK, caps.cr4_mask);
	v->tsc_offset = (uint64_t)0 - vm_tsc_origin(v->gs);
	vmwrite(VMCS_TSC_OFFSET, v->tsc_offset);
}

/* ---- create / destroy ---------------------------------------------------- */

struct vcpu *vcpu_create(struct gspace *gs, unsigned int index)
{
	struct vcpu *v;
	uint64_t phys;
	uint16_t vpid = 0;
	uint8_t failed;

	if (!gs)
		return NULL;
	if (!(read_cr4() & CR4_VMXE)) {
		log_warn("vcpu: CPU %u is not in VMX operation: no vCPU (hwvirt_enable_cpu() first)",
			 this_cpu()->id);
		return NULL;
	}
	if (!vmx_caps_init())
		return NULL;
	v = kzalloc(sizeof(*v));
	if (!v)
		return NULL;
	v->gs = gs;
	v->index = index;
	v->vmcs = page_alloc(1);
	v->fpu_area_pages = (caps.fpu_size + PAGE_SIZE - 1) / PAGE_SIZE;
	v->fpu_area = page_alloc(v->fpu_area_pages);
	if (caps.proc2 & PROC2_VPID) {
		vpid = (uint16_t)id_alloc(&vpids);
		if (!vpid)
			log_warn("vcpu: all %u VPIDs in use", MAX_VPID);
	}
	if (!v->vmcs || !v->fpu_area || ((caps.proc2 & PROC2_VPID) && !vpid))
		goto fail;
	*(uint32_t *)v->vmcs = (uint32_t)(caps.basic & VMX_BASIC_REVISION_MASK);
	phys = (uint64_t)(uintptr_t)v->vmcs;
	__asm__ volatile("vmclear %1\n\tsetbe %0" : "=q"(failed) : "m"(phys) : "cc", "memory");
	if (failed)
		goto fail;
	v->cpu = (int)this_cpu()->id;
	if (!vmcs_make_current(v))
		goto fail;
	write_controls(v, vpid);
	write_host_state();
	reset_guest_state(v);
	v->flush_tlb = true;     /* the VPID may have been another vCPU's */
	if (index + 1 > gs->vcpu_count)
		gs->vcpu_count = index + 1;
	/* Application processors wait for INIT-SIPI-SIPI. */
	v->wait_for_sipi = index != 0;
	/*
	 * The VM may run the vCPU on another CPU than the one creating it:
	 * VMCLEAR writes the VMCS back to memory, and the first CPU that
	 * touches it adopts it (on_own_cpu()).
	 */
	__asm__ volatile("vmclear %1\n\tsetbe %0" : "=q"(failed) : "m"(phys) : "cc", "memory");
	current_vmcs[this_cpu()->id] = NULL;
	v->cpu = -1;
	if (failed)
		goto fail;
	return v;
fail:
	if (vpid)
		id_free(&vpids, vpid);
	if (v->fpu_area)
		page_free(v->fpu_area, v->fpu_area_pages);
	if (v->vmcs)
		page_free(v->vmcs, 1);
	kfree(v);
	return NULL;
}

void vcpu_destroy(struct vcpu *v)
{
	uint64_t phys;
	unsigned int cpu;

	if (!v)
		return;
	cpu = this_cpu()->id;
	phys = (uint64_t)(uintptr_t)v->vmcs;
	if (caps.proc2 & PROC2_VPID) {
		if (vmcs_make_current(v))
			id_free(&vpids, (uint16_t)vmread(VMCS_VPID));
	}
	__asm__ volatile("vmclear %0" : : "m"(phys) : "cc", "memory");
	if (current_vmcs[cpu] == v->vmcs)
		current_vmcs[cpu] = NULL;
	for (unsigned int c = 0; c < MAX_CPUS; c++)
		if (lazy_owner[c] == v)
			lazy_owner[c] = NULL;
	page_free(v->fpu_area, v->fpu_area_pages);
	page_free(v->vmcs, 1);
	kfree(v);
}

unsigned int vcpu_index(const struct vcpu *v)
{
	return v->index;
}

/* The calling CPU must be the vCPU's: only there is its VMCS active. */
/*
 * Whether the calling CPU runs v (and its VMCS is current).  A new vCPU
 * belongs to the first CPU that asks: its VMCS is loaded there and gets
 * that CPU's host state (stacks, TR, GS base differ per CPU).
 */
static bool on_own_cpu(struct vcpu *v)
{
	int self = (int)this_cpu()->id;

	if (v->cpu < 0) {
		if (!vmcs_make_current(v))
			return false;
		v->cpu = self;
		write_host_state();
		return true;
	}
	return v->cpu == self && vmcs_make_current(v);
}

void vcpu_set_entry(struct vcpu *v, uint64_t pc, const uint64_t *args, unsigned int nargs)
{
	static const enum x86_reg arg_regs[] = { X86_RSI, X86_RDI, X86_RBX, X86_RDX };

	if (!on_own_cpu(v))
		return;
	reset_guest_state(v);
	v->wait_for_sipi = false;
	if (pc != X86_RESET_VECTOR)
		enter_flat_protected_mode(v, pc);
	for (unsigned int i = 0; i < nargs && i < 4; i++)
		v->regs.gpr[arg_regs[i]] = args[i];
}

/* ---- registers ------------------------------------------------------------ */

int vcpu_get_reg(const struct vcpu *cv, unsigned int reg, uint64_t *value)
{
	struct vcpu *v = (struct vcpu *)cv;

	switch (reg) {
	case VCPU_REG_PC: *value = v->rip; return 0;
	case VCPU_REG_SP: *value = v->regs.gpr[X86_RSP]; return 0;
	case VCPU_REG_ARG0: *value = v->regs.gpr[X86_RSI]; return 0;
	case VCPU_REG_ARG1: *value = v->regs.gpr[X86_RDI]; return 0;
	case VCPU_REG_ARG2: *value = v->regs.gpr[X86_RBX]; return 0;
	case VCPU_REG_ARG3: *value = v->regs.gpr[X86_RDX]; return 0;
	case VCPU_REG_X86_RFLAGS: *value = v->rflags; return 0;
	case VCPU_REG_X86_CR2: *value = v->regs.cr2; return 0;
	case VCPU_REG_X86_CR8: *value = v->cr8; return 0;
	case VCPU_REG_X86_XCR0: *value = v->xcr0; return 0;
	case VCPU_REG_X86_TSC_OFFSET: *value = v->tsc_offset; return 0;
	case VCPU_REG_X86_CR0:
	case VCPU_REG_X86_CR3:
	case VCPU_REG_X86_CR4:
	case VCPU_REG_X86_EFER:
		if (!on_own_cpu(v))
			return -EINVAL;
		*value = reg == VCPU_REG_X86_CR0 ? vmx_guest_cr0(v) :
			 reg == VCPU_REG_X86_CR4 ? vmx_guest_cr4(v) :
			 vmread(reg == VCPU_REG_X86_CR3 ? VMCS_GUEST_CR3 : VMCS_GUEST_EFER);
		return 0;
	default:
		if (reg >= VCPU_REG_X86_GPR(0) && reg <= VCPU_REG_X86_GPR(15)) {
			*value = v->regs.gpr[reg - VCPU_REG_X86_GPR(0)];
			return 0;
		}
		return -EINVAL;
	}
}

int vcpu_set_reg(struct vcpu *v, unsigned int reg, uint64_t value)
{
	switch (reg) {
	case VCPU_REG_PC: v->rip = value; return 0;
	case VCPU_REG_SP: v->regs.gpr[X86_RSP] = value; return 0;
	case VCPU_REG_ARG0: v->regs.gpr[X86_RSI] = value; return 0;
	case VCPU_REG_ARG1: v->regs.gpr[X86_RDI] = value; return 0;
	case VCPU_REG_ARG2: v->regs.gpr[X86_RBX] = value; return 0;
	case VCPU_REG_ARG3: v->regs.gpr[X86_RDX] = value; return 0;
	case VCPU_REG_X86_RFLAGS: v->rflags = (value & 0x3f7fd7ull) | 0x2; return 0;
	case VCPU_REG_X86_CR2: v->regs.cr2 = value; return 0;
	case VCPU_REG_X86_CR8: v->cr8 = value & 0xf; return 0;
	case VCPU_REG_X86_TSC_OFFSET:
		if (!on_own_cpu(v))
			return -EINVAL;
		v->tsc_offset = value;
		vmwrite(VMCS_TSC_OFFSET, value);
		return 0;
	default:
		if (reg >= VCPU_REG_X86_GPR(0) && reg <= VCPU_REG_X86_GPR(15)) {
			v->regs.gpr[reg - VCPU_REG_X86_GPR(0)] = value;
			return 0;
		}
		return -EINVAL;   /* control registers change through the guest only */
	}
}

/* ---- events --------------------------------------------------------------- */

void vmx_skip_instruction(struct vcpu *v)
{
	v->rip += v->exit_insn_len;
	/* The instruction completed: an STI or MOV SS shadow ends with it. */
	v->interruptibility &= ~(BLOCKING_BY_STI | BLOCKING_BY_MOV_SS);
}

void vmx_inject_exception(struct vcpu *v, unsigned int vector, bool has_error, uint32_t error)
{
	/* Real mode delivers no error code; VM entry checks that too. */
	if (!(vmx_guest_cr0(v) & CR0_PE))
		has_error = false;
	v->entry_intr_info = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | vector |
			     (has_error ? INTR_INFO_ERROR_CODE : 0);
	v->entry_intr_error = error;
	v->entry_insn_len = 0;
}

bool vcpu_x86_can_inject_interrupt(const struct vcpu *v)
{
	return !(v->entry_intr_info & INTR_INFO_VALID) && (v->rflags & RFLAGS_IF) &&
	       !(v->interruptibility & (BLOCKING_BY_STI | BLOCKING_BY_MOV_SS)) && !v->wait_for_sipi;
}

int vcpu_x86_inject_interrupt(struct vcpu *v, uint8_t vector)
{
	/*
	 * Any vector: external interrupts have no reserved ones, and real-mode
	 * firmware puts the 8259's IRQ 0-7 at vectors 8-15.
	 */
	if (!vcpu_x86_can_inject_interrupt(v))
		return -EBUSY;
	v->entry_intr_info = INTR_INFO_VALID | INTR_TYPE_EXTERNAL | vector;
	v->entry_insn_len = 0;
	return 0;
}

void vcpu_x86_set_run_limit(struct vcpu *v, uint64_t ns)
{
	if (ns < v->run_limit_ns)
		v->run_limit_ns = ns;
}

/*
 * Right before entry: the VMX-preemption timer counts down every
 * 2^preemption_shift TSC ticks; set it to the run limit, or switch it off.
 */
static void program_run_limit(struct vcpu *v)
{
	uint32_t pin = v->pin_controls & ~PIN_PREEMPTION_TIMER;
	uint64_t hz = timer_tsc_hz();

	if ((caps.pin & PIN_PREEMPTION_TIMER) && v->run_limit_ns != VCPU_X86_NO_RUN_LIMIT && hz) {
		/* ns * hz / 10^9 in 64 bits: whole seconds, then the rest at kHz precision. */
		uint64_t ns = v->run_limit_ns < 100000000000ull ? v->run_limit_ns : 100000000000ull;
		uint64_t ticks = ns / 1000000000u * hz + ns % 1000000000u * (hz / 1000u) / 1000000u;
		uint64_t count = ticks >> caps.preemption_shift;

		vmwrite(VMCS_PREEMPTION_TIMER, count > 0xffffffffu ? 0xffffffffu : count);
		pin |= PIN_PREEMPTION_TIMER;
	}
	if (pin != v->pin_controls) {
		v->pin_controls = pin;
		vmwrite(VMCS_PIN_CONTROLS, pin);
	}
}

void vcpu_x86_request_interrupt_window(struct vcpu *v)
{
	if (!(v->proc_controls & PROC_INTERRUPT_WINDOW))
		vmx_set_proc_controls(v, v->proc_controls | PROC_INTERRUPT_WINDOW);
}

bool vcpu_x86_can_inject_nmi(const struct vcpu *v)
{
	return !(v->entry_intr_info & INTR_INFO_VALID) && !v->wait_for_sipi &&
	       !(v->interruptibility & (BLOCKING_BY_STI | BLOCKING_BY_MOV_SS | BLOCKING_BY_NMI));
}

int vcpu_x86_inject_nmi(struct vcpu *v)
{
	if (!vcpu_x86_can_inject_nmi(v))
		return -EBUSY;
	v->entry_intr_info = INTR_INFO_VALID | INTR_TYPE_NMI | 2;
	v->entry_insn_len = 0;
	return 0;
}

void vcpu_x86_request_nmi_window(struct vcpu *v)
{
	/* Needs virtual NMIs; without them the NMI waits for the next exit. */
	if ((caps.pin & PIN_VIRTUAL_NMIS) && !(v->proc_controls & PROC_NMI_WINDOW))
		vmx_set_proc_controls(v, v->proc_controls | PROC_NMI_WINDOW);
}

void vcpu_x86_init(struct vcpu *v)
{
	uint64_t tsc_offset = v->tsc_offset;
	struct x86_msr_state saved;

	if (!on_own_cpu(v))
		return;
	/* INIT keeps the MTRRs (and the TSC); RESET would clear them. */
	saved = v->msr;
	reset_guest_state(v);
	memcpy(v->msr.mtrr_fixed, saved.mtrr_fixed, sizeof(saved.mtrr_fixed));
	memcpy(v->msr.mtrr_var, saved.mtrr_var, sizeof(saved.mtrr_var));
	v->msr.mtrr_def_type = saved.mtrr_def_type;
	v->tsc_offset = tsc_offset;
	vmwrite(VMCS_TSC_OFFSET, tsc_offset);
	v->wait_for_sipi = true;
}

void vcpu_x86_sipi(struct vcpu *v, uint8_t vector)
{
	if (!v->wait_for_sipi || !on_own_cpu(v))
		return;
	write_segment(X86_CS, (uint16_t)(vector << 8), (uint64_t)vector << 12, 0xffff, 0x9b);
	v->rip = 0;
	v->wait_for_sipi = false;
}

bool vcpu_x86_waiting_for_sipi(const struct vcpu *v)
{
	return v->wait_for_sipi;
}

/* ---- entry failures ------------------------------------------------------- */

void vmx_fail(struct vcpu *v, struct vcpu_exit *exit, const char *fmt, ...)
{
	va_list ap;

	exit->reason = VCPU_EXIT_FAILED;
	exit->pc = v->rip;
	va_start(ap, fmt);
	vsnprintf(exit->failed.reason, sizeof(exit->failed.reason), fmt, ap);
	va_end(ap);
}

/* VM-instruction error numbers (SDM vol. 3, "VM-instruction error numbers"). */
static const char *insn_error_name(uint64_t error)
{
	switch (error) {
	case 4: return "VMLAUNCH with non-clear VMCS";
	case 5: return "VMRESUME with non-launched VMCS";
	case 6: return "VMRESUME after VMXOFF";
	case 7: return "VM entry with invalid control field(s)";
	case 8: return "VM entry with invalid host-state field(s)";
	case 12: return "VMREAD/VMWRITE of an unsupported component";
	case 13: return "VMWRITE to a read-only component";
	case 26: return "VM entry with events blocked by MOV SS";
	default: return "other VM-instruction error";
	}
}

/* Everything VM entry checks, for a student comparing it with SDM chapter 27. */
static void dump_vmcs(const char *why)
{
	static const char seg_names[X86_SEG_COUNT][3] = { "ES", "CS", "SS", "DS", "FS", "GS" };

	log_error("vcpu: %s; VMCS:", why);
	log_error("  controls: pin 0x%llx proc 0x%llx proc2 0x%llx exit 0x%llx entry 0x%llx",
		  (unsigned long long)vmread(VMCS_PIN_CONTROLS),
		  (unsigned long long)vmread(VMCS_PROC_CONTROLS),
		  (unsigned long long)vmread(VMCS_PROC_CONTROLS2),
		  (unsigned long long)vmread(VMCS_EXIT_CONTROLS),
		  (unsigned long long)vmread(VMCS_ENTRY_CONTROLS));
	log_error("  entry event 0x%llx error 0x%llx length %llu, EPTP 0x%llx",
		  (unsigned long long)vmread(VMCS_ENTRY_INTR_INFO),
		  (unsigned long long)vmread(VMCS_ENTRY_EXCEPTION_ERR),
		  (unsigned long long)vmread(VMCS_ENTRY_INSN_LEN),
		  (unsigned long long)vmread(VMCS_EPT_POINTER));
	log_error("  guest CR0 0x%llx CR3 0x%llx CR4 0x%llx EFER 0x%llx DR7 0x%llx",
		  (unsigned long long)vmread(VMCS_GUEST_CR0),
		  (unsigned long long)vmread(VMCS_GUEST_CR3),
		  (unsigned long long)vmread(VMCS_GUEST_CR4),
		  (unsigned long long)vmread(VMCS_GUEST_EFER),
		  (unsigned long long)vmread(VMCS_GUEST_DR7));
	log_error("  guest RIP 0x%llx RSP 0x%llx RFLAGS 0x%llx interruptibility 0x%llx activity %llu",
		  (unsigned long long)vmread(VMCS_GUEST_RIP),
		  (unsigned long long)vmread(VMCS_GUEST_RSP),
		  (unsigned long long)vmread(VMCS_GUEST_RFLAGS),
		  (unsigned long long)vmread(VMCS_GUEST_INTERRUPTIBILITY),
		  (unsigned long long)vmread(VMCS_GUEST_ACTIVITY));
	for (int s = 0; s < X86_SEG_COUNT; s++)
		log_error("  guest %s sel 0x%llx base 0x%llx limit 0x%llx ar 0x%llx", seg_names[s],
			  (unsigned long long)vmread(VMCS_GUEST_ES_SEL + 2 * s),
			  (unsigned long long)vmread(VMCS_GUEST_ES_BASE + 2 * s),
			  (unsigned long long)vmread(VMCS_GUEST_ES_LIMIT + 2 * s),
			  (unsigned long long)vmread(VMCS_GUEST_ES_AR + 2 * s));
	log_error("  guest TR sel 0x%llx ar 0x%llx, LDTR sel 0x%llx ar 0x%llx, GDTR 0x%llx/0x%llx, IDTR 0x%llx/0x%llx",
		  (unsigned long long)vmread(VMCS_GUEST_TR_SEL),
		  (unsigned long long)vmread(VMCS_GUEST_TR_AR),
		  (unsigned long long)vmread(VMCS_GUEST_LDTR_SEL),
		  (unsigned long long)vmread(VMCS_GUEST_LDTR_AR),
		  (unsigned long long)vmread(VMCS_GUEST_GDTR_BASE),
		  (unsigned long long)vmread(VMCS_GUEST_GDTR_LIMIT),
		  (unsigned long long)vmread(VMCS_GUEST_IDTR_BASE),
		  (unsigned long long)vmread(VMCS_GUEST_IDTR_LIMIT));
	log_error("  host CR0 0x%llx CR3 0x%llx CR4 0x%llx EFER 0x%llx RIP 0x%llx",
		  (unsigned long long)vmread(VMCS_HOST_CR0),
		  (unsigned long long)vmread(VMCS_HOST_CR3),
		  (unsigned long long)vmread(VMCS_HOST_CR4),
		  (unsigned long long)vmread(VMCS_HOST_EFER),
		  (unsigned long long)vmread(VMCS_HOST_RIP));
}

static void report_instruction_failure(struct vcpu *v, struct vcpu_exit *exit, int rc)
{
	const char *insn = v->launched ? "VMRESUME" : "VMLAUNCH";

	if (rc == 1) {
		vmx_fail(v, exit, "%s failed: no current VMCS (VMfailInvalid)", insn);
		return;
	}
	uint64_t error = vmread(VMCS_INSN_ERROR);

	vmx_fail(v, exit, "%s failed: VM-instruction error %llu (%s)", insn,
		 (unsigned long long)error, insn_error_name(error));
	dump_vmcs(exit->failed.reason);
}

/* Exit reason with bit 31: VM entry failed while loading the guest (SDM 27.8). */
static void report_entry_failure(struct vcpu *v, struct vcpu_exit *exit)
{
	uint32_t basic = v->exit_reason & 0xffff;
	const char *what = basic == 33 ? "invalid guest state" :
			   basic == 34 ? "MSR loading" :
			   basic == 41 ? "machine-check event" : "unknown cause";

	vmx_fail(v, exit, "VM entry failed: exit reason 0x%x (%u, %s), qualification 0x%llx",
		 v->exit_reason, basic, what, (unsigned long long)v->exit_qualification);
	dump_vmcs(exit->failed.reason);
}

/* ---- the run loop ---------------------------------------------------------- */

static void write_entry_state(struct vcpu *v)
{
	vmwrite(VMCS_GUEST_RIP, v->rip);
	vmwrite(VMCS_GUEST_RFLAGS, v->rflags);
	vmwrite(VMCS_GUEST_RSP, v->regs.gpr[X86_RSP]);
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY, v->interruptibility);
	vmwrite(VMCS_ENTRY_INTR_INFO, v->entry_intr_info);
	if (v->entry_intr_info & INTR_INFO_ERROR_CODE)
		vmwrite(VMCS_ENTRY_EXCEPTION_ERR, v->entry_intr_error);
	vmwrite(VMCS_ENTRY_INSN_LEN, v->entry_insn_len);
	/* INVEPT if this CPU is behind the EPT's generation (pgtable.c). */
	pgtable_cpu_enter(&v->gs->pt, (unsigned int)v->cpu);
	if (v->flush_tlb) {
		flush_guest_tlb(v);
		v->flush_tlb = false;
	}
}

static void read_exit_state(struct vcpu *v)
{
	uint32_t idt_vectoring;

	v->exit_reason = (uint32_t)vmread(VMCS_EXIT_REASON);
	v->exit_qualification = vmread(VMCS_EXIT_QUALIFICATION);
	v->exit_insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
	v->rip = vmread(VMCS_GUEST_RIP);
	v->rflags = vmread(VMCS_GUEST_RFLAGS);
	v->regs.gpr[X86_RSP] = vmread(VMCS_GUEST_RSP);
	v->interruptibility = (uint32_t)vmread(VMCS_GUEST_INTERRUPTIBILITY);
	/* The event injected at entry is consumed, unless its delivery caused the exit. */
	v->entry_intr_info = 0;
	idt_vectoring = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
	if (idt_vectoring & INTR_INFO_VALID) {
		uint32_t type = idt_vectoring & INTR_TYPE_MASK;

		v->entry_intr_info = idt_vectoring & (INTR_INFO_VALID | INTR_INFO_ERROR_CODE |
						      INTR_TYPE_MASK | 0xff);
		v->entry_intr_error = (uint32_t)vmread(VMCS_IDT_VECTORING_ERR);
		/* Software events need their instruction length again. */
		v->entry_insn_len = (type == INTR_TYPE_SW_INTERRUPT ||
				     type == INTR_TYPE_PRIV_SW_EXCEPTION ||
				     type == INTR_TYPE_SW_EXCEPTION) ? v->exit_insn_len : 0;
	}
}

int vcpu_run(struct vcpu *v, struct vcpu_exit *exit)
{
	memset(exit, 0, sizeof(*exit));
	if (!on_own_cpu(v)) {
		vmx_fail(v, exit, "vCPU %u belongs to CPU %d, not CPU %u", v->index, v->cpu,
			 this_cpu()->id);
		v->exit_counts[VCPU_EXIT_FAILED]++;
		return -EINVAL;
	}
	if (__atomic_exchange_n(&v->kick, false, __ATOMIC_SEQ_CST)) {
		exit->reason = VCPU_EXIT_KICK;
		exit->pc = v->rip;
		v->exit_counts[VCPU_EXIT_KICK]++;
		return 0;
	}
	if (v->wait_for_sipi) {
		exit->reason = VCPU_EXIT_WFI;
		exit->pc = v->rip;
		v->exit_counts[VCPU_EXIT_WFI]++;
		return 0;
	}
	v->pending = PENDING_NONE;

	for (;;) {
		bool irqs_were_on = read_rflags() & X86_RFLAGS_IF;
		enum vmx_action action;
		int rc;

		arch_irq_disable();
		/* Announced before the kick flag is read: see vcpu_kick(). */
		__atomic_store_n(&v->kick_needs_ipi, true, __ATOMIC_SEQ_CST);
		if (__atomic_exchange_n(&v->kick, false, __ATOMIC_SEQ_CST)) {
			__atomic_store_n(&v->kick_needs_ipi, false, __ATOMIC_SEQ_CST);
			if (irqs_were_on)
				arch_irq_enable();
			exit->reason = VCPU_EXIT_KICK;
			exit->pc = v->rip;
			v->exit_counts[VCPU_EXIT_KICK]++;
			return 0;
		}
		/* ---- interrupt injection: the VM's interrupt controller model ---- */
		v->run_limit_ns = VCPU_X86_NO_RUN_LIMIT;
		if (v->irq_ops && v->irq_ops->fill)
			v->irq_ops->fill(v, v->irq_opaque);
		program_run_limit(v);
		write_entry_state(v);
		switch_lazy_state(v);

		rc = vmx_enter_guest(&v->regs, v->launched);      /* VMLAUNCH / VMRESUME */
		__atomic_store_n(&v->kick_needs_ipi, false, __ATOMIC_SEQ_CST);
		pgtable_cpu_leave(&v->gs->pt, (unsigned int)v->cpu);

		if (rc) {
			if (irqs_were_on)
				arch_irq_enable();
			report_instruction_failure(v, exit, rc);
			v->exit_counts[VCPU_EXIT_FAILED]++;
			return -EIO;
		}
		read_exit_state(v);
		if (!(v->exit_reason & (1u << 31)))
			v->launched = true;
		if (v->irq_ops && v->irq_ops->sync)
			v->irq_ops->sync(v, v->irq_opaque);
		/*
		 * A physical interrupt that caused the exit (a kick, the host
		 * timer) is taken here by the host; left pending, it would end
		 * the next entry at once.
		 */
		if (irqs_were_on)
			arch_irq_enable();
		else if ((v->exit_reason & 0xffff) == VMX_EXIT_EXTERNAL_INTERRUPT)
			x86_take_pending_interrupts();

		if (v->exit_reason & (1u << 31)) {
			report_entry_failure(v, exit);
			action = VMX_TO_VM;
		} else {
			action = vmx_handle_exit(v, exit);
		}
		if (action == VMX_TO_VM) {
			v->exit_counts[exit->reason]++;
			return 0;
		}
	}
}

int vcpu_complete_read(struct vcpu *v, uint64_t data)
{
	/* Only RDMSR of the VM's MSRs: MMIO and port reads are complete already. */
	if (v->pending != PENDING_MSR_READ)
		return -EINVAL;
	v->pending = PENDING_NONE;
	v->regs.gpr[X86_RAX] = (uint32_t)data;
	v->regs.gpr[X86_RDX] = data >> 32;
	vmx_skip_instruction(v);
	return 0;
}

int vcpu_complete_hypercall(struct vcpu *v, const uint64_t *results, unsigned int count)
{
	static const enum x86_reg result_regs[] = { X86_RAX, X86_RBX, X86_RCX, X86_RDX };

	if (v->pending != PENDING_HYPERCALL)
		return -EINVAL;
	v->pending = PENDING_NONE;
	for (unsigned int i = 0; i < count && i < 4; i++)
		v->regs.gpr[result_regs[i]] = results[i];
	return 0;
}

/*
 * After a WFI exit (HLT): the VM's timers (LAPIC, PIT) are models that run
 * on VM time.  has_pending() runs the due ones and asks the VM's interrupt
 * controllers; while it says no, this CPU halts (x86_halt_until()) until
 * the deadline has_pending() left with vcpu_x86_set_run_limit() (the VM's
 * next device timer), at most WAIT_SLICE_NS, or until vcpu_kick() sends
 * the kick IPI (-EINTR).  Without has_pending it returns 0 at once.
 */
#define WAIT_SLICE_NS 10000000ull   /* what nobody kicks for (console input) */

int vcpu_wait_for_interrupt(struct vcpu *v, bool (*has_pending)(struct vcpu *v, void *ctx),
			    void *ctx)
{
	bool irqs_were_on = read_rflags() & X86_RFLAGS_IF;
	int rc = 0;

	if (!has_pending)
		return 0;
	arch_irq_disable();
	for (;;) {
		uint64_t sleep_ns;

		v->run_limit_ns = VCPU_X86_NO_RUN_LIMIT;
		if (has_pending(v, ctx))
			break;
		sleep_ns = v->run_limit_ns < WAIT_SLICE_NS ? v->run_limit_ns : WAIT_SLICE_NS;
		/* Announced before the kick flag is read: see vcpu_kick(). */
		__atomic_store_n(&v->kick_needs_ipi, true, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&v->kick, __ATOMIC_SEQ_CST)) {
			__atomic_store_n(&v->kick_needs_ipi, false, __ATOMIC_SEQ_CST);
			rc = -EINTR;
			break;
		}
		x86_halt_until(arch_timer_ns() + sleep_ns);
		__atomic_store_n(&v->kick_needs_ipi, false, __ATOMIC_SEQ_CST);
	}
	if (irqs_were_on)
		arch_irq_enable();
	return rc;
}

/*
 * The flag first, then the look at kick_needs_ipi (both sequentially
 * consistent, as on the vCPU's side in the other order): either the vCPU
 * sees the flag before it enters or halts, or this sees that it did and
 * sends the IPI, which ends the guest's run (external-interrupt exiting)
 * or the HLT.
 */
void vcpu_kick(struct vcpu *v)
{
	int cpu;

	__atomic_store_n(&v->kick, true, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&v->kick_needs_ipi, __ATOMIC_SEQ_CST))
		return;
	cpu = __atomic_load_n(&v->cpu, __ATOMIC_SEQ_CST);
	if (cpu >= 0 && (unsigned int)cpu != this_cpu()->id)
		arch_kick_cpu((unsigned int)cpu);
}

void vcpu_set_irq_ops(struct vcpu *v, const struct vcpu_irq_ops *ops, void *opaque)
{
	v->irq_ops = ops;
	v->irq_opaque = opaque;
}

void vcpu_set_io_ops(struct vcpu *v, const struct vcpu_io_ops *ops, void *opaque)
{
	v->io_ops = ops;
	v->io_opaque = opaque;
}

/* ---- the vendor interface of x86_vcpu.h, on the VMCS ------------------------------ */

uint64_t *x86_gprs(struct vcpu *v)
{
	return v->regs.gpr;
}

uint64_t x86_get_rip(struct vcpu *v)
{
	return v->rip;
}

void x86_set_rip(struct vcpu *v, uint64_t rip)
{
	/* The instruction completed: an STI or MOV SS shadow ends with it. */
	if (rip != v->rip)
		v->interruptibility &= ~(BLOCKING_BY_STI | BLOCKING_BY_MOV_SS);
	v->rip = rip;
}

uint64_t x86_get_rflags(struct vcpu *v)
{
	return v->rflags;
}

void x86_set_rflags(struct vcpu *v, uint64_t rflags)
{
	v->rflags = rflags;
}

void x86_get_segment(struct vcpu *v, enum x86_seg seg, struct x86_segment *s)
{
	s->base = vmread(VMCS_GUEST_ES_BASE + 2 * seg);
	s->limit = (uint32_t)vmread(VMCS_GUEST_ES_LIMIT + 2 * seg);
	s->ar = (uint32_t)vmread(VMCS_GUEST_ES_AR + 2 * seg);
	(void)v;
}

/* SS.DPL is the CPL (SDM vol. 3, 27.3.1.5 "Checks on Guest Segment Registers"). */
unsigned int x86_get_cpl(struct vcpu *v)
{
	(void)v;
	return AR_DPL(vmread(VMCS_GUEST_ES_AR + 2 * X86_SS));
}

uint64_t x86_get_cr0(struct vcpu *v)
{
	return vmx_guest_cr0(v);
}

uint64_t x86_get_cr3(struct vcpu *v)
{
	(void)v;
	return vmread(VMCS_GUEST_CR3);
}

uint64_t x86_get_cr4(struct vcpu *v)
{
	return vmx_guest_cr4(v);
}

uint64_t x86_get_efer(struct vcpu *v)
{
	(void)v;
	return vmx_guest_efer();
}

void x86_set_cr0(struct vcpu *v, uint64_t cr0)
{
	v->cr0_shadow = cr0;
	vmwrite(VMCS_CR0_SHADOW, cr0);
	vmwrite(VMCS_GUEST_CR0, vmx_cr0_fixed(cr0));
}

void x86_set_cr4(struct vcpu *v, uint64_t cr4)
{
	v->cr4_shadow = cr4;
	vmwrite(VMCS_CR4_SHADOW, cr4);
	vmwrite(VMCS_GUEST_CR4, vmx_cr4_fixed(cr4));
}

void x86_set_efer(struct vcpu *v, uint64_t efer)
{
	vmx_set_guest_efer(v, efer);
}

void x86_set_cr2(struct vcpu *v, uint64_t cr2)
{
	v->regs.cr2 = cr2;
}

/* With EPT, VM entry loads the PAE PDPTEs from the VMCS (SDM 26.3.2.4). */
void vmx_load_pdptes(struct vcpu *v)
{
	uint64_t pdpte[4] = { 0 };

	guest_read_physical(v->gs, vmread(VMCS_GUEST_CR3) & 0xffffffe0ull, pdpte, sizeof(pdpte));
	for (int i = 0; i < 4; i++)
		vmwrite(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
}

void x86_paging_changed(struct vcpu *v)
{
	/* The guest's translations go at the next entry (an INVEPT/INVVPID there). */
	v->flush_tlb = true;
	if ((vmx_guest_cr0(v) & CR0_PG) && (vmx_guest_cr4(v) & CR4_PAE) &&
	    !(vmx_guest_efer() & EFER_LMA))
		vmx_load_pdptes(v);
}

void x86_set_xcr0(struct vcpu *v, uint64_t xcr0)
{
	v->xcr0 = xcr0;
	/* Loaded into the hardware by the lazy switch; this CPU holds it now. */
	xsetbv(0, xcr0);
}

uint64_t x86_get_xcr0(struct vcpu *v)
{
	return v->xcr0;
}

void x86_set_pat(struct vcpu *v, uint64_t pat)
{
	v->msr.pat = pat;
	if (vmx_has_load_pat())
		vmwrite(VMCS_GUEST_PAT, pat);
}

void x86_set_tsc_offset(struct vcpu *v, uint64_t offset)
{
	v->tsc_offset = offset;
	vmwrite(VMCS_TSC_OFFSET, offset);
}

uint64_t x86_get_tsc_offset(struct vcpu *v)
{
	return v->tsc_offset;
}

void x86_inject_exception(struct vcpu *v, unsigned int vector, bool has_error, uint32_t error)
{
	vmx_inject_exception(v, vector, has_error, error);
}

void x86_skip_instruction(struct vcpu *v)
{
	vmx_skip_instruction(v);
}

enum bus_result x86_io_access(struct vcpu *v, struct bus_access *acc)
{
	if (v->io_ops && v->io_ops->access)
		return v->io_ops->access(v->io_opaque, v, acc);
	if (acc->dir == BUS_READ)
		acc->data = ~0ull;
	return BUS_UNASSIGNED;
}

struct x86_decoded *x86_last_decoded(struct vcpu *v)
{
	return &v->last_decoded;
}

struct x86_msr_state *x86_msr_state(struct vcpu *v)
{
	return &v->msr;
}

unsigned int x86_vcpu_index(struct vcpu *v)
{
	return v->index;
}

unsigned int x86_vcpu_count(struct vcpu *v)
{
	return v->gs->vcpu_count;
}

const struct x86_host_caps *x86_host_caps(void)
{
	return &caps.host;
}

struct x86_cpuid_regs x86_host_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r = cpuid(leaf, subleaf);

	return (struct x86_cpuid_regs){ r.eax, r.ebx, r.ecx, r.edx };
}

uint64_t x86_host_tsc(void)
{
	return rdtsc();
}

uint64_t vcpu_exit_count(const struct vcpu *v, enum vcpu_exit_reason reason)
{
	if ((unsigned int)reason >= VCPU_EXIT_REASON_COUNT)
		return 0;
	return v->exit_counts[reason];
}
