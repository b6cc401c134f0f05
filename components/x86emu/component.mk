obj-y  += x86emu.o
host-y += x86emu.o
