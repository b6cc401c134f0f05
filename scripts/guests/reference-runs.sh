#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Boots the fetched guests in plain QEMU (no Tessera) and measures how long
# each takes to reach its marker: the reference runs of docs/guests.md that
# runs under Tessera are compared with.
#
#   scripts/guests/reference-runs.sh [GUESTDIR [RUN...]]
#
# GUESTDIR is the folder fetch.sh filled (default build/guests); RUN names
# runs to do (default all): aarch64-kernel aarch64-aavmf-shell
# aarch64-aavmf-kernel aarch64-disk-kernel aarch64-disk-aavmf x86_64-kernel
# x86_64-seabios-kernel x86_64-disk-kernel x86_64-disk-seabios
# x86_64-disk-ovmf.  The disk runs boot a fresh copy of <arch>/disk.img
# (mkdisk.sh; the guest writes to its root) as a virtio disk.
# Prints one line per run: name, result, seconds to the marker, seconds to
# QEMU's exit; logs go to GUESTDIR/runs/<name>.log.  Exits non-zero when a
# run misses its marker.
set -euo pipefail

srctree=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
guestdir=${1:-$srctree/build/guests}
shift || true
runs=("$@")
[ ${#runs[@]} -gt 0 ] || runs=(aarch64-kernel aarch64-aavmf-shell aarch64-aavmf-kernel aarch64-disk-kernel
	aarch64-disk-aavmf x86_64-kernel x86_64-seabios-kernel x86_64-disk-kernel x86_64-disk-seabios x86_64-disk-ovmf)

a64=$guestdir/aarch64
x64=$guestdir/x86_64
logdir=$guestdir/runs
mkdir -p "$logdir"
limit=${LIMIT:-180} # seconds before a run counts as hung

aarch64_qemu=(qemu-system-aarch64 -M "virt,gic-version=3" -cpu max -smp 2 -m 1G -nographic)
x86_64_qemu=(qemu-system-x86_64 -accel tcg -m 1G -smp 2 -nographic)
poweroff_marker='TESSERA-GUEST-OK .* action=poweroff'
# Booted from the disk: the root is its partition 2 and the data written
# to it came back from the device.
disk_marker='TESSERA-GUEST-OK .* action=poweroff .*root=/dev/vda2 rootfs=ext4 integrity=ok'

now() { date +%s.%N; }

# A copy of ARCH's disk for run NAME, made before the clock starts: every
# run starts from the disk as built.  Prints its path.
fresh_disk() {
	local arch=$1 name=$2 copy=$logdir/$2.img
	[ -f "$guestdir/$arch/disk.img" ] || { echo "error: no $guestdir/$arch/disk.img: run make guests." >&2; exit 2; }
	cp --sparse=always "$guestdir/$arch/disk.img" "$copy"
	echo "$copy"
}
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# measure NAME PATTERN STOP_AT_MARKER COMMAND...: starts COMMAND under
# timeout, notes when PATTERN first appears in its output, and either ends
# it there (STOP_AT_MARKER=yes) or waits for it to exit by itself.
failures=0
measure() {
	local name=$1 pattern=$2 stop=$3 log=$logdir/$1.log start pid marker_at=- exit_at=- result=MISSED
	shift 3
	# Emptied here, not by the redirection below: the background job may
	# open the log after the first look for the marker, which would then
	# find the previous run's.
	: >"$log"
	start=$(now)
	timeout "$limit" "$@" </dev/null >>"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$marker_at" = - ] && grep -aq -- "$pattern" "$log"; then
			marker_at=$(seconds_since "$start")
			result=ok
			[ "$stop" = yes ] && kill "$pid" 2>/dev/null
		fi
		sleep 0.1
	done
	wait "$pid" 2>/dev/null || true
	[ "$stop" = yes ] || exit_at=$(seconds_since "$start")
	if [ "$marker_at" = - ] && grep -aq -- "$pattern" "$log"; then
		marker_at=$exit_at
		result=ok
	fi
	[ "$result" = ok ] || failures=$((failures + 1))
	printf '%-22s %-6s marker %6ss  exit %6ss  %s\n' "$name" "$result" "$marker_at" "$exit_at" \
		"$(grep -aom1 -- "${pattern}[^[:cntrl:]]*" "$log" || true)"
}

