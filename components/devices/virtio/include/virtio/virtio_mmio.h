/* SPDX-License-Identifier: MIT */
/*
 * virtio-mmio transport, register layout version 2 (virtio 1.2, 4.2).
 *
 * A 0x200-byte window; QEMU's virt board has 32 of them from 0x0A000000,
 * 0x200 apart, on SPIs 16 upwards (the machine places them).  Registers
 * below 0x100 are 32 bits wide and must be accessed with aligned 32-bit
 * reads and writes (other widths are reported and read 0); the device
 * configuration from 0x100 accepts 8-, 16- and 32-bit accesses (64-bit
 * ones are split in two).
 *
 *   0x000 MagicValue          R   0x74726976 ("virt")
 *   0x004 Version             R   2
 *   0x008 DeviceID            R   device type; 0 for an empty slot
 *   0x00c VendorID            R   0x554D4551 ("QEMU"), as QEMU's boards
 *   0x010 DeviceFeatures      R   32 bits selected by DeviceFeaturesSel
 *   0x014 DeviceFeaturesSel   W
 *   0x020 DriverFeatures      W   32 bits selected by DriverFeaturesSel
 *   0x024 DriverFeaturesSel   W
 *   0x030 QueueSel            W
 *   0x034 QueueNumMax         R   0: no such queue
 *   0x038 QueueNum            W
 *   0x044 QueueReady          RW
 *   0x050 QueueNotify         W   queue index
 *   0x060 InterruptStatus     R   bit 0 used buffers, bit 1 config change
 *   0x064 InterruptACK        W
 *   0x070 Status              RW  0 resets the device
 *   0x080/0x084 QueueDesc       W  low/high 32 bits
 *   0x090/0x094 QueueDriver     W  (available ring)
 *   0x0a0/0x0a4 QueueDevice     W  (used ring)
 *   0x0ac SHMSel              W   no shared memory: lengths and bases
 *   0x0b0..0x0bc SHMLen/Base  R   read all-ones
 *   0x0c0 QueueReset          RW  0 (VIRTIO_F_RING_RESET not offered)
 *   0x0fc ConfigGeneration    R
 *   0x100 Config              RW  the device type's configuration
 *
 * The interrupt line is high while InterruptStatus is not 0 (a level;
 * QEMU's device tree calls it edge-triggered, which a GIC input wired to
 * a level line also satisfies).  A slot without a device answers
 * MagicValue, Version and DeviceID 0 and ignores everything else, so a
 * machine may describe all 32 slots.
 */
#ifndef VIRTIO_VIRTIO_MMIO_H
#define VIRTIO_VIRTIO_MMIO_H

#include <stdint.h>
#include <bus/bus.h>
#include <bus/irq.h>
#include <virtio/virtio.h>

#define VIRTIO_MMIO_SIZE               0x200
#define VIRTIO_MMIO_VIRT_BASE          0x0A000000ull  /* QEMU virt, slot 0     */
#define VIRTIO_MMIO_VIRT_SPI           16             /* slot n: SPI 16 + n    */
#define VIRTIO_MMIO_VIRT_SLOTS         32

#define VIRTIO_MMIO_MAGIC_VALUE        0x000
#define VIRTIO_MMIO_VERSION            0x004
#define VIRTIO_MMIO_DEVICE_ID          0x008
#define VIRTIO_MMIO_VENDOR_ID          0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES    0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES    0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL          0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX      0x034
#define VIRTIO_MMIO_QUEUE_NUM          0x038
#define VIRTIO_MMIO_LEGACY_GUEST_PAGE_SIZE 0x028  /* version 1 only */
#define VIRTIO_MMIO_LEGACY_QUEUE_ALIGN 0x03c      /* version 1 only */
#define VIRTIO_MMIO_LEGACY_QUEUE_PFN   0x040      /* version 1 only */
#define VIRTIO_MMIO_QUEUE_READY        0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY       0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS   0x060
#define VIRTIO_MMIO_INTERRUPT_ACK      0x064
#define VIRTIO_MMIO_STATUS             0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW     0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH    0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW   0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH  0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW   0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH  0x0a4
#define VIRTIO_MMIO_SHM_SEL            0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW        0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH       0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW       0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH      0x0bc
#define VIRTIO_MMIO_QUEUE_RESET        0x0c0
#define VIRTIO_MMIO_CONFIG_GENERATION  0x0fc
#define VIRTIO_MMIO_CONFIG             0x100

#define VIRTIO_MMIO_MAGIC              0x74726976u
#define VIRTIO_MMIO_VENDOR             0x554D4551u
#define VIRTIO_MMIO_INT_VRING          0x1
#define VIRTIO_MMIO_INT_CONFIG         0x2

struct virtio_mmio;

/*
 * A transport at base on bus for vdev (NULL: an empty slot).  The device
 * is reset.  NULL when out of memory, when the window is taken (the bus
 * reports which device has it) or vdev has a transport already.
 */
struct virtio_mmio *virtio_mmio_create(struct bus *bus, uint64_t base, struct virtio_device *vdev);
/* The interrupt output; the machine connects it (SPI 16 + slot on virt). */
struct irq_line *virtio_mmio_irq(struct virtio_mmio *mmio);
/* Machine reset: the device and the transport back to power-on state. */
void virtio_mmio_reset(struct virtio_mmio *mmio);
/* Removes the window; the device stays with its owner. */
void virtio_mmio_destroy(struct virtio_mmio *mmio);

#endif
