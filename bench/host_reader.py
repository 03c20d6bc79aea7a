#!/usr/bin/env python3
"""host_reader: a USB host's view of a keyboard sink, for bench/bench_paste.sh.

    host_reader.py FIFO OUT EXPECT_REPORTS

Reads 8-byte reports from FIFO as a full-speed USB host polls an interrupt
endpoint with bInterval 1: at most one report a millisecond. The pipe's
buffer is shrunk to one page so the writer feels the pace. Writes the
reports to OUT and prints the milliseconds from the first report to the
last (EXPECT_REPORTS of them), or until the writer closes, and the wall-clock
time of the last one (ms since the epoch).
"""
import fcntl
import os
import sys
import time

F_SETPIPE_SZ = 1031
fifo, out, expect = sys.argv[1], sys.argv[2], int(sys.argv[3])
fd = os.open(fifo, os.O_RDONLY)
try:
    fcntl.fcntl(fd, F_SETPIPE_SZ, 4096)
except OSError:
    pass
got = bytearray()
first = None
next_poll = time.monotonic()
while len(got) < expect * 8:
    now = time.monotonic()
    if now < next_poll:
        time.sleep(next_poll - now)
    chunk = os.read(fd, 8)
    if not chunk:
        break
    if first is None:
        first = time.monotonic()
    got += chunk
    next_poll = max(next_poll + 0.001, time.monotonic())
last = time.monotonic()
last_wall_ms = int(time.time() * 1000)
with open(out, "wb") as f:
    f.write(got)
print(int((last - (first or last)) * 1000), last_wall_ms)
