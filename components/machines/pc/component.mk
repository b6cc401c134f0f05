# pc.c: the machine's hooks; memory.c: RAM, BIOS and PAM; devices.c: the
# devices and interrupt routing; fwcfg_items.c: what the firmware reads;
# linux_boot.c: the bzImage through fw_cfg; power.c: off and reset;
# cpu.c: LAPICs, interrupt injection, INIT/SIPI, MSRs.
# layout.c (memory map, e820) and bzimage.c (setup header) are plain C,
# host-tested.
obj-y  += pc.o memory.o devices.o fwcfg_items.o linux_boot.o power.o cpu.o layout.o bzimage.o
host-y += layout.o bzimage.o
