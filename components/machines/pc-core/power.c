/* SPDX-License-Identifier: MIT */
/*
 * Power-off and reset requests of a pc guest:
 *
 *   ACPI S5       PM1_CNT SLP_EN with SLP_TYP 0 (the DSDT's \_S5)  -> off
 *   0xCF9         the chipset's reset control, RST_CPU set (SeaBIOS, Linux
 *                 reboot=pci, the FADT's reset register)           -> reset
 *   port 0x92     bit 0 from 0 to 1                                -> reset
 *   i8042         0xFE to port 0x64, or the output port's bit 0 low -> reset
 *   triple fault  (the vCPU backend's RESET exit)                  -> reset
 *
 * The chipset's registers and the device instances call in here.
 *
 * A reset clears RAM, resets every device and starts the BIOS again
 * (vm_request_reset(); pc_board_reset()).  A VM with firmware and nothing
 * to boot (no kernel, no disk) ends instead: SeaBIOS would print "No
 * bootable device" and reset for ever.  A UEFI firmware
 * with a variable store of its own (firmware-vars) is not such a VM: its
 * Shell and setup are what it boots, and a reset there is the user's (the
 * variables written before it are read after it).
 */
#include <core/log.h>

#include <pc/board.h>

void pc_guest_reset(struct pc_board *m, const char *how)
{
	struct vm *vm = m->vm;

	/* A guest may reset as often as it likes: the report is limited (<core/log.h>). */
	if (log_limit_pass(&vm->reset_hows)) {
		log_info("VM %s: reset through %s", vm->name, how);
		pc_fwcfg_report(m);
	}
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
	struct pc_board *m = opaque;

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

/* A device instance's reset request (port 0x92, the keyboard controller). */
void pc_env_request_reset(void *vm, const char *how)
{
	pc_guest_reset(pc_of(vm), how);
}
