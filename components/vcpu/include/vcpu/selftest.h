/* SPDX-License-Identifier: MIT */
/*
 * The vCPU self-test (CONFIG_VCPU_SELFTEST): a guest of a few instructions
 * that makes one exit of each common kind, run through the generic vCPU
 * interface on the boot CPU.  It runs at boot (INIT_LATE) when the image
 * command line says "vcpu-selftest", or when the VMM calls it.
 */
#ifndef VCPU_SELFTEST_H
#define VCPU_SELFTEST_H

#include <stddef.h>
#include <stdint.h>

/*
 * Runs the self-test on the calling CPU and logs every exit and the
 * result ("vcpu selftest: passed (N exits)").  0 when it passed,
 * -ENOSYS when this architecture has no self-test guest yet, another
 * negative errno when it failed.
 */
int vcpu_selftest_run(void);

/*
 * The backend's guest: machine code for the guest's CPU that expects to
 * be loaded at ram_gpa and finds its UART data register at uart_gpa
 * (see arch/aarch64/selftest_guest.S for what it must do).
 */
struct vcpu_selftest_guest {
	const void *code;
	size_t size;
	uint64_t ram_gpa;
	uint64_t uart_gpa;
	/*
	 * A backend whose guest needs more than the generic run (x86: ports,
	 * a ROM reset vector, an injected interrupt; arch/x86_64/selftest_x86.c)
	 * runs it itself: vcpu_selftest_run() returns what this returns.
	 */
	int (*run)(const struct vcpu_selftest_guest *guest);
};

/* Provided by the backend; NULL when it has no self-test guest. */
const struct vcpu_selftest_guest *vcpu_arch_selftest_guest(void);

/*
 * The backend's interrupt self-test (aarch64: arch/aarch64/selftest_irq.c,
 * CONFIG_VCPU_SELFTEST_IRQ), run by vcpu_selftest_run() after the first
 * guest: a guest that takes timer interrupts and an SGI through the VM's
 * interrupt controller model.  0 when it passed, -ENOSYS when the backend
 * has none, another negative errno when it failed.
 */
int vcpu_arch_selftest_interrupts(void);

#endif
