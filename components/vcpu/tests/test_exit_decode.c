/* SPDX-License-Identifier: MIT */
/*
 * The ESR_EL2 exit decoder (arch/aarch64/exit_decode.c) on syndromes as
 * the Arm ARM encodes them for the instructions of the self-test guest
 * (and a few more): MMIO width, direction, register and sign extension,
 * the one-pass access through vcpu_io_ops, PC stepping by ESR_EL2.IL
 * (16-bit Thumb instructions of an AArch32 process), hypercalls,
 * WFI/WFE, MSR/MRS, interrupts, failures and the UNDEF injected for
 * what the hypervisor does not emulate.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include <host/support.h>

#include "arch/aarch64/exit_decode.c"
#include "arch/aarch64/ptimer.c"

/* The physical counter: the test sets it. */
static uint64_t counter_now;

uint64_t el2_counter(void)
{
	return counter_now;
}

/* The guest instruction the decoder may ask for (an STP x2, x3, [x1]). */
#define GUEST_STP 0xa9000c22u
static bool insn_readable = true;

bool el2_read_guest_insn(struct vcpu *v, uint64_t pc, uint32_t *insn)
{
	(void)v;
	(void)pc;
	if (!insn_readable)
		return false;
	*insn = GUEST_STP;
	return true;
}

static struct vcpu vcpu;
static struct vcpu_exit exit_info;

/* The VM's side: a device that records the accesses and answers reads. */
static struct bus_access seen[4];
static unsigned int seen_count;
static uint64_t device_value;

static enum bus_result fake_access(void *opaque, struct vcpu *v, struct bus_access *acc)
{
	(void)opaque;
	assert_ptr_equal(v, &vcpu);
	if (acc->dir == BUS_READ)
		acc->data = device_value;
	if (seen_count < 4)
		seen[seen_count] = *acc;
	seen_count++;
	return BUS_OK;
}

static const struct vcpu_io_ops fake_io_ops = { .access = fake_access };

/* A synchronous exit at pc with this syndrome and fault address. */
static void trap(uint32_t esr, uint64_t pc, uint64_t ipa)
{
	vcpu.ctx.vector = VECTOR_LOWER_A64_SYNC;
	vcpu.ctx.esr_el2 = esr;
	vcpu.ctx.elr_el2 = pc;
	vcpu.ctx.far_el2 = ipa;                   /* guest MMU off: VA = IPA */
	vcpu.ctx.hpfar_el2 = (ipa >> 12) << 4;    /* HPFAR_EL2.FIPA, bits 43:4 */
	el2_decode_exit(&vcpu, &exit_info);
}

/* What vcpu_run() does after the decode: a data abort's access, one pass. */
static void trap_and_emulate(uint32_t esr, uint64_t pc, uint64_t ipa)
{
	trap(esr, pc, ipa);
	el2_emulate_mmio(&vcpu, &exit_info);
}

static int reset(void **state)
{
	(void)state;
	memset(&vcpu, 0, sizeof(vcpu));
	memset(&exit_info, 0, sizeof(exit_info));
	memset(seen, 0, sizeof(seen));
	seen_count = 0;
	device_value = 0;
	insn_readable = true;
	vcpu.io_ops = &fake_io_ops;
	return 0;
}

/* strb w3, [x1]: EC 0x24, IL, ISV, SAS 0, SRT 3, WnR, translation fault level 1. */
static void test_mmio_byte_write(void **state)
{
	char line[120];

	(void)state;
	vcpu.ctx.x[3] = 0x1248;                  /* only the low byte is stored */
	trap(0x93030045, 0x40000010, 0x09000000);
	assert_int_equal(exit_info.reason, VCPU_EXIT_MMIO);
	assert_int_equal(exit_info.access.space, BUS_SPACE_MMIO);
	assert_int_equal(exit_info.access.dir, BUS_WRITE);
	assert_int_equal(exit_info.access.addr, 0x09000000);
	assert_int_equal(exit_info.access.width, 1);
	assert_int_equal(exit_info.access.data, 0x48);
	assert_int_equal(exit_info.pc, 0x40000010);
	assert_int_equal(seen_count, 0);         /* decoded, not yet performed */
	el2_emulate_mmio(&vcpu, &exit_info);
	assert_int_equal(seen_count, 1);
	assert_int_equal(seen[0].dir, BUS_WRITE);
	assert_int_equal(seen[0].addr, 0x09000000);
	assert_int_equal(seen[0].data, 0x48);
	assert_int_equal(exit_info.accesses, 1);
	assert_int_equal(vcpu.ctx.elr_el2, 0x40000014);     /* stepped over */
	assert_int_equal(vcpu_complete_read(&vcpu, 0), -EINVAL);
	el2_emulate_mmio(&vcpu, &exit_info);               /* only once */
	assert_int_equal(seen_count, 1);
	vcpu_exit_describe(&exit_info, line, sizeof(line));
	assert_string_equal(line, "MMIO write 0x9000000 width 1 data 0x48 at pc 0x40000010");
}

