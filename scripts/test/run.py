#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Tessera's test runner ('make test', 'make test-one T=<name>').

Tests, by name:
  unit/<component>/<test>   host unit tests (components' tests/test_*.c, cmocka)
  fuzz/<component>/<target> each fuzz target over its kept corpus
                            (tests/corpus/<target>/: seeds and regressions)
  <arch>/<name>             boot tests (tests/boot/<arch>/<name>.test): the
                            image boots in an emulator and its output is matched
  tools/<name>              tests of the build scripts (scripts/test/test_*.py)

A boot test file has one 'key: value' per line ('#' starts a comment line):
  emulator: qemu|bochs      the launcher scripts/emu/<emulator>-<arch>.sh
  timeout: <seconds>        default 120
  cmdline: <text>           the image's command line
  env: NAME=value           environment of the launcher (SMP=2, MEM=1G, ...)
  expect: <regex>           must appear, each after the previous one's match
  expect-count: <n> <regex> must appear at least n times in all
  expect-at-most: <n> <regex>  must appear at most n times in all (a message
                            a guest can repeat at will must stay limited)
  reject: <regex>           must not appear anywhere (every test also rejects
                            ALWAYS_REJECT: a guest kernel's WARNING:, Call Trace,
                            unchecked MSR access, Kernel panic, PM-Timer failed)
  expect-clock: <seconds> <regex>
                            <regex>'s first group is a time in seconds since
                            1970 that must be within <seconds> of this
                            machine's clock when the match was read
  reject-before: <regex> => <marker>
                            <regex> must not appear before the first match of
                            <marker> (nor anywhere if <marker> never appears)
  guests: yes               needs the guest files: 'make guests GUEST_ARCH=<arch>'
                            runs once before the first such test
  vm: <path.vm>             a VM configuration (relative to the test file; may
                            repeat): the test gets its own boot archive with
                            these VMs and their guest files, same image
  send: <regex> => <text>   once <regex> appears after the previous send's
                            match, type <text> and Enter on the console (QEMU,
                            Bochs); ^] in <text> is the console switch key Ctrl-]
  hostdisk: yes             the test gets a new host disk (docs/persistence.md):
                            scripts/hostdisk.py makes it from the test's VMs
                            before the first run; every run attaches the same one
  run: <name>               starts a run: the emulator is started once per run,
                            in file order, on the same host disk.  expect,
                            expect-count, expect-at-most, expect-clock,
                            reject-before, send and kill lines belong to the
                            run above them; reject lines before the first run
                            apply to every run.  Without run lines the test is
                            one run
  repeat: <n>               the runs after the first are done n times over
  kill: <regex> <lo>-<hi>   once <regex> appears, after a random lo..hi seconds
                            (the runner says which), the emulator is killed
                            (SIGKILL), as if the power were cut
  prepare: <script>         instead of the runner's image and archive: the script
                            (relative to the test file) is run as
                            '<script> SRCTREE RUNDIR ARCH' with GUESTS in its
                            environment and must leave tessera.bin (or .elf) and
                            bootarchive.cpio in RUNDIR (a test that builds its own
                            image, e.g. with out-of-tree components)
