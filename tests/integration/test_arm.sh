#!/usr/bin/env bash
# test_arm: sshkvm on ARM, tested here under qemu-user (issue 23). For arm64 (aarch64) and
# armhf (32-bit: 32-bit size_t and long, unsigned char, another libssh and libjpeg build):
#  1. the cross-build from the same Makefile (make CROSS=<triplet>- all unit, objects cached
#     in build/<triplet>/; scripts/deps.sh cross installs the compilers and libraries);
#  2. every unit test, built without sanitizers, run under qemu-user (one PASS/FAIL each);
#  3. the ARM server itself on the demo target under qemu-user, driven by the real OpenSSH
#     client: test_ssh_commands (type, key, paste, screen --text, snapshot bytes, status...)
#     run against it, its lines prefixed with the architecture.
# qemu runs the binaries through Debian's multiarch loader and libraries (no -L: with
# QEMU_LD_PREFIX set, qemu's path rewriting made threaded tests hang).
# make test-asan / test-valgrind (SSHKVM_BIN set: another x86 build under test) would only
# repeat it: it runs nothing there, and says so.
if [ -n "${SSHKVM_BIN:-}" ]; then
  echo "test_arm: tests the ARM builds, not $SSHKVM_BIN: nothing to run"
  exit 0
fi
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
if ! scripts/deps.sh cross >"$T/deps.log" 2>&1; then
  if archive_mid_sync "$T/deps.log"; then
    echo "SKIP arm: the cross packages cannot be installed, the archive is mid-sync: $(grep -m1 'Mirror sync' "$T/deps.log")"
    exit 0
  fi
  fail arm_deps "scripts/deps.sh cross: $(tail -2 "$T/deps.log")"
  exit 1
fi
make -s build/tests/mjpeg_frames build/tests/demo_text >/dev/null || fail helpers "native helpers do not build"

# unit_tests ARCH TRIPLET QEMU: every unit test of that build under qemu-user, one line each.
unit_tests() {
  local arch=$1 triplet=$2 qemu=$3 t name start rc p f
  for t in build/"$triplet"/tests/test_*; do
    case $t in *.d) continue ;; esac
    name=$(basename "$t")
    start=$SECONDS
    timeout -k 5 $((150 * SLOW)) "$qemu" "$t" >"$T/$arch-$name.log" 2>&1
    rc=$?
    p=$(grep -c '^PASS ' "$T/$arch-$name.log")
    f=$(grep -c '^FAIL ' "$T/$arch-$name.log")
    if [ "$rc" -eq 0 ] && [ "$p" -gt 0 ] && [ "$f" -eq 0 ]; then
      pass "${arch}_$name ($p checks, $((SECONDS - start)) s)"
    else
      fail "${arch}_$name" "exit $rc, $p passed, $f failed: $(grep -m3 -E 'FAIL|CHECK failed' "$T/$arch-$name.log" | tr '\n' ' ')"
    fi
  done
}

built=()
for triplet in aarch64-linux-gnu arm-linux-gnueabihf; do
  arch=$([ "$triplet" = aarch64-linux-gnu ] && echo arm64 || echo armhf)
  if ! make -s -j2 CROSS="$triplet-" all unit >"$T/build-$arch.log" 2>&1; then
    fail "${arch}_build" "$(grep -m3 -E 'error|warning' "$T/build-$arch.log")"
    continue
  fi
  pass "${arch}_build"
  # The binary is really for that machine.
  check "${arch}_elf" grep -q "$([ $arch = arm64 ] && echo 'ARM aarch64' || echo 'ARM, EABI5')" \
    <(file -L "build/$triplet/sshkvm")
  built+=("$arch:$triplet")
done

# The two architectures' unit tests side by side (each emulated program uses about one core).
for b in "${built[@]}"; do
  arch=${b%%:*} triplet=${b#*:}
  unit_tests "$arch" "$triplet" "$([ "$arch" = arm64 ] && echo qemu-aarch64 || echo qemu-arm)" >"$T/units-$arch.out" &
done
wait
for b in "${built[@]}"; do
  cat "$T/units-${b%%:*}.out"
  FAILS=$((FAILS + $(grep -c '^FAIL ' "$T/units-${b%%:*}.out")))
done

# The ARM server with the real OpenSSH client. Its waits are stretched (SSHKVM_SLOW) for emulation.
for b in "${built[@]}"; do
  arch=${b%%:*} triplet=${b#*:}
  qemu=$([ "$arch" = arm64 ] && echo qemu-aarch64 || echo qemu-arm)
  SSHKVM_BIN=$ROOT/build/$triplet/sshkvm SSHKVM_WRAP=$qemu SSHKVM_SLOW=4 \
    timeout -k 10 300 bash tests/integration/test_ssh_commands.sh >"$T/$arch-ssh.log" 2>&1
  rc=$?
  sed -n 's/^\(PASS\|FAIL\) /\1 '"$arch"'_ssh_/p' "$T/$arch-ssh.log"
  n=$(grep -c '^PASS ' "$T/$arch-ssh.log")
  if [ "$rc" -ne 0 ] || [ "$n" -lt 20 ]; then
    fail "${arch}_ssh_commands" "exit $rc with $n checks passed: $(grep -v '^PASS' "$T/$arch-ssh.log" | tail -3 | tr '\n' ' ')"
  fi
done
finish
