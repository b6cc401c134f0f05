# Each architecture brings its own backend behind include/vcpu/*.h; the
# page-table walker (pgtable.c), <vcpu/gspace.h> on top of it (gspace.c)
# and the VMID/VPID pools (idpool.c) are shared.
obj-y += exit.o pgtable.o gspace.o idpool.o
obj-$(CONFIG_VCPU_SELFTEST) += selftest.o
# x86: the VMX vendor half, then the vendor-neutral policy (x86_vcpu.h).
obj-$(CONFIG_ARCH_X86_64)  += arch/x86_64/vmx.o arch/x86_64/vcpu_vmx.o arch/x86_64/vmx_switch.o \
	arch/x86_64/vmx_exit.o arch/x86_64/ept.o arch/x86_64/guest_phys.o
obj-$(CONFIG_ARCH_X86_64)  += arch/x86_64/cpuid.o arch/x86_64/msr.o arch/x86_64/cr.o \
	arch/x86_64/xsetbv.o arch/x86_64/vmcall.o arch/x86_64/io_emul.o arch/x86_64/guest_mem.o
ifeq ($(CONFIG_ARCH_X86_64)$(CONFIG_VCPU_SELFTEST),yy)
obj-y += arch/x86_64/selftest_x86.o arch/x86_64/selftest_guest.o
endif
obj-$(CONFIG_ARCH_AARCH64) += arch/aarch64/el2.o arch/aarch64/switch.o \
	arch/aarch64/stage2.o arch/aarch64/exit_decode.o arch/aarch64/interrupts.o arch/aarch64/ptimer.o \
	arch/aarch64/selftest_arch.o arch/aarch64/selftest_guest.o
obj-$(CONFIG_VCPU_SELFTEST_IRQ) += arch/aarch64/selftest_irq.o arch/aarch64/selftest_irq_guest.o

# Plain C parts, tested on the host whatever the image's architecture.
# The table formats (stage2.c, ept.c), gspace.c and the ESR_EL2 decoder
# need a few hardware functions of the backends, so their tests include
# them next to their own versions of those (tests/test_stage2.c,
# tests/test_ept.c, tests/test_exit_decode.c).
host-y += exit.o pgtable.o idpool.o
