/* SPDX-License-Identifier: MIT */
/*
 * What the device tree says about the machine: RAM, reserved ranges,
 * CPUs, the command line and boot archive (/chosen), and the devices the
 * hardware layer itself drives (PL011, GIC, timer, PSCI).
 */
#include "aarch64_internal.h"

#include <errno.h>

#include <aarch64/sysreg.h>
#include <core/compiler.h>
#include <core/init.h>
#include <core/log.h>
#include <string.h>

struct aarch64_platform aarch64_platform_info;

const struct aarch64_platform *aarch64_platform(void)
{
	return &aarch64_platform_info;
}

static int find_enabled_compatible(const struct fdt *fdt, const char *compat)
{
	int node = -1;

	for (;;) {
		node = fdt_find_compatible(fdt, node, compat);
		if (node < 0 || fdt_is_enabled(fdt, node))
			return node;
	}
}

/* /chosen/stdout-path: a path or an alias, optionally ":115200n8". */
static int stdout_node(const struct fdt *fdt)
{
	char path[128];
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *value;
	size_t len = 0;

	if (chosen < 0)
		return -1;
	value = fdt_getprop_string(fdt, chosen, "stdout-path");
	if (!value)
		value = fdt_getprop_string(fdt, chosen, "linux,stdout-path");
	if (!value)
		return -1;
	while (value[len] && value[len] != ':' && len < sizeof(path) - 1) {
		path[len] = value[len];
		len++;
	}
	path[len] = '\0';
	if (path[0] != '/') {
		int aliases = fdt_path_offset(fdt, "/aliases");
		const char *target = aliases >= 0 ? fdt_getprop_string(fdt, aliases, path) : NULL;
		if (!target)
			return -1;
		return fdt_path_offset(fdt, target);
	}
	return fdt_path_offset(fdt, path);
}

static void scan_uart(const struct fdt *fdt, struct aarch64_platform *plat)
{
	int node = stdout_node(fdt);

	if (node < 0 || !fdt_is_compatible(fdt, node, "arm,pl011"))
		node = find_enabled_compatible(fdt, "arm,pl011");
	if (node < 0 || fdt_get_reg(fdt, node, 0, &plat->uart_base, &plat->uart_size) < 0)
		plat->uart_base = plat->uart_size = 0;
}

static void scan_gic(const struct fdt *fdt, struct aarch64_gic *gic)
{
	static const char *const gicv2_compatibles[] = {
		"arm,cortex-a15-gic", "arm,gic-400", "arm,cortex-a9-gic", "arm,cortex-a7-gic",
	};
	int node = find_enabled_compatible(fdt, "arm,gic-v3");

	memset(gic, 0, sizeof(*gic));
	if (node >= 0) {
		uint64_t regions = 1;

		gic->version = 3;
		gic->compatible = "arm,gic-v3";
		fdt_getprop_u64(fdt, node, "#redistributor-regions", &regions);
		if (fdt_get_reg(fdt, node, 0, &gic->dist_base, &gic->dist_size) < 0)
			gic->version = 0;
		for (unsigned int i = 0; i < regions && i < GIC_MAX_REDIST_REGIONS; i++) {
			if (fdt_get_reg(fdt, node, 1 + i, &gic->redist_base[i],
					&gic->redist_size[i]) < 0)
				break;
			gic->redist_count++;
		}
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(gicv2_compatibles); i++) {
		node = find_enabled_compatible(fdt, gicv2_compatibles[i]);
		if (node < 0)
			continue;
		gic->version = 2;
		gic->compatible = gicv2_compatibles[i];
		if (fdt_get_reg(fdt, node, 0, &gic->dist_base, &gic->dist_size) < 0 ||
		    fdt_get_reg(fdt, node, 1, &gic->cpu_base, &gic->cpu_size) < 0)
			gic->version = 0;
		return;
	}
}

static void scan_psci(const struct fdt *fdt, struct aarch64_platform *plat)
{
	static const char *const compatibles[] = { "arm,psci-1.0", "arm,psci-0.2" };
	const char *method;
	int node = -1;

	plat->psci = PSCI_CONDUIT_NONE;
	/* Version 0.1 numbers its functions per platform; only 0.2+ is used. */
	for (size_t i = 0; i < ARRAY_SIZE(compatibles) && node < 0; i++)
		node = find_enabled_compatible(fdt, compatibles[i]);
	if (node < 0)
		return;
	method = fdt_getprop_string(fdt, node, "method");
	if (method && strcmp(method, "smc") == 0)
		plat->psci = PSCI_CONDUIT_SMC;
	else if (method && strcmp(method, "hvc") == 0)
		plat->psci = PSCI_CONDUIT_HVC;
}

