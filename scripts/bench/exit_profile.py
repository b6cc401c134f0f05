#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Where the instructions of one aarch64 MMIO exit go (docs/performance.md).

Builds the image twice with the bench-exit guest reduced to its trapped
MMIO-read loop (BENCH_PROFILE), once with N1 and once with N2 iterations,
runs each in QEMU with every translated block's execution logged
(-d in_asm,exec,nochain) and counts the instructions executed per function
of tessera.elf.  The difference of the two runs divided by N2 - N1 is one
round trip: guest load, exit, decode, bus, device, re-entry.

  scripts/bench/exit_profile.py --srctree S --objtree O [--n1 200 --n2 1200]
"""
import argparse
import bisect
import collections
import os
import re
import subprocess
import sys

LOAD = 0x40200000        # QEMU loads the image (linked at 0) at RAM base + 2 MiB


def symbols(elf):
    out = subprocess.run(["nm", "-n", elf], stdout=subprocess.PIPE, text=True).stdout
    addrs, names = [], []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            addrs.append(int(parts[0], 16))
            names.append(parts[2])
    return addrs, names


def profile(bdir, archive, smp=1):
    cmd = ["qemu-system-aarch64", "-M", "virt,virtualization=on,gic-version=3", "-cpu", "max",
           "-smp", str(smp), "-m", "1G", "-display", "none", "-serial", "file:/dev/null",
           "-monitor", "none", "-no-reboot", "-nic", "none",
           "-kernel", os.path.join(bdir, "tessera.bin"), "-initrd", archive,
           "-append", "loglevel=info", "-d", "in_asm,exec,nochain", "-D", "/dev/stdout"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, errors="replace", bufsize=1 << 20)
    size = {}
    counts = collections.Counter()
    cur_pc, cur_n = None, 0
    trace = re.compile(r"Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/")
    insn = re.compile(r"^0x([0-9a-f]+):")
    for line in p.stdout:
        if line.startswith("Trace"):
            m = trace.match(line)
            if m:
                counts[int(m.group(1), 16)] += 1
            continue
        m = insn.match(line)
        if m:
            if cur_pc is None:
                cur_pc, cur_n = int(m.group(1), 16), 0
            cur_n += 1
            continue
        if cur_pc is not None:
            size[cur_pc] = cur_n
            cur_pc = None
    p.wait()
    return counts, size


def by_function(counts, size, syms):
    addrs, names = syms
    out = collections.Counter()
    for pc, n in counts.items():
        off = pc - LOAD
        i = bisect.bisect_right(addrs, off) - 1
        name = names[i] if 0 <= off and i >= 0 else "(guest or outside the image)"
        out[name] += n * size.get(pc, 1)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--srctree", required=True)
    ap.add_argument("--objtree", required=True)
    ap.add_argument("--n1", type=int, default=200)
    ap.add_argument("--n2", type=int, default=1200)
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args()
    vm = os.path.join(args.srctree, "tests", "bench", "aarch64", "bench-exit.vm")
    results = []
    for n in (args.n1, args.n2):
        bdir = os.path.join(os.path.abspath(args.objtree), "bench", "profile-%d" % n)
        os.makedirs(bdir, exist_ok=True)
        mk = ["make", "-s", "-C", args.srctree, "O=" + bdir]
        if not os.path.exists(os.path.join(bdir, ".config")):
            subprocess.run(mk + ["aarch64_defconfig"], check=True, stdout=subprocess.DEVNULL)
        flags = "bench-exit-cflags=-DITERATIONS=%du -DBENCH_PROFILE" % n
        subprocess.run(mk + ["image", flags], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(mk + ["test-guests", flags], check=True, stdout=subprocess.DEVNULL)
        archive = os.path.join(bdir, "profile.cpio")
        subprocess.run(mk + ["archive", "VMS=" + vm, "BOOTARCHIVE=" + archive, flags],
                       check=True, stdout=subprocess.DEVNULL)
        print("  PROFILE %d iterations" % n, flush=True)
        counts, size = profile(bdir, archive)
        results.append(by_function(counts, size, symbols(os.path.join(bdir, "tessera.elf"))))
    diff = collections.Counter()
    for name in set(results[0]) | set(results[1]):
        d = results[1][name] - results[0][name]
        if d:
            diff[name] = d
    n = args.n2 - args.n1
    total = sum(diff.values()) / n
    print("instructions per MMIO-read round trip: %.0f (guest loop included)" % total)
    for name, d in diff.most_common(args.top):
        print("  %8.1f  %s" % (d / n, name))


if __name__ == "__main__":
    main()
