/* SPDX-License-Identifier: MIT */
/*
 * The local APIC (xAPIC mode), one per vCPU.
 *
 *   guest MMIO in the APIC page --> lapic_mmio_access(vCPU's lapic, ...)
 *   IOAPIC / IPIs / LINT pins    --> lapic_deliver(), lapic_lint_sink()
 *   vCPU before entering guest   --> lapic_pending_vector(), lapic_accept(),
 *                                    lapic_extint_pending(), lapic_take_*()
 *   ICR write                    --> ops->send_ipi (the machine routes it)
 *   EOI of a level vector        --> ops->eoi_broadcast (IOAPIC remote IRR)
 *
 * Why the APIC page is not a bus region: every vCPU sees its *own* LAPIC
 * at the same guest-physical address (0xFEE00000 unless the guest moves it
 * with IA32_APIC_BASE, which it may do per vCPU), while the bus is one per
 * VM and maps an address to one device.  So the vCPU's exit handler asks
 * lapic_mmio_claims(its lapic, gpa) first and, if true, calls
 * lapic_mmio_access(its lapic, access) instead of bus_dispatch().  The
 * LAPIC applies the bus's access rules itself: aligned 32-bit accesses to
 * the start of a 16-byte register slot only (SDM vol. 3, "Local APIC
 * register address map"); anything else is rejected and reported.
 *
 * Concurrency: a LAPIC does not lock.  IPIs, IOAPIC deliveries and EOI
 * broadcasts call from one interrupt controller into another, so the
 * machine serializes all of them under one per-VM interrupt lock.
 *
 * Time: the timer counts an input clock (the "bus clock", 1 GHz by
 * default because OVMF's LocalApicTimerDxe assumes PcdFSBClock = 1 GHz)
 * derived from the VM clock; the current count is computed from time when
 * read.  The guest TSC is VM time at tsc_hz (TSC = 0 at VM time 0), which
 * is what the TSC-deadline mode compares against.
 */
#ifndef LAPIC_LAPIC_H
#define LAPIC_LAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include <bus/bus.h>
#include <bus/vclock.h>

#define LAPIC_DEFAULT_BASE 0xFEE00000ull
#define LAPIC_PAGE_SIZE 0x1000u
#define LAPIC_DEFAULT_TIMER_HZ 1000000000ull   /* OVMF's PcdFSBClock */
#define LAPIC_MAX_CLOCK_HZ 16000000000ull      /* keeps tick maths in 64 bits */
#define LAPIC_VERSION_VALUE 0x00050014u        /* version 0x14, max LVT 5 */

/* Register offsets in the APIC page. */
enum lapic_reg {
	LAPIC_REG_ID = 0x020,
	LAPIC_REG_VERSION = 0x030,
	LAPIC_REG_TPR = 0x080,
	LAPIC_REG_APR = 0x090,
	LAPIC_REG_PPR = 0x0A0,
	LAPIC_REG_EOI = 0x0B0,
	LAPIC_REG_RRD = 0x0C0,
	LAPIC_REG_LDR = 0x0D0,
	LAPIC_REG_DFR = 0x0E0,
	LAPIC_REG_SVR = 0x0F0,
	LAPIC_REG_ISR = 0x100,        /* 8 registers, 32 vectors each */
	LAPIC_REG_TMR = 0x180,
	LAPIC_REG_IRR = 0x200,
	LAPIC_REG_ESR = 0x280,
	LAPIC_REG_LVT_CMCI = 0x2F0,
	LAPIC_REG_ICR_LOW = 0x300,
	LAPIC_REG_ICR_HIGH = 0x310,
	LAPIC_REG_LVT_TIMER = 0x320,
	LAPIC_REG_LVT_THERMAL = 0x330,
	LAPIC_REG_LVT_PERF = 0x340,
	LAPIC_REG_LVT_LINT0 = 0x350,
	LAPIC_REG_LVT_LINT1 = 0x360,
	LAPIC_REG_LVT_ERROR = 0x370,
	LAPIC_REG_TIMER_INITIAL = 0x380,
	LAPIC_REG_TIMER_CURRENT = 0x390,
	LAPIC_REG_TIMER_DIVIDE = 0x3E0,
};

/* The local vector table, in the order of its registers. */
enum lapic_lvt {
	LAPIC_LVT_CMCI = 0,
	LAPIC_LVT_TIMER,
	LAPIC_LVT_THERMAL,
	LAPIC_LVT_PERF,
	LAPIC_LVT_LINT0,
	LAPIC_LVT_LINT1,
	LAPIC_LVT_ERROR,
	LAPIC_LVT_COUNT
};

