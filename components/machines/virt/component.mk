# virt.c: the board and its device table; psci.c: the firmware interface;
# boot.c: images; fdt.c: the guest's device tree (plain C, host-tested);
# boot_layout.c: where a directly booted kernel, initrd and DTB go;
# kernel_image.c: a raw or gzip'd kernel file made bootable (both plain C,
# host-tested).
obj-y  += virt.o psci.o boot.o fdt.o boot_layout.o kernel_image.o
host-y += fdt.o boot_layout.o kernel_image.o
