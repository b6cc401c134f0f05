#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Fetches the test guests (firmware, a Linux kernel, a busybox initramfs,
# the GRUB boot loader) from Debian's packages and prepares them for QEMU,
# Bochs and Tessera; then scripts/guests/mkdisk.sh makes a bootable disk
# image of each architecture from them:
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
# and than this script and init.sh, nothing is fetched (a few milliseconds).
# Otherwise the current package versions are looked up; only a version that
# differs from the recorded one is downloaded again.  mkdisk.sh keeps its
# own account: it rebuilds a disk only when one of its inputs is newer.
#
# Fetching needs root (apt-get update, dpkg --add-architecture arm64) and
# the network to the Debian archive; a run with everything up to date needs
# neither.
set -euo pipefail
# depmod lives in /usr/sbin, which a user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

srctree=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
init_script=$srctree/scripts/guests/init.sh
this_script=$srctree/scripts/guests/fetch.sh
mkdisk_script=$srctree/scripts/guests/mkdisk.sh

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
	aarch64) echo AAVMF_CODE.fd AAVMF_VARS.fd AAVMF13_CODE.fd AAVMF13_VARS.fd Image Image.gz vmlinuz \
		kernel-version initrd.cpio.gz initrd-disk.cpio.gz busybox BOOTAA64.EFI MANIFEST ;;
	x86_64) echo bios-256k.bin linuxboot_dma.bin multiboot_dma.bin pvh.bin OVMF_CODE_4M.fd \
		OVMF_VARS_4M.fd OVMF.fd bzImage kernel-version initrd.cpio.gz initrd-disk.cpio.gz busybox \
		BOOTX64.EFI grub-pc-boot.img grub-pc-core.img MANIFEST ;;
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
	for tool in apt-get apt-cache dpkg dpkg-deb cpio gzip find sort depmod grub-mkimage; do
		command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
	done
	[ ${#missing[@]} -eq 0 ] ||
		die "missing tools: ${missing[*]}; install the Debian packages apt, dpkg, cpio, gzip, findutils, coreutils, kmod and grub-common (scripts/setup.sh does)."
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
		echo qemu-efi-aarch64 "$kernel:arm64" busybox-static:arm64 grub-efi-arm64-bin:arm64
		;;
	x86_64)
		kernel=$(current_kernel_package amd64)
		[ -n "$kernel" ] || return 1
		echo seabios qemu-system-data ovmf "$kernel" busybox-static grub-efi-amd64-bin grub-pc-bin
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

# The kernel modules a disk guest needs before it can mount its root:
# the virtio transports (MMIO on the aarch64 virt machine, PCI on both),
# the virtio block driver and ext4.  Debian builds all of them as modules.
disk_modules=(virtio_mmio virtio_pci virtio_blk ext4)

# Sets modname to a module's name from its file: kernel/crypto/crc32c-intel.ko.xz
# gives crc32c_intel (the kernel treats - and _ in module names alike).
# A variable, not output: this runs for each of the thousands of modules.
set_modname() {
	modname=${1##*/}
	modname=${modname%%.ko*}
	modname=${modname//-/_}
}

# Sets the array "order" to the module files (paths under
# lib/modules/<version>/) that the modules named in $2... need, each after
# everything it needs, so that insmod can load them in this order.
# modules.dep (made by depmod from the kernel package) gives the modules
# whose symbols a module uses; modules.softdep gives the ones it asks for by
# name (ext4 and jbd2 want "crypto-crc32c"), resolved to modules through
# modules.alias (crc32c_generic, and crc32c_intel on x86).  A module built
# into the kernel is skipped.
module_load_order() {
	local moddir=$1 path deps word alias name target soft_names=" " modname
	shift
	local -A path_of=() deps_of=() soft_of=() aliases=() builtin=() visited=()
	order=()
	while IFS=: read -r path deps; do
		set_modname "$path"
		path_of[$modname]=$path
		deps_of[$modname]=$deps
	done <"$moddir/modules.dep"
	while read -r path; do
		set_modname "$path"
		builtin[$modname]=1
	done <"$moddir/modules.builtin"
	while read -r word name deps; do
		[ "$word" = softdep ] || continue
		deps=${deps#pre: }
		soft_of[$name]=${deps%%post:*}
		soft_names+="${deps%%post:*} "
	done <"$moddir/modules.softdep"
	# Only the aliases soft dependencies name (the file has thousands).
	while read -r word alias target; do
		case $soft_names in *" $alias "*) [ "$word" = alias ] && aliases[$alias]+=" $target" ;; esac
	done <"$moddir/modules.alias"
	for name in "$@"; do
		visit_module "$name" required
	done
}

# Depth first: a module goes into "order" after its dependencies.  Uses the
# tables of module_load_order (bash functions see their caller's locals).
visit_module() {
	local name=$1 how=$2 dep target modname
	[ -n "${visited[$name]:-}" ] && return 0
	visited[$name]=1
	if [ -z "${path_of[$name]:-}" ]; then
		[ -n "${builtin[$name]:-}" ] && return 0
		[ "$how" = required ] || return 0
		die "the kernel package has no module $name (neither in modules.dep nor built in); has Debian changed its kernel configuration?"
	fi
	for dep in ${soft_of[$name]:-}; do
		for target in ${aliases[$dep]:-} "$dep"; do
			set_modname "$target"
			visit_module "$modname" optional
		done
	done
	for dep in ${deps_of[$name]}; do
		set_modname "$dep"
		visit_module "$modname" required
	done
	order+=("${path_of[$name]}")
}

# Copies the disk modules and what they need out of the unpacked kernel
# package into TREE/lib/modules/<version>/, uncompressed (Debian 12 ships
# them plain; newer kernels may come as .ko.xz or .ko.zst, which busybox's
# insmod cannot read), and writes their load order, one path a line, to
# TREE/lib/modules/<version>/load-order for /init.
add_disk_modules() {
	local kernel=$1 kver=$2 tree=$3 moddir path plain
	moddir=$kernel/lib/modules/$kver
	[ -f "$moddir/modules.order" ] || die "the kernel package has no lib/modules/$kver/modules.order."
	# The package has no modules.dep (its postinst runs depmod): make it,
	# inside our unpacked copy of the package.
	[ -f "$moddir/modules.dep" ] || depmod -b "$kernel" "$kver" ||
		die "depmod cannot index the modules of $kernel."
	module_load_order "$moddir" "${disk_modules[@]}"
	mkdir -p "$tree/lib/modules/$kver"
	for path in "${order[@]}"; do
		plain=${path%.xz}
		plain=${plain%.zst}
		plain=${plain%.gz}
		mkdir -p "$tree/lib/modules/$kver/$(dirname "$plain")"
		case $path in
		*.xz) xz -dc "$moddir/$path" ;;
		*.zst) zstd -qdc "$moddir/$path" ;;
		*.gz) gzip -dc "$moddir/$path" ;;
		*) cat "$moddir/$path" ;;
		esac >"$tree/lib/modules/$kver/$plain" || die "cannot copy (or decompress) the module $path."
		echo "$plain"
	done >"$tree/lib/modules/$kver/load-order"
}

