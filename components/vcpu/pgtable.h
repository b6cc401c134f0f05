/* SPDX-License-Identifier: MIT */
/*
 * The guest-physical page-table walker (pgtable.c): one implementation of
 * map, split, unmap, translate and free for every second-stage table
 * format, with the format's bits behind struct pgtable_format and the
 * TLB invalidation behind struct pgtable_tlb.
 *
 *   aarch64 stage 2     arch/aarch64/stage2.c (broadcast invalidation)
 *   x86 EPT             arch/x86_64/ept.c     (invalidation on this CPU only)
 *   AMD NPT (not yet)   would be a third format: see the end of this file
 *
 * Levels are counted from the leaves: level 0 entries map 4 KiB, level n
 * entries map 2^(12 + 9n) bytes (level 1: 2 MiB, level 2: 1 GiB, level
 * 3: 512 GiB).  A format whose manual counts from the root (Arm: level 3
 * is the 4 KiB level) converts in its encoder.  Every table is one 4 KiB
 * page of 512 64-bit entries.
 */
#ifndef VCPU_PGTABLE_H
#define VCPU_PGTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <core/percpu.h>
#include <core/spinlock.h>
#include <vcpu/gspace.h>

#define PGTABLE_ENTRIES    512
#define PGTABLE_MAX_LEVELS 5      /* levels 0..4 */

/*
 * The descriptor format: pure functions of an entry, no state.  The walker
 * only ever writes entries made by make_table() and make_leaf() (or 0),
 * so the decoders only need to understand those.
 */
struct pgtable_format {
	const char *name;
	/* An entry of a level-(n+1) table pointing at the level-n table at pa. */
	uint64_t (*make_table)(uint64_t pa);
	/*
	 * A leaf at this level (a page at level 0, a block above) mapping pa
	 * with the access rights (GSPACE_READ/WRITE/EXEC) and memory type.
	 */
	uint64_t (*make_leaf)(uint64_t pa, unsigned int level, unsigned int access,
			      enum gspace_memtype type);
	/* Whether the hardware uses the entry at all ("valid", "present"). */
	bool (*is_valid)(uint64_t entry);
	/* Whether a valid entry at this level points at a table. */
	bool (*is_table)(uint64_t entry, unsigned int level);
	/* The table address (table entries) or output address (leaves). */
	uint64_t (*address)(uint64_t entry, unsigned int level);
	/* Access rights and memory type of a leaf. */
	unsigned int (*access)(uint64_t entry);
	enum gspace_memtype (*memtype)(uint64_t entry);
	/* Whether these rights can be encoded (EPT: no write without read). */
	bool (*access_ok)(unsigned int access);
	/*
	 * Whether replacing a block by a table of the same translations needs
	 * break-before-make (Arm: the block is removed and the TLBs flushed
	 * before the table goes in, or a TLB may hold both and conflict).
	 * Needs a broadcast invalidation (struct pgtable_tlb).
	 */
	bool split_needs_break_before_make;
	/* Host-physical addresses the format can output: [0, output_limit). */
	uint64_t output_limit;
};

struct pgtable;

/*
 * How the hardware's cached translations are dropped: one of two models.
 *
 * Broadcast (aarch64): all_cpus() invalidates every CPU's cached entries
 * of this table and returns when that is complete.  Emptied table pages
 * are freed right after it.
 *
 * Local (x86 EPT, AMD NPT): this_cpu() only reaches the calling CPU.  The
 * walker counts generations; pgtable_cpu_enter() calls this_cpu() on a CPU
 * that is behind before it enters the guest, and kick() asks a CPU that is
 * in the guest to leave it (an IPI), so that it catches up.  Emptied table
 * pages wait until no CPU in the guest is behind (see pgtable.c).
 */
struct pgtable_tlb {
	void (*all_cpus)(struct pgtable *pt);
	void (*this_cpu)(struct pgtable *pt);
	void (*kick)(struct pgtable *pt, unsigned int cpu);
};

