/* SPDX-License-Identifier: MIT */
/*
 * The host's interrupt controller.
 *
 * gic_probe() finds out which GIC the machine has: the DTB names the
 * programming interface (compatible) and its addresses; the distributor's
 * PIDR2.ArchRev confirms the architecture version.
 *
 * On a GICv3 with the system-register CPU interface, gic_init_cpu() then
 * drives it from EL2, on every CPU:
 *
 *   distributor (once)    affinity routing on, Group 1 enabled
 *   redistributor         found by the CPU's MPIDR in GICR_TYPER, woken
 *                         (GICR_WAKER), its SGIs and PPIs put in Group 1
 *                         with one priority, and the few the hypervisor
 *                         uses enabled (below)
 *   CPU interface         ICC_SRE_EL2 (system registers, EL1 may use them
 *                         too), ICC_PMR_EL1 = everything, ICC_CTLR_EL1
 *                         EOImode 0 (EOIR drops the priority and
 *                         deactivates), ICC_IGRPEN1_EL1 = 1
 *
 * The interrupts the hypervisor takes, all per CPU:
 *
 *   SGI 0   GIC_SGI_KICK: another CPU wants this one out of a guest or
 *           out of its WFI wait (arch_kick_cpu()).  Nothing to do but to
 *           have interrupted.
 *   PPI 25  the GIC maintenance interrupt (list register underflow, EOI
 *           of a level interrupt): it makes the guest exit so the vCPU
 *           backend can read the list registers back.  It stops as soon
 *           as the backend clears ICH_HCR_EL2 after the exit.
 *   PPI 26  the EL2 physical timer (the DTB's number): the deadline of a
 *           sleeping vCPU's virtual timer (aarch64_hyp_timer_wake_at()).
 *   PPI 27  the EL1 virtual timer: the guest's own timer, which reaches
 *           EL2 as a physical IRQ while the guest runs (HCR_EL2.IMO).  The
 *           world switch disables the guest's timer on the way out, so
 *           the line drops by itself; the vCPU backend turns it into the
 *           guest's virtual PPI 27 and masks this one (aarch64_gic_set_ppi)
 *           while that is pending in the guest.
 *
 * The hypervisor normally runs with IRQs masked (PSTATE.I); the vCPU
 * backend acknowledges what is pending after a guest exit or a WFI with
 * aarch64_gic_handle_irqs().  An IRQ taken at EL2 with IRQs unmasked goes
 * the same way (exception.c).
 */
#include "aarch64_internal.h"

#include <aarch64/sysreg.h>
#include <core/arch.h>
#include <core/log.h>
#include <errno.h>
#include <stdio.h>

#define GICD_PIDR2_V3 0xffe8
#define GICD_PIDR2_V2 0xfe8
#define GIC_PIDR2_ARCHREV(v) (((v) >> 4) & 0xf)

/* Distributor. */
#define GICD_CTLR           0x0000
#define GICD_CTLR_RWP       (1u << 31)
#define GICD_CTLR_DS        (1u << 6)
#define GICD_CTLR_ARE       (1u << 4)   /* ARE_NS in the Non-secure view    */
#define GICD_CTLR_GRP1_DS   (1u << 1)   /* EnableGrp1 with DS = 1           */
#define GICD_CTLR_GRP1A_NS  (1u << 1)   /* EnableGrp1A, Non-secure view     */
#define GICD_CTLR_GRP1_NS   (1u << 0)   /* EnableGrp1, Non-secure view      */

