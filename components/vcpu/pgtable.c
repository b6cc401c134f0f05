/* SPDX-License-Identifier: MIT */
/*
 * The guest-physical page-table walker: map, split, unmap, translate and
 * free for aarch64 stage 2 and x86 EPT (pgtable.h has the interface and
 * the levels; the formats are in arch/aarch64/stage2.c and
 * arch/x86_64/ept.c).  Plain C over pages from page_alloc(): the formats
 * and the TLB invalidation come in through function pointers, so this
 * file runs in host tests unchanged.
 *
 * When may a table page be freed?
 *
 * A CPU that runs a guest caches more than final translations: it also
 * caches the table entries it walked through ("walk caches",
 * paging-structure caches).  After an entry that points at a table is
 * cleared, a CPU can go on reading that table page from memory through
 * its cached pointer until its caches of this table are invalidated.  If
 * the page were freed before, it could be handed out again (for a table
 * of another VM, for guest RAM, for anything) while a guest still walks
 * it: whatever the new owner writes there becomes that guest's
 * translations.  So an unlinked table page is freed only AFTER the
 * invalidation that stops every CPU from walking it has completed.
 *
 * Broadcast model (aarch64): TLBI VMALLS12E1IS reaches every CPU of the
 * inner shareable domain and is complete when the DSB ISH after it
 * finishes (el2_stage2_tlb_flush()).  An unmap unlinks the emptied tables,
 * calls tlb->all_cpus() and frees them when it returns.  Splitting a
 * block also flushes in between (break-before-make, the Arm ARM's rule
 * for changing a block into a table).
 *
 * Local model (x86 EPT): INVEPT acts only on the CPU that executes it, and
 * the other CPUs cannot be asked to run it synchronously: core's
 * smp_call() waits for the target to poll, and a CPU running a guest does
 * not poll until it exits; and an unmap runs inside a vCPU's exit handling
 * under the VM's device lock, where the vCPUs we would wait for may be
 * waiting for that very lock.  So nothing waits.  Instead:
 *
 *  - The table has a generation (starts at 1), bumped by every unmap
 *    after it has changed the entries.
 *  - Each CPU has, per table, the generation of its last invalidation
 *    ('seen', 0 = never) and whether it is in the guest ('in_guest').
 *    pgtable_cpu_enter(), right before every guest entry with interrupts
 *    masked, first sets in_guest, then reads the generation, and if 'seen'
 *    is older it invalidates this CPU (tlb->this_cpu(): INVEPT
 *    single-context) and only then records the generation as seen.
 *    pgtable_cpu_leave() clears in_guest after the exit.
 *  - Table pages an unmap unlinks go onto the deferred list, tagged with
 *    the generation that unmap produced.
 *  - A page tagged g may be freed when every CPU either is not in the
 *    guest or has seen g.  A CPU outside the guest does not walk the
 *    tables at all (EPT is only used in VMX non-root operation), and
 *    before it enters again it sees a generation >= g and invalidates:
 *    in_guest is stored before the generation is loaded, and the freeing
 *    side loads in_guest after the generation was bumped (all sequentially
 *    consistent), so either the freeing side sees the CPU in the guest
 *    and waits for it, or the CPU sees the new generation.  A CPU that is
 *    in the guest and has seen g invalidated after the page was unlinked.
 *  - The unmapping side kicks (tlb->kick(): the kick IPI, which makes the
 *    guest exit on external-interrupt exiting) every CPU that is in the
 *    guest and behind, so that it catches up at its next entry soon.  The
 *    deferred pages are freed at the end of each map and unmap, at vCPU
 *    entries while any are waiting, and in pgtable_destroy().
 *  - A CPU enters a table for the first time with seen = 0: it invalidates
 *    first.  That also removes anything it still caches of an older
 *    table whose root page was reused for this one, which is why
 *    pgtable_destroy() can free everything once no vCPU runs the table.
 *
 * The same invalidation covers the leaves: a CPU behind the generation
 * may still use translations an unmap removed until it is kicked out and
 * enters again.  The guest memory an unmap removed must therefore stay
 * allocated while the VM's vCPUs run (the VMs free guest RAM only after
 * their vCPUs).
 *
 * AMD NPT would use the local model too (its flush is requested in the
 * VMCB's TLB_CONTROL for the next VMRUN): see the end of pgtable.h.
 */
