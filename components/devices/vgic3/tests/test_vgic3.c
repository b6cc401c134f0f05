/* SPDX-License-Identifier: MIT */
/*
 * The virtual GICv3 driven through the bus the way Linux's irq-gic-v3 and
 * EDK2's ArmGicLib/ArmGicV3Dxe program it, and through the inputs and
 * the list-register interface the way devices and the EL2 backend use it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <bus/bus.h>
#include <bus/irq.h>
#include <host/support.h>
#include <vgic3/vgic3.h>

#define D VGIC3_VIRT_DIST_BASE
#define R VGIC3_VIRT_REDIST_BASE
#define RD(c) (R + (uint64_t)(c) * VGIC3_REDIST_STRIDE)
#define SGI(c) (RD(c) + VGIC3_SGI_FRAME)
#define NR_SPIS 64

struct fixture {
	struct bus *bus;
	struct vgic3 *v;
	unsigned kicks[VGIC3_MAX_VCPUS];
};

static void count_kick(void *ctx, unsigned vcpu)
{
	struct fixture *f = ctx;

	assert_true(vcpu < VGIC3_MAX_VCPUS);
	f->kicks[vcpu]++;
}

static struct fixture *make(unsigned vcpus)
{
	struct fixture *f = test_calloc(1, sizeof(*f));

	f->bus = bus_create("test");
	assert_non_null(f->bus);
	f->v = vgic3_create(f->bus, D, R, vcpus, NR_SPIS);
	assert_non_null(f->v);
	vgic3_set_kick(f->v, count_kick, f);
	host_console_clear();
	return f;
}

static int setup(void **state)
{
	*state = make(2);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vgic3_destroy(f->v);
	bus_destroy(f->bus);
	test_free(f);
	return 0;
}

static enum bus_result access(struct fixture *f, enum bus_dir dir, uint64_t addr, unsigned width,
			      uint64_t *data)
{
	struct bus_access a = { BUS_SPACE_MMIO, dir, addr, width, dir == BUS_WRITE ? *data : 0 };
	enum bus_result r = bus_dispatch(f->bus, &a);

	if (dir == BUS_READ)
		*data = a.data;
	return r;
}

static uint64_t rd(struct fixture *f, uint64_t addr, unsigned width)
{
	uint64_t value = 0;

	assert_int_equal(access(f, BUS_READ, addr, width, &value), BUS_OK);
	return value;
}

static void wr(struct fixture *f, uint64_t addr, unsigned width, uint64_t value)
{
	assert_int_equal(access(f, BUS_WRITE, addr, width, &value), BUS_OK);
}

#define rd32(f, a) ((uint32_t)rd(f, a, 4))
#define wr32(f, a, v) wr(f, a, 4, v)

/* Enables Group 1 and SPI intid at priority prio, routed to vcpu. */
static void enable_spi(struct fixture *f, unsigned intid, uint8_t prio, unsigned vcpu)
{
	wr32(f, D + GICD_CTLR, GICD_CTLR_ENABLE_G1 | GICD_CTLR_ARE);
	wr(f, D + GICD_IPRIORITYR + intid, 1, prio);
	wr(f, D + GICD_IROUTER + intid * 8, 8, vcpu);
	wr32(f, D + GICD_ISENABLER + intid / 32 * 4, 1u << (intid % 32));
}

static void enable_private(struct fixture *f, unsigned vcpu, unsigned intid, uint8_t prio)
{
	wr32(f, D + GICD_CTLR, GICD_CTLR_ENABLE_G1 | GICD_CTLR_ARE);
	wr(f, SGI(vcpu) + GICR_IPRIORITYR0 + intid, 1, prio);
	wr32(f, SGI(vcpu) + GICR_ISENABLER0, 1u << intid);
}

/* ---- Linux ---------------------------------------------------------------- */

