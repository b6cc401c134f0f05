/* SPDX-License-Identifier: MIT */
/*
 * PSCI calls (CPU_ON, SYSTEM_OFF, SYSTEM_RESET) through the conduit the
 * DTB names.  At EL2 only SMC reaches the firmware: HVC would trap to
 * Tessera itself, so psci_call() refuses it there.
 */
#include "aarch64_internal.h"

#include <aarch64/sysreg.h>

#define PSCI_NOT_SUPPORTED (-1)

static enum psci_conduit psci_conduit;

void psci_set_conduit(enum psci_conduit conduit)
{
	psci_conduit = conduit;
}

int64_t psci_call(uint32_t function, uint64_t arg0, uint64_t arg1, uint64_t arg2)
{
	register uint64_t x0 __asm__("x0") = function;
	register uint64_t x1 __asm__("x1") = arg0;
	register uint64_t x2 __asm__("x2") = arg1;
	register uint64_t x3 __asm__("x3") = arg2;

	if (psci_conduit == PSCI_CONDUIT_SMC)
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	else if (psci_conduit == PSCI_CONDUIT_HVC && current_el() < 2)
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	else
		return PSCI_NOT_SUPPORTED;
	return (int64_t)x0;
}

const char *psci_error_name(int64_t ret)
{
	switch (ret) {
	case 0:  return "success";
	case -1: return "not supported";
	case -2: return "invalid parameters";
	case -3: return "denied";
	case -4: return "already on";
	case -5: return "on pending";
	case -6: return "internal failure";
	case -7: return "not present";
	case -8: return "disabled";
	case -9: return "invalid address";
	default: return "unknown error";
	}
}
