/* SPDX-License-Identifier: MIT */
/*
 * Shared INTx lines: the line is the OR of its sources, a change is
 * reported once, out-of-range sources are ignored, reset lowers all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pci/intx.h>

static void test_or_of_sources(void **state)
{
	struct pci_intx_line line = { 0 };

	(void)state;
	assert_false(pci_intx_line_level(&line));
	assert_true(pci_intx_line_set(&line, 12, true));       /* slot 3 INTA raises it */
	assert_true(pci_intx_line_level(&line));
	assert_false(pci_intx_line_set(&line, 17, true));      /* slot 4 INTB: already high */
	assert_false(pci_intx_line_set(&line, 12, false));     /* slot 3 lowers: 4 still holds it */
	assert_true(pci_intx_line_level(&line));
	assert_false(pci_intx_line_set(&line, 12, false));     /* lowering twice changes nothing */
	assert_true(pci_intx_line_set(&line, 17, false));      /* the last one lowers it */
	assert_false(pci_intx_line_level(&line));
}

static void test_sources_in_both_words(void **state)
{
	struct pci_intx_line line = { 0 };

	(void)state;
	assert_true(pci_intx_line_set(&line, 127, true));
	assert_false(pci_intx_line_set(&line, 0, true));
	assert_false(pci_intx_line_set(&line, 127, false));
	assert_true(pci_intx_line_level(&line));
	assert_true(pci_intx_line_set(&line, 0, false));
}

static void test_out_of_range_and_reset(void **state)
{
	struct pci_intx_line line = { 0 };

	(void)state;
	assert_false(pci_intx_line_set(&line, PCI_INTX_SOURCES, true));
	assert_false(pci_intx_line_set(&line, ~0u, true));
	assert_false(pci_intx_line_level(&line));
	assert_true(pci_intx_line_set(&line, 5, true));
	pci_intx_line_reset(&line);
	assert_false(pci_intx_line_level(&line));
	assert_true(pci_intx_line_set(&line, 5, true));         /* raises again after reset */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_or_of_sources),
		cmocka_unit_test(test_sources_in_both_words),
		cmocka_unit_test(test_out_of_range_and_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