/* str xzr, [x1, #8]: SAS 3, SRT 31 (the zero register), SF. */
static void test_mmio_write_of_xzr(void **state)
{
	(void)state;
	trap_and_emulate(0x93df8046, 0x40000100, 0x09000008);
	assert_int_equal(exit_info.reason, VCPU_EXIT_MMIO);
	assert_int_equal(exit_info.access.width, 8);
	assert_int_equal(exit_info.access.data, 0);
	assert_int_equal(exit_info.access.addr, 0x09000008);
	assert_int_equal(seen[0].data, 0);
}

/* ldrsb x4, [x1, #4]: SSE, SRT 4, SF: sign-extended to 64 bits, in one pass. */
static void test_mmio_read_sign_extended_64(void **state)
{
	(void)state;
	vcpu.ctx.x[4] = 0x1111;
	device_value = 0xffa5;                   /* the bus keeps the access width */
	trap_and_emulate(0x93248005, 0x40000018, 0x09000004);
	assert_int_equal(exit_info.reason, VCPU_EXIT_MMIO);
	assert_int_equal(exit_info.access.dir, BUS_READ);
	assert_int_equal(exit_info.access.width, 1);
	assert_int_equal(exit_info.access.addr, 0x09000004);
	assert_int_equal(exit_info.access.data, 0xa5);      /* for the trace */
	assert_int_equal(vcpu.ctx.x[4], 0xffffffffffffffa5ULL);
	assert_int_equal(vcpu.ctx.elr_el2, 0x4000001c);
	assert_int_equal(vcpu_complete_read(&vcpu, 0xa5), -EINVAL);   /* nothing pending */
}

/* ldrsb w5, [x1, #4]: SSE, SRT 5, no SF: sign-extended to 32 bits, top half zero. */
static void test_mmio_read_sign_extended_32(void **state)
{
	(void)state;
	vcpu.ctx.x[5] = 0xffffffffffffffffULL;
	device_value = 0xa5;
	trap_and_emulate(0x93250005, 0x4000002c, 0x09000004);
	assert_int_equal(vcpu.ctx.x[5], 0xffffffa5ULL);
}

/* ldr w6, [x1]: SAS 2, no sign extension: the value is cut to 32 bits. */
static void test_mmio_read_word(void **state)
{
	(void)state;
	device_value = 0xdeadbeefcafef00dULL;
	trap_and_emulate(0x93860005, 0x40000200, 0x09000000);
	assert_int_equal(exit_info.access.width, 4);
	assert_int_equal(vcpu.ctx.x[6], 0xcafef00dULL);
	/* ldrh w7 of a positive half-word: zero-extended. */
	device_value = 0x12345;
	trap_and_emulate(0x93470005, 0x40000204, 0x09000002);
	assert_int_equal(exit_info.access.width, 2);
	assert_int_equal(vcpu.ctx.x[7], 0x2345);
}

/* A refused read (a width the device does not take) gives all-ones. */
static enum bus_result refusing_access(void *opaque, struct vcpu *v, struct bus_access *acc)
{
	(void)opaque;
	(void)v;
	acc->data = ~0ULL;
	return BUS_REJECTED;
}

static void test_mmio_refused_read_is_all_ones(void **state)
{
	static const struct vcpu_io_ops refusing = { .access = refusing_access };

	(void)state;
	vcpu.io_ops = &refusing;
	trap_and_emulate(0x93860005, 0x40000200, 0x09000000);   /* ldr w6, [x1] */
	assert_int_equal(vcpu.ctx.x[6], 0xffffffffULL);
	assert_int_equal(vcpu.ctx.elr_el2, 0x40000204);
}

