/* SPDX-License-Identifier: MIT */
/*
 * The decoder and emulator on the instructions firmware and Linux really
 * execute on device memory: LAPIC and IOAPIC register accesses, OVMF's
 * MmioRead/MmioWrite helpers, framebuffer fills with REP STOS, memcpy to
 * and from I/O with REP MOVS, SeaBIOS in real and big-real mode.  The
 * byte sequences are what GNU as produces for the instruction written
 * beside them.  Each test checks the exact list of bus accesses, the
 * registers, RFLAGS and RIP afterwards.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <x86emu/x86emu.h>

#define FLAGS_RESERVED 0x2ull   /* RFLAGS bit 1 always reads 1 */
#define PAGING (X86_CR0_PE | X86_CR0_PG)

/* Records every device access and answers reads from a script. */
struct recorder {
	struct bus_access log[32];
	unsigned count;
	uint64_t reads[32];      /* values device reads return, in order  */
	unsigned next_read;
	int fail_with;           /* access() returns this when non-zero   */
	int fail_writes_with;    /* the same, for writes only             */
	uint8_t ram[64];         /* guest memory for MOVS, at RAM_LINEAR  */
	int ram_fail_with;
};

#define RAM_LINEAR 0x7000ull

static int record_access(void *ctx, struct bus_access *acc)
{
	struct recorder *r = ctx;

	if (r->fail_with)
		return r->fail_with;
	if (r->fail_writes_with && acc->dir == BUS_WRITE)
		return r->fail_writes_with;
	if (acc->dir == BUS_READ)
		acc->data = r->next_read < 32 ? r->reads[r->next_read++] : ~0ull;
	assert_true(r->count < 32);
	r->log[r->count++] = *acc;
	return 0;
}

static int ram_read(void *ctx, uint64_t linear, void *dst, unsigned len)
{
	struct recorder *r = ctx;

	if (r->ram_fail_with)
		return r->ram_fail_with;
	assert_true(linear >= RAM_LINEAR && linear + len <= RAM_LINEAR + sizeof(r->ram));
	memcpy(dst, &r->ram[linear - RAM_LINEAR], len);
	return 0;
}

static int ram_write(void *ctx, uint64_t linear, const void *src, unsigned len)
{
	struct recorder *r = ctx;

	assert_true(linear >= RAM_LINEAR && linear + len <= RAM_LINEAR + sizeof(r->ram));
	memcpy(&r->ram[linear - RAM_LINEAR], src, len);
	return 0;
}

struct fixture {
	struct recorder rec;
	struct x86emu_ops ops;
	struct x86_regs regs;
	struct x86_insn insn;
};

static int setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof(*f));

	f->ops = (struct x86emu_ops){ .ctx = &f->rec, .access = record_access,
				      .read_mem = ram_read, .write_mem = ram_write };
	f->regs.rflags = FLAGS_RESERVED;
	f->regs.rip = 0x1000;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	test_free(*state);
	return 0;
}

/* Decodes exactly these bytes (the whole array must be one instruction). */
#define DECODE(f, mode, ...) do { \
		static const uint8_t bytes_[] = { __VA_ARGS__ }; \
		int err_ = x86_decode(bytes_, sizeof(bytes_), (mode), &(f)->insn); \
		if (err_) \
			fail_msg("decode failed: %s", (f)->insn.error); \
		assert_int_equal((f)->insn.len, sizeof(bytes_)); \
	} while (0)

#define REJECT(mode, reason_part, ...) do { \
		static const uint8_t bytes_[] = { __VA_ARGS__ }; \
		struct x86_insn insn_; \
		assert_int_equal(x86_decode(bytes_, sizeof(bytes_), (mode), &insn_), -EINVAL); \
		assert_non_null(insn_.error); \
		if (!strstr(insn_.error, (reason_part))) \
			fail_msg("reason \"%s\" lacks \"%s\"", insn_.error, (reason_part)); \
	} while (0)

static int emulate(struct fixture *f, uint64_t gpa, bool write)
{
	return x86_emulate_mmio(&f->insn, &f->regs, gpa, write, &f->ops);
}

static void expect_access(const struct fixture *f, unsigned i, enum bus_dir dir, uint64_t addr,
			  unsigned width, uint64_t data)
{
	const struct bus_access *a = &f->rec.log[i];

	assert_true(i < f->rec.count);
	assert_int_equal(a->space, BUS_SPACE_MMIO);
	assert_int_equal(a->dir, dir);
	assert_int_equal(a->addr, addr);
	assert_int_equal(a->width, width);
	assert_int_equal(a->data, data);
}

/* ---- MOV --------------------------------------------------------------- */

/* Linux x86_64 EOI: native_apic_mem_write() through the APIC fixmap. */
static void test_linux_lapic_eoi_through_fixmap(void **state)
{
	struct fixture *f = *state;

	DECODE(f, X86_LONG64, 0x89, 0x3c, 0x25, 0xb0, 0xc0, 0x5f, 0xff); /* mov %edi,0xffffffffff5fc0b0 */
	assert_int_equal(f->insn.op, X86_OP_MOV);
	assert_int_equal(f->insn.operand_size, 4);
	assert_int_equal(f->insn.mem.base, -1);
	assert_int_equal(f->insn.mem.index, -1);
	assert_int_equal((uint64_t)f->insn.mem.disp, 0xffffffffff5fc0b0ull);
	f->regs.cr0 = PAGING;
	f->regs.rip = 0xffffffff81001000ull;
	f->regs.gpr[X86_RDI] = 0xffffffff00000000ull;   /* only EDI is stored */
	assert_int_equal(emulate(f, 0xfee000b0, true), 0);
	assert_int_equal(f->rec.count, 1);
	expect_access(f, 0, BUS_WRITE, 0xfee000b0, 4, 0);
	assert_int_equal(f->regs.rip, 0xffffffff81001007ull);
	assert_int_equal(f->regs.rflags, FLAGS_RESERVED);
}

