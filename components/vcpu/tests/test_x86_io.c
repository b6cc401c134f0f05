/* SPDX-License-Identifier: MIT */
/*
 * Trapped device accesses on x86 (arch/x86_64/io_emul.c, guest_mem.c)
 * on a fake vCPU with fake guest RAM: IN/OUT, INS/OUTS through the
 * guest's segmentation and paging, MMIO through x86emu, each in one pass
 * and bounded per exit.  Regression tests: INS from a process (CPL 3)
 * into a kernel or read-only page, or through a not-present entry, is the
 * guest's #PF with the processor's error code and CR2, not a write into
 * the page nor the end of the VM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include <host/support.h>

#include "x86_sources.h"

#define RAM_SIZE (1u << 20)
#define PD_GPA 0x1000u
#define PT_GPA 0x2000u
#define TEST_PTE_P  0x1u
#define TEST_PTE_RW 0x2u
#define TEST_PTE_US 0x4u

static struct vcpu *vcpu;
static struct vcpu_exit exit_info;

static int reset(void **state)
{
	(void)state;
	vcpu = calloc(1, sizeof(*vcpu));
	vcpu->ram = calloc(1, RAM_SIZE);
	vcpu->ram_size = RAM_SIZE;
	vcpu->insn_len = 2;
	vcpu->count = 1;
	vcpu->rflags = 0x2;
	memset(&exit_info, 0, sizeof(exit_info));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(vcpu->ram);
	free(vcpu);
	return 0;
}

static void put32(uint64_t gpa, uint32_t value)
{
	memcpy(vcpu->ram + gpa, &value, 4);
}

/* 32-bit paging over the first 4 MiB: linear page n -> guest-physical page n with flags. */
static void paging_on(unsigned int cpl, bool wp)
{
	fake_flat_segments(vcpu, false, cpl);
	put32(PD_GPA, PT_GPA | TEST_PTE_P | TEST_PTE_RW | TEST_PTE_US);
	vcpu->cr3 = PD_GPA;
	vcpu->cr0 = 0x80000011 | (wp ? X86_CR0_WP : 0);
}

static void map_page(uint64_t linear, uint32_t flags)
{
	put32(PT_GPA + (linear >> 12) * 4, (uint32_t)(linear & ~0xfffull) | flags);
}

static const struct x86_io_exit rep_insb = {
	.port = 0x60, .width = 1, .in = true, .string = true, .rep = true, .address_size = 4,
};

static enum x86_action run_io(const struct x86_io_exit *io)
{
	memset(&exit_info, 0, sizeof(exit_info));
	vcpu->injected.valid = false;
	return x86_handle_pio(vcpu, io, &exit_info);
}

/* rep insb at CPL 3 into a kernel page: #PF P|W|U, CR2, nothing written, port untouched. */
static void test_ins_from_user_into_kernel_page_is_pf(void **state)
{
	(void)state;
	paging_on(3, true);
	map_page(0x10000, TEST_PTE_P | TEST_PTE_RW);                /* supervisor, writable */
	memset(vcpu->ram + 0x10000, 0xaa, 16);
	vcpu->gpr[X86_RDI] = 0x10000;
	vcpu->gpr[X86_RCX] = 8;
	vcpu->rip = 0x401000;
	assert_int_equal(run_io(&rep_insb), X86_RESUME);
	assert_int_not_equal(exit_info.reason, VCPU_EXIT_FAILED);
	assert_true(vcpu->injected.valid);
	assert_int_equal(vcpu->injected.vector, X86_VECTOR_PF);
	assert_int_equal(vcpu->injected.error, X86_PF_PRESENT | X86_PF_WRITE | X86_PF_USER);
	assert_int_equal(vcpu->cr2, 0x10000);
	assert_int_equal(vcpu->ram[0x10000], 0xaa);
	assert_int_equal(vcpu->access_count, 0);
	assert_int_equal(vcpu->gpr[X86_RCX], 8);
	assert_int_equal(vcpu->rip, 0x401000);
}

