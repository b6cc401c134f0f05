/* SPDX-License-Identifier: MIT */
/*
 * Guest memory as the guest's instructions see it: linear addresses
 * through the guest's own paging (none, 32-bit, PAE or 4-level, chosen by
 * CR0.PG, CR4.PAE and EFER.LMA), then guest-physical addresses through
 * the gspace to host memory.  Used to fetch the instruction behind an
 * EPT violation and to move the data of string I/O (INS/OUTS) and MOVS.
 *
 * Only RAM is reached this way: a guest page-table entry or an operand
 * in a device range gives -EFAULT.  Not-present guest entries give
 * -ENOENT (the caller injects #PF); access rights (U/S, R/W, NX) are not
 * checked here.
 */
#include <errno.h>
#include <string.h>

#include <core/mm.h>

#include "vmx_internal.h"

#define PTE_PRESENT (1ull << 0)
#define PTE_LARGE   (1ull << 7)
#define PTE_ADDR_4LEVEL 0x000ffffffffff000ull

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

static int read_entry64(struct gspace *gs, uint64_t gpa, uint64_t *entry)
{
	return guest_read_physical(gs, gpa, entry, sizeof(*entry));
}

/* 4-level paging (EFER.LMA = 1): PML4 -> PDPT (1 GiB) -> PD (2 MiB) -> PT. */
static int walk_4level(struct vcpu *v, uint64_t cr3, uint64_t linear, uint64_t *gpa)
{
	uint64_t table = cr3 & PTE_ADDR_4LEVEL;

	for (int level = 3; level >= 0; level--) {
		unsigned int shift = 12 + 9 * (unsigned int)level;
		uint64_t entry;
		int rc = read_entry64(v->gs, table + ((linear >> shift) & 511) * 8, &entry);

		if (rc)
			return rc;
		if (!(entry & PTE_PRESENT))
			return -ENOENT;
		if (level == 0 || ((level == 1 || level == 2) && (entry & PTE_LARGE))) {
			uint64_t size = 1ull << shift;

			*gpa = (entry & PTE_ADDR_4LEVEL & ~(size - 1)) | (linear & (size - 1));
			return 0;
		}
		table = entry & PTE_ADDR_4LEVEL;
	}
	return -ENOENT;
}

/* PAE paging: 4 PDPTEs at CR3[31:5] -> PD (2 MiB) -> PT. */
static int walk_pae(struct vcpu *v, uint64_t cr3, uint64_t linear, uint64_t *gpa)
{
	uint64_t pdpte, pde, pte;
	int rc;

	linear &= 0xffffffffull;
	rc = read_entry64(v->gs, (cr3 & 0xffffffe0ull) + (linear >> 30) * 8, &pdpte);
	if (rc)
		return rc;
	if (!(pdpte & PTE_PRESENT))
		return -ENOENT;
	rc = read_entry64(v->gs, (pdpte & PTE_ADDR_4LEVEL) + ((linear >> 21) & 511) * 8, &pde);
	if (rc)
		return rc;
	if (!(pde & PTE_PRESENT))
		return -ENOENT;
	if (pde & PTE_LARGE) {
		*gpa = (pde & PTE_ADDR_4LEVEL & ~0x1fffffull) | (linear & 0x1fffff);
		return 0;
	}
	rc = read_entry64(v->gs, (pde & PTE_ADDR_4LEVEL) + ((linear >> 12) & 511) * 8, &pte);
	if (rc)
		return rc;
	if (!(pte & PTE_PRESENT))
		return -ENOENT;
	*gpa = (pte & PTE_ADDR_4LEVEL) | (linear & 0xfff);
	return 0;
}

/* 32-bit paging: PD at CR3[31:12] -> 4 MiB pages (CR4.PSE) or PT. */
static int walk_32bit(struct vcpu *v, uint64_t cr3, uint64_t cr4, uint64_t linear, uint64_t *gpa)
{
	uint32_t pde, pte;
	int rc;

	linear &= 0xffffffffull;
	rc = guest_read_physical(v->gs, (cr3 & 0xfffff000ull) + (linear >> 22) * 4, &pde, 4);
	if (rc)
		return rc;
	if (!(pde & PTE_PRESENT))
		return -ENOENT;
	if ((pde & PTE_LARGE) && (cr4 & CR4_PSE)) {
		/* PSE-36: bits 20:13 of the entry are physical bits 39:32. */
		*gpa = (pde & 0xffc00000ull) | ((uint64_t)((pde >> 13) & 0xff) << 32) |
		       (linear & 0x3fffff);
		return 0;
	}
	rc = guest_read_physical(v->gs, (pde & 0xfffff000ull) + ((linear >> 12) & 1023) * 4, &pte, 4);
	if (rc)
		return rc;
	if (!(pte & PTE_PRESENT))
		return -ENOENT;
	*gpa = (pte & 0xfffff000ull) | (linear & 0xfff);
	return 0;
}

int guest_linear_to_physical(struct vcpu *v, uint64_t linear, uint64_t *gpa)
{
	uint64_t cr0 = vmread(VMCS_GUEST_CR0), cr3, cr4;

	if (!(cr0 & CR0_PG)) {
		*gpa = linear & 0xffffffffull;
		return 0;
	}
	cr3 = vmread(VMCS_GUEST_CR3);
	cr4 = vmread(VMCS_GUEST_CR4);
	if (vmx_guest_efer() & EFER_LMA) {
		if (cr4 & CR4_LA57)
			return -EFAULT;          /* 5-level paging: not walked */
		return walk_4level(v, cr3, linear, gpa);
	}
	if (cr4 & CR4_PAE)
		return walk_pae(v, cr3, linear, gpa);
	return walk_32bit(v, cr3, cr4, linear, gpa);
}

int guest_read_linear(struct vcpu *v, uint64_t linear, void *dst, size_t len)
{
	uint8_t *to = dst;

	while (len) {
		size_t chunk = PAGE_SIZE - (linear & (PAGE_SIZE - 1));
		uint64_t gpa;
		int rc;

		if (chunk > len)
			chunk = len;
		rc = guest_linear_to_physical(v, linear, &gpa);
		if (!rc)
			rc = guest_read_physical(v->gs, gpa, to, chunk);
		if (rc)
			return rc;
		to += chunk;
		linear += chunk;
		len -= chunk;
	}
	return 0;
}

int guest_write_linear(struct vcpu *v, uint64_t linear, const void *src, size_t len)
{
	const uint8_t *from = src;

	while (len) {
		size_t chunk = PAGE_SIZE - (linear & (PAGE_SIZE - 1));
		uint64_t gpa;
		int rc;

		if (chunk > len)
			chunk = len;
		rc = guest_linear_to_physical(v, linear, &gpa);
		if (!rc)
			rc = write_physical(v->gs, gpa, from, chunk);
		if (rc)
			return rc;
		from += chunk;
		linear += chunk;
		len -= chunk;
	}
	return 0;
}

size_t guest_fetch_code(struct vcpu *v, uint64_t linear, uint8_t *bytes, size_t max)
{
	size_t got = 0;

	/* Byte by page: an instruction may end right before an unmapped page. */
	while (got < max) {
		size_t chunk = PAGE_SIZE - ((linear + got) & (PAGE_SIZE - 1));

		if (chunk > max - got)
			chunk = max - got;
		if (guest_read_linear(v, linear + got, bytes + got, chunk))
			break;
		got += chunk;
	}
	return got;
}
