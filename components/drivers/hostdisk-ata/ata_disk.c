/* SPDX-License-Identifier: MIT */
/*
 * Host disk driver: the ATA disk on the PC's legacy primary IDE channel
 * (Bochs' ata0-master, QEMU's first IDE disk on the pc machine).
 *
 * Written from the ATA/ATAPI-8 command set (ACS, T13/1699-D) and the
 * ATA/ATAPI-6 register description of the legacy "task file":
 *
 *   0x1F0  data (16 bits)            0x1F5  LBA high
 *   0x1F1  error / features          0x1F6  device: 0x40 LBA, bit 4 drive
 *   0x1F2  sector count              0x1F7  status / command
 *   0x1F3  LBA low                   0x3F6  alternate status / device
 *   0x1F4  LBA mid                          control (bit 1 nIEN)
 *
 * LBA48 commands take two bytes in each of count and LBA registers, the
 * high byte written first ("previous" then "current" contents).  PIO
 * data moves one 512-byte sector per DRQ: the driver waits for BSY clear
 * and DRQ set, then reads or writes 256 words.
 *
 *   IDENTIFY DEVICE        0xEC   word 83 bit 10: LBA48; words 100-103:
 *                                 sectors (LBA48), 60-61 (LBA28)
 *   READ SECTORS EXT       0x24
 *   WRITE SECTORS EXT      0x34
 *   FLUSH CACHE EXT        0xEA   completes when the write cache is on
 *                                 the medium
 *
 * The channel's interrupt is masked (nIEN): hostdisk calls transfer() and
 * flush() from its worker, which polls.  One command at a time, so no
 * lock is needed here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <core/arch.h>
#include <core/init.h>
#include <core/log.h>
#include <hostdisk/hostdisk.h>
#include <x86_64/cpu.h>

#define ATA_DATA     0x1F0
#define ATA_ERROR    0x1F1
#define ATA_COUNT    0x1F2
#define ATA_LBA_LO   0x1F3
#define ATA_LBA_MID  0x1F4
#define ATA_LBA_HI   0x1F5
#define ATA_DEVICE   0x1F6
#define ATA_STATUS   0x1F7
#define ATA_COMMAND  0x1F7
#define ATA_CONTROL  0x3F6

#define ST_ERR  0x01
#define ST_DRQ  0x08
#define ST_DF   0x20
#define ST_BSY  0x80

#define CMD_READ_EXT   0x24
#define CMD_WRITE_EXT  0x34
#define CMD_FLUSH_EXT  0xEA
#define CMD_IDENTIFY   0xEC

#define CTRL_NIEN 0x02
#define DEV_LBA   0x40

#define TIMEOUT_NS (30ULL * 1000000000ULL)
#define MAX_SECTORS 256u            /* per command: a count of 0 would be 65536 */

static struct hostdisk ata;
static uint16_t sector_buf[256];

/* One sector through the data port. */
static void pio_in(uint16_t *p)
{
	unsigned long words = 256;

	__asm__ volatile("rep insw" : "+D"(p), "+c"(words) : "d"(ATA_DATA) : "memory");
}

static void pio_out(const uint16_t *p)
{
	unsigned long words = 256;

	__asm__ volatile("rep outsw" : "+S"(p), "+c"(words) : "d"(ATA_DATA) : "memory");
}

/* 400 ns for the status to be valid after a command or device select. */
static void settle(void)
{
	for (int i = 0; i < 4; i++)
		(void)inb(ATA_CONTROL);
}

/* Waits for BSY clear and, if drq, for DRQ set; -EIO on ERR/DF or timeout. */
static int wait_ready(bool drq, const char *what)
{
	uint64_t start = arch_timer_ns();
	uint8_t st;

	for (;;) {
		st = inb(ATA_STATUS);
		if (st == 0xFF)
			return -ENODEV;     /* nothing drives the bus */
		if (!(st & ST_BSY)) {
			if (st & (ST_ERR | ST_DF)) {
				log_error("hostdisk: %s: %s failed (status 0x%x, error 0x%x)", ata.name,
					  what, st, inb(ATA_ERROR));
				return -EIO;
			}
			if (!drq || (st & ST_DRQ))
				return 0;
		}
		if (arch_timer_ns() - start > TIMEOUT_NS) {
			log_error("hostdisk: %s: %s: no answer within 30 s (status 0x%x)", ata.name,
				  what, st);
			return -EIO;
		}
		arch_cpu_relax();
	}
}

static void command_lba48(uint8_t cmd, uint64_t lba, unsigned int count)
{
	outb(ATA_DEVICE, DEV_LBA);                        /* master, LBA */
	settle();
	outb(ATA_COUNT, (uint8_t)(count >> 8));
	outb(ATA_LBA_LO, (uint8_t)(lba >> 24));
	outb(ATA_LBA_MID, (uint8_t)(lba >> 32));
	outb(ATA_LBA_HI, (uint8_t)(lba >> 40));
	outb(ATA_COUNT, (uint8_t)count);
	outb(ATA_LBA_LO, (uint8_t)lba);
	outb(ATA_LBA_MID, (uint8_t)(lba >> 8));
	outb(ATA_LBA_HI, (uint8_t)(lba >> 16));
	outb(ATA_COMMAND, cmd);
	settle();
}

