/* SPDX-License-Identifier: MIT */
/* State shared by the distributor (vgic3.c) and the redistributors (redist.c). */
#ifndef VGIC3_INTERNAL_H
#define VGIC3_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <bus/bus.h>
#include <core/spinlock.h>
#include <vgic3/vgic3.h>

/*
 * One interrupt.  Pending is not a bit of its own: an edge-triggered
 * interrupt is pending while 'latch' is set, a level-sensitive one while
 * its line is high or software pended it (latch).  While the interrupt
 * sits in a list register its latch is parked in lr_latch: the LR holds
 * that pending state until vgic3_sync_lr() says whether the guest took it.
 */
struct vgic3_irq {
	uint64_t router;      /* SPIs: GICD_IROUTER (Aff3.Aff2.Aff1.Aff0)  */
	uint8_t priority;
	bool group1;
	bool enabled;
	bool edge;            /* ICFGR: edge-triggered                     */
	bool line;            /* input level                               */
	bool latch;
	bool active;
	bool in_lr;
	bool lr_latch;
	uint8_t lr_state;     /* enum vgic3_lr_state when it went in       */
	uint8_t lr_vcpu;      /* whose LR (SPIs can move while in one)     */
};

struct vgic3_redist {
	struct vgic3_irq irq[VGIC3_NR_PRIVATE];
	bool processor_sleep;
	/* v->generation when a fill found nothing for this vCPU (0: never). */
	uint64_t quiet_generation;
};

/* One bus region: which part of which frame it covers. */
struct vgic3_window {
	struct vgic3 *v;
	uint32_t frame_offset;   /* offset of the region inside its frame */
	uint16_t vcpu;           /* redistributor windows                 */
};

#define VGIC3_DIST_WINDOWS 5
#define VGIC3_REDIST_WINDOWS 6

struct vgic3 {
	struct bus *bus;
	uint64_t dist_base;
	uint64_t redist_base;
	unsigned nr_vcpus;
	unsigned nr_spis;
	spinlock_t lock;
	bool enable_grp0;
	bool enable_grp1;
	vgic3_kick_fn kick;
	void *kick_ctx;
	unsigned warnings;
	struct vgic3_irq *spi;                 /* nr_spis                */
	/*
	 * SPI n is "busy" (bit n) while it is latched, its line is high, it
	 * is active or it sits in a list register: the only SPIs that can
	 * need a list register or wake a vCPU.  vgic3_pending_for() and
	 * vgic3_has_pending() run around every entry and in every WFI wait
	 * and look at these alone, not at all 256 SPIs of the virt board.
	 * Every change of those four fields ends in vgic3_spi_update().
	 */
	uint64_t spi_busy[(VGIC3_MAX_SPIS + 63) / 64];
	/*
	 * Counts the releases of the lock (vgic3_unlock()): any change of
	 * the model's state happens between two of them.  A vCPU's fill that
	 * found nothing notes the count (redist[].quiet_generation); while it
	 * is the same, nothing changed and the next fill finds nothing again
	 * without looking (vgic3_pending_for(), at every entry).
	 */
	uint64_t generation;
	struct vgic3_redist *redist;           /* nr_vcpus               */
	struct vgic3_window dist_window[VGIC3_DIST_WINDOWS];
	struct vgic3_window *redist_window;    /* 6 per vCPU             */
	unsigned dist_registered;
	unsigned redist_registered;            /* windows, in order      */
};

enum vgic3_irq_bit {
	VGIC3_BIT_GROUP,
	VGIC3_BIT_ENABLE,
	VGIC3_BIT_PENDING,
	VGIC3_BIT_ACTIVE,
};

/* Set of vCPUs to kick once the lock is dropped. */
typedef uint32_t vgic3_kick_set;

extern const struct bus_rules vgic3_rules_word;   /* 32-bit only            */
extern const struct bus_rules vgic3_rules_bytes;  /* 8- to 32-bit          */
extern const struct bus_rules vgic3_rules_wide;   /* 32- or 64-bit          */

void vgic3_warn(struct vgic3 *v, const char *what, uint64_t offset);
struct vgic3_irq *vgic3_irq(struct vgic3 *v, unsigned vcpu, unsigned intid);
uint32_t vgic3_bits_read(struct vgic3 *v, unsigned vcpu, unsigned first_intid,
			 enum vgic3_irq_bit which);
void vgic3_bits_write(struct vgic3 *v, unsigned vcpu, unsigned first_intid,
		      enum vgic3_irq_bit which, bool set, uint32_t mask, vgic3_kick_set *kicks);
uint32_t vgic3_cfg_read(struct vgic3 *v, unsigned vcpu, unsigned first_intid);
void vgic3_cfg_write(struct vgic3 *v, unsigned vcpu, unsigned first_intid, uint32_t value);
uint64_t vgic3_priority_read(struct vgic3 *v, unsigned vcpu, unsigned first_intid, unsigned width);
void vgic3_priority_write(struct vgic3 *v, unsigned vcpu, unsigned first_intid, unsigned width,
			  uint64_t value);
void vgic3_kick_all(struct vgic3 *v, vgic3_kick_set kicks);
void vgic3_spi_update(struct vgic3 *v, unsigned intid, const struct vgic3_irq *irq);
bool vgic3_spi_busy(const struct vgic3_irq *irq);
uint32_t vgic3_id_register(uint32_t offset, bool redistributor);

int vgic3_redist_register(struct vgic3 *v);
void vgic3_redist_unregister(struct vgic3 *v);
void vgic3_redist_reset(struct vgic3 *v);

/* Every release of v->lock: the state may have changed (see generation). */
static inline void vgic3_unlock(struct vgic3 *v)
{
	v->generation++;
	spin_unlock(&v->lock);
}

#endif