# Builds an initramfs from a static busybox and init.sh; with a kernel
# package and version, also with the disk modules (initrd-disk.cpio.gz).
# Same inputs, same bytes: fixed timestamps, root owner, sorted names,
# gzip without a name or time.
build_initramfs() {
	local busybox=$1 dest=$2 kernel=${3:-} kver=${4:-} tree=$cache/initramfs-tree.$$
	rm -rf "$tree"
	mkdir -p "$tree"/{bin,dev,proc,sys,tmp}
	install -m 0755 "$busybox" "$tree/bin/busybox"
	install -m 0755 "$init_script" "$tree/init"
	# The kernel opens /dev/console for /init before devtmpfs is mounted.
	mknod -m 0600 "$tree/dev/console" c 5 1
	[ -z "$kernel" ] || add_disk_modules "$kernel" "$kver" "$tree"
	find "$tree" -type d -exec chmod 0755 {} + # whatever the umask
	find "$tree" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	(cd "$tree" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --create --format=newc --null --reproducible --owner=0:0 --quiet) |
		gzip -9 -n >"$dest.tmp"
	mv "$dest.tmp" "$dest"
	rm -rf "$tree"
}

# ---- GRUB -----------------------------------------------------------------

# The GRUB modules built into every GRUB image: GPT, the FAT of the EFI
# system partition (where the configuration and the kernel are), ext4 to
# look at the root from GRUB's shell, the menu and the Linux loader, and
# the few commands the configuration of mkdisk.sh uses.  GRUB reads no
# module files at boot: everything is in the one image.
grub_modules="part_gpt part_msdos fat ext2 normal configfile linux boot echo test ls cat
	search search_fs_uuid search_label sleep reboot halt gzio"

# A monolithic GRUB EFI program from the modules of a grub-efi-*-bin
# package (grub_modules and those named in $4).  Its prefix /boot/grub has
# no device: GRUB takes the partition it was loaded from (the EFI system
# partition), so it reads /boot/grub/grub.cfg there.
build_grub_efi() {
	local grub=$1 format=$2 dest=$3 extra=${4:-}
	[ -f "$grub/usr/lib/grub/$format/kernel.img" ] || die "the package in $grub has no usr/lib/grub/$format/; has Debian moved GRUB's modules?"
	# shellcheck disable=SC2086 # the module lists are words
	grub-mkimage -O "$format" -d "$grub/usr/lib/grub/$format" -p /boot/grub -o "$dest.tmp" $grub_modules $extra ||
		die "grub-mkimage cannot make a $format image from $grub."
	mv "$dest.tmp" "$dest"
}

