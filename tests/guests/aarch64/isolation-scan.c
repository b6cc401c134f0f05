/* SPDX-License-Identifier: MIT */
/*
 * aarch64/isolation: a VM reads the whole guest-physical address space it
 * can name while a victim VM (victim.c) fills its own RAM with a pattern.
 * What it may see: its own RAM (its image, its device tree, zeros: the
 * hypervisor gives a VM cleared memory), its devices' registers, or a
 * data abort where nothing is (the external abort the hypervisor injects
 * for unassigned space, or its own CPU's abort above the physical address
 * size).  It must never see the victim's pattern, nor anything in
 * RAM it did not get from its own boot.
 *
 *   its RAM               every 64-bit word, 64 MiB at 0x40000000
 *   below RAM             every 64 KiB (devices, the empty flash area)
 *   RAM end .. 4 GiB      every 2 MiB
 *   4 GiB .. 1 TiB        every 1 GiB
 *   1 TiB .. 2^52         every power of two (an abort of its own above
 *                         its physical address size)
 */
#include <guest.h>

#define RAM_BASE     0x40000000ul
#define RAM_SIZE     (64ul << 20)
#define IMAGE_END    0x40400000ul              /* image, .bss and stacks below */
#define VICTIM_TOP   0x56494354494dull         /* victim.c's magic >> 16 */
#define EC_DABT_CUR  0x25

static unsigned long long sightings, reads, nonzero_pages;

static void look(uint64_t address, uint64_t value)
{
	reads++;
	if ((value >> 16) == VICTIM_TOP || (value & 0xFFFFFFFFFFFF0000ull) == VICTIM_TOP << 16) {
		if (sightings++ < 8)
			guest_printf("FAIL: scan: the victim's pattern 0x%llx at 0x%llx\n",
				     (unsigned long long)value, (unsigned long long)address);
	}
}

static void read_one(void *arg)
{
	uint64_t *a = arg;

	a[1] = guest_mmio_read((uintptr_t)a[0], 8);
}

/* One read that may take a data abort (nothing there). */
static bool probe(uint64_t address, uint64_t *value)
{
	uint64_t a[2] = { address, 0 };
	struct guest_fault f;
	int code = guest_try(read_one, a, &f);

	if (code >= 0) {
		if (code != EC_DABT_CUR)
			guest_fail("scan: exception class 0x%x reading 0x%llx", (unsigned)code,
				   (unsigned long long)address);
		return false;
	}
	*value = a[1];
	return true;
}

void guest_main(void)
{
	uint64_t v, aborts = 0, not_ones = 0;

	guest_printf("scan: reading the guest-physical address space\n");
	/* Own RAM above the image: the device tree and zeros only. */
	for (uintptr_t page = IMAGE_END; page < RAM_BASE + RAM_SIZE; page += 4096) {
		bool nonzero = false;

		for (uintptr_t a = page; a < page + 4096; a += 8) {
			v = *(volatile uint64_t *)a;
			look(a, v);
			nonzero |= v != 0;
		}
		nonzero_pages += nonzero;
	}
	guest_printf("scan: RAM: %llu pages above the image hold data (its device tree)\n",
		     nonzero_pages);
	for (uint64_t a = 0; a < RAM_BASE; a += 0x10000) {
		if (probe(a, &v))
			look(a, v);
	}
	for (uint64_t a = RAM_BASE + RAM_SIZE; a < (4ull << 30); a += 2ull << 20) {
		if (!probe(a, &v)) {
			aborts++;
			continue;
		}
		look(a, v);
		not_ones += v != ~0ull;
	}
	for (uint64_t a = 4ull << 30; a < (1ull << 40); a += 1ull << 30) {
		if (!probe(a, &v)) {
			aborts++;
			continue;
		}
		look(a, v);
		not_ones += v != ~0ull;
	}
	for (unsigned int bit = 40; bit < 52; bit++) {
		if (!probe(1ull << bit, &v)) {
			aborts++;
			continue;
		}
		look(1ull << bit, v);
		not_ones += v != ~0ull;
	}
	guest_printf("scan: %llu reads; above RAM: %llu not all-ones, %llu aborts\n",
		     reads, (unsigned long long)not_ones, (unsigned long long)aborts);
	if (nonzero_pages > 64)
		guest_fail("scan: %llu pages of RAM it never wrote hold data", nonzero_pages);
	if (not_ones)
		guest_fail("scan: %llu reads above RAM returned data", (unsigned long long)not_ones);
	if (sightings)
		guest_fail("scan: saw the victim's pattern %llu times", sightings);
	guest_printf("scan: passed: nothing of the victim, nothing of the hypervisor\n");
}
