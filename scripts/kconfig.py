#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Kconfig front end for the Tessera build (kconfiglib).

    kconfig.py defconfig FILE     .config from a defconfig
    kconfig.py olddefconfig       update .config, new symbols at defaults
    kconfig.py savedefconfig OUT  minimal defconfig
    kconfig.py menuconfig         interactive editor
    kconfig.py genconfig          include/generated/autoconf.h
    kconfig.py arch               print the architecture of .config

Environment: srctree, KCONFIG_CONFIG, COMPONENTS_KCONFIG, KCONFIG_AUTOHEADER.
"""
import os
import sys

try:
    import kconfiglib
except ImportError:
    sys.exit("error: Python's kconfiglib is missing; install it with "
             "'apt-get install python3-kconfiglib' (or run 'make run' / "
             "'bash scripts/setup.sh' as root).")


def load():
    kconf = kconfiglib.Kconfig(os.path.join(os.environ["srctree"], "Kconfig"),
                               warn_to_stderr=False)
    return kconf


def report(kconf):
    for w in kconf.warnings:
        # Undefined symbols in an old .config are normal after a component
        # was removed; everything else deserves attention.
        if "undefined symbol" in w:
            continue
        print("kconfig: " + w.replace("\n", " "), file=sys.stderr)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd = sys.argv[1]
    config = os.environ.get("KCONFIG_CONFIG", ".config")

    if cmd == "menuconfig":
        import menuconfig
        kconf = load()
        menuconfig.menuconfig(kconf)
        return

    kconf = load()
    if cmd == "defconfig":
        path = sys.argv[2]
        if not os.path.exists(path):
            sys.exit("error: %s does not exist; the defconfigs are in configs/ "
                     "(make help lists them)." % path)
        kconf.load_config(path)
        kconf.write_config(config, save_old=False)
        print("configured from %s" % os.path.relpath(path, os.environ["srctree"]))
    elif cmd == "olddefconfig":
        if not os.path.exists(config):
            sys.exit("error: %s does not exist; run 'make aarch64_defconfig' or "
                     "'make x86_64_defconfig' first." % config)
        kconf.load_config(config)
        kconf.write_config(config, save_old=False)
    elif cmd == "savedefconfig":
        kconf.load_config(config)
        kconf.write_min_config(sys.argv[2])
        print("wrote %s" % sys.argv[2])
    elif cmd == "genconfig":
        kconf.load_config(config)
        header = os.environ["KCONFIG_AUTOHEADER"]
        os.makedirs(os.path.dirname(header), exist_ok=True)
        tmp = header + ".tmp"
        kconf.write_autoconf(tmp)
        old = open(header).read() if os.path.exists(header) else None
        if old != open(tmp).read():
            os.replace(tmp, header)
        else:
            os.remove(tmp)
    elif cmd == "arch":
        kconf.load_config(config)
        print(kconf.syms["ARCH"].str_value)
        return
    else:
        sys.exit("error: unknown command %s" % cmd)
    report(kconf)


if __name__ == "__main__":
    main()
