# virt.c: the board; psci.c: the firmware interface; boot.c: images;
# boot_layout.c: where a directly booted kernel, initrd and DTB go
# (plain C, host-tested).
obj-y  += virt.o psci.o boot.o boot_layout.o
host-y += boot_layout.o
