obj-y  += pl011.o
host-y += pl011.o
