obj-y += pci.o msix.o msi.o bridge.o intx.o
obj-$(CONFIG_PCI_ECAM) += ecam.o
obj-$(CONFIG_PCI_I440FX) += i440fx.o piix.o
obj-$(CONFIG_PCI_Q35) += q35_mch.o ich9_lpc.o
# Pieces both PC chipsets use (chipset.h).
ifneq ($(CONFIG_PCI_I440FX)$(CONFIG_PCI_Q35),)
obj-y += pam.o acpi_pm.o pc_isa.o
endif
# The root port and its device class (pcie-root-port instances).
obj-$(CONFIG_PCIE_ROOT_PORT) += pcie_root_port.o pcie_root_port_dev.o
# Plain C: host tests and fuzzers exercise every part whatever the target.
host-y += pci.o msix.o msi.o bridge.o intx.o ecam.o i440fx.o piix.o pam.o acpi_pm.o pc_isa.o \
	  q35_mch.o ich9_lpc.o pcie_root_port.o
