/* SPDX-License-Identifier: MIT */
/*
 * EPT tables (the walker pgtable.c with the format of arch/x86_64/ept.c)
 * built on the host: exact entries as the Intel SDM defines them (vol. 3,
 * "EPT Translation Mechanism": R/W/X in bits 2:0, memory type in 5:3,
 * ignore PAT bit 6, page size bit 7), 2 MiB and 1 GiB pages only when the
 * CPU has them, splits without a flush, the refused access combinations,
 * and the local invalidation model on a fake machine of several CPUs:
 * CPUs enter and leave the guest, an unmap on one CPU defers the emptied
 * table pages and kicks the CPUs in the guest, and a page is freed only
 * when every CPU in the guest has invalidated since it was unlinked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <host/support.h>

#include "arch/x86_64/ept.c"
#include "gspace.c"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)
#define KiB (1ULL << 10)

/* EPT levels as the SDM names them: the walker's 3..0. */
#define PML4 3
#define PDPT 2
#define PD   1
#define PT   0

/* RAM RWX leaf bits: R W X, write-back (6 << 3), ignore PAT. */
#define RAM_RWX 0x77ULL
#define LARGE   0x80ULL

/* ---- the fake machine: CPUs, INVEPT, kicks, page frees ---- */

#define FAKE_CPUS 3
static bool has_2m = true, has_1g = true;
static unsigned int current_cpu;             /* the CPU the test "runs" on */
static bool in_guest[FAKE_CPUS];             /* the test's own view       */
static bool invalidated_since_unmap[FAKE_CPUS];
static unsigned int invalidations[FAKE_CPUS];
static unsigned int kicks[FAKE_CPUS];
static unsigned int pages_freed, order_violations;

bool vmx_caps_init(void)
{
	return true;
}

bool vmx_ept_has_2m(void)
{
	return has_2m;
}

bool vmx_ept_has_1g(void)
{
	return has_1g;
}

/* INVEPT single-context: done on the calling CPU when it returns. */
void vmx_invept_gspace(struct gspace *gs)
{
	(void)gs;
	invalidations[current_cpu]++;
	invalidated_since_unmap[current_cpu] = true;
}

void vmx_kick_cpu(unsigned int cpu)
{
	assert_true(cpu < FAKE_CPUS);
	kicks[cpu]++;
}

/* A freed page must not be walkable: every CPU in the guest invalidated. */
static void record_page_free(void *addr, size_t pages)
{
	(void)addr;
	(void)pages;
	pages_freed++;
	for (unsigned int c = 0; c < FAKE_CPUS; c++)
		if (in_guest[c] && !invalidated_since_unmap[c])
			order_violations++;
}

static void enter(struct gspace *gs, unsigned int cpu)
{
	current_cpu = cpu;
	in_guest[cpu] = true;
	pgtable_cpu_enter(&gs->pt, cpu);
}

static void leave(struct gspace *gs, unsigned int cpu)
{
	pgtable_cpu_leave(&gs->pt, cpu);
	in_guest[cpu] = false;
}

static void unmap_on(struct gspace *gs, unsigned int cpu, uint64_t gpa, uint64_t size)
{
	current_cpu = cpu;
	for (unsigned int c = 0; c < FAKE_CPUS; c++)
		invalidated_since_unmap[c] = false;
	assert_int_equal(gspace_unmap(gs, gpa, size), 0);
}

static int reset(void **state)
{
	(void)state;
	has_2m = has_1g = true;
	current_cpu = 0;
	for (unsigned int c = 0; c < FAKE_CPUS; c++) {
		in_guest[c] = invalidated_since_unmap[c] = false;
		invalidations[c] = kicks[c] = 0;
	}
	pages_freed = order_violations = 0;
	host_set_page_free_hook(record_page_free);
	return 0;
}

static int unhook(void **state)
{
	(void)state;
	host_set_page_free_hook(NULL);
	return 0;
}

static uint64_t entry_at(const struct gspace *gs, uint64_t gpa, unsigned int level)
{
	return pgtable_entry_at(&gs->pt, gpa, level);
}

/* ---- the format ---- */

