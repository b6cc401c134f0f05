/* SPDX-License-Identifier: MIT */
/*
 * The VM-exit decode: one table indexed by the basic exit reason (bits
 * 15:0 of the exit-reason field, SDM vol. 3 appendix C) names each exit
 * and says who handles it.  A handler either finishes the exit here
 * (CPUID, most MSRs, CR writes, XSETBV, interrupt windows: VMX_RESUME,
 * the guest is entered again) or fills the generic struct vcpu_exit for
 * the VM (VMX_TO_VM):
 *
 *   I/O instruction    -> PIO (string I/O: one element per exit, data moved
 *                         through the guest's page tables)
 *   EPT violation      -> MMIO (the instruction fetched and run by x86emu)
 *   HLT, MWAIT         -> WFI          VMCALL        -> HYPERCALL
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

static void inject_pf(struct vcpu *v, uint64_t linear, bool write)
{
	uint32_t error = write ? 2 : 0;

	if (AR_DPL(vmread(VMCS_GUEST_ES_AR + 2 * X86_SS)) == 3)
		error |= 4;
	v->regs.cr2 = linear;
	vmx_inject_exception(v, X86_VECTOR_PF, true, error);
}

static bool guest_in_64bit_mode(void)
{
	return (vmx_guest_efer() & EFER_LMA) && (vmread(VMCS_GUEST_ES_AR + 2 * X86_CS) & AR_L);
}

static uint64_t segment_base(enum x86_seg seg)
{
	/* In 64-bit mode only FS and GS have a base. */
	if (guest_in_64bit_mode() && seg != X86_FS && seg != X86_GS)
		return 0;
	return vmread(VMCS_GUEST_ES_BASE + 2 * seg);
}

static void to_vm_pc(struct vcpu *v, struct vcpu_exit *exit, enum vcpu_exit_reason reason)
{
	exit->reason = reason;
	exit->pc = v->rip;
}

/* Reports a guest mistake once per kind, so a looping guest cannot flood the log. */
static void report_once(uint32_t key, const char *fmt, unsigned long long a, unsigned long long b)
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
		log_warn(fmt, a, b);
}

void vmx_load_guest_x86_regs(struct vcpu *v, struct x86_regs *r)
{
	memcpy(r->gpr, v->regs.gpr, sizeof(r->gpr));
	r->rip = v->rip;
	r->rflags = v->rflags;
	for (int s = 0; s < X86_SEG_COUNT; s++)
		r->seg_base[s] = vmread(VMCS_GUEST_ES_BASE + 2 * s);
	r->cr0 = vmread(VMCS_GUEST_CR0);
	r->efer = vmx_guest_efer();
}

/* ---- I/O instructions ---------------------------------------------------- */

#define IO_SIZE_MASK 0x7ull
#define IO_IN        (1ull << 3)
#define IO_STRING    (1ull << 4)
#define IO_REP       (1ull << 5)
#define VMX_BASIC_INSN_INFO (1ull << 54)

struct string_io {
	unsigned int width;
	uint64_t mask;            /* address size: 0xffff, 0xffffffff or ~0 */
	enum x86_reg index;       /* RSI (OUTS) or RDI (INS)               */
	enum x86_seg seg;
	bool rep;
};

static void string_io_decode(struct vcpu *v, struct string_io *s)
{
	uint64_t q = v->exit_qualification;
	unsigned int addr_size = 1;       /* 0: 16-bit, 1: 32-bit, 2: 64-bit */

	s->width = (unsigned int)(q & IO_SIZE_MASK) + 1;
	s->rep = q & IO_REP;
	s->index = (q & IO_IN) ? X86_RDI : X86_RSI;
	s->seg = X86_DS;
	if (rdmsr(0x480) & VMX_BASIC_INSN_INFO) {
		addr_size = (v->exit_insn_info >> 7) & 7;
		if (!(q & IO_IN))
			s->seg = (enum x86_seg)((v->exit_insn_info >> 15) & 7);
	} else {
		/* No instruction information: the mode's default address size. */
		addr_size = guest_in_64bit_mode() ? 2 :
			    (vmread(VMCS_GUEST_ES_AR + 2 * X86_CS) & AR_DB) ? 1 : 0;
	}
	if (q & IO_IN)
		s->seg = X86_ES;              /* INS always writes ES:rDI */
	if (s->seg >= X86_SEG_COUNT)
		s->seg = X86_DS;
	s->mask = addr_size == 0 ? 0xffffull : addr_size == 1 ? 0xffffffffull : ~0ull;
}

