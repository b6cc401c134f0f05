/* SPDX-License-Identifier: MIT */
/*
 * Interrupts of a guest on the EL2 backend: the GICv3 virtual CPU
 * interface, the guest's virtual timer, and sleeping in WFI.
 *
 * The path of an interrupt to the guest:
 *
 *   a device, the guest's timer, another vCPU's SGI
 *        -> the VM's vGIC model (components/devices/vgic3): "pending"
 *   before entry, fill() (the VM) -> vcpu_aarch64_load_lrs()
 *        -> ICH_LR<n>_EL2 (here, el2_irq_before_entry())
 *   the guest: the virtual CPU interface signals a virtual IRQ; the guest
 *        reads ICC_IAR1_EL1 and writes ICC_EOIR1_EL1 without exits, the
 *        hardware updates the list register's state
 *   after the exit, ICH_LR<n>_EL2 -> saved here -> sync() (the VM)
 *        -> vgic3_sync_lr(): acknowledged, done, or still pending
 *
 * Exits the guest did not ask for come from physical interrupts (HCR_EL2.
 * IMO routes them to EL2): the maintenance interrupt (a level interrupt
 * was EOIed: its line must be looked at again; the list registers ran
 * low: more can be injected), the guest's virtual timer, a kick SGI.
 * el2_irq_after_exit() acknowledges them at the host GIC.
 *
 * The physical timer (CNTP_*) is emulated (ptimer.c): its deadline is
 * put on the hypervisor's timer (CNTHP) before every entry, so the guest
 * exits when it passes, and its level goes to irq_ops->phys_timer() (PPI
 * 30) from the same places as the virtual timer's.
 *
 * The virtual timer (CNTV_*) belongs to the guest: it programs it without
 * exits.  Its output is a level: ENABLE and not IMASK and CNTVCT >= CVAL.
 * The backend computes it from the saved registers after every exit and
 * before every entry and reports changes through irq_ops->timer(), which
 * the VM turns into the guest's PPI 27.  While that level is high the
 * physical PPI 27 is disabled on the CPU's redistributor, or the guest
 * would exit again at once instead of taking its interrupt; the guest's
 * EOI of PPI 27 (level-sensitive: the list register asks for an EOI
 * maintenance interrupt) brings it back out, the level is computed again
 * and the physical PPI enabled once it is low.  On the way out the world
 * switch disables the guest's timer (switch.S), so it never fires while
 * the host runs; a sleeping vCPU is woken by the EL2 physical timer
 * (CNTHP) at the guest's deadline instead.
 *
 * The same CNTHP is the run limit (vcpu_aarch64_set_run_limit()): armed
 * before an entry at the VM's next device-timer deadline, it brings a
 * guest that never exits by itself (a loop polling memory) back out as an
 * IRQ exit, and the VM's run loop runs its due device timers; in a wait it
 * wakes the CPU at whichever comes first, the guest's deadline or the
 * VM's.
 */
#include <errno.h>
#include <string.h>

#include <aarch64/aarch64.h>
#include <aarch64/sysreg.h>
#include <core/arch.h>
#include <core/percpu.h>
#include <vcpu/aarch64_gic.h>
#include <vcpu/vcpu.h>

#include "el2_internal.h"

_Static_assert(VCPU_AARCH64_MAX_LRS == EL2_MAX_LRS, "one list register limit");

/* ICH_HCR_EL2 */
#define ICH_HCR_EN  (1ull << 0)   /* the virtual CPU interface works          */
#define ICH_HCR_UIE (1ull << 1)   /* maintenance IRQ when <= 1 LR is valid   */

/* ICH_VTR_EL2 */
#define ICH_VTR_LIST_REGS(vtr) (((vtr) & 0x1f) + 1)
#define ICH_VTR_PRE_BITS(vtr)  ((((vtr) >> 26) & 7) + 1)

/* CNTV_CTL_EL0 */
#define CNTV_CTL_ENABLE (1ull << 0)
#define CNTV_CTL_IMASK  (1ull << 1)

/* ICH_LR<n>_EL2 by number: the register name is part of the instruction. */
#define LR_CASE_READ(n)  case n: return read_sysreg(ich_lr##n##_el2)
#define LR_CASE_WRITE(n) case n: write_sysreg(ich_lr##n##_el2, value); return

