obj-y  += i8259.o
host-y += i8259.o
