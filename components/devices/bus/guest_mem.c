/* SPDX-License-Identifier: MIT */
/*
 * Guest memory for DMA.  All range checks are written as "offset inside
 * region" comparisons on unsigned differences so that no guest-chosen
 * gpa or length can make an addition overflow and pass a check.
 */
#include <errno.h>
#include <string.h>

#include <bus/guest_mem.h>

void guest_mem_init(struct guest_mem *gm)
{
	memset(gm, 0, sizeof(*gm));
}

static uint64_t region_last(const struct guest_mem_region *r)
{
	return r->gpa + (r->size - 1);
}

int guest_mem_add(struct guest_mem *gm, uint64_t gpa, uint64_t size, void *hva, bool read_only)
{
	struct guest_mem_region *r;

	if (!gm || !hva || size == 0 || gpa + (size - 1) < gpa ||
	    gm->count >= GUEST_MEM_MAX_REGIONS)
		return -EINVAL;
	/* The host mapping must not wrap either. */
	if ((uintptr_t)hva + (size - 1) < (uintptr_t)hva)
		return -EINVAL;
	for (unsigned i = 0; i < gm->count; i++) {
		const struct guest_mem_region *o = &gm->region[i];

		if (gpa <= region_last(o) && o->gpa <= gpa + (size - 1))
			return -EINVAL;
	}
	r = &gm->region[gm->count++];
	r->gpa = gpa;
	r->size = size;
	r->hva = hva;
	r->read_only = read_only;
	return 0;
}

/*
 * A zero-length range names no byte: it is accepted when gpa lies inside
 * a region or exactly at its end, so a pointer to it is still meaningful.
 */
void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len, bool write)
{
	if (!gm)
		return NULL;
	for (unsigned i = 0; i < gm->count && i < GUEST_MEM_MAX_REGIONS; i++) {
		const struct guest_mem_region *r = &gm->region[i];
		uint64_t offset = gpa - r->gpa;

		if (gpa < r->gpa || offset > r->size || len > r->size - offset)
			continue;
		if (write && r->read_only)
			return NULL;
		return (uint8_t *)r->hva + offset;
	}
	return NULL;
}

/* The region holding byte gpa, or NULL. */
static const struct guest_mem_region *region_of(const struct guest_mem *gm, uint64_t gpa)
{
	for (unsigned i = 0; i < gm->count && i < GUEST_MEM_MAX_REGIONS; i++) {
		const struct guest_mem_region *r = &gm->region[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

/*
 * Copies len bytes between buf and [gpa, gpa + len), which may run from
 * one region into the next when they are adjacent (RAM made of several
 * host blocks).  Checks the whole range first: nothing is copied unless
 * every byte is RAM (writable, for a write).
 */
static int copy_span(const struct guest_mem *gm, uint64_t gpa, void *buf, uint64_t len,
		     bool to_guest)
{
	for (int pass = 0; pass < 2; pass++) {
		uint64_t at = gpa, left = len;
		uint8_t *p = buf;

		while (left) {
			const struct guest_mem_region *r = region_of(gm, at);
			uint64_t offset, n;

			if (!r || (to_guest && r->read_only))
				return -EFAULT;
			offset = at - r->gpa;
			n = r->size - offset < left ? r->size - offset : left;
			if (pass == 1) {
				if (to_guest)
					memcpy((uint8_t *)r->hva + offset, p, (size_t)n);
				else
					memcpy(p, (const uint8_t *)r->hva + offset, (size_t)n);
				p += n;
			}
			left -= n;
			if (left && at + n < at)
				return -EFAULT;         /* would wrap past the top */
			at += n;
		}
	}
	return 0;
}

int guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst, uint64_t len)
{
	if (len == 0)
		return 0;
	if (!gm || len > SIZE_MAX)
		return -EFAULT;
	return copy_span(gm, gpa, dst, len, false);
}

int guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *src, uint64_t len)
{
	if (len == 0)
		return 0;
	if (!gm || len > SIZE_MAX)
		return -EFAULT;
	return copy_span(gm, gpa, (void *)src, len, true);
}
