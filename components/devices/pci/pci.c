/* SPDX-License-Identifier: MIT */
/*
 * Generic PCI functions and the host with configuration mechanism #1.
 *
 * Every configuration byte has a write mask and a write-1-to-clear mask,
 * so a guest write is applied byte by byte and needs no per-register
 * code; only registers with side effects (command, BARs, and whatever
 * the device handles in ops->config_write) are looked at afterwards.
 */
#include <errno.h>
#include <string.h>
#include <core/compiler.h>
#include <core/log.h>
#include <core/mm.h>
#include <pci/bridge.h>
#include <pci/msi.h>
#include <pci/msix.h>
#include <pci/pci.h>
#include "internal.h"

#define PCI_STATUS_W1C 0xF900   /* parity, signalled/received aborts, SERR */
#define PCI_COMMAND_WRITABLE \
	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE)
#define PCI_CAP_START 0x40
#define PCI_WARNINGS_PER_HOST 32
#define PCI_CF8_WRITABLE 0x80FFFFFCu   /* enable, bus, device, function, register */

static bool range_overlaps(unsigned off, unsigned width, unsigned start, unsigned len)
{
	return off < start + len && start < off + width;
}

static bool config_range_ok(const struct pci_function *fn, unsigned offset, unsigned width)
{
	return (width == 1 || width == 2 || width == 4) && offset < fn->config_size &&
	       width <= fn->config_size - offset;
}

/* ---- host-side byte access ------------------------------------------ */

uint8_t pci_config_get8(const struct pci_function *fn, unsigned offset)
{
	return offset < fn->config_size ? fn->config[offset] : 0xFF;
}

uint16_t pci_config_get16(const struct pci_function *fn, unsigned offset)
{
	return (uint16_t)(pci_config_get8(fn, offset) | pci_config_get8(fn, offset + 1) << 8);
}

uint32_t pci_config_get32(const struct pci_function *fn, unsigned offset)
{
	return (uint32_t)pci_config_get16(fn, offset) | (uint32_t)pci_config_get16(fn, offset + 2) << 16;
}

static void set_bytes(uint8_t *array, unsigned size, unsigned offset, unsigned width,
		      uint32_t value)
{
	for (unsigned i = 0; i < width && offset + i < size; i++)
		array[offset + i] = (uint8_t)(value >> (8 * i));
}

void pci_config_set8(struct pci_function *fn, unsigned offset, uint8_t value)
{
	set_bytes(fn->config, fn->config_size, offset, 1, value);
}

void pci_config_set16(struct pci_function *fn, unsigned offset, uint16_t value)
{
	set_bytes(fn->config, fn->config_size, offset, 2, value);
}

void pci_config_set32(struct pci_function *fn, unsigned offset, uint32_t value)
{
	set_bytes(fn->config, fn->config_size, offset, 4, value);
}

void pci_config_set_wmask(struct pci_function *fn, unsigned offset, unsigned width, uint32_t mask)
{
	set_bytes(fn->wmask, fn->config_size, offset, width, mask);
}

void pci_config_set_w1cmask(struct pci_function *fn, unsigned offset, unsigned width,
			    uint32_t mask)
{
	set_bytes(fn->w1cmask, fn->config_size, offset, width, mask);
}

/* ---- functions ------------------------------------------------------- */

