# SPDX-License-Identifier: MIT
#
# Bare-metal test guests (docs/guests.md, "Bare-metal test guests").  Included by
# scripts/build.mk, which sets CC, OBJCOPY, LD and IMAGE_ARCH for the
# image's architecture; builds into $(objtree)/test-guests/:
#
#   make test-guests        every test guest of the configured architecture
#
# A VM names one as test-guests/<name>.bin (kernel = on aarch64, firmware =
# on x86_64); scripts/mkarchive.py takes it from that folder.
#
# The sources:
#   tests/guests/include/guest.h       what a test guest may call
#   tests/guests/lib/*.c               the same on every architecture
#   tests/guests/<arch>/guests.mk      that architecture's guests and flags
#   tests/guests/<arch>/*.S, *.c       its start code and <guest.h>
#   tests/guests/<name>.c              a guest for every architecture, or
#   tests/guests/<arch>/<name>.c       one for that architecture only (it wins
#                                      over tests/guests/<name>.c)
#
# Adding a guest: write <name>.c with guest_main(), add the name to
# test-guests in tests/guests/<arch>/guests.mk (and <name>-cflags if it
# needs defines), point a .vm at test-guests/<name>.bin.

TG_SRC := $(srctree)/tests/guests
TG_OUT := $(objtree)/test-guests

# Set by the architecture's fragment:
#   test-guests           the guests' names
#   test-guest-cflags     compiler flags of every guest object
#   test-guest-ldflags    linker flags (the link script among them)
#   test-guest-runtime    its runtime objects (sources in tests/guests/<arch>/)
#   test-guest-deps       files every guest's link depends on (the link script)
#   <name>-cflags         extra flags for that guest's own source
test-guests :=
test-guest-cflags :=
test-guest-ldflags :=
test-guest-runtime :=
test-guest-deps :=
-include $(TG_SRC)/$(IMAGE_ARCH)/guests.mk

TG_CFLAGS = -std=c11 -ffreestanding -nostdlib -fno-stack-protector -fno-common -fno-pie \
	-fno-asynchronous-unwind-tables -O2 -g -Wall -Wextra -Werror -I$(TG_SRC)/include \
	$(test-guest-cflags)
TG_LIB := $(patsubst $(TG_SRC)/%.c,%.o,$(wildcard $(TG_SRC)/lib/*.c))
TG_RUNTIME := $(addprefix $(TG_OUT)/obj/,$(test-guest-runtime) $(TG_LIB))
# Flags live in these: a change rebuilds every guest.
TG_MAKEFILES := $(TG_SRC)/guests.mk $(wildcard $(TG_SRC)/$(IMAGE_ARCH)/guests.mk)

.PHONY: test-guests
test-guests: $(foreach g,$(test-guests),$(TG_OUT)/$(g).bin)

$(TG_OUT)/obj/%.o: $(TG_SRC)/$(IMAGE_ARCH)/%.S $(TG_MAKEFILES)
	@mkdir -p $(@D)
	$(call quiet,AS,$@)
	$(Q)$(CC) -D__ASSEMBLY__ $(TG_CFLAGS) -MMD -MP -c $< -o $@

$(TG_OUT)/obj/%.o: $(TG_SRC)/$(IMAGE_ARCH)/%.c $(TG_MAKEFILES)
	@mkdir -p $(@D)
	$(call quiet,CC,$@)
	$(Q)$(CC) $(TG_CFLAGS) $(TG_EXTRA) -MMD -MP -c $< -o $@

$(TG_OUT)/obj/%.o: $(TG_SRC)/%.c $(TG_MAKEFILES)
	@mkdir -p $(@D)
	$(call quiet,CC,$@)
	$(Q)$(CC) $(TG_CFLAGS) $(TG_EXTRA) -MMD -MP -c $< -o $@

# One guest: its object (with <name>-cflags), the link, the flat image.
define test_guest_rules
$(TG_OUT)/obj/$(1).o: TG_EXTRA := $$($(1)-cflags)
$(TG_OUT)/$(1).elf: $(TG_OUT)/obj/$(1).o $(TG_RUNTIME) $(test-guest-deps)
	$$(call quiet,LD,$$@)
	$(Q)$(LD) $(test-guest-ldflags) -o $$@ $(TG_RUNTIME) $(TG_OUT)/obj/$(1).o
$(TG_OUT)/$(1).bin: $(TG_OUT)/$(1).elf
	$$(call quiet,OBJCOPY,$$@)
	$(Q)$(OBJCOPY) -O binary $$< $$@
endef
$(foreach g,$(test-guests),$(eval $(call test_guest_rules,$(g))))

-include $(shell find $(TG_OUT)/obj -name '*.d' 2>/dev/null)
