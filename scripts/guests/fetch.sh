#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Fetches the test guests (firmware, a Linux kernel, a busybox initramfs)
# from Debian's packages and prepares them for QEMU, Bochs and Tessera:
#
#   scripts/guests/fetch.sh [OUTDIR [ARCH...]]
#
# OUTDIR defaults to build/guests in the source tree; ARCH is aarch64 or
# x86_64 (default: both).  The packages go to OUTDIR/cache/ (downloaded with
# apt-get download, unpacked with dpkg-deb -x), the guest files to
# OUTDIR/<arch>/ together with MANIFEST (package versions, kernel version,
# firmware sizes).  docs/guests.md lists every file and what it is for.
#
# Cached: when OUTDIR/<arch>/.fetched is newer than the apt package lists
# and than this script and init.sh, nothing is done (a few milliseconds).
# Otherwise the current package versions are looked up; only a version that
# differs from the recorded one is downloaded again.
#
# Fetching needs root (apt-get update, dpkg --add-architecture arm64) and
# the network to the Debian archive; a run with everything up to date needs
# neither.
set -euo pipefail

srctree=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
init_script=$srctree/scripts/guests/init.sh
this_script=$srctree/scripts/guests/fetch.sh

outdir=${1:-$srctree/build/guests}
shift || true
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(aarch64 x86_64)
for arch in "${arches[@]}"; do
	case $arch in
	aarch64 | x86_64) ;;
	*) echo "error: unknown architecture '$arch' (use aarch64 or x86_64)." >&2; exit 2 ;;
	esac
done

mkdir -p "$outdir/cache"
outdir=$(cd "$outdir" && pwd)
cache=$outdir/cache
log=$cache/apt.log

# Fixed timestamps and owners make the initramfs byte-for-byte reproducible.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1704067200} # 2024-01-01 00:00 UTC

die() {
	echo "error: $*" >&2
	exit 1
}

say() {
	echo "  GUESTS  $*"
}

# ---- the files each architecture needs ------------------------------------

# The files of OUTDIR/<arch>/ that must exist for the guest to be complete.
outputs_of() {
	case $1 in
	aarch64) echo AAVMF_CODE.fd AAVMF_VARS.fd Image Image.gz vmlinuz kernel-version initrd.cpio.gz MANIFEST ;;
	x86_64) echo bios-256k.bin linuxboot_dma.bin OVMF_CODE_4M.fd OVMF_VARS_4M.fd OVMF.fd bzImage kernel-version initrd.cpio.gz MANIFEST ;;
	esac
}

# Debian's name for the architecture, and the suffix apt wants for it.
debian_arch_of() {
	case $1 in
	aarch64) echo arm64 ;;
	x86_64) echo amd64 ;;
	esac
}

# ---- the fast path: nothing changed since the last run --------------------

is_complete() {
	local f
	for f in $(outputs_of "$1"); do
		[ -f "$outdir/$1/$f" ] || return 1
	done
}

is_up_to_date() {
	local stamp=$outdir/$1/.fetched
	[ -f "$stamp" ] && is_complete "$1" || return 1
	[ "$init_script" -nt "$stamp" ] && return 1
	[ "$this_script" -nt "$stamp" ] && return 1
	# New package versions can only arrive with new package lists.
	[ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -newer "$stamp" -print -quit 2>/dev/null)" ]
}

# ---- preconditions, checked only when there is work to do -----------------