static void linux_gic_v3_init(void **state)
{
	struct fixture *f = *state;
	unsigned gic_irqs, frames = 0;
	uint64_t typer, aff[4];
	uint64_t ptr = R;

	/* gic_validate_dist_version */
	assert_int_equal(rd32(f, D + GICD_PIDR2) & 0xF0, GIC_PIDR2_ARCH_GICV3);
	/* gic_init_bases: 96 INTIDs (ITLinesNumber 2), 10 ID bits, no LPIs/MBIs, No1N */
	typer = rd32(f, D + GICD_TYPER);
	assert_int_equal(typer, 0x02480002);
	gic_irqs = 32 * ((typer & 0x1F) + 1);
	assert_int_equal(gic_irqs, 96);
	assert_int_equal(((typer >> 19) & 0x1F) + 1, 10);
	assert_int_equal(typer & (GICD_TYPER_LPIS | GICD_TYPER_MBIS), 0);
	assert_int_equal(rd32(f, D + GICD_IIDR), 0x43B);
	assert_int_equal(rd32(f, D + GICD_TYPER2), 0);

	/* gic_dist_init: disable, wait for RWP, configure every SPI */
	wr32(f, D + GICD_CTLR, 0);
	assert_int_equal(rd32(f, D + GICD_CTLR) & GICD_CTLR_RWP, 0);
	assert_int_equal(rd32(f, D + GICD_CTLR), GICD_CTLR_ARE | GICD_CTLR_DS);
	for (unsigned i = 32; i < gic_irqs; i += 32)
		wr32(f, D + GICD_IGROUPR + i / 8, ~0u);
	for (unsigned i = 32; i < gic_irqs; i += 16)
		wr32(f, D + GICD_ICFGR + i / 4, 0);
	for (unsigned i = 32; i < gic_irqs; i += 4)
		wr32(f, D + GICD_IPRIORITYR + i, 0xA0A0A0A0);
	for (unsigned i = 32; i < gic_irqs; i += 32) {
		wr32(f, D + GICD_ICACTIVER + i / 8, ~0u);
		wr32(f, D + GICD_ICENABLER + i / 8, ~0u);
	}
	assert_int_equal(rd32(f, D + GICD_CTLR) & GICD_CTLR_RWP, 0);
	wr32(f, D + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1 | GICD_CTLR_ENABLE_G0);
	assert_int_equal(rd32(f, D + GICD_CTLR), 0x53);
	for (unsigned i = 32; i < gic_irqs; i++)
		wr(f, D + GICD_IROUTER + i * 8, 8, 0);

	assert_int_equal(rd32(f, D + GICD_IGROUPR + 4), 0xFFFFFFFF);
	assert_int_equal(rd32(f, D + GICD_IGROUPR + 8), 0xFFFFFFFF);
	assert_int_equal(rd32(f, D + GICD_IPRIORITYR + 92), 0xA0A0A0A0);
	assert_int_equal(rd32(f, D + GICD_ICFGR + 8), 0);
	assert_int_equal(rd32(f, D + GICD_ISENABLER + 4), 0);
	assert_int_equal(rd(f, D + GICD_IROUTER + 95 * 8, 8), 0);

	/* gic_iterate_rdists / gic_populate_rdist */
	assert_int_equal(rd32(f, R + GICR_PIDR2) & 0xF0, GIC_PIDR2_ARCH_GICV3);
	do {
		typer = rd(f, ptr + GICR_TYPER, 8);
		assert_true(frames < 4);
		aff[frames++] = typer >> 32;
		ptr += VGIC3_REDIST_STRIDE;
	} while (!(typer & GICR_TYPER_LAST));
	assert_int_equal(frames, 2);
	assert_int_equal(aff[0], 0);
	assert_int_equal(aff[1], 1);
	assert_int_equal(rd(f, RD(0) + GICR_TYPER, 8), 0x0000000000000000ull);
	assert_int_equal(rd(f, RD(1) + GICR_TYPER, 8), 0x0000000100000110ull);
	/* 32-bit halves read the same register */
	assert_int_equal(rd32(f, RD(1) + GICR_TYPER), 0x110);
	assert_int_equal(rd32(f, RD(1) + GICR_TYPER + 4), 1);

	/* gic_enable_redist: clear ProcessorSleep, wait for ChildrenAsleep to clear */
	for (unsigned c = 0; c < 2; c++) {
		uint32_t waker = rd32(f, RD(c) + GICR_WAKER);

		assert_int_equal(waker, GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP);
		wr32(f, RD(c) + GICR_WAKER, waker & ~GICR_WAKER_PROCESSOR_SLEEP);
		assert_int_equal(rd32(f, RD(c) + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP, 0);
		assert_int_equal(rd32(f, RD(c) + GICR_CTLR) & GICR_CTLR_RWP, 0);
		assert_int_equal(rd32(f, RD(c) + GICR_IIDR), 0x43B);

		/* gic_cpu_init / gic_cpu_config for SGIs and PPIs */
		wr32(f, SGI(c) + GICR_IGROUPR0, ~0u);
		wr32(f, SGI(c) + GICR_ICACTIVER0, ~0u);
		wr32(f, SGI(c) + GICR_ICENABLER0, ~0u);
		for (unsigned i = 0; i < 32; i += 4)
			wr32(f, SGI(c) + GICR_IPRIORITYR0 + i, 0xA0A0A0A0);
		assert_int_equal(rd32(f, SGI(c) + GICR_IGROUPR0), 0xFFFFFFFF);
		assert_int_equal(rd32(f, SGI(c) + GICR_IPRIORITYR0 + 28), 0xA0A0A0A0);
		assert_int_equal(rd32(f, SGI(c) + GICR_ICFGR0), 0xAAAAAAAA);
		assert_int_equal(rd32(f, SGI(c) + GICR_ICFGR1), 0);
		/* IPI SGIs 0-7 unmasked one by one */
		for (unsigned i = 0; i < 8; i++)
			wr32(f, SGI(c) + GICR_ISENABLER0, 1u << i);
		assert_int_equal(rd32(f, SGI(c) + GICR_ISENABLER0), 0xFF);
	}
	/* arch timer PPI 27: level (bit clear), enabled on CPU 1 */
	wr32(f, SGI(1) + GICR_ICFGR1, rd32(f, SGI(1) + GICR_ICFGR1) & ~(2u << 22));
	wr32(f, SGI(1) + GICR_ISENABLER0, 1u << 27);
	assert_int_equal(rd32(f, SGI(1) + GICR_ISENABLER0), 0x080000FF);
	assert_int_equal(rd32(f, SGI(0) + GICR_ISENABLER0), 0xFF);

	/* The UART (SPI 1, INTID 33): level, unmasked */
	wr32(f, D + GICD_ISENABLER + 4, 1u << 1);
	assert_int_equal(rd32(f, D + GICD_ISENABLER + 4), 2);
	assert_int_equal(rd32(f, D + GICD_ICENABLER + 4), 2);
	/* a virtio-mmio transport (SPI 16, INTID 48) set to edge */
	wr32(f, D + GICD_ICFGR + 12, 2u << 0);
	assert_int_equal(rd32(f, D + GICD_ICFGR + 12), 2);
	assert_false(host_console_contains("vgic3:"));
}

/* ---- EDK2 ----------------------------------------------------------------- */

static void edk2_arm_gic_v3(void **state)
{
	struct fixture *f = *state;
	unsigned num = 32 * ((rd32(f, D + GICD_TYPER) & 0x1F) + 1);
	uint64_t rbase = R, typer;
	uint32_t ctl;

	assert_int_equal(num, 96);
	/* GicV3DxeInitialize: disable everything, default priorities */
	for (unsigned i = 0; i < num; i++) {
		if (i < 32)
			continue;   /* SGI/PPI: through the redistributor below */
		wr32(f, D + GICD_ICENABLER + 4 * (i / 32), 1u << (i % 32));
	}
	for (unsigned i = 0; i < num; i += 4)
		wr32(f, D + GICD_IPRIORITYR + i, 0xA0A0A0A0);
	/* with ARE the distributor's SGI/PPI bank is RAZ/WI */
	assert_int_equal(rd32(f, D + GICD_IPRIORITYR), 0);
	assert_int_equal(rd32(f, D + GICD_IPRIORITYR + 32), 0xA0A0A0A0);
	for (unsigned i = 32; i < num; i++)
		wr(f, D + GICD_IROUTER + i * 8, 8, 1);   /* MPIDR of CPU 1 */
	assert_int_equal(rd(f, D + GICD_IROUTER + 40 * 8, 8), 1);

	/* ArmGicEnableDistributor: ARE is set, so OR in EnableGrp1 (0x2) */
	ctl = rd32(f, D + GICD_CTLR);
	assert_true(ctl & GICD_CTLR_ARE);
	wr32(f, D + GICD_CTLR, ctl | 0x2);
	assert_int_equal(rd32(f, D + GICD_CTLR), GICD_CTLR_ARE | GICD_CTLR_DS | GICD_CTLR_ENABLE_G1);

	/* GicGetCpuRedistributorBase for MPIDR Aff0 = 1 */
	do {
		typer = rd(f, rbase + GICR_TYPER, 8);
		if ((typer >> 32) == 1)
			break;
		rbase += VGIC3_REDIST_STRIDE;
	} while (!(typer & GICR_TYPER_LAST));
	assert_int_equal(rbase, RD(1));

	/* ArmGicEnableInterrupt(27) and ArmGicSetInterruptPriority(27, 0x80) */
	wr32(f, rbase + VGIC3_SGI_FRAME + GICR_ISENABLER0, 1u << 27);
	ctl = rd32(f, rbase + VGIC3_SGI_FRAME + GICR_IPRIORITYR0 + 24);
	wr32(f, rbase + VGIC3_SGI_FRAME + GICR_IPRIORITYR0 + 24, (ctl & ~(0xFFu << 24)) | 0x80u << 24);
	assert_int_equal(rd32(f, SGI(1) + GICR_ISENABLER0), 1u << 27);
	assert_int_equal(rd32(f, SGI(0) + GICR_ISENABLER0), 0);
	assert_int_equal(rd(f, SGI(1) + GICR_IPRIORITYR0 + 27, 1), 0x80);
	assert_int_equal(rd(f, SGI(1) + GICR_IPRIORITYR0 + 26, 1), 0);

	/* ArmGicEnableInterrupt / priority for SPI 34 (INTID 66) */
	wr32(f, D + GICD_ISENABLER + 4 * (66 / 32), 1u << (66 % 32));
	ctl = rd32(f, D + GICD_IPRIORITYR + 4 * (66 / 4));
	wr32(f, D + GICD_IPRIORITYR + 4 * (66 / 4), (ctl & ~(0xFFu << 16)) | 0x40u << 16);
	assert_int_equal(rd(f, D + GICD_IPRIORITYR + 66, 1), 0x40);
	assert_int_equal(rd32(f, D + GICD_IPRIORITYR + 64), 0xA040A0A0);
	assert_int_equal(rd32(f, D + GICD_ISENABLER + 8), 1u << 2);

	/* The timer fires on CPU 1 and is handed to the backend. */
	{
		struct vgic3_lr lr[4];

		vgic3_set_ppi(f->v, 1, VGIC3_PPI_VTIMER, true);
		assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 1);
		assert_int_equal(lr[0].intid, 27);
		assert_int_equal(lr[0].priority, 0x80);
	}
	assert_false(host_console_contains("vgic3:"));
}

