# The x86_64 hardware layer: boot, descriptor tables, console, timer, SMP.
obj-y += head.o entry.o trampoline.o
obj-y += boot.o cpu.o arch.o uart.o timer.o acpi.o smp.o power.o wait.o cmos.o

# Freestanding long-mode code below 2 GiB, identity-mapped: the small code
# model works; no red zone because exceptions use the interrupted stack;
# no SSE because nothing saves it.
IMAGE_CFLAGS += -m64 -mcmodel=small -mno-red-zone -mgeneral-regs-only \
	-fno-pie -fno-pic -fno-asynchronous-unwind-tables
IMAGE_ASFLAGS += -m64 -fno-pie -fno-pic
IMAGE_LDSCRIPT := $(src)/linker.ld
IMAGE_LDFLAGS += -z max-page-size=4096
host-y += acpi.o
