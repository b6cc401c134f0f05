/* SPDX-License-Identifier: MIT */
/*
 * Virtual GICv3 redistributors: per vCPU an RD_base frame (control,
 * identification, GICR_TYPER for discovery, GICR_WAKER) and an SGI_base
 * frame with the banked registers of SGIs and PPIs.  Software finds its
 * redistributor by walking the frames until GICR_TYPER's affinity matches
 * its MPIDR, stopping at the frame with GICR_TYPER.Last.
 */
#include <stddef.h>

#include <bus/bus.h>
#include <core/log.h>
#include "internal.h"

static uint64_t gicr_typer(const struct vgic3 *v, unsigned vcpu)
{
	uint64_t typer = (uint64_t)vcpu << GICR_TYPER_AFF_SHIFT |     /* Aff0 = vCPU index */
			 (uint64_t)vcpu << GICR_TYPER_PROC_SHIFT;
	if (vcpu == v->nr_vcpus - 1)
		typer |= GICR_TYPER_LAST;
	return typer;
}

static uint64_t rd_read(struct vgic3 *v, unsigned vcpu, uint32_t offset, unsigned width)
{
	struct vgic3_redist *rd = &v->redist[vcpu];

	switch (offset) {
	case GICR_CTLR:        /* no LPIs; writes complete at once: RWP = 0 */
	case GICR_STATUSR:
		return 0;
	case GICR_IIDR:
		return GIC_IIDR_VALUE;
	case GICR_TYPER:
		return width == 8 ? gicr_typer(v, vcpu) : (uint32_t)gicr_typer(v, vcpu);
	case GICR_TYPER + 4:
		return gicr_typer(v, vcpu) >> 32;
	case GICR_WAKER:
		/* The children fall asleep and wake up the moment they are told to. */
		return rd->processor_sleep ? GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP : 0;
	default:
		if (offset >= GICD_PIDR4)
			return vgic3_id_register(offset, true);
		vgic3_warn(v, "redistributor read of a reserved register", offset);
		return 0;
	}
}

static void rd_write(struct vgic3 *v, unsigned vcpu, uint32_t offset, uint64_t value)
{
	switch (offset) {
	case GICR_CTLR:        /* EnableLPIs is RES0 without LPIs */
	case GICR_STATUSR:
		return;
	case GICR_WAKER:
		v->redist[vcpu].processor_sleep = value & GICR_WAKER_PROCESSOR_SLEEP;
		return;
	default:
		vgic3_warn(v, "redistributor write to a read-only or reserved register", offset);
	}
}

/* Which 1-bit-per-INTID register of the SGI frame, or -1. */
static int sgi_bit_register(uint32_t offset)
{
	if (offset < GICR_IGROUPR0 || offset >= GICR_IPRIORITYR0 || (offset & 0x7F))
		return -1;
	return (int)((offset - GICR_IGROUPR0) / 0x80);
}

static const struct {
	enum vgic3_irq_bit which;
	bool set;
} sgi_bit_registers[7] = {
	{ VGIC3_BIT_GROUP, true },   { VGIC3_BIT_ENABLE, true }, { VGIC3_BIT_ENABLE, false },
	{ VGIC3_BIT_PENDING, true }, { VGIC3_BIT_PENDING, false },
	{ VGIC3_BIT_ACTIVE, true },  { VGIC3_BIT_ACTIVE, false },
};

static uint64_t sgi_read(struct vgic3 *v, unsigned vcpu, uint32_t offset, unsigned width)
{
	int reg = sgi_bit_register(offset);

	if (reg >= 0)
		return vgic3_bits_read(v, vcpu, 0, sgi_bit_registers[reg].which);
	if (offset >= GICR_IPRIORITYR0 && offset < GICR_IPRIORITYR0 + VGIC3_NR_PRIVATE)
		return vgic3_priority_read(v, vcpu, offset - GICR_IPRIORITYR0, width);
	if (offset == GICR_ICFGR0 || offset == GICR_ICFGR1)
		return vgic3_cfg_read(v, vcpu, (offset - GICR_ICFGR0) * 4);
	if (offset == GICR_IGRPMODR0 || offset == GICR_NSACR)
		return 0;     /* single security state */
	vgic3_warn(v, "SGI frame read of a reserved register", VGIC3_SGI_FRAME + offset);
	return 0;
}