static void scan_timer(const struct fdt *fdt, struct aarch64_platform *plat)
{
	int node = find_enabled_compatible(fdt, "arm,armv8-timer");
	uint32_t len;
	const uint8_t *irqs;

	if (node < 0)
		node = find_enabled_compatible(fdt, "arm,armv7-timer");
	plat->timer_found = node >= 0;
	if (node < 0)
		return;
	fdt_getprop_u64(fdt, node, "clock-frequency", &plat->timer_dtb_frequency);
	/* interrupts: secure, non-secure, virtual, hypervisor (3 cells each). */
	irqs = fdt_getprop(fdt, node, "interrupts", &len);
	if (irqs && len >= 4 * 12)
		plat->timer_hyp_ppi = fdt_be32(irqs + 3 * 12 + 4) + 16;
}

/* The machine's PL031, whose counter is the wall clock (QEMU's virt: 0x09010000). */
static void scan_rtc(const struct fdt *fdt, struct aarch64_platform *plat)
{
	int node = find_enabled_compatible(fdt, "arm,pl031");
	uint64_t size;

	if (node < 0 || fdt_get_reg(fdt, node, 0, &plat->rtc_base, &size) < 0)
		plat->rtc_base = 0;
}

/* RTCDR, offset 0: seconds since 1970 as QEMU and firmware set it (UTC). */
int arch_read_wall_clock(uint64_t *seconds)
{
	const struct aarch64_platform *plat = aarch64_platform();

	if (!plat || !plat->rtc_base)
		return -ENODEV;
	*seconds = *(const volatile uint32_t *)(uintptr_t)plat->rtc_base;
	return 0;
}

void platform_scan(const struct fdt *fdt, struct aarch64_platform *plat)
{
	int root = fdt_root(fdt);
	const char *model = fdt_getprop_string(fdt, root, "model");

	plat->dtb = fdt->blob;
	plat->model = model ? model : "";
	scan_uart(fdt, plat);
	scan_gic(fdt, &plat->gic);
	scan_psci(fdt, plat);
	scan_timer(fdt, plat);
	scan_rtc(fdt, plat);
}

static void add_memory(struct boot_info *bi, uint64_t base, uint64_t size)
{
	if (size == 0 || base + size < base || bi->mem_count >= BOOT_MAX_MEM_REGIONS)
		return;
	bi->mem[bi->mem_count].base = base;
	bi->mem[bi->mem_count].size = size;
	bi->mem[bi->mem_count].type = MEM_RAM;
	bi->mem_count++;
}

static void fill_memory(const struct fdt *fdt, struct boot_info *bi)
{
	int depth = 0;
	int node = fdt_root(fdt);

	while ((node = fdt_next_node(fdt, node, &depth)) >= 0) {
		const char *type = fdt_getprop_string(fdt, node, "device_type");
		uint64_t base, size;

		if (depth != 1 || !type || strcmp(type, "memory") != 0 ||
		    !fdt_is_enabled(fdt, node))
			continue;
		for (unsigned int i = 0; fdt_get_reg(fdt, node, i, &base, &size) == 0; i++)
			add_memory(bi, base, size);
	}
}

static void fill_reserved(const struct fdt *fdt, struct boot_info *bi)
{
	uint64_t base, size;
	int node;

	bootinfo_reserve(bi, (uintptr_t)__image_start,
			 (uintptr_t)__image_end - (uintptr_t)__image_start);
	bootinfo_reserve(bi, (uintptr_t)fdt->blob, fdt->total_size);
	for (unsigned int i = 0; fdt_get_reserved(fdt, i, &base, &size) == 0; i++)
		bootinfo_reserve(bi, base, size);
	node = fdt_path_offset(fdt, "/reserved-memory");
	for (int child = node >= 0 ? fdt_first_child(fdt, node) : -1; child >= 0;
	     child = fdt_next_sibling(fdt, child))
		for (unsigned int i = 0; fdt_get_reg(fdt, child, i, &base, &size) == 0; i++)
			bootinfo_reserve(bi, base, size);
}

