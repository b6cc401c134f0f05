/* SPDX-License-Identifier: MIT */
/*
 * virtio-pci: the function as firmware enumerates it, the modern
 * interface as Linux's virtio_pci_modern drives it (MSI-X and INTx), the
 * legacy interface of a transitional function as Linux's
 * virtio_pci_legacy, SeaBIOS and EDK2's VirtioPciDeviceDxe drive it, and
 * SeaBIOS's PCI configuration access window for BARs above 4 GiB.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include <blockdev/blockdev.h>
#include <host/support.h>
#include <pci/msix.h>
#include <pci/pci.h>
#include <virtio/virtio_blk.h>
#include <virtio/virtio_pci.h>
#include "virtio_test_guest.h"

#define SLOT 4
#define DISK_SECTORS 64u
#define BAR4_GPA 0x8000000000ull     /* above 4 GiB, as Linux places 64-bit BARs */
#define BAR1_GPA 0xFEB80000u
#define IO_BASE 0xC000
#define COMMON (BAR4_GPA + VIRTIO_PCI_COMMON_OFFSET)
#define ISR (BAR4_GPA + VIRTIO_PCI_ISR_OFFSET)
#define DEVCFG (BAR4_GPA + VIRTIO_PCI_DEVICE_OFFSET)
#define NOTIFY (BAR4_GPA + VIRTIO_PCI_NOTIFY_OFFSET)

struct message {
	uint64_t address;
	uint32_t data;
};

struct fixture {
	struct test_guest g;
	struct pci_host *host;
	uint8_t disk[DISK_SECTORS * 512];
	struct blockdev *bd;
	struct virtio_blk *blk;
	struct virtio_pci *vp;
	bool intx;
	unsigned intx_edges;
	struct message msi[16];
	unsigned msi_count;
	uint16_t next_desc;
};

static void record_msi(void *opaque, uint64_t address, uint32_t data)
{
	struct fixture *f = opaque;
	if (f->msi_count < 16)
		f->msi[f->msi_count] = (struct message){ address, data };
	f->msi_count++;
}

static void record_intx(void *sink, unsigned pin, bool level)
{
	struct fixture *f = sink;
	(void)pin;
	if (level && !f->intx)
		f->intx_edges++;
	f->intx = level;
}

static void create(struct fixture *f, enum virtio_pci_kind kind)
{
	guest_init(&f->g);
	f->host = pci_host_create(f->g.bus, "pci0");
	assert_int_equal(pci_host_register_cf8(f->host), 0);
	pci_host_set_msi_handler(f->host, record_msi, f);
	for (unsigned i = 0; i < sizeof(f->disk); i++)
		f->disk[i] = (uint8_t)(i / 512 + i % 7);
	f->bd = memdisk_create("disk0", f->disk, sizeof(f->disk), false);
	f->blk = virtio_blk_create("vda", &f->g.mem, f->bd, "serial");
	f->vp = virtio_pci_create(f->host, SLOT, virtio_blk_device(f->blk), kind);
	assert_non_null(f->vp);
	irq_line_connect(virtio_pci_intx(f->vp), record_intx, f, 0);
	host_console_clear();
}

static int setup_modern(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	create(f, VIRTIO_PCI_MODERN);
	*state = f;
	return 0;
}

