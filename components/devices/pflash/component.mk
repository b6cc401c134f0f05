obj-y  += pflash.o
host-y += pflash.o