int pci_function_init(struct pci_function *fn, const struct pci_function_info *info,
		      void *opaque)
{
	if (!fn || !info || info->interrupt_pin > 4)
		return -EINVAL;
	memset(fn, 0, sizeof(*fn));
	fn->info = info;
	fn->opaque = opaque;
	fn->config_size = info->express ? PCIE_CONFIG_SPACE_SIZE : PCI_CONFIG_SPACE_SIZE;
	fn->config = kzalloc(fn->config_size);
	fn->wmask = kzalloc(fn->config_size);
	fn->w1cmask = kzalloc(fn->config_size);
	if (!fn->config || !fn->wmask || !fn->w1cmask) {
		pci_function_release(fn);
		return -ENOMEM;
	}

	uint16_t sub_vendor = info->subsystem_vendor_id;
	uint16_t sub_id = info->subsystem_id;
	if (!sub_vendor && !sub_id) {
		sub_vendor = PCI_DEFAULT_SUBSYSTEM_VENDOR_ID;
		sub_id = PCI_DEFAULT_SUBSYSTEM_ID;
	}
	pci_config_set16(fn, PCI_VENDOR_ID, info->vendor_id);
	pci_config_set16(fn, PCI_DEVICE_ID, info->device_id);
	pci_config_set8(fn, PCI_REVISION_ID, info->revision);
	pci_config_set8(fn, PCI_CLASS_PROG, (uint8_t)info->class_code);
	pci_config_set16(fn, PCI_CLASS_DEVICE, (uint16_t)(info->class_code >> 8));
	pci_config_set8(fn, PCI_HEADER_TYPE, info->header_type);
	/* A type 1 header has the prefetchable window there instead. */
	if ((info->header_type & ~PCI_HEADER_TYPE_MULTI_FUNCTION) == PCI_HEADER_TYPE_NORMAL) {
		pci_config_set16(fn, PCI_SUBSYSTEM_VENDOR_ID, sub_vendor);
		pci_config_set16(fn, PCI_SUBSYSTEM_ID, sub_id);
	}
	pci_config_set8(fn, PCI_INTERRUPT_PIN, info->interrupt_pin);

	pci_config_set_wmask(fn, PCI_COMMAND, 2, PCI_COMMAND_WRITABLE);
	pci_config_set_w1cmask(fn, PCI_STATUS, 2, PCI_STATUS_W1C);
	pci_config_set_wmask(fn, PCI_CACHE_LINE_SIZE, 1, 0xFF);
	pci_config_set_wmask(fn, PCI_LATENCY_TIMER, 1, 0xFF);
	pci_config_set_wmask(fn, PCI_INTERRUPT_LINE, 1, 0xFF);

	fn->cap_next = PCI_CAP_START;
	irq_line_init(&fn->intx, info->name);
	return 0;
}

static void bar_unmap(struct pci_bar *b)
{
	if (!b->mapped)
		return;
	bus_unregister(b->mapped_bus, b->mapped_space, b->mapped_addr);
	b->mapped = false;
}

static void unmap_all_bars(struct pci_function *fn)
{
	for (unsigned i = 0; i < PCI_NUM_BARS; i++)
		bar_unmap(&fn->bar[i]);
}

void pci_function_release(struct pci_function *fn)
{
	unmap_all_bars(fn);
	kfree(fn->config);
	kfree(fn->wmask);
	kfree(fn->w1cmask);
	fn->config = fn->wmask = fn->w1cmask = NULL;
}

struct bus *pci_function_bus(const struct pci_function *fn)
{
	return fn->host ? fn->host->bus : NULL;
}