static uint64_t string_io_linear(struct vcpu *v, const struct string_io *s)
{
	uint64_t linear = segment_base(s->seg) + (v->regs.gpr[s->index] & s->mask);

	return guest_in_64bit_mode() ? linear : (linear & 0xffffffffull);
}

static uint64_t masked_update(uint64_t reg, uint64_t value, uint64_t mask)
{
	/* 16-bit updates keep the upper bits; 32-bit ones zero-extend as usual. */
	if (mask == 0xffffull)
		return (reg & ~mask) | (value & mask);
	return value & mask;
}

/* One element done: step rSI/rDI, count rCX down, leave RIP while REP goes on. */
static void string_io_advance(struct vcpu *v, const struct string_io *s)
{
	uint64_t step = (v->rflags & RFLAGS_DF) ? (uint64_t)0 - s->width : s->width;

	v->regs.gpr[s->index] = masked_update(v->regs.gpr[s->index], v->regs.gpr[s->index] + step,
					      s->mask);
	if (s->rep) {
		v->regs.gpr[X86_RCX] = masked_update(v->regs.gpr[X86_RCX], v->regs.gpr[X86_RCX] - 1,
						     s->mask);
		if (v->regs.gpr[X86_RCX] & s->mask)
			return;           /* the guest executes it again: next element */
	}
	vmx_skip_instruction(v);
}

static enum vmx_action handle_string_io(struct vcpu *v, struct vcpu_exit *exit)
{
	struct string_io s;
	uint64_t linear, data = 0;
	int rc;

	string_io_decode(v, &s);
	if (s.rep && !(v->regs.gpr[X86_RCX] & s.mask)) {
		vmx_skip_instruction(v);
		return VMX_RESUME;
	}
	linear = string_io_linear(v, &s);
	if (exit->access.dir == BUS_READ) {
		v->pending = PENDING_PIO_INS;      /* vcpu_complete_read() stores it */
		v->pending_width = s.width;
		return VMX_TO_VM;
	}
	rc = guest_read_linear(v, linear, &data, s.width);
	if (rc == -ENOENT) {
		inject_pf(v, linear, false);
		return VMX_RESUME;
	}
	if (rc) {
		vmx_fail(v, exit, "OUTS from guest linear 0x%llx, which is not RAM",
			 (unsigned long long)linear);
		return VMX_TO_VM;
	}
	exit->access.data = data;
	string_io_advance(v, &s);
	return VMX_TO_VM;
}

int vmx_complete_string_in(struct vcpu *v, uint64_t data)
{
	struct string_io s;
	uint64_t linear;
	int rc;

	string_io_decode(v, &s);
	linear = string_io_linear(v, &s);
	rc = guest_write_linear(v, linear, &data, s.width);
	if (rc == -ENOENT) {
		inject_pf(v, linear, true);
		return 0;
	}
	if (rc) {
		report_once(0x10000000u, "vcpu: INS to guest linear 0x%llx (not RAM) at pc 0x%llx: dropped",
			    (unsigned long long)linear, (unsigned long long)v->rip);
		vmx_skip_instruction(v);
		return 0;
	}
	string_io_advance(v, &s);
	return 0;
}

static enum vmx_action handle_io(struct vcpu *v, struct vcpu_exit *exit)
{
	uint64_t q = v->exit_qualification;
	unsigned int width = (unsigned int)(q & IO_SIZE_MASK) + 1;
	uint64_t mask = (1ull << (8 * width)) - 1;

	if (width != 1 && width != 2 && width != 4) {
		vmx_fail(v, exit, "I/O exit with width %u (qualification 0x%llx)", width,
			 (unsigned long long)q);
		return VMX_TO_VM;
	}
	to_vm_pc(v, exit, VCPU_EXIT_PIO);
	exit->access.space = BUS_SPACE_PIO;
	exit->access.addr = (q >> 16) & 0xffff;
	exit->access.width = width;
	exit->access.dir = (q & IO_IN) ? BUS_READ : BUS_WRITE;
	if (q & IO_STRING) {
		v->exit_insn_info = (uint32_t)vmread(VMCS_EXIT_INSN_INFO);
		return handle_string_io(v, exit);
	}
	if (exit->access.dir == BUS_WRITE) {
		exit->access.data = v->regs.gpr[X86_RAX] & mask;
		vmx_skip_instruction(v);
	} else {
		v->pending = PENDING_PIO_IN;
		v->pending_width = width;
	}
	return VMX_TO_VM;
}

