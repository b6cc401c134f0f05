obj-y  += gpt.o hostdisk.o
host-y += gpt.o hostdisk.o
