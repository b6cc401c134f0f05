#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Tessera's benchmark ('make bench', docs/performance.md).

Builds the image and the bench guests in <O>/bench/<arch>/, runs every
measurement one emulator at a time and prints ONE table; each row is set
against a reference measured in the same run (the same loop over RAM,
the same guest on the plain emulator).

  scripts/bench/bench.py --srctree S --objtree O [--arch aarch64|x86_64]
                         [--rows 1,2,3,5,6,7] [--log FILE]

aarch64 runs in QEMU's virt machine with -icount shift=0: one instruction
is one nanosecond of the machine's clock, so the guest's counter and
QEMU's instruction count (QMP query-replay) count instructions.  x86_64
runs row 1 in Bochs with a fixed ips and clock: sync=none (the TSC
follows instructions).  Every emulator output is kept in
<O>/bench/logs/.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time

CONTROL_SEQUENCE = re.compile(r"\x1b\[[0-9;?=]*[ -/]*[@-~]|\r+(?=\n)")
CONSOLE_SWITCH = b"\x1d"          # Ctrl-]: the hypervisor's console switch key

# Targets of the issue, per row (None: no target, only reported).
TARGETS = {
    "exit-aarch64": 500,          # hypervisor instructions per MMIO round trip
    "exit-x86_64": 1500,
    "linux": 1.10,
    "aavmf": 1.15,
    "cpu": 1.15,
}


def text_of(raw):
    return CONTROL_SEQUENCE.sub("", raw.decode("utf-8", "replace"))


# A line of the exit trace (CONFIG_VM_EXIT_TRACE): it comes between two
# characters of the guest's own output, which reads whole without it.
TRACE_LINE = re.compile(r"(?:\[cpu\d+\] )?VM \S+ vCPU\d+: [^\n]*\n")


def without_trace(text):
    return TRACE_LINE.sub("", text)


