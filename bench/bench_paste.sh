#!/usr/bin/env bash
# bench_paste: paste speed and loss into a keyboard sink read the way a
# full-speed USB host polls (one report a millisecond: bench/host_reader.py
# on a FIFO, the "dev:" sink). The text that arrives is decoded with xkb
# (tests/helpers/xkb_decode.py, layout us) and compared with what was sent.
# Baseline in the same run: --paste-rate 25, PiKVM's default pace. The
# real-kernel figure is in tests/vm/test_vm_gadget.sh (10,000 characters).
#   bench/bench_paste.sh [CHARS]       (default 5000)
# BENCH_SMOKE=1: 200 characters, a baseline of 10 (make test's check that it runs).
# Exits non-zero when a run fails, measures nothing or loses characters.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/integration/lib.sh" >/dev/null
N=${1:-5000}
BASE_N=100
if [ "${BENCH_SMOKE:-}" = 1 ]; then
  N=${1:-200}
  BASE_N=10
fi

text() { # N: printable ASCII in lines of 50
  python3 -c 'import random,sys
random.seed(7); n=int(sys.argv[1]); cs="".join(chr(c) for c in range(32,127))
s="".join(random.choice(cs) for _ in range(n))
print("\n".join(s[i:i+49] for i in range(0,n,49)), end="")' "$1"
}

# run NAME CHARS [sshkvm options]: prints "NAME chars/s loss"
run() {
  local name=$1 n=$2; shift 2
  rm -f "$T/kbd.fifo"; mkfifo "$T/kbd.fifo"
  text "$n" >"$T/in.txt"
  local reports=$(( $(wc -c <"$T/in.txt") * 2 + 1 ))
  python3 "$ROOT/bench/host_reader.py" "$T/kbd.fifo" "$T/got.bin" "$reports" >"$T/ms" &
  local reader=$!
  start_sshkvm --hid "dev:$T/kbd.fifo" --mouse none "$@" >&2 || { kill $reader; return 1; }
  local t0
  t0=$(date +%s%N)
  if ! kssh paste <"$T/in.txt"; then
    echo "$name: paste failed" >&2
    kill $reader
    stop_sshkvm
    return 1
  fi
  wait $reader
  stop_sshkvm
  python3 "$ROOT/tests/helpers/xkb_decode.py" type us "" "$T/got.bin" >"$T/out.txt"
  local chars ms rate lost
  chars=$(wc -c <"$T/in.txt")
  # From the start of the paste until the host has read the last report (the
  # command itself returns once its reports are in the pipe's buffer).
  local last_ms
  read -r _ last_ms <"$T/ms"
  [ -n "$last_ms" ] || { echo "$name: the host read nothing" >&2; return 1; }
  ms=$(( last_ms - t0 / 1000000 ))
  rate=$(( chars * 1000 / (ms > 0 ? ms : 1) ))
  lost=$(python3 -c 'import sys,difflib
a=open(sys.argv[1]).read(); b=open(sys.argv[2]).read()
m=sum(t.size for t in difflib.SequenceMatcher(None,a,b,autojunk=False).get_matching_blocks())
print(len(a)-m)' "$T/in.txt" "$T/out.txt")
  printf '%-30s %6d chars %7d ms %6d chars/s  lost %d\n' "$name" "$chars" "$ms" "$rate" "$lost" >>"$T/table"
  echo "$rate $lost"
}

read -r base_rate base_lost < <(run "paced 25/s (PiKVM default)" "$BASE_N" --paste-rate 25)
read -r fast_rate fast_lost < <(run "unpaced (as the host reads)" "$N")
read -r r250_rate r250_lost < <(run "paced 250/s" "$N" --paste-rate 250)
cat "$T/table" 2>/dev/null
for r in "$base_rate/$base_lost" "$fast_rate/$fast_lost" "$r250_rate/$r250_lost"; do
  [[ "$r" =~ ^[1-9][0-9]*/0$ ]] || { echo "paste: a run failed, measured nothing or lost characters"; exit 1; }
done
echo "paste: unpaced $fast_rate chars/s (lost $fast_lost), paced 250/s $r250_rate chars/s (lost $r250_lost), baseline 25/s $base_rate chars/s (lost $base_lost)"
echo "paste: unpaced is $(awk -v a="$fast_rate" -v b="$base_rate" 'BEGIN { printf "%.1f", a / b }')x the 25/s baseline"