#include <errno.h>
#include <string.h>

#include <core/log.h>
#include <core/mm.h>

#include "pgtable.h"

static inline unsigned int level_shift(unsigned int level)
{
	return 12 + 9 * level;
}

static inline uint64_t level_size(unsigned int level)
{
	return 1ull << level_shift(level);
}

static inline unsigned int level_index(uint64_t gpa, unsigned int level)
{
	return (unsigned int)(gpa >> level_shift(level)) & (PGTABLE_ENTRIES - 1);
}

static inline bool is_valid(const struct pgtable *pt, uint64_t entry)
{
	return pt->fmt->is_valid(entry);
}

static inline bool is_table(const struct pgtable *pt, uint64_t entry, unsigned int level)
{
	return level > 0 && pt->fmt->is_valid(entry) && pt->fmt->is_table(entry, level);
}

static inline uint64_t *table_of(const struct pgtable *pt, uint64_t entry, unsigned int level)
{
	return (uint64_t *)(uintptr_t)pt->fmt->address(entry, level);
}

/*
 * Entries are stored with release semantics: a table's contents are in
 * memory before the entry that links it, for a walker on another CPU.
 */
static inline void set_entry(uint64_t *entry, uint64_t value)
{
	__atomic_store_n(entry, value, __ATOMIC_RELEASE);
}

static uint64_t *table_alloc(struct pgtable *pt)
{
	uint64_t *t = page_alloc(1);       /* zeroed: invalid in every format */

	if (t)
		pt->table_pages++;
	return t;
}

static bool table_is_empty(const uint64_t *table)
{
	for (unsigned int i = 0; i < PGTABLE_ENTRIES; i++)
		if (table[i])
			return false;
	return true;
}

/* The chunk of [gpa, gpa+size) inside gpa's entry at this level. */
static inline uint64_t chunk_of(uint64_t gpa, uint64_t size, unsigned int level)
{
	uint64_t next = (gpa | (level_size(level) - 1)) + 1;

	return next - gpa < size ? next - gpa : size;
}

int pgtable_init(struct pgtable *pt, const struct pgtable_format *fmt,
		 const struct pgtable_tlb *tlb, unsigned int top_level, unsigned int block_levels,
		 uint64_t limit)
{
	memset(pt, 0, sizeof(*pt));
	/* One model or the other; break-before-make needs a broadcast. */
	if (top_level >= PGTABLE_MAX_LEVELS || (block_levels & 1) ||
	    (block_levels >> (top_level + 1)) || !limit || limit > level_size(top_level) * 512 ||
	    (!tlb->all_cpus && (!tlb->this_cpu || !tlb->kick)) ||
	    (fmt->split_needs_break_before_make && !tlb->all_cpus))
		return -EINVAL;
	/* A split makes leaves one level down: block levels are 1..n, no gaps. */
	if ((block_levels + 2) & block_levels)
		return -EINVAL;
	pt->fmt = fmt;
	pt->tlb = tlb;
	pt->top_level = top_level;
	pt->block_levels = block_levels;
	pt->limit = limit;
	pt->generation = 1;
	pt->root = table_alloc(pt);
	return pt->root ? 0 : -ENOMEM;
}

/* ---- freeing: after the invalidation (see the top of the file) ---- */

static void free_deferred_node(struct pgtable *pt, struct pgtable_deferred *d)
{
	page_free(d->page, 1);
	pt->deferred_pages--;
	kfree(d);
}

/*
 * The oldest generation a CPU in the guest has seen: pages tagged with it
 * or older are walked by no CPU any more.  Caller holds pt->lock.
 */
static uint64_t oldest_seen_in_guest(const struct pgtable *pt)
{
	uint64_t oldest = UINT64_MAX;

	for (unsigned int c = 0; c < MAX_CPUS; c++) {
		if (!__atomic_load_n(&pt->cpu[c].in_guest, __ATOMIC_SEQ_CST))
			continue;
		uint64_t seen = __atomic_load_n(&pt->cpu[c].seen, __ATOMIC_SEQ_CST);

		if (seen < oldest)
			oldest = seen;
	}
	return oldest;
}