class Bench:
    def __init__(self, srctree, objtree, arch, logdir, settings=()):
        self.srctree = srctree
        self.objtree = objtree
        self.arch = arch
        self.settings = list(settings)  # "SYMBOL=value" on top of the defconfig
        self.bdir = os.path.join(objtree, "bench", arch)
        if self.settings:
            # Another configuration, another build folder: the default one stays as it is.
            self.bdir += "-" + "-".join(re.sub(r"[^A-Za-z0-9_]", "_", x) for x in self.settings)
        self.logdir = logdir
        self.guests = os.path.join(srctree, "build", "guests", arch)
        self.vmdir = os.path.join(srctree, "tests", "bench", arch)
        self.rows = []                 # (row, what, tessera, reference, ratio, target, status)
        self.notes = []
        os.makedirs(self.bdir, exist_ok=True)
        os.makedirs(logdir, exist_ok=True)

    # ---- building -----------------------------------------------------------
    def make(self, *args, bdir=None):
        cmd = ["make", "-s", "-C", self.srctree, "O=" + (bdir or self.bdir)] + list(args)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           errors="replace")
        if p.returncode != 0:
            sys.stderr.write(p.stdout)
            raise SystemExit("bench: '%s' failed" % " ".join(cmd))
        return p.stdout

    def build(self):
        say("BUILD", "%s image and bench guests in %s" % (self.arch, self.bdir))
        config = os.path.join(self.bdir, ".config")
        if self.settings or not os.path.exists(config):
            self.make(self.arch + "_defconfig")
        if self.settings:
            with open(config, "a") as f:
                for setting in self.settings:
                    f.write("CONFIG_" + setting.removeprefix("CONFIG_") + "\n")
            self.make("olddefconfig")
            with open(config) as f:
                have = set(f.read().splitlines())
            for setting in self.settings:
                line = "CONFIG_" + setting.removeprefix("CONFIG_")
                if line not in have:
                    raise SystemExit("bench: %s did not stay in the configuration (a dependency "
                                     "missing?); see %s" % (line, config))
        self.make("image")
        self.make("test-guests")

    def fetch_guests(self):
        say("GUESTS", self.arch)
        p = subprocess.run(["make", "-s", "-C", self.srctree, "guests", "GUEST_ARCH=" + self.arch],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           stdin=subprocess.DEVNULL, errors="replace")
        if p.returncode != 0:
            sys.stderr.write(p.stdout)
            raise SystemExit("bench: fetching the guests failed")

    def archive(self, vm):
        out = os.path.join(self.bdir, "archive-" + os.path.splitext(vm)[0] + ".cpio")
        self.make("archive", "VMS=" + os.path.join(self.vmdir, vm), "BOOTARCHIVE=" + out)
        return out

    # ---- running ------------------------------------------------------------
    def run(self, name, cmd, until=None, on_match=None, timeout=600, qmp=None, env=None,
            typed=True):
        """Runs cmd with its console on a pipe until it ends, or until the
        regex until has appeared (then it is stopped).  on_match: list of
        (regex, fn(run)) called once each when regex first appears (fn may
        query QMP or type).  Returns a dict: text, cpu (user+sys seconds of
        the emulator), seconds."""
        say("RUN", name)
        log = os.path.join(self.logdir, name + ".log")
        with open(log + ".cmd", "w") as f:
            f.write(" ".join(cmd) + "\n")
        start = time.time()
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE if typed else subprocess.DEVNULL,
                             stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, start_new_session=True, env=env)
        os.set_blocking(p.stdout.fileno(), False)
        state = {"proc": p, "buf": b"", "qmp": None, "qmp_path": qmp, "results": {}}
        pending = list(on_match or [])
        rusage = None
        try:
            while True:
                chunk = None
                try:
                    chunk = p.stdout.read()
                except BlockingIOError:
                    pass
                if chunk:
                    state["buf"] += chunk
                    text = text_of(state["buf"])
                    for item in list(pending):
                        if re.search(item[0], text, re.M):
                            pending.remove(item)
                            item[1](state)
                    if until and not pending and re.search(until, text_of(state["buf"]), re.M):
                        # Let the machine finish what it prints.
                        time.sleep(1.0)
                        try:
                            state["buf"] += p.stdout.read() or b""
                        except (BlockingIOError, TypeError):
                            pass
                        break
                pid, status, ru = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    rusage = ru
                    p.returncode = status
                    try:
                        state["buf"] += p.stdout.read() or b""
                    except (BlockingIOError, TypeError):
                        pass
                    break
                if time.time() - start > timeout:
                    state["buf"] += b"\n[bench: timed out]\n"
                    break
                time.sleep(0.002)
        finally:
            if state["qmp"]:
                state["qmp"].close()
            if rusage is None:
                try:
                    os.killpg(p.pid, 9)
                except ProcessLookupError:
                    pass
                _, _, rusage = os.wait4(p.pid, 0)
        text = text_of(state["buf"])
        with open(log, "w") as f:
            f.write(text)
        return {"text": text, "cpu": rusage.ru_utime + rusage.ru_stime,
                "seconds": time.time() - start, "results": state["results"], "log": log}

    # QMP: the emulator's instruction count at this moment.
    @staticmethod
    def qmp_icount(state):
        if state["qmp"] is None:
            s = socket.socket(socket.AF_UNIX)
            for _ in range(200):
                try:
                    s.connect(state["qmp_path"])
                    break
                except OSError:
                    time.sleep(0.01)
            f = s.makefile("rw")
            f.readline()
            f.write(json.dumps({"execute": "qmp_capabilities"}) + "\n")
            f.flush()
            f.readline()
            state["qmp"] = f
        f = state["qmp"]
        f.write(json.dumps({"execute": "query-replay"}) + "\n")
        f.flush()
        while True:
            reply = json.loads(f.readline())
            if "return" in reply:
                return reply["return"]["icount"]


def say(what, text):
    print("  %-7s %s" % (what, text), flush=True)


def ns_of(ticks, hz):
    return ticks * 1e9 / hz