static int setup_transitional(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	create(f, VIRTIO_PCI_TRANSITIONAL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	virtio_pci_destroy(f->vp);
	virtio_blk_destroy(f->blk);
	blockdev_destroy(f->bd);
	pci_host_destroy(f->host);
	/* Everything the function mapped is gone. */
	assert_null(bus_find_overlap(f->g.bus, BUS_SPACE_MMIO, 0, ~0ull));
	guest_fini(&f->g);
	free(f);
	return 0;
}

/* ---- configuration mechanism #1, as SeaBIOS's pci_config_* ------------ */

static uint32_t cfg_read(struct fixture *f, unsigned reg, unsigned width)
{
	outp(&f->g, 0xCF8, 4, 0x80000000u | SLOT << 11 | (reg & 0xFC));
	return inp(&f->g, (uint16_t)(0xCFC + (reg & 3)), width);
}

static void cfg_write(struct fixture *f, unsigned reg, unsigned width, uint32_t value)
{
	outp(&f->g, 0xCF8, 4, 0x80000000u | SLOT << 11 | (reg & 0xFC));
	outp(&f->g, (uint16_t)(0xCFC + (reg & 3)), width, value);
}

/* The vendor capability of cfg_type type (Linux's virtio_pci_find_capability). */
static unsigned find_virtio_cap(struct fixture *f, uint8_t type)
{
	for (unsigned pos = cfg_read(f, PCI_CAPABILITY_LIST, 1), n = 0; pos && n < 48;
	     pos = cfg_read(f, pos + 1, 1), n++)
		if (cfg_read(f, pos, 1) == PCI_CAP_ID_VENDOR &&
		    cfg_read(f, pos + VIRTIO_PCI_CAP_CFG_TYPE, 1) == type)
			return pos;
	return 0;
}

static unsigned find_cap(struct fixture *f, uint8_t id)
{
	for (unsigned pos = cfg_read(f, PCI_CAPABILITY_LIST, 1), n = 0; pos && n < 48;
	     pos = cfg_read(f, pos + 1, 1), n++)
		if (cfg_read(f, pos, 1) == id)
			return pos;
	return 0;
}

/* Firmware's BAR assignment: BAR1 and BAR4 (and BAR0 for I/O), then decoding on. */
static void assign_bars(struct fixture *f, bool io)
{
	cfg_write(f, PCI_BASE_ADDRESS_0 + 4, 4, BAR1_GPA);
	cfg_write(f, PCI_BASE_ADDRESS_0 + 16, 4, (uint32_t)BAR4_GPA);
	cfg_write(f, PCI_BASE_ADDRESS_0 + 20, 4, (uint32_t)(BAR4_GPA >> 32));
	if (io)
		cfg_write(f, PCI_BASE_ADDRESS_0, 4, IO_BASE);
	cfg_write(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		  (io ? PCI_COMMAND_IO : 0));
}

/* ---- requests (header, data, status), direct descriptors --------------- */

static uint16_t request(struct fixture *f, unsigned slot, uint32_t type, uint64_t sector,
			uint64_t data, uint32_t len, bool writable)
{
	struct test_guest *g = &f->g;
	uint64_t hdr = HDR_GPA + 16ull * slot;
	uint16_t head = f->next_desc, d = head;

	put32(g, hdr, type);
	put32(g, hdr + 4, 0);
	put64(g, hdr + 8, sector);
	set_desc(g, d, hdr, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(d + 1));
	d++;
	if (len) {
		set_desc(g, d, data, len, VIRTQ_DESC_F_NEXT | (writable ? VIRTQ_DESC_F_WRITE : 0),
			 (uint16_t)(d + 1));
		d++;
	}
	gp(g, STATUS_GPA + slot)[0] = 0xEE;
	set_desc(g, d, STATUS_GPA + slot, 1, VIRTQ_DESC_F_WRITE, 0);
	f->next_desc = (uint16_t)(d + 1);
	avail_add(g, head);
	return head;
}

static uint8_t status_of(struct fixture *f, unsigned slot)
{
	return gp(&f->g, STATUS_GPA + slot)[0];
}

/* ---- identity ------------------------------------------------------------ */

static void test_modern_identity_and_capabilities(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cfg_read(f, PCI_VENDOR_ID, 4), 0x10421AF4);
	assert_int_equal(cfg_read(f, PCI_REVISION_ID, 1), 1);
	assert_int_equal(cfg_read(f, PCI_CLASS_PROG, 1), 0);
	assert_int_equal(cfg_read(f, PCI_CLASS_DEVICE, 2), 0x0100);
	assert_int_equal(cfg_read(f, PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1AF4);
	assert_int_equal(cfg_read(f, PCI_SUBSYSTEM_ID, 2), 0x1100);
	assert_int_equal(cfg_read(f, PCI_HEADER_TYPE, 1), 0);
	assert_int_equal(cfg_read(f, PCI_INTERRUPT_PIN, 1), 1);
	assert_true(cfg_read(f, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);

	/* BAR sizing: no BAR0, 4 KiB at BAR1, 16 KiB 64-bit prefetchable at BAR4. */
	for (unsigned bar = 0; bar < 6; bar++)
		cfg_write(f, PCI_BASE_ADDRESS_0 + 4 * bar, 4, 0xFFFFFFFF);
	assert_int_equal(cfg_read(f, PCI_BASE_ADDRESS_0, 4), 0);
	assert_int_equal(cfg_read(f, PCI_BASE_ADDRESS_0 + 4, 4), 0xFFFFF000u);
	assert_int_equal(cfg_read(f, PCI_BASE_ADDRESS_0 + 8, 4), 0);
	assert_int_equal(cfg_read(f, PCI_BASE_ADDRESS_0 + 16, 4), 0xFFFFC00Cu);
	assert_int_equal(cfg_read(f, PCI_BASE_ADDRESS_0 + 20, 4), 0xFFFFFFFFu);

	/* The structures: type, BAR, offset, length (and cap_len). */
	static const struct { uint8_t type, len; uint32_t offset, length; } caps[] = {
		{ VIRTIO_PCI_CAP_COMMON_CFG, 16, 0x0000, 0x1000 },
		{ VIRTIO_PCI_CAP_NOTIFY_CFG, 20, 0x3000, 0x1000 },
		{ VIRTIO_PCI_CAP_ISR_CFG, 16, 0x1000, 0x1000 },
		{ VIRTIO_PCI_CAP_DEVICE_CFG, 16, 0x2000, 0x1000 },
		{ VIRTIO_PCI_CAP_PCI_CFG, 20, 0, 0 },
	};
	unsigned expected_pos = 0x40;
	for (unsigned i = 0; i < 5; i++) {
		unsigned cap = find_virtio_cap(f, caps[i].type);
		assert_int_equal(cap, expected_pos);
		assert_int_equal(cfg_read(f, cap + VIRTIO_PCI_CAP_LEN, 1), caps[i].len);
		assert_int_equal(cfg_read(f, cap + VIRTIO_PCI_CAP_BAR, 1), caps[i].type == 5 ? 4 : 4);
		assert_int_equal(cfg_read(f, cap + VIRTIO_PCI_CAP_OFFSET, 4), caps[i].offset);
		assert_int_equal(cfg_read(f, cap + VIRTIO_PCI_CAP_LENGTH, 4), caps[i].length);
		expected_pos += (caps[i].len + 3) & ~3u;
	}
	unsigned notify = find_virtio_cap(f, VIRTIO_PCI_CAP_NOTIFY_CFG);
	assert_int_equal(cfg_read(f, notify + VIRTIO_PCI_NOTIFY_CAP_MULT, 4), 4);
	unsigned msix = find_cap(f, PCI_CAP_ID_MSIX);
	assert_int_equal(msix, 0x98);
	assert_int_equal(cfg_read(f, msix + PCI_MSIX_FLAGS, 2), 1);   /* 2 vectors */
	assert_int_equal(cfg_read(f, msix + PCI_MSIX_TABLE, 4), 1);
	assert_int_equal(cfg_read(f, msix + PCI_MSIX_PBA, 4), 0x801);
	/* The structure capabilities are read-only, the window's fields are not. */
	cfg_write(f, 0x40 + VIRTIO_PCI_CAP_OFFSET, 4, 0x1234);
	assert_int_equal(cfg_read(f, 0x40 + VIRTIO_PCI_CAP_OFFSET, 4), 0);
	unsigned window = find_virtio_cap(f, VIRTIO_PCI_CAP_PCI_CFG);
	cfg_write(f, window + VIRTIO_PCI_CAP_OFFSET, 4, 0x1234);
	assert_int_equal(cfg_read(f, window + VIRTIO_PCI_CAP_OFFSET, 4), 0x1234);
	/* No function 1..7 and no multi-function bit. */
	assert_ptr_equal(pci_host_function(f->host, SLOT, 0), virtio_pci_function(f->vp));
	assert_null(pci_host_function(f->host, SLOT, 1));
}

static void test_transitional_identity(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cfg_read(f, PCI_VENDOR_ID, 4), 0x10011AF4);
	assert_int_equal(cfg_read(f, PCI_REVISION_ID, 1), 0);
	assert_int_equal(cfg_read(f, PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1AF4);
	assert_int_equal(cfg_read(f, PCI_SUBSYSTEM_ID, 2), VIRTIO_ID_BLOCK);
	/* BAR0: 128 bytes of I/O (24 bytes of registers + 60 of configuration). */
	cfg_write(f, PCI_BASE_ADDRESS_0, 4, 0xFFFFFFFF);
	assert_int_equal(cfg_read(f, PCI_BASE_ADDRESS_0, 4), 0xFFFFFF81u);
	/* Modern structures too: Linux drives a transitional device through them. */
	assert_int_not_equal(find_virtio_cap(f, VIRTIO_PCI_CAP_COMMON_CFG), 0);
}

/* ---- modern, Linux ------------------------------------------------------------ */

static void linux_modern_init(struct fixture *f, bool msix, unsigned size)
{
	struct test_guest *g = &f->g;

	assign_bars(f, false);
	unsigned msix_cap = find_cap(f, PCI_CAP_ID_MSIX);
	/* virtio core: reset (and wait for 0), ACK, DRIVER. */
	wr(g, COMMON + VIRTIO_PCI_COMMON_STATUS, 1, 0);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_STATUS, 1), 0);
	wr(g, COMMON + VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(g, COMMON + VIRTIO_PCI_COMMON_STATUS, 1, 3);
	wr(g, COMMON + VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	uint64_t features = rd(g, COMMON + VIRTIO_PCI_COMMON_DF, 4);
	wr(g, COMMON + VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	features |= rd(g, COMMON + VIRTIO_PCI_COMMON_DF, 4) << 32;
	assert_int_equal(features, VIRTIO_TRANSPORT_FEATURES | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
			 VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) |
			 VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) | VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES));
	wr(g, COMMON + VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	wr(g, COMMON + VIRTIO_PCI_COMMON_GF, 4, (uint32_t)features);
	wr(g, COMMON + VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	wr(g, COMMON + VIRTIO_PCI_COMMON_GF, 4, (uint32_t)(features >> 32));
	wr(g, COMMON + VIRTIO_PCI_COMMON_STATUS, 1, 0x0B);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_STATUS, 1), 0x0B);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_NUMQ, 2), 1);

	if (msix) {
		/* pci_alloc_irq_vectors(): two vectors, programmed while masked. */
		cfg_write(f, msix_cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
		for (unsigned v = 0; v < 2; v++) {
			uint64_t e = BAR1_GPA + 16ull * v;
			wr(g, e + PCI_MSIX_ENTRY_LOWER_ADDR, 4, 0xFEE00000u | v << 12);
			wr(g, e + PCI_MSIX_ENTRY_UPPER_ADDR, 4, 0);
			wr(g, e + PCI_MSIX_ENTRY_DATA, 4, 0x4040 + v);
			wr(g, e + PCI_MSIX_ENTRY_VECTOR_CTRL, 4, 0);
		}
		cfg_write(f, msix_cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
		wr(g, COMMON + VIRTIO_PCI_COMMON_MSIX, 2, 0);
		assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_MSIX, 2), 0);
	}
	/* setup_vq(): select, size, rings, vector, notify offset; enable all last. */
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_SIZE, 2), 256);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	ring_layout(g, RING_GPA, size);
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_SIZE, 2, size);
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_DESCLO, 4, (uint32_t)g->desc);
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_DESCHI, 4, 0);
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_AVAILLO, 4, (uint32_t)g->avail);
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_AVAILHI, 4, 0);
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_USEDLO, 4, (uint32_t)g->used);
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_USEDHI, 4, 0);
	if (msix) {
		wr(g, COMMON + VIRTIO_PCI_COMMON_Q_MSIX, 2, 1);
		assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_MSIX, 2), 1);
	}
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_NOFF, 2), 0);
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_ENABLE, 2), 1);
	wr(g, COMMON + VIRTIO_PCI_COMMON_STATUS, 1, 0x0F);
	f->next_desc = 0;
}

