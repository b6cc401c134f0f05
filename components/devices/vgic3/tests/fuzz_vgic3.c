/* SPDX-License-Identifier: MIT */
/*
 * Guest MMIO, device lines, SGIs and the list-register cycle of the EL2
 * backend in any order against the virtual GICv3 (3 vCPUs, 40 SPIs: the
 * last ITLines word is partly unimplemented).
 * Each step: opcode byte (low 3 bits), then operands:
 *   0: read   (frame: 1 byte, offset: 2 bytes, width selector: 1 byte)
 *   1: write  (frame, offset, width as for read, value: 8 bytes)
 *      frame 0 is the distributor, 1-3 the redistributors of vCPUs 0-2
 *   2: SPI line (pin: 1 byte, level: 1 byte)
 *   3: PPI line (vcpu: 1 byte, intid: 1 byte, level: 1 byte)
 *   4: ICC_SGI1R_EL1 write (sender: 1 byte, value: 8 bytes)
 *   5: fill list registers (vcpu: 1 byte, free LRs: 1 byte)
 *   6: take one back (vcpu: 1 byte, which: 1 byte, state: 1 byte)
 *   7: reset
 * Invariants: the LRs handed out are valid, ordered, never handed out
 * twice, and can be synced exactly once; nothing pure-pending is handed
 * out when vgic3_has_pending() says no; the ID registers never change;
 * kicks name existing vCPUs; the set of busy SPIs the scans walk is
 * exactly the SPIs that are latched, high, active or in a list register.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bus/bus.h>
#include <vgic3/vgic3.h>
#include "../internal.h"

#define VCPUS 3
#define SPIS 40
#define MAX_HELD 16

struct held {
	struct vgic3_lr lr[MAX_HELD];
	unsigned count;
};

static void check_kick(void *ctx, unsigned vcpu)
{
	(void)ctx;
	if (vcpu >= VCPUS)
		abort();
}

static uint32_t read32(struct bus *bus, uint64_t addr)
{
	struct bus_access a = { BUS_SPACE_MMIO, BUS_READ, addr, 4, 0 };

	if (bus_dispatch(bus, &a) != BUS_OK)
		abort();
	return (uint32_t)a.data;
}

static bool is_held(const struct held *held, uint32_t intid, unsigned vcpu)
{
	for (unsigned c = 0; c < VCPUS; c++) {
		if (intid < 32 && c != vcpu)
			continue;
		for (unsigned i = 0; i < held[c].count; i++)
			if (held[c].lr[i].intid == intid)
				return true;
	}
	return false;
}

static void check_order(const struct vgic3_lr *lr, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		bool prev_active = lr[i - 1].state & VGIC3_LR_ACTIVE, active = lr[i].state & VGIC3_LR_ACTIVE;

		if (active && !prev_active)
			abort();
		if (active == prev_active && lr[i].priority < lr[i - 1].priority)
			abort();
	}
}

static void fill(struct vgic3 *v, struct held *held, unsigned vcpu, unsigned max)
{
	struct held *h = &held[vcpu];
	struct vgic3_lr lr[MAX_HELD];
	bool pending = vgic3_has_pending(v, vcpu);
	unsigned room = MAX_HELD - h->count, n;

	if (max > room)
		max = room;
	n = vgic3_pending_for(v, vcpu, lr, max);
	if (n > max)
		abort();
	check_order(lr, n);
	for (unsigned i = 0; i < n; i++) {
		if (lr[i].intid >= 32 + SPIS || lr[i].state == VGIC3_LR_INVALID || lr[i].state > 3)
			abort();
		if (lr[i].priority & ~VGIC3_PRIORITY_MASK)
			abort();
		if (lr[i].state == VGIC3_LR_PENDING && !pending)
			abort();
		if (is_held(held, lr[i].intid, vcpu))
			abort();
		if (vgic3_lr_to_ich_lr(&lr[i]) >> 62 != lr[i].state)
			abort();
		h->lr[h->count++] = lr[i];
	}
}

static void take_back(struct vgic3 *v, struct held *held, unsigned vcpu, unsigned which,
		      unsigned state)
{
	struct held *h = &held[vcpu];
	uint32_t intid;

	if (h->count == 0) {
		/* nothing held by this vCPU: any sync must be refused */
		if (vgic3_sync_lr(v, vcpu, 32 + which % SPIS, (enum vgic3_lr_state)(state & 3)) == 0)
			abort();
		return;
	}
	which %= h->count;
	intid = h->lr[which].intid;
	if (vgic3_sync_lr(v, vcpu, intid, (enum vgic3_lr_state)(state & 3)) != 0)
		abort();
	h->lr[which] = h->lr[--h->count];
	/* exactly once */
	if (vgic3_sync_lr(v, vcpu, intid, VGIC3_LR_INVALID) == 0)
		abort();
}

