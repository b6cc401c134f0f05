/* SPDX-License-Identifier: MIT */
/*
 * The ARMv8 EL2 backend of <vcpu/hwvirt.h>.  Tessera itself runs at EL2,
 * so "having the virtualization extensions" means having been entered
 * there.  Enabling a CPU puts the EL2 controls that decide what a guest
 * at EL1 may do into a known, conservative state; the guest-specific
 * values (VTTBR_EL2, the trap bits) are set when a vCPU is created.
 */
#include <vcpu/hwvirt.h>

#include <aarch64/aarch64.h>
#include <aarch64/sysreg.h>
#include <errno.h>
#include <stdio.h>

/* ID_AA64MMFR1_EL1.VH, bits 11:8: the Virtualization Host Extensions. */
static bool cpu_has_vhe(void)
{
	return ((read_sysreg(id_aa64mmfr1_el1) >> 8) & 0xf) != 0;
}

int hwvirt_probe(char *info, size_t len)
{
	unsigned int el = current_el();

	if (el != 2) {
		snprintf(info, len,
			 "Tessera runs at EL%u but needs EL2: start it with the virtualization "
			 "extensions enabled (QEMU: -M virt,virtualization=on)", el);
		return -ENODEV;
	}
	snprintf(info, len, "ARMv8 EL2, VHE %s, %s", cpu_has_vhe() ? "yes" : "no",
		 aarch64_gic_describe());
	return 0;
}

int hwvirt_enable_cpu(char *desc, size_t len)
{
	unsigned int el = current_el();
	uint64_t mpidr = this_cpu_mpidr();

	if (el != 2) {
		snprintf(desc, len, "at EL%u, not EL2, MPIDR 0x%llx", el,
			 (unsigned long long)mpidr);
		return -ENODEV;
	}
	/* EL1 is AArch64; nothing trapped or routed to EL2 until a guest runs. */
	write_sysreg(hcr_el2, HCR_EL2_RW);
	/* FP/SIMD, SVE and trace stay usable from EL1. */
	write_sysreg(cptr_el2, CPTR_EL2_RES1);
	/* EL1 may read the physical counter and use the physical timer. */
	write_sysreg(cnthctl_el2, CNTHCTL_EL2_EL1PCTEN | CNTHCTL_EL2_EL1PCEN);
	write_sysreg(cntvoff_el2, 0);
	/* A guest reading MIDR/MPIDR sees this CPU's values. */
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, read_sysreg(mpidr_el1));
	write_sysreg(vttbr_el2, 0);
	isb();
	snprintf(desc, len, "EL2, MPIDR 0x%llx, HCR_EL2 0x%llx", (unsigned long long)mpidr,
		 (unsigned long long)read_sysreg(hcr_el2));
	return 0;
}
