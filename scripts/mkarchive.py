#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes Tessera's boot archive (a cpio "newc" archive) from its files and
the VM configuration files to put in it.

  scripts/mkarchive.py --out FILE --arch ARCH [--guests DIR] [--test-guests DIR]
                       [--conform-guests DIR] [--staging DIR] [--file NAME=PATH]...
                       [--vm PATH.vm]...

--file puts PATH into the archive as NAME (the configuration, files that
components add).  --vm puts a VM configuration in as vms/<its file name>,
together with every file it names (keys kernel, initrd, firmware,
firmware-vars; docs/vm-config.md).  Those are paths inside the archive;
their content comes from:

  1. the guest cache, for a path guests/<name>: DIR/<ARCH>/<name>, filled
     by 'make guests' (DIR defaults to build/guests);
  2. the test guests, for a path test-guests/<name>: the --test-guests
     folder, where the build puts the bare-metal guests of tests/guests/;
  3. the conformance test guests, for a path conform-guests/<name>: the
     --conform-guests folder, where the build puts the small kernels of
     tests/conform-guests/ (docs/guests.md);
  4. otherwise the same path taken relative to the .vm file's folder, so a
     VM can bring its own kernel (kernel = guests/my-Image next to a
     guests/ folder of the user's, or kernel = mine/Image).

An x86_64 VM with firmware and a kernel also gets linuxboot_dma.bin from
the firmware's folder (QEMU's option ROM, with which SeaBIOS loads the
kernel from fw_cfg), or multiboot_dma.bin for a Multiboot kernel, or
pvh.bin for a PVH ELF kernel.

On aarch64, firmware and firmware-vars images are trimmed: Debian pads
AAVMF to the 64 MiB of a flash bank with zeros, the firmware itself is
2 MiB and the variable store is blank.  The virt machine fills the rest of
a bank itself, so only the content, rounded up to whole 256 KiB flash
sectors, goes into the archive.  x86 firmware is left alone: its position
below 4 GiB depends on its size.

A line the packager cannot read is left for the hypervisor, which reports
it as file:line; only a file that cannot be found stops the build.
"""
import argparse
import os
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import firmware as firmware_descriptors  # noqa: E402

PATH_KEYS = ("kernel", "initrd", "firmware", "firmware-vars")
DEVICE_KEYS = ("device", "device-set")
# Words of a device line that are never files.
DEVICE_RESOURCE_KEYS = ("name", "base", "port", "irq")
TRIMMED_KEYS = ("firmware", "firmware-vars")
FLASH_SECTOR = 256 * 1024
X86_OPTION_ROM = "linuxboot_dma.bin"
X86_MULTIBOOT_ROM = "multiboot_dma.bin"
X86_PVH_ROM = "pvh.bin"
HOST_PREFIX = "host:"


class ArchiveError(Exception):
    pass


def parse_value(raw):
    """The value of a 'key = value' line as the hypervisor reads it, or
    None when the line is malformed (the hypervisor will say why)."""
    raw = raw.strip(" \t")
    if raw.startswith('"'):
        out, i = [], 1
        escapes = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}
        while i < len(raw):
            c = raw[i]
            if c == '"':
                rest = raw[i + 1:].strip(" \t")
                return "".join(out) if not rest or rest.startswith("#") else None
            if c == "\\":
                if i + 1 >= len(raw) or raw[i + 1] not in escapes:
                    return None
                out.append(escapes[raw[i + 1]])
                i += 2
                continue
            out.append(c)
            i += 1
        return None
    value = raw.split("#", 1)[0].rstrip(" \t").replace("\t", " ")
    return None if '"' in value else value


def looks_like_path(value):
    """Whether a device property's value may name a file: it has a '/' or a
    '.' and is not a number (0x1000, 1.5)."""
    if "/" not in value and "." not in value:
        return False
    return not value.lower().startswith("0x") and not value.replace(".", "").isdigit()


def is_multiboot(path):
    """Whether the file is a Multiboot kernel and not a bzImage, as QEMU
    tells them apart: no "HdrS" at 0x202, a Multiboot header (magic
    0x1BADB002, flags, checksum summing to 0) 4-byte aligned in 8 KiB."""
    try:
        with open(path, "rb") as f:
            head = f.read(8192)
    except OSError:
        return False
    if head[0x202:0x206] == b"HdrS":
        return False
    for i in range(0, len(head) - 11, 4):
        magic, flags, checksum = struct.unpack_from("<III", head, i)
        if magic == 0x1BADB002 and (magic + flags + checksum) & 0xFFFFFFFF == 0:
            return True
    return False


def is_pvh(path):
    """Whether the file is an ELF kernel with the Xen note PHYS32_ENTRY (type
    18), the mark of a PVH kernel (the hypervisor parses it properly)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return False
    if data[:4] != b"\x7fELF":
        return False
    return any(struct.pack("<III", 4, size, 18) + b"Xen\0" in data for size in (4, 8))


