#!/usr/bin/env bash
# The cost budget per frame (issue 23): machine-independent instruction counts for one unit of
# sshkvm's work, and what they mean for a Raspberry Pi.
#  1. instructions per unit (bench/cost.c): a 1080p JPEG decoded and rendered to a 200x60 view
#     in each view mode (art 16-colour, art 24-bit, half-block 24-bit, text), a 720x400 and a
#     1920x1080 text frame recognised, one MJPEG part delivered to one more browser, one key
#     typed. x86-64: callgrind, counting only bench/cost's measure() (--toggle-collect).
#     AArch64 (when the cross-build is installed: scripts/deps.sh cross): the same program
#     built for arm64 under qemu-user with bench/qemu/insns.c counting guest instructions,
#     REPS units minus 0 units. The baseline measured in the same run: the x86-64 count, and
#     the AArch64/x86-64 ratio says how far x86 counts carry over.
#  2. the server's peak RSS (VmHWM) with 1, 10 and 50 browsers on a 1080p 30 fps stream.
#  3. projections: frames per second one core of a Pi 4 (Cortex-A72, 1.5 GHz) and of a Pi
#     Zero 2 W (Cortex-A53, 1 GHz) sustains, from the AArch64 count (x86's when there is
#     none) and an assumed instructions-per-cycle (IPC_A72, IPC_A53), against the goals.
# Instruction counts are of user space only: the kernel's copy of a part into a socket is
# not in them (the projection says what the network needs instead).
#   BENCH_SMOKE=1 bench/bench_cost.sh    one unit each, 1 and 2 browsers (make test's check)
# Exits non-zero when a unit fails or a count is missing.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
SMOKE=${BENCH_SMOKE:-0}
IPC_A72=${IPC_A72:-1.2}
IPC_A53=${IPC_A53:-0.7}
D=build/bench-data/cost
mkdir -p "$D" build/bench
die() { echo "bench_cost: $*"; exit 1; }
command -v valgrind >/dev/null || scripts/deps.sh bench || exit 1
make -s build/sshkvm build/bench/cost >/dev/null || die "cannot build build/bench/cost"
[ -s "$D/1080p.mjpeg" ] || ffmpeg -loglevel error -f lavfi -i "testsrc2=size=1920x1080:rate=30,noise=alls=7:allf=t" \
  -frames:v 4 -q:v 4 -f mjpeg -y "$D/1080p.mjpeg" || die "ffmpeg could not make the 1080p frames"

# The AArch64 build, when the cross-compiler and arm64 libraries are there.
ARM=build/aarch64-linux-gnu/bench/cost
arm=0
if command -v qemu-aarch64 >/dev/null && command -v aarch64-linux-gnu-gcc >/dev/null &&
  cc -O2 -shared -fPIC -o build/bench/insns.so bench/qemu/insns.c &&
  make -s CROSS=aarch64-linux-gnu- "$ARM" >/dev/null 2>&1; then
  arm=1
fi

# unit reps: the view modes' clip has 4 frames, taken in turn.
if [ "$SMOKE" = 1 ]; then
  UNITS="art16:1 text720:1 part:10 key:20"
  VIEWERS="1 2"
else
  UNITS="art16:4 art24:4 half24:4 text:4 auto30:64 text720:3 text1080:3 first720:2 first1080:2 resumed720:3 resumed1080:3 part:200 key:1000"
  VIEWERS="1 10 50"
fi

x86_count() { # WHAT REPS -> instructions per unit
  local out=$D/callgrind.$1
  valgrind --tool=callgrind --toggle-collect=measure --callgrind-out-file="$out" \
    build/bench/cost "$1" "$2" >/dev/null 2>"$out.log" || return 1
  awk -v n="$2" '/^totals:/ {printf "%.0f\n", $2 / n; found=1} END {exit !found}' "$out"
}
arm_count() { # WHAT REPS -> instructions per unit (REPS minus 0 units)
  local a b
  a=$(qemu-aarch64 -plugin build/bench/insns.so -d plugin "$ARM" "$1" "$2" 2>&1 >/dev/null |
    sed -n 's/^insns: //p') || return 1
  b=$(qemu-aarch64 -plugin build/bench/insns.so -d plugin "$ARM" "$1" 0 2>&1 >/dev/null |
    sed -n 's/^insns: //p') || return 1
  [ -n "$a" ] && [ -n "$b" ] && [ "$a" -gt "$b" ] || return 1
  echo $(((a - b) / $2))
}

