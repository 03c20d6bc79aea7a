#!/usr/bin/env bash
# make bench: every benchmark under bench/, each printing its own table.
set -u
cd "$(dirname "$0")/.."
status=0
for b in bench/http.sh; do
  echo "== $b"
  bash "$b" || status=1
done
exit $status
