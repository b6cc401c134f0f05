/* SPDX-License-Identifier: MIT */
/*
 * Exceptions taken to EL2.  One from EL2 itself is a bug in Tessera: it
 * is reported with the whole register state, straight to the UART (the
 * fault may have hit while the console lock was held), and the image
 * panics.  Exceptions from a lower EL belong to the guest and go to the
 * handler the vCPU backend installs.  An IRQ at EL2 goes to the GIC
 * driver (gic.c) and returns to the interrupted code.
 */
#include "aarch64_internal.h"

#include <aarch64/sysreg.h>
#include <core/panic.h>
#include <stdarg.h>
#include <stdio.h>

static const char *const exception_class_names[64] = {
	[0x00] = "unknown reason",
	[0x01] = "WFI/WFE",
	[0x03] = "MCR/MRC (CP15) from AArch32",
	[0x04] = "MCRR/MRRC (CP15) from AArch32",
	[0x05] = "MCR/MRC (CP14) from AArch32",
	[0x06] = "LDC/STC (CP14) from AArch32",
	[0x07] = "SVE/SIMD/FP access trap",
	[0x0c] = "MRRC (CP14) from AArch32",
	[0x0d] = "branch target exception",
	[0x0e] = "illegal execution state",
	[0x11] = "SVC from AArch32",
	[0x12] = "HVC from AArch32",
	[0x13] = "SMC from AArch32",
	[0x15] = "SVC from AArch64",
	[0x16] = "HVC from AArch64",
	[0x17] = "SMC from AArch64",
	[0x18] = "MSR/MRS/system instruction trap",
	[0x19] = "SVE access trap",
	[0x1c] = "pointer authentication failure",
	[0x20] = "instruction abort from a lower EL",
	[0x21] = "instruction abort from the same EL",
	[0x22] = "PC alignment fault",
	[0x24] = "data abort from a lower EL",
	[0x25] = "data abort from the same EL",
	[0x26] = "SP alignment fault",
	[0x28] = "FP exception from AArch32",
	[0x2c] = "FP exception from AArch64",
	[0x2f] = "SError interrupt",
	[0x30] = "breakpoint from a lower EL",
	[0x31] = "breakpoint from the same EL",
	[0x32] = "software step from a lower EL",
	[0x33] = "software step from the same EL",
	[0x34] = "watchpoint from a lower EL",
	[0x35] = "watchpoint from the same EL",
	[0x38] = "BKPT from AArch32",
	[0x3c] = "BRK from AArch64",
};

static const char *const vector_names[16] = {
	"synchronous, EL2 with SP_EL0", "IRQ, EL2 with SP_EL0",
	"FIQ, EL2 with SP_EL0", "SError, EL2 with SP_EL0",
	"synchronous, EL2", "IRQ, EL2", "FIQ, EL2", "SError, EL2",
	"synchronous, lower EL (AArch64)", "IRQ, lower EL (AArch64)",
	"FIQ, lower EL (AArch64)", "SError, lower EL (AArch64)",
	"synchronous, lower EL (AArch32)", "IRQ, lower EL (AArch32)",
	"FIQ, lower EL (AArch32)", "SError, lower EL (AArch32)",
};

static lower_el_handler_t lower_el_handler;
static volatile int reporting[MAX_CPUS];

const char *aarch64_exception_class_name(unsigned int ec)
{
	const char *name = ec < 64 ? exception_class_names[ec] : NULL;

	return name ? name : "reserved exception class";
}

void aarch64_set_lower_el_handler(lower_el_handler_t handler)
{
	__atomic_store_n(&lower_el_handler, handler, __ATOMIC_RELEASE);
}