/* ---- inputs and list registers ------------------------------------------- */

static void level_spi_follows_line(void **state)
{
	struct fixture *f = *state;
	struct irq_line uart;
	struct vgic3_lr lr[4];

	irq_line_init(&uart, "uart");
	irq_line_connect(&uart, vgic3_spi_sink, f->v, 1);      /* SPI 1 = INTID 33 */
	enable_spi(f, 33, 0xA0, 0);

	irq_line_raise(&uart);
	assert_int_equal(rd32(f, D + GICD_ISPENDR + 4), 1u << 1);
	assert_int_equal(f->kicks[0], 1);
	assert_int_equal(f->kicks[1], 0);
	assert_true(vgic3_has_pending(f->v, 0));
	assert_false(vgic3_has_pending(f->v, 1));

	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 1);
	assert_int_equal(lr[0].intid, 33);
	assert_int_equal(lr[0].priority, 0xA0);
	assert_int_equal(lr[0].group, 1);
	assert_int_equal(lr[0].state, VGIC3_LR_PENDING);
	assert_true(lr[0].level);
	assert_int_equal(vgic3_lr_to_ich_lr(&lr[0]), 0x50A0020000000021ull);
	/* already in an LR: not handed out twice */
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 0);

	/* The guest acknowledged it; the device still holds the line high. */
	assert_int_equal(vgic3_sync_lr(f->v, 0, 33, VGIC3_LR_ACTIVE), 0);
	assert_int_equal(rd32(f, D + GICD_ISACTIVER + 4), 1u << 1);
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 1);
	assert_int_equal(lr[0].state, VGIC3_LR_PENDING_ACTIVE);
	assert_int_equal(vgic3_ich_lr_state(vgic3_lr_to_ich_lr(&lr[0])), VGIC3_LR_PENDING_ACTIVE);
	/* EOI with the line still high: pending again, not active */
	assert_int_equal(vgic3_sync_lr(f->v, 0, 33, VGIC3_LR_PENDING), 0);
	assert_int_equal(rd32(f, D + GICD_ISACTIVER + 4), 0);
	assert_true(vgic3_has_pending(f->v, 0));
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 1);
	assert_int_equal(lr[0].state, VGIC3_LR_PENDING);

	/* The line drops while the LR still shows it pending: vCPU 0 is made to exit. */
	f->kicks[0] = 0;
	irq_line_lower(&uart);
	assert_int_equal(f->kicks[0], 1);
	assert_int_equal(vgic3_sync_lr(f->v, 0, 33, VGIC3_LR_PENDING), 0);
	assert_int_equal(rd32(f, D + GICD_ISPENDR + 4), 0);
	assert_false(vgic3_has_pending(f->v, 0));
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 0);

	/* ICPENDR cannot clear a line that is high */
	irq_line_raise(&uart);
	wr32(f, D + GICD_ICPENDR + 4, 1u << 1);
	assert_int_equal(rd32(f, D + GICD_ISPENDR + 4), 1u << 1);
	/* but a software pend of a level interrupt stays until cleared */
	irq_line_lower(&uart);
	wr32(f, D + GICD_ISPENDR + 4, 1u << 1);
	assert_int_equal(rd32(f, D + GICD_ISPENDR + 4), 1u << 1);
	wr32(f, D + GICD_ICPENDR + 4, 1u << 1);
	assert_int_equal(rd32(f, D + GICD_ISPENDR + 4), 0);
}

static void edge_spi_latched_once(void **state)
{
	struct fixture *f = *state;
	struct irq_line virtio;
	struct vgic3_lr lr[4];

	irq_line_init(&virtio, "virtio");
	irq_line_connect(&virtio, vgic3_spi_sink, f->v, 2);    /* INTID 34 */
	wr32(f, D + GICD_ICFGR + 8, 2u << 4);                   /* INTID 34 edge */
	enable_spi(f, 34, 0x80, 1);

	irq_line_pulse(&virtio);
	irq_line_pulse(&virtio);
	assert_int_equal(f->kicks[1], 2);
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 1);
	assert_int_equal(lr[0].intid, 34);
	assert_false(lr[0].level);
	assert_int_equal(vgic3_lr_to_ich_lr(&lr[0]), 0x5080000000000022ull);
	assert_int_equal(vgic3_sync_lr(f->v, 1, 34, VGIC3_LR_ACTIVE), 0);
	/* two edges before the guest took it made one interrupt */
	assert_int_equal(rd32(f, D + GICD_ISPENDR + 4), 0);
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 1);
	assert_int_equal(lr[0].state, VGIC3_LR_ACTIVE);

	/* a new edge while active: active+pending; after EOI just pending */
	irq_line_pulse(&virtio);
	assert_int_equal(vgic3_sync_lr(f->v, 1, 34, VGIC3_LR_ACTIVE), 0);
	assert_false(vgic3_has_pending(f->v, 1));       /* active: cannot be taken yet */
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 1);
	assert_int_equal(lr[0].state, VGIC3_LR_PENDING_ACTIVE);
	assert_int_equal(vgic3_sync_lr(f->v, 1, 34, VGIC3_LR_PENDING), 0);
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 1);
	assert_int_equal(lr[0].state, VGIC3_LR_PENDING);
	assert_int_equal(vgic3_sync_lr(f->v, 1, 34, VGIC3_LR_INVALID), 0);
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 0);

	/* a line held high makes no further interrupts */
	irq_line_raise(&virtio);
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 1);
	assert_int_equal(vgic3_sync_lr(f->v, 1, 34, VGIC3_LR_INVALID), 0);
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 0);
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 0);
}