static void test_linux_modern_msix(void **state)
{
	struct fixture *f = *state;
	struct test_guest *g = &f->g;

	linux_modern_init(f, true, 256);
	/* Device configuration through BAR4 + 0x2000, capacity in halves. */
	uint8_t gen = (uint8_t)rd(g, COMMON + VIRTIO_PCI_COMMON_CFGGENERATION, 1);
	assert_int_equal(rd(g, DEVCFG, 4) | rd(g, DEVCFG + 4, 4) << 32, DISK_SECTORS);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_CFGGENERATION, 1), gen);
	assert_int_equal(rd(g, DEVCFG + VIRTIO_BLK_CFG_SEG_MAX, 4), 254);

	/* A read, notified at BAR4 + 0x3000 + 4 * 0 with the queue index. */
	request(f, 0, VIRTIO_BLK_T_IN, 3, DATA_GPA, 1024, true);
	wr(g, NOTIFY, 2, 0);
	assert_int_equal(used_idx(g), 1);
	assert_int_equal(used_id(g, 0), 0);
	assert_int_equal(used_len(g, 0), 1025);
	assert_int_equal(status_of(f, 0), VIRTIO_BLK_S_OK);
	assert_int_equal(gp(g, DATA_GPA)[0], 6);     /* disk byte 3 * 512: 3 + 1536 % 7 */
	/* One message on the queue's vector; no INTx, no ISR bit. */
	assert_int_equal(f->msi_count, 1);
	assert_int_equal(f->msi[0].address, 0xFEE01000u);
	assert_int_equal(f->msi[0].data, 0x4041);
	assert_false(f->intx);
	assert_int_equal(rd(g, ISR, 1), 0);

	/* A configuration change: the config vector, and ISR bit 1. */
	virtio_blk_update_capacity(f->blk);
	assert_int_equal(f->msi_count, 2);
	assert_int_equal(f->msi[1].data, 0x4040);
	assert_int_equal(rd(g, ISR, 1), VIRTIO_PCI_ISR_CONFIG);
	assert_int_equal(rd(g, ISR, 1), 0);
	assert_false(f->intx);

	/* A vector beyond the table is a failed mapping: NO_VECTOR reads back. */
	wr(g, COMMON + VIRTIO_PCI_COMMON_MSIX, 2, 2);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	virtio_blk_update_capacity(f->blk);
	assert_int_equal(f->msi_count, 2);
	/* Unmapping the queue: completions send nothing. */
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_MSIX, 2, VIRTIO_MSI_NO_VECTOR);
	set_used_event(g, 1);                        /* the driver wants to hear */
	request(f, 1, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	wr(g, NOTIFY, 2, 0);
	assert_int_equal(used_idx(g), 2);
	assert_int_equal(f->msi_count, 2);
	/* A masked vector pends and fires on unmask. */
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_MSIX, 2, 1);
	wr(g, BAR1_GPA + 16 + PCI_MSIX_ENTRY_VECTOR_CTRL, 4, 1);
	set_used_event(g, 2);
	request(f, 2, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	wr(g, NOTIFY, 2, 0);
	assert_int_equal(f->msi_count, 2);
	assert_int_equal(rd(g, BAR1_GPA + PCI_MSIX_PBA_OFFSET, 4), 2);
	wr(g, BAR1_GPA + 16 + PCI_MSIX_ENTRY_VECTOR_CTRL, 4, 0);
	assert_int_equal(f->msi_count, 3);
	assert_int_equal(f->msi[2].data, 0x4041);

	/* Reset: vectors unmapped (4.1.5.1.2.1). */
	wr(g, COMMON + VIRTIO_PCI_COMMON_STATUS, 1, 0);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
}

