/* SPDX-License-Identifier: MIT */
/*
 * The component database: finds component folders (those holding a
 * component.yml), reads their manifests, lets out-of-tree components
 * replace in-tree ones of the same name, decides which are enabled by a
 * .config, checks every requirement and orders them so that a component
 * comes after everything it requires.
 */
#ifndef COMPDB_COMPDB_H
#define COMPDB_COMPDB_H

#include <stdbool.h>
#include <stdio.h>

#include "semver.h"

#define MAX_COMPONENTS 256
#define MAX_REQUIRES 16
#define PATH_LEN 1024

struct component {
	char name[64];
	char version_text[40];
	struct semver version;
	char description[160];
	char kconfig[64];        /* symbol without CONFIG_              */
	char menu[64];           /* Kconfig menu it appears in          */
	char dir[PATH_LEN];      /* absolute folder                     */
	bool extra;              /* from EXTRA_COMPONENTS               */
	char replaced[PATH_LEN]; /* in-tree folder it replaces, or ""   */
	struct requirement req[MAX_REQUIRES];
	int req_count;
	bool enabled;
	int order;               /* position in dependency order        */
};

struct compdb {
	struct component comp[MAX_COMPONENTS];
	int count;
	char srctree[PATH_LEN];
	char error[1024];        /* first error, one sentence           */
};

void compdb_init(struct compdb *db, const char *srctree);

/* Parses a component.yml text.  false + db->error on a bad manifest. */
bool compdb_parse_manifest(struct compdb *db, const char *text, const char *path,
			   const char *dir, struct component *out);

/*
 * Adds every component below root (stopping at component folders).
 * extra: the components replace in-tree ones with the same name.
 */
bool compdb_scan(struct compdb *db, const char *root, bool extra);

struct component *compdb_find(struct compdb *db, const char *name);

/* Marks components enabled from a .config text ("CONFIG_X=y" lines). */
void compdb_apply_config(struct compdb *db, const char *config_text);

/*
 * Checks the requirements of every enabled component and orders them.
 * false + db->error (one sentence naming both components) on failure.
 */
bool compdb_resolve(struct compdb *db, struct component **ordered, int *count);

/* Writes the Kconfig that sources every component's Kconfig. */
void compdb_write_kconfig(const struct compdb *db, FILE *f);

/* Folder shown to people: relative to the source tree when inside it. */
const char *compdb_display_dir(const struct compdb *db, const struct component *c);

#endif