/*
 * Nothing at the address (no device; here: no handler at all): the guest
 * gets a synchronous external abort at its vector, as on the hardware.
 * ldr w6, [x1] from EL1h with VBAR_EL1 0x40080000: EC 0x25 (from EL1),
 * IL, FSC 0x10, FAR_EL1 = FAR_EL2, ELR_EL1 = the load, SPSR_EL1 = PSTATE.
 */
static enum bus_result unassigned_access(void *opaque, struct vcpu *v, struct bus_access *acc)
{
	(void)opaque;
	(void)v;
	acc->data = ~0ULL;
	return BUS_UNASSIGNED;
}

static void test_mmio_to_nothing_injects_data_abort(void **state)
{
	static const struct vcpu_io_ops nothing = { .access = unassigned_access };

	(void)state;
	vcpu.io_ops = NULL;
	vcpu.ctx.sysregs[SYSREG_VBAR_EL1] = 0x40080000;
	vcpu.ctx.spsr_el2 = 0x3c5;                                 /* EL1h, DAIF */
	vcpu.ctx.x[6] = 0x1234;
	trap_and_emulate(0x93860005, 0x40000200, 0x50000000);
	assert_int_equal(exit_info.reason, VCPU_EXIT_MMIO);
	assert_int_equal(vcpu.ctx.x[6], 0x1234);                   /* not written */
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_ESR_EL1], 0x96000010);
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_FAR_EL1], 0x50000000);
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_ELR_EL1], 0x40000200);
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_SPSR_EL1], 0x3c5);
	assert_int_equal(vcpu.ctx.elr_el2, 0x40080200);            /* current EL, SP_ELx */
	assert_int_equal(vcpu.ctx.spsr_el2 & 0x3cf, 0x3c5);
	/* A write from EL0 (str w3, [x1]), through the VM's bus: EC 0x24 with WnR. */
	vcpu.io_ops = &nothing;
	vcpu.ctx.spsr_el2 = 0;                                      /* EL0t */
	trap_and_emulate(0x93830045, 0x1000, 0x50000008);
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_ESR_EL1], 0x92000050);
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_FAR_EL1], 0x50000008);
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_ELR_EL1], 0x1000);
	assert_int_equal(vcpu.ctx.elr_el2, 0x40080400);            /* lower EL, AArch64 */
	assert_int_equal(vcpu.abort_reports, 2);
}

/* Whether a device is at the address, for accesses without syndrome. */
static bool device_present = true;

static bool fake_present(void *opaque, struct vcpu *v, enum bus_space space, uint64_t addr)
{
	(void)opaque;
	(void)v;
	assert_int_equal(space, BUS_SPACE_MMIO);
	(void)addr;
	return device_present;
}

/*
 * stp x2, x3, [x1] without syndrome to an address with nothing there:
 * nothing to perform, so the guest gets the data abort (FSC 0x10, WnR)
 * instead of the VM stopping; with a device there it still fails.
 */
static void test_unsyndromed_access_to_nothing_injects_abort(void **state)
{
	static const struct vcpu_io_ops with_present = { .access = fake_access,
							 .present = fake_present };

	(void)state;
	vcpu.io_ops = &with_present;
	vcpu.ctx.sysregs[SYSREG_VBAR_EL1] = 0x40080000;
	vcpu.ctx.spsr_el2 = 0x3c5;
	device_present = false;
	trap_and_emulate(0x92000045, 0x40000010, 0x60000000);
	assert_int_equal(exit_info.reason, VCPU_EXIT_NONE);
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_ESR_EL1], 0x96000050);
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_FAR_EL1], 0x60000000);
	assert_int_equal(vcpu.ctx.elr_el2, 0x40080200);
	assert_int_equal(seen_count, 0);
	device_present = true;
	trap_and_emulate(0x92000045, 0x40000010, 0x09000000);
	assert_int_equal(exit_info.reason, VCPU_EXIT_FAILED);
}

static uint64_t on_demand_addr;
static bool on_demand_answer;

static bool fake_map_on_demand(void *opaque, struct vcpu *v, uint64_t addr)
{
	(void)opaque;
	(void)v;
	on_demand_addr = addr;
	return on_demand_answer;
}

/*
 * The same instruction at memory the VM maps on demand (a flash bank whose
 * remapping it held back): no abort, no step: the instruction runs again;
 * when the VM maps nothing, a device there still fails the exit.
 */
