obj-y  += doorbell.o
host-y += doorbell.o
