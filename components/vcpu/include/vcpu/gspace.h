/* SPDX-License-Identifier: MIT */
/*
 * A guest-physical address space: what a VM's vCPUs see as "physical
 * memory".  The hardware translates guest-physical addresses (GPA, on arm
 * called IPA) to host-physical ones through a second set of page tables
 * owned by the hypervisor: stage 2 on aarch64 (VTTBR_EL2), EPT on x86_64
 * (the EPT pointer in the VMCS).  An access to a GPA that is not mapped
 * leaves the guest (a stage-2 data abort / an EPT violation); the vCPU
 * backend turns it into an MMIO exit for the VM's device bus.
 *
 * The granule is 4 KiB; gspace_map() uses 2 MiB and 1 GiB blocks where
 * the guest- and host-physical addresses and the size allow it.  Table
 * pages come from the hypervisor's page allocator (page_alloc).
 */
#ifndef VCPU_GSPACE_H
#define VCPU_GSPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Access rights of a mapping (any combination; 0 is refused). */
#define GSPACE_READ  (1u << 0)
#define GSPACE_WRITE (1u << 1)
#define GSPACE_EXEC  (1u << 2)
#define GSPACE_RWX   (GSPACE_READ | GSPACE_WRITE | GSPACE_EXEC)

enum gspace_memtype {
	GSPACE_MEM_NORMAL = 0,  /* RAM: write-back cacheable                   */
	GSPACE_MEM_DEVICE = 1,  /* a passed-through device: uncached, ordered  */
};

struct gspace;

/* An empty address space (nothing mapped).  NULL when out of memory. */
struct gspace *gspace_create(void);
/* Frees the tables (not the memory they mapped) and the address space id. */
void gspace_destroy(struct gspace *gs);

/*
 * Maps [gpa, gpa+size) to [hpa, hpa+size).  All three must be multiples of
 * 4 KiB, size > 0, both ranges inside what the hardware can address, and
 * nothing in the guest range may be mapped yet.  0, -EINVAL (bad
 * arguments), -EEXIST (overlap) or -ENOMEM; on failure nothing is mapped.
 */
int gspace_map(struct gspace *gs, uint64_t gpa, uint64_t hpa, uint64_t size,
	       unsigned int access, enum gspace_memtype type);

/*
 * Removes every mapping inside [gpa, gpa+size) (4 KiB multiples; a large
 * block only partly inside is split first) and invalidates the TLBs.
 * 0, -EINVAL or -ENOMEM (a split needed a table page).  On aarch64 the
 * invalidation has reached every CPU when this returns; on x86 (INVEPT is
 * per CPU) each CPU invalidates before its next guest entry, and CPUs in
 * the guest are kicked out of it.  Table pages are freed only once no CPU
 * can walk them (components/vcpu/pgtable.c).
 */
int gspace_unmap(struct gspace *gs, uint64_t gpa, uint64_t size);

/*
 * The host-physical address of gpa, with the mapping's access rights and
 * type when the pointers are not NULL.  false when gpa is not mapped.
 */
bool gspace_translate(const struct gspace *gs, uint64_t gpa, uint64_t *hpa,
		      unsigned int *access, enum gspace_memtype *type);

/*
 * Copies len bytes into guest memory at gpa (which must be mapped Normal
 * memory all along) and makes them visible to a guest that runs with its
 * MMU and caches off and may execute them (aarch64: data cache cleaned to
 * the point of coherency, instruction cache invalidated).  How loaders put
 * code and data into a guest.  0, or -EFAULT when part of the range is not
 * guest RAM (nothing is copied then).
 */
int gspace_write(struct gspace *gs, uint64_t gpa, const void *src, size_t len);

/* Highest guest-physical address + 1 this address space can map. */
uint64_t gspace_limit(const struct gspace *gs);

/* Table pages in use (for reports and tests). */
size_t gspace_table_pages(const struct gspace *gs);

#endif
