#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Chooses a VM's firmware the way QEMU and libvirt do: from QEMU's firmware
descriptors (QEMU docs/interop/firmware.json).

  scripts/firmware.py uefi|bios ARCH MACHINE [FEATURE...]   prints code and template

A VM configuration says 'firmware = uefi' or 'firmware = bios' (optionally
followed by features it asks for, e.g. 'firmware = uefi secure-boot'); the
boot archive packer and 'make hostdisk' call resolve() at build time.

Where descriptors are looked for, lowest priority first (firmware.json,
"Search locations"):

  /usr/share/qemu/firmware/*.json        what distribution packages install
  /etc/qemu/firmware/*.json              the system administrator's
  $XDG_CONFIG_HOME/qemu/firmware/*.json  the user's (default ~/.config)

A file name in a later folder replaces the same name in an earlier one,
and an empty file there hides it.  The remaining files are taken in the
order of their names; the first that fits wins.  A descriptor fits when

  - its "interface-types" has the interface asked for ("uefi" or "bios");
  - one of its "targets" has the VM's architecture and a "machines" glob
    that matches the VM's machine type: Tessera's boards copy QEMU 7.2's,
    so virt is "virt-7.2" and pc is "pc-i440fx-7.2";
  - its mapping is one the board can load: "flash" with mode "split" (the
    default) and an NVRAM template for UEFI, "memory" for a BIOS;
  - it needs nothing the VM did not ask for: "requires-smm" (Tessera's
    boards have no SMM) and "enrolled-keys" (a store whose Secure Boot keys
    are enrolled) are skipped unless the VM lists them;
  - the files it names exist.

When none fits, ResolveError says in one sentence what was searched, for
which architecture and machine, and what is missing.
"""
import fnmatch
import json
import os
import sys

# Tessera's machines as QEMU machine types (what the descriptors' globs match).
QEMU_MACHINE = {"virt": "virt-7.2", "pc": "pc-i440fx-7.2"}
DEFAULT_MACHINE = {"aarch64": "virt", "x86_64": "pc"}
# Features a descriptor may need that a VM must ask for to get it.
OPT_IN_FEATURES = ("requires-smm", "enrolled-keys")
INTERFACES = ("uefi", "bios")
# Where distributions put firmware without always shipping a descriptor,
# for the message when no descriptor is found.
DEFAULT_PATHS = {
    ("uefi", "aarch64"): ["/usr/share/AAVMF/AAVMF_CODE.fd",
                          "/usr/share/edk2/aarch64/QEMU_EFI-pflash.raw",
                          "/usr/share/qemu/edk2-aarch64-code.fd"],
    ("uefi", "x86_64"): ["/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_CODE.fd",
                         "/usr/share/edk2/ovmf/OVMF_CODE.fd",
                         "/usr/share/qemu/edk2-x86_64-code.fd"],
    ("bios", "x86_64"): ["/usr/share/seabios/bios-256k.bin", "/usr/share/qemu/bios-256k.bin"],
}
PACKAGES = {("uefi", "aarch64"): "qemu-efi-aarch64", ("uefi", "x86_64"): "ovmf",
            ("bios", "x86_64"): "seabios"}


class ResolveError(Exception):
    pass


class Firmware:
    def __init__(self, descriptor, executable, template, description):
        self.descriptor = descriptor      # the .json file
        self.executable = executable      # the code (flash bank 0 / BIOS image)
        self.template = template          # the NVRAM template, or None (bios)
        self.description = description


def search_dirs(root="/", home=None, xdg_config_home=None):
    """The three descriptor folders, lowest priority first."""
    if home is None:
        home = os.environ.get("HOME", "/root")
    if xdg_config_home is None:
        xdg_config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    return [os.path.join(root, "usr/share/qemu/firmware"),
            os.path.join(root, "etc/qemu/firmware"),
            os.path.join(xdg_config_home, "qemu/firmware")]


def descriptor_files(dirs):
    """{name: path} after the overrides, in name order; empty files hide."""
    chosen = {}
    for d in dirs:
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for name in names:
            if name.endswith(".json"):
                chosen[name] = os.path.join(d, name)
    return [(n, chosen[n]) for n in sorted(chosen) if os.path.getsize(chosen[n]) > 0]


def shown_dir(path, home):
    """A folder as messages show it (~ for the home folder)."""
    if home and path.startswith(home.rstrip("/") + "/"):
        return "~/" + path[len(home.rstrip("/")) + 1:]
    return path


def on_root(root, path):
    return os.path.join(root, path.lstrip("/")) if root != "/" else path


def resolve(interface, arch, machine, features=(), root="/", home=None, xdg_config_home=None):
    """The Firmware the descriptors give for interface ('uefi'/'bios'), arch
    and Tessera machine, or raises ResolveError."""
    if interface not in INTERFACES:
        raise ResolveError("firmware '%s' is neither uefi, bios nor a file" % interface)
    qemu_machine = QEMU_MACHINE.get(machine, machine)
    if home is None:
        home = os.environ.get("HOME", "/root")
    dirs = search_dirs(root, home, xdg_config_home)
    where = ", ".join(shown_dir(d, home) for d in dirs)
    what = "%s firmware for %s machine %s" % (interface, arch, qemu_machine)
    files = descriptor_files(dirs)
    fitting_but_broken = None
    for name, path in files:
        try:
            with open(path) as f:
                desc = json.load(f)
        except (OSError, ValueError):
            continue                      # QEMU and libvirt skip what they cannot read
        if not isinstance(desc, dict) or interface not in desc.get("interface-types", []):
            continue
        if not any(t.get("architecture") == arch and
                   any(fnmatch.fnmatchcase(qemu_machine, g) for g in t.get("machines", []))
                   for t in desc.get("targets", []) if isinstance(t, dict)):
            continue
        feats = desc.get("features", [])
        if any(f in feats and f not in features for f in OPT_IN_FEATURES):
            continue
        if any(f not in feats for f in features):
            continue
        mapping = desc.get("mapping", {})
        device = mapping.get("device")
        if interface == "uefi":
            if device != "flash" or mapping.get("mode", "split") != "split":
                continue
            exe = (mapping.get("executable") or {}).get("filename")
            template = (mapping.get("nvram-template") or {}).get("filename")
            if not exe or not template:
                fitting_but_broken = fitting_but_broken or (
                    path, "names no NVRAM template")
                continue
        else:
            if device != "memory":
                continue
            exe = mapping.get("filename")
            template = None
            if not exe:
                continue
        missing = [p for p in (exe, template) if p and not os.path.isfile(on_root(root, p))]
        if missing:
            fitting_but_broken = fitting_but_broken or (
                path, "names %s %s, which does not exist" %
                ("the NVRAM template" if missing[0] == template else "the executable",
                 missing[0]))
            continue
        return Firmware(path, on_root(root, exe), on_root(root, template) if template else None,
                        desc.get("description", name))
    asked = " with %s" % ", ".join(features) if features else ""
    package = PACKAGES.get((interface, arch))
    if fitting_but_broken:
        raise ResolveError(
            "firmware = %s: the descriptor %s describes %s%s but %s; reinstall %s, or name "
            "the files with 'firmware = <path>' and 'firmware-vars = <path>'" %
            (interface, fitting_but_broken[0], what, asked, fitting_but_broken[1],
             "the Debian package " + package if package else "the firmware"))
    present = [p for p in DEFAULT_PATHS.get((interface, arch), [])
               if os.path.isfile(on_root(root, p))]
    if present:
        raise ResolveError(
            "firmware = %s: no firmware descriptor in %s describes %s%s, although %s is "
            "there; add a descriptor for it (QEMU docs/interop/firmware.json) or name "
            "the files with 'firmware = <path>' and 'firmware-vars = <path>'" %
            (interface, where, what, asked, present[0]))
    raise ResolveError(
        "firmware = %s: no firmware descriptor in %s describes %s%s (%d descriptor%s "
        "searched, none fits)%s" %
        (interface, where, what, asked, len(files), "" if len(files) == 1 else "s",
         "; install the Debian package %s" % package if package else ""))


def parse_firmware_value(value):
    """(interface, features) for a 'firmware =' value that asks for a kind of
    firmware, or None when it names a file."""
    words = value.split()
    if words and words[0] in INTERFACES:
        return words[0], tuple(words[1:])
    return None


def main():
    if len(sys.argv) < 4:
        print("usage: %s uefi|bios ARCH MACHINE [FEATURE...]" % sys.argv[0], file=sys.stderr)
        return 2
    try:
        fw = resolve(sys.argv[1], sys.argv[2], sys.argv[3], tuple(sys.argv[4:]))
    except ResolveError as e:
        print("error: %s." % e, file=sys.stderr)
        return 1
    print("descriptor %s\nexecutable %s\ntemplate %s" % (fw.descriptor, fw.executable,
                                                         fw.template or "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
