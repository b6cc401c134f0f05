#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Makes the test guests' disk images from the files fetch.sh prepared:
#
#   scripts/guests/mkdisk.sh [OUTDIR [ARCH...]]
#
# OUTDIR defaults to build/guests; ARCH is aarch64 or x86_64 (default:
# both).  Writes OUTDIR/<arch>/disk.img, a raw GPT disk that firmware boots
# (and disk-shell.img, the same with GRUB's shell entry as its default,
# for 'make run')
# through GRUB to the kernel, whose initramfs mounts partition 2 (ext4,
# /dev/vda2 on a virtio disk) and runs /init from there, and
# OUTDIR/<arch>/disk.layout, what is where on it.  The x86_64 disk also
# boots from a PC BIOS (SeaBIOS): GRUB's boot.img in the protective MBR,
# its core image in a BIOS boot partition.  docs/guests.md describes the
# disks.
#
# Needs neither root nor loop devices nor mounting: the partitions are
# made as files (mkfs.vfat + mtools, mke2fs -d) and copied into the disk
# at their offsets; the GPT is written by sgdisk.  A disk is made again
# only when it is missing or older than one of its inputs (the files of
# OUTDIR/<arch>/ it contains, this script, init.sh, grub_bios_setup.py).
set -euo pipefail
# sgdisk, mkfs.vfat, mke2fs and debugfs live in /usr/sbin, which a user's
# PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

srctree=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
guests=$srctree/scripts/guests

outdir=${1:-$srctree/build/guests}
shift || true
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(aarch64 x86_64)

# Fixed time stamps, GUIDs, UUIDs and volume IDs: the same inputs give the
# same disk.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1704067200} # 2024-01-01 00:00 UTC
export E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH SOURCE_DATE_EPOCH TZ=UTC

# The layout, in MiB (2048 sectors of 512 bytes).  Partition 1, the EFI
# system partition, starts at 1 MiB; partition 2, the root, follows it; the
# last MiB holds the backup GPT.  On x86_64 partition 3, the BIOS boot
# partition, fills the gap between the GPT's entries (sectors 2-33) and
# partition 1: sectors 34-2047, room for a core image of up to 1007 KiB.
esp_mib=48  # GRUB, the kernel (aarch64: 31 MiB uncompressed) and the initramfs;
            # FAT32 with 512-byte clusters needs at least 33 MiB
root_mib=48 # busybox, and room for the integrity check's file (16 MiB by default)
disk_mib=$((1 + esp_mib + root_mib + 1))

die() {
	echo "error: $*" >&2
	exit 1
}

say() {
	echo "  GUESTS  $*"
}

check_tools() {
	local tool missing=()
	for tool in sgdisk mkfs.vfat mmd mcopy mdir mke2fs debugfs python3 dd truncate; do
		command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
	done
	[ ${#missing[@]} -eq 0 ] ||
		die "missing tools: ${missing[*]}; install the Debian packages gdisk, dosfstools, mtools, e2fsprogs and python3 (scripts/setup.sh does)."
}

# ---- what goes on each architecture's disk --------------------------------

# Sets the per-architecture settings: the kernel file, the console, the GPT
# type of the root (the Discoverable Partitions types: a tool can tell an
# arm64 root from an x86-64 one) and the files the disk is made from.
settings_of() {
	case $1 in
	aarch64)
		kernel_file=Image
		console=ttyAMA0
		integrity_mib=16
		efi_program=BOOTAA64.EFI
		root_type=8305 # Linux ARM64 root (/)
		guid_arch=a864
		;;
	x86_64)
		kernel_file=bzImage
		console=ttyS0
		# Bochs writes 16 MiB in about a minute of VM time (three of wall
		# time): the x86 disk checks 4 MiB.
		integrity_mib=4
		efi_program=BOOTX64.EFI
		root_type=8304 # Linux x86-64 root (/)
		guid_arch=8664
		;;
	*) die "unknown architecture '$1' (use aarch64 or x86_64)." ;;
	esac
	inputs=("$kernel_file" kernel-version initrd-disk.cpio.gz busybox "$efi_program")
	[ "$1" = x86_64 ] && inputs+=(grub-pc-boot.img grub-pc-core.img)
	return 0
}