static void test_linux_modern_intx(void **state)
{
	struct fixture *f = *state;
	struct test_guest *g = &f->g;

	linux_modern_init(f, false, 128);
	request(f, 0, VIRTIO_BLK_T_OUT, 1, DATA_GPA, 512, false);
	wr(g, NOTIFY, 2, 0);
	assert_int_equal(status_of(f, 0), VIRTIO_BLK_S_OK);
	assert_true(f->intx);
	assert_true(cfg_read(f, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	/* vp_interrupt(): reading the ISR acknowledges and lowers the line. */
	assert_int_equal(rd(g, ISR, 1), VIRTIO_PCI_ISR_QUEUE);
	assert_false(f->intx);
	assert_false(cfg_read(f, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	assert_int_equal(rd(g, ISR, 1), 0);
	/* INTx disable in the command register keeps the line low. */
	cfg_write(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		  PCI_COMMAND_INTX_DISABLE);
	set_used_event(g, 1);                        /* virtqueue_enable_cb() */
	request(f, 1, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	wr(g, NOTIFY + 0, 4, 0);                     /* a 32-bit notify works too */
	assert_int_equal(used_idx(g), 2);
	assert_false(f->intx);
	assert_int_equal(rd(g, ISR, 4), VIRTIO_PCI_ISR_QUEUE);
	assert_int_equal(f->intx_edges, 1);
	assert_int_equal(f->msi_count, 0);
}

static void test_common_configuration_edges(void **state)
{
	struct fixture *f = *state;
	struct test_guest *g = &f->g;
	struct virtio_device *vdev = virtio_blk_device(f->blk);

	assign_bars(f, false);
	/* Fields read with the wrong width, or between fields: reported, 0. */
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_STATUS, 4), 0);
	assert_int_equal(rd(g, COMMON + 0x3C, 2), 0);
	assert_true(host_console_contains("common configuration read that is no field at 0x14"));
	wr(g, COMMON + VIRTIO_PCI_COMMON_NUMQ, 2, 5);
	assert_true(host_console_contains("common configuration write that is no writable field"));
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_NUMQ, 2), 1);
	/* A queue that does not exist: size 0, no vector, nothing accepted. */
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_SELECT, 2, 3);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_SIZE, 2), 0);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_NOFF, 2), 3);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_DESCLO, 4), 0);
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_MSIX, 2, 0);
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_DESCLO, 4, 0x1000);
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	/* Queue 0: size rules, 64-bit addresses in halves, read back. */
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_SIZE, 2, 100);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_SIZE, 2), 256);
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_DESCHI, 4, 0x12);
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_DESCLO, 4, 0x34000);
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_USEDHI, 4, 1);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_DESCHI, 4), 0x12);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_DESCLO, 4), 0x34000);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_AVAILLO, 4), 0);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_AVAILHI, 4), 0);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_USEDLO, 4), 0);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_USEDHI, 4), 1);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_DESCLO, 8), 0x1200034000ull);
	/* queue_enable 0 is not the driver's to write; queue_reset does nothing. */
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_ENABLE, 2, 0);
	assert_true(host_console_contains("queue_enable written with 0"));
	wr(g, COMMON + VIRTIO_PCI_COMMON_Q_RESET, 2, 1);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_RESET, 2), 0);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_Q_NDATA, 2), 0);
	/* Feature selects read back; words beyond 1 are 0. */
	wr(g, COMMON + VIRTIO_PCI_COMMON_DFSELECT, 4, 5);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_DFSELECT, 4), 5);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_DF, 4), 0);
	wr(g, COMMON + VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	wr(g, COMMON + VIRTIO_PCI_COMMON_GF, 4, 1);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_GFSELECT, 4), 1);
	assert_int_equal(rd(g, COMMON + VIRTIO_PCI_COMMON_GF, 4), 1);
	/* Other parts of BAR4: ISR beyond byte 0, notify reads, bad notify offsets. */
	assert_int_equal(rd(g, ISR + 4, 4), 0);
	assert_int_equal(rd(g, NOTIFY, 2), 0);
	wr(g, NOTIFY + 2, 2, 0);
	wr(g, NOTIFY + 4, 1, 0);
	assert_true(host_console_contains("notification at no queue's address"));
	wr(g, ISR, 1, 0xFF);
	wr(g, DEVCFG, 4, 0);                           /* nothing writable */
	assert_int_equal(rd(g, DEVCFG, 4), DISK_SECTORS);
	assert_int_equal(rd(g, DEVCFG + 0x100, 4), 0);
	assert_false(virtio_device_broken(vdev));
}