static void test_exact_entries(void **state)
{
	(void)state;
	size_t pages_before = host_pages_in_use();
	struct gspace *gs = gspace_create();
	uint64_t hpa;
	unsigned int access;
	enum gspace_memtype type;

	assert_non_null(gs);
	assert_int_equal(gspace_limit(gs), 1ULL << 48);
	/* EPTP: the PML4, write-back walks, 4 levels. */
	assert_int_equal(ept_pointer(gs), (uint64_t)(uintptr_t)gs->pt.root | 0x1e);
	assert_int_equal(gspace_map(gs, 0x40000000, 0x80000000, 2 * MiB, GSPACE_RWX,
				    GSPACE_MEM_NORMAL), 0);
	/* Tables allow everything (bits 2:0); a 2 MiB page has bit 7. */
	assert_int_equal(entry_at(gs, 0x40000000, PML4) & ~EPT_ADDR_MASK, 0x7);
	assert_int_equal(entry_at(gs, 0x40000000, PDPT) & ~EPT_ADDR_MASK, 0x7);
	assert_int_equal(entry_at(gs, 0x40000000, PD), 0x80000000ULL | RAM_RWX | LARGE);
	assert_int_equal(gspace_table_pages(gs), 3);
	/* A 1 GiB page, read + execute. */
	assert_int_equal(gspace_map(gs, 4 * GiB, 8 * GiB, 1 * GiB, GSPACE_READ | GSPACE_EXEC,
				    GSPACE_MEM_NORMAL), 0);
	assert_int_equal(entry_at(gs, 4 * GiB, PDPT), 8 * GiB | 0x75ULL | LARGE);
	/* A device page: read + write, uncacheable (type 0), ignore PAT, no bit 7. */
	assert_int_equal(gspace_map(gs, 0xfee00000, 0xfee00000, 4 * KiB,
				    GSPACE_READ | GSPACE_WRITE, GSPACE_MEM_DEVICE), 0);
	assert_int_equal(entry_at(gs, 0xfee00000, PT), 0xfee00000ULL | 0x43ULL);
	assert_true(gspace_translate(gs, 0xfee000f0, &hpa, &access, &type));
	assert_int_equal(hpa, 0xfee000f0);
	assert_int_equal(access, GSPACE_READ | GSPACE_WRITE);
	assert_int_equal(type, GSPACE_MEM_DEVICE);
	assert_true(gspace_translate(gs, 4 * GiB + 0x12345678, &hpa, &access, &type));
	assert_int_equal(hpa, 8 * GiB + 0x12345678);
	assert_int_equal(access, GSPACE_READ | GSPACE_EXEC);
	assert_int_equal(type, GSPACE_MEM_NORMAL);
	/* Addresses only 4 KiB aligned on the host side: 4 KiB pages. */
	assert_int_equal(gspace_map(gs, 0x60000000, 0x90001000, 2 * MiB, GSPACE_RWX,
				    GSPACE_MEM_NORMAL), 0);
	assert_int_equal(entry_at(gs, 0x60000000, PT), 0x90001000ULL | RAM_RWX);
	assert_int_equal(entry_at(gs, 0x601ff000, PT), 0x90200000ULL | RAM_RWX);
	gspace_destroy(gs);
	assert_int_equal(host_pages_in_use(), pages_before);
}

static void test_access_and_page_sizes(void **state)
{
	(void)state;
	struct gspace *gs = gspace_create();

	/* Write without read is an EPT misconfiguration: refused. */
	assert_int_equal(gspace_map(gs, 0, 0, 4 * KiB, GSPACE_WRITE, 0), -EINVAL);
	assert_int_equal(gspace_map(gs, 0, 0, 4 * KiB, GSPACE_WRITE | GSPACE_EXEC, 0), -EINVAL);
	assert_int_equal(gspace_map(gs, 0, 0, 4 * KiB, GSPACE_EXEC, 0), 0);
	assert_int_equal(entry_at(gs, 0, PT), 0x74ULL);
	/* Past 48 bits of guest-physical or 52 bits of host-physical address. */
	assert_int_equal(gspace_map(gs, 1ULL << 48, 0, 4 * KiB, GSPACE_RWX, 0), -EINVAL);
	assert_int_equal(gspace_map(gs, 0x1000, 1ULL << 52, 4 * KiB, GSPACE_RWX, 0), -EINVAL);
	gspace_destroy(gs);

	/* A CPU without 1 GiB pages: 2 MiB pages; without either: 4 KiB. */
	has_1g = false;
	gs = gspace_create();
	assert_int_equal(gspace_map(gs, 1 * GiB, 1 * GiB, 1 * GiB, GSPACE_RWX, 0), 0);
	assert_int_equal(entry_at(gs, 1 * GiB, PDPT) & ~EPT_ADDR_MASK, 0x7);
	assert_int_equal(entry_at(gs, 1 * GiB + 2 * MiB, PD), (1 * GiB + 2 * MiB) | RAM_RWX | LARGE);
	gspace_destroy(gs);
	has_2m = false;
	gs = gspace_create();
	assert_int_equal(gspace_map(gs, 0, 0, 2 * MiB, GSPACE_RWX, 0), 0);
	assert_int_equal(entry_at(gs, 0x1ff000, PT), 0x1ff000ULL | RAM_RWX);
	assert_int_equal(gspace_table_pages(gs), 4);
	gspace_destroy(gs);
}