declare -A X A
echo "1. instructions per unit (x86-64: callgrind; AArch64: qemu-user + bench/qemu/insns.c)"
printf '%-10s %-52s %14s %14s %7s\n' unit what x86-64 AArch64 ratio
for u in $UNITS; do
  w=${u%%:*} n=${u##*:}
  case $w in
    art16) what="1080p JPEG -> 200x60 view, art 16 colours" ;;
    art24) what="1080p JPEG -> 200x60 view, art 24-bit" ;;
    half24) what="1080p JPEG -> 200x60 view, half blocks 24-bit" ;;
    text) what="1080p JPEG -> 200x60 view, text mode" ;;
    auto30) what="1080p JPEG -> 200x60 view, auto mode, 30 fps" ;;
    text720) what="recognise a 720x400 text frame (mode known)" ;;
    text1080) what="recognise a 1920x1080 text frame (mode known)" ;;
    first720) what="a command's new reader, 720x400 text, searched" ;;
    first1080) what="a command's new reader, 1920x1080 text, searched" ;;
    resumed720) what="the same, started from the server's textshare" ;;
    resumed1080) what="the same at 1920x1080, from the textshare" ;;
    part) what="one MJPEG part to one more browser (user space)" ;;
    key) what="one key typed (parse, keymap, 2 reports)" ;;
  esac
  X[$w]=$(x86_count "$w" "$n") || die "$w: callgrind failed ($(tail -3 "$D/callgrind.$w.log"))"
  [ "${X[$w]}" -gt 0 ] || die "$w: counted nothing"
  A[$w]=-
  if [ "$arm" = 1 ]; then
    A[$w]=$(arm_count "$w" "$n") || die "$w: the AArch64 count failed"
  fi
  ratio=$(awk -v a="${A[$w]}" -v x="${X[$w]}" 'BEGIN {if (a == "-") print "-"; else printf "%.2f", a / x}')
  printf '%-10s %-52s %14s %14s %7s\n' "$w" "$what" "${X[$w]}" "${A[$w]}" "$ratio"
done
[ "$arm" = 1 ] || echo "  (no AArch64 counts: scripts/deps.sh cross installs the cross-build and qemu-user)"

echo
echo "2. peak RSS of the server, 1080p MJPEG at 30 fps, N browsers (bench/httpload.c)"
cc -O2 -Wall -Wextra -o build/bench/httpload bench/httpload.c || die "cannot build httpload"
. tests/ports.sh
PART_BYTES=$(($(stat -c %s "$D/1080p.mjpeg") / 4))
for v in $VIEWERS; do
  port=$(free_port)
  build/sshkvm --video "file:$ROOT/$D/1080p.mjpeg" --fps 30 --hid none --mouse none \
    --ssh-listen "127.0.0.1:$(free_port)" --http-listen "127.0.0.1:$port" --http-max-idle 256 \
    --hostkeys "$D/hostkeys" --authorized-keys /dev/null >"$D/sshkvm.out" 2>"$D/sshkvm.log" &
  pid=$!
  up=0
  for _ in $(seq 300); do
    grep -q 'console:' "$D/sshkvm.out" 2>/dev/null && { up=1; break; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [ "$up" = 1 ] || { kill "$pid" 2>/dev/null; die "sshkvm did not start: $(tail -3 "$D/sshkvm.log")"; }
  sleep 1
  out=$(build/bench/httpload "$port" "$v" 0 $([ "$SMOKE" = 1 ] && echo 1 || echo 3) "$pid") ||
    { kill "$pid"; die "httpload with $v browsers failed"; }
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
  kill "$pid"
  wait "$pid" 2>/dev/null
  [ -n "$hwm" ] || die "no VmHWM"
  printf '  %3d browsers: peak RSS %6d KiB   (%s)\n' "$v" "$hwm" "$out"
done

echo
echo "3. projections (one core: A72 at 1.5 GHz, IPC $IPC_A72; A53 at 1 GHz, IPC $IPC_A53; AArch64 counts"
echo "   where measured, else x86-64's; user-space instructions only)"
pick() { [ "${A[$1]:--}" != - ] && echo "${A[$1]}" || echo "${X[$1]}"; }
printf '%-10s %14s %12s %14s   %s\n' unit "insns/unit" "Pi 4 fps" "Zero 2 W fps" "goal"
for u in $UNITS; do
  w=${u%%:*}
  i=$(pick "$w")
  awk -v w="$w" -v i="$i" -v a72="$IPC_A72" -v a53="$IPC_A53" -v pb="$PART_BYTES" 'BEGIN {
    p4 = 1.5e9 * a72 / i; z = 1e9 * a53 / i
    if (w == "part") {
      goal = sprintf("Zero 2 W 10 browsers x 30 fps: %.3f cores (< 2: %s); Pi 4 50 x 30: %.3f cores (< 4: %s); network %.0f / %.0f Mbit/s",
        300 * i / (1e9 * a53), (300 * i / (1e9 * a53) < 2) ? "yes" : "NO",
        1500 * i / (1.5e9 * a72), (1500 * i / (1.5e9 * a72) < 4) ? "yes" : "NO",
        300 * pb * 8 / 1e6, 1500 * pb * 8 / 1e6)
      printf "%-10s %14d %12.0f %14.0f   %s\n", w, i, p4, z, goal
    } else if (w == "key") {
      printf "%-10s %14d %12.0f %14.0f   keys/s per core\n", w, i, p4, z
    } else if (w ~ /^(first|resumed)/) {
      printf "%-10s %14d %12.1f %14.1f   ms of CPU per screen --text / wait / MCP read (Pi 4, Zero 2 W)\n", w, i, 1000 / p4, 1000 / z
    } else if (w ~ /^text[0-9]/) {
      printf "%-10s %14d %12.1f %14.1f   frames/s recognised per core\n", w, i, p4, z
    } else {
      printf "%-10s %14d %12.1f %14.1f   Zero 2 W one ssh viewer at 15 fps: %s\n", w, i, p4, z, (z >= 15) ? "yes" : "NO"
    }
  }'
done
echo "  part: the JPEG is passed through, never re-encoded; a part here is $PART_BYTES bytes. The kernel's copy"
echo "  and the network, not these instructions, bound browsers: the Zero 2 W's Wi-Fi carries tens of Mbit/s."
