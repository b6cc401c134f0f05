#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Makes a GPT disk image boot GRUB from a PC BIOS, the way grub-install does
it for a disk with a BIOS boot partition, but on an image file (no device,
no root, no grub-install):

    grub_bios_setup.py DISK BOOT_IMG CORE_IMG

BOOT_IMG is GRUB's boot.img (grub-pc-bin, /usr/lib/grub/i386-pc/boot.img),
CORE_IMG a core image from `grub-mkimage -O i386-pc` (diskboot.img first,
then GRUB's kernel and modules).  The BIOS loads sector 0 and jumps to it;
boot.img reads the first sector of the core image from the LBA it carries
at 0x5c; that sector (diskboot) reads the rest of the core image from the
block list at its end.  So this script

  1. finds the BIOS boot partition in the GPT (type
     21686148-6449-6E6F-744E-656564454649) and checks the core image fits;
  2. writes the core image at the start of that partition, padded to whole
     sectors, after replacing the block list in its first sector with one
     entry: (partition start + 1, sectors - 1, segment 0x820), followed by an
     empty entry that ends the list;
  3. writes boot.img's code into sector 0 with
       - the LBA of the core image at 0x5c (8 bytes, little endian),
       - 0xff at 0x64: use the drive number the BIOS passes in DL,
       - two NOPs over the jump at 0x66: the disk is a hard disk, so a BIOS
         that passes 0x00 in DL is not believed (GRUB then uses 0x80),
     and the rest of sector 0 kept as it is: the BPB area (0x03-0x59) and,
     from 0x1b8, the disk signature, the protective MBR's partition table
     and the 0x55AA signature.

Offsets and the segment are those of GRUB 2's include/grub/i386/pc/boot.h
and util/setup.c.  grub-install also appends Reed-Solomon codes to the
core image unless it is given --no-rs-codes; this script does not (the
core image then works exactly as with --no-rs-codes).
"""
import struct
import sys
import uuid

SECTOR = 512

# Where boot.img keeps the values grub-install patches (GRUB 2 boot.h).
BPB_START = 0x03
BPB_END = 0x5A
KERNEL_SECTOR = 0x5C
BOOT_DRIVE = 0x64
DRIVE_CHECK = 0x66
WINDOWS_NT_MAGIC = 0x1B8

# diskboot's block list grows down from the end of the core image's first
# sector; each entry is (u64 start LBA, u16 sectors, u16 load segment).
BLOCKLIST_ENTRY = struct.Struct("<QHH")
# The core image is loaded at 0x8000 (segment 0x800); diskboot itself is
# that first sector, so the rest goes 512 bytes further (segment 0x820).
FIRST_LOAD_SEGMENT = 0x800 + (SECTOR >> 4)

BIOS_BOOT_TYPE = uuid.UUID("21686148-6449-6E6F-744E-656564454649")


class SetupError(Exception):
    pass


def find_bios_boot_partition(disk):
    """(first LBA, last LBA) of the GPT's BIOS boot partition."""
    disk.seek(SECTOR)
    header = disk.read(92)
    if header[:8] != b"EFI PART":
        raise SetupError("the disk has no GPT header at sector 1")
    entries_lba, count, entry_size = struct.unpack_from("<QII", header, 72)
    if entry_size < 128 or count > 4096:
        raise SetupError("the GPT header is damaged (%d entries of %d bytes)" % (count, entry_size))
    disk.seek(entries_lba * SECTOR)
    table = disk.read(count * entry_size)
    for i in range(count):
        entry = table[i * entry_size:(i + 1) * entry_size]
        if len(entry) < 48:
            break
        if uuid.UUID(bytes_le=entry[:16]) == BIOS_BOOT_TYPE:
            first, last = struct.unpack_from("<QQ", entry, 32)
            return first, last
    raise SetupError("the GPT has no BIOS boot partition (type EF02 in sgdisk)")


def patched_core(core, start_lba):
    """The core image, padded to whole sectors, with its block list saying:
    the remaining sectors follow the first one, at START_LBA + 1."""
    if len(core) < 2 * SECTOR:
        raise SetupError("the core image is too small (%d bytes)" % len(core))
    sectors = -(-len(core) // SECTOR)
    if sectors - 1 > 0xFFFF:
        raise SetupError("the core image is too large (%d sectors)" % sectors)
    core = bytearray(core) + bytes(sectors * SECTOR - len(core))
    first_entry = SECTOR - BLOCKLIST_ENTRY.size
    # grub-mkimage leaves a list that assumes the core image right after
    # the MBR; clear every entry of it (it ends with an entry of length 0).
    offset = first_entry
    while True:
        _start, length, _segment = BLOCKLIST_ENTRY.unpack_from(core, offset)
        core[offset:offset + BLOCKLIST_ENTRY.size] = bytes(BLOCKLIST_ENTRY.size)
        if length == 0:
            break
        offset -= BLOCKLIST_ENTRY.size
        if offset < 0x20:
            raise SetupError("the core image's block list has no end; is it an i386-pc core image?")
    BLOCKLIST_ENTRY.pack_into(core, first_entry, start_lba + 1, sectors - 1, FIRST_LOAD_SEGMENT)
    BLOCKLIST_ENTRY.pack_into(core, first_entry - BLOCKLIST_ENTRY.size, 0, 0, 0)
    return bytes(core)


def patched_mbr(boot, old_mbr, core_lba):
    """Sector 0: boot.img's code around the old sector's BPB area and
    partition table, pointing at the core image."""
    if len(boot) != SECTOR:
        raise SetupError("boot.img has %d bytes, not %d" % (len(boot), SECTOR))
    if old_mbr[510:512] != b"\x55\xaa":
        raise SetupError("sector 0 is not a (protective) MBR: make the GPT first")
    mbr = bytearray(boot)
    mbr[BPB_START:BPB_END] = old_mbr[BPB_START:BPB_END]
    struct.pack_into("<Q", mbr, KERNEL_SECTOR, core_lba)
    mbr[BOOT_DRIVE] = 0xFF
    mbr[DRIVE_CHECK:DRIVE_CHECK + 2] = b"\x90\x90"
    mbr[WINDOWS_NT_MAGIC:] = old_mbr[WINDOWS_NT_MAGIC:]
    return bytes(mbr)


def setup(disk_path, boot_path, core_path):
    """Installs boot.img and the core image into the disk image; returns
    (core LBA, core sectors, BIOS boot partition sectors)."""
    with open(boot_path, "rb") as f:
        boot = f.read()
    with open(core_path, "rb") as f:
        core = f.read()
    with open(disk_path, "r+b") as disk:
        first, last = find_bios_boot_partition(disk)
        room = last - first + 1
        core = patched_core(core, first)
        if len(core) // SECTOR > room:
            raise SetupError("the core image needs %d sectors; the BIOS boot partition has %d"
                             % (len(core) // SECTOR, room))
        disk.seek(0)
        mbr = patched_mbr(boot, disk.read(SECTOR), first)
        disk.seek(first * SECTOR)
        disk.write(core)
        disk.seek(0)
        disk.write(mbr)
    return first, len(core) // SECTOR, room


def main(argv):
    if len(argv) != 4:
        print("usage: %s DISK BOOT_IMG CORE_IMG" % argv[0], file=sys.stderr)
        return 2
    try:
        lba, sectors, room = setup(argv[1], argv[2], argv[3])
    except (OSError, SetupError) as e:
        print("error: %s: %s" % (argv[1], e), file=sys.stderr)
        return 1
    print("  GUESTS  GRUB for BIOS: core image at sector %d (%d of the BIOS boot partition's %d sectors)"
          % (lba, sectors, room))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