/*
 * A fill that found nothing is skipped until the model changes
 * (v->generation): every change must still be seen by the next fill,
 * whichever way it comes (a line, a register write, an SGI, a sync).
 */
static void quiet_fill_sees_every_change(void **state)
{
	struct fixture *f = *state;
	struct irq_line uart;
	struct vgic3_lr lr[4];

	irq_line_init(&uart, "uart");
	irq_line_connect(&uart, vgic3_spi_sink, f->v, 1);      /* SPI 1 = INTID 33 */
	enable_spi(f, 33, 0xA0, 0);
	enable_private(f, 0, VGIC3_PPI_VTIMER, 0xA0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 0);
	irq_line_raise(&uart);
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 1);
	assert_int_equal(lr[0].intid, 33);
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 0);
	assert_int_equal(vgic3_sync_lr(f->v, 0, 33, VGIC3_LR_INVALID), 0);
	irq_line_lower(&uart);
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 0);
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 0);
	/* a PPI's level */
	assert_int_equal(vgic3_set_ppi(f->v, 0, VGIC3_PPI_VTIMER, true), 0);
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 1);
	assert_int_equal(lr[0].intid, VGIC3_PPI_VTIMER);
	assert_int_equal(vgic3_sync_lr(f->v, 0, VGIC3_PPI_VTIMER, VGIC3_LR_INVALID), 0);
	assert_int_equal(vgic3_set_ppi(f->v, 0, VGIC3_PPI_VTIMER, false), 0);
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 0);
	/* a register write: SPI 1 made pending through GICD_ISPENDR */
	wr32(f, D + GICD_ISPENDR + 4, 1u << 1);
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 1);
	assert_int_equal(lr[0].intid, 33);
}

static void timer_ppi_for_vcpu1_only(void **state)
{
	struct fixture *f = *state;
	struct vgic3_lr lr[4];

	enable_private(f, 1, VGIC3_PPI_VTIMER, 0xA0);
	assert_int_equal(vgic3_set_ppi(f->v, 1, VGIC3_PPI_VTIMER, true), 0);
	assert_int_equal(f->kicks[1], 1);
	assert_int_equal(f->kicks[0], 0);
	assert_int_equal(rd32(f, SGI(1) + GICR_ISPENDR0), 1u << 27);
	assert_int_equal(rd32(f, SGI(0) + GICR_ISPENDR0), 0);
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 0);
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 1);
	assert_int_equal(lr[0].intid, 27);
	assert_true(lr[0].level);
	assert_int_equal(vgic3_sync_lr(f->v, 1, 27, VGIC3_LR_ACTIVE), 0);
	/* the guest reprogrammed the timer: line low, then EOI */
	assert_int_equal(vgic3_set_ppi(f->v, 1, VGIC3_PPI_VTIMER, false), 0);
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 1);
	assert_int_equal(lr[0].state, VGIC3_LR_ACTIVE);
	assert_int_equal(vgic3_sync_lr(f->v, 1, 27, VGIC3_LR_INVALID), 0);
	assert_false(vgic3_has_pending(f->v, 1));

	/* the same PPI on vCPU 0 is disabled there: pending, but not delivered */
	assert_int_equal(vgic3_set_ppi(f->v, 0, VGIC3_PPI_VTIMER, true), 0);
	assert_int_equal(rd32(f, SGI(0) + GICR_ISPENDR0), 1u << 27);
	assert_false(vgic3_has_pending(f->v, 0));
	assert_int_equal(f->kicks[0], 0);

	assert_int_equal(vgic3_set_ppi(f->v, 0, 15, true), -EINVAL);
	assert_int_equal(vgic3_set_ppi(f->v, 0, 32, true), -EINVAL);
	assert_int_equal(vgic3_set_ppi(f->v, 2, 27, true), -EINVAL);
}

static void sgi_target_list_and_all_but_self(void **state)
{
	struct fixture *f = make(4);
	struct vgic3_lr lr[4];

	(void)state;
	for (unsigned c = 0; c < 4; c++)
		enable_private(f, c, 3, 0x00);
	/* Linux gic_send_sgi: TargetList {1, 2}, INTID 3 */
	assert_int_equal(vgic3_write_sgi1r(f->v, 0, 3ull << 24 | 0x6), 0);
	assert_int_equal(rd32(f, SGI(0) + GICR_ISPENDR0), 0);
	assert_int_equal(rd32(f, SGI(1) + GICR_ISPENDR0), 1u << 3);
	assert_int_equal(rd32(f, SGI(2) + GICR_ISPENDR0), 1u << 3);
	assert_int_equal(rd32(f, SGI(3) + GICR_ISPENDR0), 0);
	assert_int_equal(f->kicks[1], 1);
	assert_int_equal(f->kicks[2], 1);
	assert_int_equal(f->kicks[0] + f->kicks[3], 0);
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 1);
	assert_int_equal(lr[0].intid, 3);
	assert_false(lr[0].level);
	assert_int_equal(vgic3_sync_lr(f->v, 1, 3, VGIC3_LR_INVALID), 0);
	wr32(f, SGI(2) + GICR_ICPENDR0, 1u << 3);

	/* IRM: everyone but the sender (vCPU 2) */
	assert_int_equal(vgic3_write_sgi1r(f->v, 2, ICC_SGI1R_IRM | 3ull << 24), 0);
	assert_int_equal(rd32(f, SGI(0) + GICR_ISPENDR0), 1u << 3);
	assert_int_equal(rd32(f, SGI(1) + GICR_ISPENDR0), 1u << 3);
	assert_int_equal(rd32(f, SGI(2) + GICR_ISPENDR0), 0);
	assert_int_equal(rd32(f, SGI(3) + GICR_ISPENDR0), 1u << 3);

	/* Aff1 = 1 or a range selector names no vCPU here; bad sender refused */
	for (unsigned c = 0; c < 4; c++)
		wr32(f, SGI(c) + GICR_ICPENDR0, ~0u);
	assert_int_equal(vgic3_write_sgi1r(f->v, 0, 1ull << 16 | 5ull << 24 | 0xF), 0);
	assert_int_equal(vgic3_write_sgi1r(f->v, 0, 1ull << 44 | 5ull << 24 | 0xF), 0);
	assert_int_equal(vgic3_write_sgi1r(f->v, 4, 5ull << 24 | 0xF), -EINVAL);
	for (unsigned c = 0; c < 4; c++)
		assert_int_equal(rd32(f, SGI(c) + GICR_ISPENDR0), 0);

	/* ICC_SGI1R makes Group 1 SGIs: a Group 0 SGI on the target is not pended */
	wr32(f, SGI(1) + GICR_IGROUPR0, ~(1u << 5));
	assert_int_equal(vgic3_write_sgi1r(f->v, 0, 5ull << 24 | 0x6), 0);
	assert_int_equal(rd32(f, SGI(1) + GICR_ISPENDR0), 0);
	assert_int_equal(rd32(f, SGI(2) + GICR_ISPENDR0), 1u << 5);

	teardown((void **)&f);
}