static bool is_power_of_two(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* Type 1 headers (bridges) have BAR0 and BAR1 only. */
unsigned pci_function_bar_count(const struct pci_function *fn)
{
	return (fn->info->header_type & ~PCI_HEADER_TYPE_MULTI_FUNCTION) == PCI_HEADER_TYPE_BRIDGE ?
	       PCI_BRIDGE_NUM_BARS : PCI_NUM_BARS;
}

int pci_declare_bar(struct pci_function *fn, unsigned bar, enum pci_bar_type type,
		    uint64_t size, bool prefetchable)
{
	unsigned count = pci_function_bar_count(fn);

	if (bar >= count || !is_power_of_two(size) || fn->bar[bar].type != PCI_BAR_NONE)
		return -EINVAL;
	if (bar > 0 && fn->bar[bar - 1].type == PCI_BAR_MEM64)
		return -EINVAL;   /* the upper half of a 64-bit BAR */
	unsigned reg = PCI_BASE_ADDRESS_0 + 4 * bar;
	uint64_t address_mask = ~(size - 1);

	switch (type) {
	case PCI_BAR_IO:
		if (size < 4 || size > 0x10000 || prefetchable)
			return -EINVAL;
		pci_config_set32(fn, reg, PCI_BAR_SPACE_IO);
		pci_config_set_wmask(fn, reg, 4, (uint32_t)address_mask & ~3u);
		break;
	case PCI_BAR_MEM32:
		if (size < 16 || size > 0x80000000u)
			return -EINVAL;
		pci_config_set32(fn, reg, prefetchable ? PCI_BAR_MEM_PREFETCH : 0);
		pci_config_set_wmask(fn, reg, 4, (uint32_t)address_mask & ~0xFu);
		break;
	case PCI_BAR_MEM64:
		if (size < 16 || bar + 1 >= count || fn->bar[bar + 1].type != PCI_BAR_NONE)
			return -EINVAL;
		pci_config_set32(fn, reg, PCI_BAR_MEM_TYPE_64 |
				 (prefetchable ? PCI_BAR_MEM_PREFETCH : 0));
		pci_config_set_wmask(fn, reg, 4, (uint32_t)address_mask & ~0xFu);
		pci_config_set_wmask(fn, reg + 4, 4, (uint32_t)(address_mask >> 32));
		break;
	default:
		return -EINVAL;
	}
	fn->bar[bar].type = type;
	fn->bar[bar].size = size;
	fn->bar[bar].prefetchable = prefetchable;
	return 0;
}

uint64_t pci_bar_address(const struct pci_function *fn, unsigned bar)
{
	if (bar >= PCI_NUM_BARS)
		return 0;
	uint32_t low = pci_config_get32(fn, PCI_BASE_ADDRESS_0 + 4 * bar);
	switch (fn->bar[bar].type) {
	case PCI_BAR_IO:
		return low & ~3u;
	case PCI_BAR_MEM32:
		return low & ~0xFu;
	case PCI_BAR_MEM64:
		return (uint64_t)pci_config_get32(fn, PCI_BASE_ADDRESS_0 + 4 * bar + 4) << 32 |
		       (low & ~0xFu);
	default:
		return 0;
	}
}

/*
 * Whether every bridge between fn and the host forwards the BAR's range.
 * A function not attached anywhere is judged by its own registers; one
 * on a bus that is cut off from the host (a detached bridge) never
 * decodes.
 */
static bool bar_routed(const struct pci_function *fn, const struct pci_bar *b, uint64_t base)
{
	const struct pci_bus *bus = fn->parent_bus;

	if (!bus)
		return true;
	while (bus->bridge) {
		const struct pci_bridge *br = bus->bridge;
		if (!pci_bridge_forwards(br, b->type, base, b->size))
			return false;
		bus = br->fn.parent_bus;
		if (!bus)
			return false;
	}
	return true;
}

/*
 * Whether the BAR should decode at its programmed base.  The sizing
 * pattern (all-ones) is excluded because its last byte hits the top of
 * the space, and base 0 because firmware leaves unassigned BARs at 0.
 */
static bool bar_decodes(const struct pci_function *fn, unsigned bar, uint64_t base)
{
	uint16_t command = pci_config_get16(fn, PCI_COMMAND);
	const struct pci_bar *b = &fn->bar[bar];
	uint64_t last = base + b->size - 1;
	bool own;

	if (!base || last < base)
		return false;
	switch (b->type) {
	case PCI_BAR_IO:
		own = (command & PCI_COMMAND_IO) && last <= 0xFFFF;
		break;
	case PCI_BAR_MEM32:
		own = (command & PCI_COMMAND_MEMORY) && last < 0xFFFFFFFFu;
		break;
	case PCI_BAR_MEM64:
		own = (command & PCI_COMMAND_MEMORY) && last != UINT64_MAX;
		break;
	default:
		return false;
	}
	return own && bar_routed(fn, b, base);
}

/*
 * Puts the region of a BAR with handlers on the bus at its base.  The
 * guest chooses the base, so a clash with another region is a guest
 * mistake: reported through the host's rate limit, and the BAR stays
 * unmapped.
 */
static void bar_map(struct pci_function *fn, unsigned bar)
{
	struct pci_bar *b = &fn->bar[bar];
	struct pci_host *host = fn->host;
	enum bus_space space = BUS_SPACE_MMIO;
	uint64_t addr = b->base;

	if (!b->ops || !host)
		return;
	if (b->type == PCI_BAR_IO) {
		space = host->io_space;
		addr = host->io_base + b->base;
		if (addr < host->io_base) {
			pci_host_warn(host, "%s: %s BAR%u at I/O %#llx is outside the I/O window\n",
				      host->name, fn->info->name, bar, (unsigned long long)b->base);
			return;
		}
	}
	const struct bus_region *clash = bus_find_overlap(host->bus, space, addr, b->size);
	if (clash) {
		pci_host_warn(host, "%s: %s BAR%u at %#llx overlaps %s at %#llx; not mapped\n",
			      host->name, fn->info->name, bar, (unsigned long long)addr,
			      clash->name, (unsigned long long)clash->base);
		return;
	}
	struct bus_region region = {
		.name = fn->info->name, .space = space, .base = addr, .size = b->size,
		.ops = b->ops, .opaque = b->opaque, .rules = b->rules,
	};
	if (bus_register(host->bus, &region))
		return;
	b->mapped = true;
	b->mapped_bus = host->bus;
	b->mapped_space = space;
	b->mapped_addr = addr;
}

static void update_bars(struct pci_function *fn)
{
	if (!fn->config)
		return;
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		struct pci_bar *b = &fn->bar[i];
		if (b->type == PCI_BAR_NONE)
			continue;
		uint64_t base = pci_bar_address(fn, i);
		bool enabled = bar_decodes(fn, i, base);
		if (base == b->base && enabled == b->enabled)
			continue;
		b->base = base;
		b->enabled = enabled;
		bar_unmap(b);
		if (enabled)
			bar_map(fn, i);
		if (fn->info->ops && fn->info->ops->bar_update)
			fn->info->ops->bar_update(fn, i, base, enabled);
	}
}

