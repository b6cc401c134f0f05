/* SPDX-License-Identifier: MIT */
/* Discovery, replacement by out-of-tree components, and requirement checks. */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "compdb.h"

static char tree[256];
static struct compdb db;

static void write_file(const char *rel, const char *text)
{
	char path[512], dir[600];

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	snprintf(dir, sizeof(dir), "mkdir -p '%s'", path);
	*strrchr(dir, '/') = '\0';
	strcat(dir, "'");
	assert_int_equal(system(dir), 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tree, sizeof(tree), "/tmp/compdb-test-XXXXXX");
	assert_non_null(mkdtemp(tree));
	write_file("components/core/component.yml",
		   "name: core\nversion: 0.3.1\ndescription: the core\n");
	write_file("components/vcpu/component.yml",
		   "# a comment\nname: vcpu\nversion: 0.2.0\ndescription: \"virtual CPUs\"\n"
		   "requires:\n  - core >= 0.3, < 1.0   # trailing comment\n");
	write_file("components/vcpu/tests/component.yml", "not: scanned\n");
	write_file("components/devices/rtc-cmos/component.yml",
		   "name: rtc-cmos\nversion: 1.0.0\ndescription: RTC\nrequires:\n  - core\n");
	write_file("apps/vm/component.yml",
		   "name: vm\nversion: 0.1.0\ndescription: VMs\nrequires:\n  - vcpu >= 0.2, < 1.0\n  - core\n");
	write_file("extra/vcpu-mod/component.yml",
		   "name: vcpu\nversion: 0.9.0\ndescription: modified vCPU\nrequires:\n  - core\n");
	write_file("extra/newdev/component.yml",
		   "name: newdev\nversion: 0.0.1\ndescription: a researcher's device\n");
	compdb_init(&db, tree);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
	return system(cmd);
}

static void scan_tree(void)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/components", tree);
	assert_true(compdb_scan(&db, path, false));
	snprintf(path, sizeof(path), "%s/apps", tree);
	assert_true(compdb_scan(&db, path, false));
}

static void discovers_components(void **state)
{
	struct component *c;

	(void)state;
	scan_tree();
	assert_int_equal(db.count, 4);            /* tests/ folders are not scanned */
	c = compdb_find(&db, "vcpu");
	assert_non_null(c);
	assert_string_equal(c->description, "virtual CPUs");
	assert_string_equal(c->kconfig, "VCPU");
	assert_int_equal(c->req_count, 1);
	assert_string_equal(c->req[0].name, "core");
	assert_string_equal(compdb_find(&db, "rtc-cmos")->kconfig, "RTC_CMOS");
	assert_string_equal(compdb_find(&db, "rtc-cmos")->menu, "Device models");
	assert_string_equal(compdb_find(&db, "vm")->menu, "Applications");
	assert_string_equal(compdb_display_dir(&db, c), "components/vcpu");
}

static void orders_by_requirements(void **state)
{
	struct component *order[MAX_COMPONENTS];
	int n;

	(void)state;
	scan_tree();
	compdb_apply_config(&db, "CONFIG_VM=y\nCONFIG_VCPU=y\nCONFIG_CORE=y\n# CONFIG_RTC_CMOS is not set\n");
	assert_true(compdb_resolve(&db, order, &n));
	assert_int_equal(n, 3);
	assert_string_equal(order[0]->name, "core");
	assert_string_equal(order[1]->name, "vcpu");
	assert_string_equal(order[2]->name, "vm");
	assert_false(compdb_find(&db, "rtc-cmos")->enabled);
}

static void config_matches_whole_lines(void **state)
{
	(void)state;
	scan_tree();
	compdb_apply_config(&db, "CONFIG_CORE=yes\nXCONFIG_VCPU=y\nCONFIG_VCPU=y2\n");
	assert_false(compdb_find(&db, "core")->enabled);
	assert_false(compdb_find(&db, "vcpu")->enabled);
}

static void disabled_requirement_names_both(void **state)
{
	struct component *order[MAX_COMPONENTS];
	int n;

	(void)state;
	scan_tree();
	compdb_apply_config(&db, "CONFIG_VM=y\nCONFIG_CORE=y\n");
	assert_false(compdb_resolve(&db, order, &n));
	assert_non_null(strstr(db.error, "'vm' 0.1.0 requires 'vcpu' (>= 0.2, < 1.0)"));
	assert_non_null(strstr(db.error, "'vcpu' 0.2.0 is disabled"));
}

static void violated_version_names_both(void **state)
{
	struct component *order[MAX_COMPONENTS];
	int n;
	char path[512];

	(void)state;
	write_file("components/core/component.yml", "name: core\nversion: 0.2.9\n");
	scan_tree();
	compdb_apply_config(&db, "CONFIG_VCPU=y\nCONFIG_CORE=y\n");
	assert_false(compdb_resolve(&db, order, &n));
	assert_string_equal(db.error,
			    "component 'vcpu' 0.2.0 requires 'core' >= 0.3, < 1.0, but 'core' is version 0.2.9 (components/core).");
	(void)path;
}

