/* SPDX-License-Identifier: MIT */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compdb.h"

static void set_error(struct compdb *db, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_error(struct compdb *db, const char *fmt, ...)
{
	va_list ap;

	if (db->error[0])
		return; /* keep the first one: later errors are often consequences */
	va_start(ap, fmt);
	vsnprintf(db->error, sizeof(db->error), fmt, ap);
	va_end(ap);
}

void compdb_init(struct compdb *db, const char *srctree)
{
	memset(db, 0, sizeof(*db));
	snprintf(db->srctree, sizeof(db->srctree), "%s", srctree);
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Removes a trailing "# comment" that is not inside quotes. */
static void strip_comment(char *s)
{
	bool quoted = false;

	for (char *p = s; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '#' && !quoted && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
	}
}

static void unquote(char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && ((s[0] == '"' && s[n - 1] == '"') || (s[0] == '\'' && s[n - 1] == '\''))) {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	}
}

static bool valid_name(const char *s)
{
	if (!*s || !islower((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static bool copy_field(struct compdb *db, const char *path, int line, char *dst, size_t len,
		       const char *value, const char *key)
{
	if (strlen(value) >= len) {
		set_error(db, "%s:%d: the %s is longer than %zu characters.", path, line, key, len - 1);
		return false;
	}
	strcpy(dst, value);
	return true;
}

bool compdb_parse_manifest(struct compdb *db, const char *text, const char *path,
			   const char *dir, struct component *c)
{
	char buf[8192];
	bool in_requires = false;
	int line = 0;

	memset(c, 0, sizeof(*c));
	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	if (strlen(text) >= sizeof(buf)) {
		set_error(db, "%s: the manifest is larger than %zu bytes.", path, sizeof(buf) - 1);
		return false;
	}
	strcpy(buf, text);

	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *s, *colon, *key, *value;

		line++; /* strtok_r skips empty lines; good enough for messages */
		strip_comment(l);
		s = trim(l);
		if (!*s)
			continue;
		if (s[0] == '-') {
			char err[512];

			if (!in_requires) {
				set_error(db, "%s:%d: a '-' list item outside 'requires:'.", path, line);
				return false;
			}
			if (c->req_count == MAX_REQUIRES) {
				set_error(db, "%s:%d: more than %d requirements.", path, line, MAX_REQUIRES);
				return false;
			}
			value = trim(s + 1);
			unquote(value);
			if (!requirement_parse(value, &c->req[c->req_count], err, sizeof(err))) {
				set_error(db, "%s:%d: requirement %s.", path, line, err);
				return false;
			}
			c->req_count++;
			continue;
		}
		in_requires = false;
		colon = strchr(s, ':');
		if (!colon) {
			set_error(db, "%s:%d: expected 'key: value', found '%s'.", path, line, s);
			return false;
		}
		*colon = '\0';
		key = trim(s);
		value = trim(colon + 1);
		unquote(value);
		if (strcmp(key, "name") == 0) {
			if (!valid_name(value)) {
				set_error(db, "%s:%d: component name '%s' must be lower-case letters, digits, '_' or '-'.",
					  path, line, value);
				return false;
			}
			if (!copy_field(db, path, line, c->name, sizeof(c->name), value, "name"))
				return false;
		} else if (strcmp(key, "version") == 0) {
			if (!semver_parse(value, true, &c->version)) {
				set_error(db, "%s:%d: version '%s' is not a semantic version MAJOR.MINOR.PATCH.",
					  path, line, value);
				return false;
			}
			if (!copy_field(db, path, line, c->version_text, sizeof(c->version_text), value, "version"))
				return false;
		} else if (strcmp(key, "description") == 0) {
			if (!copy_field(db, path, line, c->description, sizeof(c->description), value, "description"))
				return false;
		} else if (strcmp(key, "kconfig") == 0) {
			if (!copy_field(db, path, line, c->kconfig, sizeof(c->kconfig), value, "kconfig symbol"))
				return false;
		} else if (strcmp(key, "menu") == 0) {
			if (!copy_field(db, path, line, c->menu, sizeof(c->menu), value, "menu"))
				return false;
		} else if (strcmp(key, "requires") == 0) {
			if (*value && strcmp(value, "[]") != 0) {
				set_error(db, "%s:%d: list requirements on their own lines as '  - name >= 1.0'.",
					  path, line);
				return false;
			}
			in_requires = true;
		} else {
			set_error(db, "%s:%d: unknown key '%s' (known: name, version, description, kconfig, menu, requires).",
				  path, line, key);
			return false;
		}
	}
	if (!c->name[0] || !c->version_text[0]) {
		set_error(db, "%s: the manifest needs at least 'name:' and 'version:'.", path);
		return false;
	}
	if (!c->kconfig[0]) {
		size_t i;

		for (i = 0; c->name[i] && i + 1 < sizeof(c->kconfig); i++)
			c->kconfig[i] = c->name[i] == '-' ? '_' : (char)toupper((unsigned char)c->name[i]);
		c->kconfig[i] = '\0';
	}
	return true;
}

struct component *compdb_find(struct compdb *db, const char *name)
{
	for (int i = 0; i < db->count; i++)
		if (strcmp(db->comp[i].name, name) == 0)
			return &db->comp[i];
	return NULL;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

static const char *default_menu(const struct compdb *db, const char *dir, bool extra)
{
	size_t n = strlen(db->srctree);

	if (!extra && strncmp(dir, db->srctree, n) == 0 && dir[n] == '/') {
		const char *rel = dir + n + 1;

		if (strncmp(rel, "components/arch/", 16) == 0)
			return "Architecture support";
		if (strncmp(rel, "components/devices/", 19) == 0)
			return "Device models";
		if (strncmp(rel, "apps/", 5) == 0)
			return "Applications";
		return "Core components";
	}
	return "Out-of-tree components";
}

static bool add_component(struct compdb *db, const char *dir, bool extra)
{
	char path[PATH_LEN + 32];
	struct component c, *old;
	char *text;

	snprintf(path, sizeof(path), "%s/component.yml", dir);
	text = read_file(path);
	if (!text) {
		set_error(db, "cannot read %s.", path);
		return false;
	}
	if (!compdb_parse_manifest(db, text, path, dir, &c)) {
		free(text);
		return false;
	}
	free(text);
	c.extra = extra;
	old = compdb_find(db, c.name);
	if (old) {
		if (extra && !old->extra) {
			/* A researcher's copy replaces the in-tree component. */
			char menu[64];

			snprintf(menu, sizeof(menu), "%s", old->menu);
			snprintf(c.replaced, sizeof(c.replaced), "%s", old->dir);
			if (!c.menu[0])
				snprintf(c.menu, sizeof(c.menu), "%s", menu);
			*old = c;
			return true;
		}
		set_error(db, "two components are named '%s': %s and %s; rename one of them.",
			  c.name, old->dir, dir);
		return false;
	}
	if (db->count == MAX_COMPONENTS) {
		set_error(db, "more than %d components.", MAX_COMPONENTS);
		return false;
	}
	if (!c.menu[0])
		snprintf(c.menu, sizeof(c.menu), "%s", default_menu(db, dir, extra));
	db->comp[db->count++] = c;
	return true;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool compdb_scan(struct compdb *db, const char *root, bool extra)
{
	char path[PATH_LEN + 32];
	struct stat st;
	DIR *d;
	struct dirent *e;
	char *names[1024];
	int n = 0;
	bool ok = true;

	snprintf(path, sizeof(path), "%s/component.yml", root);
	if (stat(path, &st) == 0)
		return add_component(db, root, extra);

	d = opendir(root);
	if (!d) {
		set_error(db, "cannot open the component folder %s.", root);
		return false;
	}
	/* Sorted, so the generated files do not depend on readdir order. */
	while ((e = readdir(d)) && n < 1024) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "tests") == 0 ||
		    strcmp(e->d_name, "include") == 0)
			continue;
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), compare_names);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", root, names[i]);
		if (ok && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			ok = compdb_scan(db, path, extra);
		free(names[i]);
	}
	return ok;
}

void compdb_apply_config(struct compdb *db, const char *config_text)
{
	for (int i = 0; i < db->count; i++) {
		char want[96];
		const char *p = config_text;
		size_t n;

		n = (size_t)snprintf(want, sizeof(want), "CONFIG_%s=y", db->comp[i].kconfig);
		db->comp[i].enabled = false;
		while ((p = strstr(p, want))) {
			bool line_start = p == config_text || p[-1] == '\n';
			bool line_end = p[n] == '\n' || p[n] == '\0' || p[n] == '\r';

			if (line_start && line_end) {
				db->comp[i].enabled = true;
				break;
			}
			p += n;
		}
	}
}

static void constraint_text(const struct requirement *r, char *buf, size_t len)
{
	const char *s = r->text + strlen(r->name);

	while (*s == ' ')
		s++;
	snprintf(buf, len, "%s", *s ? s : "any version");
}

static bool visit(struct compdb *db, struct component *c, int *state, struct component **out,
		  int *count)
{
	int idx = (int)(c - db->comp);

	if (state[idx] == 2)
		return true;
	if (state[idx] == 1) {
		set_error(db, "components form a requirement cycle through '%s' %s.", c->name,
			  c->version_text);
		return false;
	}
	state[idx] = 1;
	for (int i = 0; i < c->req_count; i++) {
		struct component *dep = compdb_find(db, c->req[i].name);
		if (dep && dep->enabled && !visit(db, dep, state, out, count))
			return false;
	}
	state[idx] = 2;
	c->order = *count;
	out[(*count)++] = c;
	return true;
}

bool compdb_resolve(struct compdb *db, struct component **ordered, int *count)
{
	int state[MAX_COMPONENTS] = { 0 };

	*count = 0;
	for (int i = 0; i < db->count; i++) {
		struct component *c = &db->comp[i];

		if (!c->enabled)
			continue;
		for (int r = 0; r < c->req_count; r++) {
			const struct requirement *req = &c->req[r];
			struct component *dep = compdb_find(db, req->name);
			char cons[128];

			constraint_text(req, cons, sizeof(cons));
			if (!dep) {
				set_error(db, "component '%s' %s requires '%s' (%s), but no component named '%s' exists; add it (EXTRA_COMPONENTS=...) or remove the requirement from %s/component.yml.",
					  c->name, c->version_text, req->name, cons, req->name, c->dir);
				return false;
			}
			if (!dep->enabled) {
				set_error(db, "component '%s' %s requires '%s' (%s), but '%s' %s is disabled (CONFIG_%s is not set); enable it in 'make menuconfig' or disable '%s'.",
					  c->name, c->version_text, req->name, cons, dep->name,
					  dep->version_text, dep->kconfig, c->name);
				return false;
			}
			if (!requirement_satisfied(req, &dep->version)) {
				set_error(db, "component '%s' %s requires '%s' %s, but '%s' is version %s (%s).",
					  c->name, c->version_text, req->name, cons, dep->name,
					  dep->version_text, compdb_display_dir(db, dep));
				return false;
			}
		}
	}
	for (int i = 0; i < db->count; i++)
		if (db->comp[i].enabled && !visit(db, &db->comp[i], state, ordered, count))
			return false;
	return true;
}

const char *compdb_display_dir(const struct compdb *db, const struct component *c)
{
	size_t n = strlen(db->srctree);

	if (n && strncmp(c->dir, db->srctree, n) == 0 && c->dir[n] == '/')
		return c->dir + n + 1;
	return c->dir;
}

void compdb_write_kconfig(const struct compdb *db, FILE *f)
{
	static const char *const menus[] = {
		"Architecture support", "Core components", "Device models", "Applications",
	};
	bool done[MAX_COMPONENTS] = { false };

	fprintf(f, "# Generated from the component.yml files found by the build; do not edit.\n");
	/* Known menus first in a fixed order, then any others. */
	for (size_t m = 0; m <= sizeof(menus) / sizeof(menus[0]); m++) {
		for (int i = 0; i < db->count; i++) {
			const char *menu;

			if (done[i])
				continue;
			menu = m < sizeof(menus) / sizeof(menus[0]) ? menus[m] : db->comp[i].menu;
			if (strcmp(db->comp[i].menu, menu) != 0)
				continue;
			fprintf(f, "\nmenu \"%s\"\n", menu);
			for (int j = i; j < db->count; j++) {
				if (done[j] || strcmp(db->comp[j].menu, menu) != 0)
					continue;
				fprintf(f, "# %s %s%s\nsource \"%s/Kconfig\"\n", db->comp[j].name,
					db->comp[j].version_text, db->comp[j].extra ? " (out of tree)" : "",
					db->comp[j].dir);
				done[j] = true;
			}
			fprintf(f, "endmenu\n");
		}
	}
}
