/* SPDX-License-Identifier: MIT */
/*
 * The ARMv8 EL2 backend of <vcpu/hwvirt.h> and <vcpu/vcpu.h>.
 *
 * Tessera itself runs at EL2, so "having the virtualization extensions"
 * means having been entered there.  A guest runs at EL1/EL0 under the
 * controls set here right before each entry (vcpu_run()):
 *
 *   HCR_EL2      what traps to EL2 (guest_hcr() below, bit by bit)
 *   VTCR_EL2     the stage-2 translation regime (4 KiB granule, IPA size)
 *   VTTBR_EL2    the VM's stage-2 tables and its VMID (stage2.c)
 *   VMPIDR_EL2   the MPIDR the guest reads; VPIDR_EL2 the MIDR
 *   CNTVOFF_EL2  the guest's virtual counter starts near zero
 *   CNTHCTL_EL2  the physical counter and the EL1 physical timer trap:
 *                they are emulated (ptimer.c), the hardware is the host's
 *
 * HCR_EL2, VTTBR_EL2 and the others stay loaded after an exit: they only
 * act on the EL1&0 regime, never on the hypervisor's own (EL2, no VHE
 * host), and the hypervisor runs with interrupts masked, so what
 * HCR_EL2.IMO routes is only looked at by its own code.  Each entry
 * writes only the registers whose value differs from what this CPU holds
 * (struct el2_loaded): a vCPU that exits and comes back to the same CPU
 * writes none of them, and no TLB is disturbed by rewriting a VMID.
 *
 * The register switch itself is switch.S; why the guest stopped is
 * decoded in exit_decode.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <aarch64/aarch64.h>
#include <aarch64/sysreg.h>
#include <core/log.h>
#include <core/mm.h>
#include <core/panic.h>
#include <core/percpu.h>
#include <vcpu/aarch64_regs.h>
#include <vcpu/gspace.h>
#include <vcpu/hwvirt.h>
#include <vcpu/vcpu.h>

#include "el2_internal.h"
#include "../../gspace_arch.h"

/* switch.S addresses struct el2_context by these offsets. */
_Static_assert(offsetof(struct el2_context, x) == CTX_X, "CTX_X");
_Static_assert(offsetof(struct el2_context, sp_el1) == CTX_SP_EL1, "CTX_SP_EL1");
_Static_assert(offsetof(struct el2_context, elr_el2) == CTX_ELR_EL2, "CTX_ELR_EL2");
_Static_assert(offsetof(struct el2_context, spsr_el2) == CTX_SPSR_EL2, "CTX_SPSR_EL2");
_Static_assert(offsetof(struct el2_context, sysregs) == CTX_SYSREGS, "CTX_SYSREGS");
_Static_assert(offsetof(struct el2_context, fpsr) == CTX_FPSR, "CTX_FPSR");
_Static_assert(offsetof(struct el2_context, fpcr) == CTX_FPCR, "CTX_FPCR");
_Static_assert(offsetof(struct el2_context, q) == CTX_Q, "CTX_Q");
_Static_assert(offsetof(struct el2_context, host_x19_x30) == CTX_HOST, "CTX_HOST");
_Static_assert(offsetof(struct el2_context, esr_el2) == CTX_ESR_EL2, "CTX_ESR_EL2");
_Static_assert(offsetof(struct el2_context, far_el2) == CTX_FAR_EL2, "CTX_FAR_EL2");
_Static_assert(offsetof(struct el2_context, hpfar_el2) == CTX_HPFAR_EL2, "CTX_HPFAR_EL2");
_Static_assert(offsetof(struct el2_context, vector) == CTX_VECTOR, "CTX_VECTOR");
_Static_assert(sizeof(struct el2_context) == CTX_SIZE, "CTX_SIZE");
_Static_assert(offsetof(struct vcpu, ctx) == 0, "switch.S takes the vcpu as its context");

/* SCTLR_EL1 at reset: the RES1 bits (11, 20, 22, 23, 28, 29), MMU and caches off. */
#define SCTLR_EL1_RESET 0x30d00800ULL
#define SCTLR_EL1_M     (1ULL << 0)

