/* SPDX-License-Identifier: MIT */
/* The host's wall clock, read once (see <core/wallclock.h>). */
#include <core/wallclock.h>

#include <core/arch.h>
#include <core/log.h>
#include <core/spinlock.h>
#include <lib/civil_time.h>

static spinlock_t wall_lock = SPINLOCK_INIT;
static bool wall_read, wall_known;
static uint64_t wall_seconds, wall_ns;      /* the clock, and arch_timer_ns() then */

bool wall_clock_now(uint64_t *seconds)
{
	char text[24];

	spin_lock(&wall_lock);
	if (!wall_read) {
		wall_read = true;
		wall_known = arch_read_wall_clock(&wall_seconds) == 0;
		wall_ns = arch_timer_ns();
		if (wall_known) {
			civil_format(wall_seconds, text, sizeof(text));
			log_debug("wall clock: %s UTC (the machine's real-time clock)", text);
		}
	}
	if (wall_known)
		*seconds = wall_seconds + (arch_timer_ns() - wall_ns) / 1000000000ULL;
	spin_unlock(&wall_lock);
	return wall_known;
}
