/* SPDX-License-Identifier: MIT */
/*
 * The ACPI reader against tables laid out as SeaBIOS and QEMU lay them
 * out.  The reader follows 32-bit table addresses, so the tables live in
 * memory mapped below 2 GiB (MAP_32BIT).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include <core/bootinfo.h>
#include <host/support.h>
#include <x86_64/x86.h>

#define ARENA_SIZE (64 * 1024)

static uint8_t *arena;
static size_t arena_used;

static void *arena_alloc(size_t size)
{
	void *p = arena + arena_used;

	arena_used += (size + 15) & ~(size_t)15;
	assert_true(arena_used <= ARENA_SIZE);
	return p;
}

static void fix_checksum(uint8_t *p, size_t len, size_t checksum_offset)
{
	uint8_t sum = 0;

	p[checksum_offset] = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	p[checksum_offset] = (uint8_t)-sum;
}

/* A table: 36-byte header followed by body. */
static uint8_t *make_table(const char *sig, const void *body, size_t body_len)
{
	uint32_t len = 36 + body_len;
	uint8_t *t = arena_alloc(len);

	memcpy(t, sig, 4);
	memcpy(t + 4, &len, 4);
	t[8] = 1;
	memcpy(t + 10, "TESSRA", 6);
	memcpy(t + 36, body, body_len);
	fix_checksum(t, len, 9);
	return t;
}

/* RSDP revision 0 pointing at an RSDT that lists the given tables. */
static const void *make_rsdp(uint8_t **tables, unsigned int count)
{
	uint32_t entries[8];
	uint8_t *rsdt, *rsdp;
	uint32_t rsdt_addr;

	for (unsigned int i = 0; i < count; i++)
		entries[i] = (uint32_t)(uintptr_t)tables[i];
	rsdt = make_table("RSDT", entries, count * 4);
	rsdp = arena_alloc(20);
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "TESSRA", 6);
	rsdp[15] = 0;
	rsdt_addr = (uint32_t)(uintptr_t)rsdt;
	memcpy(rsdp + 16, &rsdt_addr, 4);
	fix_checksum(rsdp, 20, 8);
	return rsdp;
}

static size_t put_lapic(uint8_t *p, uint8_t uid, uint8_t apic_id, uint32_t flags)
{
	p[0] = 0;
	p[1] = 8;
	p[2] = uid;
	p[3] = apic_id;
	memcpy(p + 4, &flags, 4);
	return 8;
}

static size_t put_x2apic(uint8_t *p, uint32_t apic_id, uint32_t flags)
{
	memset(p, 0, 16);
	p[0] = 9;
	p[1] = 16;
	memcpy(p + 4, &apic_id, 4);
	memcpy(p + 8, &flags, 4);
	return 16;
}

/* An I/O APIC entry, which the CPU list must skip. */
static size_t put_ioapic(uint8_t *p)
{
	uint32_t addr = 0xfec00000;

	memset(p, 0, 12);
	p[0] = 1;
	p[1] = 12;
	memcpy(p + 4, &addr, 4);
	return 12;
}

static int setup(void **state)
{
	(void)state;
	arena_used = 0;
	memset(arena, 0, ARENA_SIZE);
	host_console_clear();
	acpi_init(NULL);
	return 0;
}

static void test_madt_lists_enabled_cpus_boot_first(void **state)
{
	uint8_t body[256];
	size_t n = 8;  /* local APIC address and flags */
	uint8_t *madt;
	static struct boot_info bi;
	(void)state;

	memset(body, 0, sizeof(body));
	n += put_lapic(body + n, 0, 0, 1);
	n += put_lapic(body + n, 1, 2, 1);
	n += put_ioapic(body + n);
	n += put_lapic(body + n, 2, 5, 0);       /* disabled: left out */
	n += put_lapic(body + n, 3, 7, 2);       /* online capable: kept */
	n += put_x2apic(body + n, 300, 1);
	n += put_lapic(body + n, 4, 2, 1);       /* duplicate: once */
	madt = make_table("APIC", body, n);
	acpi_init(acpi_find_rsdp(make_rsdp(&madt, 1)));

	memset(&bi, 0, sizeof(bi));
	acpi_enumerate_cpus(&bi, 2);
	assert_int_equal(bi.cpu_count, 4);
	assert_int_equal(bi.cpu_hw_id[0], 2);
	assert_int_equal(bi.cpu_hw_id[1], 0);
	assert_int_equal(bi.cpu_hw_id[2], 7);
	assert_int_equal(bi.cpu_hw_id[3], 300);
}

static void test_madt_with_bad_checksum_is_ignored(void **state)
{
	uint8_t body[64] = { 0 };
	size_t n = 8;
	uint8_t *madt;
	static struct boot_info bi;
	(void)state;

	n += put_lapic(body + n, 0, 0, 1);
	n += put_lapic(body + n, 1, 1, 1);
	madt = make_table("APIC", body, n);
	madt[9] ^= 0x55;
	acpi_init(make_rsdp(&madt, 1));

	memset(&bi, 0, sizeof(bi));
	acpi_enumerate_cpus(&bi, 0);
	assert_int_equal(bi.cpu_count, 1);
	assert_int_equal(bi.cpu_hw_id[0], 0);
	assert_true(host_console_contains("bad checksum"));
}