/* SeaBIOS (32-bit flat, paging off): EOI and reading the LAPIC ID. */
static void test_seabios_lapic_moffs(void **state)
{
	struct fixture *f = *state;

	DECODE(f, X86_PROT32, 0xa3, 0xb0, 0x00, 0xe0, 0xfe);  /* mov %eax,0xfee000b0 */
	f->regs.cr0 = X86_CR0_PE;
	f->regs.gpr[X86_RAX] = 0;
	assert_int_equal(emulate(f, 0xfee000b0, true), 0);
	expect_access(f, 0, BUS_WRITE, 0xfee000b0, 4, 0);
	assert_int_equal(f->regs.rip, 0x1005);

	DECODE(f, X86_PROT32, 0xa1, 0x20, 0x00, 0xe0, 0xfe);  /* mov 0xfee00020,%eax */
	f->rec.reads[0] = 0x01000000;
	f->regs.gpr[X86_RAX] = 0xdeadbeefcafef00dull;
	assert_int_equal(emulate(f, 0xfee00020, false), 0);
	assert_int_equal(f->rec.count, 2);
	expect_access(f, 1, BUS_READ, 0xfee00020, 4, 0x01000000);
	assert_int_equal(f->regs.gpr[X86_RAX], 0x01000000);
	assert_int_equal(f->regs.rip, 0x100a);
}

/* 64-bit moffs carries a full 8-byte address. */
static void test_moffs_64bit(void **state)
{
	struct fixture *f = *state;

	DECODE(f, X86_LONG64, 0xa1, 0x20, 0x00, 0xe0, 0xfe, 0, 0, 0, 0); /* movabs 0xfee00020,%eax */
	f->regs.cr0 = PAGING;
	f->rec.reads[0] = 0x14;
	assert_int_equal(emulate(f, 0xfee00020, false), 0);
	expect_access(f, 0, BUS_READ, 0xfee00020, 4, 0x14);
	assert_int_equal(f->regs.gpr[X86_RAX], 0x14);
	assert_int_equal(f->regs.rip, 0x1009);

	DECODE(f, X86_PROT32, 0xa2, 0x00, 0x10, 0xc0, 0xfe); /* mov %al,0xfec01000 */
	f->regs.cr0 = X86_CR0_PE;
	f->regs.gpr[X86_RAX] = 0x1234;
	assert_int_equal(emulate(f, 0xfec01000, true), 0);
	expect_access(f, 1, BUS_WRITE, 0xfec01000, 1, 0x34);
}

/* OVMF MmioWrite32/MmioRead32 and a store of an immediate. */
static void test_ovmf_mmio_helpers(void **state)
{
	struct fixture *f = *state;

	f->regs.cr0 = PAGING;
	f->regs.gpr[X86_RDX] = 0xfed00010;
	DECODE(f, X86_LONG64, 0xc7, 0x02, 0x78, 0x56, 0x34, 0x12);  /* movl $0x12345678,(%rdx) */
	assert_int_equal(emulate(f, 0xfed00010, true), 0);
	expect_access(f, 0, BUS_WRITE, 0xfed00010, 4, 0x12345678);
	assert_int_equal(f->regs.rip, 0x1006);

	f->regs.gpr[X86_RCX] = 0xfed000f0;
	f->regs.gpr[X86_RDX] = 0xffffffff00000003ull;
	DECODE(f, X86_LONG64, 0x89, 0x11);                          /* mov %edx,(%rcx) */
	assert_int_equal(emulate(f, 0xfed000f0, true), 0);
	expect_access(f, 1, BUS_WRITE, 0xfed000f0, 4, 3);

	f->regs.gpr[X86_RAX] = ~0ull;
	f->rec.reads[0] = 0x8086a2c0;
	DECODE(f, X86_LONG64, 0x8b, 0x01);                          /* mov (%rcx),%eax */
	assert_int_equal(emulate(f, 0xfed000f0, false), 0);
	expect_access(f, 2, BUS_READ, 0xfed000f0, 4, 0x8086a2c0);
	assert_int_equal(f->regs.gpr[X86_RAX], 0x8086a2c0);      /* upper half cleared */
	assert_int_equal(f->regs.rip, 0x100a);
	assert_int_equal(f->rec.count, 3);
}

/* MOVZX, MOVSX and MOVSXD, as readb/readw and signed register reads compile. */
static void test_movzx_movsx(void **state)
{
	struct fixture *f = *state;

	f->regs.cr0 = PAGING;
	f->rec.reads[0] = 0x80;
	f->rec.reads[1] = 0xbeef;
	f->rec.reads[2] = 0x80;
	f->rec.reads[3] = 0x8000;
	f->rec.reads[4] = 0x80000000;

	f->regs.gpr[X86_RAX] = 0xfebd1004;
	DECODE(f, X86_LONG64, 0x0f, 0xb6, 0x00);        /* movzbl (%rax),%eax */
	assert_int_equal(emulate(f, 0xfebd1004, false), 0);
	expect_access(f, 0, BUS_READ, 0xfebd1004, 1, 0x80);
	assert_int_equal(f->regs.gpr[X86_RAX], 0x80);

	f->regs.gpr[X86_RAX] = 0xfebd1006;
	DECODE(f, X86_LONG64, 0x0f, 0xb7, 0x00);        /* movzwl (%rax),%eax */
	assert_int_equal(emulate(f, 0xfebd1006, false), 0);
	expect_access(f, 1, BUS_READ, 0xfebd1006, 2, 0xbeef);
	assert_int_equal(f->regs.gpr[X86_RAX], 0xbeef);

	f->regs.gpr[X86_RAX] = 0xfebd1008;
	DECODE(f, X86_LONG64, 0x0f, 0xbe, 0x00);        /* movsbl (%rax),%eax */
	assert_int_equal(emulate(f, 0xfebd1008, false), 0);
	assert_int_equal(f->regs.gpr[X86_RAX], 0xffffff80ull);

	f->regs.gpr[X86_RAX] = 0xfebd100a;
	DECODE(f, X86_LONG64, 0x48, 0x0f, 0xbf, 0x00);  /* movswq (%rax),%rax */
	assert_int_equal(emulate(f, 0xfebd100a, false), 0);
	expect_access(f, 3, BUS_READ, 0xfebd100a, 2, 0x8000);
	assert_int_equal(f->regs.gpr[X86_RAX], 0xffffffffffff8000ull);

	f->regs.gpr[X86_RAX] = 0xfebd100c;
	DECODE(f, X86_LONG64, 0x48, 0x63, 0x00);        /* movslq (%rax),%rax */
	assert_int_equal(f->insn.op, X86_OP_MOVSX);
	assert_int_equal(emulate(f, 0xfebd100c, false), 0);
	expect_access(f, 4, BUS_READ, 0xfebd100c, 4, 0x80000000);
	assert_int_equal(f->regs.gpr[X86_RAX], 0xffffffff80000000ull);
	assert_int_equal(f->rec.count, 5);
	assert_int_equal(f->regs.rip, 0x1000 + 3 + 3 + 3 + 4 + 3);
}

