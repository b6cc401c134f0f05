/* SPDX-License-Identifier: MIT */
/*
 * Q35 MCH host bridge: identity for the firmware, PCIEXBAR (where the
 * ECAM window is), PAM, the SMRAM registers (stored only: there is no
 * SMRAM) and TOLUD.
 */
#include <errno.h>
#include <core/log.h>
#include <core/mm.h>
#include <pci/q35.h>
#include "chipset.h"
#include "internal.h"

#define INTEL_VENDOR 0x8086
#define MCH_REVISION 0x00                         /* as QEMU */
#define PCIEXBAR_LOW_WRITABLE 0xFC000007u         /* base 31:26, length, enable */
#define PCIEXBAR_HIGH_WRITABLE 0x0000000Fu        /* base 35:32 */
#define PCIEXBAR_LENGTH_RESERVED 3
#define SMRAM_WRITABLE 0x78                       /* D_OPEN, D_CLS, D_LCK, G_SMRAME */
#define ESMRAMC_WRITABLE 0x87                     /* H_SMRAME, TSEG_SZ, T_EN */
#define TOLUD_UNIT_SHIFT 20                       /* 1 MiB */
#define FOUR_GIB 0x100000000ull

struct pci_q35_mch {
	struct pci_function fn;
	struct pci_host *host;
	struct pci_pam pam;
	uint16_t tolud;
	bool reserved_length_reported;
};

static uint64_t mch_pciexbar(const struct pci_q35_mch *mch)
{
	return (uint64_t)pci_config_get32(&mch->fn, PCI_Q35_MCH_PCIEXBAR + 4) << 32 |
	       pci_config_get32(&mch->fn, PCI_Q35_MCH_PCIEXBAR);
}

/* Moves (or removes) the host's ECAM window where PCIEXBAR says. */
static void mch_update_ecam(struct pci_q35_mch *mch)
{
	struct pci_host *host = mch->host;
	uint64_t bar = mch_pciexbar(mch);
	unsigned length = (unsigned)(bar >> PCI_Q35_MCH_PCIEXBAR_LENGTH_SHIFT) & 3;
	unsigned buses = 0;
	uint64_t base = 0;

	if (bar & PCI_Q35_MCH_PCIEXBAR_EN) {
		if (length == PCIEXBAR_LENGTH_RESERVED) {
			if (!mch->reserved_length_reported)
				log_warn("q35-mch: PCIEXBAR %#llx has the reserved length 3; "
					 "ECAM off\n", (unsigned long long)bar);
			mch->reserved_length_reported = true;
		} else {
			buses = 256u >> length;
			uint64_t size = (uint64_t)buses * PCI_ECAM_BUS_SIZE;
			base = bar & PCI_Q35_MCH_PCIEXBAR_ADDR_MASK & ~(size - 1);
		}
	}
	if (buses && host->ecam_buses == buses && host->ecam_base == base)
		return;
	pci_host_map_ecam(host, 0, 0);
	if (!buses)
		return;
	uint64_t size = (uint64_t)buses * PCI_ECAM_BUS_SIZE;
	const struct bus_region *clash = bus_find_overlap(host->bus, BUS_SPACE_MMIO, base, size);
	if (clash) {
		pci_host_warn(host, "q35-mch: PCIEXBAR puts ECAM at %#llx (%u buses) over %s at "
			      "%#llx; ECAM off\n", (unsigned long long)base, buses, clash->name,
			      (unsigned long long)clash->base);
		return;
	}
	int err = pci_host_map_ecam(host, base, buses);
	if (err)
		pci_host_warn(host, "q35-mch: cannot place ECAM at %#llx (%d); ECAM off\n",
			      (unsigned long long)base, err);
}

static void mch_config_write(struct pci_function *fn, unsigned offset, unsigned width,
			     uint32_t value)
{
	struct pci_q35_mch *mch = fn->opaque;
	(void)value;
	pci_pam_config_write(&mch->pam, offset, width);
	if (chipset_range_overlaps(offset, width, PCI_Q35_MCH_PCIEXBAR, 8))
		mch_update_ecam(mch);
}