# GUIDs that read as "TESSERA" (54455353-4552-41..), then the architecture,
# then the partition number (0 for the disk itself).
guid_of() {
	printf '54455353-4552-4100-8000-%s%08x\n' "$guid_arch" "$1"
}

is_up_to_date() {
	local archdir=$1 f
	[ -f "$archdir/disk.img" ] && [ -f "$archdir/disk-shell.img" ] && [ -f "$archdir/disk.layout" ] || return 1
	for f in "${inputs[@]}"; do
		[ "$archdir/$f" -nt "$archdir/disk.img" ] && return 1
	done
	for f in "$guests/mkdisk.sh" "$guests/init.sh" "$guests/grub_bios_setup.py"; do
		[ "$f" -nt "$archdir/disk.img" ] && return 1
	done
	return 0
}

# ---- the EFI system partition ---------------------------------------------

# GRUB's menu.  The kernel finds its root on partition 2 of the first
# virtio disk; tessera.action= says what the guest does after its marker
# line (scripts/guests/init.sh).  /boot/grub/local.cfg, when present, is
# read before the menu: it may set default, timeout and tessera_args (words
# appended to every entry's command line; the kernel's last word wins, so
# tessera.action=shell there overrides an entry's).
write_grub_cfg() {
	local kver=$1 cmdline="root=/dev/vda2 console=$console tessera.integrity=$integrity_mib"
	cat <<EOF
# GRUB menu of the Tessera test disk, made by scripts/guests/mkdisk.sh.
set default=0
set timeout=1
set timeout_style=menu
set tessera_args=""

# On a PC BIOS GRUB writes to the VGA screen: use the serial port too.
# UEFI firmware already sends its console to the serial port.
if [ "\$grub_platform" = pc ]; then
	serial --unit=0 --speed=115200
	terminal_input serial console
	terminal_output serial console
fi

if [ -f \$prefix/local.cfg ]; then
	source \$prefix/local.cfg
fi

menuentry "Linux $kver: check the disk and power off" {
	linux /boot/vmlinuz-$kver $cmdline tessera.action=poweroff \$tessera_args
	initrd /boot/initrd.img-$kver
}
menuentry "Linux $kver: a shell" {
	linux /boot/vmlinuz-$kver $cmdline tessera.action=shell \$tessera_args
	initrd /boot/initrd.img-$kver
}
menuentry "Linux $kver: reboot on every boot" {
	linux /boot/vmlinuz-$kver $cmdline tessera.action=reboot-once \$tessera_args
	initrd /boot/initrd.img-$kver
}
EOF
}

make_esp() {
	local archdir=$1 work=$2 img=$2/esp.img kver
	kver=$(cat "$archdir/kernel-version")
	mkdir -p "$work/esp"
	write_grub_cfg "$kver" >"$work/esp/grub.cfg"
	# FAT32, the file system UEFI names for system partitions (48 MiB
	# holds enough 512-byte clusters for it; firmware and GRUB read FAT16
	# as well).  -h 2048: the sectors before the partition, as a FAT boot
	# sector in a partition records them; the volume ID spells "TESS".
	mkfs.vfat -C --invariant -F 32 -s 1 -i 54455353 -n TESSERA-ESP -h 2048 "$img" $((esp_mib * 1024)) >/dev/null ||
		die "mkfs.vfat cannot make the EFI system partition."
	export MTOOLS_SKIP_CHECK=1
	mmd -i "$img" ::/EFI ::/EFI/BOOT ::/boot ::/boot/grub || die "mmd cannot make the folders of the EFI system partition."
	# mtools dates what it writes SOURCE_DATE_EPOCH (FAT keeps local time:
	# TZ=UTC, set above, makes that the same everywhere).
	esp_copy "$archdir/$efi_program" "/EFI/BOOT/$efi_program" "GRUB, the boot loader UEFI starts"
	esp_copy "$work/esp/grub.cfg" /boot/grub/grub.cfg "GRUB's menu"
	esp_copy "$archdir/$kernel_file" "/boot/vmlinuz-$kver" "the kernel ($kernel_file)"
	esp_copy "$archdir/initrd-disk.cpio.gz" "/boot/initrd.img-$kver" "the initramfs (initrd-disk.cpio.gz)"
}

