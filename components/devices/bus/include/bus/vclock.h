/* SPDX-License-Identifier: MIT */
/*
 * A VM's notion of time, and timers for device models (PIT, RTC, PM
 * timer, UART timeouts).  The time source is a function: the hypervisor
 * passes its monotonic clock, host tests pass a clock they advance by
 * hand.  The VM's run loop calls vclock_run_expired() and sleeps until
 * vclock_next_deadline().
 */
#ifndef BUS_VCLOCK_H
#define BUS_VCLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct vtimer;

struct vclock {
	uint64_t (*now_fn)(void *ctx);   /* nanoseconds, monotonic        */
	void *ctx;
	uint64_t offset;                 /* VM time = source - offset     */
	struct vtimer *armed;            /* sorted by deadline            */
	struct vtimer *expiring;         /* due, taken off 'armed' by
					    vclock_run_expired()          */
};

struct vtimer {
	void (*fn)(void *opaque);        /* runs from vclock_run_expired  */
	void *opaque;
	uint64_t deadline;               /* VM time, ns                   */
	bool armed;
	struct vtimer *next;
};

/* A clock starting at 0 now. */
void vclock_init(struct vclock *clk, uint64_t (*now_fn)(void *), void *ctx);
uint64_t vclock_now(const struct vclock *clk);

void vtimer_init(struct vtimer *t, void (*fn)(void *), void *opaque);
/* (Re)arms t to fire at deadline (VM ns). */
void vtimer_arm(struct vclock *clk, struct vtimer *t, uint64_t deadline);
void vtimer_cancel(struct vclock *clk, struct vtimer *t);

/*
 * Runs the callbacks of every timer whose deadline has passed.  Callbacks
 * may arm or cancel any timer, themselves included; a timer re-armed to a
 * deadline that has already passed runs on the next call, not this one,
 * so a zero-period timer cannot stall the run loop.
 */
void vclock_run_expired(struct vclock *clk);
/* Earliest armed deadline, or UINT64_MAX. */
uint64_t vclock_next_deadline(const struct vclock *clk);

#endif
