/* SPDX-License-Identifier: MIT */
/*
 * Shared by the files of the VMX backend: VMCS field encodings and control
 * bits (Intel SDM vol. 3, appendix B and chapter 25), struct vcpu and
 * struct gspace, and the functions the files call in each other.
 *
 *   vcpu_vmx.c     VMCS set-up, vcpu_run() (VMLAUNCH/VMRESUME), registers,
 *                  completing exits, interrupt injection helpers, and the
 *                  vendor interface of x86_vcpu.h on the VMCS
 *   vmx_exit.c     the exit decode table: basic exit reason -> handler;
 *                  the handlers decode the VMX exit information and call
 *                  the vendor-neutral policy (x86_vcpu.h)
 *   vmx_switch.S   the entry/exit stub: guest GPRs and CR2 in and out
 *   ept.c, ept.h   EPT format for the walker (pgtable.c): struct gspace
 *   guest_phys.c   guest-physical RAM through the gspace
 */
#ifndef VCPU_VMX_INTERNAL_H
#define VCPU_VMX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <core/spinlock.h>
#include <vcpu/gspace.h>
#include <vcpu/vcpu.h>
#include <vcpu/x86_regs.h>
#include <x86_64/cpu.h>
/* x86emu.h and x86_vcpu.h define these bits again (as ull constants). */
#undef X86_CR0_PE
#undef X86_CR0_PG
#undef X86_CR4_PAE
#include <x86emu/x86emu.h>
#include "x86_vcpu.h"

#include "ept.h"

/* ---- VMCS field encodings ---------------------------------------------- */

/* 16-bit */
#define VMCS_VPID                 0x0000
#define VMCS_GUEST_ES_SEL         0x0800   /* + 2 * enum x86_seg */
#define VMCS_GUEST_LDTR_SEL       0x080c
#define VMCS_GUEST_TR_SEL         0x080e
#define VMCS_HOST_ES_SEL          0x0c00
#define VMCS_HOST_CS_SEL          0x0c02
#define VMCS_HOST_SS_SEL          0x0c04
#define VMCS_HOST_DS_SEL          0x0c06
#define VMCS_HOST_FS_SEL          0x0c08
#define VMCS_HOST_GS_SEL          0x0c0a
#define VMCS_HOST_TR_SEL          0x0c0c
/* 64-bit */
#define VMCS_MSR_BITMAP           0x2004
#define VMCS_TSC_OFFSET           0x2010
#define VMCS_EPT_POINTER          0x201a
#define VMCS_GUEST_PHYSICAL_ADDR  0x2400
#define VMCS_LINK_POINTER         0x2800
#define VMCS_GUEST_DEBUGCTL       0x2802
#define VMCS_GUEST_PAT            0x2804
#define VMCS_GUEST_EFER           0x2806
#define VMCS_GUEST_PDPTE0         0x280a   /* + 2 * n */
#define VMCS_HOST_PAT             0x2c00
#define VMCS_HOST_EFER            0x2c02
/* 32-bit */
#define VMCS_PIN_CONTROLS         0x4000
#define VMCS_PROC_CONTROLS        0x4002
#define VMCS_EXCEPTION_BITMAP     0x4004
#define VMCS_CR3_TARGET_COUNT     0x400a
#define VMCS_EXIT_CONTROLS        0x400c
#define VMCS_EXIT_MSR_STORE_COUNT 0x400e
#define VMCS_EXIT_MSR_LOAD_COUNT  0x4010
#define VMCS_ENTRY_CONTROLS       0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT 0x4014
#define VMCS_ENTRY_INTR_INFO      0x4016
#define VMCS_ENTRY_EXCEPTION_ERR  0x4018
#define VMCS_ENTRY_INSN_LEN       0x401a
#define VMCS_PROC_CONTROLS2       0x401e
#define VMCS_INSN_ERROR           0x4400
#define VMCS_EXIT_REASON          0x4402
#define VMX_EXIT_EXTERNAL_INTERRUPT 1   /* basic exit reason (bits 15:0) */
#define VMCS_EXIT_INTR_INFO       0x4404
#define VMCS_EXIT_INTR_ERR        0x4406
#define VMCS_IDT_VECTORING_INFO   0x4408
#define VMCS_IDT_VECTORING_ERR    0x440a
#define VMCS_EXIT_INSN_LEN        0x440c
#define VMCS_EXIT_INSN_INFO       0x440e
#define VMCS_GUEST_ES_LIMIT       0x4800   /* + 2 * enum x86_seg */
#define VMCS_GUEST_LDTR_LIMIT     0x480c
#define VMCS_GUEST_TR_LIMIT       0x480e
#define VMCS_GUEST_GDTR_LIMIT     0x4810
#define VMCS_GUEST_IDTR_LIMIT     0x4812
#define VMCS_GUEST_ES_AR          0x4814   /* + 2 * enum x86_seg */
#define VMCS_GUEST_LDTR_AR        0x4820
#define VMCS_GUEST_TR_AR          0x4822
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824
#define VMCS_GUEST_ACTIVITY       0x4826
#define VMCS_GUEST_SYSENTER_CS    0x482a
#define VMCS_PREEMPTION_TIMER     0x482e
#define VMCS_HOST_SYSENTER_CS     0x4c00
/* natural width */
#define VMCS_CR0_MASK             0x6000
#define VMCS_CR4_MASK             0x6002
#define VMCS_CR0_SHADOW           0x6004
#define VMCS_CR4_SHADOW           0x6006
#define VMCS_EXIT_QUALIFICATION   0x6400
#define VMCS_GUEST_LINEAR_ADDR    0x640a
#define VMCS_GUEST_CR0            0x6800
#define VMCS_GUEST_CR3            0x6802
#define VMCS_GUEST_CR4            0x6804
#define VMCS_GUEST_ES_BASE        0x6806   /* + 2 * enum x86_seg */
#define VMCS_GUEST_LDTR_BASE      0x6812
#define VMCS_GUEST_TR_BASE        0x6814
#define VMCS_GUEST_GDTR_BASE      0x6816
#define VMCS_GUEST_IDTR_BASE      0x6818
#define VMCS_GUEST_DR7            0x681a
#define VMCS_GUEST_RSP            0x681c
#define VMCS_GUEST_RIP            0x681e
#define VMCS_GUEST_RFLAGS         0x6820
#define VMCS_GUEST_PENDING_DBG    0x6822
#define VMCS_GUEST_SYSENTER_ESP   0x6824
#define VMCS_GUEST_SYSENTER_EIP   0x6826
#define VMCS_HOST_CR0             0x6c00
#define VMCS_HOST_CR3             0x6c02
#define VMCS_HOST_CR4             0x6c04
#define VMCS_HOST_FS_BASE         0x6c06
#define VMCS_HOST_GS_BASE         0x6c08
#define VMCS_HOST_TR_BASE         0x6c0a
#define VMCS_HOST_GDTR_BASE       0x6c0c
#define VMCS_HOST_IDTR_BASE       0x6c0e
#define VMCS_HOST_SYSENTER_ESP    0x6c10
#define VMCS_HOST_SYSENTER_EIP    0x6c12
#define VMCS_HOST_RSP             0x6c14
#define VMCS_HOST_RIP             0x6c16

