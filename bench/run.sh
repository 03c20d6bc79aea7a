#!/usr/bin/env bash
# make bench: every benchmark under bench/, one after the other.
set -u
cd "$(dirname "$0")/.."
rc=0
for b in bench/bench_*.sh; do
  [ -e "$b" ] || continue
  echo "== $b"
  "$b" || rc=1
done
exit $rc