# GRUB for BIOS: boot.img (the 512-byte MBR code) as the package ships it,
# and a core image (diskboot + the kernel + the modules, with the BIOS disk
# driver and the serial terminal) that mkdisk.sh writes into the BIOS boot
# partition and points boot.img at.  Its prefix "(,gpt1)/boot/grub" means
# partition 1 of the disk the BIOS booted from: the same grub.cfg as EFI.
build_grub_pc() {
	local grub=$1 core=$2 boot=$3 dir=$1/usr/lib/grub/i386-pc
	[ -f "$dir/kernel.img" ] || die "the package in $grub has no usr/lib/grub/i386-pc/; has Debian moved GRUB's modules?"
	# shellcheck disable=SC2086 # the module list is words
	grub-mkimage -O i386-pc -d "$dir" -p '(,gpt1)/boot/grub' -o "$core.tmp" $grub_modules biosdisk serial terminal ||
		die "grub-mkimage cannot make an i386-pc core image from $grub."
	mv "$core.tmp" "$core"
	take "$grub" usr/lib/grub/i386-pc/boot.img "$boot"
}

# ---- Debian 13's AAVMF -----------------------------------------------------
#
# Debian 12's AAVMF (edk2 2022.11) erases and reprograms its whole 256 KiB
# variable store block for most variable updates: VirtNorFlashDxe wrongly
# decides that a small write crossing a 128-byte boundary needs an erase
# (it compares with a buffer it filled only in part; edk2 fixed it in
# 2024, OvmfPkg/VirtNorFlashDxe/VirtNorFlash.c NorFlashWriteSingleBlock).
# A power cut in that window loses the store, on real flash too.  The
# power-loss test therefore boots Debian 13's AAVMF (edk2 2025.02), taken
# from the same archive through apt lists of its own in OUTDIR/cache/trixie
# (the system's apt configuration is not touched): AAVMF13_CODE.fd and
# AAVMF13_VARS.fd.  docs/persistence.md, "Power loss".
newer_suite=trixie
newer_spec=
newer_dir=$cache/$newer_suite
newer_apt() {
	local tool=$1
	shift
	"$tool" -o Dir::Etc::SourceList="$newer_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$newer_dir/lists" -o Dir::Cache="$newer_dir/apt-cache" \
		-o APT::Architectures="$native_arch" -o Acquire::Languages=none \
		-o APT::Sandbox::User=root "$@"
}

# The package lists of the newer suite, from the mirror the system uses.
newer_update() {
	local uri
	require_root "updating the $newer_suite package lists"
	uri=$(apt-get indextargets --format '$(REPO_URI)' 'Created-By: Packages' 2>/dev/null |
		grep -v -- '-security' | head -n1)
	[ -n "$uri" ] || uri=http://deb.debian.org/debian/
	mkdir -p "$newer_dir/lists/partial" "$newer_dir/apt-cache/archives/partial"
	echo "deb $uri $newer_suite main" >"$newer_dir/sources.list"
	say "apt-get update ($newer_suite lists, for its AAVMF)"
	if ! newer_apt apt-get update >"$log" 2>&1 || grep -q '^\(Err\|W: Failed\)' "$log"; then
		die "cannot reach the Debian archive to update the $newer_suite package lists (no network?); apt-get said: $(apt_reason)"
	fi
}

# Sets newer_spec to qemu-efi-aarch64=<the newer suite's version>.
resolve_newer() {
	local version
	newer_update
	version=$(newer_apt apt-cache policy qemu-efi-aarch64 2>/dev/null | awk '/^  Candidate:/ { print $2 }')
	case $version in
	"" | "(none)") die "the $newer_suite package lists have no qemu-efi-aarch64 (see $newer_dir/sources.list)." ;;
	esac
	newer_spec=qemu-efi-aarch64=$version
}

