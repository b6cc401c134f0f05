/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 "pc" machine: QEMU's i440FX board (hw/i386/pc_piix.c) as far
 * as SeaBIOS and Linux need it, on the PC board core (<pc/board.h>:
 * memory, LAPICs, 8259 + IOAPIC, fw_cfg items, Linux boot, power).
 *
 *   board (here)   PCI 00:00.0 i440FX host bridge (PAM -> the core's
 *                  memory), 00:01.0 PIIX3 (PIRQ routing, ELCR, 0xCF9),
 *                  00:01.3 PIIX4 PM (PM block, PM timer, SCI on IRQ 9);
 *                  the DSDT (components/acpi)
 *   table          the ISA devices below; a VM changes them with device
 *                  lines, instance irq n is ISA IRQ n
 *
 *   ports          0x40 8254 (IRQ 0), 0x70 CMOS/RTC (IRQ 8), 0x3F8 COM1
 *                  (IRQ 4, the VM's console), 0x60/0x64 i8042 (IRQ 1),
 *                  0x80 POST codes, 0x92 fast A20/reset, 0x510 fw_cfg,
 *                  0x402 the firmware's debug console (QEMU's
 *                  -debugcon, which SeaBIOS and OVMF probe for)
 *
 * PCI INTx: pin P of slot S reaches PIRQ (S + P - 2) mod 4, which the
 * PIIX3 routes to an ISA IRQ; PIRQA..D also reach IOAPIC pins 16..19
 * (active low), as on QEMU.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <acpi/acpi.h>
#include <bus/irq.h>
#include <core/log.h>
#include <core/mm.h>
#include <fwcfg/fwcfg.h>
#include <pci/i440fx.h>
#include <pci/intx.h>
#include <pci/pci.h>
#include <pci/piix.h>
#include <vm/machine.h>

#include <pc/board.h>

#define PC_PIRQ_GSI 16      /* PIRQA..D also reach IOAPIC pins 16..19 (as QEMU) */

struct pc_i440fx {
	struct pc_board board;       /* first: pc_of() */
	struct pci_host *pci;
	struct pci_i440fx *i440fx;
	struct pci_piix3 *piix3;
	struct pci_piix4_pm *pm;
	struct acpi_pc_config acpi;  /* what the tables in fw_cfg describe */
	uint8_t *ssdt_aml;           /* acpi.ssdt_body                      */
	struct pci_intx_line pirq[4]; /* PIRQA-D: the slot pins holding each */
};

static struct pc_i440fx *i440fx_of(struct pc_board *b)
{
	return (struct pc_i440fx *)b;
}

/* The board's ISA devices (QEMU pc: hw/i386/pc.c pc_basic_device_init). */
static const char *const pc_devices[] = {
	"i8254 name=pit irq=0",
	"rtc name=cmos irq=8",
	"uart16550 name=com1 port=0x3f8 irq=4",
	"i8042 name=kbd irq=1",
	"port80 name=post",
	"port92 name=port92",
	"fw-cfg-io name=fw-cfg",
	"debugcon name=debugcon port=0x402",
};

/*
 * PCI INTx (device instances: pin slot * 4 + INTA..INTD) through the
 * PIIX3's PIRQ routing, as QEMU's pc board swizzles them; a PIRQ is the
 * OR of the pins sharing it.
 */
static void pc_pci_intx(void *board, unsigned int slot_pin, bool level)
{
	struct pc_i440fx *m = i440fx_of(board);
	unsigned int pirq = pci_piix_slot_pirq(slot_pin / 4, slot_pin % 4 + 1);

	if (pci_intx_line_set(&m->pirq[pirq], slot_pin, level))
		pc_pci_irq(board, pci_piix3_pirq_route(m->piix3, pirq), PC_PIRQ_GSI + pirq,
			   pci_intx_line_level(&m->pirq[pirq]));
}

/* disk = ...: a virtio-blk-pci in the next free slot from 3 (QEMU's first free one). */
#define PC_DISK_SLOT 3

static int pc_disk_device(unsigned int n, const char *transport, char *line, size_t size)
{
	if (transport[0] && strcmp(transport, "pci") != 0) {
		snprintf(line, size, "the pc machine has transport=pci only, not '%s'", transport);
		return -EINVAL;
	}
	if (PC_DISK_SLOT + n > 31) {
		snprintf(line, size, "the pc machine has room for %u disks on its PCI bus",
			 32 - PC_DISK_SLOT);
		return -EINVAL;
	}
	snprintf(line, size, "virtio-blk-pci name=disk%u slot=%u", n, PC_DISK_SLOT + n);
	return 0;
}

static uint16_t pc_elcr(struct pc_board *b)
{
	return pci_piix3_elcr(i440fx_of(b)->piix3);
}

#define PC_DEVICES_AML_MAX (16u * 1024)

/*
 * The firmware picks the PM block's address: SeaBIOS 0x600 when it has a
 * loader script, OVMF 0xB000 (EDK2 OvmfPkg/Include/OvmfPlatforms.h
 * PIIX4_PMBA_VALUE).  As QEMU does (hw/i386/acpi-build.c builds the FADT
 * from the PIIX4's PMBA when the firmware selects the files), the tables
 * follow the base the PIIX4 decodes when the guest reads them.
 */
static void pc_acpi_select(void *opaque, const char *name)
{
	struct pc_i440fx *m = opaque;
	uint16_t pm_base = pci_piix4_pm_io_base(m->pm);

	(void)name;
	if (!pm_base || pm_base == m->acpi.pm_base)
		return;
	m->acpi.pm_base = pm_base;
	acpi_update(m->board.fwcfg, &m->acpi);
}