/* AH..BH without REX, SPL with REX, r8-r15 through REX.R/X/B. */
static void test_rex_and_high_byte_registers(void **state)
{
	struct fixture *f = *state;

	f->regs.cr0 = PAGING;
	f->regs.gpr[X86_RAX] = 0xfee01234;
	f->regs.gpr[X86_RSP] = 0xffffc90000001256ull;

	DECODE(f, X86_LONG64, 0x88, 0x20);              /* mov %ah,(%rax) */
	assert_true(f->insn.src.high8);
	assert_int_equal(emulate(f, 0xfee01234, true), 0);
	expect_access(f, 0, BUS_WRITE, 0xfee01234, 1, 0x12);

	DECODE(f, X86_LONG64, 0x40, 0x88, 0x20);        /* mov %spl,(%rax) */
	assert_false(f->insn.src.high8);
	assert_int_equal(emulate(f, 0xfee01234, true), 0);
	expect_access(f, 1, BUS_WRITE, 0xfee01234, 1, 0x56);

	f->rec.reads[0] = 0xab;
	DECODE(f, X86_LONG64, 0x8a, 0x20);              /* mov (%rax),%ah */
	assert_int_equal(emulate(f, 0xfee01234, false), 0);
	assert_int_equal(f->regs.gpr[X86_RAX], 0xfee0ab34);

	/* mov 0x10(%r12,%r13,4),%r9d */
	f->regs.gpr[X86_R12] = 0xffffc90000010000ull;
	f->regs.gpr[X86_R13] = 3;
	f->regs.gpr[X86_R9] = ~0ull;
	f->rec.reads[1] = 0xcafe;
	DECODE(f, X86_LONG64, 0x47, 0x8b, 0x4c, 0xac, 0x10);
	assert_int_equal(f->insn.mem.base, X86_R12);
	assert_int_equal(f->insn.mem.index, X86_R13);
	assert_int_equal(f->insn.mem.scale, 4);
	assert_int_equal(emulate(f, 0xfe00001c, false), 0);
	expect_access(f, 3, BUS_READ, 0xfe00001c, 4, 0xcafe);
	assert_int_equal(f->regs.gpr[X86_R9], 0xcafe);

	/* mov %r8w,0x0(%r13) */
	f->regs.gpr[X86_R13] = 0xffffc90000020002ull;
	f->regs.gpr[X86_R8] = 0x1111222233334444ull;
	DECODE(f, X86_LONG64, 0x66, 0x45, 0x89, 0x45, 0x00);
	assert_int_equal(emulate(f, 0xfe000002, true), 0);
	expect_access(f, 4, BUS_WRITE, 0xfe000002, 2, 0x4444);

	/* A legacy prefix after REX cancels it: 16-bit store of %ax. */
	f->regs.gpr[X86_RCX] = 0xfe000000;
	DECODE(f, X86_LONG64, 0x48, 0x66, 0x89, 0x01);
	assert_int_equal(f->insn.rex, 0);
	assert_int_equal(f->insn.operand_size, 2);
	assert_int_equal(f->rec.count, 5);
}

/* RIP-relative and FS-relative operands; DS base ignored in 64-bit mode. */
static void test_rip_and_fs_relative(void **state)
{
	struct fixture *f = *state;

	f->regs.cr0 = PAGING;
	f->regs.seg_base[X86_DS] = 0x5000;       /* must not count in 64-bit mode */
	f->regs.gpr[X86_RAX] = 7;
	DECODE(f, X86_LONG64, 0x89, 0x05, 0x00, 0x01, 0x00, 0x00);  /* mov %eax,0x100(%rip) */
	assert_true(f->insn.mem.rip_relative);
	assert_int_equal(emulate(f, 0xfed00106, true), 0);   /* 0x1000 + 6 + 0x100 */
	expect_access(f, 0, BUS_WRITE, 0xfed00106, 4, 7);

	f->regs.seg_base[X86_FS] = 0xffff888000000000ull;
	f->rec.reads[0] = 0x99;
	DECODE(f, X86_LONG64, 0x64, 0x8b, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00);  /* mov %fs:0x10,%eax */
	assert_int_equal(f->insn.mem.seg, X86_FS);
	assert_int_equal(emulate(f, 0xfed00010, false), 0);
	assert_int_equal(f->regs.gpr[X86_RAX], 0x99);
	assert_int_equal(f->regs.rip, 0x1006 + 8);
}

/* ---- read-modify-write and flags ---------------------------------------- */

