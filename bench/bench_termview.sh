#!/usr/bin/env bash
# The terminal view, measured in one run on the same frames (issue 5):
#  1. per-frame time, 1080p and 720p -> 200x60 cells: sshkvm's path (decode once, render,
#     diff) in art 16-colour, art 24-bit and half-block 24-bit, each further viewer, the
#     in-process floors, and img2txt (libcaca) and chafa on the same frames;
#  2. over real ssh sessions (OpenSSH on a 200x61 pty): bytes per second for a static
#     screen, the demo BIOS with a keypress a second, and full motion at 30 fps;
#  3. sshkvm's CPU and peak RSS with 1, 5 and 20 viewers of full motion at 30 fps, and
#     the latency from a frame's capture to its update written to the channel.
# Frames are made with ffmpeg's test sources (testsrc2: motion; mandelbrot: detail) and
# the demo's BIOS screen scaled up; JPEG quality is chosen for 100-200 KB at 1080p.
# make bench runs it (bench/run.sh); it installs what it compares against (scripts/deps.sh
# bench) and builds build/bench/termview itself. Prints tables; docs/benchmarks.md has a run.
# BENCH_SMOKE=1: two frames a clip, one frame a tool, 1.5 s viewers, 1 and 2 viewers in part 3
# (make test's check that it runs, in about half a minute). Exits non-zero when a step fails
# or measures nothing.
set -u
cd "$(dirname "$0")/.."
scripts/deps.sh bench || exit 1
make -s build/sshkvm build/bench/termview >/dev/null || exit 1
BIN=build/sshkvm
D=build/bench-data
SECS=${BENCH_SECONDS:-10}
WARMUP=3 FRAMES=30 TOOL_FRAMES=10 VIEWERS="1 5 20" SETTLE=2 WINDOW=6
if [ "${BENCH_SMOKE:-}" = 1 ]; then
  D=build/bench-data/smoke
  SECS=${BENCH_SECONDS:-1.5}
  WARMUP=0.5 FRAMES=2 TOOL_FRAMES=1 VIEWERS="1 2" SETTLE=0.5 WINDOW=1
fi
mkdir -p "$D"
die() { echo "bench_termview: $*"; exit 1; }

