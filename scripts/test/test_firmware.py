#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Tests of scripts/firmware.py, the firmware descriptor resolver, over the
fixture trees in scripts/test/fixtures/firmware/ (each a file system root):

  debian         Debian 12's descriptors (shortened) and files, an
                 administrator's descriptor in /etc replacing one of them,
                 a user's empty file hiding one and a user's BIOS descriptor
  no-template    a fitting descriptor whose NVRAM template is not installed
  no-descriptor  AAVMF at Debian's path, no descriptor anywhere
  empty          nothing at all
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures", "firmware")
sys.path.insert(0, os.path.join(HERE, ".."))
import firmware  # noqa: E402


def root(case):
    return os.path.join(FIXTURES, case)


def resolve(case, interface, arch, machine, features=(), home="/home/user"):
    r = root(case)
    return firmware.resolve(interface, arch, machine, features, root=r,
                            home=os.path.join(r, home.lstrip("/")), xdg_config_home=None)


def rel(case, path):
    return "/" + os.path.relpath(path, root(case))


class Resolver(unittest.TestCase):
    def test_administrator_replaces_the_distribution_descriptor(self):
        fw = resolve("debian", "uefi", "aarch64", "virt")
        self.assertEqual(rel("debian", fw.descriptor), "/etc/qemu/firmware/60-edk2-aarch64.json")
        self.assertEqual(rel("debian", fw.executable), "/opt/edk2/CODE.fd")
        self.assertEqual(rel("debian", fw.template), "/opt/edk2/VARS.fd")

    def test_distribution_descriptor_without_overrides(self):
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(os.path.join(root("debian"), "usr"), os.path.join(tmp, "usr"))
            fw = firmware.resolve("uefi", "aarch64", "virt", root=tmp,
                                  home=os.path.join(tmp, "home"), xdg_config_home=None)
            self.assertEqual(os.path.relpath(fw.descriptor, tmp),
                             "usr/share/qemu/firmware/60-edk2-aarch64.json")
            self.assertEqual(os.path.relpath(fw.executable, tmp), "usr/share/AAVMF/AAVMF_CODE.fd")
            self.assertEqual(os.path.relpath(fw.template, tmp), "usr/share/AAVMF/AAVMF_VARS.fd")
            # x86: 50-...-secure needs SMM and only names q35; 60 fits pc.
            fw = firmware.resolve("uefi", "x86_64", "pc", root=tmp,
                                  home=os.path.join(tmp, "home"), xdg_config_home=None)
            self.assertEqual(os.path.basename(fw.descriptor), "60-edk2-x86_64.json")

    def test_enrolled_keys_only_when_asked(self):
        # 40-...-secure-enrolled comes first by name but needs enrolled-keys.
        fw = resolve("debian", "uefi", "aarch64", "virt", ("enrolled-keys",))
        self.assertEqual(os.path.basename(fw.descriptor), "40-edk2-aarch64-secure-enrolled.json")
        self.assertEqual(rel("debian", fw.template), "/usr/share/AAVMF/AAVMF_VARS.ms.fd")

    def test_smm_only_when_asked(self):
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(os.path.join(root("debian"), "usr"), os.path.join(tmp, "usr"))
            fw = firmware.resolve("uefi", "x86_64", "pc-q35-7.2", ("requires-smm",), root=tmp,
                                  home=os.path.join(tmp, "home"), xdg_config_home=None)
            self.assertEqual(os.path.basename(fw.descriptor), "50-edk2-x86_64-secure.json")

    def test_user_hides_and_adds(self):
        # The user's empty 60-edk2-x86_64.json hides Debian's: no UEFI for pc.
        with self.assertRaises(firmware.ResolveError):
            resolve("debian", "uefi", "x86_64", "pc")
        fw = resolve("debian", "bios", "x86_64", "pc")
        self.assertEqual(os.path.basename(fw.descriptor), "70-seabios.json")
        self.assertEqual(rel("debian", fw.executable), "/usr/share/seabios/bios-256k.bin")
        self.assertIsNone(fw.template)

    def test_descriptor_present_but_template_missing(self):
        with self.assertRaises(firmware.ResolveError) as e:
            resolve("no-template", "uefi", "aarch64", "virt")
        self.assertEqual(
            str(e.exception),
            "firmware = uefi: the descriptor %s describes uefi firmware for aarch64 machine "
            "virt-7.2 but names the NVRAM template /usr/share/AAVMF/AAVMF_VARS.fd, which does "
            "not exist; reinstall the Debian package qemu-efi-aarch64, or name the files with "
            "'firmware = <path>' and 'firmware-vars = <path>'" %
            os.path.join(root("no-template"), "usr/share/qemu/firmware/60-edk2-aarch64.json"))

    def test_no_descriptor_but_firmware_at_the_distribution_path(self):
        with self.assertRaises(firmware.ResolveError) as e:
            resolve("no-descriptor", "uefi", "aarch64", "virt")
        r = root("no-descriptor")
        self.assertEqual(
            str(e.exception),
            "firmware = uefi: no firmware descriptor in %s/usr/share/qemu/firmware, "
            "%s/etc/qemu/firmware, ~/.config/qemu/firmware describes uefi firmware for aarch64 "
            "machine virt-7.2, although /usr/share/AAVMF/AAVMF_CODE.fd is there; add a "
            "descriptor for it (QEMU docs/interop/firmware.json) or name the files with "
            "'firmware = <path>' and 'firmware-vars = <path>'" % (r, r))

    def test_nothing_at_all(self):
        with self.assertRaises(firmware.ResolveError) as e:
            resolve("empty", "uefi", "x86_64", "pc", ("secure-boot",))
        r = root("empty")
        self.assertEqual(
            str(e.exception),
            "firmware = uefi: no firmware descriptor in %s/usr/share/qemu/firmware, "
            "%s/etc/qemu/firmware, ~/.config/qemu/firmware describes uefi firmware for x86_64 "
            "machine pc-i440fx-7.2 with secure-boot (0 descriptors searched, none fits); "
            "install the Debian package ovmf" % (r, r))

    def test_machine_must_match(self):
        # Debian's aarch64 descriptors name virt-* only.
        with self.assertRaises(firmware.ResolveError) as e:
            resolve("debian", "uefi", "aarch64", "sbsa-ref")
        self.assertIn("for aarch64 machine sbsa-ref", str(e.exception))

    def test_value_parsing(self):
        self.assertEqual(firmware.parse_firmware_value("uefi"), ("uefi", ()))
        self.assertEqual(firmware.parse_firmware_value("uefi secure-boot"),
                         ("uefi", ("secure-boot",)))
        self.assertIsNone(firmware.parse_firmware_value("guests/AAVMF_CODE.fd"))

    def test_command_line(self):
        p = subprocess.run([sys.executable, os.path.join(HERE, "..", "firmware.py"), "bios",
                            "aarch64", "virt"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        self.assertEqual(p.returncode, 1)
        self.assertTrue(p.stderr.startswith("error: firmware = bios: no firmware descriptor"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
