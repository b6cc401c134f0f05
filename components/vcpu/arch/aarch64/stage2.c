/* SPDX-License-Identifier: MIT */
/*
 * Stage-2 translation tables: the aarch64 struct gspace (<vcpu/gspace.h>).
 * The walk is the generic one (pgtable.c); here are the descriptor format
 * for a 4 KiB granule, the geometry and the VMIDs.
 *
 * The Arm ARM counts levels from the root: a level-L entry covers
 * 2^(12 + 9 * (3 - L)) bytes (level 1 1 GiB, level 2 2 MiB, level 3
 * 4 KiB), so the walker's level n is Arm level 3 - n.  With an IPA size
 * above 39 bits the walk starts at Arm level 0, otherwise at level 1 (el2.c
 * puts the matching T0SZ/SL0 into VTCR_EL2).  Blocks at Arm levels 1 and 2.
 *
 * Invalidation is broadcast (TLBI VMALLS12E1IS + DSB ISH in el2.c): emptied
 * table pages are freed once it has completed, and splitting a block is
 * break-before-make.
 */
#include <errno.h>

#include <core/compiler.h>
#include <core/log.h>
#include <core/mm.h>

#include "el2_internal.h"
#include "../../gspace_arch.h"
#include "../../idpool.h"

/* VMIDs are 8 bits (VTCR_EL2.VS = 0); 0 is the host's. */
#define MAX_VMID 255
ID_POOL_DEFINE(vmids, 1, MAX_VMID);

static uint64_t s2_make_table(uint64_t pa)
{
	return (pa & S2_ADDR_MASK) | S2_VALID | S2_TABLE;
}

static uint64_t s2_make_leaf(uint64_t pa, unsigned int level, unsigned int access,
			     enum gspace_memtype type)
{
	uint64_t desc = (pa & S2_ADDR_MASK) | S2_VALID | S2_AF;

	if (level == 0)
		desc |= S2_TABLE;               /* bit 1 at Arm level 3: a page */
	if (access & GSPACE_READ)
		desc |= S2_AP_READ;
	if (access & GSPACE_WRITE)
		desc |= S2_AP_WRITE;
	if (!(access & GSPACE_EXEC))
		desc |= S2_XN;
	if (type == GSPACE_MEM_DEVICE)
		desc |= S2_MEMATTR_DEVICE_nGnRE;   /* no SH: device is outer shareable */
	else
		desc |= S2_MEMATTR_NORMAL_WB | S2_SH_INNER;
	return desc;
}

static bool s2_is_valid(uint64_t desc)
{
	return desc & S2_VALID;
}

static bool s2_is_table(uint64_t desc, unsigned int level)
{
	return level > 0 && (desc & S2_TABLE);
}

static uint64_t s2_address(uint64_t desc, unsigned int level)
{
	(void)level;
	return desc & S2_ADDR_MASK;
}

static unsigned int s2_access(uint64_t desc)
{
	return ((desc & S2_AP_READ) ? GSPACE_READ : 0) | ((desc & S2_AP_WRITE) ? GSPACE_WRITE : 0) |
	       ((desc & S2_XN) ? 0 : GSPACE_EXEC);
}

static enum gspace_memtype s2_memtype(uint64_t desc)
{
	return (desc & S2_MEMATTR_MASK) == S2_MEMATTR_NORMAL_WB ? GSPACE_MEM_NORMAL :
								  GSPACE_MEM_DEVICE;
}

static bool s2_access_ok(unsigned int access)
{
	(void)access;                   /* S2AP and XN encode every combination */
	return true;
}

static const struct pgtable_format stage2_format = {
	.name = "aarch64 stage 2",
	.make_table = s2_make_table,
	.make_leaf = s2_make_leaf,
	.is_valid = s2_is_valid,
	.is_table = s2_is_table,
	.address = s2_address,
	.access = s2_access,
	.memtype = s2_memtype,
	.access_ok = s2_access_ok,
	.split_needs_break_before_make = true,
	.output_limit = 1ull << 48,
};

static void s2_flush(struct pgtable *pt)
{
	el2_stage2_tlb_flush(container_of(pt, struct gspace, pt));
}

static const struct pgtable_tlb stage2_tlb = { .all_cpus = s2_flush };

struct pgtable *gspace_pgtable(const struct gspace *gs)
{
	return (struct pgtable *)&gs->pt;
}

struct gspace *gspace_create(void)
{
	struct gspace *gs = kzalloc(sizeof(*gs));
	unsigned int ipa_bits = el2_ipa_bits();

	if (!gs)
		return NULL;
	gs->ipa_bits = ipa_bits;
	gs->vmid = id_alloc(&vmids);
	if (!gs->vmid) {
		log_warn("vcpu: all %u stage-2 VMIDs are in use", MAX_VMID);
		kfree(gs);
		return NULL;
	}
	/* Root at Arm level 0 (walker level 3) above 39 bits, else level 1. */
	if (pgtable_init(&gs->pt, &stage2_format, &stage2_tlb, ipa_bits > 39 ? 3 : 2,
			 (1u << 1) | (1u << 2), 1ull << ipa_bits)) {
		id_free(&vmids, gs->vmid);
		kfree(gs);
		return NULL;
	}
	return gs;
}

void gspace_destroy(struct gspace *gs)
{
	if (!gs)
		return;
	pgtable_destroy(&gs->pt);      /* flushes this VMID first */
	id_free(&vmids, gs->vmid);
	kfree(gs);
}
