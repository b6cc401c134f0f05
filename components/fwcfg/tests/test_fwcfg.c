/* SPDX-License-Identifier: MIT */
/*
 * fw_cfg driven through the bus exactly as the firmware drives it:
 * SeaBIOS on x86 ports (outw/inb/outl with byte-swapped DMA addresses)
 * and EDK2 on the ARM MMIO interface (swapped selector, 64-bit data
 * reads, 64-bit DMA address write).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bus/bus.h>
#include <bus/guest_mem.h>
#include <bus/vclock.h>
#include <core/log.h>
#include <fwcfg/fwcfg.h>
#include <host/support.h>

#define RAM_GPA   0x1000ULL
#define RAM_SIZE  0x10000ULL
#define MMIO_BASE 0x09020000ULL

static uint8_t ram[RAM_SIZE];

/* The VM clock of the tests: time stands still unless a test moves it. */
static uint64_t test_now;

static uint64_t test_clock(void *ctx)
{
	(void)ctx;
	return test_now;
}

struct machine {
	struct bus *bus;
	struct guest_mem mem;
	struct vclock clock;
	struct fwcfg *fw;
};

/* A little e820 table as x86 platform code would publish it. */
static const uint8_t e820[40] = {
	/* 0 .. 0x9FC00 RAM */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0xFC, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00,
	/* 1 MiB .. 128 MiB RAM */
	0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xF0, 0x07, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00,
};

static void machine_init(struct machine *m, bool dma)
{
	memset(ram, 0xCC, sizeof(ram));
	guest_mem_init(&m->mem);
	assert_int_equal(guest_mem_add(&m->mem, RAM_GPA, RAM_SIZE, ram, false), 0);
	m->bus = bus_create("vm0");
	assert_non_null(m->bus);
	vclock_init(&m->clock, test_clock, NULL);
	m->fw = fwcfg_create(dma ? &m->mem : NULL, &m->clock);
	assert_non_null(m->fw);
	assert_int_equal(fwcfg_attach_pio(m->fw, m->bus, FWCFG_PIO_BASE), 0);
	assert_int_equal(fwcfg_attach_mmio(m->fw, m->bus, MMIO_BASE), 0);
	assert_int_equal(fwcfg_add_item_u16(m->fw, FWCFG_NB_CPUS, 4), 0);
	assert_int_equal(fwcfg_add_item_u64(m->fw, FWCFG_RAM_SIZE, 0x8000000), 0);
	assert_int_equal(fwcfg_add_item_u32(m->fw, FWCFG_IRQ0_OVERRIDE, 1), 0);
	assert_int_equal(fwcfg_add_file(m->fw, "etc/e820", e820, sizeof(e820)), 0);
	assert_int_equal(fwcfg_add_file(m->fw, "bootorder", "/pci@i0cf8/*@4\n", 15), 0);
	assert_int_equal(fwcfg_add_file(m->fw, "etc/boot-fail-wait", "\x10\x27\x00\x00", 4), 0);
}

static void machine_fini(struct machine *m)
{
	fwcfg_destroy(m->fw);
	bus_destroy(m->bus);
}

static uint64_t io(struct machine *m, enum bus_space space, enum bus_dir dir, uint64_t addr,
		   unsigned width, uint64_t value, enum bus_result expect)
{
	struct bus_access acc = { .space = space, .dir = dir, .addr = addr, .width = width,
				  .data = value };

	assert_int_equal(bus_dispatch(m->bus, &acc), expect);
	return acc.data;
}

static void outw(struct machine *m, uint16_t port, uint16_t v)
{
	io(m, BUS_SPACE_PIO, BUS_WRITE, port, 2, v, BUS_OK);
}

static void outl(struct machine *m, uint16_t port, uint32_t v)
{
	io(m, BUS_SPACE_PIO, BUS_WRITE, port, 4, v, BUS_OK);
}

static uint8_t inb(struct machine *m, uint16_t port)
{
	return (uint8_t)io(m, BUS_SPACE_PIO, BUS_READ, port, 1, 0, BUS_OK);
}

static void insb(struct machine *m, uint16_t port, uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = inb(m, port);
}

