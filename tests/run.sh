#!/usr/bin/env bash
# Run every test program and print one summary line: "N passed, N failed".
#   unit tests        build/asan/tests/test_*  (AddressSanitizer + UBSan)
#   integration tests tests/integration/test_*.sh (the real binary, real clients)
#   VM tests          tests/vm/test_*.sh (a real Linux kernel under QEMU)
# Each program prints "PASS name" / "FAIL name" lines; a program that dies
# without saying so counts as one more failure.
# TESTS=pattern runs only matching programs.
set -u
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pattern=${TESTS:-}
passed=0
failed=0
failures=()
logdir=build/test-logs
mkdir -p "$logdir"

run_one() {
  local name=$1; shift
  local log="$logdir/$name.log"
  local start=$SECONDS
  "$@" >"$log" 2>&1
  local rc=$?
  local p f
  p=$(grep -c '^PASS ' "$log")
  f=$(grep -c '^FAIL ' "$log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
    echo "FAIL $name (exit $rc, no FAIL line)" >>"$log"
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  printf '%-28s %3d passed %3d failed  %3ds\n' "$name" "$p" "$f" $((SECONDS - start))
  if [ "$f" -gt 0 ]; then
    failures+=("$name")
    grep -E '^FAIL |CHECK failed|ERROR: (Address|Leak)Sanitizer|runtime error|^  ' "$log" | head -40 | sed 's/^/    /'
  fi
}

for t in build/asan/tests/test_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  [ -n "$pattern" ] && [[ "$name" != *$pattern* ]] && continue
  run_one "$name" "$t"
done
for t in tests/integration/test_*.sh tests/vm/test_*.sh; do
  [ -f "$t" ] || continue
  name=$(basename "$t" .sh)
  [ -n "$pattern" ] && [[ "$name" != *$pattern* ]] && continue
  run_one "$name" bash "$t"
done

[ ${#failures[@]} -gt 0 ] && echo "failed programs (logs in $logdir): ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