static void test_unsyndromed_access_maps_on_demand(void **state)
{
	static const struct vcpu_io_ops with_map = { .access = fake_access,
						     .present = fake_present,
						     .map_on_demand = fake_map_on_demand };

	(void)state;
	vcpu.io_ops = &with_map;
	vcpu.ctx.sysregs[SYSREG_VBAR_EL1] = 0x40080000;
	vcpu.ctx.spsr_el2 = 0x3c5;
	device_present = true;
	on_demand_answer = true;
	trap_and_emulate(0x92000005, 0x40000010, 0x04000880);
	assert_int_equal(exit_info.reason, VCPU_EXIT_NONE);
	assert_int_equal(on_demand_addr, 0x04000880);
	assert_int_equal(vcpu.ctx.elr_el2, 0x40000010);
	assert_int_equal(seen_count, 0);
	on_demand_answer = false;
	trap_and_emulate(0x92000005, 0x40000010, 0x04000880);
	assert_int_equal(exit_info.reason, VCPU_EXIT_FAILED);
}

/* stp x2, x3, [x1]: no syndrome (ISV=0): the exit fails and names the instruction. */
static void test_data_abort_without_syndrome(void **state)
{
	(void)state;
	trap(0x92000045, 0x40000010, 0x09000000);
	assert_int_equal(exit_info.reason, VCPU_EXIT_FAILED);
	assert_string_equal(exit_info.failed.reason,
			    "write at guest-physical 0x9000000 without syndrome (ISV=0), "
			    "instruction 0xa9000c22 at pc 0x40000010");
	insn_readable = false;
	trap(0x92000005, 0x40000010, 0x09000000);
	assert_string_equal(exit_info.failed.reason,
			    "read at guest-physical 0x9000000 without syndrome (ISV=0), "
			    "instruction at pc 0x40000010 unreadable");
}

static void test_other_aborts_fail(void **state)
{
	(void)state;
	/* S1PTW: the guest's page-table walk hit unmapped memory. */
	trap(0x93000085, 0x40000000, 0x50000000);
	assert_int_equal(exit_info.reason, VCPU_EXIT_FAILED);
	assert_non_null(strstr(exit_info.failed.reason, "page tables at guest-physical 0x50000000"));
	/* Synchronous external abort (FSC 0x10). */
	trap(0x93000050, 0x40000000, 0x50000000);
	assert_int_equal(exit_info.reason, VCPU_EXIT_FAILED);
	assert_non_null(strstr(exit_info.failed.reason, "external abort"));
}

/*
 * Instruction abort, no code at that IPA: a prefetch abort at the guest's
 * vector (EC 0x21 from EL1, 0x20 from EL0; IL; FSC 0x10; FAR = the PC).
 */
static void test_fetch_from_nothing_injects_prefetch_abort(void **state)
{
	(void)state;
	vcpu.ctx.sysregs[SYSREG_VBAR_EL1] = 0x40080000;
	vcpu.ctx.spsr_el2 = 0x3c4;                                 /* EL1t */
	trap(0x82000006, 0x80000000, 0x80000000);
	assert_int_equal(exit_info.reason, VCPU_EXIT_NONE);
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_ESR_EL1], 0x86000010);
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_FAR_EL1], 0x80000000);
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_ELR_EL1], 0x80000000);
	assert_int_equal(vcpu.ctx.elr_el2, 0x40080000);            /* current EL, SP_EL0 */
	vcpu.ctx.spsr_el2 = 0x10;                                  /* AArch32 EL0 */
	trap(0x82000006, 0x8000, 0x8000);
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_ESR_EL1], 0x82000010);
	assert_int_equal(vcpu.ctx.elr_el2, 0x40080600);
	/* A fault walking the guest's own tables still stops the VM. */
	trap(0x82000086, 0x80000000, 0x80000000);
	assert_int_equal(exit_info.reason, VCPU_EXIT_FAILED);
}

/* mrs/msr x<rt>, <reg>: EC 0x18 with Op0 3, Op1 3, CRn 14 and the register's CRm/Op2. */
static uint32_t timer_esr(unsigned int crm, unsigned int op2, unsigned int rt, bool read)
{
	return (0x18u << 26) | (1u << 25) | (3u << 20) | (op2 << 17) | (3u << 14) | (14u << 10) |
	       (rt << 5) | (crm << 1) | (read ? 1u : 0u);
}

