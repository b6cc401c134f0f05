/* SPDX-License-Identifier: MIT */
/*
 * Shared by the files of the EL2 backend: the saved guest and host state
 * the world switch (switch.S) works on, struct vcpu and struct gspace, the
 * HCR_EL2/VTCR_EL2/stage-2 descriptor bits, and the functions the pure C
 * parts (stage2.c, exit_decode.c; host-tested) need from the hardware part
 * (el2.c).
 */
#ifndef VCPU_EL2_INTERNAL_H
#define VCPU_EL2_INTERNAL_H

/*
 * Layout of struct el2_context, used by switch.S; el2.c checks every
 * offset against the C struct with _Static_assert.
 */
#define CTX_X            0      /* x0..x30                                */
#define CTX_SP_EL1       248
#define CTX_ELR_EL2      256    /* guest PC                               */
#define CTX_SPSR_EL2     264    /* guest PSTATE                           */
#define CTX_SYSREGS      272    /* EL1 system registers, EL1_SYSREG_COUNT */
#define EL1_SYSREG_COUNT 26
#define CTX_FPSR         480
#define CTX_FPCR         488
#define CTX_Q            496    /* q0..q31, 16 bytes each                 */
#define CTX_HOST         1008   /* host x19..x30, sp, daif                */
#define CTX_ESR_EL2      1120   /* the exit: syndrome, addresses, vector  */
#define CTX_FAR_EL2      1128
#define CTX_HPFAR_EL2    1136
#define CTX_VECTOR       1144
#define CTX_SIZE         1152

/* Order of the EL1 system registers in el2_context.sysregs (switch.S). */
#define SYSREG_SCTLR_EL1      0
#define SYSREG_TTBR0_EL1      1
#define SYSREG_TTBR1_EL1      2
#define SYSREG_TCR_EL1        3
#define SYSREG_MAIR_EL1       4
#define SYSREG_AMAIR_EL1      5
#define SYSREG_VBAR_EL1       6
#define SYSREG_CONTEXTIDR_EL1 7
#define SYSREG_TPIDR_EL1      8
#define SYSREG_TPIDR_EL0      9
#define SYSREG_TPIDRRO_EL0    10
#define SYSREG_ESR_EL1        11
#define SYSREG_FAR_EL1        12
#define SYSREG_AFSR0_EL1      13
#define SYSREG_AFSR1_EL1      14
#define SYSREG_PAR_EL1        15
#define SYSREG_CPACR_EL1      16
#define SYSREG_CNTKCTL_EL1    17
#define SYSREG_SP_EL0         18
#define SYSREG_CSSELR_EL1     19
#define SYSREG_MDSCR_EL1      20
#define SYSREG_ELR_EL1        21
#define SYSREG_SPSR_EL1       22
#define SYSREG_CNTV_CTL_EL0   23
#define SYSREG_CNTV_CVAL_EL0  24
#define SYSREG_ACTLR_EL1      25

/* Exception vector numbers as the arch component passes them (0..15). */
#define VECTOR_LOWER_A64_SYNC   8
#define VECTOR_LOWER_A64_IRQ    9
#define VECTOR_LOWER_A64_FIQ    10
#define VECTOR_LOWER_A64_SERROR 11
/* From a lower EL in AArch32 (a 32-bit process at EL0): the same four, + 4. */
#define VECTOR_LOWER_A32_SYNC   12
#define VECTOR_LOWER_A32_SERROR 15

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <core/spinlock.h>
#include <vcpu/gspace.h>
#include <vcpu/vcpu.h>

#include "../../pgtable.h"

struct el2_context {
	/* The guest. */
	uint64_t x[31];
	uint64_t sp_el1;
	uint64_t elr_el2;
	uint64_t spsr_el2;
	uint64_t sysregs[EL1_SYSREG_COUNT];
	uint64_t fpsr, fpcr;
	uint64_t q[32][2];
	/* The host while the guest runs: callee-saved registers of the caller
	 * of el2_world_switch(), its SP and interrupt mask. */
	uint64_t host_x19_x30[12];
	uint64_t host_sp;
	uint64_t host_daif;
	/* Why the guest stopped. */
	uint64_t esr_el2;
	uint64_t far_el2;
	uint64_t hpfar_el2;
	uint64_t vector;
};

/*
 * switch.S: enters the guest of ctx and returns when it exits, with the
 * vector number of the exception (8 synchronous, 9 IRQ, 10 FIQ, 11 SError;
 * 12..15 for an AArch32 EL0) and the guest state saved in ctx.
 */