/* Walks the pieces a sector at a time (pieces need not be sector-sized). */
struct cursor {
	const struct blockdev_iov *iov;
	unsigned int count, index;
	size_t offset;
};

static void move_sector(struct cursor *c, bool to_buf)
{
	uint8_t *buf = (uint8_t *)sector_buf;
	size_t done = 0;

	while (done < 512 && c->index < c->count) {
		size_t left = c->iov[c->index].len - c->offset;
		size_t n = left < 512 - done ? left : 512 - done;
		uint8_t *piece = (uint8_t *)c->iov[c->index].base + c->offset;

		if (to_buf)
			memcpy(buf + done, piece, n);
		else
			memcpy(piece, buf + done, n);
		done += n;
		c->offset += n;
		if (c->offset == c->iov[c->index].len) {
			c->index++;
			c->offset = 0;
		}
	}
}

static int ata_transfer(struct hostdisk *hd, bool write, uint64_t sector,
			const struct blockdev_iov *iov, unsigned int count)
{
	struct cursor c = { iov, count, 0, 0 };
	uint64_t bytes = 0;
	unsigned int sectors;
	int ret;

	(void)hd;
	for (unsigned int i = 0; i < count; i++)
		bytes += iov[i].len;
	sectors = (unsigned int)(bytes / 512);
	while (sectors) {
		unsigned int n = sectors < MAX_SECTORS ? sectors : MAX_SECTORS;

		ret = wait_ready(false, "select");
		if (ret)
			return -EIO;
		command_lba48(write ? CMD_WRITE_EXT : CMD_READ_EXT, sector, n);
		for (unsigned int s = 0; s < n; s++) {
			ret = wait_ready(true, write ? "WRITE SECTORS EXT" : "READ SECTORS EXT");
			if (ret)
				return -EIO;
			if (write) {
				move_sector(&c, true);
				pio_out(sector_buf);
			} else {
				pio_in(sector_buf);
				move_sector(&c, false);
			}
		}
		/* After the last sector of a write the drive is busy until it has the data. */
		ret = wait_ready(false, write ? "WRITE SECTORS EXT" : "READ SECTORS EXT");
		if (ret)
			return -EIO;
		sector += n;
		sectors -= n;
	}
	return 0;
}

static int ata_flush(struct hostdisk *hd)
{
	(void)hd;
	if (wait_ready(false, "select"))
		return -EIO;
	outb(ATA_DEVICE, DEV_LBA);
	settle();
	outb(ATA_COMMAND, CMD_FLUSH_EXT);
	settle();
	return wait_ready(false, "FLUSH CACHE EXT") ? -EIO : 0;
}

static const struct hostdisk_ops ata_ops = { ata_transfer, ata_flush };

static int ata_disk_init(void)
{
	uint8_t st;
	uint64_t sectors;

	snprintf(ata.name, sizeof(ata.name), "ata0-master");
	outb(ATA_CONTROL, CTRL_NIEN);
	outb(ATA_DEVICE, 0xA0);                           /* master */
	settle();
	st = inb(ATA_STATUS);
	if (st == 0xFF || st == 0x00)
		return 0;                                 /* no device */
	if (wait_ready(false, "select"))
		return 0;
	outb(ATA_COUNT, 0);
	outb(ATA_LBA_LO, 0);
	outb(ATA_LBA_MID, 0);
	outb(ATA_LBA_HI, 0);
	outb(ATA_COMMAND, CMD_IDENTIFY);
	settle();
	st = inb(ATA_STATUS);
	if (st == 0)
		return 0;
	/* A packet device (the CD-ROM) aborts IDENTIFY DEVICE with its signature. */
	if (inb(ATA_LBA_MID) == 0x14 && inb(ATA_LBA_HI) == 0xEB)
		return 0;
	if (wait_ready(true, "IDENTIFY DEVICE"))
		return 0;
	pio_in(sector_buf);
	if (!(sector_buf[83] & (1u << 10))) {
		log_warn("hostdisk: %s: the disk has no 48-bit LBA; not used", ata.name);
		return 0;
	}
	sectors = (uint64_t)sector_buf[100] | (uint64_t)sector_buf[101] << 16 |
		  (uint64_t)sector_buf[102] << 32 | (uint64_t)sector_buf[103] << 48;
	ata.sectors = sectors;
	ata.max_segments = 32;
	ata.max_sectors = 2048;
	ata.ops = &ata_ops;
	log_info("hostdisk: %s: ATA disk, PIO with 48-bit LBA, %llu sectors", ata.name,
		 (unsigned long long)sectors);
	return hostdisk_register(&ata);
}
INIT_CALL(ata_disk_init, INIT_LATE);
