/* SPDX-License-Identifier: MIT */
/*
 * The generic VM: building one from its configuration, its RAM, the
 * power state of its vCPUs, reset and power-off, exit statistics and the
 * machine registry.  The run loop itself is run.c; the console (guest
 * output, input switching between VMs) is console.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <core/arch.h>
#include <core/bootfs.h>
#include <core/compiler.h>
#include <core/cmdline.h>
#include <core/log.h>
#include <core/wallclock.h>
#include <core/mm.h>
#include <core/percpu.h>
#include <core/smp.h>
#include <vcpu/gspace.h>
#include <vcpu/vcpu.h>
#include <vm/machine.h>
#include <vm/vm.h>

#include "vm_internal.h"

/* ---- the VMs of this boot ---- */

static struct vm *all_vms[VM_MAX_VMS];
static unsigned int all_vm_count;
static bool cpu_taken[MAX_CPUS];

unsigned int vm_count(void)
{
	return all_vm_count;
}

struct vm *vm_get(unsigned int index)
{
	return index < all_vm_count ? all_vms[index] : NULL;
}

uint64_t vm_clock_now(void *ctx)
{
	(void)ctx;
	return arch_timer_ns();
}

/* ---- RAM ---- */

#define RAM_ALIGN_PAGES ((2UL << 20) / PAGE_SIZE)

/* One host block of guest RAM at gpa. */
static int add_ram_block(struct vm *vm, uint64_t gpa, uint64_t size, void *host)
{
	struct vm_ram *r;
	int ret;

	ret = gspace_map(vm->gs, gpa, (uintptr_t)host, size, GSPACE_RWX, GSPACE_MEM_NORMAL);
	if (ret == 0)
		ret = guest_mem_add(&vm->mem, gpa, size, host, false);
	if (ret) {
		log_error("VM %s: cannot map RAM at 0x%llx (%d)", vm->name,
			  (unsigned long long)gpa, ret);
		gspace_unmap(vm->gs, gpa, size);
		page_free(host, size / PAGE_SIZE);
		return ret;
	}
	r = &vm->ram[vm->ram_count++];
	r->gpa = gpa;
	r->size = size;
	r->host = host;
	log_debug("VM %s: RAM 0x%llx..0x%llx in host block 0x%llx", vm->name,
		  (unsigned long long)gpa, (unsigned long long)(gpa + size - 1),
		  (unsigned long long)(uintptr_t)host);
	return 0;
}

/*
 * vm-ram-block=<MiB>: the largest host block a VM's RAM is taken in (0:
 * as large as the allocator has).  Smaller blocks leave the hypervisor's
 * memory in pieces other VMs can use; a test also uses it to give a VM
 * RAM made of several blocks.
 */
static uint64_t ram_block_max;

static int set_ram_block(const char *value)
{
	uint64_t mib = 0;

	if (!value || !*value)
		return -EINVAL;
	for (const char *c = value; *c; c++) {
		if (*c < '0' || *c > '9' || mib > (1ull << 40))
			return -EINVAL;
		mib = mib * 10 + (uint64_t)(*c - '0');
	}
	if (mib && mib < 2)
		return -EINVAL;             /* blocks are 2 MiB aligned */
	ram_block_max = mib << 20;
	return 0;
}
CMDLINE_OPTION("vm-ram-block", set_ram_block,
	       "<MiB>: the largest host block of a VM's RAM (default: as large as free)");

