#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Makes or extends the host disk image ('make hostdisk', docs/persistence.md).

  scripts/hostdisk.py --image FILE --arch ARCH [--guests DIR] --vm PATH.vm...

The host disk is a raw GPT disk the emulator attaches to the machine
Tessera runs on.  VM configurations name their storage there by GPT
partition name:

  firmware-vars = host:web-vars [from=<template>] [size=<size>]
  disk          = host:web-root [from=<image>] [size=<size>] [readonly]

For every host:<name> the VMs use, a partition of that name is made when
the disk has none yet, and filled once:

  firmware-vars   from the NVRAM template: from=, else the one the firmware
                  descriptor gives ('firmware = uefi', scripts/firmware.py);
                  what only pads the template becomes erased flash (0xFF),
                  as the board makes a bank that is not kept here
  disk            from the from= image, else left empty (zeroes); from= a
                  folder: a FAT file system holding the folder's files
                  (mtools), e.g. UEFI Shell scripts for a firmware test

Its size is size= or the file's size, rounded up to whole MiB.  A
partition that exists is never written again: what the VM stored there is
kept.  The image grows as needed (a sparse file) and its backup GPT moves
to the new end.  Needs no root: sgdisk (Debian's gdisk) edits the file.
Delete the image to start afresh.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import firmware as firmware_descriptors  # noqa: E402
import mkarchive  # noqa: E402

MIB = 1 << 20
SECTOR = 512
HOST = "host:"
# GPT partition type: Linux filesystem data (sgdisk code 8300).
TYPE_CODE = "8300"
# First usable MiB (the GPT and alignment) and the backup GPT at the end.
HEAD = MIB
TAIL = MIB
# A FAT file system made from a folder is at least this big.
FAT_MIN = 8 * MIB


class HostDiskError(Exception):
    pass


def parse_size(text, where):
    m = re.fullmatch(r"(\d+)([KMGT]?)", text, re.I)
    if not m:
        raise HostDiskError("%s: size '%s' is not a size like 64M or 1G" % (where, text))
    return int(m.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30, "T": 40}[m.group(2).upper()]


class Wanted:
    """One host: partition a VM names."""
    def __init__(self, name, where, kind, source, size):
        self.name = name
        self.where = where          # "file:line"
        self.kind = kind            # "firmware-vars" or "disk"
        self.source = source        # host file to fill it from, or None
        self.size = size            # bytes, a multiple of 1 MiB


def wanted_partitions(vm_path, arch, guests):
    """The host: partitions one VM configuration names."""
    with open(vm_path, errors="replace") as f:
        text = f.read()
    archive = mkarchive.Archive(arch, guests)
    lines = mkarchive.key_value_lines(text)
    firmware_line = None
    machine = firmware_descriptors.DEFAULT_MACHINE.get(arch, "")
    for i, key, raw in lines:
        value = mkarchive.parse_value(raw) or ""
        if key == "firmware":
            firmware_line = (i + 1, value)
        elif key == "machine" and value:
            machine = value
    out = []
    for i, key, raw in lines:
        if key not in ("firmware-vars", "disk"):
            continue
        words = (mkarchive.parse_value(raw) or "").split()
        if not words or not words[0].startswith(HOST):
            continue
        where = "%s:%d" % (mkarchive.shown(vm_path), i + 1)
        name = words[0][len(HOST):]
        source, size = None, 0
        for w in words[1:]:
            if w.startswith("from="):
                folder = os.path.join(os.path.dirname(os.path.abspath(vm_path)), w[5:])
                if os.path.isdir(folder):
                    source = folder
                    continue
                try:
                    source = archive.source_of(vm_path, i + 1, w[5:])
                except mkarchive.ArchiveError as e:
                    raise HostDiskError(str(e))
            elif w.startswith("size="):
                size = parse_size(w[5:], where)
        if key == "firmware-vars" and not source:
            asked = firmware_descriptors.parse_firmware_value(firmware_line[1]) \
                if firmware_line else None
            if not asked:
                raise HostDiskError("%s: firmware-vars = %s needs from=<NVRAM template> (or "
                                    "'firmware = uefi', whose descriptor names one)" %
                                    (where, words[0]))
            try:
                fw = firmware_descriptors.resolve(asked[0], arch, machine, asked[1])
            except firmware_descriptors.ResolveError as e:
                raise HostDiskError("%s: %s" % (where, e))
            source = fw.template
        if source and os.path.isdir(source):
            size = max(size, FAT_MIN)
        elif source:
            size = max(size, os.path.getsize(source))
        if not size:
            raise HostDiskError("%s: %s = %s needs from=<file> or size=<size> to make its "
                                "partition" % (where, key, words[0]))
        size = -(-size // MIB) * MIB
        out.append(Wanted(name, where, key, source, size))
    return out


def sgdisk(*args):
    p = subprocess.run(["sgdisk"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if p.returncode != 0:
        raise HostDiskError("sgdisk %s failed: %s" % (" ".join(args), p.stdout.strip()))
    return p.stdout


def partitions(image):
    """{name: (number, first sector, last sector)} of the image's GPT."""
    out = {}
    for line in sgdisk("-p", image).splitlines():
        m = re.match(r"\s*(\d+)\s+(\d+)\s+(\d+)\s+\S+\s+\S+\s+\S+\s*(.*)$", line)
        if m:
            out[m.group(4).strip()] = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return out


def copy_into(image, offset, source):
    """Writes source into image at offset, leaving holes where it has zeroes."""
    chunk = MIB
    zero = bytes(chunk)
    with open(source, "rb") as src, open(image, "r+b") as dst:
        pos = 0
        while True:
            data = src.read(chunk)
            if not data:
                break
            if data != zero[:len(data)]:
                dst.seek(offset + pos)
                dst.write(data)
            pos += len(data)


def fill_flash(image, offset, size, template):
    """A variable store partition: the template's content, and erased
    flash (0xFF) where the template only pads (Debian pads AAVMF's to
    64 MiB with zeros), the state the board gives a bank that is not
    kept on the host disk (mkarchive.content_size)."""
    content = mkarchive.content_size(template)
    with open(template, "rb") as src, open(image, "r+b") as dst:
        dst.seek(offset)
        dst.write(src.read(content))
        erased = b"\xff" * MIB
        left = size - content
        while left > 0:
            n = min(left, MIB)
            dst.write(erased[:n])
            left -= n


def make_fat(folder, size, out_path):
    """A FAT image of size bytes at out_path holding the folder's files."""
    with open(out_path, "wb") as f:
        f.truncate(size)
    for cmd in (["mformat", "-i", out_path, "-v", "TESSERA", "::"],
                ["mcopy", "-i", out_path, "-s", "-Q"] +
                [os.path.join(folder, n) for n in sorted(os.listdir(folder))] + ["::"]):
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            raise HostDiskError("%s failed: %s (mtools is in scripts/setup.sh)" %
                                (cmd[0], p.stdout.strip()))


def make(image, arch, guests, vm_paths, out=print):
    if not shutil.which("sgdisk"):
        raise HostDiskError("sgdisk is missing; install the Debian package gdisk "
                            "(scripts/setup.sh does)")
    wanted = []
    for vm in vm_paths:
        wanted.extend(wanted_partitions(vm, arch, guests))
    seen = {}
    for w in wanted:
        if w.name in seen:
            raise HostDiskError("%s: host:%s is already named at %s; a partition belongs to "
                                "one VM" % (w.where, w.name, seen[w.name].where))
        seen[w.name] = w
    new_image = not os.path.exists(image)
    if new_image:
        os.makedirs(os.path.dirname(os.path.abspath(image)) or ".", exist_ok=True)
        with open(image, "wb") as f:
            f.truncate(HEAD + TAIL)
        sgdisk("-o", image)
    have = partitions(image)
    todo = [w for w in wanted if w.name not in have]
    notes = ["%s kept" % w.name for w in wanted if w.name in have]
    if todo:
        # Room at the end: past the last partition, then the backup GPT.
        end = max([last + 1 for _, _, last in have.values()] + [HEAD // SECTOR]) * SECTOR
        end = -(-end // MIB) * MIB
        size = end + sum(w.size for w in todo) + TAIL
        if size > os.path.getsize(image):
            with open(image, "r+b") as f:
                f.truncate(size)
            sgdisk("-e", image)
        number = max([n for n, _, _ in have.values()] + [0])
        for w in todo:
            number += 1
            sgdisk("-n", "%d:%d:+%dK" % (number, end // SECTOR, w.size >> 10),
                   "-c", "%d:%s" % (number, w.name), "-t", "%d:%s" % (number, TYPE_CODE), image)
            first = partitions(image)[w.name][1]
            if w.source and os.path.isdir(w.source):
                fat = image + ".fat.tmp"
                try:
                    make_fat(w.source, w.size, fat)
                    copy_into(image, first * SECTOR, fat)
                finally:
                    if os.path.exists(fat):
                        os.unlink(fat)
            elif w.source and w.kind == "firmware-vars":
                fill_flash(image, first * SECTOR, w.size, w.source)
            elif w.source:
                copy_into(image, first * SECTOR, w.source)
            notes.append("%s new (%d MiB%s)" % (w.name, w.size >> 20,
                                                ", from " + os.path.basename(w.source) +
                                                ("/ as FAT" if os.path.isdir(w.source) else "")
                                                if w.source else ", empty"))
            end += w.size
    out("  HOSTDISK %s%s: %s" % (mkarchive.shown(image), " (new)" if new_image else "",
                                 ", ".join(notes) if notes else "no host: partitions named"))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--image", required=True)
    ap.add_argument("--arch", required=True, choices=("aarch64", "x86_64"))
    ap.add_argument("--guests", default=os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build", "guests"))
    ap.add_argument("--vm", action="append", default=[], metavar="PATH")
    args = ap.parse_args()
    try:
        make(args.image, args.arch, os.path.abspath(args.guests), args.vm)
    except (HostDiskError, OSError) as e:
        print("error: %s." % str(e).rstrip("."), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
