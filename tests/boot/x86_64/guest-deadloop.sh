#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A firmware that writes POST code 0x42 to port 0x80, disables interrupts
# and jumps to itself at the reset vector: the smallest guest that can no
# longer do anything.  Builds the 64 KiB image and the image and archive
# with its VM.  Called by the test runner as: guest-deadloop.sh SRCTREE RUNDIR ARCH
set -euo pipefail
src=$1
rundir=$2
arch=$3

work=$rundir/work
rm -rf "$work"
mkdir -p "$work"
# 0xFFF0: mov al, 0x42; out 0x80, al; cli; jmp $   (the CPU starts at F000:FFF0)
head -c 65520 /dev/zero >"$work/deadloop.bin"
printf '\260\102\346\200\372\353\376' >>"$work/deadloop.bin"
head -c 9 /dev/zero >>"$work/deadloop.bin"
cat >"$work/deadloop.vm" <<'VM'
name     = deadloop
cpus     = 2
memory   = 64M
firmware = deadloop.bin
VM
build=$work/build
make -s -C "$src" O="$build" "${arch}_defconfig"
make -s -C "$src" O="$build" VMS="$work/deadloop.vm"
for f in tessera.bin tessera.elf bootarchive.cpio; do
	ln -sf "$build/$f" "$rundir/$f"
done
