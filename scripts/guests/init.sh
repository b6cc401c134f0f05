#!/bin/busybox sh
# SPDX-License-Identifier: MIT
# shellcheck shell=dash disable=SC2013 # words, not lines, are read on purpose
#
# /init of the test guests' initramfs (scripts/guests/fetch.sh copies it
# there, next to a static busybox in /bin).  It reports what the guest sees
# on ONE line that tests match:
#
#   TESSERA-GUEST-OK kernel=<uname -r> cpus=<online CPUs> mem_kb=<MemTotal>
#                    acpi=<yes|no> action=<tessera.action or shell>
#                    ram_kb=<RAM the kernel found>
#
# mem_kb is what is left for programs (MemTotal: the kernel's own code and
# reservations are not in it); ram_kb is the RAM the kernel found in the
# firmware's memory map (the total of its "Memory: avail/total" boot line),
# which is what to compare with the VM's configured memory.
#
# (all on one line) after running the fragments in /tessera.d/*.sh
# (make guest-initrd), and then does what tessera.action= on the kernel
# command line asks:
#   poweroff      power off at once (QEMU exits)
#   reboot-once   reboot at once; RAM does not survive a reset, so every boot
#                 reboots again: a test counts two markers, then stops the run
#   anything else a shell on the console (which is what a person wants)

/bin/busybox mkdir -p /bin /proc /sys /dev /tmp
/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

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

# Parameters with a dot are not handed to init as arguments or environment
# variables (the kernel takes them for module parameters): read them here.
action=shell
for word in $(cat /proc/cmdline); do
	case $word in
	tessera.action=*) action=${word#tessera.action=} ;;
	esac
done

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

echo "TESSERA-GUEST-OK kernel=$(uname -r) cpus=$(count_online_cpus) mem_kb=$(mem_total_kb) acpi=$acpi action=$action ram_kb=$(ram_found_kb)"

case $action in
poweroff) poweroff -f ;;
reboot-once) reboot -f ;;
esac
[ "$action" = shell ] || echo "TESSERA-GUEST-NOTE action '$action' did not end the guest; starting a shell"

# /init must never exit (the kernel panics when it does): restart the shell.
while true; do
	setsid cttyhack sh
done
