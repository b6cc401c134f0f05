/* SPDX-License-Identifier: MIT */
/*
 * A virtual GICv3 for aarch64 guests: the distributor and one
 * redistributor per vCPU as MMIO, and the state of every interrupt.  The
 * CPU interface is not here: the guest uses the hardware's virtual CPU
 * interface (ICC_* registers backed by ICH_* at EL2), and the vCPU
 * backend moves interrupts between this model and its list registers.
 *
 *   device irq_line --> vgic3_spi_sink(v, pin = SPI number n, INTID 32+n)
 *   timer           --> vgic3_set_ppi(v, vcpu, 27, level)
 *   trapped ICC_SGI1R_EL1 write --> vgic3_write_sgi1r(v, sender, value)
 *                                          |
 *                      kick(vcpu) <--------+ something became pending
 *   vCPU entry:  vgic3_pending_for() --> struct vgic3_lr[] --> ICH_LR<n>_EL2
 *   vCPU exit:   ICH_LR<n>_EL2 state --> vgic3_sync_lr() for each used LR
 *
 * What the guest sees: a GICv3 in the single security state
 * (GICD_CTLR.DS = 1) with affinity routing always on (ARE RAO/WI), no
 * LPIs, no ITS, no 1-of-N routing, 5 priority bits (as the virtual CPU
 * interface), vCPU n at MPIDR Aff0 = n (Aff1-3 = 0).  Every interrupt
 * resets to Group 1, disabled, priority 0; SPIs and PPIs level-sensitive.
 * GICR_WAKER follows Linux's handshake, but a sleeping redistributor still
 * delivers: EDK2 never wakes it.
 *
 * Access widths (everything else is refused by the bus rules):
 *   32-bit: every register, except that
 *   8- to 32-bit: GICD_IPRIORITYR, GICD_ITARGETSR, GICR_IPRIORITYR;
 *   32- or 64-bit: GICD_IROUTER<n>, GICR_TYPER.
 * Reserved registers and those that ARE = 1 makes reserved (the
 * distributor's SGI/PPI banks, ITARGETSR, SGIR) read as zero, ignore
 * writes and are reported (rate-limited).
 *
 * ---- Use by the EL2 backend (N = ICH_VTR_EL2.ListRegs + 1) -------------
 *
 * Before entering vCPU c:
 *     n = vgic3_pending_for(v, c, lr, N);
 *     for i < n:  ICH_LR<i>_EL2 = vgic3_lr_to_ich_lr(&lr[i]);
 *     for i >= n: ICH_LR<i>_EL2 = 0;
 * ICH_HCR_EL2.En = 1 (so level interrupts get their EOI maintenance
 * interrupt, see below); if every LR was filled and vgic3_has_pending()
 * still says yes, also set ICH_HCR_EL2.NPIE or UIE to get an exit when
 * LRs free up.
 *
 * After every exit of vCPU c, for each LR i that was filled:
 *     vgic3_sync_lr(v, c, vgic3_ich_lr_intid(x), vgic3_ich_lr_state(x));
 * with x = ICH_LR<i>_EL2.  After the sync the interrupt is no longer in an
 * LR; the next vgic3_pending_for() returns it again if it still needs one.
 *
 * An ICH_LR value from struct vgic3_lr:
 *     bits 31:0  vINTID    = intid
 *     bit  41    EOI       = 1 for level-sensitive interrupts (HW = 0):
 *                            a maintenance interrupt when the guest
 *                            deactivates it, so the hypervisor exits,
 *                            syncs and re-pends it if the line is high
 *     bits 55:48 Priority  = priority
 *     bit  60    Group     = group (1 for everything Linux and EDK2 use)
 *     bit  61    HW        = 0
 *     bits 63:62 State     = state (01 pending, 10 active, 11 both)
 * A backend that forwards the physical virtual-timer interrupt may instead
 * set HW = 1 and pINTID (bits 44:32) for INTID 27; it must then never use
 * the pending+active state, and it keeps the physical side masked while
 * the virtual one is active.
 *
 * Locking: one lock per vgic3, taken by every entry point; kick() is
 * called with it released, so kick may call vgic3_has_pending().
 */
#ifndef VGIC3_VGIC3_H
#define VGIC3_VGIC3_H

#include <stdbool.h>
#include <stdint.h>

struct bus;

#define VGIC3_VIRT_DIST_BASE   0x08000000ull
#define VGIC3_VIRT_REDIST_BASE 0x080A0000ull
#define VGIC3_DIST_SIZE        0x10000u
#define VGIC3_REDIST_STRIDE    0x20000u   /* RD_base + SGI_base, 64 KiB each */
#define VGIC3_SGI_FRAME        0x10000u   /* SGI_base - RD_base             */