/* ---- MMIO: EPT violations emulated by x86emu ------------------------------ */

#define EPT_QUAL_WRITE  (1ull << 1)
#define EPT_QUAL_FETCH  (1ull << 2)
#define EPT_QUAL_NMI_UNBLOCKING (1ull << 12)

struct mmio_run {
	struct vcpu *v;
	unsigned int calls;
	int reported;            /* the log entry this run hands to the VM, or -1 */
};

/*
 * Device accesses of the instruction, in order.  Those already made are
 * replayed from the log (reads answer with the VM's data); the first new
 * one is logged and handed to the VM: a write right away (the emulation
 * may finish), a read after the VM has answered it.
 */
static int mmio_access(void *ctx, struct bus_access *acc)
{
	struct mmio_run *run = ctx;
	struct vmx_mmio_emulation *m = &run->v->mmio;
	unsigned int i = run->calls++;

	if (i < m->logged) {
		if (m->log[i].acc.dir == BUS_READ) {
			if (!m->log[i].answered) {
				run->reported = (int)i;    /* still unanswered: ask again */
				return -EAGAIN;
			}
			acc->data = m->log[i].acc.data;
		}
		return 0;
	}
	if (run->reported >= 0)
		return -EAGAIN;                        /* one new access per exit */
	if (i >= sizeof(m->log) / sizeof(m->log[0]))
		return -E2BIG;
	m->log[i].acc = *acc;
	m->log[i].answered = false;
	m->logged = i + 1;
	run->reported = (int)i;
	return acc->dir == BUS_WRITE ? 0 : -EAGAIN;
}

static int mmio_read_mem(void *ctx, uint64_t linear, void *dst, unsigned len)
{
	struct mmio_run *run = ctx;

	return guest_read_linear(run->v, linear, dst, len);
}

static int mmio_write_mem(void *ctx, uint64_t linear, const void *src, unsigned len)
{
	struct mmio_run *run = ctx;

	return guest_write_linear(run->v, linear, src, len);
}

static uint64_t address_mask(const struct x86_insn *insn)
{
	return insn->address_size == 2 ? 0xffffull : insn->address_size == 4 ? 0xffffffffull : ~0ull;
}

enum vmx_action vmx_mmio_continue(struct vcpu *v, struct vcpu_exit *exit)
{
	struct vmx_mmio_emulation *m = &v->mmio;
	struct mmio_run run = { .v = v, .reported = -1 };
	struct x86emu_ops ops = { .ctx = &run, .access = mmio_access,
				  .read_mem = mmio_read_mem, .write_mem = mmio_write_mem };
	struct x86_insn insn = m->insn;
	struct x86_regs regs = m->regs;
	int rc;

	/* REP: one element per run (and per exit); the guest repeats the rest. */
	if (insn.rep)
		regs.gpr[X86_RCX] = (regs.gpr[X86_RCX] & ~address_mask(&insn)) | 1;
	rc = x86_emulate_mmio(&insn, &regs, m->gpa, m->fault_write, &ops);
	if (rc == 0) {
		if (insn.rep) {
			uint64_t mask = address_mask(&insn);

			regs.gpr[X86_RCX] = masked_update(m->regs.gpr[X86_RCX], m->rep_count - 1, mask);
			if ((m->rep_count - 1) & mask)
				regs.rip = m->regs.rip;
		}
		memcpy(v->regs.gpr, regs.gpr, sizeof(v->regs.gpr));
		if (regs.rip != m->regs.rip)
			v->interruptibility &= ~(BLOCKING_BY_STI | BLOCKING_BY_MOV_SS);
		v->rip = regs.rip;
		v->rflags = regs.rflags;
		m->active = false;
		if (run.reported < 0)
			return VMX_RESUME;             /* the last read's data is in */
	} else if (rc != -EAGAIN || run.reported < 0) {
		m->active = false;
		vmx_fail(v, exit, "MMIO at 0x%llx: cannot emulate the instruction at pc 0x%llx: %s (%d)",
			 (unsigned long long)m->gpa, (unsigned long long)m->regs.rip,
			 insn.error ? insn.error : "access to non-RAM guest memory", rc);
		return VMX_TO_VM;
	}
	exit->reason = VCPU_EXIT_MMIO;
	exit->pc = m->regs.rip;
	exit->access = m->log[run.reported].acc;
	return VMX_TO_VM;
}

