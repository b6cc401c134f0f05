/* SPDX-License-Identifier: MIT */
/*
 * The run loop of one vCPU: vm_run_vcpu().  Each vCPU runs it on its own
 * physical CPU until its VM ends:
 *
 *   vcpu_run()  ->  exit
 *     MMIO, PIO          -> already done inside vcpu_run(): the backend
 *                           called vm_io_access() (below: bus_dispatch()
 *                           to the device) and finished the instruction;
 *                           only traced and counted here
 *     WFI                -> wait until the vCPU has an interrupt
 *     IRQ, KICK          -> nothing: the host took its interrupt / look
 *                           at the VM's state again
 *     FAILED             -> the guest cannot go on: stop its VM
 *     everything else    -> the machine (PSCI, system registers, CPUID)
 *   then device timers, the host disk and console input (on CPU 0), and
 *   again.  Device reads come in bursts (a driver polling a status
 *   register exits thousands of times in a row): after those the polls
 *   run at every VM_POLL_READS-th only, after every other exit (a write:
 *   a doorbell for the host disk, say) always.
 *
 * Around that: a vCPU that is off waits for a start request
 * (vm_vcpu_start()), a reset gathers every vCPU of the VM before the
 * board is reset, and a VM that is stopping makes every loop return.
 *
 * Progress: a guest that dead-loops (a firmware's exception handler ends
 * in "jmp $" with interrupts off) or halts where nothing can wake it
 * would otherwise run unnoticed until someone stops the emulator.  Every
 * exit a device or the machine handles, and every end of a WFI wait,
 * counts as progress; so does a vCPU that has moved since the last look
 * at one of the host's own interrupts and kicks (at least one per console
 * slice): its pc more than VM_LOOP_WINDOW bytes away or its registers
 * changed (vcpu_moved()).  Code that runs for long without exits moves,
 * a dead loop does not.  When every vCPU that is on has been without
 * progress for VM_STUCK_NS — running, or halted where only another vCPU
 * could wake it (machine->halt_is_final) — the VM fails with the
 * machine's report.  A vCPU waiting for an interrupt it can take is
 * never stuck: an idle guest is not a dead one.
 */
#include <errno.h>
#include <stdio.h>

#include <core/arch.h>
#include <core/compiler.h>
#include <core/log.h>
#include <core/mm.h>
#include <core/percpu.h>
#include <vcpu/vcpu.h>
#include <vm/machine.h>
#include <vm/flash.h>
#include <vm/vm.h>

#include "vm_internal.h"

#ifdef CONFIG_HOSTDISK
#include <hostdisk/hostdisk.h>
/*
 * Host disk requests queued by any VM are done here, by whichever vCPU
 * comes by first, with no device lock held (docs/persistence.md).
 */
static inline void poll_host_disk(void)
{
	hostdisk_poll();
}
#else
static inline void poll_host_disk(void)
{
}
#endif

/*
 * Device reads in a row between two polls of the devices, the host disk
 * and the console: each poll costs more than the read itself (on hardware
 * the console's is a read of an uncached device register), and a guest
 * that waits for a device timer, a disk request or input polls a
 * register, so the thing it waits for comes at most this many reads late.
 */
#define VM_POLL_READS 16

/* Rate limit for guest errors that do not stop the VM. */
#define VM_REPORT_LIMIT 10
/* How far the pc may wander and still be "the same loop" (bytes). */
#define VM_LOOP_WINDOW 256

static void vm_check_progress(struct vm_vcpu *self);

static void poll_devices(struct vm *vm)
{
	uint64_t next;

	poll_host_disk();
	/* The clock is read only when a device timer is armed. */
	next = vclock_next_deadline(&vm->clock);
	if (next != UINT64_MAX && next <= vclock_now(&vm->clock)) {
		spin_lock(&vm->device_lock);
		vclock_run_expired(&vm->clock);
		spin_unlock(&vm->device_lock);
	}
	if (this_cpu()->id == 0)
		vm_console_poll();
}

#ifdef CONFIG_VM_EXIT_TRACE
/* The teaching trace: one line per exit, with the data of a read. */
static void trace_exit(struct vm_vcpu *vc, const struct vcpu_exit *exit, bool show_read)
{
	char line[200];

	vcpu_exit_describe(exit, line, sizeof(line));
	if (show_read)
		log_info("VM %s vCPU%u: %s -> 0x%llx", vc->vm->name, vc->index, line,
			 (unsigned long long)exit->access.data);
	else
		log_info("VM %s vCPU%u: %s", vc->vm->name, vc->index, line);
}
#else
static inline void trace_exit(struct vm_vcpu *vc, const struct vcpu_exit *exit, bool show_read)
{
	(void)vc;
	(void)exit;
	(void)show_read;
}
#endif

