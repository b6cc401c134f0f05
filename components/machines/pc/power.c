/* SPDX-License-Identifier: MIT */
/*
 * Power-off and reset requests of a pc guest:
 *
 *   ACPI S5       PM1_CNT SLP_EN with SLP_TYP 0 (the DSDT's \_S5)  -> off
 *   0xCF9         PIIX3 reset control, RST_CPU set (SeaBIOS, Linux reboot=pci,
 *                 the FADT's reset register)                       -> reset
 *   port 0x92     bit 0 from 0 to 1                                -> reset
 *   i8042         0xFE to port 0x64, or the output port's bit 0 low -> reset
 *   triple fault  (the vCPU backend's RESET exit)                  -> reset
 *
 * A reset clears RAM, resets every device and starts the BIOS again
 * (vm_request_reset(); pc_reset()).  A VM with firmware and nothing to
 * boot (no kernel; the pc machine has no disks yet) ends instead: SeaBIOS
 * would print "No bootable device" and reset for ever.
 */
#include <core/log.h>
#include <pci/piix.h>

#include "pc_internal.h"

void pc_guest_reset(struct pc_machine *m, const char *how)
{
	struct vm *vm = m->vm;

	log_info("VM %s: reset through %s", vm->name, how);
	pc_fwcfg_report(m);
	if (m->nothing_to_boot) {
		log_info("VM %s: it has no kernel and no disk, so the firmware has nothing to boot; "
			 "ending the VM instead of restarting it", vm->name);
		vm_request_off(vm);
		return;
	}
	vm_request_reset(vm);
}

void pc_sleep_request(void *opaque, unsigned int slp_typ)
{
	struct pc_machine *m = opaque;

	if (slp_typ != 0) {
		if (m->msr_reports++ < PC_REPORT_LIMIT)
			log_warn("VM %s: sleep type %u requested; only S5 (type 0) exists, ignored",
				 m->vm->name, slp_typ);
		return;
	}
	log_info("VM %s: ACPI S5: the guest powered itself off", m->vm->name);
	pc_fwcfg_report(m);
	vm_request_off(m->vm);
}

void pc_rcr_request(void *opaque, uint8_t rcr)
{
	if (rcr & PCI_PIIX3_RCR_RST_CPU)
		pc_guest_reset(opaque, rcr & PCI_PIIX3_RCR_SYS_RST ? "port 0xCF9 (hard reset)"
								   : "port 0xCF9 (soft reset)");
}

void pc_reset_request(void *opaque)
{
	pc_guest_reset(opaque, "port 0x92 or the keyboard controller");
}

void pc_a20_changed(void *opaque, bool enabled)
{
	struct pc_machine *m = opaque;

	/* Guest RAM is never wrapped at 1 MiB: modern firmware and kernels enable A20
	 * first thing, and masking it would mean remapping all of RAM. */
	if (!enabled)
		log_debug("VM %s: A20 masked (not emulated: addresses do not wrap)", m->vm->name);
}
