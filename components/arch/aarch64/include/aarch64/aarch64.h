/* SPDX-License-Identifier: MIT */
/*
 * What the aarch64 hardware layer offers the rest of the image beyond
 * <core/arch.h>: the platform found in the device tree (console UART,
 * interrupt controller, timer, PSCI) and the hook for exceptions taken
 * from a lower exception level (guests), which the vCPU backend installs.
 */
#ifndef AARCH64_AARCH64_H
#define AARCH64_AARCH64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum psci_conduit {
	PSCI_CONDUIT_NONE = 0,
	PSCI_CONDUIT_SMC,
	PSCI_CONDUIT_HVC,
};

#define GIC_MAX_REDIST_REGIONS 4

struct aarch64_gic {
	unsigned int version;        /* 2 or 3 (4 reported as 3-compatible); 0: none */
	unsigned int arch_rev;       /* GICD_PIDR2.ArchRev as read               */
	const char *compatible;
	uint64_t dist_base, dist_size;
	uint64_t cpu_base, cpu_size;            /* GICv2 CPU interface          */
	uint64_t redist_base[GIC_MAX_REDIST_REGIONS];
	uint64_t redist_size[GIC_MAX_REDIST_REGIONS];
	unsigned int redist_count;
};

struct aarch64_platform {
	const void *dtb;
	uint64_t uart_base, uart_size;         /* PL011; 0 when none          */
	uint64_t rtc_base;                     /* PL031 real-time clock; 0: none */
	struct aarch64_gic gic;
	enum psci_conduit psci;
	bool timer_found;
	uint32_t timer_hyp_ppi;                /* EL2 physical timer PPI, or 0 */
	uint64_t timer_dtb_frequency;          /* clock-frequency, or 0        */
	const char *model;                     /* /model, or ""                */
	unsigned int cpus_left_out;            /* listed beyond CONFIG_MAX_CPUS */
};

/* The platform as read from the DTB at boot (valid from kernel_main on). */
const struct aarch64_platform *aarch64_platform(void);

/* "GICv3 at 0x08000000" (or "no GIC found"): for log lines and reports. */
const char *aarch64_gic_describe(void);

/*
 * The host GICv3 driver (gic.c), at EL2, per CPU.  The hypervisor runs
 * with IRQs masked; what arrives is acknowledged by the vCPU backend after
 * a guest exit or a wait (aarch64_gic_handle_irqs()).
 */
#define GIC_SGI_KICK        0    /* "leave the guest / wake up", arch_kick_cpu() */
#define GIC_PPI_MAINTENANCE 25   /* virtual CPU interface maintenance interrupt  */
#define GIC_PPI_VTIMER      27   /* EL1 virtual timer (the guest's own timer)    */

/* This CPU's GICv3 CPU interface is on (false on GICv2 or without a GIC). */
bool aarch64_gic_ready(void);
/*
 * Acknowledges (ICC_IAR1_EL1), handles and ends (ICC_EOIR1_EL1) every
 * interrupt pending at this CPU's interface; how many.  Works with IRQs
 * masked.
 */
unsigned int aarch64_gic_handle_irqs(void);
/* Enables or disables SGI/PPI intid (0..31) on this CPU's redistributor. */
void aarch64_gic_set_ppi(unsigned int intid, bool enabled);
/* Sends GIC_SGI_KICK to CPU cpu (any CPU, also the caller's own). */
void arch_kick_cpu(unsigned int cpu);

/* Interrupts the GIC driver took on one CPU, by kind. */
struct aarch64_gic_stats {
	uint64_t kicks, maintenance, vtimer, hyp_timer, other;
};
struct aarch64_gic_stats aarch64_gic_stats(unsigned int cpu);

/*
 * The EL2 physical timer (CNTHP_*, timer.c): an interrupt on this CPU when
 * CNTPCT_EL0 reaches count, to end a WFI wait at a guest's timer deadline.
 * The interrupt handler cancels it again.
 */
void aarch64_hyp_timer_wake_at(uint64_t count);
/* The counter value (CNTPCT_EL0) at which arch_timer_ns() reads ns. */
uint64_t aarch64_count_at_ns(uint64_t ns);
void aarch64_hyp_timer_cancel(void);

/* PSCI calls through the conduit of the DTB; a PSCI return code. */
int64_t psci_call(uint32_t function, uint64_t arg0, uint64_t arg1, uint64_t arg2);
#define PSCI_VERSION          0x84000000u
#define PSCI_CPU_ON_64        0xc4000003u
#define PSCI_SYSTEM_OFF       0x84000008u
#define PSCI_SYSTEM_RESET     0x84000009u
#define PSCI_SUCCESS          0
#define PSCI_ALREADY_ON       (-4)

/* The registers saved on every exception entry (see vectors.S). */
struct exception_frame {
	uint64_t x[31];
	uint64_t sp;
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
};

/*
 * Exceptions from EL1/EL0 (a guest) go to this handler when set; it
 * returns to the guest with the (possibly updated) frame.  Without one they
 * are reported like EL2 exceptions and the CPU stops.
 */
typedef void (*lower_el_handler_t)(struct exception_frame *frame, unsigned int vector);
void aarch64_set_lower_el_handler(lower_el_handler_t handler);

/* Name of an ESR_ELx exception class ("data abort from the same EL"...). */
const char *aarch64_exception_class_name(unsigned int ec);

/* Cleans [addr, addr+size) from the data cache to the point of coherency. */
void aarch64_dcache_clean_range(const void *addr, size_t size);

#endif
