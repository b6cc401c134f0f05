#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# shellcheck shell=dash disable=SC2013 # words, not lines, are read on purpose
#
# /init of the test guests, next to a static busybox in /bin: in the
# initramfs (scripts/guests/fetch.sh copies it there) and on the root file
# system of the guest disks (scripts/guests/mkdisk.sh).  It reports what the
# guest sees on ONE line that tests match:
#
#   TESSERA-GUEST-OK kernel=<uname -r> cpus=<online CPUs> mem_kb=<MemTotal>
#                    acpi=<yes|no> action=<tessera.action or shell>
#                    ram_kb=<RAM the kernel found>
#                    root=<device of /> rootfs=<file system of />
#                    [integrity=<ok|FAILED|skipped>] [pci=<path>]
#
# mem_kb is what is left for programs (MemTotal: the kernel's own code and
# reservations are not in it); ram_kb is the RAM the kernel found in the
# firmware's memory map (the total of its "Memory: avail/total" boot line),
# which is what to compare with the VM's configured memory.  root and
# rootfs come from /proc/mounts: "rootfs" for the initramfs, "/dev/vda2"
# and "ext4" on a disk.  integrity is there only on a disk root (see below).
# pci is there when the root device is a PCI function: the PCI path from the
# root bus down to it as sysfs shows it, each function as
# <domain:bus:device.function>[<vendor>:<device>], joined by "/" (a disk
# behind a PCIe root port: the port, then the disk).
#
# With root=<device> on the kernel command line, the initramfs does not
# stop there: it loads the modules listed in
# /lib/modules/<version>/load-order (virtio and ext4; initrd-disk.cpio.gz
# has them), waits for the device, mounts it and runs /init of the disk
# (this script again) with switch_root.  On the disk root the script
# first checks the disk: it writes tessera.integrity= MiB (default 16, 0
# skips) of random data to /var/tmp, syncs, drops the page cache, reads
# the file back from the disk and compares the SHA-256 of both.
#
# Other words of the kernel command line:
#   rootfstype=<type>        file system of root= (default ext4)
#   tessera.rootwait=<s>     how long to wait for the root device (default 30)
#   tessera.interrupts=<w,w> after the marker, the lines of /proc/interrupts
#                            that contain one of the words ("all": every
#                            line), each as "TESSERA-GUEST-IRQ <line>"
#   tessera.run=<command>    after that, runs the command with sh -c between
#                            TESSERA-GUEST-RUN-BEGIN and
#                            TESSERA-GUEST-RUN-END status=<exit status>;
#                            write tessera.run="a command with spaces"
#   tessera.action=<what>    what the guest does last:
#     poweroff      power off at once (QEMU exits)
#     reboot-once   reboot at once; RAM does not survive a reset, so every
#                   boot reboots again: a test counts two markers, then
#                   stops the run
#     anything else a shell on the console (which is what a person wants)
# When a word is given twice, the last one counts (as for the kernel).
#
# Before the marker, the fragments /tessera.d/*.sh that 'make guest-initrd'
# adds run in name order.

/bin/busybox mkdir -p /bin /proc /sys /dev /tmp
/bin/busybox --install -s /bin
export PATH=/bin

# The initramfs mounts these; on a disk root they come fresh again.
[ -e /proc/self ] || mount -t proc proc /proc
[ -d /sys/kernel ] || mount -t sysfs sysfs /sys
[ -e /dev/null ] || mount -t devtmpfs devtmpfs /dev

# The value of a word NAME=value of the kernel command line, the last one
# given, quotes removed the way the kernel reads them (name="a b" and
# "name=a b" are both one word); nothing when there is no such word.  GRUB
# passes a quote of its configuration as \": that is a quote too.
# Parameters with a dot are not handed to init as arguments or environment
# variables (the kernel takes them for module parameters): read them here.
cmdline_value() {
	awk -v name="$1" '{
		n = length($0); word = ""; quoted = 0; found = 0
		for (i = 1; i <= n + 1; i++) {
			c = i <= n ? substr($0, i, 1) : " "
			if (c == "\\" && substr($0, i + 1, 1) == "\"") continue
			if (c == "\"") { quoted = !quoted; continue }
			if ((c == " " || c == "\t" || c == "\n") && !quoted) {
				if (index(word, name "=") == 1) { value = substr(word, length(name) + 2); found = 1 }
				word = ""
				continue
			}
			word = word c
		}
		if (found) print value
	}' /proc/cmdline
}

