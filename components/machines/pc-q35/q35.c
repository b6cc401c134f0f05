/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 "q35" machine: QEMU's Q35 board (hw/i386/pc_q35.c) as far as
 * SeaBIOS, OVMF and Linux need it, on the PC board core (<pc/board.h>:
 * memory, LAPICs, 8259 + IOAPIC, fw_cfg items, Linux boot, power).
 *
 *   board (here)   PCI 00:00.0 MCH host bridge (PAM -> the core's memory;
 *                  PCIEXBAR -> the ECAM window the firmware places),
 *                  00:1F.0 ICH9 LPC (PM block, PM timer, GPE0, SCI, PIRQ
 *                  A..H, ELCR, RCBA, 0xCF9); the q35 DSDT and MCFG
 *                  (components/acpi)
 *   table          the same ISA devices as the pc machine
 *   disks          disk = n: a PCI Express root port 1B36:000C at slot
 *                  2 + n (rp<n>) with a modern-only virtio-blk-pci
 *                  (1AF4:1042) at 00.0 behind it, as libvirt lays a Q35
 *                  guest out
 *
 * PCI INTx of the root bus: pin P (0 = INTA) of slot S < 25 reaches PIRQ
 * E + ((S + P) mod 4), slots 25..29 and 31 reach PIRQ A + P (the ICH9's
 * own functions), slot 30 PIRQ E + P; a function behind a root port is swizzled onto the port's
 * pins first (<pci/bridge.h>).  The ICH9 routes PIRQ n to an ISA IRQ of
 * the 8259 and PIRQ A..H also reach IOAPIC pins 16..23, active low, as
 * on QEMU.  The DSDT's _PRT says the same.  MSI and MSI-X go to the
 * LAPICs (pc_msi).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <acpi/acpi.h>
#include <bus/irq.h>
#include <core/log.h>
#include <core/mm.h>
#include <fwcfg/fwcfg.h>
#include <pci/ich9.h>
#include <pci/intx.h>
#include <pci/pci.h>
#include <pci/pc_chipset.h>
#include <pci/q35.h>
#include <vm/machine.h>

#include <pc/board.h>

#define Q35_PIRQS       8
#define Q35_PIRQ_GSI    16      /* PIRQ A..H also reach IOAPIC pins 16..23 */
#define Q35_PIRQ_E      4
#define Q35_CHIPSET_SLOT 25     /* slots 25..31: the ICH9's functions       */
#define Q35_DMI_BRIDGE_SLOT 30  /* its PCI bridge: INTA..D -> PIRQ E..H       */
#define Q35_DISK_SLOT   2       /* disk n: root port rp<n> at slot 2 + n     */
#define Q35_LAST_PORT_SLOT 24

struct pc_q35 {
	struct pc_board board;       /* first: pc_of() */
	struct pci_host *pci;
	struct pci_q35_mch *mch;
	struct pci_ich9_lpc *lpc;
	struct acpi_pc_config acpi;  /* what the tables in fw_cfg describe */
	uint8_t *ssdt_aml;
	/* Which slot pins (slot * 4 + pin) hold each PIRQ: a PIRQ is shared. */
	struct pci_intx_line pirq[Q35_PIRQS];   /* the pins holding each PIRQ */
	unsigned int sci_irq;        /* where the SCI went last             */
	bool acpi_reported;
};

static struct pc_q35 *q35_of(void *b)
{
	return b;
}

/* The board's ISA devices: those of QEMU's pc board, which q35 shares. */
static const char *const q35_devices[] = {
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
 * The PIRQ (0 = A .. 7 = H) that pin (0 = INTA) of a root-bus slot
 * reaches: the ICH9's defaults (QEMU hw/isa/lpc_ich9.c; the DSDT's _PRT).
 */
static unsigned int q35_slot_pirq(unsigned int slot, unsigned int pin)
{
	if (slot < Q35_CHIPSET_SLOT || slot == Q35_DMI_BRIDGE_SLOT)
		return Q35_PIRQ_E + ((slot < Q35_CHIPSET_SLOT ? slot + pin : pin) & 3);
	return pin & 3;
}

/*
 * PCI INTx of the root bus (instance pins slot * 4 + INTA..INTD, and the
 * root ports' outputs): every PIRQ is an OR of the pins sharing it.
 */
