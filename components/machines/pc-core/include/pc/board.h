/* SPDX-License-Identifier: MIT */
/*
 * The PC board core: what every x86 board of Tessera shares, the way QEMU
 * shares hw/i386/pc.c between its "pc" (i440FX) and "q35" boards.
 *
 *   memory.c      RAM below and above 4 GiB, the firmware flash ending at
 *                 4 GiB and the PAM area 0xC0000..0xFFFFF (the chipset
 *                 says which mode)
 *   cpu.c         one LAPIC per vCPU, interrupt injection, INIT/SIPI, MSRs
 *   interrupts.c  the 8259 pair and the IOAPIC; ISA IRQ n of a device
 *                 instance reaches both (pc_isa_irq_sink)
 *   fwcfg_items.c what the firmware reads from fw_cfg (e820, CPUs, ACPI)
 *   linux_boot.c  a bzImage through fw_cfg and linuxboot_dma.bin
 *   power.c       S5 power-off and the resets
 *   board.c       the machine hooks a board calls: build, reset, exits
 *
 * A board component (components/machines/pc-i440fx: the "pc" machine)
 * embeds struct pc_board first in its own state, adds its chipset (the
 * PCI host bridge and what sits on it) and fills struct pc_board_ops.
 */
#ifndef PC_BOARD_H
#define PC_BOARD_H

#include <stdbool.h>
#include <stdint.h>

#include <core/bootfs.h>
#include <i8259/i8259.h>
#include <ioapic/ioapic.h>
#include <lapic/lapic.h>
#include <pc/bzimage.h>
#include <pc/layout.h>
#include <pci/i440fx.h>
#include <vcpu/vcpu.h>
#include <vm/flash.h>
#include <vm/vm.h>

struct fwcfg;
struct pc_board;
struct rtc;

#define PC_SCI_IRQ    9
#define PC_ISA_IRQS   16      /* instance irq n: ISA IRQ n (8259 input, IOAPIC pin) */
#define PC_REPORT_LIMIT 20
/*
 * Longest guest run without an exit: for console input, which nothing
 * kicks (interrupts for a vCPU kick it, with an IPI when it runs on
 * another CPU).
 */
#define PC_CONSOLE_SLICE_NS 10000000ull
/*
 * The shortest run a vCPU gets before the VM's due device timers run
 * again: a device timer that is always due (the LAPIC timer periodic with
 * count 1) would otherwise end every run before the guest's first
 * instruction, and the guest, its handler included, would never move.
 */
#define PC_MIN_SLICE_NS     100000ull

/* What the board component adds to the core. */
struct pc_board_ops {
	/* The ELCR (edge/level of each ISA IRQ) as the chipset holds it. */
	uint16_t (*elcr)(struct pc_board *b);
	/* The ACPI tables (etc/acpi/tables, etc/acpi/rsdp, etc/table-loader) into fw. */
	int (*install_acpi)(struct pc_board *b, struct fwcfg *fw);
	/* Resets the chipset (PCI functions, PAM registers); may be NULL. */
	void (*reset)(struct pc_board *b);
	/* How much RAM stays below 4 GiB (<pc/layout.h>). */
	struct pc_lowmem_rule lowmem;
};

/* One vCPU's part of the board. */
struct pc_cpu {
	struct pc_board *machine;
	unsigned int index;
	struct lapic *lapic;
	bool start_by_sipi;         /* started from OFF by a SIPI: applied at entry */
	uint8_t sipi_vector;
	uint64_t guest_deadline;    /* IA32_TSC_DEADLINE as the guest wrote it */
};

struct pc_pvh;

struct pc_board {
	struct vm *vm;
	const struct pc_board_ops *ops;
	struct pc_memory_layout layout;
	struct pc_cpu cpus[VM_MAX_VCPUS];

	/* memory.c */
	struct vm_flash code;        /* pflash0: the firmware, read-only      */
	struct vm_flash vars;        /* pflash1: the variable store, or none  */
	uint8_t *bios;               /* the firmware image (code's memory)    */
	enum pci_pam_mode pam[PC_PAM_PIECES];
	bool pam_known;
	uint64_t pam_switches;
	uint64_t vga_accesses;       /* the empty VGA window 0xA0000..0xBFFFF */

	/* interrupts.c; the device instances the core knows by class */
	struct i8259 *pic;
	struct ioapic *ioapic;
	uint16_t elcr_seen;
	struct fwcfg *fwcfg;         /* the fw-cfg-io instance's, or NULL    */
	struct rtc *rtc;             /* the rtc instance's (CMOS), or NULL   */

