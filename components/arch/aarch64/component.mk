# Cross compiler unless the command line or the top Makefile chose one.
CROSS_COMPILE ?= aarch64-linux-gnu-

# The image is position independent: it is linked at 0 and relocates
# itself (head.S), so it runs wherever the loader put it.  Code before
# the MMU is on runs with every access treated as Device memory, where
# unaligned accesses fault: hence -mstrict-align.  The hypervisor does
# not use FP/SIMD registers, which belong to the guests.
IMAGE_CFLAGS += -fpie -fvisibility=hidden -mstrict-align -mgeneral-regs-only \
	-mno-outline-atomics -mcmodel=small
IMAGE_ASFLAGS += -fpie
IMAGE_LDFLAGS += -pie --no-dynamic-linker -z notext -z norelro --hash-style=sysv \
	-z max-page-size=4096
IMAGE_LDSCRIPT := $(src)/image.ld

obj-y += head.o vectors.o boot.o platform.o fdt.o mmu.o pl011.o gic.o psci.o
obj-y += timer.o cpu.o exception.o smp.o

# The device tree reader is plain C over a byte buffer.
host-y += fdt.o