static void q35_pci_intx(void *board, unsigned int slot_pin, bool level)
{
	struct pc_q35 *m = q35_of(board);
	unsigned int pirq = q35_slot_pirq(slot_pin / 4, slot_pin % 4);

	if (pci_intx_line_set(&m->pirq[pirq], slot_pin, level))
		pc_pci_irq(&m->board, pci_ich9_lpc_pirq_route(m->lpc, pirq), Q35_PIRQ_GSI + pirq,
			   pci_intx_line_level(&m->pirq[pirq]));
}

/* The SCI goes where ACPI_CNTL's SCI_IRQ_SEL says: IRQ 9..11 or GSI 20..23. */
static void q35_sci_sink(void *board, unsigned int pin, bool level)
{
	struct pc_q35 *m = q35_of(board);
	int irq = pci_ich9_lpc_sci_irq(m->lpc);

	(void)pin;
	if (irq < 0)
		return;
	if (!level && (unsigned int)irq != m->sci_irq) {
		/* Moved while high: lower it where it was raised. */
		if (m->sci_irq < PC_ISA_IRQS)
			pc_isa_irq_sink(&m->board, m->sci_irq, false);
		else
			pc_pci_irq(&m->board, -1, m->sci_irq, false);
	}
	m->sci_irq = (unsigned int)irq;
	if (irq < PC_ISA_IRQS)
		pc_isa_irq_sink(&m->board, (unsigned int)irq, level);
	else
		pc_pci_irq(&m->board, -1, (unsigned int)irq, level);
}

/*
 * disk = ...: a PCI Express root port in slot 2 + n with a modern-only
 * virtio-blk-pci behind it (QEMU's disable-legacy=auto behind a port).
 */
static int q35_disk_device(unsigned int n, const char *transport, char *line, size_t size)
{
	unsigned int slot = Q35_DISK_SLOT + n;

	if (transport[0] && strcmp(transport, "pci") != 0) {
		snprintf(line, size, "the q35 machine has transport=pci only, not '%s'", transport);
		return -EINVAL;
	}
	if (slot > Q35_LAST_PORT_SLOT) {
		snprintf(line, size, "the q35 machine has room for %u disks behind its root ports",
			 Q35_LAST_PORT_SLOT - Q35_DISK_SLOT + 1);
		return -EINVAL;
	}
	snprintf(line, size,
		 "pcie-root-port name=rp%u slot=%u chassis=%u\n"
		 "virtio-blk-pci name=disk%u bus=rp%u",
		 n, slot, n + 1, n, n);
	return 0;
}

static uint16_t q35_elcr(struct pc_board *b)
{
	return pci_ich9_lpc_elcr(q35_of(b)->lpc);
}

#define Q35_DEVICES_AML_MAX (16u * 1024)

/*
 * The firmware places the PM block (ICH9 PMBASE: 0x600 from both SeaBIOS
 * and OVMF) and ECAM (PCIEXBAR: SeaBIOS 0xB0000000; OVMF its PCD, which
 * current builds choose at boot: 0xB0000000 for a small VM);
 * as QEMU builds its tables when the firmware selects them
 * (hw/i386/acpi-build.c), the FADT, MCFG and the DSDT's PCI window
 * follow what the chipset decodes when the guest reads the files.
 */
static void q35_acpi_select(void *opaque, const char *name)
{
	struct pc_q35 *m = opaque;
	uint16_t pm_base = pci_ich9_lpc_pm_base(m->lpc);
	uint64_t ecam = pci_q35_mch_ecam_base(m->mch);
	unsigned int buses = pci_q35_mch_ecam_buses(m->mch);

	(void)name;
	if (acpi_q35_update(m->board.fwcfg, &m->acpi, pm_base ? pm_base : m->acpi.pm_base, ecam,
			    (uint16_t)buses) && !m->acpi_reported) {
		m->acpi_reported = true;
		log_warn("VM %s: the ACPI tables cannot describe ECAM at 0x%llx (%u buses): the "
			 "guest finds the previous window in its MCFG", m->board.vm->name,
			 (unsigned long long)ecam, buses);
	}
}

/* The q35 DSDT (MCH, ICH9 LPC and its PIRQ links, _PRT, _OSC), FADT with
 * the ICH9 PM block, MCFG, and an SSDT with the device instances. */
