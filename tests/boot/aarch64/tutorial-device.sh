#!/bin/bash
# SPDX-License-Identifier: MIT
#
# What docs/device-tutorial.md tells a reader to do, step by step, with the
# tutorial's doorbell copied out of the tree first (the way a researcher
# keeps their own device): build it in with EXTRA_COMPONENTS, run its host
# test, build its guest driver into a test initramfs, and pack the one-line
# VM.  Called by the test runner as: tutorial-device.sh SRCTREE RUNDIR ARCH
set -euo pipefail
src=$1
rundir=$2
arch=$3
guests=${GUESTS:-$src/build/guests}

work=$rundir/work
rm -rf "$work"
mkdir -p "$work"
cp -r "$src/docs/tutorial/doorbell" "$work/doorbell"       # 1. your own folder
build=$work/build
echo "== make ${arch}_defconfig"
make -s -C "$src" O="$build" "${arch}_defconfig"
echo "== make EXTRA_COMPONENTS=.../doorbell components"
make -s -C "$src" O="$build" EXTRA_COMPONENTS="$work/doorbell" components | tee "$work/components"
grep -q "^doorbell  *0\.1\.0 .*(out of tree)$" "$work/components" || {
	echo "error: the doorbell is not among the components"
	exit 1
}
echo "== make test-one T=unit/doorbell/test_doorbell"
make -s -C "$src" O="$build" test-one T=unit/doorbell/test_doorbell | tail -n 2
echo "== make guest-initrd DIR=.../doorbell/guest"
make -s -C "$src" O="$build" GUESTS="$guests" guest-initrd DIR="$work/doorbell/guest"
echo "== make VMS=.../doorbell/doorbell.vm"
make -s -C "$src" O="$build" GUESTS="$guests" VMS="$work/doorbell/doorbell.vm"
for f in tessera.bin tessera.elf bootarchive.cpio; do
	ln -sf "$build/$f" "$rundir/$f"
done
