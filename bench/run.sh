#!/usr/bin/env bash
# Run every benchmark: each bench/bench_*.c is built against the release
# objects and run, each bench/bench_*.sh is run; each prints its figures
# (ratios against a baseline measured in the same run). A benchmark that fails
# is named at the end, and the exit status is 1. BENCH_SMOKE=1: each in smoke
# mode (tiny counts; what make test's test_bench_smoke runs).
set -u
cd "$(dirname "$0")/.."
failed=()
for src in bench/bench_*.c; do
  [ -f "$src" ] || continue
  name=$(basename "$src" .c)
  echo "== $src"
  make -s "build/bench/$name" >/dev/null && "build/bench/$name" || failed+=("$src")
done
for b in bench/bench_*.sh; do
  [ -f "$b" ] || continue
  echo "== $b"
  bash "$b" || failed+=("$b")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}"
  exit 1
fi
