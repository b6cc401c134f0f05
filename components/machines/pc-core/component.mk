# board.c: the machine hooks every PC board calls; memory.c: RAM, BIOS and
# PAM; interrupts.c: 8259 + IOAPIC and how ISA and PCI interrupts reach
# them; fwcfg_items.c: what the firmware reads; linux_boot.c: the bzImage
# through fw_cfg; power.c: off and reset; cpu.c: LAPICs, interrupt
# injection, INIT/SIPI, MSRs.
# layout.c (memory map, e820) and bzimage.c (setup header) are plain C,
# host-tested.
# multiboot.c: the kernel by its format, Multiboot kernels through QEMU's
# option ROM; multiboot_plan.c lays them out (plain C, host-tested).
obj-y  += board.o memory.o interrupts.o fwcfg_items.o linux_boot.o power.o cpu.o layout.o bzimage.o
obj-y  += multiboot.o multiboot_plan.o
host-y += layout.o bzimage.o multiboot_plan.o
