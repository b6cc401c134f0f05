# SPDX-License-Identifier: MIT
#
# Conformance test guests: small kernels, one assembly file each, that
# check what a guest may rely on (the physical timer, aborts for addresses
# with nothing there, the kernel formats QEMU's -kernel takes).  Included by
# scripts/build.mk, which sets CC, OBJCOPY, LD and IMAGE_ARCH for the
# image's architecture; builds into $(objtree)/conform-guests/:
#
#   <name>.elf    the linked kernel (an ELF executable: loaded by its
#                 program headers)
#   <name>.bin    the same as a flat binary (objcopy -O binary)
#
# A VM names one as conform-guests/<name>.elf or .bin; scripts/mkarchive.py
# takes it from that folder.  Each tests/conform-guests/<arch>/<name>.S is
# a guest, linked with <arch>/guest.ld (docs/guests.md, "Conformance
# guests").

CG_SRC := $(srctree)/tests/conform-guests/$(IMAGE_ARCH)
CG_OUT := $(objtree)/conform-guests
conform-guest-names := $(patsubst $(CG_SRC)/%.S,%,$(wildcard $(CG_SRC)/*.S))
# <arch>/flags.mk may add flags: CG_ARCH_FLAGS (compiler), CG_ARCH_LDFLAGS (linker).
CG_ARCH_FLAGS :=
CG_ARCH_LDFLAGS :=
-include $(CG_SRC)/flags.mk
CG_FLAGS := -D__ASSEMBLY__ -ffreestanding -nostdlib -fno-pie -g -Wall -Werror -I$(CG_SRC) \
	$(CG_ARCH_FLAGS)
CG_LDFLAGS := -static -no-pie --build-id=none $(CG_ARCH_LDFLAGS) -T $(CG_SRC)/guest.ld
CG_DEPS := $(CG_SRC)/guest.ld $(wildcard $(CG_SRC)/*.h $(CG_SRC)/flags.mk) \
	$(srctree)/tests/conform-guests/conform-guests.mk

.PHONY: conform-guests
conform-guests: $(foreach g,$(conform-guest-names),$(CG_OUT)/$(g).elf $(CG_OUT)/$(g).bin)

$(CG_OUT)/%.o: $(CG_SRC)/%.S $(CG_DEPS)
	@mkdir -p $(@D)
	$(call quiet,AS,$@)
	$(Q)$(CC) $(CG_FLAGS) -c $< -o $@

$(CG_OUT)/%.elf: $(CG_OUT)/%.o $(CG_DEPS)
	$(call quiet,LD,$@)
	$(Q)$(LD) $(CG_LDFLAGS) -o $@ $<

$(CG_OUT)/%.bin: $(CG_OUT)/%.elf
	$(call quiet,OBJCOPY,$@)
	$(Q)$(OBJCOPY) -O binary $< $@
