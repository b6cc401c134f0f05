obj-y  += fwcfg.o
host-y += fwcfg.o
