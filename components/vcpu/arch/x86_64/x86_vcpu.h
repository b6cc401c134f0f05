/* SPDX-License-Identifier: MIT */
/*
 * The vendor-neutral half of the x86 backend and the seam to the vendor
 * half (Intel VMX today: vcpu_vmx.c, vmx_exit.c; an AMD SVM backend would
 * bring its own decoding, VMCB and world switch and implement the same
 * interface).
 *
 *   vendor (vmx_exit.c)                      vendor-neutral (this header)
 *   exit reason + qualification  --decode--> x86_handle_cpuid()      cpuid.c
 *   VMCS guest state             <--ops----- x86_handle_msr()        msr.c
 *   event injection, RIP step                x86_handle_cr_write()   cr.c
 *                                            x86_handle_xsetbv()     xsetbv.c
 *                                            x86_handle_vmcall()     vmcall.c
 *                                            x86_handle_pio/mmio()   io_emul.c
 *                                            guest page walk         guest_mem.c
 *
 * Each policy is a pure function (x86_cpuid_policy(), x86_msr_read()/
 * x86_msr_write(), x86_cr0_policy(), x86_cr4_policy(), x86_xsetbv_policy(),
 * x86_vmcall_policy(), x86_guest_walk()): inputs in, a decision out, no
 * hardware, so the host tests and fuzzers run them.  The x86_handle_*()
 * glue reads the inputs through the vendor interface below and applies
 * the decision.
 */
#ifndef VCPU_X86_VCPU_H
#define VCPU_X86_VCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bus/bus.h>
#include <core/log.h>
#include <vcpu/vcpu.h>
/* Host tests built with another architecture's configuration include it by path first. */
#ifndef X86EMU_X86EMU_H
#include <x86emu/x86emu.h>
#endif

/* ---- architectural numbers ------------------------------------------------ */

#define X86_VECTOR_UD  6
#define X86_VECTOR_GP  13
#define X86_VECTOR_PF  14

/* #PF error code bits (SDM vol. 3, "Page-Fault Exception"). */
#define X86_PF_PRESENT (1u << 0)
#define X86_PF_WRITE   (1u << 1)
#define X86_PF_USER    (1u << 2)
#define X86_PF_RSVD    (1u << 3)
#define X86_PF_FETCH   (1u << 4)

#define X86_CR0_MP (1ull << 1)
#define X86_CR0_TS (1ull << 3)
#define X86_CR0_WP (1ull << 16)
#define X86_CR0_NW (1ull << 29)
#define X86_CR0_CD (1ull << 30)
#define X86_CR4_PSE (1ull << 4)
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_PGE (1ull << 7)
#define X86_CR4_LA57 (1ull << 12)
#define X86_CR4_OSXSAVE (1ull << 18)
#define X86_CR4_SMEP (1ull << 20)
#define X86_CR4_SMAP (1ull << 21)
#define X86_EFER_SCE (1ull << 0)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_NXE (1ull << 11)
#define X86_RFLAGS_AC (1ull << 18)

/* Segment access rights in the VMX layout (SVM converts its attributes). */
#define X86_AR_TYPE(ar)   ((ar) & 0xf)
#define X86_AR_S          (1u << 4)
#define X86_AR_DPL(ar)    (((ar) >> 5) & 3)
#define X86_AR_P          (1u << 7)
#define X86_AR_L          (1u << 13)
#define X86_AR_DB         (1u << 14)
#define X86_AR_G          (1u << 15)
#define X86_AR_UNUSABLE   (1u << 16)

struct x86_segment {
	uint64_t base;
	uint32_t limit;          /* in bytes, granularity already applied */
	uint32_t ar;
};

/* What an exit handler wants the vendor's run loop to do next. */
enum x86_action {
	X86_RESUME = 0,     /* handled here: enter the guest again */
	X86_TO_VM = 1,      /* *exit is filled in for the VM       */
};

/* ---- the vendor interface (implemented by vcpu_vmx.c) ---------------------- */

struct vcpu;

