/* SPDX-License-Identifier: MIT */
/*
 * What the generic address-space code (gspace.c) needs from the
 * architecture: where the page tables of a struct gspace are (each
 * backend's struct gspace holds a struct pgtable next to its own fields),
 * and the cache maintenance that makes bytes written by the hypervisor
 * visible to a guest that runs with its caches off and executes them.
 * gspace_create() and gspace_destroy() are the backend's too (VMIDs,
 * format, geometry).
 *
 *   aarch64 (el2.c, stage2.c)    clean the data cache to the point of
 *                                coherency, then invalidate the icache
 *   x86_64 (ept.c)               nothing: caches are coherent, also with
 *                                instruction fetch
 */
#ifndef VCPU_GSPACE_ARCH_H
#define VCPU_GSPACE_ARCH_H

#include <stddef.h>

#include "pgtable.h"

struct pgtable *gspace_pgtable(const struct gspace *gs);
/* After len bytes at host address 'host' were written for the guest. */
void gspace_arch_sync_written(void *host, size_t len);
/* After a whole gspace_write(): e.g. the instruction cache. */
void gspace_arch_sync_done(void);

#endif
