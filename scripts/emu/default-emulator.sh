#!/bin/sh
# SPDX-License-Identifier: MIT
# Prints the emulator 'make run' uses for an architecture: QEMU for
# aarch64; for x86_64 QEMU with KVM when this host can nest VMX, else Bochs
# (QEMU's software emulator has no VMX).
case "$1" in
aarch64) echo qemu ;;
x86_64)
	if [ -w /dev/kvm ] && grep -qw vmx /proc/cpuinfo 2>/dev/null; then
		echo qemu
	else
		echo bochs
	fi ;;
*) echo "error: unknown architecture '$1'" >&2; exit 1 ;;
esac
