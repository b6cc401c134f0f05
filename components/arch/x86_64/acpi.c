/* SPDX-License-Identifier: MIT */
/*
 * The few ACPI tables the hypervisor itself needs: the MADT (which CPUs
 * exist) and the FADT/DSDT (how to power off).  Tables are read in place
 * through the identity map.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <core/compiler.h>
#include <core/log.h>
#include <x86_64/x86.h>

struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	uint32_t length;          /* revision >= 2 from here on */
	uint64_t xsdt_address;
	uint8_t extended_checksum;
	uint8_t reserved[3];
} __packed;

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;

#define MADT_LOCAL_APIC 0
#define MADT_LOCAL_X2APIC 9
#define MADT_ENABLED 0x1
#define MADT_ONLINE_CAPABLE 0x2

#define FADT_DSDT 40
#define FADT_PM1A_CNT 64
#define FADT_PM1B_CNT 68
#define FADT_X_DSDT 140

static const struct acpi_rsdp *rsdp;

static bool checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

static bool rsdp_valid(const struct acpi_rsdp *r)
{
	if (memcmp(r->signature, "RSD PTR ", 8) != 0 || !checksum_ok(r, 20))
		return false;
	if (r->revision >= 2 && r->length >= sizeof(*r) && r->length < 4096)
		return checksum_ok(r, r->length);
	return true;
}

static const struct acpi_rsdp *scan_rsdp(uintptr_t base, size_t len)
{
	for (uintptr_t p = base; p + sizeof(struct acpi_rsdp) <= base + len; p += 16)
		if (rsdp_valid((const struct acpi_rsdp *)p))
			return (const struct acpi_rsdp *)p;
	return NULL;
}

/* The address hides the constant from GCC's bounds checks on low pointers. */
static uint16_t bios_data_word(uintptr_t addr)
{
	__asm__("" : "+r"(addr));
	return *(volatile const uint16_t *)addr;
}

/* The loader's RSDP, else the BIOS areas the ACPI spec names. */
const void *acpi_find_rsdp(const void *hint)
{
	const struct acpi_rsdp *r = NULL;
	uintptr_t ebda;

	if (hint && rsdp_valid(hint))
		return hint;
	ebda = (uintptr_t)bios_data_word(0x40e) << 4;
	if (ebda >= 0x80000 && ebda < 0xa0000)
		r = scan_rsdp(ebda, 1024);
	if (!r)
		r = scan_rsdp(0xe0000, 0x20000);
	return r;
}

void acpi_init(const void *r)
{
	rsdp = r;
}

static const struct acpi_header *table_at(uint64_t addr, const char *signature)
{
	const struct acpi_header *h = (const struct acpi_header *)(uintptr_t)addr;

	if (!addr || addr >= (1ULL << 32))
		return NULL;
	if (memcmp(h->signature, signature, 4) != 0 || h->length < sizeof(*h))
		return NULL;
	if (!checksum_ok(h, h->length)) {
		log_warn("acpi: %s table at 0x%llx has a bad checksum, ignored",
			 signature, (unsigned long long)addr);
		return NULL;
	}
	return h;
}

const void *acpi_find_table(const char *signature)
{
	const struct acpi_header *root;
	size_t entry_size, count;

	if (!rsdp)
		return NULL;
	if (rsdp->revision >= 2 && rsdp->xsdt_address) {
		root = table_at(rsdp->xsdt_address, "XSDT");
		entry_size = 8;
	} else {
		root = table_at(rsdp->rsdt_address, "RSDT");
		entry_size = 4;
	}
	if (!root)
		return NULL;
	count = (root->length - sizeof(*root)) / entry_size;
	for (size_t i = 0; i < count; i++) {
		const uint8_t *e = (const uint8_t *)(root + 1) + i * entry_size;
		uint64_t addr = 0;
		const struct acpi_header *h;

		memcpy(&addr, e, entry_size);
		h = (const struct acpi_header *)(uintptr_t)addr;
		if (addr && addr < (1ULL << 32) && memcmp(h->signature, signature, 4) == 0)
			return table_at(addr, signature);
	}
	return NULL;
}

