/* SPDX-License-Identifier: MIT */
/*
 * x86 decoder and emulator for the instructions guests use on MMIO.
 * The decoder follows the order of the encoding (Intel SDM vol. 2,
 * chapter 2): legacy prefixes, REX, opcode, ModRM, SIB, displacement,
 * immediate.  The emulator computes the operand's linear address, checks
 * it against the faulting address, and turns the instruction into bus
 * accesses and register/flag updates.
 */
#include <errno.h>
#include <string.h>

/* By path: the vCPU's host tests compile this file in configurations without x86emu. */
#include "include/x86emu/x86emu.h"

#define PAGE_OFFSET_MASK 0xFFFull

/* ---- decoding ------------------------------------------------------------ */

struct decoder {
	const uint8_t *bytes;
	size_t avail;          /* min(len, 15): bytes we may look at        */
	size_t pos;
	struct x86_insn *insn;
};

static int decode_fail(struct decoder *d, const char *why)
{
	d->insn->error = why;
	return -EINVAL;
}

/* Next byte, or -EINVAL when the instruction runs past its bytes. */
static int fetch_byte(struct decoder *d, uint8_t *b)
{
	if (d->pos >= d->avail)
		return decode_fail(d, d->pos >= X86_MAX_INSN_LEN ?
				   "instruction longer than 15 bytes (#GP)" :
				   "instruction bytes end before the instruction does");
	*b = d->bytes[d->pos++];
	return 0;
}

/* A little-endian value of size bytes, sign-extended to 64 bits. */
static int fetch_signed(struct decoder *d, unsigned size, int64_t *value)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++) {
		uint8_t b;
		int err = fetch_byte(d, &b);

		if (err)
			return err;
		v |= (uint64_t)b << (8 * i);
	}
	if (size < 8 && (v >> (8 * size - 1)) & 1)
		v |= ~0ull << (8 * size);
	*value = (int64_t)v;
	return 0;
}

static int fetch_unsigned(struct decoder *d, unsigned size, uint64_t *value)
{
	int64_t v;
	int err = fetch_signed(d, size, &v);

	if (err)
		return err;
	*value = size < 8 ? (uint64_t)v & ((1ull << (8 * size)) - 1) : (uint64_t)v;
	return 0;
}

/* A register operand from a 4-bit register number (REX bit included). */
static struct x86_operand reg_operand(const struct x86_insn *insn, unsigned number, unsigned size)
{
	struct x86_operand op = { .kind = X86_OPND_REG, .size = (uint8_t)size, .reg = (uint8_t)number };

	/* Without REX, byte registers 4..7 are AH, CH, DH, BH. */
	if (size == 1 && !insn->rex && number >= 4 && number < 8) {
		op.reg = (uint8_t)(number - 4);
		op.high8 = true;
	}
	return op;
}

/* The 16-bit forms: [BX+SI], [BX+DI], [BP+SI], [BP+DI], [SI], [DI], [BP], [BX]. */
static int decode_modrm16(struct decoder *d, unsigned mod, unsigned rm)
{
	static const int8_t base16[8] = { X86_RBX, X86_RBX, X86_RBP, X86_RBP, X86_RSI, X86_RDI, X86_RBP, X86_RBX };
	static const int8_t index16[8] = { X86_RSI, X86_RDI, X86_RSI, X86_RDI, -1, -1, -1, -1 };
	struct x86_mem *m = &d->insn->mem;

	m->scale = 1;
	if (mod == 0 && rm == 6) {
		m->base = -1;
		m->index = -1;
		return fetch_signed(d, 2, &m->disp);
	}
	m->base = base16[rm];
	m->index = index16[rm];
	if (m->base == X86_RBP)
		m->seg = X86_SS;
	if (mod == 1)
		return fetch_signed(d, 1, &m->disp);
	if (mod == 2)
		return fetch_signed(d, 2, &m->disp);
	return 0;
}