# Copies a file onto the ESP and notes it for disk.layout.
esp_copy() {
	mcopy -i "$work/esp.img" "$1" "::$2" ||
		die "cannot copy $2 onto the $esp_mib MiB EFI system partition (full? raise esp_mib in mkdisk.sh)."
	printf '  %-32s %9s  %s\n' "$2" "$(stat -c %s "$1")" "$3" >>"$work/esp.list"
}

# ---- the root file system -------------------------------------------------

# busybox and /init (init.sh: the same script as the initramfs's, which
# finds itself on a disk root and does the disk's checks), the folders
# /init mounts on, /var/tmp for the integrity check's file.  Busybox
# installs its applet links in /bin when /init starts.
make_root() {
	local archdir=$1 work=$2 tree=$2/root img=$2/root.img path
	mkdir -p "$tree"/{bin,sbin,dev,proc,sys,tmp,mnt,var/tmp}
	install -m 0755 "$archdir/busybox" "$tree/bin/busybox"
	ln -s busybox "$tree/bin/sh"
	install -m 0755 "$guests/init.sh" "$tree/init"
	ln -s ../init "$tree/sbin/init"
	find "$tree" -type d -exec chmod 0755 {} + # whatever the umask
	chmod 1777 "$tree/tmp" "$tree/var/tmp"
	find "$tree" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	# ext4 with Debian's default features; 4 KiB blocks as on a disk of
	# ordinary size (for one under 512 MiB mke2fs would pick 1 KiB, and
	# writing the integrity check's file in an emulator takes longer).
	mke2fs -q -F -t ext4 -b 4096 -L tessera-root -U "$(guid_of 2)" \
		-E "root_owner=0:0,hash_seed=$(guid_of 2)" -d "$tree" "$img" "${root_mib}M" >/dev/null ||
		die "mke2fs cannot make the $root_mib MiB root file system (full? raise root_mib in mkdisk.sh)."
	# mke2fs -d copies the owners and the change times of the files (which
	# touch cannot set): make the files root's, whoever made the tree, and
	# give them the same change time on every build.
	(cd "$tree" && find . -mindepth 1) | while read -r path; do
		echo "set_inode_field ${path#.} uid 0"
		echo "set_inode_field ${path#.} gid 0"
		echo "set_inode_field ${path#.} ctime @$SOURCE_DATE_EPOCH"
		echo "set_inode_field ${path#.} ctime_extra 0"
	done | debugfs -w -f - "$img" >"$work/debugfs.log" 2>&1 || die "debugfs cannot set the owners of the root's files."
	! grep -q -i 'error\|invalid\|not found' "$work/debugfs.log" ||
		die "debugfs cannot set the owners of the root's files: $(grep -i -m1 'error\|invalid\|not found' "$work/debugfs.log")"
}

# ---- the disk -------------------------------------------------------------