/* Frees the deferred pages no CPU can walk any more.  Caller holds pt->lock. */
static void reap_deferred(struct pgtable *pt)
{
	struct pgtable_deferred **link = &pt->deferred;
	uint64_t oldest;

	if (!pt->deferred)
		return;
	oldest = oldest_seen_in_guest(pt);
	while (*link) {
		struct pgtable_deferred *d = *link;

		if (d->generation <= oldest) {
			*link = d->next;
			free_deferred_node(pt, d);
		} else {
			link = &d->next;
		}
	}
}

/*
 * The end of every change that removed entries: 'unlinked' holds the table
 * pages taken out of the tables.  Caller holds pt->lock.
 */
static void finish_removal(struct pgtable *pt, struct pgtable_deferred *unlinked)
{
	if (pt->tlb->all_cpus) {
		/* Complete on every CPU when it returns: nobody walks them now. */
		pt->tlb->all_cpus(pt);
		while (unlinked) {
			struct pgtable_deferred *d = unlinked;

			unlinked = d->next;
			free_deferred_node(pt, d);
		}
		return;
	}
	uint64_t generation = __atomic_add_fetch(&pt->generation, 1, __ATOMIC_SEQ_CST);

	while (unlinked) {
		struct pgtable_deferred *d = unlinked;

		unlinked = d->next;
		d->generation = generation;
		d->next = pt->deferred;
		pt->deferred = d;
	}
	/* CPUs in the guest and behind: make them exit and catch up. */
	for (unsigned int c = 0; c < MAX_CPUS; c++)
		if (__atomic_load_n(&pt->cpu[c].in_guest, __ATOMIC_SEQ_CST) &&
		    __atomic_load_n(&pt->cpu[c].seen, __ATOMIC_SEQ_CST) < generation)
			pt->tlb->kick(pt, c);
	reap_deferred(pt);
}

void pgtable_cpu_enter(struct pgtable *pt, unsigned int cpu)
{
	struct pgtable_cpu *me;
	uint64_t generation;

	if (pt->tlb->all_cpus)
		return;
	if (cpu >= MAX_CPUS) {
		/* Not a CPU id (they are below MAX_CPUS): invalidate anyway. */
		pt->tlb->this_cpu(pt);
		return;
	}
	me = &pt->cpu[cpu];
	/* In the guest first, then the generation: see the top of the file. */
	__atomic_store_n(&me->in_guest, true, __ATOMIC_SEQ_CST);
	generation = __atomic_load_n(&pt->generation, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&me->seen, __ATOMIC_RELAXED) != generation) {
		pt->tlb->this_cpu(pt);
		__atomic_store_n(&me->seen, generation, __ATOMIC_SEQ_CST);
	}
	/*
	 * This CPU may have been the last one holding pages back.  Only try
	 * the lock: a CPU about to enter a guest should not spin behind a
	 * long map; map and unmap reap when they are done, and so does the
	 * next entry.
	 */
	if (__atomic_load_n(&pt->deferred, __ATOMIC_RELAXED) && spin_trylock(&pt->lock)) {
		reap_deferred(pt);
		spin_unlock(&pt->lock);
	}
}

void pgtable_cpu_leave(struct pgtable *pt, unsigned int cpu)
{
	if (cpu < MAX_CPUS && !pt->tlb->all_cpus)
		__atomic_store_n(&pt->cpu[cpu].in_guest, false, __ATOMIC_SEQ_CST);
}

size_t pgtable_deferred_pages(const struct pgtable *pt)
{
	return pt->deferred_pages;
}

static void free_tables(struct pgtable *pt, uint64_t *table, unsigned int level)
{
	for (unsigned int i = 0; i < PGTABLE_ENTRIES; i++)
		if (is_table(pt, table[i], level))
			free_tables(pt, table_of(pt, table[i], level), level - 1);
	page_free(table, 1);
	pt->table_pages--;
}

void pgtable_destroy(struct pgtable *pt)
{
	if (!pt->root)
		return;
	/* Broadcast: nothing of it may stay cached.  Local: see the top. */
	if (pt->tlb->all_cpus)
		pt->tlb->all_cpus(pt);
	free_tables(pt, pt->root, pt->top_level);
	pt->root = NULL;
	while (pt->deferred) {
		struct pgtable_deferred *d = pt->deferred;

		pt->deferred = d->next;
		free_deferred_node(pt, d);
	}
}