/* Linux io_apic masking an entry: or/and on IOWIN (IOAPIC at 0xfec00000). */
static void test_ioapic_read_modify_write(void **state)
{
	struct fixture *f = *state;

	f->regs.cr0 = PAGING;
	f->regs.rflags = FLAGS_RESERVED | X86_RFLAGS_STATUS;  /* all must be rewritten */
	f->regs.gpr[X86_RAX] = 0xffffffffff5fb010ull;
	f->rec.reads[0] = 0x0000a030;
	DECODE(f, X86_LONG64, 0x81, 0x08, 0x00, 0x00, 0x01, 0x00);   /* orl $0x10000,(%rax) */
	assert_int_equal(f->insn.op, X86_OP_OR);
	assert_int_equal(emulate(f, 0xfec00010, false), 0);
	assert_int_equal(f->rec.count, 2);
	expect_access(f, 0, BUS_READ, 0xfec00010, 4, 0x0000a030);
	expect_access(f, 1, BUS_WRITE, 0xfec00010, 4, 0x0001a030);
	/* 0x1a030: not zero, positive, low byte 0x30 has two bits: PF */
	assert_int_equal(f->regs.rflags, FLAGS_RESERVED | X86_RFLAGS_PF);

	f->regs.gpr[X86_RDX] = 0xffffffffff5fb010ull;
	f->rec.reads[1] = 0x0001a030;
	DECODE(f, X86_LONG64, 0x81, 0x22, 0xff, 0xff, 0xfe, 0xff);   /* andl $0xfffeffff,(%rdx) */
	assert_int_equal(emulate(f, 0xfec00010, false), 0);
	expect_access(f, 2, BUS_READ, 0xfec00010, 4, 0x0001a030);
	expect_access(f, 3, BUS_WRITE, 0xfec00010, 4, 0x0000a030);
	assert_int_equal(f->regs.rip, 0x100c);

	/* lock orl $0x1,(%rax): LOCK is legal on a memory-destination OR */
	f->rec.reads[2] = 0xfffffffe;
	DECODE(f, X86_LONG64, 0xf0, 0x83, 0x08, 0x01);
	assert_true(f->insn.lock);
	assert_int_equal(f->insn.imm, 1);
	assert_int_equal(emulate(f, 0xfec00010, false), 0);
	expect_access(f, 5, BUS_WRITE, 0xfec00010, 4, 0xffffffff);
	assert_int_equal(f->regs.rflags, FLAGS_RESERVED | X86_RFLAGS_SF | X86_RFLAGS_PF);

	/* xor %cl,(%rax) and and (%rax),%ecx (register destination) */
	f->regs.gpr[X86_RCX] = 0xffffffff000000ffull;
	f->rec.reads[3] = 0x0f;
	DECODE(f, X86_LONG64, 0x30, 0x08);
	assert_int_equal(emulate(f, 0xfec00010, false), 0);
	expect_access(f, 7, BUS_WRITE, 0xfec00010, 1, 0xf0);
	assert_int_equal(f->regs.rflags, FLAGS_RESERVED | X86_RFLAGS_SF | X86_RFLAGS_PF);
	f->rec.reads[4] = 0x0f;
	DECODE(f, X86_LONG64, 0x23, 0x08);
	assert_int_equal(emulate(f, 0xfec00010, false), 0);
	assert_int_equal(f->regs.gpr[X86_RCX], 0x0f);
	assert_int_equal(f->rec.count, 9);   /* register destination: no write */
	assert_int_equal(f->regs.rflags, FLAGS_RESERVED | X86_RFLAGS_PF);

	/* or (%rax),%dl / xor (%rax),%edx */
	f->regs.gpr[X86_RDX] = 0x100;
	f->rec.reads[5] = 0x81;
	DECODE(f, X86_LONG64, 0x0a, 0x10);
	assert_int_equal(emulate(f, 0xfec00010, false), 0);
	assert_int_equal(f->regs.gpr[X86_RDX], 0x181);
	f->rec.reads[6] = 0x181;
	DECODE(f, X86_LONG64, 0x33, 0x10);
	assert_int_equal(emulate(f, 0xfec00010, false), 0);
	assert_int_equal(f->regs.gpr[X86_RDX], 0);
	assert_int_equal(f->regs.rflags, FLAGS_RESERVED | X86_RFLAGS_ZF | X86_RFLAGS_PF);
}

static void test_test_instructions(void **state)
{
	struct fixture *f = *state;

	f->regs.cr0 = PAGING;
	f->regs.gpr[X86_RAX] = 0xfed40000;
	f->regs.rflags = FLAGS_RESERVED | X86_RFLAGS_CF | X86_RFLAGS_OF | X86_RFLAGS_AF | X86_RFLAGS_DF;
	f->rec.reads[0] = 0x02;
	DECODE(f, X86_LONG64, 0xf6, 0x00, 0x01);        /* testb $0x1,(%rax) */
	assert_int_equal(f->insn.op, X86_OP_TEST);
	assert_int_equal(emulate(f, 0xfed40000, false), 0);
	assert_int_equal(f->rec.count, 1);              /* TEST never writes */
	expect_access(f, 0, BUS_READ, 0xfed40000, 1, 0x02);
	/* result 0: ZF and PF; CF, OF, AF cleared; DF untouched */
	assert_int_equal(f->regs.rflags, FLAGS_RESERVED | X86_RFLAGS_ZF | X86_RFLAGS_PF | X86_RFLAGS_DF);

	f->regs.gpr[X86_RDX] = 0xfed40004;
	f->regs.gpr[X86_RAX] = 0x80000000;
	f->rec.reads[1] = 0x80000001;
	DECODE(f, X86_LONG64, 0x85, 0x02);              /* test %eax,(%rdx) */
	assert_int_equal(emulate(f, 0xfed40004, false), 0);
	assert_int_equal(f->regs.rflags, FLAGS_RESERVED | X86_RFLAGS_SF | X86_RFLAGS_PF | X86_RFLAGS_DF);

	f->rec.reads[2] = 0x00000100;
	DECODE(f, X86_LONG64, 0xf7, 0x02, 0x00, 0x01, 0x00, 0x00);  /* testl $0x100,(%rdx) */
	assert_int_equal(emulate(f, 0xfed40004, false), 0);
	assert_int_equal(f->regs.rflags, FLAGS_RESERVED | X86_RFLAGS_PF | X86_RFLAGS_DF);
	assert_int_equal(f->rec.count, 3);
	assert_int_equal(f->regs.rip, 0x1000 + 3 + 2 + 6);
	assert_int_equal(f->regs.gpr[X86_RAX], 0x80000000);
}

static void test_cmp_flags(void **state)
{
	struct fixture *f = *state;

	f->regs.cr0 = PAGING;
	f->regs.gpr[X86_RAX] = 0xfed40000;

	f->rec.reads[0] = 0;
	DECODE(f, X86_LONG64, 0x83, 0x78, 0x10, 0x00);  /* cmpl $0x0,0x10(%rax) */
	assert_int_equal(f->insn.op, X86_OP_CMP);
	assert_int_equal(emulate(f, 0xfed40010, false), 0);
	expect_access(f, 0, BUS_READ, 0xfed40010, 4, 0);
	assert_int_equal(f->regs.rflags, FLAGS_RESERVED | X86_RFLAGS_ZF | X86_RFLAGS_PF);

	/* cmp (%rax),%ecx with ecx = 1, memory 2: 1 - 2 = 0xffffffff */
	f->regs.gpr[X86_RCX] = 1;
	f->rec.reads[1] = 2;
	DECODE(f, X86_LONG64, 0x3b, 0x08);
	assert_int_equal(emulate(f, 0xfed40000, false), 0);
	assert_int_equal(f->regs.rflags, FLAGS_RESERVED | X86_RFLAGS_CF | X86_RFLAGS_SF |
			 X86_RFLAGS_AF | X86_RFLAGS_PF);
	assert_int_equal(f->regs.gpr[X86_RCX], 1);      /* CMP writes nothing */

	/* cmpb $0x1,(%rax) with memory 0x80: 0x80 - 1 = 0x7f overflows */
	f->rec.reads[2] = 0x80;
	DECODE(f, X86_LONG64, 0x80, 0x38, 0x01);
	assert_int_equal(emulate(f, 0xfed40000, false), 0);
	expect_access(f, 2, BUS_READ, 0xfed40000, 1, 0x80);
	assert_int_equal(f->regs.rflags, FLAGS_RESERVED | X86_RFLAGS_OF | X86_RFLAGS_AF);

	/* cmp %cl,(%rax): memory 0x10 - cl 0x01 = 0x0f, half-borrow */
	f->rec.reads[3] = 0x10;
	DECODE(f, X86_LONG64, 0x38, 0x08);
	assert_int_equal(emulate(f, 0xfed40000, false), 0);
	assert_int_equal(f->regs.rflags, FLAGS_RESERVED | X86_RFLAGS_AF | X86_RFLAGS_PF);

	/* cmpq $-1,(%rax): imm8 sign-extended to 64 bits, equal */
	f->rec.reads[4] = ~0ull;
	DECODE(f, X86_LONG64, 0x48, 0x83, 0x38, 0xff);
	assert_int_equal(f->insn.imm, ~0ull);
	assert_int_equal(emulate(f, 0xfed40000, false), 0);
	expect_access(f, 4, BUS_READ, 0xfed40000, 8, ~0ull);
	assert_int_equal(f->regs.rflags, FLAGS_RESERVED | X86_RFLAGS_ZF | X86_RFLAGS_PF);
	assert_int_equal(f->rec.count, 5);
}