int vmx_complete_mmio_read(struct vcpu *v, uint64_t data)
{
	struct vmx_mmio_emulation *m = &v->mmio;
	unsigned int i = m->logged - 1;
	unsigned int width;

	if (!m->logged || m->log[i].acc.dir != BUS_READ || m->log[i].answered)
		return -EINVAL;
	width = m->log[i].acc.width;
	m->log[i].acc.data = width >= 8 ? data : data & ((1ull << (8 * width)) - 1);
	m->log[i].answered = true;
	/* The instruction finishes (registers, RIP) at the next vcpu_run(). */
	return 0;
}

static enum vmx_action handle_ept_violation(struct vcpu *v, struct vcpu_exit *exit)
{
	struct vmx_mmio_emulation *m = &v->mmio;
	uint64_t q = v->exit_qualification;
	uint64_t gpa = vmread(VMCS_GUEST_PHYSICAL_ADDR);
	uint64_t cs_ar = vmread(VMCS_GUEST_ES_AR + 2 * X86_CS);
	uint8_t bytes[15];
	uint64_t linear;
	size_t n;
	enum x86_mode mode;

	/* An IRET that unblocked NMIs faulted: NMIs are blocked again (SDM 27.2.3). */
	if ((q & EPT_QUAL_NMI_UNBLOCKING) && !(v->entry_intr_info & INTR_INFO_VALID))
		v->interruptibility |= BLOCKING_BY_NMI;
	if (q & EPT_QUAL_FETCH) {
		vmx_fail(v, exit, "instruction fetch from guest-physical 0x%llx, which is not RAM",
			 (unsigned long long)gpa);
		return VMX_TO_VM;
	}
	memset(m, 0, sizeof(*m));
	m->gpa = gpa;
	m->fault_write = q & EPT_QUAL_WRITE;
	vmx_load_guest_x86_regs(v, &m->regs);
	mode = x86_mode_of(m->regs.cr0, m->regs.rflags, m->regs.efer, cs_ar & AR_L, cs_ar & AR_DB);
	if (mode == X86_LONG64)
		linear = v->rip;
	else
		linear = (segment_base(X86_CS) + (mode == X86_REAL ? (v->rip & 0xffff) : v->rip)) &
			 0xffffffffull;
	n = guest_fetch_code(v, linear, bytes, sizeof(bytes));
	if (!n) {
		vmx_fail(v, exit, "MMIO at 0x%llx: the instruction at pc 0x%llx cannot be read",
			 (unsigned long long)gpa, (unsigned long long)v->rip);
		return VMX_TO_VM;
	}
	if (x86_decode(bytes, n, mode, &m->insn)) {
		vmx_fail(v, exit, "MMIO at 0x%llx: instruction %02x %02x %02x %02x at pc 0x%llx: %s",
			 (unsigned long long)gpa, bytes[0], n > 1 ? bytes[1] : 0, n > 2 ? bytes[2] : 0,
			 n > 3 ? bytes[3] : 0, (unsigned long long)v->rip, m->insn.error);
		return VMX_TO_VM;
	}
	m->rep_count = m->regs.gpr[X86_RCX] & address_mask(&m->insn);
	if (m->insn.rep && !m->rep_count) {
		vmx_skip_instruction(v);              /* nothing to do (cannot really fault) */
		return VMX_RESUME;
	}
	m->active = true;
	return vmx_mmio_continue(v, exit);
}

/* ---- CPUID ------------------------------------------------------------------- */

#define CPUID_HYPERVISOR_BASE 0x40000000u
/* Tessera's own signature, in EBX, ECX, EDX of leaf 0x40000000. */
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
#define CPUID_EXT1_EDX_RDTSCP (1u << 27)

static unsigned int bits_for(unsigned int count)
{
	unsigned int bits = 0;

	while ((1u << bits) < count)
		bits++;
	return bits;
}