int pci_bar_set_handler(struct pci_function *fn, unsigned bar, const struct bus_ops *ops,
			void *opaque, const struct bus_rules *rules)
{
	if (bar >= PCI_NUM_BARS || fn->bar[bar].type == PCI_BAR_NONE || !ops)
		return -EINVAL;
	struct pci_bar *b = &fn->bar[bar];
	bar_unmap(b);
	b->ops = ops;
	b->opaque = opaque;
	b->rules = rules ? *rules : (struct bus_rules){ 0 };
	if (b->enabled)
		bar_map(fn, bar);
	return 0;
}

/* The BARs of every function on bus and on the buses behind it. */
void pci_bus_update_bars(struct pci_bus *bus)
{
	for (unsigned i = 0; i < PCI_FUNCTIONS_PER_BUS; i++) {
		struct pci_function *fn = bus->fn[i];
		if (!fn)
			continue;
		update_bars(fn);
		if (fn->bridge)
			pci_bus_update_bars(&fn->bridge->secondary);
	}
}

static bool msix_enabled(const struct pci_function *fn)
{
	return (fn->msix && pci_msix_enabled(fn->msix)) || (fn->msi && pci_msi_enabled(fn->msi));
}

/*
 * While MSI or MSI-X is enabled the function must not use its INTx pin
 * (PCI 3.0, 6.8.1 and 6.8.2).
 */
