#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Gives an emulator's serial port a pseudo-terminal and joins it to this
process's standard input and output, for tests that type into a guest:

  serial-pty.py RCFILE LOGFILE -- command...

Opens a pty, replaces @SERIAL_PTY@ in RCFILE with its path (Bochs opens
it as 'com1: mode=term'), runs the command, and until the command ends
copies what the port sends to stdout and LOGFILE and what arrives on stdin
to the port.  The exit status is the command's.
"""
import os
import select
import subprocess
import sys
import tty


def main(argv):
    if len(argv) < 5 or argv[3] != "--":
        sys.stderr.write("usage: serial-pty.py RCFILE LOGFILE -- command...\n")
        return 2
    rcfile, logfile, cmd = argv[1], argv[2], argv[4:]
    master, slave = os.openpty()
    tty.setraw(slave)
    with open(rcfile) as f:
        rc = f.read()
    with open(rcfile, "w") as f:
        f.write(rc.replace("@SERIAL_PTY@", os.ttyname(slave)))
    # The command's stdin is a pipe that stays open until it ends: 'script'
    # stops draining Bochs' screen at EOF (see bochs-x86_64.sh).
    child = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    inputs = [master]
    if not os.isatty(0):
        inputs.append(0)
    out = sys.stdout.buffer
    with open(logfile, "ab") as log:
        while True:
            ready, _, _ = select.select(inputs, [], [], 0.2)
            if master in ready:
                try:
                    data = os.read(master, 4096)
                except OSError:
                    data = b""
                if data:
                    out.write(data)
                    out.flush()
                    log.write(data)
                    log.flush()
            if 0 in ready:
                data = os.read(0, 256)
                if data:
                    os.write(master, data)
                else:
                    inputs.remove(0)        # stdin closed: no more input
            if child.poll() is not None and master not in ready:
                break
    os.close(slave)
    os.close(master)
    return child.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