/* Bits of LVT entries, the ICR and the SVR. */
#define LAPIC_VECTOR_MASK 0xFFu
#define LAPIC_DELIVERY_SHIFT 8
#define LAPIC_DELIVERY_MASK 0x700u
#define LAPIC_LVT_MASKED (1u << 16)
#define LAPIC_LVT_LEVEL (1u << 15)          /* trigger mode (LINT0/1) */
#define LAPIC_LVT_REMOTE_IRR (1u << 14)
#define LAPIC_TIMER_MODE_SHIFT 17
#define LAPIC_TIMER_MODE_MASK (3u << 17)
#define LAPIC_ICR_LOGICAL (1u << 11)
#define LAPIC_ICR_ASSERT (1u << 14)
#define LAPIC_ICR_LEVEL (1u << 15)
#define LAPIC_ICR_SHORTHAND_SHIFT 18
#define LAPIC_SVR_ENABLE (1u << 8)
#define LAPIC_SVR_FOCUS_DISABLE (1u << 9)

/* ESR bits. */
#define LAPIC_ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define LAPIC_ESR_RECEIVE_ILLEGAL_VECTOR (1u << 6)
#define LAPIC_ESR_ILLEGAL_REGISTER (1u << 7)

/* IA32_APIC_BASE (MSR 0x1B) bits. */
#define LAPIC_BASE_BSP (1ull << 8)
#define LAPIC_BASE_X2APIC (1ull << 10)
#define LAPIC_BASE_ENABLE (1ull << 11)
#define LAPIC_BASE_ADDRESS_MASK 0x000FFFFFFFFFF000ull

enum lapic_timer_mode {
	LAPIC_TIMER_ONE_SHOT = 0,
	LAPIC_TIMER_PERIODIC = 1,
	LAPIC_TIMER_TSC_DEADLINE = 2,
};

/* Delivery modes of LVT entries, ICR and IOAPIC messages. */
enum lapic_delivery {
	LAPIC_DELIVERY_FIXED = 0,
	LAPIC_DELIVERY_LOWEST = 1,
	LAPIC_DELIVERY_SMI = 2,
	LAPIC_DELIVERY_NMI = 4,
	LAPIC_DELIVERY_INIT = 5,
	LAPIC_DELIVERY_STARTUP = 6,
	LAPIC_DELIVERY_EXTINT = 7,
};

enum lapic_shorthand {
	LAPIC_SHORTHAND_NONE = 0,
	LAPIC_SHORTHAND_SELF = 1,
	LAPIC_SHORTHAND_ALL_INCLUDING_SELF = 2,
	LAPIC_SHORTHAND_ALL_EXCLUDING_SELF = 3,
};

/* An inter-processor interrupt as written to the ICR. */
struct lapic_ipi {
	uint8_t source_id;             /* APIC ID of the sender          */
	enum lapic_shorthand shorthand;
	uint8_t destination;           /* ICR[63:56]; unused with a shorthand */
	bool logical;                  /* destination mode               */
	enum lapic_delivery delivery;
	uint8_t vector;                /* fixed/lowest vector, SIPI page */
	bool level_triggered;
};

struct lapic;

/* What the LAPIC asks of the machine around it.  Any may be NULL. */
struct lapic_ops {
	/* Route an IPI: call lapic_ipi_targets()/lapic_deliver() on the LAPICs
	 * it names (lowest priority: the first one that matches), or start
	 * APs for INIT/SIPI. */
	void (*send_ipi)(void *ctx, const struct lapic_ipi *ipi);
	/* EOI of a level-triggered vector: the IOAPIC clears remote IRR. */
	void (*eoi_broadcast)(void *ctx, uint8_t vector);
	/* Something became pending for this vCPU: wake or kick it. */
	void (*kick)(void *ctx);
};

struct lapic_config {
	uint8_t apic_id;
	bool bsp;                      /* IA32_APIC_BASE.BSP at reset     */
	uint64_t timer_hz;             /* 0: LAPIC_DEFAULT_TIMER_HZ       */
	uint64_t tsc_hz;               /* 0: same as timer_hz             */
};

struct lapic {
	/* Wiring. */
	struct vclock *clock;
	const struct lapic_ops *ops;
	void *ctx;
	uint64_t timer_hz, tsc_hz;
	uint8_t initial_id;            /* ID after power-up               */

	/* Architectural state. */
	uint64_t apic_base;            /* IA32_APIC_BASE value            */
	uint32_t id;                   /* register value, ID in 31:24     */
	uint32_t tpr, ldr, dfr, svr;
	uint32_t isr[8], tmr[8], irr[8];
	uint32_t esr;                  /* readable value                  */
	uint32_t esr_pending;          /* errors since the last ESR write */
	uint32_t lvt[LAPIC_LVT_COUNT];
	uint32_t icr_low, icr_high;
	uint32_t timer_initial, timer_divide;

	/* Timer. */
	struct vtimer timer;
	bool timer_running;            /* one-shot/periodic count active  */
	uint64_t timer_start_ns;       /* VM time the count was 'initial' */
	uint64_t tsc_deadline;         /* IA32_TSC_DEADLINE, 0 = disarmed */

