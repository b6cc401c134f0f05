/* SPDX-License-Identifier: MIT */
/*
 * The VM-exit decode: one table indexed by the basic exit reason (bits
 * 15:0 of the exit-reason field, SDM vol. 3 appendix C) names each exit
 * and says who handles it.  The handlers here decode what only VMX knows
 * (the exit qualification, the VM-exit instruction information) and hand
 * the rest to the vendor-neutral policy of x86_vcpu.h (CPUID, MSRs,
 * control registers, XSETBV, VMCALL, I/O and MMIO).  A handler either
 * finishes the exit (VMX_RESUME: the guest is entered again) or fills the
 * generic struct vcpu_exit for the VM (VMX_TO_VM):
 *
 *   I/O instruction    -> PIO, already performed (io_emul.c; REP string
 *                         I/O: up to VCPU_MAX_ACCESSES_PER_EXIT elements)
 *   EPT violation      -> MMIO, already performed (the instruction fetched
 *                         and run by x86emu, io_emul.c)
 *   HLT, MWAIT         -> WFI          VMCALL at CPL 0 -> HYPERCALL
 *   RDMSR/WRMSR of the LAPIC's MSRs -> SYSREG
 *   external interrupt, NMI -> IRQ     triple fault  -> RESET
 *   anything unexpected -> FAILED (the hypervisor goes on)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <core/log.h>
#include <core/spinlock.h>
#include <x86_64/cpu.h>

#include "vmx_internal.h"

#define EXIT_REASON_COUNT 66

/* ---- helpers --------------------------------------------------------------- */

static void inject_gp(struct vcpu *v)
{
	vmx_inject_exception(v, X86_VECTOR_GP, true, 0);
}

static void inject_ud(struct vcpu *v)
{
	vmx_inject_exception(v, X86_VECTOR_UD, false, 0);
}

static bool guest_in_64bit_mode(void)
{
	return (vmx_guest_efer() & EFER_LMA) && (vmread(VMCS_GUEST_ES_AR + 2 * X86_CS) & AR_L);
}

static void to_vm_pc(struct vcpu *v, struct vcpu_exit *exit, enum vcpu_exit_reason reason)
{
	exit->reason = reason;
	exit->pc = v->rip;
}

void x86_report_once(uint32_t key, enum log_level level, const char *fmt, unsigned long long a,
		     unsigned long long b)
{
	static spinlock_t lock = SPINLOCK_INIT;
	static uint32_t reported[64];
	static unsigned int count;
	bool fresh = true;

	spin_lock(&lock);
	for (unsigned int i = 0; i < count; i++)
		if (reported[i] == key)
			fresh = false;
	if (fresh && count < 64)
		reported[count++] = key;
	else if (fresh)
		fresh = false;
	spin_unlock(&lock);
	if (fresh)
		log_printf(level, fmt, a, b);
}

/* ---- I/O instructions ---------------------------------------------------- */

#define IO_SIZE_MASK 0x7ull
#define IO_IN        (1ull << 3)
#define IO_STRING    (1ull << 4)
#define IO_REP       (1ull << 5)
#define VMX_BASIC_INSN_INFO (1ull << 54)

/* The exit qualification (SDM vol. 3, table 28-5) and, for INS/OUTS, the instruction information. */
static enum vmx_action handle_io(struct vcpu *v, struct vcpu_exit *exit)
{
	uint64_t q = v->exit_qualification;
	struct x86_io_exit io = {
		.port = (uint16_t)((q >> 16) & 0xffff),
		.width = (unsigned int)(q & IO_SIZE_MASK) + 1,
		.in = q & IO_IN,
		.string = q & IO_STRING,
		.rep = q & IO_REP,
		.seg = X86_DS,
	};

