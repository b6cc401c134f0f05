/* SPDX-License-Identifier: MIT */
/*
 * Virtual GICv3: interrupt state, the inputs (SPI lines, PPIs, SGIs), the
 * list-register interface and the distributor registers.  The
 * redistributor frames are in redist.c.
 *
 * Every entry point takes v->lock.  Anything that may have made an
 * interrupt deliverable collects the vCPUs concerned in a kick set, and
 * kicks them after the lock is dropped.
 */
#include <errno.h>
#include <stddef.h>

#include <bus/bus.h>
#include <bus/irq.h>
#include <core/log.h>
#include <core/mm.h>
#include "internal.h"

#define VGIC3_WARN_LIMIT 16
#define VGIC3_ROUTER_AFFINITY 0x00FFFFFFull  /* Aff2.Aff1.Aff0; no A3V, no 1-of-N */

/* PrimeCell-style ID block at 0xFFD0-0xFFFC: PIDR4-7, PIDR0-3, CIDR0-3. */
static const uint8_t gicd_id_bytes[12] = { 0x44, 0, 0, 0, 0x92, 0xB4, 0x3B, 0, 0x0D, 0xF0, 0x05, 0xB1 };
static const uint8_t gicr_id_bytes[12] = { 0x44, 0, 0, 0, 0x93, 0xB4, 0x3B, 0, 0x0D, 0xF0, 0x05, 0xB1 };

const struct bus_rules vgic3_rules_word = {
	.min_width = 4, .max_width = 4, .unaligned_ok = false,
	.oversize = BUS_OVERSIZE_REJECT, .undersize = BUS_UNDERSIZE_REJECT,
};
const struct bus_rules vgic3_rules_bytes = {
	.min_width = 1, .max_width = 4, .unaligned_ok = false,
	.oversize = BUS_OVERSIZE_REJECT, .undersize = BUS_UNDERSIZE_REJECT,
};
const struct bus_rules vgic3_rules_wide = {
	.min_width = 4, .max_width = 8, .unaligned_ok = false,
	.oversize = BUS_OVERSIZE_REJECT, .undersize = BUS_UNDERSIZE_REJECT,
};

void vgic3_warn(struct vgic3 *v, const char *what, uint64_t offset)
{
	if (v->warnings >= VGIC3_WARN_LIMIT)
		return;
	v->warnings++;
	log_warn("vgic3: %s at offset 0x%llx%s", what, (unsigned long long)offset,
		 v->warnings == VGIC3_WARN_LIMIT ? "; further warnings suppressed" : "");
}

uint32_t vgic3_id_register(uint32_t offset, bool redistributor)
{
	const uint8_t *ids = redistributor ? gicr_id_bytes : gicd_id_bytes;

	return ids[(offset - GICD_PIDR4) / 4];
}

/* ---- interrupt state ----------------------------------------------------- */

struct vgic3_irq *vgic3_irq(struct vgic3 *v, unsigned vcpu, unsigned intid)
{
	if (intid < VGIC3_NR_PRIVATE)
		return vcpu < v->nr_vcpus ? &v->redist[vcpu].irq[intid] : NULL;
	if (intid - VGIC3_NR_PRIVATE < v->nr_spis)
		return &v->spi[intid - VGIC3_NR_PRIVATE];
	return NULL;
}

static bool irq_pending(const struct vgic3_irq *irq)
{
	return irq->latch || (!irq->edge && irq->line);
}

static bool group_enabled(const struct vgic3 *v, const struct vgic3_irq *irq)
{
	return irq->group1 ? v->enable_grp1 : v->enable_grp0;
}

/* See spi_busy in internal.h. */
bool vgic3_spi_busy(const struct vgic3_irq *irq)
{
	return irq->latch || irq->line || irq->active || irq->in_lr;
}

void vgic3_spi_update(struct vgic3 *v, unsigned intid, const struct vgic3_irq *irq)
{
	unsigned n = intid - VGIC3_NR_PRIVATE;
	uint64_t bit = 1ull << (n % 64);

	if (intid < VGIC3_NR_PRIVATE || n >= v->nr_spis)
		return;
	if (vgic3_spi_busy(irq))
		v->spi_busy[n / 64] |= bit;
	else
		v->spi_busy[n / 64] &= ~bit;
}