make_disk() {
	local arch=$1 archdir=$2 work=$3 img=$3/disk.img root_start
	truncate -s "${disk_mib}M" "$img"
	root_start=$((2048 + esp_mib * 2048))
	local gpt=(--clear --disk-guid="$(guid_of 0)"
		--new="1:2048:+${esp_mib}M" --typecode=1:EF00 --change-name=1:"EFI system partition"
		--partition-guid="1:$(guid_of 1)"
		--new="2:$root_start:+${root_mib}M" --typecode="2:$root_type" --change-name=2:root
		--partition-guid="2:$(guid_of 2)")
	if [ "$arch" = x86_64 ]; then
		# Alignment 1 for this one: it uses the sectors before 1 MiB.
		gpt+=(--set-alignment=1 --new=3:34:2047 --typecode=3:EF02 --change-name=3:"BIOS boot"
			--partition-guid="3:$(guid_of 3)")
	fi
	sgdisk "${gpt[@]}" "$img" >"$work/sgdisk.log" 2>&1 || die "sgdisk cannot partition the disk: $(tail -n1 "$work/sgdisk.log")"
	dd if="$work/esp.img" of="$img" bs=1M seek=1 conv=notrunc,sparse status=none
	dd if="$work/root.img" of="$img" bs=1M seek=$((1 + esp_mib)) conv=notrunc,sparse status=none
	if [ "$arch" = x86_64 ]; then
		python3 "$guests/grub_bios_setup.py" "$img" "$archdir/grub-pc-boot.img" "$archdir/grub-pc-core.img" >"$work/bios.log" ||
			die "cannot install GRUB for BIOS on the disk."
	fi
	if ! sgdisk --verify "$img" >"$work/verify.log" 2>&1 || ! grep -q 'No problems found' "$work/verify.log"; then
		die "the GPT of the new disk does not verify: $(cat "$work/verify.log")"
	fi
}

# What is where, for people: the partition table and the files.
write_layout() {
	local arch=$1 archdir=$2 work=$3
	{
		echo "# $arch/disk.img, made by scripts/guests/mkdisk.sh: a raw disk image, $disk_mib MiB"
		echo
		sgdisk --print "$work/disk.img" | sed -n '/^Disk identifier/,$p'
		[ "$arch" = x86_64 ] && echo && echo "MBR: GRUB's boot.img; $(sed 's/^ *GUESTS *//' "$work/bios.log")"
		echo
		echo "Partition 1, EFI system partition (FAT32, label TESSERA-ESP, /dev/vda1): file, bytes"
		cat "$work/esp.list"
		echo
		echo "Partition 2, root (ext4, label tessera-root, /dev/vda2; and lost+found): file, bytes or link"
		(cd "$work/root" && find . -mindepth 1 -printf '  /%P %s %l\n' | LC_ALL=C sort |
			awk '{ printf "  %-32s %9s", $1, ($3 == "" ? $2 : "-> " $3); print "" }')
	} >"$work/disk.layout"
}

build_arch() {
	local arch=$1 archdir=$outdir/$1 work f
	settings_of "$arch"
	if is_up_to_date "$archdir"; then
		say "$arch disk up to date: $archdir/disk.img"
		return 0
	fi
	for f in "${inputs[@]}"; do
		[ -f "$archdir/$f" ] || die "$archdir/$f is missing: run 'scripts/guests/fetch.sh $outdir $arch' (or make guests) first."
	done
	check_tools
	work=$archdir/.disk-work.$$
	rm -rf "$work"
	mkdir -p "$work"
	work_to_remove=$work
	trap 'rm -rf "$work_to_remove"' EXIT
	make_esp "$archdir" "$work"
	make_root "$archdir" "$work"
	make_disk "$arch" "$archdir" "$work"
	write_layout "$arch" "$archdir" "$work"
	make_shell_disk "$work"
	mv "$work/disk.layout" "$archdir/disk.layout"
	mv "$work/disk-shell.img" "$archdir/disk-shell.img"
	mv "$work/disk.img" "$archdir/disk.img"
	rm -rf "$work"
	trap - EXIT
	say "$arch disk ready: $archdir/disk.img ($disk_mib MiB), disk-shell.img for make run"
}

# disk-shell.img: the same disk for a person at the console ('make run'):
# GRUB waits 5 seconds on its menu, then boots the shell entry.
make_shell_disk() {
	local work=$1
	cp "$work/disk.img" "$work/disk-shell.img"
	printf 'set default=1\nset timeout=5\n' >"$work/local.cfg"
	MTOOLS_SKIP_CHECK=1 mcopy -o -i "$work/disk-shell.img@@1M" "$work/local.cfg" \
		::/boot/grub/local.cfg
}

[ -d "$outdir" ] || die "$outdir does not exist: run 'scripts/guests/fetch.sh $outdir' (or make guests) first."
outdir=$(cd "$outdir" && pwd)
for arch in "${arches[@]}"; do
	build_arch "$arch"
done