static uint64_t read_lr(unsigned int n)
{
	switch (n) {
	LR_CASE_READ(0); LR_CASE_READ(1); LR_CASE_READ(2); LR_CASE_READ(3);
	LR_CASE_READ(4); LR_CASE_READ(5); LR_CASE_READ(6); LR_CASE_READ(7);
	LR_CASE_READ(8); LR_CASE_READ(9); LR_CASE_READ(10); LR_CASE_READ(11);
	LR_CASE_READ(12); LR_CASE_READ(13); LR_CASE_READ(14); LR_CASE_READ(15);
	}
	return 0;
}

static void write_lr(unsigned int n, uint64_t value)
{
	switch (n) {
	LR_CASE_WRITE(0); LR_CASE_WRITE(1); LR_CASE_WRITE(2); LR_CASE_WRITE(3);
	LR_CASE_WRITE(4); LR_CASE_WRITE(5); LR_CASE_WRITE(6); LR_CASE_WRITE(7);
	LR_CASE_WRITE(8); LR_CASE_WRITE(9); LR_CASE_WRITE(10); LR_CASE_WRITE(11);
	LR_CASE_WRITE(12); LR_CASE_WRITE(13); LR_CASE_WRITE(14); LR_CASE_WRITE(15);
	}
}

/* Active-priority registers: 1, 2 or 4 of each group for 5, 6 or 7 preemption bits. */
static unsigned int apr_count(void)
{
	return 1u << (ICH_VTR_PRE_BITS(read_sysreg(ich_vtr_el2)) - 5);
}

static void save_aprs(struct el2_vgic_state *g)
{
	unsigned int n = apr_count();

	g->ap0r[0] = read_sysreg(ich_ap0r0_el2);
	g->ap1r[0] = read_sysreg(ich_ap1r0_el2);
	if (n >= 2) {
		g->ap0r[1] = read_sysreg(ich_ap0r1_el2);
		g->ap1r[1] = read_sysreg(ich_ap1r1_el2);
	}
	if (n >= 4) {
		g->ap0r[2] = read_sysreg(ich_ap0r2_el2);
		g->ap1r[2] = read_sysreg(ich_ap1r2_el2);
		g->ap0r[3] = read_sysreg(ich_ap0r3_el2);
		g->ap1r[3] = read_sysreg(ich_ap1r3_el2);
	}
}

static void load_aprs(const struct el2_vgic_state *g)
{
	unsigned int n = apr_count();

	write_sysreg(ich_ap0r0_el2, g->ap0r[0]);
	write_sysreg(ich_ap1r0_el2, g->ap1r[0]);
	if (n >= 2) {
		write_sysreg(ich_ap0r1_el2, g->ap0r[1]);
		write_sysreg(ich_ap1r1_el2, g->ap1r[1]);
	}
	if (n >= 4) {
		write_sysreg(ich_ap0r2_el2, g->ap0r[2]);
		write_sysreg(ich_ap1r2_el2, g->ap1r[2]);
		write_sysreg(ich_ap0r3_el2, g->ap0r[3]);
		write_sysreg(ich_ap1r3_el2, g->ap1r[3]);
	}
}

unsigned int vcpu_aarch64_lr_count(void)
{
	unsigned int n;

	if (!aarch64_gic_ready())
		return 0;
	n = ICH_VTR_LIST_REGS(read_sysreg(ich_vtr_el2));
	return n > EL2_MAX_LRS ? EL2_MAX_LRS : n;
}

int vcpu_aarch64_load_lrs(struct vcpu *v, const uint64_t *lrs, unsigned int n, bool more_pending)
{
	if (n > vcpu_aarch64_lr_count() || (n && !lrs))
		return -EINVAL;
	memcpy(v->vgic.lr, lrs, n * sizeof(*lrs));
	v->vgic.lr_used = n;
	v->vgic.underflow_exit = more_pending;
	return 0;
}

unsigned int vcpu_aarch64_saved_lrs(const struct vcpu *v, uint64_t *lrs, unsigned int max)
{
	unsigned int n = v->vgic.lr_used < max ? v->vgic.lr_used : max;

	memcpy(lrs, v->vgic.lr, n * sizeof(*lrs));
	return n;
}

