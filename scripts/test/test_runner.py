#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Tests of the boot-test runner (scripts/test/run.py): the test-file keys
and a run against a small stand-in for an emulator that echoes what is
typed, the way a firmware shell does."""
import os
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402

# Prints a prompt, echoes each line typed (ended by CR) and prints a new
# prompt; "off" ends it.  Without input (stdin not a pipe) it waits.
SHELL = textwrap.dedent(r'''
    import os, sys, time
    out = sys.stdout
    out.write("booting\nShell> "); out.flush()
    line = b""
    while True:
        c = os.read(0, 1)
        if not c:
            time.sleep(1); sys.exit(3)
        if c == b"\r":
            out.write(line.decode() + "\n")
            if line == b"off":
                out.write("powered off\n"); out.flush(); sys.exit(0)
            out.write("ran " + line.decode() + "\nShell> "); out.flush()
            line = b""
        else:
            line += c
''')


class Spec(unittest.TestCase):
    def parse(self, text):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.test")
            with open(path, "w") as f:
                f.write(textwrap.dedent(text))
            try:
                spec = run.parse_test(path)
                return spec, d
            except ValueError as e:
                return str(e).replace(d, "DIR"), d

    def test_keys(self):
        spec, d = self.parse("""\
            # comment
            timeout: 30
            guests: yes
            vm: vms/a.vm
            vm: ../b.vm
            send: Shell> => map -r
            send: Press .* key =>
            send: x =>  two spaces
            send: y => ^]1
            reject-before: b says => \[console: VM 1
            expect-count: 2 TESSERA-GUEST-OK .*cpus=2
            expect: Shell>
            """)
        self.assertEqual(spec["timeout"], "30")
        self.assertEqual(spec["guests"], "yes")
        self.assertEqual(spec["vm"], [os.path.join(d, "vms/a.vm"), os.path.join(d, "../b.vm")])
        self.assertEqual(spec["runs"][0]["send"], [("Shell>", "map -r"), ("Press .* key", ""),
                                        ("x", " two spaces"), ("y", "\x1d1")])
        self.assertEqual(spec["runs"][0]["reject-before"], [("b says", r"\[console: VM 1")])
        self.assertEqual(spec["runs"][0]["expect-count"], [(2, "TESSERA-GUEST-OK .*cpus=2")])
        self.assertEqual(spec["runs"][0]["expect"], ["Shell>"])

    def test_errors(self):
        self.assertEqual(self.parse("send: no arrow\n")[0],
                         "DIR/t.test:1: send wants '<regex> => <text>'")
        self.assertEqual(self.parse("expect-clock: 60 no group\n")[0],
                         "DIR/t.test:1: expect-clock wants '<seconds> <regex with a group>'")
        self.assertEqual(self.parse("reject-before: x\n")[0],
                         "DIR/t.test:1: reject-before wants '<regex> => <marker regex>'")
        self.assertEqual(self.parse("\nexpect-count: two x\n")[0],
                         "DIR/t.test:2: expect-count wants '<n> <regex>'")
        self.assertEqual(self.parse("expect-count: 0 x\n")[0],
                         "DIR/t.test:1: expect-count wants '<n> <regex>'")
        self.assertEqual(self.parse("guests: maybe\n")[0],
                         "DIR/t.test:1: guests is yes or no, not 'maybe'")
        self.assertEqual(self.parse("colour: red\n")[0], "DIR/t.test: unknown key 'colour'")
        self.assertTrue(self.parse("expect: (\n")[0].startswith(
            "DIR/t.test: /(/ is not a regular expression"))

    def test_runs(self):
        spec, d = self.parse("""\
            hostdisk: yes
            repeat: 3
            reject: ASSERT
            run: first
            send: Shell> => setvar
            expect: done
            run: cut
            kill: LOOP 0.5-8
            reject: garbage
            run: check
            expect-count: 1 value
            """)
        self.assertEqual(spec["hostdisk"], "yes")
        self.assertEqual(spec["repeat"], "3")
        self.assertEqual(spec["reject"], ["ASSERT"])
        self.assertEqual([r["name"] for r in spec["runs"]], ["first", "cut", "check"])
        self.assertEqual(spec["runs"][0]["send"], [("Shell>", "setvar")])
        self.assertEqual(spec["runs"][0]["expect"], ["done"])
        self.assertEqual(spec["runs"][1]["kill"], ("LOOP", 0.5, 8.0))
        self.assertEqual(spec["runs"][1]["reject"], ["garbage"])
        self.assertEqual(spec["runs"][2]["expect-count"], [(1, "value")])
        self.assertEqual(self.parse("expect: x\nrun: a\n")[0],
                         "DIR/t.test:2: expect, send and kill lines go below a run line in a "
                         "test with runs")
        self.assertEqual(self.parse("kill: x\n")[0],
                         "DIR/t.test:1: kill wants '<regex> <lo>-<hi>' (seconds)")
        self.assertEqual(self.parse("repeat: 0\n")[0],
                         "DIR/t.test:1: repeat wants a number of times")

    def test_screen_text(self):
        raw = ("\x1b[2J\x1b[01;01H\x1b[=3h\x1b[1m\x1b[33m\x1b[40mShell> \x1b[0m\x1b[37m\x1b[40m"
               "\x1b[06;08Hm\x1b[06;09H\x1b[06;09Ha\x1b[06;10Hp\r\nnext\rline\r\r\n")
        self.assertEqual(run.screen_text(raw), "Shell> map\nnext\rline\n")

    def test_matching(self):
        text = "a 1\nb\na 2\nc\n"
        self.assertIsNone(run.expect_missing(text, ["a", "b", "c"]))
        self.assertEqual(run.expect_missing(text, ["c", "b"]), "b")
        self.assertIsNone(run.count_missing(text, [(2, r"^a \d")]))
        self.assertEqual(run.count_missing(text, [(1, "b"), (3, "a")]), (3, "a", 2))
        clock = [(60, r"clock (\d+)")]
        self.assertIsNone(run.clock_wrong("clock 1000\n", clock, 1059))
        self.assertEqual(run.clock_wrong("clock 1000\n", clock, 1061),
                         (r"clock (\d+)", "1000 is -61 s away from this machine's 1061"))
        self.assertEqual(run.clock_wrong("none\n", clock, 0), (r"clock (\d+)", "not found"))
        # When the line was read, per pattern.
        self.assertIsNone(run.clock_wrong("clock 1000\n", clock, {r"clock (\d+)": 1030}))
        self.assertEqual(run.clock_wrong("clock 1000\n", clock, {r"clock (\d+)": 1100})[1],
                         "1000 is -100 s away from this machine's 1100")
        self.assertTrue(run.early(text, "b", "c"))
        self.assertFalse(run.early(text, "c", "b"))
        self.assertTrue(run.early(text, "c", "never"))
        self.assertFalse(run.early(text, "z", "never"))


class Typing(unittest.TestCase):
    def setUp(self):
        self.runner = run.Runner.__new__(run.Runner)
        self.cmd = [sys.executable, "-c", SHELL]

    def test_sends_in_order_then_exit(self):
        out, timed_out, code, _ = self.runner.run_process(
            self.cmd, 20, expect=["ran map -r", "ran memmap", "powered off"],
            sends=[("Shell>", "map -r"), ("Shell>", "memmap"), ("Shell>", "off")])
        self.assertFalse(timed_out)
        self.assertEqual(out, "booting\nShell> map -r\nran map -r\nShell> memmap\nran memmap\n"
                         "Shell> off\npowered off\n")
        self.assertEqual(code, 0)

    def test_send_waits_for_new_output(self):
        # The second send needs a second prompt after the first one's match:
        # nothing is typed twice into the same prompt.
        out, timed_out, _, _ = self.runner.run_process(
            self.cmd, 3, expect=["never"], sends=[("booting", "one"), ("booting", "two")])
        self.assertTrue(timed_out)
        self.assertIn("ran one", out)
        self.assertNotIn("two", out)

    def test_stops_when_all_seen_and_sent(self):
        out, timed_out, code, secs = self.runner.run_process(
            self.cmd, 20, counts=[(2, "^Shell> ")], sends=[("Shell>", "x")])
        self.assertFalse(timed_out)
        self.assertNotEqual(code, 0)      # stopped by the runner, not exited
        self.assertLess(secs, 5)
        self.assertEqual(out.count("Shell> "), 2)

    def test_kill_cuts_the_power(self):
        out, timed_out, code, secs = self.runner.run_process(
            self.cmd, 20, sends=[("Shell>", "x")], kill=("booting", 0.2, 0.3), wait_exit=True)
        self.assertFalse(timed_out)
        self.assertEqual(code, -9)
        self.assertLess(secs, 5)
        self.assertRegex(out, r"\[test runner: /booting/ seen; the power is cut in 0\.[23]\d s\]")
        self.assertIn("[test runner: power cut (SIGKILL)]", out)

    def test_no_input_without_sends(self):
        out, timed_out, code, _ = self.runner.run_process(self.cmd, 10, expect=["will not"])
        self.assertFalse(timed_out)
        self.assertEqual(code, 3)         # stdin was /dev/null: end of file at once
        self.assertEqual(out, "booting\nShell> ")


if __name__ == "__main__":
    unittest.main(verbosity=2)
