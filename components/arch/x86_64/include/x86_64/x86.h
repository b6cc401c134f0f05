/* SPDX-License-Identifier: MIT */
/*
 * Interfaces between the files of the x86_64 arch component.  Nothing
 * outside components/arch/x86_64 needs these.
 */
#ifndef X86_64_X86_H
#define X86_64_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <core/bootinfo.h>
#include <core/percpu.h>

/* boot.S: the page tables every CPU runs on. */
extern uint64_t boot_pml4[512];
extern uint64_t boot_pdpt[512];
extern char __image_start[], __image_end[];
extern char boot_stack_top[];

/* Per-CPU descriptor tables and IST stack (cpu.c). */
void x86_cpu_init(struct percpu *cpu);
void x86_idt_init(void);

/* 16550 console (uart.c). */
void uart_init(void);
void uart_write_raw(const char *buf, size_t len);
void uart_flush(void);

/* TSC timer calibrated against the PIT (timer.c). */
void timer_calibrate(void);
uint64_t timer_tsc_hz(void);
void udelay(uint64_t us);

/* ACPI tables (acpi.c). */
const void *acpi_find_rsdp(const void *hint);
const void *acpi_find_table(const char *signature);
void acpi_init(const void *rsdp);
/* Fills bi->cpu_hw_id from the MADT, boot CPU first. */
void acpi_enumerate_cpus(struct boot_info *bi, uint32_t boot_apic_id);
/* PM1a control port and SLP_TYP for S5, from the FADT and DSDT. */
bool acpi_s5(uint16_t *pm1a_cnt, uint16_t *pm1b_cnt, uint8_t *slp_typ);

/* Local APIC (smp.c). */
uint32_t lapic_id(void);
void lapic_enable(void);
void lapic_eoi(void);
uint32_t x86_lapic_read(uint32_t reg);
void x86_lapic_write(uint32_t reg, uint32_t value);
/* Writes the ICR (command: delivery mode, vector...) and waits until it is sent. */
void x86_lapic_send_ipi(uint32_t apic_id, uint32_t command);

/* The host LAPIC timer's rate, measured against the TSC (wait.c). */
void lapic_timer_calibrate(void);

/* The real-mode trampoline (trampoline.S), copied to TRAMPOLINE_BASE. */
#define TRAMPOLINE_BASE 0x8000
extern char trampoline_start[], trampoline_end[];
extern char trampoline_cr3[], trampoline_stack[], trampoline_percpu[],
	trampoline_entry[];
void ap_entry64(void);

/* Extends the identity map to cover RAM above 4 GiB. */
void paging_map_ram(uint64_t end);

#endif