/* The guest's virtual timer output, from its saved registers and the counter now. */
static bool vtimer_level(const struct vcpu *v)
{
	uint64_t ctl = v->ctx.sysregs[SYSREG_CNTV_CTL_EL0];

	if (!(ctl & CNTV_CTL_ENABLE) || (ctl & CNTV_CTL_IMASK))
		return false;
	isb();
	return read_sysreg(cntpct_el0) - v->cntvoff >= v->ctx.sysregs[SYSREG_CNTV_CVAL_EL0];
}

static void timer_report(struct vcpu *v)
{
	bool level = vtimer_level(v);
	bool plevel = el2_ptimer_level(v);

	if (!v->timer_reported || level != v->timer_level) {
		v->timer_level = level;
		v->timer_reported = true;
		if (v->irq_ops && v->irq_ops->timer)
			v->irq_ops->timer(v, v->irq_opaque, level);
	}
	if (!v->ptimer.reported || plevel != v->ptimer.level) {
		v->ptimer.level = plevel;
		v->ptimer.reported = true;
		if (v->irq_ops && v->irq_ops->phys_timer)
			v->irq_ops->phys_timer(v, v->irq_opaque, plevel);
	}
}

/* The virtual timer's deadline as a host count, when it is armed and reachable. */
static bool vtimer_deadline(const struct vcpu *v, uint64_t *host_count)
{
	uint64_t ctl = v->ctx.sysregs[SYSREG_CNTV_CTL_EL0];

	if (!(ctl & CNTV_CTL_ENABLE) || (ctl & CNTV_CTL_IMASK))
		return false;
	return el2_guest_to_host_count(v, v->ctx.sysregs[SYSREG_CNTV_CVAL_EL0], host_count);
}

void el2_irq_reset(struct vcpu *v)
{
	memset(&v->vgic, 0, sizeof(v->vgic));
	v->timer_level = false;
	v->timer_reported = false;
	el2_ptimer_reset(v);
	v->ptimer.level = false;
	v->ptimer.reported = false;
	v->run_limit_count = UINT64_MAX;
}

void vcpu_aarch64_set_run_limit(struct vcpu *v, uint64_t ns)
{
	uint64_t hz = read_sysreg(cntfrq_el0) & 0xffffffffull, ticks, count;

	if (!hz)
		return;
	/* At most 100 s ahead; ns * hz / 10^9 without overflow: seconds, then the rest. */
	if (ns > 100000000000ull)
		ns = 100000000000ull;
	ticks = ns / 1000000000u * hz + (ns % 1000000000u) * hz / 1000000000u;
	isb();
	count = read_sysreg(cntpct_el0) + ticks;
	if (count < v->run_limit_count)
		v->run_limit_count = count;
}

/* Whether every list register of this CPU holds 0 (see el2_irq_before_entry()). */
static bool cpu_lrs_clear[MAX_CPUS];

static bool lrs_clear_on(const struct percpu *cpu)
{
	return cpu && cpu->id < MAX_CPUS && cpu_lrs_clear[cpu->id];
}

static void set_lrs_clear(const struct percpu *cpu)
{
	if (cpu && cpu->id < MAX_CPUS)
		cpu_lrs_clear[cpu->id] = true;
}

void el2_irq_before_entry(struct vcpu *v)
{
	struct el2_vgic_state *g = &v->vgic;
	unsigned int count;
	uint64_t deadline;

	timer_report(v);
	g->lr_used = 0;
	g->underflow_exit = false;
	v->run_limit_count = UINT64_MAX;
	if (v->irq_ops && v->irq_ops->fill)
		v->irq_ops->fill(v, v->irq_opaque);
	if (!aarch64_gic_ready())
		return;
	/* Pending in the guest already: the physical timer PPI would only bring it back out. */
	aarch64_gic_set_ppi(GIC_PPI_VTIMER, !v->timer_level);
	/*
	 * The hypervisor's timer (CNTHP, a physical IRQ that exits the guest:
	 * HCR_EL2.IMO) brings the guest out at the earlier of the emulated
	 * physical timer's deadline (it has no hardware of its own;
	 * timer_report() then raises PPI 30) and the run limit fill() asked
	 * for (the VM's next device timer).
	 */
	if (v->ptimer.level || !el2_ptimer_deadline(v, &deadline))
		deadline = UINT64_MAX;
	if (v->run_limit_count < deadline)
		deadline = v->run_limit_count;
	if (deadline != UINT64_MAX)
		aarch64_hyp_timer_wake_at(deadline);
	else
		aarch64_hyp_timer_cancel();

	/*
	 * Every list register is written at a CPU's first entry; after that
	 * the exit leaves them all 0 (el2_irq_after_exit() clears the ones
	 * it used), and only the used ones need writing.
	 */
	count = lrs_clear_on(this_cpu()) ? g->lr_used : vcpu_aarch64_lr_count();
	write_sysreg(ich_vmcr_el2, g->vmcr);
	load_aprs(g);
	for (unsigned int i = 0; i < count; i++)
		write_lr(i, i < g->lr_used ? g->lr[i] : 0);
	write_sysreg(ich_hcr_el2, ICH_HCR_EN | (g->underflow_exit ? ICH_HCR_UIE : 0));
	isb();
}

