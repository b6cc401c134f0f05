/* SPDX-License-Identifier: MIT */
/*
 * One mailbox per CPU.  A caller takes the mailbox lock, posts fn/arg,
 * raises "pending" and kicks the target CPU (arch_kick_cpu()); the
 * target, asleep in smp_secondary_loop(), wakes, runs the call and clears
 * "pending", which releases the caller.  The acquire/release pairs make
 * everything written before the post visible to the function, and
 * everything it wrote visible to the caller after.
 *
 * The sleep cannot miss a post: the target looks at its mailbox with
 * interrupts masked and sleeps with them still masked (arch_cpu_idle());
 * a kick sent after the look stays pending and ends the sleep at once.
 */
#include <core/smp.h>

#include <core/arch.h>
#include <core/log.h>
#include <core/percpu.h>
#include <core/spinlock.h>
#include <errno.h>
#include "core_internal.h"

#define SMP_SLOW_CALL_NS 2000000000ULL

struct smp_mailbox {
	spinlock_t lock;            /* one caller at a time               */
	void (*fn)(void *arg);
	void *arg;
	int pending;                /* 1 while a call waits to be run     */
	int stop;                   /* halt request, needs no completion  */
};

static struct smp_mailbox mailboxes[MAX_CPUS];

int smp_call(unsigned int cpu, void (*fn)(void *arg), void *arg)
{
	struct percpu *self = this_cpu();
	struct smp_mailbox *mb;
	uint64_t started;
	bool warned = false;

	if (self && cpu == self->id) {
		fn(arg);
		return 0;
	}
	if (cpu >= cpu_possible_count() || !percpu_table[cpu].online)
		return -ENODEV;

	mb = &mailboxes[cpu];
	spin_lock(&mb->lock);
	/* An asynchronous call may still be running there: wait for it. */
	while (__atomic_load_n(&mb->pending, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	mb->fn = fn;
	mb->arg = arg;
	__atomic_store_n(&mb->pending, 1, __ATOMIC_RELEASE);
	arch_kick_cpu(cpu);
	started = arch_timer_ns();
	while (__atomic_load_n(&mb->pending, __ATOMIC_ACQUIRE)) {
		if (!warned && arch_timer_ns() - started > SMP_SLOW_CALL_NS) {
			log_warn("smp: cpu%u has not run the call after 2 s; still waiting", cpu);
			warned = true;
		}
		arch_cpu_relax();
	}
	spin_unlock(&mb->lock);
	return 0;
}

int smp_call_async(unsigned int cpu, void (*fn)(void *arg), void *arg)
{
	struct percpu *self = this_cpu();
	struct smp_mailbox *mb;
	int ret = 0;

	if (self && cpu == self->id)
		return -EINVAL;
	if (cpu >= cpu_possible_count() || !percpu_table[cpu].online)
		return -ENODEV;
	mb = &mailboxes[cpu];
	spin_lock(&mb->lock);
	if (__atomic_load_n(&mb->pending, __ATOMIC_ACQUIRE)) {
		ret = -EBUSY;
	} else {
		mb->fn = fn;
		mb->arg = arg;
		__atomic_store_n(&mb->pending, 1, __ATOMIC_RELEASE);
	}
	spin_unlock(&mb->lock);
	if (ret == 0)
		arch_kick_cpu(cpu);
	return ret;
}

void smp_secondary_loop(void)
{
	struct smp_mailbox *mb = &mailboxes[this_cpu()->id];

	/* Masked while looking and sleeping: see the top of the file. */
	arch_irq_disable();
	for (;;) {
		if (__atomic_load_n(&mb->stop, __ATOMIC_ACQUIRE))
			arch_halt();
		if (__atomic_load_n(&mb->pending, __ATOMIC_ACQUIRE)) {
			mb->fn(mb->arg);
			arch_irq_disable();
			__atomic_store_n(&mb->pending, 0, __ATOMIC_RELEASE);
			continue;
		}
		arch_cpu_idle(0);
	}
}

void smp_stop_others(void)
{
	const struct percpu *self = this_cpu();

	for (unsigned int i = 0; i < cpu_possible_count(); i++) {
		if (self && i == self->id)
			continue;
		__atomic_store_n(&mailboxes[i].stop, 1, __ATOMIC_RELEASE);
		if (percpu_table[i].online)
			arch_kick_cpu(i);
	}
}
