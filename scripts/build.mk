# SPDX-License-Identifier: MIT
#
# Builds the hypervisor image from the enabled components.  Run by the top
# Makefile after 'prepare', which leaves in $(objtree):
#   .config                           the configuration (CONFIG_* variables)
#   include/generated/autoconf.h      the same for C
#   components.mk                     COMPONENTS (dependency order) and, per
#                                     component, COMPONENT_DIR_x, _VERSION_x
#   gen/<name>_info.c                 each component's record for the banner
#
# Each component's component.mk adds its objects with obj-y (kbuild style);
# architecture components also set IMAGE_CFLAGS, IMAGE_LDSCRIPT, ...

include $(objtree)/.config
include $(objtree)/components.mk

# Simply-expanded, so that '+= ... $(src)/...' in a component.mk takes the
# folder of that component.
IMAGE_CFLAGS :=
IMAGE_ASFLAGS :=
IMAGE_LDFLAGS :=
IMAGE_LDSCRIPT :=
ALL_OBJS :=
archive-files :=

CC = $(CROSS_COMPILE)gcc
OBJCOPY = $(CROSS_COMPILE)objcopy
LD := ld.lld

INCLUDES := -I$(objtree)/include $(foreach c,$(COMPONENTS),-I$(COMPONENT_DIR_$(c))/include)
BASE_FLAGS = -DTESSERA_VERSION=\"$(TESSERA_VERSION)\" -ffreestanding -nostdlib -fno-stack-protector -fno-common -O2 -g \
	-Wall -Wextra -Werror -include $(objtree)/include/generated/autoconf.h $(INCLUDES)
CFLAGS = -std=c11 $(BASE_FLAGS) $(IMAGE_CFLAGS)
ASFLAGS = -D__ASSEMBLY__ $(BASE_FLAGS) $(IMAGE_CFLAGS) $(IMAGE_ASFLAGS)

quiet = $(if $(Q),@printf '  %-7s %s\n' '$(1)' '$(patsubst $(objtree)/%,%,$(2))')

define add_component
src := $(COMPONENT_DIR_$(1))
obj-y :=
host-y :=
ccflags-y :=
archive-y :=
include $(COMPONENT_DIR_$(1))/component.mk
archive-files += $$(archive-y)
CCFLAGS_$(1) := $$(ccflags-y)
OBJS_$(1) := $$(addprefix $(objtree)/obj/$(1)/,$$(obj-y)) $(objtree)/obj/$(1)/component_info.o
ALL_OBJS += $$(OBJS_$(1))

$(objtree)/obj/$(1)/%.o: $(COMPONENT_DIR_$(1))/%.c $(objtree)/include/generated/autoconf.h
	@mkdir -p $$(@D)
	$$(call quiet,CC,$$@)
	$(Q)$$(CC) $$(CFLAGS) $$(CCFLAGS_$(1)) -MMD -MP -c $$< -o $$@

$(objtree)/obj/$(1)/%.o: $(COMPONENT_DIR_$(1))/%.S $(objtree)/include/generated/autoconf.h
	@mkdir -p $$(@D)
	$$(call quiet,AS,$$@)
	$(Q)$$(CC) $$(ASFLAGS) $$(CCFLAGS_$(1)) -MMD -MP -c $$< -o $$@

$(objtree)/obj/$(1)/component_info.o: $(objtree)/gen/$(1)_info.c
	@mkdir -p $$(@D)
	$$(call quiet,CC,$$@)
	$(Q)$$(CC) $$(CFLAGS) -c $$< -o $$@
endef

$(foreach c,$(COMPONENTS),$(eval $(call add_component,$(c))))

.PHONY: image toolcheck FORCE
image: toolcheck $(objtree)/tessera.elf $(objtree)/tessera.bin archive

toolcheck:
	@command -v $(CC) >/dev/null || { echo "error: the compiler $(CC) is missing; install $(if $(CROSS_COMPILE),gcc-aarch64-linux-gnu,gcc) (bash scripts/setup.sh as root does it), or set CROSS_COMPILE."; exit 1; }
	@command -v $(LD) >/dev/null || { echo "error: the linker ld.lld is missing; install the Debian package lld (bash scripts/setup.sh as root does it)."; exit 1; }
	@command -v cpio >/dev/null || { echo "error: cpio is missing; install the Debian package cpio (bash scripts/setup.sh as root does it)."; exit 1; }
	@test -n "$(IMAGE_LDSCRIPT)" || { echo "error: no architecture component set IMAGE_LDSCRIPT; enable one in 'make menuconfig' (Target architecture)."; exit 1; }

$(objtree)/tessera.elf: $(ALL_OBJS) $(IMAGE_LDSCRIPT) $(objtree)/components.mk
	$(call quiet,LD,$@)
	$(Q)$(LD) -T $(IMAGE_LDSCRIPT) $(IMAGE_LDFLAGS) -L $(COMPONENT_DIR_core) -o $@ $(ALL_OBJS)

$(objtree)/tessera.bin: $(objtree)/tessera.elf
	$(call quiet,OBJCOPY,$@)
	$(Q)$(OBJCOPY) -O binary $< $@

# The boot archive: the configuration the image was built from, the files
# components add with 'archive-y += <name-in-archive>=<file>', and the VM
# configurations of VMS="a.vm b.vm" with the guest files they name (from
# the guest cache $(GUESTS)/<arch>/, test-guests/<name> from the test
# guests built here, else next to the .vm file; see scripts/mkarchive.py).
# BOOTARCHIVE= writes it elsewhere: the test runner gives each guest test
# its own archive for the same image.
VMS ?=
GUESTS ?= $(srctree)/build/guests
PYTHON ?= /usr/bin/python3
BOOTARCHIVE ?= $(objtree)/bootarchive.cpio
ARCHIVE_DIR := $(if $(filter $(objtree)/bootarchive.cpio,$(BOOTARCHIVE)),$(objtree)/archive,$(BOOTARCHIVE).d)
IMAGE_ARCH := $(patsubst "%",%,$(CONFIG_ARCH))

# The bare-metal test guests (tests/guests/): built when a VM names one.
include $(srctree)/tests/guests/guests.mk
TEST_GUEST_VMS := $(if $(strip $(VMS)),$(shell grep -l '^[^#]*test-guests/' $(VMS) /dev/null 2>/dev/null))

.PHONY: archive
archive: $(BOOTARCHIVE)

# The conformance test guests (tests/conform-guests/): built when a VM names one.
include $(srctree)/tests/conform-guests/conform-guests.mk
CONFORM_GUEST_VMS := $(if $(strip $(VMS)),$(shell grep -l '^[^#]*conform-guests/' $(VMS) /dev/null 2>/dev/null))

$(BOOTARCHIVE): $(objtree)/.config $(if $(TEST_GUEST_VMS),test-guests) $(if $(CONFORM_GUEST_VMS),conform-guests) FORCE
	$(call quiet,CPIO,$@)
	$(Q)$(PYTHON) $(srctree)/scripts/mkarchive.py --out $@ --staging $(ARCHIVE_DIR) \
		--arch $(IMAGE_ARCH) --guests '$(GUESTS)' --test-guests '$(TG_OUT)' \
		--conform-guests '$(CG_OUT)' --file etc/tessera.config=$(objtree)/.config \
		$(foreach f,$(archive-files),--file $(f)) $(foreach v,$(VMS),--vm '$(v)')

-include $(shell find $(objtree)/obj -name '*.d' 2>/dev/null)
