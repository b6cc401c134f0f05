# The libc/ folder replaces the host C headers in image builds only; host
# tests and fuzzers keep the host libc, so string.c, printf.c and stdlib.c
# are image-only.  Their tests include the sources under other names.
IMAGE_CFLAGS += -isystem $(src)/libc

obj-y += libc/string.o libc/printf.o libc/stdlib.o
obj-y += cpio.o cmdline.o inflate.o fdt_writer.o aml_writer.o elf.o civil_time.o

host-y += cpio.o cmdline.o inflate.o fdt_writer.o aml_writer.o elf.o civil_time.o
