# SPDX-License-Identifier: MIT
# acpi.c: the pc and q35 tables; arm_virt.c: the virt tables; common.c: what all use.
obj-y  += acpi.o arm_virt.o common.o loader.o dsdt_aml.o dsdt_q35_aml.o
host-y += acpi.o arm_virt.o common.o loader.o dsdt_aml.o dsdt_q35_aml.o

# <name>.asl -> <name>.aml (iasl) -> <name>_aml.c (a C array acpi_<name>_aml
# and its length acpi_<name>_aml_len) -> <name>_aml.o, for the image and
# for the host tests; <name> is dsdt (pc) and dsdt_q35 (q35).  The build
# has no generic rule for generated sources, so the rules are spelled out
# here; this file is read by scripts/build.mk and scripts/host.mk (which
# defines HOST_CFLAGS).
# Variables are copied with := because $(src) changes with every component.
ACPI_SRC := $(src)
ACPI_GEN := $(objtree)/gen/acpi
ACPI_DSDTS := dsdt dsdt_q35

# Temporary names carry the shell's PID: image and host builds may run at once.
$(patsubst %,$(ACPI_GEN)/%.aml,$(ACPI_DSDTS)): $(ACPI_GEN)/%.aml: $(ACPI_SRC)/%.asl
	@mkdir -p $(@D)
	$(call quiet,IASL,$@)
	@command -v iasl >/dev/null || { echo "error: iasl is missing; install the Debian package acpica-tools (bash scripts/setup.sh as root does it)."; exit 1; }
	$(Q)iasl -ve -p $(ACPI_GEN)/$*-tmp$$$$ $< >/dev/null && mv $(ACPI_GEN)/$*-tmp$$$$.aml $@

$(patsubst %,$(ACPI_GEN)/%_aml.c,$(ACPI_DSDTS)): $(ACPI_GEN)/%_aml.c: $(ACPI_GEN)/%.aml
	$(call quiet,GEN,$@)
	$(Q){ echo '/* Generated from $*.asl by iasl; do not edit. */'; \
	  echo '#include <acpi/acpi.h>'; \
	  echo 'const uint8_t acpi_$*_aml[] = {'; \
	  od -An -v -tx1 $< | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g' -e 's/^/\t/'; \
	  echo '};'; \
	  echo "const uint32_t acpi_$*_aml_len = $$(wc -c < $<);"; } > $@.$$$$ && mv $@.$$$$ $@

ifdef HOST_CFLAGS
$(patsubst %,$(OUT)/obj/acpi/%_aml.o,$(ACPI_DSDTS)): $(OUT)/obj/acpi/%.o: $(ACPI_GEN)/%.c $(objtree)/include/generated/autoconf.h
	@mkdir -p $(@D)
	$(call quiet,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@
else
$(patsubst %,$(objtree)/obj/acpi/%_aml.o,$(ACPI_DSDTS)): $(objtree)/obj/acpi/%.o: $(ACPI_GEN)/%.c $(objtree)/include/generated/autoconf.h
	@mkdir -p $(@D)
	$(call quiet,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@
endif
