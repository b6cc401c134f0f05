/* SPDX-License-Identifier: MIT */
/*
 * A transitional virtio-blk PCI function under guest traffic: its
 * configuration space through ECAM (BARs, command register, MSI-X
 * control, the PCI configuration access window), its three BARs wherever
 * they are mapped (legacy I/O, MSI-X table, modern structures), function
 * and device resets and configuration changes, with guest RAM holding
 * whatever rings and requests the input carries.  Besides the
 * sanitizers, after every step:
 *   - the identity registers never change;
 *   - a BAR's bus region exists only while the BAR decodes, at its base;
 *   - INTx is low while MSI-X is enabled, and every MSI message is one
 *     of the table's unmasked vectors while MSI-X is on and unmasked;
 *   - DEVICE_NEEDS_RESET and the device's broken state agree.
 *
 * Input: [0] number of 8-byte commands, the commands
 *   {op, a, b, c, value (32 bits)}, op % 8 (see the switch below);
 * then guest RAM (64 KiB at 0x40000000) from its start.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <blockdev/blockdev.h>
#include <bus/bus.h>
#include <core/log.h>
#include <pci/msix.h>
#include <pci/pci.h>
#include <virtio/virtio_blk.h>
#include <virtio/virtio_pci.h>

#define RAM_BASE 0x40000000ull
#define RAM_SIZE 0x10000u
#define ECAM_BASE 0xE0000000ull
#define SLOT 3

static uint8_t ram[RAM_SIZE];
static uint8_t disk[64 * 512];
static struct pci_function *fn;

static void msi_check(void *opaque, uint64_t address, uint32_t data)
{
	const struct pci_msix *msix = fn->msix;
	bool found = false;

	(void)opaque;
	if (!pci_msix_enabled(msix) ||
	    (pci_config_get16(fn, msix->cap + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_MASKALL))
		abort();
	for (unsigned v = 0; v < msix->vectors; v++) {
		const struct pci_msix_entry *e = &msix->table[v];
		if (!(e->control & PCI_MSIX_ENTRY_CTRL_MASKBIT) && e->data == data &&
		    ((uint64_t)e->address_hi << 32 | e->address_lo) == address)
			found = true;
	}
	if (!found)
		abort();
}

static uint64_t bus_rw(struct bus *bus, enum bus_space space, bool write, uint64_t addr,
		       unsigned width, uint64_t value)
{
	struct bus_access acc = {
		.space = space, .dir = write ? BUS_WRITE : BUS_READ, .addr = addr,
		.width = width, .data = value,
	};
	bus_dispatch(bus, &acc);
	return acc.data;
}

static uint64_t config_rw(struct bus *bus, bool write, unsigned reg, unsigned width, uint32_t value)
{
	return bus_rw(bus, BUS_SPACE_MMIO, write, ECAM_BASE + (SLOT << 15) + reg, width, value);
}

static void check(struct bus *bus, struct virtio_device *vdev)
{
	if (config_rw(bus, false, PCI_VENDOR_ID, 4, 0) != 0x10011AF4u ||
	    config_rw(bus, false, PCI_SUBSYSTEM_ID, 2, 0) != VIRTIO_ID_BLOCK)
		abort();
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		const struct pci_bar *b = &fn->bar[i];
		if (!b->mapped)
			continue;
		const struct bus_region *r = bus_find(bus, b->mapped_space, b->mapped_addr);
		if (!b->enabled || !r || r->base != b->base || r->size != b->size)
			abort();
	}
	if (pci_msix_enabled(fn->msix) && fn->intx.level)
		abort();
	if (((vdev->status & VIRTIO_STATUS_NEEDS_RESET) != 0) != virtio_device_broken(vdev))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned widths[4] = { 1, 2, 4, 8 };
	struct guest_mem mem;

	if (size < 1)
		return 0;
	log_set_level(LOG_ERROR);
	size_t commands = data[0];
	size_t ram_at = 1 + 8 * commands;
	if (ram_at > size) {
		commands = (size - 1) / 8;
		ram_at = size;
	}
	memset(ram, 0, sizeof(ram));
	memcpy(ram, data + ram_at, size - ram_at < RAM_SIZE ? size - ram_at : RAM_SIZE);
	memset(disk, 0xA5, sizeof(disk));
	guest_mem_init(&mem);
	guest_mem_add(&mem, RAM_BASE, RAM_SIZE, ram, false);

	struct bus *bus = bus_create("fuzz");
	struct pci_host *host = pci_host_create(bus, "pci0");
	if (!bus || !host || pci_host_map_ecam(host, ECAM_BASE, 1))
		abort();
	pci_host_set_msi_handler(host, msi_check, NULL);
	struct blockdev *bd = memdisk_create("disk", disk, sizeof(disk), data[0] & 1);
	struct virtio_blk *blk = virtio_blk_create("vda", &mem, bd, "fuzz");
	struct virtio_pci *vp = virtio_pci_create(host, SLOT, virtio_blk_device(blk),
						  VIRTIO_PCI_TRANSITIONAL);
	struct virtio_device *vdev = virtio_blk_device(blk);
	if (!bd || !blk || !vp)
		abort();
	fn = virtio_pci_function(vp);

	for (size_t i = 0; i < commands; i++) {
		const uint8_t *c = data + 1 + 8 * i;
		uint32_t value = (uint32_t)(c[4] | c[5] << 8 | c[6] << 16 | (uint32_t)c[7] << 24);
		bool write = c[3] & 4;
		unsigned width = widths[c[3] & 3];
		uint16_t offset = (uint16_t)(c[1] | c[2] << 8);

		switch (c[0] % 8) {
		case 0:   /* configuration space */
		case 1:
			config_rw(bus, write, c[1], width > 4 ? 4 : width, value);
			break;
		case 2:   /* the modern structures, wherever BAR4 is */
			bus_rw(bus, BUS_SPACE_MMIO, write,
			       fn->bar[VIRTIO_PCI_MODERN_BAR].base + offset % VIRTIO_PCI_MODERN_BAR_SIZE,
			       width, value);
			break;
		case 3:   /* the legacy block */
			bus_rw(bus, BUS_SPACE_PIO, write,
			       fn->bar[VIRTIO_PCI_LEGACY_BAR].base + offset % 128, width, value);
			break;
		case 4:   /* MSI-X table and PBA */
			bus_rw(bus, BUS_SPACE_MMIO, write,
			       fn->bar[VIRTIO_PCI_MSIX_BAR].base + offset % PCI_MSIX_BAR_SIZE, width,
			       value);
			break;
		case 5:
			if (c[1] & 1)
				pci_host_reset(host);
			else
				virtio_pci_reset(vp);
			break;
		case 6:
			bd->size = (uint64_t)(value % 65) * 512;
			virtio_blk_update_capacity(blk);
			break;
		default:  /* what firmware does: BARs at sane places, decoding on */
			config_rw(bus, true, PCI_BASE_ADDRESS_0, 4, 0xC000);
			config_rw(bus, true, PCI_BASE_ADDRESS_0 + 4, 4, 0xFEB00000u);
			config_rw(bus, true, PCI_BASE_ADDRESS_0 + 16, 4, 0);
			config_rw(bus, true, PCI_BASE_ADDRESS_0 + 20, 4, 0x80);
			config_rw(bus, true, PCI_COMMAND, 2, c[1] & 0x407);
			break;
		}
		check(bus, vdev);
	}

	virtio_pci_destroy(vp);
	virtio_blk_destroy(blk);
	blockdev_destroy(bd);
	pci_host_destroy(host);
	if (bus_find_overlap(bus, BUS_SPACE_MMIO, 0, ~0ull) || bus_find_overlap(bus, BUS_SPACE_PIO, 0, 0x10000))
		abort();   /* everything the function mapped went with it */
	bus_destroy(bus);
	return 0;
}