/*
 * The busy SPIs in ascending order: n walks the set bits of spi_busy.
 *     for (n = next_busy_spi(v, 0); n < v->nr_spis; n = next_busy_spi(v, n + 1))
 */
static unsigned next_busy_spi(const struct vgic3 *v, unsigned n)
{
	while (n < v->nr_spis) {
		uint64_t word = v->spi_busy[n / 64] >> (n % 64);

		if (word)
			return n + (unsigned)__builtin_ctzll(word);
		n = (n / 64 + 1) * 64;
	}
	return v->nr_spis;
}

/* Would raise an interrupt on its vCPU now (and is not in an LR yet). */
static bool irq_signals(const struct vgic3 *v, const struct vgic3_irq *irq)
{
	return !irq->in_lr && irq->enabled && group_enabled(v, irq) && irq_pending(irq) &&
	       !irq->active;
}

/* vCPU an SPI is routed to, or -1 when IROUTER names no vCPU. */
static int spi_target(const struct vgic3 *v, const struct vgic3_irq *irq)
{
	if (irq->router > 0xFF || irq->router >= v->nr_vcpus)
		return -1;
	return (int)irq->router;
}

static int irq_target(const struct vgic3 *v, unsigned vcpu, unsigned intid,
		      const struct vgic3_irq *irq)
{
	return intid < VGIC3_NR_PRIVATE ? (int)vcpu : spi_target(v, irq);
}

static void note_kick(const struct vgic3 *v, unsigned vcpu, unsigned intid,
		      const struct vgic3_irq *irq, vgic3_kick_set *kicks)
{
	int target = irq_target(v, vcpu, intid, irq);

	if (target >= 0 && irq_signals(v, irq))
		*kicks |= 1u << target;
}

void vgic3_kick_all(struct vgic3 *v, vgic3_kick_set kicks)
{
	vgic3_kick_fn kick = v->kick;
	void *ctx = v->kick_ctx;

	for (unsigned c = 0; c < v->nr_vcpus && kick; c++)
		if (kicks & (1u << c))
			kick(ctx, c);
}

static bool has_pending_locked(struct vgic3 *v, unsigned vcpu)
{
	for (unsigned i = 0; i < VGIC3_NR_PRIVATE; i++) {
		const struct vgic3_irq *irq = &v->redist[vcpu].irq[i];

		if (irq_signals(v, irq) || (irq->in_lr && irq->lr_state == VGIC3_LR_PENDING))
			return true;
	}
	/* An idle SPI neither signals nor sits in a list register. */
	for (unsigned n = next_busy_spi(v, 0); n < v->nr_spis; n = next_busy_spi(v, n + 1)) {
		const struct vgic3_irq *irq = &v->spi[n];

		if (spi_target(v, irq) == (int)vcpu && irq_signals(v, irq))
			return true;
		if (irq->in_lr && irq->lr_vcpu == vcpu && irq->lr_state == VGIC3_LR_PENDING)
			return true;
	}
	return false;
}

static vgic3_kick_set everyone_with_pending(struct vgic3 *v)
{
	vgic3_kick_set kicks = 0;

	for (unsigned c = 0; c < v->nr_vcpus; c++)
		if (has_pending_locked(v, c))
			kicks |= 1u << c;
	return kicks;
}

uint32_t vgic3_bits_read(struct vgic3 *v, unsigned vcpu, unsigned first_intid,
			 enum vgic3_irq_bit which)
{
	uint32_t value = 0;

	for (unsigned i = 0; i < 32; i++) {
		const struct vgic3_irq *irq = vgic3_irq(v, vcpu, first_intid + i);
		bool bit = false;

		if (!irq)
			continue;
		switch (which) {
		case VGIC3_BIT_GROUP:
			bit = irq->group1;
			break;
		case VGIC3_BIT_ENABLE:
			bit = irq->enabled;
			break;
		case VGIC3_BIT_PENDING:
			bit = irq_pending(irq) || (irq->in_lr && (irq->lr_state & VGIC3_LR_PENDING));
			break;
		case VGIC3_BIT_ACTIVE:
			bit = irq->active;
			break;
		}
		value |= (uint32_t)bit << i;
	}
	return value;
}

