/* SPDX-License-Identifier: MIT */
/*
 * Decoding and emulation of the x86 instructions a guest uses on MMIO.
 *
 * An EPT violation on a device range tells the VMX backend the
 * guest-physical address, but not the width, the direction or the
 * register.  The backend fetches the instruction bytes through the guest
 * page tables and then:
 *
 *   x86_decode(bytes, n, mode, &insn)          bytes -> struct x86_insn
 *   x86_emulate_mmio(&insn, &regs, gpa, write, &ops)
 *        -> ops.access(ctx, struct bus_access *)   once per device access
 *        -> registers, RFLAGS and RIP updated as the CPU would have
 *
 * Supported: MOV (88-8B, A0-A3, C6/C7), MOVZX/MOVSX (0F B6/B7/BE/BF),
 * MOVSXD (63, 64-bit mode), STOS and MOVS (AA/AB, A4/A5, with REP), AND,
 * OR, XOR, TEST, CMP with a memory operand (08-0B, 20-23, 30-33, 38-3B,
 * 84/85, 80/81/83 /1 /4 /6 /7, F6/F7 /0).  Everything else is refused
 * with -EINVAL and a one-line reason in insn->error; see docs/x86emu.md.
 *
 * Nothing here trusts the guest: the decoder never reads past the bytes
 * it is given, and every access it produces has width 1, 2, 4 or 8.
 */
#ifndef X86EMU_X86EMU_H
#define X86EMU_X86EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bus/bus.h>

/* How the CPU decodes: default operand and address size. */
enum x86_mode {
	X86_REAL = 0,    /* real or virtual-8086 mode: 16-bit, base = selector * 16 */
	X86_PROT16 = 1,  /* protected or compatibility mode, CS.D = 0            */
	X86_PROT32 = 2,  /* protected or compatibility mode, CS.D = 1            */
	X86_LONG64 = 3,  /* 64-bit mode: EFER.LMA = 1 and CS.L = 1               */
};

/* General-purpose registers, numbered as the instruction encoding does. */
enum x86_reg {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
	X86_GPR_COUNT
};

/* Segment registers, numbered as the encoding does. */
enum x86_seg { X86_ES, X86_CS, X86_SS, X86_DS, X86_FS, X86_GS, X86_SEG_COUNT };

#define X86_RFLAGS_CF (1ull << 0)
#define X86_RFLAGS_PF (1ull << 2)
#define X86_RFLAGS_AF (1ull << 4)
#define X86_RFLAGS_ZF (1ull << 6)
#define X86_RFLAGS_SF (1ull << 7)
#define X86_RFLAGS_DF (1ull << 10)
#define X86_RFLAGS_OF (1ull << 11)
#define X86_RFLAGS_VM (1ull << 17)
/* The six arithmetic flags that AND/OR/XOR/TEST/CMP write. */
#define X86_RFLAGS_STATUS (X86_RFLAGS_CF | X86_RFLAGS_PF | X86_RFLAGS_AF | \
			   X86_RFLAGS_ZF | X86_RFLAGS_SF | X86_RFLAGS_OF)

#define X86_CR0_PE (1ull << 0)
#define X86_CR0_PG (1ull << 31)
#define X86_EFER_LMA (1ull << 10)

/* The guest state the emulator reads and writes (the backend copies it
 * from and back to the VMCS and its saved registers). */
struct x86_regs {
	uint64_t gpr[X86_GPR_COUNT];
	uint64_t rip;
	uint64_t rflags;
	uint64_t seg_base[X86_SEG_COUNT]; /* from the VMCS; ignored for ES/CS/SS/DS in 64-bit mode */
	uint64_t cr0;                     /* PG decides how the fault address is checked */
	uint64_t efer;
};

/* What the instruction does. */
enum x86_insn_op {
	X86_OP_MOV,    /* dst = src                                        */
	X86_OP_MOVZX,  /* dst = src zero-extended (src narrower)           */
	X86_OP_MOVSX,  /* dst = src sign-extended (MOVSX, MOVSXD)          */
	X86_OP_AND,    /* dst &= src, flags                                */
	X86_OP_OR,     /* dst |= src, flags                                */
	X86_OP_XOR,    /* dst ^= src, flags                                */
	X86_OP_TEST,   /* flags of dst & src, nothing written              */
	X86_OP_CMP,    /* flags of dst - src, nothing written              */
	X86_OP_STOS,   /* [ES:rDI] = rAX, rDI stepped; REP: rCX times      */
	X86_OP_MOVS,   /* [ES:rDI] = [seg:rSI], both stepped; REP          */
};