int vm_add_ram(struct vm *vm, uint64_t gpa, uint64_t size)
{
	const uint64_t block_min = RAM_ALIGN_PAGES * PAGE_SIZE;
	uint64_t block = ram_block_max ? ram_block_max / block_min * block_min : size;
	int ret;

	uint64_t first_gpa = gpa, total = size;
	unsigned int blocks = 0;

	if (!size || (size & (PAGE_SIZE - 1)))
		return -EINVAL;
	while (size) {
		uint64_t want = block < size ? block : size;
		void *host;

		if (vm->ram_count == VM_RAM_MAX_REGIONS) {
			log_error("VM %s: RAM would need more than %u host blocks (%llu MiB free)",
				  vm->name, VM_RAM_MAX_REGIONS,
				  (unsigned long long)((mm_free_pages() * PAGE_SIZE) >> 20));
			return -ENOMEM;
		}
		host = page_alloc_aligned(want / PAGE_SIZE, RAM_ALIGN_PAGES);
		if (!host) {
			if (want <= block_min) {
				log_error("VM %s: cannot allocate %llu MiB of RAM (%llu MiB free)",
					  vm->name, (unsigned long long)(size >> 20),
					  (unsigned long long)((mm_free_pages() * PAGE_SIZE) >> 20));
				return -ENOMEM;
			}
			/* No run that long: smaller blocks, each 2 MiB aligned. */
			block = (want / 2 + block_min - 1) / block_min * block_min;
			continue;
		}
		ret = add_ram_block(vm, gpa, want, host);
		if (ret)
			return ret;
		blocks++;
		gpa += want;
		size -= want;
	}
	if (blocks > 1)
		log_info("VM %s: RAM 0x%llx..0x%llx (%llu MiB) from %u host blocks", vm->name,
			 (unsigned long long)first_gpa, (unsigned long long)(first_gpa + total - 1),
			 (unsigned long long)(total >> 20), blocks);
	return 0;
}

int vm_write_guest(struct vm *vm, uint64_t gpa, const void *src, size_t len)
{
	return gspace_write(vm->gs, gpa, src, len);
}

/* ---- vCPU power ---- */

