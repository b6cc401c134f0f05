/* SPDX-License-Identifier: MIT */
/*
 * Virtual CPUs, the same interface on every architecture.
 *
 * A VM creates one struct vcpu per virtual CPU on top of its guest-physical
 * address space (<vcpu/gspace.h>), gives it the handler of its trapped
 * accesses (vcpu_set_io_ops(): the VM's device bus) and runs it on a
 * physical CPU in a loop:
 *
 *     vcpu_set_io_ops(v, &vm_io_ops, vm);     // access() -> bus_dispatch()
 *     struct vcpu_exit exit;
 *     for (;;) {
 *             vcpu_run(v, &exit);                 // guest runs until an exit
 *             switch (exit.reason) {
 *             case VCPU_EXIT_MMIO:
 *             case VCPU_EXIT_PIO:                 // already done: trace, count
 *                     break;
 *             case VCPU_EXIT_HYPERCALL: ...        // PSCI, VMCALL services
 *             ...
 *             }
 *     }
 *
 * The backend (arch/aarch64: EL2, trap decoding from ESR_EL2; arch/x86_64:
 * VMX, the VMCS exit reason and qualification) decodes every exit once
 * into a struct vcpu_exit, so the VM never looks at architectural
 * syndrome registers.  A trapped device access (MMIO, port I/O) is
 * handled in one pass inside vcpu_run(): decode, io_ops->access() (the
 * bus), a read's data into the destination register, the PC past the
 * instruction; the exit only reports it.  Other writes (system registers)
 * and trapped instructions (WFI/HLT, SMC) are also stepped over when
 * vcpu_run() returns; a system register read is finished with
 * vcpu_complete_read(), which puts the value into the destination
 * register and steps over the instruction.
 *
 * A struct vcpu belongs to the VM's thread of control: only the physical
 * CPU that runs it may call anything but vcpu_kick().
 */
#ifndef VCPU_VCPU_H
#define VCPU_VCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bus/bus.h>

struct gspace;
struct vcpu;

enum vcpu_exit_reason {
	VCPU_EXIT_NONE = 0,   /* handled in the backend (e.g. an exception injected) */
	VCPU_EXIT_MMIO,       /* access to unmapped guest-physical memory: .access,
				 already performed through vcpu_io_ops         */
	VCPU_EXIT_PIO,        /* x86 IN/OUT, INS/OUTS: .access (BUS_SPACE_PIO), done */
	VCPU_EXIT_HYPERCALL,  /* HVC/SMC/VMCALL: .hypercall                       */
	VCPU_EXIT_WFI,        /* WFI/WFE/HLT: the vCPU waits for an interrupt      */
	VCPU_EXIT_SYSREG,     /* trapped system register / MSR access: .sysreg    */
	VCPU_EXIT_IRQ,        /* a physical interrupt arrived while in the guest  */
	VCPU_EXIT_KICK,       /* vcpu_kick() asked the vCPU to come back          */
	VCPU_EXIT_SHUTDOWN,   /* the guest powered itself off                     */
	VCPU_EXIT_RESET,      /* the guest asked for a reset                      */
	VCPU_EXIT_CPU_ON,     /* the guest asked to start another vCPU: .cpu_on   */
	VCPU_EXIT_FAILED,     /* the guest cannot continue: .failed.reason says why */
	VCPU_EXIT_REASON_COUNT
};

/*
 * A trapped system register (aarch64 MRS/MSR: id = the Op0/Op1/CRn/CRm/Op2
 * encoding, see VCPU_SYSREG_ID in <vcpu/aarch64_regs.h>) or MSR
 * (x86 RDMSR/WRMSR: id = the MSR number).
 */
struct vcpu_sysreg_access {
	uint32_t id;
	bool is_write;
	uint64_t value;       /* write: the value written; read: complete it */
};

struct vcpu_hypercall {
	uint64_t function;    /* SMCCC function id (x0) / VMCALL number (RAX)  */
	uint64_t args[6];     /* x1..x6 / the architecture's argument registers */
	uint16_t imm;         /* HVC/SMC #imm (0 on x86)                       */
	bool is_smc;          /* arm: SMC rather than HVC                       */
};