/*
 * The physical timer and counter are emulated in the backend on the
 * guest's count (the host counter less CNTVOFF): TVAL/CVAL/CTL with
 * ISTATUS, and the level the vGIC gets.
 */
static void test_physical_timer(void **state)
{
	uint64_t deadline;

	(void)state;
	vcpu.cntvoff = 1000;
	counter_now = 1500;                                        /* guest count 500 */
	trap(timer_esr(0, 1, 2, true), 0x40000000, 0);             /* mrs x2, cntpct_el0 */
	assert_int_equal(exit_info.reason, VCPU_EXIT_NONE);
	assert_int_equal(vcpu.ctx.x[2], 500);
	assert_int_equal(vcpu.ctx.elr_el2, 0x40000004);
	/* msr cntp_tval_el0, x3 = 100: CVAL = 600. */
	vcpu.ctx.x[3] = 100;
	trap(timer_esr(2, 0, 3, false), 0x40000004, 0);
	trap(timer_esr(2, 2, 4, true), 0x40000008, 0);             /* mrs x4, cntp_cval_el0 */
	assert_int_equal(vcpu.ctx.x[4], 600);
	assert_false(el2_ptimer_deadline(&vcpu, &deadline));       /* not enabled */
	vcpu.ctx.x[5] = 1;                                         /* ENABLE */
	trap(timer_esr(2, 1, 5, false), 0x4000000c, 0);
	assert_true(el2_ptimer_deadline(&vcpu, &deadline));
	assert_int_equal(deadline, 1600);                          /* the host count */
	assert_false(el2_ptimer_level(&vcpu));
	trap(timer_esr(2, 1, 6, true), 0x40000010, 0);             /* mrs x6, cntp_ctl_el0 */
	assert_int_equal(vcpu.ctx.x[6], 1);                        /* ISTATUS clear */
	/* TVAL counts down and goes negative past the deadline. */
	counter_now = 1650;
	trap(timer_esr(2, 0, 7, true), 0x40000014, 0);
	assert_int_equal(vcpu.ctx.x[7], 0xffffffceULL);            /* -50 as 32 bits */
	trap(timer_esr(2, 1, 6, true), 0x40000018, 0);
	assert_int_equal(vcpu.ctx.x[6], 5);                        /* ENABLE, ISTATUS */
	assert_true(el2_ptimer_level(&vcpu));
	/* IMASK: ISTATUS stays, the interrupt goes away. */
	vcpu.ctx.x[5] = 3;
	trap(timer_esr(2, 1, 5, false), 0x4000001c, 0);
	assert_false(el2_ptimer_level(&vcpu));
	assert_false(el2_ptimer_deadline(&vcpu, &deadline));
	trap(timer_esr(2, 1, 6, true), 0x40000020, 0);
	assert_int_equal(vcpu.ctx.x[6], 7);
	/* A negative TVAL puts CVAL in the past; a CVAL of all ones is never. */
	vcpu.ctx.x[5] = 1;
	trap(timer_esr(2, 1, 5, false), 0x40000024, 0);
	vcpu.ctx.x[3] = 0xfffffff6;                                /* -10 */
	trap(timer_esr(2, 0, 3, false), 0x40000028, 0);
	assert_true(el2_ptimer_level(&vcpu));
	vcpu.ctx.x[3] = ~0ULL;
	trap(timer_esr(2, 2, 3, false), 0x4000002c, 0);            /* msr cntp_cval_el0 */
	assert_false(el2_ptimer_level(&vcpu));
	assert_false(el2_ptimer_deadline(&vcpu, &deadline));
	/* The counter is read-only; another CRn 14 register is not the timer's. */
	trap(timer_esr(0, 1, 3, false), 0x40000030, 0);
	assert_int_equal(exit_info.reason, VCPU_EXIT_NONE);
	trap(timer_esr(3, 1, 3, false), 0x40000034, 0);            /* cntv_ctl_el0 */
	assert_int_equal(exit_info.reason, VCPU_EXIT_SYSREG);
	el2_ptimer_reset(&vcpu);
	assert_false(el2_ptimer_level(&vcpu));
}