for run in "${runs[@]}"; do
	case $run in
	aarch64-kernel)
		measure "$run" "$poweroff_marker" no "${aarch64_qemu[@]}" \
			-kernel "$a64/Image" -initrd "$a64/initrd.cpio.gz" \
			-append "console=ttyAMA0 tessera.action=poweroff"
		;;
	aarch64-aavmf-shell)
		# -nic none: with QEMU's default network card AAVMF first tries PXE
		# and HTTP boot, which waits minutes for a DHCP answer.
		cp "$a64/AAVMF_VARS.fd" "$logdir/AAVMF_VARS.fd"
		measure "$run" 'Shell>' yes "${aarch64_qemu[@]}" -nic none \
			-drive "if=pflash,format=raw,readonly=on,file=$a64/AAVMF_CODE.fd" \
			-drive "if=pflash,format=raw,file=$logdir/AAVMF_VARS.fd"
		;;
	aarch64-aavmf-kernel)
		cp "$a64/AAVMF_VARS.fd" "$logdir/AAVMF_VARS.fd"
		measure "$run" "$poweroff_marker" no "${aarch64_qemu[@]}" \
			-drive "if=pflash,format=raw,readonly=on,file=$a64/AAVMF_CODE.fd" \
			-drive "if=pflash,format=raw,file=$logdir/AAVMF_VARS.fd" \
			-kernel "$a64/Image" -initrd "$a64/initrd.cpio.gz" \
			-append "console=ttyAMA0 tessera.action=poweroff"
		;;
	aarch64-disk-kernel)
		# QEMU's loader, the disk on the virt machine's virtio-mmio.
		disk=$(fresh_disk aarch64 "$run")
		measure "$run" "$disk_marker" no "${aarch64_qemu[@]}" -nic none \
			-drive "if=none,id=disk,format=raw,file=$disk" -device virtio-blk-device,drive=disk \
			-kernel "$a64/Image" -initrd "$a64/initrd-disk.cpio.gz" \
			-append "console=ttyAMA0 root=/dev/vda2 tessera.action=poweroff"
		;;
	aarch64-disk-aavmf)
		# AAVMF finds \EFI\BOOT\BOOTAA64.EFI (GRUB) on the disk by itself:
		# an empty variable store has no boot entries.
		disk=$(fresh_disk aarch64 "$run")
		cp "$a64/AAVMF_VARS.fd" "$logdir/AAVMF_VARS.fd"
		measure "$run" "$disk_marker" no "${aarch64_qemu[@]}" -nic none \
			-drive "if=pflash,format=raw,readonly=on,file=$a64/AAVMF_CODE.fd" \
			-drive "if=pflash,format=raw,file=$logdir/AAVMF_VARS.fd" \
			-drive "if=none,id=disk,format=raw,file=$disk" -device virtio-blk-device,drive=disk
		;;
	x86_64-kernel)
		measure "$run" "$poweroff_marker" no "${x86_64_qemu[@]}" \
			-kernel "$x64/bzImage" -initrd "$x64/initrd.cpio.gz" \
			-append "console=ttyS0 tessera.action=poweroff"
		;;
	x86_64-seabios-kernel)
		# -L first: QEMU takes linuxboot_dma.bin from the fetched files too.
		measure "$run" "$poweroff_marker" no "${x86_64_qemu[@]}" -L "$x64" \
			-bios "$x64/bios-256k.bin" \
			-kernel "$x64/bzImage" -initrd "$x64/initrd.cpio.gz" \
			-append "console=ttyS0 tessera.action=poweroff"
		;;
	x86_64-disk-kernel)
		disk=$(fresh_disk x86_64 "$run")
		measure "$run" "$disk_marker" no "${x86_64_qemu[@]}" -nic none \
			-drive "if=none,id=disk,format=raw,file=$disk" -device virtio-blk-pci,drive=disk \
			-kernel "$x64/bzImage" -initrd "$x64/initrd-disk.cpio.gz" \
			-append "console=ttyS0 root=/dev/vda2 tessera.action=poweroff"
		;;
	x86_64-disk-seabios)
		# SeaBIOS boots the disk's MBR (GRUB's boot.img), which loads GRUB's
		# core image from the BIOS boot partition.
		disk=$(fresh_disk x86_64 "$run")
		measure "$run" "$disk_marker" no "${x86_64_qemu[@]}" -nic none -L "$x64" \
			-bios "$x64/bios-256k.bin" \
			-drive "if=none,id=disk,format=raw,file=$disk" -device virtio-blk-pci,drive=disk
		;;
	x86_64-disk-ovmf)
		# OVMF finds \EFI\BOOT\BOOTX64.EFI (GRUB) on the same disk.
		disk=$(fresh_disk x86_64 "$run")
		cp "$x64/OVMF_VARS_4M.fd" "$logdir/OVMF_VARS_4M.fd"
		measure "$run" "$disk_marker" no "${x86_64_qemu[@]}" -nic none \
			-drive "if=pflash,format=raw,readonly=on,file=$x64/OVMF_CODE_4M.fd" \
			-drive "if=pflash,format=raw,file=$logdir/OVMF_VARS_4M.fd" \
			-drive "if=none,id=disk,format=raw,file=$disk" -device virtio-blk-pci,drive=disk
		;;
	*)
		echo "error: unknown run '$run'." >&2
		exit 2
		;;
	esac
	rm -f "$logdir/$run.img" # the disk copy: the log tells what happened
done
[ "$failures" = 0 ]
