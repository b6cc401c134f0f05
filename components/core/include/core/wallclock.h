/* SPDX-License-Identifier: MIT */
/*
 * The host's wall clock: the machine's real-time clock read once
 * (arch_read_wall_clock()), then advanced by the monotonic arch_timer_ns().
 * A VM's real-time clock starts at it, as QEMU's default -rtc base=utc.
 */
#ifndef CORE_WALLCLOCK_H
#define CORE_WALLCLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Seconds since 1970 (UTC) now; false when the machine has no clock to read. */
bool wall_clock_now(uint64_t *seconds);

#endif
