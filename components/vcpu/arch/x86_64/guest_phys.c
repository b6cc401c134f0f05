/* SPDX-License-Identifier: MIT */
/*
 * Guest-physical memory for the x86 backend's own accesses (page walks,
 * string I/O, MOVS): RAM of the address space only, through the gspace
 * (EPT on VMX; an SVM backend's NPT would keep the same interface).  A
 * device range or a hole gives -EFAULT; a write to RAM the guest may not
 * write (ROM) too.
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

static int write_physical(struct gspace *gs, uint64_t gpa, const void *src, size_t len)
{
	const uint8_t *from = src;

	while (len) {
		size_t chunk = PAGE_SIZE - (gpa & (PAGE_SIZE - 1));
		enum gspace_memtype type;
		unsigned int access;
		uint64_t hpa;

		if (chunk > len)
			chunk = len;
		if (!gspace_translate(gs, gpa, &hpa, &access, &type) ||
		    type != GSPACE_MEM_NORMAL || !(access & GSPACE_WRITE))
			return -EFAULT;
		memcpy((void *)(uintptr_t)hpa, from, chunk);
		from += chunk;
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

int x86_read_guest_physical(struct vcpu *v, uint64_t gpa, void *dst, size_t len)
{
	return guest_read_physical(v->gs, gpa, dst, len);
}

int x86_write_guest_physical(struct vcpu *v, uint64_t gpa, const void *src, size_t len)
{
	return write_physical(v->gs, gpa, src, len);
}
