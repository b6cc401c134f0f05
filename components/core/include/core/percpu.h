/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU data.  CPU 0 is the boot CPU; the others are numbered in the
 * order the boot information lists them.  Each CPU finds its own record
 * through this_cpu(), which the architecture implements with a register
 * that is private to the CPU (GS base on x86_64, TPIDR_EL2 on aarch64).
 */
#ifndef CORE_PERCPU_H
#define CORE_PERCPU_H

#include <stdbool.h>
#include <stdint.h>
#include <generated/autoconf.h>

#define MAX_CPUS CONFIG_MAX_CPUS

struct percpu {
	struct percpu *self;    /* first member: arch code loads it directly */
	unsigned int id;        /* 0 .. MAX_CPUS-1                          */
	uint64_t hw_id;         /* local APIC id / MPIDR affinity            */
	volatile bool online;
	uintptr_t stack_top;
	void *arch;             /* architecture-private per-CPU state        */
	void *vcpu;             /* the vCPU this CPU is running, if any      */
};

extern struct percpu percpu_table[MAX_CPUS];

struct percpu *this_cpu(void);

static inline struct percpu *percpu_get(unsigned int id)
{
	return id < MAX_CPUS ? &percpu_table[id] : (struct percpu *)0;
}

/* CPUs found in the boot information / CPUs that reached kernel code. */
unsigned int cpu_possible_count(void);
unsigned int cpu_online_count(void);

#define for_each_possible_cpu(c)                                         \
	for (struct percpu *c = percpu_table; c < percpu_table + cpu_possible_count(); c++)

#endif
