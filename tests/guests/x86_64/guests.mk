# SPDX-License-Identifier: MIT
# The x86_64 test guests: 64 KiB firmware images for the pc machine (firmware =).
test-guests := ipi-pingpong timer-halt hostile bench-exit

# Long mode at CPL 0: no red zone (interrupts use the same stack), no SSE
# state to care for.
test-guest-cflags := -m64 -mgeneral-regs-only -mno-red-zone -mcmodel=small
test-guest-ldflags := -T $(TG_SRC)/x86_64/guest.ld -static -z max-page-size=4096
test-guest-runtime := start.o arch.o
test-guest-deps := $(TG_SRC)/x86_64/guest.ld

ipi-pingpong-cflags := -DROUNDS=1000u

# make bench: Bochs executes some 20 million instructions a second.
bench-exit-cflags := -DITERATIONS=2000u