void vgic3_bits_write(struct vgic3 *v, unsigned vcpu, unsigned first_intid,
		      enum vgic3_irq_bit which, bool set, uint32_t mask, vgic3_kick_set *kicks)
{
	for (unsigned i = 0; i < 32; i++) {
		unsigned intid = first_intid + i;
		struct vgic3_irq *irq;

		if (!(mask & (1u << i)))
			continue;
		irq = vgic3_irq(v, vcpu, intid);
		if (!irq)
			continue;
		switch (which) {
		case VGIC3_BIT_GROUP:
			irq->group1 = set;
			break;
		case VGIC3_BIT_ENABLE:
			irq->enabled = set;
			break;
		case VGIC3_BIT_PENDING:
			irq->latch = set;
			if (!set)
				irq->lr_latch = false;
			break;
		case VGIC3_BIT_ACTIVE:
			irq->active = set;
			break;
		}
		vgic3_spi_update(v, intid, irq);
		note_kick(v, vcpu, intid, irq, kicks);
	}
}

/* ICFGR: two bits per INTID, bit 1 of each pair set = edge-triggered. */
uint32_t vgic3_cfg_read(struct vgic3 *v, unsigned vcpu, unsigned first_intid)
{
	uint32_t value = 0;

	for (unsigned i = 0; i < 16; i++) {
		const struct vgic3_irq *irq = vgic3_irq(v, vcpu, first_intid + i);

		if (irq && irq->edge)
			value |= 2u << (2 * i);
	}
	return value;
}

void vgic3_cfg_write(struct vgic3 *v, unsigned vcpu, unsigned first_intid, uint32_t value)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned intid = first_intid + i;
		struct vgic3_irq *irq = vgic3_irq(v, vcpu, intid);

		/* SGIs are always edge-triggered (GICR_ICFGR0 is read-only). */
		if (!irq || intid < 16)
			continue;
		irq->edge = (value >> (2 * i + 1)) & 1;
	}
}

uint64_t vgic3_priority_read(struct vgic3 *v, unsigned vcpu, unsigned first_intid, unsigned width)
{
	uint64_t value = 0;

	for (unsigned i = 0; i < width; i++) {
		const struct vgic3_irq *irq = vgic3_irq(v, vcpu, first_intid + i);

		if (irq)
			value |= (uint64_t)irq->priority << (8 * i);
	}
	return value;
}

void vgic3_priority_write(struct vgic3 *v, unsigned vcpu, unsigned first_intid, unsigned width,
			  uint64_t value)
{
	for (unsigned i = 0; i < width; i++) {
		struct vgic3_irq *irq = vgic3_irq(v, vcpu, first_intid + i);

		if (irq)
			irq->priority = (value >> (8 * i)) & VGIC3_PRIORITY_MASK;
	}
}

/* Drives an input (SPI or PPI) to level. */
static void set_line(struct vgic3 *v, unsigned vcpu, unsigned intid, struct vgic3_irq *irq,
		     bool level, vgic3_kick_set *kicks)
{
	if (irq->edge && level && !irq->line)
		irq->latch = true;
	irq->line = level;
	vgic3_spi_update(v, intid, irq);
	if (level)
		note_kick(v, vcpu, intid, irq, kicks);
	/*
	 * A level interrupt whose line dropped while an LR still shows it
	 * pending: make its vCPU exit and sync, or the guest takes a stale one.
	 */
	if (!level && !irq->edge && irq->in_lr && (irq->lr_state & VGIC3_LR_PENDING))
		*kicks |= 1u << irq->lr_vcpu;
}

void vgic3_spi_sink(void *vgic, unsigned pin, bool level)
{
	struct vgic3 *v = vgic;
	vgic3_kick_set kicks = 0;

	spin_lock(&v->lock);
	if (pin >= v->nr_spis) {
		vgic3_warn(v, "input on a SPI the GIC does not have", pin);
		vgic3_unlock(v);
		return;
	}
	set_line(v, 0, VGIC3_NR_PRIVATE + pin, &v->spi[pin], level, &kicks);
	vgic3_unlock(v);
	vgic3_kick_all(v, kicks);
}

