/* SPDX-License-Identifier: MIT */
/*
 * VMCALL: a hypercall to the VM, from the guest's kernel only.  VMCALL
 * exits at any privilege level, so a process (CPL 3) could otherwise ask
 * the VM for anything, or stop it with a number the VM does not know: it
 * gets #UD, as on a machine without a hypervisor.  At CPL 0 the VM sees a
 * HYPERCALL exit (RAX function, RBX RCX RDX RSI RDI R8 arguments); RAX is
 * preset to -1000 (KVM's -KVM_ENOSYS, what Linux and SeaBIOS expect from
 * an unknown hypercall), so one the VM leaves unanswered returns that.
 */
#include "x86_vcpu.h"

enum x86_vmcall_result x86_vmcall_policy(unsigned int cpl)
{
	return cpl == 0 ? X86_VMCALL_TO_VM : X86_VMCALL_UD;
}

enum x86_action x86_handle_vmcall(struct vcpu *v, struct vcpu_exit *exit)
{
	uint64_t *gpr = x86_gprs(v);

	if (x86_vmcall_policy(x86_get_cpl(v)) == X86_VMCALL_UD) {
		x86_inject_exception(v, X86_VECTOR_UD, false, 0);
		return X86_RESUME;
	}
	exit->reason = VCPU_EXIT_HYPERCALL;
	exit->pc = x86_get_rip(v);
	exit->hypercall.function = gpr[X86_RAX];
	exit->hypercall.args[0] = gpr[X86_RBX];
	exit->hypercall.args[1] = gpr[X86_RCX];
	exit->hypercall.args[2] = gpr[X86_RDX];
	exit->hypercall.args[3] = gpr[X86_RSI];
	exit->hypercall.args[4] = gpr[X86_RDI];
	exit->hypercall.args[5] = gpr[X86_R8];
	gpr[X86_RAX] = X86_HYPERCALL_ENOSYS;
	x86_skip_instruction(v);
	return X86_TO_VM;
}