/* Read-only pages: #PF for CPL 3 always, for CPL 0 only with CR0.WP. */
static void test_ins_into_read_only_page(void **state)
{
	(void)state;
	paging_on(3, false);
	map_page(0x11000, TEST_PTE_P | TEST_PTE_US);                /* user, read-only */
	vcpu->gpr[X86_RDI] = 0x11000;
	vcpu->gpr[X86_RCX] = 1;
	run_io(&rep_insb);
	assert_true(vcpu->injected.valid);
	assert_int_equal(vcpu->injected.error, X86_PF_PRESENT | X86_PF_WRITE | X86_PF_USER);
	paging_on(0, true);
	run_io(&rep_insb);
	assert_true(vcpu->injected.valid);
	assert_int_equal(vcpu->injected.error, X86_PF_PRESENT | X86_PF_WRITE);
	paging_on(0, false);                               /* WP clear: the kernel may write */
	vcpu->next_read = 0x5a;
	assert_int_equal(run_io(&rep_insb), X86_TO_VM);
	assert_false(vcpu->injected.valid);
	assert_int_equal(vcpu->ram[0x11000], 0x5a);
}

/* A not-present page: #PF without P, CR2 = the address; the VM goes on. */
static void test_ins_into_missing_page_is_pf(void **state)
{
	(void)state;
	paging_on(3, true);
	vcpu->gpr[X86_RDI] = 0x12345;
	vcpu->gpr[X86_RCX] = 1;
	assert_int_equal(run_io(&rep_insb), X86_RESUME);
	assert_int_not_equal(exit_info.reason, VCPU_EXIT_FAILED);
	assert_int_equal(vcpu->injected.vector, X86_VECTOR_PF);
	assert_int_equal(vcpu->injected.error, X86_PF_WRITE | X86_PF_USER);
	assert_int_equal(vcpu->cr2, 0x12345);
}

/* rep outsb of 16 bytes from a user page: one exit, 16 accesses, the last one reported. */
static void test_outs_in_one_exit(void **state)
{
	static const struct x86_io_exit rep_outsb = {
		.port = 0x3f8, .width = 1, .string = true, .rep = true, .address_size = 4,
		.seg = X86_DS,
	};

	(void)state;
	paging_on(3, true);
	map_page(0x13000, TEST_PTE_P | TEST_PTE_US);
	memcpy(vcpu->ram + 0x13000, "Hello from ring3", 16);
	vcpu->gpr[X86_RSI] = 0x13000;
	vcpu->gpr[X86_RCX] = 16;
	vcpu->rip = 0x400000;
	assert_int_equal(run_io(&rep_outsb), X86_TO_VM);
	assert_int_equal(exit_info.reason, VCPU_EXIT_PIO);
	assert_int_equal(exit_info.accesses, 16);
	assert_int_equal(vcpu->access_count, 16);
	assert_int_equal(vcpu->accesses[0].data, 'H');
	assert_int_equal(exit_info.access.data, '3');
	assert_int_equal(exit_info.access.addr, 0x3f8);
	assert_int_equal(vcpu->gpr[X86_RCX], 0);
	assert_int_equal(vcpu->gpr[X86_RSI], 0x13010);
	assert_int_equal(vcpu->rip, 0x400002);
}

/* A long REP: 4096 elements per exit, then the guest continues it (RIP kept). */
static void test_rep_ins_is_bounded_per_exit(void **state)
{
	(void)state;
	fake_flat_segments(vcpu, false, 0);
	vcpu->cr0 = 0x11;                                  /* protected mode, no paging */
	vcpu->gpr[X86_RDI] = 0x20000;
	vcpu->gpr[X86_RCX] = 10000;
	vcpu->rip = 0x7000;
	assert_int_equal(run_io(&rep_insb), X86_TO_VM);
	assert_int_equal(exit_info.accesses, VCPU_MAX_ACCESSES_PER_EXIT);
	assert_int_equal(vcpu->access_count, VCPU_MAX_ACCESSES_PER_EXIT);
	assert_int_equal(vcpu->gpr[X86_RCX], 10000 - VCPU_MAX_ACCESSES_PER_EXIT);
	assert_int_equal(vcpu->gpr[X86_RDI], 0x20000 + VCPU_MAX_ACCESSES_PER_EXIT);
	assert_int_equal(vcpu->rip, 0x7000);
	assert_int_equal(vcpu->ram[0x20000 + 4095], 4095 & 0xff);
	run_io(&rep_insb);
	run_io(&rep_insb);
	assert_int_equal(vcpu->gpr[X86_RCX], 0);
	assert_int_equal(vcpu->access_count, 10000);
	assert_int_equal(vcpu->rip, 0x7002);
}