/* VTCR_EL2 fields (4 KiB granule, inner shareable write-back walks). */
#define VTCR_T0SZ(bits)    ((uint64_t)(64 - (bits)))
#define VTCR_SL0(start)    ((uint64_t)((start) == 0 ? 2 : 1) << 6)
#define VTCR_IRGN0_WBWA    (1ULL << 8)
#define VTCR_ORGN0_WBWA    (1ULL << 10)
#define VTCR_SH0_INNER     (3ULL << 12)
#define VTCR_TG0_4K        (0ULL << 14)
#define VTCR_PS_SHIFT      16
#define VTCR_RES1          (1ULL << 31)

/* ID_AA64MMFR0_EL1.PARange (bits 3:0) in bits; 48 at most (no 52-bit tables). */
static unsigned int parange_field(void)
{
	unsigned int pa = (unsigned int)read_sysreg(id_aa64mmfr0_el1) & 0xf;

	return pa > 5 ? 5 : pa;
}

unsigned int el2_ipa_bits(void)
{
	static const unsigned int bits[6] = { 32, 36, 40, 42, 44, 48 };

	return bits[parange_field()];
}

static uint64_t vtcr_of(const struct gspace *gs)
{
	/* The walker counts levels from the leaves: Arm's start level is 3 - top. */
	return VTCR_T0SZ(gs->ipa_bits) | VTCR_SL0(3 - gs->pt.top_level) | VTCR_IRGN0_WBWA |
	       VTCR_ORGN0_WBWA | VTCR_SH0_INNER | VTCR_TG0_4K |
	       ((uint64_t)parange_field() << VTCR_PS_SHIFT) | VTCR_RES1;
}

static uint64_t vttbr_of(const struct gspace *gs)
{
	return ((uint64_t)gs->vmid << 48) | (uint64_t)(uintptr_t)gs->pt.root;
}

/*
 * HCR_EL2 while a guest runs.  Each bit and why:
 *   VM      stage-2 translation on: the guest sees only what gspace maps
 *   SWIO    data cache invalidate by set/way acts as clean+invalidate
 *   PTW     a guest page-table walk hitting device memory faults
 *   FMO IMO AMO  physical FIQ/IRQ/SError go to EL2 (an IRQ exit), and the
 *           guest gets virtual ones (the vGIC's list registers)
 *   FB BSU  TLB/cache maintenance and barriers reach the inner shareable
 *           domain, so a vCPU may move between physical CPUs
 *   TWI TWE WFI/WFE exit, so an idle vCPU gives the CPU back
 *   TSC     SMC exits (PSCI over SMC is the VMM's, not the firmware's)
 *   TIDCP TACR  implementation-defined and auxiliary control registers exit
 *   TSW     cache maintenance by set/way exits (meaningless in a VM)
 *   RW      EL1 is AArch64
 *   TLOR    LORegion registers exit (when the CPU has them)
 *   API APK pointer authentication instructions and key registers do not
 *           trap: Linux signs return addresses with them.  The keys stay in
 *           the CPU while the guest is out; the hypervisor itself never
 *           uses pointer authentication, and a physical CPU runs one vCPU.
 */
static uint64_t guest_hcr(void)
{
	uint64_t hcr = HCR_VM | HCR_SWIO | HCR_PTW | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB |
		       HCR_BSU_INNER | HCR_TWI | HCR_TWE | HCR_TSC | HCR_TIDCP | HCR_TACR |
		       HCR_TSW | HCR_RW | HCR_API | HCR_APK;

	if ((read_sysreg(id_aa64mmfr1_el1) >> 16) & 0xf)     /* FEAT_LOR */
		hcr |= HCR_TLOR;
	return hcr;
}

/* ID_AA64MMFR1_EL1.VH, bits 11:8: the Virtualization Host Extensions. */
static bool cpu_has_vhe(void)
{
	return ((read_sysreg(id_aa64mmfr1_el1) >> 8) & 0xf) != 0;
}

