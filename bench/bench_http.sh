#!/usr/bin/env bash
# HTTP streaming under load: the same MJPEG frames (720p and 1080p, 100-200
# KB each, played from a file: source at 30 fps) to 1, 10, 50 and 200
# viewers, some of them deliberately slow (1 MB/s through a 32 KiB receive
# buffer). bench/httpload.c is the load generator; it reads on loopback in
# one epoll thread and discards bodies in the kernel.
#
# Per run: the capture's own rate (from /metrics), delivered fps per fast viewer (min and mean) and per slow viewer,
# server CPU (% of one core, from /proc/PID/stat over the window), CPU per
# frame delivered (net of the capture's own CPU, measured with no viewers
# in the same run), the server's threads (the most seen while the viewers
# were connected), peak RSS (VmHWM), and the latency from capture (the
# X-Timestamp of the part, taken when the frame enters the hub) to the
# part's last byte received by a fast viewer.
# The viewers of a run connect in one burst. The server's bound on
# connections that have not sent their request yet (--http-max-idle, 32 by
# default, against floods of silent connections) is raised to 256 here: on a
# busy machine a burst of 200 real viewers can otherwise outrun the
# threads reading their requests and have the oldest dropped.
#
#   SECONDS_PER_RUN=10 bench/bench_http.sh      (default 6)
#   COMPARE=../main/build/sshkvm bench/bench_http.sh
#                                               every row measured for that build too, just before
#   BENCH_BIN=path/to/sshkvm                    the build under test (default build/sshkvm)
#   SIZES=1080p bench/bench_http.sh             only those frames (720p, 1080p)
#   VIEWERS="40 10,190 10" bench/bench_http.sh  only those runs ("FAST SLOW", comma-separated)
#   BENCH_SMOKE=1 bench/bench_http.sh           a few seconds: one small run, for make test
# Exits 1 when a run fails: the server does not start, a viewer cannot
# connect or is lost, or no frame reaches a viewer.
# The machine is shared: figures vary by tens of percent between runs.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
B=$ROOT/build/bench
mkdir -p "$B"
SMOKE=${BENCH_SMOKE:-0}
DUR=${SECONDS_PER_RUN:-6}
[ "$SMOKE" = 1 ] && DUR=1
FAILED=0
cc -O2 -Wall -Wextra -o "$B/httpload" bench/httpload.c || exit 1
[ -x "${BENCH_BIN:-build/sshkvm}" ] || { echo "${BENCH_BIN:-build/sshkvm} is missing: make all first"; exit 1; }

# The frames: ffmpeg's moving test pattern with a little noise, sized to
# 100-200 KB a frame like a capture dongle's MJPEG.
frames() { # NAME SIZE NOISE QUALITY [COUNT]
  [ -s "$B/$1.mjpeg" ] && return
  ffmpeg -loglevel error -f lavfi -i "testsrc2=size=$2:rate=30,noise=alls=$3:allf=t" \
    -frames:v "${5:-60}" -q:v "$4" -f mjpeg -y "$B/$1.mjpeg" || exit 1
}
if [ "$SMOKE" = 1 ]; then
  SIZES="smoke"
  frames smoke 640x360 7 4 10
else
  SIZES=${SIZES:-720p 1080p}
  frames 720p 1280x720 6 3
  frames 1080p 1920x1080 7 4
fi

# free_port, as the integration tests pick ports.
. tests/ports.sh

SK_PID=
start() { # BINARY FRAMES
  HTTP_PORT=$(free_port)
  "$1" --video "file:$2" --fps 30 --hid none --mouse none --ssh-listen "127.0.0.1:$(free_port)" \
    --http-listen "127.0.0.1:$HTTP_PORT" --http-max-idle 256 --hostkeys "$B/hostkeys" --authorized-keys /dev/null \
    >"$B/sshkvm.out" 2>"$B/sshkvm.log" &
  SK_PID=$!
  for _ in $(seq 100); do
    grep -q 'console:' "$B/sshkvm.out" 2>/dev/null && { sleep 1; return 0; }
    kill -0 "$SK_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "sshkvm did not start"; cat "$B/sshkvm.log"; exit 1
}
stop() {
  kill "$SK_PID" 2>/dev/null
  wait "$SK_PID" 2>/dev/null
}
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }

