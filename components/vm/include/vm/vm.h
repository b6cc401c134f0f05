/* SPDX-License-Identifier: MIT */
/*
 * A running virtual machine, the same on every architecture.
 *
 * struct vm owns everything of one guest: its RAM (pages of the
 * hypervisor's page allocator), its guest-physical address space (stage 2
 * / EPT, <vcpu/gspace.h>), its device bus, its vCPUs and the files of the
 * boot archive it was built from.  What the guest's board looks like — the
 * devices, where the firmware goes, PSCI or CPUID — is the business of a
 * machine (struct machine_ops, <vm/machine.h>), named by the VM's
 * configuration ("machine = ...") or the architecture's default: "virt"
 * on aarch64 (components/machines/virt), "pc" on x86_64.  Its devices are
 * instances of device classes (<bus/device.h>): the machine's table,
 * changed by the configuration's device lines.
 *
 * Life of a VM:
 *
 *   vm_create(config)   gspace, bus, vCPUs; machine->build() makes RAM
 *                       and the interrupt controllers; every device
 *                       instance is created; machine->devices_ready()
 *                       loads the images; machine->reset() sets where
 *                       vCPU 0 starts
 *   vm_start(vm)        each vCPU's run loop (vm_run_vcpu(), run.c) on its
 *                       physical CPU; the one for CPU 0 when it calls
 *                       vm_run_boot_cpu_share()
 *   running             vCPU exits: MMIO/PIO -> bus, the rest -> machine
 *   vm_request_reset()  every vCPU stops, RAM is cleared, devices reset,
 *                       machine->reset() again, vCPU 0 starts again
 *   vm_request_off()    every vCPU stops; "VM <name>: powered off" and the
 *                       exit statistics; the VM has ended
 *   vm_fail()           like off, with the reason: a guest error stops its
 *                       VM, never the hypervisor
 *   no progress         every vCPU that is on has run for VM_STUCK_NS
 *                       without an exit a device or the machine handled
 *                       (a dead loop), or halts where only another vCPU
 *                       could wake it: the VM fails with what the
 *                       machine reports (POST code, registers)
 */
#ifndef VM_VM_H
#define VM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bus/bus.h>
#include <bus/chardev.h>
#include <bus/device.h>
#include <bus/guest_mem.h>
#include <bus/vclock.h>
#include <vm/console_mux.h>
#include <core/log.h>
#include <core/percpu.h>
#include <core/spinlock.h>
#include <vm/config.h>
#include <vm/console_mux.h>

struct gspace;
struct vcpu;
struct vcpu_exit;
struct machine_ops;
struct fdt_writer;
struct aml_writer;
struct bootfs_file;

#define VM_MAX_VMS          8
#define VM_MAX_VCPUS        MAX_CPUS
#define VM_RAM_MAX_REGIONS  32    /* host blocks of guest RAM */
#define VM_INPUT_BUFFER     256     /* console bytes waiting for the guest */
/* A VM whose vCPUs made no progress this long has failed (run.c). */
#define VM_STUCK_NS         (10ull * 1000000000ull)

/* Power state of one vCPU, as the guest's firmware interface sees it. */
enum vm_vcpu_power {
	VM_VCPU_OFF = 0,      /* waits for a start request (PSCI CPU_ON, SIPI) */
	VM_VCPU_ON_PENDING,   /* asked to start; its run loop has not yet       */
	VM_VCPU_ON,           /* running guest code                             */
};

/* Why the VM is not simply running. */
enum vm_state {
	VM_RUNNING = 0,
	VM_RESETTING,         /* SYSTEM_RESET: every vCPU meets, RAM is cleared */
	VM_STOPPING,          /* SYSTEM_OFF or a guest error: every vCPU leaves */
	VM_ENDED,             /* the last vCPU has left; statistics printed     */
};