/* ---- control bits -------------------------------------------------------- */

#define PIN_EXTERNAL_INTERRUPT   (1u << 0)
#define PIN_NMI_EXITING          (1u << 3)
#define PIN_VIRTUAL_NMIS         (1u << 5)
#define PIN_PREEMPTION_TIMER     (1u << 6)

#define PROC_INTERRUPT_WINDOW    (1u << 2)
#define PROC_TSC_OFFSETTING      (1u << 3)
#define PROC_HLT_EXITING         (1u << 7)
#define PROC_MWAIT_EXITING       (1u << 10)
#define PROC_RDPMC_EXITING       (1u << 11)
#define PROC_CR3_LOAD_EXITING    (1u << 15)
#define PROC_CR3_STORE_EXITING   (1u << 16)
#define PROC_CR8_LOAD_EXITING    (1u << 19)
#define PROC_CR8_STORE_EXITING   (1u << 20)
#define PROC_NMI_WINDOW          (1u << 22)
#define PROC_UNCONDITIONAL_IO    (1u << 24)
#define PROC_USE_MSR_BITMAPS     (1u << 28)
#define PROC_MONITOR_EXITING     (1u << 29)
#define PROC_SECONDARY_CONTROLS  (1u << 31)

#define PROC2_EPT                (1u << 1)
#define PROC2_RDTSCP             (1u << 3)
#define PROC2_VPID               (1u << 5)
#define PROC2_UNRESTRICTED_GUEST (1u << 7)
#define PROC2_INVPCID            (1u << 12)
#define PROC2_XSAVES             (1u << 20)