/* Registers with their power-on values; PAM is left to the caller. */
static void mch_set_defaults(struct pci_q35_mch *mch)
{
	struct pci_function *fn = &mch->fn;
	pci_config_set32(fn, PCI_Q35_MCH_PCIEXBAR, 0);
	pci_config_set32(fn, PCI_Q35_MCH_PCIEXBAR + 4, 0);
	pci_config_set8(fn, PCI_Q35_MCH_SMRAM, PCI_Q35_MCH_SMRAM_DEFAULT);
	pci_config_set8(fn, PCI_Q35_MCH_ESMRAMC, PCI_Q35_MCH_ESMRAMC_DEFAULT);
	pci_config_set16(fn, PCI_Q35_MCH_TOLUD, mch->tolud);
}

static void mch_reset(struct pci_function *fn)
{
	struct pci_q35_mch *mch = fn->opaque;
	mch_set_defaults(mch);
	pci_pam_reset(&mch->pam);
	mch_update_ecam(mch);
}

static const struct pci_function_ops mch_ops = {
	.config_write = mch_config_write,
	.reset = mch_reset,
};

static const struct pci_function_info mch_info = {
	.name = "q35-mch",
	.vendor_id = INTEL_VENDOR,
	.device_id = PCI_Q35_MCH_DEVICE_ID,
	.class_code = 0x060000,
	.revision = MCH_REVISION,
	.ops = &mch_ops,
};

struct pci_q35_mch *pci_q35_mch_create(struct pci_host *host, uint64_t ram_below_4g,
				       pci_pam_update_fn pam_update, void *opaque)
{
	if (!host || ram_below_4g >= FOUR_GIB)
		return NULL;
	struct pci_q35_mch *mch = kzalloc(sizeof(*mch));
	if (!mch)
		return NULL;
	mch->host = host;
	/* Bits 15:4 hold address bits 31:20. */
	mch->tolud = (uint16_t)((ram_below_4g >> TOLUD_UNIT_SHIFT) << 4);
	if (pci_function_init(&mch->fn, &mch_info, mch)) {
		kfree(mch);
		return NULL;
	}
	struct pci_function *fn = &mch->fn;
	pci_pam_init(&mch->pam, fn, PCI_Q35_MCH_PAM0, pam_update, opaque);
	pci_config_set_wmask(fn, PCI_Q35_MCH_PCIEXBAR, 4, PCIEXBAR_LOW_WRITABLE);
	pci_config_set_wmask(fn, PCI_Q35_MCH_PCIEXBAR + 4, 4, PCIEXBAR_HIGH_WRITABLE);
	pci_config_set_wmask(fn, PCI_Q35_MCH_SMRAM, 1, SMRAM_WRITABLE);
	pci_config_set_wmask(fn, PCI_Q35_MCH_ESMRAMC, 1, ESMRAMC_WRITABLE);
	mch_set_defaults(mch);
	if (pci_host_attach(host, 0, 0, fn)) {
		pci_function_release(fn);
		kfree(mch);
		return NULL;
	}
	mch_update_ecam(mch);
	return mch;
}

void pci_q35_mch_destroy(struct pci_q35_mch *mch)
{
	if (!mch)
		return;
	pci_host_map_ecam(mch->host, 0, 0);
	pci_host_detach(mch->host, &mch->fn);
	pci_function_release(&mch->fn);
	kfree(mch);
}

struct pci_function *pci_q35_mch_function(struct pci_q35_mch *mch)
{
	return &mch->fn;
}

enum pci_pam_mode pci_q35_mch_pam_mode(const struct pci_q35_mch *mch, uint32_t addr)
{
	return pci_pam_mode(&mch->pam, addr);
}

uint64_t pci_q35_mch_ecam_base(const struct pci_q35_mch *mch)
{
	return mch->host->ecam_buses ? mch->host->ecam_base : 0;
}

unsigned pci_q35_mch_ecam_buses(const struct pci_q35_mch *mch)
{
	return mch->host->ecam_buses;
}
