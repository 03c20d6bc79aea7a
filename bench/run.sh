#!/usr/bin/env bash
# Run every benchmark: each bench/bench_*.c is built against the release
# objects and run, each bench/bench_*.sh is run; each prints its figures
# (ratios against a baseline measured in the same run).
set -u
cd "$(dirname "$0")/.."
for src in bench/bench_*.c; do
  [ -f "$src" ] || continue
  name=$(basename "$src" .c)
  echo "== $src"
  make -s "build/bench/$name" >/dev/null && "build/bench/$name"
done
for b in bench/bench_*.sh; do
  [ -f "$b" ] || continue
  echo "== $b"
  bash "$b"
done
