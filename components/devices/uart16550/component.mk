obj-y  += uart16550.o
host-y += uart16550.o
