# q35.c: the "q35" machine - its device table, the MCH/ICH9 chipset,
# PCI interrupt routing (PIRQ A-H) and ACPI; everything else is pc-core.
obj-y  += q35.o