# ---- aarch64 --------------------------------------------------------------------

def qemu_aarch64(smp, mem, icount=None, qmp=None, el2=True):
    machine = "virt,virtualization=on,gic-version=3" if el2 else "virt,gic-version=3"
    cmd = ["qemu-system-aarch64", "-M", machine, "-cpu", "max", "-smp", str(smp), "-m", mem,
           "-display", "none", "-chardev", "stdio,id=console,signal=off",
           "-serial", "chardev:console", "-monitor", "none", "-no-reboot", "-nic", "none"]
    if icount:
        cmd += ["-icount", icount]
    if qmp:
        cmd += ["-qmp", "unix:%s,server=on,wait=off" % qmp]
    return cmd


def tessera_cmd(b, archive, smp, icount=None, qmp=None, mem="1G"):
    return qemu_aarch64(smp, mem, icount, qmp) + [
        "-kernel", os.path.join(b.bdir, "tessera.bin"), "-initrd", archive,
        "-append", "loglevel=info"]


def parse_exits(text, after=None):
    """The last exit statistics block after the regex after: ({reason: n},
    [(device, reads, writes)])."""
    start = 0
    if after:
        ms = list(re.finditer(after, text, re.M))
        if ms:
            start = ms[-1].end()
    seg = text[start:]
    m = re.search(r"exits by reason.*?\n(.*?)\n\s+time in WFI", seg, re.S)
    reasons = {}
    if m:
        for line in m.group(1).splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[-1].isdigit():
                reasons[" ".join(p for p in parts[:-1] if not p.isdigit())] = int(parts[-1])
    devices = []
    m = re.search(r"accesses by device.*?\n((?:    \S.*\n)+)", seg)
    if m:
        for line in m.group(1).splitlines():
            parts = line.split()
            if len(parts) >= 6 and parts[1] in ("MMIO", "PIO"):
                devices.append((parts[0], int(parts[3]), int(parts[4])))
    return reasons, devices


def exits_summary(reasons, devices):
    order = sorted(((n, r) for r, n in reasons.items() if r != "all"), reverse=True)
    by_reason = ", ".join("%s %d" % (r, n) for n, r in order)
    devs = sorted(devices, key=lambda d: -(d[1] + d[2]))
    by_dev = ", ".join("%s %d" % (d[0], d[1] + d[2]) for d in devs[:5])
    return "%d (%s; devices: %s)" % (reasons.get("all", 0), by_reason, by_dev or "none")