check_tools() {
	local tool missing=()
	for tool in apt-get apt-cache dpkg dpkg-deb cpio gzip find sort; do
		command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
	done
	[ ${#missing[@]} -eq 0 ] ||
		die "missing tools: ${missing[*]}; install the Debian packages apt, dpkg, cpio, gzip, findutils and coreutils (scripts/setup.sh does)."
}

require_root() {
	[ "$(id -u)" = 0 ] || die "$1 needs root; run 'sudo $0 $outdir ${arches[*]}'."
}

# The reason apt gives in its log: the indented line under the first
# "Err:" line (such as "Temporary failure resolving ..."), else its last line.
apt_reason() {
	local reason
	reason=$(sed -n '/^Err/{n;s/^ *//p;q}' "$log")
	[ -n "$reason" ] || reason=$(grep -m1 '^E:' "$log" || tail -n1 "$log")
	echo "$reason"
}

apt_update() {
	require_root "updating the apt package lists"
	say "apt-get update"
	if ! apt-get update >"$log" 2>&1 || grep -q '^\(Err\|W: Failed\)' "$log"; then
		die "cannot reach the Debian archive to update the package lists (no network?); apt-get said: $(apt_reason)"
	fi
}

# arm64 packages are visible to apt only once dpkg knows the architecture.
enable_arm64_packages() {
	dpkg --print-foreign-architectures | grep -qx arm64 && return 0
	require_root "adding the arm64 architecture to dpkg"
	say "dpkg --add-architecture arm64"
	dpkg --add-architecture arm64
	apt_update
}

# ---- finding the current package versions --------------------------------

# Prints the package that the meta package linux-image-<debarch> depends
# on, such as linux-image-6.1.0-56-arm64: the current kernel ABI.
current_kernel_package() {
	local debarch=$1
	apt-cache depends "linux-image-$debarch:$debarch" 2>/dev/null |
		sed -n "s/^ *Depends: \(linux-image-[0-9][^:]*-$debarch\)\(:$debarch\)\?$/\1/p" | head -n1
}

# Prints "name:arch=version" for each "name:arch" given, from the local
# package lists (no network).  Prints nothing for a package apt cannot find.
resolve_versions() {
	apt-cache policy "$@" 2>/dev/null | awk '
		/^[^ ].*:$/ { name = substr($0, 1, length($0) - 1) }
		/^  Candidate:/ && $2 != "(none)" { print name "=" $2 }'
}

# The packages of an architecture, as "name:arch" (apt-cache policy names
# the host's architecture without a suffix, so none is added for amd64).
packages_of() {
	local arch=$1 kernel
	case $arch in
	aarch64)
		kernel=$(current_kernel_package arm64)
		[ -n "$kernel" ] || return 1
		echo qemu-efi-aarch64 "$kernel:arm64" busybox-static:arm64
		;;
	x86_64)
		kernel=$(current_kernel_package amd64)
		[ -n "$kernel" ] || return 1
		echo seabios qemu-system-data ovmf "$kernel" busybox-static
		;;
	esac
}