static void missing_component(void **state)
{
	struct component *order[MAX_COMPONENTS];
	int n;

	(void)state;
	write_file("components/x/component.yml", "name: x\nversion: 1.0.0\nrequires:\n  - nosuch >= 1.0\n");
	scan_tree();
	compdb_apply_config(&db, "CONFIG_X=y\n");
	assert_false(compdb_resolve(&db, order, &n));
	assert_non_null(strstr(db.error, "no component named 'nosuch' exists"));
}

static void extra_component_replaces_in_tree(void **state)
{
	struct component *order[MAX_COMPONENTS], *c;
	char path[512];
	int n;

	(void)state;
	scan_tree();
	snprintf(path, sizeof(path), "%s/extra", tree);
	assert_true(compdb_scan(&db, path, true));
	assert_int_equal(db.count, 5);
	c = compdb_find(&db, "vcpu");
	assert_true(c->extra);
	assert_string_equal(c->version_text, "0.9.0");
	assert_non_null(strstr(c->replaced, "components/vcpu"));
	assert_string_equal(c->menu, "Core components");     /* keeps its place */
	assert_string_equal(compdb_find(&db, "newdev")->menu, "Out-of-tree components");
	compdb_apply_config(&db, "CONFIG_VM=y\nCONFIG_VCPU=y\nCONFIG_CORE=y\n");
	assert_true(compdb_resolve(&db, order, &n));
}

static void duplicate_names_in_tree(void **state)
{
	char path[512];

	(void)state;
	write_file("components/other/component.yml", "name: core\nversion: 1.0.0\n");
	snprintf(path, sizeof(path), "%s/components", tree);
	assert_false(compdb_scan(&db, path, false));
	assert_non_null(strstr(db.error, "two components are named 'core'"));
}

static void cycle_is_reported(void **state)
{
	struct component *order[MAX_COMPONENTS];
	int n;

	(void)state;
	write_file("components/core/component.yml", "name: core\nversion: 0.3.1\nrequires:\n  - vm\n");
	scan_tree();
	compdb_apply_config(&db, "CONFIG_VM=y\nCONFIG_VCPU=y\nCONFIG_CORE=y\n");
	assert_false(compdb_resolve(&db, order, &n));
	assert_non_null(strstr(db.error, "cycle"));
}

static void bad_manifests(void **state)
{
	struct component c;

	(void)state;
	assert_false(compdb_parse_manifest(&db, "name: Bad\nversion: 1.0.0\n", "m.yml", "/x", &c));
	assert_non_null(strstr(db.error, "lower-case"));
	db.error[0] = '\0';
	assert_false(compdb_parse_manifest(&db, "name: a\nversion: 1.0\n", "m.yml", "/x", &c));
	assert_non_null(strstr(db.error, "m.yml:2: version '1.0' is not a semantic version"));
	db.error[0] = '\0';
	assert_false(compdb_parse_manifest(&db, "name: a\nversion: 1.0.0\ncolour: red\n", "m.yml", "/x", &c));
	assert_non_null(strstr(db.error, "unknown key 'colour'"));
	db.error[0] = '\0';
	assert_false(compdb_parse_manifest(&db, "name: a\n", "m.yml", "/x", &c));
	db.error[0] = '\0';
	assert_false(compdb_parse_manifest(&db, "name: a\nversion: 1.0.0\n  - b\n", "m.yml", "/x", &c));
	db.error[0] = '\0';
	assert_false(compdb_parse_manifest(&db, "name: a\nversion: 1.0.0\nrequires:\n  - b >= x\n", "m.yml", "/x", &c));
	db.error[0] = '\0';
	assert_true(compdb_parse_manifest(&db, "name: a\nversion: 1.0.0\nkconfig: MY_A\nrequires: []\n", "m.yml", "/x", &c));
	assert_string_equal(c.kconfig, "MY_A");
}

static void kconfig_sources_every_component(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	scan_tree();
	f = open_memstream(&buf, &len);
	compdb_write_kconfig(&db, f);
	fclose(f);
	assert_non_null(strstr(buf, "menu \"Core components\""));
	assert_non_null(strstr(buf, "components/vcpu/Kconfig\""));
	assert_non_null(strstr(buf, "apps/vm/Kconfig\""));
	/* Core components come before device models. */
	assert_true(strstr(buf, "Core components") < strstr(buf, "Device models"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(discovers_components, setup, teardown),
		cmocka_unit_test_setup_teardown(orders_by_requirements, setup, teardown),
		cmocka_unit_test_setup_teardown(config_matches_whole_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(disabled_requirement_names_both, setup, teardown),
		cmocka_unit_test_setup_teardown(violated_version_names_both, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_component, setup, teardown),
		cmocka_unit_test_setup_teardown(extra_component_replaces_in_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(duplicate_names_in_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(cycle_is_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_manifests, setup, teardown),
		cmocka_unit_test_setup_teardown(kconfig_sources_every_component, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
