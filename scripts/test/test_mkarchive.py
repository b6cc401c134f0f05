#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Tests of scripts/mkarchive.py: where a VM's files come from, what goes
into the archive under which name, firmware trimming and the messages."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "mkarchive.py")
sys.path.insert(0, os.path.join(HERE, ".."))
import mkarchive  # noqa: E402

MIB = 1 << 20


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def read_cpio(path):
    """{name: bytes} of the regular files of a newc archive."""
    files = {}
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    while True:
        hdr = data[pos:pos + 110]
        assert hdr[:6] == b"070701", hdr[:6]
        field = [int(hdr[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        mode, size, namesize = field[1], field[6], field[11]
        name = data[pos + 110:pos + 110 + namesize - 1].decode()
        pos = (pos + 110 + namesize + 3) & ~3
        if name == "TRAILER!!!":
            return files
        if mode & 0o170000 == 0o100000:
            files[name] = data[pos:pos + size]
        pos = (pos + size + 3) & ~3


class Values(unittest.TestCase):
    def test_plain_and_quoted(self):
        self.assertEqual(mkarchive.parse_value(" guests/Image   # comment"), "guests/Image")
        self.assertEqual(mkarchive.parse_value('"my dir/Image" # c'), "my dir/Image")
        self.assertEqual(mkarchive.parse_value(r'"a\"b\\c"'), 'a"b\\c')
        self.assertIsNone(mkarchive.parse_value('"unterminated'))
        self.assertIsNone(mkarchive.parse_value('"x" trailing'))
        self.assertIsNone(mkarchive.parse_value('plain"quote'))

    def test_referenced_files(self):
        text = ("# c\nname = x\nkernel = guests/Image\r\n  initrd=\tguests/initrd.cpio.gz\n"
                "cmdline = \"console=ttyAMA0 # not a comment\"\nfirmware-vars = v.fd #c\n"
                "firmware\n")
        self.assertEqual(mkarchive.referenced_files(text),
                         [(3, "kernel", "guests/Image"), (4, "initrd", "guests/initrd.cpio.gz"),
                          (6, "firmware-vars", "v.fd")])

    def test_disk_files(self):
        text = "disk = guests/disk.img readonly\ndisk=\"my disk.img\"\ndisk =\n"
        self.assertEqual(mkarchive.referenced_files(text),
                         [(1, "disk", "guests/disk.img"), (2, "disk", "my")])

    def test_device_line_files(self):
        text = ("device = blk name=d0 base=0x1000 irq=5 image=guests/disk.img ro=on\n"
                "device-set = d0 image=my/other.img zone=a/b\n"
                "device-remove = x/y\n"
                "device = irqs irq=1/2 base=0x2000\n")
        self.assertEqual(mkarchive.referenced_files(text),
                         [(1, "device:image", "guests/disk.img"),
                          (2, "device:image", "my/other.img"), (2, "device:zone", "a/b")])


class Packing(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name
        self.guests = os.path.join(self.root, "guests-cache")
        self.out = os.path.join(self.root, "out", "archive.cpio")
        os.makedirs(os.path.dirname(self.out))
        write(os.path.join(self.root, "tessera.config"), "CONFIG_ARCH=\"aarch64\"\n")

    def tearDown(self):
        self.tmp.cleanup()

    def run_tool(self, vms, arch="aarch64", test_guests=None):
        cmd = [sys.executable, SCRIPT, "--out", self.out, "--arch", arch,
               "--guests", self.guests,
               "--file", "etc/tessera.config=" + os.path.join(self.root, "tessera.config")]
        if test_guests:
            cmd += ["--test-guests", test_guests]
        for vm in vms:
            cmd += ["--vm", vm]
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, cwd=self.root)

    def test_cache_then_vm_folder(self):
        write(os.path.join(self.guests, "aarch64", "Image"), b"cached kernel")
        write(os.path.join(self.root, "my", "guests", "Image"), b"shadowed by the cache")
        write(os.path.join(self.root, "my", "guests", "initrd.gz"), b"own initrd")
        write(os.path.join(self.root, "my", "k", "Image2"), b"own kernel")
        write(os.path.join(self.root, "my", "a.vm"),
              "name = a\nkernel = guests/Image\ninitrd = guests/initrd.gz\n")
        write(os.path.join(self.root, "my", "b.vm"), "name = b\nkernel = k/Image2\n")
        p = self.run_tool(["my/a.vm", "my/b.vm"])
        self.assertEqual(p.returncode, 0, p.stderr)
        files = read_cpio(self.out)
        self.assertEqual(sorted(files), ["etc/tessera.config", "guests/Image", "guests/initrd.gz",
                                         "k/Image2", "vms/a.vm", "vms/b.vm"])
        self.assertEqual(files["guests/Image"], b"cached kernel")
        self.assertEqual(files["guests/initrd.gz"], b"own initrd")
        self.assertEqual(files["k/Image2"], b"own kernel")
        self.assertIn("vms/a.vm (guests/Image 13 bytes, guests/initrd.gz 10 bytes)", p.stdout)

    def test_device_files_packed_when_they_exist(self):
        write(os.path.join(self.guests, "aarch64", "Image"), b"k")
        write(os.path.join(self.root, "my", "disk.img"), b"a disk")
        write(os.path.join(self.root, "my", "a.vm"),
              "name = a\nkernel = guests/Image\n"
              "device = blk base=0x1000 image=disk.img label=not/a/file\n")
        p = self.run_tool(["my/a.vm"])
        self.assertEqual(p.returncode, 0, p.stderr)
        files = read_cpio(self.out)
        self.assertEqual(sorted(files), ["disk.img", "etc/tessera.config", "guests/Image",
                                         "vms/a.vm"])

    def test_shared_file_once(self):
        write(os.path.join(self.guests, "aarch64", "Image"), b"k")
        write(os.path.join(self.root, "a.vm"), "kernel = guests/Image\n")
        write(os.path.join(self.root, "b.vm"), "kernel = guests/Image\n")
        self.assertEqual(self.run_tool(["a.vm", "b.vm"]).returncode, 0)
        self.assertEqual(len(read_cpio(self.out)), 4)

    def test_firmware_trimmed_on_aarch64_only(self):
        code = b"\x14" * (2 * MIB - 4) + b"\xff" * 4 + b"\x00" * (62 * MIB)
        write(os.path.join(self.guests, "aarch64", "CODE.fd"), code)
        write(os.path.join(self.guests, "aarch64", "VARS.fd"), b"\x00" * (64 * MIB))
        write(os.path.join(self.guests, "aarch64", "ODD.fd"), b"\x01" * 1000 + b"\xff" * MIB)
        write(os.path.join(self.root, "u.vm"),
              "firmware = guests/CODE.fd\nfirmware-vars = guests/VARS.fd\n")
        write(os.path.join(self.root, "o.vm"), "firmware = guests/ODD.fd\n")
        p = self.run_tool(["u.vm", "o.vm"])
        self.assertEqual(p.returncode, 0, p.stderr)
        files = read_cpio(self.out)
        self.assertEqual(files["guests/CODE.fd"], code[:2 * MIB])
        self.assertEqual(files["guests/VARS.fd"], b"\x00" * (256 * 1024))
        self.assertEqual(files["guests/ODD.fd"], (b"\x01" * 1000 + b"\xff" * MIB)[:256 * 1024])
        # x86 firmware sits below 4 GiB by its size: kept whole.
        write(os.path.join(self.guests, "x86_64", "CODE.fd"), code)
        write(os.path.join(self.guests, "x86_64", "VARS.fd"), b"\x00" * MIB)
        p = self.run_tool(["u.vm"], arch="x86_64")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(read_cpio(self.out)["guests/CODE.fd"]), 64 * MIB)

    def test_x86_option_rom(self):
        # SeaBIOS loads a kernel with QEMU's linuxboot_dma.bin: packed from the
        # firmware's folder for x86 VMs with firmware and a kernel, only for those.
        for name in ("bios-256k.bin", "bzImage", "linuxboot_dma.bin"):
            write(os.path.join(self.guests, "x86_64", name), name)
        write(os.path.join(self.root, "k.vm"),
              "firmware = guests/bios-256k.bin\nkernel = guests/bzImage\n")
        write(os.path.join(self.root, "f.vm"), "firmware = guests/bios-256k.bin\n")
        p = self.run_tool(["k.vm"], arch="x86_64")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(read_cpio(self.out)["guests/linuxboot_dma.bin"], b"linuxboot_dma.bin")
        p = self.run_tool(["f.vm"], arch="x86_64")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("guests/linuxboot_dma.bin", read_cpio(self.out))
        os.unlink(os.path.join(self.guests, "x86_64", "linuxboot_dma.bin"))
        p = self.run_tool(["k.vm"], arch="x86_64")
        self.assertEqual(p.returncode, 1)
        self.assertIn("k.vm:1 references guests/linuxboot_dma.bin", p.stderr)

    def test_test_guests(self):
        # test-guests/<name> comes from the built test guests, else from the VM's folder.
        built = os.path.join(self.root, "build", "test-guests")
        write(os.path.join(built, "ping.bin"), b"built guest")
        write(os.path.join(self.root, "t", "test-guests", "own.bin"), b"own guest")
        write(os.path.join(self.root, "t", "a.vm"), "kernel = test-guests/ping.bin\n")
        write(os.path.join(self.root, "t", "b.vm"), "kernel = test-guests/own.bin\n")
        p = self.run_tool(["t/a.vm", "t/b.vm"], test_guests=built)
        self.assertEqual(p.returncode, 0, p.stderr)
        files = read_cpio(self.out)
        self.assertEqual(files["test-guests/ping.bin"], b"built guest")
        self.assertEqual(files["test-guests/own.bin"], b"own guest")
        write(os.path.join(self.root, "t", "c.vm"), "kernel = test-guests/nope.bin\n")
        p = self.run_tool(["t/c.vm"], test_guests=built)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr, "error: t/c.vm:1 references test-guests/nope.bin, which is "
                         "not a test guest built in build/test-guests: add it to "
                         "tests/guests/aarch64/guests.mk (or put your own file at "
                         "t/test-guests/nope.bin).\n")

    def test_x86_multiboot_rom(self):
        # A Multiboot kernel (magic, flags, checksum summing to 0 in its first
        # 8 KiB, no "HdrS") gets multiboot_dma.bin instead of linuxboot_dma.bin.
        import struct
        for name in ("bios-256k.bin", "multiboot_dma.bin", "linuxboot_dma.bin"):
            write(os.path.join(self.guests, "x86_64", name), name)
        header = struct.pack("<III", 0x1BADB002, 3, (-(0x1BADB002 + 3)) & 0xFFFFFFFF)
        with open(os.path.join(self.root, "mb.elf"), "wb") as f:
            f.write(b"\x7fELF" + b"\0" * 60 + header)
        write(os.path.join(self.root, "m.vm"),
              "firmware = guests/bios-256k.bin\nkernel = mb.elf\n")
        p = self.run_tool(["m.vm"], arch="x86_64")
        self.assertEqual(p.returncode, 0, p.stderr)
        files = read_cpio(self.out)
        self.assertEqual(files["guests/multiboot_dma.bin"], b"multiboot_dma.bin")
        self.assertNotIn("guests/linuxboot_dma.bin", files)
        # A PVH kernel: an ELF file with the Xen note PHYS32_ENTRY (18).
        write(os.path.join(self.guests, "x86_64", "pvh.bin"), "pvh.bin")
        with open(os.path.join(self.root, "mb.elf"), "wb") as f:
            f.write(b"\x7fELF" + b"\0" * 60 + struct.pack("<III", 4, 4, 18) + b"Xen\0" +
                    struct.pack("<I", 0x100000))
        p = self.run_tool(["m.vm"], arch="x86_64")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(read_cpio(self.out)["guests/pvh.bin"], b"pvh.bin")

    def test_missing_guest_file(self):
        write(os.path.join(self.root, "vms", "x.vm"), "name = x\n\nkernel = guests/Image\n")
        p = self.run_tool(["vms/x.vm"])
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr, "error: vms/x.vm:3 references guests/Image, which is not "
                         "in guests-cache/aarch64: run 'make guests GUEST_ARCH=aarch64' (or put "
                         "your own file at vms/guests/Image).\n")
        self.assertFalse(os.path.exists(self.out))

    def test_missing_own_file(self):
        write(os.path.join(self.root, "x.vm"), "initrd = \"my files/initrd\"\n")
        p = self.run_tool(["x.vm"])
        self.assertEqual(p.stderr, "error: x.vm:1 references my files/initrd, which is not "
                         "at my files/initrd.\n")

    def test_paths_outside_the_archive(self):
        for bad in ("/boot/Image", "../Image", "guests/../Image", "a//b"):
            write(os.path.join(self.root, "x.vm"), "kernel = %s\n" % bad)
            p = self.run_tool(["x.vm"])
            self.assertEqual(p.stderr, "error: x.vm:1: '%s' is not a path inside the boot "
                             "archive; write it like guests/Image (relative, without '..').\n"
                             % bad)

    def test_malformed_lines_left_to_the_hypervisor(self):
        text = "name = bad\nmemory = 12Q\ncolour = red\nkernel = \"guests/Image\n"
        write(os.path.join(self.root, "bad.vm"), text)
        p = self.run_tool(["bad.vm"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(read_cpio(self.out)["vms/bad.vm"], text.encode())

    def test_names(self):
        write(os.path.join(self.root, "a", "same.vm"), "name = a\n")
        write(os.path.join(self.root, "b", "same.vm"), "name = b\n")
        p = self.run_tool(["a/same.vm", "b/same.vm"])
        self.assertEqual(p.stderr, "error: a/same.vm and b/same.vm would both be vms/same.vm "
                         "in the boot archive; rename one.\n")
        write(os.path.join(self.root, "linux.cfg"), "name = a\n")
        p = self.run_tool(["linux.cfg"])
        self.assertEqual(p.stderr, "error: linux.cfg is not a VM configuration: its name must "
                         "end in .vm.\n")

    def test_same_name_two_sources(self):
        write(os.path.join(self.root, "one", "k", "Image"), b"1")
        write(os.path.join(self.root, "two", "k", "Image"), b"2")
        write(os.path.join(self.root, "one", "a.vm"), "kernel = k/Image\n")
        write(os.path.join(self.root, "two", "b.vm"), "kernel = k/Image\n")
        p = self.run_tool(["one/a.vm", "two/b.vm"])
        self.assertEqual(p.returncode, 1)
        self.assertIn("two/b.vm puts k/Image into the boot archive from", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
