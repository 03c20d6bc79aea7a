#!/usr/bin/env python3
"""keyrec: record the bytes a terminal sends for each key, one line per read.

    keyrec.py OUT [app]

Runs inside a real terminal (xterm, tmux): puts the tty in raw mode and
appends each read as a line of hex to OUT, so a driver that sends one key
and waits for one more line captures exactly that key's bytes. With "app"
it first asks for application cursor keys and keypad (smkx: CSI ? 1 h,
ESC =), as full-screen programs do. Ends after 60 s without input.
Used by tests/helpers/capture_keys.sh.
"""
import os
import select
import sys
import termios
import tty

out, app = sys.argv[1], len(sys.argv) > 2 and sys.argv[2] == "app"
fd = sys.stdin.fileno()
saved = termios.tcgetattr(fd)
tty.setraw(fd)
try:
    if app:
        os.write(sys.stdout.fileno(), b"\033[?1h\033=")
    os.write(sys.stdout.fileno(), b"ready\r\n")
    with open(out + ".ready", "w"):
        pass
    with open(out, "a") as f:
        while select.select([fd], [], [], 60)[0]:
            data = os.read(fd, 256)
            if not data:
                break
            f.write(data.hex() + "\n")
            f.flush()
finally:
    termios.tcsetattr(fd, termios.TCSADRAIN, saved)
