/* SPDX-License-Identifier: MIT */
/*
 * PSCI 1.0, the firmware interface arm guests use to start and stop CPUs
 * and to power off or reset the machine (Arm DEN0022).  The guest calls it
 * with HVC #0 (the conduit the device tree names) or SMC #0 (AAVMF and
 * others may try both); the vCPU backend reports either as a HYPERCALL exit
 * with the function id in x0 and the arguments in x1..x3.  The result goes
 * back in x0.
 *
 *   VERSION            1.0
 *   FEATURES(fid)      0 for every function below, NOT_SUPPORTED otherwise
 *   CPU_ON(mpidr, entry, context)   the vCPU starts at entry, EL1h, MMU off,
 *                      interrupts masked, x0 = context
 *   CPU_OFF            the calling vCPU stops until the next CPU_ON
 *   AFFINITY_INFO(mpidr, 0)         0 on, 1 off, 2 on pending
 *   MIGRATE_INFO_TYPE  2: no Trusted OS that would need migrating
 *   SYSTEM_OFF         the VM ends
 *   SYSTEM_RESET       the VM restarts (RAM cleared, flash kept)
 *
 * Every other function id, PSCI or not (SMCCC_VERSION, vendor calls...),
 * answers NOT_SUPPORTED (-1), as the SMC Calling Convention requires.
 */
#include <errno.h>

#include <core/log.h>
#include <fwcfg/fwcfg.h>
#include <vcpu/aarch64_regs.h>
#include <virt/fdt.h>
#include <vm/vm.h>

#include "virt_internal.h"

#define PSCI_0_2_VERSION           0x84000000u
#define PSCI_0_2_CPU_SUSPEND_32    0x84000001u
#define PSCI_0_2_CPU_OFF           0x84000002u
#define PSCI_0_2_CPU_ON_32         0x84000003u
#define PSCI_0_2_CPU_ON_64         0xc4000003u
#define PSCI_0_2_AFFINITY_INFO_32  0x84000004u
#define PSCI_0_2_AFFINITY_INFO_64  0xc4000004u
#define PSCI_0_2_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_0_2_SYSTEM_OFF        0x84000008u
#define PSCI_0_2_SYSTEM_RESET      0x84000009u
#define PSCI_1_0_FEATURES          0x8400000au

#define PSCI_VERSION_1_0           0x00010000u

#define PSCI_SUCCESS               0
#define PSCI_NOT_SUPPORTED         (-1)
#define PSCI_INVALID_PARAMETERS    (-2)
#define PSCI_ALREADY_ON            (-4)
#define PSCI_ON_PENDING            (-5)
#define PSCI_INVALID_ADDRESS       (-9)

#define PSCI_AFFINITY_ON           0
#define PSCI_AFFINITY_OFF          1
#define PSCI_AFFINITY_ON_PENDING   2

#define PSCI_MIGRATE_NOT_PRESENT   2

/* MPIDR affinity fields Aff3, Aff2, Aff1, Aff0 (the rest are flags). */
#define MPIDR_AFFINITY_MASK        0xff00ffffffULL

static bool is_32bit_call(uint32_t fid)
{
	return !(fid & 0x40000000u);
}

static bool supported(uint32_t fid)
{
	switch (fid) {
	case PSCI_0_2_VERSION:
	case PSCI_0_2_CPU_OFF:
	case PSCI_0_2_CPU_ON_32:
	case PSCI_0_2_CPU_ON_64:
	case PSCI_0_2_AFFINITY_INFO_32:
	case PSCI_0_2_AFFINITY_INFO_64:
	case PSCI_0_2_MIGRATE_INFO_TYPE:
	case PSCI_0_2_SYSTEM_OFF:
	case PSCI_0_2_SYSTEM_RESET:
	case PSCI_1_0_FEATURES:
		return true;
	}
	return false;
}

/* Code may start anywhere in RAM or in the firmware flash. */
static bool valid_entry(struct virt_machine *m, uint64_t entry)
{
	struct vm *vm = m->vm;

	if (entry & 3)
		return false;
	for (unsigned int i = 0; i < vm->ram_count; i++)
		if (entry >= vm->ram[i].gpa && entry - vm->ram[i].gpa < vm->ram[i].size)
			return true;
	return m->flash[0].flash && entry < VIRT_FLASH_BANK_SIZE;
}