/* The 32- and 64-bit forms, with SIB and RIP-relative addressing. */
static int decode_modrm32(struct decoder *d, unsigned mod, unsigned rm)
{
	struct x86_insn *insn = d->insn;
	struct x86_mem *m = &insn->mem;
	unsigned rex_b = insn->rex & 1, rex_x = (insn->rex >> 1) & 1;
	int err;

	m->scale = 1;
	m->index = -1;
	if (rm == 4) {
		uint8_t sib;
		unsigned base, index;

		err = fetch_byte(d, &sib);
		if (err)
			return err;
		base = sib & 7;
		index = ((sib >> 3) & 7) | (rex_x << 3);
		m->scale = (uint8_t)(1u << (sib >> 6));
		if (index != X86_RSP)   /* index 100b without REX.X: none */
			m->index = (int8_t)index;
		if (mod == 0 && base == 5) {
			m->base = -1;   /* disp32, no base */
			return fetch_signed(d, 4, &m->disp);
		}
		m->base = (int8_t)(base | (rex_b << 3));
	} else if (mod == 0 && rm == 5) {
		m->base = -1;
		m->rip_relative = insn->mode == X86_LONG64;
		return fetch_signed(d, 4, &m->disp);
	} else {
		m->base = (int8_t)(rm | (rex_b << 3));
	}
	if (m->base == X86_RBP || m->base == X86_RSP)
		m->seg = X86_SS;
	if (mod == 1)
		return fetch_signed(d, 1, &m->disp);
	if (mod == 2)
		return fetch_signed(d, 4, &m->disp);
	return 0;
}

/*
 * Reads ModRM and the address bytes.  reg_field gets bits 5:3 with REX.R.
 * Only memory forms can fault on MMIO, so mod == 3 is refused.
 */
static int decode_modrm(struct decoder *d, unsigned *reg_field, int segment_override)
{
	struct x86_insn *insn = d->insn;
	uint8_t modrm;
	unsigned mod, rm;
	int err = fetch_byte(d, &modrm);

	if (err)
		return err;
	mod = modrm >> 6;
	rm = modrm & 7;
	*reg_field = ((modrm >> 3) & 7) | ((insn->rex & 4u) << 1);
	if (mod == 3)
		return decode_fail(d, "register operand: the instruction does not access memory");
	insn->mem.seg = X86_DS;
	err = insn->address_size == 2 ? decode_modrm16(d, mod, rm) : decode_modrm32(d, mod, rm);
	if (err)
		return err;
	if (segment_override >= 0)
		insn->mem.seg = (enum x86_seg)segment_override;
	return 0;
}

static int fetch_immediate(struct decoder *d, unsigned size)
{
	int64_t v;
	/* Immediates are at most 32 bits, sign-extended to a 64-bit operand. */
	int err = fetch_signed(d, size > 4 ? 4 : size, &v);

	if (err)
		return err;
	d->insn->imm = (uint64_t)v;
	return 0;
}

/* r/m <- reg, or reg <- r/m (opcode bit 1), for the ALU, TEST and MOV rows. */
static void set_rm_reg_operands(struct x86_insn *insn, unsigned reg_field, bool reg_is_dst)
{
	struct x86_operand mem = { .kind = X86_OPND_MEM, .size = insn->operand_size };
	struct x86_operand reg = reg_operand(insn, reg_field, insn->operand_size);

	insn->dst = reg_is_dst ? reg : mem;
	insn->src = reg_is_dst ? mem : reg;
}

static int decode_alu_row(struct decoder *d, enum x86_insn_op op, uint8_t opcode, int seg_override)
{
	unsigned reg_field;
	int err;

	err = decode_modrm(d, &reg_field, seg_override);
	if (err)
		return err;
	d->insn->op = op;
	set_rm_reg_operands(d->insn, reg_field, opcode & 2);
	return 0;
}

