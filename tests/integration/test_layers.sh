# make layers: src/ keeps its layers today, and the check fails on each kind
# of violation added to a copy of src/ (an upward include, an include within
# one rank, production code including the demo target, an include not
# written from src/, a folder with no layer).
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=$(mktemp -d /tmp/sshkvm-layers.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; }

if out=$("$ROOT/scripts/layers.sh" "$ROOT/src" 2>&1); then
  pass layers_src_ok
else
  fail layers_src_ok "$out"
fi

# violation NAME FILE LINE EXPECTED: add LINE to a fresh copy's FILE; the check must fail saying EXPECTED.
violation() {
  local name=$1 file=$2 line=$3 want=$4
  rm -rf "$T/src" && cp -r "$ROOT/src" "$T/src"
  mkdir -p "$(dirname "$T/src/$file")"
  printf '%s\n' "$line" >>"$T/src/$file"
  local out rc
  out=$("$ROOT/scripts/layers.sh" "$T/src" 2>&1)
  rc=$?
  if [ "$rc" -ne 0 ] && grep -qF "$want" <<<"$out"; then
    pass "layers_refuse_$name"
  else
    fail "layers_refuse_$name" "rc=$rc: $out"
  fi
}
violation upward base/log.c '#include "cmd/app.h"' 'src/base/log.c:'
violation same_rank demo/bios.c '#include "term/grid.h"' 'not below demo'
violation demo_in_production cmd/cmd.c '#include "demo/demo.h"' 'includes the demo target'
violation not_from_src video/hub.c '#include "util.h"' 'not a path from src/'
violation unknown_folder extra/x.c '#include "base/util.h"' "folder 'extra' has no layer"