# Downloads the newer AAVMF once and prints the folder it is unpacked in.
newer_root() {
	local version=${newer_spec#*=} deb root
	deb=$newer_dir/qemu-efi-aarch64_${version//:/%3a}_all.deb
	if [ ! -f "$deb" ]; then
		say "apt-get download $newer_spec ($newer_suite)" >&2
		if ! (cd "$newer_dir" && newer_apt apt-get download "$newer_spec") >"$log" 2>&1 || [ ! -f "$deb" ]; then
			die "cannot download $newer_spec from the $newer_suite archive (no network?); apt-get said: $(apt_reason)"
		fi
	fi
	root=$cache/root/$(basename "$deb" .deb)
	if [ ! -f "$root/.unpacked" ]; then
		rm -rf "$root"
		mkdir -p "$root"
		dpkg-deb -x "$deb" "$root" || die "dpkg-deb cannot unpack $deb (a damaged download? delete it and run again)."
		touch "$root/.unpacked"
	fi
	echo "$root"
}

# ---- one architecture -----------------------------------------------------

prepare_aarch64() {
	local archdir=$1 efi kernel busybox grub vmlinuz
	efi=$(unpacked_root_of "$(spec_named qemu-efi-aarch64)")
	kernel=$(unpacked_root_of "$(spec_named linux-image-)")
	busybox=$(unpacked_root_of "$(spec_named busybox-static)")
	grub=$(unpacked_root_of "$(spec_named grub-efi-arm64-bin)")

	take "$efi" usr/share/AAVMF/AAVMF_CODE.fd "$archdir/AAVMF_CODE.fd"
	take "$efi" usr/share/AAVMF/AAVMF_VARS.fd "$archdir/AAVMF_VARS.fd"
	efi=$(newer_root)
	take "$efi" usr/share/AAVMF/AAVMF_CODE.fd "$archdir/AAVMF13_CODE.fd"
	take "$efi" usr/share/AAVMF/AAVMF_VARS.fd "$archdir/AAVMF13_VARS.fd"

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
	prepare_disk_inputs "$archdir" "$kernel" "$busybox"
	build_grub_efi "$grub" arm64-efi "$archdir/BOOTAA64.EFI"
}

prepare_x86_64() {
	local archdir=$1 seabios qemu ovmf kernel busybox grub_efi grub_pc vmlinuz
	seabios=$(unpacked_root_of "$(spec_named seabios)")
	qemu=$(unpacked_root_of "$(spec_named qemu-system-data)")
	ovmf=$(unpacked_root_of "$(spec_named ovmf)")
	kernel=$(unpacked_root_of "$(spec_named linux-image-)")
	busybox=$(unpacked_root_of "$(spec_named busybox-static)")
	grub_efi=$(unpacked_root_of "$(spec_named grub-efi-amd64-bin)")
	grub_pc=$(unpacked_root_of "$(spec_named grub-pc-bin)")

	take "$seabios" usr/share/seabios/bios-256k.bin "$archdir/bios-256k.bin"
	take "$qemu" usr/share/qemu/linuxboot_dma.bin "$archdir/linuxboot_dma.bin"
	take "$qemu" usr/share/qemu/multiboot_dma.bin "$archdir/multiboot_dma.bin"
	take "$qemu" usr/share/qemu/pvh.bin "$archdir/pvh.bin"
	take "$ovmf" usr/share/OVMF/OVMF_CODE_4M.fd "$archdir/OVMF_CODE_4M.fd"
	take "$ovmf" usr/share/OVMF/OVMF_VARS_4M.fd "$archdir/OVMF_VARS_4M.fd"
	take "$ovmf" usr/share/ovmf/OVMF.fd "$archdir/OVMF.fd"

	vmlinuz=$(compgen -G "$kernel/boot/vmlinuz-*" | head -n1) || die "the kernel package has no boot/vmlinuz-*."
	cp "$vmlinuz" "$archdir/bzImage"
	echo "${vmlinuz##*/vmlinuz-}" >"$archdir/kernel-version"

	build_initramfs "$busybox/bin/busybox" "$archdir/initrd.cpio.gz"
	prepare_disk_inputs "$archdir" "$kernel" "$busybox"
	# efi_gop: the x86 Linux loader hands the kernel the firmware's frame
	# buffer, and without a video driver GRUB says "error: no suitable
	# video mode found" (and boots anyway).
	build_grub_efi "$grub_efi" x86_64-efi "$archdir/BOOTX64.EFI" efi_gop
	build_grub_pc "$grub_pc" "$archdir/grub-pc-core.img" "$archdir/grub-pc-boot.img"
}

# What mkdisk.sh needs besides the kernel: the initramfs with the disk
# modules, and busybox for the root file system.
prepare_disk_inputs() {
	local archdir=$1 kernel=$2 busybox=$3
	build_initramfs "$busybox/bin/busybox" "$archdir/initrd-disk.cpio.gz" "$kernel" "$(cat "$archdir/kernel-version")"
	install -m 0755 "$busybox/bin/busybox" "$archdir/busybox"
}

write_manifest() {
	local arch=$1 archdir=$outdir/$1 spec f line
	{
		echo "# Guest files for $arch, made by scripts/guests/fetch.sh from these Debian packages:"
		for spec in "${specs[@]}"; do
			echo "package $spec"
		done
		[ -z "$newer_spec" ] || echo "package $newer_spec ($newer_suite: AAVMF13_*.fd)"
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
	[ -z "$newer_spec" ] || echo "$newer_suite $newer_spec"
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
	newer_spec=
	[ "$arch" = aarch64 ] && resolve_newer

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
	bash "$mkdisk_script" "$outdir" "$arch"
done