static int decode_one_byte(struct decoder *d, uint8_t opcode, int seg_override)
{
	struct x86_insn *insn = d->insn;
	unsigned reg_field;
	int err;

	switch (opcode) {
	case 0x08: case 0x09: case 0x0A: case 0x0B:
		return decode_alu_row(d, X86_OP_OR, opcode, seg_override);
	case 0x20: case 0x21: case 0x22: case 0x23:
		return decode_alu_row(d, X86_OP_AND, opcode, seg_override);
	case 0x30: case 0x31: case 0x32: case 0x33:
		return decode_alu_row(d, X86_OP_XOR, opcode, seg_override);
	case 0x38: case 0x39: case 0x3A: case 0x3B:
		return decode_alu_row(d, X86_OP_CMP, opcode, seg_override);
	case 0x84: case 0x85:
		return decode_alu_row(d, X86_OP_TEST, opcode, seg_override);
	case 0x88: case 0x89: case 0x8A: case 0x8B:
		return decode_alu_row(d, X86_OP_MOV, opcode, seg_override);

	case 0x63:
		if (insn->mode != X86_LONG64)
			return decode_fail(d, "ARPL (63 outside 64-bit mode) is not supported");
		err = decode_modrm(d, &reg_field, seg_override);
		if (err)
			return err;
		/* MOVSXD: 32-bit source; without REX.W it is a plain MOV. */
		insn->op = X86_OP_MOVSX;
		insn->dst = reg_operand(insn, reg_field, insn->operand_size);
		insn->src = (struct x86_operand){ .kind = X86_OPND_MEM,
			.size = insn->operand_size == 8 ? 4 : insn->operand_size };
		return 0;

	case 0x80: case 0x81: case 0x83: {
		static const enum x86_insn_op group1[8] = {
			[1] = X86_OP_OR, [4] = X86_OP_AND, [6] = X86_OP_XOR, [7] = X86_OP_CMP,
		};
		err = decode_modrm(d, &reg_field, seg_override);
		if (err)
			return err;
		reg_field &= 7;
		if (reg_field != 1 && reg_field != 4 && reg_field != 6 && reg_field != 7)
			return decode_fail(d, "group 1 ADD/ADC/SBB/SUB is not supported");
		insn->op = group1[reg_field];
		insn->dst = (struct x86_operand){ .kind = X86_OPND_MEM, .size = insn->operand_size };
		insn->src = (struct x86_operand){ .kind = X86_OPND_IMM, .size = insn->operand_size };
		return fetch_immediate(d, opcode == 0x81 ? insn->operand_size : 1);
	}

	case 0xC6: case 0xC7: case 0xF6: case 0xF7:
		err = decode_modrm(d, &reg_field, seg_override);
		if (err)
			return err;
		if (opcode <= 0xC7 && (reg_field & 7) != 0)
			return decode_fail(d, "C6/C7 with a reg field other than /0 is not MOV");
		if (opcode >= 0xF6 && (reg_field & 7) != 0)
			return decode_fail(d, "group 3 NOT/NEG/MUL/IMUL/DIV/IDIV is not supported");
		insn->op = opcode <= 0xC7 ? X86_OP_MOV : X86_OP_TEST;
		insn->dst = (struct x86_operand){ .kind = X86_OPND_MEM, .size = insn->operand_size };
		insn->src = (struct x86_operand){ .kind = X86_OPND_IMM, .size = insn->operand_size };
		return fetch_immediate(d, insn->operand_size);

	case 0xA0: case 0xA1: case 0xA2: case 0xA3: {
		/* moffs: an absolute offset as wide as the address size. */
		struct x86_operand mem = { .kind = X86_OPND_MEM, .size = insn->operand_size };
		struct x86_operand acc = reg_operand(insn, X86_RAX, insn->operand_size);

		insn->op = X86_OP_MOV;
		insn->mem = (struct x86_mem){ .seg = seg_override >= 0 ? (enum x86_seg)seg_override : X86_DS,
			.base = -1, .index = -1, .scale = 1 };
		insn->dst = opcode & 2 ? mem : acc;
		insn->src = opcode & 2 ? acc : mem;
		return fetch_unsigned(d, insn->address_size, (uint64_t *)&insn->mem.disp);
	}

	case 0xA4: case 0xA5: case 0xAA: case 0xAB:
		insn->op = opcode >= 0xAA ? X86_OP_STOS : X86_OP_MOVS;
		insn->mem = (struct x86_mem){ .seg = seg_override >= 0 ? (enum x86_seg)seg_override : X86_DS,
			.base = X86_RSI, .index = -1, .scale = 1 };
		insn->dst = (struct x86_operand){ .kind = X86_OPND_MEM, .size = insn->operand_size };
		insn->src = insn->op == X86_OP_STOS ? reg_operand(insn, X86_RAX, insn->operand_size) : insn->dst;
		return 0;

	default:
		return decode_fail(d, "opcode is not one of the supported MMIO instructions");
	}
}

