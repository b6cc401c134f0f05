#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Builds a bootable ISO (GRUB, Multiboot2) of a Tessera x86_64 build:
#   scripts/mkiso.sh <builddir> <cmdline> <iso>
# GRUB loads <builddir>/tessera.elf with <cmdline> and
# <builddir>/bootarchive.cpio as its boot archive module.
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 <builddir> <cmdline> <iso>" >&2
	exit 2
fi
builddir=$1
cmdline=$2
iso=$3

for tool in grub-mkrescue xorriso mformat; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		case $tool in
		grub-mkrescue) pkg=grub-common ;;
		xorriso) pkg=xorriso ;;
		mformat) pkg=mtools ;;
		esac
		echo "error: $tool is missing; install the Debian package $pkg (and grub-pc-bin)." >&2
		exit 1
	fi
done
if [ ! -d /usr/lib/grub/i386-pc ]; then
	echo "error: GRUB's BIOS modules (/usr/lib/grub/i386-pc) are missing; install the Debian package grub-pc-bin." >&2
	exit 1
fi
for f in tessera.elf bootarchive.cpio; do
	if [ ! -f "$builddir/$f" ]; then
		echo "error: $builddir/$f is missing; build the image first (make x86_64_defconfig && make)." >&2
		exit 1
	fi
done

staging=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$staging" "$log"' EXIT
mkdir -p "$staging/boot/grub"
cp "$builddir/tessera.elf" "$builddir/bootarchive.cpio" "$staging/boot/"
cat >"$staging/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
menuentry "Tessera" {
	multiboot2 /boot/tessera.elf $cmdline
	module2 /boot/bootarchive.cpio bootarchive
	boot
}
CFG
# Only the BIOS platform: Bochs and legacy machines boot from El Torito.
if ! grub-mkrescue -o "$iso" -d /usr/lib/grub/i386-pc "$staging" >"$log" 2>&1; then
	echo "error: grub-mkrescue failed to build $iso:" >&2
	cat "$log" >&2
	exit 1
fi