struct vm_vcpu {
	struct vm *vm;
	unsigned int index;             /* 0 = the boot vCPU                    */
	unsigned int cpu;               /* physical CPU that runs it            */
	uint64_t hw_id;                 /* MPIDR affinity / APIC id (the machine) */
	struct vcpu *vcpu;
	volatile int power;             /* enum vm_vcpu_power                   */
	/* A start request, taken by the vCPU's own run loop. */
	uint64_t start_pc;
	uint64_t start_args[4];
	unsigned int start_nargs;
	volatile bool wake;             /* something for it: leave the WFI wait */
	uint64_t wfi_ns;                /* time spent waiting in WFI            */
	/* Progress check (run.c): the last exit a device or the machine
	 * handled, or the end of a WFI wait; whether the vCPU now waits in a
	 * WFI that nothing but another vCPU can end; the pc of its last exit. */
	volatile uint64_t progress_ns;
	volatile bool halted_final;
	volatile bool waiting;
	volatile uint64_t last_pc;
	uint64_t loop_pc;               /* where the pc was at the last look   */
	uint64_t loop_state;            /* and a digest of its registers        */
	unsigned int reads_unpolled;    /* device reads since the last poll     */
};

struct vm_ram {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;                  /* identity-mapped hypervisor address   */
};

struct vm_flash;

struct vm {
	struct vm_config config;        /* a copy: name, memory, images...      */
	const char *name;               /* config.name                          */
	const struct machine_ops *machine;
	void *machine_data;             /* the machine's own state              */

	/* Device instances (config.devices) and what they get from the VM. */
	struct device *devices;
	unsigned int device_count;
	struct device_env device_env;
	struct chardev console_out;     /* UART output -> vm_console_output()   */
	struct device *console_device;  /* gets the console's input, or NULL    */
	/* Its output while it does not have the console (console.c). */
	struct console_mux_source console;
	int console_index;              /* in the multiplexer = vm_get() index  */

	struct vm_ram ram[VM_RAM_MAX_REGIONS];
	unsigned int ram_count;
	struct gspace *gs;
	struct bus *bus;
	struct guest_mem mem;           /* RAM for DMA-capable devices          */
	struct vclock clock;            /* device timers                        */
	/*
	 * Held around every call into the device models (bus_dispatch,
	 * console input, device timers): they are plain C without locks of
	 * their own, and several vCPUs of the VM run on different CPUs.
	 */
	spinlock_t device_lock;

	unsigned int vcpu_count;
	struct vm_vcpu vcpus[VM_MAX_VCPUS];

	volatile int state;             /* enum vm_state                        */
	char stop_reason[192];          /* for VM_STOPPING: "powered off", ... */
	volatile unsigned int loops_running;   /* vCPU run loops not yet left  */
	volatile unsigned int reset_arrived;   /* vCPUs waiting in a reset     */
	volatile unsigned int reset_generation;
	unsigned int resets;

	/* Console input waiting until the guest's UART has room. */
	uint8_t input[VM_INPUT_BUFFER];
	unsigned int input_head, input_tail;
	uint64_t started_ns;
	bool progress_failed;           /* the progress check reported it      */
	uint64_t unhandled_exits;       /* exits nobody could handle (reported) */
	/* Its flash banks (<vm/flash.h>), for vm_flash_map_on_demand(). */
#define VM_FLASH_BANKS_MAX 4
	struct vm_flash *flash_banks[VM_FLASH_BANKS_MAX];
	unsigned int flash_bank_count;
	/* Resets are the guest's to make, as often as it likes: their messages are limited. */
	struct log_limit reset_requests, reset_hows, reset_reports;
};

/*
 * Builds a VM from a configuration: the machine of this architecture (or
 * a missing one is reported), its RAM, address space, bus, vCPUs,
 * devices and images.  Every problem is one log line starting with
 * "VM <name>: "; NULL then, with everything freed.
 */
struct vm *vm_create(const struct vm_config *config);
void vm_destroy(struct vm *vm);

/*
 * Starts the run loops of the vCPUs whose physical CPU is not the calling
 * one (an asynchronous smp_call each).  vCPUs placed on the calling CPU
 * run when it calls vm_run_here().  0 or a negative errno (reported).
 */
int vm_start(struct vm *vm);

/*
 * Runs, on the calling CPU, the run loops of every vCPU of vms[] placed on
 * it (one at a time: CPU 0 hands itself over after app_main's checks),
 * then waits, serving console input, until every VM has ended.
 */
