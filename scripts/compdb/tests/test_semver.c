/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "semver.h"

static struct semver v(const char *s)
{
	struct semver out;

	assert_true(semver_parse(s, false, &out));
	return out;
}

static void parse_versions(void **state)
{
	struct semver s;
	char buf[64];

	(void)state;
	assert_true(semver_parse("1.22.333", true, &s));
	assert_int_equal(s.major, 1);
	assert_int_equal(s.minor, 22);
	assert_int_equal(s.patch, 333);
	assert_true(semver_parse("0.2", false, &s));
	assert_int_equal(s.patch, 0);
	assert_false(semver_parse("0.2", true, &s));     /* manifests need all three */
	assert_true(semver_parse("1.0.0-rc.1", true, &s));
	assert_string_equal(s.pre, "rc.1");
	semver_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "1.0.0-rc.1");
	assert_false(semver_parse("1", false, &s));
	assert_false(semver_parse("1.x.0", false, &s));
	assert_false(semver_parse("01.0.0", false, &s));
	assert_false(semver_parse("1.0.0 ", false, &s));
	assert_false(semver_parse("", false, &s));
	assert_false(semver_parse("1.0.0-", false, &s));
}

static void compare_versions(void **state)
{
	struct semver a, b;

	(void)state;
	a = v("0.2.0"), b = v("0.10.0");
	assert_true(semver_compare(&a, &b) < 0);      /* numeric, not textual */
	a = v("1.0.0-rc1"), b = v("1.0.0");
	assert_true(semver_compare(&a, &b) < 0);      /* pre-release first */
	assert_true(semver_compare(&b, &a) > 0);
	a = v("1.0.0-alpha"), b = v("1.0.0-beta");
	assert_true(semver_compare(&a, &b) < 0);
	a = v("2.0"), b = v("2.0.0");
	assert_int_equal(semver_compare(&a, &b), 0);
}

static bool satisfied(const char *req, const char *ver)
{
	struct requirement r;
	char err[256];
	struct semver s = v(ver);

	assert_true(requirement_parse(req, &r, err, sizeof(err)));
	return requirement_satisfied(&r, &s);
}

static void constraints(void **state)
{
	(void)state;
	assert_true(satisfied("vcpu >= 0.2, < 1.0", "0.2.0"));
	assert_true(satisfied("vcpu >= 0.2, < 1.0", "0.9.7"));
	assert_false(satisfied("vcpu >= 0.2, < 1.0", "0.1.9"));
	assert_false(satisfied("vcpu >= 0.2, < 1.0", "1.0.0"));
	assert_true(satisfied("vcpu", "7.0.0"));              /* no constraint */
	assert_true(satisfied("bus == 0.1.0", "0.1.0"));
	assert_false(satisfied("bus != 0.1.0", "0.1.0"));
	assert_true(satisfied("bus > 0.1", "0.1.1"));
	assert_false(satisfied("bus > 0.1", "0.1.0"));
	assert_true(satisfied("bus <= 0.1", "0.1.0"));
	assert_true(satisfied("bus>=0.1,<0.2", "0.1.5"));    /* spacing is free */
}

static void bad_requirements(void **state)
{
	struct requirement r;
	char err[256];

	(void)state;
	assert_false(requirement_parse(">= 1.0", &r, err, sizeof(err)));
	assert_non_null(strstr(err, "component name"));
	assert_false(requirement_parse("vcpu => 1.0", &r, err, sizeof(err)));
	assert_false(requirement_parse("vcpu >= one", &r, err, sizeof(err)));
	assert_non_null(strstr(err, "not a version"));
	assert_false(requirement_parse("vcpu >= 1.0 < 2.0", &r, err, sizeof(err)));
	assert_false(requirement_parse("vcpu >= 1, < 2, > 0, != 3, != 4", &r, err, sizeof(err)));
	assert_true(requirement_parse("vcpu >= 0.2, < 1.0", &r, err, sizeof(err)));
	assert_string_equal(r.name, "vcpu");
	assert_int_equal(r.count, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_versions),
		cmocka_unit_test(compare_versions),
		cmocka_unit_test(constraints),
		cmocka_unit_test(bad_requirements),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