# ---- frames ----
gen() { # gen NAME SIZE QUALITY LAVFI-INPUT...
  local name=$1 size=$2 q=$3; shift 3
  [ -s "$D/$name.mjpeg" ] && return
  ffmpeg -loglevel error "$@" -vf "scale=${size/x/:}:flags=bicubic" -frames:v "$FRAMES" -q:v "$q" \
    -f mjpeg -y "$D/$name.mjpeg" || die "ffmpeg could not make $name"
}
for res in 1920x1080 1280x720; do
  tag=${res#*x}p
  gen "bios-$tag" "$res" 6 -loop 1 -i tests/data/bios-720x400.jpg
  gen "mandel-$tag" "$res" 7 -f lavfi -i "mandelbrot=size=$res:rate=30"
  gen "motion-$tag" "$res" 2 -f lavfi -i "testsrc2=size=$res:rate=30"
done
ffmpeg -loglevel error -i "$D/motion-1080p.mjpeg" -frames:v 1 -c copy -f mjpeg -y "$D/still-1080p.mjpeg" ||
  die "ffmpeg could not make still-1080p"

# ---- 1. per frame ----
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "1. Milliseconds per frame into 200x60 cells (mean over the clip's frames)."
echo "   dec1/1: full-size decode; dec-sc: decode at the DCT scale sshkvm uses; dither:"
echo "   caca_dither_bitmap; export: libcaca's ansi export; 1 view: sshkvm's whole path for the"
echo "   first viewer (decode + render + diff); +1 view: each further viewer (shared grid)."
build/bench/termview --cols 200 --rows 60 "$D"/bios-1080p.mjpeg "$D"/mandel-1080p.mjpeg \
  "$D"/motion-1080p.mjpeg "$D"/motion-720p.mjpeg || die "termview failed"
echo
echo "   The same 1080p frames through other tools (one process per frame, as a script would run them):"
printf '   %-14s %10s %10s %10s\n' frames "img2txt" "chafa-16" "chafa-24"
for clip in bios-1080p mandel-1080p motion-1080p; do
  rm -rf "$D/jpg" && mkdir -p "$D/jpg"
  ffmpeg -loglevel error -i "$D/$clip.mjpeg" -frames:v "$TOOL_FRAMES" -c copy -f image2 "$D/jpg/%02d.jpg"
  n=$(ls "$D/jpg" | wc -l)
  [ "$n" -gt 0 ] || die "no frames of $clip for the other tools"
  t0=$(date +%s%N)
  for f in "$D"/jpg/*.jpg; do img2txt -W 200 -H 60 -f ansi "$f" >/dev/null || die "img2txt failed on $f"; done
  t1=$(date +%s%N)
  for f in "$D"/jpg/*.jpg; do chafa -s 200x60 -c 16 --animate=off "$f" >/dev/null || die "chafa failed on $f"; done
  t2=$(date +%s%N)
  for f in "$D"/jpg/*.jpg; do chafa -s 200x60 -c full --animate=off "$f" >/dev/null || die "chafa failed on $f"; done
  t3=$(date +%s%N)
  printf '   %-14s %10.1f %10.1f %10.1f\n' "$clip" "$(echo "($t1-$t0)/$n/1000000" | bc -l)" \
    "$(echo "($t2-$t1)/$n/1000000" | bc -l)" "$(echo "($t3-$t2)/$n/1000000" | bc -l)"
done

# ---- 2. and 3. over ssh ----
T=$(mktemp -d /tmp/sshkvm-bench.XXXXXX)
SK=
cleanup() { [ -n "$SK" ] && kill "$SK" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
ssh-keygen -q -t ed25519 -N '' -f "$T/id" && cp "$T/id.pub" "$T/ak"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start() { # start sshkvm with extra options; the viewers' view is art (the default is auto) unless they ask
  PORT=$(port)
  "$BIN" --ssh-listen "127.0.0.1:$PORT" --http-listen off --hostkeys "$T/hk" --authorized-keys "$T/ak" \
    --mouse none --view-mode art "$@" >"$T/out" 2>"$T/log" &
  SK=$!
  for _ in $(seq 100); do grep -q 'console:' "$T/out" 2>/dev/null && return; sleep 0.1; done
  echo "sshkvm did not start"; cat "$T/log"; exit 1
}
stop() { kill "$SK"; wait "$SK" 2>/dev/null; SK=; }
status() { ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
  -o BatchMode=yes -o IdentitiesOnly=yes -i "$T/id" -p "$PORT" kvm@127.0.0.1 status; }
field() { sed -n "s/.*\"view\":{[^}]*\"$1\":\\([0-9.]*\\).*/\\1/p"; }
viewer() { bench/viewer.py --port "$PORT" --key "$T/id" --seconds "$SECS" --warmup "$WARMUP" "$@"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SK/stat"; }
hz=$(getconf CLK_TCK)

echo
echo "2. Bytes per second over ssh, one 200x61 viewer, after a $WARMUP s warm-up (the first frame)."
printf '   %-34s %12s %12s\n' scenario "first $WARMUP s B" "B/s after"
row() { # row NAME VIEWER-OPTIONS...: one viewer's figures as a table row
  local name=$1 total after secs; shift
  read -r total after secs < <(viewer "$@")
  [ "${total:-0}" -gt 0 ] || die "$name: the viewer got nothing"
  printf '   %-34s %12d %12.0f\n' "$name" $((total - after)) "$(echo "$after/$secs" | bc -l)"; }
start --video "file:$D/still-1080p.mjpeg" --hid none
row "static screen (24-bit)" --env COLORTERM=truecolor
stop
start --video demo
row "BIOS, a keypress a second (16)" --keys-per-second 1
stop
start --video demo
row "BIOS, a keypress a second (24-bit)" --keys-per-second 1 --env COLORTERM=truecolor
stop
start --video "file:$D/motion-1080p.mjpeg" --hid none --view-fps 30
row "full motion 30 fps (16)" --env SSHKVM_COLORS=16
row "full motion 30 fps (24-bit)" --env COLORTERM=truecolor
row "full motion 30 fps (half, 24-bit)" --env "SSHKVM_MODE=half COLORTERM=truecolor"
stop
echo "   (a full repaint of 200x60 at 30 fps would be about 1.9 MB/s in 16 colours)"

echo
echo "3. sshkvm with N viewers of full motion at 30 fps (art, 24-bit, same size: shared grids)."
printf '   %-8s %10s %10s %12s %10s %10s %10s\n' viewers "CPU %" "peak RSS" "B/s/viewer" "p50 ms" "p99 ms" "deferred"
for n in $VIEWERS; do
  start --video "file:$D/motion-1080p.mjpeg" --hid none --view-fps 30
  pids=()
  for i in $(seq "$n"); do viewer --seconds 120 --env COLORTERM=truecolor >/dev/null & pids+=($!); done
  # All connected (the status command is one more client), then 2 s to settle.
  for i in $(seq 121); do
    status | grep -q "\"ssh\":$((n + 1))," && break
    [ "$i" -lt 121 ] || die "$n viewers did not connect"
    sleep 0.5
  done
  sleep "$SETTLE"
  s0=$(status); c0=$(cpu_ticks); t0=$(date +%s%N)
  sleep "$WINDOW"
  s1=$(status); c1=$(cpu_ticks); t1=$(date +%s%N)
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$SK/status")
  kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null
  secs=$(echo "($t1-$t0)/1000000000" | bc -l)
  d() { echo "$(echo "$s1" | field "$1") - $(echo "$s0" | field "$1")" | bc; }
  [ "$(d updates)" -gt 0 ] 2>/dev/null || die "$n viewers: no updates counted in the status JSON"
  printf '   %-8s %10.1f %8d kB %12.0f %10s %10s %10s %s\n' "$n" \
    "$(echo "($c1-$c0)*100/$hz/$secs" | bc -l)" "$hwm" "$(echo "$(d bytes)/$n/$secs" | bc -l)" \
    "$(echo "$s1" | field latency_p50_ms)" "$(echo "$s1" | field latency_p99_ms)" "$(d deferred)" \
    "(updates/s/viewer $(echo "$(d updates)/$n/$secs" | bc -l | xargs printf %.1f), decodes/s $(echo "$(d decodes)/$secs" | bc -l | xargs printf %.1f), shared $(d shared))"
  stop
done
