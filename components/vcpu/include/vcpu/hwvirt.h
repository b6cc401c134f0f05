/* SPDX-License-Identifier: MIT */
/*
 * Hardware virtualization support of the processor: the first thing the
 * VMM checks.  Each architecture backend (arch/x86_64/vmx.c,
 * arch/aarch64/el2.c) implements these.
 */
#ifndef VCPU_HWVIRT_H
#define VCPU_HWVIRT_H

#include <stddef.h>

/*
 * Checks the boot CPU.  Returns 0 and describes the extension in info
 * (e.g. "Intel VMX, EPT, VPID, unrestricted guest" or
 * "ARMv8 EL2, VHE, GICv3 at 0x8000000"), or returns -ENODEV and puts one
 * sentence for the user in info saying what is missing and what to do.
 */
int hwvirt_probe(char *info, size_t len);

/*
 * Turns virtualization on for the calling CPU (VMXON; EL2 checks and
 * set-up).  Returns 0 or a negative errno; desc gets a one-line report
 * such as "VMXON ok, VMCS revision 0x4" or "at EL2, MPIDR 0x1".
 */
int hwvirt_enable_cpu(char *desc, size_t len);

#endif
