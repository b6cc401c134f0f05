#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Tests of the guest disk builder: scripts/guests/grub_bios_setup.py (GRUB's
boot.img and core image written and patched into a GPT disk image) and
scripts/guests/mkdisk.sh run on stand-in inputs (the partitions, the files
on them, the rebuild rules, the same bytes from the same inputs)."""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
GUESTS = os.path.join(HERE, "..", "guests")
MKDISK = os.path.join(GUESTS, "mkdisk.sh")
INIT = os.path.join(GUESTS, "init.sh")
sys.path.insert(0, GUESTS)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import grub_bios_setup as gbs  # noqa: E402

SECTOR = 512
MIB = 1 << 20
BIOS_BOOT = uuid.UUID("21686148-6449-6E6F-744E-656564454649")
LINUX_FS = uuid.UUID("0FC63DAF-8483-4772-8E79-3D69D8477DE4")

# mkdisk.sh needs these; scripts/setup.sh installs them.
TOOLS = ["sgdisk", "mkfs.vfat", "mcopy", "mtype", "mdir", "mke2fs", "debugfs"]
TOOL_PATH = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def read(path, offset=0, size=-1):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(size)


def gpt_disk(path, partitions, sectors=4096):
    """A disk image with a protective MBR and a minimal GPT (what
    grub_bios_setup reads: the header's entry table and the entries).
    PARTITIONS: [(type uuid, first LBA, last LBA)]."""
    disk = bytearray(sectors * SECTOR)
    disk[0x1B8:0x1BC] = b"SIGN"  # the disk signature, to be kept
    disk[0x1BE:0x1CE] = bytes([0, 0, 2, 0, 0xEE, 0xFF, 0xFF, 0xFF]) + struct.pack("<II", 1, sectors - 1)
    disk[0x1FE:0x200] = b"\x55\xaa"
    disk[0x10:0x20] = b"B" * 16  # something in the BPB area, to be kept
    header = bytearray(92)
    header[:8] = b"EFI PART"
    struct.pack_into("<QII", header, 72, 2, 128, 128)
    disk[SECTOR:SECTOR + 92] = header
    for i, (ptype, first, last) in enumerate(partitions):
        entry = bytearray(128)
        entry[:16] = ptype.bytes_le
        entry[16:32] = uuid.uuid4().bytes_le
        struct.pack_into("<QQ", entry, 32, first, last)
        disk[2 * SECTOR + i * 128:2 * SECTOR + (i + 1) * 128] = entry
    write(path, bytes(disk))


def boot_img():
    """A stand-in boot.img: recognisable code bytes, the jump that
    grub-install replaces at 0x66, the boot signature."""
    boot = bytearray(bytes((i * 7 + 3) & 0xFF for i in range(SECTOR)))
    boot[0x66:0x68] = b"\xeb\x05"
    boot[0x1FE:0x200] = b"\x55\xaa"
    return bytes(boot)


def core_img(size):
    """A stand-in core image of SIZE bytes whose first sector ends with a
    block list as grub-mkimage leaves it (start 2, the sectors after the
    first, segment 0x820) and an empty entry below it."""
    core = bytearray(bytes((i * 13 + 1) & 0xFF for i in range(size)))
    sectors = -(-size // SECTOR)
    struct.pack_into("<QHH", core, SECTOR - 12, 2, sectors - 1, 0x820)
    struct.pack_into("<QHH", core, SECTOR - 24, 0, 0, 0)
    return bytes(core)


class BiosSetup(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.disk = os.path.join(self.tmp, "disk.img")
        self.boot = os.path.join(self.tmp, "boot.img")
        self.core = os.path.join(self.tmp, "core.img")
        write(self.boot, boot_img())

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_core_and_mbr_patched_like_grub_install(self):
        gpt_disk(self.disk, [(LINUX_FS, 2048, 4000), (BIOS_BOOT, 34, 2047)])
        core = core_img(3000)  # 6 sectors, the last one partly used
        write(self.core, core)
        old_mbr = read(self.disk, 0, SECTOR)
        self.assertEqual(gbs.setup(self.disk, self.boot, self.core), (34, 6, 2014))

        mbr = read(self.disk, 0, SECTOR)
        boot = boot_img()
        self.assertEqual(mbr[:0x03], boot[:0x03])                  # the jump over the BPB
        self.assertEqual(mbr[0x03:0x5A], old_mbr[0x03:0x5A])       # the BPB area kept
        self.assertEqual(struct.unpack_from("<Q", mbr, 0x5C)[0], 34)  # the core's LBA
        self.assertEqual(mbr[0x64], 0xFF)                           # the drive from DL
        self.assertEqual(mbr[0x66:0x68], b"\x90\x90")               # no floppy check
        self.assertEqual(mbr[0x68:0x1B8], boot[0x68:0x1B8])         # the rest of the code
        self.assertEqual(mbr[0x1B8:], old_mbr[0x1B8:])              # signature, table, 55AA

        written = read(self.disk, 34 * SECTOR, 6 * SECTOR)
        self.assertEqual(struct.unpack_from("<QHH", written, SECTOR - 12), (35, 5, 0x820))
        self.assertEqual(written[SECTOR - 24:SECTOR - 12], bytes(12))
        self.assertEqual(written[:SECTOR - 24], core[:SECTOR - 24])
        self.assertEqual(written[SECTOR:3000], core[SECTOR:])
        self.assertEqual(written[3000:], bytes(6 * SECTOR - 3000))  # padded with zeros
        self.assertEqual(read(self.disk, 40 * SECTOR, SECTOR), bytes(SECTOR))  # nothing beyond

    def test_longer_block_list_cleared(self):
        gpt_disk(self.disk, [(BIOS_BOOT, 100, 199)])
        core = bytearray(core_img(2048))
        struct.pack_into("<QHH", core, SECTOR - 24, 9, 9, 0x1000)  # a second entry
        struct.pack_into("<QHH", core, SECTOR - 36, 0, 0, 0)
        write(self.core, bytes(core))
        gbs.setup(self.disk, self.boot, self.core)
        first = read(self.disk, 100 * SECTOR, SECTOR)
        self.assertEqual(struct.unpack_from("<QHH", first, SECTOR - 12), (101, 3, 0x820))
        self.assertEqual(first[SECTOR - 36:SECTOR - 12], bytes(24))

    def test_refusals(self):
        write(self.core, core_img(3000))
        gpt_disk(self.disk, [(LINUX_FS, 34, 2047)])
        with self.assertRaisesRegex(gbs.SetupError, "no BIOS boot partition"):
            gbs.setup(self.disk, self.boot, self.core)
        gpt_disk(self.disk, [(BIOS_BOOT, 34, 38)])
        with self.assertRaisesRegex(gbs.SetupError, "needs 6 sectors; the BIOS boot partition has 5"):
            gbs.setup(self.disk, self.boot, self.core)
        self.assertEqual(read(self.disk, 34 * SECTOR, SECTOR), bytes(SECTOR))  # nothing written
        write(self.disk, bytes(8 * SECTOR))
        with self.assertRaisesRegex(gbs.SetupError, "no GPT header"):
            gbs.setup(self.disk, self.boot, self.core)
        gpt_disk(self.disk, [(BIOS_BOOT, 34, 2047)])
        write(self.boot, bytes(100))
        with self.assertRaisesRegex(gbs.SetupError, "boot.img has 100 bytes"):
            gbs.setup(self.disk, self.boot, self.core)

    def test_command_line(self):
        gpt_disk(self.disk, [(BIOS_BOOT, 34, 2047)])
        write(self.core, core_img(1024))
        script = os.path.join(GUESTS, "grub_bios_setup.py")
        ok = subprocess.run([sys.executable, script, self.disk, self.boot, self.core],
                            capture_output=True, text=True)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertIn("core image at sector 34 (2 of the BIOS boot partition's 2014 sectors)", ok.stdout)
        bad = subprocess.run([sys.executable, script, self.disk, self.boot, "/nonexistent"],
                             capture_output=True, text=True)
        self.assertEqual(bad.returncode, 1)
        self.assertTrue(bad.stderr.startswith("error: "), bad.stderr)


class MkDisk(unittest.TestCase):
    """mkdisk.sh on small stand-ins for the kernel, initramfs, busybox and
    GRUB images: checks where each lands, not that the disk boots (the
    reference runs of scripts/guests/reference-runs.sh boot the real one)."""

    @classmethod
    def setUpClass(cls):
        missing = [t for t in TOOLS if not shutil.which(t, path=TOOL_PATH)]
        if missing:
            raise RuntimeError("missing tools %s: run scripts/setup.sh" % " ".join(missing))

    def setUp(self):
        self.out = tempfile.mkdtemp()
        self.inputs = {}
        for arch, files in (("aarch64", ["Image", "BOOTAA64.EFI"]),
                            ("x86_64", ["bzImage", "BOOTX64.EFI"])):
            os.makedirs(os.path.join(self.out, arch))
            self.put(arch, "kernel-version", b"6.1.0-99-test\n")
            self.put(arch, files[0], b"KERNEL " + arch.encode() + bytes(70000))
            self.put(arch, files[1], b"MZ GRUB " + arch.encode() + bytes(3000))
            self.put(arch, "initrd-disk.cpio.gz", b"INITRD " + arch.encode() + bytes(5000))
            self.put(arch, "busybox", b"\x7fELF busybox " + arch.encode())
        self.put("x86_64", "grub-pc-boot.img", boot_img())
        self.put("x86_64", "grub-pc-core.img", core_img(40000))

    def tearDown(self):
        shutil.rmtree(self.out)

    def put(self, arch, name, data):
        write(os.path.join(self.out, arch, name), data)
        self.inputs[(arch, name)] = data

    def mkdisk(self, *arches):
        env = dict(os.environ, PATH=TOOL_PATH)
        run = subprocess.run(["bash", MKDISK, self.out] + list(arches),
                             capture_output=True, text=True, env=env)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        return run.stdout

    def disk(self, arch):
        return os.path.join(self.out, arch, "disk.img")

    def esp_file(self, arch, name):
        return subprocess.run(["mtype", "-i", self.disk(arch) + "@@1M", "::" + name],
                              capture_output=True, env=dict(os.environ, MTOOLS_SKIP_CHECK="1"),
                              check=True).stdout

    def root_file(self, arch, name):
        # debugfs reads the file system at its offset in the disk image.
        root = "%s?offset=%d" % (self.disk(arch), 49 * MIB)
        return subprocess.run(["debugfs", "-R", "cat " + name, root],
                              capture_output=True, check=True, env=dict(os.environ, PATH=TOOL_PATH)).stdout

    def partitions(self, arch):
        text = subprocess.run(["sgdisk", "--print", self.disk(arch)], capture_output=True, text=True,
                              check=True, env=dict(os.environ, PATH=TOOL_PATH)).stdout
        rows = []
        for line in text.splitlines():
            words = line.split()
            if len(words) >= 6 and words[0].isdigit():
                rows.append((int(words[0]), int(words[1]), int(words[2]), words[5]))
        return sorted(rows)

    def test_layout_and_contents(self):
        out = self.mkdisk()
        self.assertIn("aarch64 disk ready", out)
        self.assertIn("x86_64 disk ready", out)
        for arch, kernel, program, root_type in (("aarch64", "Image", "BOOTAA64.EFI", "8305"),
                                                 ("x86_64", "bzImage", "BOOTX64.EFI", "8304")):
            self.assertEqual(os.path.getsize(self.disk(arch)), 98 * MIB)
            expected = [(1, 2048, 100351, "EF00"), (2, 100352, 198655, root_type)]
            if arch == "x86_64":
                expected.append((3, 34, 2047, "EF02"))
            self.assertEqual(self.partitions(arch), expected)
            self.assertEqual(self.esp_file(arch, "/EFI/BOOT/" + program), self.inputs[(arch, program)])
            self.assertEqual(self.esp_file(arch, "/boot/vmlinuz-6.1.0-99-test"), self.inputs[(arch, kernel)])
            self.assertEqual(self.esp_file(arch, "/boot/initrd.img-6.1.0-99-test"),
                             self.inputs[(arch, "initrd-disk.cpio.gz")])
            cfg = self.esp_file(arch, "/boot/grub/grub.cfg").decode()
            console = "ttyAMA0" if arch == "aarch64" else "ttyS0"
            mib = 16 if arch == "aarch64" else 4
            self.assertIn("linux /boot/vmlinuz-6.1.0-99-test root=/dev/vda2 console=%s "
                          "tessera.integrity=%d tessera.action=poweroff $tessera_args" %
                          (console, mib), cfg)
            self.assertIn("initrd /boot/initrd.img-6.1.0-99-test", cfg)
            self.assertIn("source $prefix/local.cfg", cfg)
            self.assertEqual(self.root_file(arch, "/bin/busybox"), self.inputs[(arch, "busybox")])
            self.assertEqual(self.root_file(arch, "/init"), read(INIT))
            layout = read(os.path.join(self.out, arch, "disk.layout")).decode()
            self.assertIn("EFI system partition", layout)
        # The BIOS path: boot.img in the MBR points at the core image.
        mbr = read(self.disk("x86_64"), 0, SECTOR)
        self.assertEqual(struct.unpack_from("<Q", mbr, 0x5C)[0], 34)
        self.assertEqual(mbr[0x1C2], 0xEE)  # still a protective MBR
        core = read(self.disk("x86_64"), 34 * SECTOR, 40000)
        self.assertEqual(core[SECTOR:], self.inputs[("x86_64", "grub-pc-core.img")][SECTOR:])
        self.assertEqual(read(self.disk("aarch64"), 0, 0x1B8), bytes(0x1B8))  # no BIOS code

    def test_rebuilt_only_when_an_input_changes(self):
        self.mkdisk("x86_64")
        first = read(self.disk("x86_64"))
        self.assertIn("up to date", self.mkdisk("x86_64"))
        # A newer input: made again, and the same inputs give the same bytes.
        later = os.path.getmtime(self.disk("x86_64")) + 5
        os.utime(os.path.join(self.out, "x86_64", "busybox"), (later, later))
        self.assertIn("disk ready", self.mkdisk("x86_64"))
        self.assertEqual(read(self.disk("x86_64")), first)
        # A changed input lands on the disk.
        self.put("x86_64", "busybox", b"another busybox")
        os.utime(os.path.join(self.out, "x86_64", "busybox"), (later + 5, later + 5))
        self.mkdisk("x86_64")
        self.assertEqual(self.root_file("x86_64", "/bin/busybox"), b"another busybox")

    def test_missing_input(self):
        os.remove(os.path.join(self.out, "aarch64", "BOOTAA64.EFI"))
        run = subprocess.run(["bash", MKDISK, self.out, "aarch64"], capture_output=True, text=True,
                             env=dict(os.environ, PATH=TOOL_PATH))
        self.assertEqual(run.returncode, 1)
        self.assertIn("BOOTAA64.EFI is missing: run 'scripts/guests/fetch.sh", run.stderr)
        self.assertFalse(os.path.exists(self.disk("aarch64")))


if __name__ == "__main__":
    unittest.main()