/* SeaBIOS qemu_cfg_read_entry(): outw(key, 0x510); insb(0x511). */
static void seabios_read_entry(struct machine *m, uint16_t key, uint8_t *buf, size_t n)
{
	outw(m, 0x510, key);
	insb(m, 0x511, buf, n);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Writes a DMA descriptor into guest RAM at gpa. */
static void put_desc(uint64_t gpa, uint32_t control, uint32_t length, uint64_t address)
{
	uint8_t *d = ram + (gpa - RAM_GPA);

	put_be32(d, control);
	put_be32(d + 4, length);
	put_be32(d + 8, (uint32_t)(address >> 32));
	put_be32(d + 12, (uint32_t)address);
}

static uint32_t desc_control(uint64_t gpa)
{
	return get_be32(ram + (gpa - RAM_GPA));
}

/* SeaBIOS qemu_cfg_dma_transfer(): high half 0, then outl(cpu_to_be32(addr), 0x518). */
static void seabios_dma_kick(struct machine *m, uint64_t desc_gpa)
{
	outl(m, 0x514, 0);
	outl(m, 0x518, __builtin_bswap32((uint32_t)desc_gpa));
}

static int setup(void **state)
{
	(void)state;
	host_console_clear();
	log_set_level(LOG_INFO);
	return 0;
}

static void test_seabios_signature_and_id(void **state)
{
	struct machine m;
	uint8_t buf[8];

	(void)state;
	machine_init(&m, true);
	seabios_read_entry(&m, FWCFG_SIGNATURE, buf, 4);
	assert_memory_equal(buf, "QEMU", 4);
	/* Past the end: zeros. */
	insb(&m, 0x511, buf, 2);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[1], 0);

	seabios_read_entry(&m, FWCFG_ID, buf, 4);
	assert_memory_equal(buf, "\x03\x00\x00\x00", 4);

	seabios_read_entry(&m, FWCFG_NB_CPUS, buf, 2);
	assert_memory_equal(buf, "\x04\x00", 2);
	seabios_read_entry(&m, FWCFG_RAM_SIZE, buf, 8);
	assert_memory_equal(buf, "\x00\x00\x00\x08\x00\x00\x00\x00", 8);
	seabios_read_entry(&m, FWCFG_IRQ0_OVERRIDE, buf, 4);
	assert_memory_equal(buf, "\x01\x00\x00\x00", 4);

	/* A 1-byte read at 0x510 is data too; 1-byte writes are ignored. */
	outw(&m, 0x510, FWCFG_SIGNATURE);
	assert_int_equal(inb(&m, 0x510), 'Q');
	io(&m, BUS_SPACE_PIO, BUS_WRITE, 0x510, 1, FWCFG_ID, BUS_OK);
	assert_int_equal(inb(&m, 0x511), 'E');
	assert_int_equal(inb(&m, 0x510), 'M');
	/* Reselecting rewinds. */
	outw(&m, 0x510, FWCFG_SIGNATURE);
	assert_int_equal(inb(&m, 0x511), 'Q');
	machine_fini(&m);
}

static void test_no_dma_device(void **state)
{
	struct machine m;
	uint8_t buf[4];

	(void)state;
	machine_init(&m, false);
	seabios_read_entry(&m, FWCFG_ID, buf, 4);
	assert_memory_equal(buf, "\x01\x00\x00\x00", 4);
	/* No DMA register: the ports float. */
	assert_int_equal(io(&m, BUS_SPACE_PIO, BUS_READ, 0x514, 4, 0, BUS_UNASSIGNED), 0xFFFFFFFF);
	assert_null(bus_find(m.bus, BUS_SPACE_MMIO, MMIO_BASE + 0x10));
	machine_fini(&m);
}

static void test_seabios_file_directory(void **state)
{
	struct machine m;
	uint8_t count_be[4], entry[64];
	const char *names[] = { "bootorder", "etc/boot-fail-wait", "etc/e820" };
	const uint32_t sizes[] = { 15, 4, 40 };

	(void)state;
	machine_init(&m, true);
	seabios_read_entry(&m, FWCFG_FILE_DIR, count_be, 4);
	assert_int_equal(get_be32(count_be), 3);
	for (unsigned i = 0; i < 3; i++) {
		insb(&m, 0x511, entry, sizeof(entry));
		assert_int_equal(get_be32(entry), sizes[i]);
		assert_int_equal(entry[4] << 8 | entry[5], 0x20 + i);
		assert_int_equal(entry[6], 0);
		assert_int_equal(entry[7], 0);
		assert_string_equal((const char *)entry + 8, names[i]);
		for (size_t j = 8 + strlen(names[i]); j < 64; j++)
			assert_int_equal(entry[j], 0);
	}
	assert_int_equal(fwcfg_file_key(m.fw, "etc/e820"), 0x22);
	assert_int_equal(fwcfg_file_key(m.fw, "nope"), -ENOENT);
	/* The key listed in the directory reads the file. */
	seabios_read_entry(&m, 0x20, entry, 15);
	assert_memory_equal(entry, "/pci@i0cf8/*@4\n", 15);
	machine_fini(&m);
}

/* What the guest selected, logged by name: the numbered keys, files, arch keys. */
static void test_log_selections(void **state)
{
	static const char *const arch[] = { "acpi_tables", "smbios_entries", "irq0_override" };
	struct machine m;
	uint8_t buf[4];

	(void)state;
	machine_init(&m, true);
	host_console_clear();
	fwcfg_log_selections(m.fw, "t", arch, 3);
	assert_true(host_console_contains("VM t: fw_cfg items the guest selected (key name: times):"));
	assert_true(host_console_contains("VM t:   none"));
	seabios_read_entry(&m, FWCFG_SIGNATURE, buf, 4);
	seabios_read_entry(&m, FWCFG_SIGNATURE, buf, 4);
	seabios_read_entry(&m, 0x20, buf, 4);
	seabios_read_entry(&m, FWCFG_IRQ0_OVERRIDE, buf, 4);
	seabios_read_entry(&m, 0x8004, buf, 4);
	host_console_clear();
	fwcfg_log_selections(m.fw, "t", arch, 3);
	assert_true(host_console_contains(
		"VM t:   0x00 signature: 2 0x20 bootorder: 1 0x8002 irq0_override: 1 0x8004 ?: 1"));
	machine_fini(&m);
}

