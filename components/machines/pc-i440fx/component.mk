# pc.c: the "pc" machine - its device table, the i440FX/PIIX3/PIIX4
# chipset, PCI interrupt routing and ACPI; everything else is pc-core.
obj-y  += pc.o
