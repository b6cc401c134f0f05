/* SPDX-License-Identifier: MIT */
/*
 * Random instruction bytes, modes and registers through the decoder and
 * the emulator.  Besides the sanitizers (the instruction bytes are the
 * tail of the input buffer, so any read past them is caught), it checks:
 *   - a decoded instruction is 1..15 bytes and no longer than its input,
 *   - a refusal always carries a reason,
 *   - every device access is MMIO, of width 1, 2, 4 or 8, in the faulting
 *     page, and at most one page's worth of them per instruction,
 *   - guest-memory transfers have a width of 1, 2, 4 or 8.
 *
 * Input: config byte (mode: bits 1:0, paging: bit 2, DF: bit 3, fault on
 * write: bit 4, fault address from the operand: bit 5), 16 register
 * bytes, 2 fault-address bytes, then the instruction bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <x86emu/x86emu.h>

#define HEADER 19

struct fuzz_state {
	uint64_t fault_page;
	unsigned accesses;
};

static int fuzz_access(void *ctx, struct bus_access *acc)
{
	struct fuzz_state *s = ctx;

	if (acc->space != BUS_SPACE_MMIO)
		abort();
	if (acc->width != 1 && acc->width != 2 && acc->width != 4 && acc->width != 8)
		abort();
	if ((acc->addr >> 12) != s->fault_page)
		abort();
	if (++s->accesses > 2 * 4096)
		abort();
	if (acc->dir == BUS_READ)
		acc->data = 0x8040201008040201ull * s->accesses;
	return 0;
}

static int fuzz_read_mem(void *ctx, uint64_t linear, void *dst, unsigned len)
{
	(void)ctx;
	if (len != 1 && len != 2 && len != 4 && len != 8)
		abort();
	memset(dst, (int)(linear & 0xFF), len);
	return linear % 97 == 0 ? -14 : 0;
}

static int fuzz_write_mem(void *ctx, uint64_t linear, const void *src, unsigned len)
{
	(void)ctx;
	(void)linear;
	(void)src;
	if (len != 1 && len != 2 && len != 4 && len != 8)
		abort();
	return 0;
}

/* Register values from one byte each: small counts, addresses, all-ones. */
static uint64_t register_from_seed(uint8_t seed)
{
	switch (seed >> 6) {
	case 0: return seed & 0x3F;
	case 1: return 0xfee00000ull + ((uint64_t)(seed & 0x3F) << 4);
	case 2: return 0xffffc90000000ff0ull + (seed & 0x3F);
	default: return ~0ull - (seed & 0x3F);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_state state = { 0 };
	struct x86emu_ops ops = { .ctx = &state, .access = fuzz_access,
				  .read_mem = fuzz_read_mem, .write_mem = fuzz_write_mem };
	struct x86_regs regs = { 0 };
	struct x86_insn insn;
	uint64_t gpa;
	bool write;
	int err;

	if (size < HEADER)
		return 0;
	enum x86_mode mode = (enum x86_mode)(data[0] & 3);
	regs.cr0 = X86_CR0_PE | ((data[0] & 4) ? X86_CR0_PG : 0);
	regs.rflags = 2 | ((data[0] & 8) ? X86_RFLAGS_DF : 0);
	write = data[0] & 0x10;
	for (unsigned i = 0; i < X86_GPR_COUNT; i++)
		regs.gpr[i] = register_from_seed(data[1 + i]);
	for (unsigned i = 0; i < X86_SEG_COUNT; i++)
		regs.seg_base[i] = (uint64_t)data[1 + i] << 4;
	regs.rip = 0xfff0;
	gpa = 0xfe000000ull | ((uint64_t)data[17] << 12) | data[18];

	err = x86_decode(data + HEADER, size - HEADER, mode, &insn);
	if (err) {
		if (!insn.error)
			abort();
		return 0;
	}
	if (insn.len < 1 || insn.len > 15 || insn.len > size - HEADER)
		abort();
	/* Half the time, let the fault address match the operand. */
	if (data[0] & 0x20) {
		uint64_t linear = x86_insn_linear_address(&insn, &regs, write);

		gpa = (regs.cr0 & X86_CR0_PG) ? (gpa & ~0xFFFull) | (linear & 0xFFF) : linear;
	}
	state.fault_page = gpa >> 12;
	err = x86_emulate_mmio(&insn, &regs, gpa, write, &ops);
	if (err && !insn.error)
		abort();
	return 0;
}
