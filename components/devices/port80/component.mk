obj-y  += port80.o
host-y += port80.o