void el2_irq_after_exit(struct vcpu *v)
{
	struct el2_vgic_state *g = &v->vgic;

	if (aarch64_gic_ready()) {
		for (unsigned int i = 0; i < g->lr_used; i++) {
			g->lr[i] = read_lr(i);
			write_lr(i, 0);
		}
		g->vmcr = read_sysreg(ich_vmcr_el2);
		save_aprs(g);
		g->misr = read_sysreg(ich_misr_el2);
		set_lrs_clear(this_cpu());
		/* Off: no maintenance interrupt while the host runs. */
		write_sysreg(ich_hcr_el2, 0);
		/* The guest's physical-timer deadline is the guest's business only. */
		aarch64_hyp_timer_cancel();
		isb();
		if (v->ctx.vector == VECTOR_LOWER_A64_IRQ)
			aarch64_gic_handle_irqs();
	}
	v->run_limit_count = UINT64_MAX;
	timer_report(v);
	if (v->irq_ops && v->irq_ops->sync)
		v->irq_ops->sync(v, v->irq_opaque);
	g->lr_used = 0;
}

int vcpu_wait_for_interrupt(struct vcpu *v, bool (*has_pending)(struct vcpu *v, void *ctx),
			    void *ctx)
{
	struct percpu *cpu = this_cpu();
	uint64_t daif = read_sysreg(daif);
	int rc;

	/* Masked: a wake-up interrupt ends WFI and is acknowledged below, not taken. */
	__asm__ volatile("msr daifset, #2" : : : "memory");
	__atomic_store_n(&v->on_cpu, cpu ? cpu->id + 1 : 0, __ATOMIC_SEQ_CST);
	for (;;) {
		uint64_t vdeadline, pdeadline, wake = UINT64_MAX;

		timer_report(v);
		if (__atomic_load_n(&v->kick_requested, __ATOMIC_SEQ_CST)) {
			rc = -EINTR;
			break;
		}
		v->run_limit_count = UINT64_MAX;      /* has_pending() may set it */
		if (!has_pending || has_pending(v, ctx)) {
			rc = 0;
			break;
		}
		if (!aarch64_gic_ready()) {
			arch_cpu_relax();       /* no interrupts to wake us: poll */
			continue;
		}
		/*
		 * The earliest of the two timers' deadlines still ahead (one
		 * already reached is in its reported level) and the VM's next
		 * device timer (the run limit) wakes us.
		 */
		if (!v->timer_level && vtimer_deadline(v, &vdeadline))
			wake = vdeadline;
		if (!v->ptimer.level && el2_ptimer_deadline(v, &pdeadline) && pdeadline < wake)
			wake = pdeadline;
		if (v->run_limit_count < wake)
			wake = v->run_limit_count;
		if (wake != UINT64_MAX)
			aarch64_hyp_timer_wake_at(wake);
		else
			aarch64_hyp_timer_cancel();
		arch_wait_for_interrupt();
		aarch64_gic_handle_irqs();
	}
	if (aarch64_gic_ready())
		aarch64_hyp_timer_cancel();
	v->run_limit_count = UINT64_MAX;
	__atomic_store_n(&v->on_cpu, 0, __ATOMIC_SEQ_CST);
	write_sysreg(daif, daif);
	return rc;
}