def row_exit_aarch64(b):
    tg = os.path.join(b.bdir, "test-guests")
    arch = b.archive("bench-exit.vm")
    t = b.run("aarch64-exit-tessera", tessera_cmd(b, arch, 1, "shift=0,sleep=off"),
              until=r"All VMs have ended|bench-exit: done[\s\S]*powered off")
    p = b.run("aarch64-exit-plain",
              qemu_aarch64(1, "64M", "shift=0,sleep=off", el2=False) +
              ["-kernel", os.path.join(tg, "bench-exit.bin")], until=r"bench-exit: done")
    pat = re.compile(r"bench-exit: (\S+) trapped (\d+) reference (\d+) iterations (\d+) hz (\d+)")
    plain = {m.group(1): m for m in pat.finditer(p["text"])}
    names = {"mmio-read": "MMIO read (PL011 FR)", "mmio-write": "MMIO write (PL031 MR)",
             "hvc": "hypercall (HVC PSCI_VERSION)"}
    found = False
    for m in pat.finditer(without_trace(t["text"])):
        found = True
        name, trapped, ref, n, hz = m.group(1), int(m.group(2)), int(m.group(3)), \
            int(m.group(4)), int(m.group(5))
        per = ns_of(trapped, hz) / n
        ref_per = ns_of(ref, hz) / n
        hyp = per - ref_per
        pm = plain.get(name)
        plain_per = ns_of(int(pm.group(2)), int(pm.group(5))) / int(pm.group(4)) if pm else None
        target = TARGETS["exit-aarch64"] if name.startswith("mmio") else None
        b.rows.append(("1", "aarch64 exit round trip: %s" % names.get(name, name),
                       "%.0f hyp instr" % hyp,
                       "loop %.0f/iter; RAM loop %.0f; plain QEMU %s" %
                       (per, ref_per, "%.0f" % plain_per if plain_per else "?"),
                       "%.1fx plain" % (per / plain_per) if plain_per else "-",
                       "<= %d" % target if target else "-",
                       status(hyp <= target) if target else "-"))
    if not found:
        b.rows.append(("1", "aarch64 exit round trip", "FAILED", "see " + t["log"], "-", "-", "-"))

    arch = b.archive("bench-ipi.vm")
    t = b.run("aarch64-ipi-tessera", tessera_cmd(b, arch, 2, "shift=0,sleep=off"),
              until=r"ipi-pingpong: (passed|FAIL)[\s\S]*powered off")
    p = b.run("aarch64-ipi-plain",
              qemu_aarch64(2, "64M", "shift=0,sleep=off", el2=False) +
              ["-kernel", os.path.join(tg, "ipi-pingpong.bin")], until=r"ipi-pingpong: (passed|FAIL)")
    pat = r"back to back: \d+ round trips, average [\d.]+ CNTVCT ticks = (\d+) ns"
    mt, mp = re.search(pat, without_trace(t["text"])), re.search(pat, p["text"])
    if mt and mp:
        tn, pn = int(mt.group(1)), int(mp.group(1))
        b.rows.append(("1", "aarch64 exit round trip: IPI vCPU0 -> vCPU1 (WFI) and back",
                       "%d instr" % tn, "plain QEMU %d instr" % pn, "%.1fx" % (tn / pn),
                       "-", "(both CPUs' instr; +%d)" % (tn - pn)))
    else:
        b.rows.append(("1", "aarch64 IPI round trip", "FAILED", "see logs", "-", "-", "-"))


def status(ok):
    return "met" if ok else "NOT met"


def row_linux_aarch64(b):
    """Row 2: both machines stop at their PSCI SYSTEM_OFF (-no-shutdown), so
    the instruction count (QMP query-replay: instructions executed, idle
    time not included) is read exactly there.  Under Tessera the count at
    its line 'VM linux-direct: starting' is taken off: what is left is the
    VM's boot, its power-off and the hypervisor's end of it."""
    g = b.guests
    arch = b.archive("linux-direct.vm")
    marker = r"TESSERA-GUEST-OK kernel="
    qmp = os.path.join(b.bdir, "qmp.sock")
    res = {}

    def mark(key, delay=0.0):
        def fn(state):
            time.sleep(delay)
            res[key] = Bench.qmp_icount(state)
        return fn
    if os.path.exists(qmp):
        os.unlink(qmp)
    t = b.run("aarch64-linux-tessera",
              tessera_cmd(b, arch, 1, "shift=0,sleep=off", qmp=qmp) + ["-no-shutdown"],
              on_match=[(r"VM linux-direct: starting", mark("start")),
                        (r"Tessera powering off", mark("end", 0.5))],
              until=r"Tessera powering off", qmp=qmp)
    if os.path.exists(qmp):
        os.unlink(qmp)
    p = b.run("aarch64-linux-plain",
              qemu_aarch64(1, "256M", "shift=0,sleep=off", qmp=qmp, el2=False) +
              ["-no-shutdown", "-kernel", os.path.join(g, "Image"),
               "-initrd", os.path.join(g, "initrd.cpio.gz"),
               "-append", "console=ttyAMA0 tessera.action=poweroff"],
              on_match=[(r"reboot: Power down", mark("plain", 0.5))],
              until=r"reboot: Power down", qmp=qmp)
    ok = {"start", "end", "plain"} <= set(res) and re.search(marker, t["text"]) and \
        re.search(marker, p["text"])
    instruction_row(b, "2", "Linux direct boot (1 vCPU) to the marker and power-off",
                    ok and res["end"] - res["start"], ok and res["plain"], "linux")
    exits_row(b, "Linux direct boot", t, r"VM linux-direct: powered off after")
    return t


