/* SPDX-License-Identifier: MIT */
/*
 * Machines: what a VM's board looks like.  The generic VM core
 * (<vm/vm.h>) knows RAM, vCPUs, the bus, the devices and the run loop; a
 * machine component (components/machines/<name>) knows what truly belongs
 * to the board: the memory map, the interrupt controllers and how device
 * interrupts reach them, how the firmware or kernel is loaded, and what
 * the architecture-specific exits mean (PSCI on arm, MSRs on x86).
 *
 * The board's devices are data: a table of device lines (<bus/device.h>),
 * the same words a VM configuration uses to add, change or remove them:
 *
 *     static const char *const virt_devices[] = {
 *             "pl011 name=uart0 base=0x09000000 irq=1",
 *             "pl031 name=rtc0 base=0x09010000 irq=2",
 *             ...
 *     };
 *     MACHINE(virt_machine) = {
 *             .name = "virt", .arch = "aarch64", .is_default = true,
 *             .devices = virt_devices, .device_count = 3, .console = "uart0",
 *             .build = virt_build, ...
 *     };
 *
 * An image holds any number of machines for any number of architectures;
 * a VM names its board with "machine = <name>", or gets its
 * architecture's default.
 *
 * Building a VM, in order:
 *   build()          the board: RAM (vm_add_ram), interrupt controllers,
 *                    and the interrupt inputs of vm->device_env
 *   (VM core)        every device instance created (device_create())
 *   devices_ready()  what needs the devices: firmware and kernel images,
 *                    fw_cfg contents, the guest's device tree or ACPI
 *   reset()          after RAM was cleared and every device was reset
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
	const char *description;        /* one line                              */
	bool is_default;                /* the architecture's default board      */
	bool has_ports;                 /* an I/O port space (x86): PIO devices  */
	/* Boards that split RAM at 4 GiB (pc): the most RAM below 4 GiB,
	 * which "ram-below-4g" may lower.  0: the setting is refused. */
	uint64_t ram_below_4g_max;

	/* The board's device instances, as device lines, created in order. */
	const char *const *devices;
	unsigned int device_count;
	/* The instance that gets the console's input ("uart0"); NULL: none. */
	const char *console;
	/*
	 * The device line of the VM's disk n (0 for its first "disk =" line)
	 * on transport ("" for the board's usual one): class, name and
	 * resources, e.g. "virtio-blk-mmio name=disk0 base=0xa000000 irq=16";
	 * the VM core adds image= and readonly=.  Several lines separated by
	 * '\n': the ones before the last are instances the disk needs, made
	 * before it (q35: "pcie-root-port name=rp0 slot=2\nvirtio-blk-pci
	 * name=disk0 bus=rp0").  0, or -EINVAL with a
	 * sentence in line (no such transport, too many disks).  NULL: the
	 * board takes no disks.
	 */
	int (*disk_device)(unsigned int n, const char *transport, char *line, size_t size);

	/*
	 * Makes the board of vm->config: RAM, the interrupt controller wired
	 * to the vCPUs, and vm->device_env.irq_sink/irq_ctx/irq_limit (how an
	 * instance's irq number reaches it).  Problems are logged ("VM
	 * <name>: ...") and returned as a negative errno; vm_destroy() then
	 * calls destroy().
	 */
	int (*build)(struct vm *vm);
	/* After every device instance exists (may be NULL). */
	int (*devices_ready)(struct vm *vm);
	/*
	 * Puts the board in its reset state after RAM was cleared and every
	 * device was reset (also the first time): images copied into RAM
	 * again, the boot vCPU started with vm_vcpu_start().  Firmware stores
	 * (flash) keep their contents.
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
	/*
	 * Whether vCPU vc, waiting in WFI/HLT, can only be woken by another
	 * vCPU (x86: HLT with interrupts disabled).  For the progress check
	 * of run.c; may be NULL (a wait is never final).
	 */
	bool (*halt_is_final)(struct vm *vm, struct vm_vcpu *vc);
	/*
	 * Logs what helps to understand a VM that failed: with vc NULL the
	 * board's own state (x86: the last POST code; vm_fail() asks for it),
	 * else the registers of vCPU vc, which the calling CPU runs (the
	 * progress check asks for it).  May be NULL.
	 */
	void (*report)(struct vm *vm, struct vm_vcpu *vc);
	/* Frees what build() and devices_ready() made; runs after the device
	 * instances were destroyed.  May be NULL. */
	void (*destroy)(struct vm *vm);
};

/* Registers a machine: MACHINE(my_machine) = { .name = ..., ... }; */
#define MACHINE(ident)                                                        \
	static const struct machine_ops ident                                 \
		__attribute__((used, section("machines"), aligned(8)))

/* Weak: a host test program without any machine links too (empty table). */
extern const struct machine_ops __start_machines[] __attribute__((weak));
extern const struct machine_ops __stop_machines[] __attribute__((weak));

#define for_each_machine(m) \
	for (const struct machine_ops *m = __start_machines; m < __stop_machines; m++)

/* The machine of that name for the architecture, or NULL. */
const struct machine_ops *machine_find(const char *arch, const char *name);
/* The architecture's default machine (is_default, else the first), or NULL. */
const struct machine_ops *machine_default(const char *arch);
/* "pc q35": the machines of the architecture, for messages. */
size_t machine_names(const char *arch, char *buf, size_t size);

#endif