enum x86_operand_kind {
	X86_OPND_NONE = 0,
	X86_OPND_REG,  /* general-purpose register                         */
	X86_OPND_MEM,  /* the memory operand described by insn->mem        */
	X86_OPND_IMM,  /* insn->imm                                        */
};

struct x86_operand {
	enum x86_operand_kind kind;
	uint8_t size;   /* bytes: 1, 2, 4 or 8                              */
	uint8_t reg;    /* REG: enum x86_reg                                */
	bool high8;     /* REG, size 1: AH, CH, DH or BH (bits 15:8 of reg) */
};

/* A memory operand: seg:[base + index * scale + disp]. */
struct x86_mem {
	enum x86_seg seg;    /* after defaults (SS for rBP/rSP) and overrides */
	int8_t base;         /* enum x86_reg, or -1                          */
	int8_t index;        /* enum x86_reg, or -1                          */
	uint8_t scale;       /* 1, 2, 4 or 8                                 */
	bool rip_relative;   /* base is the address of the next instruction  */
	int64_t disp;        /* sign-extended (moffs: zero-extended)         */
};

#define X86_MAX_INSN_LEN 15     /* the architecture's limit, prefixes included */

struct x86_insn {
	enum x86_mode mode;
	enum x86_insn_op op;
	uint8_t len;            /* bytes, prefixes included (1..15)         */
	uint8_t opcode;         /* last opcode byte                         */
	bool two_byte;          /* opcode came after 0x0F                   */
	uint8_t operand_size;   /* 1, 2, 4 or 8                             */
	uint8_t address_size;   /* 2, 4 or 8                                */
	uint8_t rex;            /* REX byte in effect, or 0                 */
	bool rep;               /* F3 or F2 on STOS/MOVS                    */
	bool lock;
	struct x86_operand dst, src;
	struct x86_mem mem;     /* MOVS: the source; the destination is ES:rDI */
	uint64_t imm;           /* sign-extended to 64 bits                 */
	const char *error;      /* why decoding or emulation refused, or NULL */
};

/*
 * What the emulator needs from the VM.  access() is called for every
 * device access (the VM hands it to bus_dispatch()); for reads it fills
 * acc->data.  read_mem()/write_mem() move bytes at a guest *linear*
 * address (the backend walks the guest page tables); only MOVS uses them.
 * Each returns 0 or a negative errno, which stops the emulation and is
 * returned unchanged.
 */
struct x86emu_ops {
	void *ctx;
	int (*access)(void *ctx, struct bus_access *acc);
	int (*read_mem)(void *ctx, uint64_t linear, void *dst, unsigned len);
	int (*write_mem)(void *ctx, uint64_t linear, const void *src, unsigned len);
};

/* The decoding mode from CR0.PE, RFLAGS.VM, EFER.LMA and the CS.L/CS.D bits. */
enum x86_mode x86_mode_of(uint64_t cr0, uint64_t rflags, uint64_t efer, bool cs_l, bool cs_d);

/*
 * Decodes one instruction from bytes[0 .. len) (at most 15 are looked at).
 * 0 and *out filled, or -EINVAL with out->error saying why: not one of
 * the supported instructions, no memory operand, a LOCK that would #UD,
 * or the bytes end before the instruction does.
 */
int x86_decode(const uint8_t *bytes, size_t len, enum x86_mode mode, struct x86_insn *out);

/*
 * The linear address the instruction accesses on the device side now
 * (for MOVS: the destination when write, else the source).  The backend
 * may translate it through the guest page tables to check the whole
 * fault address, or print it when it reports a refused instruction.
 */
uint64_t x86_insn_linear_address(const struct x86_insn *insn, const struct x86_regs *regs, bool write);

/*
 * Performs a decoded instruction that faulted on guest-physical address
 * fault_gpa; fault_write says whether the fault was on a write (EPT exit
 * qualification bit 1), which decides the device side of MOVS.
 *
 * The operand's linear address must match fault_gpa: exactly when paging
 * is off, in the low 12 bits when it is on.  A mismatch (the instruction
 * was changed after the fault, or is not the one that faulted) gives
 * -EFAULT and changes nothing.
 *
 * Returns 0 when the instruction is done (RIP advanced) or, for REP
 * STOS/MOVS, when the device side would leave the faulting page: then
 * rCX, rSI and rDI say how far it got and RIP stays on the instruction,
 * so the guest executes it again and the next page faults anew.
 * Negative: -EINVAL (insn->error says why), -EFAULT, or a callback's
 * error; accesses already done stay done.
 */
int x86_emulate_mmio(struct x86_insn *insn, struct x86_regs *regs, uint64_t fault_gpa,
		     bool fault_write, const struct x86emu_ops *ops);

#endif