/* A select hook refreshes a file before the guest reads it (the pc
 * machine's ACPI tables follow the PM base the firmware programmed). */
static unsigned hook_calls;

static void refresh_bootorder(void *opaque, const char *name)
{
	struct machine *m = opaque;

	hook_calls++;
	assert_string_equal(name, "bootorder");
	assert_int_equal(fwcfg_update_file(m->fw, name, "/pci@i0cf8/*@5\n", 15), 0);
}

static void test_select_hook_and_update(void **state)
{
	struct machine m;
	uint8_t buf[16];
	const uint64_t desc = RAM_GPA + 0x100, dst = RAM_GPA + 0x2000;

	(void)state;
	machine_init(&m, true);
	hook_calls = 0;
	assert_int_equal(fwcfg_set_select_hook(m.fw, "nope", refresh_bootorder, &m), -ENOENT);
	assert_int_equal(fwcfg_set_select_hook(m.fw, "bootorder", refresh_bootorder, &m), 0);
	/* The size cannot change: the directory already said it. */
	assert_int_equal(fwcfg_update_file(m.fw, "bootorder", "x", 1), -EINVAL);
	assert_int_equal(fwcfg_update_file(m.fw, "nope", "x", 1), -ENOENT);
	/* Port selector: the hook runs before the first byte. */
	seabios_read_entry(&m, 0x20, buf, 15);
	assert_memory_equal(buf, "/pci@i0cf8/*@5\n", 15);
	assert_int_equal(hook_calls, 1);
	/* Other keys do not call it; a DMA SELECT does. */
	seabios_read_entry(&m, 0x22, buf, 4);
	assert_int_equal(hook_calls, 1);
	put_desc(desc, (uint32_t)0x20 << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_READ, 15, dst);
	seabios_dma_kick(&m, desc);
	assert_int_equal(hook_calls, 2);
	assert_memory_equal(ram + (dst - RAM_GPA), "/pci@i0cf8/*@5\n", 15);
	machine_fini(&m);
}

static void test_seabios_dma_read_e820(void **state)
{
	struct machine m;
	const uint64_t desc = RAM_GPA + 0x100, buf = RAM_GPA + 0x2000;

	(void)state;
	machine_init(&m, true);
	put_desc(desc, (uint32_t)0x22 << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_READ, 40, buf);
	seabios_dma_kick(&m, desc);
	assert_int_equal(desc_control(desc), 0);
	assert_memory_equal(ram + (buf - RAM_GPA), e820, 40);
	assert_int_equal(ram[buf - RAM_GPA + 40], 0xCC);   /* not one byte more */

	/* In two halves, the second continuing where the first stopped. */
	memset(ram + (buf - RAM_GPA), 0xCC, 64);
	put_desc(desc, (uint32_t)0x22 << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_READ, 20, buf);
	seabios_dma_kick(&m, desc);
	put_desc(desc, FWCFG_DMA_CTL_READ, 20, buf + 20);
	seabios_dma_kick(&m, desc);
	assert_int_equal(desc_control(desc), 0);
	assert_memory_equal(ram + (buf - RAM_GPA), e820, 40);
	machine_fini(&m);
}

static void test_dma_skip_select_and_zero_fill(void **state)
{
	struct machine m;
	const uint64_t desc = RAM_GPA + 0x100, buf = RAM_GPA + 0x3000;
	uint8_t *out = ram + (buf - RAM_GPA);

	(void)state;
	machine_init(&m, true);
	/* SELECT alone: no data moved, later port reads start at 0. */
	put_desc(desc, (uint32_t)FWCFG_SIGNATURE << 16 | FWCFG_DMA_CTL_SELECT, 100, buf);
	seabios_dma_kick(&m, desc);
	assert_int_equal(desc_control(desc), 0);
	assert_int_equal(out[0], 0xCC);
	/* SKIP 2 then READ 2 gives "MU". */
	put_desc(desc, FWCFG_DMA_CTL_SKIP, 2, buf);
	seabios_dma_kick(&m, desc);
	assert_int_equal(desc_control(desc), 0);
	assert_int_equal(out[0], 0xCC);
	put_desc(desc, FWCFG_DMA_CTL_READ, 2, buf);
	seabios_dma_kick(&m, desc);
	assert_memory_equal(out, "MU", 2);
	/* READ wins over SKIP and WRITE. */
	put_desc(desc, (uint32_t)FWCFG_SIGNATURE << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_READ |
		       FWCFG_DMA_CTL_SKIP | FWCFG_DMA_CTL_WRITE, 4, buf);
	seabios_dma_kick(&m, desc);
	assert_int_equal(desc_control(desc), 0);
	assert_memory_equal(out, "QEMU", 4);
	/* Past the end: zero-filled, not an error. */
	memset(out, 0xCC, 16);
	put_desc(desc, (uint32_t)FWCFG_SIGNATURE << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_READ,
		 10, buf);
	seabios_dma_kick(&m, desc);
	assert_int_equal(desc_control(desc), 0);
	assert_memory_equal(out, "QEMU\0\0\0\0\0\0", 10);
	assert_int_equal(out[10], 0xCC);
	/* An invalid key reads zeros. */
	memset(out, 0xCC, 16);
	put_desc(desc, (uint32_t)0x7FF << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_READ, 8, buf);
	seabios_dma_kick(&m, desc);
	assert_int_equal(desc_control(desc), 0);
	assert_memory_equal(out, "\0\0\0\0\0\0\0\0", 8);
	seabios_read_entry(&m, 0x7FF, out, 2);
	assert_int_equal(out[0], 0);
	/* No operation bit: length ignored, nothing written. */
	memset(out, 0xCC, 16);
	put_desc(desc, (uint32_t)FWCFG_SIGNATURE << 16 | FWCFG_DMA_CTL_SELECT, 8, buf);
	seabios_dma_kick(&m, desc);
	assert_int_equal(desc_control(desc), 0);
	assert_int_equal(out[0], 0xCC);
	machine_fini(&m);
}

