/* SPDX-License-Identifier: MIT */
/*
 * The PCI Express capability (PCIe Base Specification 4.0, 7.5.3),
 * version 2 layout: offsets from the capability's start and the bits the
 * models use.  Names as in Linux's pci_regs.h.
 */
#ifndef PCI_PCIE_H
#define PCI_PCIE_H

#define PCI_EXP_CAP_SIZE_V2         0x3C

#define PCI_EXP_FLAGS               0x02    /* PCI Express Capabilities */
#define PCI_EXP_FLAGS_VERS          0x000F
#define PCI_EXP_FLAGS_TYPE          0x00F0
#define PCI_EXP_FLAGS_TYPE_SHIFT    4
#define PCI_EXP_FLAGS_SLOT          0x0100  /* Slot Implemented */
#define PCI_EXP_FLAGS_IRQ           0x3E00
#define PCI_EXP_TYPE_ENDPOINT       0x0
#define PCI_EXP_TYPE_ROOT_PORT      0x4
#define PCI_EXP_TYPE_UPSTREAM       0x5
#define PCI_EXP_TYPE_DOWNSTREAM     0x6

#define PCI_EXP_DEVCAP              0x04
#define PCI_EXP_DEVCAP_PAYLOAD      0x00000007
#define PCI_EXP_DEVCAP_RBER         0x00008000  /* Role-Based Error Reporting */
#define PCI_EXP_DEVCTL              0x08
#define PCI_EXP_DEVCTL_CERE         0x0001
#define PCI_EXP_DEVCTL_NFERE        0x0002
#define PCI_EXP_DEVCTL_FERE         0x0004
#define PCI_EXP_DEVCTL_URRE         0x0008
#define PCI_EXP_DEVCTL_RELAX_EN     0x0010
#define PCI_EXP_DEVCTL_PAYLOAD      0x00E0
#define PCI_EXP_DEVCTL_EXT_TAG      0x0100
#define PCI_EXP_DEVCTL_PHANTOM      0x0200
#define PCI_EXP_DEVCTL_AUX_PME      0x0400
#define PCI_EXP_DEVCTL_NOSNOOP_EN   0x0800
#define PCI_EXP_DEVCTL_READRQ       0x7000
#define PCI_EXP_DEVCTL_READRQ_512B  0x2000
#define PCI_EXP_DEVSTA              0x0A
#define PCI_EXP_DEVSTA_ERRORS       0x000F  /* CED, NFED, FED, URD: RW1C */

#define PCI_EXP_LNKCAP              0x0C
#define PCI_EXP_LNKCAP_SLS          0x0000000F
#define PCI_EXP_LNKCAP_SLS_2_5GB    0x00000001
#define PCI_EXP_LNKCAP_MLW          0x000003F0
#define PCI_EXP_LNKCAP_MLW_X1       0x00000010
#define PCI_EXP_LNKCAP_DLLLARC      0x00100000  /* DL Link Active Reporting Capable */
#define PCI_EXP_LNKCAP_PN_SHIFT     24
#define PCI_EXP_LNKCTL              0x10
#define PCI_EXP_LNKCTL_ASPMC        0x0003
#define PCI_EXP_LNKCTL_RCB          0x0008
#define PCI_EXP_LNKCTL_LD           0x0010
#define PCI_EXP_LNKCTL_RL           0x0020  /* retrain link: reads 0 */
#define PCI_EXP_LNKCTL_CCC          0x0040
#define PCI_EXP_LNKCTL_ES           0x0080
#define PCI_EXP_LNKSTA              0x12
#define PCI_EXP_LNKSTA_CLS_2_5GB    0x0001
#define PCI_EXP_LNKSTA_NLW_X1       0x0010
#define PCI_EXP_LNKSTA_DLLLA        0x2000  /* Data Link Layer Link Active */

#define PCI_EXP_SLTCAP              0x14
#define PCI_EXP_SLTCAP_ABP          0x00000001
#define PCI_EXP_SLTCAP_PCP          0x00000002
#define PCI_EXP_SLTCAP_MRLSP        0x00000004
#define PCI_EXP_SLTCAP_AIP          0x00000008
#define PCI_EXP_SLTCAP_PIP          0x00000010
#define PCI_EXP_SLTCAP_HPS          0x00000020  /* Hot-Plug Surprise */
#define PCI_EXP_SLTCAP_HPC          0x00000040  /* Hot-Plug Capable */
#define PCI_EXP_SLTCAP_PSN_SHIFT    19
#define PCI_EXP_SLTCAP_PSN          0xFFF80000
#define PCI_EXP_SLTCTL              0x18
#define PCI_EXP_SLTCTL_DLLSCE       0x1000
#define PCI_EXP_SLTSTA              0x1A
#define PCI_EXP_SLTSTA_W1C          0x011F
#define PCI_EXP_SLTSTA_PDS          0x0040  /* Presence Detect State */

#define PCI_EXP_RTCTL               0x1C
#define PCI_EXP_RTCTL_SECEE         0x0001
#define PCI_EXP_RTCTL_SENFEE        0x0002
#define PCI_EXP_RTCTL_SEFEE         0x0004
#define PCI_EXP_RTCTL_PMEIE         0x0008
#define PCI_EXP_RTCTL_CRSSVE        0x0010
#define PCI_EXP_RTCAP               0x1E
#define PCI_EXP_RTCAP_CRSVIS        0x0001
#define PCI_EXP_RTSTA               0x20
#define PCI_EXP_RTSTA_PME           0x00010000  /* RW1C */
#define PCI_EXP_RTSTA_PENDING       0x00020000

#define PCI_EXP_DEVCAP2             0x24
#define PCI_EXP_DEVCAP2_ARI         0x00000020
#define PCI_EXP_DEVCAP2_EFF         0x00100000  /* Extended Fmt Field Supported */
#define PCI_EXP_DEVCAP2_EETLPP      0x00200000  /* End-End TLP Prefix Supported */
#define PCI_EXP_DEVCTL2             0x28
#define PCI_EXP_DEVCTL2_EETLPPB     0x8000      /* End-End TLP Prefix Blocking */
#define PCI_EXP_DEVSTA2             0x2A
#define PCI_EXP_LNKCAP2             0x2C
#define PCI_EXP_LNKCAP2_SLS_2_5GB   0x00000002
#define PCI_EXP_LNKCTL2             0x30
#define PCI_EXP_LNKCTL2_TLS         0x000F
#define PCI_EXP_LNKCTL2_TLS_2_5GT   0x0001
#define PCI_EXP_LNKSTA2             0x32
#define PCI_EXP_SLTCAP2             0x34
#define PCI_EXP_SLTCTL2             0x38
#define PCI_EXP_SLTSTA2             0x3A

/* Extended configuration space starts here (PCIe functions only). */
#define PCI_CFG_SPACE_EXP_START     0x100

#endif