struct vcpu_exit {
	enum vcpu_exit_reason reason;
	uint64_t pc;          /* guest PC of the instruction that caused it */
	union {
		/*
		 * MMIO, PIO: the (last) device access of the instruction, as
		 * io_ops->access() completed it (a read's data included).
		 * accesses counts them: a read-modify-write makes 2, a REP
		 * string instruction up to VCPU_MAX_ACCESSES_PER_EXIT.
		 */
		struct {
			struct bus_access access;
			unsigned int accesses;
		};
		struct vcpu_hypercall hypercall;      /* HYPERCALL         */
		struct vcpu_sysreg_access sysreg;     /* SYSREG            */
		struct { bool is_wfe; } wfi;          /* WFI               */
		struct {                              /* CPU_ON            */
			uint64_t target;              /* MPIDR / APIC id   */
			uint64_t entry, context;
		} cpu_on;
		struct { char reason[160]; } failed;  /* FAILED            */
	};
};

/*
 * Interrupt injection, supplied by the VM's interrupt controller model
 * (the vGIC on aarch64, the LAPIC on x86_64).  vcpu_run() calls fill()
 * on the physical CPU right before entering the guest, with interrupts
 * masked: it hands the backend what is pending (aarch64: the values for
 * the GIC list registers ICH_LR<n>_EL2 with vcpu_aarch64_load_lrs(), see
 * <vcpu/aarch64_gic.h>; x86: the VMCS interruption-information field).
 * sync() runs right after the exit and reads back what the guest did with
 * them (acknowledged, EOI).
 *
 * timer() (optional; aarch64) reports the output of the guest's own timer
 * that the hardware runs without the VM (the EL1 virtual timer, CNTV_*):
 * level true when its interrupt condition holds (CNTV_CTL_EL0 ENABLE set,
 * IMASK clear, the virtual count at or past CNTV_CVAL_EL0).  The VM makes
 * it the level of the guest's PPI 27 (vgic3_set_ppi(vgic, index, 27,
 * level)).  The backend calls it whenever the level it last reported may
 * have changed: after an exit (before sync()), right before fill(), and
 * in vcpu_wait_for_interrupt(); the first call of a vCPU always comes.
 * All three run on the vCPU's physical CPU with interrupts masked.
 *
 * phys_timer() (optional; aarch64) is the same for the guest's EL1
 * physical timer (CNTP_*), which the backend emulates: the VM makes it
 * the level of PPI 30 (VCPU_AARCH64_PTIMER_INTID), called at the same
 * points.
 */
struct vcpu_irq_ops {
	void (*fill)(struct vcpu *v, void *opaque);
	void (*sync)(struct vcpu *v, void *opaque);
	void (*timer)(struct vcpu *v, void *opaque, bool level);
	void (*phys_timer)(struct vcpu *v, void *opaque, bool level);
};

/*
 * The VM's handler of trapped device accesses (MMIO, x86 ports), called
 * by the backend synchronously while it handles the exit, on the vCPU's
 * physical CPU with host interrupts as the caller of vcpu_run() had them
 * and the host's own translation regime loaded: access() performs *acc
 * (the VM's bus_dispatch()) and, for a read, fills acc->data.  Whatever it
 * returns, the instruction completes (a refused read gives all-ones, as
 * on a real bus); the result is for reporting.  Without io_ops every
 * access is unassigned.
 */
struct vcpu_io_ops {
	enum bus_result (*access)(void *opaque, struct vcpu *v, struct bus_access *acc);
	/*
	 * Optional: whether anything (a device) is at addr in space, for an
	 * access the backend cannot perform (aarch64: a data abort without
	 * syndrome); nothing there means the guest gets the abort the
	 * hardware gives instead of the VM stopping.
	 */
	bool (*present)(void *opaque, struct vcpu *v, enum bus_space space, uint64_t addr);
	/*
	 * Optional: for such an access, the VM may map memory at addr that it
	 * had left unmapped on purpose (a flash bank in read-array mode whose
	 * remapping it holds back); true: done, the instruction runs again.
	 */
	bool (*map_on_demand)(void *opaque, struct vcpu *v, uint64_t addr);
};

/*
 * The most device accesses one exit makes: a REP INS/OUTS/MOVS/STOS
 * stops there (and at the end of a page on the device side of MOVS/STOS),
 * updates rCX/rSI/rDI and enters the guest again with RIP on the
 * instruction, which then continues.
 */
#define VCPU_MAX_ACCESSES_PER_EXIT 4096

/* Register names every architecture has. */
enum vcpu_reg {
	VCPU_REG_PC = 0,
	VCPU_REG_SP,          /* aarch64: SP_EL1; x86_64: RSP                 */
	VCPU_REG_ARG0,        /* boot arguments: aarch64 x0..x3,              */
	VCPU_REG_ARG1,        /* x86_64 (Linux boot protocol) RSI, RDI...     */
	VCPU_REG_ARG2,
	VCPU_REG_ARG3,
	VCPU_REG_GENERIC_COUNT
};
/* Architecture registers are numbered from here (<vcpu/aarch64_regs.h>). */
#define VCPU_REG_ARCH_BASE 0x100u

