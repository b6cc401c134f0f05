/* SPDX-License-Identifier: MIT */
/*
 * Machines: what a VM's board looks like.  The generic VM core
 * (<vm/vm.h>) knows RAM, vCPUs, the bus and the run loop; a machine
 * component (components/machines/<name>) knows the devices, where they
 * sit, how the firmware or kernel is loaded and what the
 * architecture-specific exits mean (PSCI on arm, CPUID on x86).
 *
 * A machine registers itself at boot:
 *
 *     static const struct machine_ops virt_machine = { .name = "virt", ... };
 *     static int virt_register(void) { return machine_register(&virt_machine); }
 *     INIT_CALL(virt_register, INIT_DEVICE);
 *
 * A VM gets the machine registered for the image's architecture (today
 * every architecture has exactly one: "virt" on aarch64, "pc" on x86_64).
 */
#ifndef VM_MACHINE_H
#define VM_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct vm_vcpu;
struct vcpu_exit;

struct machine_ops {
	const char *name;               /* "virt", "pc"                          */
	const char *arch;               /* arch_name() it runs on: "aarch64"     */

	/*
	 * Makes the board of vm->config: RAM (vm_add_ram), devices on vm->bus,
	 * the interrupt controller wired to the vCPUs, firmware and kernel
	 * images.  Problems are logged ("VM <name>: ...") and returned as a
	 * negative errno; vm_destroy() then calls destroy().
	 */
	int (*build)(struct vm *vm);
	/*
	 * Puts the board in its reset state after RAM was cleared (also the
	 * first time): device resets, images copied into RAM again, the boot
	 * vCPU started with vm_vcpu_start().  Firmware stores (flash) keep
	 * their contents.
	 */
	int (*reset)(struct vm *vm);
	/*
	 * Exits the core does not handle itself (HYPERCALL, SYSREG, CPU_ON,
	 * SHUTDOWN, RESET...).  0 when handled; a negative errno stops the VM
	 * as a guest error (after the machine reported why).
	 */
	int (*handle_exit)(struct vm *vm, struct vm_vcpu *vc, struct vcpu_exit *exit);
	/*
	 * Whether vCPU vc has an interrupt to take (ends a WFI/HLT wait).
	 * Called on the vCPU's CPU with interrupts masked.
	 */
	bool (*irq_pending)(struct vm *vm, struct vm_vcpu *vc);
	/* Console input for the guest's UART: how many bytes it took. */
	size_t (*console_input)(struct vm *vm, const uint8_t *buf, size_t len);
	/* Frees what build() made (devices, images); may be NULL. */
	void (*destroy)(struct vm *vm);
};

/* 0, -EEXIST (a machine for that architecture and name exists), -ENOSPC. */
int machine_register(const struct machine_ops *ops);
/* The machine of this architecture, or NULL. */
const struct machine_ops *machine_for_arch(const char *arch);

#endif