static void update_intx(struct pci_function *fn)
{
	uint16_t status = pci_config_get16(fn, PCI_STATUS);
	bool disabled = pci_config_get16(fn, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE;

	if (fn->intx_level)
		status |= PCI_STATUS_INTERRUPT;
	else
		status &= (uint16_t)~PCI_STATUS_INTERRUPT;
	pci_config_set16(fn, PCI_STATUS, status);
	irq_line_set(&fn->intx, fn->intx_level && !disabled && !msix_enabled(fn));
}

void pci_set_irq(struct pci_function *fn, bool level)
{
	fn->intx_level = level;
	update_intx(fn);
}

void pci_send_msi(struct pci_function *fn, uint64_t address, uint32_t data)
{
	struct pci_host *host = fn->host;

	if (!host)
		return;
	if (!host->msi_fn) {
		if (!host->msi_dropped_reported)
			log_warn("%s: %s sent an MSI (%#llx <- %#x) but the machine delivers none\n",
				 host->name, fn->info->name, (unsigned long long)address, data);
		host->msi_dropped_reported = true;
		return;
	}
	host->msi_fn(host->msi_opaque, address, data);
}

void pci_reserve_config(struct pci_function *fn, unsigned end)
{
	end = (end + 3) & ~3u;
	if (end > fn->cap_next)
		fn->cap_next = end;
}

int pci_add_capability(struct pci_function *fn, uint8_t id, unsigned size)
{
	if (size < 2)
		return -EINVAL;
	unsigned offset = fn->cap_next;
	/* Standard capabilities live in the first 256 bytes, pointers are 8-bit. */
	if (offset >= PCI_CONFIG_SPACE_SIZE || size > PCI_CONFIG_SPACE_SIZE - offset)
		return -ENOSPC;

	pci_config_set8(fn, offset, id);
	pci_config_set8(fn, offset + 1, 0);
	if (fn->cap_last)
		pci_config_set8(fn, fn->cap_last + 1, (uint8_t)offset);
	else
		pci_config_set8(fn, PCI_CAPABILITY_LIST, (uint8_t)offset);
	pci_config_set16(fn, PCI_STATUS, pci_config_get16(fn, PCI_STATUS) | PCI_STATUS_CAP_LIST);
	fn->cap_last = offset;
	fn->cap_next = (offset + size + 3) & ~3u;
	return (int)offset;
}

uint32_t pci_function_config_read(struct pci_function *fn, unsigned offset, unsigned width)
{
	if (!config_range_ok(fn, offset, width))
		return 0xFFFFFFFFu;
	uint32_t value = 0;
	for (unsigned i = 0; i < width; i++)
		value |= (uint32_t)fn->config[offset + i] << (8 * i);
	if (fn->info->ops && fn->info->ops->config_read)
		value = fn->info->ops->config_read(fn, offset, width, value);
	return value;
}

void pci_function_config_write(struct pci_function *fn, unsigned offset, unsigned width,
			       uint32_t value)
{
	if (!config_range_ok(fn, offset, width))
		return;
	for (unsigned i = 0; i < width; i++) {
		unsigned at = offset + i;
		uint8_t byte = (uint8_t)(value >> (8 * i));
		uint8_t writable = fn->wmask[at];
		fn->config[at] = (uint8_t)((fn->config[at] & ~writable) | (byte & writable));
		fn->config[at] &= (uint8_t)~(byte & fn->w1cmask[at]);
	}
	if (range_overlaps(offset, width, PCI_COMMAND, 2) ||
	    range_overlaps(offset, width, PCI_BASE_ADDRESS_0, 4 * PCI_NUM_BARS))
		update_bars(fn);
	bool msix_control = fn->msix && pci_msix_overlaps_control(fn->msix, offset, width);
	if (msix_control)
		pci_msix_control_written(fn->msix);
	bool msi_written = fn->msi && pci_msi_overlaps(fn->msi, offset, width);
	if (msi_written)
		pci_msi_config_written(fn->msi);
	if (range_overlaps(offset, width, PCI_COMMAND, 2) || msix_control || msi_written)
		update_intx(fn);
	if (fn->bridge)
		pci_bridge_config_written(fn->bridge, offset, width);
	if (fn->info->ops && fn->info->ops->config_write)
		fn->info->ops->config_write(fn, offset, width, value);
}

void pci_function_reset(struct pci_function *fn)
{
	pci_config_set16(fn, PCI_COMMAND, 0);
	uint16_t status = pci_config_get16(fn, PCI_STATUS);
	pci_config_set16(fn, PCI_STATUS, status & (uint16_t)~PCI_STATUS_W1C);
	for (unsigned i = 0; i < pci_function_bar_count(fn); i++) {
		unsigned reg = PCI_BASE_ADDRESS_0 + 4 * i;
		uint32_t address_bits = (uint32_t)fn->wmask[reg] | (uint32_t)fn->wmask[reg + 1] << 8 |
			(uint32_t)fn->wmask[reg + 2] << 16 | (uint32_t)fn->wmask[reg + 3] << 24;
		pci_config_set32(fn, reg, pci_config_get32(fn, reg) & ~address_bits);
	}
	pci_config_set8(fn, PCI_CACHE_LINE_SIZE, 0);
	pci_config_set8(fn, PCI_LATENCY_TIMER, 0);
	pci_config_set8(fn, PCI_INTERRUPT_LINE, 0);
	fn->intx_level = false;
	if (fn->msix)
		pci_msix_reset(fn->msix);
	if (fn->msi)
		pci_msi_reset(fn->msi);
	if (fn->bridge)
		pci_bridge_reset_registers(fn->bridge);
	update_bars(fn);
	update_intx(fn);
	if (fn->info->ops && fn->info->ops->reset)
		fn->info->ops->reset(fn);
	/* A bridge's reset reaches everything on its secondary side. */
	if (fn->bridge)
		pci_bridge_reset_secondary(fn->bridge);
}

/* ---- the host -------------------------------------------------------- */

void pci_host_warn(struct pci_host *host, const char *fmt, ...)
{
	if (!host->warnings_left)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_vprintf(LOG_WARN, fmt, ap);
	va_end(ap);
	if (--host->warnings_left == 0)
		log_warn("%s: further guest access reports suppressed\n", host->name);
}

struct pci_host *pci_host_create(struct bus *bus, const char *name)
{
	struct pci_host *host = kzalloc(sizeof(*host));
	if (!host)
		return NULL;
	host->bus = bus;
	host->name = name ? name : "pci";
	host->warnings_left = PCI_WARNINGS_PER_HOST;
	host->io_space = BUS_SPACE_PIO;
	host->root.host = host;
	return host;
}

/*
 * Connects or disconnects everything behind bus (its functions, and the
 * buses behind their bridges) to host.
 */
static void set_subtree_host(struct pci_bus *bus, struct pci_host *host)
{
	bus->host = host;
	for (unsigned i = 0; i < PCI_FUNCTIONS_PER_BUS; i++) {
		struct pci_function *fn = bus->fn[i];
		if (!fn)
			continue;
		if (!host)
			unmap_all_bars(fn);
		fn->host = host;
		if (fn->bridge)
			set_subtree_host(&fn->bridge->secondary, host);
	}
}

void pci_host_destroy(struct pci_host *host)
{
	if (!host)
		return;
	if (host->cf8_registered) {
		bus_unregister(host->bus, BUS_SPACE_PIO, PCI_CF8_PORT);
		bus_unregister(host->bus, BUS_SPACE_PIO, PCI_CFC_PORT);
	}
	if (host->ecam_buses)
		bus_unregister(host->bus, BUS_SPACE_MMIO, host->ecam_base);
	set_subtree_host(&host->root, NULL);
	/* Bridges outlive the host: their functions leave bus 0, which goes. */
	for (unsigned i = 0; i < PCI_FUNCTIONS_PER_BUS; i++)
		if (host->root.fn[i])
			host->root.fn[i]->parent_bus = NULL;
	kfree(host);
}

struct bus *pci_host_bus(const struct pci_host *host)
{
	return host->bus;
}

struct pci_bus *pci_host_root_bus(struct pci_host *host)
{
	return host ? &host->root : NULL;
}

static void update_multifunction(struct pci_bus *bus, unsigned device)
{
	struct pci_function *fn0 = bus->fn[device << 3];
	bool others = false;

	if (!fn0)
		return;
	for (unsigned f = 1; f < PCI_FUNCTIONS_PER_DEVICE; f++)
		others |= bus->fn[device << 3 | f] != NULL;
	pci_config_set8(fn0, PCI_HEADER_TYPE, others ?
			(uint8_t)(fn0->info->header_type | PCI_HEADER_TYPE_MULTI_FUNCTION) :
			fn0->info->header_type);
}

/* Whether bus is the secondary bus of br or lies behind it. */
static bool bus_is_behind(const struct pci_bus *bus, const struct pci_bridge *br)
{
	while (bus && bus->bridge) {
		if (bus->bridge == br)
			return true;
		bus = bus->bridge->fn.parent_bus;
	}
	return false;
}

int pci_bus_attach(struct pci_bus *bus, unsigned device, unsigned function,
		   struct pci_function *fn)
{
	if (!bus || !fn || !fn->config || device >= PCI_DEVICES_PER_BUS ||
	    function >= PCI_FUNCTIONS_PER_DEVICE)
		return -EINVAL;
	const char *name = bus->host ? bus->host->name : "pci";
	if (bus->device0_only && device != 0) {
		log_error("%s: %s: only device 0 exists below a PCIe downstream port\n", name,
			  fn->info->name);
		return -EINVAL;
	}
	if (fn->bridge && bus_is_behind(bus, fn->bridge))
		return -EINVAL;
	if (fn->parent_bus)
		return -EBUSY;
	unsigned devfn = device << 3 | function;
	if (bus->fn[devfn]) {
		log_error("%s: %02x.%u is taken by %s, cannot attach %s\n", name, device,
			  function, bus->fn[devfn]->info->name, fn->info->name);
		return -EBUSY;
	}
	bus->fn[devfn] = fn;
	fn->parent_bus = bus;
	fn->host = bus->host;
	fn->devfn = (uint8_t)devfn;
	if (fn->bridge)
		set_subtree_host(&fn->bridge->secondary, bus->host);
	update_multifunction(bus, device);
	if (bus->bridge)
		pci_bridge_child_attached(bus->bridge, fn);
	/* Behind bridges, what decodes depends on their windows. */
	update_bars(fn);
	if (fn->bridge)
		pci_bus_update_bars(&fn->bridge->secondary);
	return 0;
}

int pci_host_attach(struct pci_host *host, unsigned device, unsigned function,
		    struct pci_function *fn)
{
	return pci_bus_attach(&host->root, device, function, fn);
}

void pci_bus_detach_function(struct pci_function *fn)
{
	struct pci_bus *bus = fn ? fn->parent_bus : NULL;

	if (!bus || bus->fn[fn->devfn] != fn)
		return;
	bus->fn[fn->devfn] = NULL;
	if (bus->bridge)
		pci_bridge_child_detached(bus->bridge, fn);
	fn->parent_bus = NULL;
	unmap_all_bars(fn);
	fn->host = NULL;
	if (fn->bridge) {
		/* Nothing behind it is reachable any more: tell the devices. */
		pci_bus_update_bars(&fn->bridge->secondary);
		set_subtree_host(&fn->bridge->secondary, NULL);
	}
	update_multifunction(bus, fn->devfn >> 3);
}

void pci_host_detach(struct pci_host *host, struct pci_function *fn)
{
	if (!host || !fn || fn->host != host)
		return;
	pci_bus_detach_function(fn);
}

struct pci_function *pci_bus_function(const struct pci_bus *bus, unsigned device,
				      unsigned function)
{
	if (!bus || device >= PCI_DEVICES_PER_BUS || function >= PCI_FUNCTIONS_PER_DEVICE)
		return NULL;
	if (bus->device0_only && device != 0)
		return NULL;
	return bus->fn[device << 3 | function];
}

struct pci_function *pci_host_function(const struct pci_host *host, unsigned device,
				       unsigned function)
{
	return pci_bus_function(&host->root, device, function);
}

/*
 * The bus a configuration cycle for bus number reaches: bus 0 is the
 * host's; otherwise the cycle goes down through the bridge whose
 * secondary..subordinate range holds number (the first one, in device
 * order, if the guest made ranges overlap) until a bridge's secondary
 * bus is number.  A bridge with secondary bus 0 forwards nothing.
 */
static struct pci_bus *find_bus(struct pci_host *host, unsigned number)
{
	struct pci_bus *bus = &host->root;

	if (number == 0)
		return bus;
	if (number > 0xFF)
		return NULL;
	for (;;) {
		struct pci_bus *next = NULL;
		for (unsigned i = 0; i < PCI_FUNCTIONS_PER_BUS && !next; i++) {
			struct pci_function *fn = bus->fn[i];
			if (!fn || !fn->bridge)
				continue;
			unsigned secondary = pci_config_get8(fn, PCI_SECONDARY_BUS);
			unsigned subordinate = pci_config_get8(fn, PCI_SUBORDINATE_BUS);
			if (secondary && secondary <= number && number <= subordinate)
				next = &fn->bridge->secondary;
		}
		if (!next)
			return NULL;
		if (pci_bus_number(next) == number)
			return next;
		bus = next;   /* the tree is finite: every step goes one bus deeper */
	}
}

/*
 * The extended space (0x100..0xFFF through ECAM) of a function with 256
 * bytes: what an OS reads to learn there is none (Linux reads 0x100 of
 * every function).  It reads all-ones and drops writes, without a report.
 */
static bool beyond_conventional_space(const struct pci_function *fn, unsigned offset,
				      unsigned width)
{
	return (width == 1 || width == 2 || width == 4) && offset >= fn->config_size &&
	       offset + width <= PCIE_CONFIG_SPACE_SIZE;
}

static struct pci_function *config_target(struct pci_host *host, unsigned bus,
					  unsigned device, unsigned function)
{
	return pci_bus_function(find_bus(host, bus), device, function);
}

uint32_t pci_host_config_read(struct pci_host *host, unsigned bus, unsigned device,
			      unsigned function, unsigned offset, unsigned width)
{
	struct pci_function *fn = config_target(host, bus, device, function);
	if (!fn)
		return 0xFFFFFFFFu;
	if (beyond_conventional_space(fn, offset, width))
		return 0xFFFFFFFFu;
	if (!config_range_ok(fn, offset, width)) {
		pci_host_warn(host, "%s: config read of %u bytes at %02x:%02x.%u+%#x refused\n",
			      host->name, width, bus, device, function, offset);
		return 0xFFFFFFFFu;
	}
	return pci_function_config_read(fn, offset, width);
}

void pci_host_config_write(struct pci_host *host, unsigned bus, unsigned device,
			   unsigned function, unsigned offset, unsigned width, uint32_t value)
{
	struct pci_function *fn = config_target(host, bus, device, function);
	if (!fn)
		return;
	if (beyond_conventional_space(fn, offset, width))
		return;
	if (!config_range_ok(fn, offset, width)) {
		pci_host_warn(host, "%s: config write of %u bytes at %02x:%02x.%u+%#x refused\n",
			      host->name, width, bus, device, function, offset);
		return;
	}
	pci_function_config_write(fn, offset, width, value);
}

static void remap_io_bars(struct pci_bus *bus)
{
	for (unsigned i = 0; i < PCI_FUNCTIONS_PER_BUS; i++) {
		struct pci_function *fn = bus->fn[i];
		if (!fn)
			continue;
		for (unsigned bar = 0; bar < PCI_NUM_BARS; bar++) {
			if (fn->bar[bar].type == PCI_BAR_IO && fn->bar[bar].enabled) {
				bar_unmap(&fn->bar[bar]);
				bar_map(fn, bar);
			}
		}
		if (fn->bridge)
			remap_io_bars(&fn->bridge->secondary);
	}
}

void pci_host_set_io_window(struct pci_host *host, enum bus_space space, uint64_t base)
{
	host->io_space = space;
	host->io_base = base;
	remap_io_bars(&host->root);
}

void pci_host_set_msi_handler(struct pci_host *host, pci_msi_fn fn, void *opaque)
{
	host->msi_fn = fn;
	host->msi_opaque = opaque;
}

/* Bridges pass the reset on to their secondary side (pci_function_reset). */
void pci_host_reset(struct pci_host *host)
{
	host->cf8 = 0;
	for (unsigned i = 0; i < PCI_FUNCTIONS_PER_BUS; i++)
		if (host->root.fn[i])
			pci_function_reset(host->root.fn[i]);
}

/* ---- configuration mechanism #1 -------------------------------------- */

static uint64_t cf8_read(void *opaque, uint64_t offset, unsigned width)
{
	struct pci_host *host = opaque;
	if (offset == 0 && width == 4)
		return host->cf8;
	if (offset == 1 && width == 1 && host->cf9_ops && host->cf9_ops->read)
		return host->cf9_ops->read(host->cf9_opaque, 0, 1);
	return ~0ull;
}

static void cf8_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct pci_host *host = opaque;
	if (offset == 0 && width == 4)
		host->cf8 = (uint32_t)value & PCI_CF8_WRITABLE;
	else if (offset == 1 && width == 1 && host->cf9_ops && host->cf9_ops->write)
		host->cf9_ops->write(host->cf9_opaque, 0, 1, value);
	/* Other partial writes do not reach the address latch (Linux probes with them). */
}

