/* SPDX-License-Identifier: MIT */
/*
 * A ticket spinlock built on compiler atomics.  Each locker takes the
 * next ticket and waits until the owner count reaches it, so CPUs get the
 * lock in the order they asked for it.  A plain test-and-set lock lets
 * one CPU take it again and again while another spins: a guest hammering
 * its devices from one vCPU (every exit takes the VM's device lock) could
 * starve its other vCPUs, and under an emulator that runs CPUs in turns
 * the starving is permanent.
 */
#ifndef CORE_SPINLOCK_H
#define CORE_SPINLOCK_H

#include <stdbool.h>
#include <core/arch.h>

typedef struct {
	volatile unsigned int next;      /* the ticket the next locker takes */
	volatile unsigned int owner;     /* the ticket that holds the lock   */
} spinlock_t;

#define SPINLOCK_INIT { 0, 0 }

static inline void spin_lock(spinlock_t *l)
{
	unsigned int ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
}

static inline bool spin_trylock(spinlock_t *l)
{
	unsigned int owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	unsigned int expected = owner;

	/* Free when nobody holds a ticket past the owner: take the next one. */
	return __atomic_compare_exchange_n(&l->next, &expected, owner + 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* Whether someone holds the lock (for assertions and tests). */
static inline bool spin_is_locked(const spinlock_t *l)
{
	return __atomic_load_n(&l->next, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

#endif