struct write_log {
	unsigned calls;
	uint32_t offset, len;
	uint8_t seen[8];
};

static void on_write(void *opaque, uint32_t offset, const uint8_t *data, uint32_t len)
{
	struct write_log *w = opaque;

	w->calls++;
	w->offset = offset;
	w->len = len;
	memcpy(w->seen, data, len < 8 ? len : 8);
}

static void test_dma_write(void **state)
{
	struct machine m;
	struct write_log wl = { 0 };
	const uint64_t desc = RAM_GPA + 0x100, buf = RAM_GPA + 0x3000;
	uint32_t len;
	int key;

	(void)state;
	machine_init(&m, true);
	assert_int_equal(fwcfg_add_file_writable(m.fw, "etc/vmgenid_addr", "\0\0\0\0\0\0\0\0", 8,
						 on_write, &wl), 0);
	key = fwcfg_file_key(m.fw, "etc/vmgenid_addr");
	assert_true(key >= 0x20);

	/* Like WRITE_POINTER: select, skip 4, write 4. */
	memcpy(ram + (buf - RAM_GPA), "\x78\x56\x34\x12", 4);
	put_desc(desc, (uint32_t)key << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_SKIP, 4, 0);
	seabios_dma_kick(&m, desc);
	assert_int_equal(desc_control(desc), 0);
	put_desc(desc, FWCFG_DMA_CTL_WRITE, 4, buf);
	seabios_dma_kick(&m, desc);
	assert_int_equal(desc_control(desc), 0);
	assert_memory_equal(fwcfg_file_data(m.fw, "etc/vmgenid_addr", &len),
			    "\0\0\0\0\x78\x56\x34\x12", 8);
	assert_int_equal(len, 8);
	assert_int_equal(wl.calls, 1);
	assert_int_equal(wl.offset, 4);
	assert_int_equal(wl.len, 4);
	assert_memory_equal(wl.seen, "\x78\x56\x34\x12", 4);

	/* Past the end of a writable item: ERROR, nothing changed. */
	put_desc(desc, (uint32_t)key << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_WRITE, 9, buf);
	seabios_dma_kick(&m, desc);
	assert_int_equal(desc_control(desc), FWCFG_DMA_CTL_ERROR);
	assert_memory_equal(fwcfg_file_data(m.fw, "etc/vmgenid_addr", NULL),
			    "\0\0\0\0\x78\x56\x34\x12", 8);
	assert_int_equal(wl.calls, 1);

	/* To a read-only item: ERROR, item unchanged. */
	put_desc(desc, (uint32_t)0x22 << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_WRITE, 4, buf);
	seabios_dma_kick(&m, desc);
	assert_int_equal(desc_control(desc), FWCFG_DMA_CTL_ERROR);
	assert_memory_equal(fwcfg_file_data(m.fw, "etc/e820", NULL), e820, 40);
	/* To the signature. */
	put_desc(desc, (uint32_t)FWCFG_SIGNATURE << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_WRITE,
		 1, buf);
	seabios_dma_kick(&m, desc);
	assert_int_equal(desc_control(desc), FWCFG_DMA_CTL_ERROR);
	seabios_read_entry(&m, FWCFG_SIGNATURE, ram, 4);
	assert_memory_equal(ram, "QEMU", 4);
	/* WRITE wins over SKIP. */
	put_desc(desc, (uint32_t)key << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_WRITE |
		       FWCFG_DMA_CTL_SKIP, 4, buf);
	seabios_dma_kick(&m, desc);
	assert_int_equal(desc_control(desc), 0);
	assert_memory_equal(fwcfg_file_data(m.fw, "etc/vmgenid_addr", NULL),
			    "\x78\x56\x34\x12\x78\x56\x34\x12", 8);
	/* The data port ignores writes. */
	io(&m, BUS_SPACE_MMIO, BUS_WRITE, MMIO_BASE, 1, 0x55, BUS_OK);
	assert_memory_equal(fwcfg_file_data(m.fw, "etc/vmgenid_addr", NULL),
			    "\x78\x56\x34\x12\x78\x56\x34\x12", 8);
	machine_fini(&m);
}

