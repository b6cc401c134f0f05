obj-y  += vgic3.o redist.o
host-y += vgic3.o redist.o