static void pending_list_by_priority_and_limit(void **state)
{
	struct fixture *f = *state;
	struct vgic3_lr lr[8];
	static const struct { unsigned intid; uint8_t prio; } irqs[] = {
		{ 40, 0xA0 }, { 41, 0x20 }, { 42, 0xA0 }, { 43, 0x60 }, { 44, 0xF8 },
	};

	for (unsigned i = 0; i < 5; i++) {
		enable_spi(f, irqs[i].intid, irqs[i].prio, 0);
		wr32(f, D + GICD_ISPENDR + 4, 1u << (irqs[i].intid - 32));
	}
	enable_private(f, 0, 1, 0x60);
	assert_int_equal(vgic3_write_sgi1r(f->v, 1, 1ull << 24 | 1), 0);

	/* only 3 LRs: the three most urgent; 0x60 ties go by INTID */
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 3), 3);
	assert_int_equal(lr[0].intid, 41);
	assert_int_equal(lr[1].intid, 1);
	assert_int_equal(lr[2].intid, 43);
	/* the rest on the next call */
	assert_int_equal(vgic3_pending_for(f->v, 0, lr + 3, 5), 3);
	assert_int_equal(lr[3].intid, 40);
	assert_int_equal(lr[4].intid, 42);
	assert_int_equal(lr[5].intid, 44);
	assert_int_equal(lr[5].priority, 0xF8);
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 8), 0);
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 0), 0);

	/* all taken back unacknowledged: still pending, same order */
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(vgic3_sync_lr(f->v, 0, lr[i].intid, VGIC3_LR_PENDING), 0);
	/* an active interrupt goes first whatever its priority */
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 1), 1);
	assert_int_equal(lr[0].intid, 41);
	assert_int_equal(vgic3_sync_lr(f->v, 0, 41, VGIC3_LR_PENDING), 0);
	wr32(f, D + GICD_ISACTIVER + 4, 1u << (44 - 32));
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 2), 2);
	assert_int_equal(lr[0].intid, 44);
	assert_int_equal(lr[0].state, VGIC3_LR_PENDING_ACTIVE);
	assert_int_equal(lr[1].intid, 41);
	assert_int_equal(rd32(f, D + GICD_ISPENDR + 4), 0x1F00);
}

static void active_and_pending(void **state)
{
	struct fixture *f = *state;
	struct vgic3_lr lr[4];

	enable_spi(f, 50, 0x40, 0);
	wr32(f, D + GICD_ICFGR + 12, 2u << 4);                  /* INTID 50 edge */
	wr32(f, D + GICD_ISACTIVER + 4, 1u << 18);
	assert_int_equal(rd32(f, D + GICD_ISACTIVER + 4), 1u << 18);
	/* active only: must reach an LR so the guest can deactivate it */
	assert_false(vgic3_has_pending(f->v, 0));
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 1);
	assert_int_equal(lr[0].state, VGIC3_LR_ACTIVE);
	assert_int_equal(vgic3_sync_lr(f->v, 0, 50, VGIC3_LR_ACTIVE), 0);

	/* pended while active: not signalled until deactivated */
	f->kicks[0] = 0;
	wr32(f, D + GICD_ISPENDR + 4, 1u << 18);
	assert_int_equal(f->kicks[0], 0);
	assert_false(vgic3_has_pending(f->v, 0));
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 1);
	assert_int_equal(lr[0].state, VGIC3_LR_PENDING_ACTIVE);
	/* ICPENDR while in the LR: the LR's pending is not given back */
	wr32(f, D + GICD_ICPENDR + 4, 1u << 18);
	assert_int_equal(vgic3_sync_lr(f->v, 0, 50, VGIC3_LR_PENDING_ACTIVE), 0);
	assert_int_equal(rd32(f, D + GICD_ISPENDR + 4), 0);
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 1);
	assert_int_equal(lr[0].state, VGIC3_LR_ACTIVE);
	assert_int_equal(vgic3_sync_lr(f->v, 0, 50, VGIC3_LR_INVALID), 0);

	/* deactivated by ICACTIVER with something pending: kicks */
	wr32(f, D + GICD_ISACTIVER + 4, 1u << 18);
	wr32(f, D + GICD_ISPENDR + 4, 1u << 18);
	assert_int_equal(f->kicks[0], 0);
	wr32(f, D + GICD_ICACTIVER + 4, 1u << 18);
	assert_int_equal(f->kicks[0], 1);
	assert_true(vgic3_has_pending(f->v, 0));

	/* a disabled active+pending one goes in as active only */
	wr32(f, D + GICD_ISACTIVER + 4, 1u << 18);
	wr32(f, D + GICD_ICENABLER + 4, 1u << 18);
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 1);
	assert_int_equal(lr[0].state, VGIC3_LR_ACTIVE);
	assert_int_equal(vgic3_sync_lr(f->v, 0, 50, VGIC3_LR_INVALID), 0);
	assert_int_equal(rd32(f, D + GICD_ISPENDR + 4), 1u << 18);
}