/* Segment limits: insw at ES:0xFFFF in real mode is #GP, before the port. */
static void test_ins_beyond_segment_limit_is_gp(void **state)
{
	static const struct x86_io_exit insw = {
		.port = 0x1f0, .width = 2, .in = true, .string = true, .address_size = 2,
	};

	(void)state;
	for (int s = 0; s < X86_SEG_COUNT; s++)
		vcpu->seg[s] = (struct x86_segment){ .base = 0, .limit = 0xffff, .ar = 0x93 };
	vcpu->cr0 = 0x10;
	vcpu->gpr[X86_RDI] = 0xffff;
	assert_int_equal(run_io(&insw), X86_RESUME);
	assert_int_equal(vcpu->injected.vector, X86_VECTOR_GP);
	assert_int_equal(vcpu->access_count, 0);
	vcpu->gpr[X86_RDI] = 0xfffe;
	assert_int_equal(run_io(&insw), X86_TO_VM);
	assert_false(vcpu->injected.valid);
}

/* IN AL keeps the rest of RAX; IN EAX zero-extends; OUT takes the low bytes. */
static void test_in_out(void **state)
{
	struct x86_io_exit io = { .port = 0x71, .width = 1, .in = true };

	(void)state;
	vcpu->gpr[X86_RAX] = 0x1122334455667788ull;
	vcpu->next_read = 0xab;
	assert_int_equal(run_io(&io), X86_TO_VM);
	assert_int_equal(vcpu->gpr[X86_RAX], 0x11223344556677abull);
	assert_int_equal(exit_info.access.data, 0xab);
	io.width = 4;
	vcpu->next_read = 0xdeadbeef;
	run_io(&io);
	assert_int_equal(vcpu->gpr[X86_RAX], 0xdeadbeefull);
	io.in = false;
	io.width = 2;
	vcpu->gpr[X86_RAX] = 0x12345678;
	run_io(&io);
	assert_int_equal(exit_info.access.data, 0x5678);
	assert_int_equal(exit_info.access.dir, BUS_WRITE);
	io.width = 3;
	run_io(&io);
	assert_int_equal(exit_info.reason, VCPU_EXIT_FAILED);
}

static enum x86_action run_mmio(const uint8_t *code, size_t len, uint64_t gpa, bool write)
{
	memcpy(vcpu->ram + 0x5000, code, len);
	vcpu->rip = 0x5000;
	memset(&exit_info, 0, sizeof(exit_info));
	return x86_handle_mmio(vcpu, gpa, write, &exit_info);
}

/* mov eax, [0xd0000] and or [0xd0000], eax: one pass each, the data in place. */
static void test_mmio_in_one_pass(void **state)
{
	static const uint8_t mov_load[] = { 0x8b, 0x05, 0x00, 0x00, 0x0d, 0x00 };
	static const uint8_t or_store[] = { 0x09, 0x05, 0x00, 0x00, 0x0d, 0x00 };

	(void)state;
	fake_flat_segments(vcpu, false, 0);
	vcpu->cr0 = 0x11;
	vcpu->next_read = 0xcafef00d;
	assert_int_equal(run_mmio(mov_load, sizeof(mov_load), 0xd0000, false), X86_TO_VM);
	assert_int_equal(exit_info.reason, VCPU_EXIT_MMIO);
	assert_int_equal(exit_info.accesses, 1);
	assert_int_equal(exit_info.access.dir, BUS_READ);
	assert_int_equal(exit_info.access.data, 0xcafef00d);
	assert_int_equal(exit_info.pc, 0x5000);
	assert_int_equal(vcpu->gpr[X86_RAX], 0xcafef00d);
	assert_int_equal(vcpu->rip, 0x5006);
	/* A read-modify-write: two accesses, the write reported. */
	vcpu->gpr[X86_RAX] = 0x100;
	vcpu->next_read = 0x1;
	assert_int_equal(run_mmio(or_store, sizeof(or_store), 0xd0000, true), X86_TO_VM);
	assert_int_equal(exit_info.accesses, 2);
	assert_int_equal(exit_info.access.dir, BUS_WRITE);
	assert_int_equal(exit_info.access.data, 0x101);
	assert_int_equal(vcpu->rip, 0x5006);
}

/*
 * The decoder's answer is kept for the next exit (x86_last_decoded()):
 * other bytes at the same RIP, or the same bytes in another mode, are
 * decoded again.
 */
