/* SPDX-License-Identifier: MIT */
/*
 * fw_cfg: QEMU's firmware configuration device, the channel through which
 * SeaBIOS, OVMF and AAVMF learn the memory map, CPU count, ACPI tables,
 * boot order and kernel.  Other components publish items before the guest
 * starts; the guest reads them through one of two register interfaces:
 *
 *   x86 ports      0x510  selector (16-bit write), 1-byte reads are data
 *                  0x511  data (1-byte reads)
 *                  0x514  DMA address high half (32-bit, big-endian)
 *                  0x518  DMA address low half, writing it starts DMA
 *   MMIO (+base)   0x00   data, 1/2/4/8-byte reads in memory order
 *                  0x08   selector (16-bit, big-endian)
 *                  0x10   DMA address (64-bit big-endian, or two 32-bit
 *                         halves; writing +0x14 or the 64-bit register
 *                         starts DMA)
 *
 * Items are either numbered (keys below 0x20, and 0x8000.. for
 * architecture keys) or named files, which get keys 0x20.. in name order
 * and are listed in the file directory (key 0x19).
 */
#ifndef FWCFG_FWCFG_H
#define FWCFG_FWCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bus;
struct guest_mem;
struct vclock;
struct fwcfg;

/* Fixed keys the device provides itself or that callers commonly set. */
#define FWCFG_SIGNATURE      0x0000
#define FWCFG_ID             0x0001
#define FWCFG_UUID           0x0002
#define FWCFG_RAM_SIZE       0x0003
#define FWCFG_NOGRAPHIC      0x0004
#define FWCFG_NB_CPUS        0x0005
#define FWCFG_KERNEL_ADDR    0x0007
#define FWCFG_KERNEL_SIZE    0x0008
#define FWCFG_INITRD_ADDR    0x000A
#define FWCFG_INITRD_SIZE    0x000B
#define FWCFG_KERNEL_ENTRY   0x0010
#define FWCFG_BOOT_MENU      0x000E
#define FWCFG_MAX_CPUS       0x000F
#define FWCFG_KERNEL_DATA    0x0011
#define FWCFG_INITRD_DATA    0x0012
#define FWCFG_CMDLINE_ADDR   0x0013
#define FWCFG_CMDLINE_SIZE   0x0014
#define FWCFG_CMDLINE_DATA   0x0015
#define FWCFG_SETUP_ADDR     0x0016
#define FWCFG_SETUP_SIZE     0x0017
#define FWCFG_SETUP_DATA     0x0018
#define FWCFG_FILE_DIR       0x0019
#define FWCFG_FILE_FIRST     0x0020
#define FWCFG_ARCH_LOCAL     0x8000
#define FWCFG_IRQ0_OVERRIDE  0x8002   /* x86 */

/* ID bits (key 0x0001). */
#define FWCFG_ID_TRADITIONAL (1u << 0)
#define FWCFG_ID_DMA         (1u << 1)

/* DMA control bits (descriptor word 0, big-endian in guest memory). */
#define FWCFG_DMA_CTL_ERROR  (1u << 0)
#define FWCFG_DMA_CTL_READ   (1u << 1)
#define FWCFG_DMA_CTL_SKIP   (1u << 2)
#define FWCFG_DMA_CTL_SELECT (1u << 3)
#define FWCFG_DMA_CTL_WRITE  (1u << 4)

/* What reading the DMA register returns: "QEMU CFG" in big-endian. */
#define FWCFG_DMA_SIGNATURE  0x51454D5520434647ULL

#define FWCFG_PIO_BASE       0x510
#define FWCFG_MMIO_SIZE      0x18
#define FWCFG_MAX_FILES      128
#define FWCFG_FILE_NAME_MAX  55       /* characters, without the NUL */

/*
 * Called after a DMA WRITE into a writable file: data points at the item's
 * own copy at offset, len bytes long (already updated).
 */
typedef void (*fwcfg_write_fn)(void *opaque, uint32_t offset, const uint8_t *data,
			       uint32_t len);

/*
 * A device with the signature, ID and an empty file directory.  dma_mem is
 * the guest memory DMA may touch; NULL builds a device without DMA (the ID
 * has no DMA bit and no DMA register is registered).  clock is the VM's:
 * a long DMA transfer goes on in steps from a timer on it (required with
 * dma_mem).  NULL when out of memory or without a clock for DMA.
 */
