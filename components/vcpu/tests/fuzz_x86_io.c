/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes string I/O and MMIO emulation through the guest's segmentation
 * and page walk (io_emul.c, guest_mem.c, x86emu) on a fake vCPU: the
 * input is the vCPU's mode, privilege, registers and control registers,
 * the I/O exit, and 64 KiB of guest RAM (page tables, code, data).  The
 * sanitizers catch any access outside the fake RAM; the checks: never
 * more than VCPU_MAX_ACCESSES_PER_EXIT device accesses per exit, and an
 * injected #PF always comes with a CR2 inside the access.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "x86_sources.h"

#define FUZZ_RAM (64u * 1024)

struct fuzz_header {
	uint64_t gpr[X86_GPR_COUNT];
	uint64_t rip, rflags, cr0, cr3, cr4, efer, gpa;
	uint32_t seg_ar[X86_SEG_COUNT], seg_limit[X86_SEG_COUNT];
	uint16_t port;
	uint8_t width, flags, address_size, seg, kind;
};

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vcpu v;
	static uint8_t ram[FUZZ_RAM];
	struct fuzz_header h;
	struct vcpu_exit exit;

	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	memset(ram, 0, sizeof(ram));
	memcpy(ram, data + sizeof(h), size - sizeof(h) < FUZZ_RAM ? size - sizeof(h) : FUZZ_RAM);
	memset(&v, 0, offsetof(struct vcpu, accesses));
	v.access_count = 0;
	v.ram = ram;
	v.ram_size = FUZZ_RAM;
	v.insn_len = 1 + (h.kind & 7);
	memcpy(v.gpr, h.gpr, sizeof(v.gpr));
	v.rip = h.rip;
	v.rflags = h.rflags | 2;
	v.cr0 = h.cr0 & 0xffffffffull;
	v.cr3 = h.cr3;
	v.cr4 = h.cr4;
	v.efer = h.efer & 0xd01;
	for (int s = 0; s < X86_SEG_COUNT; s++) {
		v.seg[s].base = h.gpr[s] & 0xffff0;
		v.seg[s].limit = h.seg_limit[s];
		v.seg[s].ar = h.seg_ar[s] & 0x1f0ff;
	}
	memset(&exit, 0, sizeof(exit));
	if (h.kind & 0x80) {
		x86_handle_mmio(&v, h.gpa, h.kind & 0x40, &exit);
		/* x86emu stays within the faulting page: at most 4096 accesses. */
		check(v.access_count <= 4096);
	} else {
		static const unsigned int sizes[] = { 2, 4, 8, 4 };
		struct x86_io_exit io = {
			.port = h.port, .width = 1u << (h.width % 3), .in = h.flags & 1,
			.string = h.flags & 2, .rep = h.flags & 4,
			.address_size = sizes[h.address_size & 3],
			.seg = (enum x86_seg)(h.seg % X86_SEG_COUNT),
		};

		x86_handle_pio(&v, &io, &exit);
		check(v.access_count <= VCPU_MAX_ACCESSES_PER_EXIT);
		if (exit.reason == VCPU_EXIT_PIO)
			check(exit.accesses == v.access_count);
	}
	return 0;
}
