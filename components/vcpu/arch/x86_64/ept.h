/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 struct gspace and what ept.c needs from vcpu_vmx.c (the host
 * tests bring their own): apart from vmx_internal.h so that ept.c builds
 * on any host, without the VMX and x86 headers.
 */
#ifndef VCPU_EPT_H
#define VCPU_EPT_H

#include <stdbool.h>
#include <stdint.h>

#include "../../pgtable.h"

/* The address space: EPT tables (the walker's, pgtable.c) and the CPUID topology. */
struct gspace {
	struct pgtable pt;
	unsigned int vcpu_count;     /* highest vCPU index + 1 (CPUID topology) */
	uint64_t tsc_origin;         /* host TSC at its first vCPU's creation,
					where every vCPU's TSC starts (0: none yet) */
};

/* ept.c: the EPT pointer of the VMCS (root, write-back walks, 4 levels). */
uint64_t ept_pointer(const struct gspace *gs);

/* vcpu_vmx.c */
bool vmx_caps_init(void);
bool vmx_ept_has_2m(void);
bool vmx_ept_has_1g(void);
void vmx_invept_gspace(struct gspace *gs);   /* this CPU's cached entries of gs */
void vmx_kick_cpu(unsigned int cpu);         /* the kick IPI, not to this CPU  */

#endif
