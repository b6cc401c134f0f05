obj-y += pci.o msix.o msi.o bridge.o
obj-$(CONFIG_PCI_ECAM) += ecam.o
obj-$(CONFIG_PCI_I440FX) += i440fx.o piix.o
obj-$(CONFIG_PCIE_ROOT_PORT) += pcie_root_port.o
# Plain C: host tests and fuzzers exercise every part whatever the target.
host-y += pci.o msix.o msi.o bridge.o ecam.o i440fx.o piix.o pcie_root_port.o
