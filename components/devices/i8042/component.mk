obj-y  += i8042.o
host-y += i8042.o