#define VGIC3_MAX_VCPUS 16          /* SGI target lists reach Aff0 0-15 (no RSS) */
#define VGIC3_MAX_SPIS  988         /* INTIDs 32-1019                          */
#define VGIC3_NR_PRIVATE 32         /* SGIs 0-15, PPIs 16-31 per vCPU          */
#define VGIC3_PPI_VTIMER 27         /* virtual timer, PPI 11                   */
#define VGIC3_PRIORITY_MASK 0xF8    /* 5 implemented priority bits             */

/* Distributor registers (offsets from the distributor base). */
#define GICD_CTLR        0x0000
#define GICD_TYPER       0x0004
#define GICD_IIDR        0x0008
#define GICD_TYPER2      0x000C
#define GICD_STATUSR     0x0010
#define GICD_IGROUPR     0x0080
#define GICD_ISENABLER   0x0100
#define GICD_ICENABLER   0x0180
#define GICD_ISPENDR     0x0200
#define GICD_ICPENDR     0x0280
#define GICD_ISACTIVER   0x0300
#define GICD_ICACTIVER   0x0380
#define GICD_IPRIORITYR  0x0400
#define GICD_ITARGETSR   0x0800
#define GICD_ICFGR       0x0C00
#define GICD_IGRPMODR    0x0D00
#define GICD_NSACR       0x0E00
#define GICD_SGIR        0x0F00
#define GICD_IROUTER     0x6000     /* 8 bytes per INTID, SPIs only */
#define GICD_PIDR4       0xFFD0
#define GICD_PIDR0       0xFFE0
#define GICD_PIDR2       0xFFE8
#define GICD_CIDR0       0xFFF0

#define GICD_CTLR_ENABLE_G0 (1u << 0)
#define GICD_CTLR_ENABLE_G1 (1u << 1)
#define GICD_CTLR_ARE       (1u << 4)
#define GICD_CTLR_DS        (1u << 6)
#define GICD_CTLR_RWP       (1u << 31)

#define GICD_TYPER_IDBITS_SHIFT 19
#define GICD_TYPER_MBIS     (1u << 16)
#define GICD_TYPER_LPIS     (1u << 17)
#define GICD_TYPER_NO1N     (1u << 25)

#define GIC_IIDR_VALUE      0x0000043Bu  /* implementer Arm, product 0 */
#define GIC_PIDR2_ARCH_GICV3 0x30        /* PIDR2 bits 7:4 = 3          */

/* Redistributor RD_base frame. */
#define GICR_CTLR        0x0000
#define GICR_IIDR        0x0004
#define GICR_TYPER       0x0008
#define GICR_STATUSR     0x0010
#define GICR_WAKER       0x0014
#define GICR_PIDR2       0xFFE8

#define GICR_CTLR_RWP    (1u << 3)
#define GICR_TYPER_LAST  (1ull << 4)
#define GICR_TYPER_PROC_SHIFT 8
#define GICR_TYPER_AFF_SHIFT  32
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)

/* Redistributor SGI_base frame (offsets inside that frame). */
#define GICR_IGROUPR0    0x0080
#define GICR_ISENABLER0  0x0100
#define GICR_ICENABLER0  0x0180
#define GICR_ISPENDR0    0x0200
#define GICR_ICPENDR0    0x0280
#define GICR_ISACTIVER0  0x0300
#define GICR_ICACTIVER0  0x0380
#define GICR_IPRIORITYR0 0x0400
#define GICR_ICFGR0      0x0C00
#define GICR_ICFGR1      0x0C04
#define GICR_IGRPMODR0   0x0D00
#define GICR_NSACR       0x0E00

/* ICC_SGI1R_EL1 fields. */
#define ICC_SGI1R_TARGET_LIST_MASK 0xFFFFull
#define ICC_SGI1R_AFF1_SHIFT  16
#define ICC_SGI1R_INTID_SHIFT 24
#define ICC_SGI1R_AFF2_SHIFT  32
#define ICC_SGI1R_IRM         (1ull << 40)
#define ICC_SGI1R_RS_SHIFT    44
#define ICC_SGI1R_AFF3_SHIFT  48

/* List-register state, the encoding of ICH_LR<n>_EL2.State. */
enum vgic3_lr_state {
	VGIC3_LR_INVALID = 0,
	VGIC3_LR_PENDING = 1,
	VGIC3_LR_ACTIVE = 2,
	VGIC3_LR_PENDING_ACTIVE = 3,
};

/* One interrupt for one list register. */
struct vgic3_lr {
	uint32_t intid;
	uint8_t priority;     /* as the guest programmed it (5 bits used) */
	uint8_t group;        /* 0 or 1                                   */
	uint8_t state;        /* enum vgic3_lr_state, never INVALID       */
	bool level;           /* level-sensitive: ask for the EOI exit    */
};

