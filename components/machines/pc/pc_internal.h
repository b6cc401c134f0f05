/* SPDX-License-Identifier: MIT */
/* The pc machine's state, shared by its files (see pc.c for the map). */
#ifndef PC_INTERNAL_H
#define PC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <bus/chardev.h>
#include <core/bootfs.h>
#include <i8254/i8254.h>
#include <i8259/i8259.h>
#include <ioapic/ioapic.h>
#include <lapic/lapic.h>
#include <pc/bzimage.h>
#include <pc/layout.h>
#include <pci/i440fx.h>
#include <vcpu/vcpu.h>
#include <vm/vm.h>

struct pci_host;
struct pci_piix3;
struct pci_piix4_pm;
struct fwcfg;
struct rtc;
struct uart16550;
struct i8042;
struct port80;
struct port92;

#define PC_COM1_IRQ   4
#define PC_SCI_IRQ    9
#define PC_PIRQ_GSI   16      /* PIRQA..D also reach IOAPIC pins 16..19 (as QEMU) */
#define PC_REPORT_LIMIT 20
/*
 * Longest guest run without an exit: for console input, which nothing
 * kicks (interrupts for a vCPU kick it, with an IPI when it runs on
 * another CPU).
 */
#define PC_CONSOLE_SLICE_NS 10000000ull
#define PC_FWCFG_KEYS      (0x20 + 128)   /* numbered keys and FWCFG_MAX_FILES files */
#define PC_FWCFG_ARCH_KEYS 0x20

/* One vCPU's part of the board. */
struct pc_cpu {
	struct pc_machine *machine;
	unsigned int index;
	struct lapic *lapic;
	bool start_by_sipi;         /* started from OFF by a SIPI: applied at entry */
	uint8_t sipi_vector;
	uint64_t guest_deadline;    /* IA32_TSC_DEADLINE as the guest wrote it */
};

struct pc_machine {
	struct vm *vm;
	struct pc_memory_layout layout;
	struct pc_cpu cpus[VM_MAX_VCPUS];

	/* memory.c */
	uint8_t *bios;               /* the BIOS image, read-only to the guest */
	size_t bios_pages;
	enum pci_pam_mode pam[PC_PAM_PIECES];
	bool pam_known;
	uint64_t pam_switches;

	/* devices.c */
	struct pci_host *pci;
	struct pci_i440fx *i440fx;
	struct pci_piix3 *piix3;
	struct pci_piix4_pm *pm;
	struct fwcfg *fwcfg;
	struct rtc *rtc;
	struct uart16550 *com1;
	struct chardev com1_out;
	struct i8259 *pic;
	struct i8254 *pit;
	struct i8042 *kbc;
	struct port80 *port80;
	struct port92 *port92;
	struct ioapic *ioapic;
	uint16_t elcr_seen;

	/* fwcfg_items.c: the guest's selections, counted per key */
	struct bus *fwcfg_bus;       /* the device itself sits on this private bus */
	uint32_t fwcfg_dma_high;
	uint32_t fwcfg_selects[PC_FWCFG_KEYS];
	uint32_t fwcfg_arch_selects[PC_FWCFG_ARCH_KEYS];

	/* linux_boot.c */
	const struct bootfs_file *firmware, *kernel, *initrd, *option_rom;
	struct bzimage_plan plan;
	uint8_t *setup;

	/* power.c */
	bool nothing_to_boot;        /* firmware only, no kernel, no disks */
	uint64_t tsc_hz;             /* cpu.c: the host TSC, for TSC-deadline */
	uint64_t msr_reports;
};

static inline struct pc_machine *pc_of(struct vm *vm)
{
	return vm->machine_data;
}

/* memory.c */
int pc_memory_build(struct pc_machine *m);
int pc_memory_reset(struct pc_machine *m);
void pc_memory_destroy(struct pc_machine *m);
void pc_pam_update(void *opaque, uint32_t base, uint32_t size, enum pci_pam_mode mode);

/* devices.c */
int pc_devices_build(struct pc_machine *m);
void pc_devices_reset(struct pc_machine *m);
void pc_devices_destroy(struct pc_machine *m);
/* ISA IRQ n to the 8259 input n and the IOAPIC pin (IRQ 0 -> GSI 2). */
void pc_isa_irq_sink(void *machine, unsigned int irq, bool level);
/* PCI INTx of device/pin (1..4) through the PIIX3 PIRQ routing. */
void pc_pci_intx(struct pc_machine *m, unsigned int device, unsigned int pin, bool level);
/* The 8259's INTA cycle with the current ELCR. */
uint8_t pc_pic_acknowledge(struct pc_machine *m);

/* fwcfg_items.c */
int pc_fwcfg_build(struct pc_machine *m);

/* Logs which fw_cfg items the guest selected and how often. */
void pc_fwcfg_report(struct pc_machine *m);
void pc_fwcfg_destroy(struct pc_machine *m);
int pc_fwcfg_create(struct pc_machine *m);

/* linux_boot.c */
int pc_linux_prepare(struct pc_machine *m);
void pc_linux_free(struct pc_machine *m);

/* power.c */
void pc_sleep_request(void *opaque, unsigned int slp_typ);
void pc_rcr_request(void *opaque, uint8_t rcr);
void pc_reset_request(void *opaque);
void pc_a20_changed(void *opaque, bool enabled);
void pc_guest_reset(struct pc_machine *m, const char *how);

/* cpu.c */
int pc_cpus_build(struct pc_machine *m);
void pc_cpus_reset(struct pc_machine *m);
void pc_cpus_destroy(struct pc_machine *m);
int pc_cpu_sysreg(struct pc_machine *m, struct vm_vcpu *vc, struct vcpu_exit *exit);
bool pc_cpu_irq_pending(struct pc_machine *m, struct vm_vcpu *vc);
bool pc_cpu_start_requests(struct pc_machine *m, struct vm_vcpu *vc);
/* The LAPIC page: each vCPU reaches its own (bus region at 0xFEE00000). */
int pc_lapic_mmio_register(struct pc_machine *m);
void pc_ioapic_deliver(void *ctx, uint8_t destination, bool logical, uint8_t vector,
		       unsigned delivery, bool level_triggered);

#endif