/* The 16 general-purpose registers in encoding order (RSP included). */
uint64_t *x86_gprs(struct vcpu *v);
uint64_t x86_get_rip(struct vcpu *v);
void x86_set_rip(struct vcpu *v, uint64_t rip);
uint64_t x86_get_rflags(struct vcpu *v);
void x86_set_rflags(struct vcpu *v, uint64_t rflags);
void x86_get_segment(struct vcpu *v, enum x86_seg seg, struct x86_segment *s);
unsigned int x86_get_cpl(struct vcpu *v);
/* CR0/CR4 as the guest reads them, CR3, EFER. */
uint64_t x86_get_cr0(struct vcpu *v);
uint64_t x86_get_cr3(struct vcpu *v);
uint64_t x86_get_cr4(struct vcpu *v);
uint64_t x86_get_efer(struct vcpu *v);
/* Apply a value the policy accepted (shadows, IA-32e mode entry control...). */
void x86_set_cr0(struct vcpu *v, uint64_t cr0);
void x86_set_cr4(struct vcpu *v, uint64_t cr4);
void x86_set_efer(struct vcpu *v, uint64_t efer);
void x86_set_cr2(struct vcpu *v, uint64_t cr2);
/* Translations of the guest's paging are dropped at the next entry; PAE PDPTEs reloaded. */
void x86_paging_changed(struct vcpu *v);
/* Guest XCR0 (switched with the FPU state). */
void x86_set_xcr0(struct vcpu *v, uint64_t xcr0);
uint64_t x86_get_xcr0(struct vcpu *v);
void x86_set_pat(struct vcpu *v, uint64_t pat);
void x86_set_tsc_offset(struct vcpu *v, uint64_t offset);
uint64_t x86_get_tsc_offset(struct vcpu *v);
/* An exception at the next entry (the instruction is not stepped over). */
void x86_inject_exception(struct vcpu *v, unsigned int vector, bool has_error, uint32_t error);
/* RIP past the exiting instruction (its length from the exit), shadows cleared. */
void x86_skip_instruction(struct vcpu *v);
/* The vCPU's handler of device accesses (vcpu_set_io_ops()), never NULL-called. */
enum bus_result x86_io_access(struct vcpu *v, struct bus_access *acc);
/* The per-vCPU state the vendor-neutral code keeps (struct x86_msr_state...). */
struct x86_msr_state *x86_msr_state(struct vcpu *v);
/* What this vCPU was created with. */
unsigned int x86_vcpu_index(struct vcpu *v);
unsigned int x86_vcpu_count(struct vcpu *v);
/* Guest-physical memory (RAM only: -EFAULT elsewhere, or when not writable). */
int x86_read_guest_physical(struct vcpu *v, uint64_t gpa, void *dst, size_t len);
int x86_write_guest_physical(struct vcpu *v, uint64_t gpa, const void *src, size_t len);
/*
 * A paging-structure entry (size 4 or 8, gpa aligned to it) in one load:
 * the page walk's reads, which another vCPU may be writing meanwhile.
 */
int x86_read_guest_entry(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t *entry);

/* What the vendor and the host can do, fixed at start-up. */
struct x86_host_caps {
	bool rdtscp, invpcid, xsaves;        /* the guest may use them              */
	bool nx;                             /* EFER.NXE may be set                 */
	unsigned int phys_bits;              /* MAXPHYADDR                          */
	uint64_t xcr0_supported;             /* XCR0 bits of CPUID.(0xD,0)          */
	uint64_t cr4_allowed;                /* CR4 bits the guest may set          */
	uint64_t tsc_hz;                     /* the TSC's rate, measured at boot; the
						guest's TSC runs at it (offset, never
						scaled); 0: unknown                  */
	uint32_t max_leaf;                   /* CPUID.0 EAX, the last basic leaf;
						0: unknown                           */
};
const struct x86_host_caps *x86_host_caps(void);
/* The host's CPUID and TSC (replaced in host tests). */
struct x86_cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};
struct x86_cpuid_regs x86_host_cpuid(uint32_t leaf, uint32_t subleaf);
uint64_t x86_host_tsc(void);

/* ---- CPUID (cpuid.c) ------------------------------------------------------------ */

struct x86_cpuid_env {
	unsigned int vcpu_index, vcpu_count;
	bool osxsave;                        /* the guest's CR4.OSXSAVE */
	const struct x86_host_caps *caps;
	uint64_t xcr0;                       /* the guest's XCR0 */
	/* The host's CPUID, for the XSAVE sizes of leaf 0xD (NULL: the
	 * host's sizes pass through). */
	struct x86_cpuid_regs (*host_cpuid)(uint32_t leaf, uint32_t subleaf);
};

/* The guest's view of CPUID leaf/subleaf, from the host's answer to it. */
struct x86_cpuid_regs x86_cpuid_policy(const struct x86_cpuid_env *env, uint32_t leaf,
				       uint32_t subleaf, struct x86_cpuid_regs host);
enum x86_action x86_handle_cpuid(struct vcpu *v);

/* ---- MSRs (msr.c) ------------------------------------------------------------------ */

