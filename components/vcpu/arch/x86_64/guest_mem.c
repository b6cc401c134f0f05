/* SPDX-License-Identifier: MIT */
/*
 * Guest memory as the guest's instructions see it: linear addresses
 * through the guest's own paging (none, 32-bit, PAE or 4-level, chosen by
 * CR0.PG, CR4.PAE and EFER.LMA), then guest-physical addresses to RAM
 * (x86_read/write_guest_physical(): the address space's RAM, nothing
 * else).  Used to fetch the instruction behind an EPT violation and to
 * move the data of string I/O (INS/OUTS) and of the RAM side of MOVS.
 *
 * The hypervisor acts for the guest here, so it checks what the
 * processor would (SDM vol. 3, 4.6 "Access rights"): for an access at
 * CPL 3 every level must allow user mode (U/S) and, for a write, writing
 * (R/W); at CPL 0-2 a write to a read-only page faults when CR0.WP is
 * set, SMEP/SMAP apply to user pages, and a fetch from a page with XD
 * set (EFER.NXE) faults.  A not-present entry or a violation is a #PF
 * for the guest with the error code the processor gives (P, W/R, U/S,
 * RSVD, I/D) and CR2 = the faulting linear address: never the VM's end.
 * Accessed/dirty bits are not set (nothing the guests here rely on).
 *
 * x86_guest_walk() is pure given the guest's memory (host tests and a
 * fuzzer run it on a fake one).
 */
#include <errno.h>
#include <string.h>

#include "x86_vcpu.h"

#define PAGE_SIZE_4K 4096ull
#define PTE_P    (1ull << 0)
#define PTE_RW   (1ull << 1)
#define PTE_US   (1ull << 2)
#define PTE_PS   (1ull << 7)
#define PTE_XD   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull
#define CR0_PG   (1ull << 31)
#define EFER_LMA (1ull << 10)

/* The rights collected along a walk: each level may only take some away. */
struct walk_rights {
	bool user, write, execute;
};

static void take_rights(struct walk_rights *r, uint64_t entry, bool nxe)
{
	r->user = r->user && (entry & PTE_US);
	r->write = r->write && (entry & PTE_RW);
	if (nxe && (entry & PTE_XD))
		r->execute = false;
}

/* 4-level (LMA) or PAE paging: 8-byte entries, XD when EFER.NXE. */
static int walk_64bit_entries(struct vcpu *v, const struct x86_paging *p, uint64_t linear,
			      struct walk_rights *r, uint64_t *gpa, bool *reserved)
{
	bool nxe = p->efer & X86_EFER_NXE;
	bool long_mode = p->efer & EFER_LMA;
	int top = long_mode ? 3 : 1;
	uint64_t table, entry;
	int rc;

	if (long_mode) {
		table = p->cr3 & PTE_ADDR;
	} else {
		/* PAE: the PDPTE (CR3[31:5]); it grants no rights, XD is reserved in it. */
		rc = x86_read_guest_entry(v, (p->cr3 & 0xffffffe0ull) + ((linear >> 30) & 3) * 8, 8,
					  &entry);
		if (rc)
			return rc;
		if (!(entry & PTE_P))
			return -ENOENT;
		table = entry & PTE_ADDR;
	}
	for (int level = top; level >= 0; level--) {
		unsigned int shift = 12 + 9 * (unsigned int)level;

		rc = x86_read_guest_entry(v, table + ((linear >> shift) & 511) * 8, 8, &entry);
		if (rc)
			return rc;
		if (!(entry & PTE_P))
			return -ENOENT;
		if (!nxe && (entry & PTE_XD)) {
			*reserved = true;        /* XD without EFER.NXE is a reserved bit */
			return -ENOENT;
		}
		take_rights(r, entry, nxe);
		if (level == 0 || ((level == 1 || (level == 2 && long_mode)) && (entry & PTE_PS))) {
			uint64_t size = 1ull << shift;

			*gpa = (entry & PTE_ADDR & ~(size - 1)) | (linear & (size - 1));
			return 0;
		}
		table = entry & PTE_ADDR;
	}
	return -ENOENT;
}

