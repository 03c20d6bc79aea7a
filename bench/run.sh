#!/usr/bin/env bash
# Run every benchmark (bench/bench_*.sh); each prints its figures.
set -u
cd "$(dirname "$0")/.."
for b in bench/bench_*.sh; do
  echo "== $b"
  bash "$b"
done
