/* SPDX-License-Identifier: MIT */
/*
 * The SMBIOS structures and entry point: the layout SeaBIOS and OVMF
 * read (types, lengths, handles, string sets), the checksums of the 2.1
 * entry point, large memories split into 16 GiB devices and the name
 * UUIDs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <smbios/smbios.h>

static uint8_t buf[64 * 1024];

static void config(struct smbios_config *c, unsigned int cpus, uint64_t memory)
{
	memset(c, 0, sizeof(*c));
	c->manufacturer = "Tessera";
	c->product = "pc";
	c->version = "0.1.0";
	c->bios_vendor = "Tessera";
	c->bios_version = "0.1.0";
	c->bios_date = "01/01/2024";
	c->cpu_count = cpus;
	c->cpuid_signature = 0x50654;
	c->cpuid_features = 0x0f8bfbff;
	c->memory = memory;
	c->ram[0] = (struct smbios_ram_region){ 0, memory < 0xC0000000ull ? memory : 0xC0000000ull };
	c->ram_count = 1;
	if (memory > 0xC0000000ull) {
		c->ram[1] = (struct smbios_ram_region){ 1ull << 32, memory - 0xC0000000ull };
		c->ram_count = 2;
	}
	smbios_uuid_from_name("vm", c->uuid);
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | (uint32_t)le16(p + 2) << 16;
}

/* Walks the structures: their types in order, and the offset of each. */
static unsigned int walk(const uint8_t *t, uint32_t len, uint8_t *types, size_t *offsets,
			 unsigned int max)
{
	uint32_t off = 0;
	unsigned int n = 0;

	while (off < len && n < max) {
		const uint8_t *s = t + off;
		uint32_t end = off + s[1];

		types[n] = s[0];
		offsets[n++] = off;
		/* The string set ends with two NULs. */
		while (end + 1 < len && !(t[end] == 0 && t[end + 1] == 0))
			end++;
		off = end + 2;
	}
	assert_int_equal(off, len);
	return n;
}

