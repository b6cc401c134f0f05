/* SPDX-License-Identifier: MIT */
/* The pc memory map and its e820 table (see <pc/layout.h>). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <pc/layout.h>

int pc_plan_memory(uint64_t memory, uint64_t ram_below_4g, uint64_t bios_size,
		   uint64_t vars_size, struct pc_memory_layout *out, char *err, size_t err_len)
{
	static const struct pc_lowmem_rule pc = PC_LOWMEM_RULE_PC;

	return pc_plan_memory_rule(&pc, memory, ram_below_4g, bios_size, vars_size, out, err,
				   err_len);
}

int pc_plan_memory_rule(const struct pc_lowmem_rule *rule, uint64_t memory,
			uint64_t ram_below_4g, uint64_t bios_size, uint64_t vars_size,
			struct pc_memory_layout *out, char *err, size_t err_len)
{
	bool whole = bios_size && !vars_size && bios_size % PC_BIOS_ALIGN == 0;
	bool split = bios_size && vars_size && bios_size % PC_FLASH_SECTOR == 0 &&
		     vars_size % PC_FLASH_SECTOR == 0;

	memset(out, 0, sizeof(*out));
	if (vars_size && !bios_size) {
		snprintf(err, err_len, "firmware-vars needs a firmware image");
		return -EINVAL;
	}
	if (bios_size && (!(whole || split) || bios_size + vars_size > PC_BIOS_MAX_SIZE)) {
		snprintf(err, err_len, "is %llu bytes%s%llu bytes of variables; accepted are a "
			 "firmware alone that is a multiple of 64 KiB (SeaBIOS bios-256k.bin, "
			 "OVMF.fd) or a firmware with firmware-vars, each a multiple of 4 KiB "
			 "(OVMF_CODE_4M.fd with OVMF_VARS_4M.fd), at most 16 MiB together",
			 (unsigned long long)bios_size, vars_size ? " with " : " and ",
			 (unsigned long long)vars_size);
		return -EINVAL;
	}
	/*
	 * QEMU's pc_piix.c: the split is max-ram-below-4g (default 3.5 GiB);
	 * a machine that reaches it keeps at most 3 GiB low (gigabyte
	 * alignment), the rest goes above 4 GiB.  pc_q35.c: likewise with
	 * 2.75 GiB and 2 GiB.
	 */
	uint64_t lowmem = ram_below_4g && ram_below_4g < rule->max ? ram_below_4g : rule->max;

	if (memory >= lowmem && lowmem > rule->split)
		lowmem = rule->split;
	if (memory > lowmem) {
		out->below_4g = lowmem;
		out->above_4g = memory - lowmem;
	} else {
		out->below_4g = memory;
	}
	out->bios_size = bios_size;
	out->bios_base = bios_size ? PC_4G - bios_size : 0;
	out->vars_size = vars_size;
	out->vars_base = vars_size ? out->bios_base - vars_size : 0;
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

	/* Whole RAM ranges as QEMU gives them: SeaBIOS carves out its EBDA,
	 * tables and image, OVMF describes its flash itself. */
	n = add_entry(buf, n, max_entries, 0, layout->below_4g, E820_RAM);
	if (layout->above_4g)
		n = add_entry(buf, n, max_entries, PC_4G, layout->above_4g, E820_RAM);
	return n;
}