int vgic3_set_ppi(struct vgic3 *v, unsigned vcpu, unsigned intid, bool level)
{
	vgic3_kick_set kicks = 0;

	if (vcpu >= v->nr_vcpus || intid < 16 || intid >= VGIC3_NR_PRIVATE)
		return -EINVAL;
	spin_lock(&v->lock);
	set_line(v, vcpu, intid, &v->redist[vcpu].irq[intid], level, &kicks);
	vgic3_unlock(v);
	vgic3_kick_all(v, kicks);
	return 0;
}

int vgic3_write_sgi1r(struct vgic3 *v, unsigned sender_vcpu, uint64_t value)
{
	unsigned intid = (value >> ICC_SGI1R_INTID_SHIFT) & 0xF;
	uint64_t upper_affinity = ((value >> ICC_SGI1R_AFF1_SHIFT) & 0xFF) |
				  ((value >> ICC_SGI1R_AFF2_SHIFT) & 0xFF) |
				  ((value >> ICC_SGI1R_AFF3_SHIFT) & 0xFF);
	unsigned range = (value >> ICC_SGI1R_RS_SHIFT) & 0xF;
	vgic3_kick_set targets = 0, kicks = 0;

	if (sender_vcpu >= v->nr_vcpus)
		return -EINVAL;
	if (value & ICC_SGI1R_IRM) {
		targets = ((1u << v->nr_vcpus) - 1) & ~(1u << sender_vcpu);
	} else if (upper_affinity == 0 && range == 0) {
		/* vCPU n is Aff0 = n with Aff1-3 = 0: the target list is a vCPU mask. */
		targets = (uint32_t)(value & ICC_SGI1R_TARGET_LIST_MASK) & ((1u << v->nr_vcpus) - 1);
	}

	spin_lock(&v->lock);
	for (unsigned c = 0; c < v->nr_vcpus; c++) {
		struct vgic3_irq *irq = &v->redist[c].irq[intid];

		if (!(targets & (1u << c)))
			continue;
		/* ICC_SGI1R_EL1 generates Group 1 SGIs only. */
		if (!irq->group1)
			continue;
		irq->latch = true;
		note_kick(v, c, intid, irq, &kicks);
	}
	vgic3_unlock(v);
	vgic3_kick_all(v, kicks);
	return 0;
}

/* ---- list registers ------------------------------------------------------ */

/* Whether a goes into an LR before b. */
static bool lr_before(const struct vgic3_lr *a, const struct vgic3_lr *b)
{
	bool a_active = a->state & VGIC3_LR_ACTIVE, b_active = b->state & VGIC3_LR_ACTIVE;

	if (a_active != b_active)
		return a_active;
	if (a->priority != b->priority)
		return a->priority < b->priority;
	return a->intid < b->intid;
}

/* Inserts cand into the sorted out[0..*count), keeping at most max entries. */
static void lr_insert(struct vgic3_lr *out, unsigned *count, unsigned max, const struct vgic3_lr *cand)
{
	unsigned pos = *count;

	while (pos > 0 && lr_before(cand, &out[pos - 1]))
		pos--;
	if (pos >= max)
		return;
	for (unsigned i = (*count < max ? *count : max - 1); i > pos; i--)
		out[i] = out[i - 1];
	out[pos] = *cand;
	if (*count < max)
		(*count)++;
}

/*
 * No input, no latched edge, not active: neither pending nor active, so
 * no list register's business (consider_for_lr() would say the same one
 * field at a time).  The common case, and cheap: every entry of every
 * vCPU looks at its 32 private interrupts.
 */
static inline bool irq_idle(const struct vgic3_irq *irq)
{
	return !(irq->line | irq->latch | irq->active);
}

static void consider_for_lr(struct vgic3 *v, unsigned intid, const struct vgic3_irq *irq,
			    struct vgic3_lr *out, unsigned *count, unsigned max)
{
	struct vgic3_lr cand;
	bool pending;