/* ---- string instructions ------------------------------------------------ */

/* A framebuffer fill (memset_io / rep stosl) on a BAR mapped by ioremap. */
static void test_rep_stosl_framebuffer(void **state)
{
	struct fixture *f = *state;

	f->regs.cr0 = PAGING;
	f->regs.gpr[X86_RDI] = 0xffffc90000400000ull;
	f->regs.gpr[X86_RCX] = 4;
	f->regs.gpr[X86_RAX] = 0x1234567800ff00ffull;
	DECODE(f, X86_LONG64, 0xf3, 0xab);               /* rep stos %eax,%es:(%rdi) */
	assert_true(f->insn.rep);
	assert_int_equal(f->insn.op, X86_OP_STOS);
	assert_int_equal(emulate(f, 0xfd000000, true), 0);
	assert_int_equal(f->rec.count, 4);
	for (unsigned i = 0; i < 4; i++)
		expect_access(f, i, BUS_WRITE, 0xfd000000 + 4 * i, 4, 0x00ff00ff);
	assert_int_equal(f->regs.gpr[X86_RDI], 0xffffc90000400010ull);
	assert_int_equal(f->regs.gpr[X86_RCX], 0);
	assert_int_equal(f->regs.rip, 0x1002);
}

/* The device side leaves the faulting page: stop, RIP stays for the rest. */
static void test_rep_stos_stops_at_page_end(void **state)
{
	struct fixture *f = *state;

	f->regs.cr0 = PAGING;
	f->regs.gpr[X86_RDI] = 0xffffc90000400ff8ull;
	f->regs.gpr[X86_RCX] = 4;
	f->regs.gpr[X86_RAX] = 0x0102030405060708ull;
	DECODE(f, X86_LONG64, 0xf3, 0x48, 0xab);         /* rep stos %rax,%es:(%rdi) */
	assert_int_equal(emulate(f, 0xfd000ff8, true), 0);
	assert_int_equal(f->rec.count, 1);
	expect_access(f, 0, BUS_WRITE, 0xfd000ff8, 8, 0x0102030405060708ull);
	assert_int_equal(f->regs.gpr[X86_RDI], 0xffffc90000401000ull);
	assert_int_equal(f->regs.gpr[X86_RCX], 3);
	assert_int_equal(f->regs.rip, 0x1000);

	/* Direction flag set: downwards, addresses decreasing. */
	f->regs.rflags |= X86_RFLAGS_DF;
	f->regs.gpr[X86_RDI] = 0xffffc90000400010ull;
	f->regs.gpr[X86_RCX] = 3;
	DECODE(f, X86_LONG64, 0xf3, 0xab);
	assert_int_equal(emulate(f, 0xfd000010, true), 0);
	assert_int_equal(f->rec.count, 4);
	expect_access(f, 1, BUS_WRITE, 0xfd000010, 4, 0x05060708);
	expect_access(f, 2, BUS_WRITE, 0xfd00000c, 4, 0x05060708);
	expect_access(f, 3, BUS_WRITE, 0xfd000008, 4, 0x05060708);
	assert_int_equal(f->regs.gpr[X86_RDI], 0xffffc90000400004ull);
	assert_int_equal(f->regs.rip, 0x1002);

	/* REP with rCX = 0 does nothing but move on. */
	f->regs.gpr[X86_RCX] = 0;
	assert_int_equal(emulate(f, 0xfd000004, true), 0);
	assert_int_equal(f->rec.count, 4);
	assert_int_equal(f->regs.rip, 0x1004);
}

/* SeaBIOS clearing the VGA text screen in real mode: rep stosw at ES=B800. */
static void test_real_mode_rep_stosw(void **state)
{
	struct fixture *f = *state;

	f->regs.seg_base[X86_ES] = 0xb8000;
	f->regs.gpr[X86_RDI] = 0xffff0000ull;           /* only DI counts */
	f->regs.gpr[X86_RCX] = 0x12340003;              /* only CX counts */
	f->regs.gpr[X86_RAX] = 0x0720;
	f->regs.rip = 0xfffe;
	DECODE(f, X86_REAL, 0xf3, 0xab);
	assert_int_equal(f->insn.operand_size, 2);
	assert_int_equal(f->insn.address_size, 2);
	assert_int_equal(emulate(f, 0xb8000, true), 0);
	assert_int_equal(f->rec.count, 3);
	expect_access(f, 0, BUS_WRITE, 0xb8000, 2, 0x0720);
	expect_access(f, 2, BUS_WRITE, 0xb8004, 2, 0x0720);
	assert_int_equal(f->regs.gpr[X86_RDI], 0xffff0006ull);
	assert_int_equal(f->regs.gpr[X86_RCX], 0x12340000);
	assert_int_equal(f->regs.rip, 0x0000);          /* IP wraps at 64 KiB */

	/* 0x67 in 64-bit mode: EDI and ECX, written back zero-extended. */
	f->regs.cr0 = PAGING;
	f->regs.gpr[X86_RDI] = 0x100001000ull;
	f->regs.gpr[X86_RCX] = 0x100000001ull;
	DECODE(f, X86_LONG64, 0x67, 0xf3, 0xaa);         /* rep stos %al,%es:(%edi) */
	assert_int_equal(emulate(f, 0xfd000000, true), 0);
	expect_access(f, 3, BUS_WRITE, 0xfd000000, 1, 0x20);
	assert_int_equal(f->regs.gpr[X86_RDI], 0x1001);
	assert_int_equal(f->regs.gpr[X86_RCX], 0);
}