uint64_t el2_world_switch(struct el2_context *ctx);
/* switch.S: the other half, called by the lower-EL exception handler. */
__attribute__((noreturn)) void el2_world_switch_back(struct el2_context *ctx, uint64_t vector);

/*
 * Where the value of a trapped read goes: the data abort's or the MRS's
 * destination register as the syndrome describes it.
 */
struct el2_read_dest {
	unsigned int reg;     /* destination x<reg>, 31 = xzr (value dropped) */
	unsigned int width;   /* bytes                                       */
	bool sign_extend;     /* LDRS*: ESR ISS.SSE                           */
	bool reg_is_64bit;    /* ISS.SF: x register (else w: upper half zero) */
};

/* A system register read the VM finishes with vcpu_complete_read(). */
struct el2_pending_read {
	bool active;
	struct el2_read_dest dest;
};

/*
 * An MMIO access decoded from a data abort (exit_decode.c) and performed
 * by el2_emulate_mmio() once the host's state is back (vcpu_run()).
 */
struct el2_mmio {
	bool decoded;
	struct el2_read_dest dest;   /* a read's destination */
	/* An abort without syndrome (ISV=0): failed unless nothing is there. */
	bool unsyndromed;
	bool unsyndromed_write;
	uint64_t unsyndromed_ipa;
};

/*
 * The vCPU's part of the GIC virtual CPU interface (interrupts.c): in the
 * hardware while the guest runs, here otherwise.
 */
#define EL2_MAX_LRS 16
#define EL2_MAX_APRS 4
struct el2_vgic_state {
	uint64_t lr[EL2_MAX_LRS];      /* ICH_LR<n>_EL2                        */
	unsigned int lr_used;          /* loaded by fill(), saved at the exit  */
	bool underflow_exit;           /* ICH_HCR_EL2.UIE: more to inject      */
	uint64_t vmcr;                 /* ICH_VMCR_EL2: the guest's PMR, BPR, group enables */
	uint64_t ap0r[EL2_MAX_APRS];   /* ICH_AP0R<n>_EL2: active priorities   */
	uint64_t ap1r[EL2_MAX_APRS];   /* ICH_AP1R<n>_EL2                      */
	uint64_t misr;                 /* ICH_MISR_EL2 at the last exit        */
};

struct vcpu {
	struct el2_context ctx;        /* first: switch.S gets its address */
	struct gspace *gs;
	unsigned int index;
	uint64_t vmpidr;               /* VMPIDR_EL2: what the guest reads   */
	uint64_t cntvoff;              /* CNTVOFF_EL2: guest time from zero  */
	uint64_t hcr;                  /* HCR_EL2 while it runs (guest_hcr()) */
	enum vcpu_exit_reason last_reason;
	struct el2_pending_read pending_read;
	struct el2_mmio mmio;
	bool pending_hypercall;
	const struct vcpu_io_ops *io_ops;
	void *io_opaque;
	bool has_pan;                  /* FEAT_PAN: an exception to EL1 may set PSTATE.PAN */
	unsigned int undef_reports;    /* injected UNDEFs reported so far (rate limit) */
	bool kick_requested;
	const struct vcpu_irq_ops *irq_ops;
	void *irq_opaque;
	struct el2_vgic_state vgic;
	bool timer_level;              /* last level given to irq_ops->timer() */
	bool timer_reported;           /* ... and whether one was given        */
	/* The emulated EL1 physical timer (ptimer.c), in guest counts. */
	struct {
		uint64_t ctl;                  /* ENABLE, IMASK                        */
		uint64_t cval;
		bool level;                    /* last level given to phys_timer()    */
		bool reported;
	} ptimer;
	unsigned int abort_reports;    /* injected aborts reported (rate limit) */
	/* CNTPCT at which the guest must leave (vcpu_aarch64_set_run_limit()), or UINT64_MAX. */
	uint64_t run_limit_count;
	/* Physical CPU id + 1 while in vcpu_run() or vcpu_wait_for_interrupt(), else 0. */
	unsigned int on_cpu;
	uint64_t exits[VCPU_EXIT_REASON_COUNT];
};

struct gspace {
	struct pgtable pt;             /* the tables (pgtable.c, stage2.c)   */
	unsigned int ipa_bits;         /* VTCR_EL2.T0SZ = 64 - ipa_bits      */
	unsigned int vmid;             /* 1..255, in VTTBR_EL2 bits 55:48    */
	uint64_t guest_time_zero;      /* CNTPCT when the first vCPU was made */
};