/* ---- legacy --------------------------------------------------------------- */

static void legacy_ring(struct fixture *f, uint64_t base)
{
	/* vring_init() with 4096 alignment: what the legacy layout requires. */
	ring_layout(&f->g, base, 256);
	f->next_desc = 0;
}

static void test_linux_legacy_intx(void **state)
{
	struct fixture *f = *state;
	struct test_guest *g = &f->g;
	struct virtio_device *vdev = virtio_blk_device(f->blk);

	assign_bars(f, true);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_STATUS, 1, 0);
	assert_int_equal(inp(g, IO_BASE + VIRTIO_PCI_LEGACY_STATUS, 1), 0);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_STATUS, 1, 1);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_STATUS, 1, 3);
	/* 32 feature bits: ANY_LAYOUT added, VERSION_1 out of reach. */
	uint32_t host = inp(g, IO_BASE + VIRTIO_PCI_LEGACY_HOST_FEATURES, 4);
	assert_int_equal(host, (uint32_t)virtio_device_features_word(vdev, 0) |
			 1u << VIRTIO_F_ANY_LAYOUT);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_GUEST_FEATURES, 4, host & ~(1u << VIRTIO_F_EVENT_IDX));
	assert_int_equal(inp(g, IO_BASE + VIRTIO_PCI_LEGACY_GUEST_FEATURES, 4),
			 host & ~(1u << VIRTIO_F_EVENT_IDX));
	assert_true(vdev->legacy);
	/* Configuration right after the 20-byte header, byte by byte. */
	uint64_t capacity = 0;
	for (unsigned i = 0; i < 8; i++)
		capacity |= (uint64_t)inp(g, IO_BASE + VIRTIO_PCI_LEGACY_CONFIG + i, 1) << (8 * i);
	assert_int_equal(capacity, DISK_SECTORS);
	assert_int_equal(inp(g, IO_BASE + VIRTIO_PCI_LEGACY_CONFIG + VIRTIO_BLK_CFG_SEG_MAX, 4), 254);
	/* Queue 0: fixed size, one block at PFN * 4096. */
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_SEL, 2, 0);
	assert_int_equal(inp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_NUM, 2), 256);
	assert_int_equal(inp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_PFN, 4), 0);
	legacy_ring(f, RING_GPA);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_PFN, 4, (uint32_t)(RING_GPA >> 12));
	assert_int_equal(inp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_PFN, 4), RING_GPA >> 12);
	struct virtqueue *vq = virtio_queue(vdev, 0);
	assert_int_equal(vq->avail, RING_GPA + 4096);
	assert_int_equal(vq->used, RING_GPA + 8192);     /* 4096 + 6 + 512, rounded up */
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_STATUS, 1, 7);

	request(f, 0, VIRTIO_BLK_T_IN, 2, DATA_GPA, 512, true);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_NOTIFY, 2, 0);
	assert_int_equal(status_of(f, 0), VIRTIO_BLK_S_OK);
	assert_int_equal(used_len(g, 0), 513);
	assert_int_equal(gp(g, DATA_GPA)[0], 4);
	assert_true(f->intx);
	assert_int_equal(inp(g, IO_BASE + VIRTIO_PCI_LEGACY_ISR, 1), 1);
	assert_false(f->intx);
	/* FLUSH_OUT is still a flush for a legacy driver. */
	request(f, 1, VIRTIO_BLK_T_FLUSH_OUT, 0, 0, 0, false);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_NOTIFY, 2, 0);
	assert_int_equal(status_of(f, 1), VIRTIO_BLK_S_OK);
	/* del_vq(): PFN 0 takes the queue down. */
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_PFN, 4, 0);
	assert_false(vq->ready);
	assert_int_equal(inp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_PFN, 4), 0);
	/* Registers at other widths are reported. */
	assert_int_equal(inp(g, IO_BASE + VIRTIO_PCI_LEGACY_STATUS, 2), 0);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_HOST_FEATURES, 4, 0);
	assert_true(host_console_contains("legacy register write that is no writable register"));
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_SEL, 2, 2);
	assert_int_equal(inp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_NUM, 2), 0);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_PFN, 4, 0x100);
	assert_true(host_console_contains("legacy queue address for queue 2"));
}

