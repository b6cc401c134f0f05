obj-y  += config.o config_archive.o
# machines.c: the machine registry (<vm/machine.h>), also in host tests.
obj-y  += machines.o
# The VM runtime: creation, RAM, reset/off, statistics (vm.c), the vCPU
# run loop (run.c), guest console output and input switching (console.c).
obj-y  += vm.o run.o console.o console_mux.o
# flash.c: a flash bank mapped while in read-array mode (<vm/flash.h>),
# for the machines that give firmware a pflash.
obj-$(CONFIG_PFLASH) += flash.o
# config_archive.c walks the boot archive (core/bootfs.c is image-only);
# its host test includes it next to a small archive table of its own.
host-y += config.o machines.o console_mux.o
