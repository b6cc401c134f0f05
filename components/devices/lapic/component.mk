obj-y  += lapic.o
host-y += lapic.o
