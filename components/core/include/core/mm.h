/* SPDX-License-Identifier: MIT */
/*
 * Memory allocation inside the hypervisor.
 *
 *  - struct page_allocator: physical pages (4 KiB) from the RAM regions of
 *    the boot information, a bitmap per region.  Guest RAM and page tables
 *    come from here.
 *  - struct heap: small objects (first fit with coalescing) carved from
 *    pages.  kmalloc()/kzalloc()/kfree() use the hypervisor's heap.
 *
 * Both are plain C over caller-provided memory so that host tests can
 * exercise them on a malloc'd arena.
 */
#ifndef CORE_MM_H
#define CORE_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <core/spinlock.h>

#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12
#define PAGE_ALIGN_UP(x) (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define PAGE_ALIGN_DOWN(x) ((x) & ~(PAGE_SIZE - 1))

#define PAGE_ALLOC_MAX_REGIONS 32

struct page_region {
	uintptr_t base;        /* page-aligned start of the managed pages */
	size_t pages;
	uint64_t *bitmap;      /* bit set = page in use                   */
	size_t free_pages;
};

struct page_allocator {
	struct page_region region[PAGE_ALLOC_MAX_REGIONS];
	unsigned int count;
	spinlock_t lock;
};

void page_allocator_init(struct page_allocator *pa);
/*
 * Hands [base, base+size) to the allocator.  The bitmap is taken from the
 * start of the range itself.  Returns 0 or -EINVAL (too small, too many
 * regions).
 */
int page_allocator_add(struct page_allocator *pa, uintptr_t base, size_t size);
/* Marks [base, base+size) as used (boot structures inside a region). */
void page_allocator_reserve(struct page_allocator *pa, uintptr_t base, size_t size);
/* Contiguous run of pages aligned to align_pages (power of two); NULL if none. */
void *page_allocator_alloc(struct page_allocator *pa, size_t pages, size_t align_pages);
void page_allocator_free(struct page_allocator *pa, void *addr, size_t pages);
size_t page_allocator_free_pages(const struct page_allocator *pa);
size_t page_allocator_total_pages(const struct page_allocator *pa);

struct heap_block;
struct heap {
	struct heap_block *free_list;
	size_t bytes_free;
	spinlock_t lock;
	/* Called to get more memory (at least min_bytes); may be NULL. */
	void *(*grow)(size_t min_bytes, size_t *got_bytes);
};

void heap_init(struct heap *h, void *(*grow)(size_t, size_t *));
void heap_add(struct heap *h, void *mem, size_t size);
void *heap_alloc(struct heap *h, size_t size, size_t align);
void heap_free(struct heap *h, void *p);

/* The hypervisor's allocators (set up by kernel_main). */
void *page_alloc(size_t pages);            /* zeroed, page-aligned       */
void *page_alloc_aligned(size_t pages, size_t align_pages);
void page_free(void *addr, size_t pages);
void *kmalloc(size_t size);                /* 16-byte aligned            */
void *kzalloc(size_t size);
void *kcalloc(size_t n, size_t size);      /* checks n*size overflow     */
void kfree(void *p);
/* Free/total pages of the hypervisor's page allocator. */
size_t mm_free_pages(void);
size_t mm_total_pages(void);
/* Bytes free in the heap's own blocks (a leak check compares it over time). */
size_t mm_heap_free_bytes(void);

#endif