static void test_dma_bad_addresses(void **state)
{
	struct machine m;
	const uint64_t desc = RAM_GPA + 0x100;
	const uint64_t last_desc = RAM_GPA + RAM_SIZE - 16;

	(void)state;
	machine_init(&m, true);
	/* Descriptor outside RAM: nothing to write back, nothing touched. */
	seabios_dma_kick(&m, 0x10);
	seabios_dma_kick(&m, RAM_GPA + RAM_SIZE - 2);
	assert_int_equal(ram[RAM_SIZE - 2], 0xCC);
	assert_int_equal(ram[RAM_SIZE - 1], 0xCC);
	assert_non_null(strstr(host_console_text(), "descriptor outside guest RAM"));
	/* Unreadable descriptor whose control word is in RAM: ERROR stored. */
	seabios_dma_kick(&m, RAM_GPA + RAM_SIZE - 4);
	assert_int_equal(get_be32(ram + RAM_SIZE - 4), FWCFG_DMA_CTL_ERROR);

	/* Buffer outside RAM, straddling its end, wrapping around. */
	put_desc(desc, (uint32_t)FWCFG_SIGNATURE << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_READ,
		 4, 0x0);
	seabios_dma_kick(&m, desc);
	assert_int_equal(desc_control(desc), FWCFG_DMA_CTL_ERROR);
	put_desc(desc, (uint32_t)FWCFG_SIGNATURE << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_READ,
		 4, RAM_GPA + RAM_SIZE - 2);
	memset(ram + RAM_SIZE - 4, 0xCC, 4);
	seabios_dma_kick(&m, desc);
	assert_int_equal(desc_control(desc), FWCFG_DMA_CTL_ERROR);
	assert_int_equal(ram[RAM_SIZE - 2], 0xCC);
	put_desc(desc, (uint32_t)FWCFG_SIGNATURE << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_READ,
		 0x100, ~0ULL - 0x10);
	seabios_dma_kick(&m, desc);
	assert_int_equal(desc_control(desc), FWCFG_DMA_CTL_ERROR);
	/* Zero fill that would run past RAM. */
	put_desc(desc, (uint32_t)0x7FF << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_READ,
		 0xFFFFFFFF, RAM_GPA);
	seabios_dma_kick(&m, desc);
	assert_int_equal(desc_control(desc), FWCFG_DMA_CTL_ERROR);
	assert_int_equal(ram[0], 0xCC);

	/* The very last 16 bytes of RAM hold a working descriptor. */
	put_desc(last_desc, (uint32_t)FWCFG_SIGNATURE << 16 | FWCFG_DMA_CTL_SELECT |
			    FWCFG_DMA_CTL_READ, 4, RAM_GPA);
	seabios_dma_kick(&m, last_desc);
	assert_int_equal(desc_control(last_desc), 0);
	assert_memory_equal(ram, "QEMU", 4);
	machine_fini(&m);
}

static void test_dma_high_half_and_register_read(void **state)
{
	struct machine m;
	const uint64_t desc = RAM_GPA + 0x100;

	(void)state;
	machine_init(&m, true);
	/* OVMF: IoWrite32(0x514, SwapBytes32(hi)) with hi != 0 points outside RAM. */
	put_desc(desc, (uint32_t)FWCFG_SIGNATURE << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_READ,
		 4, RAM_GPA + 0x200);
	outl(&m, 0x514, __builtin_bswap32(1));
	outl(&m, 0x518, __builtin_bswap32((uint32_t)desc));
	assert_int_equal(desc_control(desc), FWCFG_DMA_CTL_READ | FWCFG_DMA_CTL_SELECT);
	/* The high half does not survive a transfer: SeaBIOS writes only 0x518. */
	outl(&m, 0x518, __builtin_bswap32((uint32_t)desc));
	assert_int_equal(desc_control(desc), 0);
	assert_memory_equal(ram + 0x200, "QEMU", 4);

	/* Reading the DMA register gives "QEMU CFG" in memory order. */
	assert_int_equal(io(&m, BUS_SPACE_PIO, BUS_READ, 0x514, 4, 0, BUS_OK),
			 0x554D4551);                  /* "QEMU" */
	assert_int_equal(io(&m, BUS_SPACE_PIO, BUS_READ, 0x518, 4, 0, BUS_OK),
			 0x47464320);                  /* " CFG" */
	assert_int_equal(__builtin_bswap64(io(&m, BUS_SPACE_MMIO, BUS_READ, MMIO_BASE + 0x10, 8, 0,
					      BUS_OK)), FWCFG_DMA_SIGNATURE);
	/* Narrow DMA register accesses are refused by the bus. */
	io(&m, BUS_SPACE_PIO, BUS_WRITE, 0x518, 2, 0, BUS_REJECTED);
	io(&m, BUS_SPACE_PIO, BUS_WRITE, 0x516, 4, 0, BUS_REJECTED);
	machine_fini(&m);
}