/* hvc #0 with x0 = PSCI_VERSION: ELR_EL2 is already past the HVC. */
static void test_hvc(void **state)
{
	const uint64_t version = 0x10000;

	(void)state;
	vcpu.ctx.x[0] = 0x84000000;
	vcpu.ctx.x[1] = 0x11;
	vcpu.ctx.x[6] = 0x66;
	trap(0x5a000000, 0x4000005c, 0);
	assert_int_equal(exit_info.reason, VCPU_EXIT_HYPERCALL);
	assert_int_equal(exit_info.hypercall.function, 0x84000000);
	assert_int_equal(exit_info.hypercall.args[0], 0x11);
	assert_int_equal(exit_info.hypercall.args[5], 0x66);
	assert_int_equal(exit_info.hypercall.imm, 0);
	assert_false(exit_info.hypercall.is_smc);
	assert_int_equal(exit_info.pc, 0x40000058);
	assert_int_equal(vcpu.ctx.elr_el2, 0x4000005c);
	assert_int_equal(vcpu_complete_hypercall(&vcpu, &version, 1), 0);
	assert_int_equal(vcpu.ctx.x[0], 0x10000);
	assert_int_equal(vcpu_complete_hypercall(&vcpu, &version, 1), -EINVAL);
	/* hvc #1 */
	trap(0x5a000001, 0x40000080, 0);
	assert_int_equal(exit_info.hypercall.imm, 1);
}

/* smc #0 trapped by HCR_EL2.TSC: ELR_EL2 is the SMC, stepped over by the decoder. */
static void test_smc(void **state)
{
	(void)state;
	vcpu.ctx.x[0] = 0x84000008;
	trap(0x5e000000, 0x40000100, 0);
	assert_int_equal(exit_info.reason, VCPU_EXIT_HYPERCALL);
	assert_true(exit_info.hypercall.is_smc);
	assert_int_equal(exit_info.pc, 0x40000100);
	assert_int_equal(vcpu.ctx.elr_el2, 0x40000104);
}

static void test_wfi_wfe(void **state)
{
	(void)state;
	trap(0x06000000, 0x40000050, 0);
	assert_int_equal(exit_info.reason, VCPU_EXIT_WFI);
	assert_false(exit_info.wfi.is_wfe);
	assert_int_equal(vcpu.ctx.elr_el2, 0x40000054);
	trap(0x06000001, 0x40000060, 0);
	assert_true(exit_info.wfi.is_wfe);
}

/* mrs x7, actlr_el1 (Op0 3, Op1 0, CRn 1, CRm 0, Op2 1), trapped by HCR_EL2.TACR. */
static void test_sysreg_read_and_write(void **state)
{
	(void)state;
	trap(0x623204e1, 0x40000040, 0);
	assert_int_equal(exit_info.reason, VCPU_EXIT_SYSREG);
	assert_int_equal(exit_info.sysreg.id, 0xc081);
	assert_false(exit_info.sysreg.is_write);
	assert_int_equal(vcpu.ctx.elr_el2, 0x40000040);
	assert_int_equal(vcpu_complete_read(&vcpu, 0x5a), 0);
	assert_int_equal(vcpu.ctx.x[7], 0x5a);
	assert_int_equal(vcpu.ctx.elr_el2, 0x40000044);
	/* msr actlr_el1, x9 */
	vcpu.ctx.x[9] = 0x1234;
	trap(0x62320520, 0x40000048, 0);
	assert_true(exit_info.sysreg.is_write);
	assert_int_equal(exit_info.sysreg.id, 0xc081);
	assert_int_equal(exit_info.sysreg.value, 0x1234);
	assert_int_equal(vcpu.ctx.elr_el2, 0x4000004c);
}

static void test_interrupts_and_failures(void **state)
{
	(void)state;
	vcpu.ctx.vector = VECTOR_LOWER_A64_IRQ;
	vcpu.ctx.elr_el2 = 0x40000020;
	el2_decode_exit(&vcpu, &exit_info);
	assert_int_equal(exit_info.reason, VCPU_EXIT_IRQ);
	assert_int_equal(exit_info.pc, 0x40000020);
	assert_int_equal(vcpu.ctx.elr_el2, 0x40000020);     /* resumes where it was */

	vcpu.ctx.vector = VECTOR_LOWER_A64_SERROR;
	el2_decode_exit(&vcpu, &exit_info);
	assert_int_equal(exit_info.reason, VCPU_EXIT_FAILED);

	vcpu.ctx.vector = 15;                                /* SError from AArch32 */
	el2_decode_exit(&vcpu, &exit_info);
	assert_int_equal(exit_info.reason, VCPU_EXIT_FAILED);
	vcpu.ctx.vector = 13;                                /* IRQ while in AArch32 EL0 */
	el2_decode_exit(&vcpu, &exit_info);
	assert_int_equal(exit_info.reason, VCPU_EXIT_IRQ);
	assert_string_equal(vcpu_exit_reason_name(VCPU_EXIT_FAILED), "FAILED");
	assert_string_equal(vcpu_exit_reason_name((enum vcpu_exit_reason)99), "INVALID");
}