	if (irq_idle(irq) || irq->in_lr)
		return;
	pending = irq->enabled && group_enabled(v, irq) && irq_pending(irq);
	if (!pending && !irq->active)
		return;
	cand.intid = intid;
	cand.priority = irq->priority;
	cand.group = irq->group1;
	cand.state = (pending ? VGIC3_LR_PENDING : 0) | (irq->active ? VGIC3_LR_ACTIVE : 0);
	cand.level = !irq->edge;
	lr_insert(out, count, max, &cand);
}

unsigned vgic3_pending_for(struct vgic3 *v, unsigned vcpu, struct vgic3_lr *out, unsigned max)
{
	const struct vgic3_irq *private;
	unsigned count = 0;

	if (vcpu >= v->nr_vcpus || max == 0)
		return 0;
	spin_lock(&v->lock);
	if (v->redist[vcpu].quiet_generation == v->generation) {
		/* Nothing changed since a fill found nothing: nothing again. */
		spin_unlock(&v->lock);
		return 0;
	}
	private = v->redist[vcpu].irq;
	for (unsigned i = 0; i < VGIC3_NR_PRIVATE; i++)
		if (!irq_idle(&private[i]))
			consider_for_lr(v, i, &private[i], out, &count, max);
	/* Only a busy SPI is pending or active. */
	for (unsigned n = next_busy_spi(v, 0); n < v->nr_spis; n = next_busy_spi(v, n + 1))
		if (spi_target(v, &v->spi[n]) == (int)vcpu)
			consider_for_lr(v, VGIC3_NR_PRIVATE + n, &v->spi[n], out, &count, max);

	for (unsigned i = 0; i < count; i++) {
		struct vgic3_irq *irq = vgic3_irq(v, vcpu, out[i].intid);

		irq->in_lr = true;
		irq->lr_vcpu = (uint8_t)vcpu;
		irq->lr_state = out[i].state;
		/* The LR now carries the pending state software or an edge latched. */
		if (out[i].state & VGIC3_LR_PENDING) {
			irq->lr_latch = irq->latch;
			irq->latch = false;
		}
		vgic3_spi_update(v, out[i].intid, irq);
	}
	if (count) {
		vgic3_unlock(v);
	} else {
		/* A look that changed nothing: the next one may be skipped. */
		v->redist[vcpu].quiet_generation = v->generation;
		spin_unlock(&v->lock);
	}
	return count;
}

int vgic3_sync_lr(struct vgic3 *v, unsigned vcpu, uint32_t intid, enum vgic3_lr_state state)
{
	struct vgic3_irq *irq;
	vgic3_kick_set kicks = 0;

	if (vcpu >= v->nr_vcpus)
		return -EINVAL;
	spin_lock(&v->lock);
	irq = vgic3_irq(v, vcpu, intid);
	if (!irq || !irq->in_lr || irq->lr_vcpu != vcpu) {
		vgic3_unlock(v);
		log_warn("vgic3: vCPU %u synced INTID %u that was not in one of its list registers",
			 vcpu, intid);
		return -EINVAL;
	}
	irq->in_lr = false;
	irq->active = state & VGIC3_LR_ACTIVE;
	/* Not yet acknowledged: the pending state goes back where it came from. */
	if (state & VGIC3_LR_PENDING)
		irq->latch |= irq->lr_latch;
	irq->lr_latch = false;
	irq->lr_state = VGIC3_LR_INVALID;
	vgic3_spi_update(v, intid, irq);
	/* An SPI re-routed meanwhile is now someone else's to take. */
	if (intid >= VGIC3_NR_PRIVATE && spi_target(v, irq) != (int)vcpu)
		note_kick(v, vcpu, intid, irq, &kicks);
	vgic3_unlock(v);
	vgic3_kick_all(v, kicks);
	return 0;
}

bool vgic3_has_pending(struct vgic3 *v, unsigned vcpu)
{
	bool pending;

	if (vcpu >= v->nr_vcpus)
		return false;
	spin_lock(&v->lock);
	pending = has_pending_locked(v, vcpu);
	vgic3_unlock(v);
	return pending;
}

