/* SPDX-License-Identifier: MIT */
/*
 * One bitmap per region, stored in the first pages of the region itself,
 * so the allocator needs no memory before it exists.  Allocation is a
 * first-fit scan over aligned candidate starts.  A candidate run is
 * checked from its end backwards (whole free words at a time), so the
 * used page found last is the one to restart after.
 */
#include <core/mm.h>

#include <core/panic.h>
#include <errno.h>
#include <string.h>

#define BITS_PER_WORD 64

static bool page_used(const struct page_region *r, size_t i)
{
	return (r->bitmap[i / BITS_PER_WORD] >> (i % BITS_PER_WORD)) & 1;
}

static void page_set_used(struct page_region *r, size_t i, bool used)
{
	uint64_t bit = 1ULL << (i % BITS_PER_WORD);

	if (used)
		r->bitmap[i / BITS_PER_WORD] |= bit;
	else
		r->bitmap[i / BITS_PER_WORD] &= ~bit;
}

void page_allocator_init(struct page_allocator *pa)
{
	memset(pa, 0, sizeof(*pa));
}

int page_allocator_add(struct page_allocator *pa, uintptr_t base, size_t size)
{
	uintptr_t start = PAGE_ALIGN_UP(base);
	uintptr_t end;
	size_t total, bitmap_pages;
	struct page_region *r;

	if (size == 0 || base + size < base || start < base)
		return -EINVAL;
	end = PAGE_ALIGN_DOWN(base + size);
	if (end <= start)
		return -EINVAL;
	total = (end - start) / PAGE_SIZE;
	/* A bitmap for all pages covers the (fewer) pages after it too. */
	bitmap_pages = (total + PAGE_SIZE * 8 - 1) / (PAGE_SIZE * 8);
	if (total <= bitmap_pages)
		return -EINVAL;

	spin_lock(&pa->lock);
	if (pa->count >= PAGE_ALLOC_MAX_REGIONS) {
		spin_unlock(&pa->lock);
		return -EINVAL;
	}
	r = &pa->region[pa->count];
	r->bitmap = (uint64_t *)start;
	memset(r->bitmap, 0, bitmap_pages * PAGE_SIZE);
	r->base = start + bitmap_pages * PAGE_SIZE;
	r->pages = total - bitmap_pages;
	r->free_pages = r->pages;
	pa->count++;
	spin_unlock(&pa->lock);
	return 0;
}

void page_allocator_reserve(struct page_allocator *pa, uintptr_t base, size_t size)
{
	uintptr_t end = base + size < base ? UINTPTR_MAX : base + size;

	spin_lock(&pa->lock);
	for (unsigned int k = 0; k < pa->count; k++) {
		struct page_region *r = &pa->region[k];
		uintptr_t rend = r->base + r->pages * PAGE_SIZE;
		uintptr_t lo = base > r->base ? base : r->base;
		uintptr_t hi = end < rend ? end : rend;

		if (lo >= hi)
			continue;
		for (size_t i = (lo - r->base) / PAGE_SIZE;
		     i < (hi - r->base + PAGE_SIZE - 1) / PAGE_SIZE; i++) {
			if (!page_used(r, i)) {
				page_set_used(r, i, true);
				r->free_pages--;
			}
		}
	}
	spin_unlock(&pa->lock);
}

/* First page index >= i whose address is aligned to align_bytes. */
static size_t next_aligned_index(const struct page_region *r, size_t i, uintptr_t align_bytes)
{
	uintptr_t addr = r->base + i * PAGE_SIZE;
	uintptr_t aligned = (addr + align_bytes - 1) & ~(align_bytes - 1);

	if (aligned < addr)
		return r->pages;   /* wrapped: no such page */
	return (aligned - r->base) / PAGE_SIZE;
}

/* Index of the last used page in [i, i+n), or SIZE_MAX when all are free. */
static size_t last_used_in_run(const struct page_region *r, size_t i, size_t n)
{
	size_t j = i + n;

	while (j > i) {
		size_t k = j - 1;

		/* A whole free word inside the run is skipped at once. */
		if (k % BITS_PER_WORD == BITS_PER_WORD - 1 && k + 1 - i >= BITS_PER_WORD &&
		    r->bitmap[k / BITS_PER_WORD] == 0) {
			j -= BITS_PER_WORD;
			continue;
		}
		if (page_used(r, k))
			return k;
		j--;
	}
	return SIZE_MAX;
}

static void *region_alloc(struct page_region *r, size_t pages, size_t align_pages)
{
	uintptr_t align_bytes = (uintptr_t)align_pages * PAGE_SIZE;
	size_t i;

	if (r->free_pages < pages)
		return NULL;
	i = next_aligned_index(r, 0, align_bytes);
	while (i < r->pages && r->pages - i >= pages) {
		size_t used = last_used_in_run(r, i, pages);

		if (used == SIZE_MAX) {
			for (size_t k = i; k < i + pages; k++)
				page_set_used(r, k, true);
			r->free_pages -= pages;
			return (void *)(r->base + i * PAGE_SIZE);
		}
		i = next_aligned_index(r, used + 1, align_bytes);
	}
	return NULL;
}

void *page_allocator_alloc(struct page_allocator *pa, size_t pages, size_t align_pages)
{
	void *p = NULL;

	if (align_pages == 0)
		align_pages = 1;
	if (pages == 0 || (align_pages & (align_pages - 1)) != 0 ||
	    align_pages > SIZE_MAX / PAGE_SIZE)
		return NULL;

	spin_lock(&pa->lock);
	for (unsigned int k = 0; k < pa->count && !p; k++)
		p = region_alloc(&pa->region[k], pages, align_pages);
	spin_unlock(&pa->lock);
	return p;
}

void page_allocator_free(struct page_allocator *pa, void *addr, size_t pages)
{
	uintptr_t a = (uintptr_t)addr;

	if (!addr || pages == 0)
		return;
	spin_lock(&pa->lock);
	for (unsigned int k = 0; k < pa->count; k++) {
		struct page_region *r = &pa->region[k];
		size_t first;

		if (a < r->base || a >= r->base + r->pages * PAGE_SIZE)
			continue;
		first = (a - r->base) / PAGE_SIZE;
		if ((a & (PAGE_SIZE - 1)) || pages > r->pages - first) {
			spin_unlock(&pa->lock);
			panic("page_free: %p + %zu pages is not an allocation", addr, pages);
		}
		for (size_t i = first; i < first + pages; i++) {
			if (!page_used(r, i)) {
				spin_unlock(&pa->lock);
				panic("page_free: page %p is already free",
				      (void *)(r->base + i * PAGE_SIZE));
			}
		}
		for (size_t i = first; i < first + pages; i++)
			page_set_used(r, i, false);
		r->free_pages += pages;
		spin_unlock(&pa->lock);
		return;
	}
	spin_unlock(&pa->lock);
	panic("page_free: %p is not managed by the page allocator", addr);
}

size_t page_allocator_free_pages(const struct page_allocator *pa)
{
	size_t n = 0;

	for (unsigned int k = 0; k < pa->count; k++)
		n += pa->region[k].free_pages;
	return n;
}

size_t page_allocator_total_pages(const struct page_allocator *pa)
{
	size_t n = 0;

	for (unsigned int k = 0; k < pa->count; k++)
		n += pa->region[k].pages;
	return n;
}