/* HCR_EL2 bits for a guest at EL1 (see el2.c for why each is set). */
#define HCR_VM    (1ULL << 0)
#define HCR_SWIO  (1ULL << 1)
#define HCR_PTW   (1ULL << 2)
#define HCR_FMO   (1ULL << 3)
#define HCR_IMO   (1ULL << 4)
#define HCR_AMO   (1ULL << 5)
#define HCR_FB    (1ULL << 9)
#define HCR_BSU_INNER (1ULL << 10)
#define HCR_TWI   (1ULL << 13)
#define HCR_TWE   (1ULL << 14)
#define HCR_TSC   (1ULL << 19)
#define HCR_TIDCP (1ULL << 20)
#define HCR_TACR  (1ULL << 21)
#define HCR_TSW   (1ULL << 22)
#define HCR_RW    (1ULL << 31)
#define HCR_TLOR  (1ULL << 35)
#define HCR_APK   (1ULL << 40)
#define HCR_API   (1ULL << 41)

/* Stage-2 descriptors (4 KiB granule, VTCR_EL2.PS <= 48 bits). */
#define S2_VALID        (1ULL << 0)
#define S2_TABLE        (1ULL << 1)    /* table at levels 0-2, page at 3 */
#define S2_MEMATTR_NORMAL_WB (0xfULL << 2)
#define S2_MEMATTR_DEVICE_nGnRE (0x1ULL << 2)
#define S2_MEMATTR_MASK (0xfULL << 2)
#define S2_AP_READ      (1ULL << 6)
#define S2_AP_WRITE     (1ULL << 7)
#define S2_SH_INNER     (3ULL << 8)
#define S2_AF           (1ULL << 10)
#define S2_XN           (1ULL << 54)
#define S2_ADDR_MASK    0x0000fffffffff000ULL

/* Hardware part, el2.c (the host tests provide their own). */
unsigned int el2_ipa_bits(void);                    /* from ID_AA64MMFR0_EL1 */
void el2_stage2_tlb_flush(const struct gspace *gs); /* all of the VMID's TLB entries */
/* The next entry on this CPU writes every EL2 control again (el2.c). */
void el2_forget_loaded(void);
/* Reads the 32-bit instruction at guest virtual address pc; false if unmapped. */
bool el2_read_guest_insn(struct vcpu *v, uint64_t pc, uint32_t *insn);

/* The physical counter now (el2.c: CNTPCT_EL0 after an ISB). */
uint64_t el2_counter(void);

/* ptimer.c: the guest's EL1 physical timer and counter. */
uint64_t el2_guest_count(const struct vcpu *v);      /* the guest's CNTVCT = CNTPCT */
bool el2_ptimer_level(const struct vcpu *v);          /* its interrupt output now   */
/* Its deadline as a host count, when it is enabled, unmasked and reachable. */
bool el2_ptimer_deadline(const struct vcpu *v, uint64_t *host_count);
bool el2_guest_to_host_count(const struct vcpu *v, uint64_t guest, uint64_t *host);
void el2_ptimer_reset(struct vcpu *v);
/* A trapped MRS/MSR of CNTPCT or CNTP_*: emulated (true), or not one of them. */
bool el2_ptimer_sysreg(struct vcpu *v, uint32_t id, bool is_write, uint64_t *value);

/* exit_decode.c: the decoded MMIO access through io_ops, the read into its register, PC stepped. */
void el2_emulate_mmio(struct vcpu *v, struct vcpu_exit *exit);

/* interrupts.c: the virtual CPU interface and the virtual timer around an entry. */
void el2_irq_before_entry(struct vcpu *v);   /* after the kick check, IRQs masked */
void el2_irq_after_exit(struct vcpu *v);     /* right after the exit, IRQs masked */
void el2_irq_reset(struct vcpu *v);          /* vcpu_set_entry(): reset state     */

/* exit_decode.c: turns the exception in v->ctx into *exit (one table, by EC). */
void el2_decode_exit(struct vcpu *v, struct vcpu_exit *exit);

/* Exception classes of ESR_EL2 the decoder handles. */
#define EC_WFX          0x01
#define EC_HVC64        0x16
#define EC_SMC64        0x17
#define EC_SYSREG       0x18
#define EC_IABT_LOWER   0x20
#define EC_DABT_LOWER   0x24

#endif /* __ASSEMBLER__ */
#endif