static int decode_two_byte(struct decoder *d, uint8_t opcode, int seg_override)
{
	struct x86_insn *insn = d->insn;
	unsigned reg_field;
	int err;

	if (opcode != 0xB6 && opcode != 0xB7 && opcode != 0xBE && opcode != 0xBF)
		return decode_fail(d, "0F opcode is not MOVZX/MOVSX");
	err = decode_modrm(d, &reg_field, seg_override);
	if (err)
		return err;
	insn->op = opcode & 8 ? X86_OP_MOVSX : X86_OP_MOVZX;
	insn->dst = reg_operand(insn, reg_field, insn->operand_size);
	insn->src = (struct x86_operand){ .kind = X86_OPND_MEM, .size = opcode & 1 ? 2 : 1 };
	return 0;
}

/* Opcodes whose low bit selects a byte operand instead of the full size. */
static bool opcode_is_byte_form(bool two_byte, uint8_t opcode)
{
	if (two_byte || opcode == 0x63)
		return false;
	if (opcode == 0x80 || opcode == 0x83)
		return opcode == 0x80;
	return !(opcode & 1);
}

/* LOCK is allowed only on read-modify-write forms with a memory destination. */
static bool lock_allowed(const struct x86_insn *insn)
{
	return insn->dst.kind == X86_OPND_MEM &&
	       (insn->op == X86_OP_AND || insn->op == X86_OP_OR || insn->op == X86_OP_XOR);
}

int x86_decode(const uint8_t *bytes, size_t len, enum x86_mode mode, struct x86_insn *out)
{
	struct decoder d = { .bytes = bytes, .avail = len < X86_MAX_INSN_LEN ? len : X86_MAX_INSN_LEN,
			     .insn = out };
	bool opsize_prefix = false, addrsize_prefix = false, rep = false;
	int seg_override = -1;
	uint8_t b;
	int err;

	memset(out, 0, sizeof(*out));
	out->mode = mode;
	if (!bytes || (unsigned)mode > X86_LONG64)
		return decode_fail(&d, "no instruction bytes or unknown CPU mode");

	/* Legacy prefixes in any order, then REX (64-bit mode) right before the opcode. */
	for (;;) {
		err = fetch_byte(&d, &b);
		if (err)
			return err;
		if (mode == X86_LONG64 && (b & 0xF0) == 0x40) {
			out->rex = b;
			continue;
		}
		switch (b) {
		case 0xF0: out->lock = true; break;
		case 0xF2: case 0xF3: rep = true; break;
		case 0x66: opsize_prefix = true; break;
		case 0x67: addrsize_prefix = true; break;
		case 0x26: seg_override = X86_ES; break;
		case 0x2E: seg_override = X86_CS; break;
		case 0x36: seg_override = X86_SS; break;
		case 0x3E: seg_override = X86_DS; break;
		case 0x64: seg_override = X86_FS; break;
		case 0x65: seg_override = X86_GS; break;
		default: goto opcode;
		}
		out->rex = 0;   /* a REX followed by a legacy prefix is ignored */
	}
opcode:
	/* Operand and address sizes (SDM vol. 1, 3.6 and vol. 2, 2.2.1.2). */
	if (mode == X86_LONG64) {
		out->address_size = addrsize_prefix ? 4 : 8;
		out->operand_size = (out->rex & 8) ? 8 : opsize_prefix ? 2 : 4;
	} else {
		bool wide = mode == X86_PROT32;

		out->address_size = wide != addrsize_prefix ? 4 : 2;
		out->operand_size = wide != opsize_prefix ? 4 : 2;
	}
	if (b == 0x0F) {
		out->two_byte = true;
		err = fetch_byte(&d, &b);
		if (err)
			return err;
	}
	out->opcode = b;
	if (opcode_is_byte_form(out->two_byte, b))
		out->operand_size = 1;
	err = out->two_byte ? decode_two_byte(&d, b, seg_override) : decode_one_byte(&d, b, seg_override);
	if (err)
		return err;
	if (out->lock && !lock_allowed(out))
		return decode_fail(&d, "LOCK prefix on an instruction that does not allow it (#UD)");
	out->rep = rep && (out->op == X86_OP_STOS || out->op == X86_OP_MOVS);
	out->len = (uint8_t)d.pos;
	return 0;
}

