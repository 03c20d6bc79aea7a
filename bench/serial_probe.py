#!/usr/bin/env python3
"""serial_probe: what a reader of a serial port sees, timed from the target's side.

serial_probe.py TARGET_PTY BYTES PROBES -- READER_COMMAND...
starts READER_COMMAND (which prints what the port says: socat on the pty, or
ssh ... serial NAME), writes one probe line at a time on the target's end and
times its arrival on the reader's stdout (PROBES times; the median and the
95th percentile), then writes BYTES bytes at once and times their arrival.
Prints "latency_ms_median latency_ms_p95 throughput_bytes_per_s". Exits 1
when a byte is missing or different.
"""
import os, subprocess, sys, threading, time

target, nbytes, probes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cmd = sys.argv[sys.argv.index("--") + 1:]
reader = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
out = os.open(target, os.O_WRONLY | os.O_NOCTTY)
time.sleep(1.0)  # the reader attached


def read_exact(n):
    got = b""
    deadline = time.monotonic() + 30
    while len(got) < n and time.monotonic() < deadline:
        chunk = reader.stdout.read(n - len(got))
        if not chunk:
            break
        got += chunk
    return got


lat = []
for i in range(probes):
    line = b"probe %06d\n" % i
    t0 = time.monotonic()
    os.write(out, line)
    if read_exact(len(line)) != line:
        print("probe %d: lost or changed" % i, file=sys.stderr)
        sys.exit(1)
    lat.append((time.monotonic() - t0) * 1000)
    time.sleep(0.01)
data = bytes((i * 7 + 3) % 256 for i in range(nbytes))
# Read on a thread while writing: a reader that waits for its stdout to drain stops
# reading the port, and the port's writer would wait for it in turn.
result = {}
def bulk_read():
    result["got"] = read_exact(nbytes)
    result["at"] = time.monotonic()
t = threading.Thread(target=bulk_read)
t0 = time.monotonic()
t.start()
written = 0
while written < len(data):
    written += os.write(out, data[written:written + 65536])
t.join()
got = result["got"]
took = result["at"] - t0
reader.kill()
if got != data:
    print("bulk: %d of %d bytes arrived, %s" % (len(got), nbytes, "same" if data.startswith(got) else "changed"), file=sys.stderr)
    sys.exit(1)
lat.sort()
print("%.2f %.2f %.0f" % (lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.95))], nbytes / took))
