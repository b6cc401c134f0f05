/* SPDX-License-Identifier: MIT */
/*
 * <vcpu/gspace.h> for every architecture: the page-table work is the
 * walker's (pgtable.c), the cache maintenance of gspace_write() the
 * architecture's (gspace_arch.h).
 */
#include <errno.h>
#include <string.h>

#include <core/mm.h>

#include "gspace_arch.h"

int gspace_map(struct gspace *gs, uint64_t gpa, uint64_t hpa, uint64_t size,
	       unsigned int access, enum gspace_memtype type)
{
	if (!gs)
		return -EINVAL;
	return pgtable_map(gspace_pgtable(gs), gpa, hpa, size, access, type);
}

int gspace_unmap(struct gspace *gs, uint64_t gpa, uint64_t size)
{
	if (!gs)
		return -EINVAL;
	return pgtable_unmap(gspace_pgtable(gs), gpa, size);
}

bool gspace_translate(const struct gspace *gs, uint64_t gpa, uint64_t *hpa,
		      unsigned int *access, enum gspace_memtype *type)
{
	if (!gs)
		return false;
	return pgtable_translate(gspace_pgtable(gs), gpa, hpa, access, type);
}

uint64_t gspace_limit(const struct gspace *gs)
{
	return gspace_pgtable(gs)->limit;
}

size_t gspace_table_pages(const struct gspace *gs)
{
	return gspace_pgtable(gs)->table_pages;
}

int gspace_write(struct gspace *gs, uint64_t gpa, const void *src, size_t len)
{
	const uint8_t *from = src;
	enum gspace_memtype type;
	uint64_t hpa;

	if (!gs || gpa + len < gpa)
		return -EFAULT;
	/* Check the whole range first: nothing is copied if part is not RAM. */
	for (uint64_t page = gpa & ~(uint64_t)(PAGE_SIZE - 1); page < gpa + len; page += PAGE_SIZE)
		if (!gspace_translate(gs, page, NULL, NULL, &type) || type != GSPACE_MEM_NORMAL)
			return -EFAULT;
	while (len) {
		size_t chunk = PAGE_SIZE - (gpa & (PAGE_SIZE - 1));

		if (chunk > len)
			chunk = len;
		gspace_translate(gs, gpa, &hpa, NULL, NULL);
		/* Guest RAM is identity-mapped in the hypervisor. */
		memcpy((void *)(uintptr_t)hpa, from, chunk);
		gspace_arch_sync_written((void *)(uintptr_t)hpa, chunk);
		gpa += chunk;
		from += chunk;
		len -= chunk;
	}
	gspace_arch_sync_done();
	return 0;
}
