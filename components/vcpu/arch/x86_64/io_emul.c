/* SPDX-License-Identifier: MIT */
/*
 * Trapped device accesses on x86, each handled in one pass while the
 * vendor handles the exit: the access goes to the VM's handler
 * (x86_io_access() -> vcpu_io_ops -> bus_dispatch()), a read's data into
 * its register or guest memory, RIP past the instruction; the exit
 * (VCPU_EXIT_PIO / VCPU_EXIT_MMIO) only reports the last access.
 *
 *   IN/OUT          one access; IN AL/AX keeps the rest of RAX, IN EAX
 *                   zero-extends
 *   INS/OUTS (REP)  element by element: the memory side at ES:rDI / seg:rSI
 *                   through the guest's segmentation and paging with the
 *                   rights of its CPL (a fault is the guest's #GP/#SS/#PF,
 *                   raised before the port is touched); at most
 *                   VCPU_MAX_ACCESSES_PER_EXIT elements per exit, then RIP
 *                   stays on the instruction with rCX/rSI/rDI updated and
 *                   the guest continues it after the next entry
 *   MMIO            the instruction fetched through the guest's paging and
 *                   run by x86emu, which calls back for each device access
 *                   (a read-modify-write: two) and for the RAM side of
 *                   MOVS; REP STOS/MOVS stop at the end of the faulting
 *                   page (at most 4096 accesses)
 */
#include <errno.h>
#include <string.h>

#include "x86_vcpu.h"

#define EFER_LMA (1ull << 10)

bool x86_in_64bit_mode(struct vcpu *v)
{
	struct x86_segment cs;

	if (!(x86_get_efer(v) & EFER_LMA))
		return false;
	x86_get_segment(v, X86_CS, &cs);
	return cs.ar & X86_AR_L;
}

enum x86_mode x86_load_emu_regs(struct vcpu *v, struct x86_regs *r, struct x86_segment *cs)
{
	struct x86_segment s;
	enum x86_mode mode;

	memcpy(r->gpr, x86_gprs(v), sizeof(r->gpr));
	r->rip = x86_get_rip(v);
	r->rflags = x86_get_rflags(v);
	r->cr0 = x86_get_cr0(v);
	r->efer = x86_get_efer(v);
	x86_get_segment(v, X86_CS, cs);
	mode = x86_mode_of(r->cr0, r->rflags, r->efer, cs->ar & X86_AR_L, cs->ar & X86_AR_DB);
	for (int seg = 0; seg < X86_SEG_COUNT; seg++) {
		if (mode == X86_LONG64 && seg != X86_FS && seg != X86_GS) {
			r->seg_base[seg] = 0;
		} else if (seg == X86_CS) {
			r->seg_base[seg] = cs->base;
		} else {
			x86_get_segment(v, (enum x86_seg)seg, &s);
			r->seg_base[seg] = s.base;
		}
	}
	return mode;
}

static uint64_t width_mask(unsigned int width)
{
	return width >= 8 ? ~0ull : (1ull << (8 * width)) - 1;
}

/* 16-bit updates keep the upper bits; 32-bit ones zero-extend as usual. */
static uint64_t masked_update(uint64_t reg, uint64_t value, uint64_t mask)
{
	if (mask == 0xffffull)
		return (reg & ~mask) | (value & mask);
	return value & mask;
}

static uint32_t rights_of(struct vcpu *v)
{
	return x86_get_cpl(v) == 3 ? X86_ACCESS_USER : 0;
}

/* ---- IN/OUT, INS/OUTS ----------------------------------------------------------- */

/*
 * The segment checks the processor makes before a string element (SDM
 * vol. 3, 5.3 "Limit checking", 5.7 type checking): 0, or the vector of
 * the fault (#GP, #SS for SS).  64-bit mode: the address must be canonical.
 */
static int segment_check(const struct x86_segment *s, enum x86_seg seg, uint64_t offset,
			 unsigned int width, bool write, bool mode64, bool protected_mode)
{
	unsigned int fault = seg == X86_SS ? 12 : X86_VECTOR_GP;
	uint64_t last = offset + width - 1;

	if (mode64) {
		uint64_t linear = ((seg == X86_FS || seg == X86_GS) ? s->base : 0) + offset;
		uint64_t end = linear + width - 1;

		if ((uint64_t)((int64_t)(linear << 16) >> 16) != linear ||
		    (uint64_t)((int64_t)(end << 16) >> 16) != end)
			return fault;
		return 0;
	}
	if (protected_mode) {
		if (s->ar & X86_AR_UNUSABLE)
			return fault;
		/* Data segment: writable (type bit 1); code segment: readable, never written. */
		if ((s->ar & X86_AR_S) && (X86_AR_TYPE(s->ar) & 8) ?
		    (write || !(X86_AR_TYPE(s->ar) & 2)) : (write && !(X86_AR_TYPE(s->ar) & 2)))
			return fault;
	}
	if ((s->ar & X86_AR_S) && !(X86_AR_TYPE(s->ar) & 8) && (X86_AR_TYPE(s->ar) & 4)) {
		/* Expand-down: valid offsets are limit+1 .. 0xffff or 0xffffffff. */
		uint64_t top = (s->ar & X86_AR_DB) ? 0xffffffffull : 0xffffull;

		if (offset <= s->limit || last > top)
			return fault;
	} else if (last > s->limit) {
		return fault;
	}
	return 0;
}