static void add_cpu(struct boot_info *bi, uint32_t apic_id, uint32_t flags,
		    uint32_t boot_apic_id)
{
	if (!(flags & (MADT_ENABLED | MADT_ONLINE_CAPABLE)) || apic_id == boot_apic_id)
		return;
	for (unsigned int i = 0; i < bi->cpu_count; i++)
		if (bi->cpu_hw_id[i] == apic_id)
			return;
	if (bi->cpu_count >= MAX_CPUS) {
		log_warn("acpi: CPU with APIC id %u left out: the image supports %d CPUs (CONFIG_MAX_CPUS)",
			 apic_id, MAX_CPUS);
		return;
	}
	bi->cpu_hw_id[bi->cpu_count++] = apic_id;
}

void acpi_enumerate_cpus(struct boot_info *bi, uint32_t boot_apic_id)
{
	const struct acpi_header *madt = acpi_find_table("APIC");
	const uint8_t *p, *end;

	bi->cpu_count = 1;
	bi->cpu_hw_id[0] = boot_apic_id;
	if (!madt)
		return;
	/* Entries follow the header, the local APIC address and flags. */
	p = (const uint8_t *)madt + sizeof(*madt) + 8;
	end = (const uint8_t *)madt + madt->length;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		uint32_t flags, id;

		if (p[0] == MADT_LOCAL_APIC && p[1] >= 8) {
			memcpy(&flags, p + 4, 4);
			add_cpu(bi, p[3], flags, boot_apic_id);
		} else if (p[0] == MADT_LOCAL_X2APIC && p[1] >= 16) {
			memcpy(&id, p + 4, 4);
			memcpy(&flags, p + 8, 4);
			add_cpu(bi, id, flags, boot_apic_id);
		}
		p += p[1];
	}
}

/*
 * SLP_TYP for S5 is the first element of the \_S5_ package in the DSDT.
 * Evaluating AML is far more than we need: the package is a constant, so
 * we look for its encoding: "_S5_" PackageOp PkgLength NumElements value.
 */
static bool find_s5_in_dsdt(const struct acpi_header *dsdt, uint8_t *slp_typ)
{
	const uint8_t *p = (const uint8_t *)(dsdt + 1);
	const uint8_t *end = (const uint8_t *)dsdt + dsdt->length;

	for (; p + 8 < end; p++) {
		const uint8_t *q;

		if (memcmp(p, "_S5_", 4) != 0 || p[4] != 0x12)
			continue;
		q = p + 5;
		q += 1 + (*q >> 6);      /* PkgLength: lead byte + extra bytes */
		q++;                     /* NumElements */
		if (q >= end)
			return false;
		if (*q == 0x0a && q + 1 < end)
			*slp_typ = q[1];       /* BytePrefix */
		else if (*q == 0x00 || *q == 0x01)
			*slp_typ = *q;         /* ZeroOp, OneOp */
		else
			return false;
		return true;
	}
	return false;
}

bool acpi_s5(uint16_t *pm1a_cnt, uint16_t *pm1b_cnt, uint8_t *slp_typ)
{
	const struct acpi_header *fadt = acpi_find_table("FACP");
	const uint8_t *f = (const uint8_t *)fadt;
	uint32_t port_a = 0, port_b = 0, dsdt32 = 0;
	uint64_t dsdt = 0;
	const struct acpi_header *d;

	if (!fadt || fadt->length < FADT_PM1B_CNT + 4)
		return false;
	memcpy(&port_a, f + FADT_PM1A_CNT, 4);
	memcpy(&port_b, f + FADT_PM1B_CNT, 4);
	memcpy(&dsdt32, f + FADT_DSDT, 4);
	dsdt = dsdt32;
	if (fadt->length >= FADT_X_DSDT + 8) {
		uint64_t x = 0;

		memcpy(&x, f + FADT_X_DSDT, 8);
		if (x)
			dsdt = x;
	}
	if (!port_a || port_a > 0xffff)
		return false;
	*pm1a_cnt = port_a;
	*pm1b_cnt = port_b <= 0xffff ? port_b : 0;
	/* PIIX4's S5 is type 0: the value to use when the DSDT says nothing. */
	*slp_typ = 0;
	d = table_at(dsdt, "DSDT");
	if (d)
		find_s5_in_dsdt(d, slp_typ);
	return true;
}
