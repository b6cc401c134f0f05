obj-y  += i8254.o
host-y += i8254.o