int hwvirt_probe(char *info, size_t len)
{
	unsigned int el = current_el();

	if (el != 2) {
		snprintf(info, len,
			 "Tessera runs at EL%u but needs EL2: start it with the virtualization "
			 "extensions enabled (QEMU: -M virt,virtualization=on)", el);
		return -ENODEV;
	}
	snprintf(info, len, "ARMv8 EL2, VHE %s, %s", cpu_has_vhe() ? "yes" : "no",
		 aarch64_gic_describe());
	return 0;
}

int hwvirt_enable_cpu(char *desc, size_t len)
{
	unsigned int el = current_el();
	uint64_t mpidr = this_cpu_mpidr();

	if (el != 2) {
		snprintf(desc, len, "at EL%u, not EL2, MPIDR 0x%llx", el,
			 (unsigned long long)mpidr);
		return -ENODEV;
	}
	/* EL1 is AArch64; nothing trapped or routed to EL2 until a guest runs. */
	write_sysreg(hcr_el2, HCR_EL2_RW);
	/* FP/SIMD, SVE and trace stay usable from EL1. */
	write_sysreg(cptr_el2, CPTR_EL2_RES1);
	/* EL1 may read the physical counter and use the physical timer. */
	write_sysreg(cnthctl_el2, CNTHCTL_EL2_EL1PCTEN | CNTHCTL_EL2_EL1PCEN);
	write_sysreg(cntvoff_el2, 0);
	/* A guest reading MIDR/MPIDR sees this CPU's values. */
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, read_sysreg(mpidr_el1));
	write_sysreg(vttbr_el2, 0);
	isb();
	el2_forget_loaded();
	snprintf(desc, len, "EL2, MPIDR 0x%llx, HCR_EL2 0x%llx", (unsigned long long)mpidr,
		 (unsigned long long)read_sysreg(hcr_el2));
	return 0;
}

/* ---- stage 2: the hardware half of stage2.c ---- */

/*
 * Every CPU's TLB entries of the VMID, walk caches included: broadcast to
 * the inner shareable domain and complete when the DSB ISH has finished,
 * so the walker frees emptied table pages right after this returns.
 */
void el2_stage2_tlb_flush(const struct gspace *gs)
{
	uint64_t saved = read_sysreg(vttbr_el2);

	/* TLBI ...S12E1 acts on the VMID in VTTBR_EL2: load the VM's for it. */
	dsb(ishst);
	write_sysreg(vttbr_el2, vttbr_of(gs));
	isb();
	__asm__ volatile("tlbi vmalls12e1is" : : : "memory");
	dsb(ish);
	write_sysreg(vttbr_el2, saved);
	isb();
}

/* gspace_write() (gspace.c): the written bytes reach a guest with its caches off. */
void gspace_arch_sync_written(void *host, size_t len)
{
	aarch64_dcache_clean_range(host, len);
}

void gspace_arch_sync_done(void)
{
	__asm__ volatile("ic ialluis" : : : "memory");
	dsb(ish);
	isb();
}

/* ---- vCPUs ---- */

static void guest_exception(struct exception_frame *frame, unsigned int vector);

struct vcpu *vcpu_create(struct gspace *gs, unsigned int index)
{
	struct vcpu *v;

	if (!gs)
		return NULL;
	v = kzalloc(sizeof(*v));
	if (!v)
		return NULL;
	v->gs = gs;
	v->index = index;
	v->run_limit_count = UINT64_MAX;
	v->vmpidr = vcpu_aarch64_mpidr_of_index(index);
	/* The VM's time starts with its first vCPU; all vCPUs share it. */
	if (!gs->guest_time_zero)
		gs->guest_time_zero = read_sysreg(cntpct_el0);
	v->cntvoff = gs->guest_time_zero;
	v->hcr = guest_hcr();
	/* ID_AA64MMFR1_EL1.PAN, bits 23:20: an exception to EL1 may set PSTATE.PAN. */
	v->has_pan = ((read_sysreg(id_aa64mmfr1_el1) >> 20) & 0xf) != 0;
	vcpu_set_entry(v, 0, NULL, 0);
	aarch64_set_lower_el_handler(guest_exception);
	return v;
}

