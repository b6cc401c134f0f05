/* SPDX-License-Identifier: MIT */
/*
 * The guest device tree of the virt machine (<virt/fdt.h>): the board's
 * nodes as QEMU's hw/arm/virt.c writes them (create_fdt, fdt_add_cpu_nodes,
 * create_gic, fdt_add_timer_nodes, fdt_add_psci_node, create_flash), then
 * one node per device instance from its class.
 */
#include <virt/fdt.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bus/device.h>
#include <lib/fdt_writer.h>

#define GIC_PHANDLE   1
#define CLOCK_PHANDLE 2

/* Interrupt specifier of the GICv3 binding: type, number, flags. */
#define GIC_SPI 0
#define GIC_PPI 1
#define IRQ_LEVEL_HIGH 4

/* Architected timer PPIs of the virt machine. */
#define TIMER_PPI_SECURE_EL1    13
#define TIMER_PPI_NONSECURE_EL1 14
#define TIMER_PPI_VIRTUAL       11
#define TIMER_PPI_NONSECURE_EL2 10

#define VIRT_MAX_CPUS 123   /* redistributors up to the UART at 0x09000000 */
#define VIRT_RAM_MAX  (255ULL << 30)

uint64_t virt_fdt_cpu_mpidr(unsigned int index)
{
	return (uint64_t)(index / 16) << 8 | (index % 16);
}

static void reg_property(struct fdt_writer *w, unsigned int count, const uint64_t *pairs)
{
	uint32_t cells[16];

	for (unsigned int i = 0; i < 2 * count; i++) {
		cells[2 * i] = (uint32_t)(pairs[i] >> 32);
		cells[2 * i + 1] = (uint32_t)pairs[i];
	}
	fdt_writer_property_cells(w, "reg", cells, 4 * count);
}

static void reg_one(struct fdt_writer *w, uint64_t base, uint64_t size)
{
	const uint64_t pair[2] = { base, size };

	reg_property(w, 1, pair);
}

/* An instance's irq n is SPI n, level-high: <0 n 4>. */
static unsigned int spi_cells(const struct device_fdt_env *fe, unsigned int irq, uint32_t *cells)
{
	(void)fe;
	cells[0] = GIC_SPI;
	cells[1] = irq;
	cells[2] = IRQ_LEVEL_HIGH;
	return 3;
}

static void add_cpus(struct fdt_writer *w, unsigned int cpus)
{
	char name[24];

	fdt_writer_begin_node(w, "cpus");
	fdt_writer_property_u32(w, "#address-cells", 1);
	fdt_writer_property_u32(w, "#size-cells", 0);
	for (unsigned int i = 0; i < cpus; i++) {
		uint32_t mpidr = (uint32_t)virt_fdt_cpu_mpidr(i);

		snprintf(name, sizeof(name), "cpu@%x", mpidr);
		fdt_writer_begin_node(w, name);
		fdt_writer_property_string(w, "device_type", "cpu");
		fdt_writer_property_string(w, "compatible", "arm,arm-v8");
		fdt_writer_property_string(w, "enable-method", "psci");
		fdt_writer_property_u32(w, "reg", mpidr);
		fdt_writer_end_node(w);
	}
	fdt_writer_end_node(w);
}

static void add_gic(struct fdt_writer *w, unsigned int cpus)
{
	const uint64_t regs[4] = {
		VIRT_GIC_DIST_BASE, VIRT_GIC_DIST_SIZE,
		VIRT_GIC_REDIST_BASE, (uint64_t)cpus * VIRT_GIC_REDIST_STRIDE,
	};

	fdt_writer_begin_node(w, "intc@8000000");
	fdt_writer_property_string(w, "compatible", "arm,gic-v3");
	fdt_writer_property_u32(w, "#interrupt-cells", 3);
	fdt_writer_property_empty(w, "interrupt-controller");
	fdt_writer_property_u32(w, "#address-cells", 2);
	fdt_writer_property_u32(w, "#size-cells", 2);
	fdt_writer_property_empty(w, "ranges");
	reg_property(w, 2, regs);
	fdt_writer_property_u32(w, "phandle", GIC_PHANDLE);
	fdt_writer_end_node(w);
}

