/* SPDX-License-Identifier: MIT */
/*
 * The guests and the hypervisor console.
 *
 * One VM has the console at a time, VM 0 at first: its output is shown
 * and what is typed goes to it.  Every VM's output is kept in its own
 * buffer (<vm/console_mux.h>), so a VM that does not have the console
 * loses nothing: switching to it replays what it printed meanwhile, after
 * a status line that says whose output follows.  Two booting guests
 * therefore never interleave, and a terminal's answer to one guest's
 * query (a cursor-position report) cannot reach another guest.  The
 * hypervisor's own messages are always shown.
 *
 * With console=all on the hypervisor command line every VM's output is
 * shown instead, a line at a time after the VM's number ("[1] "): for
 * watching several VMs side by side.  The switch key then only moves the
 * keyboard.
 *
 * The switch key is Ctrl-] (0x1d), followed by:
 *
 *   0..7     give the console to VM n (numbered from 0 in the order the
 *            VMs were created; the list is printed when they start)
 *   s        print the exit statistics of every VM
 *   Ctrl-]   send one Ctrl-] to the guest
 *
 * When the VM that has the console ends, the next running VM gets it.
 *
 * Only CPU 0 reads the console (from the run loop of the vCPU it runs, or
 * while it waits for the VMs to end), so the input queues need no lock;
 * handing bytes to a UART model takes the VM's device lock.  Output comes
 * from every CPU: the multiplexer is under mux_lock.
 */
#include <errno.h>
#include <string.h>

#include <core/cmdline.h>
#include <core/console.h>
#include <core/log.h>
#include <core/spinlock.h>
#include <vm/console_mux.h>
#include <vm/machine.h>
#include <vm/vm.h>

#include "vm_internal.h"

#define VM_CONSOLE_SWITCH_KEY 0x1d   /* Ctrl-] */

static unsigned int console_focus;
static bool switch_key_seen;

static struct console_mux mux;
static spinlock_t mux_lock = SPINLOCK_INIT;
static bool show_all;

static int set_console_mode(const char *value)
{
	if (value && !strcmp(value, "all"))
		show_all = true;
	else if (value && !strcmp(value, "focus"))
		show_all = false;
	else
		return -EINVAL;
	return 0;
}
CMDLINE_OPTION("console", set_console_mode,
	       "focus (the VM with the keyboard is shown; the default) or all (every VM, line by line)");

static void mux_sink(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	console_write(buf, len);
}

int vm_console_attach(struct vm *vm)
{
	int index;

	spin_lock(&mux_lock);
	if (!mux.sink) {
		console_mux_init(&mux, mux_sink, NULL);
		console_mux_show_all(&mux, show_all);
	}
	index = console_mux_add(&mux, &vm->console, vm->name);
	spin_unlock(&mux_lock);
	return index;
}

void vm_console_output(struct vm *vm, const uint8_t *buf, size_t len)
{
	if (vm->console_index < 0) {     /* not attached: nothing to keep it in */
		console_write((const char *)buf, len);
		return;
	}
	spin_lock(&mux_lock);
	console_mux_write(&mux, (unsigned int)vm->console_index, buf, len);
	spin_unlock(&mux_lock);
}

void vm_console_ended(struct vm *vm)
{
	if (vm->console_index < 0)
		return;
	spin_lock(&mux_lock);
	console_mux_end(&mux, (unsigned int)vm->console_index);
	console_focus = mux.focus;
	spin_unlock(&mux_lock);
}

void vm_console_list(void)
{
	if (vm_count() < 2)
		return;
	if (show_all)
		printk("Console: every VM is shown, a line at a time after its number; VM %u (%s) "
		       "has the keyboard; Ctrl-] then a number switches it:", console_focus,
		       vm_get(console_focus)->name);
	else
		printk("Console: VM %u (%s) has it; Ctrl-] then a number switches:", console_focus,
		       vm_get(console_focus)->name);
	for (unsigned int i = 0; i < vm_count(); i++)
		printk(" %u = %s%s", i, vm_get(i)->name, i + 1 < vm_count() ? "," : "\n");
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
		spin_lock(&mux_lock);
		if (vm->console_index >= 0)
			console_mux_focus(&mux, (unsigned int)vm->console_index);
		spin_unlock(&mux_lock);
		console_focus = n;
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
		printk("\n[console: Ctrl-] then 0-%u (VM), s (statistics), Ctrl-] (send Ctrl-])]\n",
		       vm_count() ? vm_count() - 1 : 0);
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
