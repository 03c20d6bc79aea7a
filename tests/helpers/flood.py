#!/usr/bin/env python3
"""Open N TCP connections to HOST:PORT that never send a byte, hold them.

usage: flood.py HOST PORT N HOLD_SECONDS [READY_FILE]

Connects N sockets (as fast as the server accepts them), then waits up to
HOLD_SECONDS for the server to close each one (EOF or reset), and prints
"opened O closed C" where C counts the connections the server ended. A
connection the server refused outright counts as opened and closed.
READY_FILE is created once every connection has been made, so a test can
act while the whole flood is held open.
"""
import selectors
import socket
import sys
import time

host, port, n, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
ready = sys.argv[5] if len(sys.argv) > 5 else None
sel = selectors.DefaultSelector()
opened = closed = 0
for _ in range(n):
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect((host, port))
    except OSError:
        opened += 1
        closed += 1
        s.close()
        continue
    opened += 1
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
if ready:
    open(ready, 'w').close()
deadline = time.monotonic() + hold
while sel.get_map() and time.monotonic() < deadline:
    for key, _ in sel.select(timeout=0.5):
        s = key.fileobj
        try:
            if s.recv(65536):
                continue  # the server spoke (an SSH banner): not closed yet
        except BlockingIOError:
            continue
        except OSError:
            pass
        sel.unregister(s)
        s.close()
        closed += 1
print(f"opened {opened} closed {closed}", flush=True)