static enum x86_action port_io(struct vcpu *v, const struct x86_io_exit *io,
			       struct vcpu_exit *exit)
{
	uint64_t *gpr = x86_gprs(v);
	uint64_t mask = width_mask(io->width);
	struct bus_access *acc = &exit->access;

	if (io->in) {
		x86_io_access(v, acc);
		acc->data &= mask;
		/* IN AL/AX keeps the rest of RAX; IN EAX zero-extends like any 32-bit write. */
		gpr[X86_RAX] = io->width == 4 ? acc->data : (gpr[X86_RAX] & ~mask) | acc->data;
	} else {
		acc->data = gpr[X86_RAX] & mask;
		x86_io_access(v, acc);
	}
	exit->accesses = 1;
	x86_skip_instruction(v);
	return X86_TO_VM;
}

static enum x86_action string_io(struct vcpu *v, const struct x86_io_exit *io,
				 struct vcpu_exit *exit)
{
	uint64_t *gpr = x86_gprs(v);
	uint64_t amask = io->address_size == 2 ? 0xffffull :
			 io->address_size == 4 ? 0xffffffffull : ~0ull;
	enum x86_reg index = io->in ? X86_RDI : X86_RSI;
	enum x86_seg seg = io->in ? X86_ES : io->seg;       /* INS always writes ES:rDI */
	uint64_t step = (x86_get_rflags(v) & X86_RFLAGS_DF) ? (uint64_t)0 - io->width : io->width;
	bool mode64 = x86_in_64bit_mode(v), protected_mode = x86_get_cr0(v) & X86_CR0_PE;
	unsigned int access = rights_of(v) | (io->in ? X86_ACCESS_WRITE : 0);
	struct bus_access *acc = &exit->access;
	struct x86_segment s;
	unsigned int done = 0, performed = 0;   /* elements finished, device accesses made */

	if (io->rep && !(gpr[X86_RCX] & amask)) {
		x86_skip_instruction(v);
		return X86_RESUME;
	}
	x86_get_segment(v, seg, &s);
	for (;;) {
		uint64_t offset = gpr[index] & amask, data = 0, linear;
		int fault = segment_check(&s, seg, offset, io->width, io->in, mode64, protected_mode);
		int rc;

		if (fault) {
			x86_inject_exception(v, (unsigned int)fault, true, 0);
			break;
		}
		linear = ((mode64 && seg != X86_FS && seg != X86_GS) ? 0 : s.base) + offset;
		if (!mode64)
			linear &= 0xffffffffull;
		if (io->in) {
			/* The destination is checked before the port is read (no lost data). */
			rc = x86_probe_linear(v, linear, io->width, access);
			if (!rc) {
				acc->data = 0;
				x86_io_access(v, acc);
				performed++;
				data = acc->data & width_mask(io->width);
				acc->data = data;
				rc = x86_write_linear(v, linear, &data, io->width, access);
			}
		} else {
			rc = x86_read_linear(v, linear, &data, io->width, access);
			if (!rc) {
				acc->data = data;
				x86_io_access(v, acc);
				performed++;
			}
		}
		if (rc == -ENOENT)
			break;                         /* #PF injected, CR2 set */
		if (rc) {
			/* Not RAM (a device or a hole): the element is dropped, reported once. */
			x86_report_once(0x10000000u | io->in, LOG_WARN,
					"vcpu: string I/O at guest linear 0x%llx (not RAM) at pc 0x%llx: stopped",
					(unsigned long long)linear, (unsigned long long)x86_get_rip(v));
			x86_skip_instruction(v);
			break;
		}
		done++;
		gpr[index] = masked_update(gpr[index], gpr[index] + step, amask);
		if (!io->rep) {
			x86_skip_instruction(v);
			break;
		}
		gpr[X86_RCX] = masked_update(gpr[X86_RCX], gpr[X86_RCX] - 1, amask);
		if (!(gpr[X86_RCX] & amask)) {
			x86_skip_instruction(v);
			break;
		}
		/* Bounded work per exit: the guest continues the REP after the next entry. */
		if (done == VCPU_MAX_ACCESSES_PER_EXIT)
			break;
	}
	exit->accesses = performed;
	return performed ? X86_TO_VM : X86_RESUME;
}