	/* linux_boot.c */
	const struct bootfs_file *firmware, *vars_image, *kernel, *initrd, *option_rom;
	struct bzimage_plan plan;
	uint8_t *setup;
	struct pc_pvh *pvh;          /* multiboot.c: a PVH kernel, or NULL   */

	/* power.c */
	bool nothing_to_boot;        /* no kernel, no disks, no UEFI variables */
	uint64_t tsc_hz;             /* cpu.c: the host TSC, for TSC-deadline */
	uint64_t msr_reports;
};

/* The board's state starts with struct pc_board. */
static inline struct pc_board *pc_of(struct vm *vm)
{
	return vm->machine_data;
}

/* board.c: the machine hooks (<vm/machine.h>) of every PC board. */
int pc_board_build(struct pc_board *b, struct vm *vm, const struct pc_board_ops *ops);
int pc_board_devices_ready(struct vm *vm);
int pc_board_reset(struct vm *vm);
void pc_board_destroy(struct pc_board *b);
int pc_board_handle_exit(struct vm *vm, struct vm_vcpu *vc, struct vcpu_exit *exit);
bool pc_board_irq_pending(struct vm *vm, struct vm_vcpu *vc);
bool pc_board_halt_is_final(struct vm *vm, struct vm_vcpu *vc);
void pc_board_report(struct vm *vm, struct vm_vcpu *vc);
/* The AML of an SSDT body: Scope (scope) { the VM's device instances }.
 * Its length, or a negative errno (-ENOSPC: buf too small). */
long pc_board_devices_aml(struct pc_board *b, const char *scope, void *buf, size_t size);

/* memory.c */
int pc_memory_build(struct pc_board *m);
int pc_memory_reset(struct pc_board *m);
void pc_memory_destroy(struct pc_board *m);
void pc_pam_update(void *opaque, uint32_t base, uint32_t size, enum pci_pam_mode mode);

/* interrupts.c */
int pc_interrupts_build(struct pc_board *m);
void pc_interrupts_reset(struct pc_board *m);
void pc_interrupts_destroy(struct pc_board *m);
/* ISA IRQ n to the 8259 input n and the IOAPIC pin (IRQ 0 -> GSI 2): the
 * interrupt input of device instances (struct device_env irq_sink). */
void pc_isa_irq_sink(void *board, unsigned int irq, bool level);
/* A PCI interrupt the chipset routed: to ISA IRQ isa_irq (< 0: none) on
 * the 8259 and to IOAPIC pin gsi. */
void pc_pci_irq(struct pc_board *m, int isa_irq, unsigned int gsi, bool level);
/* A PCI MSI/MSI-X message (address, data) to the LAPICs it names. */
void pc_msi(void *board, uint64_t address, uint32_t data);
/* The 8259's INTA cycle with the current ELCR. */
uint8_t pc_pic_acknowledge(struct pc_board *m);

/* fwcfg_items.c */
int pc_fwcfg_build(struct pc_board *m);
/* Logs which fw_cfg items the guest selected and how often. */
void pc_fwcfg_report(struct pc_board *m);

/* linux_boot.c */
/* multiboot.c: the VM's kernel by its format (bzImage, Multiboot, PVH) into
 * fw_cfg; at every reset, what goes straight into RAM (a PVH kernel). */
int pc_kernel_prepare(struct pc_board *m);
int pc_kernel_reset(struct pc_board *m);
void pc_kernel_free(struct pc_board *m);
int pc_linux_prepare(struct pc_board *m);
void pc_linux_free(struct pc_board *m);

/* power.c: requests of the guest, from the chipset or device instances */
void pc_sleep_request(void *board, unsigned int slp_typ);   /* PM1_CNT SLP_EN */
void pc_guest_reset(struct pc_board *m, const char *how);
void pc_env_request_reset(void *vm, const char *how);       /* struct device_env */

/* cpu.c */
int pc_cpus_build(struct pc_board *m);
void pc_cpus_reset(struct pc_board *m);
void pc_cpus_destroy(struct pc_board *m);
int pc_cpu_sysreg(struct pc_board *m, struct vm_vcpu *vc, struct vcpu_exit *exit);
bool pc_cpu_irq_pending(struct pc_board *m, struct vm_vcpu *vc);
bool pc_cpu_start_requests(struct pc_board *m, struct vm_vcpu *vc);
/* The LAPIC page: each vCPU reaches its own (bus region at 0xFEE00000). */
int pc_lapic_mmio_register(struct pc_board *m);
void pc_ioapic_deliver(void *ctx, uint8_t destination, bool logical, uint8_t vector,
		       unsigned delivery, bool level_triggered);

#endif
