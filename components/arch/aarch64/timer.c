/* SPDX-License-Identifier: MIT */
/* Time from the generic timer's physical counter (CNTPCT_EL0). */
#include "aarch64_internal.h"

#include <aarch64/sysreg.h>
#include <core/arch.h>

#define NSEC_PER_SEC 1000000000ULL

static uint64_t counter_hz;
static uint64_t counter_at_boot;

void timer_init(uint64_t dtb_frequency)
{
	counter_hz = read_sysreg(cntfrq_el0) & 0xffffffffULL;
	/* Some firmware leaves CNTFRQ unset and puts the rate in the DTB. */
	if (counter_hz == 0)
		counter_hz = dtb_frequency;
	isb();
	counter_at_boot = read_sysreg(cntpct_el0);
}

uint64_t timer_frequency(void)
{
	return counter_hz;
}

uint64_t arch_timer_ns(void)
{
	uint64_t ticks;

	if (counter_hz == 0)
		return 0;
	isb();
	ticks = read_sysreg(cntpct_el0) - counter_at_boot;
	/* Split so that neither product overflows 64 bits. */
	return ticks / counter_hz * NSEC_PER_SEC + ticks % counter_hz * NSEC_PER_SEC / counter_hz;
}

/* The counter value at arch_timer_ns() == ns. */
uint64_t aarch64_count_at_ns(uint64_t ns)
{
	return counter_at_boot + ns / NSEC_PER_SEC * counter_hz +
	       ns % NSEC_PER_SEC * counter_hz / NSEC_PER_SEC;
}

/* CNTHP_CTL_EL2: ENABLE, IMASK clear. */
#define CNTHP_CTL_ENABLE 1ULL

void aarch64_hyp_timer_wake_at(uint64_t count)
{
	write_sysreg(cnthp_cval_el2, count);
	write_sysreg(cnthp_ctl_el2, CNTHP_CTL_ENABLE);
	isb();
}

void aarch64_hyp_timer_cancel(void)
{
	write_sysreg(cnthp_ctl_el2, 0);
	isb();
}