/*
 * The DSDT of components/acpi (PCI host, PIIX3 and its PIRQ links, PIIX4
 * PM), the FADT with the PIIX4 PM block, and an SSDT with the device
 * instances under the ISA bridge.
 */
static int pc_install_acpi(struct pc_board *b, struct fwcfg *fw)
{
	struct pc_i440fx *m = i440fx_of(b);
	static const char *const files[] = { ACPI_TABLES_FILE, ACPI_RSDP_FILE, ACPI_LOADER_FILE };
	long len;
	int ret;

	m->ssdt_aml = kmalloc(PC_DEVICES_AML_MAX);
	if (!m->ssdt_aml)
		return -ENOMEM;
	len = pc_board_devices_aml(b, "\\_SB.PCI0.ISA", m->ssdt_aml, PC_DEVICES_AML_MAX);
	if (len < 0) {
		log_error("VM %s: cannot describe its devices in ACPI (%ld)", b->vm->name, len);
		return (int)len;
	}
	acpi_pc_config_init(&m->acpi, b->vm->vcpu_count, (uint32_t)b->layout.below_4g);
	m->acpi.ssdt_body = m->ssdt_aml;
	m->acpi.ssdt_body_len = (uint32_t)len;
	ret = acpi_install(fw, &m->acpi);
	for (unsigned int i = 0; !ret && i < sizeof(files) / sizeof(files[0]); i++)
		ret = fwcfg_set_select_hook(fw, files[i], pc_acpi_select, m);
	return ret;
}

static void pc_chipset_reset(struct pc_board *b)
{
	struct pc_i440fx *m = i440fx_of(b);

	pci_host_reset(m->pci);
	for (unsigned int i = 0; i < 4; i++)
		pci_intx_line_reset(&m->pirq[i]);
}

static const struct pc_board_ops pc_ops = {
	.elcr = pc_elcr,
	.install_acpi = pc_install_acpi,
	.reset = pc_chipset_reset,
	.lowmem = PC_LOWMEM_RULE_PC,
};

/* 0xCF9: the PIIX3's reset control register. */
static void pc_rcr_request(void *opaque, uint8_t rcr)
{
	if (rcr & PCI_PIIX3_RCR_RST_CPU)
		pc_guest_reset(opaque, rcr & PCI_PIIX3_RCR_SYS_RST ? "port 0xCF9 (hard reset)"
								   : "port 0xCF9 (soft reset)");
}

static int pc_build(struct vm *vm)
{
	struct pc_i440fx *m = kzalloc(sizeof(*m));
	struct pc_board *b = &m->board;
	int ret;

	if (!m)
		return -ENOMEM;
	ret = pc_board_build(b, vm, &pc_ops);
	if (ret)
		return ret;
	m->pci = pci_host_create(vm->bus, "pci");
	if (!m->pci || pci_host_register_cf8(m->pci))
		return -ENOMEM;
	m->i440fx = pci_i440fx_create(m->pci, pc_pam_update, b);
	m->piix3 = pci_piix3_create(m->pci, pc_rcr_request, b);
	m->pm = pci_piix4_pm_create(m->pci, &vm->clock, pc_sleep_request, b);
	if (!m->i440fx || !m->piix3 || !m->pm)
		return -ENOMEM;
	/* PCI INTx is active low; the PIRQ pins have no override in the MADT. */
	for (unsigned int pirq = 0; pirq < 4; pirq++)
		ioapic_wire_inverted(b->ioapic, PC_PIRQ_GSI + pirq);
	irq_line_connect(pci_piix4_pm_sci(m->pm), pc_isa_irq_sink, b, PC_SCI_IRQ);
	/* PCI device instances: their INTx and MSIs. */
	pci_host_set_msi_handler(m->pci, pc_msi, b);
	vm->device_env.pci = m->pci;
	vm->device_env.pci_intx_sink = pc_pci_intx;
	vm->device_env.pci_intx_ctx = b;
	return 0;
}

static void pc_destroy(struct vm *vm)
{
	struct pc_i440fx *m = vm->machine_data;

	if (!m)
		return;
	if (m->pm)
		pci_piix4_pm_destroy(m->pm);
	if (m->piix3)
		pci_piix3_destroy(m->piix3);
	if (m->i440fx)
		pci_i440fx_destroy(m->i440fx);
	if (m->pci)
		pci_host_destroy(m->pci);
	if (m->board.vm)
		pc_board_destroy(&m->board);
	kfree(m->ssdt_aml);
	kfree(m);
	vm->machine_data = NULL;
}

MACHINE(pc_machine) = {
	.name = "pc",
	.arch = "x86_64",
	.description = "QEMU's pc board: i440FX, PIIX3 and PIIX4 PM, ISA devices, IOAPIC, LAPICs",
	.is_default = true,
	.has_ports = true,
	.ram_below_4g_max = PC_LOWMEM_MAX,
	.devices = pc_devices,
	.device_count = sizeof(pc_devices) / sizeof(pc_devices[0]),
	.console = "com1",
	.disk_device = pc_disk_device,
	.build = pc_build,
	.devices_ready = pc_board_devices_ready,
	.reset = pc_board_reset,
	.handle_exit = pc_board_handle_exit,
	.irq_pending = pc_board_irq_pending,
	.halt_is_final = pc_board_halt_is_final,
	.report = pc_board_report,
	.destroy = pc_destroy,
};