static void test_madt_truncated_entry_stops_the_walk(void **state)
{
	uint8_t body[64] = { 0 };
	size_t n = 8;
	uint8_t *madt;
	static struct boot_info bi;
	(void)state;

	n += put_lapic(body + n, 1, 1, 1);
	body[n] = 0;      /* an entry claiming 40 bytes past the table end */
	body[n + 1] = 40;
	n += 4;
	madt = make_table("APIC", body, n);
	acpi_init(make_rsdp(&madt, 1));

	memset(&bi, 0, sizeof(bi));
	acpi_enumerate_cpus(&bi, 0);
	assert_int_equal(bi.cpu_count, 2);
	assert_int_equal(bi.cpu_hw_id[1], 1);
}

static void test_more_cpus_than_max_cpus_are_reported(void **state)
{
	uint8_t body[8 + 8 * (MAX_CPUS + 2)];
	size_t n = 8;
	uint8_t *madt;
	static struct boot_info bi;
	(void)state;

	memset(body, 0, sizeof(body));
	for (unsigned int i = 0; i < MAX_CPUS + 2; i++)
		n += put_lapic(body + n, i, i, 1);
	madt = make_table("APIC", body, n);
	acpi_init(make_rsdp(&madt, 1));

	memset(&bi, 0, sizeof(bi));
	acpi_enumerate_cpus(&bi, 0);
	assert_int_equal(bi.cpu_count, MAX_CPUS);
	assert_true(host_console_contains("CONFIG_MAX_CPUS"));
}

/* FADT with PM1a_CNT_BLK at 0x604 (PIIX4 under SeaBIOS) and the DSDT. */
static uint8_t *make_fadt(const uint8_t *dsdt)
{
	uint8_t body[244 - 36];
	uint32_t dsdt_addr = (uint32_t)(uintptr_t)dsdt, pm1a = 0x604;

	memset(body, 0, sizeof(body));
	memcpy(body + 40 - 36, &dsdt_addr, 4);
	memcpy(body + 64 - 36, &pm1a, 4);
	return make_table("FACP", body, sizeof(body));
}

static void check_s5(const uint8_t *aml, size_t len, uint8_t expected)
{
	uint8_t *dsdt = make_table("DSDT", aml, len);
	uint8_t *fadt = make_fadt(dsdt);
	uint16_t pm1a = 0, pm1b = 0xffff;
	uint8_t slp = 0xff;

	acpi_init(make_rsdp(&fadt, 1));
	assert_true(acpi_s5(&pm1a, &pm1b, &slp));
	assert_int_equal(pm1a, 0x604);
	assert_int_equal(pm1b, 0);
	assert_int_equal(slp, expected);
}

static void test_s5_from_byte_prefix_package(void **state)
{
	/* Name (_S5, Package (0x04) { 0x05, 0x05, 0, 0 }) as ICH9 tables have it */
	static const uint8_t aml[] = { 0x10, 0x08, 0x5c, 0x08, '_', 'S', '5', '_', 0x12, 0x0a, 0x04,
				       0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };
	(void)state;
	check_s5(aml + 3, sizeof(aml) - 3, 5);
}

static void test_s5_from_one_op_package(void **state)
{
	/* Name (_S5, Package (0x04) { One, One, Zero, Zero }) */
	static const uint8_t aml[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04,
				       0x01, 0x01, 0x00, 0x00 };
	(void)state;
	check_s5(aml, sizeof(aml), 1);
}

static void test_s5_defaults_to_piix4_without_package(void **state)
{
	static const uint8_t aml[] = { 0x08, '_', 'S', '4', '_', 0x12, 0x06, 0x04,
				       0x0a, 0x03, 0x00, 0x00 };
	(void)state;
	check_s5(aml, sizeof(aml), 0);
}

static void test_no_fadt_means_no_acpi_poweroff(void **state)
{
	uint8_t body[16] = { 0 };
	uint8_t *madt = make_table("APIC", body, 8);
	uint16_t a, b;
	uint8_t s;
	(void)state;

	acpi_init(make_rsdp(&madt, 1));
	assert_false(acpi_s5(&a, &b, &s));
	acpi_init(NULL);
	assert_false(acpi_s5(&a, &b, &s));
	assert_null(acpi_find_table("APIC"));
}

static void test_rsdp_hint_is_validated(void **state)
{
	uint8_t *madt = make_table("APIC", (uint8_t[8]){ 0 }, 8);
	const uint8_t *rsdp = make_rsdp(&madt, 1);
	(void)state;

	assert_ptr_equal(acpi_find_rsdp(rsdp), rsdp);
	acpi_init(rsdp);
	assert_ptr_equal(acpi_find_table("APIC"), madt);
	assert_null(acpi_find_table("HPET"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_madt_lists_enabled_cpus_boot_first, setup),
		cmocka_unit_test_setup(test_madt_with_bad_checksum_is_ignored, setup),
		cmocka_unit_test_setup(test_madt_truncated_entry_stops_the_walk, setup),
		cmocka_unit_test_setup(test_more_cpus_than_max_cpus_are_reported, setup),
		cmocka_unit_test_setup(test_s5_from_byte_prefix_package, setup),
		cmocka_unit_test_setup(test_s5_from_one_op_package, setup),
		cmocka_unit_test_setup(test_s5_defaults_to_piix4_without_package, setup),
		cmocka_unit_test_setup(test_no_fadt_means_no_acpi_poweroff, setup),
		cmocka_unit_test_setup(test_rsdp_hint_is_validated, setup),
	};

	arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (arena == MAP_FAILED)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