void vm_run_here(struct vm **vms, unsigned int count);

/* The run loop of one vCPU (run.c): returns when its VM has ended. */
void vm_run_vcpu(struct vm_vcpu *vc);

/* ---- for machines ---- */

/*
 * Adds size bytes of RAM at guest-physical gpa: pages of the hypervisor
 * (2 MiB aligned, so stage 2 / EPT can use large pages), zeroed, mapped
 * read/write/execute and offered to DMA (vm->mem).  One contiguous block
 * when the allocator has one, else several (halving down to 2 MiB), each
 * a vm->ram[] entry: guest RAM need not be contiguous on the host.
 */
int vm_add_ram(struct vm *vm, uint64_t gpa, uint64_t size);

/* The boot-archive file at path for the VM's key (kernel, firmware...);
 * NULL for an empty path, or NULL after a "VM <name>: ..." error. */
const struct bootfs_file *vm_archive_file(struct vm *vm, const char *key, const char *path);

/* The instance of that name, or the first of that class; NULL if none. */
struct device *vm_device(struct vm *vm, const char *name);
/*
 * fw_cfg's "bootorder" file for boot = ... (QEMU docs/specs/fw_cfg.rst):
 * each device's OpenFirmware path (its class's boot_path), one per line,
 * ending in a NUL, into buf.  Its length with the NUL, or 0 when the VM
 * has no boot order or it does not fit (said in the log).
 */
size_t vm_boot_order(struct vm *vm, char *buf, size_t len);
struct device *vm_device_of_class(struct vm *vm, const char *class_name);
/* Whether an instance's class needs the PrimeCell bus clock in the tree. */
bool vm_devices_need_apb_clock(const struct vm *vm);
/* The guest's description of every instance: device-tree nodes, ACPI
 * Device()s (each class decides whether it has one). */
void vm_devices_write_fdt(const struct vm *vm, struct fdt_writer *w,
			  const struct device_fdt_env *fe);
void vm_devices_write_aml(const struct vm *vm, struct aml_writer *a,
			  const struct device_acpi_env *ae);

/* Copies into guest RAM (with the cache maintenance code needs). */
int vm_write_guest(struct vm *vm, uint64_t gpa, const void *src, size_t len);

/*
 * Asks vCPU index to start at pc with up to 4 argument registers (PSCI
 * CPU_ON, x86 SIPI, and the boot vCPU at every reset).  Its own run loop
 * applies it.  0, -EINVAL (no such vCPU), -EALREADY (already on),
 * -EINPROGRESS (already asked).
 */
int vm_vcpu_start(struct vm *vm, unsigned int index, uint64_t pc, const uint64_t *args,
		  unsigned int nargs);
/* The calling vCPU switches itself off (PSCI CPU_OFF). */
void vm_vcpu_stop_self(struct vm_vcpu *vc);
/* Finds the vCPU whose architectural id (MPIDR, APIC id) is hw_id; -1 if none. */
int vm_vcpu_by_hw_id(struct vm *vm, uint64_t hw_id);

/* Guest requests: restart the VM / end it. */
void vm_request_reset(struct vm *vm);
void vm_request_off(struct vm *vm);
/* A guest error: the VM ends with this reason (printf format). */
void vm_fail(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An interrupt for vCPU index (from the interrupt controller model). */
void vm_vcpu_kick(struct vm *vm, unsigned int index);

/*
 * The guest's UART output: shown on the hypervisor console while the VM
 * has it, kept in the VM's buffer otherwise (console.c).
 */
void vm_console_output(struct vm *vm, const uint8_t *buf, size_t len);
/* With several VMs: one line saying which number is which VM. */
void vm_console_list(void);

/* Prints the exit statistics table of the VM. */
void vm_print_statistics(struct vm *vm);

/* The VMs created so far (for the console keys). */
unsigned int vm_count(void);
struct vm *vm_get(unsigned int index);

/* Monotonic nanoseconds, for the VM clocks. */
uint64_t vm_clock_now(void *ctx);

#endif
