/* SPDX-License-Identifier: MIT */
/*
 * Guest-physical memory for the x86 backend's own accesses (page walks,
 * string I/O, MOVS): RAM of the address space only, through the gspace
 * (EPT on VMX; an SVM backend's NPT would keep the same interface).  A
 * device range or a hole gives -EFAULT; a write to RAM the guest may not
 * write (ROM) too.
 *
 * Each vCPU keeps the translations of the pages it reached last.  An MMIO
 * exit reads the guest's page-table entries on the way to the
 * instruction (three or four) and the instruction itself, each a walk of
 * the EPT under the address space's lock; exit after exit they are the
 * same few pages.  A translation stays right until an unmap, and every
 * unmap bumps the table's generation (pgtable.c): an entry made under an
 * older generation is walked again.  The generation is read before the
 * walk, so an unmap that races with it leaves an entry that is already
 * old.  (What such a race reads is what a walk finished just before the
 * unmap would read: guest RAM stays allocated while the VM's vCPUs run.)
 */
#include <errno.h>
#include <string.h>

#include <core/mm.h>

#include "vmx_internal.h"

int guest_read_physical(struct gspace *gs, uint64_t gpa, void *dst, size_t len)
{
	uint8_t *to = dst;

	while (len) {
		size_t chunk = PAGE_SIZE - (gpa & (PAGE_SIZE - 1));
		enum gspace_memtype type;
		uint64_t hpa;

		if (chunk > len)
			chunk = len;
		if (!gspace_translate(gs, gpa, &hpa, NULL, &type) || type != GSPACE_MEM_NORMAL)
			return -EFAULT;
		memcpy(to, (const void *)(uintptr_t)hpa, chunk);
		to += chunk;
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

/* The host address of the RAM page holding gpa, or NULL (not RAM, or a write to ROM). */
static inline __attribute__((always_inline)) void *ram_page(struct vcpu *v, uint64_t gpa,
								   bool write)
{
	uint64_t page = gpa / PAGE_SIZE;
	struct vmx_gpa_cache *e = &v->gpa_cache[(page ^ (page >> 9)) % VMX_GPA_CACHE_SIZE];
	uint64_t generation = __atomic_load_n(&v->gs->pt.generation, __ATOMIC_ACQUIRE);

	if (e->generation != generation || e->page != page) {
		enum gspace_memtype type;
		unsigned int access;
		uint64_t hpa;

		e->generation = 0;
		if (!gspace_translate(v->gs, page * PAGE_SIZE, &hpa, &access, &type) ||
		    type != GSPACE_MEM_NORMAL)
			return NULL;
		e->page = page;
		e->host = (uint8_t *)(uintptr_t)hpa;
		e->writable = access & GSPACE_WRITE;
		e->generation = generation;
	}
	if (write && !e->writable)
		return NULL;
	return e->host;
}

int x86_read_guest_physical(struct vcpu *v, uint64_t gpa, void *dst, size_t len)
{
	uint8_t *to = dst;

	while (len) {
		size_t offset = gpa & (PAGE_SIZE - 1), chunk = PAGE_SIZE - offset;
		const uint8_t *from = ram_page(v, gpa, false);

		if (!from)
			return -EFAULT;
		if (chunk > len)
			chunk = len;
		memcpy(to, from + offset, chunk);
		to += chunk;
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

int x86_read_guest_entry(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t *entry)
{
	const uint8_t *page = ram_page(v, gpa, false);
	const void *at;

	if (!page || (gpa & (size - 1)))
		return -EFAULT;
	at = page + (gpa & (PAGE_SIZE - 1));
	if (size == 4)
		*entry = __atomic_load_n((const uint32_t *)at, __ATOMIC_RELAXED);
	else
		*entry = __atomic_load_n((const uint64_t *)at, __ATOMIC_RELAXED);
	return 0;
}

int x86_write_guest_physical(struct vcpu *v, uint64_t gpa, const void *src, size_t len)
{
	const uint8_t *from = src;

	while (len) {
		size_t offset = gpa & (PAGE_SIZE - 1), chunk = PAGE_SIZE - offset;
		uint8_t *to = ram_page(v, gpa, true);

		if (!to)
			return -EFAULT;
		if (chunk > len)
			chunk = len;
		memcpy(to + offset, from, chunk);
		from += chunk;
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}
