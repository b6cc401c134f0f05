/* SPDX-License-Identifier: MIT */
/*
 * The guests and the hypervisor console.
 *
 * Output: whatever a guest writes to its UART goes to the hypervisor
 * console.  With one VM it goes straight there (a shell's prompt shows at
 * once); with several, each VM's output is collected into whole lines
 * (or VM_OUTPUT_LINE bytes) first, so that lines of different VMs do not
 * mix character by character.  A VM's partial line is written when it
 * ends.
 *
 * Input: keystrokes go to one VM at a time, VM 0 at first.  The switch
 * key is Ctrl-] (0x1d), followed by:
 *
 *   0..9     give the console to VM n (in the order the VMs were started)
 *   s        print the exit statistics of every VM
 *   Ctrl-]   send one Ctrl-] to the guest
 *
 * Only CPU 0 reads the console (from the run loop of the vCPU it runs, or
 * while it waits for the VMs to end), so the input queues need no lock;
 * handing bytes to a UART model takes the VM's device lock.
 */
#include <core/console.h>
#include <core/log.h>
#include <vm/machine.h>
#include <vm/vm.h>

#include "vm_internal.h"

#define VM_CONSOLE_SWITCH_KEY 0x1d   /* Ctrl-] */

static unsigned int console_focus;
static bool switch_key_seen;

/* Called by the VM's UART model, under the VM's device lock. */
void vm_console_output(struct vm *vm, const uint8_t *buf, size_t len)
{
	if (!vm || vm_count() < 2) {
		console_write((const char *)buf, len);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		vm->output[vm->output_len++] = buf[i];
		if (buf[i] == '\n' || vm->output_len == VM_OUTPUT_LINE)
			vm_console_flush(vm);
	}
}

void vm_console_flush(struct vm *vm)
{
	if (vm->output_len)
		console_write((const char *)vm->output, vm->output_len);
	vm->output_len = 0;
}

static void queue_input(struct vm *vm, uint8_t byte)
{
	unsigned int next = (vm->input_tail + 1) % VM_INPUT_BUFFER;

	if (next == vm->input_head)
		return;                  /* full: the guest is not reading */
	vm->input[vm->input_tail] = byte;
	vm->input_tail = next;
}

/* Hands queued bytes to the guest's UART as far as it takes them. */
static void deliver_input(struct vm *vm)
{
	struct device *dev = vm->console_device;

	while (vm->input_head != vm->input_tail) {
		unsigned int end = vm->input_tail > vm->input_head ? vm->input_tail
								  : VM_INPUT_BUFFER;
		size_t taken;

		/* No UART takes input: what is typed for this VM is dropped. */
		if (!dev || !dev->cls->console_input) {
			vm->input_head = vm->input_tail;
			return;
		}
		spin_lock(&vm->device_lock);
		taken = dev->cls->console_input(dev, &vm->input[vm->input_head],
						end - vm->input_head);
		spin_unlock(&vm->device_lock);
		if (!taken)
			return;
		vm->input_head = (vm->input_head + (unsigned int)taken) % VM_INPUT_BUFFER;
	}
}

static void switch_command(int c)
{
	if (c >= '0' && c <= '9') {
		unsigned int n = (unsigned int)(c - '0');
		struct vm *vm = vm_get(n);

		if (!vm) {
			printk("\n[console: there is no VM %u; %u VM%s running]\n", n, vm_count(),
			       vm_count() == 1 ? "" : "s");
			return;
		}
		console_focus = n;
		printk("\n[console: input goes to VM %u (%s)]\n", n, vm->name);
	} else if (c == 's' || c == 'S') {
		for (unsigned int i = 0; i < vm_count(); i++) {
			printk("\nVM %s: exit statistics so far\n", vm_get(i)->name);
			vm_print_statistics(vm_get(i));
		}
	} else if (c == VM_CONSOLE_SWITCH_KEY) {
		struct vm *vm = vm_get(console_focus);

		if (vm)
			queue_input(vm, (uint8_t)c);
	} else {
		printk("\n[console: Ctrl-] then 0-9 (VM), s (statistics), Ctrl-] (send Ctrl-])]\n");
	}
}

void vm_console_poll(void)
{
	struct vm *vm;
	int c;

	while ((c = console_getc()) >= 0) {
		if (switch_key_seen) {
			switch_key_seen = false;
			switch_command(c);
			continue;
		}
		if (c == VM_CONSOLE_SWITCH_KEY) {
			switch_key_seen = true;
			continue;
		}
		vm = vm_get(console_focus);
		if (vm)
			queue_input(vm, (uint8_t)c);
	}
	for (unsigned int i = 0; i < vm_count(); i++)
		deliver_input(vm_get(i));
}
