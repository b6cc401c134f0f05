obj-y  += ioapic.o
host-y += ioapic.o