/* EDK2 QemuFwCfgLibMmio: MmioWrite16(sel, SwapBytes16(key)), MmioRead64(data). */
static void edk2_select(struct machine *m, uint16_t key)
{
	io(m, BUS_SPACE_MMIO, BUS_WRITE, MMIO_BASE + 8, 2, __builtin_bswap16(key), BUS_OK);
}

static void edk2_read_bytes(struct machine *m, uint8_t *buf, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t v = io(m, BUS_SPACE_MMIO, BUS_READ, MMIO_BASE, 8, 0, BUS_OK);

		memcpy(buf + i, &v, 8);   /* the host is little-endian, like the guest */
	}
	for (; i < n; i++)
		buf[i] = (uint8_t)io(m, BUS_SPACE_MMIO, BUS_READ, MMIO_BASE, 1, 0, BUS_OK);
}

static void test_edk2_mmio(void **state)
{
	struct machine m;
	uint8_t buf[64];
	const uint64_t desc = RAM_GPA + 0x400, dst = RAM_GPA + 0x800;

	(void)state;
	machine_init(&m, true);
	edk2_select(&m, FWCFG_SIGNATURE);
	edk2_read_bytes(&m, buf, 4);
	assert_memory_equal(buf, "QEMU", 4);
	edk2_select(&m, FWCFG_ID);
	edk2_read_bytes(&m, buf, 4);
	assert_memory_equal(buf, "\x03\0\0\0", 4);

	/* 8-byte data reads keep the item's byte order; past the end is 0. */
	assert_int_equal(fwcfg_file_key(m.fw, "etc/e820"), 0x22);
	edk2_select(&m, 0x22);
	edk2_read_bytes(&m, buf, 48);
	assert_memory_equal(buf, e820, 40);
	assert_memory_equal(buf + 40, "\0\0\0\0\0\0\0\0", 8);
	/* 2- and 4-byte data reads. */
	edk2_select(&m, FWCFG_SIGNATURE);
	assert_int_equal(io(&m, BUS_SPACE_MMIO, BUS_READ, MMIO_BASE, 2, 0, BUS_OK), 0x4551);
	assert_int_equal(io(&m, BUS_SPACE_MMIO, BUS_READ, MMIO_BASE, 4, 0, BUS_OK), 0x0000554D);

	/* QemuFwCfgDmaBytes: MmioWrite64(dma, SwapBytes64(desc)). */
	put_desc(desc, (uint32_t)0x20 << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_READ, 15, dst);
	io(&m, BUS_SPACE_MMIO, BUS_WRITE, MMIO_BASE + 0x10, 8, __builtin_bswap64(desc), BUS_OK);
	assert_int_equal(desc_control(desc), 0);
	assert_memory_equal(ram + (dst - RAM_GPA), "/pci@i0cf8/*@4\n", 15);
	/* Two 32-bit halves, the low one at +0x14 starting the transfer. */
	memset(ram + (dst - RAM_GPA), 0, 16);
	put_desc(desc, (uint32_t)0x20 << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_READ, 4, dst);
	io(&m, BUS_SPACE_MMIO, BUS_WRITE, MMIO_BASE + 0x10, 4, 0, BUS_OK);
	assert_int_equal(desc_control(desc),
			 (uint32_t)0x20 << 16 | FWCFG_DMA_CTL_READ | FWCFG_DMA_CTL_SELECT);
	io(&m, BUS_SPACE_MMIO, BUS_WRITE, MMIO_BASE + 0x14, 4, __builtin_bswap32((uint32_t)desc),
	   BUS_OK);
	assert_int_equal(desc_control(desc), 0);
	assert_memory_equal(ram + (dst - RAM_GPA), "/pci", 4);

	/* The selector takes only 16-bit writes; it reads as 0. */
	io(&m, BUS_SPACE_MMIO, BUS_WRITE, MMIO_BASE + 8, 1, 0, BUS_REJECTED);
	io(&m, BUS_SPACE_MMIO, BUS_WRITE, MMIO_BASE + 8, 4, 0, BUS_REJECTED);
	assert_int_equal(io(&m, BUS_SPACE_MMIO, BUS_READ, MMIO_BASE + 8, 2, 0, BUS_OK), 0);
	/* A little-endian selector write selects the swapped key (0x0100). */
	io(&m, BUS_SPACE_MMIO, BUS_WRITE, MMIO_BASE + 8, 2, FWCFG_ID, BUS_OK);
	assert_int_equal(io(&m, BUS_SPACE_MMIO, BUS_READ, MMIO_BASE, 4, 0, BUS_OK), 0);
	machine_fini(&m);
}