static void test_legacy_msix_moves_the_configuration(void **state)
{
	struct fixture *f = *state;
	struct test_guest *g = &f->g;

	assign_bars(f, true);
	unsigned msix = find_cap(f, PCI_CAP_ID_MSIX);
	for (unsigned v = 0; v < 2; v++) {
		wr(g, BAR1_GPA + 16ull * v, 4, 0xFEE00000u);
		wr(g, BAR1_GPA + 16ull * v + 8, 4, 0x30 + v);
		wr(g, BAR1_GPA + 16ull * v + 12, 4, 0);
	}
	cfg_write(f, msix + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_STATUS, 1, 3);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_CONFIG_VECTOR, 2, 0);
	assert_int_equal(inp(g, IO_BASE + VIRTIO_PCI_LEGACY_CONFIG_VECTOR, 2), 0);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_SEL, 2, 0);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_VECTOR, 2, 1);
	assert_int_equal(inp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_VECTOR, 2), 1);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_VECTOR, 2, 9);
	assert_int_equal(inp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_VECTOR, 2), VIRTIO_MSI_NO_VECTOR);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_VECTOR, 2, 1);
	/* The configuration now starts at 24. */
	assert_int_equal(inp(g, IO_BASE + VIRTIO_PCI_LEGACY_CONFIG_MSIX, 4), DISK_SECTORS);
	/* SeaBIOS order: queue first, requests before DRIVER_OK allowed (3.1.2). */
	legacy_ring(f, RING_GPA);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_PFN, 4, (uint32_t)(RING_GPA >> 12));
	request(f, 0, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_NOTIFY, 2, 0);
	assert_int_equal(status_of(f, 0), VIRTIO_BLK_S_OK);
	assert_int_equal(f->msi_count, 1);
	assert_int_equal(f->msi[0].data, 0x31);
	assert_false(f->intx);
	/* MSI-X off again: the configuration moves back to 20. */
	cfg_write(f, msix + PCI_MSIX_FLAGS, 2, 0);
	assert_int_equal(inp(g, IO_BASE + VIRTIO_PCI_LEGACY_CONFIG, 4), DISK_SECTORS);
}