/* ---- what the hypervisor does not emulate is the guest's UNDEF, not the VM's end ---- */

#define GUEST_VBAR 0x40080000ULL
#define SPSR_EL1H_MASKED 0x3c5ULL       /* EL1h, D A I F masked */
#define SPSR_A32_USR 0x10ULL            /* AArch32 User mode, interrupts on */
#define SPSR_A32_USR_THUMB 0x30ULL      /* ... executing T32 */

/* A synchronous exit from a 32-bit process at EL0 (the AArch32 vector). */
static void trap_from_aarch32(uint32_t esr, uint64_t pc, uint64_t pstate)
{
	vcpu.ctx.spsr_el2 = pstate;
	vcpu.ctx.sysregs[SYSREG_VBAR_EL1] = GUEST_VBAR;
	vcpu.ctx.vector = 12;
	vcpu.ctx.esr_el2 = esr;
	vcpu.ctx.elr_el2 = pc;
	el2_decode_exit(&vcpu, &exit_info);
}

/* A 16-bit Thumb WFE of an AArch32 process: EC 0x01, IL 0, TI 1: the PC steps by 2. */
static void test_wfe_thumb16_steps_two_bytes(void **state)
{
	(void)state;
	trap_from_aarch32(0x04000001, 0x10232, SPSR_A32_USR_THUMB);
	assert_int_equal(exit_info.reason, VCPU_EXIT_WFI);
	assert_true(exit_info.wfi.is_wfe);
	assert_int_equal(exit_info.pc, 0x10232);
	assert_int_equal(vcpu.ctx.elr_el2, 0x10234);
	/* A 32-bit one (IL 1) steps by 4. */
	trap_from_aarch32(0x06000000, 0x10300, SPSR_A32_USR);
	assert_int_equal(vcpu.ctx.elr_el2, 0x10304);
}

/* MRC p15 of an AArch32 process (EC 0x03): UNDEF at VBAR_EL1 + 0x600, the VM goes on. */
static void test_aarch32_cp15_trap_injects_undef(void **state)
{
	(void)state;
	vcpu.ctx.sysregs[SYSREG_FAR_EL1] = 0x1234;
	trap_from_aarch32(0x0e000000 | 0x3c01, 0x10400, SPSR_A32_USR);
	assert_int_not_equal(exit_info.reason, VCPU_EXIT_FAILED);
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_ESR_EL1], 0x02000000);   /* EC 0, IL */
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_ELR_EL1], 0x10400);
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_SPSR_EL1], SPSR_A32_USR);
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_FAR_EL1], 0x1234);       /* UNKNOWN: kept */
	assert_int_equal(vcpu.ctx.elr_el2, GUEST_VBAR + 0x600);
	assert_int_equal(vcpu.ctx.spsr_el2, SPSR_EL1H_MASKED);
	/* CP14 (EC 0x05, 0x06) and a 16-bit instruction: same, ELR_EL1 the instruction. */
	trap_from_aarch32(0x14000000, 0x10502, SPSR_A32_USR_THUMB);
	assert_int_not_equal(exit_info.reason, VCPU_EXIT_FAILED);
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_ELR_EL1], 0x10502);
	assert_int_equal(vcpu.ctx.sysregs[SYSREG_SPSR_EL1], SPSR_A32_USR_THUMB);
	assert_int_equal(vcpu.ctx.elr_el2, GUEST_VBAR + 0x600);
	trap_from_aarch32(0x1a000000, 0x10600, SPSR_A32_USR);
	assert_int_not_equal(exit_info.reason, VCPU_EXIT_FAILED);
	assert_int_equal(vcpu.ctx.elr_el2, GUEST_VBAR + 0x600);
}

