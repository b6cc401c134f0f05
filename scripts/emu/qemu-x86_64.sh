#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Runs a Tessera x86_64 build in QEMU through "-kernel" (PVH entry):
#   scripts/emu/qemu-x86_64.sh run|test|debug <builddir> <cmdline>
# With KVM and a host CPU with VMX, QEMU runs it with "-accel kvm -cpu host"
# (nested VMX); otherwise under TCG, which has no VMX: the image then says
# so and stops.
#   run    the serial console is this terminal (Ctrl-A X quits)
#   test   serial output on stdout, input from stdin when it is a pipe
#          (else none); ends when the image powers off
#   debug  QEMU waits for gdb on port 1234
# Environment: SMP (CPUs, default 2), MEM (default 1G).
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 run|test|debug <builddir> [cmdline]" >&2
	exit 2
fi
mode=$1
builddir=$2
cmdline=${3:-}
smp=${SMP:-2}
mem=${MEM:-1G}

case $mode in
run|test|debug) ;;
*) echo "error: unknown mode '$mode' (run, test or debug)" >&2; exit 2 ;;
esac

if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	echo "error: qemu-system-x86_64 is missing; install the Debian package qemu-system-x86." >&2
	exit 1
fi
for f in tessera.elf bootarchive.cpio; do
	if [ ! -f "$builddir/$f" ]; then
		echo "error: $builddir/$f is missing; build the image first (make x86_64_defconfig && make)." >&2
		exit 1
	fi
done

if [ -w /dev/kvm ] && grep -qw vmx /proc/cpuinfo 2>/dev/null; then
	accel="-accel kvm -cpu host"
else
	accel="-accel tcg -cpu max"
fi

# isa-debug-exit is the last resort of arch_poweroff() after ACPI S5.
set -- qemu-system-x86_64 -M pc $accel -smp "$smp" -m "$mem" \
	-kernel "$builddir/tessera.elf" -initrd "$builddir/bootarchive.cpio" \
	-append "$cmdline" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-no-reboot

case $mode in
run)
	exec "$@" -nographic
	;;
test)
	# Console input only from a pipe (the test runner's, for a test that
	# types into the guest); a terminal or anything else gives none.
	[ -p /dev/stdin ] || exec </dev/null
	exec "$@" -display none -chardev stdio,id=console,signal=off \
		-serial chardev:console -monitor none
	;;
debug)
	echo "QEMU waits for gdb; attach with:"
	echo "  gdb -ex 'target remote :1234' $builddir/tessera.elf"
	echo "(the image runs identity-mapped; break on kernel_main, then 'continue')"
	exec "$@" -nographic -s -S
	;;
esac
