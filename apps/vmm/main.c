/* SPDX-License-Identifier: MIT */
/*
 * The VMM application: what the image does once the machine is up.
 *
 *   1. the banner: version, architecture, components, the machines and
 *      device classes they brought, CPUs, memory and the boot archive;
 *   2. hardware virtualization: probe on the boot CPU, then enable it on
 *      every CPU (each runs hwvirt_enable_cpu() itself via smp_call());
 *   3. the VMs: every vms/<name>.vm file of the boot archive is read (a bad one
 *      is reported as file:line and skipped), each good one is built and
 *      started, CPU 0 hands itself over to the vCPU placed on it, and when
 *      the last VM has ended the machine powers off.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <core/app.h>
#include <core/arch.h>
#include <core/bootfs.h>
#include <core/bootinfo.h>
#include <core/component.h>
#include <core/log.h>
#include <core/mm.h>
#include <core/percpu.h>
#include <core/smp.h>
#include <core/wallclock.h>
#include <lib/civil_time.h>
#include <vcpu/hwvirt.h>
#include <vm/config.h>
#include <vm/machine.h>
#include <vm/vm.h>
#ifdef CONFIG_HOSTDISK
#include <hostdisk/hostdisk.h>
#endif

/*
 * The host disk (docs/persistence.md): VM configurations may name its
 * partitions, and what the VMs wrote is flushed to it before power-off.
 */
static void hostdisk_wire(void)
{
#ifdef CONFIG_HOSTDISK
	vm_config_set_host_storage(hostdisk_exists);
#endif
}

__attribute__((noreturn)) static void power_off(void)
{
#ifdef CONFIG_HOSTDISK
	hostdisk_shutdown();
#endif
	arch_poweroff();
}

static void print_banner(void)
{
	const struct boot_info *bi = bootinfo();
	uint64_t ram = 0, now;
	unsigned int n = 0;
	char line[200], when[24];

	for (unsigned int i = 0; i < bi->mem_count; i++)
		if (bi->mem[i].type == MEM_RAM)
			ram += bi->mem[i].size;

	printk("\n");
	printk("Tessera %s (%s)\n", TESSERA_VERSION, arch_name());
	printk("  Loaded by:    %s\n", bi->loader ? bi->loader : "unknown");
	printk("  Command line: %s\n", bi->cmdline && bi->cmdline[0] ? bi->cmdline : "(none)");
	printk("  CPUs:         %u online of %u\n", cpu_online_count(), cpu_possible_count());
	printk("  Memory:       %llu MiB RAM, %llu MiB free for guests and the hypervisor\n",
	       (unsigned long long)(ram >> 20),
	       (unsigned long long)((mm_free_pages() * PAGE_SIZE) >> 20));
	for_each_component(c)
		n++;
	printk("  Components:   %u\n", n);
	for_each_component(c)
		printk("    %-12s %-8s %s\n", c->name, c->version, c->description);
	machine_names(arch_name(), line, sizeof(line));
	printk("  Machines:     %s (default %s)\n", line[0] ? line : "none",
	       machine_default(arch_name()) ? machine_default(arch_name())->name : "none");
	device_class_names(line, sizeof(line));
	printk("  Devices:      %s\n", line[0] ? line : "none");
	/* Read once at boot: the VMs' real-time clocks start from it. */
	if (wall_clock_now(&now)) {
		civil_format(now, when, sizeof(when));
		printk("  Wall clock:   %s UTC (the machine's real-time clock)\n", when);
	} else {
		printk("  Wall clock:   none (no real-time clock found; VMs start at 2024-01-01)\n");
	}
#ifdef CONFIG_HOSTDISK
	hostdisk_print();
#endif
	printk("  Boot archive: %u file%s\n", bootfs_count(), bootfs_count() == 1 ? "" : "s");
	for (unsigned int i = 0; i < bootfs_count(); i++) {
		const struct bootfs_file *f = bootfs_get(i);
		printk("    %-40s %zu bytes\n", f->name, f->size);
	}
	printk("\n");
}

struct enable_result {
	int status;
	char desc[160];
};

static void enable_on_this_cpu(void *arg)
{
	struct enable_result *r = arg;

	r->status = hwvirt_enable_cpu(r->desc, sizeof(r->desc));
}

