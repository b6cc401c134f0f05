/* SPDX-License-Identifier: MIT */
/*
 * Small integer ids handed out lowest first: the VMIDs of aarch64 stage 2
 * (8 bits, 1..255, in VTTBR_EL2) and the VPIDs of x86 (16 bits, 1..65535,
 * in the VMCS).  Id 0 belongs to the host in both and is never given out.
 * One bit per id in a static bitmap that ID_POOL_DEFINE() sizes.
 */
#ifndef VCPU_IDPOOL_H
#define VCPU_IDPOOL_H

#include <stdint.h>

#include <core/spinlock.h>

struct id_pool {
	spinlock_t lock;
	unsigned int first, last;      /* the ids: [first, last], first >= 1 */
	uint64_t *used;                /* bit (id - first)                    */
};

/* A pool of the ids first..last (constants) with its bitmap. */
#define ID_POOL_DEFINE(name, first_id, last_id)                                      \
	static uint64_t name##_used[((last_id) - (first_id)) / 64 + 1];                  \
	static struct id_pool name = { SPINLOCK_INIT, (first_id), (last_id), name##_used }

/* The lowest free id, or 0 when all are in use. */
unsigned int id_alloc(struct id_pool *pool);
/* Gives an id back (ids outside the pool and 0 are ignored). */
void id_free(struct id_pool *pool, unsigned int id);

#endif
