/* SPDX-License-Identifier: MIT */
/*
 * From the loader's hand-over to kernel_main(): what the loader told us
 * (Multiboot2 tags or the PVH start info) becomes struct boot_info, and
 * the boot CPU gets its descriptor tables, console, timer and the list of
 * the other CPUs.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <core/bootinfo.h>
#include <core/compiler.h>
#include <core/init.h>
#include <core/log.h>
#include <core/percpu.h>
#include <x86_64/cpu.h>
#include <x86_64/x86.h>

#define BOOT_PROTO_MULTIBOOT2 1
#define BOOT_PROTO_PVH 2

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15
#define MB2_MEMORY_AVAILABLE 1

#define PVH_START_MAGIC 0x336ec578
#define PVH_MEMMAP_RAM 1

/* RAM below 1 MiB holds the BIOS data, the EBDA and the AP trampoline. */
#define LOW_MEMORY_END 0x100000ULL

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

struct mb2_mmap_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type;
	uint32_t reserved;
};

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;       /* version 1 and later */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

static struct boot_info boot_info;
/* Copies, so that nothing the loader left in RAM needs to stay. */
static char cmdline_copy[1024];
static char loader_name[96];
static uint8_t rsdp_copy[64] __attribute__((aligned(16)));

void x86_boot_main(uint32_t protocol, uint32_t info);

