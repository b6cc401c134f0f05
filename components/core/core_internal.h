/* SPDX-License-Identifier: MIT */
/* Glue between the files of the core component; not a public interface. */
#ifndef CORE_INTERNAL_H
#define CORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <core/bootinfo.h>

/* percpu.c: fills the per-CPU records from the boot information. */
void percpu_setup(const struct boot_info *bi);

/* kmem.c: hands RAM minus reserved ranges to the global allocators. */
void kmem_init(const struct boot_info *bi);

/* bootfs.c: indexes the regular files of the boot archive. */
void bootfs_init(const void *archive, size_t size);

/* main.c: the "poweroff" command-line flag. */
bool kernel_poweroff_requested(void);

/* smp.c: asks every other online CPU to halt, without waiting. */
void smp_stop_others(void);

#endif