/* An unknown class from AArch64: the vector offset follows where it came from. */
static void test_undef_vector_offsets(void **state)
{
	static const struct {
		uint64_t pstate, offset;
	} cases[] = {
		{ 0x3c5, 0x200 },     /* EL1h: current EL, SP_EL1 */
		{ 0x3c4, 0x000 },     /* EL1t: current EL, SP_EL0 */
		{ 0x000, 0x400 },     /* EL0, AArch64             */
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vcpu.ctx.spsr_el2 = cases[i].pstate;
		vcpu.ctx.sysregs[SYSREG_VBAR_EL1] = GUEST_VBAR;
		/* EC 0x07: an FP access trapped at EL2 (the hypervisor never traps it). */
		trap(0x1e000000, 0x40001000, 0);
		assert_int_not_equal(exit_info.reason, VCPU_EXIT_FAILED);
		assert_int_equal(vcpu.ctx.sysregs[SYSREG_ESR_EL1], 0x02000000);
		assert_int_equal(vcpu.ctx.sysregs[SYSREG_ELR_EL1], 0x40001000);
		assert_int_equal(vcpu.ctx.sysregs[SYSREG_SPSR_EL1], cases[i].pstate);
		assert_int_equal(vcpu.ctx.elr_el2, GUEST_VBAR + cases[i].offset);
		assert_int_equal(vcpu.ctx.spsr_el2 & 0x3cf, SPSR_EL1H_MASKED);
	}
}

/* A 16-bit Thumb store to MMIO (IL 0): performed, and the PC steps by 2. */
static void test_mmio_thumb16_steps_two_bytes(void **state)
{
	(void)state;
	vcpu.ctx.x[2] = 0x41;
	vcpu.ctx.spsr_el2 = SPSR_A32_USR_THUMB;
	vcpu.ctx.vector = 12;
	vcpu.ctx.esr_el2 = 0x91020046;           /* strb r2: ISV, SAS 0, SRT 2, WnR; IL 0 */
	vcpu.ctx.elr_el2 = 0x10700;
	vcpu.ctx.far_el2 = 0x09000000;
	vcpu.ctx.hpfar_el2 = (0x09000000 >> 12) << 4;
	el2_decode_exit(&vcpu, &exit_info);
	el2_emulate_mmio(&vcpu, &exit_info);
	assert_int_equal(exit_info.reason, VCPU_EXIT_MMIO);
	assert_int_equal(seen[0].data, 0x41);
	assert_int_equal(vcpu.ctx.elr_el2, 0x10702);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mmio_byte_write, reset),
		cmocka_unit_test_setup(test_mmio_write_of_xzr, reset),
		cmocka_unit_test_setup(test_mmio_read_sign_extended_64, reset),
		cmocka_unit_test_setup(test_mmio_read_sign_extended_32, reset),
		cmocka_unit_test_setup(test_mmio_read_word, reset),
		cmocka_unit_test_setup(test_mmio_refused_read_is_all_ones, reset),
		cmocka_unit_test_setup(test_mmio_to_nothing_injects_data_abort, reset),
		cmocka_unit_test_setup(test_fetch_from_nothing_injects_prefetch_abort, reset),
		cmocka_unit_test_setup(test_unsyndromed_access_maps_on_demand, reset),
		cmocka_unit_test_setup(test_unsyndromed_access_to_nothing_injects_abort, reset),
		cmocka_unit_test_setup(test_physical_timer, reset),
		cmocka_unit_test_setup(test_data_abort_without_syndrome, reset),
		cmocka_unit_test_setup(test_other_aborts_fail, reset),
		cmocka_unit_test_setup(test_hvc, reset),
		cmocka_unit_test_setup(test_smc, reset),
		cmocka_unit_test_setup(test_wfi_wfe, reset),
		cmocka_unit_test_setup(test_sysreg_read_and_write, reset),
		cmocka_unit_test_setup(test_interrupts_and_failures, reset),
		cmocka_unit_test_setup(test_wfe_thumb16_steps_two_bytes, reset),
		cmocka_unit_test_setup(test_aarch32_cp15_trap_injects_undef, reset),
		cmocka_unit_test_setup(test_undef_vector_offsets, reset),
		cmocka_unit_test_setup(test_mmio_thumb16_steps_two_bytes, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