#define X86_MSR_TSC              0x010
#define X86_MSR_PLATFORM_ID      0x017
#define X86_MSR_FEATURE_CONTROL  0x03a
#define X86_MSR_BIOS_UPDATE_TRIG 0x079
#define X86_MSR_BIOS_SIGN_ID     0x08b
#define X86_MSR_MTRR_CAP         0x0fe
#define X86_MSR_MISC_ENABLE      0x1a0
#define X86_MSR_DEBUGCTL         0x1d9
#define X86_MSR_MTRR_PHYS_BASE0  0x200   /* base 0x200 + 2n, mask 0x201 + 2n */
#define X86_MSR_MTRR_FIX_64K     0x250
#define X86_MSR_MTRR_FIX_16K_80000 0x258
#define X86_MSR_MTRR_FIX_16K_A0000 0x259
#define X86_MSR_MTRR_FIX_4K_C0000 0x268  /* .. 0x26f */
#define X86_MSR_PAT              0x277
#define X86_MSR_MTRR_DEF_TYPE    0x2ff
#define X86_MSR_XSS              0xda0
#define X86_MSR_EFER             0xc0000080

/* The number of variable MTRRs the guest sees (MTRRcap.VCNT). */
#define X86_GUEST_VARIABLE_MTRRS 8
#define X86_GUEST_FIXED_MTRRS    11
#define X86_PAT_RESET 0x0007040600070406ull

/* The MSR state the vendor-neutral code owns, one per vCPU. */
struct x86_msr_state {
	uint64_t mtrr_def_type;
	uint64_t mtrr_fixed[X86_GUEST_FIXED_MTRRS];
	uint64_t mtrr_var[X86_GUEST_VARIABLE_MTRRS * 2];
	uint64_t pat;
	uint64_t misc_enable;
	uint64_t efer;             /* an input: the guest's EFER; an output of writes */
	uint64_t tsc_offset;       /* likewise */
};

/* What an MSR access depends on besides the state. */
struct x86_msr_env {
	uint64_t cr0;              /* the guest's CR0 (LME is frozen while PG) */
	uint64_t host_tsc;
	const struct x86_host_caps *caps;
};

enum x86_msr_result {
	X86_MSR_DONE,              /* answered / applied to the state         */
	X86_MSR_TO_VM,             /* the VM answers (the LAPIC's MSRs)        */
	X86_MSR_FAULT,             /* unknown, or a bad value: #GP             */
};

/* Power-on values (INIT keeps the MTRRs, RESET clears them). */
void x86_msr_reset(struct x86_msr_state *s);
enum x86_msr_result x86_msr_read(const struct x86_msr_state *s, const struct x86_msr_env *env,
				 uint32_t msr, uint64_t *value);
enum x86_msr_result x86_msr_write(struct x86_msr_state *s, const struct x86_msr_env *env,
				  uint32_t msr, uint64_t value);
enum x86_action x86_handle_msr(struct vcpu *v, struct vcpu_exit *exit, bool is_write);

/* ---- control registers (cr.c) ----------------------------------------------------- */

/* A MOV to CR0 (also CLTS, LMSW): false = #GP; *efer gets the new EFER (LMA). */
bool x86_cr0_policy(uint64_t old_cr0, uint64_t value, uint64_t cr4, uint64_t *efer,
		    bool in_64bit_mode);
/* A MOV to CR4: false = #GP. */
bool x86_cr4_policy(uint64_t value, uint64_t efer, uint64_t allowed);
/* type: 0 MOV to CR, 2 CLTS, 3 LMSW (source = the LMSW operand). */
enum x86_cr_access { X86_CR_MOV_TO = 0, X86_CR_CLTS = 2, X86_CR_LMSW = 3 };
enum x86_action x86_handle_cr_write(struct vcpu *v, enum x86_cr_access type, unsigned int cr,
				    uint64_t source, uint64_t *cr8);

/* ---- XSETBV (xsetbv.c) ------------------------------------------------------------- */

/* The XCR0 components a guest may enable (SDM vol. 1, 13.3), each only with its pair. */
#define X86_XCR0_X87       (1ull << 0)
#define X86_XCR0_SSE       (1ull << 1)
#define X86_XCR0_AVX       (1ull << 2)
#define X86_XCR0_BNDREGS   (1ull << 3)
#define X86_XCR0_BNDCSR    (1ull << 4)
#define X86_XCR0_OPMASK    (1ull << 5)
#define X86_XCR0_ZMM_HI256 (1ull << 6)
#define X86_XCR0_HI16_ZMM  (1ull << 7)
#define X86_XCR0_PKRU      (1ull << 9)
#define X86_XCR0_XTILECFG  (1ull << 17)
#define X86_XCR0_XTILEDATA (1ull << 18)

enum x86_xsetbv_result { X86_XSETBV_OK, X86_XSETBV_UD, X86_XSETBV_GP };
enum x86_xsetbv_result x86_xsetbv_policy(uint32_t index, uint64_t value, uint64_t supported,
					 bool osxsave, unsigned int cpl);