/*
 * An MMIO or port access, called by the vCPU backend while it handles the
 * exit (struct vcpu_io_ops): to the device that owns the address.
 * Unassigned and refused reads come back all-ones, as on real buses.
 */
static enum bus_result vm_io_access(void *opaque, struct vcpu *v, struct bus_access *acc)
{
	struct vm_vcpu *vc = opaque;
	struct vm *vm = vc->vm;
	enum bus_result result;
	uint64_t pc = 0;

	spin_lock(&vm->device_lock);
	result = bus_dispatch(vm->bus, acc);
	spin_unlock(&vm->device_lock);
	if (result == BUS_INVALID && vm->unhandled_exits++ < VM_REPORT_LIMIT) {
		vcpu_get_reg(v, VCPU_REG_PC, &pc);
		log_warn("VM %s vCPU%u: malformed access at 0x%llx width %u at pc 0x%llx",
			 vm->name, vc->index, (unsigned long long)acc->addr, acc->width,
			 (unsigned long long)pc);
	}
	return result;
}

/* Whether a device owns the address (asked for accesses the backend cannot perform). */
static bool vm_io_present(void *opaque, struct vcpu *v, enum bus_space space, uint64_t addr)
{
	struct vm_vcpu *vc = opaque;
	bool present;

	(void)v;
	spin_lock(&vc->vm->device_lock);
	present = bus_find(vc->vm->bus, space, addr) != NULL;
	spin_unlock(&vc->vm->device_lock);
	return present;
}

static bool vm_io_map_on_demand(void *opaque, struct vcpu *v, uint64_t addr)
{
	struct vm_vcpu *vc = opaque;
	bool mapped;

	(void)v;
	spin_lock(&vc->vm->device_lock);
	mapped = vm_flash_map_on_demand(vc->vm, addr);
	spin_unlock(&vc->vm->device_lock);
	return mapped;
}

const struct vcpu_io_ops vm_vcpu_io_ops = {
	.access = vm_io_access,
	.present = vm_io_present,
	.map_on_demand = vm_io_map_on_demand,
};

/* Asked by the backend while a vCPU sleeps in WFI: is there work for it? */
static bool vcpu_has_work(struct vcpu *v, void *ctx)
{
	struct vm_vcpu *vc = ctx;
	struct vm *vm = vc->vm;

	(void)v;
	/* A request this vCPU queued (and then waits for) is done here. */
	poll_host_disk();
	/* CPU 0 also serves the console; a keystroke raises the UART's interrupt. */
	if (this_cpu()->id == 0)
		vm_console_poll();
	vm_check_progress(vc);
	return READ_ONCE(vm->state) != VM_RUNNING || __atomic_load_n(&vc->wake, __ATOMIC_ACQUIRE) ||
	       vm->machine->irq_pending(vm, vc);
}

/*
 * WFI: the vCPU has nothing to do until an interrupt is pending for it.
 * The backend sleeps on this CPU until the vCPU's timer deadline, a kick
 * (an interrupt made pending by a device or another vCPU, a reset, the
 * end of the VM) or has_work() says so.  WFE only yields: it waits for an
 * event of another vCPU (SEV), which comes as soon as that one runs.
 */
static void wait_for_interrupt(struct vm_vcpu *vc, bool is_wfe)
{
	uint64_t start = arch_timer_ns();

	if (is_wfe)
		return;
	vc->halted_final = vc->vm->machine->halt_is_final &&
			   vc->vm->machine->halt_is_final(vc->vm, vc);
	vc->waiting = true;
	vcpu_wait_for_interrupt(vc->vcpu, vcpu_has_work, vc);
	vc->waiting = false;
	vc->halted_final = false;
	__atomic_store_n(&vc->wake, false, __ATOMIC_RELEASE);
	vc->progress_ns = arch_timer_ns();
	vc->wfi_ns += vc->progress_ns - start;
}

/*
 * At a host interrupt or kick: whether the vCPU has moved since the last
 * look.  Code that runs on without exits (Linux unpacking itself) changes
 * its registers or leaves the few bytes it was in; a dead loop keeps both
 * (EDK2's CpuDeadLoop() spins on a few instructions with the same values).
 * The registers looked at are the ones every architecture names: the
 * stack pointer and the four argument registers.
 */
