/* SPDX-License-Identifier: MIT */
/* Shared by the files of the VM core (vm.c, run.c, console.c). */
#ifndef VM_VM_INTERNAL_H
#define VM_VM_INTERNAL_H

#include <vcpu/vcpu.h>
#include <vm/vm.h>

/* RAM cleared (unless it is fresh), vCPUs off, machine->reset(): the power-on state. */
int vm_reset_board(struct vm *vm, bool clear_ram);
/* Reports the end of a VM (reason, time, statistics) and marks it ended. */
void vm_ended(struct vm *vm);
/*
 * Console input: reads the hypervisor console, handles the switch key and
 * hands bytes to the VM that has the console.  Only CPU 0 calls it (from
 * its vCPU's run loop or while it waits for the VMs), holding no device
 * lock.
 */
void vm_console_poll(void);
/* Gives a new VM its console buffer; its index (that of vm_get()) or -1. */
int vm_console_attach(struct vm *vm);
/* The VM has ended: the console moves on if it had it. */
void vm_console_ended(struct vm *vm);
/*
 * run.c: the handler of every vCPU's trapped device accesses (the VM's
 * bus under its device lock); opaque is the struct vm_vcpu.
 */
extern const struct vcpu_io_ops vm_vcpu_io_ops;

/*
 * How long a CPU with nothing to run sleeps between looks at what nobody
 * kicks it for (a VM's state, console input, device timers) while a vCPU
 * of it is off or its own vCPUs have ended.
 */
#define VM_IDLE_SLICE_NS 10000000ull

#endif
