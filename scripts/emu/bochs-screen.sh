#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Runs Bochs with its arguments (inside 'script', which gives it a
# terminal) and drains the screen of its term display:
#   scripts/emu/bochs-screen.sh -q -f bochsrc -rc cmds
#
# Debian's Bochs is built with its debugger, so the term display draws the
# emulated screen on a pseudo-terminal of its own (Bochs gui/term.cc)
# while the debugger keeps the real one.  Nobody reads that pty: its
# buffer fills with screen updates within minutes and Bochs blocks in its
# next write, frozen.  So the pty's other side is read here, into
# nothing.  The terminal also ignores XON/XOFF, so that no stray ^S stops
# Bochs' output.
stty -ixon -ixoff 2>/dev/null
bochs "$@" &
pid=$!
tries=0
drained=
while [ -z "$drained" ] && [ $tries -lt 300 ] && kill -0 $pid 2>/dev/null; do
	for p in $pid $(pgrep -P $pid 2>/dev/null); do
		for fd in /proc/$p/fd/*; do
			[ "$(readlink "$fd" 2>/dev/null)" = /dev/ptmx ] || continue
			index=$(sed -n 's/^tty-index:[[:space:]]*//p' "/proc/$p/fdinfo/${fd##*/}" 2>/dev/null)
			[ -n "$index" ] || continue
			cat "/dev/pts/$index" >/dev/null 2>&1 &
			drained=yes
		done
	done
	[ -n "$drained" ] || sleep 0.2
	tries=$((tries + 1))
done
status=0
wait $pid || status=$?
exit $status
