# Each architecture brings its own backend behind include/vcpu/*.h.
obj-$(CONFIG_ARCH_X86_64)  += arch/x86_64/vmx.o
obj-$(CONFIG_ARCH_AARCH64) += arch/aarch64/el2.o
