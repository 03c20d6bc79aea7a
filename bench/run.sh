#!/usr/bin/env bash
# Build and run every bench/bench_*.c against the release objects; each
# prints its figures (ratios against a baseline measured in the same run).
set -eu
cd "$(dirname "$0")/.."
for src in bench/bench_*.c; do
  name=$(basename "$src" .c)
  make -s "build/bench/$name" >/dev/null
  "build/bench/$name"
done