Patterns see the output without terminal control sequences (ESC [ ...) and
with CR LF as LF.  The run stops once everything expected was seen and
everything sent; with a host disk it waits for the emulator to end by
itself (what was written must reach the disk), unless it has a kill line.

Configurations: with a .config in the build folder, the unit tests are those
of the components it enables and the boot tests of its architecture use it;
the other architecture (and everything, without a .config) uses
configs/<arch>_defconfig.  Each architecture builds in <O>/test/<arch>/.
Logs of every test are kept in <O>/test/logs/.
"""
import argparse
import fnmatch
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

ARCHES = ("aarch64", "x86_64")
UNIT_TIMEOUT = 120
# Seconds between typed characters: a person's pace, so that a guest
# polling a small UART receive FIFO loses nothing.
TYPING_DELAY = 0.02


def config_arch(path):
    try:
        with open(path) as f:
            for line in f:
                m = re.match(r'CONFIG_ARCH="(.*)"', line)
                if m:
                    return m.group(1)
    except OSError:
        pass
    return None


# Terminal control sequences (colours, cursor moves: ESC [ ... letter) and
# the CRs before a LF (a console that turns a guest's LF into CR LF makes
# CR CR LF).  Firmware shells draw with them; patterns are matched against
# the text without them.
CONTROL_SEQUENCE = re.compile(r"\x1b\[[0-9;?=]*[ -/]*[@-~]|\r+(?=\n)")


def screen_text(raw):
    return CONTROL_SEQUENCE.sub("", raw)


def expect_missing(text, expect):
    """The first pattern of expect not found after the previous one's
    match, or None when all are there in order."""
    pos = 0
    for pat in expect:
        m = re.compile(pat, re.M).search(text, pos)
        if not m:
            return pat
        pos = m.end()
    return None


def count_missing(text, counts):
    """The first (n, pattern) of counts that appears fewer than n times,
    with how often it did appear; None when all are satisfied."""
    for n, pat in counts:
        seen = len(re.compile(pat, re.M).findall(text))
        if seen < n:
            return n, pat, seen
    return None


def clock_wrong(text, checks, now):
    """The first (seconds, regex) whose match is missing or whose time is
    further than seconds from now (a number, or {regex: when it was read}),
    with what was found; else None."""
    for limit, pat in checks:
        m = re.compile(pat, re.M).search(text)
        if not m:
            return pat, "not found"
        try:
            found = int(m.group(1))
        except ValueError:
            return pat, "'%s' is not a number of seconds" % m.group(1)
        when = int(now.get(pat, time.time())) if isinstance(now, dict) else now
        if abs(found - when) > limit:
            return pat, "%d is %d s away from this machine's %d" % (found, found - when, when)
    return None


def early(text, pat, marker):
    """Whether pat matches in text before marker's first match (or at all,
    when marker never matches)."""
    m = re.compile(marker, re.M).search(text)
    head = text[:m.start()] if m else text
    return re.compile(pat, re.M).search(head) is not None


def count_over(text, limits):
    """The first (n, pattern) of limits that appears more than n times,
    with how often it did appear; None when all are within their limits."""
    for n, pat in limits:
        seen = len(re.compile(pat, re.M).findall(text))
        if seen > n:
            return n, pat, seen
    return None


# What every boot test rejects, whatever it expects: a guest kernel's
# warnings and oopses, Linux's failed PM timer check (a user would call
# the boot a failure even when the marker appears).  Not Linux's RETBleed
# notice: it is about the CPU Bochs emulates (one that offers guests no
# IBRS), not about the hypervisor.
ALWAYS_REJECT = [r"^(?!.*RETBleed: ).*WARNING:", r"Call [Tt]race", r"unchecked MSR access",
                 r"Kernel panic", r"PM-Timer failed"]


def parse_test(path):
    """The spec of a boot test file, or raises ValueError with the reason."""
    spec = {"emulator": "qemu", "timeout": "120", "cmdline": "",
            "reject": [], "env": [], "vm": [],
            "guests": "no", "prepare": "", "hostdisk": "no", "repeat": "1"}
    # The lists that belong to a run; the first run holds those of a test
    # without run lines.
    per_run = ("expect", "send", "expect-count", "expect-at-most", "reject-before",
               "expect-clock")

    def new_run(name):
        r = {key: [] for key in per_run}
        r.update({"name": name, "reject": [], "kill": None})
        return r
    first = new_run("")
    spec["runs"] = [first]
    run = first
    named_runs = 0
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            where = "%s:%d" % (path, number)
            if key == "run":
                if not value:
                    raise ValueError("%s: run wants a name" % where)
                if named_runs == 0:
                    if any(first[key] for key in per_run) or first["kill"]:
                        raise ValueError("%s: expect, send and kill lines go below a run line "
                                         "in a test with runs" % where)
                    first["name"] = value
                else:
                    run = new_run(value)
                    spec["runs"].append(run)
                named_runs += 1
            elif key == "kill":
                m = re.match(r"(.*\S)\s+(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$", value)
                if not m or float(m.group(3)) < float(m.group(2)):
                    raise ValueError("%s: kill wants '<regex> <lo>-<hi>' (seconds)" % where)
                run["kill"] = (m.group(1), float(m.group(2)), float(m.group(3)))
            elif key == "reject" and named_runs:
                run["reject"].append(value)
            elif key == "send":
                pat, sep, text = value.partition(" =>")
                if not sep or not pat.strip():
                    raise ValueError("%s: send wants '<regex> => <text>'" % where)
                text = text[1:] if text.startswith(" ") else text
                run["send"].append((pat.strip(), text.replace("^]", "\x1d")))
            elif key == "expect-clock":
                n, _, pat = value.partition(" ")
                if not n.isdigit() or not pat.strip() or re.compile(pat.strip()).groups < 1:
                    raise ValueError("%s: expect-clock wants '<seconds> <regex with a group>'"
                                     % where)
                run["expect-clock"].append((int(n), pat.strip()))
            elif key == "reject-before":
                pat, sep, marker = value.partition(" =>")
                if not sep or not pat.strip() or not marker.strip():
                    raise ValueError("%s: reject-before wants '<regex> => <marker regex>'" %
                                     where)
                run["reject-before"].append((pat.strip(), marker.strip()))
            elif key == "expect-count":
                n, _, pat = value.partition(" ")
                if not n.isdigit() or int(n) < 1 or not pat.strip():
                    raise ValueError("%s: expect-count wants '<n> <regex>'" % where)
                run["expect-count"].append((int(n), pat.strip()))
            elif key == "expect-at-most":
                n, _, pat = value.partition(" ")
                if not n.isdigit() or not pat.strip():
                    raise ValueError("%s: expect-at-most wants '<n> <regex>'" % where)
                run["expect-at-most"].append((int(n), pat.strip()))
            elif key == "expect":
                run["expect"].append(value)
            elif key == "vm":
                spec["vm"].append(os.path.join(os.path.dirname(os.path.abspath(path)), value))
            elif key == "prepare":
                spec["prepare"] = os.path.join(os.path.dirname(os.path.abspath(path)), value)
            elif key in ("reject", "env"):
                spec[key].append(value)
            elif key in ("guests", "hostdisk"):
                if value not in ("yes", "no"):
                    raise ValueError("%s: %s is yes or no, not '%s'" % (where, key, value))
                spec[key] = value
            elif key == "repeat":
                if not value.isdigit() or int(value) < 1:
                    raise ValueError("%s: repeat wants a number of times" % where)
                spec[key] = value
            elif key in spec:
                spec[key] = value
            else:
                raise ValueError("%s: unknown key '%s'" % (path, key))
    pats = list(spec["reject"])
    for r in spec["runs"]:
        pats += r["expect"] + r["reject"] + [p for p, _ in r["send"]] + \
            [p for _, p in r["expect-count"]] + [p for _, p in r["expect-at-most"]] + \
            [p for pair in r["reject-before"] for p in pair] + \
            [p for _, p in r["expect-clock"]] + ([r["kill"][0]] if r["kill"] else [])
    for pat in pats:
        try:
            re.compile(pat)
        except re.error as e:
            raise ValueError("%s: /%s/ is not a regular expression: %s" % (path, pat, e))
    return spec


class Runner:
    def __init__(self, srctree, objtree, only, boot_dir="tests/boot"):
        self.boot_dir = os.path.join(srctree, boot_dir)
        self.srctree = srctree
        self.objtree = objtree
        self.only = only
        self.results = []            # (name, ok, seconds, reason)
        self.lock = threading.Lock()          # results and the terminal
        self.setup_lock = threading.Lock()    # builds, archives, host disks
        self.logdir = os.path.join(objtree, "test", "logs")
        os.makedirs(self.logdir, exist_ok=True)
        self.user_config = os.path.join(objtree, ".config")
        self.user_arch = config_arch(self.user_config)
        extra_file = os.path.join(objtree, ".extra_components")
        self.extra = open(extra_file).read().strip() if os.path.exists(extra_file) else ""
        self.prepared = {}           # arch -> True/False (config ok)
        self.images = {}             # arch -> None (ok) or error text
        self.guests = {}             # arch -> None (fetched) or error text

    # -- building ----------------------------------------------------------
    def builddir(self, arch):
        return os.path.join(self.objtree, "test", arch)

    def make(self, arch, *targets, variant_env=None):
        cmd = ["make", "-s", "-C", self.srctree, "O=" + self.builddir(arch),
               "EXTRA_COMPONENTS=" + self.extra] + list(targets)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors="replace")
        return p.returncode, p.stdout

    def configure(self, arch):
        if arch in self.prepared:
            return self.prepared[arch]
        bdir = self.builddir(arch)
        os.makedirs(bdir, exist_ok=True)
        if self.user_arch == arch:
            shutil.copyfile(self.user_config, os.path.join(bdir, ".config"))
            rc, out = 0, ""
        else:
            rc, out = self.make(arch, arch + "_defconfig")
        if rc != 0:
            self.record("build/" + arch + "-config", False, 0, out)
        self.prepared[arch] = rc == 0
        return rc == 0

    def build_image(self, arch):
        if arch not in self.images:
            if not self.configure(arch):
                self.images[arch] = "configuration failed"
            else:
                print("  BUILD   %s image" % arch, flush=True)
                rc, out = self.make(arch, "image")
                self.images[arch] = None if rc == 0 else out
        return self.images[arch]

    def fetch_guests(self, arch):
        """'make guests' for one architecture, once per run."""
        if arch not in self.guests:
            print("  GUESTS  %s" % arch, flush=True)
            cmd = ["make", "-s", "-C", self.srctree, "guests", "GUEST_ARCH=" + arch]
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, text=True, errors="replace")
            self.guests[arch] = None if p.returncode == 0 else p.stdout
        return self.guests[arch]

    def test_archive(self, arch, name, vms):
        """A folder for one test: the architecture's image (linked) and a
        boot archive of its own with the VMs.  Returns (folder, error)."""
        tdir = os.path.join(self.objtree, "test", "vm", name.replace("/", "_"))
        os.makedirs(tdir, exist_ok=True)
        for f in ("tessera.elf", "tessera.bin"):
            link = os.path.join(tdir, f)
            if os.path.lexists(link):
                os.unlink(link)
            target = os.path.join(self.builddir(arch), f)
            if os.path.exists(target):
                os.symlink(target, link)
        rc, out = self.make(arch, "archive", "VMS=" + " ".join(vms),
                            "BOOTARCHIVE=" + os.path.join(tdir, "bootarchive.cpio"))
        return tdir, (None if rc == 0 else out)

    def host_programs(self, arch, target, variant):
        if not self.configure(arch):
            return {}
        print("  BUILD   %s host %s programs" % (arch, variant), flush=True)
        rc, out = self.make(arch, target)
        if rc != 0:
            self.record("build/%s-host-%s" % (arch, variant), False, 0, out)
            return {}
        progs = {}
        listfile = os.path.join(self.builddir(arch), "host", variant, "programs.list")
        with open(listfile) as f:
            for line in f:
                line = line.strip()
                if line:
                    name, prog, cdir = line.split("=", 2)
                    progs[name] = (prog, cdir)
        return progs

    # -- bookkeeping ---------------------------------------------------------
    def selected(self, name):
        return not self.only or fnmatch.fnmatchcase(name, self.only)

    def record(self, name, ok, seconds, output, reason=""):
        with self.lock:
            self.record_locked(name, ok, seconds, output, reason)

    def record_locked(self, name, ok, seconds, output, reason):
        logname = os.path.join(self.logdir, name.replace("/", "_") + ".log")
        with open(logname, "w") as f:
            f.write(output)
        self.results.append((name, ok, seconds, reason))
        if ok:
            print("PASS  %-36s (%.1fs)" % (name, seconds), flush=True)
        else:
            print("FAIL  %-36s (%.1fs) %s" % (name, seconds, reason), flush=True)
            tail = output.strip().splitlines()[-25:]
            for line in tail:
                print("      | " + line)
            print("      full log: %s" % logname, flush=True)

    # -- running ---------------------------------------------------------------
    def run_process(self, cmd, timeout, env=None, expect=(), counts=(), sends=(), kill=None,
                    wait_exit=False, watch=(), seen_at=None):
        """Runs cmd, typing each send's text once its pattern has appeared;
        returns (output, timed_out, exit_code, seconds).  Stops the process
        once every expect (in order) and count was seen and all was sent
        (wait_exit: lets it end by itself).  kill=(regex, lo, hi): once the
        regex appears, SIGKILLs the process group a random lo..hi seconds
        later and says so in the output.  seen_at[pat] (a dict the caller
        gives) is when each watch pattern first appeared."""
        start = time.time()
        kill_at = None
        if seen_at is None:
            seen_at = {}
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.PIPE if sends else subprocess.DEVNULL,
                             env=env, start_new_session=True)
        os.set_blocking(p.stdout.fileno(), False)
        buf = b""
        sent, send_pos = 0, 0
        timed_out = False
        while True:
            chunk = None
            try:
                chunk = p.stdout.read()
            except BlockingIOError:
                pass
            if chunk:
                buf += chunk
                text = screen_text(buf.decode("utf-8", "replace"))
                for pat in watch:
                    if pat not in seen_at and re.search(pat, text, re.M):
                        seen_at[pat] = time.time()
                while sent < len(sends):
                    m = re.compile(sends[sent][0], re.M).search(text, send_pos)
                    if not m:
                        break
                    send_pos = m.end()
                    self.type_text(p, sends[sent][1] + "\r")
                    sent += 1
                if kill and kill_at is None and re.compile(kill[0], re.M).search(text):
                    delay = random.uniform(kill[1], kill[2])
                    kill_at = time.time() + delay
                    buf += ("\n[test runner: /%s/ seen; the power is cut in %.2f s]\n" %
                            (kill[0], delay)).encode()
                if (expect or counts) and sent == len(sends) and not wait_exit and \
                        kill is None and expect_missing(text, expect) is None and \
                        count_missing(text, counts) is None:
                    # Everything expected was seen; let the machine finish
                    # its line, then stop it.
                    time.sleep(0.5)
                    try:
                        buf += p.stdout.read() or b""
                    except BlockingIOError:
                        pass
                    break
            if p.poll() is not None:
                try:
                    buf += p.stdout.read() or b""
                except (BlockingIOError, TypeError):
                    pass
                break
            if kill_at is not None and time.time() >= kill_at:
                try:
                    buf += p.stdout.read() or b""
                except (BlockingIOError, TypeError):
                    pass
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()
                buf += b"\n[test runner: power cut (SIGKILL)]\n"
                break
            if time.time() - start > timeout:
                timed_out = True
                break
            time.sleep(0.05)
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()
        for stream in (p.stdin, p.stdout):
            if stream:
                try:
                    stream.close()
                except OSError:
                    pass
        text = buf.decode("utf-8", "replace")
        return text, timed_out, p.returncode, time.time() - start

    @staticmethod
    def type_text(p, text):
        for c in text.encode():
            try:
                p.stdin.write(bytes([c]))
                p.stdin.flush()
            except (BrokenPipeError, OSError):
                return
            time.sleep(TYPING_DELAY)

    def run_program(self, name, cmd, cwd=None):
        start = time.time()
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, timeout=UNIT_TIMEOUT, cwd=cwd)
            out = p.stdout.decode("utf-8", "replace")
            ok = p.returncode == 0
            reason = "" if ok else "exit status %d" % p.returncode
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"").decode("utf-8", "replace")
            ok, reason = False, "timed out after %ds" % UNIT_TIMEOUT
        self.record(name, ok, time.time() - start, out, reason)

    def may_select(self, prefix):
        return not self.only or self.only.startswith(prefix) or \
            any(c in self.only for c in "*?[")

    def unit_tests(self):
        arches = [self.user_arch] if self.user_arch else list(ARCHES)
        unit, fuzz = {}, {}
        for arch in arches:
            if self.may_select("unit/"):
                for n, v in self.host_programs(arch, "host-tests", "unit").items():
                    unit.setdefault(n, v)
            if self.may_select("fuzz/") and shutil.which("clang"):
                for n, v in self.host_programs(arch, "host-fuzz", "fuzz").items():
                    fuzz.setdefault(n, v)
        for name in sorted(unit):
            prog, cdir = unit[name]
            if "/bench_" in name or not self.selected("unit/" + name):
                continue
            self.run_program("unit/" + name, [prog])
        for name in sorted(fuzz):
            prog, cdir = fuzz[name]
            if not self.selected("fuzz/" + name):
                continue
            corpus = os.path.join(cdir, "tests", "corpus", name.split("/", 1)[1])
            cmd = [prog, "-runs=0"] + ([corpus] if os.path.isdir(corpus) else [])
            self.run_program("fuzz/" + name, cmd)

    def boot_tests(self):
        """Every selected boot test, in name order per architecture.  Tests
        in Bochs, which emulates all CPUs on one host thread, run side by
        side, as many as TEST_JOBS (default: the host's CPUs, at most 2);
        QEMU tests, which use a host thread per CPU, run one at a time."""
        jobs = int(os.environ.get("TEST_JOBS", min(2, os.cpu_count() or 1)))
        for arch in ARCHES:
            tdir = os.path.join(self.boot_dir, arch)
            if not os.path.isdir(tdir):
                continue
            serial, side_by_side = [], []
            for fname in sorted(os.listdir(tdir)):
                if not fname.endswith(".test"):
                    continue
                name = "%s/%s" % (arch, fname[:-5])
                if not self.selected(name):
                    continue
                path = os.path.join(tdir, fname)
                try:
                    bochs = parse_test(path)["emulator"] == "bochs"
                except ValueError:
                    bochs = False
                (side_by_side if bochs and jobs > 1 else serial).append((name, path))
            for name, path in serial:
                self.boot_test(arch, name, path)
            queue = list(side_by_side)

            def worker():
                while True:
                    with self.lock:
                        if not queue:
                            return
                        name, path = queue.pop(0)
                    self.boot_test(arch, name, path)
            threads = [threading.Thread(target=worker) for _ in range(min(jobs, len(queue)))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

    def boot_test(self, arch, name, path):
        # Builds, archives and host disks one test at a time; the runs side by side.
        with self.setup_lock:
            ready = self.prepare_boot_test(arch, name, path)
        if ready:
            self.run_boot_test(name, *ready)

    def prepare_boot_test(self, arch, name, path):
        """Everything a boot test needs before its emulator starts:
        (spec, rundir, env, script), or None when that failed (recorded)."""
        try:
            spec = parse_test(path)
        except ValueError as e:
            self.record(name, False, 0, "", str(e))
            return None
        if any(r["send"] for r in spec["runs"]) and spec["emulator"] not in ("qemu", "bochs"):
            self.record(name, False, 0, "", "%s: send needs emulator: qemu or bochs (the "
                        "launchers that take console input in test mode)" % path)
            return None
        if spec["guests"] == "yes":
            err = self.fetch_guests(arch)
            if err is not None:
                last = [l for l in err.strip().splitlines() if l.strip()][-1:] or ["failed"]
                self.record(name, False, 0, err, "make guests: %s" % last[0])
                return None
        if spec["prepare"]:
            rundir = os.path.join(self.objtree, "test", "vm", name.replace("/", "_"))
            os.makedirs(rundir, exist_ok=True)
            env = dict(os.environ, GUESTS=os.path.join(self.srctree, "build", "guests"))
            start = time.time()
            p = subprocess.run([spec["prepare"], self.srctree, rundir, arch],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, text=True, errors="replace", env=env)
            if p.returncode != 0:
                lines = [l for l in p.stdout.splitlines() if l.strip()] or ["failed"]
                errors = [l for l in lines if "error" in l.lower()] or lines[-1:]
                self.record(name, False, time.time() - start, p.stdout,
                            "prepare: %s" % errors[0].strip())
                return None
        else:
            err = self.build_image(arch)
            if err is not None:
                self.record(name, False, 0, err, "the %s image did not build" % arch)
                return None
            rundir = self.builddir(arch)
        if spec["vm"] and not spec["prepare"]:
            rundir, err = self.test_archive(arch, name, spec["vm"])
            if err is not None:
                errors = [l for l in err.splitlines() if "error" in l] or ["make archive failed"]
                self.record(name, False, 0, err, errors[0].strip())
                return None
        elif not spec["prepare"]:
            # The image's own archive, in a folder of the test's own: the
            # launchers keep their files next to the image, and tests may
            # run side by side.
            tdir = os.path.join(self.objtree, "test", "vm", name.replace("/", "_"))
            os.makedirs(tdir, exist_ok=True)
            for f in ("tessera.elf", "tessera.bin", "bootarchive.cpio"):
                link, target = os.path.join(tdir, f), os.path.join(rundir, f)
                if os.path.lexists(link):
                    os.unlink(link)
                if os.path.exists(target):
                    os.symlink(target, link)
            rundir = tdir
        script = os.path.join(self.srctree, "scripts", "emu",
                              "%s-%s.sh" % (spec["emulator"], arch))
        env = dict(os.environ)
        for kv in spec["env"]:
            k, _, v = kv.partition("=")
            env[k.strip()] = v.strip()
        start = time.time()
        if spec["hostdisk"] == "yes":
            err = self.make_hostdisk(arch, rundir, spec["vm"])
            if err is not None:
                errors = [l for l in err.splitlines() if "error" in l] or ["make hostdisk failed"]
                self.record(name, False, 0, err, errors[0].strip())
                return None
            env["HOSTDISK"] = os.path.join(rundir, "hostdisk.img")
        return spec, rundir, env, script

    def run_boot_test(self, name, spec, rundir, env, script):
        start = time.time()
        runs = spec["runs"][:1] + spec["runs"][1:] * int(spec["repeat"])
        timeout = float(spec["timeout"])
        log = []
        for number, run in enumerate(runs, 1):
            title = run["name"] or name
            seen_at = {}
            out, timed_out, code, secs = self.run_process(
                [script, "test", rundir, spec["cmdline"]], timeout, env=env,
                expect=run["expect"] + [p for _, p in run["expect-clock"]],
                counts=run["expect-count"], sends=run["send"],
                kill=run["kill"], wait_exit=spec["hostdisk"] == "yes",
                watch=[p for _, p in run["expect-clock"]], seen_at=seen_at)
            if len(runs) > 1:
                log.append("==== run %d of %d: %s (%.1f s)\n" % (number, len(runs), title, secs))
            log.append(out)
            text = screen_text(out)
            missing = expect_missing(text, run["expect"])
            short = count_missing(text, run["expect-count"])
            over = count_over(text, run["expect-at-most"])
            bad = [p for p in ALWAYS_REJECT + spec["reject"] + run["reject"]
                   if re.search(p, text, re.M)]
            bad += [p for p, marker in run["reject-before"] if early(text, p, marker)]
            clock = clock_wrong(text, run["expect-clock"], seen_at)
            why = "timed out after %ds" % timeout if timed_out else "emulator ended"
            where = "run %d (%s): " % (number, title) if len(runs) > 1 else ""
            reason = None
            if bad:
                reason = "%sunexpected output: /%s/" % (where, bad[0])
            elif missing is not None:
                reason = "%s%s without /%s/" % (where, why, missing)
            elif clock is not None:
                reason = "%s/%s/: %s" % (where, clock[0], clock[1])
            elif short is not None:
                reason = "%s%s with /%s/ %d times, not %d" % (where, why, short[1], short[2],
                                                             short[0])
            elif over is not None:
                reason = "%s/%s/ %d times, more than %d" % (where, over[1], over[2], over[0])
            elif timed_out and spec["hostdisk"] == "yes" and not run["kill"]:
                reason = "%sthe emulator did not end by itself within %ds" % (where, timeout)
            if reason:
                self.record(name, False, time.time() - start, "".join(log), reason)
                return
        self.record(name, True, time.time() - start, "".join(log))

    def make_hostdisk(self, arch, rundir, vms):
        """A new host disk for a test: <rundir>/hostdisk.img from its VMs."""
        image = os.path.join(rundir, "hostdisk.img")
        if os.path.exists(image):
            os.unlink(image)
        cmd = [sys.executable, os.path.join(self.srctree, "scripts", "hostdisk.py"),
               "--image", image, "--arch", arch,
               "--guests", os.path.join(self.srctree, "build", "guests")]
        for vm in vms:
            cmd += ["--vm", vm]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, text=True, errors="replace")
        return None if p.returncode == 0 else p.stdout

    def tool_tests(self):
        tdir = os.path.join(self.srctree, "scripts", "test")
        for fname in sorted(os.listdir(tdir)):
            if fname.startswith("test_") and fname.endswith(".py"):
                name = "tools/" + fname[:-3]
                if self.selected(name):
                    self.run_program(name, [sys.executable, os.path.join(tdir, fname)])

    def main(self):
        start = time.time()
        self.unit_tests()
        if self.may_select("tools/"):
            self.tool_tests()
        self.boot_tests()
        if self.only and not self.results:
            print("error: no test is named '%s'; names look like unit/core/test_heap, "
                  "fuzz/lib/fuzz_cpio, aarch64/banner." % self.only)
            return 2
        passed = sum(1 for r in self.results if r[1])
        failed = len(self.results) - passed
        print("(%.0fs in all; logs in %s)" % (time.time() - start, self.logdir))
        print("%d passed, %d failed" % (passed, failed))
        return 0 if failed == 0 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--srctree", required=True)
    ap.add_argument("--objtree", required=True)
    ap.add_argument("--only", default="")
    ap.add_argument("--boot-dir", default="tests/boot",
                    help="folder of the boot tests, relative to the source tree "
                    "(tests/boot-pending: the guest tests waiting for their features)")
    args = ap.parse_args()
    sys.exit(Runner(args.srctree, args.objtree, args.only, args.boot_dir).main())


if __name__ == "__main__":
    main()