/* Linux __iowrite32_copy (rep movsl) and memcpy_fromio (rep movsb). */
static void test_rep_movs_both_directions(void **state)
{
	struct fixture *f = *state;

	f->regs.cr0 = PAGING;
	for (unsigned i = 0; i < sizeof(f->rec.ram); i++)
		f->rec.ram[i] = (uint8_t)(0x10 + i);
	f->regs.gpr[X86_RSI] = RAM_LINEAR;
	f->regs.gpr[X86_RDI] = 0xffffc90000080100ull;
	f->regs.gpr[X86_RCX] = 3;
	DECODE(f, X86_LONG64, 0xf3, 0xa5);               /* rep movsl */
	assert_int_equal(emulate(f, 0xfebf0100, true), 0);
	assert_int_equal(f->rec.count, 3);
	expect_access(f, 0, BUS_WRITE, 0xfebf0100, 4, 0x13121110);
	expect_access(f, 1, BUS_WRITE, 0xfebf0104, 4, 0x17161514);
	expect_access(f, 2, BUS_WRITE, 0xfebf0108, 4, 0x1b1a1918);
	assert_int_equal(f->regs.gpr[X86_RSI], RAM_LINEAR + 12);
	assert_int_equal(f->regs.gpr[X86_RDI], 0xffffc9000008010cull);
	assert_int_equal(f->regs.gpr[X86_RCX], 0);
	assert_int_equal(f->regs.rip, 0x1002);

	f->regs.gpr[X86_RSI] = 0xffffc90000080200ull;
	f->regs.gpr[X86_RDI] = RAM_LINEAR + 32;
	f->regs.gpr[X86_RCX] = 2;
	f->rec.reads[0] = 0xaa;
	f->rec.reads[1] = 0xbb;
	DECODE(f, X86_LONG64, 0xf3, 0xa4);               /* rep movsb */
	assert_int_equal(emulate(f, 0xfebf0200, false), 0);
	expect_access(f, 3, BUS_READ, 0xfebf0200, 1, 0xaa);
	expect_access(f, 4, BUS_READ, 0xfebf0201, 1, 0xbb);
	assert_int_equal(f->rec.ram[32], 0xaa);
	assert_int_equal(f->rec.ram[33], 0xbb);
	assert_int_equal(f->rec.ram[34], 0x10 + 34);
	assert_int_equal(f->regs.gpr[X86_RSI], 0xffffc90000080202ull);

	/* A single MOVS (no REP) to a device, with a guest-memory fault. */
	f->regs.gpr[X86_RSI] = RAM_LINEAR;
	f->regs.gpr[X86_RDI] = 0xffffc90000080100ull;
	f->rec.ram_fail_with = -EFAULT;
	DECODE(f, X86_LONG64, 0xa5);
	assert_false(f->insn.rep);
	assert_int_equal(emulate(f, 0xfebf0100, true), -EFAULT);
	assert_non_null(f->insn.error);
	assert_int_equal(f->rec.count, 5);
	assert_int_equal(f->regs.rip, 0x1004);

	/* Without guest-memory callbacks MOVS cannot be done. */
	f->ops.read_mem = NULL;
	assert_int_equal(emulate(f, 0xfebf0100, true), -EINVAL);
}

/* ---- 16-bit and 32-bit code --------------------------------------------- */

static void test_real_mode_segments(void **state)
{
	struct fixture *f = *state;

	f->regs.seg_base[X86_ES] = 0xf0000;
	f->regs.seg_base[X86_DS] = 0x40000;
	f->regs.seg_base[X86_SS] = 0x20000;
	f->regs.gpr[X86_RAX] = 0x5a;
	f->regs.gpr[X86_RDI] = 0x1234;

	DECODE(f, X86_REAL, 0x26, 0x88, 0x05);                  /* mov %al,%es:(%di) */
	assert_int_equal(f->insn.mem.seg, X86_ES);
	assert_int_equal(emulate(f, 0xf1234, true), 0);
	expect_access(f, 0, BUS_WRITE, 0xf1234, 1, 0x5a);
	assert_int_equal(f->regs.rip, 0x1003);

	f->regs.gpr[X86_RBX] = 0x10;
	DECODE(f, X86_REAL, 0x26, 0xc7, 0x47, 0x02, 0x20, 0x07); /* movw $0x720,%es:0x2(%bx) */
	assert_int_equal(emulate(f, 0xf0012, true), 0);
	expect_access(f, 1, BUS_WRITE, 0xf0012, 2, 0x0720);

	/* mov 0x10(%bp,%si),%ax: BP-based, so SS */
	f->regs.gpr[X86_RBP] = 0x100;
	f->regs.gpr[X86_RSI] = 0x20;
	f->rec.reads[0] = 0xbeef;
	DECODE(f, X86_REAL, 0x8b, 0x42, 0x10);
	assert_int_equal(f->insn.mem.seg, X86_SS);
	assert_int_equal(emulate(f, 0x20130, false), 0);
	assert_int_equal(f->regs.gpr[X86_RAX] & 0xffff, 0xbeef);

	/* mov 0x1234,%ax (disp16 only) and mov 0x1000(%bx),%ax (disp16 + BX) */
	f->rec.reads[1] = 1;
	f->rec.reads[2] = 2;
	DECODE(f, X86_REAL, 0x8b, 0x06, 0x34, 0x12);
	assert_int_equal(emulate(f, 0x41234, false), 0);
	DECODE(f, X86_REAL, 0x8b, 0x87, 0x00, 0x10);
	assert_int_equal(emulate(f, 0x41010, false), 0);
	assert_int_equal(f->regs.gpr[X86_RAX], 2);

	/* Offsets wrap at 64 KiB: [BX+SI] = 0xfff0 + 0x20 -> 0x0010 */
	f->regs.gpr[X86_RBX] = 0xfff0;
	DECODE(f, X86_REAL, 0x88, 0x00);                         /* mov %al,(%bx,%si) */
	assert_int_equal(emulate(f, 0x40010, true), 0);

	/* andb $0xfe,%es:(%di) */
	f->rec.reads[3] = 0xff;
	DECODE(f, X86_REAL, 0x26, 0x80, 0x25, 0xfe);
	assert_int_equal(emulate(f, 0xf1234, false), 0);
	expect_access(f, 7, BUS_WRITE, 0xf1234, 1, 0xfe);

	/* Big real mode (SeaBIOS): mov (%eax),%ecx with 0x67 0x66 */
	f->regs.gpr[X86_RAX] = 0xfee00020;
	f->rec.reads[4] = 0x12345678;
	DECODE(f, X86_REAL, 0x67, 0x66, 0x8b, 0x08);
	assert_int_equal(f->insn.address_size, 4);
	assert_int_equal(f->insn.operand_size, 4);
	f->regs.seg_base[X86_DS] = 0;
	assert_int_equal(emulate(f, 0xfee00020, false), 0);
	expect_access(f, 8, BUS_READ, 0xfee00020, 4, 0x12345678);
	assert_int_equal(f->regs.gpr[X86_RCX], 0x12345678);
	assert_int_equal(f->rec.count, 9);
}