/* ---- the walk ---- */

/* Whether nothing in [gpa, gpa+size) is mapped below this table. */
static bool range_is_free(const struct pgtable *pt, const uint64_t *table, unsigned int level,
			  uint64_t gpa, uint64_t size)
{
	while (size) {
		uint64_t chunk = chunk_of(gpa, size, level);
		uint64_t entry = table[level_index(gpa, level)];

		if (is_valid(pt, entry)) {
			if (!is_table(pt, entry, level))
				return false;
			if (!range_is_free(pt, table_of(pt, entry, level), level - 1, gpa, chunk))
				return false;
		}
		gpa += chunk;
		size -= chunk;
	}
	return true;
}

static int map_range(struct pgtable *pt, uint64_t *table, unsigned int level, uint64_t gpa,
		     uint64_t hpa, uint64_t size, unsigned int access, enum gspace_memtype type)
{
	while (size) {
		uint64_t block = level_size(level);
		uint64_t chunk = chunk_of(gpa, size, level);
		uint64_t *entry = &table[level_index(gpa, level)];

		if (level == 0) {
			set_entry(entry, pt->fmt->make_leaf(hpa, 0, access, type));
		} else if ((pt->block_levels & (1u << level)) && chunk == block &&
			   !(hpa & (block - 1)) && !*entry) {
			set_entry(entry, pt->fmt->make_leaf(hpa, level, access, type));
		} else {
			if (!is_valid(pt, *entry)) {
				uint64_t *sub = table_alloc(pt);

				if (!sub)
					return -ENOMEM;
				set_entry(entry, pt->fmt->make_table((uint64_t)(uintptr_t)sub));
			}
			int rc = map_range(pt, table_of(pt, *entry, level), level - 1, gpa, hpa, chunk,
					   access, type);
			if (rc)
				return rc;
		}
		gpa += chunk;
		hpa += chunk;
		size -= chunk;
	}
	return 0;
}

/* Replaces a block by a table of the same translations one level down. */
static int split_block(struct pgtable *pt, uint64_t *entry, unsigned int level)
{
	const struct pgtable_format *fmt = pt->fmt;
	uint64_t old = *entry;
	uint64_t base = fmt->address(old, level);
	unsigned int access = fmt->access(old);
	enum gspace_memtype type = fmt->memtype(old);
	uint64_t step = level_size(level - 1);
	uint64_t *sub = table_alloc(pt);

	if (!sub)
		return -ENOMEM;
	for (unsigned int i = 0; i < PGTABLE_ENTRIES; i++)
		sub[i] = fmt->make_leaf(base + i * step, level - 1, access, type);
	if (fmt->split_needs_break_before_make) {
		/* No TLB may hold the block and the smaller entries at once. */
		set_entry(entry, 0);
		pt->tlb->all_cpus(pt);
	}
	/* Otherwise the same translations before and after: no window. */
	set_entry(entry, fmt->make_table((uint64_t)(uintptr_t)sub));
	return 0;
}

/*
 * Takes an emptied table out of its parent entry and onto 'unlinked' (not
 * freed: see the top of the file).  Without memory for the list node the
 * empty table simply stays linked until pgtable_destroy().
 */
static void unlink_table(struct pgtable *pt, uint64_t *entry, uint64_t *sub,
			 struct pgtable_deferred **unlinked)
{
	struct pgtable_deferred *d = kmalloc(sizeof(*d));

	if (!d)
		return;
	set_entry(entry, 0);
	d->page = sub;
	d->generation = 0;
	d->next = *unlinked;
	*unlinked = d;
	pt->table_pages--;
	pt->deferred_pages++;
}

static int unmap_range(struct pgtable *pt, uint64_t *table, unsigned int level, uint64_t gpa,
		       uint64_t size, struct pgtable_deferred **unlinked)
{
	while (size) {
		uint64_t chunk = chunk_of(gpa, size, level);
		uint64_t *entry = &table[level_index(gpa, level)];

		if (is_valid(pt, *entry)) {
			if (!is_table(pt, *entry, level) && chunk == level_size(level)) {
				set_entry(entry, 0);
			} else {
				if (!is_table(pt, *entry, level)) {
					int rc = split_block(pt, entry, level);
					if (rc)
						return rc;
				}
				uint64_t *sub = table_of(pt, *entry, level);
				int rc = unmap_range(pt, sub, level - 1, gpa, chunk, unlinked);
				if (table_is_empty(sub))
					unlink_table(pt, entry, sub, unlinked);
				if (rc)
					return rc;
			}
		}
		gpa += chunk;
		size -= chunk;
	}
	return 0;
}

