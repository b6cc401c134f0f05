obj-y  += bus.o irq.o guest_mem.o vclock.o device.o
host-y += bus.o irq.o guest_mem.o vclock.o device.o