#define EXIT_HOST_64BIT          (1u << 9)
#define EXIT_SAVE_PAT            (1u << 18)
#define EXIT_LOAD_PAT            (1u << 19)
#define EXIT_SAVE_EFER           (1u << 20)
#define EXIT_LOAD_EFER           (1u << 21)

#define ENTRY_IA32E_GUEST        (1u << 9)
#define ENTRY_LOAD_PAT           (1u << 14)
#define ENTRY_LOAD_EFER          (1u << 15)

/* Interruption information (VM-entry field, IDT-vectoring, exit info). */
#define INTR_INFO_VALID          (1u << 31)
#define INTR_INFO_ERROR_CODE     (1u << 11)
#define INTR_TYPE_EXTERNAL       (0u << 8)
#define INTR_TYPE_NMI            (2u << 8)
#define INTR_TYPE_HW_EXCEPTION   (3u << 8)
#define INTR_TYPE_SW_INTERRUPT   (4u << 8)
#define INTR_TYPE_PRIV_SW_EXCEPTION (5u << 8)
#define INTR_TYPE_SW_EXCEPTION   (6u << 8)
#define INTR_TYPE_MASK           (7u << 8)

/* Guest interruptibility state. */
#define BLOCKING_BY_STI          (1u << 0)
#define BLOCKING_BY_MOV_SS       (1u << 1)
#define BLOCKING_BY_NMI          (1u << 3)

#define ACTIVITY_ACTIVE          0

/* Segment access rights as the VMCS holds them. */
#define AR_UNUSABLE   (1u << 16)
#define AR_L          (1u << 13)
#define AR_DB         (1u << 14)
#define AR_DPL(ar)    (((ar) >> 5) & 3)

/* Architectural MSRs and register bits the backend uses. */
#define MSR_SYSENTER_CS      0x174
#define MSR_SYSENTER_ESP     0x175
#define MSR_SYSENTER_EIP     0x176
#define MSR_PAT              0x277
#define MSR_X86_EFER         0xc0000080
#define MSR_STAR             0xc0000081
#define MSR_LSTAR            0xc0000082
#define MSR_CSTAR            0xc0000083
#define MSR_SFMASK           0xc0000084
#define MSR_FS_BASE          0xc0000100
#define MSR_GS_BASE_MSR      0xc0000101
#define MSR_KERNEL_GS_BASE   0xc0000102
#define MSR_TSC_AUX          0xc0000103

#define EFER_SCE  (1ull << 0)
#define EFER_LME  (1ull << 8)
#define EFER_LMA  (1ull << 10)
#define EFER_NXE  (1ull << 11)

#define CR0_PE (1ull << 0)
#define CR0_NE (1ull << 5)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_PGE (1ull << 7)
#define CR4_OSXSAVE (1ull << 18)
#define CR4_VMXE (1ull << 13)
#define CR4_SMXE (1ull << 14)
#define CR4_LA57 (1ull << 12)

#define RFLAGS_IF (1ull << 9)
#define RFLAGS_DF (1ull << 10)

/* ---- the saved guest registers (vmx_switch.S) ----------------------------- */

/* Offsets in struct vmx_guest_regs, used by vmx_switch.S. */
#define REGS_GPR   0     /* 16 GPRs in encoding order (RSP slot unused) */
#define REGS_CR2   128
#define REGS_SIZE  136

#ifndef __ASSEMBLER__

struct vmx_guest_regs {
	uint64_t gpr[X86_GPR_COUNT];   /* enum x86_reg; RSP lives in the VMCS */
	uint64_t cr2;
};

/* What the last exit left to be finished by the VM. */
enum vmx_pending {
	PENDING_NONE = 0,
	PENDING_MSR_READ,      /* RDMSR answered by the VM                */
	PENDING_HYPERCALL,     /* VMCALL: results into RAX, RBX, RCX, RDX */
};

/* A guest-physical RAM page this vCPU reached, as guest_phys.c remembers it. */
#define VMX_GPA_CACHE_SIZE 16
struct vmx_gpa_cache {
	uint64_t generation;               /* the EPT's generation then; 0: empty */
	uint64_t page;                     /* guest-physical page number          */
	uint8_t *host;                     /* where it is in the hypervisor       */
	bool writable;
};

struct vcpu {
	struct vmx_guest_regs regs;        /* first: vmx_switch.S uses it      */
	struct gspace *gs;
	unsigned int index;
	void *vmcs;
	int cpu;                           /* the CPU it runs on, -1 = none yet */
	bool launched;
	volatile bool kick;
	/*
	 * In the guest or halted in vcpu_wait_for_interrupt(): a kick from
	 * another CPU must send the kick IPI to bring it out.
	 */
	volatile bool kick_needs_ipi;

