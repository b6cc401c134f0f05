/* SPDX-License-Identifier: MIT */
/*
 * Ordered initialization registered by the components themselves.
 *
 * A component declares   INIT_CALL(my_init, INIT_DEVICE);
 * and core runs every registered function once, level by level, on the
 * boot CPU.  Within a level, entries run in link order, which follows the
 * component dependency order (a required component links first).  No
 * central list is edited: the descriptor lives in a linker section that
 * core iterates (see core/sections.ld).
 */
#ifndef CORE_INIT_H
#define CORE_INIT_H

/* Levels, lowest first.  Keep them single digits: the linker sorts names. */
#define INIT_EARLY    1 /* consoles, before the allocators exist          */
#define INIT_PLATFORM 2 /* memory, interrupt controllers, timers          */
#define INIT_CORE     3 /* generic services built on the platform          */
#define INIT_DEVICE   4 /* device-model registries, virtualization support */
#define INIT_LATE     5 /* everything that wants all of the above          */

struct init_entry {
	int (*fn)(void);     /* returns 0, or a negative errno (logged)   */
	const char *name;
	int level;
};

#define INIT_STR_(x) #x
#define INIT_STR(x) INIT_STR_(x)

#define INIT_CALL(fn, level)                                                  \
	static const struct init_entry init_entry_##fn                        \
		__attribute__((used, section(".init_entries." INIT_STR(level)), \
			       aligned(8))) = { fn, #fn, level }

/* The table the linker builds from the entries (core/sections.ld). */
extern const struct init_entry __init_entries_start[];
extern const struct init_entry __init_entries_end[];

/* Runs all entries of all levels; called once by kernel_main(). */
void init_run_all(void);

#endif