static void test_protected_mode_forms(void **state)
{
	struct fixture *f = *state;

	f->regs.cr0 = X86_CR0_PE;
	f->regs.gpr[X86_RCX] = 0xdead0001;
	DECODE(f, X86_PROT32, 0x89, 0x0d, 0x10, 0x00, 0xc0, 0xfe);   /* mov %ecx,0xfec00010 */
	assert_int_equal(emulate(f, 0xfec00010, true), 0);
	expect_access(f, 0, BUS_WRITE, 0xfec00010, 4, 0xdead0001);

	f->regs.gpr[X86_RBX] = 0xfed00000;
	DECODE(f, X86_PROT32, 0xc6, 0x03, 0x01);                     /* movb $0x1,(%ebx) */
	assert_int_equal(emulate(f, 0xfed00000, true), 0);
	expect_access(f, 1, BUS_WRITE, 0xfed00000, 1, 1);

	/* mov 0xfec00000(,%ecx,4),%eax: SIB without base */
	f->regs.gpr[X86_RCX] = 4;
	f->rec.reads[0] = 0x11;
	DECODE(f, X86_PROT32, 0x8b, 0x04, 0x8d, 0x00, 0x00, 0xc0, 0xfe);
	assert_int_equal(emulate(f, 0xfec00010, false), 0);
	assert_int_equal(f->regs.gpr[X86_RAX], 0x11);

	/* mov %ax,0x8(%ebp) in 32-bit code with 0x66: SS base counts */
	f->regs.seg_base[X86_SS] = 0x100000;
	f->regs.gpr[X86_RBP] = 0xfdf00000;
	DECODE(f, X86_PROT32, 0x66, 0x89, 0x45, 0x08);
	assert_int_equal(emulate(f, 0xfe000008, true), 0);
	expect_access(f, 3, BUS_WRITE, 0xfe000008, 2, 0x11);

	/* 16-bit protected mode: mov %ax,(%si) */
	f->regs.seg_base[X86_DS] = 0xfe000000;
	f->regs.gpr[X86_RSI] = 0x44;
	DECODE(f, X86_PROT16, 0x89, 0x04);
	assert_int_equal(f->insn.operand_size, 2);
	assert_int_equal(emulate(f, 0xfe000044, true), 0);
	expect_access(f, 4, BUS_WRITE, 0xfe000044, 2, 0x11);
	assert_int_equal(f->rec.count, 5);
}

/* ---- refusals ------------------------------------------------------------ */

static void test_fault_address_must_match(void **state)
{
	struct fixture *f = *state;

	f->regs.gpr[X86_RCX] = 0xfed00000;
	DECODE(f, X86_LONG64, 0x8b, 0x01);
	f->regs.cr0 = X86_CR0_PE;                 /* paging off: exact */
	assert_int_equal(emulate(f, 0xfed00004, false), -EFAULT);
	f->regs.cr0 = PAGING;                     /* paging on: page offset */
	assert_int_equal(emulate(f, 0xabc00004, false), -EFAULT);
	assert_non_null(strstr(f->insn.error, "faulting"));
	assert_int_equal(emulate(f, 0xabc00000, false), 0);

	f->regs.gpr[X86_RDI] = 0x8;
	DECODE(f, X86_LONG64, 0xab);
	assert_int_equal(emulate(f, 0xabc00000, true), -EFAULT);
	assert_int_equal(f->rec.count, 1);
	assert_int_equal(f->regs.rip, 0x1002);
}

static void test_callback_errors_stop(void **state)
{
	struct fixture *f = *state;

	f->regs.cr0 = PAGING;
	f->regs.gpr[X86_RCX] = 0xfed00000;
	f->rec.fail_with = -EIO;
	DECODE(f, X86_LONG64, 0x8b, 0x01);
	assert_int_equal(emulate(f, 0xfed00000, false), -EIO);
	DECODE(f, X86_LONG64, 0x89, 0x01);
	assert_int_equal(emulate(f, 0xfed00000, true), -EIO);
	f->regs.gpr[X86_RDI] = 0xfed00000;
	DECODE(f, X86_LONG64, 0xab);
	assert_int_equal(emulate(f, 0xfed00000, true), -EIO);
	assert_int_equal(f->regs.rip, 0x1000);
	assert_int_equal(f->regs.gpr[X86_RDI], 0xfed00000);

	/* A read that succeeds but whose write-back fails. */
	f->rec.fail_with = 0;
	f->rec.fail_writes_with = -EIO;
	DECODE(f, X86_LONG64, 0x83, 0x09, 0x01);         /* orl $1,(%rcx) */
	f->regs.gpr[X86_RCX] = 0xfed00000;
	assert_int_equal(emulate(f, 0xfed00000, false), -EIO);
	assert_int_equal(f->rec.count, 1);
	assert_non_null(strstr(f->insn.error, "write"));
	assert_int_equal(f->regs.rip, 0x1000);

	struct x86emu_ops none = { 0 };
	assert_int_equal(x86_emulate_mmio(&f->insn, &f->regs, 0xfed00000, true, &none), -EINVAL);
}