enum x86_mode x86_mode_of(uint64_t cr0, uint64_t rflags, uint64_t efer, bool cs_l, bool cs_d)
{
	if (!(cr0 & X86_CR0_PE) || (rflags & X86_RFLAGS_VM))
		return X86_REAL;
	if ((efer & X86_EFER_LMA) && cs_l)
		return X86_LONG64;
	return cs_d ? X86_PROT32 : X86_PROT16;
}

/* ---- registers and flags -------------------------------------------------- */

static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static uint64_t sign_extend(uint64_t value, unsigned size)
{
	uint64_t sign = 1ull << (8 * size - 1);

	value &= size_mask(size);
	return (value ^ sign) - sign;
}

static uint64_t read_reg(const struct x86_regs *regs, const struct x86_operand *op)
{
	if (op->high8)
		return (regs->gpr[op->reg] >> 8) & 0xFF;
	return regs->gpr[op->reg] & size_mask(op->size);
}

/* 8- and 16-bit writes keep the rest; 32-bit writes zero-extend (as the CPU does). */
static void write_reg(struct x86_regs *regs, const struct x86_operand *op, uint64_t value)
{
	uint64_t *r = &regs->gpr[op->reg];

	if (op->high8)
		*r = (*r & ~0xFF00ull) | ((value & 0xFF) << 8);
	else if (op->size == 1)
		*r = (*r & ~0xFFull) | (value & 0xFF);
	else if (op->size == 2)
		*r = (*r & ~0xFFFFull) | (value & 0xFFFF);
	else
		*r = value & size_mask(op->size);
}

/* A register used as an address or count: rSI, rDI, rCX at the address size. */
static void write_address_reg(struct x86_regs *regs, unsigned reg, unsigned address_size, uint64_t value)
{
	struct x86_operand op = { .kind = X86_OPND_REG, .size = (uint8_t)address_size, .reg = (uint8_t)reg };

	write_reg(regs, &op, value);
}

/* PF: set when the low byte of the result has an even number of 1 bits. */
static bool parity_even(uint64_t value)
{
	uint8_t b = (uint8_t)value;

	b ^= b >> 4;
	b ^= b >> 2;
	b ^= b >> 1;
	return !(b & 1);
}

static uint64_t flags_zf_sf_pf(uint64_t flags, uint64_t result, unsigned size)
{
	result &= size_mask(size);
	if (!result)
		flags |= X86_RFLAGS_ZF;
	if (result >> (8 * size - 1))
		flags |= X86_RFLAGS_SF;
	if (parity_even(result))
		flags |= X86_RFLAGS_PF;
	return flags;
}

/*
 * AND/OR/XOR/TEST: CF = OF = 0; SF, ZF, PF from the result; AF is
 * undefined in the SDM and cleared here, as Bochs and QEMU do.
 */
static uint64_t flags_logic(uint64_t rflags, uint64_t result, unsigned size)
{
	return flags_zf_sf_pf(rflags & ~X86_RFLAGS_STATUS, result, size);
}

/* CMP: the flags of a - b. */
static uint64_t flags_sub(uint64_t rflags, uint64_t a, uint64_t b, unsigned size)
{
	uint64_t mask = size_mask(size), sign = 1ull << (8 * size - 1);
	uint64_t result, flags = rflags & ~X86_RFLAGS_STATUS;

	a &= mask;
	b &= mask;
	result = (a - b) & mask;
	if (a < b)
		flags |= X86_RFLAGS_CF;
	if ((a ^ b) & (a ^ result) & sign)
		flags |= X86_RFLAGS_OF;
	if ((a ^ b ^ result) & 0x10)
		flags |= X86_RFLAGS_AF;
	return flags_zf_sf_pf(flags, result, size);
}

/* ---- addresses ------------------------------------------------------------ */

static uint64_t segment_base(const struct x86_insn *insn, const struct x86_regs *regs, enum x86_seg seg)
{
	/* 64-bit mode: only FS and GS have a base. */
	if (insn->mode == X86_LONG64 && seg != X86_FS && seg != X86_GS)
		return 0;
	return regs->seg_base[seg];
}

