#!/bin/bash
# SPDX-License-Identifier: MIT
#
# A test initramfs with a folder of your own added to it:
#
#   scripts/guests/guest-initrd.sh ARCH DIR [GUESTS]
#
# DIR holds what the guest should get: Linux kernel modules to build (a
# Kbuild file and their sources, built against Debian's headers of exactly
# the kernel the test guests run) and shell fragments (*.sh) that the
# guest's /init runs before its marker line (scripts/guests/init.sh).  The
# result is DIR/initrd.cpio.gz: the test initramfs GUESTS/ARCH/initrd.cpio.gz
# (make guests) with a second archive appended, which Linux unpacks over
# the first:
#
#   /lib/modules/<module>.ko    every module built from DIR
#   /tessera.d/<name>.sh        every *.sh of DIR
#
# The headers come from three Debian packages (linux-headers-<version>-
# <flavour>, linux-headers-<version>-common, linux-kbuild-<major.minor> for
# this machine), downloaded once into GUESTS/cache like the guests.
set -euo pipefail

srctree=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
arch=${1:-}
dir=${2:-}
guests=${3:-$srctree/build/guests}

die() {
	echo "error: $*" >&2
	exit 1
}

if [ -z "$arch" ] || [ -z "$dir" ]; then
	die "usage: guest-initrd.sh ARCH DIR [GUESTS]"
fi
case $arch in
aarch64) deb_arch=arm64 cross=aarch64-linux-gnu- kernel_arch=arm64 ;;
x86_64) deb_arch=amd64 cross='' kernel_arch=x86 ;;
*) die "unknown architecture '$arch' (use aarch64 or x86_64)." ;;
esac
[ -d "$dir" ] || die "$dir is not a folder."
dir=$(cd "$dir" && pwd)
[ -d "$guests" ] || die "$guests does not exist; run 'make guests GUEST_ARCH=$arch' first."
guests=$(cd "$guests" && pwd)
base=$guests/$arch/initrd.cpio.gz
[ -f "$base" ] || die "$base is missing; run 'make guests GUEST_ARCH=$arch' first."
kernel=$(cat "$guests/$arch/kernel-version")          # 6.1.0-57-arm64
version=${kernel%-*}                                   # 6.1.0-57
package=$(sed -n "s/^package linux-image-${kernel}[^=]*=//p" "$guests/$arch/MANIFEST")
[ -n "$package" ] || die "$guests/$arch/MANIFEST names no linux-image package."
kbuild_series=$(echo "$version" | cut -d. -f1,2)       # 6.1

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/lib/modules" "$staging/tessera.d"

# ---- modules ----
if [ -f "$dir/Kbuild" ]; then
	cache=$guests/cache
	headers=$cache/headers/$kernel
	if [ ! -f "$headers/.ready" ]; then
		command -v dpkg-deb >/dev/null || die "dpkg-deb is missing (Debian package dpkg)."
		mkdir -p "$cache/headers"
		echo "  HEADERS linux $kernel ($package)"
		(cd "$cache" && apt-get download -q \
			"linux-headers-$kernel:$deb_arch=$package" \
			"linux-headers-$version-common=$package" \
			"linux-kbuild-$kbuild_series=$package" >"$cache/headers-apt.log" 2>&1) ||
			die "cannot download the kernel headers for $kernel ($package); see $cache/headers-apt.log (the Debian archive must be reachable)."
		rm -rf "$headers" && mkdir -p "$headers"
		for deb in "$cache"/linux-headers-"$kernel"_*.deb "$cache"/linux-headers-"$version"-common_*.deb \
			"$cache"/linux-kbuild-"$kbuild_series"_*.deb; do
			dpkg-deb -x "$deb" "$headers"
		done
		# The headers' Makefile names the common part by its installed path.
		sed -i "s|^include /usr/src/|include $headers/usr/src/|" \
			"$headers/usr/src/linux-headers-$kernel/Makefile"
		touch "$headers/.ready"
	fi
	[ -z "$cross" ] || command -v "${cross}gcc" >/dev/null ||
		die "${cross}gcc is missing; install gcc-aarch64-linux-gnu (bash scripts/setup.sh as root)."
	build=$staging/build
	cp -r "$dir" "$build"
	echo "  MODULE  $dir"
	# Not the variables of a make that called this script (O=, V=...): the
	# kernel's makefiles would take them for their own.
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u O -u V \
		make -s -C "$headers/usr/src/linux-headers-$kernel" M="$build" ARCH="$kernel_arch" \
		CROSS_COMPILE="$cross" modules >"$staging/module.log" 2>&1 || {
		cat "$staging/module.log" >&2
		die "the modules of $dir did not build against Linux $kernel (see above)."
	}
	found=0
	for ko in "$build"/*.ko; do
		[ -f "$ko" ] || continue
		cp "$ko" "$staging/lib/modules/"
		found=1
	done
	[ $found = 1 ] || die "$dir/Kbuild built no module."
fi

# ---- /init fragments ----
for sh in "$dir"/*.sh; do
	[ -f "$sh" ] || continue
	install -m 0755 "$sh" "$staging/tessera.d/"
done

out=$dir/initrd.cpio.gz
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1704067200}
(cd "$staging" && find lib tessera.d -print0 | sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet --reproducible) | gzip -9n >"$staging/extra.cpio.gz"
cat "$base" "$staging/extra.cpio.gz" >"$out.tmp"
mv "$out.tmp" "$out"
echo "  INITRD  $out"
