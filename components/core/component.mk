obj-y += log.o console.o init.o percpu.o page_alloc.o heap.o kmem.o
obj-y += bootfs.o cmdline.o panic.o smp.o main.o wallclock.o

# The allocators and the log formatter are plain C over explicit state.
host-y += log.o page_alloc.o heap.o