/* Turns virtualization on on every online CPU; returns how many succeeded. */
static unsigned int enable_on_all_cpus(void)
{
	unsigned int ok = 0;

	for_each_possible_cpu(cpu) {
		struct enable_result r = { .status = -ENODEV, .desc = "not online" };

		if (cpu->online && smp_call(cpu->id, enable_on_this_cpu, &r) != 0)
			snprintf(r.desc, sizeof(r.desc), "did not answer");
		if (r.status == 0)
			ok++;
		printk("  CPU%u: %s%s\n", cpu->id, r.status == 0 ? "" : "FAILED: ", r.desc);
	}
	return ok;
}

static struct vm_config configs[VM_MAX_VMS];

/* The last words when every VM has ended: how many a guest error stopped. */
static void report_end(struct vm **vms, unsigned int count)
{
	unsigned int failed = 0;

	for (unsigned int i = 0; i < count; i++)
		if (strncmp(vms[i]->stop_reason, "stopped", 7) == 0)
			failed++;
	if (!failed)
		printk("All VMs have ended; Tessera powering off.\n");
	else if (count == 1)
		printk("All VMs have ended: VM %s stopped after a guest error (see above); Tessera "
		       "powering off.\n", vms[0]->name);
	else
		printk("All VMs have ended, %u of the %u after a guest error (see above); Tessera "
		       "powering off.\n", failed, count);
}

/* VM configurations in the boot archive (vms/<name>.vm), before any is read. */
static unsigned int vm_files(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < bootfs_count(); i++) {
		const char *name = bootfs_get(i)->name;
		size_t len = strlen(name);

		if (strncmp(name, "vms/", 4) == 0 && len > 7 && strcmp(name + len - 3, ".vm") == 0)
			n++;
	}
	return n;
}

/* No VM can run here: say so and power the machine off, rather than halt at a dead console. */
static void no_vm_can_start(const char *why)
{
	unsigned int n = vm_files();

	if (!n)
		return;                 /* nothing to run anyway: the caller decides */
	if (n == 1)
		printk("The VM configuration could not be started: %s; Tessera powering off.\n", why);
	else
		printk("None of the %u VM configurations could be started: %s; Tessera powering "
		       "off.\n", n, why);
	arch_poweroff();
}

/* Builds and starts the VMs of the boot archive; returns when all have ended. */
static int run_vms(void)
{
	struct vm *vms[VM_MAX_VMS];
	unsigned int skipped = 0, found, started = 0;

	hostdisk_wire();
	found = vm_config_load_archive(configs, VM_MAX_VMS, &skipped);
	if (!found && !skipped) {
		printk("No guest VMs are configured yet; nothing to run.\n");
		return 0;
	}
	for (unsigned int i = 0; i < found; i++) {
		struct vm *vm = vm_create(&configs[i]);

		if (!vm) {
			log_error("VM %s: not started (see above)", configs[i].name);
			continue;
		}
		vms[started++] = vm;
	}
	if (!started) {
		if (found + skipped == 1)
			printk("The VM configuration could not be started (see above); Tessera "
			       "powering off.\n");
		else
			printk("None of the %u VM configurations could be started (see above); "
			       "Tessera powering off.\n", found + skipped);
		power_off();
	}
	vm_console_list();
	for (unsigned int i = 0; i < started; i++) {
		printk("VM %s: starting (%s machine, %u vCPU%s, %llu MiB)\n", vms[i]->name,
		       vms[i]->machine->name, vms[i]->vcpu_count, vms[i]->vcpu_count == 1 ? "" : "s",
		       (unsigned long long)(vms[i]->config.memory >> 20));
		vm_start(vms[i]);
	}
	/* CPU 0 runs its own vCPU, if one was placed on it, and waits for the rest. */
	vm_run_here(vms, started);
	report_end(vms, started);
	power_off();
}

int app_main(void)
{
	char info[256];
	unsigned int ok;

	print_banner();

	if (hwvirt_probe(info, sizeof(info)) != 0) {
		printk("%s\n", info);
		no_vm_can_start("this machine has no hardware virtualization (see above)");
		return 1;
	}
	printk("Hardware virtualization: %s\n", info);
	ok = enable_on_all_cpus();
	printk("Hardware virtualization enabled on %u of %u CPUs.\n", ok, cpu_possible_count());
	if (ok != cpu_possible_count()) {
		no_vm_can_start("hardware virtualization could not be enabled on every CPU");
		return 1;
	}
	return run_vms();
}