static const struct bus_ops cf8_ops = {
	.read = cf8_read,
	.write = cf8_write,
};

/* Mechanism #1 reaches the first 256 bytes only, even of PCIe functions. */
static bool cfc_target(struct pci_host *host, uint64_t port_offset, unsigned width,
		       unsigned *bus, unsigned *device, unsigned *function, unsigned *reg)
{
	uint32_t address = host->cf8;
	if (!(address & 0x80000000u) || port_offset + width > 4)
		return false;
	*bus = (address >> 16) & 0xFF;
	*device = (address >> 11) & 0x1F;
	*function = (address >> 8) & 0x7;
	*reg = (address & 0xFC) + (unsigned)port_offset;
	if (*reg + width > PCI_CONFIG_SPACE_SIZE) {
		pci_host_warn(host, "%s: config access of %u bytes at %#x crosses 256\n",
			      host->name, width, *reg);
		return false;
	}
	return true;
}

static uint64_t cfc_read(void *opaque, uint64_t offset, unsigned width)
{
	struct pci_host *host = opaque;
	unsigned bus, device, function, reg;
	if (!cfc_target(host, offset, width, &bus, &device, &function, &reg))
		return ~0ull;
	return pci_host_config_read(host, bus, device, function, reg, width);
}

static void cfc_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct pci_host *host = opaque;
	unsigned bus, device, function, reg;
	if (cfc_target(host, offset, width, &bus, &device, &function, &reg))
		pci_host_config_write(host, bus, device, function, reg, width, (uint32_t)value);
}

