/* SPDX-License-Identifier: MIT */
/*
 * CFI NOR flash with the Intel command set, in the two shapes UEFI
 * firmware expects:
 *
 *   OVMF (x86):   bank_width 1, device_width 1, 4 KiB blocks, ending at
 *                 4 GiB (vars below code).
 *   AAVMF (virt): bank_width 4, device_width 2: two x16 chips side by
 *                 side on a 32-bit bus, so every command is doubled
 *                 (0x00FF00FF) and status reads 0x00800080; 256 KiB
 *                 blocks (128 KiB per chip).
 *
 * The caller provides the backing memory; it is the flash array.  In
 * read-array mode reads are plain memory reads of it, so the VM may map
 * the backing memory into the guest (read-only: writes are commands and
 * must still reach pflash through the bus) and trap only while the bank
 * is in another read mode.  pflash_is_array_mode() and the mode_changed
 * callback tell it when to switch.
 *
 * Commands (all on bank-wide, bank-aligned writes; every chip of the
 * bank must get the same command):
 *   0xFF / 0xF0  read array          0x70  read status
 *   0x50         clear status        0x90  read identifier
 *   0x98         CFI query           0x10 / 0x40 + data  program
 *   0x20 + 0xD0  block erase         0xE8 + count + data + 0xD0  buffered program
 *   0x60 + 0x01 / 0xD0  lock / unlock block (0x2F lock-down = lock)
 * Operations complete instantly in memory; with a store (persistent
 * flash) the chip stays busy (status bit 7 clear) until the change is on
 * the store.  Status bits: 7 ready, 5 erase error, 4
 * program error, 1 block locked; both 5 and 4 mean an improper command
 * sequence.  Programming only clears bits, as on NOR.
 *
 * Two behaviours follow QEMU's pflash_cfi01, which OVMF and AAVMF are
 * written against: Clear Status (0x50) clears the whole status register
 * including the ready bit, which the next operation sets again (OVMF's
 * probe reads status 0x00 after it to recognise flash), and returns to
 * read-array mode.  A read-only bank refuses program (status 0x90) and
 * erase (0xA0) and leaves the data unchanged.
 *
 * Invalid or unsupported sequences set status bits 5 and 4, return to
 * read-array mode and are reported (rate-limited).  Accesses that are not
 * bank-wide and bank-aligned writes are reported and ignored.
 */
#ifndef PFLASH_PFLASH_H
#define PFLASH_PFLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <blockdev/blockdev.h>
#include <bus/bus.h>

#define PFLASH_MANUFACTURER_INTEL 0x89
#define PFLASH_DEVICE_ID          0x18

/* Write buffer of one chip (as on Intel P30 parts). */
#define PFLASH_WRITE_BUFFER_BYTES_PER_CHIP 64

#define PFLASH_STATUS_READY     0x80
#define PFLASH_STATUS_ERASE_ERR 0x20
#define PFLASH_STATUS_PROG_ERR  0x10
#define PFLASH_STATUS_VPP_ERR   0x08
#define PFLASH_STATUS_LOCKED    0x02

struct pflash_config {
	const char *name;          /* used in messages                     */
	uint64_t base;             /* guest-physical address               */
	uint8_t *mem;              /* backing memory = the flash array     */
	uint64_t size;             /* bytes; a multiple of block_size      */
	uint32_t block_size;       /* erase block of the whole bank, bytes */
	unsigned bank_width;       /* bus width in bytes: 1, 2 or 4        */
	unsigned device_width;     /* one chip's width: 1 or 2, <= bank    */
	bool read_only;            /* code: program/erase fail             */
	/*
	 * Persistent flash (NULL: the bank lives in memory only): the first
	 * store->size bytes of the bank are kept on this block device.  The
	 * caller loads them into mem before creating the bank; every program
	 * or erase is then written there and flushed before the status
	 * register shows "ready" again, as a real chip is busy until the
	 * cells hold the data.  Completions must come under the lock the
	 * bank's register accesses run under.
	 */
	struct blockdev *store;
	/* Called whenever the bank enters or leaves read-array mode. */
	void (*mode_changed)(void *ctx, bool array_mode);
	void *ctx;
};

struct pflash;

/*
 * Creates a bank and registers it as MMIO on bus.  NULL (with an error
 * message) if the configuration is inconsistent, out of memory, or the
 * range is taken.  The bank starts in read-array mode, all blocks
 * unlocked, status 0x80.
 */
struct pflash *pflash_create(struct bus *bus, const struct pflash_config *config);
void pflash_destroy(struct pflash *flash);
/* Read-array mode, status ready, pending commands dropped; locks kept. */
void pflash_reset(struct pflash *flash);

bool pflash_is_array_mode(const struct pflash *flash);
/* The status register of one chip. */
uint8_t pflash_status(const struct pflash *flash);
/* Whether the block holding offset (from the bank's base) is locked. */
bool pflash_block_locked(const struct pflash *flash, uint64_t offset);
/* Whether a program or erase is still being written to the store. */
bool pflash_busy(const struct pflash *flash);
/* Writes to the store so far, and those that failed. */
uint64_t pflash_store_writes(const struct pflash *flash);
uint64_t pflash_store_errors(const struct pflash *flash);

#endif
