/* SPDX-License-Identifier: MIT */
/*
 * ARM PrimeCell PL031 real-time clock: a 32-bit seconds counter with a
 * match interrupt, 4 KiB of MMIO (0x09010000, SPI 2 on the QEMU virt
 * board).
 *
 * The counter runs from a wall-clock time given at creation plus the VM's
 * struct vclock; writing LR loads it.  When the counter reaches MR the raw
 * interrupt (RIS) is set, and the line is high while RIS & IMSC.  Writing
 * ICR bit 0 clears RIS.
 *
 * Registers 0x000-0x01C take 32-bit accesses only; the bus rejects other
 * widths.  The identification block 0xFE0-0xFFC also answers byte reads,
 * because EDK2's PL031 library checks the IDs with MmioRead8.
 */
#ifndef PL031_PL031_H
#define PL031_PL031_H

#include <stdint.h>

struct bus;
struct vclock;
struct irq_line;

#define PL031_VIRT_BASE 0x09010000ull
#define PL031_VIRT_SPI  2
#define PL031_SIZE      0x1000

#define PL031_DR   0x000   /* data: the counter (read-only)           */
#define PL031_MR   0x004   /* match                                   */
#define PL031_LR   0x008   /* load: writing sets the counter          */
#define PL031_CR   0x00C   /* control: bit 0 start                    */
#define PL031_IMSC 0x010   /* interrupt mask set/clear: bit 0         */
#define PL031_RIS  0x014   /* raw interrupt status (read-only)        */
#define PL031_MIS  0x018   /* masked interrupt status (read-only)     */
#define PL031_ICR  0x01C   /* interrupt clear (write-only)            */
#define PL031_PERIPH_ID0 0xFE0  /* 0x31, 0x10, 0x14, 0x00 follow      */
#define PL031_PCELL_ID0  0xFF0  /* 0x0D, 0xF0, 0x05, 0xB1 follow      */

#define PL031_CR_START 0x1
#define PL031_INT      0x1

struct pl031;

/*
 * Creates the device at gpa (PL031_SIZE bytes) with the counter at
 * unix_seconds (truncated to 32 bits), started, interrupt masked.  NULL if
 * out of memory or the range is taken (reported).
 */
struct pl031 *pl031_create(struct bus *bus, uint64_t gpa, struct vclock *clock, uint64_t unix_seconds);
void pl031_destroy(struct pl031 *rtc);

/* A VM reset: mask, MR and RIS to 0, line low; the counter keeps running. */
void pl031_reset(struct pl031 *rtc);

/* The interrupt output; connect it with irq_line_connect(). */
struct irq_line *pl031_irq_line(struct pl031 *rtc);
/* The value DR would return now. */
uint32_t pl031_counter(const struct pl031 *rtc);

#endif
