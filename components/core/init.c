/* SPDX-License-Identifier: MIT */
#include <core/init.h>

#include <core/log.h>

void init_run_all(void)
{
	unsigned int failed = 0;

	for (const struct init_entry *e = __init_entries_start; e < __init_entries_end; e++) {
		int rc;

		log_debug("init: %s (level %d)", e->name, e->level);
		rc = e->fn();
		if (rc < 0) {
			log_error("init: %s failed: %d", e->name, rc);
			failed++;
		}
	}
	if (failed)
		log_warn("init: %u of %u init calls failed", failed,
			 (unsigned int)(__init_entries_end - __init_entries_start));
}