/* String number i (1-based) of the structure at s. */
static const char *string(const uint8_t *s, unsigned int i)
{
	const char *p = (const char *)s + s[1];

	while (--i)
		p += strlen(p) + 1;
	return p;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static void test_small_vm(void **state)
{
	struct smbios_config c;
	struct smbios_tables t;
	uint8_t types[32];
	size_t off[32];
	static const uint8_t expected[] = { 0, 1, 3, 4, 4, 16, 17, 19, 32, 127 };
	unsigned int n;

	(void)state;
	config(&c, 2, 256ull << 20);
	assert_int_equal(smbios_build(&c, buf, sizeof(buf), &t), 0);
	n = walk(buf, t.tables_len, types, off, 32);
	assert_int_equal(n, sizeof(expected));
	assert_memory_equal(types, expected, sizeof(expected));
	assert_int_equal(t.structure_count, n);
	/* Lengths and handles. */
	assert_int_equal(buf[off[0] + 1], 0x18);
	assert_int_equal(buf[off[1] + 1], 0x1B);
	assert_int_equal(le16(buf + off[1] + 2), 0x0100);
	assert_int_equal(buf[off[3] + 1], 0x2A);
	assert_int_equal(le16(buf + off[4] + 2), 0x0401);
	assert_string_equal(string(buf + off[4], buf[off[4] + 4]), "CPU 1");
	assert_int_equal(le32(buf + off[3] + 8), 0x50654);
	/* Type 1: manufacturer, product and the UUID. */
	assert_string_equal(string(buf + off[1], buf[off[1] + 4]), "Tessera");
	assert_string_equal(string(buf + off[1], buf[off[1] + 5]), "pc");
	assert_memory_equal(buf + off[1] + 8, c.uuid, 16);
	/* Types 16, 17, 19: 256 MiB in one device, one range. */
	assert_int_equal(le32(buf + off[5] + 7), 256 * 1024);
	assert_int_equal(le16(buf + off[5] + 0x0D), 1);
	assert_int_equal(le16(buf + off[6] + 0x0C), 256);
	assert_int_equal(le32(buf + off[7] + 4), 0);
	assert_int_equal(le32(buf + off[7] + 8), 256 * 1024 - 1);
	/* Type 32 and 127 have no strings: two NULs. */
	assert_int_equal(buf[off[8] + 0x0B], 0);
	assert_int_equal(buf[off[8] + 0x0C], 0);

	/* The entry point. */
	assert_memory_equal(t.anchor, "_SM_", 4);
	assert_int_equal(t.anchor[5], 0x1F);
	assert_int_equal(t.anchor[6], 2);
	assert_int_equal(t.anchor[7], 8);
	assert_memory_equal(t.anchor + 0x10, "_DMI_", 5);
	assert_int_equal(le16(t.anchor + 0x16), t.tables_len);
	assert_int_equal(le32(t.anchor + 0x18), 0);
	assert_int_equal(le16(t.anchor + 0x1C), n);
	assert_int_equal(sum(t.anchor, 0x1F), 0);
	assert_int_equal(sum(t.anchor + 0x10, 0x0F), 0);
	assert_int_equal(le16(t.anchor + 8), t.max_structure_size);
}

static void test_large_memory(void **state)
{
	struct smbios_config c;
	struct smbios_tables t;
	uint8_t types[300];
	size_t off[300];
	unsigned int n, dimms = 0, ranges = 0, cpus = 0;

	(void)state;
	/* 40 GiB: 16 + 16 + 8 GiB devices; two ranges; 255 CPUs. */
	config(&c, 255, 40ull << 30);
	assert_int_equal(smbios_build(&c, buf, sizeof(buf), &t), 0);
	n = walk(buf, t.tables_len, types, off, 300);
	for (unsigned int i = 0; i < n; i++) {
		if (types[i] == 4)
			cpus++;
		if (types[i] == 17) {
			uint16_t mib = le16(buf + off[i] + 0x0C);

			assert_int_equal(mib, dimms < 2 ? 16384 : 8192);
			dimms++;
		}
		if (types[i] == 19) {
			if (ranges == 1) {
				assert_int_equal(le32(buf + off[i] + 4), 4u << 20);
				assert_int_equal(le32(buf + off[i] + 8), (uint32_t)((4ull << 20) +
						 ((40ull << 30) - 0xC0000000ull) / 1024 - 1));
			}
			ranges++;
		}
		if (types[i] == 16)
			assert_int_equal(le32(buf + off[i] + 7), 40u << 20);
	}
	assert_int_equal(cpus, 255);
	assert_int_equal(dimms, 3);
	assert_int_equal(ranges, 2);
	assert_string_equal(string(buf + off[3 + 254], buf[off[3 + 254] + 4]), "CPU 254");
}

static void test_errors(void **state)
{
	struct smbios_config c;
	struct smbios_tables t;

	(void)state;
	config(&c, 0, 256ull << 20);
	assert_int_equal(smbios_build(&c, buf, sizeof(buf), &t), -EINVAL);
	config(&c, 256, 256ull << 20);
	assert_int_equal(smbios_build(&c, buf, sizeof(buf), &t), -EINVAL);
	config(&c, 1, 256ull << 20);
	c.ram_count = 0;
	assert_int_equal(smbios_build(&c, buf, sizeof(buf), &t), -EINVAL);
	config(&c, 4, 256ull << 20);
	for (size_t size = 0; size < 300; size += 7)
		assert_int_equal(smbios_build(&c, buf, size, &t), -ENOSPC);
}

static void test_uuid(void **state)
{
	uint8_t a[16], b[16], a2[16];

	(void)state;
	smbios_uuid_from_name("linux", a);
	smbios_uuid_from_name("linux", a2);
	smbios_uuid_from_name("linux2", b);
	assert_memory_equal(a, a2, 16);
	assert_memory_not_equal(a, b, 16);
	assert_int_equal(a[7] >> 4, 8);
	assert_int_equal(a[8] >> 6, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_vm),
		cmocka_unit_test(test_large_memory),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_uuid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