/* 32-bit paging: PD at CR3[31:12] -> 4 MiB pages (CR4.PSE) or PT; no XD. */
static int walk_32bit(struct vcpu *v, const struct x86_paging *p, uint64_t linear,
		      struct walk_rights *r, uint64_t *gpa)
{
	uint64_t pde, pte;
	int rc;

	linear &= 0xffffffffull;
	rc = x86_read_guest_entry(v, (p->cr3 & 0xfffff000ull) + (linear >> 22) * 4, 4, &pde);
	if (rc)
		return rc;
	if (!(pde & PTE_P))
		return -ENOENT;
	take_rights(r, pde, false);
	if ((pde & PTE_PS) && (p->cr4 & X86_CR4_PSE)) {
		/* PSE-36: bits 20:13 of the entry are physical bits 39:32. */
		*gpa = (pde & 0xffc00000ull) | (((pde >> 13) & 0xff) << 32) | (linear & 0x3fffff);
		return 0;
	}
	rc = x86_read_guest_entry(v, (pde & 0xfffff000ull) + ((linear >> 12) & 1023) * 4, 4, &pte);
	if (rc)
		return rc;
	if (!(pte & PTE_P))
		return -ENOENT;
	take_rights(r, pte, false);
	*gpa = (pte & 0xfffff000ull) | (linear & 0xfff);
	return 0;
}

int x86_guest_walk(struct vcpu *v, const struct x86_paging *p, uint64_t linear,
		   unsigned int access, uint64_t *gpa, uint32_t *pf_error)
{
	struct walk_rights r = { .user = true, .write = true, .execute = true };
	bool user = access & X86_ACCESS_USER, write = access & X86_ACCESS_WRITE;
	bool fetch = access & X86_ACCESS_FETCH, reserved = false, allowed;
	bool pae_or_long = (p->cr4 & X86_CR4_PAE) || (p->efer & EFER_LMA);
	uint32_t error = (write ? X86_PF_WRITE : 0) | (user ? X86_PF_USER : 0);
	int rc;

	/* The I/D bit is reported when XD or SMEP can make a fetch fault. */
	if (fetch && (((p->efer & X86_EFER_NXE) && pae_or_long) || (p->cr4 & X86_CR4_SMEP)))
		error |= X86_PF_FETCH;
	*pf_error = 0;
	if (!(p->cr0 & CR0_PG)) {
		*gpa = linear & 0xffffffffull;
		return 0;
	}
	if (p->efer & EFER_LMA) {
		if (p->cr4 & X86_CR4_LA57)
			return -EFAULT;          /* 5-level paging: not walked */
		rc = walk_64bit_entries(v, p, linear, &r, gpa, &reserved);
	} else if (p->cr4 & X86_CR4_PAE) {
		rc = walk_64bit_entries(v, p, linear & 0xffffffffull, &r, gpa, &reserved);
	} else {
		rc = walk_32bit(v, p, linear, &r, gpa);
	}
	if (rc == -ENOENT) {
		*pf_error = error | (reserved ? X86_PF_PRESENT | X86_PF_RSVD : 0);
		return -ENOENT;
	}
	if (rc)
		return rc;
	if (user) {
		allowed = r.user && (!write || r.write);
	} else {
		allowed = !write || r.write || !(p->cr0 & X86_CR0_WP);
		if (r.user && fetch && (p->cr4 & X86_CR4_SMEP))
			allowed = false;
		if (r.user && !fetch && (p->cr4 & X86_CR4_SMAP) && !(p->rflags & X86_RFLAGS_AC))
			allowed = false;
	}
	if (fetch && !r.execute)
		allowed = false;
	if (!allowed) {
		*pf_error = error | X86_PF_PRESENT;
		return -ENOENT;
	}
	return 0;
}