static void test_reset_selects_signature(void **state)
{
	struct machine m;

	(void)state;
	machine_init(&m, true);
	outw(&m, 0x510, FWCFG_ID);
	assert_int_equal(inb(&m, 0x511), 3);
	outl(&m, 0x514, 0x01000000);
	fwcfg_reset(m.fw);
	assert_int_equal(inb(&m, 0x511), 'Q');
	assert_int_equal(inb(&m, 0x511), 'E');
	/* The high DMA half was cleared too. */
	put_desc(RAM_GPA, (uint32_t)FWCFG_SIGNATURE << 16 | FWCFG_DMA_CTL_SELECT, 0, 0);
	outl(&m, 0x518, __builtin_bswap32((uint32_t)RAM_GPA));
	assert_int_equal(desc_control(RAM_GPA), 0);
	machine_fini(&m);
}

static void test_api_errors_and_ordering(void **state)
{
	struct fwcfg *fw = fwcfg_create(NULL, NULL);
	char name[64];
	uint32_t len;

	(void)state;
	assert_non_null(fw);
	assert_int_equal(fwcfg_add_item(fw, FWCFG_SIGNATURE, "XXXX", 4), -EINVAL);
	assert_int_equal(fwcfg_add_item(fw, FWCFG_ID, "XXXX", 4), -EINVAL);
	assert_int_equal(fwcfg_add_item(fw, FWCFG_FILE_DIR, "XXXX", 4), -EINVAL);
	assert_int_equal(fwcfg_add_item(fw, 0x20, "XXXX", 4), -EINVAL);
	assert_int_equal(fwcfg_add_item(fw, 0x4005, "XXXX", 4), -EINVAL);
	assert_int_equal(fwcfg_add_item(fw, 0x8020, "XXXX", 4), -EINVAL);
	assert_int_equal(fwcfg_add_item(fw, 0x8000, "XXXX", 4), 0);
	assert_int_equal(fwcfg_add_item_u16(fw, FWCFG_NB_CPUS, 1), 0);
	assert_int_equal(fwcfg_add_item_u16(fw, FWCFG_NB_CPUS, 2), 0);   /* replaces */

	assert_int_equal(fwcfg_add_file(fw, "", "x", 1), -EINVAL);
	memset(name, 'a', sizeof(name));
	name[56] = 0;
	assert_int_equal(fwcfg_add_file(fw, name, "x", 1), -EINVAL);
	name[55] = 0;
	assert_int_equal(fwcfg_add_file(fw, name, "x", 1), 0);
	assert_int_equal(fwcfg_add_file(fw, name, "y", 1), -EEXIST);
	assert_int_equal(fwcfg_add_file(fw, "zzz", NULL, 0), 0);
	assert_int_equal(fwcfg_add_file(fw, "etc/acpi/rsdp", "r", 1), 0);
	assert_int_equal(fwcfg_add_file(fw, "bootorder", "b", 1), 0);
	/* Selectors follow name order, whatever the order of addition. */
	assert_int_equal(fwcfg_file_key(fw, name), 0x20);
	assert_int_equal(fwcfg_file_key(fw, "bootorder"), 0x21);
	assert_int_equal(fwcfg_file_key(fw, "etc/acpi/rsdp"), 0x22);
	assert_int_equal(fwcfg_file_key(fw, "zzz"), 0x23);
	assert_null(fwcfg_file_data(fw, "zzz", &len));
	assert_int_equal(len, 0);
	for (unsigned i = 4; i < FWCFG_MAX_FILES; i++) {
		snprintf(name, sizeof(name), "opt/file%03u", i);
		assert_int_equal(fwcfg_add_file(fw, name, "x", 1), 0);
	}
	assert_int_equal(fwcfg_add_file(fw, "opt/one-too-many", "x", 1), -ENOSPC);
	fwcfg_destroy(fw);
}

/*
 * Regression (a guest could stall its VM): a READ of a missing item with
 * length 0xFFFFFFFF zero-filled the whole range in one doorbell write,
 * under the VM's device lock.  Now each step moves at most 256 KiB and the
 * rest continues from the VM clock; the guest polls the control word.
 */
#define BIG_RAM_GPA  0x40000000ULL
#define BIG_RAM_SIZE (4ULL << 20)

