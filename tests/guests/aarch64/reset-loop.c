/* SPDX-License-Identifier: MIT */
/*
 * aarch64/reset-loop: the VM resets itself 100 times (PSCI SYSTEM_RESET).
 * RAM is cleared by each reset; flash is not: the boot count is kept in
 * flash bank 1 (the variable store), one programmed word per boot, and a
 * block of it written on the first boot must read back unchanged on every
 * later one.  The hypervisor prints its free memory after the resets
 * (limited to resets 1-10, 16, 32, 64) and at the end; the test compares.
 */
#include <guest.h>

#define FLASH1          0x04000000ul
#define STORE           (FLASH1 + 0x40000)    /* the second 256 KiB block */
#define STORE_WORDS     1024u
#define RESETS          100u
#define PSCI_SYSTEM_RESET 0x84000009ul

/* Flash is read-array mapped memory or, between commands, a device: plain accesses only. */
static uint32_t flash_read(uintptr_t a)
{
	return (uint32_t)guest_mmio_read(a, 4);
}

static void flash_write(uintptr_t a, uint32_t v)
{
	guest_mmio_write(a, 4, v);
}

static uint32_t pattern(unsigned int i)
{
	return 0x5A5A0000u ^ (i * 0x01000193u);
}

/* Intel CFI word program on the 32-bit bank (two 16-bit chips side by side). */
static void program(uintptr_t where, uint32_t value)
{
	flash_write(where, 0x00400040);
	flash_write(where, value);
	while ((flash_read(where) & 0x00800080) != 0x00800080)
		;                                /* status: both chips ready */
	flash_write(where, 0x00500050);          /* clear status */
	flash_write(where, 0x00FF00FF);          /* read array */
}

static void reset(void)
{
	register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_RESET;

	__asm__ volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	guest_fail("SYSTEM_RESET returned %lld", (long long)x0);
}

void guest_main(void)
{
	unsigned int boots = 0;

	while (boots < RESETS + 8 && flash_read(FLASH1 + 4 * boots) != 0xFFFFFFFFu)
		boots++;
	if (boots == 0) {
		for (unsigned int i = 0; i < STORE_WORDS; i++)
			program(STORE + 4 * i, pattern(i));
	}
	for (unsigned int i = 0; i < STORE_WORDS; i++)
		if (flash_read(STORE + 4 * i) != pattern(i))
			guest_fail("reset-loop: boot %u: variable store word %u is 0x%x, not 0x%x",
				   boots, i, flash_read(STORE + 4 * i), pattern(i));
	if (boots >= RESETS) {
		guest_printf("reset-loop: %u resets, variable store intact\n", boots);
		guest_poweroff();
	}
	program(FLASH1 + 4 * boots, 0);
	guest_printf("reset-loop: boot %u, variable store intact, resetting\n", boots);
	reset();
}
