#!/usr/bin/env bash
# The short fuzzing pass inside make test: every libFuzzer target in fuzz/
# (built by make test into build/fuzz/bin) runs its committed corpus, which
# holds the regression input of every crash fixed so far, then fuzzes for
# FUZZ_TEST_SECONDS (default 10). A crash, sanitizer report or broken
# parser contract is a FAIL naming the target. `make fuzz` is the long run.
set -u
# The fuzzers are their own sanitizer builds: make test-asan / test-valgrind (SSHKVM_BIN set, another
# server under test) would only run them again. Nothing to run there, and it says so.
if [ -n "${SSHKVM_BIN:-}" ]; then
  echo "test_fuzz: runs the fuzz targets, not $SSHKVM_BIN: nothing to run"
  exit 0
fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
n=$(find "$ROOT/build/fuzz/bin" -name "fuzz_*" ! -name "*.*" -perm -u+x 2>/dev/null | wc -l)
want=$(ls "$ROOT"/fuzz/fuzz_*.c | wc -l)
if [ "$n" -ne "$want" ]; then
  echo "FAIL fuzz_targets_built: $n of $want in build/fuzz/bin (make test builds them)"
  exit 1
fi
FUZZ_SECONDS=${FUZZ_TEST_SECONDS:-10} "$ROOT/fuzz/run.sh"
