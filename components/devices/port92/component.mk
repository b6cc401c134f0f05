obj-y  += port92.o
host-y += port92.o