	if (io.string) {
		unsigned int addr_size;

		if (rdmsr(0x480) & VMX_BASIC_INSN_INFO) {
			uint32_t info = (uint32_t)vmread(VMCS_EXIT_INSN_INFO);

			addr_size = (info >> 7) & 7;          /* 0: 16-bit, 1: 32-bit, 2: 64-bit */
			if (!io.in && ((info >> 15) & 7) < X86_SEG_COUNT)
				io.seg = (enum x86_seg)((info >> 15) & 7);
		} else {
			/* No instruction information: the mode's default address size, DS. */
			addr_size = guest_in_64bit_mode() ? 2 :
				    (vmread(VMCS_GUEST_ES_AR + 2 * X86_CS) & AR_DB) ? 1 : 0;
		}
		io.address_size = addr_size == 0 ? 2 : addr_size == 1 ? 4 : 8;
	}
	return x86_handle_pio(v, &io, exit);
}

/* ---- MMIO: EPT violations --------------------------------------------------- */

#define EPT_QUAL_WRITE  (1ull << 1)
#define EPT_QUAL_FETCH  (1ull << 2)
#define EPT_QUAL_NMI_UNBLOCKING (1ull << 12)

static enum vmx_action handle_ept_violation(struct vcpu *v, struct vcpu_exit *exit)
{
	uint64_t q = v->exit_qualification;
	uint64_t gpa = vmread(VMCS_GUEST_PHYSICAL_ADDR);

	/* An IRET that unblocked NMIs faulted: NMIs are blocked again (SDM 27.2.3). */
	if ((q & EPT_QUAL_NMI_UNBLOCKING) && !(v->entry_intr_info & INTR_INFO_VALID))
		v->interruptibility |= BLOCKING_BY_NMI;
	if (q & EPT_QUAL_FETCH) {
		vmx_fail(v, exit, "instruction fetch from guest-physical 0x%llx, which is not RAM",
			 (unsigned long long)gpa);
		return VMX_TO_VM;
	}
	return x86_handle_mmio(v, gpa, q & EPT_QUAL_WRITE, exit);
}

/* ---- CPUID, MSRs ------------------------------------------------------------ */

static enum vmx_action handle_cpuid(struct vcpu *v, struct vcpu_exit *exit)
{
	(void)exit;
	return x86_handle_cpuid(v);
}

static enum vmx_action handle_msr(struct vcpu *v, struct vcpu_exit *exit, bool is_write)
{
	enum vmx_action action = x86_handle_msr(v, exit, is_write);

	/* The VM answers a read of the LAPIC's MSRs with vcpu_complete_read(). */
	if (action == VMX_TO_VM && exit->reason == VCPU_EXIT_SYSREG && !is_write)
		v->pending = PENDING_MSR_READ;
	return action;
}

static enum vmx_action handle_rdmsr(struct vcpu *v, struct vcpu_exit *exit)
{
	return handle_msr(v, exit, false);
}

static enum vmx_action handle_wrmsr(struct vcpu *v, struct vcpu_exit *exit)
{
	return handle_msr(v, exit, true);
}

/* ---- control registers, XSETBV --------------------------------------------------- */

/* Exit qualification for CR accesses (SDM vol. 3, table 28-3). */
static enum vmx_action handle_cr_access(struct vcpu *v, struct vcpu_exit *exit)
{
	uint64_t q = v->exit_qualification;
	unsigned int cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;

	switch (type) {
	case 1:   /* MOV from CR: only CR8 exits */
		if (cr != 8) {
			vmx_fail(v, exit, "MOV from CR%u exited", cr);
			return VMX_TO_VM;
		}
		v->regs.gpr[reg] = v->cr8;
		vmx_skip_instruction(v);
		return VMX_RESUME;
	case 3:   /* LMSW: the source operand in bits 31:16 */
		return x86_handle_cr_write(v, X86_CR_LMSW, 0, (q >> 16) & 0xffff, &v->cr8);
	default:  /* MOV to CR, CLTS */
		return x86_handle_cr_write(v, (enum x86_cr_access)type, cr, v->regs.gpr[reg], &v->cr8);
	}
}

static enum vmx_action handle_xsetbv(struct vcpu *v, struct vcpu_exit *exit)
{
	(void)exit;
	return x86_handle_xsetbv(v);
}

/* ---- everything else ------------------------------------------------------------ */

