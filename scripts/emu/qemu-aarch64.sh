#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Runs a Tessera aarch64 build in QEMU's virt machine, loaded as an arm64
# Linux Image ("-kernel"), entered at EL2 (virtualization=on) with a GICv3:
#   scripts/emu/qemu-aarch64.sh run|test|debug <builddir> <cmdline>
#   run    the serial console is this terminal (Ctrl-A X quits)
#   test   serial output on stdout, input from stdin when it is a pipe
#          (else none); ends when the image powers off
#   debug  QEMU waits for gdb on port 1234
# Environment: SMP (CPUs, default 2), MEM (default 1G), EL (2, default, or
# 1: without virtualization=on QEMU enters the image at EL1, which it must
# refuse with one clear sentence), ICOUNT (unset, or N for -icount shift=N:
# one CPU at a time, each instruction 2^N ns of virtual time, so the
# counters count instructions: a deterministic clock for measurements),
# HOSTDISK (unset, or a raw disk image: the host disk, docs/persistence.md,
# attached as virtio-blk on virtio-mmio, the transport's version 2 layout;
# HOSTDISK_CACHE picks QEMU's cache mode, default writeback).
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
el=${EL:-2}
icount=${ICOUNT:-}

case $mode in
run|test|debug) ;;
*) echo "error: unknown mode '$mode' (run, test or debug)" >&2; exit 2 ;;
esac
case $el in
2) machine=virt,virtualization=on,gic-version=3 ;;
1) machine=virt,gic-version=3 ;;
*) echo "error: EL must be 1 or 2, not '$el'" >&2; exit 2 ;;
esac

if ! command -v qemu-system-aarch64 >/dev/null 2>&1; then
	echo "error: qemu-system-aarch64 is missing; install the Debian package qemu-system-arm." >&2
	exit 1
fi
for f in tessera.bin tessera.elf bootarchive.cpio; do
	if [ ! -f "$builddir/$f" ]; then
		echo "error: $builddir/$f is missing; build the image first (make aarch64_defconfig && make)." >&2
		exit 1
	fi
done

set -- qemu-system-aarch64 -M "$machine" -cpu max -smp "$smp" -m "$mem" \
	-kernel "$builddir/tessera.bin" -initrd "$builddir/bootarchive.cpio" \
	-append "$cmdline" -no-reboot
if [ -n "${HOSTDISK:-}" ]; then
	if [ ! -f "$HOSTDISK" ]; then
		echo "error: the host disk $HOSTDISK does not exist; make it with 'make hostdisk'." >&2
		exit 1
	fi
	set -- "$@" -global virtio-mmio.force-legacy=false \
		-drive "file=$HOSTDISK,format=raw,if=none,id=hostdisk,cache=${HOSTDISK_CACHE:-writeback}" \
		-device virtio-blk-device,drive=hostdisk
fi
if [ -n "$icount" ]; then
	case $icount in
	*[!0-9]*) echo "error: ICOUNT must be a number (the -icount shift), not '$icount'" >&2; exit 2 ;;
	esac
	set -- "$@" -icount shift="$icount"
fi

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
	if command -v gdb-multiarch >/dev/null 2>&1; then gdb=gdb-multiarch; else gdb=aarch64-linux-gnu-gdb; fi
	# The image is linked at 0 and relocates itself; QEMU loads an Image
	# with text_offset 0 at the RAM base + 2 MiB.
	echo "QEMU waits for gdb; attach with:"
	echo "  $gdb -ex 'set architecture aarch64' -ex 'add-symbol-file $builddir/tessera.elf -o 0x40200000' -ex 'target remote :1234'"
	echo "(gdb-multiarch is in the Debian package gdb-multiarch; break on kernel_main, then 'continue')"
	exec "$@" -nographic -s -S
	;;
esac