void vcpu_destroy(struct vcpu *v)
{
	kfree(v);
}

unsigned int vcpu_index(const struct vcpu *v)
{
	return v->index;
}

void vcpu_set_entry(struct vcpu *v, uint64_t pc, const uint64_t *args, unsigned int nargs)
{
	struct el2_context *c = &v->ctx;

	memset(c->x, 0, sizeof(c->x));
	memset(c->sysregs, 0, sizeof(c->sysregs));
	memset(c->q, 0, sizeof(c->q));
	c->fpsr = c->fpcr = 0;
	c->sp_el1 = 0;
	c->sysregs[SYSREG_SCTLR_EL1] = SCTLR_EL1_RESET;
	c->elr_el2 = pc;
	c->spsr_el2 = AARCH64_PSTATE_EL1H | AARCH64_PSTATE_DAIF;
	for (unsigned int i = 0; i < nargs && i < 8; i++)
		c->x[i] = args[i];
	v->pending_read.active = false;
	v->mmio.decoded = false;
	v->pending_hypercall = false;
	el2_irq_reset(v);
}

static uint64_t *reg_slot(struct vcpu *v, unsigned int reg)
{
	struct el2_context *c = &v->ctx;

	switch (reg) {
	case VCPU_REG_PC:                return &c->elr_el2;
	case VCPU_REG_SP:                return &c->sp_el1;
	case VCPU_REG_ARG0:              return &c->x[0];
	case VCPU_REG_ARG1:              return &c->x[1];
	case VCPU_REG_ARG2:              return &c->x[2];
	case VCPU_REG_ARG3:              return &c->x[3];
	case VCPU_REG_AARCH64_PSTATE:    return &c->spsr_el2;
	case VCPU_REG_AARCH64_SP_EL0:    return &c->sysregs[SYSREG_SP_EL0];
	case VCPU_REG_AARCH64_SCTLR_EL1: return &c->sysregs[SYSREG_SCTLR_EL1];
	case VCPU_REG_AARCH64_VBAR_EL1:  return &c->sysregs[SYSREG_VBAR_EL1];
	case VCPU_REG_AARCH64_MPIDR:     return &v->vmpidr;
	}
	if (reg >= VCPU_REG_AARCH64_X(0) && reg <= VCPU_REG_AARCH64_X(30))
		return &c->x[reg - VCPU_REG_AARCH64_X(0)];
	return NULL;
}

int vcpu_get_reg(const struct vcpu *v, unsigned int reg, uint64_t *value)
{
	uint64_t *slot = reg_slot((struct vcpu *)v, reg);

	if (!slot)
		return -EINVAL;
	*value = *slot;
	return 0;
}

int vcpu_set_reg(struct vcpu *v, unsigned int reg, uint64_t value)
{
	uint64_t *slot = reg_slot(v, reg);

	if (!slot || reg == VCPU_REG_AARCH64_MPIDR)
		return -EINVAL;
	*slot = value;
	return 0;
}