/* Redistributor RD_base frame. */
#define GICR_CTLR           0x0000
#define GICR_CTLR_RWP       (1u << 3)
#define GICR_TYPER          0x0008
#define GICR_TYPER_VLPIS    (1ull << 1)
#define GICR_TYPER_LAST     (1ull << 4)
#define GICR_WAKER          0x0014
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_FRAME_SIZE     0x20000     /* RD_base + SGI_base               */
#define GICR_VLPI_FRAMES    0x20000     /* + VLPI_base and a reserved frame */
/* Redistributor SGI_base frame. */
#define GICR_SGI_BASE       0x10000
#define GICR_IGROUPR0       0x0080
#define GICR_ISENABLER0     0x0100
#define GICR_ICENABLER0     0x0180
#define GICR_ICPENDR0       0x0280
#define GICR_ICACTIVER0     0x0380
#define GICR_IPRIORITYR0    0x0400
#define GICR_IGRPMODR0      0x0d00

/* Every interrupt of the hypervisor has this priority (PMR lets all through). */
#define GIC_HOST_PRIORITY   0xa0
#define GIC_PMR_ALL         0xff

/* ICC_SRE_EL2: system registers at EL2 and EL1, no IRQ/FIQ bypass. */
#define ICC_SRE_SRE         (1ull << 0)
#define ICC_SRE_DFB         (1ull << 1)
#define ICC_SRE_DIB         (1ull << 2)
#define ICC_SRE_EL2_ENABLE  (1ull << 3)

#define GIC_INTID_SPURIOUS_FIRST 1020
#define GIC_WAIT_US 10000u

static char gic_description[128];
static bool gic_distributor_done;

struct gic_cpu {
	volatile uint8_t *rd;       /* this CPU's redistributor RD_base   */
	uint32_t enabled;           /* SGI/PPI enable bits as programmed  */
	bool ready;
	struct aarch64_gic_stats stats;
};
static struct gic_cpu gic_cpus[MAX_CPUS];

static inline uint32_t mmio_read32(volatile uint8_t *base, uint64_t offset)
{
	return *(volatile uint32_t *)(base + offset);
}

static inline void mmio_write32(volatile uint8_t *base, uint64_t offset, uint32_t value)
{
	dsb(st);
	*(volatile uint32_t *)(base + offset) = value;
}

static inline uint64_t mmio_read64(volatile uint8_t *base, uint64_t offset)
{
	return *(volatile uint64_t *)(base + offset);
}

static struct gic_cpu *gic_this_cpu(void)
{
	/* this_cpu(), without the call: asked several times around every guest entry. */
	struct percpu *cpu = (struct percpu *)read_sysreg(tpidr_el2);

	return cpu && cpu->id < MAX_CPUS ? &gic_cpus[cpu->id] : NULL;
}

/* Waits until (read & mask) == want, for at most GIC_WAIT_US.  false on timeout. */
static bool wait_bits(volatile uint8_t *base, uint64_t offset, uint32_t mask, uint32_t want)
{
	uint64_t deadline = arch_timer_ns() + GIC_WAIT_US * 1000ull;

	while ((mmio_read32(base, offset) & mask) != want) {
		if (arch_timer_ns() > deadline)
			return false;
		arch_cpu_relax();
	}
	return true;
}

void gic_probe(struct aarch64_gic *gic)
{
	uint64_t offset = gic->version == 3 ? GICD_PIDR2_V3 : GICD_PIDR2_V2;

	if (gic->version == 0) {
		snprintf(gic_description, sizeof(gic_description), "no GIC found in the DTB");
		return;
	}
	if (gic->dist_size > offset)
		gic->arch_rev = GIC_PIDR2_ARCHREV(
			*(volatile uint32_t *)(uintptr_t)(gic->dist_base + offset));
	if (gic->version == 3)
		snprintf(gic_description, sizeof(gic_description),
			 "GICv%u at 0x%08llx (%s, ArchRev %u, redistributors at 0x%08llx)",
			 gic->arch_rev >= 3 ? gic->arch_rev : 3,
			 (unsigned long long)gic->dist_base, gic->compatible, gic->arch_rev,
			 (unsigned long long)gic->redist_base[0]);
	else
		snprintf(gic_description, sizeof(gic_description),
			 "GICv2 at 0x%08llx (%s, ArchRev %u, CPU interface at 0x%08llx)",
			 (unsigned long long)gic->dist_base, gic->compatible, gic->arch_rev,
			 (unsigned long long)gic->cpu_base);
}

