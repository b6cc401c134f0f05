#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Installs the Debian packages Tessera needs to build, run and test.
# This is the one list of them.  Quiet and quick when all are present.
set -euo pipefail

PACKAGES=(
	# build
	make gcc binutils gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu lld
	python3 python3-kconfiglib cpio
	# emulators and boot media
	qemu-system-arm qemu-system-x86 seabios
	# UEFI firmware with QEMU's firmware descriptors (firmware = uefi,
	# scripts/firmware.py): /usr/share/qemu/firmware/*.json
	qemu-efi-aarch64 ovmf
	bochs bochsbios bochs-term vgabios
	grub-pc-bin grub-common xorriso mtools
	# guest disk images (scripts/guests/mkdisk.sh): GPT, FAT, ext4, module
	# dependencies; qemu-img converts a user's qcow2 disk to raw
	gdisk dosfstools e2fsprogs kmod qemu-utils
	# host tests, coverage, fuzzing
	libcmocka-dev gcovr clang libclang-rt-14-dev libfuzzer-14-dev
	# inspecting device trees
	device-tree-compiler
	# ACPI: iasl compiles components/acpi/dsdt.asl
	acpica-tools
)

missing=()
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null || true)
for p in "${PACKAGES[@]}"; do
	grep -q "^$p install ok installed" <<<"$installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "error: these Debian packages are missing: ${missing[*]}; run 'sudo bash scripts/setup.sh' (or install them with apt-get)." >&2
	exit 1
fi
echo "  SETUP   installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "  SETUP   done"