/* ---- distributor registers ----------------------------------------------- */

static uint32_t gicd_typer(const struct vgic3 *v)
{
	unsigned lines = (VGIC3_NR_PRIVATE + v->nr_spis + 31) / 32;

	/* 10 INTID bits (up to 1023), no LPIs, no MBIs, no 1-of-N routing. */
	return (lines - 1) | (9u << GICD_TYPER_IDBITS_SHIFT) | GICD_TYPER_NO1N;
}

/* The 1-bit-per-INTID registers 0x080-0x3FF, in order. */
static const struct {
	enum vgic3_irq_bit which;
	bool set;                 /* writes: set (or clear) the bits written as 1 */
} gicd_bit_registers[7] = {
	{ VGIC3_BIT_GROUP, true },   { VGIC3_BIT_ENABLE, true }, { VGIC3_BIT_ENABLE, false },
	{ VGIC3_BIT_PENDING, true }, { VGIC3_BIT_PENDING, false },
	{ VGIC3_BIT_ACTIVE, true },  { VGIC3_BIT_ACTIVE, false },
};

static uint64_t gicd_read_locked(struct vgic3 *v, uint32_t offset, unsigned width)
{
	if (offset == GICD_CTLR)
		return GICD_CTLR_ARE | GICD_CTLR_DS | (v->enable_grp0 ? GICD_CTLR_ENABLE_G0 : 0) |
		       (v->enable_grp1 ? GICD_CTLR_ENABLE_G1 : 0);
	if (offset == GICD_TYPER)
		return gicd_typer(v);
	if (offset == GICD_IIDR)
		return GIC_IIDR_VALUE;
	if (offset == GICD_TYPER2 || offset == GICD_STATUSR)
		return 0;
	if (offset >= GICD_IGROUPR && offset < GICD_IPRIORITYR) {
		unsigned reg = offset / 4 % 32;     /* word inside its 128-byte block */

		/* With ARE = 1 word 0 (SGIs, PPIs) lives in the redistributors. */
		if (reg == 0)
			return 0;
		return vgic3_bits_read(v, 0, reg * 32,
				       gicd_bit_registers[(offset - GICD_IGROUPR) / 0x80].which);
	}
	if (offset >= GICD_IPRIORITYR && offset < GICD_ITARGETSR) {
		unsigned first = offset - GICD_IPRIORITYR;

		return first < VGIC3_NR_PRIVATE ? 0 : vgic3_priority_read(v, 0, first, width);
	}
	if (offset >= GICD_ICFGR && offset < GICD_IGRPMODR) {
		unsigned first = (offset - GICD_ICFGR) / 4 * 16;

		return first < VGIC3_NR_PRIVATE ? 0 : vgic3_cfg_read(v, 0, first);
	}
	if (offset >= GICD_IROUTER && offset < GICD_IROUTER + 0x2000) {
		unsigned intid = (offset - GICD_IROUTER) / 8;
		struct vgic3_irq *irq = intid < VGIC3_NR_PRIVATE ? NULL : vgic3_irq(v, 0, intid);

		if (!irq)
			return 0;
		return (offset & 4) ? irq->router >> 32 : irq->router & (width == 8 ? ~0ull : 0xFFFFFFFFull);
	}
	if (offset >= GICD_PIDR4)
		return vgic3_id_register(offset, false);
	/*
	 * RAZ/WI without a report: ITARGETSR and IGRPMODR are meaningless with
	 * ARE = 1 and DS = 1, and Linux/EDK2 touch them in their generic code.
	 */
	if ((offset >= GICD_ITARGETSR && offset < GICD_ICFGR) ||
	    (offset >= GICD_IGRPMODR && offset < GICD_IGRPMODR + 0x80) ||
	    (offset >= GICD_NSACR && offset < GICD_NSACR + 0x100))
		return 0;
	vgic3_warn(v, "distributor read of a reserved register", offset);
	return 0;
}

