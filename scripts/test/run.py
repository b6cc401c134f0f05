#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Tessera's test runner ('make test', 'make test-one T=<name>').

Tests, by name:
  unit/<component>/<test>   host unit tests (components' tests/test_*.c, cmocka)
  fuzz/<component>/<target> each fuzz target over its kept corpus
                            (tests/corpus/<target>/: seeds and regressions)
  <arch>/<name>             boot tests (tests/boot/<arch>/<name>.test): the
                            image boots in an emulator and its output is matched

Configurations: with a .config in the build folder, the unit tests are those
of the components it enables and the boot tests of its architecture use it;
the other architecture (and everything, without a .config) uses
configs/<arch>_defconfig.  Each architecture builds in <O>/test/<arch>/.
Logs of every test are kept in <O>/test/logs/.
"""
import argparse
import fnmatch
import os
import re
import shutil
import signal
import subprocess
import sys
import time

ARCHES = ("aarch64", "x86_64")
UNIT_TIMEOUT = 120


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


class Runner:
    def __init__(self, srctree, objtree, only):
        self.srctree = srctree
        self.objtree = objtree
        self.only = only
        self.results = []            # (name, ok, seconds, reason)
        self.logdir = os.path.join(objtree, "test", "logs")
        os.makedirs(self.logdir, exist_ok=True)
        self.user_config = os.path.join(objtree, ".config")
        self.user_arch = config_arch(self.user_config)
        extra_file = os.path.join(objtree, ".extra_components")
        self.extra = open(extra_file).read().strip() if os.path.exists(extra_file) else ""
        self.prepared = {}           # arch -> True/False (config ok)
        self.images = {}             # arch -> None (ok) or error text

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
    def run_process(self, cmd, timeout, env=None, expect=(), reject=()):
        """Runs cmd; returns (output, timed_out, exit_code, all_expected)."""
        start = time.time()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        os.set_blocking(p.stdout.fileno(), False)
        buf = b""
        idx = 0
        timed_out = False
        while True:
            chunk = None
            try:
                chunk = p.stdout.read()
            except BlockingIOError:
                pass
            if chunk:
                buf += chunk
                text = buf.decode("utf-8", "replace")
                pos = 0
                idx = 0
                for pat in expect:
                    m = re.compile(pat, re.M).search(text, pos)
                    if not m:
                        break
                    pos = m.end()
                    idx += 1
                if expect and idx == len(expect):
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
        text = buf.decode("utf-8", "replace")
        return text, timed_out, p.returncode, time.time() - start

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
        for arch in ARCHES:
            tdir = os.path.join(self.srctree, "tests", "boot", arch)
            if not os.path.isdir(tdir):
                continue
            for fname in sorted(os.listdir(tdir)):
                if not fname.endswith(".test"):
                    continue
                name = "%s/%s" % (arch, fname[:-5])
                if self.selected(name):
                    self.boot_test(arch, name, os.path.join(tdir, fname))

    def boot_test(self, arch, name, path):
        spec = {"emulator": "qemu", "timeout": "120", "cmdline": "", "expect": [],
                "reject": [], "env": []}
        with open(path) as f:
            for line in f:
                line = line.rstrip("\n")
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                key, _, value = line.partition(":")
                key, value = key.strip(), value.strip()
                if key in ("expect", "reject", "env"):
                    spec[key].append(value)
                elif key in spec:
                    spec[key] = value
                else:
                    self.record(name, False, 0, "", "%s: unknown key '%s'" % (path, key))
                    return
        err = self.build_image(arch)
        if err is not None:
            self.record(name, False, 0, err, "the %s image did not build" % arch)
            return
        script = os.path.join(self.srctree, "scripts", "emu",
                              "%s-%s.sh" % (spec["emulator"], arch))
        env = dict(os.environ)
        for kv in spec["env"]:
            k, _, v = kv.partition("=")
            env[k.strip()] = v.strip()
        timeout = float(spec["timeout"])
        out, timed_out, code, secs = self.run_process(
            [script, "test", self.builddir(arch), spec["cmdline"]], timeout, env=env,
            expect=spec["expect"])
        pos, missing = 0, None
        for pat in spec["expect"]:
            m = re.compile(pat, re.M).search(out, pos)
            if not m:
                missing = pat
                break
            pos = m.end()
        bad = [p for p in spec["reject"] if re.search(p, out, re.M)]
        if missing is None and not bad:
            self.record(name, True, secs, out)
        elif bad:
            self.record(name, False, secs, out, "unexpected output: /%s/" % bad[0])
        else:
            why = "timed out after %ds" % timeout if timed_out else "emulator ended"
            self.record(name, False, secs, out, "%s without /%s/" % (why, missing))

    def main(self):
        start = time.time()
        self.unit_tests()
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
    args = ap.parse_args()
    sys.exit(Runner(args.srctree, args.objtree, args.only).main())


if __name__ == "__main__":
    main()
