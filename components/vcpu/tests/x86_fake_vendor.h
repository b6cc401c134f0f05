/* SPDX-License-Identifier: MIT */
/*
 * A fake x86 vendor for the host tests and fuzzers of the vendor-neutral
 * x86 code (arch/x86_64/x86_vcpu.h): a struct vcpu that is plain data
 * (registers, segments, control registers, the last injected exception),
 * guest RAM as a host buffer from guest-physical 0 (everything above it is
 * "not RAM"), and a device that records every access and answers reads
 * with a counter.  Included by exactly one file of each program, after
 * the sources under test.
 */
#ifndef VCPU_TESTS_X86_FAKE_VENDOR_H
#define VCPU_TESTS_X86_FAKE_VENDOR_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86_64/x86_vcpu.h"

#define FAKE_MAX_ACCESSES 8192

struct vcpu {
	uint64_t gpr[X86_GPR_COUNT];
	uint64_t rip, rflags;
	struct x86_segment seg[X86_SEG_COUNT];
	uint64_t cr0, cr2, cr3, cr4, efer, xcr0, tsc_offset;
	unsigned int insn_len;           /* what x86_skip_instruction() adds */
	struct x86_msr_state msr;
	struct x86_decoded last_decoded;
	unsigned int index, count;
	unsigned int paging_changes;
	struct {
		bool valid;
		unsigned int vector;
		bool has_error;
		uint32_t error;
	} injected;
	uint8_t *ram;
	size_t ram_size;
	/* The device: every access, reads answered from next_read (then + 1). */
	struct bus_access accesses[FAKE_MAX_ACCESSES];
	unsigned int access_count;
	uint64_t next_read;
	char failed[160];
};

static struct x86_host_caps fake_caps = {
	.rdtscp = true, .invpcid = true, .xsaves = true, .nx = true, .phys_bits = 39,
	.xcr0_supported = 0x7, .cr4_allowed = 0x3727ff, .tsc_hz = 49997016,
};
static uint64_t fake_tsc = 1000000;

uint64_t *x86_gprs(struct vcpu *v) { return v->gpr; }
uint64_t x86_get_rip(struct vcpu *v) { return v->rip; }
void x86_set_rip(struct vcpu *v, uint64_t rip) { v->rip = rip; }
uint64_t x86_get_rflags(struct vcpu *v) { return v->rflags; }
void x86_set_rflags(struct vcpu *v, uint64_t rflags) { v->rflags = rflags; }
void x86_get_segment(struct vcpu *v, enum x86_seg seg, struct x86_segment *s) { *s = v->seg[seg]; }
unsigned int x86_get_cpl(struct vcpu *v) { return X86_AR_DPL(v->seg[X86_SS].ar); }
uint64_t x86_get_cr0(struct vcpu *v) { return v->cr0; }
uint64_t x86_get_cr3(struct vcpu *v) { return v->cr3; }
uint64_t x86_get_cr4(struct vcpu *v) { return v->cr4; }
uint64_t x86_get_efer(struct vcpu *v) { return v->efer; }
void x86_set_cr0(struct vcpu *v, uint64_t cr0) { v->cr0 = cr0; }
void x86_set_cr4(struct vcpu *v, uint64_t cr4) { v->cr4 = cr4; }
void x86_set_efer(struct vcpu *v, uint64_t efer) { v->efer = efer; }
void x86_set_cr2(struct vcpu *v, uint64_t cr2) { v->cr2 = cr2; }
void x86_paging_changed(struct vcpu *v) { v->paging_changes++; }
void x86_set_xcr0(struct vcpu *v, uint64_t xcr0) { v->xcr0 = xcr0; }
uint64_t x86_get_xcr0(struct vcpu *v) { return v->xcr0; }
void x86_set_pat(struct vcpu *v, uint64_t pat) { v->msr.pat = pat; }
void x86_set_tsc_offset(struct vcpu *v, uint64_t offset) { v->tsc_offset = offset; }
uint64_t x86_get_tsc_offset(struct vcpu *v) { return v->tsc_offset; }
struct x86_msr_state *x86_msr_state(struct vcpu *v) { return &v->msr; }
struct x86_decoded *x86_last_decoded(struct vcpu *v) { return &v->last_decoded; }
unsigned int x86_vcpu_index(struct vcpu *v) { return v->index; }
unsigned int x86_vcpu_count(struct vcpu *v) { return v->count; }
const struct x86_host_caps *x86_host_caps(void) { return &fake_caps; }
uint64_t x86_host_tsc(void) { return fake_tsc; }