void vcpu_kick(struct vcpu *v)
{
	struct percpu *self = this_cpu();
	unsigned int on_cpu;

	/*
	 * Flag first, then look where the vCPU is; vcpu_run() and the WFI wait
	 * publish where they are, then look at the flag.  Sequentially
	 * consistent both ways: either the vCPU sees the flag or we see it is
	 * on a CPU and interrupt that CPU (the guest exits, the wait wakes).
	 */
	__atomic_store_n(&v->kick_requested, true, __ATOMIC_SEQ_CST);
	on_cpu = __atomic_load_n(&v->on_cpu, __ATOMIC_SEQ_CST);
	if (on_cpu && !(self && self->id == on_cpu - 1))
		arch_kick_cpu(on_cpu - 1);
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

uint64_t vcpu_exit_count(const struct vcpu *v, enum vcpu_exit_reason reason)
{
	return (unsigned int)reason < VCPU_EXIT_REASON_COUNT ? v->exits[reason] : 0;
}

/* x0-x30, two at a time (load and store pairs): every exit copies them once. */
static inline void copy_gprs(uint64_t *restrict dst, const uint64_t *restrict src)
{
	_Static_assert(sizeof(((struct el2_context *)0)->x) == 31 * sizeof(uint64_t), "x0-x30");
#pragma GCC unroll 15
	for (unsigned int i = 0; i < 30; i += 2) {
		uint64_t a = src[i], b = src[i + 1];

		dst[i] = a;
		dst[i + 1] = b;
	}
	dst[30] = src[30];
}

/*
 * The arch component's lower-EL vector hook: the guest stopped.  The
 * vectors saved its general registers in frame; keep them with the rest
 * of its state and go back to vcpu_run() (this does not return).
 */
static void guest_exception(struct exception_frame *frame, unsigned int vector)
{
	struct percpu *cpu = this_cpu();
	struct vcpu *v = cpu ? cpu->vcpu : NULL;

	if (!v)
		panic("exception from EL1 (ESR_EL2 0x%llx, ELR_EL2 0x%llx) while no vCPU runs",
		      (unsigned long long)frame->esr, (unsigned long long)frame->elr);
	copy_gprs(v->ctx.x, frame->x);
	v->ctx.sp_el1 = frame->sp;
	v->ctx.elr_el2 = frame->elr;
	v->ctx.spsr_el2 = frame->spsr;
	v->ctx.esr_el2 = frame->esr;
	v->ctx.far_el2 = frame->far;
	v->ctx.hpfar_el2 = read_sysreg(hpfar_el2);
	el2_world_switch_back(&v->ctx, vector);
}

uint64_t el2_counter(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

bool el2_read_guest_insn(struct vcpu *v, uint64_t pc, uint32_t *insn)
{
	uint64_t ipa = pc, hpa;
	enum gspace_memtype type;

	if (pc & 3)
		return false;
	if (v->ctx.sysregs[SYSREG_SCTLR_EL1] & SCTLR_EL1_M) {
		/* Guest MMU on: its stage 1 (still loaded, HCR_EL2.VM still set) gives the IPA. */
		__asm__ volatile("at s1e1r, %0" : : "r"(pc) : "memory");
		isb();
		uint64_t par = read_sysreg(par_el1);
		if (par & 1)
			return false;
		ipa = (par & S2_ADDR_MASK) | (pc & 0xfff);
	}
	if (!gspace_translate(v->gs, ipa, &hpa, NULL, &type) || type != GSPACE_MEM_NORMAL)
		return false;
	*insn = *(const volatile uint32_t *)(uintptr_t)hpa;
	return true;
}

/* The first guest entry on each CPU drops whatever firmware left in the EL1 TLBs. */
static bool cpu_tlb_clean[MAX_CPUS];

/*
 * What this CPU's EL2 controls of the EL1&0 regime hold (valid once a
 * guest entry wrote them all).  VPIDR_EL2 is this CPU's MIDR, CNTHCTL_EL2
 * 0 (the physical counter and timer trap) and CPTR_EL2 its RES1 bits for
 * every guest: written at the first entry only.
 */
struct el2_loaded {
	bool valid;
	uint64_t hcr, vtcr, vttbr, vmpidr, cntvoff;
};
static struct el2_loaded cpu_loaded[MAX_CPUS];

void el2_forget_loaded(void)
{
	struct percpu *cpu = this_cpu();

	if (cpu && cpu->id < MAX_CPUS)
		cpu_loaded[cpu->id].valid = false;
}

/* The guest's controls into this CPU's EL2 registers, those that differ only. */
static void load_guest_controls(struct vcpu *v, unsigned int cpu_id)
{
	struct el2_loaded *l = &cpu_loaded[cpu_id < MAX_CPUS ? cpu_id : 0];
	uint64_t vtcr = vtcr_of(v->gs), vttbr = vttbr_of(v->gs);
	bool all = cpu_id >= MAX_CPUS || !l->valid, changed = all;

	if (all) {
		write_sysreg(vpidr_el2, read_sysreg(midr_el1));
		/* EL1PCTEN = EL1PCEN = 0: CNTPCT and CNTP_* trap (ptimer.c). */
		write_sysreg(cnthctl_el2, 0);
		write_sysreg(cptr_el2, CPTR_EL2_RES1);
	}
	if (all || l->vtcr != vtcr) {
		write_sysreg(vtcr_el2, vtcr);
		l->vtcr = vtcr;
		changed = true;
	}
	if (all || l->vttbr != vttbr) {
		write_sysreg(vttbr_el2, vttbr);
		l->vttbr = vttbr;
		changed = true;
	}
	if (all || l->vmpidr != v->vmpidr) {
		write_sysreg(vmpidr_el2, v->vmpidr);
		l->vmpidr = v->vmpidr;
		changed = true;
	}
	if (all || l->cntvoff != v->cntvoff) {
		write_sysreg(cntvoff_el2, v->cntvoff);
		l->cntvoff = v->cntvoff;
		changed = true;
	}
	if (all || l->hcr != v->hcr) {
		write_sysreg(hcr_el2, v->hcr);
		l->hcr = v->hcr;
		changed = true;
	}
	if (changed)
		isb();
	l->valid = cpu_id < MAX_CPUS;
}

int vcpu_run(struct vcpu *v, struct vcpu_exit *exit)
{
	struct percpu *cpu = this_cpu();
	uint64_t vector, host_daif;

	if (current_el() != 2 || !cpu) {
		memset(exit, 0, sizeof(*exit));
		exit->reason = VCPU_EXIT_FAILED;
		snprintf(exit->failed.reason, sizeof(exit->failed.reason),
			 "cannot enter a guest: not running at EL2");
		return -ENODEV;
	}
	/* Nothing may interrupt the switch; fill() sees a quiet CPU. */
	host_daif = read_sysreg(daif);
	__asm__ volatile("msr daifset, #0xf" : : : "memory");
	/* Where we are, then the kick flag (see vcpu_kick()). */
	__atomic_store_n(&v->on_cpu, cpu->id + 1, __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&v->kick_requested, false, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&v->on_cpu, 0, __ATOMIC_SEQ_CST);
		write_sysreg(daif, host_daif);
		memset(exit, 0, sizeof(*exit));
		exit->reason = VCPU_EXIT_KICK;
		exit->pc = v->ctx.elr_el2;
		v->exits[VCPU_EXIT_KICK]++;
		return 0;
	}
	cpu->vcpu = v;
	/*
	 * Interrupt injection (interrupts.c): the guest's timer level goes to
	 * irq_ops->timer(), the VM's vGIC hands over its pending interrupts in
	 * fill(), and they are written to the GIC list registers ICH_LR<n>_EL2
	 * with ICH_VMCR/APRs/HCR_EL2, here on this physical CPU.
	 */
	el2_irq_before_entry(v);

	load_guest_controls(v, cpu->id);
	if (cpu->id < MAX_CPUS && !cpu_tlb_clean[cpu->id]) {
		__asm__ volatile("tlbi alle1" : : : "memory");
		dsb(nsh);
		cpu_tlb_clean[cpu->id] = true;
	}
	dsb(ish);          /* stage-2 table updates visible to the walker */

	vector = el2_world_switch(&v->ctx);
	(void)vector;      /* also in v->ctx.vector */

	/*
	 * Decode while the guest's stage 1 and HCR_EL2 are still loaded: an
	 * abort without syndrome names its instruction, read with AT S1E1R.
	 */
	el2_decode_exit(v, exit);
	/* HCR_EL2 and VTTBR_EL2 stay: see the top of the file. */
	/* List registers back to the VM (sync()), physical IRQs acknowledged. */
	el2_irq_after_exit(v);
	cpu->vcpu = NULL;
	__atomic_store_n(&v->on_cpu, 0, __ATOMIC_SEQ_CST);
	write_sysreg(daif, host_daif);
	/*
	 * A trapped device access: the decoded access goes to the VM's bus
	 * now, with the host's interrupt mask back
	 * (a device model may take its time), then the read's register and
	 * the PC: one pass, the exit only reports it.
	 */
	el2_emulate_mmio(v, exit);
	v->last_reason = exit->reason;
	v->exits[exit->reason]++;
	return 0;
}
