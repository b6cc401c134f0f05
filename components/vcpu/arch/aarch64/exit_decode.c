/* SPDX-License-Identifier: MIT */
/*
 * Why did the guest stop?  Every exit of an aarch64 guest is decoded here,
 * in one place: the exception vector says whether it was synchronous (a
 * trap, with a syndrome in ESR_EL2) or an interrupt; for a trap, the
 * exception class ESR_EL2.EC (bits 31:26) selects a decoder from
 * exit_decoders[], which reads the instruction-specific syndrome ESR_EL2.ISS
 * (bits 24:0) and fills struct vcpu_exit.
 *
 *   EC 0x01 WFI/WFE              -> VCPU_EXIT_WFI       (HCR_EL2.TWI/TWE)
 *   EC 0x16 HVC                  -> VCPU_EXIT_HYPERCALL
 *   EC 0x17 SMC                  -> VCPU_EXIT_HYPERCALL (HCR_EL2.TSC)
 *   EC 0x18 MSR/MRS              -> VCPU_EXIT_SYSREG    (HCR_EL2.TACR, TSW, TIDCP...)
 *   EC 0x18 CNTPCT, CNTP_*       -> VCPU_EXIT_NONE      (emulated: ptimer.c)
 *   EC 0x20 instruction abort    -> VCPU_EXIT_NONE      (no code at that IPA: a
 *                                   prefetch abort injected into the guest)
 *   EC 0x24 data abort           -> VCPU_EXIT_MMIO      (stage 2: IPA not mapped;
 *                                   nothing there: a data abort injected;
 *                                   without syndrome: FAILED, unless nothing
 *                                   is there: the abort again)
 *   anything else                -> an UNDEF exception injected into the
 *                                   guest (VCPU_EXIT_NONE), reported
 *                                   (rate-limited): a guest process must
 *                                   not be able to stop its VM
 *
 * The same holds for exits from a 32-bit process at EL0 (the AArch32
 * vectors), whose instructions may be 16-bit Thumb ones: every PC step
 * uses the instruction length the syndrome gives (ESR_EL2.IL).
 *
 * A data abort is decoded here, while the guest's translation regime is
 * still loaded (the instruction of an ISV=0 abort is read through its
 * stage 1), but the device access itself is el2_emulate_mmio(), which
 * vcpu_run() calls once the list registers are saved and the host's
 * interrupt mask is back: a device model may take its time.
 *
 * Plain C (the host tests feed it syndromes); el2.c only reads the
 * hardware registers into v->ctx beforehand.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <core/log.h>

#include "el2_internal.h"

#define AARCH64_INSN_SIZE 4
#define ESR_IL          (1u << 25)     /* 32-bit instruction (else 16-bit Thumb) */
#define ESR_EC_UNKNOWN  0x00u

/* PSTATE / SPSR bits for an exception taken to EL1. */
#define PSTATE_SP       (1ULL << 0)    /* AArch64: SP_ELx rather than SP_EL0   */
#define PSTATE_EL(p)    (((p) >> 2) & 3)
#define PSTATE_nRW      (1ULL << 4)    /* the interrupted code was AArch32     */
#define PSTATE_DAIF     (0xfULL << 6)
#define PSTATE_SSBS     (1ULL << 12)
#define PSTATE_PAN      (1ULL << 22)
#define PSTATE_DIT      (1ULL << 24)
#define PSTATE_EL1H     0x5ULL
#define SCTLR_SPAN      (1ULL << 23)   /* 0: PAN is set on exception entry     */
#define SCTLR_DSSBS     (1ULL << 44)   /* PSTATE.SSBS on exception entry       */

/* Where VBAR_EL1 + this lands for a synchronous exception (Arm ARM D1.10.2). */
#define VECTOR_CURRENT_SP0   0x000
#define VECTOR_CURRENT_SPX   0x200
#define VECTOR_LOWER_A64     0x400
#define VECTOR_LOWER_A32     0x600

/* Injected UNDEFs and aborts reported per vCPU; after that they are only counted. */
#define UNDEF_REPORT_LIMIT 10
#define ABORT_REPORT_LIMIT 10

