/* SPDX-License-Identifier: MIT */
/*
 * VM configuration files: one small text file per VM in the boot archive
 * (vms/<anything>.vm), written by hand, the same format on every
 * architecture.  docs/vm-config.md is the reference for people writing
 * them; in short:
 *
 *     # comment
 *     name     = linux
 *     cpus     = 2
 *     memory   = 512M
 *     kernel   = guests/Image          # paths inside the boot archive
 *     cmdline  = "console=ttyAMA0 earlycon"
 *
 * The text comes from the boot archive and is not trusted: the parser
 * never reads outside the buffer it is given, accepts NUL bytes only to
 * reject them, and reports every problem as one line
 * "file:line: what is wrong" through log_error().
 */
#ifndef VM_CONFIG_H
#define VM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bus/device.h>

#define VM_NAME_MAX        32     /* bytes including the NUL              */
#define VM_PATH_MAX        128    /* archive paths, including the NUL     */
#define VM_CMDLINE_MAX     1024   /* guest command line, including NUL    */
#define VM_MACHINE_NAME_MAX 16    /* "virt", "pc", with the NUL            */
#define VM_DEVICES_MAX     24     /* the board's instances and the VM's    */
#define VM_BOOT_MAX        8      /* entries of boot =                     */

#define VM_MEMORY_MIN   (16ULL << 20)   /* smaller guests are mistakes       */
#define VM_MEMORY_ALIGN (2ULL << 20)    /* one stage-2 / EPT large page      */
#define VM_MEMORY_MAX   (255ULL << 30)  /* QEMU virt's RAM window on aarch64 */

struct vm_config {
	char source[VM_PATH_MAX];         /* the file it came from, for messages */
	char name[VM_NAME_MAX];           /* letters, digits, '-', '_'           */
	unsigned int name_line;           /* where it was set, for messages      */
	unsigned int cpus;                /* 1..CONFIG_MAX_CPUS, default 1       */
	uint64_t memory;                  /* bytes                               */
	char kernel[VM_PATH_MAX];         /* "" when absent                      */
	char initrd[VM_PATH_MAX];
	char cmdline[VM_CMDLINE_MAX];
	char firmware[VM_PATH_MAX];       /* firmware code (flash / BIOS image)  */
	char firmware_vars[VM_PATH_MAX];  /* variable store template, or
					   * "host:<partition>": kept there     */
	unsigned int firmware_vars_line;  /* where a host: store was named       */

	/* machine = ...: the board ("" before parsing ends: the default). */
	char machine[VM_MACHINE_NAME_MAX];
	unsigned int machine_line;

	/*
	 * The VM's device instances (<bus/device.h>): the machine's table,
	 * then every device, device-set and device-remove line in file
	 * order.  Complete and checked when parsing succeeded; dev->line is
	 * the line that added the instance (0: the machine's table).
	 */
	unsigned int device_count;
	struct device devices[VM_DEVICES_MAX];

	/* rtc = ...: the wall-clock time the VM's real-time clock starts at,
	 * seconds since 1970; 0: the host's time when the VM is created. */
	uint64_t rtc_start;

	/* ram-below-4g = <size>: at most this much RAM below 4 GiB, the rest
	 * above (machines that split RAM there: pc); 0: the machine's own
	 * split (QEMU's max-ram-below-4g). */
	uint64_t ram_below_4g;

	/* acpi = on|off: ACPI tables for the firmware (boards that have them). */
	bool acpi;

	/* boot = <instance> ...: the boot order, bootable instances by
	 * name (disk0 is the first disk line); firmware reads it from
	 * fw_cfg "bootorder".  boot_count 0: the firmware's own order. */
	unsigned int boot_count;
	unsigned int boot_line;
	char boot[VM_BOOT_MAX][DEVICE_NAME_MAX];

	/* cpu-affinity = ...: vCPU i runs on physical CPU
	 * cpu_affinity[i % cpu_affinity_count]; count 0 means "any". */
	unsigned int cpu_affinity_count;
	unsigned int cpu_affinity[CONFIG_MAX_CPUS];
};

/* Answers whether the boot archive holds a file of that name. */
typedef bool (*vm_file_exists_fn)(const char *name);

/*
 * Storage on the host disk (docs/persistence.md): a value "host:<name>"
 * of firmware-vars, disk or a device's file property names the GPT
 * partition <name> of the host disk instead of a file of the archive.
 */
#define VM_HOST_PREFIX "host:"

bool vm_config_is_host_path(const char *path);

/*
 * Answers whether the host disk has a partition of that name; if not,
 * writes the names it has ("a, b") or why there are none into names.
 */
typedef bool (*vm_host_storage_fn)(const char *name, char *names, size_t len);

/* Who answers for host: values (the host disk component); NULL: nobody,
 * and every host: value is an error. */
void vm_config_set_host_storage(vm_host_storage_fn fn);

/*
 * Parses one configuration file of size bytes (not NUL-terminated) into
 * *config, for a VM of architecture arch (its machines).  source names the
 * file in messages.  exists, if not NULL, is asked about every path
 * (kernel, initrd, firmware, firmware-vars, device FILE properties).
 * Every problem is logged as "source:line: sentence"; parsing goes on to
 * the end of the file so that all of them are reported at once.
 * Returns 0, or -EINVAL if there was any problem (*config is then
 * incomplete and must not be used).
 */
int vm_config_parse(struct vm_config *config, const char *arch, const char *source,
		    const void *text, size_t size, vm_file_exists_fn exists);

/* The instance of that name, or NULL. */
const struct device *vm_config_device(const struct vm_config *config, const char *name);

/*
 * Parses every vms/<name>.vm file of the boot archive (core/bootfs.h), in
 * archive order, and stores the good ones in configs[0..max).  A file
 * with errors, a second VM with a name already taken, and files beyond
 * max are reported and skipped; the others are unaffected.  *skipped (if
 * not NULL) receives how many were skipped.  Returns how many were
 * stored.
 */
unsigned int vm_config_load_archive(struct vm_config *configs, unsigned int max,
				    unsigned int *skipped);

#endif