#define ICH_LR_EOI         (1ull << 41)
#define ICH_LR_PRIORITY_SHIFT 48
#define ICH_LR_GROUP       (1ull << 60)
#define ICH_LR_STATE_SHIFT 62

static inline uint64_t vgic3_lr_to_ich_lr(const struct vgic3_lr *lr)
{
	uint64_t value = lr->intid;

	value |= (uint64_t)lr->priority << ICH_LR_PRIORITY_SHIFT;
	if (lr->group)
		value |= ICH_LR_GROUP;
	if (lr->level)
		value |= ICH_LR_EOI;
	value |= (uint64_t)(lr->state & 3) << ICH_LR_STATE_SHIFT;
	return value;
}

static inline uint32_t vgic3_ich_lr_intid(uint64_t ich_lr)
{
	return (uint32_t)ich_lr;
}

static inline enum vgic3_lr_state vgic3_ich_lr_state(uint64_t ich_lr)
{
	return (enum vgic3_lr_state)(ich_lr >> ICH_LR_STATE_SHIFT);
}

struct vgic3;

/* Wakes vCPU vcpu or forces it to exit: it has something to take. */
typedef void (*vgic3_kick_fn)(void *ctx, unsigned vcpu);

/*
 * Creates the GIC in its reset state and registers the distributor at
 * dist_base (64 KiB) and nr_vcpus redistributors from redist_base
 * (VGIC3_REDIST_STRIDE apart).  nr_vcpus is 1..VGIC3_MAX_VCPUS, nr_spis
 * 0..VGIC3_MAX_SPIS (the virt board has 256).  NULL on bad parameters,
 * no memory or a taken range (reported).
 */
struct vgic3 *vgic3_create(struct bus *bus, uint64_t dist_base, uint64_t redist_base,
			   unsigned nr_vcpus, unsigned nr_spis);
void vgic3_destroy(struct vgic3 *v);
/* A VM reset: every register and interrupt to its reset value; input lines keep their level. */
void vgic3_reset(struct vgic3 *v);

void vgic3_set_kick(struct vgic3 *v, vgic3_kick_fn kick, void *ctx);

/*
 * The irq_sink_fn for SPIs: connect a device line with
 *     irq_line_connect(line, vgic3_spi_sink, v, n)
 * for SPI n (INTID 32 + n, the number in a device tree's
 * "interrupts = <0 n flags>").  Edge-configured SPIs latch on a rising
 * edge; level-configured ones are pending while the line is high.
 */
void vgic3_spi_sink(void *vgic, unsigned pin, bool level);

/* Level of PPI intid (16..31) of vcpu.  0 or -EINVAL. */
int vgic3_set_ppi(struct vgic3 *v, unsigned vcpu, unsigned intid, bool level);

/*
 * A guest write of value to ICC_SGI1R_EL1 on sender_vcpu, trapped by the
 * backend (ICH_HCR_EL2.TC or the SGI trap).  Pends a Group 1 SGI on the
 * targets: the TargetList at Aff3.Aff2.Aff1, or every other vCPU when IRM
 * is set.  0, or -EINVAL for a bad sender.
 */
int vgic3_write_sgi1r(struct vgic3 *v, unsigned sender_vcpu, uint64_t value);

/*
 * Fills out[0..max) with the interrupts vcpu should have in list
 * registers, most urgent first, and returns how many: active interrupts
 * first (the guest must be able to deactivate them), then pending ones
 * that are enabled with their group enabled in GICD_CTLR, by priority
 * (lower value first) then INTID.  An interrupt both active and pending
 * goes in as pending+active.  The returned interrupts are marked "in a
 * list register" until vgic3_sync_lr() hands them back.
 */
unsigned vgic3_pending_for(struct vgic3 *v, unsigned vcpu, struct vgic3_lr *out, unsigned max);

/*
 * Takes back the interrupt the backend had in a list register with the
 * state the hardware left there: still pending (not yet acknowledged),
 * active, both, or invalid (acknowledged and deactivated).  A
 * level-sensitive interrupt is pending again at once if its line is still
 * high.  0, or -EINVAL if intid was not in a list register of vcpu.
 */
int vgic3_sync_lr(struct vgic3 *v, unsigned vcpu, uint32_t intid, enum vgic3_lr_state state);

/*
 * Whether vcpu has an interrupt to take (for WFI): pending, enabled, group
 * enabled, not active, routed to it, or sitting pending in one of its list
 * registers.
 *
 * Both this and vgic3_pending_for() run around every entry and in every
 * WFI wait; they look at the vCPU's 32 private interrupts and at the SPIs
 * that are busy (latched, line high, active or in a list register) only,
 * so their cost does not grow with nr_spis.
 */
bool vgic3_has_pending(struct vgic3 *v, unsigned vcpu);

#endif
