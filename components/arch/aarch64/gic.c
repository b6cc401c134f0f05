/* SPDX-License-Identifier: MIT */
/*
 * Finds out which GIC the machine has.  The DTB names the programming
 * interface (compatible) and its addresses; the distributor's PIDR2.ArchRev
 * confirms the architecture version.  The hypervisor itself takes no
 * interrupts yet, so nothing is programmed here.
 */
#include "aarch64_internal.h"

#include <stdio.h>

#define GICD_PIDR2_V3 0xffe8
#define GICD_PIDR2_V2 0xfe8
#define GIC_PIDR2_ARCHREV(v) (((v) >> 4) & 0xf)

static char gic_description[96];

void gic_probe(struct aarch64_gic *gic)
{
	uint64_t offset = gic->version == 3 ? GICD_PIDR2_V3 : GICD_PIDR2_V2;

	if (gic->version == 0) {
		snprintf(gic_description, sizeof(gic_description), "no GIC found in the DTB");
		return;
	}
	if (gic->dist_size > offset)
		gic->arch_rev = GIC_PIDR2_ARCHREV(
			*(volatile uint32_t *)(uintptr_t)(gic->dist_base + offset));
	if (gic->version == 3)
		snprintf(gic_description, sizeof(gic_description),
			 "GICv%u at 0x%08llx (%s, ArchRev %u, redistributors at 0x%08llx)",
			 gic->arch_rev >= 3 ? gic->arch_rev : 3,
			 (unsigned long long)gic->dist_base, gic->compatible, gic->arch_rev,
			 (unsigned long long)gic->redist_base[0]);
	else
		snprintf(gic_description, sizeof(gic_description),
			 "GICv2 at 0x%08llx (%s, ArchRev %u, CPU interface at 0x%08llx)",
			 (unsigned long long)gic->dist_base, gic->compatible, gic->arch_rev,
			 (unsigned long long)gic->cpu_base);
}

const char *aarch64_gic_describe(void)
{
	return gic_description[0] ? gic_description : "no GIC probed";
}