static void report_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report_line(const char *fmt, ...)
{
	char line[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	pl011_emergency_write(line, (size_t)n);
	pl011_emergency_write("\n", 1);
}

/* The fault status code of instruction and data aborts (ISS bits 5:0). */
static const char *abort_status_name(unsigned int fsc)
{
	switch (fsc >> 2) {
	case 0: return "address size fault";
	case 1: return "translation fault";
	case 2: return "access flag fault";
	case 3: return "permission fault";
	}
	switch (fsc) {
	case 0x10: return "synchronous external abort";
	case 0x21: return "alignment fault";
	case 0x30: return "TLB conflict abort";
	default:   return "other fault";
	}
}

static bool is_abort(unsigned int ec)
{
	return ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25;
}

static void report(const struct exception_frame *f, uint64_t vector, unsigned int cpu)
{
	unsigned int ec = ESR_EC(f->esr);
	bool is_sync = (vector & 3) == 0;

	report_line("[cpu%u] error: unexpected exception at EL2: %s (%s)", cpu,
		    is_sync ? aarch64_exception_class_name(ec) : "asynchronous",
		    vector_names[vector & 15]);
	report_line("  ESR_EL2  0x%016llx (EC 0x%02x, IL %u, ISS 0x%07llx)",
		    (unsigned long long)f->esr, ec, (unsigned int)(f->esr >> 25) & 1,
		    (unsigned long long)ESR_ISS(f->esr));
	if (is_sync && is_abort(ec)) {
		unsigned int fsc = (unsigned int)f->esr & 0x3f;

		report_line("  %s%s, level %u (FSC 0x%02x)",
			    ec >= 0x24 ? ((f->esr >> 6) & 1 ? "write: " : "read: ") : "",
			    abort_status_name(fsc), fsc & 3, fsc);
	}
	report_line("  FAR_EL2  0x%016llx  ELR_EL2 0x%016llx  SPSR_EL2 0x%016llx",
		    (unsigned long long)f->far, (unsigned long long)f->elr,
		    (unsigned long long)f->spsr);
	report_line("  image loaded at 0x%llx: ELR_EL2 is image offset 0x%llx",
		    (unsigned long long)(uintptr_t)__image_start,
		    (unsigned long long)(f->elr - (uintptr_t)__image_start));
	for (unsigned int i = 0; i < 28; i += 4)
		report_line("  x%-2u 0x%016llx  x%-2u 0x%016llx  x%-2u 0x%016llx  x%-2u 0x%016llx",
			    i, (unsigned long long)f->x[i], i + 1, (unsigned long long)f->x[i + 1],
			    i + 2, (unsigned long long)f->x[i + 2], i + 3,
			    (unsigned long long)f->x[i + 3]);
	report_line("  x28 0x%016llx  x29 0x%016llx  x30 0x%016llx  SP  0x%016llx",
		    (unsigned long long)f->x[28], (unsigned long long)f->x[29],
		    (unsigned long long)f->x[30], (unsigned long long)f->sp);
}

void aarch64_exception_entry(struct exception_frame *frame, uint64_t vector)
{
	lower_el_handler_t handler = __atomic_load_n(&lower_el_handler, __ATOMIC_ACQUIRE);
	struct percpu *cpu = this_cpu();
	unsigned int id = cpu ? cpu->id : 0;

	if (vector >= 8 && handler) {
		handler(frame, (unsigned int)vector);
		return;
	}
	/* An IRQ at EL2 (IRQs unmasked somewhere): the GIC driver handles it. */
	if ((vector == 1 || vector == 5) && aarch64_gic_ready()) {
		aarch64_gic_handle_irqs();
		return;
	}
	if (id >= MAX_CPUS || reporting[id]++) {
		/* A fault while reporting a fault: stop quietly. */
		for (;;)
			__asm__ volatile("msr daifset, #0xf\n\twfi");
	}
	report(frame, vector, id);
	panic("unexpected exception at EL2 (%s)",
	      (vector & 3) == 0 ? aarch64_exception_class_name(ESR_EC(frame->esr))
				: vector_names[vector & 15]);
}