static void test_mmio_decode_memo_follows_bytes_and_mode(void **state)
{
	static const uint8_t mov_load[] = { 0x8b, 0x05, 0x00, 0x00, 0x0d, 0x00 };
	static const uint8_t mov_store[] = { 0x89, 0x05, 0x00, 0x00, 0x0d, 0x00 };

	(void)state;
	fake_flat_segments(vcpu, false, 0);
	vcpu->cr0 = 0x11;
	vcpu->next_read = 0x1234;
	assert_int_equal(run_mmio(mov_load, sizeof(mov_load), 0xd0000, false), X86_TO_VM);
	assert_int_equal(vcpu->gpr[X86_RAX], 0x1234);
	assert_int_equal(vcpu->rip, 0x5006);
	/* The same bytes again: the memo answers, with the same effect. */
	vcpu->next_read = 0x5678;
	assert_int_equal(run_mmio(mov_load, sizeof(mov_load), 0xd0000, false), X86_TO_VM);
	assert_int_equal(vcpu->gpr[X86_RAX], 0x5678);
	assert_int_equal(exit_info.access.dir, BUS_READ);
	/* New code at the same RIP is a store now. */
	vcpu->gpr[X86_RAX] = 0xabcd;
	assert_int_equal(run_mmio(mov_store, sizeof(mov_store), 0xd0000, true), X86_TO_VM);
	assert_int_equal(exit_info.access.dir, BUS_WRITE);
	assert_int_equal(exit_info.access.data, 0xabcd);
	assert_int_equal(vcpu->rip, 0x5006);
	/* Real mode: 89 05 is mov [di], ax (two bytes, a 2-byte access at DS:DI). */
	for (int s = 0; s < X86_SEG_COUNT; s++)
		vcpu->seg[s] = (struct x86_segment){ .base = 0, .limit = 0xffff, .ar = 0x93 };
	vcpu->seg[X86_DS].base = 0xd0000;
	vcpu->cr0 = 0x10;
	vcpu->gpr[X86_RDI] = 0x0;
	assert_int_equal(run_mmio(mov_store, sizeof(mov_store), 0xd0000, true), X86_TO_VM);
	assert_int_equal(exit_info.access.width, 2);
	assert_int_equal(exit_info.access.data, 0xabcd);
	assert_int_equal(vcpu->rip, 0x5002);
}

/* rep stosb over 8 KiB of MMIO: the rest of the faulting page, RIP kept. */
static void test_mmio_rep_stos_bounded(void **state)
{
	static const uint8_t rep_stosb[] = { 0xf3, 0xaa };

	(void)state;
	fake_flat_segments(vcpu, false, 0);
	vcpu->cr0 = 0x11;
	vcpu->gpr[X86_RDI] = 0xd0000;
	vcpu->gpr[X86_RCX] = 8192;
	assert_int_equal(run_mmio(rep_stosb, sizeof(rep_stosb), 0xd0000, true), X86_TO_VM);
	assert_int_equal(exit_info.accesses, 4096);
	assert_int_equal(vcpu->gpr[X86_RCX], 4096);
	assert_int_equal(vcpu->gpr[X86_RDI], 0xd1000);
	assert_int_equal(vcpu->rip, 0x5000);
}

/* An instruction x86emu does not know stops the VM with a reason, not the host. */
static void test_mmio_unknown_instruction_fails(void **state)
{
	static const uint8_t add[] = { 0x01, 0x05, 0x00, 0x00, 0x0d, 0x00 };

	(void)state;
	fake_flat_segments(vcpu, false, 0);
	vcpu->cr0 = 0x11;
	assert_int_equal(run_mmio(add, sizeof(add), 0xd0000, true), X86_TO_VM);
	assert_int_equal(exit_info.reason, VCPU_EXIT_FAILED);
	assert_int_equal(vcpu->access_count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ins_from_user_into_kernel_page_is_pf, reset, teardown),
		cmocka_unit_test_setup_teardown(test_ins_into_read_only_page, reset, teardown),
		cmocka_unit_test_setup_teardown(test_ins_into_missing_page_is_pf, reset, teardown),
		cmocka_unit_test_setup_teardown(test_outs_in_one_exit, reset, teardown),
		cmocka_unit_test_setup_teardown(test_rep_ins_is_bounded_per_exit, reset, teardown),
		cmocka_unit_test_setup_teardown(test_ins_beyond_segment_limit_is_gp, reset, teardown),
		cmocka_unit_test_setup_teardown(test_in_out, reset, teardown),
		cmocka_unit_test_setup_teardown(test_mmio_in_one_pass, reset, teardown),
		cmocka_unit_test_setup_teardown(test_mmio_decode_memo_follows_bytes_and_mode, reset,
						teardown),
		cmocka_unit_test_setup_teardown(test_mmio_rep_stos_bounded, reset, teardown),
		cmocka_unit_test_setup_teardown(test_mmio_unknown_instruction_fails, reset, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