static uint64_t linear_address(const struct x86_insn *insn, const struct x86_regs *regs,
			       enum x86_seg seg, uint64_t offset)
{
	uint64_t linear = segment_base(insn, regs, seg) + (offset & size_mask(insn->address_size));

	return insn->mode == X86_LONG64 ? linear : linear & 0xFFFFFFFFull;
}

static uint64_t operand_linear_address(const struct x86_insn *insn, const struct x86_regs *regs)
{
	const struct x86_mem *m = &insn->mem;
	uint64_t offset = (uint64_t)m->disp;

	if (m->rip_relative)
		offset += regs->rip + insn->len;
	if (m->base >= 0)
		offset += regs->gpr[m->base];
	if (m->index >= 0)
		offset += regs->gpr[m->index] * m->scale;
	return linear_address(insn, regs, m->seg, offset);
}

uint64_t x86_insn_linear_address(const struct x86_insn *insn, const struct x86_regs *regs, bool write)
{
	if (insn->op == X86_OP_STOS || (insn->op == X86_OP_MOVS && write))
		return linear_address(insn, regs, X86_ES, regs->gpr[X86_RDI]);
	if (insn->op == X86_OP_MOVS)
		return linear_address(insn, regs, insn->mem.seg, regs->gpr[X86_RSI]);
	return operand_linear_address(insn, regs);
}

/* Paging off: linear is physical.  On: only the page offset is known. */
static bool linear_matches_fault(const struct x86_regs *regs, uint64_t linear, uint64_t gpa)
{
	if (regs->cr0 & X86_CR0_PG)
		return (linear & PAGE_OFFSET_MASK) == (gpa & PAGE_OFFSET_MASK);
	return linear == gpa;
}

static void advance_rip(const struct x86_insn *insn, struct x86_regs *regs)
{
	unsigned code_size = insn->mode == X86_LONG64 ? 8 : insn->mode == X86_PROT32 ? 4 : 2;

	regs->rip = (regs->rip & ~size_mask(code_size)) | ((regs->rip + insn->len) & size_mask(code_size));
}

static int emulate_fail(struct x86_insn *insn, int err, const char *why)
{
	insn->error = why;
	return err;
}

static int bus_access(const struct x86emu_ops *ops, enum bus_dir dir, uint64_t gpa,
		      unsigned width, uint64_t *data)
{
	struct bus_access acc = { .space = BUS_SPACE_MMIO, .dir = dir, .addr = gpa, .width = width,
				  .data = dir == BUS_WRITE ? *data & size_mask(width) : 0 };
	int err = ops->access(ops->ctx, &acc);

	if (!err && dir == BUS_READ)
		*data = acc.data & size_mask(width);
	return err;
}

/* ---- string instructions -------------------------------------------------- */

static int emulate_string(struct x86_insn *insn, struct x86_regs *regs, uint64_t gpa,
			  bool fault_write, const struct x86emu_ops *ops)
{
	unsigned size = insn->dst.size, asz = insn->address_size;
	uint64_t amask = size_mask(asz);
	uint64_t step = (regs->rflags & X86_RFLAGS_DF) ? -(uint64_t)size : size;
	bool device_is_dst = insn->op == X86_OP_STOS || fault_write;
	uint64_t fault_page = 0;
	bool first = true;

	if (insn->op == X86_OP_MOVS && (!ops->read_mem || !ops->write_mem))
		return emulate_fail(insn, -EINVAL, "MOVS needs the guest-memory callbacks");

	for (;;) {
		uint64_t dst = linear_address(insn, regs, X86_ES, regs->gpr[X86_RDI]);
		uint64_t src = linear_address(insn, regs, insn->mem.seg, regs->gpr[X86_RSI]);
		uint64_t device_linear = device_is_dst ? dst : src;
		uint64_t device_gpa, data = 0;
		int err;

		if (insn->rep && (regs->gpr[X86_RCX] & amask) == 0)
			break;
		if (first) {
			if (!linear_matches_fault(regs, device_linear, gpa))
				return emulate_fail(insn, -EFAULT, "string operand does not address the faulting location");
			fault_page = device_linear & ~PAGE_OFFSET_MASK;
			first = false;
		} else if ((device_linear & ~PAGE_OFFSET_MASK) != fault_page) {
			return 0;   /* the next page faults on its own; RIP stays */
		}
		device_gpa = (gpa & ~PAGE_OFFSET_MASK) | (device_linear & PAGE_OFFSET_MASK);

		if (insn->op == X86_OP_STOS) {
			data = read_reg(regs, &insn->src);
			err = bus_access(ops, BUS_WRITE, device_gpa, size, &data);
		} else if (device_is_dst) {
			err = ops->read_mem(ops->ctx, src, &data, size);
			if (!err)
				err = bus_access(ops, BUS_WRITE, device_gpa, size, &data);
		} else {
			err = bus_access(ops, BUS_READ, device_gpa, size, &data);
			if (!err)
				err = ops->write_mem(ops->ctx, dst, &data, size);
		}
		if (err)
			return emulate_fail(insn, err, "a callback failed during a string instruction");

		write_address_reg(regs, X86_RDI, asz, regs->gpr[X86_RDI] + step);
		if (insn->op == X86_OP_MOVS)
			write_address_reg(regs, X86_RSI, asz, regs->gpr[X86_RSI] + step);
		if (!insn->rep)
			break;
		write_address_reg(regs, X86_RCX, asz, regs->gpr[X86_RCX] - 1);
	}
	advance_rip(insn, regs);
	return 0;
}