int vm_vcpu_start(struct vm *vm, unsigned int index, uint64_t pc, const uint64_t *args,
		  unsigned int nargs)
{
	struct vm_vcpu *vc;
	int expected = VM_VCPU_OFF;

	if (index >= vm->vcpu_count || nargs > ARRAY_SIZE(vc->start_args))
		return -EINVAL;
	vc = &vm->vcpus[index];
	if (READ_ONCE(vc->power) == VM_VCPU_ON)
		return -EALREADY;
	/* Claim the request slot first so two starters cannot both fill it. */
	if (!__atomic_compare_exchange_n(&vc->power, &expected, -1, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return expected == VM_VCPU_ON ? -EALREADY : -EINPROGRESS;
	vc->start_pc = pc;
	for (unsigned int i = 0; i < ARRAY_SIZE(vc->start_args); i++)
		vc->start_args[i] = i < nargs ? args[i] : 0;
	vc->start_nargs = nargs;
	__atomic_store_n(&vc->power, VM_VCPU_ON_PENDING, __ATOMIC_RELEASE);
	vm_vcpu_kick(vm, index);
	return 0;
}

void vm_vcpu_stop_self(struct vm_vcpu *vc)
{
	__atomic_store_n(&vc->power, VM_VCPU_OFF, __ATOMIC_RELEASE);
}

int vm_vcpu_by_hw_id(struct vm *vm, uint64_t hw_id)
{
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		if (vm->vcpus[i].hw_id == hw_id)
			return (int)i;
	return -1;
}

void vm_vcpu_kick(struct vm *vm, unsigned int index)
{
	struct percpu *self = this_cpu();

	if (index >= vm->vcpu_count)
		return;
	__atomic_store_n(&vm->vcpus[index].wake, true, __ATOMIC_RELEASE);
	/*
	 * On its own CPU the vCPU is between two entries (or in the backend's
	 * callbacks before fill(), or asking has_work() in a WFI wait): the
	 * next look at its interrupts sees it without an extra exit.
	 */
	if (self && self->id == vm->vcpus[index].cpu)
		return;
	vcpu_kick(vm->vcpus[index].vcpu);
	/*
	 * A vCPU that is off sleeps outside the backend (wait_while_off() in
	 * run.c), where vcpu_kick() does not reach: wake its CPU.  It looked
	 * at its power with interrupts masked, so the kick is either seen
	 * there or ends its sleep.
	 */
	if (READ_ONCE(vm->vcpus[index].power) != VM_VCPU_ON)
		arch_kick_cpu(vm->vcpus[index].cpu);
}

static void kick_all(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		vm_vcpu_kick(vm, i);
}

/* ---- reset and off ---- */

void vm_request_reset(struct vm *vm)
{
	int expected = VM_RUNNING;

	if (__atomic_compare_exchange_n(&vm->state, &expected, VM_RESETTING, false,
					__ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		log_limited(&vm->reset_requests, LOG_INFO, "VM %s: system reset requested", vm->name);
		kick_all(vm);
	}
}

static void request_stop(struct vm *vm, const char *reason)
{
	int state = READ_ONCE(vm->state);

	while (state == VM_RUNNING || state == VM_RESETTING) {
		if (__atomic_compare_exchange_n(&vm->state, &state, -1, false, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED)) {
			snprintf(vm->stop_reason, sizeof(vm->stop_reason), "%s", reason);
			__atomic_store_n(&vm->state, VM_STOPPING, __ATOMIC_RELEASE);
			kick_all(vm);
			return;
		}
	}
}

void vm_request_off(struct vm *vm)
{
	request_stop(vm, "powered off");
}

void vm_fail(struct vm *vm, const char *fmt, ...)
{
	char reason[160];
	char full[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	log_error("VM %s: stopped: %s", vm->name, reason);
	if (vm->machine && vm->machine->report)
		vm->machine->report(vm, NULL);
	snprintf(full, sizeof(full), "stopped after a guest error (%s)", reason);
	request_stop(vm, full);
}

/*
 * The board back to its power-on state, with every vCPU of the VM parked
 * in its run loop: RAM cleared, vCPUs off, then the machine resets its
 * devices, reloads what must be in RAM and starts the boot vCPU.
 */
int vm_reset_board(struct vm *vm, bool clear_ram)
{
	int ret;

	for (unsigned int i = 0; clear_ram && i < vm->ram_count; i++)
		memset(vm->ram[i].host, 0, vm->ram[i].size);
	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		vm->vcpus[i].power = VM_VCPU_OFF;
		vm->vcpus[i].wake = false;
	}
	spin_lock(&vm->device_lock);
	for (unsigned int i = 0; i < vm->device_count; i++)
		device_reset(&vm->devices[i]);
	ret = vm->machine->reset(vm);
	spin_unlock(&vm->device_lock);
	if (ret)
		log_error("VM %s: the %s machine could not reset (%d)", vm->name,
			  vm->machine->name, ret);
	return ret;
}

const struct bootfs_file *vm_archive_file(struct vm *vm, const char *key, const char *path)
{
	const struct bootfs_file *f;

	if (!path[0])
		return NULL;
	f = bootfs_find(path);
	if (!f)
		log_error("VM %s: %s '%s' is not in the boot archive", vm->name, key, path);
	return f;
}

/* ---- devices ---- */

struct device *vm_device(struct vm *vm, const char *name)
{
	for (unsigned int i = 0; i < vm->device_count; i++)
		if (strcmp(vm->devices[i].name, name) == 0)
			return &vm->devices[i];
	return NULL;
}

size_t vm_boot_order(struct vm *vm, char *buf, size_t len)
{
	size_t used = 0;

	for (unsigned int i = 0; i < vm->config.boot_count; i++) {
		struct device *dev = vm_device(vm, vm->config.boot[i]);
		size_t n;

		if (!dev || !dev->cls->boot_path || used + 2 >= len) {
			log_error("VM %s: boot: no firmware path for '%s'", vm->name, vm->config.boot[i]);
			return 0;
		}
		n = dev->cls->boot_path(dev, buf + used, len - used - 1);
		if (!n) {
			log_error("VM %s: boot: no firmware path for '%s'", vm->name, vm->config.boot[i]);
			return 0;
		}
		used += n;
		buf[used++] = '\n';
	}
	if (!used)
		return 0;
	buf[used - 1] = '\0';            /* the last line ends the file */
	return used;
}

struct device *vm_device_of_class(struct vm *vm, const char *class_name)
{
	for (unsigned int i = 0; i < vm->device_count; i++)
		if (strcmp(vm->devices[i].cls->name, class_name) == 0)
			return &vm->devices[i];
	return NULL;
}

bool vm_devices_need_apb_clock(const struct vm *vm)
{
	for (unsigned int i = 0; i < vm->device_count; i++)
		if (vm->devices[i].cls->fdt_apb_clock)
			return true;
	return false;
}

void vm_devices_write_fdt(const struct vm *vm, struct fdt_writer *w,
			  const struct device_fdt_env *fe)
{
	for (unsigned int i = 0; i < vm->device_count; i++)
		device_write_fdt(&vm->devices[i], w, fe);
}

void vm_devices_write_aml(const struct vm *vm, struct aml_writer *a,
			  const struct device_acpi_env *ae)
{
	for (unsigned int i = 0; i < vm->device_count; i++)
		device_write_aml(&vm->devices[i], a, ae);
}

static void console_output(void *ctx, const uint8_t *buf, size_t len)
{
	vm_console_output(ctx, buf, len);
}

static void env_request_reset(void *ctx, const char *how)
{
	struct vm *vm = ctx;

	log_limited(&vm->reset_hows, LOG_INFO, "VM %s: reset through %s", vm->name, how);
	vm_request_reset(vm);
}

static void env_request_off(void *ctx, const char *how)
{
	struct vm *vm = ctx;

	log_info("VM %s: powered off through %s", vm->name, how);
	vm_request_off(vm);
}

/* Only instances already made: the VM makes them in order. */
static struct device *env_find_device(void *ctx, const char *name)
{
	struct device *dev = vm_device(ctx, name);

	return dev && dev->state ? dev : NULL;
}

static const void *env_file(void *ctx, const char *path, size_t *size)
{
	const struct bootfs_file *f = bootfs_find(path);

	(void)ctx;
	if (!f)
		return NULL;
	*size = f->size;
	return f->data;
}

/* What the VM core gives every device; build() adds the interrupt inputs. */
/* 2024-01-01 00:00:00 UTC: for a machine without a real-time clock to read. */
#define VM_FALLBACK_WALL_CLOCK 1704067200ULL

/* Where the VM's real-time clock starts: its rtc = setting, else the host's time. */
static uint64_t vm_wall_clock_start(const struct vm *vm)
{
	uint64_t now;

	if (vm->config.rtc_start)
		return vm->config.rtc_start;
	if (wall_clock_now(&now))
		return now;
	log_warn("VM %s: the machine has no real-time clock to read; the VM's clock starts at "
		 "2024-01-01 00:00:00 UTC", vm->name);
	return VM_FALLBACK_WALL_CLOCK;
}

static void init_device_env(struct vm *vm)
{
	vm->console_out = (struct chardev){ .write = console_output, .ctx = vm };
	vm->device_env = (struct device_env){
		.bus = vm->bus,
		.mem = &vm->mem,
		.clock = &vm->clock,
		.console = &vm->console_out,
		.vm_name = vm->name,
		.wall_clock_start = vm_wall_clock_start(vm),
		.vm = vm,
		.request_reset = env_request_reset,
		.request_off = env_request_off,
		.file = env_file,
		.find_device = env_find_device,
		.device_lock = &vm->device_lock,
	};
}

/* Where the .vm file added an instance, for messages. */
static void device_origin(const struct vm *vm, const struct device *dev, char *buf, size_t size)
{
	if (dev->line)
		snprintf(buf, size, "%s:%u", vm->config.source, dev->line);
	else
		snprintf(buf, size, "the %s machine", vm->machine->name);
}

/* MMIO ranges of devices must not hide in RAM: accesses there never trap. */
static int check_device_ranges(struct vm *vm, const struct device *dev)
{
	char origin[VM_PATH_MAX + 16];

	for (unsigned int i = 0; i < dev->cls->range_count; i++) {
		uint64_t base = dev->base[i], end = base + dev->cls->ranges[i].size;

		if (dev->cls->ranges[i].space != BUS_SPACE_MMIO)
			continue;
		for (unsigned int r = 0; r < vm->ram_count; r++) {
			if (base < vm->ram[r].gpa + vm->ram[r].size && vm->ram[r].gpa < end) {
				device_origin(vm, dev, origin, sizeof(origin));
				log_error("%s: device %s at 0x%llx..0x%llx overlaps the VM's RAM "
					  "(0x%llx..0x%llx)", origin, dev->name,
					  (unsigned long long)base, (unsigned long long)end - 1,
					  (unsigned long long)vm->ram[r].gpa,
					  (unsigned long long)(vm->ram[r].gpa + vm->ram[r].size - 1));
				return -EINVAL;
			}
		}
	}
	for (unsigned int i = 0; i < dev->cls->irq_count; i++) {
		for (const struct device *o = vm->devices; o < dev; o++) {
			for (unsigned int j = 0; j < o->cls->irq_count; j++) {
				if (o->irq[j] != dev->irq[i])
					continue;
				device_origin(vm, dev, origin, sizeof(origin));
				log_error("%s: device %s: irq %u is taken by %s", origin, dev->name,
					  dev->irq[i], o->name);
				return -EBUSY;
			}
		}
	}
	return 0;
}

static int create_devices(struct vm *vm)
{
	char origin[VM_PATH_MAX + 16];

	for (unsigned int i = 0; i < vm->device_count; i++) {
		struct device *dev = &vm->devices[i];
		int ret = check_device_ranges(vm, dev);

		if (!ret)
			ret = device_create(dev, &vm->device_env);
		if (ret) {
			device_origin(vm, dev, origin, sizeof(origin));
			log_error("%s: device %s (%s) could not be created (%d)", origin, dev->name,
				  dev->cls->name, ret);
			return ret;
		}
	}
	if (vm->machine->console) {
		vm->console_device = vm_device(vm, vm->machine->console);
		if (vm->console_device && !vm->console_device->cls->console_input)
			vm->console_device = NULL;
	}
	return 0;
}

static void destroy_devices(struct vm *vm)
{
	for (unsigned int i = vm->device_count; i-- > 0;)
		device_destroy(&vm->devices[i]);
}

/* ---- creating ---- */

/* Physical CPU of vCPU index: the configured affinity, else the next free CPU. */
static int place_vcpu(struct vm *vm, unsigned int index)
{
	const struct vm_config *c = &vm->config;

	if (c->cpu_affinity_count) {
		unsigned int cpu = c->cpu_affinity[index % c->cpu_affinity_count];

		if (cpu >= cpu_possible_count() || !percpu_get(cpu)->online) {
			log_error("%s: cpu-affinity names CPU %u, which is not online (%u online)",
				  c->source, cpu, cpu_online_count());
			return -ENODEV;
		}
		if (cpu_taken[cpu]) {
			log_error("%s: vCPU %u cannot run on CPU %u: it already runs another vCPU "
				  "(one vCPU per CPU)", c->source, index, cpu);
			return -EBUSY;
		}
		return (int)cpu;
	}
	for (unsigned int cpu = 0; cpu < cpu_possible_count(); cpu++)
		if (!cpu_taken[cpu] && percpu_get(cpu)->online)
			return (int)cpu;
	log_error("%s: no free CPU for vCPU %u: every one of the %u online CPUs already runs "
		  "a vCPU (one vCPU per CPU)", c->source, index, cpu_online_count());
	return -EBUSY;
}

static void release_cpus(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		if (vm->vcpus[i].cpu < MAX_CPUS)
			cpu_taken[vm->vcpus[i].cpu] = false;
}

struct vm *vm_create(const struct vm_config *config)
{
	const struct machine_ops *machine = config->machine[0]
		? machine_find(arch_name(), config->machine) : machine_default(arch_name());
	struct vm *vm;

	if (!machine) {
		log_error("VM %s: no machine '%s' for %s is built into this image", config->name,
			  config->machine, arch_name());
		return NULL;
	}
	if (all_vm_count == VM_MAX_VMS) {
		log_error("VM %s: at most %u VMs", config->name, VM_MAX_VMS);
		return NULL;
	}
	vm = kzalloc(sizeof(*vm));
	if (!vm) {
		log_error("VM %s: out of memory", config->name);
		return NULL;
	}
	vm->config = *config;
	vm->name = vm->config.name;
	vm->console_index = -1;
	vm->machine = machine;
	vm->device_lock = (spinlock_t)SPINLOCK_INIT;
	guest_mem_init(&vm->mem);
	vclock_init(&vm->clock, vm_clock_now, NULL);
	vm->gs = gspace_create();
	vm->bus = bus_create(vm->name);
	if (!vm->gs || !vm->bus) {
		log_error("VM %s: out of memory for its address space or bus", vm->name);
		goto fail;
	}
	vm->devices = vm->config.devices;
	vm->device_count = vm->config.device_count;
	init_device_env(vm);
	for (unsigned int i = 0; i < config->cpus && i < VM_MAX_VCPUS; i++) {
		struct vm_vcpu *vc = &vm->vcpus[i];
		int cpu = place_vcpu(vm, i);

		vc->vm = vm;
		vc->index = i;
		vc->cpu = MAX_CPUS;
		if (cpu < 0)
			goto fail;
		vc->vcpu = vcpu_create(vm->gs, i);
		if (!vc->vcpu) {
			log_error("VM %s: cannot create vCPU %u", vm->name, i);
			goto fail;
		}
		vcpu_set_io_ops(vc->vcpu, &vm_vcpu_io_ops, vc);
		vc->cpu = (unsigned int)cpu;
		cpu_taken[cpu] = true;
		vm->vcpu_count = i + 1;
	}
	if (machine->build(vm) != 0 || create_devices(vm) != 0)
		goto fail;
	if (machine->devices_ready && machine->devices_ready(vm) != 0)
		goto fail;
	/* page_alloc() gave zeroed RAM: no need to clear it a second time. */
	if (vm_reset_board(vm, false) != 0)
		goto fail;
	vm->console_index = vm_console_attach(vm);
	all_vms[all_vm_count++] = vm;
	return vm;
fail:
	vm_destroy(vm);
	return NULL;
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	destroy_devices(vm);
	if (vm->machine && vm->machine->destroy)
		vm->machine->destroy(vm);
	release_cpus(vm);
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		if (vm->vcpus[i].vcpu)
			vcpu_destroy(vm->vcpus[i].vcpu);
	for (unsigned int i = 0; i < vm->ram_count; i++)
		page_free(vm->ram[i].host, vm->ram[i].size / PAGE_SIZE);
	if (vm->bus)
		bus_destroy(vm->bus);
	if (vm->gs)
		gspace_destroy(vm->gs);
	kfree(vm);
}

/* ---- starting ---- */

static void run_on_this_cpu(void *arg)
{
	vm_run_vcpu(arg);
}

int vm_start(struct vm *vm)
{
	unsigned int self = this_cpu()->id;

	vm->started_ns = arch_timer_ns();
	vm->loops_running = vm->vcpu_count;
	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		struct vm_vcpu *vc = &vm->vcpus[i];
		int ret;

		log_info("VM %s: vCPU %u on CPU %u", vm->name, i, vc->cpu);
		if (vc->cpu == self)
			continue;
		ret = smp_call_async(vc->cpu, run_on_this_cpu, vc);
		if (ret) {
			vm_fail(vm, "CPU %u cannot run vCPU %u (%d)", vc->cpu, i, ret);
			if (__atomic_sub_fetch(&vm->loops_running, 1, __ATOMIC_ACQ_REL) == 0)
				vm_ended(vm);
		}
	}
	return 0;
}

void vm_run_here(struct vm **vms, unsigned int count)
{
	unsigned int self = this_cpu()->id;
	bool running;

	for (unsigned int v = 0; v < count; v++)
		for (unsigned int i = 0; i < vms[v]->vcpu_count; i++)
			if (vms[v]->vcpus[i].cpu == self)
				vm_run_vcpu(&vms[v]->vcpus[i]);
	do {
		running = false;
		for (unsigned int v = 0; v < count; v++)
			if (READ_ONCE(vms[v]->state) != VM_ENDED)
				running = true;
		vm_console_poll();
		/* Nothing to do here but the console: sleep between looks. */
		if (running)
			arch_cpu_idle(arch_timer_ns() + VM_IDLE_SLICE_NS);
	} while (running);
}

/* ---- statistics ---- */

struct device_table {
	unsigned int rows;
};

static void print_region(const struct bus_region *r, void *ctx)
{
	struct device_table *t = ctx;

	if (!r->reads && !r->writes && !r->rejected)
		return;
	printk("    %-20s %-4s 0x%-10llx %10llu %10llu %8llu\n", r->name,
	       r->space == BUS_SPACE_PIO ? "PIO" : "MMIO", (unsigned long long)r->base,
	       (unsigned long long)r->reads, (unsigned long long)r->writes,
	       (unsigned long long)r->rejected);
	t->rows++;
}

void vm_print_statistics(struct vm *vm)
{
	uint64_t total_all = 0;
	struct device_table t = { 0 };

	printk("  exits by reason     ");
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		printk(" %9s%-2u", "vCPU", i);
	printk(" %11s\n", "total");
	for (unsigned int r = VCPU_EXIT_NONE + 1; r < VCPU_EXIT_REASON_COUNT; r++) {
		uint64_t total = 0;

		for (unsigned int i = 0; i < vm->vcpu_count; i++)
			total += vcpu_exit_count(vm->vcpus[i].vcpu, r);
		if (!total)
			continue;
		printk("    %-18s", vcpu_exit_reason_name(r));
		for (unsigned int i = 0; i < vm->vcpu_count; i++)
			printk(" %11llu", (unsigned long long)vcpu_exit_count(vm->vcpus[i].vcpu, r));
		printk(" %11llu\n", (unsigned long long)total);
		total_all += total;
	}
	printk("    %-18s", "all");
	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		uint64_t n = 0;

		for (unsigned int r = VCPU_EXIT_NONE + 1; r < VCPU_EXIT_REASON_COUNT; r++)
			n += vcpu_exit_count(vm->vcpus[i].vcpu, r);
		printk(" %11llu", (unsigned long long)n);
	}
	printk(" %11llu\n", (unsigned long long)total_all);
	printk("    %-18s", "time in WFI (ms)");
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		printk(" %11llu", (unsigned long long)(vm->vcpus[i].wfi_ns / 1000000));
	printk("\n");
	printk("  accesses by device       space base            reads     writes rejected\n");
	bus_for_each_region(vm->bus, BUS_SPACE_MMIO, print_region, &t);
	bus_for_each_region(vm->bus, BUS_SPACE_PIO, print_region, &t);
	if (bus_unassigned_count(vm->bus, BUS_SPACE_MMIO) ||
	    bus_unassigned_count(vm->bus, BUS_SPACE_PIO))
		printk("    %-20s %10llu MMIO, %llu PIO\n", "(unassigned)",
		       (unsigned long long)bus_unassigned_count(vm->bus, BUS_SPACE_MMIO),
		       (unsigned long long)bus_unassigned_count(vm->bus, BUS_SPACE_PIO));
	else if (!t.rows)
		printk("    (none)\n");
}

/* The last vCPU run loop of a stopping VM to leave calls this. */
void vm_ended(struct vm *vm)
{
	uint64_t ms = (arch_timer_ns() - vm->started_ns) / 1000000;

	printk("VM %s: %s after %llu.%03llu s", vm->name, vm->stop_reason,
	       (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
	if (vm->resets)
		printk(" (%u reset%s)", vm->resets, vm->resets == 1 ? "" : "s");
	printk("\n");
	printk("VM %s: hypervisor memory at the end: %zu free pages, %zu heap bytes free\n",
	       vm->name, mm_free_pages(), mm_heap_free_bytes());
	vm_print_statistics(vm);
	vm_console_ended(vm);
	__atomic_store_n(&vm->state, VM_ENDED, __ATOMIC_RELEASE);
}