static enum vmx_action handle_exception_or_nmi(struct vcpu *v, struct vcpu_exit *exit)
{
	uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);

	if ((info & INTR_INFO_VALID) && (info & INTR_TYPE_MASK) == INTR_TYPE_NMI) {
		/* A host NMI: hand it to the host's handler, then report it. */
		__asm__ volatile("int $2");
		to_vm_pc(v, exit, VCPU_EXIT_IRQ);
		return VMX_TO_VM;
	}
	vmx_fail(v, exit, "unexpected exception exit, interruption info 0x%x", info);
	return VMX_TO_VM;
}

static enum vmx_action handle_external_interrupt(struct vcpu *v, struct vcpu_exit *exit)
{
	/* Not acknowledged on exit: the host takes it as soon as IF is 1. */
	to_vm_pc(v, exit, VCPU_EXIT_IRQ);
	return VMX_TO_VM;
}

static enum vmx_action handle_preemption_timer(struct vcpu *v, struct vcpu_exit *exit)
{
	/* The run limit passed: the VM's device timers are due (counted as IRQ). */
	to_vm_pc(v, exit, VCPU_EXIT_IRQ);
	return VMX_TO_VM;
}

static enum vmx_action handle_triple_fault(struct vcpu *v, struct vcpu_exit *exit)
{
	to_vm_pc(v, exit, VCPU_EXIT_RESET);
	return VMX_TO_VM;
}

static enum vmx_action handle_init(struct vcpu *v, struct vcpu_exit *exit)
{
	vcpu_x86_init(v);
	to_vm_pc(v, exit, VCPU_EXIT_WFI);
	return VMX_TO_VM;
}

static enum vmx_action handle_ignore(struct vcpu *v, struct vcpu_exit *exit)
{
	(void)v, (void)exit;
	return VMX_RESUME;
}

static enum vmx_action handle_interrupt_window(struct vcpu *v, struct vcpu_exit *exit)
{
	(void)exit;
	vmx_set_proc_controls(v, v->proc_controls & ~PROC_INTERRUPT_WINDOW);
	return VMX_RESUME;        /* fill() injects on the way back in */
}

static enum vmx_action handle_nmi_window(struct vcpu *v, struct vcpu_exit *exit)
{
	(void)exit;
	vmx_set_proc_controls(v, v->proc_controls & ~PROC_NMI_WINDOW);
	return VMX_RESUME;
}

static enum vmx_action handle_hlt(struct vcpu *v, struct vcpu_exit *exit)
{
	to_vm_pc(v, exit, VCPU_EXIT_WFI);
	vmx_skip_instruction(v);
	return VMX_TO_VM;
}

static enum vmx_action handle_skip(struct vcpu *v, struct vcpu_exit *exit)
{
	(void)exit;
	vmx_skip_instruction(v);
	return VMX_RESUME;
}

static enum vmx_action handle_vmcall(struct vcpu *v, struct vcpu_exit *exit)
{
	enum vmx_action action = x86_handle_vmcall(v, exit);

	if (action == VMX_TO_VM)
		v->pending = PENDING_HYPERCALL;
	return action;
}

static enum vmx_action handle_undefined(struct vcpu *v, struct vcpu_exit *exit)
{
	(void)exit;
	inject_ud(v);         /* VMX instructions and RDPMC do not exist for the guest */
	return VMX_RESUME;
}

static enum vmx_action handle_rdpmc(struct vcpu *v, struct vcpu_exit *exit)
{
	(void)exit;
	inject_gp(v);         /* no performance counters (CPUID leaf 0xA is empty) */
	return VMX_RESUME;
}

static enum vmx_action handle_ept_misconfig(struct vcpu *v, struct vcpu_exit *exit)
{
	vmx_fail(v, exit, "EPT misconfiguration at guest-physical 0x%llx",
		 (unsigned long long)vmread(VMCS_GUEST_PHYSICAL_ADDR));
	return VMX_TO_VM;
}

struct exit_kind {
	const char *name;
	enum vmx_action (*handle)(struct vcpu *v, struct vcpu_exit *exit);
};