/* SeaBIOS's legacy path: no feature write, bytes of configuration, polling. */
static void test_seabios_legacy(void **state)
{
	struct fixture *f = *state;
	struct test_guest *g = &f->g;

	assign_bars(f, true);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_STATUS, 1, 0);
	(void)inp(g, IO_BASE + VIRTIO_PCI_LEGACY_ISR, 1);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_STATUS, 1, 3);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_SEL, 2, 0);
	uint32_t num = inp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_NUM, 2);
	assert_true(num > 0 && num <= 256);
	assert_int_equal(inp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_PFN, 4), 0);
	legacy_ring(f, RING_GPA);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_PFN, 4, (uint32_t)(RING_GPA >> 12));
	uint8_t cfg[64];
	for (unsigned i = 0; i < sizeof(cfg); i++)
		cfg[i] = (uint8_t)inp(g, IO_BASE + VIRTIO_PCI_LEGACY_CONFIG + i, 1);
	assert_int_equal(cfg[0] | cfg[1] << 8, DISK_SECTORS);
	assert_int_equal(cfg[60], 0);   /* BAR0 is 128 bytes: past the configuration, 0 */
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_STATUS, 1, 7);
	/* No features were negotiated: no indirect descriptors, no EVENT_IDX. */
	assert_false(virtio_has_feature(virtio_blk_device(f->blk), VIRTIO_F_INDIRECT_DESC));
	request(f, 0, VIRTIO_BLK_T_IN, 0, DATA_GPA + 0x7C00, 512, true);
	outp(g, IO_BASE + VIRTIO_PCI_LEGACY_QUEUE_NOTIFY, 2, 0);
	assert_int_equal(used_idx(g), 1);
	assert_int_equal(status_of(f, 0), VIRTIO_BLK_S_OK);
	assert_int_equal(gp(g, DATA_GPA + 0x7C00)[3], 3);
	assert_int_equal(inp(g, IO_BASE + VIRTIO_PCI_LEGACY_ISR, 1), 1);
}

/* SeaBIOS with BAR4 above 4 GiB: everything through the configuration window. */
static uint64_t window_rw(struct fixture *f, unsigned window, bool write, uint32_t offset,
			  unsigned size, uint32_t value)
{
	cfg_write(f, window + VIRTIO_PCI_CAP_BAR, 1, VIRTIO_PCI_MODERN_BAR);
	cfg_write(f, window + VIRTIO_PCI_CAP_OFFSET, 4, offset);
	cfg_write(f, window + VIRTIO_PCI_CAP_LENGTH, 4, size);
	if (write) {
		cfg_write(f, window + VIRTIO_PCI_CFG_CAP_DATA, size, value);
		return 0;
	}
	return cfg_read(f, window + VIRTIO_PCI_CFG_CAP_DATA, size);
}

