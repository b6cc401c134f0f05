/* SPDX-License-Identifier: MIT */
/*
 * The ESR_EL2 exit decoder (arch/aarch64/exit_decode.c) on syndromes as
 * the Arm ARM encodes them for the instructions of the self-test guest
 * (and a few more): MMIO width, direction, register and sign extension,
 * PC stepping, hypercalls, WFI/WFE, MSR/MRS, interrupts and failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include <host/support.h>

#include "arch/aarch64/exit_decode.c"

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

static int reset(void **state)
{
	(void)state;
	memset(&vcpu, 0, sizeof(vcpu));
	memset(&exit_info, 0, sizeof(exit_info));
	insn_readable = true;
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
	assert_int_equal(vcpu.ctx.elr_el2, 0x40000014);     /* already stepped over */
	assert_int_equal(vcpu_complete_read(&vcpu, 0), -EINVAL);
	vcpu_exit_describe(&exit_info, line, sizeof(line));
	assert_string_equal(line, "MMIO write 0x9000000 width 1 data 0x48 at pc 0x40000010");
}

/* str xzr, [x1, #8]: SAS 3, SRT 31 (the zero register), SF. */
static void test_mmio_write_of_xzr(void **state)
{
	(void)state;
	trap(0x93df8046, 0x40000100, 0x09000008);
	assert_int_equal(exit_info.reason, VCPU_EXIT_MMIO);
	assert_int_equal(exit_info.access.width, 8);
	assert_int_equal(exit_info.access.data, 0);
	assert_int_equal(exit_info.access.addr, 0x09000008);
}

/* ldrsb x4, [x1, #4]: SSE, SRT 4, SF: sign-extended to 64 bits. */
static void test_mmio_read_sign_extended_64(void **state)
{
	(void)state;
	vcpu.ctx.x[4] = 0x1111;
	trap(0x93248005, 0x40000018, 0x09000004);
	assert_int_equal(exit_info.reason, VCPU_EXIT_MMIO);
	assert_int_equal(exit_info.access.dir, BUS_READ);
	assert_int_equal(exit_info.access.width, 1);
	assert_int_equal(exit_info.access.addr, 0x09000004);
	assert_int_equal(vcpu.ctx.elr_el2, 0x40000018);     /* not yet: the read is pending */
	assert_int_equal(vcpu_complete_read(&vcpu, 0xffa5), 0);
	assert_int_equal(vcpu.ctx.x[4], 0xffffffffffffffa5ULL);
	assert_int_equal(vcpu.ctx.elr_el2, 0x4000001c);
	assert_int_equal(vcpu_complete_read(&vcpu, 0xa5), -EINVAL);   /* only once */
}

/* ldrsb w5, [x1, #4]: SSE, SRT 5, no SF: sign-extended to 32 bits, top half zero. */
static void test_mmio_read_sign_extended_32(void **state)
{
	(void)state;
	vcpu.ctx.x[5] = 0xffffffffffffffffULL;
	trap(0x93250005, 0x4000002c, 0x09000004);
	assert_int_equal(vcpu_complete_read(&vcpu, 0xa5), 0);
	assert_int_equal(vcpu.ctx.x[5], 0xffffffa5ULL);
}

/* ldr w6, [x1]: SAS 2, no sign extension: the value is cut to 32 bits. */
static void test_mmio_read_word(void **state)
{
	(void)state;
	trap(0x93860005, 0x40000200, 0x09000000);
	assert_int_equal(exit_info.access.width, 4);
	assert_int_equal(vcpu_complete_read(&vcpu, 0xdeadbeefcafef00dULL), 0);
	assert_int_equal(vcpu.ctx.x[6], 0xcafef00dULL);
	/* ldrh w7 of a positive half-word: zero-extended. */
	trap(0x93470005, 0x40000204, 0x09000002);
	assert_int_equal(exit_info.access.width, 2);
	assert_int_equal(vcpu_complete_read(&vcpu, 0x12345), 0);
	assert_int_equal(vcpu.ctx.x[7], 0x2345);
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
	/* Instruction abort: no code at that IPA. */
	trap(0x82000006, 0x80000000, 0x80000000);
	assert_int_equal(exit_info.reason, VCPU_EXIT_FAILED);
	assert_string_equal(exit_info.failed.reason,
			    "instruction fetch from guest-physical 0x80000000: translation fault "
			    "(no code mapped there)");
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

	vcpu.ctx.vector = 12;                                /* from AArch32 */
	el2_decode_exit(&vcpu, &exit_info);
	assert_int_equal(exit_info.reason, VCPU_EXIT_FAILED);

	/* An undefined instruction (EC 0) reaching EL2. */
	trap(0x02000000, 0x40000030, 0);
	assert_int_equal(exit_info.reason, VCPU_EXIT_FAILED);
	assert_string_equal(exit_info.failed.reason,
			    "unknown instruction (EC 0x00, ESR_EL2 0x02000000) at pc 0x40000030");
	assert_string_equal(vcpu_exit_reason_name(VCPU_EXIT_FAILED), "FAILED");
	assert_string_equal(vcpu_exit_reason_name((enum vcpu_exit_reason)99), "INVALID");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mmio_byte_write, reset),
		cmocka_unit_test_setup(test_mmio_write_of_xzr, reset),
		cmocka_unit_test_setup(test_mmio_read_sign_extended_64, reset),
		cmocka_unit_test_setup(test_mmio_read_sign_extended_32, reset),
		cmocka_unit_test_setup(test_mmio_read_word, reset),
		cmocka_unit_test_setup(test_data_abort_without_syndrome, reset),
		cmocka_unit_test_setup(test_other_aborts_fail, reset),
		cmocka_unit_test_setup(test_hvc, reset),
		cmocka_unit_test_setup(test_smc, reset),
		cmocka_unit_test_setup(test_wfi_wfe, reset),
		cmocka_unit_test_setup(test_sysreg_read_and_write, reset),
		cmocka_unit_test_setup(test_interrupts_and_failures, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
