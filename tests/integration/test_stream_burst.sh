#!/usr/bin/env bash
# 200 browsers open /stream in one burst (a wall of monitors after a network blip)
# with the default limits: every one stays connected and gets frames, the server's
# threads do not grow with the viewers, and its memory stays under 64 MB.
. "$(dirname "$0")/lib.sh"

make_mjpeg "$T/in.mjpeg" 30 640x360
start_sshkvm --video "file:$T/in.mjpeg" --fps 10 || exit 1
python3 - "$HTTP_PORT" "$SK_PID" >"$T/burst.out" 2>&1 <<'PY'
import socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
def threads():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("Threads:"):
            return int(line.split()[1])
def rss_kb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
socks = []
for _ in range(200):
    s = socket.create_connection(("127.0.0.1", port))
    socks.append(s)
for s in socks:
    s.sendall(b"GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
got = [0] * len(socks)
closed = [False] * len(socks)
end = time.time() + 6
peak_threads = peak_rss = 0
for s in socks:
    s.setblocking(False)
while time.time() < end:
    for i, s in enumerate(socks):
        if closed[i]:
            continue
        try:
            b = s.recv(65536)
            if not b:
                closed[i] = True
            got[i] += b.count(b"--")
        except BlockingIOError:
            pass
    peak_threads = max(peak_threads, threads())
    peak_rss = max(peak_rss, rss_kb())
    time.sleep(0.05)
print("closed", sum(closed))
print("starved", sum(1 for g in got if g < 3))
print("threads", threads())
print("peak_threads", peak_threads)
print("peak_rss_kb", peak_rss)
PY
cat "$T/burst.out"
val() { awk -v k="$1" '$1 == k {print $2}' "$T/burst.out"; }
check burst_none_closed test "$(val closed)" = 0
check burst_all_get_frames test "$(val starved)" = 0
check burst_threads_settle test "$(val threads)" -le 20
check burst_rss_under_64mb test "$(val peak_rss_kb)" -le $((65536 + RSS_SLACK))
check burst_nothing_dropped bash -c "! grep -q 'dropping the oldest' '$T/sshkvm.log'"
finish
