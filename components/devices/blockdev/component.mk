obj-y  += blockdev.o memdisk.o
host-y += blockdev.o memdisk.o
