/* SPDX-License-Identifier: MIT */
/*
 * The vendor-neutral x86 sources and x86emu, compiled into one host
 * program with the fake vendor (x86_fake_vendor.h).  x86emu is its own
 * component, which the vcpu component does not require on every
 * architecture, so its source comes in by path.
 */
#ifndef VCPU_TESTS_X86_SOURCES_H
#define VCPU_TESTS_X86_SOURCES_H

#include "../../x86emu/include/x86emu/x86emu.h"
#include "arch/x86_64/cpuid.c"
#include "arch/x86_64/msr.c"
#include "arch/x86_64/cr.c"
#include "arch/x86_64/xsetbv.c"
#include "arch/x86_64/vmcall.c"
#include "arch/x86_64/guest_mem.c"
#include "arch/x86_64/io_emul.c"
#include "../../x86emu/x86emu.c"
#include "x86_fake_vendor.h"

#endif