# run LABEL BINARY FRAMES FAST SLOW: one row of the table.
run() {
  local label=$1 bin=$2 file=$3 fast=$4 slow=$5 base out cpu frames net why=
  start "$bin" "$file"
  # The capture's own CPU, with nobody watching (frames still flow: the file source does not idle).
  base=$("$B/httpload" "$HTTP_PORT" 0 0 "$DUR" "$SK_PID") || why="the load generator failed"
  out=$("$B/httpload" "$HTTP_PORT" "$fast" "$slow" "$DUR" "$SK_PID") || why="the load generator failed"
  stop
  cpu=$(field server_cpu_pct "$out")
  frames=$(field frames "$out")
  net=$(awk -v c="$cpu" -v b="$(field server_cpu_pct "$base")" -v f="$frames" -v d="$DUR" \
    'BEGIN { if (f > 0) printf "%.1f", (c - b) / 100 * d * 1e6 / f; else print "-" }')
  printf '%-14s %5d %4d %8s %8s %8s %8s %7s%% %9s %9s %8s %8s %8s %5s\n' "$label" $((fast + slow)) "$slow" \
    "$(field capture_fps "$out")" "$(field fast_fps_min "$out")" "$(field fast_fps_mean "$out")" "$(field slow_fps_mean "$out")" \
    "$cpu" "$net" "$(field threads "$out")/$(field threads_max "$out")" "$(field rss_peak_mb "$out")" "$(field lat_p50_ms "$out")" \
    "$(field lat_p99_ms "$out")" "$(field dead "$out")"
  # A run fails when a viewer was lost, or a viewer (or the capture) got no frame at all.
  if [ -z "$why" ]; then
    if [ "$(field dead "$out")" != 0 ]; then
      why="$(field dead "$out") viewers lost"
    elif awk -v c="$(field capture_fps "$out")" -v m="$(field fast_fps_min "$out")" \
      -v s="$(field slow_fps_mean "$out")" -v f="$fast" -v n="$slow" \
      'BEGIN { exit !(c <= 0 || (f > 0 && m <= 0) || (n > 0 && s <= 0)) }'; then
      why="no frames"
    fi
  fi
  if [ -n "$why" ]; then
    cp "$B/sshkvm.log" "$B/failed-${label// /-}-$((fast + slow)).log"
    echo "FAILED: $label, $((fast + slow)) viewers: $why (server log: $B/failed-${label// /-}-$((fast + slow)).log)"
    FAILED=1
  fi
}

# row LABEL FRAMES FAST SLOW: run it on the build under test, after the COMPARE build when set.
row() {
  [ -n "${COMPARE:-}" ] && run "$1 main" "$COMPARE" "$2" "$3" "$4"
  run "$1" "${BENCH_BIN:-build/sshkvm}" "$2" "$3" "$4"
}

header() {
  printf '%-14s %5s %4s %8s %8s %8s %8s %8s %9s %9s %8s %8s %8s %5s\n' frames viewers slow captured "fast-min" \
    "fast-avg" "slow-avg" "cpu" "us/frame" "threads" "rss-MB" "p50-ms" "p99-ms" "lost"
}

if [ "$SMOKE" = 1 ]; then
  echo "smoke run (BENCH_SMOKE=1): ${DUR}s after 1s of warm-up, 2 fast viewers and 1 slow"
  header
  row smoke "$B/smoke.mjpeg" 2 1
  exit "$FAILED"
fi

for f in $SIZES; do
  printf '%s: %d frames, %d KB each on average\n' "$f" 60 $(($(stat -c %s "$B/$f.mjpeg") / 60 / 1024))
done
echo "each run: ${DUR}s after 1s of warm-up; fps per viewer; cpu = server, % of one core;"
echo "us/frame = server CPU per frame delivered, net of capture; threads = the server's, most seen"
echo "while measuring / since the viewers connected (a burst);"
echo "latency = capture to last byte received"
echo
echo "sshkvm: libmicrohttpd reads and admits the request, then hands the socket to a writer thread"
echo "per CPU (src/http/streamer.c), which writes the answer's head and every part straight from the frames"
[ -n "${COMPARE:-}" ] && echo "(rows marked 'main': $COMPARE, measured just before)"
header
for f in $SIZES; do
  IFS=, read -r -a specs <<<"${VIEWERS:-1 0,8 2,40 10,190 10}"
  for spec in "${specs[@]}"; do
    read -r fast slow <<<"$spec"
    row "$f" "$B/$f.mjpeg" "$fast" "$slow"
  done
done

exit "$FAILED"