static struct cpuid_regs guest_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf)
{
	unsigned int vcpus = v->gs->vcpu_count ? v->gs->vcpu_count : 1;
	struct cpuid_regs r;

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
	r = cpuid(leaf, subleaf);
	switch (leaf) {
	case 1:
		/* APIC id = vCPU index; logical processors per package = vCPUs. */
		r.ebx = (r.ebx & 0xffff) | ((vcpus & 0xff) << 16) | ((v->index & 0xff) << 24);
		r.ecx &= ~(CPUID1_ECX_HIDDEN | CPUID1_ECX_OSXSAVE);
		if (vmx_guest_cr4(v) & CR4_OSXSAVE)
			r.ecx |= CPUID1_ECX_OSXSAVE;
		r.ecx |= CPUID1_ECX_HYPERVISOR;
		r.edx &= ~(CPUID1_EDX_HIDDEN | CPUID1_EDX_HTT);
		if (vcpus > 1)
			r.edx |= CPUID1_EDX_HTT;
		break;
	case 4:
		/* Cores per package - 1 in 31:26; one core per cache level. */
		if (r.eax & 0x1f)
			r.eax = (r.eax & 0x3ff) | ((vcpus - 1) << 26);
		break;
	case 5: case 6: case 0xa:
		/* MONITOR/MWAIT, thermal and power, performance monitoring: none. */
		memset(&r, 0, sizeof(r));
		break;
	case 7:
		if (subleaf == 0) {
			r.ebx &= ~CPUID7_EBX_HIDDEN;
			if (!vmx_has_secondary(PROC2_INVPCID))
				r.ebx &= ~CPUID7_EBX_INVPCID;
			r.ecx &= ~CPUID7_ECX_HIDDEN;
			r.edx &= ~CPUID7_EDX_HIDDEN;
		}
		break;
	case 0xb:
	case 0x1f:
		/* Topology: one thread per core, vCPUs cores in one package. */
		r.edx = v->index;
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
	case 0xd:
		if (subleaf == 1 && !vmx_has_secondary(PROC2_XSAVES))
			r.eax &= ~(1u << 3);
		break;
	case 0x80000001:
		if (!vmx_has_secondary(PROC2_RDTSCP))
			r.edx &= ~CPUID_EXT1_EDX_RDTSCP;
		break;
	default:
		break;
	}
	return r;
}

static enum vmx_action handle_cpuid(struct vcpu *v, struct vcpu_exit *exit)
{
	struct cpuid_regs r = guest_cpuid(v, (uint32_t)v->regs.gpr[X86_RAX],
					  (uint32_t)v->regs.gpr[X86_RCX]);

	(void)exit;
	v->regs.gpr[X86_RAX] = r.eax;
	v->regs.gpr[X86_RBX] = r.ebx;
	v->regs.gpr[X86_RCX] = r.ecx;
	v->regs.gpr[X86_RDX] = r.edx;
	vmx_skip_instruction(v);
	return VMX_RESUME;
}

/* ---- MSRs --------------------------------------------------------------------- */

enum msr_result { MSR_DONE, MSR_TO_VM, MSR_FAULT };

#define MTRR_CAP_VALUE (0x500u | GUEST_VARIABLE_MTRRS)   /* WC, fixed ranges, VCNT */
#define MISC_ENABLE_FAST_STRINGS 1ull
#define MISC_ENABLE_RO_BITS ((1ull << 11) | (1ull << 12))  /* BTS, PEBS unavailable */

static bool mtrr_type_ok(uint64_t type)
{
	return type == 0 || type == 1 || type == 4 || type == 5 || type == 6;
}

static int fixed_mtrr_index(uint32_t msr)
{
	if (msr == MSR_MTRR_FIX_64K)
		return 0;
	if (msr == MSR_MTRR_FIX_16K_80000)
		return 1;
	if (msr == MSR_MTRR_FIX_16K_A0000)
		return 2;
	if (msr >= MSR_MTRR_FIX_4K_C0000 && msr <= MSR_MTRR_FIX_4K_C0000 + 7)
		return 3 + (int)(msr - MSR_MTRR_FIX_4K_C0000);
	return -1;
}

static bool is_variable_mtrr(uint32_t msr)
{
	return msr >= MSR_MTRR_PHYS_BASE0 && msr < MSR_MTRR_PHYS_BASE0 + 2 * GUEST_VARIABLE_MTRRS;
}