static bool vcpu_moved(struct vm_vcpu *vc, uint64_t pc)
{
	static const unsigned int regs[] = { VCPU_REG_SP, VCPU_REG_ARG0, VCPU_REG_ARG1,
					     VCPU_REG_ARG2, VCPU_REG_ARG3 };
	uint64_t state = 0, value;
	bool moved;

	for (unsigned int i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		value = 0;
		vcpu_get_reg(vc->vcpu, regs[i], &value);
		state = (state << 13 | state >> 51) ^ value;
	}
	moved = state != vc->loop_state ||
		(pc - vc->loop_pc > VM_LOOP_WINDOW && vc->loop_pc - pc > VM_LOOP_WINDOW);
	if (moved) {
		vc->loop_pc = pc;
		vc->loop_state = state;
	}
	return moved;
}

/* Whether vCPU vc has been without progress since before 'since'. */
static bool vcpu_stuck(const struct vm_vcpu *vc, uint64_t since)
{
	if (READ_ONCE(vc->power) != VM_VCPU_ON)
		return true;            /* off: it waits for another vCPU */
	if (READ_ONCE(vc->waiting) && !READ_ONCE(vc->halted_final))
		return false;           /* idle, waiting for an interrupt it can take */
	return READ_ONCE(vc->progress_ns) < since;
}

/* The progress check (see the top of the file), on vCPU self's CPU. */
static void vm_check_progress(struct vm_vcpu *self)
{
	struct vm *vm = self->vm;
	uint64_t now = arch_timer_ns(), since;
	bool any_on = false;

	if (now < VM_STUCK_NS || READ_ONCE(vm->state) != VM_RUNNING)
		return;
	since = now - VM_STUCK_NS;
	if (!vcpu_stuck(self, since))
		return;
	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		if (!vcpu_stuck(&vm->vcpus[i], since))
			return;
		any_on |= READ_ONCE(vm->vcpus[i].power) == VM_VCPU_ON;
	}
	if (!any_on || __atomic_exchange_n(&vm->progress_failed, true, __ATOMIC_ACQ_REL))
		return;
	log_error("VM %s: no vCPU has made progress for %llu s:", vm->name,
		  (unsigned long long)(VM_STUCK_NS / 1000000000ull));
	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		const struct vm_vcpu *vc = &vm->vcpus[i];

		if (READ_ONCE(vc->power) != VM_VCPU_ON)
			log_error("VM %s vCPU%u: off", vm->name, i);
		else
			log_error("VM %s vCPU%u: %s, last exit at pc 0x%llx", vm->name, i,
				  vc->waiting ? "halted with interrupts disabled"
					      : "running without exits (a dead loop?)",
				  (unsigned long long)vc->last_pc);
	}
	if (vm->machine->report)
		vm->machine->report(vm, self);
	vm_fail(vm, "no progress for %llu s (a dead loop or a final halt; see above)",
		(unsigned long long)(VM_STUCK_NS / 1000000000ull));
}

static void handle_exit(struct vm_vcpu *vc, struct vcpu_exit *exit)
{
	struct vm *vm = vc->vm;
	char line[200];
	int rc;

	vc->last_pc = exit->pc;
	switch (exit->reason) {
	case VCPU_EXIT_MMIO:
	case VCPU_EXIT_PIO:
		vc->progress_ns = arch_timer_ns();
		trace_exit(vc, exit, exit->access.dir == BUS_READ);
		return;
	case VCPU_EXIT_WFI:
		trace_exit(vc, exit, false);
		wait_for_interrupt(vc, exit->wfi.is_wfe);
		return;
	case VCPU_EXIT_IRQ:
	case VCPU_EXIT_KICK:
	case VCPU_EXIT_NONE:
		if (vcpu_moved(vc, exit->pc))
			vc->progress_ns = arch_timer_ns();
		vm_check_progress(vc);
		return;
	case VCPU_EXIT_FAILED:
		vm_fail(vm, "vCPU %u: %s", vc->index, exit->failed.reason);
		return;
	default:
		vc->progress_ns = arch_timer_ns();
		trace_exit(vc, exit, false);
		rc = vm->machine->handle_exit(vm, vc, exit);
		if (rc == -ENOSYS && exit->reason == VCPU_EXIT_HYPERCALL) {
			/*
			 * A hypercall this machine does not offer: the backend's
			 * "unknown" answer stands (x86: -1000 in RAX, as KVM
			 * gives), and the guest goes on.
			 */
			if (vm->unhandled_exits++ < VM_REPORT_LIMIT)
				log_warn("VM %s vCPU%u: unknown hypercall 0x%llx at pc 0x%llx",
					 vm->name, vc->index,
					 (unsigned long long)exit->hypercall.function,
					 (unsigned long long)exit->pc);
			return;
		}
		if (rc < 0) {
			vcpu_exit_describe(exit, line, sizeof(line));
			vm_fail(vm, "vCPU %u: the %s machine cannot handle %s", vc->index,
				vm->machine->name, line);
		}
		return;
	}
}