const char *aarch64_gic_describe(void)
{
	return gic_description[0] ? gic_description : "no GIC probed";
}

/*
 * The distributor: the hypervisor owns it when the GIC has one security
 * state (GICD_CTLR.DS = 1, as on QEMU virt without secure=on) or when the
 * image dropped from EL3 itself; otherwise the Non-secure view is set the
 * way Linux does (ARE_NS, Group 1).  Affinity routing must be on for the
 * system-register interface, and changes only while the groups are off.
 */
static void gic_init_distributor(const struct aarch64_gic *gic)
{
	volatile uint8_t *dist = (volatile uint8_t *)(uintptr_t)gic->dist_base;
	uint32_t ctlr = mmio_read32(dist, GICD_CTLR);
	uint32_t enable = (ctlr & GICD_CTLR_DS) ? GICD_CTLR_GRP1_DS
						: GICD_CTLR_GRP1_NS | GICD_CTLR_GRP1A_NS;

	if (!(ctlr & GICD_CTLR_ARE)) {
		mmio_write32(dist, GICD_CTLR, ctlr & ~(GICD_CTLR_GRP1_NS | GICD_CTLR_GRP1A_NS));
		wait_bits(dist, GICD_CTLR, GICD_CTLR_RWP, 0);
		mmio_write32(dist, GICD_CTLR, GICD_CTLR_ARE);
		wait_bits(dist, GICD_CTLR, GICD_CTLR_RWP, 0);
		ctlr = mmio_read32(dist, GICD_CTLR);
	}
	mmio_write32(dist, GICD_CTLR, (ctlr & ~GICD_CTLR_RWP) | GICD_CTLR_ARE | enable);
	wait_bits(dist, GICD_CTLR, GICD_CTLR_RWP, 0);
}

