# smbios.c builds the structures and the 2.1 entry point; plain C, host-tested.
obj-y  += smbios.o
host-y += smbios.o