/* A split keeps the translations: no flush needed, exact entries below. */
static void test_split_and_partial_unmap(void **state)
{
	(void)state;
	size_t pages_before = host_pages_in_use();
	struct gspace *gs = gspace_create();
	uint64_t hpa;

	assert_int_equal(gspace_map(gs, 0, 0x40000000, 1 * GiB, GSPACE_RWX, 0), 0);
	assert_int_equal(gspace_table_pages(gs), 2);
	unmap_on(gs, 0, 0x00345000, 4 * KiB);
	/* 1 GiB -> 2 MiB pages -> 4 KiB pages; nobody was in the guest. */
	assert_int_equal(gspace_table_pages(gs), 4);
	assert_int_equal(invalidations[0], 0);
	assert_int_equal(entry_at(gs, 0x00600000, PD), 0x40600000ULL | RAM_RWX | LARGE);
	assert_int_equal(entry_at(gs, 0x00346000, PT), 0x40346000ULL | RAM_RWX);
	assert_int_equal(entry_at(gs, 0x00345000, PT), 0);
	assert_false(gspace_translate(gs, 0x00345000, NULL, NULL, NULL));
	assert_true(gspace_translate(gs, 0x00344fff, &hpa, NULL, NULL));
	assert_int_equal(hpa, 0x40344fff);
	assert_true(gspace_translate(gs, 0x3fffffff, &hpa, NULL, NULL));
	assert_int_equal(hpa, 0x7fffffff);
	/* Everything away: the emptied tables go at once (no CPU in the guest). */
	unmap_on(gs, 0, 0, 1 * GiB);
	assert_int_equal(gspace_table_pages(gs), 1);
	assert_int_equal(pgtable_deferred_pages(&gs->pt), 0);
	assert_int_equal(pages_freed, 3);
	assert_int_equal(order_violations, 0);
	gspace_destroy(gs);
	assert_int_equal(host_pages_in_use(), pages_before);
}

/* ---- the local invalidation model ---- */

/*
 * CPU 0 and CPU 1 run vCPUs of the VM.  CPU 0 takes an exit and unmaps
 * the only page below three tables while CPU 1 stays in the guest: the
 * tables are deferred and CPU 1 is kicked; they are freed once CPU 1 has
 * invalidated at its next entry, not before.
 */
static void test_deferred_free_waits_for_cpus_in_guest(void **state)
{
	(void)state;
	size_t pages_before = host_pages_in_use();
	struct gspace *gs = gspace_create();

	assert_int_equal(gspace_map(gs, 0x40000000, 0x80000000, 4 * KiB, GSPACE_RWX, 0), 0);
	assert_int_equal(gspace_table_pages(gs), 4);
	/* First entries invalidate: the root may be an old table's. */
	enter(gs, 0);
	enter(gs, 1);
	assert_int_equal(invalidations[0], 1);
	assert_int_equal(invalidations[1], 1);
	leave(gs, 0);
	enter(gs, 0);                      /* nothing changed: no INVEPT */
	assert_int_equal(invalidations[0], 1);
	leave(gs, 0);

	unmap_on(gs, 0, 0x40000000, 4 * KiB);
	assert_int_equal(order_violations, 0);   /* nothing freed under CPU 1 */
	assert_int_equal(gspace_table_pages(gs), 1);
	assert_int_equal(pgtable_deferred_pages(&gs->pt), 3);
	assert_int_equal(pages_freed, 0);
	assert_int_equal(kicks[1], 1);     /* in the guest and behind */
	assert_int_equal(kicks[0], 0);     /* not in the guest         */
	assert_int_equal(kicks[2], 0);     /* never entered            */
	assert_false(gspace_translate(gs, 0x40000000, NULL, NULL, NULL));

	/* CPU 0 enters again: it catches up, CPU 1 still holds the pages. */
	enter(gs, 0);
	assert_int_equal(invalidations[0], 2);
	assert_int_equal(pgtable_deferred_pages(&gs->pt), 3);
	assert_int_equal(pages_freed, 0);

	/* The kick makes CPU 1 exit; its next entry invalidates, then frees. */
	leave(gs, 1);
	enter(gs, 1);
	assert_int_equal(invalidations[1], 2);
	assert_int_equal(pgtable_deferred_pages(&gs->pt), 0);
	assert_int_equal(pages_freed, 3);
	assert_int_equal(order_violations, 0);

	leave(gs, 0);
	leave(gs, 1);
	gspace_destroy(gs);
	assert_int_equal(host_pages_in_use(), pages_before);
}

