/* SPDX-License-Identifier: MIT */
/* The pc memory map and its e820 table (see <pc/layout.h>). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <pc/layout.h>

int pc_plan_memory(uint64_t memory, uint64_t bios_size, struct pc_memory_layout *out,
		   char *err, size_t err_len)
{
	memset(out, 0, sizeof(*out));
	if (bios_size && (bios_size % PC_BIOS_ALIGN || bios_size > PC_BIOS_MAX_SIZE)) {
		snprintf(err, err_len, "is %llu bytes; a BIOS image must be a multiple of 64 KiB, "
			 "at most 16 MiB", (unsigned long long)bios_size);
		return -EINVAL;
	}
	if (memory >= PC_LOWMEM_MAX) {
		out->below_4g = PC_LOWMEM_SPLIT;
		out->above_4g = memory - PC_LOWMEM_SPLIT;
	} else {
		out->below_4g = memory;
	}
	out->bios_size = bios_size;
	out->bios_base = bios_size ? PC_4G - bios_size : 0;
	return 0;
}

static void put_le(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static unsigned int add_entry(uint8_t *buf, unsigned int n, unsigned int max, uint64_t addr,
			      uint64_t len, uint32_t type)
{
	if (n >= max)
		return n;
	put_le(buf + n * PC_E820_ENTRY_SIZE, addr, 8);
	put_le(buf + n * PC_E820_ENTRY_SIZE + 8, len, 8);
	put_le(buf + n * PC_E820_ENTRY_SIZE + 16, type, 4);
	return n + 1;
}

unsigned int pc_build_e820(const struct pc_memory_layout *layout, uint8_t *buf,
			   unsigned int max_entries)
{
	unsigned int n = 0;

	/* Whole RAM ranges as QEMU gives them (SeaBIOS carves out its EBDA and
	 * tables), and the BIOS image below 4 GiB reserved. */
	n = add_entry(buf, n, max_entries, 0, layout->below_4g, E820_RAM);
	if (layout->bios_size)
		n = add_entry(buf, n, max_entries, layout->bios_base, layout->bios_size,
			      E820_RESERVED);
	if (layout->above_4g)
		n = add_entry(buf, n, max_entries, PC_4G, layout->above_4g, E820_RAM);
	return n;
}