static void copy_string(char *dst, size_t size, const char *src)
{
	size_t i = 0;

	for (; src && i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

static void add_memory(struct boot_info *bi, uint64_t base, uint64_t size, bool ram)
{
	if (!size)
		return;
	if (ram && base < LOW_MEMORY_END) {
		uint64_t end = base + size;

		if (end <= LOW_MEMORY_END)
			return;
		base = LOW_MEMORY_END;
		size = end - base;
	}
	if (bi->mem_count >= BOOT_MAX_MEM_REGIONS) {
		log_warn("boot: memory map has more than %d regions; 0x%llx+0x%llx ignored",
			 BOOT_MAX_MEM_REGIONS, (unsigned long long)base,
			 (unsigned long long)size);
		return;
	}
	bi->mem[bi->mem_count].base = base;
	bi->mem[bi->mem_count].size = size;
	bi->mem[bi->mem_count].type = ram ? MEM_RAM : MEM_RESERVED;
	bi->mem_count++;
}

static void set_rsdp(struct boot_info *bi, const void *rsdp, size_t len)
{
	if (len > sizeof(rsdp_copy))
		len = sizeof(rsdp_copy);
	memcpy(rsdp_copy, rsdp, len);
	bi->acpi_rsdp = rsdp_copy;
}

static void parse_multiboot2(struct boot_info *bi, uintptr_t mbi)
{
	uint32_t total = *(const uint32_t *)mbi;
	uintptr_t p = mbi + 8;
	const char *name = NULL;

	bootinfo_reserve(bi, mbi, total);
	while (p + sizeof(struct mb2_tag) <= mbi + total) {
		const struct mb2_tag *tag = (const struct mb2_tag *)p;
		const uint8_t *body = (const uint8_t *)(tag + 1);

		if (tag->type == MB2_TAG_END || tag->size < sizeof(*tag))
			break;
		switch (tag->type) {
		case MB2_TAG_CMDLINE:
			copy_string(cmdline_copy, sizeof(cmdline_copy), (const char *)body);
			break;
		case MB2_TAG_LOADER_NAME:
			name = (const char *)body;
			break;
		case MB2_TAG_MODULE: {
			uint32_t start, end;

			memcpy(&start, body, 4);
			memcpy(&end, body + 4, 4);
			/* The first module is the boot archive. */
			if (!bi->archive && end > start) {
				bi->archive = (const void *)(uintptr_t)start;
				bi->archive_size = end - start;
				bootinfo_reserve(bi, start, end - start);
			}
			break;
		}
		case MB2_TAG_MMAP: {
			uint32_t entry_size;

			memcpy(&entry_size, body, 4);
			if (entry_size < sizeof(struct mb2_mmap_entry))
				break;
			for (uintptr_t e = (uintptr_t)body + 8;
			     e + entry_size <= p + tag->size; e += entry_size) {
				const struct mb2_mmap_entry *m = (const void *)e;

				add_memory(bi, m->base, m->length,
					   m->type == MB2_MEMORY_AVAILABLE);
			}
			break;
		}
		case MB2_TAG_ACPI_OLD:
			if (!bi->acpi_rsdp)
				set_rsdp(bi, body, tag->size - sizeof(*tag));
			break;
		case MB2_TAG_ACPI_NEW:
			set_rsdp(bi, body, tag->size - sizeof(*tag));
			break;
		default:
			break;
		}
		p += ALIGN_UP(tag->size, 8);
	}
	snprintf(loader_name, sizeof(loader_name), "%s (Multiboot2)",
		 name ? name : "unknown loader");
}

static void parse_pvh(struct boot_info *bi, uintptr_t info)
{
	const struct hvm_start_info *si = (const void *)info;

	bootinfo_reserve(bi, info, sizeof(*si));
	if (si->magic != PVH_START_MAGIC) {
		log_error("boot: PVH start info at 0x%lx has a bad magic 0x%x",
			  (unsigned long)info, si->magic);
		return;
	}
	if (si->cmdline_paddr)
		copy_string(cmdline_copy, sizeof(cmdline_copy),
			    (const char *)(uintptr_t)si->cmdline_paddr);
	if (si->nr_modules && si->modlist_paddr) {
		const struct hvm_modlist_entry *mod =
			(const void *)(uintptr_t)si->modlist_paddr;

		if (mod->size) {
			bi->archive = (const void *)(uintptr_t)mod->paddr;
			bi->archive_size = mod->size;
			bootinfo_reserve(bi, mod->paddr, mod->size);
		}
	}
	if (si->version >= 1 && si->memmap_paddr) {
		const struct hvm_memmap_entry *m =
			(const void *)(uintptr_t)si->memmap_paddr;

		for (uint32_t i = 0; i < si->memmap_entries; i++)
			add_memory(bi, m[i].addr, m[i].size, m[i].type == PVH_MEMMAP_RAM);
	}
	if (si->rsdp_paddr)
		set_rsdp(bi, (const void *)(uintptr_t)si->rsdp_paddr, 36);
	snprintf(loader_name, sizeof(loader_name), "PVH start info v%u (QEMU -kernel)",
		 si->version);
}

/* Extra page directories when the CPU has no 1 GiB pages: up to 16 GiB. */
#define EXTRA_PD_COUNT 12
static uint64_t extra_pd[EXTRA_PD_COUNT][512] __attribute__((aligned(4096)));

void paging_map_ram(uint64_t end)
{
	bool gib_pages = cpuid(0x80000000, 0).eax >= 0x80000001 &&
			 (cpuid(0x80000001, 0).edx & (1U << 26));
	uint64_t gib_end = (end + (1ULL << 30) - 1) >> 30;
	unsigned int extra = 0;

	if (gib_end > 512) {
		log_warn("boot: RAM above 512 GiB is not mapped");
		gib_end = 512;
	}
	for (uint64_t gib = 4; gib < gib_end; gib++) {
		if (gib_pages) {
			boot_pdpt[gib] = (gib << 30) | 0x83;
			continue;
		}
		if (extra == EXTRA_PD_COUNT) {
			log_warn("boot: no 1 GiB pages; RAM above %llu GiB is not mapped",
				 (unsigned long long)gib);
			break;
		}
		for (unsigned int i = 0; i < 512; i++)
			extra_pd[extra][i] = (gib << 30) + ((uint64_t)i << 21) + 0x83;
		boot_pdpt[gib] = (uintptr_t)extra_pd[extra] | 0x3;
		extra++;
	}
	write_cr3(read_cr3());
}

static void mask_legacy_pic(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

void x86_boot_main(uint32_t protocol, uint32_t info)
{
	struct boot_info *bi = &boot_info;
	struct percpu *boot_cpu = &percpu_table[0];
	uint64_t ram_end = 0;
	uint32_t apic_id = lapic_id();

	x86_idt_init();
	boot_cpu->id = 0;
	boot_cpu->hw_id = apic_id;
	boot_cpu->stack_top = (uintptr_t)boot_stack_top;
	x86_cpu_init(boot_cpu);
	uart_init();
	mask_legacy_pic();

	bi->cmdline = cmdline_copy;
	bi->loader = loader_name;
	bootinfo_reserve(bi, (uintptr_t)__image_start,
			 (uintptr_t)__image_end - (uintptr_t)__image_start);
	if (protocol == BOOT_PROTO_MULTIBOOT2)
		parse_multiboot2(bi, info);
	else
		parse_pvh(bi, info);

	for (unsigned int i = 0; i < bi->mem_count; i++)
		if (bi->mem[i].type == MEM_RAM)
			ram_end = MAX(ram_end, bi->mem[i].base + bi->mem[i].size);
	paging_map_ram(ram_end);

	timer_calibrate();
	acpi_init(acpi_find_rsdp(bi->acpi_rsdp));
	if (!bi->acpi_rsdp)
		bi->acpi_rsdp = acpi_find_rsdp(NULL);
	acpi_enumerate_cpus(bi, apic_id);
	lapic_enable();
	lapic_timer_calibrate();

	kernel_main(bi);
}

/* Reported once the command line has set the log level. */
static int x86_report_platform(void)
{
	const struct boot_info *bi = &boot_info;

	log_debug("x86_64: TSC %llu kHz, %u CPU(s) in the MADT, boot CPU APIC id %llu, %sAPIC, ACPI RSDP %p",
		  (unsigned long long)(timer_tsc_hz() / 1000), bi->cpu_count,
		  (unsigned long long)bi->cpu_hw_id[0],
		  (rdmsr(MSR_IA32_APIC_BASE) & (1ULL << 10)) ? "x2" : "x",
		  bi->acpi_rsdp);
	return 0;
}
INIT_CALL(x86_report_platform, INIT_PLATFORM);