static void disabled_groups_not_delivered(void **state)
{
	struct fixture *f = *state;
	struct vgic3_lr lr[4];

	enable_spi(f, 60, 0x10, 0);
	wr32(f, D + GICD_ISPENDR + 4, 1u << 28);
	wr32(f, D + GICD_CTLR, 0);
	assert_false(vgic3_has_pending(f->v, 0));
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 0);
	f->kicks[0] = 0;
	wr32(f, D + GICD_CTLR, GICD_CTLR_ENABLE_G1);
	assert_int_equal(f->kicks[0], 1);
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 1);
	assert_int_equal(vgic3_sync_lr(f->v, 0, 60, VGIC3_LR_PENDING), 0);

	/* Group 0 interrupts need EnableGrp0 */
	wr32(f, D + GICD_IGROUPR + 4, ~(1u << 28));
	assert_int_equal(rd32(f, D + GICD_IGROUPR + 4), ~(1u << 28));
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 0);
	wr32(f, D + GICD_CTLR, GICD_CTLR_ENABLE_G0 | GICD_CTLR_ENABLE_G1);
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 4), 1);
	assert_int_equal(lr[0].group, 0);
	assert_int_equal(vgic3_lr_to_ich_lr(&lr[0]), 0x4010000000000000ull | 60 | ICH_LR_EOI);
	assert_int_equal(vgic3_sync_lr(f->v, 0, 60, VGIC3_LR_INVALID), 0);

	/* routed nowhere (Aff0 beyond the vCPUs, or Aff1 set): held, not delivered */
	wr32(f, D + GICD_ISPENDR + 4, 1u << 28);
	wr(f, D + GICD_IROUTER + 60 * 8, 8, 5);
	assert_false(vgic3_has_pending(f->v, 0));
	assert_false(vgic3_has_pending(f->v, 1));
	wr(f, D + GICD_IROUTER + 60 * 8, 8, 0x100);
	assert_false(vgic3_has_pending(f->v, 0));
	/* re-routed to vCPU 1 by the upper then lower 32-bit half */
	f->kicks[1] = 0;
	wr32(f, D + GICD_IROUTER + 60 * 8 + 4, 0);
	wr32(f, D + GICD_IROUTER + 60 * 8, 1 | 1u << 31);   /* IRM is RAZ/WI */
	assert_int_equal(rd32(f, D + GICD_IROUTER + 60 * 8), 1);
	assert_int_equal(rd32(f, D + GICD_IROUTER + 60 * 8 + 4), 0);
	assert_int_equal(f->kicks[1], 1);
	assert_true(vgic3_has_pending(f->v, 1));
	/* Aff3 (bits 39:32) is RES0 without A3V */
	wr(f, D + GICD_IROUTER + 60 * 8, 8, 0xFF00000001ull);
	assert_int_equal(rd(f, D + GICD_IROUTER + 60 * 8, 8), 1);
}

/*
 * The wake-up rule the WFI wait relies on, for SGI 1 from vCPU 0 to vCPU 1
 * at every point of vCPU 1's way (tests/guests/ipi-pingpong.c): an SGI
 * either kicks its target, or the target holds it in a list register and
 * will exit and sync before it can sleep, after which vgic3_has_pending()
 * says yes.  Never neither.
 */
static void sgi_wakeups_at_every_point(void **state)
{
	struct fixture *f = *state;
	struct vgic3_lr lr[4];
	const uint64_t sgi1_to_1 = 1ull << 24 | 1u << 1;

	enable_private(f, 1, 1, 0x00);

	/* Asleep, nothing in a list register: the SGI kicks. */
	assert_int_equal(vgic3_write_sgi1r(f->v, 0, sgi1_to_1), 0);
	assert_int_equal(f->kicks[1], 1);
	assert_true(vgic3_has_pending(f->v, 1));
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 1);
	assert_int_equal(lr[0].state, VGIC3_LR_PENDING);

	/* In the guest, taken and ended but not yet exited: no kick, the exit syncs it. */
	assert_int_equal(vgic3_write_sgi1r(f->v, 0, sgi1_to_1), 0);
	assert_int_equal(f->kicks[1], 1);
	assert_int_equal(vgic3_sync_lr(f->v, 1, 1, VGIC3_LR_INVALID), 0);
	assert_true(vgic3_has_pending(f->v, 1));
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 1);
	assert_int_equal(lr[0].state, VGIC3_LR_PENDING);

	/* Still pending in the LR when the vCPU exits: pending again after the sync. */
	assert_int_equal(vgic3_sync_lr(f->v, 1, 1, VGIC3_LR_PENDING), 0);
	assert_true(vgic3_has_pending(f->v, 1));
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 1);

	/* Exited inside the handler (active): the next SGI waits for the EOI... */
	assert_int_equal(vgic3_sync_lr(f->v, 1, 1, VGIC3_LR_ACTIVE), 0);
	assert_int_equal(vgic3_write_sgi1r(f->v, 0, sgi1_to_1), 0);
	assert_int_equal(f->kicks[1], 1);
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 1);
	assert_int_equal(lr[0].state, VGIC3_LR_PENDING_ACTIVE);
	/* ...which the guest does in the LR: pending alone, then taken and ended. */
	assert_int_equal(vgic3_sync_lr(f->v, 1, 1, VGIC3_LR_PENDING), 0);
	assert_true(vgic3_has_pending(f->v, 1));
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 1);
	assert_int_equal(vgic3_sync_lr(f->v, 1, 1, VGIC3_LR_INVALID), 0);

	/* Back asleep: nothing pending, and the next SGI kicks again. */
	assert_false(vgic3_has_pending(f->v, 1));
	assert_int_equal(vgic3_write_sgi1r(f->v, 0, sgi1_to_1), 0);
	assert_int_equal(f->kicks[1], 2);
	assert_true(vgic3_has_pending(f->v, 1));
	assert_int_equal(f->kicks[0], 0);
}

/* SPIs the scans skip (idle ones) still reach their vCPU the moment they become pending. */
static void idle_spis_skipped_busy_ones_found(void **state)
{
	struct fixture *f = *state;
	struct vgic3_lr lr[4];

	enable_spi(f, 32 + 63, 0x40, 1);      /* the last SPI: last bit of the busy set */
	enable_spi(f, 32 + 0, 0x80, 1);
	assert_false(vgic3_has_pending(f->v, 1));
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 0);
	vgic3_spi_sink(f->v, 63, true);
	vgic3_spi_sink(f->v, 0, true);
	assert_true(vgic3_has_pending(f->v, 1));
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 2);
	assert_int_equal(lr[0].intid, 32 + 63);
	assert_int_equal(lr[1].intid, 32);
	/* In LRs, then taken and the lines dropped: idle again, nothing found. */
	vgic3_spi_sink(f->v, 63, false);
	vgic3_spi_sink(f->v, 0, false);
	assert_int_equal(vgic3_sync_lr(f->v, 1, 32 + 63, VGIC3_LR_INVALID), 0);
	assert_int_equal(vgic3_sync_lr(f->v, 1, 32, VGIC3_LR_ACTIVE), 0);
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 1);      /* the active one */
	assert_int_equal(lr[0].intid, 32);
	assert_int_equal(vgic3_sync_lr(f->v, 1, 32, VGIC3_LR_INVALID), 0);
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 0);
	assert_false(vgic3_has_pending(f->v, 1));
	/* Pended by software (GICD_ISPENDR) and after a reset with the line high. */
	wr32(f, D + GICD_ISPENDR + 4, 1u << 5);
	enable_spi(f, 32 + 5, 0x40, 1);
	assert_true(vgic3_has_pending(f->v, 1));
	vgic3_spi_sink(f->v, 7, true);
	vgic3_reset(f->v);
	enable_spi(f, 32 + 7, 0x40, 1);
	assert_true(vgic3_has_pending(f->v, 1));
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 4), 1);
	assert_int_equal(lr[0].intid, 32 + 7);
}