enum x86_action x86_handle_pio(struct vcpu *v, const struct x86_io_exit *io, struct vcpu_exit *exit)
{
	if (io->width != 1 && io->width != 2 && io->width != 4) {
		x86_fail(v, exit, "I/O exit with width %u at port 0x%x", io->width, io->port);
		return X86_TO_VM;
	}
	exit->reason = VCPU_EXIT_PIO;
	exit->pc = x86_get_rip(v);
	exit->access = (struct bus_access){
		.space = BUS_SPACE_PIO, .addr = io->port, .width = io->width,
		.dir = io->in ? BUS_READ : BUS_WRITE,
	};
	return io->string ? string_io(v, io, exit) : port_io(v, io, exit);
}

/* ---- MMIO through x86emu -------------------------------------------------------------- */

struct mmio_run {
	struct vcpu *v;
	struct vcpu_exit *exit;
	unsigned int rights;
};

/* Each device access of the instruction, performed right away. */
static int mmio_access(void *ctx, struct bus_access *acc)
{
	struct mmio_run *run = ctx;

	x86_io_access(run->v, acc);
	run->exit->access = *acc;
	run->exit->accesses++;
	return 0;
}

/* The RAM side of MOVS, with the guest's rights; a fault is its #PF. */
static int mmio_read_mem(void *ctx, uint64_t linear, void *dst, unsigned len)
{
	struct mmio_run *run = ctx;

	return x86_read_linear(run->v, linear, dst, len, run->rights);
}

static int mmio_write_mem(void *ctx, uint64_t linear, const void *src, unsigned len)
{
	struct mmio_run *run = ctx;

	return x86_write_linear(run->v, linear, src, len, run->rights);
}

/* x86_decode(), or the copy of what it answered for the same bytes in the same mode. */
static int decode_memo(struct vcpu *v, const uint8_t *bytes, size_t n, enum x86_mode mode,
		       struct x86_insn *insn)
{
	struct x86_decoded *last = x86_last_decoded(v);

	if (last->valid && last->mode == mode && last->insn.len <= n &&
	    !memcmp(last->bytes, bytes, last->insn.len)) {
		*insn = last->insn;
		return 0;
	}
	if (x86_decode(bytes, n, mode, insn))
		return -1;
	last->valid = true;
	last->mode = mode;
	memcpy(last->bytes, bytes, insn->len);
	last->insn = *insn;
	return 0;
}

enum x86_action x86_handle_mmio(struct vcpu *v, uint64_t gpa, bool write, struct vcpu_exit *exit)
{
	struct mmio_run run = { .v = v, .exit = exit, .rights = rights_of(v) };
	struct x86emu_ops ops = { .ctx = &run, .access = mmio_access,
				  .read_mem = mmio_read_mem, .write_mem = mmio_write_mem };
	struct x86_segment cs;
	struct x86_regs regs;
	struct x86_insn insn;
	enum x86_mode mode;
	uint8_t bytes[X86_MAX_INSN_LEN];
	uint64_t linear, rip;
	size_t n;
	int rc;

	mode = x86_load_emu_regs(v, &regs, &cs);
	rip = regs.rip;
	if (mode == X86_LONG64)
		linear = rip;
	else
		linear = (cs.base + (mode == X86_REAL ? (rip & 0xffff) : rip)) & 0xffffffffull;
	n = x86_fetch_code(v, linear, bytes, sizeof(bytes));
	if (!n) {
		x86_fail(v, exit, "MMIO at 0x%llx: the instruction at pc 0x%llx cannot be read",
			 (unsigned long long)gpa, (unsigned long long)rip);
		return X86_TO_VM;
	}
	if (decode_memo(v, bytes, n, mode, &insn)) {
		x86_fail(v, exit, "MMIO at 0x%llx: instruction %02x %02x %02x %02x at pc 0x%llx: %s",
			 (unsigned long long)gpa, bytes[0], n > 1 ? bytes[1] : 0, n > 2 ? bytes[2] : 0,
			 n > 3 ? bytes[3] : 0, (unsigned long long)rip, insn.error);
		return X86_TO_VM;
	}
	exit->reason = VCPU_EXIT_MMIO;
	exit->pc = rip;
	exit->accesses = 0;
	rc = x86_emulate_mmio(&insn, &regs, gpa, write, &ops);
	if (rc == 0 || rc == -ENOENT) {
		/* Done, or a #PF on the RAM side of MOVS: the finished iterations stay done. */
		memcpy(x86_gprs(v), regs.gpr, sizeof(regs.gpr));
		if (rc == 0) {
			x86_set_rflags(v, regs.rflags);
			x86_set_rip(v, regs.rip);
		}
		return exit->accesses ? X86_TO_VM : X86_RESUME;
	}
	x86_fail(v, exit, "MMIO at 0x%llx: cannot emulate the instruction at pc 0x%llx: %s (%d)",
		 (unsigned long long)gpa, (unsigned long long)rip,
		 insn.error ? insn.error : "access to non-RAM guest memory", rc);
	return X86_TO_VM;
}