static void gicd_write_locked(struct vgic3 *v, uint32_t offset, unsigned width, uint64_t value,
			      vgic3_kick_set *kicks)
{
	if (offset == GICD_CTLR) {
		v->enable_grp0 = value & GICD_CTLR_ENABLE_G0;
		v->enable_grp1 = value & GICD_CTLR_ENABLE_G1;
		*kicks |= everyone_with_pending(v);
		return;
	}
	if (offset >= GICD_IGROUPR && offset < GICD_IPRIORITYR) {
		unsigned reg = offset / 4 % 32;
		unsigned block = (offset - GICD_IGROUPR) / 0x80;

		if (reg == 0)
			return;
		vgic3_bits_write(v, 0, reg * 32, gicd_bit_registers[block].which,
				 gicd_bit_registers[block].set, (uint32_t)value, kicks);
		if (block == 0)   /* IGROUPR is read-write: the zeros clear */
			vgic3_bits_write(v, 0, reg * 32, VGIC3_BIT_GROUP, false, ~(uint32_t)value, kicks);
		return;
	}
	if (offset >= GICD_IPRIORITYR && offset < GICD_ITARGETSR) {
		unsigned first = offset - GICD_IPRIORITYR;

		if (first >= VGIC3_NR_PRIVATE)
			vgic3_priority_write(v, 0, first, width, value);
		return;
	}
	if (offset >= GICD_ICFGR && offset < GICD_IGRPMODR) {
		unsigned first = (offset - GICD_ICFGR) / 4 * 16;

		if (first >= VGIC3_NR_PRIVATE)
			vgic3_cfg_write(v, 0, first, (uint32_t)value);
		return;
	}
	if (offset >= GICD_IROUTER && offset < GICD_IROUTER + 0x2000) {
		unsigned intid = (offset - GICD_IROUTER) / 8;
		struct vgic3_irq *irq = intid < VGIC3_NR_PRIVATE ? NULL : vgic3_irq(v, 0, intid);
		uint64_t router;

		if (!irq)
			return;
		if (width == 8)
			router = value;
		else if (offset & 4)
			router = (irq->router & 0xFFFFFFFFull) | (value << 32);
		else
			router = (irq->router & ~0xFFFFFFFFull) | (value & 0xFFFFFFFFull);
		irq->router = router & VGIC3_ROUTER_AFFINITY;
		note_kick(v, 0, intid, irq, kicks);
		return;
	}
	if ((offset >= GICD_ITARGETSR && offset < GICD_ICFGR) ||
	    (offset >= GICD_IGRPMODR && offset < GICD_IGRPMODR + 0x80) ||
	    (offset >= GICD_NSACR && offset < GICD_NSACR + 0x100))
		return;
	vgic3_warn(v, "distributor write to a read-only or reserved register", offset);
}

static uint64_t gicd_read(void *opaque, uint64_t offset, unsigned width)
{
	struct vgic3_window *w = opaque;
	struct vgic3 *v = w->v;
	uint64_t value;

	spin_lock(&v->lock);
	value = gicd_read_locked(v, w->frame_offset + (uint32_t)offset, width);
	vgic3_unlock(v);
	return value;
}

static void gicd_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct vgic3_window *w = opaque;
	struct vgic3 *v = w->v;
	vgic3_kick_set kicks = 0;

	spin_lock(&v->lock);
	gicd_write_locked(v, w->frame_offset + (uint32_t)offset, width, value, &kicks);
	vgic3_unlock(v);
	vgic3_kick_all(v, kicks);
}

static const struct bus_ops gicd_ops = {
	.read = gicd_read,
	.write = gicd_write,
};

/* The distributor frame cut where the access widths change. */
static const struct {
	uint32_t offset, size;
	const struct bus_rules *rules;
	const char *name;
} gicd_layout[VGIC3_DIST_WINDOWS] = {
	{ 0x0000, 0x0400, &vgic3_rules_word, "vgic3-gicd" },
	{ 0x0400, 0x0800, &vgic3_rules_bytes, "vgic3-gicd-ipriorityr" },
	{ 0x0C00, 0x5400, &vgic3_rules_word, "vgic3-gicd-icfgr" },
	{ 0x6000, 0x2000, &vgic3_rules_wide, "vgic3-gicd-irouter" },
	{ 0x8000, 0x8000, &vgic3_rules_word, "vgic3-gicd-id" },
};