static bool range_ok(uint64_t addr, uint64_t size, uint64_t limit)
{
	return size && !(addr & (PAGE_SIZE - 1)) && !(size & (PAGE_SIZE - 1)) &&
	       addr < limit && size <= limit - addr;
}

int pgtable_map(struct pgtable *pt, uint64_t gpa, uint64_t hpa, uint64_t size,
		unsigned int access, enum gspace_memtype type)
{
	int rc;

	if (!range_ok(gpa, size, pt->limit) || !range_ok(hpa, size, pt->fmt->output_limit) ||
	    !(access & GSPACE_RWX) || (access & ~GSPACE_RWX) || !pt->fmt->access_ok(access) ||
	    (type != GSPACE_MEM_NORMAL && type != GSPACE_MEM_DEVICE))
		return -EINVAL;
	spin_lock(&pt->lock);
	if (!range_is_free(pt, pt->root, pt->top_level, gpa, size)) {
		spin_unlock(&pt->lock);
		return -EEXIST;
	}
	rc = map_range(pt, pt->root, pt->top_level, gpa, hpa, size, access, type);
	if (rc) {
		/*
		 * Take back what was done: the range was free, so this never
		 * splits, but a vCPU may already have used the new entries.
		 */
		struct pgtable_deferred *unlinked = NULL;

		unmap_range(pt, pt->root, pt->top_level, gpa, size, &unlinked);
		finish_removal(pt, unlinked);
	}
	reap_deferred(pt);
	/* The walker reads the tables from memory: make the entries visible. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	spin_unlock(&pt->lock);
	return rc;
}

int pgtable_unmap(struct pgtable *pt, uint64_t gpa, uint64_t size)
{
	struct pgtable_deferred *unlinked = NULL;
	int rc;

	if (!range_ok(gpa, size, pt->limit))
		return -EINVAL;
	spin_lock(&pt->lock);
	rc = unmap_range(pt, pt->root, pt->top_level, gpa, size, &unlinked);
	/* Also after a failed split: what was removed is removed. */
	finish_removal(pt, unlinked);
	spin_unlock(&pt->lock);
	return rc;
}

static bool walk(const struct pgtable *pt, uint64_t gpa, uint64_t *hpa, unsigned int *access,
		 enum gspace_memtype *type)
{
	const uint64_t *table = pt->root;

	for (unsigned int level = pt->top_level;; level--) {
		uint64_t entry = table[level_index(gpa, level)];
		uint64_t size = level_size(level);

		if (!is_valid(pt, entry))
			return false;
		if (is_table(pt, entry, level)) {
			table = table_of(pt, entry, level);
			continue;
		}
		if (hpa)
			*hpa = (pt->fmt->address(entry, level) & ~(size - 1)) | (gpa & (size - 1));
		if (access)
			*access = pt->fmt->access(entry);
		if (type)
			*type = pt->fmt->memtype(entry);
		return true;
	}
}

bool pgtable_translate(const struct pgtable *pt, uint64_t gpa, uint64_t *hpa,
		       unsigned int *access, enum gspace_memtype *type)
{
	/* Under the lock: an unmap on another CPU may free the tables we walk. */
	spinlock_t *lock = (spinlock_t *)&pt->lock;
	bool found;

	if (gpa >= pt->limit)
		return false;
	spin_lock(lock);
	found = walk(pt, gpa, hpa, access, type);
	spin_unlock(lock);
	return found;
}

uint64_t pgtable_entry_at(const struct pgtable *pt, uint64_t gpa, unsigned int level)
{
	const uint64_t *table = pt->root;

	for (unsigned int l = pt->top_level; l >= level; l--) {
		uint64_t entry = table[level_index(gpa, l)];

		if (l == level)
			return entry;
		if (!is_table(pt, entry, l))
			return 0;
		table = table_of(pt, entry, l);
	}
	return 0;
}
