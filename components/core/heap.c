/* SPDX-License-Identifier: MIT */
/*
 * First-fit heap.  Every block, free or used, starts with a header of
 * HEAP_HEADER_SIZE bytes (a multiple of 16) holding its size and a magic
 * number; payloads follow the header.  Free blocks are kept in a list
 * sorted by address so that a freed block merges with its neighbours.
 * A used header carries the magic HEAP_MAGIC_USED, which heap_free()
 * checks: a double free or a pointer that was never allocated stops the
 * hypervisor instead of corrupting the list.
 */
#include <core/mm.h>

#include <core/panic.h>
#include <string.h>

#define HEAP_MAGIC_USED 0x7e55a11cu
#define HEAP_MAGIC_FREE 0xf4eeb10cu
#define HEAP_MIN_ALIGN  16

struct heap_block {
	size_t size;                /* whole block, header included        */
	uint32_t magic;
	uint32_t reserved;
	struct heap_block *next;    /* free blocks only                    */
	uintptr_t pad;
};

#define HEAP_HEADER_SIZE ALIGN16(sizeof(struct heap_block))
#define ALIGN16(x) (((x) + 15) & ~(size_t)15)
/* Smallest block worth keeping as a free block of its own. */
#define HEAP_MIN_BLOCK (HEAP_HEADER_SIZE + HEAP_MIN_ALIGN)

_Static_assert(sizeof(struct heap_block) % HEAP_MIN_ALIGN == 0,
	       "heap headers keep payloads 16-byte aligned");

void heap_init(struct heap *h, void *(*grow)(size_t, size_t *))
{
	h->free_list = NULL;
	h->bytes_free = 0;
	h->lock = (spinlock_t)SPINLOCK_INIT;
	h->grow = grow;
}

/* Inserts b into the sorted free list and merges it with its neighbours. */
static void heap_insert_free(struct heap *h, struct heap_block *b)
{
	struct heap_block *prev = NULL, *cur = h->free_list;

	while (cur && cur < b) {
		prev = cur;
		cur = cur->next;
	}
	b->magic = HEAP_MAGIC_FREE;
	b->next = cur;
	h->bytes_free += b->size;
	if (cur && (char *)b + b->size == (char *)cur) {
		b->size += cur->size;
		b->next = cur->next;
		cur->magic = 0;
	}
	if (prev && (char *)prev + prev->size == (char *)b) {
		prev->size += b->size;
		prev->next = b->next;
		b->magic = 0;
	} else if (prev) {
		prev->next = b;
	} else {
		h->free_list = b;
	}
}

static void heap_add_locked(struct heap *h, void *mem, size_t size)
{
	uintptr_t start = ((uintptr_t)mem + HEAP_MIN_ALIGN - 1) & ~(uintptr_t)(HEAP_MIN_ALIGN - 1);
	uintptr_t end = ((uintptr_t)mem + size) & ~(uintptr_t)(HEAP_MIN_ALIGN - 1);
	struct heap_block *b;

	if (!mem || (uintptr_t)mem + size < (uintptr_t)mem || end <= start ||
	    end - start < HEAP_MIN_BLOCK)
		return;
	b = (struct heap_block *)start;
	b->size = end - start;
	heap_insert_free(h, b);
}

void heap_add(struct heap *h, void *mem, size_t size)
{
	spin_lock(&h->lock);
	heap_add_locked(h, mem, size);
	spin_unlock(&h->lock);
}

/*
 * Where an allocation of need bytes (header included) aligned to align
 * can start inside free block b, or 0 when it does not fit.  A gap in
 * front of it must be big enough to stay a free block.
 */
static uintptr_t heap_fit(const struct heap_block *b, size_t need, size_t align)
{
	uintptr_t start = (uintptr_t)b;
	uintptr_t end = start + b->size;
	uintptr_t payload = (start + HEAP_HEADER_SIZE + align - 1) & ~(uintptr_t)(align - 1);

	if (payload - HEAP_HEADER_SIZE != start && payload - HEAP_HEADER_SIZE - start < HEAP_MIN_BLOCK)
		payload = (start + HEAP_HEADER_SIZE + HEAP_MIN_BLOCK + align - 1) &
			  ~(uintptr_t)(align - 1);
	if (payload < start || payload - HEAP_HEADER_SIZE > end ||
	    end - (payload - HEAP_HEADER_SIZE) < need)
		return 0;
	return payload - HEAP_HEADER_SIZE;
}

static void *heap_alloc_locked(struct heap *h, size_t need, size_t align)
{
	struct heap_block *prev = NULL;

	for (struct heap_block *b = h->free_list; b; prev = b, b = b->next) {
		uintptr_t at = heap_fit(b, need, align);
		struct heap_block *used;
		uintptr_t end;

		if (!at)
			continue;
		end = (uintptr_t)b + b->size;

		/* Unlink b, then give back the pieces in front and behind. */
		if (prev)
			prev->next = b->next;
		else
			h->free_list = b->next;
		h->bytes_free -= b->size;

		if (at != (uintptr_t)b) {
			b->size = at - (uintptr_t)b;
			heap_insert_free(h, b);
		}
		used = (struct heap_block *)at;
		used->size = end - at;
		if (used->size - need >= HEAP_MIN_BLOCK) {
			struct heap_block *rest = (struct heap_block *)(at + need);

			rest->size = used->size - need;
			used->size = need;
			heap_insert_free(h, rest);
		}
		used->magic = HEAP_MAGIC_USED;
		used->next = NULL;
		return (char *)used + HEAP_HEADER_SIZE;
	}
	return NULL;
}

void *heap_alloc(struct heap *h, size_t size, size_t align)
{
	size_t need;
	void *p;

	if (align < HEAP_MIN_ALIGN)
		align = HEAP_MIN_ALIGN;
	if ((align & (align - 1)) != 0 || align > ((size_t)1 << 30))
		return NULL;
	if (size > SIZE_MAX / 2)
		return NULL;
	need = HEAP_HEADER_SIZE + ALIGN16(size ? size : 1);

	spin_lock(&h->lock);
	p = heap_alloc_locked(h, need, align);
	if (!p && h->grow) {
		size_t got = 0;
		/* Enough for the block, its alignment slack and a gap block. */
		size_t want = need + align + HEAP_MIN_BLOCK + HEAP_MIN_ALIGN;
		void *mem;

		spin_unlock(&h->lock);
		mem = h->grow(want, &got);
		spin_lock(&h->lock);
		if (mem) {
			heap_add_locked(h, mem, got);
			p = heap_alloc_locked(h, need, align);
		}
	}
	spin_unlock(&h->lock);
	return p;
}

void heap_free(struct heap *h, void *p)
{
	struct heap_block *b;

	if (!p)
		return;
	if ((uintptr_t)p & (HEAP_MIN_ALIGN - 1))
		panic("kfree: %p was not returned by the heap (misaligned)", p);
	b = (struct heap_block *)((char *)p - HEAP_HEADER_SIZE);

	spin_lock(&h->lock);
	if (b->magic != HEAP_MAGIC_USED) {
		uint32_t magic = b->magic;

		spin_unlock(&h->lock);
		if (magic == HEAP_MAGIC_FREE || magic == 0)
			panic("kfree: double free of %p", p);
		panic("kfree: %p was not returned by the heap (header magic %#x)", p, magic);
	}
	heap_insert_free(h, b);
	spin_unlock(&h->lock);
}
