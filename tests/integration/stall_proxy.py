#!/usr/bin/env python3
"""An ssh ProxyCommand that relays stdin/stdout to 127.0.0.1:PORT and, after
STALL_AFTER seconds, stops reading from the server: a link whose far end has
gone quiet, so the server's socket fills while the client sees nothing more.

  stall_proxy.py PORT STALL_AFTER"""
import os, select, socket, sys, time

port, stall_after = int(sys.argv[1]), float(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
# A small receive buffer, so the server's side fills quickly.
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
start = time.monotonic()
while True:
    stalled = time.monotonic() - start >= stall_after
    r, _, _ = select.select([0] + ([] if stalled else [s]), [], [], 0.1)
    if 0 in r:
        data = os.read(0, 65536)
        if not data:
            break
        s.sendall(data)
    if s in r:
        data = s.recv(65536)
        if not data:
            break
        os.write(1, data)