/*
 * A vCPU of address space gs; index is its number in the VM (0 = boot
 * vCPU; on aarch64 it gives the virtual MPIDR).  The vCPU starts in the
 * architecture's reset state (aarch64: EL1h, MMU off, interrupts masked).
 * NULL when out of memory or when the backend has no vCPUs.
 */
struct vcpu *vcpu_create(struct gspace *gs, unsigned int index);
void vcpu_destroy(struct vcpu *v);
unsigned int vcpu_index(const struct vcpu *v);

/* Resets the vCPU and sets where it starts and its argument registers. */
void vcpu_set_entry(struct vcpu *v, uint64_t pc, const uint64_t *args, unsigned int nargs);

/*
 * Registers by enum vcpu_reg or architecture number.  0, or -EINVAL for a
 * register this architecture does not have.
 */
int vcpu_get_reg(const struct vcpu *v, unsigned int reg, uint64_t *value);
int vcpu_set_reg(struct vcpu *v, unsigned int reg, uint64_t value);

/*
 * Runs the guest on the calling physical CPU until an exit the VM must
 * handle, described in *exit.  0, or a negative errno when the vCPU could
 * not be entered at all (exit->reason is then VCPU_EXIT_FAILED too).
 */
int vcpu_run(struct vcpu *v, struct vcpu_exit *exit);

/*
 * Finishes the system register read of the last exit (SYSREG, and x86
 * RDMSR of the MSRs the VM answers): data goes into the destination
 * register(s) and the guest steps past the instruction.  Without it the
 * next vcpu_run() executes the read again.  -EINVAL when the last exit
 * was not such a read (MMIO and PIO reads are complete already).
 */
int vcpu_complete_read(struct vcpu *v, uint64_t data);

/*
 * Sets the result registers of the last HYPERCALL exit (SMCCC x0..x3;
 * x86 RAX, RBX, RCX, RDX).  -EINVAL when the last exit was not one.
 */
int vcpu_complete_hypercall(struct vcpu *v, const uint64_t *results, unsigned int count);

/*
 * Asks the vCPU to leave the guest soon (from any CPU): the next vcpu_run()
 * returns VCPU_EXIT_KICK before entering.  On aarch64 a vCPU that is in
 * the guest or in vcpu_wait_for_interrupt() on another physical CPU gets
 * an inter-processor interrupt there (SGI 0 through the host GIC): the
 * guest exits with VCPU_EXIT_IRQ, the wait returns; elsewhere it comes
 * back at its next exit.  The VM calls it when it made an interrupt
 * pending for a vCPU (the vGIC's kick callback).
 */
void vcpu_kick(struct vcpu *v);

void vcpu_set_irq_ops(struct vcpu *v, const struct vcpu_irq_ops *ops, void *opaque);

/* The handler of the vCPU's trapped device accesses (struct vcpu_io_ops). */
void vcpu_set_io_ops(struct vcpu *v, const struct vcpu_io_ops *ops, void *opaque);

/*
 * After a VCPU_EXIT_WFI: sleeps on the calling physical CPU until the vCPU
 * has an interrupt to take, i.e. has_pending(v, ctx) says so (the VM asks
 * its interrupt controller: vgic3_has_pending()).  has_pending is asked
 * first, then again after every wake-up; while sleeping, the backend
 * wakes the CPU at the guest's timer deadline (aarch64: the EL2 physical
 * timer at CNTV_CVAL_EL0 + CNTVOFF_EL2, reported through irq_ops->timer()
 * before has_pending is asked) and on vcpu_kick().
 * 0 when something is pending, -EINTR when vcpu_kick() was called (the
 * next vcpu_run() returns VCPU_EXIT_KICK).  Backends without a way to
 * sleep return 0 at once, so the guest runs its WFI again (polling).
 */
int vcpu_wait_for_interrupt(struct vcpu *v, bool (*has_pending)(struct vcpu *v, void *ctx),
			    void *ctx);

/* "MMIO", "HYPERCALL"... */
const char *vcpu_exit_reason_name(enum vcpu_exit_reason reason);

/*
 * One line describing an exit for logs and the teaching trace, e.g.
 * "MMIO write 0x9000000 width 1 data 0x48 at pc 0x40000010".
 */
int vcpu_exit_describe(const struct vcpu_exit *exit, char *buf, size_t len);

/* Exit counters of a vCPU, by reason. */
uint64_t vcpu_exit_count(const struct vcpu *v, enum vcpu_exit_reason reason);

#endif
