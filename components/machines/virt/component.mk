# virt.c: the board; psci.c: the firmware interface; boot.c: images;
# boot_layout.c: where a directly booted kernel, initrd and DTB go;
# kernel_image.c: a raw or gzip'd kernel file made bootable (both plain C,
# host-tested).
obj-y  += virt.o psci.o boot.o boot_layout.o kernel_image.o
host-y += boot_layout.o kernel_image.o
