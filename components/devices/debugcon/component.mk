# debugcon.c: the port and the device class; plain C, host-tested.
obj-y  += debugcon.o
host-y += debugcon.o