static void dist_unregister(struct vgic3 *v)
{
	while (v->dist_registered > 0) {
		v->dist_registered--;
		bus_unregister(v->bus, BUS_SPACE_MMIO,
			       v->dist_base + gicd_layout[v->dist_registered].offset);
	}
}

static int dist_register(struct vgic3 *v)
{
	for (unsigned i = 0; i < VGIC3_DIST_WINDOWS; i++) {
		struct vgic3_window *w = &v->dist_window[i];
		int err;

		w->v = v;
		w->frame_offset = gicd_layout[i].offset;
		err = bus_register_mmio(v->bus, gicd_layout[i].name, v->dist_base + gicd_layout[i].offset,
					gicd_layout[i].size, &gicd_ops, w, gicd_layout[i].rules);
		if (err) {
			dist_unregister(v);
			return err;
		}
		v->dist_registered++;
	}
	return 0;
}

/* ---- life cycle ---------------------------------------------------------- */

static void spi_reset(struct vgic3_irq *irq)
{
	bool line = irq->line;

	*irq = (struct vgic3_irq){ .group1 = true, .line = line };
}

void vgic3_reset(struct vgic3 *v)
{
	spin_lock(&v->lock);
	v->enable_grp0 = false;
	v->enable_grp1 = false;
	for (unsigned n = 0; n < v->nr_spis; n++) {
		spi_reset(&v->spi[n]);
		vgic3_spi_update(v, VGIC3_NR_PRIVATE + n, &v->spi[n]);
	}
	vgic3_redist_reset(v);
	vgic3_unlock(v);
}

struct vgic3 *vgic3_create(struct bus *bus, uint64_t dist_base, uint64_t redist_base,
			   unsigned nr_vcpus, unsigned nr_spis)
{
	struct vgic3 *v;
	int err;

	if (nr_vcpus == 0 || nr_vcpus > VGIC3_MAX_VCPUS || nr_spis > VGIC3_MAX_SPIS) {
		log_error("vgic3: %u vCPUs and %u SPIs: the model takes 1-%u vCPUs and up to %u SPIs",
			  nr_vcpus, nr_spis, VGIC3_MAX_VCPUS, VGIC3_MAX_SPIS);
		return NULL;
	}
	v = kzalloc(sizeof(*v));
	if (!v) {
		log_error("vgic3: out of memory");
		return NULL;
	}
	v->bus = bus;
	v->dist_base = dist_base;
	v->redist_base = redist_base;
	v->nr_vcpus = nr_vcpus;
	v->nr_spis = nr_spis;
	v->lock = (spinlock_t)SPINLOCK_INIT;
	v->spi = nr_spis ? kcalloc(nr_spis, sizeof(*v->spi)) : NULL;
	v->redist = kcalloc(nr_vcpus, sizeof(*v->redist));
	v->redist_window = kcalloc(nr_vcpus * VGIC3_REDIST_WINDOWS, sizeof(*v->redist_window));
	if ((nr_spis && !v->spi) || !v->redist || !v->redist_window) {
		log_error("vgic3: out of memory");
		vgic3_destroy(v);
		return NULL;
	}
	vgic3_reset(v);

	err = dist_register(v);
	if (!err) {
		err = vgic3_redist_register(v);
		if (err)
			dist_unregister(v);
	}
	if (err) {
		log_error("vgic3: cannot register the distributor at 0x%llx or %u redistributors at 0x%llx (%d)",
			  (unsigned long long)dist_base, nr_vcpus, (unsigned long long)redist_base, err);
		vgic3_destroy(v);
		return NULL;
	}
	return v;
}

void vgic3_destroy(struct vgic3 *v)
{
	if (!v)
		return;
	dist_unregister(v);
	vgic3_redist_unregister(v);
	kfree(v->spi);
	kfree(v->redist);
	kfree(v->redist_window);
	kfree(v);
}

void vgic3_set_kick(struct vgic3 *v, vgic3_kick_fn kick, void *ctx)
{
	spin_lock(&v->lock);
	v->kick = kick;
	v->kick_ctx = ctx;
	vgic3_unlock(v);
}
