/* SPDX-License-Identifier: MIT */
/*
 * Guest memory as seen by DMA-capable devices (fw_cfg DMA, virtio).
 * Every access names a guest-physical range of RAM: guest_mem_ptr() wants
 * it inside one region, the copies may run on into an adjacent region
 * (a VM's RAM can be made of several host blocks).  Anything else (MMIO, holes, ranges
 * that wrap around the top of the address space) fails cleanly with
 * -EFAULT and the device reports a DMA error to the guest.
 */
#ifndef BUS_GUEST_MEM_H
#define BUS_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_MEM_MAX_REGIONS 32

struct guest_mem_region {
	uint64_t gpa;        /* guest-physical start                      */
	uint64_t size;
	void *hva;           /* where the hypervisor sees it              */
	bool read_only;      /* ROM: DMA writes fail                      */
};

struct guest_mem {
	struct guest_mem_region region[GUEST_MEM_MAX_REGIONS];
	unsigned count;
};

void guest_mem_init(struct guest_mem *gm);
/* Adds RAM; -EINVAL if it overlaps another region, wraps or is full. */
int guest_mem_add(struct guest_mem *gm, uint64_t gpa, uint64_t size, void *hva, bool read_only);

/* Host pointer to [gpa, gpa+len) if it is all inside one region, else NULL. */
void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len, bool write);
/* Copies, across adjacent regions; 0 or -EFAULT (nothing is copied on failure). */
int guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst, uint64_t len);
int guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *src, uint64_t len);

#endif