static void test_dma_long_transfer_in_steps(void **state)
{
	struct machine m;
	uint8_t *big = malloc(BIG_RAM_SIZE);
	const uint64_t desc = RAM_GPA + 0x100;
	unsigned steps = 0;

	(void)state;
	assert_non_null(big);
	memset(big, 0xCC, BIG_RAM_SIZE);
	machine_init(&m, true);
	assert_int_equal(guest_mem_add(&m.mem, BIG_RAM_GPA, BIG_RAM_SIZE, big, false), 0);

	/* 4 MiB of zeros from an item that does not exist. */
	put_desc(desc, (uint32_t)0x3FFF << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_READ,
		 (uint32_t)BIG_RAM_SIZE, BIG_RAM_GPA);
	seabios_dma_kick(&m, desc);
	/* One step done: busy, the control word unchanged, the rest untouched. */
	assert_true(fwcfg_dma_busy(m.fw));
	assert_int_not_equal(desc_control(desc), 0);
	assert_int_equal(big[0], 0);
	assert_int_equal(big[BIG_RAM_SIZE - 1], 0xCC);
	assert_true(vclock_next_deadline(&m.clock) <= vclock_now(&m.clock));
	/* Another doorbell meanwhile: refused with ERROR, the first goes on. */
	put_desc(RAM_GPA + 0x200, FWCFG_DMA_CTL_READ, 4, RAM_GPA + 0x300);
	seabios_dma_kick(&m, RAM_GPA + 0x200);
	assert_int_equal(desc_control(RAM_GPA + 0x200), FWCFG_DMA_CTL_ERROR);
	assert_true(fwcfg_dma_busy(m.fw));
	/* The VM's run loop runs the due timer: each call one more step. */
	while (fwcfg_dma_busy(m.fw)) {
		assert_true(++steps < 100);
		vclock_run_expired(&m.clock);
	}
	assert_int_equal(desc_control(desc), 0);
	assert_int_equal(steps, BIG_RAM_SIZE / (256 * 1024) - 1);
	for (uint64_t i = 0; i < BIG_RAM_SIZE; i += 4093)
		assert_int_equal(big[i], 0);
	assert_int_equal(big[BIG_RAM_SIZE - 1], 0);
	assert_int_equal(vclock_next_deadline(&m.clock), UINT64_MAX);

	/* 0xFFFFFFFF bytes: the part in RAM is filled step by step, then ERROR. */
	memset(big, 0xCC, BIG_RAM_SIZE);
	put_desc(desc, (uint32_t)0x3FFF << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_READ,
		 0xFFFFFFFFu, BIG_RAM_GPA);
	seabios_dma_kick(&m, desc);
	assert_true(fwcfg_dma_busy(m.fw));
	for (steps = 0; fwcfg_dma_busy(m.fw); steps++) {
		assert_true(steps < 100);
		vclock_run_expired(&m.clock);
	}
	assert_int_equal(desc_control(desc), FWCFG_DMA_CTL_ERROR);

	/* A reset drops a transfer in progress and its timer. */
	put_desc(desc, (uint32_t)0x3FFF << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_READ,
		 (uint32_t)BIG_RAM_SIZE, BIG_RAM_GPA);
	seabios_dma_kick(&m, desc);
	assert_true(fwcfg_dma_busy(m.fw));
	fwcfg_reset(m.fw);
	assert_false(fwcfg_dma_busy(m.fw));
	assert_int_equal(vclock_next_deadline(&m.clock), UINT64_MAX);

	/* SKIP costs nothing per byte: 4 GiB in one step. */
	put_desc(desc, (uint32_t)0x3FFF << 16 | FWCFG_DMA_CTL_SELECT | FWCFG_DMA_CTL_SKIP,
		 0xFFFFFFFFu, BIG_RAM_GPA);
	seabios_dma_kick(&m, desc);
	assert_false(fwcfg_dma_busy(m.fw));
	assert_int_equal(desc_control(desc), 0);
	/* A device with DMA needs the clock that continues it. */
	assert_null(fwcfg_create(&m.mem, NULL));
	machine_fini(&m);
	free(big);
}

static void test_directory_via_mmio_matches_keys(void **state)
{
	struct machine m;
	uint8_t dir[4 + 64 * 4];

	(void)state;
	machine_init(&m, true);
	assert_int_equal(fwcfg_add_file(m.fw, "etc/acpi/tables", "T", 1), 0);
	edk2_select(&m, FWCFG_FILE_DIR);
	edk2_read_bytes(&m, dir, sizeof(dir));
	assert_int_equal(get_be32(dir), 4);
	/* QemuFwCfgFindFile: linear search, then select the listed key. */
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *e = dir + 4 + 64 * i;
		const char *fname = (const char *)e + 8;

		assert_int_equal(e[4] << 8 | e[5], fwcfg_file_key(m.fw, fname));
		if (i)
			assert_true(strcmp((const char *)e + 8 - 64, fname) < 0);
	}
	assert_string_equal((const char *)dir + 4 + 64 * 1 + 8, "etc/acpi/tables");
	machine_fini(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_seabios_signature_and_id, setup),
		cmocka_unit_test_setup(test_no_dma_device, setup),
		cmocka_unit_test_setup(test_seabios_file_directory, setup),
		cmocka_unit_test_setup(test_log_selections, setup),
		cmocka_unit_test_setup(test_seabios_dma_read_e820, setup),
		cmocka_unit_test_setup(test_select_hook_and_update, setup),
		cmocka_unit_test_setup(test_dma_skip_select_and_zero_fill, setup),
		cmocka_unit_test_setup(test_dma_write, setup),
		cmocka_unit_test_setup(test_dma_bad_addresses, setup),
		cmocka_unit_test_setup(test_dma_high_half_and_register_read, setup),
		cmocka_unit_test_setup(test_edk2_mmio, setup),
		cmocka_unit_test_setup(test_reset_selects_signature, setup),
		cmocka_unit_test_setup(test_api_errors_and_ordering, setup),
		cmocka_unit_test_setup(test_directory_via_mmio_matches_keys, setup),
		cmocka_unit_test_setup(test_dma_long_transfer_in_steps, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