/* Exception classes and the fault status of the aborts given to the guest. */
#define ESR_EC_IABT_LOW 0x20u          /* + 1: from the same EL (EL1)          */
#define ESR_EC_DABT_LOW 0x24u
#define ABT_FSC_SEA     0x10u          /* synchronous external abort           */

/* Data abort ISS (ESR_EL2, EC 0x24). */
#define DABT_ISV        (1u << 24)     /* the fields below are valid          */
#define DABT_SAS(iss)   (((iss) >> 22) & 3)   /* access size: 1 << SAS bytes */
#define DABT_SSE        (1u << 21)     /* load sign-extends                    */
#define DABT_SRT(iss)   (((iss) >> 16) & 31)  /* the transfer register       */
#define DABT_SF         (1u << 15)     /* 64-bit register (x, not w)           */
#define DABT_S1PTW      (1u << 7)      /* fault while walking the guest's tables */
#define DABT_WNR        (1u << 6)      /* write                                */
#define ABT_FSC(iss)    ((iss) & 0x3f)

/* MSR/MRS ISS (EC 0x18). */
#define SYSREG_IS_READ  (1u << 0)
#define SYSREG_RT(iss)  (((iss) >> 5) & 31)

typedef void (*exit_decoder_t)(struct vcpu *v, uint32_t iss, struct vcpu_exit *exit);

static uint64_t guest_reg(const struct vcpu *v, unsigned int reg)
{
	return reg < 31 ? v->ctx.x[reg] : 0;       /* register 31 is xzr here */
}

/* Exception class names for reports (the classes a guest can cause). */
static const char *class_name(unsigned int ec)
{
	switch (ec) {
	case 0x00: return "unknown instruction";
	case 0x03: return "AArch32 CP15 MCR/MRC";
	case 0x04: return "AArch32 CP15 MCRR/MRRC";
	case 0x05: return "AArch32 CP14 MCR/MRC";
	case 0x06: return "AArch32 CP14 LDC/STC";
	case 0x0c: return "AArch32 CP14 MRRC";
	case 0x07: return "SVE/SIMD/FP access";
	case 0x09: return "pointer authentication instruction";
	case 0x0e: return "illegal execution state";
	case 0x12: return "HVC from AArch32";
	case 0x13: return "SMC from AArch32";
	case 0x19: return "SVE access";
	case 0x22: return "PC alignment fault";
	case 0x26: return "SP alignment fault";
	case 0x30: return "breakpoint";
	case 0x32: return "software step";
	case 0x34: return "watchpoint";
	case 0x3c: return "BRK instruction";
	default:   return "unhandled exception class";
	}
}

/* Past the trapped instruction: 4 bytes, or 2 for a 16-bit Thumb one (ESR_EL2.IL). */
static void step_over_instruction(struct vcpu *v)
{
	v->ctx.elr_el2 += (v->ctx.esr_el2 & ESR_IL) ? AARCH64_INSN_SIZE : 2;
}

/* The value of a read into its register: extended as the instruction asks. */
static void write_read_dest(struct vcpu *v, const struct el2_read_dest *d, uint64_t data)
{
	if (d->width < 8) {
		uint64_t sign = 1ULL << (d->width * 8 - 1);

		data &= (sign << 1) - 1;
		if (d->sign_extend)
			data = (data ^ sign) - sign;     /* sign-extend to 64 bits */
	}
	if (!d->reg_is_64bit)
		data &= 0xffffffffULL;                   /* a w register */
	if (d->reg < 31)
		v->ctx.x[d->reg] = data;
}

/*
 * A synchronous exception taken to the guest's EL1, as the hardware would
 * take it (Arm ARM D1.10, "Exception entry"): ESR_EL1 = esr, ELR_EL1 = the
 * instruction, SPSR_EL1 = the interrupted PSTATE, FAR_EL1 = far when the
 * class has one, then EL1h with D, A, I, F masked at VBAR_EL1 + the offset
 * for where it came from: EL1 on SP_EL0 or SP_EL1, EL0 in AArch64 or in
 * AArch32.
 */
