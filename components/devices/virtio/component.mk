obj-y += virtio.o virtqueue.o
obj-$(CONFIG_VIRTIO_MMIO) += virtio_mmio.o
obj-$(CONFIG_VIRTIO_PCI) += virtio_pci.o
obj-$(CONFIG_VIRTIO_BLK) += virtio_blk.o
# The device classes of virtio-blk (how VMs get a disk); image only.
obj-$(CONFIG_VIRTIO_BLK) += virtio_blk_dev.o
# Plain C: host tests and fuzzers exercise every part whatever the target.
host-y += virtio.o virtqueue.o virtio_mmio.o virtio_pci.o virtio_blk.o