	/* Events for the vCPU other than fixed vectors. */
	bool lint_level[2];            /* current level of LINT0/LINT1    */
	bool extint_requested;         /* ExtINT message (IOAPIC/LINT)    */
	bool nmi_pending;
	bool init_pending;
	bool sipi_pending;
	uint8_t sipi_vector;

	/* Statistics and reporting. */
	unsigned long timer_fired;
	unsigned warnings;
};

/* Power-up state: software-disabled, LVTs masked, base 0xFEE00000 enabled. */
void lapic_init(struct lapic *l, struct vclock *clock, const struct lapic_config *config,
		const struct lapic_ops *ops, void *ctx);
/* Allocated and initialized; NULL when out of memory (reported). */
struct lapic *lapic_create(struct vclock *clock, const struct lapic_config *config,
			   const struct lapic_ops *ops, void *ctx);
void lapic_destroy(struct lapic *l);
/* INIT reset: everything as at power-up except the ID and IA32_APIC_BASE. */
void lapic_init_reset(struct lapic *l);

/* ---- MMIO ---------------------------------------------------------------- */

/* Whether gpa falls in this vCPU's APIC page (and the APIC is enabled). */
bool lapic_mmio_claims(const struct lapic *l, uint64_t gpa);
/*
 * One access to the APIC page (acc->addr is the guest-physical address).
 * BUS_OK, BUS_UNASSIGNED (outside the page or APIC disabled: route it to
 * the bus instead) or BUS_REJECTED (not an aligned 32-bit access to a
 * register slot: reads all-ones, writes dropped, reported).
 */
enum bus_result lapic_mmio_access(struct lapic *l, struct bus_access *acc);
/* Register access by offset; the caller guarantees the rules above. */
uint32_t lapic_read(struct lapic *l, uint32_t offset);
void lapic_write(struct lapic *l, uint32_t offset, uint32_t value);

/* ---- IA32_APIC_BASE and IA32_TSC_DEADLINE MSRs ---------------------------- */

uint64_t lapic_get_apic_base(const struct lapic *l);
/* 0, or -EINVAL for reserved bits or x2APIC (the VM injects #GP). */
int lapic_set_apic_base(struct lapic *l, uint64_t value);
uint64_t lapic_get_tsc_deadline(const struct lapic *l);
/* Ignored unless the timer is in TSC-deadline mode; 0 disarms. */
void lapic_set_tsc_deadline(struct lapic *l, uint64_t tsc);
/* The guest's TSC now. */
uint64_t lapic_guest_tsc(const struct lapic *l);

/* ---- Interrupt acceptance ------------------------------------------------- */

/* A fixed interrupt arrives: sets IRR (and TMR for level-triggered). */
void lapic_set_irq(struct lapic *l, uint8_t vector, bool level_triggered);
/* A message from the IOAPIC, another LAPIC or an LVT, any delivery mode. */
void lapic_deliver(struct lapic *l, enum lapic_delivery delivery, uint8_t vector,
		   bool level_triggered);
/* Whether this LAPIC is addressed by (destination, logical) (IOAPIC/IPI). */
bool lapic_matches_destination(const struct lapic *l, uint8_t destination, bool logical);
/* Whether this LAPIC receives ipi (shorthand and destination). */
bool lapic_ipi_targets(const struct lapic *l, const struct lapic_ipi *ipi);

/* Highest IRR vector whose priority class beats PPR, or -1. */
int lapic_pending_vector(const struct lapic *l);
/*
 * The vCPU takes vector (the INTA cycle): IRR -> ISR.  If vector is no
 * longer deliverable (TPR raised, APIC disabled in between) the CPU gets
 * the spurious vector from the SVR and nothing changes.  Returns the
 * vector the guest sees.
 */
uint8_t lapic_accept(struct lapic *l, uint8_t vector);
/* The PPR value (SDM: TPR or the ISR's highest class). */
uint32_t lapic_ppr(const struct lapic *l);

/*
 * irq_sink_fn for the LINT pins: sink is the struct lapic, pin 0 (LINT0,
 * the 8259's INTR) or 1 (LINT1, NMI).  Other pins are refused (reported).
 */
void lapic_lint_sink(void *lapic, unsigned pin, bool level);
/*
 * The vCPU should run an INTA cycle on the 8259 (i8259_acknowledge()):
 * LINT0 is ExtINT, unmasked and high, or the APIC is hardware-disabled and
 * LINT0 is high (the 8259 then reaches the CPU directly), or an ExtINT
 * message arrived.  Call lapic_extint_taken() after acknowledging.
 */
bool lapic_extint_pending(const struct lapic *l);
void lapic_extint_taken(struct lapic *l);
/* Take (and clear) a pending NMI / INIT / SIPI; SIPI gives its vector. */
bool lapic_take_nmi(struct lapic *l);
bool lapic_take_init(struct lapic *l);
bool lapic_take_sipi(struct lapic *l, uint8_t *vector);

/* Current count of the timer (what 0x390 reads). */
uint32_t lapic_timer_current(const struct lapic *l);

#endif