	/* Cached guest state, read at each exit and written back at entry. */
	uint64_t rip, rflags;
	uint32_t interruptibility;
	uint32_t entry_intr_info;          /* event to inject at the next entry */
	uint32_t entry_intr_error;
	uint32_t entry_insn_len;
	bool wait_for_sipi;
	uint64_t run_limit_ns;             /* vcpu_x86_set_run_limit() for the next entry */
	bool flush_tlb;                    /* INVEPT + INVVPID at the next entry */

	/* Controls as currently programmed. */
	uint32_t pin_controls;
	uint32_t proc_controls;
	uint32_t entry_controls;

	/* The last exit, as the hardware reported it. */
	uint32_t exit_reason;
	uint64_t exit_qualification;
	uint32_t exit_insn_len;
	uint32_t exit_insn_info;
	enum vmx_pending pending;

	/* The read shadows of the CR0/CR4 bits we own (vmx_guest_cr0()) and the CR8 TPR. */
	uint64_t cr0_shadow, cr4_shadow;
	uint64_t cr8;

	/* MSRs of the vendor-neutral policy (msr.c); PAT, EFER, TSC offset also in the VMCS. */
	struct x86_msr_state msr;
	uint64_t tsc_offset;
	/* Switched lazily: the host never uses them (see vcpu_vmx.c). */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base, tsc_aux;
	uint64_t xcr0;
	void *fpu_area;                    /* XSAVE or FXSAVE image            */
	size_t fpu_area_pages;
	struct vmx_gpa_cache gpa_cache[VMX_GPA_CACHE_SIZE];   /* guest_phys.c */
	struct x86_decoded last_decoded;                      /* io_emul.c */

	const struct vcpu_irq_ops *irq_ops;
	void *irq_opaque;
	const struct vcpu_io_ops *io_ops;
	void *io_opaque;
	uint64_t exit_counts[VCPU_EXIT_REASON_COUNT];
};

/* What an exit handler wants vcpu_run() to do next (enum x86_action). */
#define VMX_RESUME X86_RESUME
#define VMX_TO_VM  X86_TO_VM
#define vmx_action x86_action

/* vmx_switch.S: 0 after a VM exit, 1 VMfailInvalid, 2 VMfailValid. */
int vmx_enter_guest(struct vmx_guest_regs *regs, int launched);
extern char vmx_exit_stub[];

/* VMCS access (the current VMCS of this CPU). */
static inline uint64_t vmread(uint64_t field)
{
	uint64_t value;

	__asm__ volatile("vmread %1, %0" : "=r"(value) : "r"(field) : "cc");
	return value;
}

static inline void vmwrite(uint64_t field, uint64_t value)
{
	__asm__ volatile("vmwrite %0, %1" : : "r"(value), "r"(field) : "cc", "memory");
}

/* vcpu_vmx.c */
bool vmx_caps_init(void);
void vmx_skip_instruction(struct vcpu *v);
void vmx_inject_exception(struct vcpu *v, unsigned int vector, bool has_error, uint32_t error);
void vmx_set_proc_controls(struct vcpu *v, uint32_t controls);
uint64_t vmx_guest_efer(void);
void vmx_set_guest_efer(struct vcpu *v, uint64_t efer);
uint64_t vmx_cr0_fixed(uint64_t cr0);
uint64_t vmx_guest_cr0(const struct vcpu *v);
uint64_t vmx_guest_cr4(const struct vcpu *v);
uint64_t vmx_cr4_fixed(uint64_t cr4);
bool vmx_cr4_allowed(uint64_t cr4);
void vmx_load_pdptes(struct vcpu *v);
uint32_t vmx_true_controls_msr(uint32_t plain_msr);
bool vmx_has_load_pat(void);
#define vmx_fail x86_fail
uint64_t vmx_host_xcr0_supported(void);
bool vmx_has_secondary(uint32_t proc2_bit);

/* vmx_exit.c */
enum vmx_action vmx_handle_exit(struct vcpu *v, struct vcpu_exit *exit);

/* guest_phys.c: guest-physical RAM of an address space. */
int guest_read_physical(struct gspace *gs, uint64_t gpa, void *dst, size_t len);

/* ept.c and what it needs from vcpu_vmx.c: ept.h */

#endif
#endif
