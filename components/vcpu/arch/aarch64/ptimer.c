/* SPDX-License-Identifier: MIT */
/*
 * The guest's EL1 physical timer (CNTP_CTL_EL0, CNTP_CVAL_EL0,
 * CNTP_TVAL_EL0) and physical counter (CNTPCT_EL0), emulated as KVM does.
 *
 * Why emulate: the hypervisor at EL2 keeps the physical timer hardware
 * for itself, and a guest timer running on it would fire while the host
 * runs.  So CNTHCTL_EL2.EL1PCEN and EL1PCTEN are clear while a guest
 * runs: every access traps (ESR_EL2 EC 0x18) and lands here, and the
 * timer is three values in struct vcpu.  Its output, like the virtual
 * timer's, is a level (Arm ARM D11.2.4, "Timers"):
 *
 *     ENABLE and not IMASK and count >= CVAL       -> PPI 14 (INTID 30)
 *
 * interrupts.c reports its changes through irq_ops->phys_timer() after
 * every exit and before every entry, arms the hypervisor's own timer
 * (CNTHP) at a deadline still ahead so that the guest exits when it
 * passes, and wakes a sleeping vCPU at it.
 *
 * The counter the guest sees: the same for both timers.  Its virtual
 * counter is CNTPCT - CNTVOFF_EL2 (the VM's time starts near zero), and
 * reading CNTPCT_EL0 gives the same value here, so a guest that mixes the
 * two (firmware on one, its OS on the other) sees one clock, as on QEMU.
 *
 * Plain C: the counter comes from el2_counter() (el2.c, or the host test).
 */
#include <stdint.h>

#include <vcpu/aarch64_regs.h>

#include "el2_internal.h"

#define CNT_CTL_ENABLE  (1ULL << 0)
#define CNT_CTL_IMASK   (1ULL << 1)
#define CNT_CTL_ISTATUS (1ULL << 2)     /* read-only: the condition is met */

#define ID_CNTPCT_EL0    VCPU_SYSREG_ID(3, 3, 14, 0, 1)
#define ID_CNTPCTSS_EL0  VCPU_SYSREG_ID(3, 3, 14, 0, 5)
#define ID_CNTP_TVAL_EL0 VCPU_SYSREG_ID(3, 3, 14, 2, 0)
#define ID_CNTP_CTL_EL0  VCPU_SYSREG_ID(3, 3, 14, 2, 1)
#define ID_CNTP_CVAL_EL0 VCPU_SYSREG_ID(3, 3, 14, 2, 2)

uint64_t el2_guest_count(const struct vcpu *v)
{
	return el2_counter() - v->cntvoff;
}

static bool condition_met(const struct vcpu *v, uint64_t now)
{
	return (v->ptimer.ctl & CNT_CTL_ENABLE) && now >= v->ptimer.cval;
}

bool el2_ptimer_level(const struct vcpu *v)
{
	return !(v->ptimer.ctl & CNT_CTL_IMASK) && condition_met(v, el2_guest_count(v));
}

/*
 * A guest count as a host count (what CNTHP_CVAL_EL2 compares with);
 * false when it lies beyond the end of the host's counter (a CVAL of all
 * ones means "never").
 */
bool el2_guest_to_host_count(const struct vcpu *v, uint64_t guest, uint64_t *host)
{
	if (guest > UINT64_MAX - v->cntvoff)
		return false;
	*host = guest + v->cntvoff;
	return true;
}

bool el2_ptimer_deadline(const struct vcpu *v, uint64_t *host_count)
{
	if ((v->ptimer.ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) != CNT_CTL_ENABLE)
		return false;
	return el2_guest_to_host_count(v, v->ptimer.cval, host_count);
}

void el2_ptimer_reset(struct vcpu *v)
{
	/* Warm reset: ENABLE is 0; CVAL is UNKNOWN, zero here. */
	v->ptimer.ctl = 0;
	v->ptimer.cval = 0;
}

bool el2_ptimer_sysreg(struct vcpu *v, uint32_t id, bool is_write, uint64_t *value)
{
	uint64_t now = el2_guest_count(v);

	switch (id) {
	case ID_CNTPCT_EL0:
	case ID_CNTPCTSS_EL0:
		if (!is_write)          /* the counters are read-only: a write is ignored */
			*value = now;
		return true;
	case ID_CNTP_CTL_EL0:
		if (is_write)
			v->ptimer.ctl = *value & (CNT_CTL_ENABLE | CNT_CTL_IMASK);
		else
			*value = v->ptimer.ctl | (condition_met(v, now) ? CNT_CTL_ISTATUS : 0);
		return true;
	case ID_CNTP_CVAL_EL0:
		if (is_write)
			v->ptimer.cval = *value;
		else
			*value = v->ptimer.cval;
		return true;
	case ID_CNTP_TVAL_EL0:
		/* TVAL is CVAL - count as a signed 32-bit number, both ways. */
		if (is_write)
			v->ptimer.cval = now + (uint64_t)(int64_t)(int32_t)(uint32_t)*value;
		else
			*value = (uint32_t)(v->ptimer.cval - now);
		return true;
	}
	return false;
}
