/* SPDX-License-Identifier: MIT */
/*
 * From head.S to kernel_main(): read the device tree, find the console,
 * describe the machine in struct boot_info, turn the MMU on, and hand over.
 */
#include "aarch64_internal.h"

#include <aarch64/sysreg.h>
#include <core/compiler.h>
#include <core/log.h>
#include <string.h>

_Static_assert(offsetof(struct percpu, stack_top) == PERCPU_STACK_TOP_OFFSET,
	       "head.S loads percpu.stack_top at PERCPU_STACK_TOP_OFFSET");
_Static_assert(offsetof(struct mmu_config, mair) == MMU_CONFIG_MAIR &&
	       offsetof(struct mmu_config, tcr) == MMU_CONFIG_TCR &&
	       offsetof(struct mmu_config, ttbr) == MMU_CONFIG_TTBR &&
	       offsetof(struct mmu_config, sctlr) == MMU_CONFIG_SCTLR,
	       "head.S reads struct mmu_config by these offsets");
_Static_assert(sizeof(struct exception_frame) == EXCEPTION_FRAME_SIZE,
	       "vectors.S builds struct exception_frame");

/* Linux limits the DTB to 2 MiB; allow more but not an unbounded read. */
#define DTB_MAX_SIZE (16u << 20)

extern char aarch64_boot_stack_top[];

static struct boot_info boot_info;
static bool entered_from_el3;

bool aarch64_entered_from_el3(void)
{
	return entered_from_el3;
}

static __attribute__((noreturn)) void park(void)
{
	for (;;)
		__asm__ volatile("msr daifset, #0xf\n\twfi");
}

/* Whether the space-separated command line has the bare word 'word'. */
static bool cmdline_has_word(const char *cmdline, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = cmdline; p && *p;) {
		while (*p == ' ')
			p++;
		const char *end = p;
		while (*end && *end != ' ')
			end++;
		if ((size_t)(end - p) == len && memcmp(p, word, len) == 0)
			return true;
		p = end;
	}
	return false;
}

/*
 * Entered at EL1 (MMU off, no console yet): find the UART in the DTB, say
 * what is wrong, and stop (powering off when the command line asks for it,
 * so that an automated run ends by itself).
 */
void aarch64_boot_wrong_el(const void *dtb, uint64_t el)
{
	struct fdt fdt;
	struct aarch64_platform *plat = &aarch64_platform_info;

	if (fdt_open(&fdt, dtb, DTB_MAX_SIZE, NULL) < 0)
		park();
	platform_scan(&fdt, plat);
	if (plat->uart_base)
		pl011_early_init(plat->uart_base);
	pl011_emergency_puts(el == 1 ?
		"Tessera must be entered at EL2 but was started at EL1: "
		"enable the virtualization extensions (QEMU: -M virt,virtualization=on) "
		"or boot it from firmware that keeps EL2.\n" :
		"Tessera must be entered at EL2 but was started at EL0.\n");

	int chosen = fdt_path_offset(&fdt, "/chosen");
	const char *bootargs = chosen >= 0 ? fdt_getprop_string(&fdt, chosen, "bootargs") : NULL;
	if (bootargs && cmdline_has_word(bootargs, "poweroff") &&
	    plat->psci != PSCI_CONDUIT_NONE) {
		/* From EL1 both conduits reach the firmware (or the emulator). */
		psci_set_conduit(plat->psci);
		psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	}
	park();
}

static void setup_boot_cpu(void)
{
	struct percpu *cpu = &percpu_table[0];

	cpu->self = cpu;
	cpu->id = 0;
	cpu->hw_id = this_cpu_mpidr();
	cpu->stack_top = (uintptr_t)aarch64_boot_stack_top;
	write_sysreg(tpidr_el2, cpu);
}

void aarch64_boot_primary(const void *dtb, uint64_t from_el3)
{
	struct aarch64_platform *plat = &aarch64_platform_info;
	struct boot_info *bi = &boot_info;
	const char *why = NULL;
	struct fdt fdt;

	entered_from_el3 = from_el3 != 0;
	/* No console before the DTB names one: a bad DTB can only stop here. */
	if (((uintptr_t)dtb & 7) || fdt_open(&fdt, dtb, DTB_MAX_SIZE, &why) < 0)
		park();
	platform_scan(&fdt, plat);
	if (plat->uart_base)
		pl011_early_init(plat->uart_base);

	bi->loader = "arm64 Image protocol (device tree)";
	bi->dtb = dtb;
	platform_fill_bootinfo(&fdt, bi);

	if (mmu_init(&fdt, bi, &why) < 0) {
		pl011_emergency_puts("Tessera: cannot build the EL2 page tables: ");
		pl011_emergency_puts(why);
		pl011_emergency_puts("\n");
		park();
	}

	/* Console locks and the per-CPU pointer need the MMU (cacheable RAM). */
	setup_boot_cpu();
	pl011_register_console();
	psci_set_conduit(plat->psci);
	timer_init(plat->timer_dtb_frequency);
	gic_probe(&plat->gic);
	gic_init_cpu();

	kernel_main(bi);
}

void aarch64_secondary_main(struct percpu *cpu)
{
	log_info("CPU%u: MPIDR 0x%llx online at EL%u", cpu->id,
		 (unsigned long long)this_cpu_mpidr(), current_el());
	gic_init_cpu();
	kernel_secondary_main();
}