void x86_inject_exception(struct vcpu *v, unsigned int vector, bool has_error, uint32_t error)
{
	v->injected.valid = true;
	v->injected.vector = vector;
	v->injected.has_error = has_error;
	v->injected.error = error;
}

void x86_skip_instruction(struct vcpu *v)
{
	v->rip += v->insn_len;
}

enum bus_result x86_io_access(struct vcpu *v, struct bus_access *acc)
{
	if (acc->dir == BUS_READ)
		acc->data = v->next_read++ & (acc->width >= 8 ? ~0ull : (1ull << (8 * acc->width)) - 1);
	if (v->access_count < FAKE_MAX_ACCESSES)
		v->accesses[v->access_count] = *acc;
	v->access_count++;
	return BUS_OK;
}

int x86_read_guest_physical(struct vcpu *v, uint64_t gpa, void *dst, size_t len)
{
	if (gpa >= v->ram_size || len > v->ram_size - gpa)
		return -EFAULT;
	memcpy(dst, v->ram + gpa, len);
	return 0;
}

int x86_read_guest_entry(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t *entry)
{
	uint32_t e32;

	if ((gpa & (size - 1)) || gpa >= v->ram_size || size > v->ram_size - gpa)
		return -EFAULT;
	if (size == 4) {
		memcpy(&e32, v->ram + gpa, 4);
		*entry = e32;
	} else {
		memcpy(entry, v->ram + gpa, 8);
	}
	return 0;
}

int x86_write_guest_physical(struct vcpu *v, uint64_t gpa, const void *src, size_t len)
{
	if (gpa >= v->ram_size || len > v->ram_size - gpa)
		return -EFAULT;
	memcpy(v->ram + gpa, src, len);
	return 0;
}

/* The host's CPUID: a recognizable answer per leaf (tests check what the policy changes). */
struct x86_cpuid_regs x86_host_cpuid(uint32_t leaf, uint32_t subleaf)
{
	(void)subleaf;
	if (leaf == 1)
		return (struct x86_cpuid_regs){ 0x000306a9, 0x00100800, 0xffffffff, 0xffffffff };
	return (struct x86_cpuid_regs){ 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff };
}

void x86_fail(struct vcpu *v, struct vcpu_exit *exit, const char *fmt, ...)
{
	va_list ap;

	exit->reason = VCPU_EXIT_FAILED;
	exit->pc = v->rip;
	va_start(ap, fmt);
	vsnprintf(exit->failed.reason, sizeof(exit->failed.reason), fmt, ap);
	va_end(ap);
	snprintf(v->failed, sizeof(v->failed), "%s", exit->failed.reason);
}

void x86_report_once(uint32_t key, enum log_level level, const char *fmt, unsigned long long a,
		     unsigned long long b)
{
	(void)key, (void)level, (void)fmt, (void)a, (void)b;
}

/* Flat segments of a mode: real (base 0, 64 KiB), 32-bit flat, 64-bit; dpl for CS/SS. */
static inline void fake_flat_segments(struct vcpu *v, bool long_mode, unsigned int dpl)
{
	for (int s = 0; s < X86_SEG_COUNT; s++) {
		v->seg[s].base = 0;
		v->seg[s].limit = 0xffffffff;
		v->seg[s].ar = X86_AR_P | X86_AR_S | (dpl << 5) | X86_AR_G | 0x3 |
			       (long_mode ? 0 : X86_AR_DB);
	}
	v->seg[X86_CS].ar = X86_AR_P | X86_AR_S | (dpl << 5) | X86_AR_G | 0xb |
			    (long_mode ? X86_AR_L : X86_AR_DB);
}

#endif