static void take_exception_to_el1(struct vcpu *v, uint64_t esr, bool set_far, uint64_t far)
{
	uint64_t *sys = v->ctx.sysregs;
	uint64_t old = v->ctx.spsr_el2, sctlr = sys[SYSREG_SCTLR_EL1];
	uint64_t offset, pstate;

	if (old & PSTATE_nRW)
		offset = VECTOR_LOWER_A32;
	else if (PSTATE_EL(old) == 0)
		offset = VECTOR_LOWER_A64;
	else
		offset = (old & PSTATE_SP) ? VECTOR_CURRENT_SPX : VECTOR_CURRENT_SP0;
	sys[SYSREG_ESR_EL1] = esr;
	if (set_far)
		sys[SYSREG_FAR_EL1] = far;
	sys[SYSREG_ELR_EL1] = v->ctx.elr_el2;
	sys[SYSREG_SPSR_EL1] = old;
	pstate = PSTATE_EL1H | PSTATE_DAIF;
	if (!(old & PSTATE_nRW))
		pstate |= old & (PSTATE_DIT | PSTATE_PAN);
	if (v->has_pan && !(sctlr & SCTLR_SPAN))
		pstate |= PSTATE_PAN;
	if (sctlr & SCTLR_DSSBS)
		pstate |= PSTATE_SSBS;
	v->ctx.spsr_el2 = pstate;
	v->ctx.elr_el2 = sys[SYSREG_VBAR_EL1] + offset;
}

/*
 * The guest executed something the hypervisor does not emulate: it gets
 * the exception the instruction would give on a machine without it, an
 * UNDEF: ESR_EL1 with EC 0 ("unknown reason", IL 1), FAR_EL1 left as it
 * is (UNKNOWN for this class).
 */
static void inject_undef(struct vcpu *v, uint32_t esr)
{
	uint64_t old = v->ctx.spsr_el2;
	unsigned int ec = (esr >> 26) & 0x3f;

	take_exception_to_el1(v, ((uint64_t)ESR_EC_UNKNOWN << 26) | ESR_IL, false, 0);
	if (v->undef_reports < UNDEF_REPORT_LIMIT) {
		v->undef_reports++;
		log_warn("vcpu %u: %s (EC 0x%02x, ESR_EL2 0x%08x) at pc 0x%llx%s: UNDEF injected%s",
			 v->index, class_name(ec), ec, esr,
			 (unsigned long long)v->ctx.sysregs[SYSREG_ELR_EL1],
			 (old & PSTATE_nRW) ? " (AArch32)" : "",
			 v->undef_reports == UNDEF_REPORT_LIMIT ? " (no more reports for this vCPU)" : "");
	}
}

/*
 * The guest fetched or accessed a guest-physical address with nothing
 * behind it (no RAM, flash or device): on the hardware, on QEMU and on
 * KVM that is a synchronous external abort, which the guest handles (a
 * kernel oopses or kills the process, firmware prints its exception).
 * ESR_EL1: EC = instruction abort 0x20/0x21 or data abort 0x24/0x25 (from
 * a lower EL / from EL1 itself), IL as the trapped instruction had it,
 * FSC 0x10 (synchronous external abort, not on a table walk), WnR for a
 * write; FAR_EL1 = the virtual address, as FAR_EL2 has it (Arm ARM D17.2.37
 * ESR_EL1, ISS encoding for an Instruction/Data Abort).
 */
static void inject_abort(struct vcpu *v, bool is_fetch, bool is_write, uint64_t ipa)
{
	uint64_t old = v->ctx.spsr_el2;
	bool from_el0 = (old & PSTATE_nRW) || PSTATE_EL(old) == 0;
	unsigned int ec = (is_fetch ? ESR_EC_IABT_LOW : ESR_EC_DABT_LOW) + (from_el0 ? 0 : 1);
	uint64_t esr = ((uint64_t)ec << 26) | (v->ctx.esr_el2 & ESR_IL) | ABT_FSC_SEA;
	uint64_t pc = v->ctx.elr_el2;

	if (!is_fetch && is_write)
		esr |= DABT_WNR;
	take_exception_to_el1(v, esr, true, v->ctx.far_el2);
	if (v->abort_reports < ABORT_REPORT_LIMIT) {
		v->abort_reports++;
		log_warn("vcpu %u: %s guest-physical 0x%llx at pc 0x%llx: nothing there, %s abort "
			 "injected%s", v->index,
			 is_fetch ? "instruction fetch from" : is_write ? "write to" : "read of",
			 (unsigned long long)ipa, (unsigned long long)pc,
			 is_fetch ? "prefetch" : "data",
			 v->abort_reports == ABORT_REPORT_LIMIT ? " (no more reports for this vCPU)" : "");
	}
}