static void sgi_write(struct vgic3 *v, unsigned vcpu, uint32_t offset, unsigned width,
		      uint64_t value, vgic3_kick_set *kicks)
{
	int reg = sgi_bit_register(offset);

	if (reg >= 0) {
		vgic3_bits_write(v, vcpu, 0, sgi_bit_registers[reg].which, sgi_bit_registers[reg].set,
				 (uint32_t)value, kicks);
		if (reg == 0)     /* IGROUPR0 is read-write: the zeros clear */
			vgic3_bits_write(v, vcpu, 0, VGIC3_BIT_GROUP, false, ~(uint32_t)value, kicks);
		return;
	}
	if (offset >= GICR_IPRIORITYR0 && offset < GICR_IPRIORITYR0 + VGIC3_NR_PRIVATE) {
		vgic3_priority_write(v, vcpu, offset - GICR_IPRIORITYR0, width, value);
		return;
	}
	if (offset == GICR_ICFGR0 || offset == GICR_ICFGR1) {
		vgic3_cfg_write(v, vcpu, (offset - GICR_ICFGR0) * 4, (uint32_t)value);
		return;
	}
	if (offset == GICR_IGRPMODR0 || offset == GICR_NSACR)
		return;
	vgic3_warn(v, "SGI frame write to a reserved register", VGIC3_SGI_FRAME + offset);
}

static uint64_t gicr_read(void *opaque, uint64_t offset, unsigned width)
{
	struct vgic3_window *w = opaque;
	struct vgic3 *v = w->v;
	uint32_t frame_offset = w->frame_offset + (uint32_t)offset;
	uint64_t value;

	spin_lock(&v->lock);
	if (frame_offset < VGIC3_SGI_FRAME)
		value = rd_read(v, w->vcpu, frame_offset, width);
	else
		value = sgi_read(v, w->vcpu, frame_offset - VGIC3_SGI_FRAME, width);
	vgic3_unlock(v);
	return value;
}

static void gicr_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct vgic3_window *w = opaque;
	struct vgic3 *v = w->v;
	uint32_t frame_offset = w->frame_offset + (uint32_t)offset;
	vgic3_kick_set kicks = 0;

	spin_lock(&v->lock);
	if (frame_offset < VGIC3_SGI_FRAME)
		rd_write(v, w->vcpu, frame_offset, value);
	else
		sgi_write(v, w->vcpu, frame_offset - VGIC3_SGI_FRAME, width, value, &kicks);
	vgic3_unlock(v);
	vgic3_kick_all(v, kicks);
}

static const struct bus_ops gicr_ops = {
	.read = gicr_read,
	.write = gicr_write,
};

/* One redistributor (both frames) cut where the access widths change. */
static const struct {
	uint32_t offset, size;
	const struct bus_rules *rules;
	const char *name;
} gicr_layout[VGIC3_REDIST_WINDOWS] = {
	{ 0x00000, 0x0008, &vgic3_rules_word, "vgic3-gicr" },
	{ 0x00008, 0x0008, &vgic3_rules_wide, "vgic3-gicr-typer" },
	{ 0x00010, 0xFFF0, &vgic3_rules_word, "vgic3-gicr" },
	{ 0x10000, 0x0400, &vgic3_rules_word, "vgic3-gicr-sgi" },
	{ 0x10400, 0x0020, &vgic3_rules_bytes, "vgic3-gicr-ipriorityr" },
	{ 0x10420, 0xFBE0, &vgic3_rules_word, "vgic3-gicr-sgi" },
};

static uint64_t window_base(const struct vgic3 *v, unsigned index)
{
	return v->redist_base + (uint64_t)(index / VGIC3_REDIST_WINDOWS) * VGIC3_REDIST_STRIDE +
	       gicr_layout[index % VGIC3_REDIST_WINDOWS].offset;
}

void vgic3_redist_unregister(struct vgic3 *v)
{
	while (v->redist_registered > 0) {
		v->redist_registered--;
		bus_unregister(v->bus, BUS_SPACE_MMIO, window_base(v, v->redist_registered));
	}
}

int vgic3_redist_register(struct vgic3 *v)
{
	for (unsigned i = 0; i < v->nr_vcpus * VGIC3_REDIST_WINDOWS; i++) {
		struct vgic3_window *w = &v->redist_window[i];
		unsigned part = i % VGIC3_REDIST_WINDOWS;
		int err;

		w->v = v;
		w->vcpu = (uint16_t)(i / VGIC3_REDIST_WINDOWS);
		w->frame_offset = gicr_layout[part].offset;
		err = bus_register_mmio(v->bus, gicr_layout[part].name, window_base(v, i),
					gicr_layout[part].size, &gicr_ops, w, gicr_layout[part].rules);
		if (err) {
			vgic3_redist_unregister(v);
			return err;
		}
		v->redist_registered++;
	}
	return 0;
}

void vgic3_redist_reset(struct vgic3 *v)
{
	for (unsigned c = 0; c < v->nr_vcpus; c++) {
		struct vgic3_redist *rd = &v->redist[c];

		rd->processor_sleep = true;
		for (unsigned i = 0; i < VGIC3_NR_PRIVATE; i++) {
			bool line = rd->irq[i].line;

			/* SGIs edge, PPIs level (the timer), all Group 1, disabled. */
			rd->irq[i] = (struct vgic3_irq){ .group1 = true, .edge = i < 16, .line = line };
		}
	}
}