# /sys/devices/system/cpu/online is a list of ranges such as "0-3,6".
count_online_cpus() {
	count=0
	saved_ifs=$IFS
	IFS=,
	for range in $(cat /sys/devices/system/cpu/online); do
		first=${range%-*}
		last=${range#*-}
		count=$((count + last - first + 1))
	done
	IFS=$saved_ifs
	echo "$count"
}

mem_total_kb() {
	while read -r key value _unit; do
		if [ "$key" = "MemTotal:" ]; then
			echo "$value"
			return
		fi
	done </proc/meminfo
	echo unknown
}

ram_found_kb() {
	dmesg | sed -n 's/.*Memory: [0-9]*K\/\([0-9]*\)K available.*/\1/p' | head -n 1
}

# Sets root_device and root_fs from the last /proc/mounts line of "/" (a
# later mount hides an earlier one).
find_root() {
	root_device=unknown
	root_fs=unknown
	while read -r device mount_point fs _rest; do
		if [ "$mount_point" = / ]; then
			root_device=$device
			root_fs=$fs
		fi
	done </proc/mounts
}

note() {
	echo "TESSERA-GUEST-NOTE $*"
}

# The command-line word NAME as a whole number, DEFAULT when it is absent
# or not a number (arithmetic on anything else would end this shell, and
# the kernel panics when /init ends).
cmdline_number() {
	value=$(cmdline_value "$1")
	case $value in
	'') echo "$2" ;;
	*[!0-9]*)
		note "$1=$value is not a whole number: $2 is used" >&2
		echo "$2"
		;;
	*) echo "$value" ;;
	esac
}

# ---- from the initramfs to the disk root ----------------------------------

# A module's parameters from the kernel command line (<module>.<name>=<value>,
# e.g. virtio_pci.force_legacy=1), which modprobe would pass and busybox's
# insmod does not.
module_params() {
	name=${1##*/}
	name=${name%%.ko*}
	for word in $(cat /proc/cmdline); do
		case $word in
		"$name".*=*) echo "${word#"$name".}" ;;
		esac
	done
}

load_disk_modules() {
	order=/lib/modules/$(uname -r)/load-order
	if [ ! -f "$order" ]; then
		note "no $order: this initramfs has no disk modules (use initrd-disk.cpio.gz)"
		return
	fi
	for module in $(cat "$order"); do
		# A module whose hardware is absent (crc32c_intel without SSE4.2)
		# refuses to load; the one the root needs fails the mount below.
		# shellcheck disable=SC2046 # one word per parameter
		insmod "/lib/modules/$(uname -r)/$module" $(module_params "$module") 2>/dev/null ||
			note "insmod $module failed"
	done
}

# Mounts root= on /newroot and hands over to its /init.  Returns only when
# that fails, after an error line: the guest then goes on in the initramfs.
switch_to_disk_root() {
	device=$1
	fs=$(cmdline_value rootfstype)
	fs=${fs:-ext4}
	wait_s=$(cmdline_number tessera.rootwait 30)
	load_disk_modules
	case $device in
	UUID=* | LABEL=*) device=$(findfs "$device" 2>/dev/null) || device=$1 ;;
	esac
	# The driver creates the partitions' device nodes when it binds to
	# the disk, usually before insmod returns; a slow machine may need longer.
	tenths=0
	while [ ! -b "$device" ] && [ $tenths -lt $((wait_s * 10)) ]; do
		sleep 0.1
		tenths=$((tenths + 1))
	done
	if [ ! -b "$device" ]; then
		echo "TESSERA-GUEST-ERROR root device $device did not appear within ${wait_s}s"
		return
	fi
	mkdir -p /newroot
	if ! mount -t "$fs" -o rw "$device" /newroot; then
		echo "TESSERA-GUEST-ERROR cannot mount $device ($fs)"
		return
	fi
	if [ ! -x /newroot/init ]; then
		echo "TESSERA-GUEST-ERROR $device has no /init"
		umount /newroot
		return
	fi
	# The disk's /init mounts its own; the console stays open across.
	umount /proc /sys /dev 2>/dev/null
	exec switch_root /newroot /init
}

# ---- on the disk root -----------------------------------------------------

