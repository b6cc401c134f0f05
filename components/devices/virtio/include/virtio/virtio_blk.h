/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk (virtio 1.2, 5.2): a disk for the guest on one request queue
 * of 256 entries, backed by a struct blockdev.
 *
 * Features offered: SEG_MAX (254), BLK_SIZE (the backend's), FLUSH, RO
 * when the backend is read-only, DISCARD and WRITE_ZEROES when it can
 * (one segment per request, up to 0x3FFFFF sectors), plus
 * INDIRECT_DESC, EVENT_IDX and VERSION_1.  Configuration (little-endian,
 * 60 bytes): capacity in 512-byte sectors at 0, seg_max at 12, blk_size
 * at 20, the discard and write-zeroes limits at 36..56; everything else 0
 * (no geometry, topology, writeback switch or multiqueue).
 *
 * A request is a chain: a 16-byte header {le32 type, le32 reserved,
 * le64 sector} in device-readable buffers, data, and a status byte, the
 * last device-writable byte.  How the device answers:
 *
 *   IN (0)      data = the writable bytes before the status; read
 *   OUT (1)     data = the readable bytes after the header; written
 *   FLUSH (4)   the backend flushes (5, FLUSH_OUT, too for legacy drivers)
 *   GET_ID (8)  the serial, NUL-padded to 20 bytes, into the data bytes
 *   DISCARD (11), WRITE_ZEROES (13)  one {le64 sector, le32 num_sectors,
 *               le32 flags} segment in the readable bytes after the header
 *   other       VIRTIO_BLK_S_UNSUPP
 *
 *   status VIRTIO_BLK_S_IOERR: data length not a multiple of 512, sectors
 *     beyond the capacity (or a sector number that overflows), a write,
 *     discard or write-zeroes to a read-only disk (nothing is written),
 *     IN data in device-readable buffers or OUT data in device-writable
 *     ones, a buffer outside RAM, too many sectors, a malformed segment
 *     list, a backend error;
 *   status VIRTIO_BLK_S_UNSUPP: unknown type, more than one segment, the
 *     unmap flag on a discard, reserved flag bits, DISCARD/WRITE_ZEROES
 *     on a backend that cannot;
 *   no header (fewer than 16 readable bytes), no writable status byte,
 *     or a header/status outside RAM: the device enters NEEDS_RESET, as
 *     there is no way to answer the request.
 * The used length is the bytes written: IN data + 1 on success, the ID
 * bytes + 1 for GET_ID, otherwise 1 (the status byte).
 *
 * Requests go to the backend as host memory (each buffer checked with
 * guest_mem_ptr), so an asynchronous backend can complete later; at most
 * queue-size requests are in flight.  A reset with requests in flight
 * lets them finish but never reports them to the guest.
 */
#ifndef VIRTIO_VIRTIO_BLK_H
#define VIRTIO_VIRTIO_BLK_H

#include <stdint.h>
#include <blockdev/blockdev.h>
#include <bus/guest_mem.h>
#include <virtio/virtio.h>

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX      1
#define VIRTIO_BLK_F_SEG_MAX       2
#define VIRTIO_BLK_F_GEOMETRY      4
#define VIRTIO_BLK_F_RO            5
#define VIRTIO_BLK_F_BLK_SIZE      6
#define VIRTIO_BLK_F_FLUSH         9
#define VIRTIO_BLK_F_TOPOLOGY      10
#define VIRTIO_BLK_F_CONFIG_WCE    11
#define VIRTIO_BLK_F_MQ            12
#define VIRTIO_BLK_F_DISCARD       13
#define VIRTIO_BLK_F_WRITE_ZEROES  14

/* Configuration layout (5.2.4). */
#define VIRTIO_BLK_CFG_CAPACITY                 0
#define VIRTIO_BLK_CFG_SIZE_MAX                 8
#define VIRTIO_BLK_CFG_SEG_MAX                  12
#define VIRTIO_BLK_CFG_GEOMETRY                 16
#define VIRTIO_BLK_CFG_BLK_SIZE                 20
#define VIRTIO_BLK_CFG_TOPOLOGY                 24
#define VIRTIO_BLK_CFG_WRITEBACK                32
#define VIRTIO_BLK_CFG_NUM_QUEUES               34
#define VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS      36
#define VIRTIO_BLK_CFG_MAX_DISCARD_SEG          40
#define VIRTIO_BLK_CFG_DISCARD_SECTOR_ALIGNMENT 44
#define VIRTIO_BLK_CFG_MAX_WRITE_ZEROES_SECTORS 48
#define VIRTIO_BLK_CFG_MAX_WRITE_ZEROES_SEG     52
#define VIRTIO_BLK_CFG_WRITE_ZEROES_MAY_UNMAP   56
#define VIRTIO_BLK_CONFIG_SIZE                  60

/* Requests (5.2.6). */
#define VIRTIO_BLK_T_IN            0
#define VIRTIO_BLK_T_OUT           1
#define VIRTIO_BLK_T_FLUSH         4
#define VIRTIO_BLK_T_FLUSH_OUT     5    /* legacy synonym of FLUSH */
#define VIRTIO_BLK_T_GET_ID        8
#define VIRTIO_BLK_T_GET_LIFETIME  10
#define VIRTIO_BLK_T_DISCARD       11
#define VIRTIO_BLK_T_WRITE_ZEROES  13
#define VIRTIO_BLK_T_SECURE_ERASE  14
#define VIRTIO_BLK_HEADER_SIZE     16
#define VIRTIO_BLK_SEGMENT_SIZE    16
#define VIRTIO_BLK_SEG_FLAG_UNMAP  1
#define VIRTIO_BLK_ID_BYTES        20

#define VIRTIO_BLK_S_OK            0
#define VIRTIO_BLK_S_IOERR         1
#define VIRTIO_BLK_S_UNSUPP        2

#define VIRTIO_BLK_QUEUE_SIZE      256
#define VIRTIO_BLK_SEG_MAX         (VIRTIO_BLK_QUEUE_SIZE - 2)   /* + header, status */
#define VIRTIO_BLK_MAX_DISCARD_SECTORS 0x3FFFFFu

/* PCI: mass storage, SCSI (what QEMU's virtio-blk-pci reports). */
#define VIRTIO_BLK_PCI_CLASS       0x010000

struct virtio_blk;

/*
 * A virtio-blk device for disk, reaching guest memory through mem;
 * serial (up to 20 bytes, may be NULL) answers GET_ID.  Attach a
 * transport to its virtio_blk_device().  NULL on bad arguments or when
 * out of memory.
 */
struct virtio_blk *virtio_blk_create(const char *name, const struct guest_mem *mem,
				     struct blockdev *disk, const char *serial);
struct virtio_device *virtio_blk_device(struct virtio_blk *blk);
/* The backend's size changed: new capacity, configuration change notification. */
void virtio_blk_update_capacity(struct virtio_blk *blk);
/* Requests the backend has not completed yet (wait for 0 before destroy). */
unsigned virtio_blk_inflight(const struct virtio_blk *blk);
/* Frees the device (destroy its transport first); the disk stays. */
void virtio_blk_destroy(struct virtio_blk *blk);

#endif