static void add_timer(struct fdt_writer *w)
{
	static const char *const compatible[] = { "arm,armv8-timer", "arm,armv7-timer" };
	const uint32_t interrupts[12] = {
		GIC_PPI, TIMER_PPI_SECURE_EL1, IRQ_LEVEL_HIGH,
		GIC_PPI, TIMER_PPI_NONSECURE_EL1, IRQ_LEVEL_HIGH,
		GIC_PPI, TIMER_PPI_VIRTUAL, IRQ_LEVEL_HIGH,
		GIC_PPI, TIMER_PPI_NONSECURE_EL2, IRQ_LEVEL_HIGH,
	};

	fdt_writer_begin_node(w, "timer");
	fdt_writer_property_strings(w, "compatible", compatible, 2);
	fdt_writer_property_empty(w, "always-on");
	fdt_writer_property_cells(w, "interrupts", interrupts, 12);
	fdt_writer_end_node(w);
}

static void add_psci(struct fdt_writer *w)
{
	static const char *const compatible[] = { "arm,psci-1.0", "arm,psci-0.2", "arm,psci" };

	fdt_writer_begin_node(w, "psci");
	fdt_writer_property_strings(w, "compatible", compatible, 3);
	fdt_writer_property_string(w, "method", "hvc");
	fdt_writer_end_node(w);
}

/* The PrimeCell devices' bus clock; Linux will not probe a PL011 without it. */
static void add_apb_clock(struct fdt_writer *w)
{
	fdt_writer_begin_node(w, "apb-pclk");
	fdt_writer_property_string(w, "compatible", "fixed-clock");
	fdt_writer_property_u32(w, "#clock-cells", 0);
	fdt_writer_property_u32(w, "clock-frequency", 24000000);
	fdt_writer_property_string(w, "clock-output-names", "clk24mhz");
	fdt_writer_property_u32(w, "phandle", CLOCK_PHANDLE);
	fdt_writer_end_node(w);
}

/* One node for both banks: AAVMF takes the bank it is not running from
 * as its variable store. */
static void add_flash(struct fdt_writer *w)
{
	const uint64_t banks[4] = {
		VIRT_FLASH_BASE, VIRT_FLASH_BANK_SIZE,
		VIRT_FLASH_BASE + VIRT_FLASH_BANK_SIZE, VIRT_FLASH_BANK_SIZE,
	};

	fdt_writer_begin_node(w, "flash@0");
	fdt_writer_property_string(w, "compatible", "cfi-flash");
	reg_property(w, 2, banks);
	fdt_writer_property_u32(w, "bank-width", 4);
	fdt_writer_end_node(w);
}

/*
 * The PCI Express host bridge, as QEMU's create_pcie() describes its gpex
 * (generic ECAM host): configuration space at the low ECAM window, I/O
 * and 32-bit memory windows, and legacy interrupts swizzled over SPI 3..6
 * (pin P of slot S: SPI 3 + (S + P) mod 4).  No msi-parent: the board has
 * no ITS, so functions use INTx.  AAVMF's PCI host bridge driver and
 * Linux's pci-host-generic take it from here.
 */
#define PCI_SPACE_IO    0x01000000u
#define PCI_SPACE_MEM32 0x02000000u

static void add_pcie(struct fdt_writer *w)
{
	static const uint32_t ranges[] = {
		PCI_SPACE_IO, 0, 0,
		(uint32_t)(VIRT_PCIE_PIO_BASE >> 32), (uint32_t)VIRT_PCIE_PIO_BASE,
		0, (uint32_t)VIRT_PCIE_PIO_SIZE,
		PCI_SPACE_MEM32, (uint32_t)(VIRT_PCIE_MMIO_BASE >> 32), (uint32_t)VIRT_PCIE_MMIO_BASE,
		(uint32_t)(VIRT_PCIE_MMIO_BASE >> 32), (uint32_t)VIRT_PCIE_MMIO_BASE,
		(uint32_t)(VIRT_PCIE_MMIO_SIZE >> 32), (uint32_t)VIRT_PCIE_MMIO_SIZE,
	};
	const uint32_t bus_range[2] = { 0, VIRT_PCIE_ECAM_BUSES - 1 };
	const uint32_t map_mask[4] = { 0x1800, 0, 0, 7 };
	uint32_t map[4 * 4 * 10];
	unsigned int n = 0;

	fdt_writer_begin_node(w, "pcie@10000000");
	fdt_writer_property_string(w, "compatible", "pci-host-ecam-generic");
	fdt_writer_property_string(w, "device_type", "pci");
	fdt_writer_property_u32(w, "#address-cells", 3);
	fdt_writer_property_u32(w, "#size-cells", 2);
	fdt_writer_property_u32(w, "linux,pci-domain", 0);
	fdt_writer_property_cells(w, "bus-range", bus_range, 2);
	fdt_writer_property_empty(w, "dma-coherent");
	reg_one(w, VIRT_PCIE_ECAM_BASE, (uint64_t)VIRT_PCIE_ECAM_BUSES << 20);
	fdt_writer_property_cells(w, "ranges", ranges, sizeof(ranges) / sizeof(ranges[0]));
	fdt_writer_property_u32(w, "#interrupt-cells", 1);
	for (uint32_t slot = 0; slot < 4; slot++) {
		for (uint32_t pin = 0; pin < 4; pin++) {
			const uint32_t entry[10] = {
				slot << 11, 0, 0, pin + 1,              /* child unit address, INTx */
				GIC_PHANDLE, 0, 0,                       /* the GIC, its unit address */
				GIC_SPI, VIRT_PCIE_SPI + (slot + pin) % 4, IRQ_LEVEL_HIGH,
			};

			memcpy(&map[n], entry, sizeof(entry));
			n += 10;
		}
	}
	/* Longer than fdt_writer_property_cells() takes: big-endian by hand. */
	uint8_t be[sizeof(map)];

	for (unsigned int i = 0; i < n; i++) {
		be[4 * i] = (uint8_t)(map[i] >> 24);
		be[4 * i + 1] = (uint8_t)(map[i] >> 16);
		be[4 * i + 2] = (uint8_t)(map[i] >> 8);
		be[4 * i + 3] = (uint8_t)map[i];
	}
	fdt_writer_property(w, "interrupt-map", be, 4 * (size_t)n);
	fdt_writer_property_cells(w, "interrupt-map-mask", map_mask, 4);
	fdt_writer_end_node(w);
}