def referenced_files(text):
    """(line number, key, path) of every file a VM configuration names."""
    refs = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip(" \t\r")
        if not stripped or stripped.startswith("#") or "=" not in stripped:
            continue
        key, _, raw = stripped.partition("=")
        key = key.strip(" \t")
        if key in DEVICE_KEYS:
            value = parse_value(raw) or ""
            for word in value.split()[1:]:
                prop, eq, path = word.partition("=")
                if eq and prop not in DEVICE_RESOURCE_KEYS and looks_like_path(path):
                    refs.append((number, "device:" + prop, path))
            continue
        if key == "disk":
            # disk = <file> [readonly] [transport=...]: the first word.
            words = (parse_value(raw) or "").split()
            if words and not words[0].startswith(HOST_PREFIX):
                refs.append((number, key, words[0]))
            continue
        if key not in PATH_KEYS:
            continue
        value = parse_value(raw)
        # host:<partition> is on the host disk ('make hostdisk'), not in the archive.
        if value and not value.startswith(HOST_PREFIX):
            refs.append((number, key, value))
    return refs


def shown(path):
    """A path as messages show it: relative to the current folder when it
    is below it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def is_archive_path(path):
    parts = path.split("/")
    return not path.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def content_size(path):
    """The size of a firmware image without the run of 0x00 or 0xff bytes
    that pads it, rounded up to whole flash sectors (at least one)."""
    size = os.path.getsize(path)
    end = size
    with open(path, "rb") as f:
        if size:
            f.seek(size - 1)
            pad = f.read(1)
            if pad in (b"\x00", b"\xff"):
                chunk = 1 << 20
                while end > 0:
                    start = max(0, end - chunk)
                    f.seek(start)
                    data = f.read(end - start)
                    kept = len(data.rstrip(pad))
                    end = start + kept
                    if kept:
                        break
    rounded = max(FLASH_SECTOR, -(-end // FLASH_SECTOR) * FLASH_SECTOR)
    return min(rounded, size) if size else 0


def key_value_lines(text):
    """(index, key, raw value) of every 'key = value' line."""
    out = []
    for i, line in enumerate(text.split("\n")):
        stripped = line.strip(" \t\r")
        if not stripped or stripped.startswith("#") or "=" not in stripped:
            continue
        key, _, raw = stripped.partition("=")
        out.append((i, key.strip(" \t"), raw))
    return out


def resolve_firmware(text, arch, vm_path):
    """A VM text with 'firmware = uefi|bios [features]' replaced by the files
    QEMU's firmware descriptors give (scripts/firmware.py), and the archive
    names and host files of those: (text, [(name, source)], note).  Other
    texts come back unchanged."""
    lines = text.split("\n")
    found = None
    machine = firmware_descriptors.DEFAULT_MACHINE.get(arch, "")
    has_vars = False
    for i, key, raw in key_value_lines(text):
        value = parse_value(raw) or ""
        if key == "firmware":
            asked = firmware_descriptors.parse_firmware_value(value)
            if asked:
                found = (i, asked)
        elif key == "machine" and value:
            machine = value
        elif key == "firmware-vars":
            has_vars = True
    if not found:
        return text, [], None
    i, (interface, features) = found
    try:
        fw = firmware_descriptors.resolve(interface, arch, machine, features)
    except firmware_descriptors.ResolveError as e:
        raise ArchiveError("%s:%d: %s" % (shown(vm_path), i + 1, e))
    files = [("firmware/" + os.path.basename(fw.executable), fw.executable)]
    lines[i] = "firmware = %s    # %s: %s" % (files[0][0], " ".join((interface,) + features),
                                               fw.descriptor)
    if fw.template and not has_vars:
        files.append(("firmware/" + os.path.basename(fw.template), fw.template))
        at = len(lines) - 1 if lines and lines[-1] == "" else len(lines)
        lines.insert(at, "firmware-vars = %s    # the descriptor's NVRAM template" % files[1][0])
    return "\n".join(lines), files, os.path.basename(fw.descriptor)


class Archive:
    def __init__(self, arch, guests, test_guests=None, conform_guests=None):
        self.arch = arch
        self.guests = guests
        self.test_guests = test_guests
        self.conform_guests = conform_guests
        self.entries = {}      # name in the archive -> (source, size to keep or None, origin)
        self.generated = {}    # name in the archive -> bytes (a rewritten .vm)
        self.vm_lines = []     # what the build prints per VM

    def add(self, name, source, keep=None, origin="the command line"):
        old = self.entries.get(name)
        if old:
            if os.path.realpath(old[0]) == os.path.realpath(source) and old[1] == keep:
                return
            raise ArchiveError("%s puts %s into the boot archive from %s, but %s "
                               "already put it there from %s" %
                               (origin, name, source, old[2], old[0]))
        self.entries[name] = (source, keep, origin)

    def source_of(self, vm_path, line, path):
        where = "%s:%d" % (shown(vm_path), line)
        if not is_archive_path(path):
            raise ArchiveError("%s: '%s' is not a path inside the boot archive; write it "
                               "like guests/Image (relative, without '..')" % (where, path))
        vm_dir = os.path.dirname(os.path.abspath(vm_path))
        cache_dir = os.path.join(self.guests, self.arch)
        if path.startswith("guests/"):
            cached = os.path.join(cache_dir, path[len("guests/"):])
            if os.path.isfile(cached):
                return cached
        if path.startswith("test-guests/") and self.test_guests:
            built = os.path.join(self.test_guests, path[len("test-guests/"):])
            if os.path.isfile(built):
                return built
        if path.startswith("conform-guests/") and self.conform_guests:
            built = os.path.join(self.conform_guests, path[len("conform-guests/"):])
            if os.path.isfile(built):
                return built
            raise ArchiveError("%s references %s, which the build did not make in %s "
                               "(tests/conform-guests/%s/)" %
                               (where, path, shown(self.conform_guests), self.arch))
        local = os.path.join(vm_dir, path)
        if os.path.isfile(local):
            return local
        if path.startswith("guests/"):
            raise ArchiveError("%s references %s, which is not in %s: run 'make guests "
                               "GUEST_ARCH=%s' (or put your own file at %s)" %
                               (where, path, shown(cache_dir), self.arch, shown(local)))
        if path.startswith("test-guests/"):
            raise ArchiveError("%s references %s, which is not a test guest built in %s: "
                               "add it to tests/guests/%s/guests.mk (or put your own file "
                               "at %s)" % (where, path, shown(self.test_guests or "?"),
                                           self.arch, shown(local)))
        raise ArchiveError("%s references %s, which is not at %s" % (where, path, shown(local)))

    def add_vm(self, vm_path):
        base = os.path.basename(vm_path)
        if not base.endswith(".vm") or len(base) <= 3:
            raise ArchiveError("%s is not a VM configuration: its name must end in .vm" % vm_path)
        try:
            with open(vm_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError as e:
            raise ArchiveError("cannot read the VM configuration %s: %s" % (vm_path, e.strerror))
        name = "vms/" + base
        if name in self.entries:
            raise ArchiveError("%s and %s would both be %s in the boot archive; rename one"
                               % (self.entries[name][0], vm_path, name))
        self.add(name, vm_path, origin=vm_path)
        notes = []
        text, fw_files, descriptor = resolve_firmware(text, self.arch, vm_path)
        if descriptor:
            self.generated[name] = text.encode()
            notes.append("firmware from %s" % descriptor)
        fw_names = dict(fw_files)
        for line, key, path in referenced_files(text):
            if key.startswith("device:"):
                # A device property that may be a file: packed when it is one;
                # otherwise the hypervisor says what is wrong with the line.
                try:
                    source = self.source_of(vm_path, line, path)
                except ArchiveError:
                    continue
            elif path in fw_names:
                source = fw_names[path]
            else:
                source = self.source_of(vm_path, line, path)
            keep = None
            if self.arch == "aarch64" and key in TRIMMED_KEYS:
                keep = content_size(source)
                if keep == os.path.getsize(source):
                    keep = None
            self.add(path, source, keep, origin=vm_path)
            size = keep if keep is not None else os.path.getsize(source)
            notes.append("%s %s" % (path, human(size)))
        rom = self.x86_option_rom(vm_path, referenced_files(text))
        if rom:
            line, path = rom
            source = self.source_of(vm_path, line, path)
            self.add(path, source, None, origin=vm_path)
            notes.append("%s %s" % (path, human(os.path.getsize(source))))
        self.vm_lines.append("%s (%s)" % (name, ", ".join(notes) if notes else "no files"))

    def x86_option_rom(self, vm_path, refs):
        """(line, path) of the option ROM an x86 VM with firmware and a kernel
        needs: SeaBIOS loads a bzImage with QEMU's linuxboot_dma.bin and
        starts a Multiboot kernel with multiboot_dma.bin, which the pc
        machine looks for next to the firmware."""
        keys = {key: (line, path) for line, key, path in refs}
        if self.arch != "x86_64" or "firmware" not in keys or "kernel" not in keys:
            return None
        line, firmware = keys["firmware"]
        folder = os.path.dirname(firmware)
        rom = X86_OPTION_ROM
        try:
            kline, kernel = keys["kernel"]
            source = self.source_of(vm_path, kline, kernel)
            if is_multiboot(source):
                rom = X86_MULTIBOOT_ROM
            elif is_pvh(source):
                rom = X86_PVH_ROM
        except ArchiveError:
            pass                       # reported when the kernel itself is packed
        return line, (folder + "/" if folder else "") + rom

    def write(self, out, staging):
        shutil.rmtree(staging, ignore_errors=True)
        os.makedirs(staging)
        for name, (source, keep, _) in sorted(self.entries.items()):
            dest = os.path.join(staging, name)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            if name in self.generated:
                with open(dest, "wb") as dst:
                    dst.write(self.generated[name])
            elif keep is None:
                # cpio -L archives the file the link points to: no copy
                # of a 30 MiB kernel.
                os.symlink(os.path.abspath(source), dest)
            else:
                with open(source, "rb") as src, open(dest, "wb") as dst:
                    dst.write(src.read(keep))
        names = subprocess.run(["find", ".", "-mindepth", "1"], cwd=staging, check=True,
                               stdout=subprocess.PIPE).stdout.splitlines()
        listing = b"".join(n + b"\n" for n in sorted(names))
        tmp = out + ".tmp"
        with open(tmp, "wb") as f:
            p = subprocess.run(["cpio", "-o", "-H", "newc", "-L", "--reproducible",
                                "-R", "0:0", "--quiet"], cwd=staging, input=listing,
                               stdout=f, stderr=subprocess.PIPE)
        if p.returncode != 0:
            os.unlink(tmp)
            raise ArchiveError("cpio could not write %s: %s" %
                               (out, p.stderr.decode(errors="replace").strip()))
        os.replace(tmp, out)


def human(size):
    if size >= 1 << 20:
        return "%.1f MiB" % (size / (1 << 20))
    if size >= 1 << 10:
        return "%.0f KiB" % (size / (1 << 10))
    return "%d bytes" % size


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--arch", required=True, choices=("aarch64", "x86_64"))
    ap.add_argument("--guests", default=os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build", "guests"))
    ap.add_argument("--test-guests", metavar="DIR",
                    help="the built test guests (tests/guests/), for test-guests/ paths")
    ap.add_argument("--conform-guests", help="folder of the built conformance test guests")
    ap.add_argument("--staging", help="folder for the archive's tree (default OUT.d)")
    ap.add_argument("--file", action="append", default=[], metavar="NAME=PATH")
    ap.add_argument("--vm", action="append", default=[], metavar="PATH")
    ap.add_argument("--quiet", action="store_true", help="do not list the VMs")
    args = ap.parse_args()

    archive = Archive(args.arch, os.path.abspath(args.guests),
                      os.path.abspath(args.test_guests) if args.test_guests else None,
                      os.path.abspath(args.conform_guests) if args.conform_guests else None)
    try:
        for spec in args.file:
            name, sep, path = spec.partition("=")
            if not sep or not is_archive_path(name):
                raise ArchiveError("--file wants NAME=PATH with NAME a path inside the "
                                   "archive, not '%s'" % spec)
            if not os.path.isfile(path):
                raise ArchiveError("%s (for %s in the boot archive) does not exist" % (path, name))
            archive.add(name, path)
        for vm in args.vm:
            archive.add_vm(vm)
        archive.write(args.out, args.staging or args.out + ".d")
    except ArchiveError as e:
        print("error: %s." % str(e).rstrip("."), file=sys.stderr)
        return 1
    if not args.quiet:
        for line in archive.vm_lines:
            print("  VM      %s" % line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