# Sets the array "specs" to the "name[:arch]=version" of every package.
resolve_packages() {
	local arch=$1 names=() try
	for try in 1 2; do
		specs=()
		if read -r -a names < <(packages_of "$arch") && [ ${#names[@]} -gt 0 ]; then
			mapfile -t specs < <(resolve_versions "${names[@]}")
			[ ${#specs[@]} -eq ${#names[@]} ] && return 0
		fi
		# Empty or old package lists: refresh them once.
		[ "$try" = 1 ] && apt_update
	done
	die "apt finds no candidate for the $arch guest packages (${names[*]:-the linux-image-$(debian_arch_of "$arch") meta package}) even after apt-get update; is the Debian archive in /etc/apt/sources.list?"
}

# ---- downloading and unpacking --------------------------------------------

# The .deb that apt-get download writes for a "name[:arch]=version" spec:
# name_version_arch.deb with ':' in the version written as %3a, arch being
# the one named, else the host's or "all".
deb_file_of() {
	local spec=$1 name version arch candidate
	name=${spec%%=*}
	arch=$native_arch
	case $name in *:*) arch=${name#*:} name=${name%%:*} ;; esac
	version=${spec#*=}
	version=${version//:/%3a}
	for candidate in "$cache/${name}_${version}_$arch.deb" "$cache/${name}_${version}_all.deb"; do
		[ -f "$candidate" ] && echo "$candidate" && return 0
	done
	return 0
}

download() {
	local spec=$1
	[ -n "$(deb_file_of "$spec")" ] && return 0
	require_root "downloading $spec"
	say "apt-get download $spec"
	if ! (cd "$cache" && apt-get download -o APT::Sandbox::User=root "$spec") >"$log" 2>&1; then
		die "cannot download $spec from the Debian archive (no network?); apt-get said: $(apt_reason)"
	fi
	[ -n "$(deb_file_of "$spec")" ] || die "apt-get download $spec left no .deb in $cache."
}

# Unpacks a package once into cache/root/<deb name>/ and prints that folder.
unpacked_root_of() {
	local deb root
	deb=$(deb_file_of "$1")
	root=$cache/root/$(basename "$deb" .deb)
	if [ ! -f "$root/.unpacked" ]; then
		rm -rf "$root"
		mkdir -p "$root"
		dpkg-deb -x "$deb" "$root" || die "dpkg-deb cannot unpack $deb (a damaged download? delete it and run again)."
		touch "$root/.unpacked"
	fi
	echo "$root"
}

# The spec in "specs" whose package name starts with $1.
spec_named() {
	local spec
	for spec in "${specs[@]}"; do
		case $spec in "$1"*) echo "$spec"; return 0 ;; esac
	done
	die "internal: no package named $1* among ${specs[*]}"
}

# Copies a file out of an unpacked package, failing with a clear sentence.
take() {
	local root=$1 path=$2 dest=$3
	[ -f "$root/$path" ] || die "the package in $root has no /$path; has Debian moved it?"
	cp "$root/$path" "$dest"
}

# The size of a firmware image without its padding (trailing zero or 0xff
# bytes): the part that holds code or data.  0 for an all-blank variable
# store (Debian's AAVMF_VARS.fd is 64 MiB of zeros: the firmware formats it).
content_size() {
	/usr/bin/python3 - "$1" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
end = len(data)
pad = data[-1:]
if pad in (b"\x00", b"\xff"):
    end = len(data.rstrip(pad))
print(end)
EOF
}

# ---- the initramfs --------------------------------------------------------

# Builds initrd.cpio.gz from a static busybox and init.sh.  Same inputs,
# same bytes: fixed timestamps, root owner, sorted names, gzip without a
# name or time.
build_initramfs() {
	local busybox=$1 dest=$2 tree=$cache/initramfs-tree.$$
	rm -rf "$tree"
	mkdir -p "$tree"/{bin,dev,proc,sys,tmp}
	chmod 0755 "$tree" "$tree"/{bin,dev,proc,sys,tmp} # whatever the umask
	install -m 0755 "$busybox" "$tree/bin/busybox"
	install -m 0755 "$init_script" "$tree/init"
	# The kernel opens /dev/console for /init before devtmpfs is mounted.
	mknod -m 0600 "$tree/dev/console" c 5 1
	find "$tree" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	(cd "$tree" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --create --format=newc --null --reproducible --owner=0:0 --quiet) |
		gzip -9 -n >"$dest.tmp"
	mv "$dest.tmp" "$dest"
	rm -rf "$tree"
}

# ---- one architecture -----------------------------------------------------

prepare_aarch64() {
	local archdir=$1 efi kernel busybox vmlinuz
	efi=$(unpacked_root_of "$(spec_named qemu-efi-aarch64)")
	kernel=$(unpacked_root_of "$(spec_named linux-image-)")
	busybox=$(unpacked_root_of "$(spec_named busybox-static)")

	take "$efi" usr/share/AAVMF/AAVMF_CODE.fd "$archdir/AAVMF_CODE.fd"
	take "$efi" usr/share/AAVMF/AAVMF_VARS.fd "$archdir/AAVMF_VARS.fd"

	vmlinuz=$(compgen -G "$kernel/boot/vmlinuz-*" | head -n1) || die "the kernel package has no boot/vmlinuz-*."
	cp "$vmlinuz" "$archdir/vmlinuz"
	echo "${vmlinuz##*/vmlinuz-}" >"$archdir/kernel-version"
	# QEMU and Tessera load a raw Image.  The signed kernel package ships
	# vmlinuz raw (a signature covers the file as it is); the unsigned one
	# ships it gzip'd.
	if gzip -t "$vmlinuz" 2>/dev/null; then
		gzip -dc "$vmlinuz" >"$archdir/Image.tmp"
	else
		cp "$vmlinuz" "$archdir/Image.tmp"
	fi
	# An arm64 Image has the magic "ARM\x64" at offset 0x38.
	[ "$(dd if="$archdir/Image.tmp" bs=1 skip=56 count=4 status=none | od -An -c | tr -d ' ')" = 'ARMd' ] ||
		die "$vmlinuz is neither an arm64 Image nor a gzip'd one; has Debian changed the kernel's packaging?"
	mv "$archdir/Image.tmp" "$archdir/Image"
	# The same kernel gzip'd the way the kernel's Image.gz target does it
	# (the hypervisor's gunzip path, tests/boot/aarch64/linux-gzip.test).
	gzip -9 -n -c "$archdir/Image" >"$archdir/Image.gz.tmp"
	mv "$archdir/Image.gz.tmp" "$archdir/Image.gz"

	build_initramfs "$busybox/bin/busybox" "$archdir/initrd.cpio.gz"
}

prepare_x86_64() {
	local archdir=$1 seabios qemu ovmf kernel busybox vmlinuz
	seabios=$(unpacked_root_of "$(spec_named seabios)")
	qemu=$(unpacked_root_of "$(spec_named qemu-system-data)")
	ovmf=$(unpacked_root_of "$(spec_named ovmf)")
	kernel=$(unpacked_root_of "$(spec_named linux-image-)")
	busybox=$(unpacked_root_of "$(spec_named busybox-static)")

	take "$seabios" usr/share/seabios/bios-256k.bin "$archdir/bios-256k.bin"
	take "$qemu" usr/share/qemu/linuxboot_dma.bin "$archdir/linuxboot_dma.bin"
	take "$ovmf" usr/share/OVMF/OVMF_CODE_4M.fd "$archdir/OVMF_CODE_4M.fd"
	take "$ovmf" usr/share/OVMF/OVMF_VARS_4M.fd "$archdir/OVMF_VARS_4M.fd"
	take "$ovmf" usr/share/ovmf/OVMF.fd "$archdir/OVMF.fd"

	vmlinuz=$(compgen -G "$kernel/boot/vmlinuz-*" | head -n1) || die "the kernel package has no boot/vmlinuz-*."
	cp "$vmlinuz" "$archdir/bzImage"
	echo "${vmlinuz##*/vmlinuz-}" >"$archdir/kernel-version"

	build_initramfs "$busybox/bin/busybox" "$archdir/initrd.cpio.gz"
}

write_manifest() {
	local arch=$1 archdir=$outdir/$1 spec f line
	{
		echo "# Guest files for $arch, made by scripts/guests/fetch.sh from these Debian packages:"
		for spec in "${specs[@]}"; do
			echo "package $spec"
		done
		echo "kernel-version $(cat "$archdir/kernel-version")"
		for f in $(outputs_of "$arch"); do
			[ "$f" = MANIFEST ] && continue
			line="file $f size=$(stat -c %s "$archdir/$f")"
			case $f in *.fd) line+=" content=$(content_size "$archdir/$f")" ;; esac
			echo "$line sha256=$(sha256sum "$archdir/$f" | cut -d' ' -f1)"
		done
	} >"$archdir/MANIFEST"
}

# What the stamp records: the package versions and the inputs' checksums.
stamp_text() {
	printf '%s\n' "${specs[@]}"
	sha256sum "$init_script" "$this_script" | cut -d' ' -f1
}

fetch_arch() {
	local arch=$1 archdir=$outdir/$1 spec
	if is_up_to_date "$arch"; then
		say "$arch up to date in $archdir"
		return 0
	fi
	check_tools
	native_arch=$(dpkg --print-architecture)
	[ "$arch" = aarch64 ] && enable_arm64_packages
	resolve_packages "$arch"

	# Same versions, same inputs, all files there: only the lists were newer.
	if [ -f "$archdir/.fetched" ] && [ "$(stamp_text)" = "$(cat "$archdir/.fetched")" ] &&
		is_complete "$arch"; then
		touch "$archdir/.fetched"
		say "$arch up to date in $archdir"
		return 0
	fi

	for spec in "${specs[@]}"; do
		download "$spec"
	done
	rm -f "$archdir/.fetched"
	mkdir -p "$archdir"
	"prepare_$arch" "$archdir"
	write_manifest "$arch"
	stamp_text >"$archdir/.fetched"
	say "$arch ready in $archdir (kernel $(cat "$archdir/kernel-version"))"
}

# One run at a time per OUTDIR (apt and the cache are shared), taken only
# when there is work: an up-to-date run writes nothing.
locked=no
for arch in "${arches[@]}"; do
	if [ "$locked" = no ] && ! is_up_to_date "$arch"; then
		{ exec 9>>"$cache/.lock"; } 2>/dev/null || die "cannot write $cache/.lock; run as root or give a folder you own."
		flock 9 || die "cannot lock $cache/.lock."
		locked=yes
	fi
	fetch_arch "$arch"
done
