/* SPDX-License-Identifier: MIT */
/* The virt machine's state, shared by virt.c, psci.c and boot.c. */
#ifndef VIRT_INTERNAL_H
#define VIRT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <core/bootfs.h>
#include <pci/intx.h>
#include <vcpu/vcpu.h>
#include <virt/boot_layout.h>
#include <virt/fdt.h>
#include <virt/kernel_image.h>
#include <vm/flash.h>
#include <vm/vm.h>

struct pci_host;

struct vgic3;
struct fwcfg;

#define VIRT_FLASH_BANKS 2
#define VIRT_FLASH_BLOCK (256u * 1024)   /* two x16 chips, 128 KiB each */
#define VIRT_DTB_MAX     (64u * 1024)

struct virt_machine {
	struct vm *vm;
	struct vgic3 *gic;
	struct fwcfg *fwcfg;        /* the fw-cfg-mmio instance's, or NULL  */
	struct vm_flash flash[VIRT_FLASH_BANKS];  /* code, variables (<vm/flash.h>) */

	const struct bootfs_file *kernel, *initrd, *firmware, *vars;
	struct virt_kernel_image kernel_image;  /* kernel as booted (gunzipped) */
	bool direct_boot;           /* a kernel and no firmware            */
	struct virt_boot_layout layout;
	uint8_t *dtb;
	long dtb_size;
	uint64_t sysreg_reports;
	/* The PCI Express host: ECAM, windows, INTx over SPI 3..6. */
	struct pci_host *pci;
	struct pci_intx_line pci_intx[4]; /* SPI 3-6: the slot pins holding each */
};

/* psci.c: an HVC or SMC of vCPU vc; fills the result registers. */
void virt_psci_call(struct virt_machine *m, struct vm_vcpu *vc,
		    const struct vcpu_hypercall *call, uint64_t result[4]);

/* boot.c */
int virt_boot_prepare(struct virt_machine *m);   /* build(): images, fw_cfg, DTB */
int virt_boot_load(struct virt_machine *m);      /* reset(): RAM contents, vCPU 0 */
void virt_boot_free(struct virt_machine *m);

#endif
