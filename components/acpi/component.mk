# SPDX-License-Identifier: MIT
# acpi.c: the pc tables; arm_virt.c: the virt tables; common.c: what both use.
obj-y  += acpi.o arm_virt.o common.o loader.o dsdt_aml.o
host-y += acpi.o arm_virt.o common.o loader.o dsdt_aml.o

# dsdt.asl -> dsdt.aml (iasl) -> dsdt_aml.c (a C array) -> dsdt_aml.o, for
# the image and for the host tests.  The build has no generic rule for
# generated sources, so the rules are spelled out here; this file is read
# by scripts/build.mk and scripts/host.mk (which defines HOST_CFLAGS).
# Variables are copied with := because $(src) changes with every component.
ACPI_SRC := $(src)
ACPI_GEN := $(objtree)/gen/acpi

# Temporary names carry the shell's PID: image and host builds may run at once.
$(ACPI_GEN)/dsdt.aml: $(ACPI_SRC)/dsdt.asl
	@mkdir -p $(@D)
	$(call quiet,IASL,$@)
	@command -v iasl >/dev/null || { echo "error: iasl is missing; install the Debian package acpica-tools (bash scripts/setup.sh as root does it)."; exit 1; }
	$(Q)iasl -ve -p $(ACPI_GEN)/dsdt-tmp$$$$ $< >/dev/null && mv $(ACPI_GEN)/dsdt-tmp$$$$.aml $@

$(ACPI_GEN)/dsdt_aml.c: $(ACPI_GEN)/dsdt.aml
	$(call quiet,GEN,$@)
	$(Q){ echo '/* Generated from dsdt.asl by iasl; do not edit. */'; \
	  echo '#include <acpi/acpi.h>'; \
	  echo 'const uint8_t acpi_dsdt_aml[] = {'; \
	  od -An -v -tx1 $< | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g' -e 's/^/\t/'; \
	  echo '};'; \
	  echo "const uint32_t acpi_dsdt_aml_len = $$(wc -c < $<);"; } > $@.$$$$ && mv $@.$$$$ $@

ifdef HOST_CFLAGS
$(OUT)/obj/acpi/dsdt_aml.o: $(ACPI_GEN)/dsdt_aml.c $(objtree)/include/generated/autoconf.h
	@mkdir -p $(@D)
	$(call quiet,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@
else
$(objtree)/obj/acpi/dsdt_aml.o: $(ACPI_GEN)/dsdt_aml.c $(objtree)/include/generated/autoconf.h
	@mkdir -p $(@D)
	$(call quiet,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@
endif