static void test_seabios_configuration_window(void **state)
{
	struct fixture *f = *state;
	struct test_guest *g = &f->g;
	unsigned w = find_virtio_cap(f, VIRTIO_PCI_CAP_PCI_CFG);

	/* BAR4 programmed above 4 GiB but memory decoding left off. */
	cfg_write(f, PCI_BASE_ADDRESS_0 + 16, 4, 0);
	cfg_write(f, PCI_BASE_ADDRESS_0 + 20, 4, 0x80);
	cfg_write(f, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	assert_null(bus_find(g->bus, BUS_SPACE_MMIO, BAR4_GPA));

	window_rw(f, w, true, VIRTIO_PCI_COMMON_STATUS, 1, 0);
	window_rw(f, w, true, VIRTIO_PCI_COMMON_STATUS, 1, 3);
	window_rw(f, w, true, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	assert_int_equal(window_rw(f, w, false, VIRTIO_PCI_COMMON_DF, 4, 0), 1);
	window_rw(f, w, true, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	window_rw(f, w, true, VIRTIO_PCI_COMMON_GF, 4, 1);
	window_rw(f, w, true, VIRTIO_PCI_COMMON_STATUS, 1, 0x0B);
	assert_int_equal(window_rw(f, w, false, VIRTIO_PCI_COMMON_STATUS, 1, 0), 0x0B);
	/* The capacity as SeaBIOS reads a u64: two dword windows. */
	uint64_t capacity = window_rw(f, w, false, VIRTIO_PCI_DEVICE_OFFSET, 4, 0) |
			    window_rw(f, w, false, VIRTIO_PCI_DEVICE_OFFSET + 4, 4, 0) << 32;
	assert_int_equal(capacity, DISK_SECTORS);
	window_rw(f, w, true, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	assert_int_equal(window_rw(f, w, false, VIRTIO_PCI_COMMON_Q_SIZE, 2, 0), 256);
	ring_layout(g, RING_GPA, 256);
	window_rw(f, w, true, VIRTIO_PCI_COMMON_Q_DESCLO, 4, (uint32_t)g->desc);
	window_rw(f, w, true, VIRTIO_PCI_COMMON_Q_AVAILLO, 4, (uint32_t)g->avail);
	window_rw(f, w, true, VIRTIO_PCI_COMMON_Q_USEDLO, 4, (uint32_t)g->used);
	window_rw(f, w, true, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	uint32_t noff = (uint32_t)window_rw(f, w, false, VIRTIO_PCI_COMMON_Q_NOFF, 2, 0);
	window_rw(f, w, true, VIRTIO_PCI_COMMON_STATUS, 1, 0x0F);
	request(f, 0, VIRTIO_BLK_T_IN, 7, DATA_GPA, 512, true);
	window_rw(f, w, true, VIRTIO_PCI_NOTIFY_OFFSET + noff * 4, 2, 0);
	assert_int_equal(status_of(f, 0), VIRTIO_BLK_S_OK);
	assert_int_equal(gp(g, DATA_GPA)[0], 7);     /* 7 + 3584 % 7 */
	/* The ISR through the window clears it like a direct read. */
	assert_int_equal(window_rw(f, w, false, VIRTIO_PCI_ISR_OFFSET, 1, 0), 1);
	assert_int_equal(window_rw(f, w, false, VIRTIO_PCI_ISR_OFFSET, 1, 0), 0);
	/* Windows outside the structures do nothing. */
	cfg_write(f, w + VIRTIO_PCI_CAP_BAR, 1, 1);
	cfg_write(f, w + VIRTIO_PCI_CAP_OFFSET, 4, 0);
	cfg_write(f, w + VIRTIO_PCI_CAP_LENGTH, 4, 4);
	cfg_write(f, w + VIRTIO_PCI_CFG_CAP_DATA, 4, 0x12345678);
	assert_int_equal(cfg_read(f, w + VIRTIO_PCI_CFG_CAP_DATA, 4), 0x12345678);
	window_rw(f, w, true, VIRTIO_PCI_MODERN_BAR_SIZE - 2, 4, 0);     /* runs past */
	window_rw(f, w, true, 2, 4, 0);                                  /* unaligned */
	window_rw(f, w, true, 0, 3, 0);                                  /* bad size  */
	assert_int_equal(window_rw(f, w, false, VIRTIO_PCI_COMMON_STATUS, 1, 0), 0x0F);
	assert_false(virtio_device_broken(virtio_blk_device(f->blk)));
}

static void test_machine_reset_and_bars(void **state)
{
	struct fixture *f = *state;
	struct test_guest *g = &f->g;

	linux_modern_init(f, true, 64);
	cfg_write(f, PCI_BASE_ADDRESS_0, 4, IO_BASE);
	cfg_write(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_IO);
	assert_non_null(bus_find(g->bus, BUS_SPACE_MMIO, BAR4_GPA));
	assert_non_null(bus_find(g->bus, BUS_SPACE_MMIO, BAR1_GPA));
	assert_non_null(bus_find(g->bus, BUS_SPACE_PIO, IO_BASE));
	/* Moving BAR4 moves the structures. */
	cfg_write(f, PCI_BASE_ADDRESS_0 + 20, 4, 0x90);
	assert_null(bus_find(g->bus, BUS_SPACE_MMIO, BAR4_GPA));
	assert_int_equal(rd(g, 0x9000000000ull + VIRTIO_PCI_COMMON_STATUS, 1), 0x0F);
	/* pci_host_reset(): the device, MSI-X and the BARs back to power-on. */
	pci_host_reset(f->host);
	struct virtio_device *vdev = virtio_blk_device(f->blk);
	assert_int_equal(vdev->status, 0);
	assert_false(virtio_queue(vdev, 0)->ready);
	assert_null(bus_find_overlap(g->bus, BUS_SPACE_MMIO, 0x100000000ull, ~0ull >> 1));
	assert_int_equal(cfg_read(f, PCI_COMMAND, 2), 0);
	virtio_pci_reset(f->vp);
	assert_int_equal(vdev->status, 0);
}

static void test_create_errors(void **state)
{
	struct fixture *f = *state;
	struct virtio_device *vdev = virtio_blk_device(f->blk);

	/* The slot is taken; the device already has a transport. */
	struct virtio_blk *other = virtio_blk_create("vdb", &f->g.mem, f->bd, NULL);
	assert_null(virtio_pci_create(f->host, SLOT, virtio_blk_device(other), VIRTIO_PCI_MODERN));
	assert_null(virtio_pci_create(f->host, SLOT + 1, vdev, VIRTIO_PCI_MODERN));
	assert_null(virtio_pci_create(NULL, SLOT + 1, virtio_blk_device(other), VIRTIO_PCI_MODERN));
	assert_null(virtio_pci_create(f->host, SLOT + 1, virtio_blk_device(other),
				      (enum virtio_pci_kind)7));
	/* No transitional id for a device type 0x10 (GPU). */
	virtio_blk_device(other)->device_id = 0x10;
	assert_null(virtio_pci_create(f->host, SLOT + 1, virtio_blk_device(other),
				      VIRTIO_PCI_TRANSITIONAL));
	struct virtio_pci *vp = virtio_pci_create(f->host, SLOT + 1, virtio_blk_device(other),
						  VIRTIO_PCI_MODERN);
	assert_non_null(vp);
	assert_int_equal(pci_host_config_read(f->host, 0, SLOT + 1, 0, PCI_DEVICE_ID, 2), 0x1050);
	assert_int_equal(pci_host_config_read(f->host, 0, SLOT + 1, 0, PCI_CLASS_DEVICE, 2), 0xFF00);
	virtio_pci_destroy(vp);
	assert_null(pci_host_function(f->host, SLOT + 1, 0));
	virtio_pci_destroy(NULL);
	virtio_blk_destroy(other);
}

#define MODERN(fn) cmocka_unit_test_setup_teardown(fn, setup_modern, teardown)
#define TRANSITIONAL(fn) cmocka_unit_test_setup_teardown(fn, setup_transitional, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		MODERN(test_modern_identity_and_capabilities),
		TRANSITIONAL(test_transitional_identity),
		MODERN(test_linux_modern_msix),
		MODERN(test_linux_modern_intx),
		MODERN(test_common_configuration_edges),
		TRANSITIONAL(test_linux_legacy_intx),
		TRANSITIONAL(test_legacy_msix_moves_the_configuration),
		TRANSITIONAL(test_seabios_legacy),
		MODERN(test_seabios_configuration_window),
		TRANSITIONAL(test_machine_reset_and_bars),
		MODERN(test_create_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