static void rerouted_while_in_lr(void **state)
{
	struct fixture *f = *state;
	struct vgic3_lr lr[2];

	enable_spi(f, 35, 0x10, 0);
	wr32(f, D + GICD_ISPENDR + 4, 1u << 3);
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 2), 1);
	wr(f, D + GICD_IROUTER + 35 * 8, 8, 1);
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 2), 0);    /* still in vCPU 0's LR */
	assert_true(vgic3_has_pending(f->v, 0));
	assert_int_equal(vgic3_sync_lr(f->v, 1, 35, VGIC3_LR_PENDING), -EINVAL);
	f->kicks[1] = 0;
	assert_int_equal(vgic3_sync_lr(f->v, 0, 35, VGIC3_LR_PENDING), 0);
	assert_int_equal(f->kicks[1], 1);
	assert_int_equal(vgic3_pending_for(f->v, 1, lr, 2), 1);
	assert_int_equal(lr[0].intid, 35);
}

/* ---- what a guest must not be able to do --------------------------------- */

static void bad_accesses_rejected_or_ignored(void **state)
{
	struct fixture *f = *state;
	uint64_t value = 0;

	/* widths the architecture does not allow never reach the model */
	assert_int_equal(access(f, BUS_READ, D + GICD_CTLR, 8, &value), BUS_REJECTED);
	assert_int_equal(access(f, BUS_READ, D + GICD_TYPER, 1, &value), BUS_REJECTED);
	assert_int_equal(access(f, BUS_READ, D + GICD_ISENABLER + 4, 2, &value), BUS_REJECTED);
	assert_int_equal(access(f, BUS_READ, D + GICD_IPRIORITYR + 32, 8, &value), BUS_REJECTED);
	assert_int_equal(access(f, BUS_READ, D + GICD_IROUTER + 32 * 8, 2, &value), BUS_REJECTED);
	assert_int_equal(access(f, BUS_READ, D + GICD_IROUTER + 32 * 8 + 4, 8, &value), BUS_REJECTED);
	assert_int_equal(access(f, BUS_READ, D + GICD_ICFGR + 2, 4, &value), BUS_REJECTED);
	assert_int_equal(access(f, BUS_READ, D + GICD_PIDR2, 8, &value), BUS_REJECTED);
	assert_int_equal(access(f, BUS_READ, RD(0) + GICR_WAKER, 8, &value), BUS_REJECTED);
	assert_int_equal(access(f, BUS_READ, RD(0) + GICR_TYPER, 2, &value), BUS_REJECTED);
	assert_int_equal(access(f, BUS_READ, SGI(0) + GICR_ISENABLER0, 1, &value), BUS_REJECTED);
	assert_int_equal(access(f, BUS_READ, SGI(0) + GICR_IPRIORITYR0 + 28, 8, &value), BUS_REJECTED);
	/* past the last redistributor */
	assert_int_equal(access(f, BUS_READ, RD(2) + GICR_TYPER, 8, &value), BUS_UNASSIGNED);
	/* byte and halfword priority accesses are fine */
	wr(f, SGI(1) + GICR_IPRIORITYR0 + 2, 2, 0xC0B0);
	assert_int_equal(rd32(f, SGI(1) + GICR_IPRIORITYR0), 0xC0B00000);
	wr(f, D + GICD_IPRIORITYR + 33, 1, 0xFF);
	assert_int_equal(rd(f, D + GICD_IPRIORITYR + 33, 1), VGIC3_PRIORITY_MASK);
	assert_false(host_console_contains("vgic3:"));

	/* INTIDs beyond the 64 SPIs (96-127 in the last ITLines word are none) */
	wr32(f, D + GICD_ISENABLER + 12, ~0u);
	wr32(f, D + GICD_ISPENDR + 12, ~0u);
	assert_int_equal(rd32(f, D + GICD_ISENABLER + 12), 0);
	assert_int_equal(rd32(f, D + GICD_ISPENDR + 12), 0);
	wr32(f, D + GICD_IPRIORITYR + 100, 0xFFFFFFFF);
	assert_int_equal(rd32(f, D + GICD_IPRIORITYR + 100), 0);
	wr32(f, D + GICD_ICFGR + 0xFC, ~0u);
	assert_int_equal(rd32(f, D + GICD_ICFGR + 0xFC), 0);
	wr(f, D + GICD_IROUTER + 1019 * 8, 8, 1);
	assert_int_equal(rd(f, D + GICD_IROUTER + 1019 * 8, 8), 0);
	wr(f, D + GICD_IROUTER + 5 * 8, 8, 1);      /* IROUTER of SGIs/PPIs: reserved */
	assert_int_equal(rd(f, D + GICD_IROUTER + 5 * 8, 8), 0);
	/* the distributor's SGI/PPI words and ITARGETSR/SGIR are RAZ/WI with ARE */
	wr32(f, D + GICD_ISENABLER, ~0u);
	assert_int_equal(rd32(f, D + GICD_ISENABLER), 0);
	assert_int_equal(rd32(f, SGI(0) + GICR_ISENABLER0), 0);
	wr32(f, D + GICD_ICFGR, 0);
	assert_int_equal(rd32(f, D + GICD_ICFGR + 4), 0);
	wr(f, D + GICD_ITARGETSR + 40, 1, 0xFF);
	assert_int_equal(rd(f, D + GICD_ITARGETSR + 40, 1), 0);
	wr32(f, D + GICD_IGRPMODR + 4, ~0u);
	assert_int_equal(rd32(f, D + GICD_IGRPMODR + 4), 0);
	wr32(f, SGI(0) + GICR_IGRPMODR0, ~0u);
	assert_int_equal(rd32(f, SGI(0) + GICR_IGRPMODR0), 0);
	wr32(f, SGI(0) + GICR_ICFGR0, 0);          /* SGIs stay edge */
	assert_int_equal(rd32(f, SGI(0) + GICR_ICFGR0), 0xAAAAAAAA);
	/* read-only registers ignore writes */
	wr32(f, RD(0) + GICR_CTLR, 1);
	assert_int_equal(rd32(f, RD(0) + GICR_CTLR), 0);
	assert_false(host_console_contains("vgic3:"));

	wr32(f, D + GICD_TYPER, 0);
	assert_int_equal(rd32(f, D + GICD_TYPER), 0x02480002);
	assert_true(host_console_contains("vgic3: distributor write to a read-only or reserved register at offset 0x4"));
	assert_int_equal(rd32(f, D + GICD_SGIR + 0x100), 0);
	assert_true(host_console_contains("vgic3: distributor read of a reserved register at offset 0x1000"));
	wr32(f, D + GICD_SGIR, 0x00020001);
	assert_int_equal(rd32(f, SGI(1) + GICR_ISPENDR0), 0);
	assert_int_equal(rd32(f, RD(1) + 0x70), 0);
	wr32(f, RD(1) + 0x70, ~0u);
	assert_int_equal(rd32(f, SGI(1) + 0x84), 0);
	wr32(f, SGI(1) + 0x84, ~0u);
	assert_int_equal(rd(f, RD(1) + GICR_TYPER, 8), 0x0000000100000110ull);
	assert_int_equal(rd32(f, RD(1) + GICR_PIDR2), 0x3B);
	assert_int_equal(rd32(f, D + GICD_CIDR0 + 12), 0xB1);
	assert_true(host_console_contains("redistributor read of a reserved register at offset 0x70"));
	assert_true(host_console_contains("SGI frame write to a reserved register at offset 0x10084"));

	/* the warnings stop after a while */
	for (unsigned i = 0; i < 100; i++)
		wr32(f, D + GICD_TYPER, 0);
	assert_true(host_console_contains("further warnings suppressed"));
	host_console_clear();
	wr32(f, D + GICD_TYPER, 0);
	assert_false(host_console_contains("vgic3:"));

	/* inputs and backend calls with numbers out of range */
	vgic3_spi_sink(f->v, NR_SPIS, true);
	vgic3_spi_sink(f->v, ~0u, true);
	assert_int_equal(vgic3_sync_lr(f->v, 0, 33, VGIC3_LR_INVALID), -EINVAL);
	assert_int_equal(vgic3_sync_lr(f->v, 0, 2000, VGIC3_LR_INVALID), -EINVAL);
	assert_int_equal(vgic3_sync_lr(f->v, 7, 33, VGIC3_LR_INVALID), -EINVAL);
	assert_int_equal(vgic3_pending_for(f->v, 2, NULL, 4), 0);
	assert_false(vgic3_has_pending(f->v, 2));
}

