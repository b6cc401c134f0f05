obj-y += ata_disk.o