struct fwcfg *fwcfg_create(struct guest_mem *dma_mem, struct vclock *clock);
void fwcfg_destroy(struct fwcfg *fw);

/* Register interfaces; both may be attached to the same device, each once;
 * fwcfg_destroy() removes them from their bus. */
int fwcfg_attach_pio(struct fwcfg *fw, struct bus *bus, uint16_t base);
int fwcfg_attach_mmio(struct fwcfg *fw, struct bus *bus, uint64_t base);

/*
 * A numbered item (data is copied; an existing item is replaced).  Keys
 * 0x02..0x1F except 0x19, and 0x8000..0x801F.  -EINVAL for other keys
 * (the signature, ID and directory belong to the device), -ENOMEM.
 */
int fwcfg_add_item(struct fwcfg *fw, uint16_t key, const void *data, size_t len);
/* Little-endian numbers, as the firmware reads them. */
int fwcfg_add_item_u16(struct fwcfg *fw, uint16_t key, uint16_t value);
int fwcfg_add_item_u32(struct fwcfg *fw, uint16_t key, uint32_t value);
int fwcfg_add_item_u64(struct fwcfg *fw, uint16_t key, uint64_t value);

/*
 * A named file (data is copied).  -EEXIST for a duplicate name, -EINVAL
 * for an empty name or one longer than FWCFG_FILE_NAME_MAX, or data over
 * 4 GiB, -ENOSPC when FWCFG_MAX_FILES are present, -ENOMEM.  Keys are
 * reassigned in name order on every addition, so add files before the
 * guest starts.
 */
int fwcfg_add_file(struct fwcfg *fw, const char *name, const void *data, size_t len);
/*
 * A file the guest may write by DMA (within its size only); on_write (may
 * be NULL) is told about every successful write.
 */
int fwcfg_add_file_writable(struct fwcfg *fw, const char *name, const void *data, size_t len,
			    fwcfg_write_fn on_write, void *opaque);
/*
 * Called when the guest selects a file (through the selector register or
 * a DMA SELECT), before it reads a byte: the owner may bring the contents
 * up to date with fwcfg_update_file(), the way QEMU builds its ACPI tables
 * when the firmware first asks for them (hw/i386/acpi-build.c
 * acpi_build_update).
 */
typedef void (*fwcfg_select_fn)(void *opaque, const char *name);
/* -ENOENT when there is no such file. */
int fwcfg_set_select_hook(struct fwcfg *fw, const char *name, fwcfg_select_fn fn, void *opaque);
/*
 * Replaces the bytes of a file with as many new ones (its size, which the
 * directory states, cannot change).  -ENOENT, or -EINVAL for another size.
 */
int fwcfg_update_file(struct fwcfg *fw, const char *name, const void *data, size_t len);
/* The device's copy of a file and its size, or NULL. */
const uint8_t *fwcfg_file_data(const struct fwcfg *fw, const char *name, uint32_t *len);
/* The key a file currently has, or -ENOENT. */
int fwcfg_file_key(const struct fwcfg *fw, const char *name);

/* How often the guest selected key (port/MMIO selector or a DMA SELECT),
 * counted since the device was made; and the file a key names, or NULL. */
uint32_t fwcfg_selections(const struct fwcfg *fw, uint16_t key);
const char *fwcfg_file_name(const struct fwcfg *fw, uint16_t key);
/*
 * Logs (info) every key the guest selected and how often, "VM <vm_name>:"
 * first: the numbered keys by QEMU's names, files by name, arch-local
 * keys by arch_names[index] (may be NULL).  What a firmware read, at a
 * glance: machines call it at power-off and reset.
 */
void fwcfg_log_selections(const struct fwcfg *fw, const char *vm_name,
			  const char *const *arch_names, unsigned int arch_count);

/* System reset: selects key 0, clears the DMA address, drops a transfer in progress. */
void fwcfg_reset(struct fwcfg *fw);

/*
 * A DMA transfer is in progress (its control word still has its bits; the
 * next step comes from a timer on the clock), and how many steps every
 * transfer so far took in all.
 */
bool fwcfg_dma_busy(const struct fwcfg *fw);
uint64_t fwcfg_dma_steps(const struct fwcfg *fw);

#endif