static void failed(struct vcpu_exit *exit, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void failed(struct vcpu_exit *exit, const char *fmt, ...)
{
	va_list ap;

	exit->reason = VCPU_EXIT_FAILED;
	va_start(ap, fmt);
	vsnprintf(exit->failed.reason, sizeof(exit->failed.reason), fmt, ap);
	va_end(ap);
}

/* The guest-physical address of a stage-2 abort: HPFAR_EL2 page + FAR_EL2 offset. */
static uint64_t fault_ipa(const struct vcpu *v)
{
	return ((v->ctx.hpfar_el2 >> 4) << 12) | (v->ctx.far_el2 & 0xfff);
}

static const char *fault_name(uint32_t fsc)
{
	switch (fsc >> 2) {
	case 0: return "address size fault";
	case 1: return "translation fault";
	case 2: return "access flag fault";
	case 3: return "permission fault";
	}
	return fsc == 0x21 ? "alignment fault" : fsc == 0x10 ? "external abort" : "fault";
}

static void decode_wfx(struct vcpu *v, uint32_t iss, struct vcpu_exit *exit)
{
	exit->reason = VCPU_EXIT_WFI;
	exit->wfi.is_wfe = iss & 1;           /* ISS.TI: 0 WFI, 1 WFE */
	step_over_instruction(v);             /* trapped: ELR_EL2 is the WFI itself (A64 or T32) */
}

static void decode_hypercall(struct vcpu *v, uint32_t iss, struct vcpu_exit *exit, bool smc)
{
	exit->reason = VCPU_EXIT_HYPERCALL;
	exit->hypercall.function = v->ctx.x[0];
	for (unsigned int i = 0; i < 6; i++)
		exit->hypercall.args[i] = v->ctx.x[i + 1];
	exit->hypercall.imm = (uint16_t)iss;
	exit->hypercall.is_smc = smc;
	v->pending_hypercall = true;
}

static void decode_hvc(struct vcpu *v, uint32_t iss, struct vcpu_exit *exit)
{
	/* HVC is an exception call: ELR_EL2 is already the next instruction. */
	exit->pc -= AARCH64_INSN_SIZE;
	decode_hypercall(v, iss, exit, false);
}

static void decode_smc(struct vcpu *v, uint32_t iss, struct vcpu_exit *exit)
{
	/* SMC trapped by HCR_EL2.TSC: ELR_EL2 is the SMC itself. */
	decode_hypercall(v, iss, exit, true);
	step_over_instruction(v);
}

static void decode_sysreg(struct vcpu *v, uint32_t iss, struct vcpu_exit *exit)
{
	unsigned int rt = SYSREG_RT(iss);
	uint64_t value;

	exit->reason = VCPU_EXIT_SYSREG;
	/* Op0 21:20, Op2 19:17, Op1 16:14, CRn 13:10, CRm 4:1. */
	exit->sysreg.id = ((((iss >> 20) & 3) << 14) | (((iss >> 14) & 7) << 11) |
			   (((iss >> 10) & 15) << 7) | (((iss >> 1) & 15) << 3) |
			   ((iss >> 17) & 7));
	/* The physical counter and timer are the backend's (ptimer.c): done here. */
	value = guest_reg(v, rt);
	if (el2_ptimer_sysreg(v, exit->sysreg.id, !(iss & SYSREG_IS_READ), &value)) {
		exit->reason = VCPU_EXIT_NONE;
		if ((iss & SYSREG_IS_READ) && rt < 31)
			v->ctx.x[rt] = value;
		step_over_instruction(v);
		return;
	}
	if (iss & SYSREG_IS_READ) {
		exit->sysreg.is_write = false;
		exit->sysreg.value = 0;
		v->pending_read = (struct el2_pending_read){
			.active = true,
			.dest = { .reg = rt, .width = 8, .reg_is_64bit = true },
		};
	} else {
		exit->sysreg.is_write = true;
		exit->sysreg.value = guest_reg(v, rt);
		step_over_instruction(v);
	}
}

/*
 * Code runs only from RAM and flash in read-array mode, which stage 2
 * maps: a fetch that faults at stage 2 found nothing to run (no RAM, or a
 * device) and gets the abort the hardware gives.  A fault while walking
 * the guest's own tables still stops the VM: its tables are not in RAM.
 */
static void decode_instruction_abort(struct vcpu *v, uint32_t iss, struct vcpu_exit *exit)
{
	if (iss & DABT_S1PTW) {
		failed(exit, "the guest's own page tables at guest-physical 0x%llx are not in RAM (%s)",
		       (unsigned long long)fault_ipa(v), fault_name(ABT_FSC(iss)));
		return;
	}
	exit->reason = VCPU_EXIT_NONE;
	inject_abort(v, true, false, fault_ipa(v));
}

static void decode_data_abort(struct vcpu *v, uint32_t iss, struct vcpu_exit *exit)
{
	uint64_t ipa = fault_ipa(v);
	uint32_t fsc = ABT_FSC(iss);
	unsigned int width, reg;
	uint32_t insn;

	if (iss & DABT_S1PTW) {
		failed(exit, "the guest's own page tables at guest-physical 0x%llx are not in RAM (%s)",
		       (unsigned long long)ipa, fault_name(fsc));
		return;
	}
	if ((fsc >> 2) > 3) {                 /* not translation/access/permission */
		failed(exit, "data abort at guest-physical 0x%llx: %s (FSC 0x%02x)",
		       (unsigned long long)ipa, fault_name(fsc), fsc);
		return;
	}
	if (!(iss & DABT_ISV)) {
		/* el2_emulate_mmio() asks whether a device is there at all. */
		v->mmio.unsyndromed = true;
		v->mmio.unsyndromed_write = iss & DABT_WNR;
		v->mmio.unsyndromed_ipa = ipa;
		/*
		 * No syndrome: a load/store pair, a vector or an atomic access,
		 * or a register write-back.  Emulating those needs an
		 * instruction decoder; name the instruction so it can be found.
		 */
		if (el2_read_guest_insn(v, exit->pc, &insn))
			failed(exit, "%s at guest-physical 0x%llx without syndrome (ISV=0), "
			       "instruction 0x%08x at pc 0x%llx",
			       (iss & DABT_WNR) ? "write" : "read", (unsigned long long)ipa, insn,
			       (unsigned long long)exit->pc);
		else
			failed(exit, "%s at guest-physical 0x%llx without syndrome (ISV=0), "
			       "instruction at pc 0x%llx unreadable",
			       (iss & DABT_WNR) ? "write" : "read", (unsigned long long)ipa,
			       (unsigned long long)exit->pc);
		return;
	}
	width = 1u << DABT_SAS(iss);
	reg = DABT_SRT(iss);
	exit->reason = VCPU_EXIT_MMIO;
	exit->access.space = BUS_SPACE_MMIO;
	exit->access.addr = ipa;
	exit->access.width = width;
	if (iss & DABT_WNR) {
		uint64_t value = guest_reg(v, reg);

		exit->access.dir = BUS_WRITE;
		exit->access.data = width == 8 ? value : value & ((1ULL << (width * 8)) - 1);
	} else {
		exit->access.dir = BUS_READ;
		exit->access.data = 0;
	}
	/* Performed by el2_emulate_mmio() once the host's state is back. */
	v->mmio = (struct el2_mmio){
		.decoded = true,
		.dest = {
			.reg = reg,
			.width = width,
			.sign_extend = iss & DABT_SSE,
			.reg_is_64bit = iss & DABT_SF,
		},
	};
}

void el2_emulate_mmio(struct vcpu *v, struct vcpu_exit *exit)
{
	struct bus_access *acc = &exit->access;
	enum bus_result result = BUS_UNASSIGNED;

	/*
	 * An access without syndrome cannot be performed; but with nothing at
	 * its address there is nothing to perform: the guest gets the abort.
	 */
	if (exit->reason == VCPU_EXIT_FAILED && v->mmio.unsyndromed) {
		v->mmio.unsyndromed = false;
		/* Memory the VM maps now: the instruction runs again, from memory. */
		if (v->io_ops && v->io_ops->map_on_demand &&
		    v->io_ops->map_on_demand(v->io_opaque, v, v->mmio.unsyndromed_ipa)) {
			exit->reason = VCPU_EXIT_NONE;
			return;
		}
		if (v->io_ops && v->io_ops->present &&
		    !v->io_ops->present(v->io_opaque, v, BUS_SPACE_MMIO, v->mmio.unsyndromed_ipa)) {
			exit->reason = VCPU_EXIT_NONE;
			inject_abort(v, false, v->mmio.unsyndromed_write, v->mmio.unsyndromed_ipa);
		}
		return;
	}
	if (exit->reason != VCPU_EXIT_MMIO || !v->mmio.decoded)
		return;
	v->mmio.decoded = false;
	/* To the VM's handler (its bus); without one every address is unassigned. */
	if (v->io_ops && v->io_ops->access)
		result = v->io_ops->access(v->io_opaque, v, acc);
	else
		acc->data = ~0ULL;
	exit->accesses = 1;
	/* Nothing at the address: the guest gets a data abort, not all-ones. */
	if (result == BUS_UNASSIGNED) {
		inject_abort(v, false, acc->dir == BUS_WRITE, acc->addr);
		return;
	}
	if (acc->dir == BUS_READ) {
		/* Refused reads come back all-ones, as on real buses. */
		if (acc->width < 8)
			acc->data &= (1ULL << (acc->width * 8)) - 1;
		write_read_dest(v, &v->mmio.dest, acc->data);
	}
	step_over_instruction(v);
}

/* Bao-style: one decoder per exception class; everything else is UNDEF for the guest. */
static const exit_decoder_t exit_decoders[64] = {
	[EC_WFX] = decode_wfx,
	[EC_HVC64] = decode_hvc,
	[EC_SMC64] = decode_smc,
	[EC_SYSREG] = decode_sysreg,
	[EC_IABT_LOWER] = decode_instruction_abort,
	[EC_DABT_LOWER] = decode_data_abort,
};

void el2_decode_exit(struct vcpu *v, struct vcpu_exit *exit)
{
	uint32_t esr = (uint32_t)v->ctx.esr_el2;
	unsigned int ec = (esr >> 26) & 0x3f;
	exit_decoder_t decode;

	memset(exit, 0, sizeof(*exit));
	exit->pc = v->ctx.elr_el2;
	v->pending_read.active = false;
	v->mmio.decoded = false;
	v->mmio.unsyndromed = false;
	v->pending_hypercall = false;

	/* Lower EL, AArch64 (8..11) or AArch32 (12..15): sync, IRQ, FIQ, SError. */
	if (v->ctx.vector < VECTOR_LOWER_A64_SYNC || v->ctx.vector > VECTOR_LOWER_A32_SERROR) {
		failed(exit, "exception from EL2 vector %llu while in the guest, ESR_EL2 0x%08x",
		       (unsigned long long)v->ctx.vector, esr);
		return;
	}
	switch (v->ctx.vector & 3) {
	case 0:
		break;
	case 1:
	case 2:
		exit->reason = VCPU_EXIT_IRQ;
		return;
	default:
		failed(exit, "SError (asynchronous external abort) from the guest, ESR_EL2 0x%08x",
		       esr);
		return;
	}
	decode = exit_decoders[ec];
	if (decode) {
		decode(v, esr & 0x1ffffff, exit);
	} else {
		exit->reason = VCPU_EXIT_NONE;
		inject_undef(v, esr);
	}
}

int vcpu_complete_read(struct vcpu *v, uint64_t data)
{
	struct el2_pending_read *r = &v->pending_read;

	if (!r->active)
		return -EINVAL;
	write_read_dest(v, &r->dest, data);
	r->active = false;
	step_over_instruction(v);
	return 0;
}

int vcpu_complete_hypercall(struct vcpu *v, const uint64_t *results, unsigned int count)
{
	if (!v->pending_hypercall || count > 4)
		return -EINVAL;
	for (unsigned int i = 0; i < count; i++)
		v->ctx.x[i] = results[i];
	v->pending_hypercall = false;
	return 0;
}