/* A table page waiting for the CPUs to drop cached entries of it. */
struct pgtable_deferred {
	struct pgtable_deferred *next;
	void *page;
	uint64_t generation;   /* freed when every CPU in the guest has seen it */
};

/* What the walker knows of one physical CPU (local model only). */
struct pgtable_cpu {
	bool in_guest;         /* between pgtable_cpu_enter() and _leave()      */
	uint64_t seen;         /* generation of its last invalidation, 0: none  */
};

struct pgtable {
	spinlock_t lock;               /* the tables and the deferred list       */
	const struct pgtable_format *fmt;
	const struct pgtable_tlb *tlb;
	uint64_t *root;                /* the top-level table                    */
	unsigned int top_level;        /* level of the root's entries            */
	unsigned int block_levels;     /* bit n: leaves allowed at level n > 0   */
	uint64_t limit;                /* guest-physical addresses [0, limit)    */
	size_t table_pages;            /* in the tables, root included           */
	/* Local invalidation model (see pgtable.c). */
	uint64_t generation;           /* bumped by every unmap; starts at 1     */
	struct pgtable_deferred *deferred;
	size_t deferred_pages;
	struct pgtable_cpu cpu[MAX_CPUS];
};

/*
 * An empty table: the root is allocated.  top_level and block_levels give
 * the geometry (block_levels never has bit 0: level 0 entries are pages).
 * 0 or -ENOMEM.
 */
int pgtable_init(struct pgtable *pt, const struct pgtable_format *fmt,
		 const struct pgtable_tlb *tlb, unsigned int top_level, unsigned int block_levels,
		 uint64_t limit);
/*
 * Frees every table page.  No CPU may run a guest on the tables any more;
 * broadcast model: all_cpus() first; local model: a CPU only runs a new
 * table after this_cpu() (see pgtable.c).
 */
void pgtable_destroy(struct pgtable *pt);

/* gspace_map(), gspace_unmap(), gspace_translate() of <vcpu/gspace.h>. */
int pgtable_map(struct pgtable *pt, uint64_t gpa, uint64_t hpa, uint64_t size,
		unsigned int access, enum gspace_memtype type);
int pgtable_unmap(struct pgtable *pt, uint64_t gpa, uint64_t size);
bool pgtable_translate(const struct pgtable *pt, uint64_t gpa, uint64_t *hpa,
		       unsigned int *access, enum gspace_memtype *type);

/*
 * Local model, around every guest entry on CPU `cpu`, with interrupts
 * masked: enter right before the entry (invalidates this CPU if it is
 * behind, may free deferred pages), leave right after the exit.
 */
void pgtable_cpu_enter(struct pgtable *pt, unsigned int cpu);
void pgtable_cpu_leave(struct pgtable *pt, unsigned int cpu);

/* Table pages unlinked but not yet freed (reports and tests). */
size_t pgtable_deferred_pages(const struct pgtable *pt);

/*
 * The entry at `level` on the way to gpa, or 0 when the walk ends above it
 * (tests and debugging; unlocked: nothing may change the tables meanwhile).
 */
uint64_t pgtable_entry_at(const struct pgtable *pt, uint64_t gpa, unsigned int level);

/*
 * AMD NPT as a third format.  Nested page tables are the x86-64 long-mode
 * page tables (AMD APM vol. 2, "Nested Paging"): present bit 0, R/W bit 1,
 * U/S bit 2 (must be set: the nested walk counts as user access), NX bit
 * 63, PS bit 7 for 2 MiB/1 GiB leaves, the memory type from PAT/PCD/PWT
 * combined with the guest's.  make_table() sets P|RW|US, make_leaf() the
 * rights and PS above level 0, is_valid() is bit 0; there is no write-only
 * or execute-only encoding (access_ok() refuses them; NPT cannot remove
 * read).  Invalidation is local like EPT: the ASID's TLB entries are
 * flushed by the TLB_CONTROL field at the next VMRUN on that CPU, so
 * this_cpu() requests that flush and kick() is the same IPI.  Nothing in
 * the walker changes.
 */

#endif
