/* SPDX-License-Identifier: MIT */
#include <core/percpu.h>

#include <core/bootinfo.h>
#include "core_internal.h"

struct percpu percpu_table[MAX_CPUS];

static unsigned int cpus_possible = 1;

/*
 * The architecture may already have filled parts of CPU 0's record (self,
 * stack, arch) to make this_cpu() work before kernel_main(); only the
 * fields that come from the boot information are set here.
 */
void percpu_setup(const struct boot_info *bi)
{
	unsigned int count = bi->cpu_count;

	if (count == 0)
		count = 1;
	if (count > MAX_CPUS)
		count = MAX_CPUS;
	for (unsigned int i = 0; i < count; i++) {
		percpu_table[i].self = &percpu_table[i];
		percpu_table[i].id = i;
		percpu_table[i].hw_id = bi->cpu_hw_id[i];
	}
	cpus_possible = count;
	percpu_table[0].online = true;
}

unsigned int cpu_possible_count(void)
{
	return cpus_possible;
}

unsigned int cpu_online_count(void)
{
	unsigned int online = 0;

	for (unsigned int i = 0; i < cpus_possible; i++)
		online += percpu_table[i].online ? 1 : 0;
	return online;
}
