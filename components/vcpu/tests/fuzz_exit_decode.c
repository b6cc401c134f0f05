/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the aarch64 exit decoder (arch/aarch64/exit_decode.c) with
 * guest-made exits: any vector, ESR_EL2, PC, fault address, PSTATE and
 * registers, followed by what the VM does next (the access performed,
 * a system-register read or a hypercall completed).  Besides the
 * sanitizers, what the hypervisor relies on:
 *   - an MMIO exit has a width of 1, 2, 4 or 8 and an address that came
 *     from HPFAR_EL2/FAR_EL2;
 *   - the guest's PC moves by 0, 2 or 4 bytes, or to its own vector
 *     table when an UNDEF is injected.
 * The PSCI side of a hypercall is the virt machine's; docs/reliability.md
 * says what covers it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/aarch64/exit_decode.c"
#include "arch/aarch64/ptimer.c"

/* The physical counter the emulated timer reads: the input sets it. */
static uint64_t counter_now;

uint64_t el2_counter(void)
{
	return counter_now;
}

static uint32_t guest_insn;
static bool insn_readable;

bool el2_read_guest_insn(struct vcpu *v, uint64_t pc, uint32_t *insn)
{
	(void)v;
	(void)pc;
	*insn = guest_insn;
	return insn_readable;
}

static uint64_t device_value;

static enum bus_result fake_access(void *opaque, struct vcpu *v, struct bus_access *acc)
{
	(void)opaque;
	(void)v;
	if (acc->dir == BUS_READ)
		acc->data = device_value;
	return BUS_OK;
}

static const struct vcpu_io_ops fake_io_ops = { .access = fake_access };

static uint64_t take(const uint8_t **data, size_t *size, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int n = *size < bytes ? (unsigned int)*size : bytes;

	memcpy(&v, *data, n);
	*data += n;
	*size -= n;
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vcpu v;
	struct vcpu_exit exit;
	uint64_t pc, vbar, results[4];
	uint8_t follow;

	memset(&v, 0, sizeof(v));
	v.io_ops = &fake_io_ops;
	v.ctx.vector = take(&data, &size, 1) & 0xf;
	v.ctx.esr_el2 = take(&data, &size, 4);
	pc = v.ctx.elr_el2 = take(&data, &size, 8);
	v.ctx.far_el2 = take(&data, &size, 8);
	v.ctx.hpfar_el2 = take(&data, &size, 8);
	v.ctx.spsr_el2 = take(&data, &size, 8);
	vbar = v.ctx.sysregs[SYSREG_VBAR_EL1] = take(&data, &size, 8) & ~0x7ffull;
	v.ctx.sysregs[SYSREG_SCTLR_EL1] = take(&data, &size, 8);
	v.has_pan = take(&data, &size, 1) & 1;
	guest_insn = (uint32_t)take(&data, &size, 4);
	insn_readable = take(&data, &size, 1) & 1;
	device_value = take(&data, &size, 8);
	follow = (uint8_t)take(&data, &size, 1);
	for (unsigned int i = 0; i < 31; i++)
		v.ctx.x[i] = take(&data, &size, 8);
	counter_now = take(&data, &size, 8);

	el2_decode_exit(&v, &exit);
	if (exit.reason == VCPU_EXIT_MMIO) {
		unsigned int w = exit.access.width;

		if (w != 1 && w != 2 && w != 4 && w != 8)
			abort();
		el2_emulate_mmio(&v, &exit);
	} else if (exit.reason == VCPU_EXIT_SYSREG && !exit.sysreg.is_write && (follow & 1)) {
		vcpu_complete_read(&v, device_value);
	} else if (exit.reason == VCPU_EXIT_HYPERCALL && (follow & 2)) {
		results[0] = device_value;
		results[1] = results[2] = results[3] = 0;
		vcpu_complete_hypercall(&v, results, 1 + (follow >> 6));
	}
	/* Where the guest goes on: here, the next instruction, or its vector table. */
	if (v.ctx.elr_el2 != pc && v.ctx.elr_el2 != pc + 2 && v.ctx.elr_el2 != pc + 4 &&
	    v.ctx.elr_el2 != vbar + VECTOR_CURRENT_SP0 && v.ctx.elr_el2 != vbar + VECTOR_CURRENT_SPX &&
	    v.ctx.elr_el2 != vbar + VECTOR_LOWER_A64 && v.ctx.elr_el2 != vbar + VECTOR_LOWER_A32)
		abort();
	return 0;
}
