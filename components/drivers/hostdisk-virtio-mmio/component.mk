obj-y += virtio_mmio_disk.o