static void test_decode_rejects(void **state)
{
	(void)state;
	REJECT(X86_PROT32, "end before", 0xa1, 0x20, 0x00, 0xe0);        /* moffs cut short */
	REJECT(X86_LONG64, "end before", 0x48);
	REJECT(X86_LONG64, "end before", 0x0f);
	REJECT(X86_LONG64, "end before", 0x89);
	REJECT(X86_LONG64, "end before", 0x89, 0x04);                    /* SIB missing */
	REJECT(X86_LONG64, "end before", 0x89, 0x80, 0x00, 0x00);        /* disp32 cut */
	REJECT(X86_LONG64, "end before", 0xc7, 0x00, 0x01, 0x02);        /* imm32 cut */
	REJECT(X86_LONG64, "register operand", 0x89, 0xc0);             /* mov %eax,%eax */
	REJECT(X86_LONG64, "not one of", 0x01, 0x01);                   /* add */
	REJECT(X86_LONG64, "not one of", 0x0c, 0x01);                   /* or $1,%al */
	REJECT(X86_PROT32, "not one of", 0x40);                         /* inc %eax */
	REJECT(X86_LONG64, "MOVZX", 0x0f, 0x05);                        /* syscall */
	REJECT(X86_PROT32, "ARPL", 0x63, 0x00);
	REJECT(X86_LONG64, "ADD/ADC", 0x81, 0x00, 1, 0, 0, 0);          /* addl $1,(%rax) */
	REJECT(X86_LONG64, "not MOV", 0xc7, 0x08, 1, 0, 0, 0);
	REJECT(X86_LONG64, "group 3", 0xf7, 0x10);                      /* notl (%rax) */
	REJECT(X86_LONG64, "LOCK", 0xf0, 0x89, 0x01);                   /* lock mov */
	REJECT(X86_LONG64, "LOCK", 0xf0, 0x83, 0x38, 0x01);             /* lock cmp */
	REJECT(X86_LONG64, "LOCK", 0xf0, 0x85, 0x01);                   /* lock test */
	REJECT(X86_LONG64, "15 bytes", 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	       0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x89, 0x01);
	REJECT(X86_LONG64, "15 bytes", 0x67, 0x67, 0x67, 0x67, 0x67, 0x67, 0x67, 0x67,
	       0x67, 0x67, 0x67, 0xc7, 0x00, 1, 0, 0, 0);             /* imm32 ends at byte 17 */

	struct x86_insn insn;
	assert_int_equal(x86_decode(NULL, 4, X86_LONG64, &insn), -EINVAL);
	assert_int_equal(x86_decode((const uint8_t *)"\x89\x01", 0, X86_LONG64, &insn), -EINVAL);
	assert_int_equal(x86_decode((const uint8_t *)"\x89\x01", 2, (enum x86_mode)7, &insn), -EINVAL);
}

/* Every proper prefix of a valid instruction is refused as cut short. */
static void test_every_truncation_is_refused(void **state)
{
	static const uint8_t longest[] = { 0x64, 0x67, 0x66, 0x41, 0xc7, 0x84, 0x88,
					   0x10, 0x00, 0x00, 0x00, 0x34, 0x12 };
	struct x86_insn insn;

	(void)state;
	assert_int_equal(x86_decode(longest, sizeof(longest), X86_LONG64, &insn), 0);
	assert_int_equal(insn.len, sizeof(longest));
	assert_int_equal(insn.operand_size, 2);
	assert_int_equal(insn.address_size, 4);
	assert_int_equal(insn.imm, 0x1234);
	for (size_t n = 0; n < sizeof(longest); n++) {
		assert_int_equal(x86_decode(longest, n, X86_LONG64, &insn), -EINVAL);
		assert_non_null(strstr(insn.error, "end before"));
	}
	/* Extra bytes after the instruction are not part of it. */
	static const uint8_t two[] = { 0x89, 0x01, 0x89, 0x01 };
	assert_int_equal(x86_decode(two, sizeof(two), X86_LONG64, &insn), 0);
	assert_int_equal(insn.len, 2);
}

/* What the backend uses to check the whole fault address itself. */
static void test_linear_address_of_the_device_side(void **state)
{
	struct fixture *f = *state;

	f->regs.seg_base[X86_ES] = 0xb8000;
	f->regs.seg_base[X86_DS] = 0x40000;
	f->regs.seg_base[X86_FS] = 0x90000;
	f->regs.gpr[X86_RSI] = 0x10;
	f->regs.gpr[X86_RDI] = 0x20;
	DECODE(f, X86_REAL, 0x64, 0xa5);                 /* movsw %fs:(%si),%es:(%di) */
	assert_int_equal(x86_insn_linear_address(&f->insn, &f->regs, true), 0xb8020);
	assert_int_equal(x86_insn_linear_address(&f->insn, &f->regs, false), 0x90010);
	DECODE(f, X86_REAL, 0xaa);                       /* stosb */
	assert_int_equal(x86_insn_linear_address(&f->insn, &f->regs, false), 0xb8020);
	DECODE(f, X86_REAL, 0x8b, 0x04);                 /* mov (%si),%ax */
	assert_int_equal(x86_insn_linear_address(&f->insn, &f->regs, false), 0x40010);
	/* 32-bit code: linear addresses wrap at 4 GiB */
	f->regs.seg_base[X86_DS] = 0x10;
	f->regs.gpr[X86_RAX] = 0xfffffff8;
	DECODE(f, X86_PROT32, 0x8b, 0x00);
	assert_int_equal(x86_insn_linear_address(&f->insn, &f->regs, false), 0x8);
}

static void test_mode_selection(void **state)
{
	(void)state;
	assert_int_equal(x86_mode_of(0, 0, 0, false, false), X86_REAL);
	assert_int_equal(x86_mode_of(X86_CR0_PE, X86_RFLAGS_VM, 0, false, true), X86_REAL);
	assert_int_equal(x86_mode_of(X86_CR0_PE, 0, 0, false, false), X86_PROT16);
	assert_int_equal(x86_mode_of(X86_CR0_PE, 0, 0, false, true), X86_PROT32);
	assert_int_equal(x86_mode_of(PAGING, 0, X86_EFER_LMA, true, false), X86_LONG64);
	assert_int_equal(x86_mode_of(PAGING, 0, X86_EFER_LMA, false, true), X86_PROT32);  /* compat */
	assert_int_equal(x86_mode_of(X86_CR0_PE, 0, 0, true, true), X86_PROT32);          /* L without LMA */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_linux_lapic_eoi_through_fixmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seabios_lapic_moffs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_moffs_64bit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ovmf_mmio_helpers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_movzx_movsx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rex_and_high_byte_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rip_and_fs_relative, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ioapic_read_modify_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_test_instructions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmp_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rep_stosl_framebuffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rep_stos_stops_at_page_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_mode_rep_stosw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rep_movs_both_directions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_mode_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protected_mode_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_address_must_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_callback_errors_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linear_address_of_the_device_side, setup, teardown),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_every_truncation_is_refused),
		cmocka_unit_test(test_mode_selection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
