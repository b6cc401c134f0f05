obj-y  += pl031.o
host-y += pl031.o
