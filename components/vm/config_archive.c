/* SPDX-License-Identifier: MIT */
/*
 * Finding the VMs of the boot archive: every vms/<name>.vm file directly
 * in the vms/ folder is parsed, with the archive itself answering
 * whether the files it names exist.  One bad file costs only its own VM.
 */
#include <vm/config.h>

#include <core/arch.h>
#include <core/bootfs.h>
#include <core/log.h>
#include <string.h>

static bool archive_has_file(const char *name)
{
	return bootfs_find(name) != NULL;
}

/* "vms/<something>.vm", nothing deeper than vms/. */
static bool is_vm_file(const char *name)
{
	size_t len = strlen(name);

	return len > 7 && strncmp(name, "vms/", 4) == 0 &&
	       strcmp(name + len - 3, ".vm") == 0 && !strchr(name + 4, '/');
}

/* The i-th host: value of a configuration and its line; false past the last. */
static bool host_value(const struct vm_config *c, unsigned int i, const char **value,
		       unsigned int *line)
{
	unsigned int n = 0;

	if (vm_config_is_host_path(c->firmware_vars) && n++ == i) {
		*value = c->firmware_vars;
		*line = c->firmware_vars_line;
		return true;
	}
	for (unsigned int d = 0; d < c->device_count; d++) {
		const struct device *dev = &c->devices[d];

		for (unsigned int k = 0; k < dev->cls->prop_count; k++) {
			if (dev->cls->props[k].type != DEVICE_PROP_FILE ||
			    !vm_config_is_host_path(dev->value[k].text) || n++ != i)
				continue;
			*value = dev->value[k].text;
			*line = dev->line;
			return true;
		}
	}
	return false;
}

/*
 * A host disk partition belongs to one VM: a value that an earlier VM
 * (or this one, earlier in its file) already names is reported.
 */
static bool host_values_clash(const struct vm_config *configs, unsigned int stored,
			      const struct vm_config *c)
{
	const char *value, *other;
	unsigned int line, other_line;
	bool clash = false;

	for (unsigned int i = 0; host_value(c, i, &value, &line); i++) {
		for (unsigned int j = 0; j < i && host_value(c, j, &other, &other_line); j++) {
			if (strcmp(value, other) == 0) {
				log_error("%s:%u: %s is already used by this VM at line %u", c->source,
					  line, value, other_line);
				clash = true;
			}
		}
		for (unsigned int v = 0; v < stored; v++) {
			for (unsigned int j = 0; host_value(&configs[v], j, &other, &other_line); j++) {
				if (strcmp(value, other) != 0)
					continue;
				log_error("%s:%u: %s is used by VM '%s' (%s:%u); a partition belongs "
					  "to one VM at a time", c->source, line, value, configs[v].name,
					  configs[v].source, other_line);
				clash = true;
			}
		}
	}
	return clash;
}

static const struct vm_config *find_name(const struct vm_config *configs,
					 unsigned int count, const char *name)
{
	for (unsigned int i = 0; i < count; i++) {
		if (strcmp(configs[i].name, name) == 0)
			return &configs[i];
	}
	return NULL;
}

unsigned int vm_config_load_archive(struct vm_config *configs, unsigned int max,
				    unsigned int *skipped)
{
	unsigned int stored = 0, bad = 0;

	for (unsigned int i = 0; i < bootfs_count(); i++) {
		const struct bootfs_file *file = bootfs_get(i);
		struct vm_config *config = &configs[stored];
		const struct vm_config *other;

		if (!is_vm_file(file->name))
			continue;
		if (stored == max) {
			log_error("%s:1: too many VMs (at most %u); this one is skipped",
				  file->name, max);
			bad++;
			continue;
		}
		if (vm_config_parse(config, arch_name(), file->name, file->data, file->size,
				    archive_has_file) < 0) {
			log_warn("vm: %s is skipped (see the errors above)", file->name);
			bad++;
			continue;
		}
		if (host_values_clash(configs, stored, config)) {
			log_warn("vm: %s is skipped (see the errors above)", file->name);
			bad++;
			continue;
		}
		other = find_name(configs, stored, config->name);
		if (other) {
			log_error("%s:%u: name '%s' is already used by %s; this VM is skipped",
				  file->name, config->name_line, config->name, other->source);
			bad++;
			continue;
		}
		log_info("vm: %s: '%s', %s machine, %u vCPU%s, %lluM, %u device%s", file->name,
			 config->name, config->machine, config->cpus, config->cpus == 1 ? "" : "s",
			 (unsigned long long)(config->memory >> 20), config->device_count,
			 config->device_count == 1 ? "" : "s");
		stored++;
	}
	if (skipped)
		*skipped = bad;
	return stored;
}