/*
 * Pages of several unmaps wait for their own generation: after CPU 1
 * catches up with the first unmap only, the second unmap's pages stay.
 * A CPU outside the guest never holds pages back, and gspace_destroy()
 * frees what is left.
 */
static void test_deferred_free_by_generation(void **state)
{
	(void)state;
	size_t pages_before = host_pages_in_use();
	struct gspace *gs = gspace_create();

	/* Two pages 1 GiB apart: each under its own PD and PT. */
	assert_int_equal(gspace_map(gs, 0x40000000, 0x80000000, 4 * KiB, GSPACE_RWX, 0), 0);
	assert_int_equal(gspace_map(gs, 0x80000000, 0x90000000, 4 * KiB, GSPACE_RWX, 0), 0);
	assert_int_equal(gspace_map(gs, 0xc0000000, 0xa0000000, 4 * KiB, GSPACE_RWX, 0), 0);
	assert_int_equal(gspace_table_pages(gs), 8);     /* PML4, PDPT, 3 x (PD + PT) */
	enter(gs, 1);

	unmap_on(gs, 0, 0x40000000, 4 * KiB);            /* generation 2: PD + PT */
	assert_int_equal(pgtable_deferred_pages(&gs->pt), 2);
	/* CPU 1 sees generation 2 (its entry after the first kick). */
	leave(gs, 1);
	enter(gs, 1);
	assert_int_equal(pgtable_deferred_pages(&gs->pt), 0);
	assert_int_equal(pages_freed, 2);

	unmap_on(gs, 0, 0x80000000, 4 * KiB);            /* generation 3 */
	assert_int_equal(kicks[1], 2);
	assert_int_equal(pgtable_deferred_pages(&gs->pt), 2);
	leave(gs, 1);                                    /* CPU 1 out of the guest */
	unmap_on(gs, 0, 0xc0000000, 4 * KiB);            /* generation 4: reaps all */
	assert_int_equal(kicks[1], 2);                   /* not in the guest: no kick */
	assert_int_equal(pgtable_deferred_pages(&gs->pt), 0);
	/* Three PDs and PTs, and the PDPT, empty now too. */
	assert_int_equal(pages_freed, 7);
	assert_int_equal(gspace_table_pages(gs), 1);
	assert_int_equal(order_violations, 0);
	/* Its next entry still invalidates: it is behind. */
	enter(gs, 1);
	assert_int_equal(invalidations[1], 3);
	leave(gs, 1);

	/* Destroy with pages still deferred: all freed. */
	assert_int_equal(gspace_map(gs, 0x40000000, 0x80000000, 4 * KiB, GSPACE_RWX, 0), 0);
	enter(gs, 2);
	unmap_on(gs, 0, 0x40000000, 4 * KiB);
	assert_int_equal(pgtable_deferred_pages(&gs->pt), 3);
	leave(gs, 2);
	gspace_destroy(gs);
	assert_int_equal(host_pages_in_use(), pages_before);
}

/* The walker refuses geometries it cannot split and mixed-up models. */
static void test_pgtable_init_checks(void **state)
{
	(void)state;
	struct pgtable pt;
	static const struct pgtable_tlb none = { 0 };

	assert_int_equal(pgtable_init(&pt, &ept_format, &ept_tlb, 3, 1u << 2, 1ULL << 48), -EINVAL);
	assert_int_equal(pgtable_init(&pt, &ept_format, &ept_tlb, 3, 1u << 0, 1ULL << 48), -EINVAL);
	assert_int_equal(pgtable_init(&pt, &ept_format, &ept_tlb, 3, 0, 1ULL << 49), -EINVAL);
	assert_int_equal(pgtable_init(&pt, &ept_format, &none, 3, 0, 1ULL << 48), -EINVAL);
	assert_int_equal(pgtable_init(&pt, &ept_format, &ept_tlb, 3, 6, 1ULL << 48), 0);
	pgtable_destroy(&pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exact_entries, reset, unhook),
		cmocka_unit_test_setup_teardown(test_access_and_page_sizes, reset, unhook),
		cmocka_unit_test_setup_teardown(test_split_and_partial_unmap, reset, unhook),
		cmocka_unit_test_setup_teardown(test_deferred_free_waits_for_cpus_in_guest, reset, unhook),
		cmocka_unit_test_setup_teardown(test_deferred_free_by_generation, reset, unhook),
		cmocka_unit_test_setup_teardown(test_pgtable_init_checks, reset, unhook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