void x86_paging_of(struct vcpu *v, struct x86_paging *p)
{
	p->cr0 = x86_get_cr0(v);
	p->cr3 = x86_get_cr3(v);
	p->cr4 = x86_get_cr4(v);
	p->efer = x86_get_efer(v);
	p->rflags = x86_get_rflags(v);
}

/* One page-sized piece of an access: linear -> gpa, or the guest's #PF. */
static int translate(struct vcpu *v, const struct x86_paging *p, uint64_t linear,
		     unsigned int access, uint64_t *gpa, bool inject)
{
	uint32_t error;
	int rc = x86_guest_walk(v, p, linear, access, gpa, &error);

	if (rc == -ENOENT && inject) {
		x86_set_cr2(v, linear);
		x86_inject_exception(v, X86_VECTOR_PF, true, error);
	}
	return rc;
}

static size_t chunk_of(uint64_t linear, size_t len)
{
	size_t chunk = PAGE_SIZE_4K - (linear & (PAGE_SIZE_4K - 1));

	return chunk > len ? len : chunk;
}

int x86_read_linear(struct vcpu *v, uint64_t linear, void *dst, size_t len, unsigned int access)
{
	struct x86_paging p;
	uint8_t *to = dst;

	x86_paging_of(v, &p);
	while (len) {
		size_t chunk = chunk_of(linear, len);
		uint64_t gpa;
		int rc = translate(v, &p, linear, access & ~X86_ACCESS_WRITE, &gpa, true);

		if (!rc)
			rc = x86_read_guest_physical(v, gpa, to, chunk);
		if (rc)
			return rc;
		to += chunk;
		linear += chunk;
		len -= chunk;
	}
	return 0;
}

int x86_write_linear(struct vcpu *v, uint64_t linear, const void *src, size_t len,
		     unsigned int access)
{
	struct x86_paging p;
	const uint8_t *from = src;
	uint64_t gpa[2];
	size_t first = chunk_of(linear, len);
	int rc;

	/* Both pages are checked before anything is written, as the processor does. */
	if (len > PAGE_SIZE_4K)
		return -EINVAL;
	x86_paging_of(v, &p);
	rc = translate(v, &p, linear, access | X86_ACCESS_WRITE, &gpa[0], true);
	if (!rc && first < len)
		rc = translate(v, &p, linear + first, access | X86_ACCESS_WRITE, &gpa[1], true);
	if (!rc)
		rc = x86_write_guest_physical(v, gpa[0], from, first);
	if (!rc && first < len)
		rc = x86_write_guest_physical(v, gpa[1], from + first, len - first);
	return rc;
}

int x86_probe_linear(struct vcpu *v, uint64_t linear, size_t len, unsigned int access)
{
	struct x86_paging p;
	uint64_t gpa;
	size_t first = chunk_of(linear, len);
	int rc;

	x86_paging_of(v, &p);
	rc = translate(v, &p, linear, access, &gpa, true);
	if (!rc && first < len)
		rc = translate(v, &p, linear + first, access, &gpa, true);
	return rc;
}

size_t x86_fetch_code(struct vcpu *v, uint64_t linear, uint8_t *bytes, size_t max)
{
	unsigned int access = X86_ACCESS_FETCH | (x86_get_cpl(v) == 3 ? X86_ACCESS_USER : 0);
	struct x86_paging p;
	size_t got = 0;

	/*
	 * Page by page: an instruction may end right before an unmapped page.
	 * No #PF from here: the processor has just fetched these bytes.
	 */
	x86_paging_of(v, &p);
	while (got < max) {
		size_t chunk = chunk_of(linear + got, max - got);
		uint64_t gpa;

		if (translate(v, &p, linear + got, access, &gpa, false) ||
		    x86_read_guest_physical(v, gpa, bytes + got, chunk))
			break;
		got += chunk;
	}
	return got;
}