def instruction_row(b, row, what, tessera, plain, target):
    """A row of instructions under Tessera against plain QEMU's, with its
    target; FAILED when either count is missing (a run that went wrong)."""
    if not tessera or not plain:
        b.rows.append((row, what, "FAILED", "see logs", "-", "-", "-"))
        return
    ratio = tessera / plain
    b.rows.append((row, what, "%.3f G instr" % (tessera / 1e9),
                   "plain QEMU %.3f G instr" % (plain / 1e9), "%.2fx" % ratio,
                   "<= %.2fx" % TARGETS[target], status(ratio <= TARGETS[target])))


def exits_row(b, what, run, until):
    """Row 5: the exit statistics the run printed at its end (until)."""
    reasons, devices = parse_exits(run["text"], until)
    b.rows.append(("5", "exits per boot: " + what, exits_summary(reasons, devices),
                   "-", "-", "-", "-"))


def row_aavmf_aarch64(b):
    g = b.guests
    arch = b.archive("aavmf.vm")
    marker = r"UEFI Interactive Shell v"
    qmp = os.path.join(b.bdir, "qmp.sock")
    res = {}

    def mark(key):
        def fn(state):
            res[key] = Bench.qmp_icount(state)
        return fn

    def stats(state):
        state["proc"].stdin.write(CONSOLE_SWITCH + b"s")
        state["proc"].stdin.flush()

    for f in (qmp,):
        if os.path.exists(f):
            os.unlink(f)
    # sleep=on: AAVMF waits on its timer in WFI; the moment the marker is
    # read, the clock has moved by what the guest executed meanwhile (a
    # millisecond or two), not by a jump to its next timer deadline.
    t = b.run("aarch64-aavmf-tessera", tessera_cmd(b, arch, 1, "shift=0,sleep=on", qmp=qmp),
              on_match=[(r"VM aavmf: starting", mark("start")), (marker, mark("shell")),
                        (marker, stats)],
              until=r"exit statistics so far[\s\S]*accesses by device", qmp=qmp)
    if os.path.exists(qmp):
        os.unlink(qmp)
    vars_copy = os.path.join(b.bdir, "AAVMF_VARS.fd")
    shutil.copyfile(os.path.join(g, "AAVMF_VARS.fd"), vars_copy)
    pres = {}

    def pmark(state):
        pres["shell"] = Bench.qmp_icount(state)
    p = b.run("aarch64-aavmf-plain",
              qemu_aarch64(1, "512M", "shift=0,sleep=on", qmp=qmp, el2=False) +
              ["-drive", "if=pflash,format=raw,readonly=on,file=" + os.path.join(g, "AAVMF_CODE.fd"),
               "-drive", "if=pflash,format=raw,file=" + vars_copy],
              on_match=[(marker, pmark)], until=marker, qmp=qmp)
    ok = "start" in res and "shell" in res and "shell" in pres
    instruction_row(b, "3", "AAVMF (1 vCPU) to the UEFI Shell",
                    ok and res["shell"] - res["start"], ok and pres["shell"], "aavmf")
    exits_row(b, "AAVMF to the Shell", t, r"exit statistics so far")


