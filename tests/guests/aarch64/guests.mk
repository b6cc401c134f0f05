# SPDX-License-Identifier: MIT
# The aarch64 test guests: arm64 Images for the virt machine (kernel =).
test-guests := ipi-pingpong hostile victim isolation-scan reset-loop bench-exit

# EL1 with the MMU off: every access is Device memory (no unaligned ones),
# and FP/SIMD traps until CPACR_EL1 enables it.
test-guest-cflags := -mgeneral-regs-only -mstrict-align -mno-outline-atomics -mcmodel=small
test-guest-ldflags := -T $(TG_SRC)/aarch64/guest.ld -static -z max-page-size=4096
test-guest-runtime := start.o arch.o
test-guest-deps := $(TG_SRC)/aarch64/guest.ld

ipi-pingpong-cflags := -DROUNDS=100000u

# The well-behaved VM beside the attackers: RAM 64 MiB at 0x40000000, its
# pattern from 4 MiB on (the image and its stacks are below).
victim-cflags := -DVICTIM_RAM_BASE=0x40000000ul -DVICTIM_RAM_SIZE=0x4000000ul \
	-DVICTIM_FILL_START=0x40400000ul
