/* SPDX-License-Identifier: MIT */
/*
 * The Q35 MCH host bridge (8086:29C0) at 00:00.0, as QEMU's "q35"
 * machine presents it to SeaBIOS and OVMF:
 *
 *  - PCIEXBAR (0x60, 64 bits, reached as the dwords 0x60 and 0x64):
 *    bit 0 enables the ECAM window, bits 2:1 its length (0: 256 buses,
 *    256 MiB; 1: 128 buses, 128 MiB; 2: 64 buses, 64 MiB; 3 is reserved
 *    and leaves ECAM off), bits 35:26 the base, aligned to the length
 *    (base bits below it are ignored, but read back as written).  The
 *    MCH owns the host's ECAM window: it moves it with
 *    pci_host_map_ecam() on every change and removes it at reset
 *    (PCIEXBAR resets to 0, disabled).  A base where another region
 *    lives is reported and leaves ECAM off until the guest rewrites it.
 *  - PAM0..PAM6 (0x90..0x96): as the i440FX's (<pci/pam.h>).
 *  - SMRAM (0x9D, reset 0x02) and ESMRAMC (0x9E, reset 0x38): the
 *    writable bits are stored, but there is no SMRAM: 0xA0000..0xBFFFF
 *    stays the VGA window and no TSEG is carved out of RAM whatever the
 *    guest writes.  Register 0x50 (QEMU's extended TSEG size) reads 0,
 *    GGC (0x52) reads 0 (no integrated graphics).
 *  - TOLUD (0xB0, 16 bits, read-only): bits 15:4 are address bits 31:20
 *    of the top of RAM below 4 GiB.
 */
#ifndef PCI_Q35_H
#define PCI_Q35_H

#include <stdint.h>
#include <pci/pam.h>
#include <pci/pci.h>

#define PCI_Q35_MCH_DEVICE_ID 0x29C0
#define PCI_Q35_MCH_EXT_TSEG_MBYTES 0x50
#define PCI_Q35_MCH_GGC 0x52
#define PCI_Q35_MCH_PCIEXBAR 0x60
#define PCI_Q35_MCH_PCIEXBAR_EN 0x1ull
#define PCI_Q35_MCH_PCIEXBAR_LENGTH_SHIFT 1
#define PCI_Q35_MCH_PCIEXBAR_LENGTH_256M 0
#define PCI_Q35_MCH_PCIEXBAR_LENGTH_128M 1
#define PCI_Q35_MCH_PCIEXBAR_LENGTH_64M 2
#define PCI_Q35_MCH_PCIEXBAR_ADDR_MASK 0xFFC000000ull   /* bits 35:26 */
#define PCI_Q35_MCH_PAM0 0x90
#define PCI_Q35_MCH_SMRAM 0x9D
#define PCI_Q35_MCH_SMRAM_DEFAULT 0x02
#define PCI_Q35_MCH_ESMRAMC 0x9E
#define PCI_Q35_MCH_ESMRAMC_DEFAULT 0x38
#define PCI_Q35_MCH_TOLUD 0xB0

struct pci_q35_mch;

/*
 * Creates the bridge and attaches it at 00:00.0.  ram_below_4g is the
 * top of RAM below 4 GiB that TOLUD reports (rounded down to 1 MiB; it
 * must be below 4 GiB, as the PCI hole requires).  pam_update as for
 * pci_i440fx_create().  Any ECAM window the host had is removed
 * (PCIEXBAR starts disabled).  NULL on failure.
 */
struct pci_q35_mch *pci_q35_mch_create(struct pci_host *host, uint64_t ram_below_4g,
				       pci_pam_update_fn pam_update, void *opaque);
/* Detaches the bridge and removes the ECAM window. */
void pci_q35_mch_destroy(struct pci_q35_mch *mch);
struct pci_function *pci_q35_mch_function(struct pci_q35_mch *mch);
/* The mode of the piece holding addr (0xC0000..0xFFFFF), PCI elsewhere. */
enum pci_pam_mode pci_q35_mch_pam_mode(const struct pci_q35_mch *mch, uint32_t addr);
/* Where ECAM decodes now and how many buses (0: no window). */
uint64_t pci_q35_mch_ecam_base(const struct pci_q35_mch *mch);
unsigned pci_q35_mch_ecam_buses(const struct pci_q35_mch *mch);

#endif
