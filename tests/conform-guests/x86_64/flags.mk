# Multiboot kernels are 32-bit: i386 objects, an ELF32 executable.
CG_ARCH_FLAGS := -m32
CG_ARCH_LDFLAGS := -m elf_i386