static uint64_t physical_address_mask(void)
{
	unsigned int bits = cpuid(0x80000008, 0).eax & 0xff;

	return ((1ull << (bits ? bits : 36)) - 1) & ~0xfffull;
}

static enum msr_result msr_read(struct vcpu *v, uint32_t msr, uint64_t *value)
{
	int fixed = fixed_mtrr_index(msr);

	if (fixed >= 0) {
		*value = v->mtrr_fixed[fixed];
		return MSR_DONE;
	}
	if (is_variable_mtrr(msr)) {
		*value = v->mtrr_var[msr - MSR_MTRR_PHYS_BASE0];
		return MSR_DONE;
	}
	switch (msr) {
	case X86_MSR_APIC_BASE:
	case X86_MSR_TSC_DEADLINE:
		return MSR_TO_VM;
	case MSR_TSC: *value = rdtsc() + v->tsc_offset; return MSR_DONE;
	case MSR_FEATURE_CONTROL: *value = 1; return MSR_DONE;   /* locked, VMX off */
	case MSR_BIOS_SIGN_ID: *value = 0; return MSR_DONE;
	case MSR_MTRR_CAP: *value = MTRR_CAP_VALUE; return MSR_DONE;
	case MSR_MTRR_DEF_TYPE: *value = v->mtrr_def_type; return MSR_DONE;
	case MSR_PAT: *value = vmx_has_load_pat() ? vmread(VMCS_GUEST_PAT) : v->pat; return MSR_DONE;
	case MSR_X86_EFER: *value = vmx_guest_efer(); return MSR_DONE;
	case MSR_MISC_ENABLE: *value = v->misc_enable | MISC_ENABLE_RO_BITS; return MSR_DONE;
	case MSR_DEBUGCTL: *value = 0; return MSR_DONE;
	default: return MSR_FAULT;
	}
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

static enum msr_result write_efer(struct vcpu *v, uint64_t value)
{
	uint64_t old = vmx_guest_efer();
	uint64_t allowed = EFER_SCE | EFER_LME | EFER_LMA;

	if (cpuid(0x80000001, 0).edx & (1u << 20))
		allowed |= EFER_NXE;
	if (value & ~allowed)
		return MSR_FAULT;
	/* LME may not change while paging is on; LMA is the processor's. */
	if ((vmx_guest_cr0(v) & CR0_PG) && ((value ^ old) & EFER_LME))
		return MSR_FAULT;
	vmx_set_guest_efer(v, (value & ~EFER_LMA) | (old & EFER_LMA));
	return MSR_DONE;
}

static enum msr_result msr_write(struct vcpu *v, uint32_t msr, uint64_t value)
{
	int fixed = fixed_mtrr_index(msr);

	if (fixed >= 0) {
		for (int i = 0; i < 8; i++)
			if (!mtrr_type_ok((value >> (8 * i)) & 0xff))
				return MSR_FAULT;
		v->mtrr_fixed[fixed] = value;
		return MSR_DONE;
	}
	if (is_variable_mtrr(msr)) {
		bool is_mask = (msr - MSR_MTRR_PHYS_BASE0) & 1;
		uint64_t reserved = is_mask ? ~(physical_address_mask() | (1ull << 11)) :
					      ~(physical_address_mask() | 0xffull);

		if ((value & reserved) || (!is_mask && !mtrr_type_ok(value & 0xff)))
			return MSR_FAULT;
		v->mtrr_var[msr - MSR_MTRR_PHYS_BASE0] = value;
		return MSR_DONE;
	}
	switch (msr) {
	case X86_MSR_APIC_BASE:
	case X86_MSR_TSC_DEADLINE:
		return MSR_TO_VM;
	case MSR_TSC:
		v->tsc_offset = value - rdtsc();
		vmwrite(VMCS_TSC_OFFSET, v->tsc_offset);
		return MSR_DONE;
	case MSR_BIOS_SIGN_ID:
	case MSR_BIOS_UPDATE_TRIG:
		return MSR_DONE;                 /* no microcode to load */
	case MSR_MTRR_DEF_TYPE:
		if ((value & ~0xcffull) || !mtrr_type_ok(value & 0xff))
			return MSR_FAULT;
		v->mtrr_def_type = value;
		return MSR_DONE;
	case MSR_PAT:
		if (!pat_ok(value))
			return MSR_FAULT;
		v->pat = value;
		if (vmx_has_load_pat())
			vmwrite(VMCS_GUEST_PAT, value);
		return MSR_DONE;
	case MSR_X86_EFER:
		return write_efer(v, value);
	case MSR_MISC_ENABLE:
		v->misc_enable = value & MISC_ENABLE_FAST_STRINGS;
		return MSR_DONE;
	case MSR_DEBUGCTL:
		/* No branch tracing for guests: accepted, nothing happens. */
		return MSR_DONE;
	default:
		return MSR_FAULT;
	}
}

static enum vmx_action handle_msr(struct vcpu *v, struct vcpu_exit *exit, bool is_write)
{
	uint32_t msr = (uint32_t)v->regs.gpr[X86_RCX];
	uint64_t value = (v->regs.gpr[X86_RAX] & 0xffffffffull) | (v->regs.gpr[X86_RDX] << 32);
	enum msr_result result = is_write ? msr_write(v, msr, value) : msr_read(v, msr, &value);

