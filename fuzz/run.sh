#!/usr/bin/env bash
# Run every libFuzzer target in build/fuzz/bin for FUZZ_SECONDS each (default
# 60), starting from its committed seeds in fuzz/corpus/NAME; new inputs go
# to build/fuzz/corpus/NAME, crashing inputs to build/fuzz/crashes/. Prints
# one PASS/FAIL line per target (executions, crashes) and exits 1 when any
# crashed; tests/integration/test_fuzz.sh is the short pass inside make test.
# FUZZ_TARGETS=pattern runs only matching targets. Built by `make fuzz`.
set -u
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
pattern=${FUZZ_TARGETS:-}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p build/fuzz/crashes build/fuzz/logs
total_crashes=0
ran=0
for bin in build/fuzz/bin/fuzz_*; do
  [[ "$bin" == *.* ]] && continue
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  [ -n "$pattern" ] && [[ "$name" != *$pattern* ]] && continue
  mkdir -p "build/fuzz/corpus/$name"
  log=build/fuzz/logs/$name.log
  before=$(ls build/fuzz/crashes | grep -c "^$name-" || true)
  # -max_len 4096: the parsers' inputs are lines, headers and escape
  # sequences; JPEG frames are whole files, so those get 64 KiB.
  maxlen=4096
  case $name in fuzz_mjpeg|fuzz_jpeg) maxlen=65536 ;; esac
  "$bin" -max_total_time="$seconds" -print_final_stats=1 -max_len=$maxlen -timeout=10 \
    -rss_limit_mb=1024 -artifact_prefix="build/fuzz/crashes/$name-" \
    "build/fuzz/corpus/$name" "fuzz/corpus/$name" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  after=$(ls build/fuzz/crashes | grep -c "^$name-" || true)
  crashes=$((after - before))
  [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
  total_crashes=$((total_crashes + crashes))
  ran=$((ran + 1))
  verdict=PASS
  [ "$crashes" -gt 0 ] && verdict=FAIL
  printf '%s %-16s %10s executions in %ss, %d crashes\n' "$verdict" "$name" "${execs:-?}" "$seconds" \
    "$crashes"
  if [ "$crashes" -gt 0 ]; then
    grep -E 'ERROR:|runtime error|contract broken|SUMMARY|Test unit written' "$log" | head -8 | sed 's/^/    /'
  fi
done
[ "$ran" -gt 0 ] || { echo "no fuzz targets built (make fuzz-build)"; exit 1; }
echo "$ran targets, $total_crashes crashes"
[ "$total_crashes" -eq 0 ]