static int64_t cpu_on(struct virt_machine *m, uint64_t target, uint64_t entry, uint64_t context)
{
	int index = vm_vcpu_by_hw_id(m->vm, target & MPIDR_AFFINITY_MASK);
	int ret;

	if (index < 0 || (target & ~MPIDR_AFFINITY_MASK & ~(1ULL << 31)))
		return PSCI_INVALID_PARAMETERS;
	if (!valid_entry(m, entry))
		return PSCI_INVALID_ADDRESS;
	ret = vm_vcpu_start(m->vm, (unsigned int)index, entry, &context, 1);
	if (ret == -EALREADY)
		return PSCI_ALREADY_ON;
	if (ret == -EINPROGRESS)
		return PSCI_ON_PENDING;
	return ret ? PSCI_INVALID_PARAMETERS : PSCI_SUCCESS;
}

static int64_t affinity_info(struct virt_machine *m, uint64_t target, uint64_t level)
{
	int index = vm_vcpu_by_hw_id(m->vm, target & MPIDR_AFFINITY_MASK);

	if (index < 0 || level != 0)
		return PSCI_INVALID_PARAMETERS;
	switch (m->vm->vcpus[index].power) {
	case VM_VCPU_ON:
		return PSCI_AFFINITY_ON;
	case VM_VCPU_OFF:
		return PSCI_AFFINITY_OFF;
	default:
		return PSCI_AFFINITY_ON_PENDING;
	}
}

void virt_psci_call(struct virt_machine *m, struct vm_vcpu *vc,
		    const struct vcpu_hypercall *call, uint64_t result[4])
{
	uint32_t fid = (uint32_t)call->function;
	uint64_t a1 = call->args[0], a2 = call->args[1], a3 = call->args[2];
	int64_t ret;

	if (call->function >> 32) {
		ret = PSCI_NOT_SUPPORTED;   /* SMCCC: function ids are 32-bit */
		goto out;
	}
	if (is_32bit_call(fid)) {
		a1 = (uint32_t)a1;
		a2 = (uint32_t)a2;
		a3 = (uint32_t)a3;
	}
	switch (fid) {
	case PSCI_0_2_VERSION:
		ret = PSCI_VERSION_1_0;
		break;
	case PSCI_1_0_FEATURES:
		ret = supported((uint32_t)a1) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
		break;
	case PSCI_0_2_CPU_ON_32:
	case PSCI_0_2_CPU_ON_64:
		ret = cpu_on(m, a1, a2, a3);
		log_debug("VM %s: vCPU %u: PSCI CPU_ON 0x%llx at 0x%llx -> %lld", m->vm->name,
			  vc->index, (unsigned long long)a1, (unsigned long long)a2,
			  (long long)ret);
		break;
	case PSCI_0_2_CPU_OFF:
		vm_vcpu_stop_self(vc);
		ret = PSCI_SUCCESS;
		break;
	case PSCI_0_2_AFFINITY_INFO_32:
	case PSCI_0_2_AFFINITY_INFO_64:
		ret = affinity_info(m, a1, a2);
		break;
	case PSCI_0_2_MIGRATE_INFO_TYPE:
		ret = PSCI_MIGRATE_NOT_PRESENT;
		break;
	case PSCI_0_2_SYSTEM_OFF:
		log_info("VM %s: vCPU %u: PSCI SYSTEM_OFF", m->vm->name, vc->index);
		if (m->fwcfg)
			fwcfg_log_selections(m->fwcfg, m->vm->name, NULL, 0);
		vm_request_off(m->vm);
		ret = PSCI_SUCCESS;
		break;
	case PSCI_0_2_SYSTEM_RESET:
		log_limited(&m->vm->reset_hows, LOG_INFO, "VM %s: vCPU %u: PSCI SYSTEM_RESET",
			    m->vm->name, vc->index);
		vm_request_reset(m->vm);
		ret = PSCI_SUCCESS;
		break;
	default:
		ret = PSCI_NOT_SUPPORTED;
		log_debug("VM %s: vCPU %u: %s #%u function 0x%llx is not supported", m->vm->name,
			  vc->index, call->is_smc ? "SMC" : "HVC", call->imm,
			  (unsigned long long)call->function);
		break;
	}
out:
	result[0] = (uint64_t)ret;
	result[1] = result[2] = result[3] = 0;
}