def row_cpu_aarch64(b, rounds=3):
    """Row 7: each side ROUNDS times, alternately; the least CPU time of
    each counts (the host is shared: other work only ever adds)."""
    g = b.guests
    arch = os.path.join(b.bdir, "archive-linux-direct.cpio")
    if not os.path.exists(arch):
        arch = b.archive("linux-direct.vm")
    best_t = best_p = None
    ok = True
    for r in range(rounds):
        t = b.run("aarch64-cpu-tessera-%d" % r, tessera_cmd(b, arch, 2), until=None)
        p = b.run("aarch64-cpu-plain-%d" % r,
                  qemu_aarch64(1, "256M", el2=False) +
                  ["-kernel", os.path.join(g, "Image"), "-initrd", os.path.join(g, "initrd.cpio.gz"),
                   "-append", "console=ttyAMA0 tessera.action=poweroff"], until=None)
        ok = ok and "TESSERA-GUEST-OK" in t["text"] and "TESSERA-GUEST-OK" in p["text"]
        if best_t is None or t["cpu"] < best_t["cpu"]:
            best_t = t
        if best_p is None or p["cpu"] < best_p["cpu"]:
            best_p = p
    if ok:
        t, p = best_t, best_p
        ratio = t["cpu"] / p["cpu"]
        b.rows.append(("7", "host CPU time, Linux boot, 1-vCPU VM on a 2-CPU host (least of %d)"
                       % rounds, "%.2f s (%.1f s wall)" % (t["cpu"], t["seconds"]),
                       "plain QEMU 1 CPU %.2f s (%.1f s wall)" % (p["cpu"], p["seconds"]),
                       "%.2fx" % ratio, "<= %.2fx" % TARGETS["cpu"],
                       status(ratio <= TARGETS["cpu"])))
    else:
        b.rows.append(("7", "host CPU time", "FAILED", "see logs", "-", "-", "-"))


# ---- x86_64 ---------------------------------------------------------------------

def row_exit_x86(b):
    """Row 1 on x86_64: bench-exit as the pc machine's firmware in Bochs
    (scripts/emu/bochs-x86_64.sh: a fixed ips and clock: sync=none, so
    the TSC the guest reads advances with the instructions executed), on
    a one-CPU host."""
    arch = b.archive("bench-exit.vm")
    rundir = os.path.join(b.bdir, "run-bench-exit")
    os.makedirs(rundir, exist_ok=True)
    for f in ("tessera.elf", "tessera.bin"):
        link = os.path.join(rundir, f)
        if os.path.lexists(link):
            os.unlink(link)
        if os.path.exists(os.path.join(b.bdir, f)):
            os.symlink(os.path.join(b.bdir, f), link)
    shutil.copyfile(arch, os.path.join(rundir, "bootarchive.cpio"))
    env = dict(os.environ, SMP="1", MEM="256M")
    cmd = [os.path.join(b.srctree, "scripts", "emu", "bochs-x86_64.sh"), "test", rundir,
           "loglevel=info"]
    t = b.run("x86_64-exit-tessera", cmd, until=r"bench-exit: done", timeout=900, env=env,
              typed=False)
    pat = re.compile(r"bench-exit: (\S+) trapped (\d+) reference (\d+) iterations (\d+) hz (\d+)")
    names = {"mmio-read": "MMIO read (IOAPIC IOREGSEL)", "mmio-write": "MMIO write (IOAPIC IOREGSEL)",
             "pio-read": "port read (COM1 LSR)", "vmcall": "hypercall (VMCALL, unknown)"}
    found = False
    for m in pat.finditer(without_trace(t["text"])):
        found = True
        name, trapped, ref, n = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4))
        per, ref_per = trapped / n, ref / n        # TSC ticks: instructions under Bochs
        hyp = per - ref_per
        target = TARGETS["exit-x86_64"] if name.startswith("mmio") else None
        b.rows.append(("1", "x86_64 exit round trip: %s" % names.get(name, name),
                       "%.0f hyp instr" % hyp, "loop %.0f/iter; RAM loop %.0f" % (per, ref_per),
                       "-", "<= %d" % target if target else "-",
                       status(hyp <= target) if target else "-"))
    if not found:
        b.rows.append(("1", "x86_64 exit round trip", "FAILED", "see " + t["log"], "-", "-", "-"))


# ---- image size -------------------------------------------------------------------