/* ---- everything else: one memory operand ---------------------------------- */

int x86_emulate_mmio(struct x86_insn *insn, struct x86_regs *regs, uint64_t fault_gpa,
		     bool fault_write, const struct x86emu_ops *ops)
{
	const struct x86_operand *mem_op = insn->dst.kind == X86_OPND_MEM ? &insn->dst : &insn->src;
	uint64_t linear, mem_value = 0, dst_value, src_value, result;
	unsigned size = mem_op->size;
	int err;

	if (!ops || !ops->access)
		return emulate_fail(insn, -EINVAL, "no access callback");
	insn->error = NULL;
	if (insn->op == X86_OP_STOS || insn->op == X86_OP_MOVS)
		return emulate_string(insn, regs, fault_gpa, fault_write, ops);

	linear = operand_linear_address(insn, regs);
	if (!linear_matches_fault(regs, linear, fault_gpa))
		return emulate_fail(insn, -EFAULT, "memory operand does not address the faulting location");

	/* A plain store needs no read; everything else reads the device once. */
	if (!(insn->op == X86_OP_MOV && insn->dst.kind == X86_OPND_MEM)) {
		err = bus_access(ops, BUS_READ, fault_gpa, size, &mem_value);
		if (err)
			return emulate_fail(insn, err, "the device read failed");
	}
	dst_value = insn->dst.kind == X86_OPND_MEM ? mem_value : read_reg(regs, &insn->dst);
	src_value = insn->src.kind == X86_OPND_MEM ? mem_value :
		    insn->src.kind == X86_OPND_IMM ? insn->imm : read_reg(regs, &insn->src);

	switch (insn->op) {
	case X86_OP_MOVZX:
		result = src_value & size_mask(insn->src.size);
		break;
	case X86_OP_MOVSX:
		result = sign_extend(src_value, insn->src.size);
		break;
	case X86_OP_AND:
	case X86_OP_TEST:
		result = dst_value & src_value;
		break;
	case X86_OP_OR:
		result = dst_value | src_value;
		break;
	case X86_OP_XOR:
		result = dst_value ^ src_value;
		break;
	case X86_OP_CMP:
		result = 0;
		regs->rflags = flags_sub(regs->rflags, dst_value, src_value, size);
		break;
	default:   /* X86_OP_MOV */
		result = src_value;
		break;
	}
	if (insn->op == X86_OP_AND || insn->op == X86_OP_OR || insn->op == X86_OP_XOR ||
	    insn->op == X86_OP_TEST)
		regs->rflags = flags_logic(regs->rflags, result, size);

	if (insn->op != X86_OP_TEST && insn->op != X86_OP_CMP) {
		if (insn->dst.kind == X86_OPND_MEM) {
			err = bus_access(ops, BUS_WRITE, fault_gpa, size, &result);
			if (err)
				return emulate_fail(insn, err, "the device write failed");
		} else {
			write_reg(regs, &insn->dst, result);
		}
	}
	advance_rip(insn, regs);
	return 0;
}
