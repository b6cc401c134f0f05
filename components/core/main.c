/* SPDX-License-Identifier: MIT */
/* The generic boot sequence, from the architecture's hand-over to the end. */
#include <core/app.h>
#include <core/arch.h>
#include <core/bootinfo.h>
#include <core/cmdline.h>
#include <core/init.h>
#include <core/log.h>
#include <core/percpu.h>
#include <core/smp.h>
#include "core_internal.h"

static struct boot_info *kernel_boot_info;
static bool poweroff_at_exit;

static int cmdline_set_poweroff(const char *value)
{
	(void)value;
	poweroff_at_exit = true;
	return 0;
}
CMDLINE_OPTION("poweroff", cmdline_set_poweroff,
	       "flag: power the machine off when the application ends or on a fatal error");

bool kernel_poweroff_requested(void)
{
	return poweroff_at_exit;
}

const struct boot_info *bootinfo(void)
{
	return kernel_boot_info;
}

void kernel_main(struct boot_info *bi)
{
	int status;

	kernel_boot_info = bi;
	percpu_setup(bi);
	log_info("Tessera on %s, loaded by %s", arch_name(),
		 bi->loader && *bi->loader ? bi->loader : "an unknown loader");
	if (bi->cpu_count > MAX_CPUS)
		log_warn("%u CPUs present, using %u (CONFIG_MAX_CPUS)", bi->cpu_count,
			 (unsigned int)MAX_CPUS);

	kmem_init(bi);
	cmdline_apply(bi->cmdline);
	bootfs_init(bi->archive, bi->archive_size);
	init_run_all();

	arch_smp_boot();
	log_info("%u of %u CPUs online", cpu_online_count(), cpu_possible_count());

	status = app_main();
	kernel_exit(status);
}

void kernel_secondary_main(void)
{
	struct percpu *cpu = this_cpu();

	__atomic_store_n(&cpu->online, true, __ATOMIC_RELEASE);
	log_debug("online (hardware id %#llx)", (unsigned long long)cpu->hw_id);
	smp_secondary_loop();
}

void kernel_exit(int status)
{
	if (status != 0)
		log_warn("application ended with status %d", status);
	smp_stop_others();
	if (poweroff_at_exit) {
		printk("Tessera powering off.\n");
		arch_poweroff();
	}
	printk("Tessera halted.\n");
	arch_halt();
}

/* The image without an application still boots and says so. */
__attribute__((weak)) int app_main(void)
{
	log_info("no application is linked into this image");
	return 0;
}
