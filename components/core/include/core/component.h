/* SPDX-License-Identifier: MIT */
/*
 * What the image knows about the components linked into it.
 *
 * The build generates, for every enabled component, one small object that
 * places a struct component_info in the ".components" section.  Because that
 * object is part of the component, disabling the component removes the
 * record, and the banner lists exactly what is in the image.
 */
#ifndef CORE_COMPONENT_H
#define CORE_COMPONENT_H

struct component_info {
	const char *name;
	const char *version;     /* semantic version, "major.minor.patch" */
	const char *description;
	const char *origin;      /* folder it was built from */
};

#define COMPONENT_INFO(ident, n, v, d, o)                                  \
	static const struct component_info component_info_##ident          \
		__attribute__((used, section(".components"), aligned(8))) = \
			{ n, v, d, o }

extern const struct component_info __components_start[];
extern const struct component_info __components_end[];

#define for_each_component(c) \
	for (const struct component_info *c = __components_start; c < __components_end; c++)

#endif
