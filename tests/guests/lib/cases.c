/* SPDX-License-Identifier: MIT */
/* Named test cases with expectations: the hostile-guest suite reports through these. */
#include <guest.h>

static const char *case_prefix = "guest";
static const char *case_name = "";
static unsigned int cases, failed_checks, case_failures;

void guest_cases_begin(const char *prefix)
{
	case_prefix = prefix;
	cases = failed_checks = 0;
}

void guest_case(const char *name, const char *expectation)
{
	case_name = name;
	case_failures = 0;
	cases++;
	guest_printf("%s: case %u %s: expect %s\n", case_prefix, cases, name, expectation);
}

bool guest_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	failed_checks++;
	case_failures++;
	guest_printf("FAIL: %s: %s: ", case_prefix, case_name);
	va_start(ap, fmt);
	guest_vprintf(fmt, ap);
	va_end(ap);
	guest_printf("\n");
	return false;
}

void guest_case_done(const char *fmt, ...)
{
	va_list ap;

	guest_printf("%s: case %u %s: %s: ", case_prefix, cases, case_name,
		     case_failures ? "BROKEN" : "contained");
	va_start(ap, fmt);
	guest_vprintf(fmt, ap);
	va_end(ap);
	guest_printf("\n");
}

bool guest_cases_end(void)
{
	guest_printf("%s: %u cases, %u failed checks\n", case_prefix, cases, failed_checks);
	if (!failed_checks)
		guest_printf("%s: passed\n", case_prefix);
	return failed_checks == 0;
}