/*
 * The scans skip idle SPIs: none may be missing from the busy set, none idle
 * in it, and no bit is set beyond the SPIs that exist (compared word by word:
 * this check runs after every step).
 */
static void check_busy_set(const struct vgic3 *v)
{
	uint64_t expect[sizeof(v->spi_busy) / sizeof(v->spi_busy[0])] = { 0 };

	for (unsigned n = 0; n < SPIS; n++)
		if (vgic3_spi_busy(&v->spi[n]))
			expect[n / 64] |= 1ULL << (n % 64);
	if (memcmp(expect, v->spi_busy, sizeof(expect)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned widths[4] = { 1, 2, 4, 8 };
	struct bus *bus = bus_create("fuzz");
	struct held held[VCPUS];
	struct vgic3 *v;
	size_t i = 0;

	if (!bus)
		return 0;
	v = vgic3_create(bus, VGIC3_VIRT_DIST_BASE, VGIC3_VIRT_REDIST_BASE, VCPUS, SPIS);
	if (!v) {
		bus_destroy(bus);
		return 0;
	}
	vgic3_set_kick(v, check_kick, NULL);
	memset(held, 0, sizeof(held));

	while (i < size) {
		uint8_t op = data[i++] & 7;
		struct bus_access a = { .space = BUS_SPACE_MMIO };
		uint64_t value = 0;

		switch (op) {
		case 0:
		case 1: {
			unsigned frame;

			if (i + 4 > size)
				goto out;
			frame = data[i] % (VCPUS + 1);
			a.addr = (frame == 0 ? VGIC3_VIRT_DIST_BASE
					     : VGIC3_VIRT_REDIST_BASE + (frame - 1) * (uint64_t)VGIC3_REDIST_STRIDE) +
				 (((uint64_t)data[i + 1] | (uint64_t)data[i + 2] << 8) << (frame ? 1 : 0));
			a.width = widths[data[i + 3] & 3];
			a.dir = op ? BUS_WRITE : BUS_READ;
			i += 4;
			if (op) {
				if (i + 8 > size)
					goto out;
				memcpy(&value, data + i, 8);
				i += 8;
				a.data = value;
			}
			bus_dispatch(bus, &a);
			break;
		}
		case 2:
			if (i + 2 > size)
				goto out;
			vgic3_spi_sink(v, data[i] % (SPIS + 4), data[i + 1] & 1);
			i += 2;
			break;
		case 3:
			if (i + 3 > size)
				goto out;
			vgic3_set_ppi(v, data[i] % (VCPUS + 1), data[i + 1] % 40, data[i + 2] & 1);
			i += 3;
			break;
		case 4:
			if (i + 9 > size)
				goto out;
			memcpy(&value, data + i + 1, 8);
			vgic3_write_sgi1r(v, data[i] % (VCPUS + 1), value);
			i += 9;
			break;
		case 5:
			if (i + 2 > size)
				goto out;
			if (data[i] % (VCPUS + 1) < VCPUS)
				fill(v, held, data[i] % (VCPUS + 1), data[i + 1] % 8);
			i += 2;
			break;
		case 6:
			if (i + 3 > size)
				goto out;
			take_back(v, held, data[i] % VCPUS, data[i + 1], data[i + 2]);
			i += 3;
			break;
		default:
			vgic3_reset(v);
			memset(held, 0, sizeof(held));
			break;
		}
		if (read32(bus, VGIC3_VIRT_DIST_BASE + GICD_TYPER) != 0x02480002 ||
		    read32(bus, VGIC3_VIRT_DIST_BASE + GICD_PIDR2) != 0x3B)
			abort();
		if ((read32(bus, VGIC3_VIRT_DIST_BASE + GICD_CTLR) & 0x80000050) != 0x50)
			abort();
		if (read32(bus, VGIC3_VIRT_REDIST_BASE + 2 * VGIC3_REDIST_STRIDE + GICR_TYPER) != 0x210)
			abort();
		check_busy_set(v);
	}
out:
	vgic3_destroy(v);
	bus_destroy(bus);
	return 0;
}