# Hundredths of a second since boot, from /proc/uptime ("12.34 ...").
uptime_cs() {
	read -r up _idle </proc/uptime
	echo $((${up%.*} * 100 + 1${up#*.} - 100))
}

# Writes MiB of random data to a file on the root file system and reads it
# back from the disk: the SHA-256 of the file is taken from the page cache
# just after writing, then sync writes it out, dropping the page cache (3:
# pages, dentries and inodes) makes the second read come from the device.
# Prints ok, FAILED or skipped; a note gives the details.
check_integrity() {
	mib=$1
	file=/var/tmp/tessera-integrity.bin
	if [ "$mib" = 0 ]; then
		echo skipped
		return
	fi
	start=$(uptime_cs)
	mkdir -p /var/tmp
	dd if=/dev/urandom of="$file" bs=1048576 count="$mib" iflag=fullblock 2>/dev/null
	written=$(sha256sum <"$file")
	sync
	echo 3 >/proc/sys/vm/drop_caches
	read_back=$(sha256sum <"$file")
	size=$(stat -c %s "$file")
	rm -f "$file"
	sync
	took=$(($(uptime_cs) - start))
	note "integrity: $mib MiB ($size bytes) in $((took / 100)).$((took / 10 % 10)) s, sha256 written ${written%% *}, read back ${read_back%% *}" >&2
	if [ -n "$written" ] && [ "$written" = "$read_back" ] && [ "$size" = $((mib * 1048576)) ]; then
		echo ok
	else
		echo FAILED
	fi
}

# Prints the header of /proc/interrupts (the CPU columns) and the lines
# that contain one of the comma-separated words, or every line for "all".
print_interrupts() {
	header=yes
	while read -r line; do
		show=$header
		header=no
		saved_ifs=$IFS
		IFS=,
		for word in $1; do
			case $line in *"$word"*) show=yes ;; esac
			[ "$word" = all ] && show=yes
		done
		IFS=$saved_ifs
		[ "$show" = yes ] && echo "TESSERA-GUEST-IRQ $line"
	done </proc/interrupts
}

# The PCI functions from the root bus down to block device $1 (vda2), as
# 0000:00:02.0[1b36:000c]/0000:01:00.0[1af4:1042]; nothing when it is not
# on PCI.
pci_path_of() {
	path=
	dev=$(readlink -f "/sys/class/block/$1" 2>/dev/null) || return 0
	saved_ifs=$IFS
	IFS=/
	at=
	for part in $dev; do
		at="$at/$part"
		case $part in
		[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f].[0-7])
			vendor=$(cat "$at/vendor" 2>/dev/null)
			device=$(cat "$at/device" 2>/dev/null)
			path="$path${path:+/}${part}[${vendor#0x}:${device#0x}]"
			;;
		esac
	done
	IFS=$saved_ifs
	echo "$path"
}

# ---- main -----------------------------------------------------------------

action=$(cmdline_value tessera.action)
action=${action:-shell}

find_root
root_arg=$(cmdline_value root)
if [ "$root_fs" = rootfs ] && [ -n "$root_arg" ]; then
	switch_to_disk_root "$root_arg"
	find_root
fi

extra=
case $root_device in
/dev/*)
	extra=" integrity=$(check_integrity "$(cmdline_number tessera.integrity 16)")"
	pci=$(pci_path_of "${root_device#/dev/}")
	[ -z "$pci" ] || extra="$extra pci=$pci"
	;;
esac

acpi=no
[ -d /sys/firmware/acpi/tables ] && acpi=yes

# Fragments added with 'make guest-initrd' (scripts/guests/guest-initrd.sh):
# each runs once, in name order, before the marker.
for fragment in /tessera.d/*.sh; do
	[ -f "$fragment" ] || continue
	echo "TESSERA-GUEST-RUN $fragment"
	# shellcheck disable=SC1090 # the fragments are not known here
	. "$fragment"
done

echo "TESSERA-GUEST-OK kernel=$(uname -r) cpus=$(count_online_cpus) mem_kb=$(mem_total_kb) acpi=$acpi action=$action ram_kb=$(ram_found_kb) root=$root_device rootfs=$root_fs$extra"

words=$(cmdline_value tessera.interrupts)
[ -z "$words" ] || print_interrupts "$words"

command=$(cmdline_value tessera.run)
if [ -n "$command" ]; then
	echo "TESSERA-GUEST-RUN-BEGIN"
	sh -c "$command"
	echo "TESSERA-GUEST-RUN-END status=$?"
fi

case $action in
poweroff | reboot-once)
	# A disk is left clean: nothing to replay at the next boot.
	sync
	case $root_device in /dev/*) mount -o remount,ro / 2>/dev/null ;; esac
	if [ "$action" = poweroff ]; then poweroff -f; else reboot -f; fi
	;;
esac
[ "$action" = shell ] || echo "TESSERA-GUEST-NOTE action '$action' did not end the guest; starting a shell"

# /init must never exit (the kernel panics when it does): restart the shell.
while true; do
	setsid cttyhack sh
done
