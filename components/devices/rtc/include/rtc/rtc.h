/* SPDX-License-Identifier: MIT */
/*
 * MC146818 real-time clock and CMOS RAM of the PC (ports 0x70/0x71, IRQ 8).
 *
 * The clock counts from a wall-clock time given at creation (seconds since
 * 1970-01-01 UTC, e.g. the host's RTC) plus the VM's struct vclock.  All of
 * the chip's timing follows that clock: the seconds update, the 244 us
 * update-in-progress window before it, the periodic rate of register A,
 * and the alarm.  Interrupts go out on an irq_line; the VM connects it to
 * IRQ 8 of its interrupt controller.  Reading register C clears the flags
 * and lowers the line.
 *
 * The index port keeps bit 7 as the NMI mask (rtc_nmi_masked()); bits 6:0
 * select one of 128 bytes: 0x00-0x0D are the clock, 0x0E-0x7F CMOS RAM,
 * except 0x32, which is the clock's century.  Years 2000-2099 are
 * represented; the year register holds the last two digits.
 */
#ifndef RTC_RTC_H
#define RTC_RTC_H

#include <stdbool.h>
#include <stdint.h>

struct bus;
struct vclock;
struct irq_line;

#define RTC_PORT_INDEX 0x70
#define RTC_PORT_DATA  0x71
#define RTC_ISA_IRQ    8
#define RTC_CMOS_SIZE  128

/* Index values (bits 6:0 of port 0x70). */
#define RTC_SECONDS        0x00
#define RTC_SECONDS_ALARM  0x01
#define RTC_MINUTES        0x02
#define RTC_MINUTES_ALARM  0x03
#define RTC_HOURS          0x04
#define RTC_HOURS_ALARM    0x05
#define RTC_DAY_OF_WEEK    0x06   /* 1 = Sunday                        */
#define RTC_DAY_OF_MONTH   0x07
#define RTC_MONTH          0x08
#define RTC_YEAR           0x09
#define RTC_REG_A          0x0A
#define RTC_REG_B          0x0B
#define RTC_REG_C          0x0C
#define RTC_REG_D          0x0D
#define RTC_CENTURY        0x32

#define RTC_INDEX_NMI_MASK 0x80   /* on port 0x70                      */

#define RTC_A_UIP          0x80   /* update in progress (read-only)    */
#define RTC_A_DV_MASK      0x70   /* divider: 010 = 32.768 kHz running */
#define RTC_A_DV_NORMAL    0x20
#define RTC_A_RS_MASK      0x0F   /* periodic rate select, 0 = off     */

#define RTC_B_SET          0x80   /* stop updates while setting        */
#define RTC_B_PIE          0x40
#define RTC_B_AIE          0x20
#define RTC_B_UIE          0x10
#define RTC_B_SQWE         0x08
#define RTC_B_DM_BINARY    0x04   /* 0 = BCD                           */
#define RTC_B_24H          0x02   /* 0 = 12-hour, bit 7 of hours = PM  */
#define RTC_B_DSE          0x01   /* stored only                       */

#define RTC_C_IRQF         0x80
#define RTC_C_PF           0x40
#define RTC_C_AF           0x20
#define RTC_C_UF           0x10

#define RTC_D_VRT          0x80

#define RTC_ALARM_DONT_CARE 0xC0  /* alarm byte with bits 7:6 set      */

/* Boot device nibbles of CMOS 0x3D/0x38, as SeaBIOS reads them. */
enum rtc_boot_device {
	RTC_BOOT_NONE = 0,
	RTC_BOOT_FLOPPY = 1,
	RTC_BOOT_DISK = 2,
	RTC_BOOT_CDROM = 3,
	RTC_BOOT_NETWORK = 4,
};

/* What the firmware learns about the VM from CMOS (see rtc_cmos_fill()). */
struct rtc_cmos_config {
	uint64_t ram_below_4g;           /* bytes of RAM starting at 0    */
	uint64_t ram_above_4g;           /* bytes of RAM starting at 4 GiB */
	unsigned cpu_count;              /* 0 is treated as 1             */
	enum rtc_boot_device boot_order[3];
	bool floppy_signature_check;     /* false sets 0x38 bit 0 (skip)  */
};

struct rtc;

/*
 * Creates the device at ports 0x70/0x71 with registers A = 0x26,
 * B = 0x02 (BCD, 24-hour), D = VRT, and the clock at unix_seconds (clamped
 * to 2000-01-01 .. 2099-12-31).  NULL if out of memory or the ports are
 * taken (reported).
 */
struct rtc *rtc_create(struct bus *bus, struct vclock *clock, uint64_t unix_seconds);
/* Unregisters the ports, cancels the timer and frees the device. */
void rtc_destroy(struct rtc *rtc);

/*
 * The RESET pin of a VM reset: clears PIE, AIE, UIE, SQWE and all flags
 * of C and lowers the line.  Time, alarms and CMOS RAM are kept.
 */
void rtc_reset(struct rtc *rtc);

/* The interrupt output (IRQ 8); connect it with irq_line_connect(). */
struct irq_line *rtc_irq_line(struct rtc *rtc);
/* Bit 7 of the last index write: the guest asked for NMIs to be masked. */
bool rtc_nmi_masked(const struct rtc *rtc);
/* The time the guest would read, in seconds since 1970-01-01 UTC. */
uint64_t rtc_unix_time(const struct rtc *rtc);

/* Raw CMOS RAM bytes 0x0E-0x7F for the VM builder; other offsets: 0xFF / ignored. */
uint8_t rtc_cmos_get(const struct rtc *rtc, unsigned offset);
void rtc_cmos_set(struct rtc *rtc, unsigned offset, uint8_t value);

/*
 * Fills the CMOS bytes firmware reads to size the VM, the way QEMU's PC
 * board does: base memory 640 KiB (0x15/0x16), extended memory in KiB above
 * 1 MiB (0x17/0x18 and 0x30/0x31, at most 0xFFFF), RAM between 16 MiB and
 * 4 GiB in 64 KiB units (0x34/0x35), RAM above 4 GiB in 64 KiB units
 * (0x5B-0x5D), CPU count - 1 (0x5F), no floppy (0x10), equipment (0x14:
 * FPU, PS/2 mouse), boot order (0x3D, 0x38) and shutdown status 0 (0x0F).
 */
void rtc_cmos_fill(struct rtc *rtc, const struct rtc_cmos_config *cfg);

#endif