/* Basic exit reasons (SDM vol. 3, appendix C); NULL handler = unexpected. */
static const struct exit_kind exit_table[EXIT_REASON_COUNT] = {
	[0] = { "exception or NMI", handle_exception_or_nmi },
	[1] = { "external interrupt", handle_external_interrupt },
	[2] = { "triple fault", handle_triple_fault },
	[3] = { "INIT signal", handle_init },
	[4] = { "SIPI", handle_ignore },
	[5] = { "I/O SMI", NULL },
	[6] = { "other SMI", NULL },
	[7] = { "interrupt window", handle_interrupt_window },
	[8] = { "NMI window", handle_nmi_window },
	[9] = { "task switch", NULL },
	[10] = { "CPUID", handle_cpuid },
	[11] = { "GETSEC", handle_undefined },
	[12] = { "HLT", handle_hlt },
	[13] = { "INVD", handle_skip },
	[14] = { "INVLPG", NULL },
	[15] = { "RDPMC", handle_rdpmc },
	[16] = { "RDTSC", NULL },
	[17] = { "RSM", NULL },
	[18] = { "VMCALL", handle_vmcall },
	[19] = { "VMCLEAR", handle_undefined },
	[20] = { "VMLAUNCH", handle_undefined },
	[21] = { "VMPTRLD", handle_undefined },
	[22] = { "VMPTRST", handle_undefined },
	[23] = { "VMREAD", handle_undefined },
	[24] = { "VMRESUME", handle_undefined },
	[25] = { "VMWRITE", handle_undefined },
	[26] = { "VMXOFF", handle_undefined },
	[27] = { "VMXON", handle_undefined },
	[28] = { "control-register access", handle_cr_access },
	[29] = { "MOV DR", NULL },
	[30] = { "I/O instruction", handle_io },
	[31] = { "RDMSR", handle_rdmsr },
	[32] = { "WRMSR", handle_wrmsr },
	[33] = { "VM-entry failure: invalid guest state", NULL },
	[34] = { "VM-entry failure: MSR loading", NULL },
	[36] = { "MWAIT", handle_hlt },
	[37] = { "monitor trap flag", NULL },
	[39] = { "MONITOR", handle_skip },
	[40] = { "PAUSE", handle_ignore },
	[41] = { "VM-entry failure: machine check", NULL },
	[43] = { "TPR below threshold", NULL },
	[44] = { "APIC access", NULL },
	[45] = { "virtualized EOI", NULL },
	[46] = { "GDTR/IDTR access", NULL },
	[47] = { "LDTR/TR access", NULL },
	[48] = { "EPT violation", handle_ept_violation },
	[49] = { "EPT misconfiguration", handle_ept_misconfig },
	[50] = { "INVEPT", handle_undefined },
	[51] = { "RDTSCP", NULL },
	[52] = { "VMX-preemption timer", handle_preemption_timer },
	[53] = { "INVVPID", handle_undefined },
	[54] = { "WBINVD", handle_skip },
	[55] = { "XSETBV", handle_xsetbv },
	[56] = { "APIC write", NULL },
	[57] = { "RDRAND", NULL },
	[58] = { "INVPCID", NULL },
	[59] = { "VMFUNC", handle_undefined },
	[60] = { "ENCLS", NULL },
	[61] = { "RDSEED", NULL },
	[62] = { "page-modification log full", NULL },
	[63] = { "XSAVES", NULL },
	[64] = { "XRSTORS", NULL },
	[65] = { "SPP-related event", NULL },
};

enum vmx_action vmx_handle_exit(struct vcpu *v, struct vcpu_exit *exit)
{
	unsigned int basic = v->exit_reason & 0xffff;
	const struct exit_kind *kind = basic < EXIT_REASON_COUNT ? &exit_table[basic] : NULL;

	if (!kind || !kind->handle) {
		vmx_fail(v, exit, "unexpected VM exit %u (%s), qualification 0x%llx", basic,
			 kind && kind->name ? kind->name : "unknown",
			 (unsigned long long)v->exit_qualification);
		return VMX_TO_VM;
	}
	return kind->handle(v, exit);
}
