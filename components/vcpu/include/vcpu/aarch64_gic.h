/* SPDX-License-Identifier: MIT */
/*
 * The EL2 backend's side of interrupt injection on aarch64: the GICv3
 * list registers.  The VM's vGIC (components/devices/vgic3) decides what
 * is pending; the backend owns the hardware registers and switches them
 * with the vCPU.  Only aarch64 code (the VM's vGIC glue) includes this.
 *
 * In the VM's struct vcpu_irq_ops (see <vcpu/vcpu.h>):
 *
 *   fill(v):   struct vgic3_lr lr[VCPU_AARCH64_MAX_LRS];
 *              unsigned max = vcpu_aarch64_lr_count();
 *              unsigned n = vgic3_pending_for(vgic, vcpu_index(v), lr, max);
 *              uint64_t val[VCPU_AARCH64_MAX_LRS];
 *              for (i < n) val[i] = vgic3_lr_to_ich_lr(&lr[i]);
 *              vcpu_aarch64_load_lrs(v, val, n,
 *                      n == max && vgic3_has_pending(vgic, vcpu_index(v)));
 *   sync(v):   uint64_t val[VCPU_AARCH64_MAX_LRS];
 *              unsigned n = vcpu_aarch64_saved_lrs(v, val, VCPU_AARCH64_MAX_LRS);
 *              for (i < n) vgic3_sync_lr(vgic, vcpu_index(v),
 *                      vgic3_ich_lr_intid(val[i]), vgic3_ich_lr_state(val[i]));
 *   timer(v, level):  vgic3_set_ppi(vgic, vcpu_index(v), 27, level);
 *
 * and on a VCPU_EXIT_SYSREG write of VCPU_SYSREG_ICC_SGI1R_EL1:
 *              vgic3_write_sgi1r(vgic, vcpu_index(v), exit.sysreg.value);
 *
 * The guest's SGI registers (ICC_SGI0R/SGI1R/ASGI1R_EL1) are not part of
 * the virtual CPU interface: with HCR_EL2.IMO/FMO set (always, for a
 * guest) their writes trap to EL2 by themselves, so the backend needs no
 * extra trap (ICH_HCR_EL2.TC would also trap ICC_PMR/CTLR/DIR/RPR, TALL1
 * every acknowledge and EOI).  All other ICC_*_EL1 accesses of the guest
 * go to the hardware's virtual CPU interface, backed by the list
 * registers and ICH_VMCR_EL2, without an exit.
 */
#ifndef VCPU_AARCH64_GIC_H
#define VCPU_AARCH64_GIC_H

#include <stdbool.h>
#include <stdint.h>
#include <vcpu/aarch64_regs.h>
#include <vcpu/vcpu.h>

/* The architecture allows at most 16 list registers (ICH_VTR_EL2.ListRegs). */
#define VCPU_AARCH64_MAX_LRS 16

/* The guest's SGI generation registers, as VCPU_EXIT_SYSREG ids (writes only). */
#define VCPU_SYSREG_ICC_SGI1R_EL1  VCPU_SYSREG_ID(3, 0, 12, 11, 5)
#define VCPU_SYSREG_ICC_ASGI1R_EL1 VCPU_SYSREG_ID(3, 0, 12, 11, 6)
#define VCPU_SYSREG_ICC_SGI0R_EL1  VCPU_SYSREG_ID(3, 0, 12, 11, 7)

/* The guest's virtual timer interrupt (EL1 virtual timer), a PPI. */
#define VCPU_AARCH64_VTIMER_INTID 27
/* The guest's EL1 physical timer interrupt (PPI 14), emulated by the backend. */
#define VCPU_AARCH64_PTIMER_INTID 30

/* List registers of this machine: ICH_VTR_EL2.ListRegs + 1 (0 without a GICv3). */
unsigned int vcpu_aarch64_lr_count(void);

/*
 * From fill() only: what ICH_LR<0..n-1>_EL2 hold when the guest is
 * entered (the others are emptied).  more_pending: the model has further
 * interrupts that did not fit; the backend then asks for an exit when the
 * guest has (nearly) emptied the list registers (ICH_HCR_EL2.UIE).
 * 0, or -EINVAL when n exceeds vcpu_aarch64_lr_count() (nothing loaded).
 */
int vcpu_aarch64_load_lrs(struct vcpu *v, const uint64_t *lrs, unsigned int n, bool more_pending);

/*
 * From sync() only: the list registers loaded before the last entry, as
 * the guest left them (state pending, active, both or invalid); how many
 * (at most max).  Each must be handed back to the model (vgic3_sync_lr()).
 */
unsigned int vcpu_aarch64_saved_lrs(const struct vcpu *v, uint64_t *lrs, unsigned int max);

/*
 * From fill(), or from has_pending() of vcpu_wait_for_interrupt(): the
 * vCPU leaves the guest (VCPU_EXIT_IRQ), or its wait wakes up, at the
 * latest ns nanoseconds from now, so that the VM runs its device timers
 * (the VM's next vclock deadline) even when the guest never exits by
 * itself.  The smallest value given since the last entry or wake-up
 * counts; without a call the guest runs until it exits.  The EL2 physical
 * timer (CNTHP) does it, as vcpu_x86_set_run_limit() the VMX-preemption
 * timer.
 */
void vcpu_aarch64_set_run_limit(struct vcpu *v, uint64_t ns);

#endif