enum x86_action x86_handle_xsetbv(struct vcpu *v);

/* ---- VMCALL (vmcall.c) ---------------------------------------------------------------- */

/* What KVM's guests expect in RAX for a hypercall nobody knows. */
#define X86_HYPERCALL_ENOSYS ((uint64_t)-1000)

enum x86_vmcall_result { X86_VMCALL_TO_VM, X86_VMCALL_UD };
enum x86_vmcall_result x86_vmcall_policy(unsigned int cpl);
enum x86_action x86_handle_vmcall(struct vcpu *v, struct vcpu_exit *exit);

/* ---- the guest's paging (guest_mem.c) ----------------------------------------------- */

/* An access through the guest's paging: how and with which privilege. */
#define X86_ACCESS_WRITE (1u << 0)
#define X86_ACCESS_FETCH (1u << 1)
#define X86_ACCESS_USER  (1u << 2)   /* CPL 3 (an explicit user-mode access) */

struct x86_paging {
	uint64_t cr0, cr3, cr4, efer;
	uint64_t rflags;                 /* AC, for SMAP */
};

/*
 * Linear -> guest-physical through the guest's page tables (none, 32-bit,
 * PAE, 4-level), with the permission checks of the SDM (vol. 3, 4.6):
 * U/S, R/W with CR0.WP, NX with EFER.NXE, SMEP/SMAP.  0; -ENOENT with
 * *pf_error set when the guest gets a #PF; -EFAULT when a table is not in
 * RAM or the paging mode is not walked (5-level).
 */
int x86_guest_walk(struct vcpu *v, const struct x86_paging *p, uint64_t linear,
		   unsigned int access, uint64_t *gpa, uint32_t *pf_error);
void x86_paging_of(struct vcpu *v, struct x86_paging *p);
/*
 * Reads/writes len bytes at a guest linear address with the access rights
 * of access (X86_ACCESS_*).  0; -ENOENT after a #PF was injected (CR2 set);
 * -EFAULT when not RAM.
 */
int x86_read_linear(struct vcpu *v, uint64_t linear, void *dst, size_t len, unsigned int access);
int x86_write_linear(struct vcpu *v, uint64_t linear, const void *src, size_t len,
		     unsigned int access);
/* Only the checks of an access of len bytes (<= 4 KiB): 0, or -ENOENT after a #PF was injected. */
int x86_probe_linear(struct vcpu *v, uint64_t linear, size_t len, unsigned int access);
/* The instruction bytes at RIP (up to max; fewer at the end of the mapped code). */
size_t x86_fetch_code(struct vcpu *v, uint64_t linear, uint8_t *bytes, size_t max);

/* ---- device accesses (io_emul.c) ------------------------------------------------------- */

/* An I/O instruction as the vendor decoded it. */
struct x86_io_exit {
	uint16_t port;
	unsigned int width;              /* 1, 2 or 4                               */
	bool in, string, rep;
	unsigned int address_size;       /* string: 2, 4 or 8                       */
	enum x86_seg seg;                /* string OUTS: the source segment         */
};

enum x86_action x86_handle_pio(struct vcpu *v, const struct x86_io_exit *io, struct vcpu_exit *exit);
/* An EPT/NPT violation on a device address: the instruction fetched and run by x86emu. */
enum x86_action x86_handle_mmio(struct vcpu *v, uint64_t gpa, bool write, struct vcpu_exit *exit);
/*
 * x86_regs for x86emu from the vendor's state, and the mode the vCPU is
 * in (cs: its code segment).  In 64-bit mode only FS and GS have a base:
 * the others are left 0 without reading them.
 */
enum x86_mode x86_load_emu_regs(struct vcpu *v, struct x86_regs *r, struct x86_segment *cs);
/*
 * The instruction the vCPU's last MMIO exit decoded: a driver polling a
 * device register exits at the same instruction again and again, and the
 * same bytes in the same mode decode the same (io_emul.c).  Memoization
 * only: the bytes are fetched through the guest's page tables every time.
 */
struct x86_decoded {
	bool valid;
	enum x86_mode mode;
	uint8_t bytes[X86_MAX_INSN_LEN];
	struct x86_insn insn;
};
struct x86_decoded *x86_last_decoded(struct vcpu *v);
bool x86_in_64bit_mode(struct vcpu *v);

/* A FAILED exit with a message (the VM is stopped, never the host). */
void x86_fail(struct vcpu *v, struct vcpu_exit *exit, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Reports a guest mistake once per key, so a looping guest cannot flood the log. */
void x86_report_once(uint32_t key, enum log_level level, const char *fmt, unsigned long long a,
		     unsigned long long b);

#endif