	switch (result) {
	case MSR_DONE:
		if (!is_write) {
			v->regs.gpr[X86_RAX] = (uint32_t)value;
			v->regs.gpr[X86_RDX] = value >> 32;
		}
		vmx_skip_instruction(v);
		return VMX_RESUME;
	case MSR_TO_VM:
		to_vm_pc(v, exit, VCPU_EXIT_SYSREG);
		exit->sysreg.id = msr;
		exit->sysreg.is_write = is_write;
		if (is_write) {
			exit->sysreg.value = value;
			vmx_skip_instruction(v);
		} else {
			v->pending = PENDING_MSR_READ;
		}
		return VMX_TO_VM;
	default:
		report_once(msr ^ (is_write ? 0x80000000u : 0),
			    is_write ? "vcpu: WRMSR 0x%llx (unknown or bad value) at pc 0x%llx: #GP injected (reported once)"
				     : "vcpu: RDMSR 0x%llx (unknown) at pc 0x%llx: #GP injected (reported once)",
			    (unsigned long long)msr, (unsigned long long)v->rip);
		inject_gp(v);
		return VMX_RESUME;
	}
}

static enum vmx_action handle_rdmsr(struct vcpu *v, struct vcpu_exit *exit)
{
	return handle_msr(v, exit, false);
}

static enum vmx_action handle_wrmsr(struct vcpu *v, struct vcpu_exit *exit)
{
	return handle_msr(v, exit, true);
}

/* ---- control registers --------------------------------------------------------- */

/* With EPT, VM entry loads the PAE PDPTEs from the VMCS (SDM 26.3.2.4). */
void vmx_load_pdptes(struct vcpu *v)
{
	uint64_t pdpte[4] = { 0 };

	guest_read_physical(v->gs, vmread(VMCS_GUEST_CR3) & 0xffffffe0ull, pdpte, sizeof(pdpte));
	for (int i = 0; i < 4; i++)
		vmwrite(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
}

static bool pae_paging(struct vcpu *v)
{
	return (vmx_guest_cr0(v) & CR0_PG) && (vmx_guest_cr4(v) & CR4_PAE) &&
	       !(vmx_guest_efer() & EFER_LMA);
}

static void flush_tlb_at_entry(struct vcpu *v)
{
	v->flush_tlb = true;
}

static bool guest_write_cr0(struct vcpu *v, uint64_t value)
{
	uint64_t old = vmx_guest_cr0(v), efer = vmx_guest_efer();

	if ((value >> 32) || ((value & CR0_PG) && !(value & CR0_PE)) ||
	    ((value & CR0_NW) && !(value & CR0_CD)))
		return false;
	/* The paging switch the processor did not do because the write exited. */
	if (!(old & CR0_PG) && (value & CR0_PG) && (efer & EFER_LME)) {
		if (!(vmx_guest_cr4(v) & CR4_PAE))
			return false;
		vmx_set_guest_efer(v, efer | EFER_LMA);
	} else if ((old & CR0_PG) && !(value & CR0_PG) && (efer & EFER_LMA)) {
		if (guest_in_64bit_mode())
			return false;
		vmx_set_guest_efer(v, efer & ~EFER_LMA);
	}
	v->cr0_shadow = value;
	vmwrite(VMCS_CR0_SHADOW, value);
	vmwrite(VMCS_GUEST_CR0, vmx_cr0_fixed(value));
	if ((old ^ value) & CR0_PG) {
		flush_tlb_at_entry(v);
		if (pae_paging(v))
			vmx_load_pdptes(v);
	}
	return true;
}

static bool guest_write_cr4(struct vcpu *v, uint64_t value)
{
	uint64_t old = vmx_guest_cr4(v);

	if (!vmx_cr4_allowed(value) || ((vmx_guest_efer() & EFER_LMA) && !(value & CR4_PAE)))
		return false;
	v->cr4_shadow = value;
	vmwrite(VMCS_CR4_SHADOW, value);
	vmwrite(VMCS_GUEST_CR4, vmx_cr4_fixed(value));
	if ((old ^ value) & (CR4_PAE | CR4_PGE | CR4_PSE)) {
		flush_tlb_at_entry(v);
		if (pae_paging(v))
			vmx_load_pdptes(v);
	}
	return true;
}

static enum vmx_action handle_cr_access(struct vcpu *v, struct vcpu_exit *exit)
{
	uint64_t q = v->exit_qualification;
	unsigned int cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	uint64_t value = v->regs.gpr[reg];
	bool ok = true;

	if (!guest_in_64bit_mode())
		value &= 0xffffffffull;
	switch (type) {
	case 0:   /* MOV to CR */
		if (cr == 0)
			ok = guest_write_cr0(v, value);
		else if (cr == 4)
			ok = guest_write_cr4(v, value);
		else if (cr == 8 && value <= 15)
			v->cr8 = value;
		else
			ok = false;
		break;
	case 1:   /* MOV from CR: only CR8 exits */
		if (cr != 8) {
			vmx_fail(v, exit, "MOV from CR%u exited", cr);
			return VMX_TO_VM;
		}
		v->regs.gpr[reg] = v->cr8;
		break;
	case 2:   /* CLTS */
		ok = guest_write_cr0(v, vmx_guest_cr0(v) & ~8ull);
		break;
	default:  /* LMSW: PE, MP, EM, TS; it can set PE but not clear it */
		ok = guest_write_cr0(v, (vmx_guest_cr0(v) & ~0xeull) | ((q >> 16) & 0xf));
		break;
	}
	if (!ok) {
		inject_gp(v);
		return VMX_RESUME;
	}
	vmx_skip_instruction(v);
	return VMX_RESUME;
}

/* ---- XSETBV ------------------------------------------------------------------ */

static enum vmx_action handle_xsetbv(struct vcpu *v, struct vcpu_exit *exit)
{
	uint64_t value = (v->regs.gpr[X86_RAX] & 0xffffffffull) | (v->regs.gpr[X86_RDX] << 32);
	uint64_t supported = vmx_host_xcr0_supported();

	(void)exit;
	if (!(vmx_guest_cr4(v) & CR4_OSXSAVE)) {
		inject_ud(v);
		return VMX_RESUME;
	}
	/* XCR0 only; x87 always on; AVX needs SSE; AVX-512 comes as a set. */
	if ((uint32_t)v->regs.gpr[X86_RCX] != 0 || (value & ~supported) || !(value & 1) ||
	    ((value & 4) && !(value & 2)) ||
	    ((value & 0xe0) && (value & 0xe0) != 0xe0) || ((value & 0xe0) && !(value & 4)) ||
	    AR_DPL(vmread(VMCS_GUEST_ES_AR + 2 * X86_SS)) != 0) {
		inject_gp(v);
		return VMX_RESUME;
	}
	v->xcr0 = value;
	/* Loaded into the hardware by the lazy switch; this CPU holds it now. */
	__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
	vmx_skip_instruction(v);
	return VMX_RESUME;
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
	to_vm_pc(v, exit, VCPU_EXIT_HYPERCALL);
	exit->hypercall.function = v->regs.gpr[X86_RAX];
	exit->hypercall.args[0] = v->regs.gpr[X86_RBX];
	exit->hypercall.args[1] = v->regs.gpr[X86_RCX];
	exit->hypercall.args[2] = v->regs.gpr[X86_RDX];
	exit->hypercall.args[3] = v->regs.gpr[X86_RSI];
	exit->hypercall.args[4] = v->regs.gpr[X86_RDI];
	exit->hypercall.args[5] = v->regs.gpr[X86_R8];
	v->pending = PENDING_HYPERCALL;
	vmx_skip_instruction(v);
	return VMX_TO_VM;
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
