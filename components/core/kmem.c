/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's global allocators.  The page allocator gets every RAM
 * range of the boot information above 1 MiB (below it live the real-mode
 * IVT, BDA, EBDA and legacy ROMs on PCs) with the reserved ranges cut
 * out before the ranges are handed over, because page_allocator_add()
 * writes its bitmap into the start of each range.  The heap grows in
 * page-allocator chunks.
 */
#include <core/mm.h>

#include <core/bootinfo.h>
#include <core/log.h>
#include <core/panic.h>
#include <string.h>
#include "core_internal.h"

#define KMEM_LOW_LIMIT   0x100000ULL
#define KMEM_HEAP_CHUNK  (64 * 1024UL)

static struct page_allocator kernel_pages;
static struct heap kernel_heap;

static void *kmem_heap_grow(size_t min_bytes, size_t *got_bytes)
{
	size_t bytes = min_bytes > KMEM_HEAP_CHUNK ? PAGE_ALIGN_UP(min_bytes) : KMEM_HEAP_CHUNK;
	void *mem = page_allocator_alloc(&kernel_pages, bytes / PAGE_SIZE, 1);

	*got_bytes = mem ? bytes : 0;
	return mem;
}

/*
 * Adds [base, end) minus every reserved range that overlaps it, recursing
 * on the pieces left and right of the first overlap found (neither piece
 * overlaps that range again, so the depth is bounded by the ranges).
 */
static void kmem_add_free_range(const struct boot_info *bi, uint64_t base, uint64_t end)
{
	if (base < KMEM_LOW_LIMIT)
		base = KMEM_LOW_LIMIT;
	base = PAGE_ALIGN_UP(base);
	end = PAGE_ALIGN_DOWN(end);
	if (base >= end)
		return;

	for (unsigned int i = 0; i < bi->reserved_count && i < BOOT_MAX_RESERVED; i++) {
		uint64_t rbase = bi->reserved[i].base;
		uint64_t rend = rbase + bi->reserved[i].size;

		if (rend < rbase)
			rend = UINT64_MAX;
		if (rend <= base || rbase >= end)
			continue;
		kmem_add_free_range(bi, base, rbase);
		kmem_add_free_range(bi, rend, end);
		return;
	}

	if ((uintptr_t)end != end) {
		log_warn("mm: RAM %#llx-%#llx is not addressable, skipped",
			 (unsigned long long)base, (unsigned long long)end);
		return;
	}
	if (page_allocator_add(&kernel_pages, (uintptr_t)base, (size_t)(end - base)) < 0)
		log_warn("mm: RAM %#llx-%#llx not used (too small or too many ranges)",
			 (unsigned long long)base, (unsigned long long)end);
}

void kmem_init(const struct boot_info *bi)
{
	page_allocator_init(&kernel_pages);
	heap_init(&kernel_heap, kmem_heap_grow);

	for (unsigned int i = 0; i < bi->mem_count && i < BOOT_MAX_MEM_REGIONS; i++) {
		const struct mem_region *m = &bi->mem[i];
		uint64_t end = m->base + m->size;

		if (m->type != MEM_RAM || m->size == 0)
			continue;
		if (end < m->base)
			end = UINT64_MAX;
		log_debug("mm: RAM %#llx-%#llx", (unsigned long long)m->base,
			  (unsigned long long)end - 1);
		kmem_add_free_range(bi, m->base, end);
	}
	for (unsigned int i = 0; i < bi->reserved_count && i < BOOT_MAX_RESERVED; i++)
		log_debug("mm: reserved %#llx-%#llx",
			  (unsigned long long)bi->reserved[i].base,
			  (unsigned long long)(bi->reserved[i].base + bi->reserved[i].size - 1));

	if (page_allocator_total_pages(&kernel_pages) == 0)
		panic("mm: no usable RAM in the boot information");
	log_info("mm: %zu MiB free for the hypervisor",
		 page_allocator_free_pages(&kernel_pages) * PAGE_SIZE >> 20);
}

void bootinfo_reserve(struct boot_info *bi, uint64_t base, uint64_t size)
{
	if (size == 0)
		return;
	if (bi->reserved_count >= BOOT_MAX_RESERVED) {
		/* Too early to allocate: widen the last range to cover this one. */
		struct mem_region *last = &bi->reserved[BOOT_MAX_RESERVED - 1];
		uint64_t lo = base < last->base ? base : last->base;
		uint64_t hi_a = last->base + last->size, hi_b = base + size;
		uint64_t hi = hi_a > hi_b ? hi_a : hi_b;

		last->base = lo;
		last->size = hi - lo;
		return;
	}
	bi->reserved[bi->reserved_count].base = base;
	bi->reserved[bi->reserved_count].size = size;
	bi->reserved[bi->reserved_count].type = MEM_RESERVED;
	bi->reserved_count++;
}

void *page_alloc_aligned(size_t pages, size_t align_pages)
{
	void *p = page_allocator_alloc(&kernel_pages, pages, align_pages);

	if (p)
		memset(p, 0, pages * PAGE_SIZE);
	return p;
}

void *page_alloc(size_t pages)
{
	return page_alloc_aligned(pages, 1);
}

void page_free(void *addr, size_t pages)
{
	page_allocator_free(&kernel_pages, addr, pages);
}

void *kmalloc(size_t size)
{
	return heap_alloc(&kernel_heap, size, 16);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void *kcalloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kzalloc(n * size);
}

void kfree(void *p)
{
	heap_free(&kernel_heap, p);
}

size_t mm_free_pages(void)
{
	return page_allocator_free_pages(&kernel_pages);
}

size_t mm_total_pages(void)
{
	return page_allocator_total_pages(&kernel_pages);
}

size_t mm_heap_free_bytes(void)
{
	size_t n;

	spin_lock(&kernel_heap.lock);
	n = kernel_heap.bytes_free;
	spin_unlock(&kernel_heap.lock);
	return n;
}