/*
 * A reset: every vCPU of the VM comes here.  vCPU 0 waits for the others,
 * resets the board and lets everybody go on; the others wait for that.
 */
static void meet_for_reset(struct vm_vcpu *vc)
{
	struct vm *vm = vc->vm;
	unsigned int generation = READ_ONCE(vm->reset_generation);

	if (vc->index != 0) {
		__atomic_add_fetch(&vm->reset_arrived, 1, __ATOMIC_ACQ_REL);
		while (READ_ONCE(vm->reset_generation) == generation &&
		       READ_ONCE(vm->state) == VM_RESETTING)
			arch_cpu_relax();
		return;
	}
	while (READ_ONCE(vm->reset_arrived) != vm->vcpu_count - 1 &&
	       READ_ONCE(vm->state) == VM_RESETTING) {
		poll_devices(vm);
		arch_cpu_relax();
	}
	if (READ_ONCE(vm->state) != VM_RESETTING)
		return;
	vm->resets++;
	/* The hypervisor's free memory after each reset: a leak shows as a drift. */
	log_limited(&vm->reset_reports, LOG_INFO, "VM %s: reset %u: RAM cleared, devices reset, "
		    "restarting (hypervisor: %zu free pages, %zu heap bytes free)", vm->name,
		    vm->resets, mm_free_pages(), mm_heap_free_bytes());
	if (vm_reset_board(vm, true) != 0) {
		vm_fail(vm, "the reset failed");
		return;
	}
	vm->reset_arrived = 0;
	__atomic_store_n(&vm->state, VM_RUNNING, __ATOMIC_RELEASE);
	__atomic_add_fetch(&vm->reset_generation, 1, __ATOMIC_RELEASE);
}

/* A vCPU that is off: waits for a start request or a change of the VM, asleep. */
static void wait_while_off(struct vm_vcpu *vc)
{
	struct vm *vm = vc->vm;

	arch_irq_disable();
	while (READ_ONCE(vc->power) != VM_VCPU_ON_PENDING && READ_ONCE(vm->state) == VM_RUNNING) {
		poll_devices(vm);
		/*
		 * Asleep until vm_vcpu_start() kicks this CPU (vm_vcpu_kick()),
		 * or for a slice: what changes the VM's state without a kick,
		 * and the devices and console polled above, wait that long.
		 */
		arch_cpu_idle(arch_timer_ns() + VM_IDLE_SLICE_NS);
	}
}

void vm_run_vcpu(struct vm_vcpu *vc)
{
	struct vm *vm = vc->vm;
	struct vcpu_exit exit;
	int state;

	for (;;) {
		state = READ_ONCE(vm->state);
		if (state == VM_RESETTING) {
			meet_for_reset(vc);
			continue;
		}
		if (state != VM_RUNNING)
			break;
		if (READ_ONCE(vc->power) == VM_VCPU_ON_PENDING) {
			vc->progress_ns = arch_timer_ns();
			vcpu_set_entry(vc->vcpu, vc->start_pc, vc->start_args, vc->start_nargs);
			__atomic_store_n(&vc->power, VM_VCPU_ON, __ATOMIC_RELEASE);
			log_debug("VM %s: vCPU %u starts at 0x%llx", vm->name, vc->index,
				  (unsigned long long)vc->start_pc);
		}
		if (READ_ONCE(vc->power) != VM_VCPU_ON) {
			wait_while_off(vc);
			continue;
		}
		if (vcpu_run(vc->vcpu, &exit) < 0 && exit.reason != VCPU_EXIT_FAILED) {
			vm_fail(vm, "vCPU %u could not enter the guest", vc->index);
			continue;
		}
		handle_exit(vc, &exit);
		if ((exit.reason != VCPU_EXIT_MMIO && exit.reason != VCPU_EXIT_PIO) ||
		    exit.access.dir != BUS_READ || ++vc->reads_unpolled >= VM_POLL_READS) {
			vc->reads_unpolled = 0;
			poll_devices(vm);
		}
	}
	/* The last loop out reports the end of the VM. */
	if (__atomic_sub_fetch(&vm->loops_running, 1, __ATOMIC_ACQ_REL) == 0)
		vm_ended(vm);
}