def elf_sizes(path):
    """(text, data, bss) of an ELF64 file as size(1) counts them: allocated
    sections, executable or read-only -> text, writable with contents ->
    data, without contents -> bss."""
    with open(path, "rb") as f:
        elf = f.read()
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3a)
    text = data = bss = 0
    for i in range(shnum):
        _, stype, flags, _, _, size = struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize)
        if not flags & 2:          # SHF_ALLOC
            continue
        if stype == 8:             # SHT_NOBITS
            bss += size
        elif flags & 1 and not flags & 4:   # SHF_WRITE, not SHF_EXECINSTR
            data += size
        else:
            text += size
    return text, data, bss


def row_size(b, arches):
    for arch in arches:
        bdir = os.path.join(b.objtree, "bench", arch)
        if arch != b.arch or not os.path.exists(os.path.join(bdir, "tessera.elf")):
            say("BUILD", "%s image (size)" % arch)
            os.makedirs(bdir, exist_ok=True)
            if not os.path.exists(os.path.join(bdir, ".config")):
                b.make(arch + "_defconfig", bdir=bdir)
            b.make("image", bdir=bdir)
        text, data, bss = elf_sizes(os.path.join(bdir, "tessera.elf"))
        b.rows.append(("6", "image size, %s_defconfig (text, data, bss)" % arch,
                       "%d KiB" % ((text + data + bss) // 1024),
                       "text %d, data %d, bss %d bytes" % (text, data, bss), "-", "-", "-"))


# ---- the table --------------------------------------------------------------------

def print_table(b, header):
    cols = ("row", "measurement", "Tessera", "reference (same run)", "ratio", "target", "status")
    rows = [cols] + [tuple(str(c) for c in r) for r in b.rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(cols))]
    out = [header, ""]
    for n, r in enumerate(rows):
        out.append("| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(r)) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for note in b.notes:
        out.append(note)
    text = "\n".join(out)
    print(text, flush=True)
    return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--srctree", required=True)
    ap.add_argument("--objtree", required=True)
    ap.add_argument("--arch", default="aarch64", choices=("aarch64", "x86_64"))
    ap.add_argument("--rows", default="1,2,3,5,6,7")
    ap.add_argument("--log", default="")
    ap.add_argument("--set", action="append", default=[], metavar="SYMBOL=value",
                    help="a Kconfig setting on top of the defconfig (own build folder)")
    args = ap.parse_args()
    rows = set(args.rows.split(","))
    srctree, objtree = os.path.abspath(args.srctree), os.path.abspath(args.objtree)
    b = Bench(srctree, objtree, args.arch, os.path.join(objtree, "bench", "logs"),
              [x for setting in args.set for x in setting.split()])
    started = time.time()
    b.build()
    if args.arch == "aarch64":
        if rows & {"2", "3", "5", "7"}:
            b.fetch_guests()
        if "1" in rows:
            row_exit_aarch64(b)
        if rows & {"2", "5"}:
            row_linux_aarch64(b)
        if rows & {"3", "5"}:
            row_aavmf_aarch64(b)
        if "7" in rows:
            row_cpu_aarch64(b)
    else:
        if "1" in rows:
            row_exit_x86(b)
    if "6" in rows:
        row_size(b, ("aarch64", "x86_64"))
    b.rows.sort(key=lambda r: r[0])
    if args.arch == "aarch64":
        emulator = subprocess.run(["qemu-system-aarch64", "--version"], stdout=subprocess.PIPE,
                                  text=True).stdout.splitlines()[0]
    else:
        emulator = "Bochs (scripts/emu/bochs-x86_64.sh, SMP=1)"

    rev = subprocess.run(["git", "-C", srctree, "rev-parse", "--short", "HEAD"],
                         stdout=subprocess.PIPE, text=True).stdout.strip()
    header = ("Tessera make bench: %s, commit %s, %s, %s; %.0f s" %
              (args.arch, rev or "?", emulator, datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"),
               time.time() - started))
    if b.settings:
        header += "; with " + ", ".join("CONFIG_" + x.removeprefix("CONFIG_") for x in b.settings)
    text = print_table(b, header)
    if args.log:
        with open(args.log, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