/* GICR_TYPER.Affinity is Aff3.Aff2.Aff1.Aff0; MPIDR keeps Aff3 in bits 39:32. */
static uint32_t mpidr_to_gicr_affinity(uint64_t mpidr)
{
	return (uint32_t)((mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24);
}

static volatile uint8_t *find_redistributor(const struct aarch64_gic *gic, uint64_t mpidr)
{
	uint32_t affinity = mpidr_to_gicr_affinity(mpidr);

	for (unsigned int r = 0; r < gic->redist_count; r++) {
		uint64_t offset = 0;

		while (offset + GICR_FRAME_SIZE <= gic->redist_size[r]) {
			volatile uint8_t *rd =
				(volatile uint8_t *)(uintptr_t)(gic->redist_base[r] + offset);
			uint64_t typer = mmio_read64(rd, GICR_TYPER);

			if ((uint32_t)(typer >> 32) == affinity)
				return rd;
			if (typer & GICR_TYPER_LAST)
				break;
			offset += GICR_FRAME_SIZE + ((typer & GICR_TYPER_VLPIS) ? GICR_VLPI_FRAMES : 0);
		}
	}
	return NULL;
}

/* ID_AA64PFR0_EL1.GIC, bits 27:24: the system-register CPU interface exists. */
static bool cpu_has_gic_sysregs(void)
{
	return ((read_sysreg(id_aa64pfr0_el1) >> 24) & 0xf) != 0;
}

static uint32_t host_enabled_interrupts(void)
{
	const struct aarch64_platform *plat = aarch64_platform();
	uint32_t bits = (1u << GIC_SGI_KICK) | (1u << GIC_PPI_MAINTENANCE) |
			(1u << GIC_PPI_VTIMER);

	if (plat->timer_hyp_ppi >= 16 && plat->timer_hyp_ppi < 32)
		bits |= 1u << plat->timer_hyp_ppi;
	return bits;
}

int gic_init_cpu(void)
{
	const struct aarch64_gic *gic = &aarch64_platform()->gic;
	struct gic_cpu *gc = gic_this_cpu();
	volatile uint8_t *rd, *sgi;
	uint64_t mpidr = this_cpu_mpidr();

	if (!gc)
		return -EINVAL;
	if (gic->version != 3)
		return -ENODEV;
	if (!cpu_has_gic_sysregs()) {
		log_warn("aarch64: the CPU has no GICv3 system-register interface; "
			 "the hypervisor takes no interrupts");
		return -ENODEV;
	}
	rd = find_redistributor(gic, mpidr);
	if (!rd) {
		log_warn("aarch64: no GICv3 redistributor for MPIDR 0x%llx",
			 (unsigned long long)mpidr);
		return -ENODEV;
	}
	if (!gic_distributor_done) {
		gic_init_distributor(gic);
		gic_distributor_done = true;
	}

	/* Wake the redistributor: it forwards interrupts to the CPU interface. */
	mmio_write32(rd, GICR_WAKER, mmio_read32(rd, GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
	if (!wait_bits(rd, GICR_WAKER, GICR_WAKER_CHILDREN_ASLEEP, 0))
		log_warn("aarch64: GICv3 redistributor of MPIDR 0x%llx does not wake up",
			 (unsigned long long)mpidr);

	/* SGIs and PPIs: all off and inactive, Group 1, one priority; then ours on. */
	sgi = rd + GICR_SGI_BASE;
	mmio_write32(sgi, GICR_ICENABLER0, 0xffffffffu);
	mmio_write32(sgi, GICR_ICACTIVER0, 0xffffffffu);
	mmio_write32(sgi, GICR_ICPENDR0, 0xffffffffu);
	wait_bits(rd, GICR_CTLR, GICR_CTLR_RWP, 0);
	mmio_write32(sgi, GICR_IGROUPR0, 0xffffffffu);
	mmio_write32(sgi, GICR_IGRPMODR0, 0);
	for (unsigned int i = 0; i < 8; i++)
		mmio_write32(sgi, GICR_IPRIORITYR0 + 4 * i, GIC_HOST_PRIORITY * 0x01010101u);
	gc->enabled = host_enabled_interrupts();
	mmio_write32(sgi, GICR_ISENABLER0, gc->enabled);
	gc->rd = rd;

	/* The CPU interface, by system registers. */
	write_sysreg(icc_sre_el2, ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB | ICC_SRE_EL2_ENABLE);
	isb();
	if (!(read_sysreg(icc_sre_el2) & ICC_SRE_SRE)) {
		log_warn("aarch64: ICC_SRE_EL2.SRE stays 0: no GICv3 system registers");
		return -ENODEV;
	}
	/* What a guest reads as ICC_SRE_EL1: the system-register interface. */
	write_sysreg(icc_sre_el1, ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB);
	write_sysreg(icc_pmr_el1, GIC_PMR_ALL);
	write_sysreg(icc_bpr1_el1, 0);
	write_sysreg(icc_ctlr_el1, 0);          /* EOImode 0 */
	write_sysreg(icc_igrpen1_el1, 1);
	/* No guest yet: the virtual CPU interface off, its list registers empty. */
	write_sysreg(ich_hcr_el2, 0);
	write_sysreg(ich_vmcr_el2, 0);
	isb();
	gc->ready = true;
	log_debug("aarch64: GICv3 CPU interface on, redistributor at 0x%llx, "
		  "interrupts 0x%08x enabled", (unsigned long long)(uintptr_t)rd, gc->enabled);
	return 0;
}

bool aarch64_gic_ready(void)
{
	struct gic_cpu *gc = gic_this_cpu();

	return gc && gc->ready;
}

void aarch64_gic_set_ppi(unsigned int intid, bool enabled)
{
	struct gic_cpu *gc = gic_this_cpu();
	uint32_t bit = 1u << (intid & 31);

	if (!gc || !gc->ready || intid >= 32 || !!(gc->enabled & bit) == enabled)
		return;
	if (enabled) {
		gc->enabled |= bit;
		mmio_write32(gc->rd + GICR_SGI_BASE, GICR_ISENABLER0, bit);
	} else {
		gc->enabled &= ~bit;
		mmio_write32(gc->rd + GICR_SGI_BASE, GICR_ICENABLER0, bit);
		/* The disable has taken effect when RWP reads 0. */
		wait_bits(gc->rd, GICR_CTLR, GICR_CTLR_RWP, 0);
	}
}

void arch_kick_cpu(unsigned int cpu)
{
	struct percpu *target = percpu_get(cpu);
	uint64_t mpidr, sgi1r;

	if (!target || !aarch64_gic_ready())
		return;
	mpidr = target->hw_id;
	/*
	 * ICC_SGI1R_EL1: Aff3 (55:48), RS (47:44, Aff0 / 16), Aff2 (39:32),
	 * INTID (27:24), Aff1 (23:16), TargetList (15:0, bit Aff0 % 16).
	 */
	sgi1r = ((mpidr >> 32) & 0xff) << 48 | ((mpidr & 0xff) >> 4) << 44 |
		((mpidr >> 16) & 0xff) << 32 | (uint64_t)GIC_SGI_KICK << 24 |
		((mpidr >> 8) & 0xff) << 16 | 1ull << (mpidr & 0xf);
	dsb(ishst);        /* what the kicker wrote is visible before the SGI */
	write_sysreg(icc_sgi1r_el1, sgi1r);
	isb();
}

void arch_cpu_idle(uint64_t deadline_ns)
{
	uint64_t daif = read_sysreg(daif);

	if (!aarch64_gic_ready()) {
		arch_cpu_relax();       /* nothing would wake us: the caller polls */
		return;
	}
	__asm__ volatile("msr daifset, #2" : : : "memory");
	if (deadline_ns)
		aarch64_hyp_timer_wake_at(aarch64_count_at_ns(deadline_ns));
	/* Masked: a pending kick ends WFI and is acknowledged below, not taken. */
	__asm__ volatile("dsb sy\n\twfi" : : : "memory");
	aarch64_gic_handle_irqs();
	if (deadline_ns)
		aarch64_hyp_timer_cancel();
	write_sysreg(daif, daif);
}

static void handle_one(struct gic_cpu *gc, uint32_t intid)
{
	const struct aarch64_platform *plat = aarch64_platform();

	if (intid == GIC_SGI_KICK) {
		gc->stats.kicks++;
	} else if (intid == GIC_PPI_MAINTENANCE) {
		gc->stats.maintenance++;
	} else if (intid == GIC_PPI_VTIMER) {
		gc->stats.vtimer++;
	} else if (intid == plat->timer_hyp_ppi) {
		gc->stats.hyp_timer++;
		aarch64_hyp_timer_cancel();     /* level-sensitive: lower it */
	} else {
		gc->stats.other++;
		if (gc->stats.other <= 8)
			log_warn("aarch64: unexpected interrupt %u at EL2", intid);
	}
}

unsigned int aarch64_gic_handle_irqs(void)
{
	struct gic_cpu *gc = gic_this_cpu();
	unsigned int handled = 0;

	if (!gc || !gc->ready)
		return 0;
	/* Bounded: a stuck level-sensitive source must not hold the CPU here. */
	while (handled < 32) {
		uint64_t iar = read_sysreg(icc_iar1_el1);
		uint32_t intid = (uint32_t)iar & 0xffffff;

		if (intid >= GIC_INTID_SPURIOUS_FIRST && intid <= 1023)
			break;
		handle_one(gc, intid);
		write_sysreg(icc_eoir1_el1, iar);
		handled++;
	}
	isb();
	return handled;
}

struct aarch64_gic_stats aarch64_gic_stats(unsigned int cpu)
{
	struct aarch64_gic_stats none = { 0 };

	return cpu < MAX_CPUS ? gic_cpus[cpu].stats : none;
}