static void add_chosen(struct fdt_writer *w, const struct virt_fdt_desc *d)
{
	fdt_writer_begin_node(w, "chosen");
	if (d->bootargs)
		fdt_writer_property_string(w, "bootargs", d->bootargs);
	if (d->initrd_end) {
		fdt_writer_property_u64(w, "linux,initrd-start", d->initrd_start);
		fdt_writer_property_u64(w, "linux,initrd-end", d->initrd_end);
	}
	if (d->console) {
		char path[64];

		/* The node name device_write_fdt() gives it. */
		snprintf(path, sizeof(path), "/%s@%llx", d->console->cls->fdt_name,
			 (unsigned long long)d->console->base[0]);
		fdt_writer_property_string(w, "stdout-path", path);
	}
	fdt_writer_end_node(w);
}

static bool desc_is_valid(const struct virt_fdt_desc *d)
{
	uint64_t ram_end = VIRT_RAM_BASE + d->memory_size;

	if (d->cpus < 1 || d->cpus > VIRT_MAX_CPUS)
		return false;
	if (d->device_count && !d->devices)
		return false;
	if (d->console && (!d->console->cls->fdt_name || !d->console->cls->range_count))
		return false;
	if (d->memory_size == 0 || d->memory_size > VIRT_RAM_MAX)
		return false;
	if (d->initrd_start || d->initrd_end) {
		if (d->initrd_start < VIRT_RAM_BASE || d->initrd_end <= d->initrd_start ||
		    d->initrd_end > ram_end)
			return false;
	}
	return true;
}

long virt_fdt_build(void *buf, size_t size, const struct virt_fdt_desc *d)
{
	struct device_fdt_env fe = { .irq_cells = spi_cells };
	struct fdt_writer w;
	bool need_clock = false;

	if (!desc_is_valid(d))
		return -EINVAL;

	fdt_writer_init(&w, buf, size);
	fdt_writer_begin_node(&w, "");
	fdt_writer_property_string(&w, "compatible", "linux,dummy-virt");
	fdt_writer_property_u32(&w, "#address-cells", 2);
	fdt_writer_property_u32(&w, "#size-cells", 2);
	fdt_writer_property_u32(&w, "interrupt-parent", GIC_PHANDLE);

	add_psci(&w);
	fdt_writer_begin_node(&w, "memory@40000000");
	fdt_writer_property_string(&w, "device_type", "memory");
	reg_one(&w, VIRT_RAM_BASE, d->memory_size);
	fdt_writer_end_node(&w);
	add_cpus(&w, d->cpus);
	add_gic(&w, d->cpus);
	add_timer(&w);
	for (unsigned int i = 0; i < d->device_count; i++)
		if (d->devices[i].cls->fdt_apb_clock)
			need_clock = true;
	if (need_clock)
		add_apb_clock(&w);
	fe.apb_clock_phandle = need_clock ? CLOCK_PHANDLE : 0;
	for (unsigned int i = 0; i < d->device_count; i++)
		device_write_fdt(&d->devices[i], &w, &fe);
	if (d->flash)
		add_flash(&w);
	if (d->pcie)
		add_pcie(&w);
	add_chosen(&w, d);
	fdt_writer_end_node(&w);
	return fdt_writer_finish(&w);
}
