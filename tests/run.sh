#!/usr/bin/env bash
# Run every test program and print one summary line: "N passed, N failed".
#   unit tests        build/asan/tests/test_*  (AddressSanitizer + UBSan; SK_UNIT_DIR=DIR
#                     takes them from DIR instead: build/tsan/tests for make test-tsan)
#   integration tests tests/integration/test_*.sh (the real binary, real clients)
#   VM tests          tests/vm/test_*.sh (a real Linux kernel under QEMU)
# Each program prints "PASS name" / "FAIL name" lines; a program that dies
# without saying so counts as one more failure.
# TESTS="pattern ..." runs only programs matching one of the patterns; SUITES="unit integration vm"
# picks the kinds (all by default).
# SK_SAN_LOGDIR=DIR: the programs under test write sanitizer or valgrind
# reports there (make test-asan, make test-tsan, make test-valgrind); each
# report found after a program counts as one more failure of that program.
set -u
cd "$(dirname "$0")/.."
# Files the tests write for sshkvm to trust (authorized keys, CAs, passwords) must not be
# group-writable, or sshkvm refuses them as sshd does, whatever umask the caller has.
umask 022
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pattern=${TESTS:-}
suites=" ${SUITES:-unit integration vm} "
sanlogs=${SK_SAN_LOGDIR:-}
unitdir=${SK_UNIT_DIR:-build/asan/tests}
[ -n "$sanlogs" ] && mkdir -p "$sanlogs"
passed=0
failed=0
failures=()
logdir=build/test-logs
mkdir -p "$logdir"

wanted() {
  [ -z "$pattern" ] && return 0
  local p
  for p in $pattern; do
    [[ "$1" == *$p* ]] && return 0
  done
  return 1
}

run_one() {
  local name=$1; shift
  local log="$logdir/$name.log"
  local start=$SECONDS
  "$@" >"$log" 2>&1
  local rc=$?
  local p f
  if [ -n "$sanlogs" ]; then
    local r
    for r in "$sanlogs"/*; do
      [ -f "$r" ] || continue
      if grep -qE 'ERROR SUMMARY: [1-9]|ERROR: (Address|Leak)Sanitizer|WARNING: ThreadSanitizer|runtime error' "$r"; then
        echo "FAIL $name: sanitizer report $(basename "$r")" >>"$log"
        sed 's/^/  /' "$r" | head -60 >>"$log"
      fi
      mv "$r" "$logdir/$name.$(basename "$r")"
    done
  fi
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
    grep -E '^FAIL |CHECK failed|ERROR: (Address|Leak)Sanitizer|WARNING: ThreadSanitizer|runtime error|^  ' "$log" | head -40 | sed 's/^/    /'
  fi
}

for t in "$unitdir"/test_*; do
  [[ "$suites" == *" unit "* ]] || break
  [ -x "$t" ] || continue
  name=$(basename "$t")
  wanted "$name" || continue
  run_one "$name" "$t"
done
for t in tests/integration/test_*.sh tests/vm/test_*.sh; do
  [ -f "$t" ] || continue
  kind=integration
  [[ "$t" == tests/vm/* ]] && kind=vm
  [[ "$suites" == *" $kind "* ]] || continue
  name=$(basename "$t" .sh)
  wanted "$name" || continue
  run_one "$name" bash "$t"
done

[ ${#failures[@]} -gt 0 ] && echo "failed programs (logs in $logdir): ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
