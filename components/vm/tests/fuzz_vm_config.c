/* SPDX-License-Identifier: MIT */
/*
 * The VM configuration parser on arbitrary bytes, as a hostile boot
 * archive could hand it.  The input is copied into a heap buffer of
 * exactly its size, so reading one byte past the end is caught.  A
 * successful parse must give a configuration within every limit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vm/config.h>

#include "test_machines.h"

static bool some_files_exist(const char *name)
{
	return strncmp(name, "guests/", 7) == 0;
}

static void check_strings(const struct vm_config *c)
{
	if (!memchr(c->name, 0, sizeof(c->name)) || !memchr(c->kernel, 0, sizeof(c->kernel)) ||
	    !memchr(c->initrd, 0, sizeof(c->initrd)) || !memchr(c->cmdline, 0, sizeof(c->cmdline)) ||
	    !memchr(c->firmware, 0, sizeof(c->firmware)) ||
	    !memchr(c->firmware_vars, 0, sizeof(c->firmware_vars)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vm_config config;
	uint8_t *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);
	if (vm_config_parse(&config, TEST_ARCH, "vms/fuzz.vm", copy, size, some_files_exist) == 0) {
		check_strings(&config);
		if (config.name[0] == '\0' || config.cpus < 1 || config.cpus > CONFIG_MAX_CPUS ||
		    config.memory < VM_MEMORY_MIN || config.memory > VM_MEMORY_MAX ||
		    config.memory % VM_MEMORY_ALIGN != 0 ||
		    (config.kernel[0] == '\0' && config.firmware[0] == '\0') ||
		    config.device_count > VM_DEVICES_MAX ||
		    config.cpu_affinity_count > CONFIG_MAX_CPUS)
			abort();
		/* Every instance complete: a class, a name, every range placed. */
		for (unsigned int i = 0; i < config.device_count; i++) {
			const struct device *d = &config.devices[i];

			if (!d->cls || !d->name[0] || d->irq_set != d->cls->irq_count)
				abort();
			for (unsigned int r = 0; r < d->cls->range_count; r++)
				if (!d->base_set[r])
					abort();
		}
		for (unsigned int i = 0; i < config.cpu_affinity_count; i++) {
			if (config.cpu_affinity[i] >= CONFIG_MAX_CPUS)
				abort();
		}
	}
	free(copy);
	return 0;
}
