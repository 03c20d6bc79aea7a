#!/usr/bin/env bash
# bench_serial: what sshkvm adds between a serial port and an ssh client.
# A socat pty pair stands in for the line: the target writes on one end,
# and the other end is read first by socat itself (the baseline, as a local
# terminal program would), then by sshkvm --serial, passed on to the real
# OpenSSH client in pipe mode (ssh kvm@host serial com1). Both runs use the
# same pty pair, the same bytes and bench/serial_probe.py: the added latency
# (a probe line written on the target's end until it is read, median and
# p95) and throughput (a block of bytes, all checked). The block stays under
# the port's ring (256 KiB): a pty has no baud rate and outruns ssh, and a
# client slower than the port loses what falls out of the ring (it is told).
#   bench/bench_serial.sh [BYTES] [PROBES]     (default 200 KB, 50 probes)
# BENCH_BEFORE=OLD_BINARY: also runs an older sshkvm the same way, in the same run, and
# prints its row and added latency (a change's before and after).
# BENCH_SMOKE=1: 64 KB, 5 probes. Exits non-zero when a byte is lost or changed.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/integration/lib.sh" >/dev/null
BYTES=${1:-200000}
PROBES=${2:-50}
if [ "${BENCH_SMOKE:-}" = 1 ]; then BYTES=${1:-65536}; PROBES=${2:-5}; fi
command -v socat >/dev/null || { echo "bench_serial: socat is not installed" >&2; exit 1; }

socat "pty,raw,echo=0,link=$T/com1" "pty,raw,echo=0,link=$T/target" 2>/dev/null &
SOCAT=$!
trap 'kill $SOCAT 2>/dev/null; cleanup' EXIT
wait_until 5 test -e "$T/target" || exit 1

base=$(python3 "$ROOT/bench/serial_probe.py" "$T/target" "$BYTES" "$PROBES" -- \
  socat -u "OPEN:$T/com1,raw,echo=0" -) || { echo "bench_serial: the baseline lost bytes" >&2; exit 1; }
open_port() { kssh serial --list | grep -q '	open$'; }
# through BINARY: the probe's figures through that sshkvm and the ssh pipe. It runs in a
# subshell ($(...)), whose SK_PID the EXIT trap never sees: it stops its sshkvm itself, on
# every path.
through() {
  BIN=$1 start_sshkvm --serial "com1=$T/com1,4000000" >&2 || return 1
  local rc=0
  if ! wait_until 10 open_port; then
    rc=1
  elif ! python3 "$ROOT/bench/serial_probe.py" "$T/target" "$BYTES" "$PROBES" -- \
    ssh "${SSH_OPTS[@]}" -i "$T/id" -p "$SSH_PORT" kvm@127.0.0.1 serial com1; then
    echo "bench_serial: bytes lost or changed through sshkvm ($1)" >&2
    rc=1
  fi
  stop_sshkvm
  return $rc
}
before=
if [ -n "${BENCH_BEFORE:-}" ]; then before=$(through "$BENCH_BEFORE") || exit 1; fi
ours=$(through "$BIN") || exit 1
read -r b_med b_p95 b_tp <<<"$base"
read -r o_med o_p95 o_tp <<<"$ours"
read -r p_med p_p95 p_tp <<<"${before:-- - -}"
awk -v bm="$b_med" -v bp="$b_p95" -v bt="$b_tp" -v om="$o_med" -v op="$o_p95" -v ot="$o_tp" \
  -v pm="$p_med" -v pp="$p_p95" -v pt="$p_tp" -v n="$BYTES" -v k="$PROBES" 'BEGIN {
  printf "%-28s %12s %12s %14s\n", "reader", "latency p50", "latency p95", "throughput"
  printf "%-28s %9.2f ms %9.2f ms %9.1f MB/s\n", "socat on the pty (baseline)", bm, bp, bt / 1e6
  if (pm != "-") {
    printf "%-28s %9.2f ms %9.2f ms %9.1f MB/s\n", "sshkvm before (BENCH_BEFORE)", pm, pp, pt / 1e6
  }
  printf "%-28s %9.2f ms %9.2f ms %9.1f MB/s\n", "sshkvm + ssh pipe", om, op, ot / 1e6
  if (pm != "-") {
    printf "added latency before (p50): %.2f ms (p95 %.2f ms); throughput: %.2f x the baseline\n",
      pm - bm, pp - bp, pt / bt
  }
  printf "added latency (p50): %.2f ms (p95 %.2f ms); throughput: %.2f x the baseline (%d bytes, %d probes)\n",
    om - bm, op - bp, ot / bt, n, k
}'