static void create_refuses_bad_parameters(void **state)
{
	struct fixture *f = *state;
	struct bus *bus = bus_create("other");

	(void)f;
	assert_null(vgic3_create(bus, D, R, 0, 32));
	assert_null(vgic3_create(bus, D, R, VGIC3_MAX_VCPUS + 1, 32));
	assert_null(vgic3_create(bus, D, R, 1, VGIC3_MAX_SPIS + 1));
	/* the distributor range is taken; the redistributors are then */
	assert_null(vgic3_create(f->bus, D, 0x20000000, 1, 32));
	assert_null(vgic3_create(f->bus, 0x20000000, R + VGIC3_REDIST_STRIDE, 1, 32));
	assert_true(host_console_contains("vgic3: cannot register"));
	/* nothing was left behind: the other ranges are free again */
	{
		struct vgic3 *v = vgic3_create(bus, 0x20000000, 0x20100000, VGIC3_MAX_VCPUS, 0);
		uint64_t value = 0;
		struct bus_access a = { BUS_SPACE_MMIO, BUS_READ, 0x20000000 + GICD_TYPER, 4, 0 };

		assert_non_null(v);
		assert_int_equal(bus_dispatch(bus, &a), BUS_OK);
		assert_int_equal(a.data, 0x02480000);
		a.addr = 0x20100000 + 15ull * VGIC3_REDIST_STRIDE + GICR_TYPER;
		a.width = 8;
		assert_int_equal(bus_dispatch(bus, &a), BUS_OK);
		assert_int_equal(a.data, 0x0000000F00000F10ull);
		vgic3_destroy(v);
		(void)value;
	}
	assert_int_equal(access(f, BUS_READ, RD(1) + GICR_TYPER, 8, &(uint64_t){ 0 }), BUS_OK);
	vgic3_destroy(NULL);
	bus_destroy(bus);
}

static void reset_returns_to_power_on(void **state)
{
	struct fixture *f = *state;
	struct vgic3_lr lr[2];

	enable_spi(f, 33, 0x10, 1);
	enable_private(f, 0, 27, 0x20);
	wr32(f, RD(0) + GICR_WAKER, 0);
	vgic3_spi_sink(f->v, 1, true);            /* line stays high across the reset */
	vgic3_reset(f->v);
	assert_int_equal(rd32(f, D + GICD_CTLR), GICD_CTLR_ARE | GICD_CTLR_DS);
	assert_int_equal(rd32(f, D + GICD_ISENABLER + 4), 0);
	assert_int_equal(rd32(f, D + GICD_IGROUPR + 4), 0xFFFFFFFF);
	assert_int_equal(rd(f, D + GICD_IROUTER + 33 * 8, 8), 0);
	assert_int_equal(rd32(f, RD(0) + GICR_WAKER), 6);
	assert_int_equal(rd32(f, SGI(0) + GICR_ISENABLER0), 0);
	assert_int_equal(rd32(f, SGI(0) + GICR_IPRIORITYR0 + 24), 0);
	assert_int_equal(rd32(f, D + GICD_ISPENDR + 4), 1u << 1);
	enable_spi(f, 33, 0x10, 0);
	assert_int_equal(vgic3_pending_for(f->v, 0, lr, 2), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(linux_gic_v3_init, setup, teardown),
		cmocka_unit_test_setup_teardown(edk2_arm_gic_v3, setup, teardown),
		cmocka_unit_test_setup_teardown(level_spi_follows_line, setup, teardown),
		cmocka_unit_test_setup_teardown(edge_spi_latched_once, setup, teardown),
		cmocka_unit_test_setup_teardown(timer_ppi_for_vcpu1_only, setup, teardown),
		cmocka_unit_test_setup_teardown(quiet_fill_sees_every_change, setup, teardown),
		cmocka_unit_test(sgi_target_list_and_all_but_self),
		cmocka_unit_test_setup_teardown(pending_list_by_priority_and_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(active_and_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(disabled_groups_not_delivered, setup, teardown),
		cmocka_unit_test_setup_teardown(sgi_wakeups_at_every_point, setup, teardown),
		cmocka_unit_test_setup_teardown(idle_spis_skipped_busy_ones_found, setup, teardown),
		cmocka_unit_test_setup_teardown(rerouted_while_in_lr, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_accesses_rejected_or_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(create_refuses_bad_parameters, setup, teardown),
		cmocka_unit_test_setup_teardown(reset_returns_to_power_on, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
