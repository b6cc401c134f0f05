/* SPDX-License-Identifier: MIT */
/*
 * EPT (extended page tables): the x86_64 struct gspace (<vcpu/gspace.h>).
 * The walk is the generic one (pgtable.c); here are the entry format, the
 * geometry and the EPT pointer.
 *
 * Four levels of 512 entries like the guest's own 4-level paging: PML4
 * (walker level 3) -> PDPT (level 2, 1 GiB pages) -> PD (level 1, 2 MiB
 * pages) -> PT (level 0, 4 KiB pages).  An entry's bits 2:0 are
 * read/write/execute (any of them set = present); a leaf has the memory
 * type in bits 5:3 (6 = write-back for RAM, 0 = uncacheable for
 * passed-through devices) and "ignore PAT" (bit 6) so the guest's PAT
 * cannot make RAM uncached behind our back; bit 7 marks a 1 GiB or 2 MiB
 * page.  Device ranges the VM emulates are simply not mapped: the access
 * is an EPT violation, which vmx_exit.c turns into MMIO exits.
 *
 * INVEPT only reaches the CPU that executes it: the walker's local model
 * (generations, invalidation at vCPU entry, deferred frees; see
 * pgtable.c), with the INVEPT and the kick IPI from vcpu_vmx.c.
 */
#include <errno.h>

#include <core/compiler.h>
#include <core/mm.h>

#include "ept.h"
#include "../../gspace_arch.h"

#define EPT_READ       (1ull << 0)
#define EPT_WRITE      (1ull << 1)
#define EPT_EXEC       (1ull << 2)
#define EPT_RWX        (EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MT_SHIFT   3
#define EPT_MT_UC      (0ull << EPT_MT_SHIFT)
#define EPT_MT_WB      (6ull << EPT_MT_SHIFT)
#define EPT_MT_MASK    (7ull << EPT_MT_SHIFT)
#define EPT_IGNORE_PAT (1ull << 6)
#define EPT_LARGE      (1ull << 7)
#define EPT_ADDR_MASK  0x000ffffffffff000ull

/* EPTP: write-back walks (6), 4 levels (walk length - 1 = 3 in bits 5:3). */
#define EPTP_WB_4LEVEL 0x1eull

/* Guest-physical addresses EPT with 4 levels translates. */
#define EPT_GPA_LIMIT (1ull << 48)

static uint64_t ept_make_table(uint64_t pa)
{
	/* Tables allow everything; the leaves decide. */
	return (pa & EPT_ADDR_MASK) | EPT_RWX;
}

static uint64_t ept_make_leaf(uint64_t pa, unsigned int level, unsigned int access,
			      enum gspace_memtype type)
{
	uint64_t entry = (pa & EPT_ADDR_MASK) | EPT_IGNORE_PAT;

	if (level > 0)
		entry |= EPT_LARGE;             /* 4 KiB entries have no size bit */
	if (access & GSPACE_READ)
		entry |= EPT_READ;
	if (access & GSPACE_WRITE)
		entry |= EPT_WRITE;
	if (access & GSPACE_EXEC)
		entry |= EPT_EXEC;
	entry |= type == GSPACE_MEM_DEVICE ? EPT_MT_UC : EPT_MT_WB;
	return entry;
}

static bool ept_is_valid(uint64_t entry)
{
	return entry & EPT_RWX;
}

static bool ept_is_table(uint64_t entry, unsigned int level)
{
	return level > 0 && !(entry & EPT_LARGE);
}

static uint64_t ept_address(uint64_t entry, unsigned int level)
{
	(void)level;
	return entry & EPT_ADDR_MASK;
}

static unsigned int ept_access(uint64_t entry)
{
	return ((entry & EPT_READ) ? GSPACE_READ : 0) | ((entry & EPT_WRITE) ? GSPACE_WRITE : 0) |
	       ((entry & EPT_EXEC) ? GSPACE_EXEC : 0);
}

static enum gspace_memtype ept_memtype(uint64_t entry)
{
	return (entry & EPT_MT_MASK) == EPT_MT_WB ? GSPACE_MEM_NORMAL : GSPACE_MEM_DEVICE;
}

static bool ept_access_ok(unsigned int access)
{
	/* Write-only and write+execute without read are EPT misconfigurations. */
	return !((access & GSPACE_WRITE) && !(access & GSPACE_READ));
}

static const struct pgtable_format ept_format = {
	.name = "x86 EPT",
	.make_table = ept_make_table,
	.make_leaf = ept_make_leaf,
	.is_valid = ept_is_valid,
	.is_table = ept_is_table,
	.address = ept_address,
	.access = ept_access,
	.memtype = ept_memtype,
	.access_ok = ept_access_ok,
	/* Same translations before and after a split: no window, no flush. */
	.split_needs_break_before_make = false,
	.output_limit = 1ull << 52,
};

static void ept_invalidate_this_cpu(struct pgtable *pt)
{
	vmx_invept_gspace(container_of(pt, struct gspace, pt));
}

static void ept_kick(struct pgtable *pt, unsigned int cpu)
{
	(void)pt;
	vmx_kick_cpu(cpu);
}

static const struct pgtable_tlb ept_tlb = {
	.this_cpu = ept_invalidate_this_cpu,
	.kick = ept_kick,
};

struct pgtable *gspace_pgtable(const struct gspace *gs)
{
	return (struct pgtable *)&gs->pt;
}

uint64_t ept_pointer(const struct gspace *gs)
{
	return (uint64_t)(uintptr_t)gs->pt.root | EPTP_WB_4LEVEL;
}

struct gspace *gspace_create(void)
{
	struct gspace *gs = kzalloc(sizeof(*gs));
	unsigned int blocks = 0;

	if (!gs)
		return NULL;
	/* The EPT capabilities (2 MiB and 1 GiB pages) must be known before mapping. */
	vmx_caps_init();
	if (vmx_ept_has_2m()) {
		blocks |= 1u << 1;
		if (vmx_ept_has_1g())
			blocks |= 1u << 2;
	}
	if (pgtable_init(&gs->pt, &ept_format, &ept_tlb, 3, blocks, EPT_GPA_LIMIT)) {
		kfree(gs);
		return NULL;
	}
	return gs;
}

void gspace_destroy(struct gspace *gs)
{
	if (!gs)
		return;
	/*
	 * No vCPU runs it any more; a CPU that cached parts of it invalidates
	 * before it enters any table with the same root (pgtable.c).
	 */
	pgtable_destroy(&gs->pt);
	kfree(gs);
}

/* gspace_write() (gspace.c): x86 caches are coherent, also with instruction fetch. */
void gspace_arch_sync_written(void *host, size_t len)
{
	(void)host;
	(void)len;
}

void gspace_arch_sync_done(void)
{
}