static int q35_install_acpi(struct pc_board *b, struct fwcfg *fw)
{
	struct pc_q35 *m = q35_of(b);
	static const char *const files[] = { ACPI_TABLES_FILE, ACPI_RSDP_FILE, ACPI_LOADER_FILE };
	long len;
	int ret;

	m->ssdt_aml = kmalloc(Q35_DEVICES_AML_MAX);
	if (!m->ssdt_aml)
		return -ENOMEM;
	len = pc_board_devices_aml(b, "\\_SB.PCI0.LPC", m->ssdt_aml, Q35_DEVICES_AML_MAX);
	if (len < 0) {
		log_error("VM %s: cannot describe its devices in ACPI (%ld)", b->vm->name, len);
		return (int)len;
	}
	acpi_q35_config_init(&m->acpi, b->vm->vcpu_count, (uint32_t)b->layout.below_4g);
	m->acpi.ssdt_body = m->ssdt_aml;
	m->acpi.ssdt_body_len = (uint32_t)len;
	ret = acpi_install(fw, &m->acpi);
	for (unsigned int i = 0; !ret && i < sizeof(files) / sizeof(files[0]); i++)
		ret = fwcfg_set_select_hook(fw, files[i], q35_acpi_select, m);
	return ret;
}

static void q35_chipset_reset(struct pc_board *b)
{
	struct pc_q35 *m = q35_of(b);

	pci_host_reset(m->pci);
	for (unsigned int i = 0; i < Q35_PIRQS; i++)
		pci_intx_line_reset(&m->pirq[i]);
}

static const struct pc_board_ops q35_ops = {
	.elcr = q35_elcr,
	.install_acpi = q35_install_acpi,
	.reset = q35_chipset_reset,
	.lowmem = PC_LOWMEM_RULE_Q35,
};

/* 0xCF9: the ICH9's reset control register (same bits as the PIIX3's). */
static void q35_rcr_request(void *opaque, uint8_t rcr)
{
	if (rcr & PCI_RCR_RST_CPU)
		pc_guest_reset(opaque, rcr & PCI_RCR_SYS_RST ? "port 0xCF9 (hard reset)"
								   : "port 0xCF9 (soft reset)");
}

static int q35_build(struct vm *vm)
{
	struct pc_q35 *m = kzalloc(sizeof(*m));
	struct pc_board *b = &m->board;
	int ret;

	if (!m)
		return -ENOMEM;
	ret = pc_board_build(b, vm, &q35_ops);
	if (ret)
		return ret;
	m->pci = pci_host_create(vm->bus, "pcie");
	if (!m->pci || pci_host_register_cf8(m->pci))
		return -ENOMEM;
	m->mch = pci_q35_mch_create(m->pci, b->layout.below_4g, pc_pam_update, b);
	m->lpc = pci_ich9_lpc_create(m->pci, &vm->clock, q35_rcr_request, pc_sleep_request, b);
	if (!m->mch || !m->lpc)
		return -ENOMEM;
	/* PCI INTx is active low; the PIRQ pins have no override in the MADT. */
	for (unsigned int pirq = 0; pirq < Q35_PIRQS; pirq++)
		ioapic_wire_inverted(b->ioapic, Q35_PIRQ_GSI + pirq);
	m->sci_irq = PC_SCI_IRQ;
	irq_line_connect(pci_ich9_lpc_sci(m->lpc), q35_sci_sink, m, 0);
	pci_host_set_msi_handler(m->pci, pc_msi, b);
	vm->device_env.pci = m->pci;
	vm->device_env.pci_intx_sink = q35_pci_intx;
	vm->device_env.pci_intx_ctx = m;
	return 0;
}

static void q35_destroy(struct vm *vm)
{
	struct pc_q35 *m = vm->machine_data;

	if (!m)
		return;
	if (m->lpc)
		pci_ich9_lpc_destroy(m->lpc);
	if (m->mch)
		pci_q35_mch_destroy(m->mch);
	if (m->pci)
		pci_host_destroy(m->pci);
	if (m->board.vm)
		pc_board_destroy(&m->board);
	kfree(m->ssdt_aml);
	kfree(m);
	vm->machine_data = NULL;
}

MACHINE(q35_machine) = {
	.name = "q35",
	.arch = "x86_64",
	.description = "QEMU's q35 board: MCH with PCIEXBAR, ICH9 LPC, PCI Express root ports, "
		       "ISA devices, IOAPIC, LAPICs",
	.has_ports = true,
	.ram_below_4g_max = PC_Q35_LOWMEM_MAX,
	.devices = q35_devices,
	.device_count = sizeof(q35_devices) / sizeof(q35_devices[0]),
	.console = "com1",
	.disk_device = q35_disk_device,
	.build = q35_build,
	.devices_ready = pc_board_devices_ready,
	.reset = pc_board_reset,
	.handle_exit = pc_board_handle_exit,
	.irq_pending = pc_board_irq_pending,
	.halt_is_final = pc_board_halt_is_final,
	.report = pc_board_report,
	.destroy = q35_destroy,
};
