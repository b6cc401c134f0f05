/* SPDX-License-Identifier: MIT */
/*
 * A flash bank of a VM: the CFI model of <pflash/pflash.h> on memory of
 * the hypervisor, mapped so that firmware runs from it at full speed.
 *
 * While the bank is in read-array mode its memory is mapped into the
 * guest read-only (reads and instruction fetches never exit); writes,
 * which are flash commands, fault and reach the pflash model through the
 * VM's bus.  A command that leaves read-array mode (read status, CFI
 * query, ...) removes the mapping, so that every read traps and sees the
 * mode; the return to read-array mode maps the memory again.
 *
 * Used by the aarch64 virt machine (two 64 MiB banks at 0) and by the x86
 * PC boards (code and variables ending at 4 GiB).  The bank's contents
 * outlive resets: vm_flash_reset() only returns it to read-array mode,
 * as a power-on of the chips would, so variables written by the guest
 * are there after a reset.
 */
#ifndef VM_FLASH_H
#define VM_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bus/vclock.h>

struct vm;
struct pflash;
struct blockdev;

struct vm_flash_config {
	const char *name;            /* in messages and the bus: "pflash0-code" */
	uint64_t gpa;                /* guest-physical base, page aligned       */
	uint64_t size;               /* bank size, pages; >= image_size         */
	uint32_t block_size;         /* erase block of the bank                 */
	unsigned int bank_width;     /* <pflash/pflash.h>                       */
	unsigned int device_width;
	bool read_only;              /* firmware code                          */
	const void *image;           /* initial contents (may be NULL)          */
	size_t image_size;           /* the rest of the bank reads erased, 0xFF */
	/* Where in the bank the image starts: 0, or size - image_size to put
	 * it at the top (an x86 bank ends at 4 GiB with its reset vector). */
	bool image_at_top;
	/*
	 * "host:<partition>" (firmware-vars = host:...): the bank's contents
	 * are that partition of the host disk (docs/persistence.md) instead
	 * of the image, and every program and erase is written back to it
	 * before the chip reports ready.  NULL: the bank lives in memory.
	 */
	const char *host_store;
};

struct vm_flash {
	struct vm *vm;
	const char *name;
	uint64_t gpa, size;
	uint8_t *mem;
	struct pflash *flash;
	struct blockdev *store;      /* the host partition it is kept in, or NULL */
	bool mapped;
	uint64_t mode_switches;      /* times the mapping changed              */
	/* Mapping it again is rationed (flash_update() in flash.c). */
	bool want_mapped;            /* the bank is in read-array mode        */
	uint64_t window_start;       /* VM ns: the current one-second window */
	unsigned int maps_in_window;
	struct vtimer remap_timer;
};

/*
 * Allocates the bank's memory (2 MiB aligned when it is a multiple of
 * 2 MiB, for large EPT/stage-2 pages), fills it with the image, creates
 * the pflash model on the VM's bus and maps it.  0, or a negative errno
 * with one log line; on error vm_flash_destroy() releases what was made.
 */
int vm_flash_create(struct vm_flash *f, struct vm *vm, const struct vm_flash_config *cfg);
/* System reset: read-array mode and mapped; the contents stay. */
void vm_flash_reset(struct vm_flash *f);
void vm_flash_destroy(struct vm_flash *f);
/*
 * An access at addr the vCPU backend cannot perform (aarch64: a load or
 * store pair, without syndrome) found nothing mapped there.  If addr is
 * in one of the VM's banks in read-array mode whose mapping was held back
 * (rationed: flash_update() in flash.c), the bank is mapped now, whatever
 * the ration, and true says "run the instruction again".  Under the
 * VM's device lock.
 */
bool vm_flash_map_on_demand(struct vm *vm, uint64_t addr);
/* The bank's memory (the flash array), or NULL. */
static inline uint8_t *vm_flash_memory(const struct vm_flash *f)
{
	return f->mem;
}

#endif
