/* SPDX-License-Identifier: MIT */
/*
 * Options on the image's own command line (Multiboot2 cmdline, DTB
 * /chosen/bootargs), e.g. "loglevel=debug poweroff".  A component declares
 * the options it understands where it uses them:
 *
 *   static int set_loglevel(const char *value) { ... }
 *   CMDLINE_OPTION("loglevel", set_loglevel, "error|warn|info|debug|trace");
 *
 * value is NULL for a bare flag.  Unknown options are reported once.
 */
#ifndef CORE_CMDLINE_H
#define CORE_CMDLINE_H

struct cmdline_option {
	const char *name;
	int (*handler)(const char *value);  /* 0 or negative errno */
	const char *help;
};

#define CMDLINE_OPTION(n, fn, h)                                           \
	static const struct cmdline_option cmdline_option_##fn             \
		__attribute__((used, section(".cmdline_options"), aligned(8))) = \
			{ n, fn, h }

extern const struct cmdline_option __cmdline_options_start[];
extern const struct cmdline_option __cmdline_options_end[];

/* Applies every option of the command line; called by kernel_main(). */
void cmdline_apply(const char *cmdline);

#endif
