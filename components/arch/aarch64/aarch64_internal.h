/* SPDX-License-Identifier: MIT */
/* Shared between the files of the aarch64 component only. */
#ifndef AARCH64_INTERNAL_H
#define AARCH64_INTERNAL_H

/* Offsets used by head.S; boot.c checks them against the C structs. */
#define PERCPU_STACK_TOP_OFFSET 32
#define MMU_CONFIG_MAIR   0
#define MMU_CONFIG_TCR    8
#define MMU_CONFIG_TTBR   16
#define MMU_CONFIG_SCTLR  24

#define EXCEPTION_FRAME_SIZE 288

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>
#include <aarch64/aarch64.h>
#include <aarch64/fdt.h>
#include <core/bootinfo.h>
#include <core/percpu.h>

/* The translation set-up every CPU loads before turning its MMU on. */
struct mmu_config {
	uint64_t mair;
	uint64_t tcr;
	uint64_t ttbr;
	uint64_t sctlr;
};
extern struct mmu_config aarch64_mmu_config;

/* Linker script symbols. */
extern char __image_start[], __image_end[];

/* head.S */
extern char aarch64_secondary_entry[];
extern char aarch64_el2_vectors[];

/* boot.c */
__attribute__((noreturn)) void aarch64_boot_primary(const void *dtb, uint64_t from_el3);
__attribute__((noreturn)) void aarch64_boot_wrong_el(const void *dtb, uint64_t el);
__attribute__((noreturn)) void aarch64_secondary_main(struct percpu *cpu);
bool aarch64_entered_from_el3(void);

/* platform.c: reading the DTB */
void platform_scan(const struct fdt *fdt, struct aarch64_platform *plat);
void platform_fill_bootinfo(const struct fdt *fdt, struct boot_info *bi);
/* Calls fn for every device range the DTB names (children of the root). */
void platform_for_each_device(const struct fdt *fdt,
			      void (*fn)(uint64_t base, uint64_t size, void *ctx), void *ctx);
extern struct aarch64_platform aarch64_platform_info;

/* mmu.c: builds the identity map and turns the MMU on (boot CPU). */
int mmu_init(const struct fdt *fdt, const struct boot_info *bi, const char **why);
unsigned int mmu_table_pages_used(void);

/* pl011.c */
void pl011_early_init(uint64_t base);
/* Writes straight to the UART, no lock, "\n" -> "\r\n": early and fatal paths. */
void pl011_emergency_write(const char *s, size_t len);
void pl011_emergency_puts(const char *s);
void pl011_register_console(void);

/* gic.c */
void gic_probe(struct aarch64_gic *gic);
/* Drives the GICv3 from EL2 on the calling CPU (the distributor on the first call). */
int gic_init_cpu(void);

/* psci.c */
void psci_set_conduit(enum psci_conduit conduit);
const char *psci_error_name(int64_t ret);

/* timer.c */
void timer_init(uint64_t dtb_frequency);
uint64_t timer_frequency(void);

/* exception.c */
void aarch64_exception_entry(struct exception_frame *frame, uint64_t vector);

#endif
#endif
