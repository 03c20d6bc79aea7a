#!/usr/bin/env python3
"""One ssh viewer for the benchmarks: the real OpenSSH client on a pty of a
given size, its output counted and thrown away.

  viewer.py --port P --key FILE [--cols 200 --rows 61] [--seconds 10]
            [--warmup 3] [--keys-per-second 0] [--env NAME=VALUE]...

Prints one line: "bytes_total bytes_after_warmup seconds_after_warmup".
The clock starts at the first byte (a loaded machine may take a while to
connect). With --keys-per-second, presses Down that often (an xterm arrow)."""
import argparse, fcntl, os, select, struct, subprocess, sys, termios, time

ap = argparse.ArgumentParser()
ap.add_argument("--port", required=True)
ap.add_argument("--key", required=True)
ap.add_argument("--cols", type=int, default=200)
ap.add_argument("--rows", type=int, default=61)
ap.add_argument("--seconds", type=float, default=10)
ap.add_argument("--warmup", type=float, default=3)
ap.add_argument("--keys-per-second", type=float, default=0)
ap.add_argument("--env", action="append", default=[])
a = ap.parse_args()

master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", a.rows, a.cols, 0, 0))
cmd = ["ssh", "-tt", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
       "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=yes",
       "-o", "IdentityAgent=none", "-i", a.key, "-p", a.port]
for e in a.env:
    cmd += ["-o", "SetEnv=" + e]
cmd += ["kvm@127.0.0.1"]
env = dict(os.environ, TERM="xterm-256color")
p = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, start_new_session=True, env=env)
os.close(slave)
start = None
total = after = 0
next_key = None
while True:
    now = time.monotonic()
    if start is not None and now - start >= a.seconds:
        break
    if start is None and p.poll() is not None:
        break
    if a.keys_per_second > 0 and next_key is not None and now >= next_key:
        os.write(master, b"\x1b[B")
        next_key += 1.0 / a.keys_per_second
    r, _, _ = select.select([master], [], [], 0.05)
    if r:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        if start is None:
            start = now
            next_key = start + a.warmup
        total += len(data)
        if now - start >= a.warmup:
            after += len(data)
p.terminate()
try:
    p.wait(timeout=3)
except subprocess.TimeoutExpired:
    p.kill()
print(total, after, max(0.001, a.seconds - a.warmup))
