#!/usr/bin/env bash
# Every benchmark still runs: each bench/bench_*.c program and bench/bench_*.sh
# script (what make bench runs, bench/run.sh) once in smoke mode, BENCH_SMOKE=1:
# tiny counts, a few seconds each. A benchmark passes when it exits 0 and
# prints something; in smoke mode each exits non-zero when anything it
# measures fails or measures nothing. Its output is in this program's log.
# The benchmarks measure the plain build: make test-asan / test-valgrind (SSHKVM_BIN set) would
# only run them again. Nothing to run there, and it says so.
if [ -n "${SSHKVM_BIN:-}" ]; then
  echo "test_bench_smoke: runs the benchmarks on the plain build, not $SSHKVM_BIN: nothing to run"
  exit 0
fi
. "$(dirname "$0")/lib.sh"
export BENCH_SMOKE=1

# smoke NAME COMMAND...: runs the benchmark, bounded (a hung one fails, its
# whole process group stopped), and prints its output indented.
smoke() {
  local name=$1; shift
  timeout -k 10 $((120 * SLOW)) "$@" >"$T/$name.out" 2>&1
  local rc=$?
  sed 's/^/  /' "$T/$name.out"
  if [ "$rc" -ne 0 ]; then
    fail "$name" "exit $rc"
  elif ! [ -s "$T/$name.out" ]; then
    fail "$name" "printed nothing"
  else
    pass "$name"
  fi
}

cd "$ROOT" || exit 1
for src in bench/bench_*.c; do
  [ -f "$src" ] || continue
  name=$(basename "$src" .c)
  if make -s "build/bench/$name" >/dev/null; then
    smoke "$name" "build/bench/$name"
  else
    fail "$name" "does not build"
  fi
done
for b in bench/bench_*.sh; do
  [ -f "$b" ] || continue
  smoke "$(basename "$b" .sh)" bash "$b"
done
finish