static const struct bus_ops cfc_ops = {
	.read = cfc_read,
	.write = cfc_write,
};

int pci_host_register_cf8(struct pci_host *host)
{
	/* Byte accesses reach 0xCF9 and 0xCFB; no splitting, no merging. */
	static const struct bus_rules rules = {
		.min_width = 1,
		.max_width = 4,
		.unaligned_ok = true,
		.oversize = BUS_OVERSIZE_REJECT,
		.undersize = BUS_UNDERSIZE_REJECT,
	};
	if (host->cf8_registered)
		return 0;
	int err = bus_register_pio(host->bus, "pci-cf8", PCI_CF8_PORT, 4, &cf8_ops, host, &rules);
	if (err)
		return err;
	err = bus_register_pio(host->bus, "pci-cfc", PCI_CFC_PORT, 4, &cfc_ops, host, &rules);
	if (err) {
		bus_unregister(host->bus, BUS_SPACE_PIO, PCI_CF8_PORT);
		return err;
	}
	host->cf8_registered = true;
	return 0;
}

uint32_t pci_host_cf8_address(const struct pci_host *host)
{
	return host->cf8;
}

void pci_host_set_port_cf9(struct pci_host *host, const struct bus_ops *ops, void *opaque)
{
	host->cf9_ops = ops;
	host->cf9_opaque = opaque;
}