static void fill_chosen(const struct fdt *fdt, struct boot_info *bi)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *bootargs = NULL;
	uint64_t start, end;

	if (chosen >= 0)
		bootargs = fdt_getprop_string(fdt, chosen, "bootargs");
	bi->cmdline = bootargs ? bootargs : "";
	if (chosen >= 0 && fdt_getprop_u64(fdt, chosen, "linux,initrd-start", &start) &&
	    fdt_getprop_u64(fdt, chosen, "linux,initrd-end", &end) && end > start) {
		bi->archive = (const void *)(uintptr_t)start;
		bi->archive_size = end - start;
		bootinfo_reserve(bi, start, end - start);
	}
}

/* /cpus/cpu@N "reg" are MPIDR affinity values; the boot CPU goes first. */
static void fill_cpus(const struct fdt *fdt, struct boot_info *bi)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	uint64_t boot_mpidr = this_cpu_mpidr();
	unsigned int cells;

	bi->cpu_count = 1;
	bi->cpu_hw_id[0] = boot_mpidr;
	if (cpus < 0)
		return;
	cells = fdt_address_cells(fdt, cpus);
	for (int node = fdt_first_child(fdt, cpus); node >= 0; node = fdt_next_sibling(fdt, node)) {
		const char *type = fdt_getprop_string(fdt, node, "device_type");
		uint32_t len;
		const void *reg = fdt_getprop(fdt, node, "reg", &len);
		uint64_t mpidr;

		if (!type || strcmp(type, "cpu") != 0 || !fdt_is_enabled(fdt, node) ||
		    !reg || len < 4 * cells || !fdt_read_cells(reg, cells, &mpidr))
			continue;
		mpidr &= MPIDR_AFFINITY_MASK;
		if (mpidr == boot_mpidr)
			continue;
		if (bi->cpu_count >= MAX_CPUS) {
			aarch64_platform_info.cpus_left_out++;
			continue;
		}
		bi->cpu_hw_id[bi->cpu_count++] = mpidr;
	}
}

void platform_fill_bootinfo(const struct fdt *fdt, struct boot_info *bi)
{
	fill_memory(fdt, bi);
	fill_reserved(fdt, bi);
	fill_chosen(fdt, bi);
	fill_cpus(fdt, bi);
}

void platform_for_each_device(const struct fdt *fdt,
			      void (*fn)(uint64_t base, uint64_t size, void *ctx), void *ctx)
{
	int root = fdt_root(fdt);

	for (int node = fdt_first_child(fdt, root); node >= 0;
	     node = fdt_next_sibling(fdt, node)) {
		const char *type = fdt_getprop_string(fdt, node, "device_type");
		uint64_t base, size;

		if (type && strcmp(type, "memory") == 0)
			continue;
		for (unsigned int i = 0; fdt_get_reg(fdt, node, i, &base, &size) == 0; i++)
			if (size)
				fn(base, size, ctx);
	}
}

static const char *psci_conduit_name(enum psci_conduit conduit)
{
	switch (conduit) {
	case PSCI_CONDUIT_SMC: return "smc";
	case PSCI_CONDUIT_HVC: return "hvc";
	default:               return "none";
	}
}

static int aarch64_report_platform(void)
{
	const struct aarch64_platform *plat = &aarch64_platform_info;

	log_info("aarch64: %s, entered at EL2%s, MPIDR 0x%llx, image at %p, DTB at %p",
		 plat->model[0] ? plat->model : "machine without a model name",
		 aarch64_entered_from_el3() ? " (dropped from EL3)" : "",
		 (unsigned long long)this_cpu_mpidr(), (void *)__image_start, plat->dtb);
	log_info("aarch64: console PL011 at 0x%llx, timer %llu Hz (EL2 timer PPI %u), PSCI %s",
		 (unsigned long long)plat->uart_base, (unsigned long long)timer_frequency(),
		 plat->timer_hyp_ppi, psci_conduit_name(plat->psci));
	log_info("aarch64: %s", aarch64_gic_describe());
	if (plat->psci == PSCI_CONDUIT_HVC)
		log_warn("aarch64: the DTB asks for PSCI through HVC, which at EL2 would call "
			 "Tessera itself: secondary CPUs and power off are unavailable");
	log_debug("aarch64: the EL2 identity map uses %u of %u page-table pages",
		  mmu_table_pages_used(), CONFIG_AARCH64_PAGE_TABLE_PAGES);
	if (plat->cpus_left_out)
		log_warn("aarch64: the DTB lists %u more CPUs than CONFIG_MAX_CPUS (%u); they stay offline",
			 plat->cpus_left_out, (unsigned int)MAX_CPUS);
	if (!plat->timer_found)
		log_warn("aarch64: no arm,armv8-timer node in the DTB");
	return 0;
}
INIT_CALL(aarch64_report_platform, INIT_PLATFORM);
